"""TFRecord files (tf.io.TFRecordWriter, tf.io.tf_record_iterator): TF's record framing, readable by TensorFlow.

Each record is: uint64 length, uint32 masked CRC-32C of the length, the bytes, uint32 masked
CRC-32C of the bytes (little-endian). A whole file may be GZIP- or ZLIB-compressed. The CRC is
runtime/crc32c.py's (google-crc32c's when installed).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from collections.abc import Iterator
from typing import Any

from dfc.ir.errors import (DataLossError, FailedPreconditionError, InvalidArgumentError, NotFoundError,
                            PermissionDeniedError)


def masked_crc32c(data: bytes) -> int:
    from dfc.runtime.crc32c import masked_crc32c as crc
    return crc(data)


class TFRecordCompressionType:
    """The compression of a whole TFRecord file."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_NAMES = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
          TFRecordCompressionType.GZIP: "GZIP"}


class TFRecordOptions:
    """How a TFRecord file is compressed: compression_type "", "ZLIB" or "GZIP" (or a TFRecordCompressionType)."""

    compression_type_map = {TFRecordCompressionType.ZLIB: "ZLIB", TFRecordCompressionType.GZIP: "GZIP",
                            TFRecordCompressionType.NONE: ""}

    def __init__(self, compression_type: Any = None, flush_mode: Any = None, input_buffer_size: Any = None,
                 output_buffer_size: Any = None, window_bits: Any = None, compression_level: Any = None,
                 compression_method: Any = None, mem_level: Any = None, compression_strategy: Any = None):
        if compression_type is None:
            compression_type = ""
        if isinstance(compression_type, int):
            if compression_type not in _NAMES:
                raise ValueError(f"Unsupported compression type: {compression_type}")
            compression_type = _NAMES[compression_type]
        if compression_type not in ("", "ZLIB", "GZIP"):
            raise ValueError(f'Unsupported compression type: {compression_type!r} (expected "", "ZLIB" or "GZIP")')
        self.compression_type = compression_type
        self.compression_level = -1 if compression_level is None else int(compression_level)
        self.window_bits = window_bits
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options: Any) -> str:
        """"", "ZLIB" or "GZIP" for options given as TFRecordOptions, a string, a TFRecordCompressionType or None."""
        if options is None:
            return ""
        if isinstance(options, TFRecordOptions):
            return options.compression_type
        return cls(options).compression_type


def _record(data: bytes) -> bytes:
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


class TFRecordWriter:
    """Writes records (bytes) to a TFRecord file; use as a context manager or close() it."""

    def __init__(self, path: Any, options: Any = None):
        self._path = os.fspath(path)
        self._compression = TFRecordOptions.get_compression_type_string(options)
        level = options.compression_level if isinstance(options, TFRecordOptions) else -1
        try:
            raw = open(self._path, "wb")  # noqa: SIM115 - closed by close()
        except FileNotFoundError:
            raise NotFoundError(f"{self._path}; No such file or directory") from None
        except IsADirectoryError:
            raise InvalidArgumentError(f"{self._path}; Is a directory") from None
        self._raw = raw
        if self._compression == "GZIP":
            self._file: Any = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9 if level < 0 else level,
                                            mtime=0)
            self._zlib = None
        else:
            self._file = raw
            self._zlib = zlib.compressobj(level) if self._compression == "ZLIB" else None
        self._closed = False

    def write(self, record: Any) -> None:
        if self._closed:
            raise ValueError(f"TFRecordWriter for {self._path} is closed")
        if isinstance(record, str):
            record = record.encode()
        data = _record(bytes(record))
        self._file.write(self._zlib.compress(data) if self._zlib else data)

    def flush(self) -> None:
        if self._closed:
            return
        if self._zlib is not None:
            self._file.write(self._zlib.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self) -> None:
        if self._closed:
            return
        if self._zlib is not None:
            self._file.write(self._zlib.flush())
        self._file.close()
        if self._file is not self._raw:
            self._raw.close()
        self._closed = True

    def __enter__(self) -> TFRecordWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown; nothing to report to
            pass


def _read_all(path: str, compression: str) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotFoundError(f"{path}; No such file or directory") from None
    except IsADirectoryError:  # TF's file system: the OpError of the OS error, not Python's exception
        raise FailedPreconditionError(f"{path}; Is a directory") from None
    except PermissionError:
        raise PermissionDeniedError(f"{path}; Permission denied") from None
    try:
        if compression == "GZIP":
            return gzip.decompress(data)
        if compression == "ZLIB":
            return zlib.decompress(data)
    except (OSError, zlib.error, EOFError) as e:
        raise DataLossError(f"{path}: not a {compression}-compressed TFRecord file ({e})") from None
    return data


def tf_record_iterator(path: Any, options: Any = None) -> Iterator[bytes]:
    """Each record of a TFRecord file, as bytes; DataLossError for a corrupt or truncated record."""
    path = os.fspath(path)
    data = _read_all(path, TFRecordOptions.get_compression_type_string(options))
    offset = 0
    while offset < len(data):
        if len(data) - offset < 12:
            raise DataLossError(f"truncated record at byte {offset} of {path}")
        header = data[offset:offset + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[offset + 8:offset + 12])
        if header_crc != masked_crc32c(header):
            raise DataLossError(f"corrupted record at byte {offset} of {path}: the length's checksum does not match")
        start, end = offset + 12, offset + 12 + length
        if end + 4 > len(data):
            raise DataLossError(f"truncated record at byte {offset} of {path}: {length} bytes announced")
        record = data[start:end]
        (data_crc,) = struct.unpack("<I", data[end:end + 4])
        if data_crc != masked_crc32c(record):
            raise DataLossError(f"corrupted record at byte {offset} of {path}: the data's checksum does not match")
        yield record
        offset = end + 4


__all__ = ["TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator"]
