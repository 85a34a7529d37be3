"""tf.contrib.image: projective transforms of images (rotate, translate, transform), connected_components, and
the warps of image_warp.py (dense_image_warp, sparse_image_warp, interpolate_spline).

TF1's ImageProjectiveTransformV2 kernel maps output pixel (x, y) to the input point
((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, and reads it by NEAREST
(half away from zero) or BILINEAR interpolation in float32, with zeros outside the image (and where
k == 0). Here that is composed from DSL ops: the coordinates are computed, the pixels gathered with
gather_nd, the reads outside masked, so every backend runs it. Its gradient is TF's: the output's
gradient transformed back by the inverse transforms (not the exact adjoint), none for the transforms.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..array_ops import concat, expand_dims, gather, reshape, shape, stack, unstack, zeros, zeros_like, ones_like
from ..array_ops import range as _range
from ..conversion import constant_value
from ..custom_gradient_ops import _with_gradient
from ..errors import InvalidArgumentError
from ..framework import Tensor, convert_to_tensor, name_scope
from ..gather_scatter_ops import gather_nd
from ..math_ops import (cast, cos, floor, greater_equal, less, logical_and, matmul, maximum, minimum,
                        not_equal, sin, where_v2)
from ..math_ops import cumsum, reduce_min
from ..gradients_impl import stop_gradient
from .image_warp import dense_image_warp, interpolate_spline, sparse_image_warp
from ..matrix_ops import matrix_inverse

__all__ = ["angles_to_projective_transforms", "compose_transforms", "connected_components", "dense_image_warp",
           "flat_transforms_to_matrices", "interpolate_spline", "matrices_to_flat_transforms", "rotate",
           "sparse_image_warp", "transform", "translate", "translations_to_projective_transforms"]

_IMAGE_DTYPES = (_dt.uint8, _dt.int32, _dt.int64, _dt.float16, _dt.float32, _dt.float64)
_INTERPOLATIONS = ("NEAREST", "BILINEAR")


def _as_batch(images: Tensor) -> Tensor:
    """images of rank 2 (HW), 3 (HWC) or 4 (NHWC) as NHWC; TF1's TypeErrors for other dtypes and ranks."""
    if images.dtype.base_dtype not in _IMAGE_DTYPES:
        raise TypeError(f"Invalid dtype {images.dtype.name}: {images.name} must be one of "
                        f"{', '.join(d.name for d in _IMAGE_DTYPES)}.")
    rank = images.shape.ndims
    if rank is None:
        raise TypeError(f"image_or_images rank must be statically known: {images.name}")
    if rank == 2:
        return images[None, :, :, None]
    if rank == 3:
        return images[None]
    if rank == 4:
        return images
    raise TypeError(f"Images should have rank between 2 and 4: {images.name} has shape {images.shape}.")


def _from_batch(output: Tensor, rank: int) -> Tensor:
    return output[0, :, :, 0] if rank == 2 else output[0] if rank == 3 else output


def _height_width(images: Tensor):
    """images' [height, width]: numbers where the static shape knows them, else a tensor."""
    known = images.shape.as_list()[1:3]
    return np.asarray(known, np.int32) if None not in known else shape(images, out_type=_dt.int32)[1:3]


def _rows(t: Tensor):
    """t's first dimension: a number where the static shape knows it, else a tensor."""
    known = t.shape.as_list()[0]
    return known if known is not None else shape(t, out_type=_dt.int32)[0]


def _round_half_away(x: Tensor) -> Tensor:
    """std::round: halves away from zero (tf.round rounds them to even)."""
    magnitude = abs(x)
    whole = floor(magnitude)
    rounded = whole + cast(greater_equal(magnitude - whole, 0.5), _dt.float32)
    return where_v2(less(x, 0.0), -rounded, rounded)


def _positions(along: Tensor, dtype) -> Tensor:
    """0, 1, ... n-1 for the n elements of the 1-D `along`: a range whose size needs no shape value (a
    gradient's region may hold it, which specialize does not see)."""
    return cumsum(ones_like(along, dtype=dtype), exclusive=True)


def _axis_of(t: Tensor, axis: int) -> Tensor:
    """A 1-D tensor as long as t's dimension `axis` (a reduction: its size follows t's type once known)."""
    return reduce_min(t, axis=[a for a in range(t.shape.ndims) if a != axis])


def _project(images: Tensor, transforms: Tensor, output_shape, interpolation: str,
             like: Tensor | None = None) -> Tensor:
    """ImageProjectiveTransformV2 with fill value 0: images NHWC, transforms [1 or N, 8], output [height, width]
    given by output_shape (numbers, or an int32 tensor), or by the height and width of the 4-D `like`."""
    dims = shape(images, out_type=_dt.int32)
    height, width = cast(dims[1], _dt.float32), cast(dims[2], _dt.float32)
    known = None if like is not None else constant_value(output_shape)
    if like is not None:
        ys, xs = _positions(_axis_of(like, 1), _dt.float32), _positions(_axis_of(like, 2), _dt.float32)
    elif known is not None:
        ys, xs = cast(_range(int(known[0])), _dt.float32), cast(_range(int(known[1])), _dt.float32)
    else:
        ys, xs = cast(_range(output_shape[0]), _dt.float32), cast(_range(output_shape[1]), _dt.float32)
    ys, xs = reshape(ys, [1, -1, 1]), reshape(xs, [1, 1, -1])
    batch = _rows(images)
    images_index = _range(batch) if isinstance(batch, int) else _positions(_axis_of(images, 0), _dt.int32)
    a0, a1, a2, b0, b1, b2, c0, c1 = (reshape(t, [-1, 1, 1]) for t in unstack(transforms, num=8, axis=1))
    # the kernel's float32 arithmetic, in its order
    projection = c0 * xs + c1 * ys + 1.0
    # [B, OH, OW] by broadcasting (adding zeros changes no value): one transform may serve every image
    per_image = zeros_like(cast(images[:, :1, :1, 0], _dt.float32))
    in_x = (a0 * xs + a1 * ys + a2) / projection + per_image
    in_y = (b0 * xs + b1 * ys + b2) / projection + per_image
    projection = projection + per_image
    batch_index = reshape(images_index, [-1, 1, 1]) + cast(ys * 0.0 + xs * 0.0, _dt.int32)
    finite = not_equal(projection, 0.0)

    def read(y: Tensor, x: Tensor) -> Tensor:
        """images[b, y, x, :] for the whole-number float coordinates y, x; zeros where they fall outside."""
        inside = logical_and(logical_and(greater_equal(y, 0.0), less(y, height)),
                             logical_and(greater_equal(x, 0.0), less(x, width)))
        iy = cast(minimum(maximum(y, 0.0), height - 1.0), _dt.int32)
        ix = cast(minimum(maximum(x, 0.0), width - 1.0), _dt.int32)
        pixels = gather_nd(images, stack([batch_index, iy, ix], axis=-1))
        return where_v2(expand_dims(logical_and(inside, finite), -1), pixels, zeros([], images.dtype))

    if interpolation == "NEAREST":
        return read(_round_half_away(in_y), _round_half_away(in_x))
    y0, x0 = floor(in_y), floor(in_x)
    y1, x1 = y0 + 1.0, x0 + 1.0

    def corner(y: Tensor, x: Tensor) -> Tensor:
        pixels = read(y, x)
        return pixels if pixels.dtype is _dt.float32 else cast(pixels, _dt.float32)

    wx0, wx1 = expand_dims(x1 - in_x, -1), expand_dims(in_x - x0, -1)
    top = wx0 * corner(y0, x0) + wx1 * corner(y0, x1)
    bottom = wx0 * corner(y1, x0) + wx1 * corner(y1, x1)
    value = expand_dims(y1 - in_y, -1) * top + expand_dims(in_y - y0, -1) * bottom
    value = where_v2(expand_dims(finite, -1), value, 0.0)
    return value if images.dtype is _dt.float32 else cast(value, images.dtype)


def _check_transforms(transforms: Tensor, images: Tensor) -> Tensor:
    rank = transforms.shape.ndims
    if rank == 1:
        transforms = transforms[None]
    elif rank is None:
        raise TypeError(f"transform_or_transforms rank must be statically known: {transforms.name}")
    elif rank != 2:
        raise TypeError(f"Transforms should have rank 1 or 2: {transforms.name} has shape {transforms.shape}.")
    count, width = transforms.shape.as_list()
    n = images.shape.as_list()[0]
    if (width is not None and width != 8) or (count is not None and n is not None and count not in (1, n)):
        raise InvalidArgumentError(f"Input transform should be num_images x 8 or 1 x 8: {transforms.name} has shape "
                                   f"{transforms.shape} for {n} images")
    return transforms


def _interpolation(interpolation: str) -> str:
    mode = str(interpolation).upper()
    if mode not in _INTERPOLATIONS:
        raise InvalidArgumentError(f"Invalid interpolation {interpolation}. Supported types: NEAREST, BILINEAR")
    return mode


def transform(images, transforms, interpolation: str = "NEAREST", output_shape=None, name: str | None = None) -> Tensor:
    """Applies the projective transform(s) to the image(s); zeros where the input point falls outside."""
    with name_scope(name, "transform"):
        given = convert_to_tensor(images, name="images")
        flat = convert_to_tensor(transforms, name="transforms", dtype=_dt.float32)
        batch = _as_batch(given)
        mode = _interpolation(interpolation)
        like = None
        if output_shape is None:
            output_shape = _height_width(batch)
            like = None if isinstance(output_shape, np.ndarray) else batch
        if not isinstance(output_shape, Tensor):
            output_shape = np.asarray(output_shape)
            if output_shape.dtype.kind not in "iu":
                raise TypeError(f"output_shape must be int32: got {output_shape.dtype}")
        output_shape = convert_to_tensor(output_shape, dtype=_dt.int32, name="output_shape")
        if not output_shape.shape.is_compatible_with([2]):
            raise ValueError(f"output_shape must be a 1-D Tensor of 2 elements: new_height, new_width; got "
                             f"{output_shape.name} of shape {output_shape.shape}")
        flat = _check_transforms(flat, batch)
        output = _project(batch, flat, output_shape, mode, like=like)
        if batch.dtype.is_floating:
            frozen = stop_gradient(flat)  # TF defines no gradient for the transforms

            def grad(dy):
                inverse = matrices_to_flat_transforms(matrix_inverse(flat_transforms_to_matrices(frozen)))
                return _project(dy, inverse, None, mode, like=batch)
            output = _with_gradient([stop_gradient(output)], [batch], grad, output.op.name + "_grad",
                                    "ImageProjectiveTransformV2's gradient")[0]
        return _from_batch(output, given.shape.ndims)


def angles_to_projective_transforms(angles, image_height, image_width, name: str | None = None) -> Tensor:
    """The [N, 8] transforms that rotate images of the given size counterclockwise about their centers."""
    with name_scope(name, "angles_to_projective_transforms"):
        given = convert_to_tensor(angles, name="angles", dtype=_dt.float32)
        if given.shape.ndims == 0:
            angles = given[None]
        elif given.shape.ndims == 1:
            angles = given
        else:
            raise TypeError(f"Angles should have rank 0 or 1: {given.name} has shape {given.shape}.")
        height = convert_to_tensor(image_height, dtype=_dt.float32)
        width = convert_to_tensor(image_width, dtype=_dt.float32)
        c, s = cos(angles), sin(angles)
        x_offset = ((width - 1) - (c * (width - 1) - s * (height - 1))) / 2.0
        y_offset = ((height - 1) - (s * (width - 1) + c * (height - 1))) / 2.0
        zero = zeros_like(c[:, None])  # (whatever the angle: zeros_like reads no value)
        return concat([c[:, None], -s[:, None], x_offset[:, None], s[:, None], c[:, None], y_offset[:, None],
                       zero, zero], axis=1)


def rotate(images, angles, interpolation: str = "NEAREST", name: str | None = None) -> Tensor:
    """Rotates each image counterclockwise by its angle (radians; one angle for all, or one per image)."""
    with name_scope(name, "rotate"):
        given = convert_to_tensor(images)
        batch = _as_batch(given)
        dims = cast(shape(batch, out_type=_dt.int32), _dt.float32)
        transforms = angles_to_projective_transforms(angles, dims[1][None], dims[2][None])
        output = transform(batch, transforms, interpolation=interpolation)
        return _from_batch(output, given.shape.ndims)


def translations_to_projective_transforms(translations, name: str | None = None) -> Tensor:
    """The [N, 8] transforms that move images by [dx, dy] pixels."""
    with name_scope(name, "translations_to_projective_transforms"):
        given = convert_to_tensor(translations, name="translations", dtype=_dt.float32)
        if given.shape.ndims is None:
            raise TypeError(f"translation_or_translations rank must be statically known: {given.name}")
        if given.shape.ndims == 1:
            translations = given[None]
        elif given.shape.ndims == 2:
            translations = given
        else:
            raise TypeError(f"Translations should have rank 1 or 2: {given.name} has shape {given.shape}.")
        one, zero = ones_like(translations[:, :1]), zeros_like(translations[:, :1])
        return concat([one, zero, -translations[:, 0, None], zero, one, -translations[:, 1, None], zero, zero],
                      axis=1)


def translate(images, translations, interpolation: str = "NEAREST", name: str | None = None) -> Tensor:
    """Moves each image by its [dx, dy] (pixels; one translation for all, or one per image)."""
    with name_scope(name, "translate"):
        return transform(images, translations_to_projective_transforms(translations), interpolation=interpolation)


def flat_transforms_to_matrices(transforms) -> Tensor:
    """[N, 8] (or [8]) transforms as [N, 3, 3] matrices (the implicit last entry 1)."""
    with name_scope("flat_transforms_to_matrices"):
        transforms = reshape(convert_to_tensor(transforms), [-1, 8])
        return reshape(concat([transforms, ones_like(transforms[:, :1])], axis=1), [-1, 3, 3])


def matrices_to_flat_transforms(transform_matrices) -> Tensor:
    """[N, 3, 3] matrices as [N, 8] transforms, each divided by its last entry."""
    with name_scope("matrices_to_flat_transforms"):
        transforms = reshape(convert_to_tensor(transform_matrices), [-1, 9])
        transforms = transforms / transforms[:, 8:9]
        return transforms[:, :8]


def compose_transforms(*transforms) -> Tensor:
    """One transform per row that applies the given ones right to left (their matrices' product)."""
    if not transforms:
        raise ValueError("transforms cannot be empty")
    with name_scope("compose_transforms"):
        composed = flat_transforms_to_matrices(transforms[0])
        for t in transforms[1:]:
            composed = matmul(composed, flat_transforms_to_matrices(t))
        return matrices_to_flat_transforms(composed)


def connected_components(images, name: str | None = None) -> Tensor:
    """Labels the 4-connected components of equal non-zero pixels in (N,) H, W images: ids 1..n over the whole
    batch in the row-major order of each component's first pixel, 0 for zero pixels (int32, TF1's ids).

    Each pixel starts labelled by its own flat index; a loop lowers every label to the smallest among its
    neighbours of the same value and to its label's label (pointer jumping), until nothing changes. A
    component's label is then its first pixel, whose rank among such first pixels is the id.
    """
    from ..math_ops import equal, reduce_any
    from ..while_loop_ops import while_loop
    with name_scope(name, "connected_components"):
        given = convert_to_tensor(images, name="images")
        if given.shape.ndims == 2:
            batch = given[None]
        elif given.shape.ndims == 3:
            batch = given
        else:
            raise TypeError(f"images should have rank 2 (HW) or 3 (NHW). Static shape is {given.shape} "
                            f"({given.name})")
        nonzero = not_equal(batch, zeros([], batch.dtype))
        positions = cumsum(reshape(ones_like(batch, dtype=_dt.int32), [-1]), exclusive=True)
        count = _rows(positions)
        index = reshape(positions, shape(batch, out_type=_dt.int32))
        none = zeros_like(index) + count  # above every flat index: "no neighbour"
        # whether each pixel continues the component of its neighbour above, below, left and right
        same_rows = logical_and(equal(batch[:, 1:], batch[:, :-1]), nonzero[:, 1:])
        same_cols = logical_and(equal(batch[:, :, 1:], batch[:, :, :-1]), nonzero[:, :, 1:])
        no_row, no_col = zeros_like(same_rows[:, :1]), zeros_like(same_cols[:, :, :1])
        from_above, from_below = concat([no_row, same_rows], 1), concat([same_rows, no_row], 1)
        from_left, from_right = concat([no_col, same_cols], 2), concat([same_cols, no_col], 2)
        start = where_v2(nonzero, index, none)

        def body(labels, _):
            above = concat([none[:, :1], labels[:, :-1]], 1)
            below = concat([labels[:, 1:], none[:, :1]], 1)
            left = concat([none[:, :, :1], labels[:, :, :-1]], 2)
            right = concat([labels[:, :, 1:], none[:, :, :1]], 2)
            lowest = labels
            for near, joined in ((above, from_above), (below, from_below), (left, from_left), (right, from_right)):
                lowest = minimum(lowest, where_v2(joined, near, none))
            flat = reshape(lowest, [-1])
            jumped = where_v2(nonzero, gather(flat, minimum(lowest, count - 1)), none)
            lowest = minimum(lowest, jumped)
            return lowest, reduce_any(not_equal(lowest, labels))

        labels, _ = while_loop(lambda labels, changed: changed, body, [start, convert_to_tensor(True)],
                               back_prop=False)
        first = logical_and(nonzero, equal(labels, index))
        ids = cumsum(reshape(cast(first, _dt.int32), [-1]))
        out = where_v2(nonzero, gather(ids, minimum(labels, count - 1)), zeros_like(labels))
        return out[0] if given.shape.ndims == 2 else out
