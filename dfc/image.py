"""tf.image: resizing, flips, crops and pads, standardization; the color, resize and measure ops of its modules.

tf.image's names live here: bilinear and nearest resizes, flips, crops and pads are defined in this
module; color adjustments, HSV/YIQ/YUV and random_crop in image_color, area/bicubic resizes and
crop_and_resize in image_resize, measures and filters in image_analysis, over image_core.
Resizes follow TF1's kernels (align_corners, half_pixel_centers, float32 interpolation weights)
and are built from gathers with constant indices and weighted sums, so their gradients are the
ops' own; NHWC images, a batch [N, H, W, C] or one image [H, W, C].
"""

from __future__ import annotations

import enum

import numpy as np

from dfc.ir.dtypes import f32, i32

from .array_ops import expand_dims, gather, squeeze
from .framework import Tensor, build_error, check_int, constant, convert_to_tensor, make, name_scope
from .image_analysis import (draw_bounding_boxes, image_gradients, non_max_suppression, psnr, sobel_edges, ssim,
                             ssim_multiscale, total_variation)
from .image_color import (adjust_brightness, adjust_contrast, adjust_gamma, adjust_hue, adjust_saturation, hsv_to_rgb,
                          random_brightness, random_contrast, random_crop, random_hue, random_saturation, rgb_to_hsv,
                          rgb_to_yiq, rgb_to_yuv, yiq_to_rgb, yuv_to_rgb)
from .image_core import batched_images, convert_image_dtype, known_height_width, resize_scale, static_size
from .image_resize import crop_and_resize, extract_image_patches, extract_patches, resize_area, resize_bicubic
from .math_ops import add, cast, less, maximum, multiply, reduce_mean, reduce_std, rsqrt, subtract, truediv
from .random_ops import random_uniform
from .tensor_ops import pad, reverse


class ResizeMethod(enum.IntEnum):
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


def _bilinear_weights(in_size: int, out_size: int, align_corners: bool, half_pixel: bool):
    """(lower index, upper index, lerp) of each output position, computed in float32 as TF's kernel does."""
    scale = resize_scale(in_size, out_size, align_corners)
    i = np.arange(out_size, dtype=np.float32)
    src = (i + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel else i * scale
    floor = np.floor(src)
    lower = np.maximum(floor, 0).astype(np.int64) if half_pixel else floor.astype(np.int64)
    upper = np.minimum(np.ceil(src) if half_pixel else floor + 1, in_size - 1).astype(np.int64)
    return np.minimum(lower, in_size - 1), upper, (src - floor).astype(np.float32)


def _nearest_indices(in_size: int, out_size: int, align_corners: bool, half_pixel: bool) -> np.ndarray:
    scale = resize_scale(in_size, out_size, align_corners)
    i = np.arange(out_size, dtype=np.float32)
    if half_pixel:
        src = np.floor((i + np.float32(0.5)) * scale)
    elif align_corners:
        raw = i * scale  # roundf: halves away from zero (all non-negative here), without adding 0.5 in float
        src = np.where(raw - np.floor(raw) >= np.float32(0.5), np.ceil(raw), np.floor(raw))
    else:
        src = np.floor(i * scale)
    return np.minimum(src.astype(np.int64), in_size - 1)


def resize_bilinear(images, size, align_corners: bool = False, name: str | None = None,
                    half_pixel_centers: bool = False) -> Tensor:
    """Bilinear resize to `size` [new_height, new_width]; the result is float32 (TF1's ResizeBilinear)."""
    label = name or "ResizeBilinear"
    x, single = batched_images(images, "ResizeBilinear", label)
    if align_corners and half_pixel_centers:
        raise build_error("ResizeBilinear", label, "If half_pixel_centers is True, align_corners must be False.")
    height, width = static_size(size, "ResizeBilinear", label)
    h, w = known_height_width(x, "ResizeBilinear", label)
    with name_scope(name, "ResizeBilinear", [x]):
        x = cast(x, f32) if x.dtype is not f32 else x
        y0, y1, ly = _bilinear_weights(h, height, align_corners, half_pixel_centers)
        x0, x1, lx = _bilinear_weights(w, width, align_corners, half_pixel_centers)
        top_rows, bottom_rows = gather(x, constant(y0.astype(np.int32)), axis=1), \
            gather(x, constant(y1.astype(np.int32)), axis=1)
        left, right = constant(x0.astype(np.int32)), constant(x1.astype(np.int32))
        top_left, top_right = gather(top_rows, left, axis=2), gather(top_rows, right, axis=2)
        bottom_left, bottom_right = gather(bottom_rows, left, axis=2), gather(bottom_rows, right, axis=2)
        x_lerp = constant(lx.reshape(1, 1, width, 1))
        y_lerp = constant(ly.reshape(1, height, 1, 1))
        top = add(top_left, multiply(subtract(top_right, top_left), x_lerp))
        bottom = add(bottom_left, multiply(subtract(bottom_right, bottom_left), x_lerp))
        out = add(top, multiply(subtract(bottom, top), y_lerp))
        return squeeze(out, [0]) if single else out


def resize_nearest_neighbor(images, size, align_corners: bool = False, name: str | None = None,
                            half_pixel_centers: bool = False) -> Tensor:
    """Nearest-neighbor resize to `size`; keeps the dtype (TF1's ResizeNearestNeighbor)."""
    label = name or "ResizeNearestNeighbor"
    x, single = batched_images(images, "ResizeNearestNeighbor", label)
    height, width = static_size(size, "ResizeNearestNeighbor", label)
    h, w = known_height_width(x, "ResizeNearestNeighbor", label)
    with name_scope(name, "ResizeNearestNeighbor", [x]):
        rows = constant(_nearest_indices(h, height, align_corners, half_pixel_centers).astype(np.int32))
        cols = constant(_nearest_indices(w, width, align_corners, half_pixel_centers).astype(np.int32))
        out = gather(gather(x, rows, axis=1), cols, axis=2)
        return squeeze(out, [0]) if single else out


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners: bool = False,
                  preserve_aspect_ratio: bool = False, name: str | None = None) -> Tensor:
    """TF1's resize_images: bilinear, bicubic, area (float32 results) or nearest neighbor (the input's dtype)."""
    label = name or "resize_images"
    x = convert_to_tensor(images)
    method = ResizeMethod(method) if not isinstance(method, str) else {
        "bilinear": ResizeMethod.BILINEAR, "nearest": ResizeMethod.NEAREST_NEIGHBOR,
        "bicubic": ResizeMethod.BICUBIC, "area": ResizeMethod.AREA}[method]
    height, width = static_size(size, "ResizeImages", label)
    if x.shape.ndims not in (3, 4):
        raise build_error("ResizeImages", label, f"'images' must have either 3 or 4 dimensions, got shape {x.shape}")
    if preserve_aspect_ratio:  # the largest size within `size` of the images' aspect ratio, in TF's float32
        h, w = known_height_width(x if x.shape.ndims == 4 else expand_dims(x, 0), "ResizeImages", label)
        factor = min(np.float32(height) / np.float32(h), np.float32(width) / np.float32(w))
        height = int(np.rint(np.float32(factor * np.float32(h))))  # tf.round: halves to even
        width = int(np.rint(np.float32(factor * np.float32(w))))
    if x.shape.as_list()[-3:-1] == [height, width]:
        return x  # TF returns the images unchanged when the size already matches
    if method == ResizeMethod.BILINEAR:
        return resize_bilinear(x, [height, width], align_corners, name=name)
    if method == ResizeMethod.NEAREST_NEIGHBOR:
        return resize_nearest_neighbor(x, [height, width], align_corners, name=name)
    if method == ResizeMethod.BICUBIC:
        return resize_bicubic(x, [height, width], align_corners, name=name)
    return resize_area(x, [height, width], align_corners, name=name)


resize = resize_images


def flip_left_right(image) -> Tensor:
    x = convert_to_tensor(image)
    return reverse(x, [-2], name="flip_left_right")


def flip_up_down(image) -> Tensor:
    x = convert_to_tensor(image)
    return reverse(x, [-3], name="flip_up_down")


def _random_flip(image, seed, axis: int, name: str) -> Tensor:
    x = convert_to_tensor(image)
    with name_scope(None, name, [x]):
        flipped = reverse(x, [axis])
        if x.shape.ndims == 3:
            coin = less(random_uniform([], seed=seed), constant(0.5))
        else:  # each image of a batch on its own
            coin = less(random_uniform([x.shape.as_list()[0], 1, 1, 1], seed=seed), constant(0.5))
        return make("dfc.select", [coin, flipped, x])


def random_flip_left_right(image, seed=None) -> Tensor:
    return _random_flip(image, seed, -2, "random_flip_left_right")


def random_flip_up_down(image, seed=None) -> Tensor:
    return _random_flip(image, seed, -3, "random_flip_up_down")


def transpose_image(image) -> Tensor:
    from .array_ops import transpose
    x = convert_to_tensor(image)
    perm = [1, 0, 2] if x.shape.ndims == 3 else [0, 2, 1, 3]
    return transpose(x, perm, name="transpose_image")


def rot90(image, k: int = 1, name: str | None = None) -> Tensor:
    """The image rotated by k * 90 degrees counter-clockwise."""
    x = convert_to_tensor(image)
    k = check_int(k, "k") % 4
    with name_scope(name, "rot90", [x]):
        if k == 1:
            return flip_up_down(transpose_image(x))
        if k == 2:
            return flip_up_down(flip_left_right(x))
        if k == 3:
            return transpose_image(flip_up_down(x))
        return x


def per_image_standardization(image) -> Tensor:
    """(x - mean) / max(stddev, 1 / sqrt(pixels)) over each image's H, W and C, as float32."""
    x = convert_to_tensor(image)
    if x.shape.ndims is None or x.shape.ndims < 3:
        raise ValueError(f"per_image_standardization needs an image of at least 3 dims, got {x.shape}")
    dims = x.shape.as_list()[-3:]
    if None in dims:
        raise build_error("per_image_standardization", "per_image_standardization",
                          f"needs the height, width and channels of {x.name}, got {x.shape}")
    with name_scope(None, "per_image_standardization", [x]):
        x = cast(x, f32)
        mean = reduce_mean(x, axis=[-1, -2, -3], keepdims=True)
        stddev = reduce_std(x, axis=[-1, -2, -3], keepdims=True)
        adjusted = maximum(stddev, rsqrt(constant(float(np.prod(dims)), dtype=f32)))
        return truediv(subtract(x, mean), adjusted)


def rgb_to_grayscale(images, name: str | None = None) -> Tensor:
    """0.2989 R + 0.587 G + 0.114 B, in the images' dtype."""
    from .linalg_ops import tensordot
    x = convert_to_tensor(images)
    with name_scope(name, "rgb_to_grayscale", [x]):
        flt = convert_image_dtype(x, f32)
        gray = tensordot(flt, constant(np.array([0.2989, 0.5870, 0.1140], np.float32)), [[-1], [-1]])
        return convert_image_dtype(expand_dims(gray, -1), x.dtype)


def grayscale_to_rgb(images, name: str | None = None) -> Tensor:
    from .array_ops import tile
    x = convert_to_tensor(images)
    with name_scope(name, "grayscale_to_rgb", [x]):
        return tile(x, [1] * (x.shape.ndims - 1) + [3])


def _offset(value, what: str):
    """An int, or (for a tensor whose value is not known while building) an int32 scalar tensor."""
    from .framework import constant_value
    if isinstance(value, Tensor) and constant_value(value) is None:
        if value.shape.ndims not in (None, 0) or not value.dtype.is_integer:
            raise TypeError(f"{what} must be an integer scalar, got {value.dtype.name} {value.shape} ({value.name})")
        return cast(value, i32)
    return check_int(value, what)


def _shifted_rows(x: Tensor, start: Tensor, count: int, axis: int) -> Tensor:
    """x's `count` entries from `start` (a tensor) along `axis`; an index outside x fails when the step runs."""
    from .array_ops import range as arange
    return gather(x, add(arange(count), start), axis=axis)


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """The target_height x target_width window at (offset_height, offset_width); offsets may be tensors (a window
    outside the image then fails when the step runs, as TF's assertion does)."""
    x, single = batched_images(image, "crop_to_bounding_box", "crop_to_bounding_box")
    oh, ow = _offset(offset_height, "offset_height"), _offset(offset_width, "offset_width")
    th, tw = check_int(target_height, "target_height"), check_int(target_width, "target_width")
    h, w = known_height_width(x, "crop_to_bounding_box", "crop_to_bounding_box")
    if th <= 0 or tw <= 0 or th > h or tw > w:
        raise ValueError(f"crop_to_bounding_box: the {th}x{tw} target must fit the {h}x{w} image ({x.name}) with "
                         f"a positive size")
    if isinstance(oh, int) and isinstance(ow, int):
        if oh < 0 or ow < 0 or oh + th > h or ow + tw > w:
            raise ValueError(f"crop_to_bounding_box: the box ({oh}, {ow}) + ({th}, {tw}) must lie inside the "
                             f"{h}x{w} image ({x.name}) with a positive size")
        out = x[:, oh:oh + th, ow:ow + tw, :]
    else:
        with name_scope(None, "crop_to_bounding_box", [x]):
            out = x if isinstance(oh, int) and oh == 0 and th == h else _shifted_rows(x, oh, th, 1)
            out = out if isinstance(ow, int) and ow == 0 and tw == w else _shifted_rows(out, ow, tw, 2)
    return squeeze(out, [0]) if single else out


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width) -> Tensor:
    """The image placed at (offset_height, offset_width) on a zero target_height x target_width canvas; offsets may
    be tensors (a placement past the canvas then fails when the step runs)."""
    x, single = batched_images(image, "pad_to_bounding_box", "pad_to_bounding_box")
    oh, ow = _offset(offset_height, "offset_height"), _offset(offset_width, "offset_width")
    th, tw = check_int(target_height, "target_height"), check_int(target_width, "target_width")
    h, w = known_height_width(x, "pad_to_bounding_box", "pad_to_bounding_box")
    if th < h or tw < w:
        raise ValueError(f"pad_to_bounding_box: the {h}x{w} image ({x.name}) must fit the {th}x{tw} target")
    if isinstance(oh, int) and isinstance(ow, int):
        if oh < 0 or ow < 0 or th - oh < h or tw - ow < w:
            raise ValueError(f"pad_to_bounding_box: the {h}x{w} image ({x.name}) at ({oh}, {ow}) must fit the "
                             f"{th}x{tw} target")
        out = pad(x, [[0, 0], [oh, th - oh - h], [ow, tw - ow - w], [0, 0]])
    else:  # zeros on both sides, then the target's rows and columns read from the shifted image
        with name_scope(None, "pad_to_bounding_box", [x]):
            ph, pw = th - h, tw - w
            canvas = pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]])
            out = _shifted_rows(canvas, subtract(constant(ph, dtype=i32), oh) if not isinstance(oh, int)
                                else constant(ph - oh, dtype=i32), th, 1)
            out = _shifted_rows(out, subtract(constant(pw, dtype=i32), ow) if not isinstance(ow, int)
                                else constant(pw - ow, dtype=i32), tw, 2)
    return squeeze(out, [0]) if single else out


def resize_image_with_pad(image, target_height, target_width, method=0, align_corners: bool = False) -> Tensor:
    """Resize keeping the aspect ratio so the image fits, then zero-pad to the target (centered, TF's offsets)."""
    x, single = batched_images(image, "resize_image_with_pad", "resize_image_with_pad")
    th, tw = check_int(target_height, "target_height"), check_int(target_width, "target_width")
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    h, w = known_height_width(x, "resize_image_with_pad", "resize_image_with_pad")
    with name_scope(None, "resize_image_with_pad", [x]):
        fh, fw, fth, ftw = (np.float32(v) for v in (h, w, th, tw))
        ratio = max(fw / ftw, fh / fth)
        new_h, new_w = fh / ratio, fw / ratio
        pad_h = max(0, int(np.floor((fth - new_h) / np.float32(2))))
        pad_w = max(0, int(np.floor((ftw - new_w) / np.float32(2))))
        resized = resize_images(x, [int(np.floor(new_h)), int(np.floor(new_w))], method,
                                       align_corners=align_corners)
        out = pad_to_bounding_box(resized, pad_h, pad_w, th, tw)
        return squeeze(out, [0]) if single else out


def resize_image_with_crop_or_pad(image, target_height, target_width) -> Tensor:
    """Centrally crop or zero-pad each dim to the target size (TF's offsets: the larger half after)."""
    x, single = batched_images(image, "resize_image_with_crop_or_pad", "resize_image_with_crop_or_pad")
    th, tw = check_int(target_height, "target_height"), check_int(target_width, "target_width")
    h, w = known_height_width(x, "resize_image_with_crop_or_pad", "resize_image_with_crop_or_pad")
    crop_h, crop_w = max((h - th) // 2, 0), max((w - tw) // 2, 0)
    pad_h, pad_w = max((th - h) // 2, 0), max((tw - w) // 2, 0)
    cropped = crop_to_bounding_box(x, crop_h, crop_w, min(th, h), min(tw, w))
    out = pad_to_bounding_box(cropped, pad_h, pad_w, th, tw)
    return squeeze(out, [0]) if single else out


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def central_crop(image, central_fraction: float) -> Tensor:
    """The central fraction of each image's height and width."""
    if not 0.0 < central_fraction <= 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    x, single = batched_images(image, "central_crop", "central_crop")
    if central_fraction == 1.0:
        return convert_to_tensor(image)
    h, w = known_height_width(x, "central_crop", "central_crop")
    start_h = int((h - h * central_fraction) / 2)
    start_w = int((w - w * central_fraction) / 2)
    out = crop_to_bounding_box(x, start_h, start_w, h - start_h * 2, w - start_w * 2)
    return squeeze(out, [0]) if single else out


transpose = transpose_image

__all__ = ["ResizeMethod", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation",
           "central_crop", "convert_image_dtype", "crop_and_resize", "crop_to_bounding_box", "draw_bounding_boxes",
           "extract_image_patches", "extract_patches", "flip_left_right", "flip_up_down", "grayscale_to_rgb",
           "hsv_to_rgb", "image_gradients", "non_max_suppression", "pad_to_bounding_box", "per_image_standardization",
           "psnr", "random_brightness", "random_contrast", "random_crop", "random_flip_left_right",
           "random_flip_up_down", "random_hue", "random_saturation", "resize", "resize_area", "resize_bicubic",
           "resize_bilinear", "resize_image_with_crop_or_pad", "resize_image_with_pad", "resize_images",
           "resize_nearest_neighbor", "resize_with_crop_or_pad", "rgb_to_grayscale", "rgb_to_hsv", "rgb_to_yiq",
           "rgb_to_yuv", "rot90", "sobel_edges", "ssim", "ssim_multiscale", "total_variation", "transpose",
           "transpose_image", "yiq_to_rgb", "yuv_to_rgb"]
