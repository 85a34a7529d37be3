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
from .image_boxes import (combined_non_max_suppression, extract_glimpse, non_max_suppression_overlaps,
                          non_max_suppression_padded, non_max_suppression_with_scores, sample_distorted_bounding_box)
from .image_codecs import (adjust_jpeg_quality, decode_and_crop_jpeg, decode_bmp, decode_gif, decode_image,
                           decode_jpeg, decode_png, encode_jpeg, encode_png, extract_jpeg_shape, is_jpeg,
                           random_jpeg_quality)
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


class _Grid:
    """Sizes of a resize known only when the graph runs: the input's height/width and the requested size as
    scalar tensors, with the kernels' float32 arithmetic written as ops (they fold once the fed shapes are
    known, so a compiled step holds the same constants as a static resize)."""

    def __init__(self, x: Tensor, size, op: str, label: str):
        from .array_ops import shape
        self.x = x
        dims = shape(x, out_type=i32)
        known = x.shape.as_list()
        self.inputs = [constant(np.int32(known[a])) if known[a] is not None else dims[a] for a in (1, 2)]
        size = convert_to_tensor(size)
        if size.dtype is not i32 or size.shape.as_list() != [2]:
            raise build_error(op, label, f"size must be a 1-D int32 tensor of 2 elements [new_height, new_width], "
                                         f"got {size.dtype.name} of shape {size.shape}")
        from .framework import constant_value
        value = constant_value(size)
        if value is None:  # TF's resize kernels refuse an empty output when they run
            from .debugging import Assert
            from .framework import control_dependencies
            from .math_ops import greater, reduce_all
            check = Assert(reduce_all(greater(size, 0)), [f"{op} '{label}': output dimensions must be positive, "
                                                          f"got size", size], name="check_size")
            with control_dependencies([check]):
                size = make("dfc.identity", [size])
        self.outputs = [size[0], size[1]]
        self.static = [None, None] if value is None else [int(v) for v in value]

    def _scale(self, axis: int, align_corners: bool) -> Tensor:
        from .math_ops import greater, where
        n_in, n_out = cast(self.inputs[axis], f32), cast(self.outputs[axis], f32)
        plain = truediv(n_in, n_out)
        if not align_corners:
            return plain
        aligned = truediv(subtract(n_in, 1.0), subtract(n_out, 1.0))
        return where(greater(self.outputs[axis], 1), aligned, plain)

    def positions(self, axis: int) -> Tensor:
        from .array_ops import range as range_
        return cast(range_(self.outputs[axis]), f32)

    def bilinear(self, axis: int, align_corners: bool, half_pixel: bool) -> tuple[Tensor, Tensor, Tensor]:
        from .math_ops import ceil, floor, minimum
        scale, i = self._scale(axis, align_corners), self.positions(axis)
        src = subtract(multiply(add(i, 0.5), scale), 0.5) if half_pixel else multiply(i, scale)
        low = floor(src)
        last = subtract(self.inputs[axis], 1)
        lower = cast(maximum(low, 0.0), i32) if half_pixel else cast(low, i32)
        upper = minimum(cast(ceil(src) if half_pixel else add(low, 1.0), i32), last)
        return minimum(lower, last), upper, subtract(src, low)

    def nearest(self, axis: int, align_corners: bool, half_pixel: bool) -> Tensor:
        from .math_ops import ceil, floor, greater_equal, minimum, where
        scale, i = self._scale(axis, align_corners), self.positions(axis)
        if half_pixel:
            src = floor(multiply(add(i, 0.5), scale))
        elif align_corners:
            raw = multiply(i, scale)
            src = where(greater_equal(subtract(raw, floor(raw)), 0.5), ceil(raw), floor(raw))
        else:
            src = floor(multiply(i, scale))
        return minimum(cast(src, i32), subtract(self.inputs[axis], 1))


def _static_sizes(x: Tensor, size) -> bool:
    """Whether the input's height and width and the requested size are known when the graph is built."""
    from .framework import constant_value
    value = constant_value(size) if isinstance(size, Tensor) else np.asarray(size)
    return None not in x.shape.as_list()[1:3] and value is not None


def resize_bilinear(images, size, align_corners: bool = False, name: str | None = None,
                    half_pixel_centers: bool = False) -> Tensor:
    """Bilinear resize to `size` [new_height, new_width]; the result is float32 (TF1's ResizeBilinear)."""
    label = name or "ResizeBilinear"
    x, single = batched_images(images, "ResizeBilinear", label)
    if align_corners and half_pixel_centers:
        raise build_error("ResizeBilinear", label, "If half_pixel_centers is True, align_corners must be False.")
    if not _static_sizes(x, size):
        return _resize_bilinear_dynamic(x, single, size, align_corners, half_pixel_centers, name, label)
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


def _resize_bilinear_dynamic(x: Tensor, single: bool, size, align_corners: bool, half_pixel: bool,
                             name: str | None, label: str) -> Tensor:
    from .array_ops import reshape
    with name_scope(name, "ResizeBilinear", [x]):
        grid = _Grid(x, size, "ResizeBilinear", label)
        x = cast(x, f32) if x.dtype is not f32 else x
        y0, y1, ly = grid.bilinear(0, align_corners, half_pixel)
        x0, x1, lx = grid.bilinear(1, align_corners, half_pixel)
        top_rows, bottom_rows = gather(x, y0, axis=1), gather(x, y1, axis=1)
        top_left, top_right = gather(top_rows, x0, axis=2), gather(top_rows, x1, axis=2)
        bottom_left, bottom_right = gather(bottom_rows, x0, axis=2), gather(bottom_rows, x1, axis=2)
        x_lerp, y_lerp = reshape(lx, [1, 1, -1, 1]), reshape(ly, [1, -1, 1, 1])
        top = add(top_left, multiply(subtract(top_right, top_left), x_lerp))
        bottom = add(bottom_left, multiply(subtract(bottom_right, bottom_left), x_lerp))
        out = add(top, multiply(subtract(bottom, top), y_lerp))
        out.set_shape([x.shape.as_list()[0], *grid.static, x.shape.as_list()[3]])
        return squeeze(out, [0]) if single else out


def resize_nearest_neighbor(images, size, align_corners: bool = False, name: str | None = None,
                            half_pixel_centers: bool = False) -> Tensor:
    """Nearest-neighbor resize to `size`; keeps the dtype (TF1's ResizeNearestNeighbor)."""
    label = name or "ResizeNearestNeighbor"
    x, single = batched_images(images, "ResizeNearestNeighbor", label)
    if not _static_sizes(x, size):
        with name_scope(name, "ResizeNearestNeighbor", [x]):
            grid = _Grid(x, size, "ResizeNearestNeighbor", label)
            out = gather(gather(x, grid.nearest(0, align_corners, half_pixel_centers), axis=1),
                         grid.nearest(1, align_corners, half_pixel_centers), axis=2)
            out.set_shape([x.shape.as_list()[0], *grid.static, x.shape.as_list()[3]])
            return squeeze(out, [0]) if single else out
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
    if x.shape.ndims not in (3, 4):
        raise build_error("ResizeImages", label, f"'images' must have either 3 or 4 dimensions, got shape {x.shape}")
    from .framework import constant_value
    if (constant_value(size) if isinstance(size, Tensor) else size) is None or (
            not preserve_aspect_ratio and method in (ResizeMethod.BILINEAR, ResizeMethod.NEAREST_NEIGHBOR)
            and not _static_sizes(x if x.shape.ndims == 4 else expand_dims(x, 0), size)):
        if method == ResizeMethod.BILINEAR and not preserve_aspect_ratio:
            return resize_bilinear(x, size, align_corners, name=name)
        if method == ResizeMethod.NEAREST_NEIGHBOR and not preserve_aspect_ratio:
            return resize_nearest_neighbor(x, size, align_corners, name=name)
    height, width = static_size(size, "ResizeImages", label)
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
    with name_scope(None, "per_image_standardization", [x]):
        if None in dims:  # the pixel count when the graph runs
            from .array_ops import shape
            from .math_ops import reduce_prod
            pixels = cast(reduce_prod(shape(x, out_type=i32)[-3:]), f32)
        else:
            pixels = constant(float(np.prod(dims)), dtype=f32)
        x = cast(x, f32)
        mean = reduce_mean(x, axis=[-1, -2, -3], keepdims=True)
        stddev = reduce_std(x, axis=[-1, -2, -3], keepdims=True)
        adjusted = maximum(stddev, rsqrt(pixels))
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
    th, tw = _offset(target_height, "target_height"), _offset(target_width, "target_width")
    if isinstance(th, Tensor) or isinstance(tw, Tensor):  # a window whose size the step's values give
        from .array_ops import slice as slice_
        with name_scope(None, "crop_to_bounding_box", [x]):
            out = slice_(x, [0, oh, ow, 0], [-1, th, tw, -1])
        return squeeze(out, [0]) if single else out
    if None in x.shape.as_list()[1:3]:  # the image's size comes with the step: a window past it fails there
        if th <= 0 or tw <= 0:
            raise ValueError(f"crop_to_bounding_box: the target {th}x{tw} must have a positive size")
        with name_scope(None, "crop_to_bounding_box", [x]):
            out = _shifted_rows(_shifted_rows(x, oh, th, 1), ow, tw, 2)
        return squeeze(out, [0]) if single else out
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
    th, tw = _offset(target_height, "target_height"), _offset(target_width, "target_width")
    if isinstance(th, Tensor) or isinstance(tw, Tensor):  # a canvas whose size the step's values give
        from .array_ops import shape
        with name_scope(None, "pad_to_bounding_box", [x]):
            h, w = (d if d is not None else shape(x)[k + 1] for k, d in enumerate(x.shape.as_list()[1:3]))
            out = pad(x, [[0, 0], [oh, th - oh - h], [ow, tw - ow - w], [0, 0]])
        return squeeze(out, [0]) if single else out
    if None in x.shape.as_list()[1:3]:  # a canvas with a target's worth of zeros on each side, read from the shift
        with name_scope(None, "pad_to_bounding_box", [x]):
            canvas = pad(x, [[0, 0], [th, th], [tw, tw], [0, 0]])
            out = _shifted_rows(_shifted_rows(canvas, subtract(th, oh) if isinstance(oh, Tensor) else th - oh, th, 1),
                                subtract(tw, ow) if isinstance(ow, Tensor) else tw - ow, tw, 2)
        return squeeze(out, [0]) if single else out
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
    if None in x.shape.as_list()[1:3]:
        # TF's offsets from the run's sizes: output row j reads image row j - pad + crop, zeros outside the image
        from .array_ops import shape
        from .math_ops import floordiv
        with name_scope(None, "resize_image_with_crop_or_pad", [x]):
            dims = shape(x, out_type=i32)
            canvas = pad(x, [[0, 0], [th, th], [tw, tw], [0, 0]])
            out = canvas
            for axis, target in ((1, th), (2, tw)):
                crop = maximum(floordiv(subtract(dims[axis], target), 2), 0)
                padded = maximum(floordiv(subtract(target, dims[axis]), 2), 0)
                out = _shifted_rows(out, add(subtract(crop, padded), target), target, axis)
        return squeeze(out, [0]) if single else out
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
    if None in x.shape.as_list()[1:3]:  # TF's float64 arithmetic on the run's sizes; the slice fits them
        from dfc.ir.dtypes import f64

        from .array_ops import shape
        with name_scope(None, "central_crop", [x]):
            dims = shape(x, out_type=i32)
            fraction = cast(constant(central_fraction, dtype=f32), f64)  # through float32, as TF converts it
            starts = [cast(truediv(subtract(cast(dims[a], f64), multiply(cast(dims[a], f64), fraction)), 2.0), i32)
                      for a in (1, 2)]
            out = x[:, starts[0]:subtract(dims[1], starts[0]), starts[1]:subtract(dims[2], starts[1]), :]
        return squeeze(out, [0]) if single else out
    h, w = known_height_width(x, "central_crop", "central_crop")
    start_h = int((h - h * central_fraction) / 2)
    start_w = int((w - w * central_fraction) / 2)
    out = crop_to_bounding_box(x, start_h, start_w, h - start_h * 2, w - start_w * 2)
    return squeeze(out, [0]) if single else out


transpose = transpose_image

__all__ = ["ResizeMethod", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
           "adjust_jpeg_quality", "adjust_saturation", "central_crop", "combined_non_max_suppression",
           "convert_image_dtype", "crop_and_resize", "crop_to_bounding_box", "decode_and_crop_jpeg", "decode_bmp",
           "decode_gif", "decode_image", "decode_jpeg", "decode_png", "draw_bounding_boxes", "encode_jpeg",
           "encode_png", "extract_glimpse", "extract_image_patches", "extract_jpeg_shape", "extract_patches",
           "flip_left_right", "flip_up_down", "grayscale_to_rgb", "hsv_to_rgb", "image_gradients", "is_jpeg",
           "non_max_suppression", "non_max_suppression_overlaps", "non_max_suppression_padded",
           "non_max_suppression_with_scores", "pad_to_bounding_box", "per_image_standardization", "psnr",
           "random_brightness", "random_contrast", "random_crop", "random_flip_left_right", "random_flip_up_down",
           "random_hue", "random_jpeg_quality", "random_saturation", "resize", "resize_area", "resize_bicubic",
           "resize_bilinear", "resize_image_with_crop_or_pad", "resize_image_with_pad", "resize_images",
           "resize_nearest_neighbor", "resize_with_crop_or_pad", "rgb_to_grayscale", "rgb_to_hsv", "rgb_to_yiq",
           "rgb_to_yuv", "rot90", "sample_distorted_bounding_box", "sobel_edges", "ssim", "ssim_multiscale",
           "total_variation", "transpose", "transpose_image", "yiq_to_rgb", "yuv_to_rgb"]
