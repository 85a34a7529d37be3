"""tf.keras.preprocessing.image: ImageDataGenerator (random augmentation, rescaling and centring or
normalizing per sample or over a fitted data set, batches from arrays or class folders) and the image
file and array helpers, in numpy, as TF1's Keras computes them."""

from __future__ import annotations

import warnings

import numpy as np

from ..backend_config import floatx, image_data_format
from .image_files import array_to_img, img_to_array, load_img, save_img
from .image_iterators import DirectoryIterator, Iterator, NumpyArrayIterator
from .image_transforms import (apply_affine_transform, apply_brightness_shift, apply_channel_shift, flip_axis,
                               random_brightness, random_channel_shift, random_rotation, random_shear, random_shift,
                               random_zoom, transform_matrix_offset_center)

__all__ = ["DirectoryIterator", "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "apply_affine_transform",
           "apply_brightness_shift", "apply_channel_shift", "array_to_img", "flip_axis", "img_to_array",
           "load_img", "random_brightness", "random_channel_shift", "random_rotation", "random_shear",
           "random_shift", "random_zoom", "save_img", "transform_matrix_offset_center"]

_UNFIT = ("This ImageDataGenerator specifies `{}`, but it hasn't been fit on any training data. Fit it first by "
          "calling `.fit(numpy_data)`.")


def _shift(span, size: int) -> float:
    """A random shift from a range: an int or list of choices (with a random sign), else uniform in ±span;
    as a fraction of `size` when every choice is below 1."""
    try:
        shift = np.random.choice(span)
        shift *= np.random.choice([-1, 1])
    except ValueError:  # a float range: not a list of choices
        shift = np.random.uniform(-span, span)
    if np.max(span) < 1:
        shift *= size
    return shift


class ImageDataGenerator:
    """Augments and standardizes images for training: each batch's images get a random rotation, shift,
    shear, zoom, flips, channel and brightness shift (as asked), then preprocessing_function, rescale,
    and centring/normalization per sample or by the mean and std that fit() measured."""

    def __init__(self, featurewise_center: bool = False, samplewise_center: bool = False,
                 featurewise_std_normalization: bool = False, samplewise_std_normalization: bool = False,
                 zca_whitening: bool = False, zca_epsilon: float = 1e-6, rotation_range=0, width_shift_range=0.0,
                 height_shift_range=0.0, brightness_range=None, shear_range=0.0, zoom_range=0.0,
                 channel_shift_range=0.0, fill_mode: str = "nearest", cval: float = 0.0,
                 horizontal_flip: bool = False, vertical_flip: bool = False, rescale=None,
                 preprocessing_function=None, data_format: str | None = None, validation_split: float = 0.0,
                 interpolation_order: int = 1, dtype=None):
        data_format = data_format or image_data_format()
        self.dtype = dtype or floatx()
        self.featurewise_center, self.samplewise_center = featurewise_center, samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening, self.zca_epsilon = zca_whitening, zca_epsilon
        self.rotation_range, self.shear_range = rotation_range, shear_range
        self.width_shift_range, self.height_shift_range = width_shift_range, height_shift_range
        self.channel_shift_range, self.fill_mode, self.cval = channel_shift_range, fill_mode, cval
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.interpolation_order = interpolation_order
        if data_format not in {"channels_last", "channels_first"}:
            raise ValueError(f'`data_format` should be `"channels_last"` (channel after row and column) or '
                             f'`"channels_first"` (channel before row and column). Received: {data_format}')
        self.data_format = data_format
        self.channel_axis, self.row_axis, self.col_axis = (3, 1, 2) if data_format == "channels_last" else (1, 2, 3)
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(f"`validation_split` must be strictly between 0 and 1.  Received: {validation_split}")
        self._validation_split = validation_split
        self.mean = self.std = self.zca_whitening_matrix = None
        if isinstance(zoom_range, (float, int)):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2 and all(isinstance(v, (float, int)) for v in zoom_range):
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"`zoom_range` should be a float or a tuple or list of two floats. Received: "
                             f"{zoom_range}")
        self._imply_settings()
        if brightness_range is not None and (not isinstance(brightness_range, (tuple, list))
                                             or len(brightness_range) != 2):
            raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: "
                             f"{brightness_range}")
        self.brightness_range = brightness_range

    def _imply_settings(self) -> None:
        """The settings others need: whitening and normalization need centring (as Keras, with a warning)."""
        def imply(attr: str, value: bool, because: str) -> None:
            if getattr(self, attr) != value:
                setattr(self, attr, value)
                warnings.warn(f"This ImageDataGenerator specifies `{because}`, which overrides setting of "
                              f"`{attr}`.", stacklevel=3)
        if self.zca_whitening:
            imply("featurewise_center", True, "zca_whitening")
            imply("featurewise_std_normalization", False, "zca_whitening")
        if self.featurewise_std_normalization:
            imply("featurewise_center", True, "featurewise_std_normalization")
        if self.samplewise_std_normalization:
            imply("samplewise_center", True, "samplewise_std_normalization")

    def flow(self, x, y=None, batch_size: int = 32, shuffle: bool = True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix: str = "", save_format: str = "png", ignore_class_split: bool = False,
             subset=None) -> NumpyArrayIterator:
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format,
                                  ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode: str = "rgb", classes=None,
                            class_mode: str | None = "categorical", batch_size: int = 32, shuffle: bool = True,
                            seed=None, save_to_dir=None, save_prefix: str = "", save_format: str = "png",
                            follow_links: bool = False, subset=None, interpolation: str = "nearest",
                            keep_aspect_ratio: bool = False) -> DirectoryIterator:
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 keep_aspect_ratio=keep_aspect_ratio, classes=classes, class_mode=class_mode,
                                 data_format=self.data_format, batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 save_to_dir=save_to_dir, save_prefix=save_prefix, save_format=save_format,
                                 follow_links=follow_links, subset=subset, interpolation=interpolation,
                                 dtype=self.dtype)

    def standardize(self, x: np.ndarray) -> np.ndarray:
        """preprocessing_function, rescale, then the centring and normalization asked (in place, as Keras)."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        for wanted, fitted, name in ((self.featurewise_center, self.mean, "featurewise_center"),
                                     (self.featurewise_std_normalization, self.std,
                                      "featurewise_std_normalization"),
                                     (self.zca_whitening, self.zca_whitening_matrix, "zca_whitening")):
            if not wanted:
                continue
            if fitted is None:
                warnings.warn(_UNFIT.format(name), stacklevel=2)
            elif name == "featurewise_center":
                x -= fitted
            elif name == "featurewise_std_normalization":
                x /= fitted + 1e-6
            else:
                x = np.reshape(x.reshape(-1, np.prod(x.shape[-3:])) @ fitted, x.shape)
        return x

    def get_random_transform(self, img_shape, seed=None) -> dict:
        """The random parameters of one image's augmentation, drawn in Keras's order."""
        rows, cols = img_shape[self.row_axis - 1], img_shape[self.col_axis - 1]
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = _shift(self.height_shift_range, rows) if self.height_shift_range else 0
        ty = _shift(self.width_shift_range, cols) if self.width_shift_range else 0
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift = None if self.channel_shift_range == 0 else \
            np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None if self.brightness_range is None else \
            np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift, "brightness": brightness}

    def apply_transform(self, x: np.ndarray, transform_parameters: dict) -> np.ndarray:
        """One image ([rows, cols, channels] or channels first) through the given augmentation."""
        rows, cols, channels = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        p = transform_parameters
        x = apply_affine_transform(x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0), p.get("shear", 0),
                                   p.get("zx", 1), p.get("zy", 1), row_axis=rows, col_axis=cols,
                                   channel_axis=channels, fill_mode=self.fill_mode, cval=self.cval,
                                   order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], channels)
        if p.get("flip_horizontal", False):
            x = flip_axis(x, cols)
        if p.get("flip_vertical", False):
            x = flip_axis(x, rows)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"], False)
        return x

    def random_transform(self, x: np.ndarray, seed=None) -> np.ndarray:
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment: bool = False, rounds: int = 1, seed=None) -> None:
        """Measure the per-channel mean and std (and the ZCA matrix) of image array `x` for standardize."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError("Input to `.fit()` should have rank 4. Got array with shape: " + str(x.shape))
        if x.shape[self.channel_axis] not in {1, 3, 4}:
            warnings.warn(f'Expected input to be images (as Numpy array) following the data format convention '
                          f'"{self.data_format}" (channels on axis {self.channel_axis}), i.e. expected either 1, 3 '
                          f'or 4 channels on axis {self.channel_axis}. However, it was passed an array with shape '
                          f'{x.shape} ({x.shape[self.channel_axis]} channels).', stacklevel=2)
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            x = np.stack([self.random_transform(x[i]) for _ in range(rounds) for i in range(x.shape[0])]
                         ).astype(self.dtype)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)), shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat = np.reshape(x, (len(x), -1))
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            self.zca_whitening_matrix = (u * (np.sqrt(len(x)) / (s + self.zca_epsilon))).dot(u.T)
