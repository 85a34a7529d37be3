"""tf.image's measures, filters and boxes: total_variation, gradients, sobel_edges, psnr, ssim, NMS, box drawing.

draw_bounding_boxes paints each box's outline with selects over index grids. The rest but
non_max_suppression are TF1's own compositions (slices, depthwise convolutions, reductions),
so their gradients are autodiff's as in TF1. non_max_suppression's result size depends on the
boxes' values; dfc compiles static shapes, so it is computed when boxes and scores are constants.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import f32, i32

from .array_ops import concat, expand_dims, reshape, stack
from dfc.ir.ops.linalg import nms_indices

from .framework import (Tensor, build_error, constant, constant_value, convert_to_tensor, make_op, name_scope,
                        wrap)
from .image_core import convert_image_dtype
from .math_ops import (abs, add, cast, equal, log, multiply, pow, reduce_mean, reduce_prod, reduce_sum, relu, square,
                       squared_difference, subtract, truediv)

_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def total_variation(images, name: str | None = None) -> Tensor:
    """Sum of absolute differences of neighbouring pixels, per image ([h, w, c]: a scalar; [n, h, w, c]: [n])."""
    x = convert_to_tensor(images, name="images")
    with name_scope(name, "total_variation", [x]):
        ndims = x.shape.ndims
        if ndims == 3:
            down, across, axes = subtract(x[1:, :, :], x[:-1, :, :]), subtract(x[:, 1:, :], x[:, :-1, :]), None
        elif ndims == 4:
            down, across = subtract(x[:, 1:, :, :], x[:, :-1, :, :]), subtract(x[:, :, 1:, :], x[:, :, :-1, :])
            axes = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return add(reduce_sum(abs(down), axis=axes), reduce_sum(abs(across), axis=axes))


def image_gradients(image) -> tuple[Tensor, Tensor]:
    """(dy, dx): forward differences down and across [n, h, w, c], zero in the last row / column."""
    x = convert_to_tensor(image)
    if x.shape.ndims != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {x.shape}.")
    dy = subtract(x[:, 1:, :, :], x[:, :-1, :, :])
    dx = subtract(x[:, :, 1:, :], x[:, :, :-1, :])
    dy = concat([dy, multiply(x[:, :1, :, :], constant(0, dtype=x.dtype))], 1)
    dx = concat([dx, multiply(x[:, :, :1, :], constant(0, dtype=x.dtype))], 2)
    return dy, dx


def sobel_edges(image) -> Tensor:
    """[n, h, w, c, 2]: the Sobel responses down (dy) and across (dx) of each channel, the border reflected."""
    from .nn_conv import depthwise_conv2d
    from .tensor_ops import pad
    x = convert_to_tensor(image)
    if x.shape.ndims != 4 or x.shape.as_list()[-1] is None:
        raise build_error("sobel_edges", "sobel_edges", f"needs a 4-D image with known channels, got {x.shape} "
                                                          f"for {x.name}")
    channels = x.shape.as_list()[-1]
    kernels = np.array([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]])
    kernels = np.tile(np.expand_dims(np.transpose(kernels, (1, 2, 0)), -2), [1, 1, channels, 1])
    padded = pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    out = depthwise_conv2d(padded, constant(kernels.astype(x.dtype.as_numpy_dtype)), [1, 1, 1, 1], "VALID")
    return stack([out[..., 0::2], out[..., 1::2]], axis=-1)  # depthwise output channel c * 2 + k: kernel k of c


def _check_compatible(a: Tensor, b: Tensor) -> None:
    sa, sb = a.shape, b.shape
    if sa.ndims is not None and sa.ndims < 3 or sb.ndims is not None and sb.ndims < 3:
        raise ValueError(f"Shape must be at least rank 3 but is rank {min(sa.ndims, sb.ndims)}: {a.name} {sa}, "
                         f"{b.name} {sb}")
    if sa.ndims is None or sb.ndims is None:
        return
    da, db = sa.as_list(), sb.as_list()
    for x, y in zip(da[-3:], db[-3:]):
        if x is not None and y is not None and x != y:
            raise ValueError(f"Shapes {sa} and {sb} are incompatible ({a.name}, {b.name})")
    for x, y in zip(reversed(da[:-3]), reversed(db[:-3])):
        if x is not None and y is not None and x != y and x != 1 and y != 1:
            raise ValueError(f"Two images are not compatible: {sa} and {sb}")


def _max_val(max_val, dtype) -> Tensor:
    value = cast(convert_to_tensor(max_val), dtype) if isinstance(max_val, Tensor) else constant(max_val, dtype=dtype)
    return convert_image_dtype(value, f32)


def psnr(a, b, max_val, name: str | None = None) -> Tensor:
    """Peak signal-to-noise ratio in dB over each image's last three dims: 20 log10(max_val) - 10 log10(mse)."""
    a, b = convert_to_tensor(a, name="a"), convert_to_tensor(b, name="b")
    _check_compatible(a, b)
    with name_scope(name, "PSNR", [a, b]):
        peak = _max_val(max_val, a.dtype)
        a, b = convert_image_dtype(a, f32), convert_image_dtype(b, f32)
        mse = reduce_mean(squared_difference(a, b), [-3, -2, -1])
        return subtract(truediv(multiply(constant(20.0), log(peak)), log(constant(10.0))),
                        multiply(constant(np.float32(10 / np.log(10))), log(mse)), name="psnr")


def _gaussian(size: int, sigma: float) -> np.ndarray:
    """TF's _fspecial_gauss: a softmax over -(i^2 + j^2) / (2 sigma^2), float32 [size, size, 1, 1]."""
    coords = np.arange(size, dtype=np.float32) - np.float32(size - 1) / np.float32(2)
    g = np.square(coords) * (np.float32(-0.5) / np.square(np.float32(sigma)))
    g = (g.reshape(1, -1) + g.reshape(-1, 1)).reshape(-1)
    g = np.exp(g - g.max())
    return (g / g.sum()).astype(np.float32).reshape(size, size, 1, 1)


def _check_window(x: Tensor, filter_size: int, op: str = "SSIM") -> None:
    dims = x.shape.as_list()
    for d in dims[-3:-1]:
        if d is not None and d < filter_size:
            raise build_error(op, op.lower(), f"the images' height and width {dims[-3:-1]} must be at least "
                                              f"filter_size {filter_size} ({x.name})")


def _ssim_per_channel(x: Tensor, y: Tensor, peak: Tensor, filter_size: int, filter_sigma: float, k1: float,
                      k2: float, index_map: bool = False) -> tuple[Tensor, Tensor]:
    from .nn_conv import depthwise_conv2d
    _check_window(x, filter_size)
    dims = x.shape.as_list()
    channels = dims[-1]
    if channels is None or None in dims[-3:-1]:
        raise build_error("SSIM", "ssim", f"needs the height, width and channels of {x.name}, got {x.shape}")
    kernel = constant(np.tile(_gaussian(filter_size, filter_sigma), [1, 1, channels, 1]))
    head = dims[:-3]

    def reducer(t: Tensor) -> Tensor:
        flat = reshape(t, [-1, *dims[-3:]])
        out = depthwise_conv2d(flat, kernel, [1, 1, 1, 1], "VALID")
        return reshape(out, [-1 if d is None else d for d in head] + out.shape.as_list()[1:])

    c1 = square(multiply(constant(np.float32(k1)), peak))
    c2 = square(multiply(constant(np.float32(k2)), peak))
    mean0, mean1 = reducer(x), reducer(y)
    num0 = multiply(multiply(mean0, mean1), constant(2.0))
    den0 = add(square(mean0), square(mean1))
    luminance = truediv(add(num0, c1), add(den0, c1))
    num1 = multiply(reducer(multiply(x, y)), constant(2.0))
    den1 = reducer(add(square(x), square(y)))
    cs = truediv(add(subtract(num1, num0), c2), add(subtract(den1, den0), c2))
    if index_map:
        return multiply(luminance, cs), cs
    return reduce_mean(multiply(luminance, cs), [-3, -2]), reduce_mean(cs, [-3, -2])


def ssim(img1, img2, max_val, filter_size: int = 11, filter_sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03,
         return_index_map: bool = False) -> Tensor:
    """Structural similarity of each image pair, with an 11x11 Gaussian window of sigma 1.5 by default (TF's SSIM)."""
    img1, img2 = convert_to_tensor(img1, name="img1"), convert_to_tensor(img2, name="img2")
    _check_compatible(img1, img2)
    _check_window(img1, filter_size)
    with name_scope(None, "SSIM", [img1, img2]):
        peak = _max_val(max_val, img1.dtype)
        x, y = convert_image_dtype(img1, f32), convert_image_dtype(img2, f32)
        per_channel, _ = _ssim_per_channel(x, y, peak, filter_size, filter_sigma, k1, k2, return_index_map)
        return reduce_mean(per_channel, [-1])


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size: int = 11,
                    filter_sigma: float = 1.5, k1: float = 0.01, k2: float = 0.03) -> Tensor:
    """MS-SSIM: contrast-structure terms of len(power_factors) scales (each halved by 2x2 average pooling,
    odd sizes padded symmetrically) and the last scale's SSIM, raised to the power factors and multiplied."""
    from .nn import avg_pool
    from .tensor_ops import pad
    img1, img2 = convert_to_tensor(img1, name="img1"), convert_to_tensor(img2, name="img2")
    _check_compatible(img1, img2)
    _check_window(img1, filter_size, "MS-SSIM")
    with name_scope(None, "MS-SSIM", [img1, img2]):
        peak = _max_val(max_val, img1.dtype)
        imgs = [convert_image_dtype(img1, f32), convert_image_dtype(img2, f32)]
        head = [-1 if d is None else d for d in imgs[0].shape.as_list()[:-3]]
        mcs = []
        per_channel = None
        for k in range(len(power_factors)):
            with name_scope(None, f"Scale{k}", imgs):
                if k > 0:
                    h, w, c = imgs[0].shape.as_list()[-3:]
                    padding = [[0, 0], [0, h % 2], [0, w % 2], [0, 0]]
                    flat = [reshape(t, [-1, h, w, c]) for t in imgs]
                    if h % 2 or w % 2:
                        flat = [pad(t, padding, mode="SYMMETRIC") for t in flat]
                    pooled = [avg_pool(t, [1, 2, 2, 1], [1, 2, 2, 1], "VALID") for t in flat]
                    imgs = [reshape(t, head + t.shape.as_list()[1:]) for t in pooled]
                per_channel, cs = _ssim_per_channel(*imgs, peak, filter_size, filter_sigma, k1, k2)
                mcs.append(relu(cs))
        mcs.pop()
        stacked = stack(mcs + [relu(per_channel)], axis=-1)
        factors = constant(np.asarray(power_factors, np.float32))
        return reduce_mean(reduce_prod(pow(stacked, factors), [-1]), [-1])


def non_max_suppression(boxes, scores, max_output_size, iou_threshold: float = 0.5,
                        score_threshold: float = float("-inf"), name: str | None = None) -> Tensor:
    """Indices (int32, at most max_output_size) of the highest-scoring boxes, greedily dropping any box whose IOU
    with a kept one exceeds iou_threshold. Constant inputs select while building; fed ones select on the host,
    and the count sizes the result."""
    label = name or "NonMaxSuppressionV3"
    boxes, scores = convert_to_tensor(boxes, name="boxes"), convert_to_tensor(scores, name="scores")
    if boxes.shape.ndims != 2 or boxes.shape.as_list()[1] not in (None, 4):
        raise build_error("NonMaxSuppressionV3", label, f"boxes must be 2-D [num_boxes, 4], got {boxes.shape}")
    if scores.shape.ndims != 1:
        raise build_error("NonMaxSuppressionV3", label, f"scores must be 1-D [num_boxes], got {scores.shape}")
    n_boxes, n_scores = boxes.shape.as_list()[0], scores.shape.as_list()[0]
    if n_boxes is not None and n_scores is not None and n_boxes != n_scores:
        raise build_error("NonMaxSuppressionV3", label, f"scores has incompatible shape {scores.shape} for boxes "
                                                        f"{boxes.shape}")
    values = [constant_value(t) if isinstance(t, Tensor) else np.asarray(t)
              for t in (boxes, scores, max_output_size, iou_threshold, score_threshold)]
    if values[3] is not None and not 0.0 <= float(values[3]) <= 1.0:
        raise ValueError(f"NonMaxSuppressionV3 '{label}': iou_threshold must be in [0, 1], got {float(values[3])}")
    if values[2] is not None and int(values[2]) < 0:
        raise ValueError(f"NonMaxSuppressionV3 '{label}': max_output_size must be non-negative, got "
                         f"{int(values[2])}")
    if values[2] is None:
        raise build_error("NonMaxSuppressionV3", label, f"max_output_size must be a constant (dfc gives the padded "
                                                        f"selection a static length), got {max_output_size!r}")
    if any(v is None for v in values):
        # one host op selects (padded to max_output_size) and counts; the count sizes the result, computed by
        # the Session before the step as any size that values set
        with name_scope(name, "non_max_suppression", [boxes, scores]):
            thresholds = [cast(convert_to_tensor(t), f32) for t in (iou_threshold, score_threshold)]
            op = make_op("dfc.non_max_suppression", [cast(boxes, f32), cast(scores, f32), *thresholds],
                         {"max_output_size": int(values[2])}, name="NonMaxSuppressionV3")
            padded, count = (wrap(r) for r in op.results)
            return padded[:count]
    kept = nms_indices(np.asarray(values[0], np.float32), np.asarray(values[1], np.float32), int(values[2]),
                        float(values[3]), float(values[4]))
    with name_scope(name, "non_max_suppression", [boxes, scores]):
        return constant(kept, dtype=i32, name="NonMaxSuppressionV3")


_BOX_COLORS = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1], [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1],
                        [0.5, 0, 0, 1], [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]], np.float32)


def draw_bounding_boxes(images, boxes, name: str | None = None, colors=None) -> Tensor:
    """`images` [batch, h, w, depth] with the 1-pixel outline of each box [batch, n, 4] (y_min, x_min, y_max, x_max,
    relative) drawn in TF's cycling colors (or `colors` rows), later boxes over earlier ones, parts outside the
    image clipped (TF's DrawBoundingBoxes)."""
    x, boxes = convert_to_tensor(images, name="images"), convert_to_tensor(boxes, name="boxes")
    label = name or "DrawBoundingBoxes"
    if x.shape.ndims != 4 or not x.dtype.is_floating:
        raise build_error("DrawBoundingBoxes", label, f"images must be a 4-D float tensor, got {x.dtype.name} "
                                                      f"{x.shape} ({x.name})")
    batch, height, width, depth = x.shape.as_list()
    if None in (height, width, depth) or not 1 <= depth <= 4:
        raise build_error("DrawBoundingBoxes", label, f"images {x.name} need a known height, width and 1-4 "
                                                      f"channels, got {x.shape}")
    if boxes.shape.ndims != 3 or boxes.shape.as_list()[1] is None or boxes.shape.as_list()[2] != 4:
        raise build_error("DrawBoundingBoxes", label, f"boxes must be 3-D [batch, num_boxes, 4] with a known "
                                                      f"num_boxes, got {boxes.shape} ({boxes.name})")
    table = _BOX_COLORS.copy()
    if colors is not None:
        given = constant_value(colors) if isinstance(colors, Tensor) else np.asarray(colors, np.float32)
        if given is None or np.ndim(given) != 2 or np.shape(given)[1] < depth:
            raise build_error("DrawBoundingBoxes", label, f"colors must be a constant 2-D [num_colors, >= {depth}], "
                                                          f"got {colors!r}")
        table = np.asarray(given, np.float32)
    if depth == 1:
        table[:, 0] = 1.0  # grayscale boxes are white
    from .array_ops import range as arange
    from .math_ops import greater_equal, less_equal, logical_and, logical_or, maximum, minimum, where
    with name_scope(name, "DrawBoundingBoxes", [x, boxes]):
        rows = reshape(arange(height, dtype=i32), [1, height, 1])
        cols = reshape(arange(width, dtype=i32), [1, 1, width])
        coords = cast(multiply(cast(boxes, f32), constant(np.array([height - 1, width - 1] * 2, np.float32))), i32)
        out = x
        zero, last_row, last_col = constant(0, dtype=i32), constant(height - 1, dtype=i32), \
            constant(width - 1, dtype=i32)

        def both(*conds):
            result = conds[0]
            for c in conds[1:]:
                result = logical_and(result, c)
            return result

        for b in range(boxes.shape.as_list()[1]):
            top, left, bottom, right = (reshape(coords[:, b, k], [-1, 1, 1]) for k in range(4))
            drawn = both(less_equal(top, bottom), less_equal(left, right), less_equal(top, last_row),
                         greater_equal(bottom, zero), less_equal(left, last_col), greater_equal(right, zero))
            in_cols = both(greater_equal(cols, maximum(left, zero)), less_equal(cols, minimum(right, last_col)))
            in_rows = both(greater_equal(rows, maximum(top, zero)), less_equal(rows, minimum(bottom, last_row)))
            outline = logical_or(
                logical_and(logical_or(logical_and(equal(rows, top), greater_equal(top, zero)),
                                       logical_and(equal(rows, bottom), less_equal(bottom, last_row))), in_cols),
                logical_and(logical_or(logical_and(equal(cols, left), greater_equal(left, zero)),
                                       logical_and(equal(cols, right), less_equal(right, last_col))), in_rows))
            mask = expand_dims(logical_and(outline, drawn), -1)
            color = constant(table[b % len(table), :depth].astype(x.dtype.as_numpy_dtype))
            out = where(mask, color, out)
        return out


__all__ = ["draw_bounding_boxes", "image_gradients", "non_max_suppression", "psnr", "sobel_edges", "ssim",
           "ssim_multiscale", "total_variation"]
