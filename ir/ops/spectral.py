"""Complex numbers and Fourier transforms: complex/real/imag/conj/angle/abs, FFT, real FFT and its inverse.

TF's complex64 and complex128 are host values (`DType.on_host`): every op that reads or makes one runs
on the interpreter, in numpy, also inside a compiled step (runtime/host_strings.py splits the step), so
these ops have a numpy reference and no kernel. The transforms are TF's FFT/IFFT (ranks 1 to 3: the last
`rank` axes), RFFT and IRFFT, whose `fft_length` crops or zero-pads the transformed axes first, as TF's
kernels do; numpy computes them in double precision and rounds once to the result's dtype.
"""

from __future__ import annotations

import numpy as np

from ..dtypes import COMPLEX, DType, c64, c128, f32, f64
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, broadcast_shapes, register, require_dtype, same_dtype, tensor_operand

_COMPLEX_OF = {f32: c64, f64: c128}


def complex_of(dtype: DType) -> DType:
    """The complex dtype whose parts are `dtype` (float32 -> complex64)."""
    require_dtype(dtype, (f32, f64))
    return _COMPLEX_OF[dtype]


def _complex_infer(types, attrs):
    re, im = tensor_operand(types, 0), tensor_operand(types, 1)
    dtype = same_dtype([re, im])
    return [TensorType(complex_of(dtype), broadcast_shapes(re.shape, im.shape))]


def _complex(re, im):
    re, im = np.broadcast_arrays(re, im)
    out = np.empty(re.shape, np.complex64 if re.dtype == np.float32 else np.complex128)
    out.real, out.imag = re, im  # set part by part: re + 1j * im would turn an infinite part into NaN
    return out


def _part_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, COMPLEX)
    return [t.with_dtype(t.dtype.real_dtype)]


def _same_complex_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, COMPLEX)
    return [t]


def _host(name: str, infer, reference, num_operands: int = 1, attrs: dict | None = None, doc: str = "") -> None:
    register(OpDef(f"dfc.{name}", "complex", infer, reference, num_operands, attrs or {}, fusible_as=None, doc=doc))


_host("complex", _complex_infer, _complex, 2, doc="real + i * imag, broadcasting (tf.complex)")
_host("real", _part_infer, lambda x: np.real(x).copy(), doc="the real part (tf.real)")
_host("imag", _part_infer, lambda x: np.imag(x).copy(), doc="the imaginary part (tf.imag)")
_host("conj", _same_complex_infer, np.conj, doc="the complex conjugate (tf.conj)")
_host("angle", _part_infer, np.angle, doc="atan2(imag, real) (tf.angle)")
_host("complex_abs", _part_infer, np.abs, doc="the modulus |x| (tf.abs of a complex tensor, TF's ComplexAbs)")


# ---- Fourier transforms -----------------------------------------------------------------------------
def _transformed_axes(t: TensorType, rank: int, what: str) -> tuple[int, ...]:
    if rank not in (1, 2, 3):
        raise ShapeError(f"{what}'s rank must be 1, 2 or 3, got {rank}")
    if t.shape is not None and t.rank < rank:
        raise ShapeError(f"{what} of rank {rank} needs an input of rank >= {rank}, got shape {list(t.shape)}")
    return tuple(range(-rank, 0))


def _fft_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, COMPLEX)
    _transformed_axes(t, attrs["rank"], "fft")
    return [t]


def _fft(x, rank, inverse):
    axes = tuple(range(-rank, 0))
    out = np.fft.ifftn(x, axes=axes) if inverse else np.fft.fftn(x, axes=axes)
    return out.astype(x.dtype)


register(OpDef("dfc.fft", "complex", _fft_infer, _fft, 1, {"rank": Attr("int", 1), "inverse": Attr("bool", False)},
               fusible_as=None, doc="the discrete Fourier transform over the last `rank` axes, or its inverse "
                                    "(tf.fft, tf.ifft, tf.fft2d, ...)"))


def _fft_lengths(attrs, what: str) -> tuple[int, ...]:
    lengths = tuple(attrs["fft_length"])
    if len(lengths) not in (1, 2, 3):
        raise ShapeError(f"{what}'s fft_length must have 1, 2 or 3 entries, got {list(lengths)}")
    if any(n < 0 for n in lengths):
        raise ShapeError(f"{what}'s fft_length must not be negative, got {list(lengths)}")
    return lengths


def _rfft_infer(types, attrs):
    t = tensor_operand(types, 0)
    lengths = _fft_lengths(attrs, "rfft")
    dtype = complex_of(t.dtype)
    _transformed_axes(t, len(lengths), "rfft")
    if t.shape is None:
        return [TensorType(dtype, None)]
    inner = (*lengths[:-1], lengths[-1] // 2 + 1)
    return [TensorType(dtype, t.shape[:t.rank - len(lengths)] + inner)]


def _fit(x, lengths: tuple[int, ...]):
    """x's last len(lengths) axes cropped or zero-padded to `lengths` (what TF's kernels do with fft_length)."""
    lead = x.ndim - len(lengths)
    x = x[(Ellipsis, *(slice(0, n) for n in lengths))]
    pads = [(0, 0)] * lead + [(0, n - d) for n, d in zip(lengths, x.shape[lead:])]
    return np.pad(x, pads) if any(p for _, p in pads) else x


def _rfft(x, fft_length):
    axes = tuple(range(-len(fft_length), 0))
    fitted = _fit(x, tuple(fft_length))
    if fitted.size == 0:  # nothing to transform: zeros of the result's shape
        return np.zeros(fitted.shape[:-1] + (fft_length[-1] // 2 + 1,), complex_of_np(x.dtype))
    return np.fft.rfftn(fitted, axes=axes).astype(complex_of_np(x.dtype))


def complex_of_np(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.complex64 if dtype == np.float32 else np.complex128)


register(OpDef("dfc.rfft", "complex", _rfft_infer, _rfft, 1, {"fft_length": Attr("ints")}, fusible_as=None,
               doc="the Fourier transform of a real signal over the last len(fft_length) axes, the last one's "
                   "fft_length // 2 + 1 non-negative frequencies (tf.spectral.rfft, rfft2d, rfft3d)"))


def _irfft_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, COMPLEX)
    lengths = _fft_lengths(attrs, "irfft")
    _transformed_axes(t, len(lengths), "irfft")
    if t.shape is None:
        return [TensorType(t.dtype.real_dtype, None)]
    return [TensorType(t.dtype.real_dtype, t.shape[:t.rank - len(lengths)] + lengths)]


def _irfft(x, fft_length):
    lengths = tuple(fft_length)
    axes = tuple(range(-len(lengths), 0))
    real = np.float32 if x.dtype == np.complex64 else np.float64
    if not all(lengths) or x.size == 0:
        return np.zeros(x.shape[:x.ndim - len(lengths)] + lengths, real)
    # numpy crops or pads the input to the lengths (the last axis to n // 2 + 1) as TF's kernel does
    return np.fft.irfftn(x, s=lengths, axes=axes).astype(real)


register(OpDef("dfc.irfft", "complex", _irfft_infer, _irfft, 1, {"fft_length": Attr("ints")}, fusible_as=None,
               doc="the real signal of fft_length samples per transformed axis whose Hermitian half-spectrum is "
                   "the input (tf.spectral.irfft, irfft2d, irfft3d)"))
