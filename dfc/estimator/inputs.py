"""tf.estimator.inputs: numpy_input_fn, an input_fn over numpy arrays (batches in order or shuffled, for epochs)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

_TARGET_KEY = "__target_key__"


def _features_dict(x: Any) -> OrderedDict:
    if isinstance(x, dict):
        if not x:
            raise ValueError("x cannot be an empty dict")
        return OrderedDict(sorted(((k, np.asarray(v)) for k, v in x.items()), key=lambda kv: kv[0]))
    if isinstance(x, np.ndarray):
        if x.size == 0:
            raise ValueError("x cannot be an empty array")
        return OrderedDict({"__direct_np_input__": x})
    raise TypeError(f"x must be a dict or array; got {type(x).__name__}")


def _refuse_strings(data: OrderedDict) -> None:
    for key, value in data.items():
        if value.dtype.kind in "USO":
            raise TypeError(f"numpy_input_fn: '{key}' holds {value.dtype} values; dfc has no string tensors, so "
                            f"feed integer ids (e.g. from a vocabulary you apply in numpy)")


def numpy_input_fn(x: Any, y: Any = None, batch_size: int = 128, num_epochs: int | None = 1,
                   shuffle: bool | None = None, queue_capacity: int = 1000, num_threads: int = 1) -> Callable:
    """An input_fn giving (features dict, labels) batches of `x` and `y` (TF 1.15's numpy_input_fn).

    Batches run across epoch boundaries as TF's queue does: with num_epochs=None the input
    never ends and every batch is full; with num_epochs=N the last batch may be smaller, and the
    end of the data ends train() and evaluate() (OutOfRangeError inside their sessions).
    """
    if not isinstance(shuffle, bool):
        raise ValueError("shuffle must be provided and explicitly set as boolean (it is recommended to set it as "
                         f"True for training); got {shuffle}")

    def input_fn() -> Any:
        from ..data.dataset_ops import Dataset
        data = _features_dict(x)
        feature_keys = list(data)
        target_keys: Any
        if y is None:
            target_keys = None
        elif isinstance(y, dict):
            if not y:
                raise ValueError("y cannot be empty dict, use None instead.")
            ys = OrderedDict(sorted(((k, np.asarray(v)) for k, v in y.items()), key=lambda kv: kv[0]))
            target_keys = list(ys)
            duplicates = set(feature_keys) & set(target_keys)
            if duplicates:
                raise ValueError(f"{len(duplicates)} duplicate keys are found in both x and y: {duplicates}")
            data.update(ys)
        else:
            target_keys = _TARGET_KEY
            while target_keys in data:
                target_keys += "_n"
            data[target_keys] = np.asarray(y)
        if len({v.shape[0] if v.ndim else None for v in data.values()}) != 1:
            shapes_x = {k: data[k].shape for k in feature_keys}
            shapes_y = None if target_keys is None else (np.shape(y) if isinstance(target_keys, str)
                                                         else {k: data[k].shape for k in target_keys})
            raise ValueError("Length of tensors in x and y is mismatched. All elements in x and y must have the same "
                             f"length.\nShapes in x: {shapes_x}\nShapes in y: {shapes_y}\n")
        _refuse_strings(data)
        dataset = Dataset.from_tensor_slices(dict(data))
        if shuffle:
            dataset = dataset.shuffle(queue_capacity)
        dataset = dataset.repeat(num_epochs).batch(batch_size, drop_remainder=num_epochs is None)
        batch = dataset.make_one_shot_iterator().get_next()
        features = batch["__direct_np_input__"] if isinstance(x, np.ndarray) else {k: batch[k] for k in feature_keys}
        if target_keys is None:
            return features
        if isinstance(target_keys, str):
            return features, batch[target_keys]
        return features, {k: batch[k] for k in target_keys}

    return input_fn


__all__ = ["numpy_input_fn"]
