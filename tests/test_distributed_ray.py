"""Runs the Ray cases (tests/ray_cases/) in a private network namespace with only loopback, one pytest process each.

Ray listens on every interface and advertises the machine's address; inside `unshare -n`
it can reach nothing but 127.0.0.1. Each case file gets its own pytest process (and so its
own Ray session, started once). Skipped with the reason when unshare or Ray is missing.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "ray_cases"


def _namespace_problem() -> str | None:
    try:
        import ray  # noqa: F401
    except ImportError:
        return "Ray is not installed (pip install -e \".[cluster]\")"
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare or ip is missing: Ray tests need a private network namespace"
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot make a private network namespace (unshare -n needs root): {probe.stderr.strip()}"
    return None


def run_cases(name: str, tmp_path: pathlib.Path, timeout: int) -> None:
    problem = _namespace_problem()
    if problem:
        pytest.skip(problem)
    env = dict(os.environ, DFC_IN_NETNS="1", RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0",
               RAY_COLOR_PREFIX="0", RAY_TMPDIR=str(tmp_path / "ray"), PYTHONPATH=str(CASES))
    (tmp_path / "ray").mkdir()
    command = (f"ip link set lo up && exec {sys.executable} -m pytest -q -p no:cacheprovider -x "
               f"--rootdir {ROOT} {CASES / name}")
    proc = subprocess.run(["unshare", "-n", "sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"Ray cases {name} failed:\n{proc.stdout[-8000:]}\n{proc.stderr[-4000:]}"
    assert " passed" in proc.stdout and "skipped" not in proc.stdout.splitlines()[-1], proc.stdout[-2000:]


def test_ray_engine_cases(tmp_path):
    run_cases("cases_engine.py", tmp_path, timeout=400)


def test_ray_multi_node_placement(tmp_path):
    run_cases("cases_multinode.py", tmp_path, timeout=240)
