"""Checks a Graph's invariants: SSA order, declared ops, arity, attributes, inferred types, terminators, regions, uses.

Passes are followed by `verify` in tests, so an error here names the op (its name, type
and source line) and says which rule it breaks.
"""

from __future__ import annotations

from .errors import ShapeError, VerificationError
from .graph import Block, Graph, Op, Value
from .ops import REGISTRY, OpDef
from .ops.registry import infer_types
from .types import ControlType, TensorType

__all__ = ["verify", "verify_uses"]

#: ops whose regions see nothing from outside but their arguments (MLIR's IsolatedFromAbove)
ISOLATED_FROM_ABOVE = frozenset({"dfc.fused", "dfc.if", "dfc.while"})
#: the kinds of `dfc.fused` kernel the fuse pass makes and backends lower
FUSION_KINDS = frozenset({"elementwise", "reduction", "matmul"})
#: the largest dim and element count a tensor may have: sizes and offsets are int64 everywhere
MAX_ELEMENTS = 2**63 - 1


def verify(graph: Graph) -> None:
    """Raise VerificationError on the first op that breaks an invariant of the IR (use-lists included)."""
    _Verifier().block(graph.body, [], None)
    verify_uses(graph)


def verify_uses(graph: Graph) -> None:
    """Raise VerificationError unless every value's use-list holds exactly the operands that read it."""
    ops = list(graph.walk())
    in_graph = set(ops)
    values: dict[Value, None] = dict.fromkeys(graph.arguments)
    for op in ops:
        if not op.in_graph:
            raise _fail(op, "it sits in the graph but is not linked to it (its uses are not registered)")
        for i, v in enumerate(op.operands):
            if (op, i) not in v._uses:
                raise _fail(op, f"operand #{i} {v.describe()} does not list this op among its uses")
            values.setdefault(v)
        for region in op.regions:
            values.update(dict.fromkeys(region.arguments))
        values.update(dict.fromkeys(op.results))
    for v in values:
        for user, i in v._uses:
            if user not in in_graph or i >= len(user.operands) or user.operands[i] is not v:
                raise VerificationError(f"value {v.describe()} lists a use by {user.describe()} (operand #{i}) "
                                        f"that does not read it")


def _fail(op: Op, message: str) -> VerificationError:
    return VerificationError(f"{op.describe()}: {message}")


def _types(types) -> str:
    return "(" + ", ".join(str(t) for t in types) + ")"


class _Verifier:
    def __init__(self) -> None:
        self.names: dict[str, Op] = {}

    def block(self, block: Block, outer: list[set[Value]], parent: Op | None) -> None:
        """Check block's ops in order; `outer` holds the values of the enclosing blocks visible here."""
        defined_here = {r for op in block.ops for r in op.results}
        visible = set(block.arguments)
        scopes = outer + [visible]
        last = len(block.ops) - 1
        for i, op in enumerate(block.ops):
            if op.block is not block:
                raise _fail(op, "its `block` link does not point at the block that holds it")
            self.op(op, scopes, defined_here, parent)
            if REGISTRY[op.type].terminator and i != last:
                raise _fail(op, f"{op.type} must be the last op of its block, but {len(block.ops) - 1 - i} op(s) "
                                f"follow it (next: {block.ops[i + 1].describe()})")
            visible.update(op.results)

    def op(self, op: Op, scopes: list[set[Value]], defined_here: set[Value], parent: Op | None) -> None:
        opdef = REGISTRY.get(op.type)
        if opdef is None:
            raise _fail(op, f"unknown op type '{op.type}'")
        if op.name:
            other = self.names.get(op.name)
            if other is not None and other is not op:
                raise _fail(op, f"op name '{op.name}' is already used by {other.describe()}")
            self.names[op.name] = op
        for i, r in enumerate(op.results):
            if r.owner is not op or r.index != i:
                raise _fail(op, f"result #{i} belongs to another op or has index {r.index}")
        self.operands_visible(op, scopes, defined_here)
        data = self.data_operands(op, opdef)
        self.attributes(op, opdef)
        self.result_types(op, opdef, data)
        if op.type == "dfc.fetch" and parent is not None:
            raise _fail(op, f"dfc.fetch belongs in the graph's body, not in the region of {parent.describe()}")
        if op.type == "dfc.yield" and parent is None:
            raise _fail(op, "dfc.yield belongs in the region of an op, not in the graph's body")
        self.regions(op, data, scopes)

    def operands_visible(self, op: Op, scopes: list[set[Value]], defined_here: set[Value]) -> None:
        for i, v in enumerate(op.operands):
            if not isinstance(v, Value):
                raise _fail(op, f"operand #{i} is {v!r}, not an IR value")
            if any(v in scope for scope in scopes):
                continue
            if v.owner is op:
                raise _fail(op, f"operand #{i} is the op's own result {v.describe()}")
            if v in defined_here:
                raise _fail(op, f"operand #{i} {v.describe()} is used before its definition")
            raise _fail(op, f"operand #{i} {v.describe()} is not visible here: it is defined neither earlier in "
                            "this block nor in an enclosing one (another region, a later op of an enclosing "
                            "block, or another graph)")

    def data_operands(self, op: Op, opdef: OpDef) -> list[Value]:
        """The operands that carry data; control tokens must trail them (except for group and fetch)."""
        if opdef.control_sink:
            problem = opdef.check_arity(len(op.operands))
            if problem:
                raise _fail(op, problem)
            return list(op.operands)
        if isinstance(opdef.num_operands, int):
            for i, v in enumerate(op.operands[:opdef.num_operands]):
                if v.is_control:
                    raise _fail(op, f"operand #{i} {v.describe()} is a control token used as a data operand "
                                    f"({op.type} takes {opdef.num_operands} data operand(s); control operands "
                                    "come after them)")
        first_control = next((i for i, v in enumerate(op.operands) if v.is_control), len(op.operands))
        for j in range(first_control, len(op.operands)):
            if not op.operands[j].is_control:
                raise _fail(op, f"data operand #{j} {op.operands[j].describe()} follows control operand "
                                f"#{first_control}; control operands must come after all data operands")
        data = op.operands[:first_control]
        problem = opdef.check_arity(len(data))
        if problem:
            raise _fail(op, problem + (f" data operands (and {len(op.operands) - len(data)} control)"
                                       if len(data) != len(op.operands) else ""))
        return data

    def attributes(self, op: Op, opdef: OpDef) -> None:
        if "device" in op.attrs:
            raise _fail(op, "'device' is an attribute here; it belongs in Op.device")
        try:
            full = opdef.complete_attrs(op.attrs)
        except ShapeError as e:
            raise _fail(op, str(e)) from None
        missing = [k for k in full if k not in op.attrs]
        if missing:
            # create_op fills defaults; an op made without it must state them, as every layer reads them
            raise _fail(op, f"attribute(s) {', '.join(repr(k) for k in missing)} missing (defaults are not "
                            "implied; create_op fills them in)")

    def result_types(self, op: Op, opdef: OpDef, data: list[Value]) -> None:
        for i, r in enumerate(op.results):
            if not isinstance(r.type, (TensorType, ControlType)):
                raise _fail(op, f"result #{i} has {r.type!r}, which is not an IR type")
            if isinstance(r.type, TensorType):
                known = [d for d in r.type.shape or () if d is not None]  # an unknown rank has no dims
                total = 1
                for d in known:
                    total *= d
                if any(d < 0 for d in known) or total > MAX_ELEMENTS:
                    raise _fail(op, f"result #{i} has type {r.type}, whose dims must be non-negative and whose "
                                    f"element count must fit in int64")
        if opdef.infer is None:
            return
        try:
            expected = infer_types(opdef, [v.type for v in data], op.attrs)
        except ShapeError as e:
            raise _fail(op, f"operand types {_types(v.type for v in data)} are invalid: {e}") from None
        except Exception as e:  # an inference function meeting input it did not foresee
            raise _fail(op, f"type inference failed on operand types {_types(v.type for v in data)}: "
                            f"{type(e).__name__}: {e}") from None
        actual = [r.type for r in op.results]
        if list(expected) != actual:
            raise _fail(op, f"result types {_types(actual)} differ from the inferred {_types(expected)}")

    def regions(self, op: Op, data: list[Value], scopes: list[set[Value]]) -> None:
        wanted = REGISTRY[op.type].regions
        if len(op.regions) != wanted:
            raise _fail(op, f"{op.type} takes {wanted} region(s), has {len(op.regions)}")
        if op.type == "dfc.fused":
            if op.attrs.get("kind") not in FUSION_KINDS:
                known = ", ".join(sorted(FUSION_KINDS))
                raise _fail(op, f"unknown fusion kind {op.attrs.get('kind')!r} (known: {known})")
            # the signature first: a mismatch there would otherwise surface as a confusing error inside
            arg_types = [a.type for a in op.regions[0].arguments]
            operand_types = [v.type for v in data]
            if arg_types != operand_types:
                raise _fail(op, f"region arguments {_types(arg_types)} do not match the operands "
                                f"{_types(operand_types)}")
        check = REGISTRY[op.type].verify_regions
        problem = check(op) if check is not None else None
        if problem:
            raise _fail(op, problem)
        for region in op.regions:
            # a kernel's region is isolated from above (MLIR's IsolatedFromAbove): what it uses from outside
            # comes in as operands, bound to the region's arguments, so backends compile it on its own
            self.block(region, [] if op.type in ISOLATED_FROM_ABOVE else scopes, op)
        if op.type == "dfc.fused":
            body = op.regions[0]
            if not body.ops or body.ops[-1].type != "dfc.yield":
                raise _fail(op, "the region must end with dfc.yield")
            yielded = [v.type for v in body.ops[-1].operands]
            results = [r.type for r in op.results]
            if yielded != results:
                raise _fail(op, f"the region yields {_types(yielded)} but the op's results are {_types(results)}")
