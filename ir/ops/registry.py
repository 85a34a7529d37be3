"""The op registry: one OpDef per op, holding what every layer needs to know of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

import numpy as np

from ..dtypes import DType
from ..errors import DTypeError, ShapeError
from ..types import TensorType, Type

REQUIRED = object()


class _Unclassified:
    def __repr__(self) -> str:
        return "UNCLASSIFIED"


#: the default of OpDef.fusible_as: an op that has not said how fusion may treat it (a test lists such ops)
UNCLASSIFIED: Any = _Unclassified()
#: what OpDef.fusible_as may say: fused as part of an elementwise loop, as a broadcast feeding one, as the
#: reduction ending one, as a GEMM with an epilogue; None: never fused
FUSIBLE_KINDS = ("elementwise", "broadcast", "reduction", "matmul", None)
#: the boolean traits of an op, each a field of OpDef (`traits` lists those that hold)
TRAITS = ("elementwise", "commutative", "terminator", "view", "reduction", "writes_variable", "no_code",
          "control_sink", "meta", "stateful", "uses_context", "differentiable")

#: attribute kinds: how the printer spells them and how the parser reads them back
ATTR_KINDS = ("bool", "int", "float", "str", "ints", "dtype", "dense", "type", "strs")


@dataclass(frozen=True)
class Attr:
    kind: str
    default: Any = REQUIRED

    def __post_init__(self):
        assert self.kind in ATTR_KINDS, self.kind


@dataclass
class OpDef:
    """The declaration of one op: its signature, its numpy reference, and its traits.

    infer(operand_types, attrs) -> result types; raises ShapeError with a plain message.
    infer=None marks a source op (constant aside) whose result type the builder states.
    reference(*arrays, **attrs) -> array or tuple of arrays; the numpy semantics the
    interpreter runs. Ops with `uses_context` also get ctx= (the interpreter's state
    access) and op= keyword arguments.

    The traits are what passes ask instead of naming ops (MLIR's op traits): cse asks
    `commutative`, dce `stateful` and `terminator`, the planner `view`, `no_code` and
    `writes_variable`, fusion `fusible_as`. tests/test_op_traits.py checks each claim
    against the reference and fails for an op that leaves `fusible_as` unsaid.
    """

    name: str
    family: str
    infer: Callable[[list[Type], dict], list[Type]] | None  # None: result types are given explicitly
    reference: Callable[..., Any] | None
    num_operands: int | tuple[int, int | None] = 1  # exact, or (min, max or None)
    attrs: dict[str, Attr] = field(default_factory=dict)
    differentiable: bool = True
    stateful: bool = False  # reads or writes state, or draws random numbers: never folded, merged or dropped
    uses_context: bool = False
    elementwise: bool = False  # result element i depends only on operand elements i (after broadcasting)
    commutative: bool = False  # f(x, y) == f(y, x): cse may order the operands to find duplicates
    terminator: bool = False  # ends a block: fetch ends the graph's body, yield an op's region
    view: bool = False  # the result is operand 0's elements in the same order: no copy, no code
    reduction: bool = False  # combines operand 0 over the `axes` attribute (keepdims keeps them as 1s)
    writes_variable: bool = False  # writes the variable its `variable` attribute names
    no_code: bool = False  # orders or collects work but computes nothing (group, no_op, fetch, yield)
    control_sink: bool = False  # all its operands are run-before dependencies: control tokens may stand anywhere
    meta: bool = False  # stands for a computation a pass expands (dfc.grad): never folded, merged or lowered
    regions: int = 0  # how many regions the op carries
    shape_only_operands: tuple[int, ...] = ()  # operands whose shape, not values, the op reads
    fusible_as: str | None = UNCLASSIFIED  # one of FUSIBLE_KINDS
    verify_regions: Callable[[Any], str | None] | None = None  # an op with regions: what is wrong with them, or None
    doc: str = ""

    def __post_init__(self):
        assert self.fusible_as is UNCLASSIFIED or self.fusible_as in FUSIBLE_KINDS, (self.name, self.fusible_as)

    @property
    def traits(self) -> frozenset[str]:
        """The names of the boolean traits that hold for this op."""
        return frozenset(t for t in TRAITS if getattr(self, t))

    @property
    def pure(self) -> bool:
        """Computes a value from its operands alone: no state, randomness, feeds, regions or structure."""
        return not (self.stateful or self.uses_context or self.terminator or self.no_code or self.regions)

    @property
    def short(self) -> str:
        return self.name.split(".", 1)[1]

    def check_arity(self, n: int) -> str | None:
        if isinstance(self.num_operands, int):
            if n != self.num_operands:
                return f"expects {self.num_operands} operand(s), got {n}"
        else:
            lo, hi = self.num_operands
            if n < lo or (hi is not None and n > hi):
                return f"expects {lo}{'+' if hi is None else f'..{hi}'} operands, got {n}"
        return None

    def complete_attrs(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Attributes with defaults filled in; unknown or missing ones raise ShapeError."""
        out = {}
        for key in attrs:
            if key not in self.attrs:
                raise ShapeError(f"{self.name} has no attribute '{key}'")
        for key, spec in self.attrs.items():
            if key in attrs:
                out[key] = _coerce_attr(self.name, key, spec, attrs[key])
            elif spec.default is REQUIRED:
                raise ShapeError(f"{self.name} needs attribute '{key}'")
            elif spec.default is not None:
                out[key] = spec.default
        return out


#: an attribute value of exactly this Python type is already what the kind asks for (the commonest case)
_ALREADY = {"bool": bool, "int": int, "float": float, "str": str}


def _coerce_attr(opname: str, key: str, spec: Attr, value: Any) -> Any:
    kind = spec.kind
    if type(value) is _ALREADY.get(kind):
        return value
    try:
        if kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(value)
            return bool(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "str":
            return str(value)
        if kind == "ints":
            if isinstance(value, (str, bytes)):
                raise TypeError(value)
            return tuple(int(v) for v in value)
        if kind == "strs":
            if isinstance(value, (str, bytes)):
                raise TypeError(value)
            return tuple(str(v) for v in value)
        if kind == "dtype":
            if not isinstance(value, DType):
                raise TypeError(value)
            return value
        if kind == "dense":
            return np.asarray(value)
        if kind == "type":
            return value
    except (TypeError, ValueError):
        raise ShapeError(f"attribute '{key}' of {opname} must be {kind}, got {value!r}") from None
    raise AssertionError(kind)


REGISTRY: dict[str, OpDef] = {}


def register(opdef: OpDef) -> OpDef:
    if opdef.name in REGISTRY:
        raise ValueError(f"op {opdef.name} is declared twice")
    REGISTRY[opdef.name] = opdef
    return opdef


def ops_with(trait: str) -> frozenset[str]:
    """The names of the declared ops for which the boolean trait holds."""
    return frozenset(name for name, opdef in REGISTRY.items() if getattr(opdef, trait))


def get_op_def(name: str) -> OpDef:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown op '{name}'") from None


# ---- shape and dtype helpers shared by the declarations ----------------------------------

def tensor_operand(types: list[Type], i: int, what: str = "operand") -> TensorType:
    t = types[i]
    if not isinstance(t, TensorType):
        raise ShapeError(f"{what} #{i} must be a tensor, got {t}")
    return t


def same_dtype(types: list[Type]) -> DType:
    dtypes = {t.dtype for t in types}
    if len(dtypes) != 1:
        names = ", ".join(f"{t.dtype.name} ({t})" for t in types)
        raise DTypeError(f"operands must have one dtype, got {names}")
    return types[0].dtype


def require_dtype(dtype: DType, allowed: tuple[DType, ...], what: str = "operand") -> None:
    if dtype not in allowed:
        raise DTypeError(f"{what} dtype {dtype.name} is not one of {', '.join(d.name for d in allowed)}")


def broadcast_shapes(*shapes: tuple[int | None, ...]) -> tuple[int | None, ...]:
    """numpy broadcasting over possibly unknown dims (None); None (unknown rank) if any shape is None."""
    if len(shapes) == 2 and shapes[0] == shapes[1]:
        return None if shapes[0] is None else tuple(shapes[0])  # the commonest case: equal shapes
    if any(s is None for s in shapes):
        return None
    rank = max((len(s) for s in shapes), default=0)
    out: list[int | None] = []
    for axis in range(rank):
        dims = [s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ShapeError("shapes " + " and ".join(_shape(s) for s in shapes) + " cannot be broadcast together")
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    """axis in [-rank, rank) as a non-negative index; a scalar has no axis (TF: "Invalid dimension")."""
    if not -rank <= axis < rank:
        raise ShapeError(f"{what} {axis} is out of range for a tensor of rank {rank} (expected [{-rank}, {rank}))")
    return axis % rank


def _shape(shape) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


#: ranks tried in place of an unranked operand when inferring result types
PROBE_RANKS = tuple(range(0, 7))


def infer_types(opdef: OpDef, types: list[Type], attrs: dict) -> list[Type]:
    """`opdef.infer`, also over unranked operands (`tensor<*xf32>`).

    Declarations only handle ranked operands, so each unranked one is tried at every rank in
    PROBE_RANKS with unknown dims: a result keeps the rank and the dims that all accepted
    tries agree on, and is unranked where they disagree (TF's shape functions give the same
    answers: unknown rank in, unknown rank out, unless the op fixes the rank, as reshape does).
    """
    for t in types:  # a plain loop: every op built asks, and a generator costs more than the check
        if isinstance(t, TensorType) and t.shape is None:
            break
    else:
        return opdef.infer(types, attrs)
    outcomes: list[list[Type]] = []
    first_error: ShapeError | None = None
    for rank in PROBE_RANKS:
        probe = [TensorType(t.dtype, (None,) * rank) if isinstance(t, TensorType) and t.shape is None else t
                 for t in types]
        try:
            outcomes.append(opdef.infer(probe, attrs))
        except ShapeError as e:
            first_error = first_error or e
    if not outcomes:
        raise first_error if first_error is not None else ShapeError("no rank fits the unranked operands")
    merged: list[Type] = []
    for results in zip(*outcomes):
        head = results[0]
        if not isinstance(head, TensorType):
            merged.append(head)
            continue
        if any(r.shape is None or len(r.shape) != len(head.shape) for r in results):
            merged.append(TensorType(head.dtype, None))
            continue
        merged.append(head.with_shape(tuple(d if all(r.shape[i] == d for r in results) else None
                                            for i, d in enumerate(head.shape))))
    return merged
