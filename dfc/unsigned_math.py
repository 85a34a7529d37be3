"""Unsigned arithmetic of the DSL: TF's uint8/16/32/64 kernels as signed ops, so no backend needs unsigned ones.

The IR's unsigned dtypes are storage: ops move, cast, compare for equality and bit-twiddle them (a shift of an
unsigned value is logical). Arithmetic and ordering (TF's Add, FloorDiv, Less, Max, ArgMax, Sum, ...) run here in
a signed dtype and the result is cast back, which wraps modulo 2**bits as TF's unsigned kernels do:

- uint8 and uint16 run in int32, uint32 in int64: every value fits, so each op is exact (TF's uint32 mean sums
  without wrapping too, as int64 does);
- uint64 has no wider signed dtype. Its bits are an int64's: sums, differences and products are the same bits
  (two's complement wraps as unsigned does); orderings compare the bits with the top one flipped (x ^ 2**63 orders
  as x does unsigned); quotients are a long division by halves (`_divide64`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dfc.ir.dtypes import UNSIGNED, DType, i32, i64, u8, u16, u32, u64
from dfc.ir.errors import InvalidArgumentError

from .conversion import _user_line
from .framework import Tensor, constant, make, name_scope

#: unsigned dtypes whose every value fits a signed dtype: their ops run there exactly
WIDER = {u8: i32, u16: i32, u32: i64}
#: the binary ops TF defines on unsigned integers that compare (a bool result) rather than compute
COMPARISONS = frozenset({"less", "less_equal", "greater", "greater_equal"})
#: binary ops whose result's bits do not depend on signedness (two's complement wraps as unsigned)
WRAPPING = frozenset({"add", "sub", "mul", "square", "dfc.reduce_sum", "dfc.reduce_prod", "dfc.cumsum",
                      "dfc.cumprod"})
#: ops that choose or order values (their results are operands' values, bools or positions)
ORDERING = COMPARISONS | {"maximum", "minimum", "dfc.reduce_max", "dfc.reduce_min", "argmax", "argmin"}
#: ops that divide
DIVIDING = frozenset({"floordiv", "div", "mod", "dfc.reduce_mean"})
_TOP = np.int64(-(2 ** 63))  # the sign bit: xor'ed in, int64's order becomes uint64's


def handled(dtype: DType, op: str) -> bool:
    """Whether `op` on `dtype` runs here: an unsigned dtype and an op TF has an unsigned kernel for."""
    if dtype in WIDER:
        return op in WRAPPING | ORDERING | DIVIDING
    return dtype is u64 and op in WRAPPING | ORDERING | DIVIDING


def refuse_unsigned(x: Tensor, tf_op: str, label: str) -> None:
    """TF's error for an op with no kernel for x's unsigned dtype (MatMul, RealDiv): it fails when run, with
    InvalidArgumentError; dfc says so when the op is made, in TF's words."""
    if x.dtype in UNSIGNED:
        raise InvalidArgumentError(f"{_user_line()}No OpKernel was registered to support Op '{tf_op}' used by "
                                   f"{{{{node {label}}}}} with these attrs: [T=DT_{x.dtype.name.upper()}] "
                                   f"({x.name} is {x.dtype.name}: TF has no {x.dtype.name} kernel for {tf_op})")


def _cast(x: Tensor, dtype: DType) -> Tensor:
    return make("dfc.cast", [x], {"dtype": dtype}, name="Cast")


def _flip(x: Tensor) -> Tensor:
    """x's bits with the top one flipped: int64 values that order as the uint64 values did."""
    return make("dfc.bitwise_xor", [x, constant(_TOP, dtype=i64)], name="FlipTop")


def in_signed(build: Callable[..., Tensor], xs: list[Tensor], back: DType | None, name: str, op: str) -> Tensor:
    """build(*xs as signed) for unsigned xs of one dtype, its result cast back to `back` (None: the result as
    built, a bool or an index) under `name`. `op` says what kind of op `build` makes (see the module doc)."""
    dtype = xs[0].dtype
    with name_scope(None, f"{name}_unsigned"):
        if dtype in WIDER:
            out = build(*[_cast(x, WIDER[dtype]) for x in xs])
        elif op in ORDERING:
            out = build(*[_flip(_cast(x, i64)) for x in xs])
            if back is not None:
                out = _flip(out)
        else:
            out = build(*[_cast(x, i64) for x in xs])
    return make("dfc.cast", [out], {"dtype": back}, name=name) if back is not None else out


def divide64(x: Tensor, y: Tensor, op: str, name: str) -> Tensor:
    """x // y (op floordiv or div) or x % y (mod) of uint64 tensors, by int64 ops. A zero y fails as TF's
    kernel does (the int64 division it reaches is by zero)."""
    with name_scope(None, f"{name}_unsigned"):
        a, b = _cast(x, i64), _cast(y, i64)
        q = _quotient64(a, b)
        out = q if op != "mod" else make("dfc.sub", [a, make("dfc.mul", [q, b])])
    return make("dfc.cast", [out], {"dtype": u64}, name=name)


def _quotient64(a: Tensor, b: Tensor) -> Tensor:
    """The uint64 quotient of the int64 bits a and b. A divisor of 2**63 or more goes once or not at all; a
    smaller one divides half of a (a >> 1, logical, fits int64), and the doubled quotient is off by at most one."""
    uge = make("dfc.greater_equal", [_flip(a), _flip(b)])  # a >= b unsigned
    big = make("dfc.less", [b, constant(0, dtype=i64)])
    half = make("dfc.bitwise_and", [make("dfc.right_shift", [a, constant(1, dtype=i64)]),
                                    constant(np.int64(2 ** 63 - 1), dtype=i64)])
    # a big divisor (negative as int64) is swapped for 1 here so its unused lane cannot fail; zero still fails
    safe = make("dfc.select", [big, constant(1, dtype=i64), b])
    q = make("dfc.left_shift", [make("dfc.floordiv", [half, safe]), constant(1, dtype=i64)])
    r = make("dfc.sub", [a, make("dfc.mul", [q, safe])])
    more = make("dfc.greater_equal", [_flip(r), _flip(safe)])  # the remainder r < 2 * b still holds one b
    q = make("dfc.add", [q, _cast(more, i64)])
    return make("dfc.select", [big, _cast(uge, i64), q])


def mean64(total: Tensor, count: Tensor, name: str) -> Tensor:
    """TF's uint64 mean: the wrapped sum `total` (uint64) divided by the element count `count` (int64)."""
    with name_scope(None, f"{name}_unsigned"):
        q = _quotient64(_cast(total, i64), count)
    return make("dfc.cast", [q], {"dtype": u64}, name=name)


__all__ = ["WIDER", "divide64", "handled", "in_signed", "mean64", "refuse_unsigned"]
