"""Per-pass FileCheck tests in MLIR's lit style: each tests/passes/*.mlir names its RUN line and its CHECKs.

A RUN line is a shell pipeline in which `%s` is the file itself, `dfc` is this checkout's
command line and `filecheck` the `filecheck` package (LLVM FileCheck's Python port). The
end-to-end goldens (tests/golden/) show whole programs; these pin down one pass each.
"""

from __future__ import annotations

import pathlib
import shlex
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
FILES = sorted((HERE / "passes").glob("*.mlir"))
PYTHON = shlex.quote(sys.executable)
TOOLS = {"dfc": f"{PYTHON} -m dfc.tools", "filecheck": f"{PYTHON} -m filecheck"}


def run_lines(path: pathlib.Path) -> list[str]:
    lines = [line.split("RUN:", 1)[1].strip() for line in path.read_text().splitlines()
             if line.lstrip().startswith("// RUN:")]
    assert lines, f"{path.name} has no '// RUN:' line"
    return lines


def expand(command: str, path: pathlib.Path) -> str:
    stages = []
    for stage in command.split("|"):
        words = stage.strip().split(" ", 1)
        tool = TOOLS.get(words[0])
        if tool is None:
            raise AssertionError(f"unknown tool '{words[0]}' in RUN line (known: {', '.join(TOOLS)})")
        stages.append(" ".join([tool, *words[1:]]).replace("%s", shlex.quote(str(path))))
    return " | ".join(stages)


def test_there_is_a_file_for_each_rewriting_pass():
    from dfc.compiler import PASSES
    covered = {p.stem for p in FILES}
    # autodiff and plan: tests/golden/ and the CPU backend's tests; prune and specialize take per-run options
    missing = sorted(set(PASSES) - covered - {"autodiff", "plan", "prune", "specialize"})
    assert not missing, f"passes without a FileCheck test in tests/passes/: {missing}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_pass_output_matches_its_checks(path):
    for command in run_lines(path):
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", expand(command, path)], capture_output=True, text=True,
                              timeout=120, cwd=HERE.parent)
        assert proc.returncode == 0, f"{path.name}: `{command}` failed:\n{proc.stdout}{proc.stderr}"
