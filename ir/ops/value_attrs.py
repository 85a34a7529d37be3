"""Ops whose attribute a tensor's value gives (tf.reduce_sum(x, axis) with a fed axis): specialize makes them static.

TF1 takes an axis, a stride or a count as a tensor and reads it when the step runs; its shape inference
gives what it can without the value (a reduction over unknown axes has an unknown rank, unless keepdims).
Each op here is the twin of a static op (`dfc.dynamic_reduce_sum` of `dfc.reduce_sum`): its first
`values` operands hold the values, the rest are the static op's operands. The specialize pass reads the
values (a Session computes them from the feeds before it compiles the step, keyed by them, as XLA's
compile-time constants) and puts the static op in the twin's place, so passes and backends never see a
twin; the interpreter runs one only inside a loop whose iterations compute the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..dtypes import FLOATS, NUMERIC, bool_, i32, i64
from ..errors import ShapeError
from ..types import TensorType
from .registry import REGISTRY, Attr, OpDef, register, require_dtype, tensor_operand
from .shape import SLICE_END, SLICE_START_REVERSED

#: (the values as int arrays, the ranks of the static op's operands, the twin's attrs) -> the static op's attrs;
#: raises ShapeError with TF's message for a value TF's kernel refuses
Convert = Callable[[list[np.ndarray], list[int | None], dict], dict]


@dataclass(frozen=True)
class Twin:
    """How a twin becomes its static op."""

    static: str
    values: int  # how many leading operands hold values
    convert: Convert


#: twin op name -> how specialize makes it static
TWINS: dict[str, Twin] = {}


def _twin(name: str, static: str, infer, convert: Convert, attrs: dict[str, Attr], values: int = 1,
          doc: str = "") -> None:
    base = REGISTRY[static]
    if isinstance(base.num_operands, int):
        count: int | tuple[int, int | None] = base.num_operands + values
    else:
        low, high = base.num_operands
        count = (low + values, None if high is None else high + values)

    def reference(*arrays, **twin_attrs):
        given, operands = arrays[:values], arrays[values:]
        static_attrs = convert([np.asarray(v) for v in given], [np.ndim(x) for x in operands], twin_attrs)
        return base.reference(*operands, **base.complete_attrs(static_attrs))

    def twin_infer(types, twin_attrs):
        for i in range(values):
            require_dtype(tensor_operand(types, i).dtype, (i32, i64), f"{name}'s operand {i}")
        return infer(types[values:], twin_attrs)

    register(OpDef(name, "shape", twin_infer, reference, count, attrs, differentiable=base.differentiable,
                   fusible_as=None, doc=doc or f"{static} whose {values} leading operand(s) give attributes; "
                                               f"specialize makes it a {static}"))
    TWINS[name] = Twin(static, values, convert)


def value_axis(value: np.ndarray, rank: int | None, message: Callable[[int, int], str]) -> int:
    """A scalar axis value checked against rank (TF's [-rank, rank)); message(axis, rank) when outside."""
    if value.ndim != 0:
        raise ShapeError(f"axis must be a scalar, got shape {list(value.shape)}")
    axis = int(value)
    if rank is not None and not -rank <= axis < rank:
        raise ShapeError(message(axis, rank))
    return axis


def _unknown_rank(t: TensorType, extra: int = 0) -> tuple[None, ...] | None:
    return None if t.rank is None else (None,) * (t.rank + extra)


# ---- reductions: TF's Sum/Mean/...: axes a scalar or a vector; unknown: unknown rank unless keepdims ------------
def _reduce_infer(allowed):
    def infer(types, attrs):
        t = tensor_operand(types, 0)
        require_dtype(t.dtype, allowed)
        return [TensorType(t.dtype, _unknown_rank(t) if attrs["keepdims"] else None)]
    return infer


def _reduce_convert(values, ranks, attrs):
    axes = values[0]
    if axes.ndim > 1:
        raise ShapeError(f"reduction indices must be a scalar or a vector, got shape {list(axes.shape)}")
    for a in np.atleast_1d(axes).tolist():
        if not -max(ranks[0], 1) <= a < max(ranks[0], 1):
            raise ShapeError(f"Invalid reduction dimension ({a} for input with {ranks[0]} dimension(s)")
    return {"axes": tuple(int(a) for a in np.atleast_1d(axes)), "keepdims": attrs["keepdims"]}


for _op, _allowed in (("reduce_sum", NUMERIC), ("reduce_mean", NUMERIC), ("reduce_max", NUMERIC),
                      ("reduce_min", NUMERIC), ("reduce_prod", NUMERIC), ("reduce_any", (bool_,)),
                      ("reduce_all", (bool_,))):
    _twin(f"dfc.dynamic_{_op}", f"dfc.{_op}", _reduce_infer(_allowed), _reduce_convert,
          {"keepdims": Attr("bool", False)})


# ---- argmax / argmin: one dim fewer, all unknown -------------------------------------------------------------
def _arg_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, NUMERIC)
    if t.rank == 0:
        raise ShapeError(f"argmax of the scalar {t} has no axis")
    return [TensorType(attrs["output_type"], _unknown_rank(t, -1))]


def _arg_convert(values, ranks, attrs):
    axis = value_axis(values[0], ranks[0], lambda a, r: f"Expected dimension in the range [{-r}, {r}), but got {a}")
    return {"axis": axis, "output_type": attrs["output_type"]}


for _op in ("argmax", "argmin"):
    _twin(f"dfc.dynamic_{_op}", f"dfc.{_op}", _arg_infer, _arg_convert, {"output_type": Attr("dtype", i64)})


# ---- concat: the rank is known, no dim -------------------------------------------------------------------------
def _concat_infer(types, attrs):
    ts = [tensor_operand(types, i) for i in range(len(types))]
    ranks = {t.rank for t in ts if t.rank is not None}
    if len(ranks) > 1:
        raise ShapeError("concat operands must have one rank, got " + ", ".join(str(t) for t in ts))
    if len({t.dtype for t in ts}) > 1:
        raise ShapeError("concat operands must have one dtype, got " + ", ".join(str(t) for t in ts))
    return [TensorType(ts[0].dtype, (None,) * ranks.pop() if ranks else None)]


def _concat_convert(values, ranks, attrs):
    rank = next((r for r in ranks if r is not None), None)
    message = "ConcatOp : Expected concatenating dimensions in the range [{0}, {1}), but got {2}"
    return {"axis": value_axis(values[0], rank, lambda a, r: message.format(-r, r, a))}


_twin("dfc.dynamic_concat", "dfc.concat", _concat_infer, _concat_convert, {})


# ---- gather along a fed axis: rank params + indices - 1, no dim -------------------------------------------------
def _gather_infer(types, attrs):
    params, indices = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(indices.dtype, (i32, i64), "indices")
    rank = None if params.rank is None or indices.rank is None else params.rank + indices.rank - 1
    return [params.with_shape(None if rank is None else (None,) * rank)]


def _gather_convert(values, ranks, attrs):
    # TF's GatherV2 checks the axis by asking params for rank axis + 1
    return {"axis": value_axis(values[0], ranks[0], lambda a, r: f"Shape must be at least rank "
                                                                 f"{(a if a >= 0 else -a) + 1} but is rank {r}")}


_twin("dfc.dynamic_gather", "dfc.gather", _gather_infer, _gather_convert, {})


# ---- split (TF's Split / SplitV) along a fed axis: each piece has x's rank, no dim ------------------------------
def _split_infer(types, attrs):
    t = tensor_operand(types, 0)
    return [t.with_shape(_unknown_rank(t)) for _ in attrs["sizes"]]


def _split_convert(values, ranks, attrs):
    axis = value_axis(values[0], ranks[0], lambda a, r: f"-input rank(-{r}) <= split_dim < input rank ({r}), "
                                                        f"but got {a}")
    return {"axis": axis, "sizes": attrs["sizes"]}


_twin("dfc.dynamic_split", "dfc.split", _split_infer, _split_convert, {"sizes": Attr("ints")})


# ---- ops that keep x's shape: cumsum/cumprod, softmax/log_softmax ---------------------------------------------
def _same_infer(allowed):
    def infer(types, attrs):
        t = tensor_operand(types, 0)
        require_dtype(t.dtype, allowed)
        return [t]
    return infer


def _axis_convert(message: str, keep: tuple[str, ...] = ()) -> Convert:
    def convert(values, ranks, attrs):
        axis = value_axis(values[0], ranks[0], lambda a, r: message.format(a=a, r=r))
        return {"axis": axis, **{k: attrs[k] for k in keep}}
    return convert


_SCAN = {"exclusive": Attr("bool", False), "reverse": Attr("bool", False)}
for _op in ("cumsum", "cumprod"):
    _twin(f"dfc.dynamic_{_op}", f"dfc.{_op}", _same_infer(NUMERIC),
          _axis_convert("ScanOp: Expected scan axis in the range [-{r}, {r}), but got {a}", ("exclusive", "reverse")),
          dict(_SCAN))
for _op in ("softmax", "log_softmax"):
    _twin(f"dfc.dynamic_{_op}", f"dfc.{_op}", _same_infer(FLOATS),
          _axis_convert("axis {a} is out of range for a tensor of rank {r}"), {})


# ---- expand_dims: TF gives an unknown rank -------------------------------------------------------------------
def _expand_infer(types, attrs):
    return [tensor_operand(types, 0).with_shape(None)]


def _expand_convert(values, ranks, attrs):
    value = values[0]
    if value.size != 1:
        raise ShapeError(f"'dim' must be a tensor with a single value, got shape {list(value.shape)}")
    rank = ranks[0]
    axis = int(value.reshape(()))
    if not -1 - rank <= axis <= rank:
        raise ShapeError(f"Tried to expand dim index {axis} for tensor with {rank} dimensions.")
    return {"axis": axis}


_twin("dfc.dynamic_expand_dims", "dfc.expand_dims", _expand_infer, _expand_convert, {})


# ---- slices: tf.reverse with fed axes (x's shape), x[b:e:k] with a fed k (an unknown rank, as TF's) ------------
def _reverse_infer(types, attrs):
    return [tensor_operand(types, 0)]


def _reverse_convert(values, ranks, attrs):
    axes, rank = values[0], ranks[0]
    if axes.ndim != 1:
        raise ShapeError(f"'axis' must be 1-D, not {list(axes.shape)}")
    seen: set[int] = set()
    for a in axes.tolist():
        if not -rank <= a < rank:
            raise ShapeError(f"'axis'[{len(seen)}] = {a} is out of valid range [0, {rank - 1}")
        if a % rank in seen:
            raise ShapeError(f"axis {a % rank} specified more than once.")
        seen.add(a % rank)
    return {"begin": tuple(SLICE_END if i in seen else 0 for i in range(rank)),
            "end": tuple(SLICE_START_REVERSED if i in seen else SLICE_END for i in range(rank)),
            "strides": tuple(-1 if i in seen else 1 for i in range(rank))}


_twin("dfc.dynamic_reverse", "dfc.slice", _reverse_infer, _reverse_convert, {},
      doc="x reversed along the dims its leading operand's value names (tf.reverse with a fed axis); specialize "
          "makes it a dfc.slice")

#: a strided slice's bound the user left out (x[::k]): where it is depends on the sign of the fed stride
OMITTED = -(2**62)


def _strided_infer(types, attrs):
    t = tensor_operand(types, 0)
    if t.rank is not None and len(attrs["begin"]) != t.rank:
        raise ShapeError(f"strided slice of {t} needs begin/end with {t.rank} entries, got {len(attrs['begin'])}")
    # TF knows no rank; dfc keeps it where indices or new axes follow (a squeeze needs it)
    return [t.with_shape(_unknown_rank(t) if attrs["keep_rank"] else None)]


def _strided_convert(values, ranks, attrs):
    strides = values[0]
    if strides.shape != (len(attrs["begin"]),):
        raise ShapeError(f"strides must have {len(attrs['begin'])} entries, got shape {list(strides.shape)}")
    if np.any(strides == 0):
        raise ShapeError(f"strides[{int(np.flatnonzero(strides == 0)[0])}] must be non-zero")
    begin, end = [], []
    for b, e, s in zip(attrs["begin"], attrs["end"], strides.tolist()):
        begin.append((0 if s > 0 else SLICE_END) if b == OMITTED else b)
        end.append((SLICE_END if s > 0 else SLICE_START_REVERSED) if e == OMITTED else e)
    return {"begin": tuple(begin), "end": tuple(end), "strides": tuple(int(s) for s in strides)}


_twin("dfc.dynamic_strided_slice", "dfc.slice", _strided_infer, _strided_convert,
      {"begin": Attr("ints"), "end": Attr("ints"), "keep_rank": Attr("bool", False)},
      doc=f"x[b:e:k] per dim with the strides k its leading operand's value gives; a bound of {OMITTED} was left "
          f"out (its place depends on the stride's sign); specialize makes it a dfc.slice")
