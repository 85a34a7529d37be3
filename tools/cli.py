"""The `dfc` command line: compile an IR file, or one step of a training script, and show any stage.

    dfc compile model.mlir --passes fold,cse --verify-each --timing   # + each rewrite pattern's hits
    dfc compile train.py --run 2 --stage fuse          # the 2nd Session.run of the script
    dfc compile train.py --dump-dir out/               # 00-build.mlir, 01-prune.mlir, ... NN-asm.s
    dfc compile train.py --emit dot -o step.svg        # Graphviz, rendered when `dot` is installed
    dfc run model.mlir --input x=batch.npy             # run an IR file on the reference interpreter
    dfc exec train.py --epochs 2                        # an unchanged TF1 script (`import tensorflow as tf`)

A script runs (with runpy, its own sys.argv) until its N-th `Session.run`; that run's
step is compiled instead of executed, and the script stops there. Problems are one line
on stderr (`file:line:col: error: ...` for IR) and a non-zero exit status.
"""

from __future__ import annotations

import contextlib
import pathlib
import runpy
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from collections.abc import Iterator
from typing import Annotated, Any

import numpy as np
import typer
from pygments.lexer import RegexLexer, bygroups
from pygments.token import Comment, Keyword, Name, Number, Punctuation, String, Text, Whitespace

from dfc.compiler import PASSES, PassManager, compile_step, default_pipeline
from dfc.compiler.passes import PASS_NEEDS, split_result
from dfc.compiler.pipeline import ALL_STAGES, StageDumper
from dfc.compiler.prune import needed_ops
from dfc.ir.errors import DfcError, ParseError, VerificationError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.interpreter import interpret
from dfc.ir.parser import parse_graph
from dfc.ir.pattern import RewriteStats, collect_statistics
from dfc.ir.printer import print_graph
from dfc.ir.verifier import verify
from dfc import tensorflow_alias

from .dot import graph_to_dot

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="dfc, a dataflow-graph compiler: compile and inspect step graphs.")

#: the --target names: the host CPU, and NVIDIA GPUs through PTX (cuda is cuda:sm_80, whose PTX runs on later GPUs)
TARGETS = ("cpu", "cuda", "cuda:sm_80", "cuda:sm_90")
#: file suffix of each stage's text; stages not listed are IR
SUFFIXES = {"llvm": "ll", "asm": "s", "ptx": "ptx"}
#: render formats `dot` knows, by output suffix
RENDERED = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


class CliError(Exception):
    """A problem to report as one line (the message is already `file: error: ...` shaped when it can be)."""


@dataclass
class Stage:
    name: str
    text: str

    @property
    def suffix(self) -> str:
        return SUFFIXES.get(self.name, "mlir")


@dataclass
class Compilation:
    """Every stage one compile produced, in order, with the time each took."""

    stages: list[Stage] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)
    final: Graph | None = None
    rewrites: list[RewriteStats] = field(default_factory=list)  # each rewrite-driver run: pattern hits

    def record(self, name: str, graph: Graph) -> None:
        # printed now: later passes change the graph in place
        self.stages.append(Stage(name, print_graph(graph)))

    def get(self, name: str) -> Stage:
        for stage in reversed(self.stages):
            if stage.name == name or (name == "build" and stage.name == "input"):  # an IR file is its own build
                return stage
        raise CliError(f"error: no stage '{name}' in this compile (its stages: "
                       f"{', '.join(s.name for s in self.stages)})")


# ---- compiling an IR file ----------------------------------------------------------------------
def read_text(path: pathlib.Path) -> str:
    """A UTF-8 file's text (a leading byte-order mark dropped); anything else is a one-line CliError."""
    if path.is_dir():
        raise CliError(f"{path}: error: is a directory; give a file")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CliError(f"{path}: error: cannot read: {e.strerror or e}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CliError(f"{path}: error: not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})") from None


def load_ir(path: pathlib.Path) -> Graph:
    """Parse and verify an IR file; errors become one-line CliErrors."""
    text = read_text(path)
    try:
        graph = parse_graph(text, str(path))
    except ParseError as e:
        raise CliError(str(e).splitlines()[0]) from None
    try:
        verify(graph)
    except VerificationError as e:
        raise CliError(f"{path}: error: {_one_line(e)}") from None
    return graph


def compile_ir(path: pathlib.Path, passes: list[str], verify_each: bool, fetch: list[str]) -> Compilation:
    graph = load_ir(path)
    result = Compilation()
    terminator = graph.body.terminator
    if terminator is not None and terminator.type == "dfc.fetch":
        if fetch:
            raise CliError(f"{path}: error: --fetch is for whole graphs; this is a step graph (it ends in dfc.fetch)")
        result.record("input", graph)
        manager = PassManager(passes, verify_each=verify_each, on_stage=result.record)
        result.final = manager.run(graph)
        result.timings = list(manager.timings)
        return result
    if not fetch:
        raise CliError(f"{path}: error: the graph has no dfc.fetch; name what to compute with --fetch NAME[,NAME]")
    values, targets = resolve_fetches(graph, fetch, path)
    # the placeholders the fetches need become the step's arguments, as if fed with arrays of their types
    needed = needed_ops(graph, values, targets, set())
    feeds = [op.results[0] for op in graph.ops if op in needed and op.type == "dfc.placeholder"]
    result.final = compile_step(graph, values, targets, feeds, pipeline=passes, on_stage=result.record,
                                verify_each=verify_each, timings=result.timings)
    return result


def resolve_fetches(graph: Graph, names: list[str], path: pathlib.Path) -> tuple[list[Value], list[Op]]:
    values: list[Value] = []
    targets: list[Op] = []
    for name in names:
        op_name, _, index = name.partition(":")
        try:
            op = graph.op_by_name(op_name)
        except KeyError:
            raise CliError(f"{path}: error: --fetch {name}: the graph has no op named '{op_name}'") from None
        if index:
            outputs = [r for r in op.results if not r.is_control]
            if not index.isdigit() or int(index) >= len(outputs):
                raise CliError(f"{path}: error: --fetch {name}: op '{op_name}' has {len(outputs)} result(s); "
                               f"write NAME or NAME:INDEX with INDEX in [0, {len(outputs)})")
            values.append(outputs[int(index)])
        elif op.results and not op.results[0].is_control:
            values.extend(op.results)
        else:
            targets.append(op)
    return values, targets


# ---- compiling one step of a script ------------------------------------------------------------
class _Captured(BaseException):
    """Raised inside the script's N-th Session.run to stop it (BaseException: `except Exception` lets it by)."""

    def __init__(self, step_args: dict[str, Any]):
        super().__init__("captured")
        self.step_args = step_args


@contextlib.contextmanager
def intercept_session_run(n: int) -> Iterator[list[int]]:
    """Let Session.run work normally until its n-th call, which raises _Captured with compile_step's arguments.

    Goes through the runtime's step observer (a context variable Session.run reads), so no class is patched
    and a step the session compiled before is captured all the same.
    """
    from dfc.runtime.session import StepRequest, observing_steps

    calls = [0]

    def observe(request: StepRequest) -> None:
        calls[0] += 1
        if calls[0] == n:
            raise _Captured({"graph": request.graph, "fetches": request.fetches, "targets": request.targets,
                             "feeds": request.feeds, "feed_shapes": request.feed_shapes})

    with observing_steps(observe):
        yield calls


def capture_script_step(path: pathlib.Path, argv: list[str], n: int) -> dict[str, Any]:
    """Run the script until its n-th Session.run and return that run's compile_step arguments."""
    from dfc.graph import reset_default_graph

    if path.is_dir():
        raise CliError(f"{path}: error: is a directory; give a Python script or an IR file (.mlir)")
    if not path.is_file():
        raise CliError(f"{path}: error: no such file")
    read_text(path)  # a script that is not UTF-8 is reported here, in one line
    reset_default_graph()
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [str(path), *argv]
    sys.path.insert(0, str(path.resolve().parent))
    try:
        # the script's own prints go to stderr, so stdout holds only the IR
        with intercept_session_run(n) as calls, contextlib.redirect_stdout(sys.stderr), tensorflow_alias.installed():
            runpy.run_path(str(path), run_name="__main__")  # `import tensorflow as tf` scripts compile unchanged
    except _Captured as captured:
        return captured.step_args
    except SystemExit as e:
        if e.code not in (None, 0):
            raise CliError(f"{path}: error: the script exited with status {e.code} before Session.run #{n}") from None
    except Exception as e:  # noqa: BLE001 - the user's script failed: say how, in one line
        raise CliError(f"{path}: error: the script raised {type(e).__name__}: {_one_line(e)}") from None
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
    raise CliError(f"{path}: error: the script made {calls[0]} Session.run call(s); --run {n} needs {n}")


def compile_script(path: pathlib.Path, argv: list[str], n: int, passes: list[str],
                   verify_each: bool) -> Compilation:
    step = capture_script_step(path, argv, n)
    result = Compilation()
    with collect_statistics() as result.rewrites:  # this step's passes only, not those of the script's earlier runs
        result.final = compile_step(step["graph"], step["fetches"], step["targets"], step["feeds"],
                                    step["feed_shapes"], pipeline=passes, on_stage=result.record,
                                    verify_each=verify_each, timings=result.timings)
    return result


# ---- the backend's stages ----------------------------------------------------------------------
def gpu_stages(result: Compilation, wanted: set[str], target: str) -> None:
    """Add llvm, asm and ptx (those in `wanted`) from the GPU backend: asm is PTX, as ptx is."""
    graph = result.final
    if graph is None:
        return
    from dfc.compiler.codegen import gpu  # noqa: PLC0415

    arch = target.partition(":")[2] or "sm_80"
    for stage in ("llvm", "asm", "ptx"):
        if stage not in wanted:
            continue
        start = time.perf_counter()
        try:
            text = gpu.emit_llvm(graph, arch) if stage == "llvm" else gpu.emit_ptx(graph, arch)
        except Exception as e:  # noqa: BLE001 - the backend cannot lower this step: report, do not crash
            raise CliError(f"error: the GPU backend cannot emit '{stage}' for this step: {type(e).__name__}: "
                           f"{_one_line(e)}") from None
        result.timings.append((stage, time.perf_counter() - start))
        result.stages.append(Stage(stage, text))


def backend_stages(result: Compilation, wanted: set[str], strict: bool) -> None:
    """Add plan, llvm and asm (those in `wanted`) from the CPU backend, when it is there.

    With `strict`, a missing backend piece is an error; otherwise the stage is left out.
    """
    graph = result.final
    if graph is None or not wanted:
        return
    if "plan" in wanted:
        if "plan" not in PASSES:
            _missing(strict, "the 'plan' pass is not registered (dfc.compiler.plan is not part of this build)")
        else:
            start = time.perf_counter()
            graph, analysis = split_result(PASSES["plan"](graph))
            result.timings.append(("plan", time.perf_counter() - start))
            text = print_graph(graph)
            report = getattr(analysis, "report", None)
            if callable(report):
                # the plan as comments: the stage still parses as IR
                text += "".join(f"// {line}\n" for line in report().splitlines())
            result.stages.append(Stage("plan", text))
    for stage, fn_name in (("llvm", "emit_llvm"), ("asm", "emit_asm")):
        if stage not in wanted:
            continue
        try:
            from dfc.compiler.codegen import cpu as codegen
            emit = getattr(codegen, fn_name)
        except (ImportError, AttributeError):
            _missing(strict, f"the '{stage}' stage needs dfc.compiler.codegen.cpu.{fn_name}, which this build lacks")
            continue
        start = time.perf_counter()
        try:
            text = emit(graph)
        except Exception as e:  # noqa: BLE001 - the backend cannot lower this step: report, do not crash
            _missing(strict, f"the CPU backend cannot emit '{stage}' for this step: {type(e).__name__}: "
                             f"{_one_line(e)}")
            continue
        result.timings.append((stage, time.perf_counter() - start))
        result.stages.append(Stage(stage, text))


def _missing(strict: bool, message: str) -> None:
    if strict:
        raise CliError(f"error: {message}")
    typer.echo(f"warning: {message}", err=True)


# ---- output ------------------------------------------------------------------------------------
class MlirLexer(RegexLexer):
    """Our IR's text form (MLIR generic syntax), for syntax highlighting on a terminal."""

    name = "MLIR"
    aliases = ["mlir"]
    tokens = {"root": [
        (r"//[^\n]*", Comment.Single),
        (r'(")(dfc\.[A-Za-z_]+)(")', bygroups(Punctuation, Name.Function, Punctuation)),
        (r'"(\\.|[^"\\])*"', String),
        (r"%[A-Za-z0-9_.$#-]+", Name.Variable),
        (r"\^[A-Za-z0-9_.$-]+", Name.Label),
        (r"!dfc\.control|\b(tensor|dense)\b", Keyword.Type),
        (r"\b(bf16|f16|f32|f64|i1|i8|i32|i64)\b", Keyword.Type),
        (r"\b(true|false|unknown|loc)\b", Keyword.Constant),
        (r"-?0x[0-9A-Fa-f]+|-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?", Number),
        (r"[A-Za-z_][A-Za-z0-9_.$]*", Name.Attribute),
        (r"->|[=:(),{}\[\]<>?]", Punctuation),
        (r"\s+", Whitespace),
        (r".", Text),
    ]}


LEXERS = {"mlir": MlirLexer, "ll": "llvm", "s": "gas", "dot": "dot"}


def show(text: str, kind: str, output: pathlib.Path | None) -> None:
    """Write `text` to `output`, or to stdout (highlighted when stdout is a terminal)."""
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
        return
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.syntax import Syntax
        lexer = LEXERS.get(kind, "text")
        Console().print(Syntax(text, lexer() if isinstance(lexer, type) else lexer, word_wrap=False))
    else:
        sys.stdout.write(text)


def render_dot(text: str, output: pathlib.Path) -> None:
    fmt = RENDERED[output.suffix.lower()]
    dot = shutil.which("dot")
    if dot is None:
        raise CliError(f"error: rendering {output.name} needs Graphviz's `dot`, which is not installed "
                       f"(write {output.with_suffix('.dot').name} instead)")
    output.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([dot, f"-T{fmt}", "-o", str(output)], input=text, text=True, capture_output=True)
    if proc.returncode != 0:
        raise CliError(f"error: dot failed: {_one_line(proc.stderr.strip() or proc.returncode)}")


def timing_report(timings: list[tuple[str, float]]) -> str:
    """mlir-opt --mlir-timing style: each stage's wall time and share of the total."""
    total = sum(t for _, t in timings) or 1e-12
    lines = ["===" + "-" * 60 + "===", "  ... Stage execution timing report ...", "===" + "-" * 60 + "===",
             f"  Total Execution Time: {total:.4f} seconds", "", "  ----Wall Time----  ----Name----"]
    lines += [f"  {t:9.4f} ({t / total:6.1%})  {name}" for name, t in timings]
    lines.append(f"  {total:9.4f} (100.0%)  Total")
    return "\n".join(lines) + "\n"


def _one_line(e: object) -> str:
    return " ".join(str(e).split())


def _split_list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


# ---- commands ----------------------------------------------------------------------------------
@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def compile(
    ctx: typer.Context,
    input: Annotated[pathlib.Path, typer.Argument(help="an IR file (.mlir) or a Python script")],
    stage: Annotated[str | None, typer.Option(help=f"the stage to print: {', '.join(ALL_STAGES)}")] = None,
    dump_dir: Annotated[pathlib.Path | None, typer.Option(help="write every stage here, numbered")] = None,
    passes: Annotated[str | None, typer.Option(help="comma-separated passes instead of the default")] = None,
    verify_each: Annotated[bool, typer.Option(help="verify the IR after every pass")] = False,
    timing: Annotated[bool, typer.Option(help="print each stage's time and rewrite pattern hits to stderr")] = False,
    target: Annotated[str, typer.Option(help="the target of the llvm, asm and ptx stages: cpu, cuda "
                                                 "(cuda:sm_80) or cuda:sm_90")] = "cpu",
    emit: Annotated[str, typer.Option(help="mlir (the stage's text) or dot (Graphviz)")] = "mlir",
    output: Annotated[pathlib.Path | None, typer.Option("-o", "--output", help="write here, not to stdout")] = None,
    run: Annotated[int, typer.Option(min=1, help="compile the script's N-th Session.run")] = 1,
    fetch: Annotated[str | None, typer.Option(help="for a whole-graph IR file: the ops to compute")] = None,
) -> None:
    """Compile an IR file, or the N-th Session.run of a script (extra arguments go to the script)."""
    try:
        _compile(input, stage, dump_dir, passes, verify_each, timing, target, emit, output, run, fetch, ctx.args)
    except CliError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from None
    except DfcError as e:
        typer.echo(f"{input}: error: {_one_line(e)}", err=True)
        raise typer.Exit(1) from None
    except OSError as e:  # an unwritable -o or --dump-dir, a full disk
        typer.echo(f"{e.filename or input}: error: cannot write: {e.strerror or _one_line(e)}", err=True)
        raise typer.Exit(1) from None
    except Exception as e:  # noqa: BLE001 - never a traceback: a bug of dfc's, said in one line
        internal_error(e)


#: the exit status of a failure that is dfc's bug, not the user's input (the fuzzers look for it)
INTERNAL_ERROR_STATUS = 70


def internal_error(e: Exception) -> None:
    typer.echo(f"dfc: internal error: {type(e).__name__}: {_one_line(e)} (please report this as a bug)", err=True)
    raise typer.Exit(INTERNAL_ERROR_STATUS) from None


def _compile(path: pathlib.Path, stage: str | None, dump_dir: pathlib.Path | None, passes_text: str | None,
             verify_each: bool, timing: bool, target: str, emit: str, output: pathlib.Path | None, run: int,
             fetch: str | None, script_args: list[str]) -> None:
    if target not in TARGETS:
        raise CliError(f"error: unknown target '{target}' (known: {', '.join(TARGETS)})")
    if emit not in ("mlir", "dot"):
        raise CliError(f"error: --emit takes mlir or dot, not '{emit}'")
    passes = default_pipeline() if passes_text is None else _split_list(passes_text)
    unknown = [p for p in passes if p not in PASSES]
    needy = [p for p in passes if PASS_NEEDS.get(p)]
    if needy and not unknown:
        raise CliError(f"error: pass '{needy[0]}' runs per step with options ({', '.join(PASS_NEEDS[needy[0]])}); "
                       f"compile a script (it prunes and specializes each step) or list other passes")
    if unknown:
        raise CliError(f"error: unknown pass '{unknown[0]}' (known: {', '.join(sorted(PASSES))})")
    known_stages = set(ALL_STAGES) | set(PASSES) | {"input", "partition", "ptx"}
    if stage == "ptx" and not target.startswith("cuda"):
        raise CliError("error: the 'ptx' stage needs --target cuda")
    if stage is not None and stage not in known_stages:
        raise CliError(f"error: unknown stage '{stage}' (stages: {', '.join(ALL_STAGES)}, partition)")
    is_ir = path.suffix in (".mlir", ".ir")
    if is_ir and script_args:
        raise CliError(f"error: unexpected arguments for an IR file: {' '.join(script_args)}")
    if is_ir:
        with collect_statistics() as rewrites:
            result = compile_ir(path, passes, verify_each, _split_list(fetch))
        result.rewrites = rewrites
    else:
        result = compile_script(path, script_args, run, passes, verify_each)

    if stage == "partition":
        result.stages.append(partition_stage(result, gpu=target.startswith("cuda")))
    backend = {s for s in ("plan", "llvm", "asm", "ptx") if s == stage}
    if dump_dir is not None:
        backend = {"plan", "llvm", "asm"} | ({"ptx"} if target.startswith("cuda") else set())
    if target.startswith("cuda"):
        backend_stages(result, backend & {"plan"}, strict=stage == "plan")
        gpu_stages(result, backend - {"plan"}, target)
    else:
        backend_stages(result, backend, strict=stage in ("plan", "llvm", "asm"))

    if dump_dir is not None:
        dumper = StageDumper(dump_dir)
        for s in result.stages:
            dumper.write(s.name, s.text, s.suffix)
        typer.echo(f"wrote {len(dumper.files)} stage files to {dump_dir}", err=True)
    if timing:
        typer.echo(timing_report(result.timings), err=True, nl=False)
        typer.echo("".join(f"{r.report()}\n" for r in result.rewrites), err=True, nl=False)
    if dump_dir is not None and stage is None and emit == "mlir" and output is None:
        return  # the files are the output
    chosen = result.get(stage) if stage is not None else _last_ir_stage(result)
    if emit == "dot":
        if chosen.suffix != "mlir":
            raise CliError(f"error: --emit dot draws IR stages; '{chosen.name}' is {chosen.suffix} text")
        dot = graph_to_dot(parse_graph(chosen.text, f"<{chosen.name}>"), chosen.name)
        if output is not None and output.suffix.lower() in RENDERED:
            render_dot(dot, output)
        else:
            show(dot, "dot", output)
        return
    show(chosen.text, chosen.suffix, output)


def partition_stage(result: Compilation, gpu: bool = False) -> Stage:
    """Each task's part of the step after autodiff, with its dfc.send/dfc.recv ops, one module per task.

    With `gpu` (`--target cuda`), a local step is placed as a Session places it on a machine with one GPU
    (runtime/gpu_placement.py: pins kept, unpinned ops with a GPU kernel on /gpu:0), so the host<->device
    copies show without a GPU.
    """
    from dfc.compiler.partition import device_key, gpu_pinned_ops, partition, task_key, variable_devices
    from dfc.runtime.distribute.cluster import jobs_from_devices

    source = next((s for s in reversed(result.stages) if s.name in ("autodiff", "specialize", "prune", "input")),
                  None)
    if source is None:
        raise CliError("error: the partition stage needs the step graph after autodiff; this compile has none")
    step = parse_graph(source.text, f"<{source.name}>")
    devices = {op.device for op in step.ops if op.device and "/job:" in op.device}
    default = jobs_from_devices(devices).default_task() if devices else "/job:localhost/replica:0/task:0"
    build = next((s for s in result.stages if s.name in ("build", "input")), source)
    homes = variable_devices(parse_graph(build.text, "<build>"))  # variables the step updates but never reads
    if gpu and not devices:
        from dfc.runtime.gpu_placement import choose_devices

        for op, device in choose_devices(step, 1).items():
            op.device = f"{default}{device}"
        homes = {**homes, **variable_devices(step)}  # variables live where their ops were placed, as at run time
    try:
        # a local step with ops pinned to a GPU splits by device: the send/recv pairs are the host<->device copies
        # (a cluster's step splits by task, as its tasks run it)
        key = device_key(default) if gpu_pinned_ops(step.ops) and not devices else task_key(default)
        part = partition(step, key, homes)
    except DfcError as e:
        raise CliError(f"error: cannot partition the step: {_one_line(e)}") from None
    chunks = [f"// part {name} ({sum(op.type not in ('dfc.send', 'dfc.recv', 'dfc.fetch') for op in g.ops)} ops; "
              f"ops that name no job run on {default})\n{print_graph(g)}" for name, g in part.parts.items()]
    return Stage("partition", "\n".join(chunks))


def _last_ir_stage(result: Compilation) -> Stage:
    """The last stage of the pass pipeline (the backend's stages are shown only when asked for)."""
    return next(s for s in reversed(result.stages) if s.name not in ("plan", "llvm", "asm"))


@app.command("run")
def run_ir(
    input: Annotated[pathlib.Path, typer.Argument(help="a step graph in IR text (.mlir)")],
    inputs: Annotated[list[str] | None, typer.Option("--input", "-i", help="NAME=FILE.npy (else random)")] = None,
    seed: Annotated[int, typer.Option(help="seed of the random values of arguments not given")] = 0,
) -> None:
    """Run a step graph on the reference interpreter and print what it fetches."""
    try:
        graph = load_ir(input)
        given = {}
        for item in inputs or []:
            name, sep, file = item.partition("=")
            if not sep:
                raise CliError(f"error: --input takes NAME=FILE.npy, not '{item}'")
            given[name] = np.load(file)
        rng = np.random.default_rng(seed)
        args = []
        for arg in graph.arguments:
            name = arg.arg_name or f"arg{arg.index}"
            if name in given:
                args.append(np.asarray(given.pop(name), arg.type.dtype.np))
            elif not arg.type.is_static:
                raise CliError(f"{input}: error: argument %{name} has type {arg.type}: give it with --input")
            else:
                args.append(rng.standard_normal(arg.type.shape).astype(arg.type.dtype.np))
        if given:
            raise CliError(f"{input}: error: the graph has no argument named {', '.join(sorted(given))}")
        with np.printoptions(threshold=20, edgeitems=3):
            for i, value in enumerate(interpret(graph, args)):
                value = np.asarray(value)
                typer.echo(f"#{i}: {value.dtype}{list(value.shape)} {value}")
    except CliError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from None
    except (DfcError, OSError, ValueError, EOFError) as e:  # EOFError: np.load of an empty file
        typer.echo(f"{input}: error: {_one_line(e)}", err=True)
        raise typer.Exit(1) from None
    except Exception as e:  # noqa: BLE001 - never a traceback
        internal_error(e)


@app.command("exec", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def exec_script(
    ctx: typer.Context,
    script: Annotated[pathlib.Path, typer.Argument(help="a TensorFlow 1 script, unchanged (extra arguments go to it)")],
) -> None:
    """Run an unchanged TensorFlow 1 script with its `tensorflow` imports served by dfc."""
    from dfc.tensorflow_alias import run_script

    if not script.is_file():
        typer.echo(f"{script}: error: no such script", err=True)
        raise typer.Exit(2)
    try:
        run_script(script, list(ctx.args))
    except SystemExit as e:  # the script's own exit status, as `python script.py` gives it
        code = e.code if isinstance(e.code, int) or e.code is None else 1
        if e.code is not None and not isinstance(e.code, int):
            typer.echo(str(e.code), err=True)
        raise typer.Exit(code or 0) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception:  # noqa: BLE001 - the script failed: its traceback, from the script's frames on
        kind, error, tb = sys.exc_info()
        while tb is not None and not tb.tb_frame.f_code.co_filename == str(script.resolve()) and \
                tb.tb_frame.f_code.co_filename != str(script):
            tb = tb.tb_next
        traceback.print_exception(kind, error, tb or error.__traceback__, file=sys.stderr)
        raise typer.Exit(1) from None


def main() -> None:
    app(prog_name="dfc")


if __name__ == "__main__":  # pragma: no cover - `python -m dfc.tools` is the usual way
    main()
