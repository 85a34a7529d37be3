"""The reference interpreter: runs any stage of the IR with numpy; the oracle for passes and backends."""

from __future__ import annotations

from typing import Protocol
from collections.abc import Sequence

import numpy as np

from .errors import InvalidArgumentError, OpError, ResourceExhaustedError
from .graph import Block, Graph, Op, Value
from .ops import get_op_def
from .types import TensorType


class ExecutionContext(Protocol):
    """The state an executing graph reaches outside itself: feeds, variables and RNG counters."""

    def feed(self, op: Op) -> np.ndarray: ...

    def read_variable(self, name: str, op: Op) -> np.ndarray: ...

    def write_variable(self, name: str, value: np.ndarray, op: Op) -> np.ndarray: ...

    def random_step(self, op: Op) -> int: ...


#: a random op's counter for one execution: the run's step for the op (low word) plus, in the high word,
#: how many times the op already ran in this run (native code adds this much per run of its kernel)
EXECUTION_STRIDE = 1 << 32


class _OneRun:
    """The caller's context for one run of a graph, counting the executions of each random op.

    The run's step of every random op is taken once, when the run starts (as the native
    backends take it, so an op that does not run, in an untaken branch or a loop that makes
    no trip, still advances), and each further execution of the op in this run (a loop body's
    next iteration) adds EXECUTION_STRIDE: every iteration draws anew, the same way in every backend.
    """

    def __init__(self, ctx: ExecutionContext, graph: Graph):
        self._ctx = ctx
        self._steps = {op: ctx.random_step(op) for op in graph.walk() if get_op_def(op.type).family == "random"}
        self._runs: dict[Op, int] = {}

    def __getattr__(self, name: str):
        return getattr(self._ctx, name)

    def random_step(self, op: Op) -> int:
        runs = self._runs.get(op, 0)
        self._runs[op] = runs + 1
        step = self._steps.get(op)
        if step is None:
            step = self._steps[op] = self._ctx.random_step(op)
        return step + runs * EXECUTION_STRIDE


class StatelessContext:
    """A context for graphs that touch no state; anything stateful is an error naming the op."""

    def feed(self, op: Op) -> np.ndarray:
        raise InvalidArgumentError(f"placeholder {op.describe()} must be fed", op)

    def read_variable(self, name: str, op: Op) -> np.ndarray:
        raise InvalidArgumentError(f"op {op.describe()} reads variable '{name}' but no variables are attached", op)

    def write_variable(self, name: str, value: np.ndarray, op: Op) -> np.ndarray:
        raise InvalidArgumentError(f"op {op.describe()} writes variable '{name}' but no variables are attached", op)

    def random_step(self, op: Op) -> int:
        return 0


def interpret(graph: Graph, args: Sequence[np.ndarray] = (), ctx: ExecutionContext | None = None) -> list:
    """Run a graph: bind its arguments, execute its ops in order, return what `dfc.fetch` names."""
    return run_block(graph.body, list(args), _OneRun(ctx or StatelessContext(), graph), {})


def run_block(block: Block, args: list, ctx: ExecutionContext, outer: dict[Value, object]) -> list:
    if len(args) != len(block.arguments):
        raise InvalidArgumentError(f"block takes {len(block.arguments)} arguments, got {len(args)}")
    env: dict[Value, object] = dict(outer)
    for arg, value in zip(block.arguments, args):
        env[arg] = value
    for op in block.ops:
        if get_op_def(op.type).terminator:
            return [env[v] for v in op.inputs]
        results = evaluate_op(op, [env[v] for v in op.inputs], ctx, env)
        for value, result in zip(op.results, results):
            env[value] = result
    return []


def evaluate_op(op: Op, inputs: list, ctx: ExecutionContext, env: dict[Value, object] | None = None) -> list:
    """One op's results, each with exactly its declared dtype, from numpy inputs."""
    if op.type == "dfc.fused":
        outputs = run_block(op.regions[0], inputs, ctx, env or {})
    else:
        opdef = get_op_def(op.type)
        kwargs = dict(op.attrs)
        if opdef.uses_context:
            kwargs.update(ctx=ctx, op=op)
        try:
            out = opdef.reference(*inputs, **kwargs)
        except InvalidArgumentError as e:
            if e.op is not None:
                raise
            # a kernel's own words (decode_csv's "Expect 3 fields but have 2 in record 1"): the user's op named too
            raise InvalidArgumentError(f"op {op.describe()} failed: {e}", op) from None
        except OpError:
            raise
        except MemoryError as e:
            raise ResourceExhaustedError(f"OOM when running op {op.describe()}: {e}", op) from None
        except (ValueError, IndexError, TypeError, ArithmeticError) as e:
            raise InvalidArgumentError(f"op {op.describe()} failed: {e}", op) from e
        outputs = list(out) if isinstance(out, (tuple, list)) else [out]
    results = []
    for value, out in zip(op.results, outputs):
        if isinstance(value.type, TensorType):
            # a bytes scalar made an array as itself: np.asarray's "S" dtype would drop its trailing zero bytes
            out = np.asarray(out, dtype=object) if isinstance(out, bytes) else np.asarray(out)
            if out.dtype != value.type.dtype.np:
                out = out.astype(value.type.dtype.np)
            if not value.type.accepts_shape(out.shape):
                raise InvalidArgumentError(
                    f"op {op.describe()} produced shape {list(out.shape)} but its type is {value.type}", op)
        results.append(out)
    return results
