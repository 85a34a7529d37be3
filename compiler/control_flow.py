"""Control flow in the compiler: re-inferring dfc.if/dfc.while and planning them as marks in a step's op list.

Specialize re-infers a region op's regions from its operands: a dfc.if's results are the most
specific types both branches yield; a dfc.while's loop variables start at their initial values'
types and widen (to the declared shape invariants at most) until the body's yields fit them.

The planner runs ops in one list; a region op becomes marks around its regions' ops (its
results are allocated at the first mark), and the CPU code generator turns the marks into
branches and a loop in dfc_main (codegen/control.py):

    dfc.if:    [if pred] then-ops [else yields] else-ops [endif yields]
    dfc.while: [while inits] cond-ops [test cond] body-ops [endwhile yields]

The loop variables live in the while's result buffers for the whole loop; values the loop reads
from outside stay live until its end (every iteration reads them again).
"""

from __future__ import annotations

from collections.abc import Callable

from dfc.ir.errors import InvalidArgumentError, UnimplementedError
from dfc.ir.graph import Block, Op, Value
from dfc.ir.ops.control import loop_type_accepts
from dfc.ir.rewrite import clone_block
from dfc.ir.types import TensorType, Type

#: the region ops the planner and the CPU code generator lower as control flow in the entry function
CONTROL_OPS = frozenset({"dfc.if", "dfc.while"})

#: how many times a loop's types may widen before specialize gives up on them and keeps the declared ones
MAX_WIDENINGS = 4



class LoopShapesVary(UnimplementedError):
    """A while loop whose variables change shape across iterations: native code cannot hold it (the Session
    runs such a step on the interpreter instead)."""

def join_types(a: Type, b: Type) -> Type:
    """The most specific type both a and b fit (TF's most_specific_compatible_shape)."""
    if not isinstance(a, TensorType) or not isinstance(b, TensorType) or a == b:
        return a
    if a.shape is None or b.shape is None or len(a.shape) != len(b.shape):
        return TensorType(a.dtype, None)
    return a.with_shape(tuple(x if x == y else None for x, y in zip(a.shape, b.shape)))


def reinfer_control(op: Op, reinfer_block: Callable[[Block], None]) -> None:
    """Re-infer a dfc.if or dfc.while and its regions (reinfer_block re-infers one region's ops)."""
    operand_types = [v.type for v in op.inputs]
    if op.type == "dfc.if":
        _require_scalar_flag(op, operand_types[0], "its predicate")
        yielded = []
        for region in op.regions:
            for arg, t in zip(region.arguments, operand_types):
                arg.type = t
            reinfer_block(region)
            yielded.append([v.type for v in region.terminator.inputs])
        for k, result in enumerate(op.results):
            result.type = join_types(yielded[0][k], yielded[1][k])
        return
    n = op.attrs["num_vars"]
    declared = [r.type for r in op.results]
    current = [init if loop_type_accepts(d, init) else d for d, init in zip(declared, operand_types[:n])]
    # re-inferring folds shape computations and makes dynamic-shape ops static for the types it is given: a pass
    # with too specific types (a growing variable's first shape) would leave ops fixed to it, so each widening
    # starts again from the regions as they came
    pristine = [clone_block(region, {}) for region in op.regions]
    for attempt in range(MAX_WIDENINGS + 1):
        if attempt:
            op.regions = [clone_block(region, {}) for region in pristine]
        cond, body = op.regions
        for region in (cond, body):
            for arg, t in zip(region.arguments, current + operand_types[n:]):
                arg.type = t
            reinfer_block(region)
        _require_scalar_flag(op, cond.terminator.inputs[0].type, "its cond")
        yielded = [v.type for v in body.terminator.inputs]
        widened = [c if loop_type_accepts(c, y) else join_types(c, y) for c, y in zip(current, yielded)]
        if widened == current:
            break
        for d, w, k in zip(declared, widened, range(n)):
            if not loop_type_accepts(d, w) and not loop_type_accepts(w, d):
                raise InvalidArgumentError(
                    f"the loop {op.describe()}: loop variable #{k} of type {d} gets a value of type "
                    f"{yielded[k]} from the body; set shape_invariants for loop variables whose shape changes", op)
        current = widened
    else:
        current = declared
        op.regions = pristine
        for region in op.regions:
            for arg, t in zip(region.arguments, current + operand_types[n:]):
                arg.type = t
            reinfer_block(region)
    for result, t in zip(op.results, current):
        result.type = t


def _require_scalar_flag(op: Op, t, what: str) -> None:
    if isinstance(t, TensorType) and t.shape is not None and len(t.shape) != 0:
        raise InvalidArgumentError(f"the op {op.describe()}: {what} must be a scalar bool, but the fed shapes make "
                                   f"it {t}", op)


# ---- planning ----------------------------------------------------------------------------------------
class ControlMark:
    """A point in a planned step where control flow branches, joins or loops (not an op of the graph).

    It looks to the planner like a no-code op: `inputs` are the values it reads (for lifetimes),
    `results` the buffers it defines (a region op's results at its first mark; staging buffers
    for the loop variables at `endwhile`).
    """

    type = "dfc.no_op"  # what the planner asks the registry about: no code, no state, no view

    def __init__(self, kind: str, op: Op, inputs: list[Value], results: list[Value] | None = None):
        self.kind, self.op = kind, op
        self.inputs = list(inputs)
        self.operands = self.inputs
        self.results = list(results or [])
        self.regions: list[Block] = []
        self.attrs: dict = {}
        self.name = f"{op.name}/{kind}"
        self.loc = op.loc
        self.device = op.device

    @property
    def control_inputs(self) -> list[Value]:
        return []

    def describe(self) -> str:
        return f"'{self.op.name}' ({self.op.type} {self.kind})" + (f" at {self.loc}" if self.loc else "")

    def __repr__(self) -> str:
        return f"<ControlMark {self.kind} of {self.op.name}>"


def flatten_control(op: Op, canonical: dict[Value, Value], flatten: Callable) -> list:
    """The planned items of a dfc.if or dfc.while: marks around its regions' flattened ops."""
    def canon(v: Value) -> Value:
        return canonical.get(v, v)

    if op.type == "dfc.if":
        for k, r in enumerate(op.results):
            if isinstance(r.type, TensorType) and not r.type.is_static:
                # tf.cond's branches may give other shapes: which one this step gives is known only when it runs
                raise LoopShapesVary(
                    f"the cond {op.describe()}: result #{k} has type {r.type} in this step (its branches give "
                    f"tensors of other shapes); compiled code needs one shape per tensor", op)
        then, other = op.regions
        for region in op.regions:
            for arg, operand in zip(region.arguments, op.inputs):
                canonical[arg] = canon(operand)
        items = [ControlMark("if", op, [op.inputs[0]], list(op.results))]
        items += flatten(then.ops[:-1], canonical)
        items.append(ControlMark("else", op, list(then.terminator.inputs)))
        items += flatten(other.ops[:-1], canonical)
        # the results are written at both marks: they stay live (and their bytes theirs) until the last one
        items.append(ControlMark("endif", op, list(other.terminator.inputs) + list(op.results)))
        return items
    n = op.attrs["num_vars"]
    for k, r in enumerate(op.results):
        if isinstance(r.type, TensorType) and not r.type.is_static:
            raise LoopShapesVary(
                f"the loop {op.describe()}: loop variable #{k} has type {r.type} in this step (its shape changes "
                f"across iterations, as its shape invariant allows); compiled code needs one shape per loop "
                f"variable", op)
    cond, body = op.regions
    for inner in (inner for region in op.regions for inner in region.walk()):
        varying = next((r for r in inner.results if isinstance(r.type, TensorType) and not r.type.is_static), None)
        if varying is not None:
            raise LoopShapesVary(
                f"the loop {op.describe()}: {inner.describe()} makes {varying.type}, a shape each iteration computes "
                f"from values; compiled code needs one shape per tensor", op)
    captured = [canon(v) for v in op.inputs[n:]]
    for region in (cond, body):
        for arg, result in zip(region.arguments[:n], op.results):
            canonical[arg] = result
        for arg, value in zip(region.arguments[n:], captured):
            canonical[arg] = value
    items = [ControlMark("while", op, list(op.inputs[:n]), list(op.results))]
    items += flatten(cond.ops[:-1], canonical)
    items.append(ControlMark("test", op, [cond.terminator.inputs[0]]))
    items += flatten(body.ops[:-1], canonical)
    end = ControlMark("endwhile", op, list(body.terminator.inputs) + list(op.results) + captured)
    # one staging buffer per loop variable, live only at the end of an iteration: a body that yields the
    # loop variables permuted (or views of them) must not overwrite one before it is copied
    end.results = [Value(r.type, op, k) for k, r in enumerate(op.results)]
    items.append(end)
    return items
