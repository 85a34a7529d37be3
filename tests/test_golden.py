"""Golden tests: every stage of compiling each program under tests/golden/<case>/ is exactly as recorded.

Each case directory holds `program.py` and the expected text of every IR stage
(`00-build.mlir`, `01-prune.mlir`, ...), as `dfc compile program.py --run N --dump-dir`
writes them. The backend's stages are not recorded exactly: plan (its report is the
CPU backend's, still changing) only has to re-parse, and LLVM IR and assembly, which
change with the host CPU and LLVM, are checked against FileCheck patterns
(`llvm.check`, `asm.check`) where the case has them. `pytest --update-goldens` rewrites the expected files; a stage that
changed fails with a unified diff.
"""

from __future__ import annotations

import difflib
import os
import pathlib
import subprocess
import sys

import pytest

from dfc.compiler import default_pipeline
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph
from dfc.ir.verifier import verify
from dfc.tools import cli

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = pathlib.Path("tests") / "golden"  # relative: locations in the IR name the program this way

#: case -> which Session.run of its program is compiled
CASES = {
    "constants": 1,
    "relu_layer": 2,
    "softmax_cross_entropy": 2,
    "linear_regression_loss": 2,
    "mlp_training_step": 2,
    "softmax_regression_training": 2,
    "partial_execution": 2,
    "constant_folding": 1,
    "fusion": 1,
    "control_flow": 2,
}

#: stages compared line by line with the recorded files
GOLDEN_STAGES = ("build", "prune", "specialize", "autodiff", "fold", "simplify", "cse", "dce", "fuse")

_compiled: dict[str, cli.Compilation] = {}


def compile_case(case: str) -> cli.Compilation:
    """Every stage of the case, compiled once per test session from the repository root."""
    if case not in _compiled:
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            result = cli.compile_script(GOLDEN / case / "program.py", [], CASES[case], default_pipeline(),
                                        verify_each=True)
            cli.backend_stages(result, {"plan", "llvm", "asm"}, strict=False)
        finally:
            os.chdir(cwd)
        _compiled[case] = result
    return _compiled[case]


def stage_files(result: cli.Compilation) -> dict[str, cli.Stage]:
    """File name -> stage, numbered as `dfc compile --dump-dir` numbers them."""
    return {f"{i:02d}-{s.name}.{s.suffix}": s for i, s in enumerate(result.stages)}


def without_comments(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.lstrip().startswith("//"))


def test_every_case_directory_is_listed():
    on_disk = {p.name for p in (ROOT / GOLDEN).iterdir() if p.is_dir() and (p / "program.py").exists()}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_stages_match_goldens(case, update_goldens):
    directory = ROOT / GOLDEN / case
    actual = {name: s.text for name, s in stage_files(compile_case(case)).items() if s.name in GOLDEN_STAGES}
    recorded = {p.name: p for p in directory.glob("[0-9][0-9]-*.mlir")}
    if update_goldens:
        for name, path in recorded.items():
            if name not in actual:
                path.unlink()
        for name, text in actual.items():
            (directory / name).write_text(text)
        return
    problems = []
    for name in sorted(set(actual) | set(recorded)):
        if name not in recorded:
            problems.append(f"new stage {name} has no golden file")
        elif name not in actual:
            problems.append(f"stage {name} was not produced")
        else:
            expected = recorded[name].read_text()
            if expected != actual[name]:
                diff = difflib.unified_diff(expected.splitlines(), actual[name].splitlines(),
                                            f"{GOLDEN / case / name} (golden)", f"{name} (now)", lineterm="")
                problems.append("\n".join(diff))
    assert not problems, (f"{case}: the stages differ from tests/golden/{case}/ (run `pytest --update-goldens` "
                          "if the change is intended):\n" + "\n\n".join(problems))


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_stage_reparses_and_verifies(case):
    for name, stage in stage_files(compile_case(case)).items():
        if stage.suffix != "mlir":
            continue
        text = without_comments(stage.text)
        graph = parse_graph(text, name)
        verify(graph)
        assert print_graph(graph) == text, f"{case}/{name}: print -> parse -> print changed the text"


def test_goldens_show_what_the_passes_promise():
    fused = (ROOT / GOLDEN / "fusion" / "08-fuse.mlir").read_text()
    assert fused.count('"dfc.fused"') == 1 and fused.count("dfc.mul") == 2 and 'kind = "elementwise"' in fused
    folded = (ROOT / GOLDEN / "constant_folding" / "08-fuse.mlir").read_text()
    assert "dfc.transpose" not in folded and "dfc.shape_of" not in folded and "dfc.identity" not in folded
    seven = (ROOT / GOLDEN / "constants" / "08-fuse.mlir").read_text()
    assert "dense<7.0>" in seven and "dfc.add" not in seven
    partial = (ROOT / GOLDEN / "partial_execution" / "01-prune.mlir").read_text()
    assert "^bb0(%hidden: tensor<4x6xf32>)" in partial and "W1" not in partial and "other" not in partial
    mlp = (ROOT / GOLDEN / "mlp_training_step" / "03-autodiff.mlir").read_text()
    assert "dfc.grad" not in mlp and mlp.count("dfc.assign_sub") == 4


@pytest.mark.parametrize("case,stage", [(c, s) for c in sorted(CASES) for s in ("llvm", "asm")
                                        if (ROOT / GOLDEN / c / f"{s}.check").exists()])
def test_backend_stages_match_filecheck_patterns(case, stage, tmp_path):
    stages = {s.name: s for s in compile_case(case).stages}
    if stage not in stages:
        pytest.fail(f"{case}: the CPU backend produced no '{stage}' stage (see the warning above)")
    produced = tmp_path / f"{case}.{stages[stage].suffix}"
    produced.write_text(stages[stage].text)
    check = ROOT / GOLDEN / case / f"{stage}.check"
    proc = subprocess.run([sys.executable, "-m", "filecheck", str(check), "--input-file", str(produced)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{check} does not match the {stage} stage:\n{proc.stdout}{proc.stderr}"
