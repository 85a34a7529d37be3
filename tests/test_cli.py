"""The `dfc` command line: compile IR files and script steps, show or dump any stage, report errors in one line."""

from __future__ import annotations

import io
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

import dfc as tf
from dfc.compiler.pipeline import DUMP_ENV
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph
from dfc.ir.verifier import verify
from dfc.tools import cli

ROOT = pathlib.Path(__file__).resolve().parent.parent
DFC = pathlib.Path(sys.executable).parent / "dfc"

STEP = """\
"dfc.graph"() ({
^bb0(%x: tensor<2x3xf32>):
  %c = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
  %one = "dfc.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %m = "dfc.mul"(%x, %c) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %k = "dfc.mul"(%m, %one) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %r = "dfc.relu"(%k) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  "dfc.fetch"(%r) : (tensor<2x3xf32>) -> ()
}) {sym_name = "main"} : () -> ()
"""

SCRIPT = """\
import sys
import numpy as np
import dfc as tf

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2
x = tf.placeholder(tf.float32, (None, 3), name="x")
y = tf.nn.relu(x * 2.0 + 1.0)
s = tf.reduce_sum(y, axis=1)
sess = tf.Session()
print("first run:", sess.run(y, {x: np.ones((rows, 3))}).shape)
print("second run:", sess.run(s, {x: np.ones((rows, 3))}))
"""


@pytest.fixture
def runner() -> CliRunner:
    tf.reset_default_graph()
    return CliRunner()


@pytest.fixture
def step_file(tmp_path) -> pathlib.Path:
    path = tmp_path / "step.mlir"
    path.write_text(STEP)
    return path


@pytest.fixture
def script(tmp_path) -> pathlib.Path:
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return path


def invoke(runner: CliRunner, *args: str, code: int = 0):
    result = runner.invoke(cli.app, [str(a) for a in args])
    assert result.exit_code == code, f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


# ---- IR files ----------------------------------------------------------------------------------
def test_compile_ir_file_runs_the_default_pipeline(runner, step_file):
    out = invoke(runner, "compile", step_file).stdout
    graph = parse_graph(out)
    verify(graph)
    assert [op.type for op in graph.ops] == ["dfc.fused", "dfc.fetch"]
    assert "%one" not in out  # x * 1 went away before fusion


def test_compile_ir_file_with_chosen_passes_stage_and_timing(runner, step_file):
    result = invoke(runner, "compile", step_file, "--passes", "simplify,dce", "--verify-each", "--timing",
                    "--stage", "simplify")
    assert '"dfc.mul"(%m, %one)' not in result.stdout and '"dfc.constant"() {value = dense<1.0>' in result.stdout
    assert "simplify" in result.stderr and "dce" in result.stderr and "Total" in result.stderr
    assert "fuse" not in result.stderr


def test_bad_ir_file_is_one_line_on_stderr(tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_text(STEP.replace('"dfc.relu"(%k)', '"dfc.relu"(%nope)'))
    proc = subprocess.run([str(DFC), "compile", str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"{bad}:7:") and ": error: " in lines[0] and "nope" in lines[0]


def test_ir_that_does_not_verify_is_one_line_too(runner, tmp_path):
    bad = tmp_path / "types.mlir"
    relu = '%r = "dfc.relu"(%k) : (tensor<2x3xf32>) -> tensor<2x3xf32>'
    bad.write_text(STEP.replace(relu, relu.replace("-> tensor<2x3xf32>", "-> tensor<2x3xf64>")).replace(
        '"dfc.fetch"(%r) : (tensor<2x3xf32>)', '"dfc.fetch"(%r) : (tensor<2x3xf64>)'))
    result = invoke(runner, "compile", bad, code=1)
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"{bad}: error: ") and "'r'" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["--passes", "fold,nope"], "unknown pass 'nope'"),
    (["--stage", "nope"], "unknown stage 'nope'"),
    (["--stage", "prune"], "no stage 'prune'"),
    (["--target", "tpu"], "unknown target 'tpu'"),
    (["--emit", "png"], "--emit takes mlir or dot"),
])
def test_bad_options_are_one_line_errors(runner, step_file, args, message):
    result = invoke(runner, "compile", step_file, *args, code=1)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_whole_graph_ir_needs_fetch(runner, tmp_path):
    build = tmp_path / "build.mlir"
    build.write_text((ROOT / "tests/golden/partial_execution/00-build.mlir").read_text())
    assert "--fetch" in invoke(runner, "compile", build, code=1).stderr
    out = invoke(runner, "compile", build, "--fetch", "other", "--stage", "prune").stdout
    graph = parse_graph(out)
    assert graph.ops[-2].type == "dfc.reduce_sum" and [a.arg_name for a in graph.arguments] == ["x"]


def test_run_ir_file(runner, step_file, tmp_path):
    import numpy as np
    np.save(tmp_path / "x.npy", np.array([[-1, 0, 1], [2, 3, 4]], np.float32))
    out = invoke(runner, "run", step_file, "--input", f"x={tmp_path / 'x.npy'}").stdout
    assert out.startswith("#0: float32[2, 3]") and "6." in out
    assert "no argument named y" in invoke(runner, "run", step_file, "--input", f"y={tmp_path / 'x.npy'}",
                                           code=1).stderr


# ---- scripts -----------------------------------------------------------------------------------
def test_compile_script_takes_the_first_run_and_stops(runner, script):
    result = invoke(runner, "compile", script)
    graph = parse_graph(result.stdout)
    assert graph.arguments[0].type.shape == (2, 3) and graph.ops[0].attrs["kind"] == "elementwise"
    assert "first run" not in result.stdout + result.stderr  # the captured run never ran


def test_compile_script_nth_run_with_its_arguments(runner, script):
    result = invoke(runner, "compile", script, "--run", "2", "--stage", "specialize", "5")
    assert "first run: (5, 3)" in result.stderr  # the script's prints go to stderr, not into the IR
    graph = parse_graph(result.stdout)
    assert graph.arguments[0].type.shape == (5, 3) and graph.ops[-2].type == "dfc.reduce_sum"


def test_script_with_too_few_runs(runner, script):
    result = invoke(runner, "compile", script, "--run", "3", code=1)
    assert "made 2 Session.run call(s); --run 3 needs 3" in result.stderr


def test_script_that_fails_is_one_line(runner, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import dfc as tf\nx = tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])\n")
    result = invoke(runner, "compile", broken, code=1)
    assert result.stderr.startswith(f"{broken}: error: the script raised ShapeError")
    assert len(result.stderr.strip().splitlines()) == 1


def test_dump_dir_has_every_stage_numbered(runner, script, tmp_path):
    out = tmp_path / "dump"
    result = invoke(runner, "compile", script, "--run", "2", "--dump-dir", out)
    names = sorted(p.name for p in out.iterdir())
    ir = [n for n in names if n.endswith(".mlir")]
    assert ir[:3] == ["00-build.mlir", "01-prune.mlir", "02-specialize.mlir"]
    assert [n.split("-", 1)[1] for n in ir][3:] == [f"{s}.mlir" for s in cli.default_pipeline()] + \
        (["plan.mlir"] if "plan" in cli.PASSES else [])
    assert [int(n[:2]) for n in names] == list(range(len(names)))
    for name in ir:
        text = "".join(line + "\n" for line in (out / name).read_text().splitlines() if not line.startswith("//"))
        verify(parse_graph(text, name))
    if any(n.endswith(".ll") for n in names):
        assert names[-2].endswith("-llvm.ll") and names[-1].endswith("-asm.s")
    assert result.stdout == "" and f"stage files to {out}" in result.stderr
    shown = invoke(runner, "compile", script, "--run", "2", "--dump-dir", tmp_path / "again", "--emit", "dot").stdout
    assert shown.startswith('digraph "fuse"')  # asked for output besides the files: the last pass's stage


def test_backend_stage_on_request(runner, step_file):
    try:
        from dfc.compiler.codegen.cpu import emit_llvm  # noqa: F401
    except ImportError:
        result = invoke(runner, "compile", step_file, "--stage", "llvm", code=1)
        assert "dfc.compiler.codegen.cpu.emit_llvm" in result.stderr
        return
    assert "define i32 @dfc_main" in invoke(runner, "compile", step_file, "--stage", "llvm").stdout
    assert "draws IR stages" in invoke(runner, "compile", step_file, "--stage", "llvm", "--emit", "dot",
                                       code=1).stderr
    plan = invoke(runner, "compile", step_file, "--stage", "plan").stdout
    verify(parse_graph(plan))  # the plan's report is comments: the stage is still IR


def test_dfc_dump_dir_dumps_every_compiled_step_of_a_real_run(script, tmp_path):
    out = tmp_path / "dumps"
    env = dict(os.environ, **{DUMP_ENV: str(out)})
    for _ in range(2):
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
    steps = sorted(p.name for p in out.iterdir())
    assert steps == ["step-000", "step-001", "step-002", "step-003"]  # the second process goes on numbering
    for step in steps:
        files = sorted(p.name for p in (out / step).iterdir())
        assert files[0] == "00-build.mlir" and any(f.endswith("-fuse.mlir") for f in files)
        assert any(f.endswith("-llvm.ll") for f in files) and any(f.endswith("-asm.s") for f in files)
        for name in files:
            if name.endswith(".mlir"):
                text = (out / step / name).read_text()
                clean = "".join(line + "\n" for line in text.splitlines() if not line.startswith("//"))
                verify(parse_graph(clean, name))
    assert "dfc.reduce_sum" in (out / "step-001" / "01-prune.mlir").read_text()


def test_backend_adds_its_stages_to_the_step_dump(monkeypatch, tmp_path):
    from dfc.compiler import compile_step
    from dfc.compiler.pipeline import dump_artifact

    monkeypatch.setenv(DUMP_ENV, str(tmp_path))
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, (2,), name="x")
        y = tf.exp(x) * 2.0
    step = compile_step(graph, [y._dfc_ir()], feeds=[x._dfc_ir()], feed_shapes=[(2,)])
    path = dump_artifact(step, "llvm", "; module\n", "ll")
    files = sorted(p.name for p in (tmp_path / "step-000").iterdir())
    assert path is not None and files[-1] == path.name and path.name.endswith("-llvm.ll")
    assert files[0] == "00-build.mlir" and path.read_text() == "; module\n"
    monkeypatch.delenv(DUMP_ENV)
    assert dump_artifact(compile_step(graph, [y._dfc_ir()], feeds=[x._dfc_ir()]), "llvm", "", "ll") is None


# ---- output forms ------------------------------------------------------------------------------
def test_emit_dot(runner, script, tmp_path):
    out = invoke(runner, "compile", script, "--emit", "dot").stdout
    assert out.startswith('digraph "fuse" {') and "subgraph cluster_" in out and out.rstrip().endswith("}")
    dot_file = tmp_path / "g.dot"
    invoke(runner, "compile", script, "--emit", "dot", "--stage", "prune", "-o", dot_file)
    assert "relu" in dot_file.read_text().lower() and "cluster" not in dot_file.read_text()
    svg = tmp_path / "g.svg"
    if shutil.which("dot") is None:
        result = invoke(runner, "compile", script, "--emit", "dot", "-o", svg, code=1)
        assert "Graphviz" in result.stderr and not svg.exists()
    else:
        invoke(runner, "compile", script, "--emit", "dot", "-o", svg)
        assert "<svg" in svg.read_text()


def test_terminal_output_is_highlighted(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    cli.show(STEP, "mlir", None)
    assert "\x1b[" in screen.getvalue() and "dfc.relu" in screen.getvalue()


def test_plain_output_when_piped(runner, step_file):
    out = invoke(runner, "compile", step_file, "--stage", "input").stdout
    assert "\x1b[" not in out and out == print_graph(parse_graph(STEP, str(step_file)))
    assert invoke(runner, "compile", step_file, "--stage", "build").stdout == out


def test_python_dash_m_entry_point(step_file):
    proc = subprocess.run([sys.executable, "-m", "dfc.tools", "compile", str(step_file), "--stage", "fold"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert textwrap.dedent(proc.stdout).startswith('"dfc.graph"() ({')


def test_capturing_a_step_patches_nothing_and_sees_cached_steps(runner, tmp_path):
    """--run N observes Session.run through the runtime's step observer: the class stays as it is, and the
    N-th call is captured even when it repeats a step the session compiled before (its cache would answer)."""
    path = tmp_path / "repeat.py"
    path.write_text(textwrap.dedent("""
        import dfc as tf
        from dfc.runtime.session import Session
        run = Session.run
        x = tf.placeholder(tf.float32, [3], name="x")
        y = tf.exp(x, name="y")
        sess = tf.Session()
        for _ in range(2):
            sess.run(y, {x: [1.0, 2.0, 3.0]})
            assert Session.run is run, "Session.run was replaced"
    """))
    result = invoke(runner, "compile", str(path), "--run", "2", "--stage", "prune")
    assert '"dfc.exp"' in result.stdout and "sym_name" in result.stdout
