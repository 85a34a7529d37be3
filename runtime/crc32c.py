"""CRC-32C as TensorFlow masks it (TFRecord framing, checkpoint bundles): the C library when installed."""

from __future__ import annotations

from collections.abc import Callable


def _crc32c() -> Callable[[bytes], int]:
    try:  # google-crc32c: hardware CRC, gigabytes per second
        import google_crc32c
        return lambda data: int(google_crc32c.value(bytes(data)))
    except ImportError:  # TensorBoard's table-driven Python (a dependency already): a few MB/s
        from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import crc32c
        return crc32c


_CRC = _crc32c()
#: below this many bytes the pure-Python CRC is checked whatever it costs; above it only a fast CRC is
PYTHON_CRC_LIMIT = 16 << 20


def fast() -> bool:
    """Whether the CRC comes from the C library (cheap for any size)."""
    return getattr(_CRC, "__name__", "") == "<lambda>"


def masked_crc32c(data: bytes) -> int:
    x = _CRC(data) & 0xFFFFFFFF
    return (((x >> 15) | (x << 17)) + 0xA282EAD8) & 0xFFFFFFFF
