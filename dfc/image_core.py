"""What tf.image's modules share: image rank and size checks, TF's resize scale, and convert_image_dtype."""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import as_dtype

from .array_ops import expand_dims
from .framework import Tensor, build_error, constant, convert_to_tensor, make, name_scope
from .math_ops import cast, floordiv, multiply


def batched_images(images, op: str, name: str) -> tuple[Tensor, bool]:
    x = convert_to_tensor(images)
    rank = x.shape.ndims
    if rank not in (3, 4):
        raise build_error(op, name, f"'images' must have either 3 or 4 dimensions, got shape {x.shape} for {x.name}")
    return (x, False) if rank == 4 else (expand_dims(x, 0), True)


def static_size(size, op: str, name: str) -> tuple[int, int]:
    from .framework import constant_value
    value = constant_value(size) if isinstance(size, Tensor) else np.asarray(size)
    if value is None or np.shape(value) != (2,):
        raise build_error(op, name, f"size must be a constant 1-D int32 of 2 elements [new_height, new_width], "
                                    f"got {size!r}")
    height, width = (int(v) for v in value)
    if height <= 0 or width <= 0:
        raise build_error(op, name, f"output dimensions must be positive, got {height}x{width}")
    return height, width


def resize_scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    if align_corners and out_size > 1:
        return np.float32(in_size - 1) / np.float32(out_size - 1)
    return np.float32(in_size) / np.float32(out_size)


def known_height_width(x: Tensor, op: str, name: str) -> tuple[int, int]:
    h, w = x.shape.as_list()[1:3]
    if h is None or w is None:
        raise build_error(op, name, f"{op} needs the height and width of {x.name}, got {x.shape}")
    return h, w


def convert_image_dtype(image, dtype, saturate: bool = False, name: str | None = None) -> Tensor:
    """Scale between integer ranges [0, MAX] and floats [0, 1] (TF's convert_image_dtype)."""
    from .math_ops import saturate_cast
    x = convert_to_tensor(image)
    dtype = as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer) or not (x.dtype.is_floating or x.dtype.is_integer):
        raise AttributeError("dtype must be either floating point or integer")
    if dtype is x.dtype:
        return make("dfc.identity", [x], name=name or "convert_image")
    convert = saturate_cast if saturate else cast
    with name_scope(name, "convert_image", [x]):
        if x.dtype.is_integer and dtype.is_integer:
            scale_in, scale_out = int(x.dtype.max), int(dtype.max)
            if scale_in > scale_out:
                return convert(floordiv(x, constant((scale_in + 1) // (scale_out + 1), dtype=x.dtype)), dtype)
            return multiply(convert(x, dtype), constant((scale_out + 1) // (scale_in + 1), dtype=dtype))
        if x.dtype.is_floating and dtype.is_floating:
            return cast(x, dtype)
        if x.dtype.is_integer:
            return multiply(cast(x, dtype), constant(1.0 / int(x.dtype.max), dtype=dtype))
        return convert(multiply(x, constant(float(dtype.max) + 0.5, dtype=x.dtype)), dtype)
