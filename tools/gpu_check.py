"""`python -m dfc.tools.gpu_check`: on a machine with a GPU, run the GPU tests and the GPU benchmarks and write
one JSON report (installs nothing; run it from the repository, where tests/ and benchmarks/ are).

    python -m dfc.tools.gpu_check [--out gpu_report.json] [--skip-tests] [--skip-benchmarks] [--scale small]
                                  [--budget-s 330]

The report holds the device, the pytest outcome of the GPU tests (tests marked `gpu` and the ptxas and
nvJitLink tests: counts, the failures' names, the output's tail), each benchmark's figures, and how long each
part took. It is written after every part, so a part that fails, or a run stopped by the lent machine's time
limit, still leaves the report of what ran; the benchmarks stop when the whole check has used `--budget-s`.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

REPO = pathlib.Path(__file__).resolve().parent.parent
GPU_TESTS = ["tests/test_gpu_runtime.py", "tests/test_gpu_ops.py", "tests/test_gpu_loops.py",
             "tests/test_gpu_codegen.py", "tests/test_gpu_nvjitlink.py"]
#: the GPU tests' time limit: the whole check must fit a lent machine's few minutes
TEST_TIMEOUT_S = 240
#: the whole check's time (a lent machine runs it within 6 minutes): the benchmarks stop when it is spent
BUDGET_S = 330


class BudgetSpent(BaseException):
    """The check's time is up (a BaseException: the benchmarks' per-benchmark `except Exception` lets it by)."""


def device() -> dict:
    from dfc.runtime import gpu

    count, why = gpu._probe()
    info: dict = {"gpus": count}
    if count:
        ctx = gpu.Context.get()
        name = gpu._check(gpu._driver().cuDeviceGetName(256, ctx.device))
        info.update(name=name.split(b"\0")[0].decode(), arch=ctx.arch, sm=ctx.sm, multiprocessors=ctx.sms)
        from dfc.runtime import nvjitlink

        try:
            info["nvjitlink"] = nvjitlink.unavailable_reason() or ".".join(map(str, nvjitlink.version()))
        except nvjitlink.NvJitLinkError as e:
            info["nvjitlink"] = str(e)
    else:
        info["why_none"] = why
    return info


def _workers() -> int:
    """pytest-xdist workers for the GPU tests: most of the time goes to LLVM and ptxas, which use one core each."""
    cores = os.cpu_count() or 1
    return min(8, cores // 2) if cores >= 4 else 0


def _outcome(junit: pathlib.Path) -> dict:
    """Counts and failed tests' ids from pytest's JUnit XML."""
    root = ET.parse(junit).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    counts = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    failed = [f"{case.get('classname')}::{case.get('name')}" for case in suite.iter("testcase")
              if case.find("failure") is not None or case.find("error") is not None]
    return {"counts": counts, "failed": failed}


def run_tests(timeout_s: float = TEST_TIMEOUT_S) -> dict:
    start = time.perf_counter()
    workers = _workers()
    with tempfile.TemporaryDirectory() as tmp:
        junit = pathlib.Path(tmp) / "gpu_tests.xml"
        # the emulated runs of the same tests (tests/gpu_emulator.py) run in CI: the lent minutes go to the device
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "-k", "not emulator",
                   "-n", str(workers), f"--junitxml={junit}", *GPU_TESTS]
        # a session of its own: past the time limit pytest and its xdist workers are killed together
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=max(timeout_s, 1))
            out = {"returncode": proc.returncode}
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
            out = {"returncode": None, "timeout_s": timeout_s}
        out["tail"] = stdout[-6000:] + stderr[-2000:]
        if junit.exists():
            try:
                out.update(_outcome(junit))
            except (ET.ParseError, AttributeError) as e:
                out["junit_error"] = str(e)
    out["workers"] = workers
    out["seconds"] = time.perf_counter() - start
    return out


def run_benchmarks(scale: str = "full", report: dict | None = None, seconds: float | None = None) -> dict:
    """The benchmarks' figures, filled into `report` as each finishes; past `seconds` the one running stops."""
    start = time.perf_counter()
    out = {} if report is None else report
    sys.path.insert(0, str(REPO))

    def spent(signum, frame):
        raise BudgetSpent

    # a timer's signal reaches the main thread only: called from another, the benchmarks run to their end
    alarm = seconds is not None and hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, spent) if alarm else None
    if alarm:
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 1.0))
    try:
        from benchmarks import gpu as bench

        bench.main(scale, out)
    except BudgetSpent:
        out["error"] = f"stopped after {seconds:.0f} s: the check's time budget was spent"
    except Exception as e:  # noqa: BLE001 - the report says what failed
        out["error"] = f"{type(e).__name__}: {e}"
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    out["seconds"] = time.perf_counter() - start
    return out


def _write(path: pathlib.Path, report: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2, default=str))
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "gpu_report.json")
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--skip-benchmarks", action="store_true")
    parser.add_argument("--scale", choices=("full", "small"), default="full",
                        help="the benchmarks' sizes: the README's figures (full) or toy sizes (small)")
    parser.add_argument("--budget-s", type=float, default=BUDGET_S,
                        help=f"the whole check's seconds: the tests get at most {TEST_TIMEOUT_S} s of them")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report: dict = {"budget_s": args.budget_s}
    try:
        report["device"] = device()
    except Exception as e:  # noqa: BLE001 - a driver that fails here still gets a report saying how
        report["device"] = {"gpus": 0, "error": f"{type(e).__name__}: {e}"}
    _write(args.out, report)
    if not args.skip_tests:
        report["tests"] = run_tests(min(TEST_TIMEOUT_S, args.budget_s - (time.perf_counter() - start)))
        _write(args.out, report)
    if not args.skip_benchmarks and report["device"]["gpus"]:
        report["benchmarks"] = {}
        run_benchmarks(args.scale, report["benchmarks"], args.budget_s - (time.perf_counter() - start))
    report["seconds"] = time.perf_counter() - start
    _write(args.out, report)
    print(json.dumps(report, indent=2, default=str))
    print(f"report written to {args.out}", file=sys.stderr)
    ok = report.get("tests", {"returncode": 0})["returncode"] == 0 and "error" not in report["device"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
