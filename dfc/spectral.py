"""tf.spectral: TF1's Fourier-transform namespace (the transforms of dfc/spectral_ops.py, the DCTs of tf.signal)."""

from __future__ import annotations

from .signal import dct, idct
from .spectral_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d, irfft, irfft2d, irfft3d, rfft, rfft2d, rfft3d

__all__ = ["dct", "fft", "fft2d", "fft3d", "idct", "ifft", "ifft2d", "ifft3d", "irfft", "irfft2d", "irfft3d", "rfft",
           "rfft2d", "rfft3d"]
