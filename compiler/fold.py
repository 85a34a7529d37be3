"""The fold pass: constant folding through each op's reference semantics.

An op whose data operands are all `dfc.constant` becomes a constant holding what the
reference interpreter (`evaluate_op`) computes for it, so folding agrees with running
the graph bit for bit. Shape-only ops fold whenever their operand's shape is static,
constant or not: `dfc.shape_of`, `dfc.fill_like`, and `dfc.broadcast_like` of a constant.

Never folded: stateful ops (variables, assigns, random draws: `OpDef.stateful`), ops
that read the run's context (placeholders), ops with control operands (their ordering
would be lost), ops with regions, terminators, `dfc.grad`, results with unknown dims
(the constant's type must equal the op's result type exactly), and results of more
than MAX_FOLDED_ELEMENTS elements (not materialized, so a big splat stays an op).
An op whose reference raises (a gather index out of range) is left for the run to
report. The folded-away producers are left for `dce` to remove. One pattern (`fold_pattern`)
run by the greedy driver (dfc.ir.pattern): a folded op's users are revisited.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.errors import DfcError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.interpreter import StatelessContext, evaluate_op
from dfc.ir.ops import REGISTRY, get_op_def
from dfc.ir.pattern import MAX_ROUNDS, PatternRewriter, PatternSet, apply_patterns_greedily
from dfc.ir.types import TensorType

from .passes import register_pass

#: results larger than this are not folded: the constant would bloat the IR and the object code
MAX_FOLDED_ELEMENTS = 1 << 16



def constant_value(value: Value) -> np.ndarray | None:
    """The array a value always holds, if a `dfc.constant` makes it."""
    op = value.op
    if op is not None and op.type == "dfc.constant":
        return op.attrs["value"]
    return None


def foldable(op: Op) -> bool:
    """Whether `op` may be replaced by constants at all (its operands aside)."""
    if op.type == "dfc.constant" or op.regions or op.control_inputs:  # a constant is what folding makes
        return False
    opdef = get_op_def(op.type)
    if not opdef.pure or opdef.meta or opdef.reference is None:
        return False
    for r in op.results:
        if not isinstance(r.type, TensorType) or not r.type.is_static:
            return False
    return sum(r.type.num_elements for r in op.results) <= MAX_FOLDED_ELEMENTS


def fold_op(op: Op) -> list[np.ndarray] | None:
    """The arrays `op` always produces, or None when it cannot be folded."""
    inputs = _constant_inputs(op)  # first: it rules out most ops, and cheaply
    if inputs is None or not foldable(op):
        return None
    try:
        with np.errstate(all="ignore"):
            results = evaluate_op(op, inputs, StatelessContext())
    except (DfcError, ArithmeticError, ValueError, TypeError, IndexError):
        return None  # the run reports it, with the op's source line
    return [np.require(r, requirements="C") for r in results]


def fold_pattern(op: Op, rewriter: PatternRewriter) -> bool:
    """Replace `op` by constants holding what it always computes."""
    arrays = fold_op(op)
    if arrays is None:
        return False
    graph, constants = rewriter.graph, []
    for i, (result, array) in enumerate(zip(op.results, arrays)):
        # one result keeps the op's name, so the dump still reads like the script
        name = op.name if len(op.results) == 1 else graph.reserve_name(f"{op.name}_{i}")
        const = Op("dfc.constant", name, [], {"value": array}, [result.type], device=op.device, loc=op.loc)
        constants.append(rewriter.insert_before(op, const).results[0])
    rewriter.replace_op(op, constants)
    return True


PATTERNS = PatternSet()
# a constant is what folding makes: new constants need no visit
PATTERNS.add(fold_pattern, exclude=("dfc.constant",), name="fold")


def _constant_inputs(op: Op) -> list[np.ndarray] | None:
    """The arrays of op's data operands, when each is a constant or an operand read only for its static shape."""
    inputs: list[np.ndarray] = []
    shape_only = None
    for i, v in enumerate(op.operands):
        if v.is_control:
            return None  # foldable() refuses it anyway
        array = constant_value(v)
        if array is None:
            if shape_only is None:
                opdef = REGISTRY.get(op.type)
                shape_only = opdef.shape_only_operands if opdef is not None else ()
            if i not in shape_only or not v.type.is_static:
                return None
            # only the shape is read: a zero-strided stand-in costs no memory
            array = np.broadcast_to(np.zeros((), v.type.dtype.np), v.type.shape)
        inputs.append(array)
    return inputs


@register_pass("fold")
def fold(graph: Graph, max_rounds: int = MAX_ROUNDS) -> Graph:
    """In place: replace every foldable op by constants; returns `graph`."""
    apply_patterns_greedily(graph, PATTERNS, max_rounds, label="fold")
    return graph


def remap_operands(op: Op, replaced: dict[Value, Value]) -> None:
    """Point op's operands (and those of its regions' ops) that `replaced` names at their replacements."""
    if not replaced:
        return
    op.operands = [replaced.get(v, v) for v in op.operands]
    for region in op.regions:
        for inner in region.walk():
            inner.operands = [replaced.get(v, v) for v in inner.operands]
