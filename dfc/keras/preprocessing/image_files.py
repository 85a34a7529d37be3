"""Image files and arrays for tf.keras.preprocessing.image: load_img (PIL, with the mode and size asked),
img_to_array, array_to_img and save_img, as Keras converts between PIL images and numpy arrays."""

from __future__ import annotations

import io
import pathlib
import warnings

import numpy as np
from PIL import Image

from ..backend_config import floatx, image_data_format

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]

INTERPOLATIONS = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
                  "bicubic": Image.Resampling.BICUBIC, "hamming": Image.Resampling.HAMMING,
                  "box": Image.Resampling.BOX, "lanczos": Image.Resampling.LANCZOS}
_MODES = {4: "RGBA", 3: "RGB"}


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype=None) -> Image.Image:
    """A PIL image of a [rows, cols, channels] array (1, 3 or 4 channels); scale stretches it to 0..255."""
    data_format = data_format or image_data_format()
    x = np.asarray(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Invalid data_format: {data_format}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels in _MODES:
        return Image.fromarray(x.astype("uint8"), _MODES[channels])
    if channels == 1:  # values above 255 keep their range as a 32-bit grey image
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img, data_format: str | None = None, dtype=None) -> np.ndarray:
    """The image as a float array, [rows, cols, channels] (or channels first); grey images get one channel."""
    data_format = data_format or image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Unknown data_format: {data_format}")
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]
    raise ValueError(f"Unsupported image shape: {x.shape}")


def save_img(path, x, data_format: str | None = None, file_format: str | None = None, scale: bool = True,
             **kwargs) -> None:
    img = array_to_img(x, data_format=data_format or image_data_format(), scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def _crop_box(size: tuple, target: tuple) -> list:
    """The centred box of the image with the target's aspect ratio (keep_aspect_ratio)."""
    width, height = size
    target_width, target_height = target
    crop_height = min(height, (width * target_height) // target_width)
    crop_width = min(width, (height * target_width) // target_height)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return [left, top, left + crop_width, top + crop_height]


def load_img(path, grayscale: bool = False, color_mode: str = "rgb", target_size=None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False) -> Image.Image:
    """The image file at `path` as a PIL image in color_mode ('grayscale', 'rgb', 'rgba'), resized to
    target_size (rows, cols) with the interpolation named."""
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"', stacklevel=2)
        color_mode = "grayscale"
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(str(pathlib.Path(path).resolve()) if isinstance(path, pathlib.Path) else path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    wanted = {"grayscale": ("L", ("L", "I;16", "I")), "rgba": ("RGBA", ("RGBA",)), "rgb": ("RGB", ("RGB",))}
    if color_mode not in wanted:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    mode, kept = wanted[color_mode]
    if img.mode not in kept:
        img = img.convert(mode)
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            if interpolation not in INTERPOLATIONS:
                raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported methods are "
                                 f"{', '.join(INTERPOLATIONS)}")
            box = _crop_box(img.size, size) if keep_aspect_ratio else None
            img = img.resize(size, INTERPOLATIONS[interpolation], box=box)
    return img
