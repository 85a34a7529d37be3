"""The real MLIR tools read our IR: mlir-opt parses every golden stage, and its generic output parses back.

Skipped with a reason where mlir-opt (Debian package mlir-19-tools) is not installed.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

import pytest

from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"
MLIR_OPT = next((p for p in (shutil.which("mlir-opt"), shutil.which("mlir-opt-19")) if p), None)
needs_mlir_opt = pytest.mark.skipif(MLIR_OPT is None,
                                    reason="mlir-opt is not installed (apt-get install mlir-19-tools)")

STAGE_FILES = sorted(GOLDEN.glob("*/[0-9][0-9]-*.mlir"))


def mlir_opt(path: pathlib.Path, *flags: str) -> str:
    proc = subprocess.run([MLIR_OPT, "--allow-unregistered-dialect", *flags, str(path)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, f"mlir-opt rejects {path.relative_to(GOLDEN)}:\n{proc.stderr}"
    return proc.stdout


def without_names(text: str) -> str:
    """The text with every SSA name made the same: mlir-opt renumbers them."""
    return re.sub(r"%[A-Za-z0-9_.$-]+", "%v", text)


def test_there_are_golden_stages_to_check():
    assert len(STAGE_FILES) >= 8 * 9  # eight cases, build to fuse


@needs_mlir_opt
@pytest.mark.parametrize("path", STAGE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mlir_opt_parses_every_golden_stage(path):
    generic = mlir_opt(path, "--mlir-print-op-generic")
    # what mlir-opt writes back (generic form, its own names, a builtin.module around it) is our graph again
    ours = print_graph(parse_graph(path.read_text(), str(path)), with_locs=False)
    theirs = print_graph(parse_graph(generic, "mlir-opt-output.mlir"), with_locs=False)
    assert without_names(theirs) == without_names(ours)


@needs_mlir_opt
def test_mlir_opt_keeps_our_locations(tmp_path):
    path = GOLDEN / "relu_layer" / "08-fuse.mlir"
    out = mlir_opt(path, "--mlir-print-op-generic", "--mlir-print-debuginfo")
    # MLIR keeps each op's loc(...) (printed as #loc aliases): the user's source line survives its tools
    assert re.search(r'#loc\d* = loc\("tests/golden/relu_layer/program.py":\d+:\d+\)', out)
