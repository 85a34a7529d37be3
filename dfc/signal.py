"""tf.signal: framing, windows, the short-time Fourier transform and its inverse, mel filterbanks, MFCCs, DCTs.

The pieces a speech front end is built of (tf.signal.stft -> tf.abs -> a mel matrix -> log -> MFCCs),
written over the DSL's ops: frames are a gather of the signal's samples (its gradient a segment sum),
overlap-and-add a segment sum, the STFT an RFFT of windowed frames (a host op: complex values run in
numpy, runtime/host_strings.py), and the windows, the mel matrix and the DCTs are constants computed
while the graph is built (the DCTs a matmul with a cosine matrix, equal to TF's FFT-based DCTs), so all
but the FFT compile natively. Sizes (frame lengths, steps, the signal's length) must be known while
building, as dfc needs them for its buffers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, f32

from .array_ops import gather, reshape, transpose
from .conversion import constant, constant_value, convert_to_tensor
from .graph_builder import Tensor
from .linalg_ops import tensordot
from .math_ops import multiply, unsorted_segment_sum
from .scopes import name_scope
from .spectral_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d, irfft, irfft2d, irfft3d, rfft, rfft2d, rfft3d
from .tensor_ops import pad, roll

__all__ = ["dct", "fft", "fft2d", "fft3d", "fftshift", "frame", "hamming_window", "hann_window", "idct", "ifft",
           "ifft2d", "ifft3d", "ifftshift", "inverse_stft", "inverse_stft_window_fn", "irfft", "irfft2d", "irfft3d",
           "linear_to_mel_weight_matrix", "mfccs_from_log_mel_spectrograms", "overlap_and_add", "rfft", "rfft2d",
           "rfft3d", "stft"]


def _static_int(value: Any, what: str) -> int:
    known = constant_value(value) if isinstance(value, Tensor) else np.asarray(value)
    if known is None or np.asarray(known).size != 1:
        raise ValueError(f"{what} must be an integer known while the graph is built, got {value!r}")
    return int(np.asarray(known).reshape(()))


def _axis_length(x: Tensor, axis: int, what: str) -> int:
    n = x.shape.as_list()[axis] if x.shape.ndims is not None else None
    if n is None:
        raise ValueError(f"{what}: dfc needs the length of axis {axis} of {x.name} while building, got {x.shape}")
    return n


# ---- framing --------------------------------------------------------------------------------------
def frame(signal, frame_length, frame_step, pad_end: bool = False, pad_value=0, axis: int = -1,
          name: str | None = None) -> Tensor:
    """Frames of frame_length samples every frame_step samples along `axis` (that axis becomes [frames,
    frame_length]); pad_end pads the end with pad_value so that a frame starts at every frame_step samples."""
    with name_scope(name, "frame", [signal]):
        x = convert_to_tensor(signal, name="signal")
        length, step = _static_int(frame_length, "frame_length"), _static_int(frame_step, "frame_step")
        if x.shape.ndims is None or x.shape.ndims < 1:
            raise ValueError(f"Shape must be at least rank 1 for frame of {x.name}, got {x.shape}")
        rank = x.shape.ndims
        axis = axis + rank if axis < 0 else axis
        n = _axis_length(x, axis, "frame")
        if pad_end:
            frames = -(-n // step)
            padded = max((frames - 1) * step + length, n) if frames else 0
            if padded > n:
                pads = [[0, 0]] * rank
                pads[axis] = [0, padded - n]
                x = pad(x, pads, constant_values=pad_value)
        else:
            frames = 1 + (n - length) // step if n >= length else 0
        positions = (np.arange(frames)[:, None] * step + np.arange(length)[None, :]).astype(np.int32)
        return gather(x, constant(positions, name="indices"), axis=axis)


def overlap_and_add(signal, frame_step, name: str | None = None) -> Tensor:
    """The frames of signal ([..., frames, frame_length]) added at frame_step apart: [..., output_length]."""
    with name_scope(name, "overlap_and_add", [signal, frame_step]):
        x = convert_to_tensor(signal, name="signal")
        step = _static_int(frame_step, "frame_step")
        if x.shape.ndims is None or x.shape.ndims < 2:
            raise ValueError(f"Shape must be at least rank 2 for overlap_and_add of {x.name}, got {x.shape}")
        dims = x.shape.as_list()
        frames, length = dims[-2], dims[-1]
        if frames is None or length is None or None in dims[:-2]:
            raise ValueError(f"overlap_and_add: dfc needs the shape of {x.name} while building, got {x.shape}")
        out_length = (frames - 1) * step + length if frames else 0
        outer = dims[:-2]
        batch = int(np.prod(outer, dtype=np.int64))
        flat = transpose(reshape(x, [batch, frames * length]), [1, 0])
        ids = (np.arange(frames)[:, None] * step + np.arange(length)[None, :]).reshape(-1).astype(np.int32)
        summed = unsorted_segment_sum(flat, constant(ids, name="positions"), out_length)
        return reshape(transpose(summed, [1, 0]), outer + [out_length])


# ---- windows --------------------------------------------------------------------------------------
def _raised_cosine(window_length, periodic: bool, dtype, a: float, b: float, what: str, name: str | None) -> Tensor:
    dtype = as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype!r}")
    with name_scope(name, what, []):
        length = _static_int(window_length, "window_length")
        if length == 1:
            return constant(np.ones(1, dtype.np))
        even = 1 - length % 2
        n = np.asarray(length + int(bool(periodic)) * even - 1, dtype.np)
        count = np.arange(length).astype(dtype.np)
        # in the window's own dtype, as TF computes it
        values = (dtype.np.type(a) - dtype.np.type(b) * np.cos(dtype.np.type(2 * np.pi) * count / n)).astype(dtype.np)
        return constant(values)


def hann_window(window_length, periodic: bool = True, dtype=f32, name: str | None = None) -> Tensor:
    """0.5 - 0.5 cos(2 pi n / N): N the length (periodic) or the length - 1."""
    return _raised_cosine(window_length, periodic, dtype, 0.5, 0.5, "hann_window", name)


def hamming_window(window_length, periodic: bool = True, dtype=f32, name: str | None = None) -> Tensor:
    """0.54 - 0.46 cos(2 pi n / N): N the length (periodic) or the length - 1."""
    return _raised_cosine(window_length, periodic, dtype, 0.54, 0.46, "hamming_window", name)


# ---- the short-time Fourier transform ------------------------------------------------------------
def _enclosing_power_of_two(n: int) -> int:
    return 1 << max(int(n) - 1, 0).bit_length()


def stft(signals, frame_length, frame_step, fft_length=None, window_fn: Callable | None = hann_window,
         pad_end: bool = False, name: str | None = None) -> Tensor:
    """The STFT of real signals [..., samples]: [..., frames, fft_length // 2 + 1], complex."""
    with name_scope(name, "stft", [signals]):
        x = convert_to_tensor(signals, name="signals")
        if x.dtype.name not in ("float32", "float64"):
            raise TypeError(f"stft takes float32 or float64 signals, got {x.dtype.name} ({x.name})")
        length = _static_int(frame_length, "frame_length")
        size = _enclosing_power_of_two(length) if fft_length is None else _static_int(fft_length, "fft_length")
        framed = frame(x, length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed = multiply(framed, window_fn(length, dtype=x.dtype))
        return rfft(framed, [size])


def inverse_stft_window_fn(frame_step, forward_window_fn: Callable = hann_window,
                           name: str | None = None) -> Callable:
    """A window function that makes inverse_stft undo stft with `forward_window_fn` (the forward window divided
    by the sum of its squares over the frames that overlap)."""
    step = _static_int(frame_step, "frame_step")

    def inverse_window(frame_length, dtype) -> Tensor:
        with name_scope(name, "inverse_stft_window_fn", []):
            length = _static_int(frame_length, "frame_length")
            forward = constant_value(forward_window_fn(length, dtype=dtype))
            if forward is None:
                raise ValueError("inverse_stft_window_fn needs a forward window known while the graph is built")
            squares = np.square(forward.astype(np.float64))
            overlaps = -(-length // step)
            squares = np.pad(squares, (0, overlaps * step - length)).reshape(overlaps, step)
            denominator = np.tile(squares.sum(0, keepdims=True), (overlaps, 1)).reshape(-1)[:length]
            return constant((forward / denominator).astype(as_dtype(dtype).np))
    return inverse_window


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn: Callable | None = hann_window,
                 name: str | None = None) -> Tensor:
    """The signals of STFTs [..., frames, fft_length // 2 + 1]: each frame's IRFFT, cut or padded to frame_length,
    windowed, overlapped and added."""
    with name_scope(name, "inverse_stft", [stfts]):
        x = convert_to_tensor(stfts, name="stfts")
        if not x.dtype.is_complex:
            raise TypeError(f"inverse_stft takes complex64 or complex128 stfts, got {x.dtype.name} ({x.name})")
        length = _static_int(frame_length, "frame_length")
        size = _enclosing_power_of_two(length) if fft_length is None else _static_int(fft_length, "fft_length")
        frames = irfft(x, [size])
        rank = frames.shape.ndims
        if size > length:
            frames = frames[..., :length]
        elif size < length:
            frames = pad(frames, [[0, 0]] * (rank - 1) + [[0, length - size]])
        if window_fn is not None:
            frames = multiply(frames, window_fn(length, dtype=frames.dtype))
        return overlap_and_add(frames, frame_step)


# ---- mel filterbanks and MFCCs -------------------------------------------------------------------
def _hertz_to_mel(frequencies: np.ndarray) -> np.ndarray:
    return 1127.0 * np.log1p(frequencies / 700.0)  # HTK's mel scale, as TF's


def linear_to_mel_weight_matrix(num_mel_bins: int = 20, num_spectrogram_bins: int = 129, sample_rate=8000,
                                lower_edge_hertz: float = 125.0, upper_edge_hertz: float = 3800.0, dtype=f32,
                                name: str | None = None) -> Tensor:
    """[num_spectrogram_bins, num_mel_bins]: triangles of peak 1 on the mel scale between the edges; the first
    (DC) bin weighs nothing."""
    dtype = as_dtype(dtype)
    with name_scope(name, "linear_to_mel_weight_matrix", []):
        bins = _static_int(num_spectrogram_bins, "num_spectrogram_bins")
        known = constant_value(sample_rate) if isinstance(sample_rate, Tensor) else np.asarray(sample_rate)
        if known is None:
            raise ValueError("linear_to_mel_weight_matrix: dfc needs sample_rate known while the graph is built")
        rate = float(np.asarray(known))
        if num_mel_bins <= 0:
            raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
        if lower_edge_hertz < 0.0:
            raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower_edge_hertz}")
        if lower_edge_hertz >= upper_edge_hertz:
            raise ValueError(f"lower_edge_hertz {lower_edge_hertz} >= upper_edge_hertz {upper_edge_hertz}")
        if rate <= 0.0:
            raise ValueError(f"sample_rate must be positive. Got: {rate}")
        if upper_edge_hertz > rate / 2:
            raise ValueError(f"upper_edge_hertz must not be larger than the Nyquist frequency (sample_rate / 2). "
                             f"Got {upper_edge_hertz} for sample_rate: {rate}")
        if not dtype.is_floating:
            raise ValueError(f"dtype must be a floating point type. Got: {dtype!r}")
        linear = np.linspace(0.0, rate / 2.0, bins)[1:]
        spectrogram_mel = _hertz_to_mel(linear)[:, None]
        edges = np.linspace(_hertz_to_mel(np.float64(lower_edge_hertz)), _hertz_to_mel(np.float64(upper_edge_hertz)),
                            num_mel_bins + 2)
        lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
        lower_slopes = (spectrogram_mel - lower) / (center - lower)
        upper_slopes = (upper - spectrogram_mel) / (upper - center)
        weights = np.maximum(0.0, np.minimum(lower_slopes, upper_slopes))
        weights = np.pad(weights, [[1, 0], [0, 0]])
        return constant(weights.astype(dtype.np))


def _dct_matrix(kind: int, n: int, norm: str | None) -> np.ndarray:
    """M with dct(x) = x @ M (float64), scipy's (and TF's) DCT of types 1 to 4."""
    k = np.arange(n)[None, :]  # output index
    i = np.arange(n)[:, None]  # input index
    if kind == 1:
        m = 2.0 * np.cos(np.pi * k * i / (n - 1))
        m[0, :] = 1.0
        m[-1, :] = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
        return m
    if kind == 2:
        m = 2.0 * np.cos(np.pi * k * (2 * i + 1) / (2 * n))
        if norm == "ortho":
            m[:, 0] *= math.sqrt(1.0 / (4 * n))
            m[:, 1:] *= math.sqrt(1.0 / (2 * n))
        return m
    if kind == 3:
        m = 2.0 * np.cos(np.pi * i * (2 * k + 1) / (2 * n))
        m[0, :] = 1.0
        if norm == "ortho":
            m[0, :] *= 1.0 / math.sqrt(n)
            m[1:, :] *= math.sqrt(2.0 / n) / 2.0
        return m
    m = 2.0 * np.cos(np.pi * (2 * k + 1) * (2 * i + 1) / (4 * n))
    return m * math.sqrt(1.0 / (2 * n)) if norm == "ortho" else m


def _check_dct(x: Tensor, kind: int, n, axis: int, norm) -> None:
    if axis != -1:
        raise NotImplementedError(f"axis must be -1. Got: {axis}")
    if n is not None and n < 1:
        raise ValueError("n should be a positive integer or None")
    if kind not in (1, 2, 3, 4):
        raise ValueError("Types I, II, III and IV (I)DCT are supported.")
    if kind == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        last = x.shape.as_list()[-1] if x.shape.ndims else None
        if last is not None and last < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")


def _dct(x: Tensor, kind: int, n, norm) -> Tensor:
    length = _axis_length(x, x.shape.ndims - 1, "dct")
    if n is not None and n < length:
        x = x[..., :n]
    elif n is not None and n > length:
        x = pad(x, [[0, 0]] * (x.shape.ndims - 1) + [[0, n - length]])
    size = n or length
    return tensordot(x, constant(_dct_matrix(kind, size, norm).astype(x.dtype.np), name="dct_matrix"), 1)


def dct(input, type: int = 2, n: int | None = None, axis: int = -1, norm: str | None = None,  # noqa: A002
        name: str | None = None) -> Tensor:
    """The discrete cosine transform of types I-IV over the last axis (scipy.fftpack.dct's definition)."""
    with name_scope(name, "dct", [input]):
        x = convert_to_tensor(input, name="input")
        _check_dct(x, type, n, axis, norm)
        return _dct(x, type, n, norm)


def idct(input, type: int = 2, n: int | None = None, axis: int = -1, norm: str | None = None,  # noqa: A002
         name: str | None = None) -> Tensor:
    """The inverse DCT: the DCT of the inverse type (II <-> III), scaled as TF's (exact inverse with 'ortho')."""
    with name_scope(name, "idct", [input]):
        x = convert_to_tensor(input, name="input")
        _check_dct(x, type, n, axis, norm)
        return _dct(x, {1: 1, 2: 3, 3: 2, 4: 4}[type], n, norm)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name: str | None = None) -> Tensor:
    """MFCCs of log-mel spectrograms [..., num_mel_bins]: their type-II DCT scaled by 1 / sqrt(2 num_mel_bins)."""
    with name_scope(name, "mfccs_from_log_mel_spectrograms", [log_mel_spectrograms]):
        x = convert_to_tensor(log_mel_spectrograms, name="log_mel_spectrograms")
        bins = _axis_length(x, x.shape.ndims - 1, "mfccs_from_log_mel_spectrograms") if x.shape.ndims else None
        if bins == 0:
            raise ValueError(f"num_mel_bins must be positive. Got: {x}")
        return multiply(_dct(x, 2, None, None), float(1.0 / math.sqrt(2.0 * bins)))


# ---- shifts --------------------------------------------------------------------------------------
def _shift(x, axes, sign: int, what: str, name: str | None) -> Tensor:
    with name_scope(name, what, [x]):
        x = convert_to_tensor(x)
        rank = x.shape.ndims
        axes = list(range(rank)) if axes is None else [int(a) for a in np.atleast_1d(axes)]
        shifts = [sign * (_axis_length(x, a, what) // 2) for a in axes]
        return roll(x, shifts, axes)


def fftshift(x, axes=None, name: str | None = None) -> Tensor:
    """The zero frequency moved to the center: a roll by n // 2 along each of `axes` (all by default)."""
    return _shift(x, axes, 1, "fftshift", name)


def ifftshift(x, axes=None, name: str | None = None) -> Tensor:
    """fftshift undone: a roll by -(n // 2)."""
    return _shift(x, axes, -1, "ifftshift", name)

