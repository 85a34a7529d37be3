"""Runs the Ray cases (tests/ray_cases/) in a private network namespace with only loopback, one pytest process each.

Ray listens on every interface and advertises the machine's address; inside `unshare -n`
it can reach nothing but 127.0.0.1. Each case file gets its own pytest process (and so its
own Ray session, started once). Skipped with the reason when unshare or Ray is missing.
"""

from __future__ import annotations

import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "ray_cases"


#: `ip link set lo up` without needing iproute2: SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP
LOOPBACK_UP = ("import socket, fcntl, struct; s = socket.socket(); "
               "f = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, struct.pack('16sH', b'lo', 0)))[1]; "
               "fcntl.ioctl(s, 0x8914, struct.pack('16sH', b'lo', f | 1))")


def _lo_up() -> str:
    return f'{shlex.quote(sys.executable)} -c "{LOOPBACK_UP}"'


def _namespace_problem() -> str | None:
    try:
        import ray  # noqa: F401
    except ImportError:
        return "Ray is not installed (pip install -e \".[cluster]\")"
    if shutil.which("unshare") is None:
        return "unshare is missing: Ray tests need a private network namespace"
    probe = subprocess.run(["unshare", "-n", "sh", "-c", _lo_up()], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot make a private network namespace (unshare -n needs root): {probe.stderr.strip()}"
    return None


def run_cases(name: str, tmp_path: pathlib.Path, timeout: int) -> None:
    problem = _namespace_problem()
    if problem:
        pytest.skip(problem)
    # Ray's socket paths must stay under 108 bytes: a short directory of its own, not pytest's deep tmp_path
    ray_dir = tempfile.mkdtemp(prefix="dfc-ray-")
    env = dict(os.environ, DFC_IN_NETNS="1", RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0",
               RAY_COLOR_PREFIX="0", RAY_TMPDIR=ray_dir, PYTHONPATH=str(CASES))
    command = (f"{_lo_up()} && exec {shlex.quote(sys.executable)} -m pytest -p no:cacheprovider -x -rs "
               f"--rootdir {ROOT} --basetemp {tmp_path / 'cases'} {CASES / name}")
    try:
        proc = subprocess.run(["unshare", "-n", "sh", "-c", command], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=timeout)
    finally:
        shutil.rmtree(ray_dir, ignore_errors=True)
    assert proc.returncode == 0, f"Ray cases {name} failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-4000:]}"
    assert " passed" in proc.stdout and "skipped" not in proc.stdout.splitlines()[-1], proc.stdout[-2000:]


def test_ray_engine_cases(tmp_path):
    run_cases("cases_engine.py", tmp_path, timeout=600)


def test_ray_multi_node_placement(tmp_path):
    run_cases("cases_multinode.py", tmp_path, timeout=400)
