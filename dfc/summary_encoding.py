"""How summary values become TensorBoard's bytes: its protos, histogram buckets, PNG images, WAV audio, tensors.

Plain functions of numpy arrays, with TF1's rules (bucket limits, image scaling, PCM rounding);
tf.summary's ops (dfc/summary_ops.py) call them on the host when a summary is fetched.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def tensorboard_protos() -> Any:
    """TensorBoard's proto modules (summary_pb2, event_pb2, ...), imported when first needed."""
    try:
        from tensorboard.compat.proto import (config_pb2, event_pb2, graph_pb2, node_def_pb2,  # noqa: F401
                                              summary_pb2, tensor_pb2)
    except ImportError as e:  # pragma: no cover - tensorboard is a dependency of dfc
        raise ImportError("tf.summary needs the 'tensorboard' package (pip install tensorboard)") from e
    import tensorboard.compat.proto as protos
    return protos


def serialize_summary(values: list[Any]) -> bytes:
    """A Summary proto of `values` (Summary.Value protos), serialized."""
    summary = tensorboard_protos().summary_pb2.Summary()
    summary.value.extend(values)
    return summary.SerializeToString()


_DBL_MAX = float(np.finfo(np.float64).max)
_bucket_limits: np.ndarray | None = None


def histogram_bucket_limits() -> np.ndarray:
    """TF's default histogram buckets: +-1e-12 growing by 10% to 1e20, then +-DBL_MAX, and 0."""
    global _bucket_limits
    if _bucket_limits is None:
        positive = []
        v = 1.0e-12
        while v < 1.0e20:
            positive.append(v)
            v *= 1.1
        positive.append(_DBL_MAX)
        negative = [-x for x in reversed(positive)]
        _bucket_limits = np.array(negative + [0.0] + positive, dtype=np.float64)
    return _bucket_limits


def histogram_proto(values: np.ndarray) -> Any:
    """The HistogramProto TF builds for `values`: runs of empty buckets merge into one, as TF encodes them."""
    values = np.asarray(values, dtype=np.float64).ravel()
    limits = histogram_bucket_limits()
    proto = tensorboard_protos().summary_pb2.HistogramProto()
    if values.size:
        proto.min = float(values.min())
        proto.max = float(values.max())
        proto.sum = float(np.cumsum(values)[-1])  # TF adds one value at a time; cumsum keeps that order
        proto.sum_squares = float(np.cumsum(values * values)[-1])
    else:
        proto.min, proto.max = _DBL_MAX, -_DBL_MAX
    proto.num = float(values.size)
    index = np.minimum(np.searchsorted(limits, values, side="right"), len(limits) - 1)
    counts = np.bincount(index, minlength=len(limits)).astype(np.float64)
    # TF writes each non-empty bucket, and each run of empty ones as one bucket at the run's end
    filled = counts > 0
    kept = filled | np.append(filled[1:], True)
    proto.bucket_limit.extend(limits[kept].tolist())
    proto.bucket.extend(counts[kept].tolist())
    return proto


_BAD_COLOR = np.array([255, 0, 0, 255], np.uint8)


def image_to_uint8(image: np.ndarray) -> np.ndarray:
    """One [h, w, c] float image as TF1 shows it: all >= 0 scales max to 255, else 0 maps to 128 and max |x| to
    127 more or less; pixels with a non-finite channel become red."""
    dtype = np.float64 if image.dtype == np.float64 else np.float32
    flat = image.reshape(-1, image.shape[-1]).astype(dtype)
    finite = np.all(np.isfinite(flat), axis=1)
    shown = flat[finite]
    lo = np.float32(shown.min()) if shown.size else np.float32(np.inf)
    hi = np.float32(shown.max()) if shown.size else np.float32(-np.inf)
    if lo < 0:
        max_val = max(abs(lo), abs(hi))
        scale, offset = (0.0 if max_val < 1e-6 else np.float32(127.0) / max_val), 128.0
    else:
        scale, offset = (0.0 if hi < 1e-6 else np.float32(255.0) / hi), 0.0
    scale, offset = dtype(scale), dtype(offset)
    with np.errstate(invalid="ignore", over="ignore"):
        pixels = (flat * scale + offset).astype(np.uint8)
    pixels[~finite] = _BAD_COLOR[:flat.shape[1]]
    return pixels.reshape(image.shape)


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an [h, w, c] uint8 image (c: 1 gray, 3 RGB, 4 RGBA), through Pillow's encoder."""
    import io

    from PIL import Image
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[image.shape[-1]]
    data = image[:, :, 0] if image.shape[-1] == 1 else image
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(data), mode=mode).save(out, format="PNG")
    return out.getvalue()


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV bytes of [frames, channels] floats in [-1, 1] (clipped; rounded half away from zero, as TF)."""
    import io
    import wave

    scaled = samples.astype(np.float32) * np.float32(32768.0)
    rounded = np.sign(scaled) * np.floor(np.abs(scaled) + np.float32(0.5))
    pcm = np.clip(rounded, -32768, 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def tensor_proto(array: np.ndarray) -> Any:
    """The TensorProto of an array (numbers as tensor_content, strings as string_val), as TF writes it."""
    from .graph_def import data_type
    proto = tensorboard_protos().tensor_pb2.TensorProto()
    proto.tensor_shape.SetInParent()  # a scalar still has its (empty) shape, as TF writes it
    for d in array.shape:
        proto.tensor_shape.dim.add().size = int(d)
    if array.dtype.kind in "USO":
        proto.dtype = 7  # DT_STRING
        proto.string_val.extend(s if isinstance(s, bytes) else str(s).encode() for s in array.ravel())
    else:
        proto.dtype = data_type(array.dtype.name)
        proto.tensor_content = np.ascontiguousarray(array).tobytes()
    return proto
