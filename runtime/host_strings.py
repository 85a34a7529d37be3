"""Steps with host values (tf.string, complex64/128): their ops run on the host (the interpreter), the rest natively.

A string is a host value, a numpy object array of `bytes` (what TF's Session.run returns for a
string fetch); no kernel compiles it. A step whose ops touch strings (a CSV line decoded into
floats, a vocabulary lookup, an argmax turned back into a label) is split by the partition pass
(compiler/partition.py) into *host* and *native* parts: an op is on the host when an operand or a
result is a string, or when it carries regions that hold one; every other op stays native. The
partition's stages run in order, host stages on the reference interpreter, native ones through the
session's compiled backend, so a training step fed by parsed text is as compiled as one fed by
arrays: only the parsing runs in numpy. The split happens after autodiff; each native stage then
runs the usual pipeline (fold, fuse, ...) on its own graph.

Complex numbers take the same path (`DType.on_host`): an op that reads or makes a complex64/128 value (an FFT,
tf.complex, tf.abs of a complex tensor, complex arithmetic and their gradients) runs in numpy, so a log-mel
spectrogram computed in the middle of a training step runs its STFT on the host and its model natively.

A decoded image's size differs from one image to the next: its decode stays dynamic (`HOST_DYNAMIC`, the
specialize pass's `keep_dynamic`), and the ops whose shapes it leaves unknown (a resize's input, a crop) run
on the host too, so an input pipeline of images of many sizes runs one step, whose fixed-size rest (after
tf.image.resize_images) is compiled once, instead of compiling a step for every size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from dfc.compiler import compile_step
from dfc.compiler.partition import Partition, partition
from dfc.compiler.passes import PassManager
from dfc.compiler.pipeline import default_pipeline
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.interpreter import ExecutionContext, interpret
from dfc.ir.ops import get_op_def
from dfc.ir.rewrite import clone_op
from dfc.ir.types import TensorType

HOST = "host"
NATIVE = "native"
_MARK = "/dfc:host_strings"  # the device a host op carries while it is partitioned


#: ops the host runs without knowing their result shapes first (compile_step's `keep_dynamic`)
HOST_DYNAMIC = frozenset({"dfc.dynamic_decode_image"})


def _is_string(value: Value) -> bool:
    """A host value: a string or a complex number (DType.on_host), which no kernel computes on."""
    return isinstance(value.type, TensorType) and value.type.dtype.on_host


def _self_and_inner(op: Op) -> Iterable[Op]:
    """`op` and the ops inside its regions (a cond's branches, a loop's body), outermost first."""
    yield op
    for region in op.regions:
        yield from region.walk()


def _is_host_string_op(op: Op) -> bool:
    return any(_is_string(v) for v in op.results) or any(_is_string(v) for v in op.operands) or \
        get_op_def(op.type).family == "strings"


def _has_unknown_shape(op: Op) -> bool:
    def unknown(value: Value) -> bool:
        t = value.type
        return isinstance(t, TensorType) and (t.shape is None or None in t.shape)

    return any(unknown(v) for v in (*op.results, *op.operands))


def touches_strings(op: Op) -> bool:
    """Whether `op` reads or makes a string or is a host op of the strings family (a table lookup), itself or
    inside its regions."""
    return any(_is_host_string_op(inner) for inner in _self_and_inner(op))


def has_unknown_shape(op: Op) -> bool:
    """Whether `op` reads or makes a value whose shape is not known when the step compiles (a boolean_mask's
    rows in a step not specialized for their count), itself or inside its regions."""
    return any(_has_unknown_shape(inner) for inner in _self_and_inner(op))


def on_host(op: Op) -> bool:
    """The host ops of a step: strings (and complex numbers), and every shape not known when it compiles (native
    code needs every shape, the interpreter none). One walk over op and its regions."""
    return any(_is_host_string_op(inner) or _has_unknown_shape(inner) for inner in _self_and_inner(op))


def needs_host_strings(ops: Iterable[Op], feeds: Sequence[Value] = ()) -> bool:
    """Whether a step of these ops (prune's needed ops) and fed values has a string anywhere."""
    return any(_is_string(v) for v in feeds) or any(touches_strings(op) for op in ops)


def _constants_for_host(step: Graph, host: set[Op]) -> list[Op]:
    """Numeric constants the host ops read, made host ops themselves (a copy when native ops read them too), so
    that no constant crosses from a native stage to a host one."""
    moved = []
    for op in list(step.ops):
        if op.type != "dfc.constant" or op in host:
            continue
        users = set(op.results[0].users)
        if not users & host:
            continue
        if users <= host:
            moved.append(op)
            continue
        copy = clone_op(op, {}, name=step.reserve_name(f"{op.name}/host"))
        step.body.ops.insert(step.body.ops.index(op), copy)
        op.results[0].replace_uses_where(copy.results[0], lambda user: user not in host)
        moved.append(copy)
    return moved


class HostStringExecutable:
    """One step split into host (string) and native stages; called like any executable, it runs them in order."""

    def __init__(self, step: Graph, native: Callable[[Graph], Callable],
                 on_host: Callable[[Op], bool] = on_host):
        self.step = step
        host_ops = [op for op in step.ops if op.type != "dfc.fetch" and on_host(op)]
        host_ops += _constants_for_host(step, set(host_ops))
        saved = {op: op.device for op in host_ops}
        try:
            for op in host_ops:
                op.device = _MARK
            self.partition: Partition = partition(step, lambda device: HOST if device == _MARK else NATIVE)
        finally:
            for op, device in saved.items():
                op.device = device
        self.stages = []
        for stage in self.partition.stages:
            if stage.part == HOST:
                graph = stage.graph
                self.stages.append((stage, lambda args, ctx, graph=graph: interpret(graph, args, ctx)))
            else:
                compiled = PassManager(default_pipeline()).run(stage.graph)
                self.stages.append((stage, native(compiled)))

    @property
    def placement(self) -> dict[str, str]:
        """op name -> "host" or "native"."""
        return dict(self.partition.placement)

    def __call__(self, args: Sequence[np.ndarray], ctx: ExecutionContext) -> list[np.ndarray]:
        values: dict[str, np.ndarray] = dict(zip(self.partition.feeds, args))
        times = []
        for index, (stage, run) in enumerate(self.stages):
            inputs = [values[k] for k in stage.inputs]
            if stage.part == NATIVE:
                inputs = [np.require(a, requirements="C") for a in inputs]
            start = time.time_ns()
            values.update(zip(stage.outputs, run(inputs, ctx)))
            times.append((f"dfc_stage_{index}", "HostStage" if stage.part == HOST else "CompiledStage",
                          stage.graph.ops, start, time.time_ns()))
        self.last_stage_times = times  # a traced run's StepStats (runtime/tracing.py)
        return [values[k] for k in self.partition.fetches]


def host_string_executable(graph: Graph, fetches: list[Value], targets: list[Op], feeds: list[Value],
                           arrays: list[np.ndarray], native: Callable[[Graph], Callable],
                           arg_values: dict[int, np.ndarray] | None = None,
                           keep_dynamic: bool = False) -> HostStringExecutable:
    """The executable of one Session.run whose step holds strings; `native(step)` compiles a numeric stage.

    `keep_dynamic`: shapes that depend on values are left unknown and their ops run on the host too, so the
    executable serves every value (a mask whose count changes each run) without compiling again."""
    step = compile_step(graph, fetches, targets, feeds, [a.shape for a in arrays], pipeline=["autodiff"],
                        arg_values=arg_values, keep_dynamic=True if keep_dynamic else HOST_DYNAMIC)
    return HostStringExecutable(step, native)
