"""Backends: how a compiled step graph becomes something a Session calls once per run."""

from __future__ import annotations

import logging
from typing import Protocol
from collections.abc import Callable, Sequence

import numpy as np

from dfc.compiler import compile_step
from dfc.compiler.control_flow import LoopShapesVary
from dfc.compiler.prune import needed_ops
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.interpreter import ExecutionContext, interpret

from . import cpu, step_cache
from .cpu import CpuExecutable


class Executable(Protocol):
    """One compiled step: call it with the feed arrays (argument order) and the run's context."""

    step: Graph

    def __call__(self, args: Sequence[np.ndarray], ctx: ExecutionContext) -> list[np.ndarray]: ...


class InterpreterExecutable:
    """Runs the step graph on the reference interpreter (the oracle every backend is tested against)."""

    def __init__(self, step: Graph):
        self.step = step

    def __call__(self, args: Sequence[np.ndarray], ctx: ExecutionContext) -> list[np.ndarray]:
        outputs = interpret(self.step, args, ctx)
        # numpy's views (an identity, a reshape of a feed) would hand the caller its own feed back: a later change
        # to the fed array would change the fetched value, which the CPU backend (and TF) never do
        return [np.array(out) if isinstance(out, np.ndarray) and any(
            isinstance(a, np.ndarray) and np.may_share_memory(out, a) for a in args) else out for out in outputs]


#: backend name -> factory(step graph, session) -> Executable
BACKENDS: dict[str, Callable[..., Executable]] = {
    "interpreter": lambda step, session: InterpreterExecutable(step),
    "cpu": CpuExecutable,  # native code through llvmlite (runtime/cpu.py); runs every op, hence the default
}

DEFAULT_BACKEND = "cpu"


def register_backend(name: str, factory: Callable[..., Executable]) -> None:
    BACKENDS[name] = factory


def cpu_step_identity() -> str:
    """What a CPU step's code depends on besides its graph (step_cache.compiler_identity with the runtime's choices)."""
    return step_cache.compiler_identity(cpu.cpu_target(), ("blas", cpu.blas_identity(), "threads", cpu.NUM_THREADS,
                                                           "data", cpu._DATA_OFFSET))


def compile_cpu_step(graph: Graph, fetches: list[Value], targets: list[Op], feeds: list[Value],
                     arrays: list[np.ndarray], needed: set[Op] | None = None,
                     arg_values: dict[int, np.ndarray] | None = None) -> CpuExecutable:
    """The CPU backend's executable for one Session.run: from the step cache (runtime/step_cache.py), else compiled.

    `needed` is the ops the step needs (prune's needed_ops), when the caller already has them.
    A hit runs no pass, no lowering and no LLVM: it links the cached object code.
    """
    shapes = [a.shape for a in arrays]

    def rebuild() -> Graph:
        return compile_step(graph, fetches, targets, feeds, shapes, arg_values=arg_values)

    if not step_cache.enabled() or arg_values:  # a step specialized for fed values: kept by the session only
        return _native_or_interpreted(rebuild(), lambda: _host_split(graph, fetches, targets, feeds, arrays,
                                                                     arg_values))
    key = None
    try:
        if needed is None:
            needed = needed_ops(graph, fetches, targets, set(feeds))
        key = step_cache.step_key(graph, needed, fetches, targets, feeds, arrays, cpu_step_identity())
    except step_cache.Uncacheable:
        pass
    if key is not None:
        found = step_cache.load(key)
        if found is not None:
            image, objects = found
            return CpuExecutable.from_image(image, objects, rebuild)
    step = rebuild()

    executable = _native_or_interpreted(step, lambda: _host_split(graph, fetches, targets, feeds, arrays, arg_values))
    if key is not None and isinstance(executable, CpuExecutable):
        step_cache.store(key, executable.image)
    return executable


def _host_split(graph: Graph, fetches: list[Value], targets: list[Op], feeds: list[Value], arrays: list[np.ndarray],
                arg_values: dict[int, np.ndarray] | None) -> Executable:
    """The step with its loops whose shapes vary, and the ops that read their results, on the host (the interpreter)
    and the rest native (runtime/host_strings.py)."""
    from . import host_strings
    return host_strings.host_string_executable(graph, fetches, targets, feeds, arrays, _native_or_interpreted,
                                               arg_values, keep_dynamic=True)


def _native_or_interpreted(step: Graph, split: Callable[[], Executable] | None = None) -> Executable:
    """The step as native code; where native code cannot hold it (a while loop whose variables grow, as TF1's
    shape invariants allow), `split()`'s executable, which runs only such loops on the interpreter, or else the
    whole step on the interpreter: slower, and the same values."""
    try:
        return CpuExecutable(step)
    except LoopShapesVary as e:
        if split is not None:
            try:
                executable = split()
            except Exception as failure:  # a pass that needs known shapes: the whole step is interpreted
                logging.getLogger("dfc").debug("no host split of the step: %s", failure)
            else:
                logging.getLogger("dfc").warning("dfc runs this step's loops whose shapes vary on its interpreter, "
                                                 "the rest natively: %s", e)
                return executable
        logging.getLogger("dfc").warning("dfc runs this step on its interpreter: %s", e)
        return InterpreterExecutable(step)
