"""tf.image's color work: brightness, contrast, saturation, hue and gamma (fixed and random), HSV/YIQ/YUV, random_crop.

Each op converts an integer image to float32 in [0, 1] and back the way TF1 does (convert_image_dtype,
saturating where TF1 saturates) and is composed of elementwise DSL ops, so its gradient is autodiff's
(TF1 defines none for AdjustHue, AdjustSaturation and AdjustContrastv2; dfc's is the formula's own).
Random variants draw one scalar factor per call with TF1's seeding (graph seed, op seed).
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import f16, f32, f64, i32

from .array_ops import gather, shape, stack, unstack
from .framework import Tensor, build_error, constant, constant_value, convert_to_tensor, make, name_scope
from .image_core import convert_image_dtype
from .math_ops import (abs, add, cast, equal, floor, floormod, greater, greater_equal, less, maximum, minimum, multiply,
                       pow, reduce_mean, subtract, truediv, where)
from .random_ops import random_uniform

_FLOAT_KEPT = (f16, f32)


def _to_float(image: Tensor) -> Tensor:
    return image if image.dtype in _FLOAT_KEPT else convert_image_dtype(image, f32)


def _rgb_image(image, op: str) -> Tensor:
    x = convert_to_tensor(image, name="images")
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims is not None and len(dims) < 3:
        raise build_error(op, op, f"input must be at least 3-D, got shape {x.shape} for {x.name}")
    if dims is not None and dims[-1] is not None and dims[-1] != 3:
        raise build_error(op, op, f"input must have 3 channels but input only has {dims[-1]} channels "
                                  f"({x.name}, shape {x.shape})")
    return x


def _channels(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    r, g, b = unstack(x, num=3, axis=-1)
    return r, g, b


def _float_of(value, dtype) -> Tensor:
    return cast(convert_to_tensor(value), dtype) if isinstance(value, Tensor) else constant(value, dtype=dtype)


def adjust_brightness(image, delta) -> Tensor:
    """image + delta, in float32 for integer images (converted back with saturation)."""
    x = convert_to_tensor(image, name="image")
    with name_scope(None, "adjust_brightness", [x]):
        flt = _to_float(x)
        adjusted = add(flt, _float_of(delta, flt.dtype))
        return convert_image_dtype(adjusted, x.dtype, saturate=True)


def adjust_contrast(images, contrast_factor) -> Tensor:
    """(x - mean) * contrast_factor + mean, the mean over each image's height and width, per channel."""
    x = convert_to_tensor(images, name="images")
    if x.shape.ndims is not None and x.shape.ndims < 3:
        raise build_error("AdjustContrastv2", "adjust_contrast",
                          f"input must be at least 3-D, got shape {x.shape} for {x.name}")
    with name_scope(None, "adjust_contrast", [x]):
        flt = _to_float(x)
        mean = reduce_mean(flt, axis=[-3, -2], keepdims=True)
        factor = _float_of(contrast_factor, flt.dtype)
        adjusted = add(multiply(subtract(flt, mean), factor), mean)
        return convert_image_dtype(adjusted, x.dtype, saturate=True)


def adjust_gamma(image, gamma=1, gain=1) -> Tensor:
    """gain * image ** gamma (gamma must be non-negative)."""
    x = convert_to_tensor(image, name="image")
    known = constant_value(gamma) if isinstance(gamma, Tensor) else np.asarray(gamma)
    if known is not None and np.any(np.asarray(known) < 0):
        raise ValueError("Gamma should be a non-negative real number.")
    with name_scope(None, "adjust_gamma", [x]):
        flt = _to_float(x)
        adjusted = multiply(_float_of(gain, flt.dtype), pow(flt, _float_of(gamma, flt.dtype)))
        return convert_image_dtype(adjusted, x.dtype, saturate=True)


def _hsv(r: Tensor, g: Tensor, b: Tensor, kernel_norm: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    """TF's RGBToHSV: hue in [0, 1) (0 for grays), saturation range / value (0 for black), value max(r, g, b).
    The hue's scale is RGBToHSV's (1 / range) * (1 / 6), or AdjustSaturation's 1 / (6 * range) (kernel_norm)."""
    value = maximum(maximum(r, g), b)
    spread = subtract(value, minimum(minimum(r, g), b))
    zero, one = constant(0.0, dtype=r.dtype), constant(1.0, dtype=r.dtype)
    positive = greater(spread, zero)
    safe_spread = where(positive, spread, one)  # keeps 0/0 out of the unselected branch and its gradient
    safe_value = where(greater(value, zero), value, one)
    saturation = where(greater(value, zero), truediv(spread, safe_value), zero)
    if kernel_norm:
        norm = truediv(one, multiply(constant(6.0, dtype=r.dtype), safe_spread))
    else:
        norm = multiply(truediv(one, safe_spread), constant(1.0 / 6.0, dtype=r.dtype))
    if kernel_norm:  # the C++ kernel adds the double constants 2.0 / 6.0 and 4.0 / 6.0 in double precision
        def offset(t: Tensor, turns: float) -> Tensor:
            return cast(add(cast(t, f64), constant(turns, dtype=f64)), r.dtype)
    else:
        def offset(t: Tensor, turns: float) -> Tensor:
            return add(t, constant(turns, dtype=r.dtype))
    hue = where(equal(r, value), multiply(norm, subtract(g, b)),
                where(equal(g, value), offset(multiply(norm, subtract(b, r)), 2.0 / 6.0),
                      offset(multiply(norm, subtract(r, g)), 4.0 / 6.0)))
    hue = where(positive, hue, zero)
    hue = where(less(hue, zero), add(hue, one), hue)
    return hue, saturation, value


def _hue_profile(hue: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Each channel's share in [0, 1] of the chroma at `hue` (TF's HSVToRGB: clamped distances on the hexagon)."""
    dt = hue.dtype
    dh = multiply(hue, constant(6.0, dtype=dt))
    zero, one, two = (constant(v, dtype=dt) for v in (0.0, 1.0, 2.0))

    def clamp(t: Tensor) -> Tensor:
        return minimum(maximum(t, zero), one)

    red = clamp(subtract(abs(subtract(dh, constant(3.0, dtype=dt))), one))
    green = clamp(subtract(two, abs(subtract(dh, two))))
    blue = clamp(subtract(two, abs(subtract(dh, constant(4.0, dtype=dt)))))
    return red, green, blue


def _rgb(hue: Tensor, saturation: Tensor, value: Tensor) -> Tensor:
    one = constant(1.0, dtype=hue.dtype)
    keep = subtract(one, saturation)
    return stack([multiply(add(keep, multiply(saturation, share)), value) for share in _hue_profile(hue)], axis=-1)


def _float_image_only(x: Tensor, op: str, name: str | None) -> None:
    if not x.dtype.is_floating:
        raise TypeError(f"Value passed to parameter 'images' of {op} '{name or op}' has DataType {x.dtype.name} "
                        f"not in list of allowed values: float16, bfloat16, float32, float64")


def rgb_to_hsv(images, name: str | None = None) -> Tensor:
    """RGB floats in [0, 1] to HSV (hue, saturation, value each in [0, 1]), along the last dim of 3."""
    x = _rgb_image(images, "RGBToHSV")
    _float_image_only(x, "RGBToHSV", name)
    with name_scope(name, "RGBToHSV", [x]):
        return stack(list(_hsv(*_channels(x))), axis=-1)


def hsv_to_rgb(images, name: str | None = None) -> Tensor:
    """HSV floats in [0, 1] to RGB, along the last dim of 3."""
    x = _rgb_image(images, "HSVToRGB")
    _float_image_only(x, "HSVToRGB", name)
    with name_scope(name, "HSVToRGB", [x]):
        return _rgb(*_channels(x))


def _pick(category: Tensor, options: list[Tensor]) -> Tensor:
    """options[category] elementwise (category an int32 tensor in [0, len(options)); the last for any other)."""
    out = options[-1]
    for k in range(len(options) - 2, -1, -1):
        out = where(equal(category, constant(k, dtype=i32)), options[k], out)
    return out


def adjust_hue(image, delta, name: str | None = None) -> Tensor:
    """Rotate the hue by delta (in turns), keeping each pixel's max and min channel: TF's AdjustHue kernel step by
    step (hue on [0, 6) from the hexagon sector of the channel order, the middle channel recomputed)."""
    x = _rgb_image(image, "AdjustHue")
    known = constant_value(delta) if isinstance(delta, Tensor) else np.asarray(delta)
    if known is not None and (np.any(np.asarray(known) < -1) or np.any(np.asarray(known) > 1)):
        raise ValueError("delta must be in the interval [-1, 1]")
    with name_scope(name, "adjust_hue", [x]):
        flt = _to_float(x)
        dt = flt.dtype
        r, g, b = _channels(flt)
        zero, one, six = (constant(v, dtype=dt) for v in (0.0, 1.0, 6.0))
        # the sector (0-5) and the max, middle and min channel, with TF's tie-breaking
        r_lt_g = less(r, g)
        sector = where(r_lt_g, where(less(b, r), constant(1, dtype=i32), where(greater(b, g), constant(3, dtype=i32),
                                                                                   constant(2, dtype=i32))),
                       where(less(b, g), constant(0, dtype=i32), where(greater(b, r), constant(4, dtype=i32),
                                                                        constant(5, dtype=i32))))
        high = _pick(sector, [r, g, g, b, b, r])
        middle = _pick(sector, [g, r, b, g, r, b])
        low = _pick(sector, [b, b, r, r, g, g])
        spread = subtract(high, low)
        flat = equal(high, low)
        ratio = truediv(subtract(middle, low), where(flat, one, spread))
        rising = equal(floormod(sector, constant(2, dtype=i32)), constant(0, dtype=i32))
        hue = where(flat, zero, add(cast(sector, dt), where(rising, ratio, subtract(one, ratio))))
        hue = add(hue, multiply(_float_of(delta, dt), six))
        hue = where(less(hue, zero), add(hue, six), where(greater_equal(hue, six), subtract(hue, six), hue))
        sector = cast(floor(hue), i32)
        ratio = subtract(hue, floor(hue))
        ratio = where(equal(floormod(sector, constant(2, dtype=i32)), constant(0, dtype=i32)), ratio,
                      subtract(one, ratio))
        middle = add(low, multiply(ratio, spread))
        red = _pick(sector, [high, middle, low, low, middle, high])
        green = _pick(sector, [middle, high, high, middle, low, low])
        blue = _pick(sector, [low, low, middle, high, high, middle])
        return convert_image_dtype(stack([red, green, blue], axis=-1), x.dtype)


def adjust_saturation(image, saturation_factor, name: str | None = None) -> Tensor:
    """Scale the HSV saturation by saturation_factor, clipped to [0, 1]: TF's AdjustSaturation kernel step by step
    (chroma c = s v, m = v - c, the sector's channels c + m, x + m and m)."""
    x = _rgb_image(image, "AdjustSaturation")
    with name_scope(name, "adjust_saturation", [x]):
        flt = _to_float(x)
        dt = flt.dtype
        hue, saturation, value = _hsv(*_channels(flt), kernel_norm=True)
        zero, one, two = (constant(v, dtype=dt) for v in (0.0, 1.0, 2.0))
        scaled = minimum(one, maximum(zero, multiply(saturation, _float_of(saturation_factor, dt))))
        chroma = multiply(scaled, value)
        base = subtract(value, chroma)
        dh = multiply(hue, constant(6.0, dtype=dt))
        sector = cast(dh, i32)
        wrapped = subtract(dh, multiply(two, floor(truediv(dh, two))))
        mid = multiply(chroma, subtract(one, abs(subtract(wrapped, one))))
        nothing = multiply(chroma, zero)
        red = _pick(sector, [chroma, mid, nothing, nothing, mid, chroma, nothing])
        green = _pick(sector, [mid, chroma, chroma, mid, nothing, nothing, nothing])
        blue = _pick(sector, [nothing, nothing, mid, chroma, chroma, mid, nothing])
        return convert_image_dtype(stack([add(red, base), add(green, base), add(blue, base)], axis=-1), x.dtype)


def _draw_factor(lower: float, upper: float, seed) -> Tensor:
    return random_uniform([], lower, upper, seed=seed)


def random_brightness(image, max_delta, seed=None) -> Tensor:
    """adjust_brightness by a delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, _draw_factor(-max_delta, max_delta, seed))


def _check_range(lower, upper) -> None:
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def random_contrast(image, lower, upper, seed=None) -> Tensor:
    """adjust_contrast by a factor drawn uniformly from [lower, upper)."""
    _check_range(lower, upper)
    return adjust_contrast(image, _draw_factor(lower, upper, seed))


def random_saturation(image, lower, upper, seed=None) -> Tensor:
    """adjust_saturation by a factor drawn uniformly from [lower, upper)."""
    _check_range(lower, upper)
    return adjust_saturation(image, _draw_factor(lower, upper, seed))


def random_hue(image, max_delta, seed=None) -> Tensor:
    """adjust_hue by a delta drawn uniformly from [-max_delta, max_delta) (max_delta at most 0.5)."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, _draw_factor(-max_delta, max_delta, seed))


_RGB_TO_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617], [0.114, -0.32134392, 0.31119955]]
_YIQ_TO_RGB = [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]]
_RGB_TO_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512], [0.114, 0.43601035, -0.10001026]]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def _color_matrix(images, kernel, op: str) -> Tensor:
    x = _rgb_image(images, op)
    if not x.dtype.is_floating:
        raise TypeError(f"{op} needs a float image, got {x.dtype.name} ({x.name})")
    weights = np.asarray(kernel, dtype=x.dtype.as_numpy_dtype)
    channels = _channels(x)
    mixed = []
    for k in range(3):  # TF's tensordot: channel 0's term first, any leading dims (known or not) kept
        terms = [multiply(c, constant(weights[i, k])) for i, c in enumerate(channels)]
        mixed.append(add(add(terms[0], terms[1]), terms[2]))
    return stack(mixed, axis=-1)


def rgb_to_yiq(images) -> Tensor:
    return _color_matrix(images, _RGB_TO_YIQ, "rgb_to_yiq")


def yiq_to_rgb(images) -> Tensor:
    return _color_matrix(images, _YIQ_TO_RGB, "yiq_to_rgb")


def rgb_to_yuv(images) -> Tensor:
    return _color_matrix(images, _RGB_TO_YUV, "rgb_to_yuv")


def yuv_to_rgb(images) -> Tensor:
    return _color_matrix(images, _YUV_TO_RGB, "yuv_to_rgb")


def _random_crop_by_tensor(x: Tensor, size: Tensor, seed, name: str | None) -> Tensor:
    """random_crop to a size the step's values give: the offsets drawn as TF draws them, then one slice (a size
    past the value's fails the run)."""
    from .array_ops import range as arange
    rank = x.shape.ndims
    if rank is None or size.shape.as_list() not in ([rank], [None]):
        raise build_error("random_crop", name or "random_crop", f"size {size.name} must give one length per dim of "
                                                                f"{x.name} (shape {x.shape})")
    from .debugging import Assert
    from .framework import control_dependencies
    from .math_ops import greater_equal, reduce_all
    with name_scope(name, "random_crop", [x, size]):
        size = cast(size, i32)
        fits = Assert(reduce_all(greater_equal(shape(x), size)), ["Need value.shape >= size, got ", shape(x), size],
                      summarize=1000)
        with control_dependencies([fits]):
            size = make("dfc.identity", [size])
        limit = cast(add(subtract(shape(x), size), constant(1, dtype=i32)), f32)
        draw = random_uniform([rank], seed=seed)
        offsets = cast(minimum(floor(multiply(draw, limit)), subtract(limit, constant(1.0))), i32)
        out = x  # a gather per dim: the size decides the shape (learned before the step), the draw only values
        for d in range(rank):
            out = gather(out, add(arange(size[d]), gather(offsets, constant(d, dtype=i32))), axis=d)
        return make("dfc.identity", [out], name="crop")


def random_crop(value, size, seed=None, name: str | None = None) -> Tensor:
    """A slice of `size` at an offset drawn uniformly from every position where it fits (TF1's random_crop)."""
    from .array_ops import range as arange
    x = convert_to_tensor(value, name="value")
    label = name or "random_crop"
    from .array_ops import shape_argument
    known, dynamic, _ = shape_argument(size, "random_crop size")
    if dynamic is not None:
        return _random_crop_by_tensor(x, dynamic, seed, name)
    sizes = np.asarray(known)
    sizes = np.asarray(sizes).astype(np.int64).reshape(-1)
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims is None or len(dims) != sizes.size:
        raise build_error("random_crop", label, f"size {sizes.tolist()} must give one length per dim of {x.name} "
                                                f"(shape {x.shape})")
    for d, (have, want) in enumerate(zip(dims, sizes)):
        if want < 0 or (have is not None and have < want):
            raise build_error("random_crop", label, f"Need value.shape >= size, got {x.shape} and {sizes.tolist()} "
                                                    f"(dim {d}) for {x.name}")
    with name_scope(name, "random_crop", [x]):
        full = shape(x)
        limit = cast(add(subtract(full, constant(sizes.astype(np.int32))), constant(1, dtype=i32)), f32)
        draw = random_uniform([len(dims)], seed=seed)
        offsets = cast(minimum(floor(multiply(draw, limit)), subtract(limit, constant(1.0))), i32)
        out = x
        for d, (have, want) in enumerate(zip(dims, sizes)):
            if have is not None and have == want:
                continue
            start = gather(offsets, constant(d, dtype=i32))
            out = gather(out, add(arange(int(want)), start), axis=d)
        return make("dfc.identity", [out], name="crop") if out is x else out


__all__ = ["adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue", "adjust_saturation", "hsv_to_rgb",
           "random_brightness", "random_contrast", "random_crop", "random_hue", "random_saturation", "rgb_to_hsv",
           "rgb_to_yiq", "rgb_to_yuv", "yiq_to_rgb", "yuv_to_rgb"]
