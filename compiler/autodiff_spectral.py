"""VJP rules of the complex-number and Fourier-transform ops (ir/ops/spectral.py), a part of the autodiff table.

TF's convention: the gradient of a real loss L with respect to a complex z is dL/dRe(z) + i dL/dIm(z), so a
holomorphic op passes g * conj(f'(z)) back, tf.real's gradient is complex(g, 0), tf.imag's complex(0, g),
ComplexAbs's g z / |z| (0 at 0) and FFT's size * IFFT(g). The real transforms' rules are the adjoints of the
linear maps they are: RFFT's is the real part of the inverse transform of g zero-padded to the whole spectrum
(times its size), cut or padded back to the input's inner dims; IRFFT's is the RFFT of g with the frequencies
that stand for two (all but 0 and, for an even length, the last) counted twice, over the size (TF's rules).
"""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Op, Value
from dfc.ir.ops.shape import SLICE_END


def _complex_parts(op: Op, g, b):
    re, im = op.inputs
    return [b.sum_to(b("real", g), re), b.sum_to(b("imag", g), im)]


def _complex_abs(op: Op, g, b):
    """g z / |z|, 0 where |z| is 0 (TF's div_no_nan)."""
    x, y = op.inputs[0], op.results[0]
    zero = b("equal", y, 0.0)
    scale = b("select", zero, 0.0, b("div", g, b("select", zero, 1.0, y)))
    return [b("mul", x, b("complex", scale, 0.0))]


def _angle(op: Op, g, b):
    """-complex(g, 0) / complex(Im z, Re z) (TF's rule)."""
    x = op.inputs[0]
    return [b("neg", b("div", b("complex", g, 0.0), b("complex", b("imag", x), b("real", x))))]


def _size(v: Value, rank: int) -> float:
    return float(np.prod(v.type.shape[v.type.rank - rank:], dtype=np.float64))


def _fft(op: Op, g, b):
    rank, inverse = op.attrs["rank"], op.attrs["inverse"]
    back = b("fft", g, rank=rank, inverse=not inverse)
    size = _size(g, rank)
    return [b("div", back, size) if inverse else b("mul", back, size)]


def _fit(b, v: Value, dims: tuple[int, ...]) -> Value:
    """v's last len(dims) axes cut or zero-padded (at their ends) to dims."""
    rank = v.type.rank
    for axis in range(rank - len(dims), rank):
        have, want = v.type.shape[axis], dims[axis - rank + len(dims)]
        if have > want:
            v = b("slice", v, begin=[0] * rank, end=[want if i == axis else SLICE_END for i in range(rank)],
                  strides=[1] * rank)
        elif have < want:
            shape = v.type.shape[:axis] + (want - have,) + v.type.shape[axis + 1:]
            v = b("concat", v, b.const(0.0, v.type.dtype, shape), axis=axis)
    return v


def _rfft(op: Op, g, b):
    x = op.inputs[0]
    lengths = tuple(op.attrs["fft_length"])
    rank = len(lengths)
    whole = _fit(b, g, lengths)  # the dropped negative frequencies get no gradient: zeros
    back = b("real", b("fft", whole, rank=rank, inverse=True))
    scaled = b("mul", back, float(np.prod(lengths, dtype=np.float64)))
    return [_fit(b, scaled, x.type.shape[x.type.rank - rank:])]


def _irfft(op: Op, g, b):
    x = op.inputs[0]
    lengths = tuple(op.attrs["fft_length"])
    rank = len(lengths)
    spectrum = b("rfft", g, fft_length=list(lengths))
    half = lengths[-1] // 2 + 1
    mask = np.full(half, 2.0)
    mask[0] = 1.0
    if lengths[-1] % 2 == 0:
        mask[-1] = 1.0
    mask /= float(np.prod(lengths, dtype=np.float64))
    weights = b._make("dfc.constant", [], {"value": mask.astype(x.type.dtype.np)}, "mask").results[0]
    return [_fit(b, b("mul", spectrum, weights), x.type.shape[x.type.rank - rank:])]


#: op name -> VJP rule, merged into compiler/autodiff.py's VJP
SPECTRAL_VJP = {
    "dfc.complex": _complex_parts,
    "dfc.real": lambda op, g, b: [b("complex", g, 0.0)],
    "dfc.imag": lambda op, g, b: [b("complex", b.zeros(g), g)],
    "dfc.conj": lambda op, g, b: [b("conj", g)],
    "dfc.complex_abs": _complex_abs,
    "dfc.angle": _angle,
    "dfc.fft": _fft,
    "dfc.rfft": _rfft,
    "dfc.irfft": _irfft,
}
