"""The batch iterators ImageDataGenerator.flow and flow_from_directory return: Keras Sequences over numpy
arrays or over the image files of one folder per class, shuffled and augmented with numpy's global
generator seeded as Keras seeds it (seed + batches seen), so a seeded run gives Keras's batches."""

from __future__ import annotations

import os
import threading
import warnings

import numpy as np

from ..backend_config import floatx, image_data_format
from ..utils import Sequence
from .image_files import array_to_img, img_to_array, load_img

__all__ = ["DirectoryIterator", "Iterator", "NumpyArrayIterator"]


class Iterator(Sequence):
    """Batches of `batch_size` of n samples: by index (a Sequence) or by next() forever, a new order of the
    samples (shuffle) at each pass."""

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed):
        self.n, self.batch_size, self.seed, self.shuffle = n, batch_size, seed, shuffle
        self.batch_index = self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self) -> None:
        self.index_array = np.random.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __getitem__(self, idx: int):
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(self.index_array[self.batch_size * idx:
                                                                         self.batch_size * (idx + 1)])

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self) -> None:
        self._set_index_array()

    def reset(self) -> None:
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            start = 0 if self.n == 0 else (self.batch_index * self.batch_size) % self.n
            self.batch_index = self.batch_index + 1 if self.n > start + self.batch_size else 0
            self.total_batches_seen += 1
            yield self.index_array[start:start + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _augment(self, x: np.ndarray) -> np.ndarray:
        gen = self.image_data_generator
        x = gen.apply_transform(x, gen.get_random_transform(x.shape))
        return gen.standardize(x)

    def _save(self, batch_x: np.ndarray, index_array, hash_range: float) -> None:
        for i, j in enumerate(index_array):
            img = array_to_img(batch_x[i], self.data_format, scale=True)
            name = f"{self.save_prefix}_{j}_{np.random.randint(hash_range)}.{self.save_format}"
            img.save(os.path.join(self.save_to_dir, name))

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError


def _split_subset(x, y, x_misc: list, fraction: float, subset: str, ignore_class_split: bool):
    if subset not in {"training", "validation"}:
        raise ValueError("Invalid subset name:", subset, '; expected "training" or "validation".')
    cut = int(len(x) * fraction)
    if y is not None and not ignore_class_split and not np.array_equal(np.unique(y[:cut]), np.unique(y[cut:])):
        raise ValueError("Training and validation subsets have different number of classes after the split. If "
                         "your numpy arrays are sorted by the label, you might want to shuffle them.")
    part = slice(None, cut) if subset == "validation" else slice(cut, None)
    return x[part], (None if y is None else y[part]), [np.asarray(m[part]) for m in x_misc]


class NumpyArrayIterator(Iterator):
    """Batches (x, y[, sample_weight]) of rank-4 image array x, each image augmented and standardized."""

    def __init__(self, x, y, image_data_generator, batch_size: int = 32, shuffle: bool = False,
                 sample_weight=None, seed=None, data_format: str | None = None, save_to_dir=None,
                 save_prefix: str = "", save_format: str = "png", subset=None, ignore_class_split: bool = False,
                 dtype=None):
        data_format = data_format or image_data_format()
        self.dtype = dtype or floatx()
        x_misc = []
        if isinstance(x, (tuple, list)):
            x_misc = [np.asarray(m) for m in (x[1] if isinstance(x[1], list) else [x[1]])]
            x = x[0]
            for m in x_misc:
                if len(x) != len(m):
                    raise ValueError(f"All of the arrays in `x` should have the same length. Found a pair with: "
                                     f"len(x[0]) = {len(x)}, len(x[?]) = {len(m)}")
        if y is not None and len(x) != len(y):
            raise ValueError(f"`x` (images tensor) and `y` (labels) should have the same length. Found: x.shape = "
                             f"{np.asarray(x).shape}, y.shape = {np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(f"`x` (images tensor) and `sample_weight` should have the same length. Found: x.shape "
                             f"= {np.asarray(x).shape}, sample_weight.shape = {np.asarray(sample_weight).shape}")
        if subset is not None:
            x, y, x_misc = _split_subset(x, y, x_misc, image_data_generator._validation_split, subset,
                                         ignore_class_split)
        self.x, self.x_misc = np.asarray(x, dtype=self.dtype), x_misc
        if self.x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4. You passed an array with shape",
                             self.x.shape)
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            warnings.warn(f'NumpyArrayIterator is set to use the data format convention "{data_format}" (channels '
                          f"on axis {channels_axis}), i.e. expected either 1, 3, or 4 channels on axis "
                          f"{channels_axis}. However, it was passed an array with shape {self.x.shape} "
                          f"({self.x.shape[channels_axis]} channels).", stacklevel=2)
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator, self.data_format = image_data_generator, data_format
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            batch_x[i] = self._augment(self.x[j].astype(self.dtype))
        if self.save_to_dir:
            self._save(batch_x, index_array, 1e4)
        misc = [m[index_array] for m in self.x_misc]
        inputs = [batch_x] + misc if misc else batch_x
        if self.y is None:
            return inputs
        if self.sample_weight is not None:
            return inputs, self.y[index_array], self.sample_weight[index_array]
        return inputs, self.y[index_array]


def _image_files(folder: str, follow_links: bool):
    """(folder, name) of the image files under `folder`, folders and names in sorted order."""
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(".tiff"):
                warnings.warn('Using ".tiff" files with multiple bands will cause distortion. Please verify your '
                              'output.', stacklevel=2)
            if name.lower().endswith(Iterator.white_list_formats):
                yield root, name


class DirectoryIterator(Iterator):
    """Batches of the images in `directory`'s class folders (sorted), loaded at target_size in color_mode,
    with labels per class_mode: 'categorical' one-hot, 'binary'/'sparse' indices, 'input' the images, None."""

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode: str = "rgb",
                 classes=None, class_mode: str | None = "categorical", batch_size: int = 32, shuffle: bool = True,
                 seed=None, data_format: str | None = None, save_to_dir=None, save_prefix: str = "",
                 save_format: str = "png", follow_links: bool = False, subset=None, interpolation: str = "nearest",
                 keep_aspect_ratio: bool = False, dtype=None):
        self.data_format = data_format or image_data_format()
        self.dtype = dtype or floatx()
        self.image_data_generator, self.target_size = image_data_generator, tuple(target_size)
        self.keep_aspect_ratio, self.interpolation = keep_aspect_ratio, interpolation
        channels = {"rgba": 4, "rgb": 3, "grayscale": 1}.get(color_mode)
        if channels is None:
            raise ValueError("Invalid color mode:", color_mode, '; expected "rgb", "rgba", or "grayscale".')
        self.color_mode = color_mode
        self.image_shape = self.target_size + (channels,) if self.data_format == "channels_last" else \
            (channels,) + self.target_size
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        split = None
        if subset is not None:
            fraction = image_data_generator._validation_split
            if subset not in ("validation", "training"):
                raise ValueError(f'Invalid subset name: {subset};expected "training" or "validation"')
            split = (0, fraction) if subset == "validation" else (fraction, 1)
        self.split, self.subset = split, subset
        if class_mode not in self.allowed_class_modes:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: {self.allowed_class_modes}")
        self.class_mode, self.directory = class_mode, directory
        if not classes:
            classes = [d for d in sorted(os.listdir(directory)) if os.path.isdir(os.path.join(directory, d))]
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames, labels = [], []
        for name in classes:
            files = self._class_files(os.path.join(directory, name), follow_links)
            self.filenames += files
            labels += [self.class_indices[name]] * len(files)
        self.samples = len(self.filenames)
        self.classes = np.asarray(labels, dtype="int32")
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self._filepaths = [os.path.join(directory, f) for f in self.filenames]
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _class_files(self, folder: str, follow_links: bool) -> list:
        """The files of one class folder as paths relative to `directory` (a subset's share if split)."""
        found = list(_image_files(folder, follow_links))
        if self.split:
            found = found[int(self.split[0] * len(found)):int(self.split[1] * len(found))]
        base = os.path.basename(folder)
        return [os.path.join(base, os.path.relpath(os.path.join(root, name), folder)) for root, name in found]

    @property
    def filepaths(self) -> list:
        return self._filepaths

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    @property
    def sample_weight(self):
        return None

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            img = load_img(self._filepaths[j], color_mode=self.color_mode, target_size=self.target_size,
                           interpolation=self.interpolation, keep_aspect_ratio=self.keep_aspect_ratio)
            x = img_to_array(img, data_format=self.data_format)
            img.close()
            batch_x[i] = self._augment(x) if self.image_data_generator else x
        if self.save_to_dir:
            self._save(batch_x, index_array, 1e7)
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        if self.class_mode in {"binary", "sparse"}:
            return batch_x, self.classes[index_array].astype(self.dtype)
        if self.class_mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
            batch_y[np.arange(len(batch_x)), self.classes[index_array]] = 1.0
            return batch_x, batch_y
        return batch_x
