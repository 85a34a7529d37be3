"""Backends: how a compiled step graph becomes something a Session calls once per run."""

from __future__ import annotations

from typing import Protocol
from collections.abc import Callable, Sequence

import numpy as np

from dfc.ir.graph import Graph
from dfc.ir.interpreter import ExecutionContext, interpret

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
        return interpret(self.step, args, ctx)


#: backend name -> factory(step graph, session) -> Executable
BACKENDS: dict[str, Callable[..., Executable]] = {
    "interpreter": lambda step, session: InterpreterExecutable(step),
    "cpu": CpuExecutable,  # native code through llvmlite (runtime/cpu.py); runs every op, hence the default
}

DEFAULT_BACKEND = "cpu"


def register_backend(name: str, factory: Callable[..., Executable]) -> None:
    BACKENDS[name] = factory
