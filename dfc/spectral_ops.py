"""TF1's Fourier transforms: tf.fft/ifft/fft2d/ifft2d/fft3d/ifft3d and tf.spectral's rfft/irfft (1 to 3 axes).

Each is one IR op (ir/ops/spectral.py): `dfc.fft` over the last 1, 2 or 3 axes, `dfc.rfft` and
`dfc.irfft` with TF's `fft_length` (the transformed axes cropped or zero-padded to it; rfft's last
axis keeps fft_length // 2 + 1 frequencies). The gradients are TF's (compiler/autodiff_spectral.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conversion import constant_value, convert_to_tensor
from .graph_builder import Tensor, make


def _complex_input(x: Any, what: str) -> Tensor:
    t = convert_to_tensor(x, name="input")
    if not t.dtype.is_complex:
        raise TypeError(f"{what} takes a complex64 or complex128 tensor, got {t.dtype.name} ({t.name})")
    return t


def _transform(rank: int, inverse: bool, default: str):
    def fn(input, name: str | None = None) -> Tensor:  # noqa: A002 - TF's argument name
        x = _complex_input(input, default)
        if x.shape.ndims is not None and x.shape.ndims < rank:
            raise ValueError(f"Shape must be at least rank {rank} but is rank {x.shape.ndims} for '{default}' "
                             f"of {x.name}")
        return make("dfc.fft", [x], {"rank": rank, "inverse": inverse}, name=name or default)
    fn.__name__ = default.lower()
    fn.__doc__ = f"TF's {default}: the {'inverse ' if inverse else ''}DFT over the last {rank} axes."
    return fn


fft = _transform(1, False, "FFT")
ifft = _transform(1, True, "IFFT")
fft2d = _transform(2, False, "FFT2D")
ifft2d = _transform(2, True, "IFFT2D")
fft3d = _transform(3, False, "FFT3D")
ifft3d = _transform(3, True, "IFFT3D")


def _lengths(fft_length, x: Tensor, rank: int, real_input: bool, what: str) -> list[int]:
    """fft_length as ints: given (a list, an array, a constant tensor), or the input's inner dims (irfft's last
    one 2 * (n - 1), as TF infers it)."""
    if fft_length is None:
        dims = x.shape.as_list()[-rank:] if x.shape.ndims is not None else [None] * rank
        if None in dims:
            raise ValueError(f"{what} needs fft_length or the static inner dims of {x.name}, got {x.shape}")
        if not real_input:
            dims[-1] = 2 * (dims[-1] - 1)
        return dims
    known = constant_value(fft_length) if isinstance(fft_length, Tensor) else np.asarray(fft_length)
    if known is None:
        raise ValueError(f"{what}: dfc needs fft_length known while the graph is built, got {fft_length.name}")
    known = np.asarray(known).reshape(-1)
    if known.size != rank:
        raise ValueError(f"Dimension must be {rank} but is {known.size} for '{what}' (fft_length {list(known)})")
    return [int(n) for n in known]


def _real_transform(rank: int, default: str):
    def fn(input_tensor, fft_length=None, name: str | None = None) -> Tensor:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        if x.dtype.name not in ("float32", "float64"):
            raise TypeError(f"{default} takes a float32 or float64 tensor, got {x.dtype.name} ({x.name})")
        lengths = _lengths(fft_length, x, rank, True, default)
        return make("dfc.rfft", [x], {"fft_length": lengths}, name=name or default)
    fn.__name__ = default.lower()
    fn.__doc__ = f"TF's {default}: the DFT of a real signal over the last {rank} axes (fft_length // 2 + 1 last)."
    return fn


def _inverse_real_transform(rank: int, default: str):
    def fn(input_tensor, fft_length=None, name: str | None = None) -> Tensor:
        x = _complex_input(input_tensor, default)
        lengths = _lengths(fft_length, x, rank, False, default)
        return make("dfc.irfft", [x], {"fft_length": lengths}, name=name or default)
    fn.__name__ = default.lower()
    fn.__doc__ = f"TF's {default}: the real signal of a Hermitian half-spectrum over the last {rank} axes."
    return fn


rfft = _real_transform(1, "RFFT")
rfft2d = _real_transform(2, "RFFT2D")
rfft3d = _real_transform(3, "RFFT3D")
irfft = _inverse_real_transform(1, "IRFFT")
irfft2d = _inverse_real_transform(2, "IRFFT2D")
irfft3d = _inverse_real_transform(3, "IRFFT3D")
