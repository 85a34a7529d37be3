"""TF1's MNIST reader (`from tensorflow.examples.tutorials.mnist import input_data`): read_data_sets and DataSet.

It reads the four gzipped IDX files of MNIST (or of Fashion-MNIST, which uses the same names) from
`train_dir`, as TF1's reader does once it has downloaded them. dfc never downloads: a missing file is
an error that names it and where it was looked for. `fake_data=True` gives TF1's fake data set, which
needs no file. Batches, shuffling and epochs follow TF1's `DataSet.next_batch` exactly, including its use
of numpy's global random state (seeded from `seed` and the graph seed as TF1 seeds it).
"""

from __future__ import annotations

import collections
import gzip
import os

import numpy as np

from ....ir.dtypes import as_dtype, f32, u8

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"


def _read32(stream) -> int:
    return int(np.frombuffer(stream.read(4), dtype=np.dtype(np.uint32).newbyteorder(">"))[0])


def extract_images(f) -> np.ndarray:
    """The images of an IDX3 file object (gzipped) as a uint8 array [index, y, x, depth=1]."""
    print("Extracting", f.name)
    with gzip.GzipFile(fileobj=f) as stream:
        magic = _read32(stream)
        if magic != 2051:
            raise ValueError(f"Invalid magic number {magic} in MNIST image file: {f.name}")
        count, rows, cols = _read32(stream), _read32(stream), _read32(stream)
        data = np.frombuffer(stream.read(rows * cols * count), dtype=np.uint8)
        if data.size != rows * cols * count:
            raise ValueError(f"MNIST image file {f.name} is truncated: {data.size} of {rows * cols * count} bytes")
        return data.reshape(count, rows, cols, 1)


def dense_to_one_hot(labels_dense: np.ndarray, num_classes: int) -> np.ndarray:
    """Class labels as one-hot rows."""
    num_labels = labels_dense.shape[0]
    labels_one_hot = np.zeros((num_labels, num_classes))
    labels_one_hot.flat[np.arange(num_labels) * num_classes + labels_dense.ravel()] = 1
    return labels_one_hot


def extract_labels(f, one_hot: bool = False, num_classes: int = 10) -> np.ndarray:
    """The labels of an IDX1 file object (gzipped): uint8 [index], or one-hot rows."""
    print("Extracting", f.name)
    with gzip.GzipFile(fileobj=f) as stream:
        magic = _read32(stream)
        if magic != 2049:
            raise ValueError(f"Invalid magic number {magic} in MNIST label file: {f.name}")
        count = _read32(stream)
        labels = np.frombuffer(stream.read(count), dtype=np.uint8)
        if labels.size != count:
            raise ValueError(f"MNIST label file {f.name} is truncated: {labels.size} of {count} labels")
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def _numpy_seed(seed: int | None) -> int | None:
    from ....random_sampling import get_seed
    seed1, seed2 = get_seed(seed)
    return seed1 if seed is None else seed2


class DataSet:
    """One split of MNIST: images [n, 784] (or [n, 28, 28, 1]) scaled to [0, 1] for float32, labels, batches."""

    def __init__(self, images, labels, fake_data: bool = False, one_hot: bool = False, dtype=f32,
                 reshape: bool = True, seed: int | None = None):
        np.random.seed(_numpy_seed(seed))
        dtype = as_dtype(dtype)
        if dtype not in (u8, f32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            images, labels = np.asarray(images), np.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise AssertionError(f"images.shape: {images.shape} labels.shape: {labels.shape}")
            self._num_examples = images.shape[0]
            if reshape:
                if images.shape[3] != 1:
                    raise AssertionError(f"MNIST images have one channel, got shape {images.shape}")
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == f32:
                images = np.multiply(images.astype(np.float32), 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self) -> np.ndarray:
        return self._images

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def next_batch(self, batch_size: int, fake_data: bool = False, shuffle: bool = True):
        """The next `batch_size` examples: the first epoch shuffled once, each new epoch reshuffled, a batch across
        an epoch's end made of its last examples and the next epoch's first."""
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return [fake_image for _ in range(batch_size)], [fake_label for _ in range(batch_size)]
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest = self._num_examples - start
            images_rest, labels_rest = self._images[start:self._num_examples], self._labels[start:self._num_examples]
            if shuffle:
                self._shuffle()
            self._index_in_epoch = batch_size - rest
            end = self._index_in_epoch
            return (np.concatenate((images_rest, self._images[:end]), axis=0),
                    np.concatenate((labels_rest, self._labels[:end]), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]

    def _shuffle(self) -> None:
        perm = np.arange(self._num_examples)
        np.random.shuffle(perm)
        self._images = self._images[perm]
        self._labels = self._labels[perm]


def _local_file(train_dir: str, name: str) -> str:
    path = os.path.join(train_dir, name)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"MNIST file {name} is not in {train_dir!r}: dfc reads the data sets from disk and does not download "
            f"them; put {TRAIN_IMAGES}, {TRAIN_LABELS}, {TEST_IMAGES} and {TEST_LABELS} there (or pass "
            f"fake_data=True)")
    return path


def read_data_sets(train_dir: str, fake_data: bool = False, one_hot: bool = False, dtype=f32, reshape: bool = True,
                   validation_size: int = 5000, seed: int | None = None,
                   source_url: str = DEFAULT_SOURCE_URL) -> Datasets:
    """MNIST's train (less the first `validation_size` images), validation and test sets, as TF1 reads them."""
    if fake_data:
        def fake() -> DataSet:
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())
    with open(_local_file(train_dir, TRAIN_IMAGES), "rb") as f:
        train_images = extract_images(f)
    with open(_local_file(train_dir, TRAIN_LABELS), "rb") as f:
        train_labels = extract_labels(f, one_hot=one_hot)
    with open(_local_file(train_dir, TEST_IMAGES), "rb") as f:
        test_images = extract_images(f)
    with open(_local_file(train_dir, TEST_LABELS), "rb") as f:
        test_labels = extract_labels(f, one_hot=one_hot)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. Received: "
                         f"{validation_size}.")
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size], dtype=dtype,
                         reshape=reshape, seed=seed)
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], dtype=dtype, reshape=reshape,
                    seed=seed)
    test = DataSet(test_images, test_labels, dtype=dtype, reshape=reshape, seed=seed)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir: str = "MNIST-data") -> Datasets:
    return read_data_sets(train_dir)
