"""`python -m dfc.tools.gpu_check`: on a machine with a GPU, run the GPU tests and the GPU benchmarks and write
one JSON report (installs nothing; run it from the repository, where tests/ and benchmarks/ are).

    python -m dfc.tools.gpu_check [--out gpu_report.json] [--skip-tests] [--skip-benchmarks] [--scale small]

The report holds the device, the pytest outcome of the GPU tests (tests marked `gpu` and the ptxas tests),
each benchmark's figures, and how long each part took.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
GPU_TESTS = ["tests/test_gpu_runtime.py", "tests/test_gpu_ops.py", "tests/test_gpu_loops.py",
             "tests/test_gpu_codegen.py"]
#: the GPU tests' time limit: the whole check must fit a lent machine's few minutes
TEST_TIMEOUT_S = 240


def device() -> dict:
    from dfc.runtime import gpu

    count, why = gpu._probe()
    info: dict = {"gpus": count}
    if count:
        ctx = gpu.Context.get()
        name = gpu._check(gpu._driver().cuDeviceGetName(256, ctx.device))
        info.update(name=name.split(b"\0")[0].decode(), arch=ctx.arch, multiprocessors=ctx.sms)
    else:
        info["why_none"] = why
    return info


def run_tests() -> dict:
    start = time.perf_counter()
    try:
        # the emulated runs of the same tests (tests/gpu_emulator.py) run in CI: the lent minutes go to the device
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "-k", "not emulator",
                   *GPU_TESTS]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                              timeout=TEST_TIMEOUT_S)
        out = {"returncode": done.returncode, "tail": done.stdout[-6000:] + done.stderr[-2000:]}
    except subprocess.TimeoutExpired as e:
        out = {"returncode": None, "timeout_s": TEST_TIMEOUT_S, "tail": str(e.stdout or "")[-6000:]}
    out["seconds"] = time.perf_counter() - start
    return out


def run_benchmarks(scale: str = "full") -> dict:
    start = time.perf_counter()
    sys.path.insert(0, str(REPO))
    try:
        from benchmarks import gpu as bench

        out = bench.main(scale)
    except Exception as e:  # noqa: BLE001 - the report says what failed
        out = {"error": f"{type(e).__name__}: {e}"}
    out["seconds"] = time.perf_counter() - start
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "gpu_report.json")
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--skip-benchmarks", action="store_true")
    parser.add_argument("--scale", choices=("full", "small"), default="full",
                        help="the benchmarks' sizes: the README's figures (full) or toy sizes (small)")
    args = parser.parse_args(argv)
    report: dict = {"device": device()}
    if not args.skip_tests:
        report["tests"] = run_tests()
    if not args.skip_benchmarks and report["device"]["gpus"]:
        report["benchmarks"] = run_benchmarks(args.scale)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report, indent=2, default=str))
    print(f"report written to {args.out}", file=sys.stderr)
    return 0 if report.get("tests", {"returncode": 0})["returncode"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
