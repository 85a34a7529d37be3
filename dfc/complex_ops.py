"""TF1's complex-number functions: tf.complex, tf.real, tf.imag, tf.conj, tf.angle, tf.to_complex64/128.

complex64 and complex128 are host values (ir/dtypes.py): the ops here run in numpy, also inside a
compiled step (runtime/host_strings.py). As in TF, tf.real, tf.conj and tf.angle take real tensors too
(the tensor itself, itself, and pi where it is negative), and tf.imag of a real tensor is zeros.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import c64, c128, f32, f64

from .conversion import constant, convert_to_tensor
from .graph_builder import Tensor, make
from .scopes import name_scope


def complex(real, imag, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    """real + i * imag, broadcasting: float32 parts make complex64, float64 ones complex128."""
    re = convert_to_tensor(real, name="real")
    im = convert_to_tensor(imag, dtype=re.dtype if re.dtype in (f32, f64) else None, name="imag")
    if re.dtype != im.dtype or re.dtype not in (f32, f64):
        raise TypeError(f"The dtypes of real and imag must be float32 or float64 and equal: real {re.name} is "
                        f"{re.dtype.name}, imag {im.name} is {im.dtype.name}")
    return make("dfc.complex", [re, im], name=name or "Complex")


def real(input, name: str | None = None) -> Tensor:  # noqa: A002 - TF's argument name
    """The real part of a complex tensor; a real tensor itself."""
    x = convert_to_tensor(input, name="input")
    if not x.dtype.is_complex:
        return x
    return make("dfc.real", [x], name=name or "Real")


def imag(input, name: str | None = None) -> Tensor:  # noqa: A002
    """The imaginary part of a complex tensor; zeros of a real one's shape and dtype."""
    x = convert_to_tensor(input, name="input")
    if not x.dtype.is_complex:
        return make("dfc.fill_like", [x], {"value": 0.0, "dtype": x.dtype}, name=name or "Imag")
    return make("dfc.imag", [x], name=name or "Imag")


def conj(x, name: str | None = None) -> Tensor:
    """The complex conjugate; a real (or integer) tensor itself, as in TF."""
    x = convert_to_tensor(x, name="x")
    if not x.dtype.is_complex:
        if x.dtype.is_string or x.dtype.is_bool:
            raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r} ({x.name})")
        return x
    return make("dfc.conj", [x], name=name or "Conj")


def angle(input, name: str | None = None) -> Tensor:  # noqa: A002
    """The argument atan2(imag, real) of a complex tensor; of a real one pi where it is negative, else 0."""
    x = convert_to_tensor(input, name="input")
    if x.dtype.is_complex:
        return make("dfc.angle", [x], name=name or "Angle")
    with name_scope(name, "Angle", [x]):
        negative = make("dfc.less", [x, constant(0, dtype=x.dtype)])
        pi = make("dfc.fill_like", [x], {"value": float(np.pi), "dtype": x.dtype})
        return make("dfc.select", [negative, pi, make("dfc.fill_like", [x], {"value": 0.0, "dtype": x.dtype})])


def complex_abs(x: Tensor, name: str | None = None) -> Tensor:
    """|x| of a complex tensor, in its parts' dtype (TF's ComplexAbs, what tf.abs gives for complex input)."""
    return make("dfc.complex_abs", [x], name=name or "ComplexAbs")


def _cast(x, dtype, name: str) -> Tensor:
    x = convert_to_tensor(x)
    if x.dtype is dtype:
        return x
    return make("dfc.cast", [x], {"dtype": dtype}, name=name)


def to_complex64(x, name: str = "ToComplex64") -> Tensor:
    """x cast to complex64 (a real value becomes the real part)."""
    return _cast(x, c64, name)


def to_complex128(x, name: str = "ToComplex128") -> Tensor:
    """x cast to complex128 (a real value becomes the real part)."""
    return _cast(x, c128, name)
