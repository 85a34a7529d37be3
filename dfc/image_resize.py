"""tf.image's other resizes: area, bicubic, crop_and_resize (TF1's kernels' arithmetic).

Area and bicubic weights depend only on the sizes, so they are computed here once in float32 as TF's
kernels compute them (bicubic through TF's 1024-entry coefficient table) and applied as gathers
and weighted sums (bicubic) or two contractions (area); crop_and_resize computes its sample points
from the boxes in the graph, so gradients reach both the image and the boxes.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import f32, i32

from .array_ops import expand_dims, gather, reshape, squeeze, unstack
from .framework import Tensor, build_error, constant, convert_to_tensor, name_scope
from .gradients_impl import stop_gradient
from .image_core import batched_images, known_height_width, resize_scale, static_size
from .linalg_ops import einsum
from .math_ops import (add, cast, ceil, floor, greater_equal, less_equal, logical_and, maximum, minimum, multiply,
                       subtract, truediv, where)

_TABLE_SIZE = 1024


def _coeffs_table(keys_cubic: bool) -> np.ndarray:
    """TF's bicubic coefficient table: entry 2i is the weight of a tap at distance i/1024, 2i+1 at 1 + i/1024."""
    a = np.float32(-0.5 if keys_cubic else -0.75)
    table = np.zeros((_TABLE_SIZE + 1) * 2, np.float32)
    for i in range(_TABLE_SIZE + 1):
        x = np.float32(i) / np.float32(_TABLE_SIZE)
        table[i * 2] = ((a + np.float32(2)) * x - (a + np.float32(3))) * x * x + np.float32(1)
        x = x + np.float32(1)
        table[i * 2 + 1] = ((a * x - np.float32(5) * a) * x + np.float32(8) * a) * x - np.float32(4) * a
    return table


def _bicubic_taps(in_size: int, out_size: int, align_corners: bool, half_pixel: bool):
    """The 4 input indices [out, 4] and weights [out, 4] of each output position (TF's GetWeightsAndIndices)."""
    scale = resize_scale(in_size, out_size, align_corners)
    table = _coeffs_table(half_pixel)
    index = np.zeros((out_size, 4), np.int64)
    weight = np.zeros((out_size, 4), np.float32)
    for o in range(out_size):
        loc_f = ((np.float32(o) + np.float32(0.5)) * scale - np.float32(0.5)) if half_pixel else np.float32(o) * scale
        loc = int(np.floor(loc_f))
        delta = np.float32(loc_f - np.float32(loc))
        offset = int(np.rint(delta * np.float32(_TABLE_SIZE)))
        taps = [loc - 1, loc, loc + 1, loc + 2]
        w = [table[offset * 2 + 1], table[offset * 2], table[(_TABLE_SIZE - offset) * 2],
             table[(_TABLE_SIZE - offset) * 2 + 1]]
        bounded = [min(max(t, 0), in_size - 1) for t in taps]
        if half_pixel:  # samples outside the image weigh nothing; the rest are renormalized
            w = [wk if b == t else np.float32(0) for wk, b, t in zip(w, bounded, taps)]
            total = np.float32(w[0] + w[1] + w[2] + w[3])
            if abs(total) >= 1000.0 * np.finfo(np.float32).tiny:
                inv = np.float32(1) / total
                w = [np.float32(wk * inv) for wk in w]
        index[o], weight[o] = bounded, w
    return index, weight


def _weighted_taps(x: Tensor, index: np.ndarray, weight: np.ndarray, axis: int) -> Tensor:
    shape = [1, 1, 1, 1]
    shape[axis] = index.shape[0]
    total = None
    for k in range(4):
        term = multiply(gather(x, constant(index[:, k].astype(np.int32)), axis=axis),
                        constant(weight[:, k].reshape(shape)))
        total = term if total is None else add(total, term)
    return total


def resize_bicubic(images, size, align_corners: bool = False, name: str | None = None,
                   half_pixel_centers: bool = False) -> Tensor:
    """Bicubic resize to `size` (TF1's ResizeBicubic: Keys' cubic with a = -0.75, or -0.5 with half_pixel_centers);
    the result is float32."""
    label = name or "ResizeBicubic"
    x, single = batched_images(images, "ResizeBicubic", label)
    if align_corners and half_pixel_centers:
        raise build_error("ResizeBicubic", label, "If half_pixel_centers is True, align_corners must be False.")
    height, width = static_size(size, "ResizeBicubic", label)
    h, w = known_height_width(x, "ResizeBicubic", label)
    with name_scope(name, "ResizeBicubic", [x]):
        x = cast(x, f32) if x.dtype is not f32 else x
        cols = _weighted_taps(x, *_bicubic_taps(w, width, align_corners, half_pixel_centers), axis=2)
        out = _weighted_taps(cols, *_bicubic_taps(h, height, align_corners, half_pixel_centers), axis=1)
        return squeeze(out, [0]) if single else out


def _area_weights(in_size: int, out_size: int, align_corners: bool) -> np.ndarray:
    """[out, in]: how much of each input cell each output cell covers (TF's ResizeArea, edges bounded)."""
    scale = resize_scale(in_size, out_size, align_corners)
    weights = np.zeros((out_size, in_size), np.float32)
    for o in range(out_size):
        lo, hi = np.float32(o) * scale, np.float32(o + 1) * scale
        for i in range(int(np.floor(lo)), int(np.ceil(hi))):
            if i < lo:
                share = scale if i + 1 > hi else np.float32(i + 1) - lo
            else:
                share = hi - np.float32(i) if i + 1 > hi else np.float32(1)
            weights[o, min(max(i, 0), in_size - 1)] += share
    return weights


def resize_area(images, size, align_corners: bool = False, name: str | None = None) -> Tensor:
    """Area-averaging resize to `size` (TF1's ResizeArea); the result is float32."""
    label = name or "ResizeArea"
    x, single = batched_images(images, "ResizeArea", label)
    height, width = static_size(size, "ResizeArea", label)
    if None in x.shape.as_list()[1:3]:  # decoded images: their size is known only when the step runs
        return _resize_area_dynamic(x, single, height, width, align_corners, name)
    h, w = known_height_width(x, "ResizeArea", label)
    with name_scope(name, "ResizeArea", [x]):
        x = cast(x, f32) if x.dtype is not f32 else x
        rows, cols = _area_weights(h, height, align_corners), _area_weights(w, width, align_corners)
        norm = np.float32(1) / (resize_scale(h, height, align_corners) * resize_scale(w, width, align_corners))
        out = einsum("yi,nijc,xj->nyxc", constant(rows * norm), x, constant(cols))
        return squeeze(out, [0]) if single else out


def _area_weights_of(in_size: Tensor, out_size: int, align_corners: bool) -> tuple[Tensor, Tensor]:
    """_area_weights for an input size the step knows: each output cell [o, o + 1) * scale covers
    max(0, min(hi, i + 1) - max(lo, i)) of input cell i, which is TF's case analysis in one formula.
    Returns the weights [out, in] and the scale."""
    from .array_ops import range as range_
    n = cast(in_size, f32)
    if align_corners and out_size > 1:
        scale = truediv(subtract(n, constant(np.float32(1))), constant(np.float32(out_size - 1)))
    else:
        scale = truediv(n, constant(np.float32(out_size)))
    o = constant(np.arange(out_size, dtype=np.float32).reshape(out_size, 1))
    lo, hi = multiply(o, scale), multiply(add(o, constant(np.float32(1))), scale)
    i = reshape(cast(range_(in_size), f32), [1, -1])
    # cells past the input (align_corners' last output cell reaches them) count for the last input cell, as
    # TF's clamped index does: that cell has no upper edge
    upper = where(greater_equal(i, subtract(n, constant(np.float32(1)))), constant(np.float32(np.inf)),
                  add(i, constant(np.float32(1))))
    overlap = subtract(minimum(hi, upper), maximum(lo, i))
    return maximum(overlap, constant(np.float32(0))), scale


def _resize_area_dynamic(x: Tensor, single: bool, height: int, width: int, align_corners: bool,
                         name: str | None) -> Tensor:
    from .array_ops import shape
    with name_scope(name, "ResizeArea", [x]):
        dims = shape(x)
        x = cast(x, f32) if x.dtype is not f32 else x
        rows, row_scale = _area_weights_of(dims[1], height, align_corners)
        cols, col_scale = _area_weights_of(dims[2], width, align_corners)
        norm = truediv(constant(np.float32(1)), multiply(row_scale, col_scale))
        out = einsum("yi,nijc,xj->nyxc", multiply(rows, norm), x, cols)
        out.set_shape([x.shape.as_list()[0], height, width, x.shape.as_list()[3]])
        return squeeze(out, [0]) if single else out


def _sample_points(low: Tensor, high: Tensor, size: int, crop: int) -> Tensor:
    """[boxes, crop]: TF's in_y = y1 * (size - 1) + i * (y2 - y1) * (size - 1) / (crop - 1) (crop 1: the middle)."""
    extent = np.float32(size - 1)
    if crop > 1:
        step = truediv(multiply(subtract(high, low), constant(extent)), constant(np.float32(crop - 1)))
        steps = constant(np.arange(crop, dtype=np.float32).reshape(1, crop))
        return add(expand_dims(multiply(low, constant(extent)), 1), multiply(expand_dims(step, 1), steps))
    return expand_dims(multiply(multiply(constant(np.float32(0.5)), add(low, high)), constant(extent)), 1)


def crop_and_resize(image, boxes, box_ind=None, crop_size=None, method: str = "bilinear",
                    extrapolation_value: float = 0.0, name: str | None = None, box_indices=None) -> Tensor:
    """Crops of `image` [batch, h, w, d] at normalized `boxes` [n, 4] (y1, x1, y2, x2) from images `box_ind` [n],
    each resized to `crop_size`; float32 [n, crop_h, crop_w, d], samples outside an image set to
    extrapolation_value."""
    label = name or "CropAndResize"
    box_ind = box_indices if box_ind is None else box_ind
    if box_ind is None or crop_size is None:
        raise TypeError("crop_and_resize() needs box_ind and crop_size")
    x = convert_to_tensor(image, name="image")
    if x.shape.ndims != 4:
        raise build_error("CropAndResize", label, f"input image must be 4-D, got shape {x.shape} for {x.name}")
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"CropAndResize '{label}': method must be 'bilinear' or 'nearest', got {method!r}")
    boxes, box_ind = convert_to_tensor(boxes, name="boxes"), convert_to_tensor(box_ind, name="box_ind")
    if boxes.shape.ndims != 2 or boxes.shape.as_list()[1] not in (None, 4):
        raise build_error("CropAndResize", label, f"boxes must be 2-D [num_boxes, 4], got shape {boxes.shape}")
    if box_ind.shape.ndims != 1:
        raise build_error("CropAndResize", label, f"box_ind must be 1-D [num_boxes], got shape {box_ind.shape}")
    crop_h, crop_w = static_size(crop_size, "CropAndResize", label)
    batch, h, w, depth = x.shape.as_list()
    if None in (batch, h, w):
        raise build_error("CropAndResize", label, f"needs the batch, height and width of {x.name}, got {x.shape}")
    with name_scope(name, "CropAndResize", [x, boxes, box_ind]):
        flat = reshape(cast(x, f32) if x.dtype is not f32 else x, [batch * h * w, -1 if depth is None else depth])
        boxes = cast(boxes, f32) if boxes.dtype is not f32 else boxes
        y1, x1, y2, x2 = unstack(boxes, num=4, axis=1)
        in_y = expand_dims(_sample_points(y1, y2, h, crop_h), 2)  # [n, crop_h, 1]
        in_x = expand_dims(_sample_points(x1, x2, w, crop_w), 1)  # [n, 1, crop_w]
        inside = logical_and(
            logical_and(greater_equal(in_y, constant(np.float32(0))), less_equal(in_y, constant(np.float32(h - 1)))),
            logical_and(greater_equal(in_x, constant(np.float32(0))), less_equal(in_x, constant(np.float32(w - 1)))))
        base = reshape(multiply(cast(box_ind, i32), constant(h * w, dtype=i32)), [-1, 1, 1])

        def index(rows: Tensor, cols: Tensor) -> Tensor:
            r = cast(minimum(maximum(rows, constant(np.float32(0))), constant(np.float32(h - 1))), i32)
            c = cast(minimum(maximum(cols, constant(np.float32(0))), constant(np.float32(w - 1))), i32)
            return add(add(base, multiply(r, constant(w, dtype=i32))), c)

        def bilinear(source: Tensor) -> Tensor:
            def pixels(rows: Tensor, cols: Tensor) -> Tensor:
                return gather(source, index(rows, cols))
            top, left = floor(in_y), floor(in_x)
            y_lerp, x_lerp = expand_dims(subtract(in_y, top), -1), expand_dims(subtract(in_x, left), -1)
            bottom, right = ceil(in_y), ceil(in_x)
            top_left, top_right = pixels(top, left), pixels(top, right)
            bottom_left, bottom_right = pixels(bottom, left), pixels(bottom, right)
            upper = add(top_left, multiply(subtract(top_right, top_left), x_lerp))
            lower = add(bottom_left, multiply(subtract(bottom_right, bottom_left), x_lerp))
            return add(upper, multiply(subtract(lower, upper), y_lerp))

        if method == "bilinear":
            out = bilinear(flat)
        else:
            def nearest(t: Tensor) -> Tensor:  # roundf: halves away from zero
                down = floor(t)
                return where(greater_equal(subtract(t, down), constant(np.float32(0.5))), ceil(t), down)
            # TF's CropAndResizeGradBoxes is bilinear's whatever the method: the boxes get bilinear's gradient
            # (a zero added to the value), the image nearest's
            tracking = bilinear(stop_gradient(flat))
            out = add(gather(flat, index(nearest(in_y), nearest(in_x))), subtract(tracking, stop_gradient(tracking)))
        return where(expand_dims(inside, -1), out, constant(np.float32(extrapolation_value)))


def _patch_taps(size: int, k: int, stride: int, rate: int, padding: str) -> tuple[np.ndarray, int, int]:
    """[out, k] input indices of each output position's taps (into the image padded by `before`), out, before."""
    span = (k - 1) * rate + 1
    if padding == "VALID":
        out, before = (size - span) // stride + 1 if size >= span else 0, 0
    else:
        out = -(-size // stride)
        before = max((out - 1) * stride + span - size, 0) // 2
    taps = np.arange(out)[:, None] * stride + np.arange(k)[None, :] * rate
    return taps, out, before


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None, name: str | None = None,
                          sizes=None) -> Tensor:
    """[batch, out_rows, out_cols, ksize_rows * ksize_cols * depth]: each output pixel holds its patch's taps
    (row-major, then depth), the taps `rates` apart, zero outside the image with SAME padding."""
    from .array_ops import transpose
    from .tensor_ops import pad
    label = name or "ExtractImagePatches"
    ksizes = sizes if ksizes is None else ksizes
    x = convert_to_tensor(images, name="images")
    if x.shape.ndims != 4:
        raise build_error("ExtractImagePatches", label, f"input must be 4-dimensional, got {x.shape} ({x.name})")
    for what, value in (("ksizes", ksizes), ("strides", strides), ("rates", rates)):
        if value is None or len(value) != 4 or value[0] != 1 or value[3] != 1:
            raise build_error("ExtractImagePatches", label, f"{what} must be [1, rows, cols, 1], got {value!r} "
                                                            f"(only spatial {what} are supported)")
    padding = str(padding).upper()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"ExtractImagePatches '{label}': padding must be 'SAME' or 'VALID', got {padding!r}")
    batch, height, width, depth = x.shape.as_list()
    if None in (height, width):
        raise build_error("ExtractImagePatches", label, f"needs the height and width of {x.name}, got {x.shape}")
    row_taps, out_h, top = _patch_taps(height, ksizes[1], strides[1], rates[1], padding)
    col_taps, out_w, left = _patch_taps(width, ksizes[2], strides[2], rates[2], padding)
    with name_scope(name, "ExtractImagePatches", [x]):
        if padding == "SAME":
            bottom = max(int(row_taps.max(initial=0)) + 1 - top - height, 0)
            right = max(int(col_taps.max(initial=0)) + 1 - left - width, 0)
            x = pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])
        rows = gather(x, constant(row_taps.astype(np.int32)), axis=1)  # [n, out_h, kh, w, d]
        patches = gather(rows, constant(col_taps.astype(np.int32)), axis=3)  # [n, out_h, kh, out_w, kw, d]
        patches = transpose(patches, [0, 1, 3, 2, 4, 5])
        channels = ksizes[1] * ksizes[2] * (-1 if depth is None else depth)
        return reshape(patches, [-1 if batch is None else batch, out_h, out_w, channels])


def extract_patches(images, sizes, strides, rates, padding, name: str | None = None) -> Tensor:
    return extract_image_patches(images, sizes, strides, rates, padding, name)


__all__ = ["crop_and_resize", "extract_image_patches", "extract_patches", "resize_area", "resize_bicubic"]
