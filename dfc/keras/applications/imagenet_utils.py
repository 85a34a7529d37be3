"""tf.keras.applications.imagenet_utils: preprocess_input (the caffe, tf and torch modes of Keras's applications,
on numpy arrays in place as TF does, or on tensors), decode_predictions (ImageNet's class index from the Keras
cache), and the input-shape checks every application makes."""

from __future__ import annotations

import json
import warnings

import numpy as np

from .. import backend as K
from ..utils import get_file

__all__ = ["decode_predictions", "preprocess_input"]

CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
_class_index: dict | None = None

# each mode's channel means and deviations, in the order of the channels after any RGB -> BGR flip
_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN, _TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def preprocess_input(x, data_format: str | None = None, mode: str = "caffe"):
    """A batch of images (values 0..255) scaled as the model's training data: 'caffe' flips RGB to BGR and
    subtracts ImageNet's channel means, 'tf' maps to [-1, 1], 'torch' maps to [0, 1] and normalizes each channel.
    A float numpy array is overwritten (TF's behaviour; pass a copy to keep it); others become float32 copies."""
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}")
    if data_format is None:
        data_format = K.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Expected data_format to be one of `channels_first` or `channels_last`. "
                         f"Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _flip_channels(x, data_format: str, ndim: int):
    """RGB -> BGR: the channel axis reversed (a view, for numpy arrays)."""
    if data_format == "channels_first":
        return x[::-1, ...] if ndim == 3 else x[:, ::-1, ...]
    return x[..., ::-1]


def _preprocess_numpy(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(K.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = _flip_channels(x, data_format, x.ndim)
        mean, std = _CAFFE_MEAN, None
    for c in range(3):
        # channel by channel, in place, so that the caller's float array holds the result as in TF
        index = (c,) if data_format == "channels_first" and x.ndim == 3 else (
            (slice(None), c) if data_format == "channels_first" else (Ellipsis, c))
        x[index] -= mean[c]
        if std is not None:
            x[index] /= std[c]
    return x


def _preprocess_tensor(x, data_format: str, mode: str):
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x = x / 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = _flip_channels(x, data_format, K.ndim(x))
        mean, std = _CAFFE_MEAN, None
    dtype = K.dtype(x)
    x = K.bias_add(x, K.constant(-np.array(mean), dtype=dtype), data_format=data_format)
    if std is not None:
        std_t = K.constant(np.array(std), dtype=dtype)
        x = x / (K.reshape(std_t, (-1, 1, 1)) if data_format == "channels_first" else std_t)
    return x


def decode_predictions(preds, top: int = 5) -> list:
    """The `top` classes of each row of `preds` (samples, 1000) as (wnid, label, score), best first; the class
    names come from imagenet_class_index.json in ~/.keras/models/ (dfc does not download it)."""
    global _class_index
    preds = np.asarray(preds)
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape "
                         f"(samples, 1000)). Found array with shape: {preds.shape}")
    if _class_index is None:
        with open(get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models")) as f:
            _class_index = json.load(f)
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        row = [tuple(_class_index[str(i)]) + (pred[i],) for i in best]
        row.sort(key=lambda t: t[2], reverse=True)
        results.append(row)
    return results


def obtain_input_shape(input_shape, default_size: int, min_size: int, data_format: str, require_flatten: bool,
                       weights=None) -> tuple:
    """The model's input shape (no batch dim): the default when none is given; TF's checks of a given one (three
    dims, 3 channels for ImageNet weights, at least min_size high and wide, static when the top is included)."""
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was passed an input_shape "
                          f"with {channels} input channels.", stacklevel=3)
        default_shape = (channels, default_size, default_size) if channels_first else (
            default_size, default_size, channels)
    else:
        default_shape = (3, default_size, default_size) if channels_first else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, `input_shape` should be "
                             f"{default_shape}.  Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels, rows, cols = (input_shape[0], input_shape[1], input_shape[2]) if channels_first else (
            input_shape[2], input_shape[0], input_shape[1])
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size) -> tuple:
    """The zero padding before a strided 'valid' convolution that centres its windows as 'same' would on an
    odd-sized input: one less on the top/left when the input is even (or unknown)."""
    img_dim = 2 if K.image_data_format() == "channels_first" else 1
    size = K.int_shape(inputs)[img_dim:img_dim + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))
