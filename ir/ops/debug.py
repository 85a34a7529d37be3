"""Run-time checks: assert (tf.Assert and the tf.debugging.assert_* family) and check_numerics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..dtypes import FLOATS, bool_
from ..errors import ShapeError
from ..types import CONTROL
from .registry import Attr, OpDef, register, require_dtype, tensor_operand

#: how a tensor operand is marked among an assert's message parts (a literal % is written %%)
TENSOR_PART = "%t"


def summarize(value: np.ndarray, count: int) -> str:
    """A tensor as TF's error messages show it: the first `count` elements, nested in brackets by dims."""
    flat = np.asarray(value).reshape(-1)
    shown = flat if count < 0 else flat[:count]
    items = [("1" if v else "0") if flat.dtype == np.bool_ else f"{v:g}" if flat.dtype.kind == "f" else
             v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in shown.tolist()]
    more = "..." if len(shown) < flat.size else ""
    if np.ndim(value) <= 1:
        return " ".join(items) + more
    inner = int(np.prod(np.shape(value)[1:]))
    rows = ["[" + " ".join(items[i:i + inner]) + "]" for i in range(0, len(items), inner)]
    return "[" + "".join(rows) + (more and "...") + "]"


def assert_message(parts: Sequence[str], values: Iterable[np.ndarray], summarize_count: int) -> str:
    it = iter(values)
    shown = []
    for p in parts:
        shown.append(summarize(next(it), summarize_count) if p == TENSOR_PART else p.replace("%%", "%"))
    return "assertion failed: " + " ".join(f"[{s}]" for s in shown)


def _assert_infer(types, attrs):
    cond = tensor_operand(types, 0, "condition")
    require_dtype(cond.dtype, (bool_,), "condition")
    if sum(p == TENSOR_PART for p in attrs["parts"]) != len(types) - 1:
        raise ShapeError(f"assert has {len(types) - 1} data tensors but its message parts name "
                         f"{sum(p == TENSOR_PART for p in attrs['parts'])}")
    return [CONTROL]


def _assert(cond, *data, parts, summarize):
    if not np.all(cond):
        raise ValueError(assert_message(parts, data, summarize))  # the interpreter names the op and its line


register(OpDef("dfc.assert", "debug", _assert_infer, _assert, (1, None),
               {"parts": Attr("strs", ()), "summarize": Attr("int", 3)}, differentiable=False, stateful=True,
               fusible_as=None,
               doc="fails the run with the message parts (literal text, and data tensors where a part is %t) "
                   "unless every element of the condition is true; its result orders other ops after it"))


def _check_numerics_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, FLOATS)
    return [t]


def numerics_problem(has_inf: bool, has_nan: bool) -> str | None:
    if has_inf and has_nan:
        return "Inf and NaN"
    return "Inf" if has_inf else "NaN" if has_nan else None


def _check_numerics(x, message):
    with np.errstate(all="ignore"):
        values = x.astype(np.float32) if x.dtype.kind == "V" else x  # bfloat16
        problem = numerics_problem(bool(np.any(np.isinf(values))), bool(np.any(np.isnan(values))))
    if problem:
        raise ValueError(f"{message} : Tensor had {problem} values")
    return x.copy()


register(OpDef("dfc.check_numerics", "debug", _check_numerics_infer, _check_numerics, 1,
               {"message": Attr("str", "")}, stateful=True, fusible_as=None,
               doc="x, after failing the run if x holds an inf or a NaN (tf.check_numerics)"))


# ---- printing (tf.Print, tf.print): a host side effect; the value passes through ----------------------
#: how often each print op (its `site`) has printed in this process: first_n stops it after n
PRINT_COUNTS: dict[int, int] = {}


def print_text(parts: Sequence[str], values: Iterable[np.ndarray], summarize_count: int, sep: str,
               brackets: bool) -> str:
    """The printed line: literal parts as they are, tensors summarized (in brackets, or scalars bare)."""
    it = iter(values)
    shown = []
    for p in parts:
        if p == TENSOR_PART:
            v = np.asarray(next(it))
            if not brackets and v.dtype == object and v.ndim:  # tf.print quotes strings, as tf.strings.format
                from .strings import format_tensor
                shown.append(format_tensor(v, summarize_count))
                continue
            text = summarize(v, summarize_count)
            shown.append(f"[{text}]" if brackets or v.ndim else text)
        else:
            shown.append(p.replace("%%", "%"))
    return sep.join(shown)


def should_print(site: int, first_n: int) -> bool:
    count = PRINT_COUNTS.get(site, 0)
    PRINT_COUNTS[site] = count + 1
    return first_n < 0 or count < first_n


def _print_infer(types, attrs):
    if sum(p == TENSOR_PART for p in attrs["parts"]) != len(types) - 1:
        raise ShapeError(f"print has {len(types) - 1} data tensors but its parts name "
                         f"{sum(p == TENSOR_PART for p in attrs['parts'])}")
    return [tensor_operand(types, 0)]


def _print(x, *data, parts, summarize, first_n, site, sep, end, brackets):
    if should_print(site, first_n):
        import sys
        sys.stderr.write(print_text(parts, data, summarize, sep, brackets) + end)
        sys.stderr.flush()
    return x.copy()


register(OpDef("dfc.print", "debug", _print_infer, _print, (1, None),
               {"parts": Attr("strs", ()), "summarize": Attr("int", 3), "first_n": Attr("int", -1),
                "site": Attr("int", 0), "sep": Attr("str", ""), "end": Attr("str", "\n"),
                "brackets": Attr("bool", True)},
               stateful=True, fusible_as=None,
               doc="x, after writing the parts (text, and the data tensors where a part is %t) to stderr, the "
                   "first `first_n` times the op runs (tf.Print, tf.print)"))
