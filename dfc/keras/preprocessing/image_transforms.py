"""The augmentations of tf.keras.preprocessing.image on one [rows, cols, channels] array: affine maps
(rotation, shift, shear, zoom, resampled by scipy.ndimage), flips, channel and brightness shifts, and their
random_* forms drawing from numpy's global generator as Keras does."""

from __future__ import annotations

import numpy as np
from PIL import ImageEnhance
from scipy import ndimage

from .image_files import array_to_img, img_to_array

__all__ = ["apply_affine_transform", "apply_brightness_shift", "apply_channel_shift", "flip_axis",
           "random_brightness", "random_channel_shift", "random_rotation", "random_shear", "random_shift",
           "random_zoom", "transform_matrix_offset_center"]


def flip_axis(x, axis: int) -> np.ndarray:
    return np.flip(np.asarray(x), axis)


def transform_matrix_offset_center(matrix: np.ndarray, x, y) -> np.ndarray:
    """`matrix` about the centre of an x-by-y image instead of its corner."""
    cx, cy = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    to_centre = np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1]])
    from_centre = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    return to_centre @ matrix @ from_centre


def _affine_matrix(theta, tx, ty, shear, zx, zy) -> np.ndarray | None:
    """The product rotation @ shift @ shear @ zoom of the parts that are not the identity, or None."""
    parts = []
    if theta != 0:
        t = np.deg2rad(theta)
        parts.append(np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        parts.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        s = np.deg2rad(shear)
        parts.append(np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        parts.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if not parts:
        return None
    matrix = parts[0]
    for part in parts[1:]:
        matrix = np.dot(matrix, part)
    return matrix


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis: int = 1, col_axis: int = 2,
                           channel_axis: int = 0, fill_mode: str = "nearest", cval: float = 0.0,
                           order: int = 1) -> np.ndarray:
    """x resampled through rotation by theta degrees, a shift of (tx rows, ty cols), shear (degrees) and
    zoom (zx rows, zy cols) about its centre; points from outside filled per fill_mode."""
    axes = {row_axis, col_axis, channel_axis}
    if len(axes) != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct")
    if axes != {0, 1, 2}:
        raise ValueError(f"Invalid axis' indices: {axes - {0, 1, 2}}")
    if x.ndim != 3:
        raise ValueError("Input arrays must be multi-channel 2D images.")
    if channel_axis not in (0, 2):
        raise ValueError("Channels are allowed and the first and last dimensions.")
    matrix = _affine_matrix(theta, tx, ty, shear, zx, zy)
    if matrix is None:
        return x
    matrix = transform_matrix_offset_center(matrix, x.shape[row_axis], x.shape[col_axis])
    planes = np.moveaxis(x, channel_axis, 0)
    if col_axis > row_axis:  # scipy's coordinates of a plane are (row, col): the matrix is in (row, col) too
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    out = np.stack([ndimage.affine_transform(p, matrix[:2, :2], matrix[:2, 2], order=order, mode=fill_mode,
                                             cval=cval) for p in planes], axis=0)
    return np.moveaxis(out, 0, channel_axis)


def apply_channel_shift(x, intensity: float, channel_axis: int = 0) -> np.ndarray:
    """`intensity` added to every channel, clipped to the image's own min..max."""
    planes = np.moveaxis(x, channel_axis, 0)
    low, high = np.min(planes), np.max(planes)
    out = np.stack([np.clip(p + intensity, low, high) for p in planes], axis=0)
    return np.moveaxis(out, 0, channel_axis)


def apply_brightness_shift(x, brightness: float, scale: bool = True) -> np.ndarray:
    """PIL's brightness enhancement by `brightness` (the image as 8-bit, values outside 0..255 scaled)."""
    low, high = np.min(x), np.max(x)
    outside = bool(low < 0 or high > 255)
    img = ImageEnhance.Brightness(array_to_img(x, scale=outside or scale)).enhance(brightness)
    out = img_to_array(img)
    if not scale and outside:
        out = out / 255 * (high - low) + low
    return out


def _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, order, **params) -> np.ndarray:
    return apply_affine_transform(x, row_axis=row_axis, col_axis=col_axis, channel_axis=channel_axis,
                                  fill_mode=fill_mode, cval=cval, order=order, **params)


def random_rotation(x, rg: float, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                    fill_mode: str = "nearest", cval: float = 0.0, interpolation_order: int = 1) -> np.ndarray:
    theta = np.random.uniform(-rg, rg)
    return _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order, theta=theta)


def random_shift(x, wrg: float, hrg: float, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                 fill_mode: str = "nearest", cval: float = 0.0, interpolation_order: int = 1) -> np.ndarray:
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order, tx=tx, ty=ty)


def random_shear(x, intensity: float, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                 fill_mode: str = "nearest", cval: float = 0.0, interpolation_order: int = 1) -> np.ndarray:
    shear = np.random.uniform(-intensity, intensity)
    return _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order, shear=shear)


def random_zoom(x, zoom_range, row_axis: int = 1, col_axis: int = 2, channel_axis: int = 0,
                fill_mode: str = "nearest", cval: float = 0.0, interpolation_order: int = 1) -> np.ndarray:
    if len(zoom_range) != 2:
        raise ValueError(f"`zoom_range` should be a tuple or list of two floats. Received: {zoom_range}")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return _random_affine(x, row_axis, col_axis, channel_axis, fill_mode, cval, interpolation_order, zx=zx, zy=zy)


def random_channel_shift(x, intensity_range: float, channel_axis: int = 0) -> np.ndarray:
    return apply_channel_shift(x, np.random.uniform(-intensity_range, intensity_range), channel_axis)


def random_brightness(x, brightness_range, scale: bool = True) -> np.ndarray:
    if len(brightness_range) != 2:
        raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
    return apply_brightness_shift(x, np.random.uniform(brightness_range[0], brightness_range[1]), scale)
