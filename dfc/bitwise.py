"""tf.bitwise: TF1's bitwise operations on integer tensors (and, or, xor, invert, left and right shifts)."""

from __future__ import annotations

from dfc.ir.dtypes import INTEGERS, UNSIGNED

from .framework import Tensor, build_error, convert_to_tensor, make

_ALLOWED = INTEGERS + UNSIGNED


def _operand(x, other: Tensor | None, op: str, label: str) -> Tensor:
    t = convert_to_tensor(x, dtype=other.dtype if other is not None and not hasattr(x, "dtype") else None)
    if t.dtype not in _ALLOWED:
        raise TypeError(f"{build_error(op, label, '')} {t.name} has dtype {t.dtype.name}, not one of "
                        f"{', '.join(d.name for d in _ALLOWED)}")
    return t


def _binary(ir_op: str, tf_op: str):
    def fn(x, y, name: str | None = None) -> Tensor:
        label = name or tf_op
        if not hasattr(x, "dtype") and hasattr(y, "dtype"):
            b = _operand(y, None, tf_op, label)
            a = _operand(x, b, tf_op, label)
        else:
            a = _operand(x, None, tf_op, label)
            b = _operand(y, a, tf_op, label)
        if a.dtype is not b.dtype:
            raise TypeError(f"{build_error(tf_op, label, '')} {a.name} and {b.name} differ in dtype: "
                            f"{a.dtype.name} vs {b.dtype.name}")
        return make(ir_op, [a, b], name=label)
    fn.__name__ = ir_op.split(".")[1]
    fn.__doc__ = f"Elementwise {tf_op} of two integer tensors (broadcasting)."
    return fn


bitwise_and = _binary("dfc.bitwise_and", "BitwiseAnd")
bitwise_or = _binary("dfc.bitwise_or", "BitwiseOr")
bitwise_xor = _binary("dfc.bitwise_xor", "BitwiseXor")
left_shift = _binary("dfc.left_shift", "LeftShift")
right_shift = _binary("dfc.right_shift", "RightShift")
left_shift.__doc__ = "x << y elementwise; a shift outside [0, bits) is clamped to it, as TF's kernel does."
right_shift.__doc__ = "x >> y elementwise (arithmetic for signed x); shifts clamped to [0, bits - 1]."


def invert(x, name: str | None = None) -> Tensor:
    """~x: every bit flipped."""
    label = name or "Invert"
    return make("dfc.invert", [_operand(x, None, "Invert", label)], name=label)


__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]
