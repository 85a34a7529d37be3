"""tf.image's and tf.io's image codecs: decode_jpeg/png/gif/bmp/image, encode_jpeg/png, JPEG quality changes.

The bytes are tf.string values, so the codecs run on the host (ir/ops/image_codecs.py) and the
rest of the step stays compiled; a decoded image's shape is learned from its bytes before the step,
as TF's static shapes leave it unknown ([None, None, channels]). Arguments, defaults, static shapes
and errors follow TF1; none of the codecs has a gradient (TF defines none).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import DType, as_dtype, f32, i32, i64, u8, u16
from dfc.ir.errors import InvalidArgumentError

from .framework import Tensor, constant, convert_to_tensor, make
from .graph_builder import make_op, wrap
from .scopes import name_scope
from .string_ops import string_tensor


def _decoded_dtype(dtype: Any, allowed: tuple[DType, ...], op: str) -> DType:
    dt = as_dtype(dtype)
    if dt not in allowed:
        raise TypeError(f"Value passed to parameter 'dtype' has DataType {dt.name} not in list of allowed values: "
                        f"{', '.join(d.name for d in allowed)} (op {op})")
    return dt


def _channels(channels: Any, op: str, allowed=(0, 1, 3, 4)) -> int:
    value = 0 if channels is None else channels
    if isinstance(value, Tensor) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{op}: channels must be a Python int, got {channels!r}")
    if int(value) not in allowed:
        raise InvalidArgumentError(f"{op}: `channels` must be {', '.join(map(str, allowed[:-1]))} or {allowed[-1]} "
                                   f"but got {int(value)}")
    return int(value)


def _decode(contents: Any, attrs: dict, name: str | None, default: str, crop_window: Any = None) -> Tensor:
    op = {"jpeg": "DecodeJpeg", "png": "DecodePng", "gif": "DecodeGif", "bmp": "DecodeBmp", "image": "DecodeImage",
          "crop": "DecodeAndCropJpeg"}[attrs["kind"]]
    with name_scope(name, default, [contents]) as scope:
        x = string_tensor(contents, "contents", op)
        if x.shape.ndims not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {x.shape.ndims} for '{scope[:-1]}' (op: '{op}') "
                             f"with input shapes: {x.shape}.")
        inputs = [x]
        if crop_window is not None:
            window = convert_to_tensor(crop_window, i32)
            if window.shape.ndims not in (None, 1) or window.shape.as_list() not in ([None], [4]) and \
                    window.shape.ndims == 1:
                raise ValueError(f"crop_window must be 1-D of 4 elements, got shape {window.shape} (op '{op}')")
            inputs.append(window)
        shape = make("dfc.image_decoded_shape", inputs, attrs, name="decoded_shape")
        return wrap(make_op("dfc.dynamic_decode_image", [x, shape, *inputs[1:]], attrs, name=scope[:-1],
                            exact_name=True).results[0])


def _jpeg_attrs(kind: str, channels, ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction,
                dct_method, op: str) -> dict:
    if int(ratio) not in (1, 2, 4, 8):
        raise InvalidArgumentError(f"{op}: ratio must be 1, 2, 4, or 8, got {ratio}")
    if dct_method not in ("", "INTEGER_FAST", "INTEGER_ACCURATE"):
        raise InvalidArgumentError(f"{op}: dct_method must be one of '', 'INTEGER_FAST' or 'INTEGER_ACCURATE', "
                                   f"got '{dct_method}'")
    return {"kind": kind, "channels": _channels(channels, op, (0, 1, 3)), "dtype": u8, "ratio": int(ratio),
            "fancy_upscaling": bool(fancy_upscaling), "try_recover_truncated": bool(try_recover_truncated),
            "acceptable_fraction": float(acceptable_fraction), "dct_method": str(dct_method),
            "expand_animations": True}


def decode_jpeg(contents, channels: int = 0, ratio: int = 1, fancy_upscaling: bool = True,
                try_recover_truncated: bool = False, acceptable_fraction: float = 1, dct_method: str = "",
                name: str | None = None) -> Tensor:
    """A JPEG's pixels, uint8 [H / ratio, W / ratio, channels] (channels 0: the file's; libjpeg-turbo's values)."""
    attrs = _jpeg_attrs("jpeg", channels, ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction,
                        dct_method, "DecodeJpeg")
    return _decode(contents, attrs, name, "DecodeJpeg")


def decode_and_crop_jpeg(contents, crop_window, channels: int = 0, ratio: int = 1, fancy_upscaling: bool = True,
                         try_recover_truncated: bool = False, acceptable_fraction: float = 1, dct_method: str = "",
                         name: str | None = None) -> Tensor:
    """The window [y, x, height, width] (int32) of a JPEG's pixels; a window past the image fails as TF's."""
    attrs = _jpeg_attrs("crop", channels, ratio, fancy_upscaling, try_recover_truncated, acceptable_fraction,
                        dct_method, "DecodeAndCropJpeg")
    return _decode(contents, attrs, name, "DecodeAndCropJpeg", crop_window)


def _plain_attrs(kind: str, channels: int = 0, dtype: DType = u8, expand_animations: bool = True) -> dict:
    return {"kind": kind, "channels": channels, "dtype": dtype, "ratio": 1, "fancy_upscaling": True,
            "try_recover_truncated": False, "acceptable_fraction": 1.0, "dct_method": "",
            "expand_animations": bool(expand_animations)}


def decode_png(contents, channels: int = 0, dtype: Any = u8, name: str | None = None) -> Tensor:
    """A PNG's pixels [H, W, channels] (0: the file's, palettes and transparency expanded), uint8 (a 16-bit PNG
    gives its high bytes) or uint16 (an 8-bit PNG's v as v * 257)."""
    dt = _decoded_dtype(dtype, (u8, u16), "DecodePng")
    return _decode(contents, _plain_attrs("png", _channels(channels, "DecodePng"), dt), name, "DecodePng")


def decode_gif(contents, name: str | None = None) -> Tensor:
    """Every frame of a GIF, uint8 [frames, H, W, 3]."""
    return _decode(contents, _plain_attrs("gif"), name, "DecodeGif")


def decode_bmp(contents, channels: int = 0, name: str | None = None) -> Tensor:
    """A BMP's pixels, uint8 [H, W, channels]; bytes of another format fail as TF's DecodeBmp does."""
    return _decode(contents, _plain_attrs("bmp", _channels(channels, "DecodeBmp")), name, "DecodeBmp")


def decode_image(contents, channels: int | None = None, dtype: Any = u8, name: str | None = None,
                 expand_animations: bool = True) -> Tensor:
    """Any of JPEG, PNG, GIF and BMP by its bytes: [H, W, C], or [frames, H, W, 3] for a GIF when
    expand_animations (then the rank is unknown until it runs); float32 scales to [0, 1]."""
    dt = _decoded_dtype(dtype, (u8, u16, f32), "DecodeImage")
    attrs = _plain_attrs("image", _channels(channels, "DecodeImage"), dt, expand_animations)
    with name_scope(name, "decode_image", [contents]):
        return _decode(contents, attrs, None, "DecodeImage")


def extract_jpeg_shape(contents, output_type: Any = i32, name: str | None = None) -> Tensor:
    """[height, width, channels] of a JPEG from its header (output_type int32 or int64)."""
    dt = _decoded_dtype(output_type, (i32, i64), "ExtractJpegShape")
    return make("dfc.extract_jpeg_shape", [string_tensor(contents, "contents", "ExtractJpegShape")],
                {"output_type": dt}, name=name or "ExtractJpegShape")


def is_jpeg(contents, name: str | None = None) -> Tensor:
    """Whether the scalar string starts as a JPEG does (a bool scalar)."""
    with name_scope(name, "is_jpeg", [contents]):
        return make("dfc.is_jpeg", [string_tensor(contents, "contents", "is_jpeg")], name="IsJpeg")


def _uint8_image(image, op: str, allowed: tuple[DType, ...] = (u8,)) -> Tensor:
    x = convert_to_tensor(image, u8) if not isinstance(image, Tensor) and not hasattr(image, "dtype") \
        else convert_to_tensor(image)
    if x.dtype not in allowed:
        raise TypeError(f"Value passed to parameter 'image' has DataType {x.dtype.name} not in list of allowed "
                        f"values: {', '.join(d.name for d in allowed)} (op {op}, tensor {x.name})")
    if x.shape.ndims not in (None, 3):
        raise ValueError(f"Shape must be rank 3 but is rank {x.shape.ndims} for '{op}' with input shapes: "
                         f"{x.shape}.")
    return x


def encode_jpeg(image, format: str = "", quality: int = 95, progressive: bool = False,  # noqa: A002 - TF's name
                optimize_size: bool = False, chroma_downsampling: bool = True, density_unit: str = "in",
                x_density: int = 300, y_density: int = 300, xmp_metadata: str = "",
                name: str | None = None) -> Tensor:
    """A uint8 image [H, W, 1 or 3] as JPEG bytes, the same bytes as TF's EncodeJpeg."""
    if format not in ("", "grayscale", "rgb"):
        raise InvalidArgumentError(f"EncodeJpeg: format must be '', 'grayscale' or 'rgb', got '{format}'")
    if density_unit not in ("in", "cm"):
        raise InvalidArgumentError(f"EncodeJpeg: density_unit must be 'in' or 'cm', got '{density_unit}'")
    if not 0 <= int(quality) <= 100:
        raise InvalidArgumentError(f"EncodeJpeg: quality must be in [0,100], got {quality}")
    x = _uint8_image(image, "EncodeJpeg")
    attrs = {"format": format, "progressive": bool(progressive), "optimize_size": bool(optimize_size),
             "chroma_downsampling": bool(chroma_downsampling), "density_unit": density_unit,
             "x_density": int(x_density), "y_density": int(y_density), "xmp_metadata": str(xmp_metadata)}
    return make("dfc.encode_jpeg", [x, constant(np.int32(quality))], attrs, name=name or "EncodeJpeg")


def encode_png(image, compression: int = -1, name: str | None = None) -> Tensor:
    """A uint8 or uint16 image [H, W, 1-4] as PNG bytes (8 or 16 bits a sample; zlib at `compression`, -1 its
    default); they decode to the pixels."""
    x = _uint8_image(image, "EncodePng", (u8, u16))
    return make("dfc.encode_png", [x], {"compression": int(compression)}, name=name or "EncodePng")


def adjust_jpeg_quality(image, jpeg_quality, dct_method: str = "", name: str | None = None) -> Tensor:
    """An image [H, W, C] as a JPEG of quality jpeg_quality would give it back, in its own dtype."""
    from .image_core import convert_image_dtype
    with name_scope(name, "adjust_jpeg_quality", [image]):
        x = convert_to_tensor(image)
        original = x.dtype
        pixels = convert_image_dtype(x, u8, saturate=True)
        quality = convert_to_tensor(jpeg_quality, i32) if not isinstance(jpeg_quality, Tensor) else jpeg_quality
        out = make("dfc.jpeg_roundtrip", [pixels, quality], {"dct_method": dct_method}, name="EncodeDecodeJpeg")
        return convert_image_dtype(out, original, saturate=True)


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None) -> Tensor:
    """adjust_jpeg_quality at a quality drawn uniformly from [min_jpeg_quality, max_jpeg_quality)."""
    from .random_ops import random_uniform
    if min_jpeg_quality < 0 or max_jpeg_quality < 0 or min_jpeg_quality > 100 or max_jpeg_quality > 100:
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    quality = random_uniform([], min_jpeg_quality, max_jpeg_quality, dtype=i32, seed=seed)
    return adjust_jpeg_quality(image, quality)


__all__ = ["adjust_jpeg_quality", "decode_and_crop_jpeg", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg",
           "decode_png", "encode_jpeg", "encode_png", "extract_jpeg_shape", "is_jpeg", "random_jpeg_quality"]
