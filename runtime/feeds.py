"""Fed values: what a run feeds, checked and converted to the fed tensor's dtype and shape with TF1's errors."""

from __future__ import annotations

import reprlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from dfc.ir import builder
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops.strings import bytes_array
from dfc.ir.types import TensorType

from .fetches import as_ir


def feed_target(key: Any, graph: Graph) -> Value:
    """The tensor a feed_dict key names, or TF1's TypeError for a key that names no tensor of this graph."""
    try:
        target = as_ir(key, graph)
    except InvalidArgumentError as e:  # a name the graph lacks: TF's TypeError for a feed key
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
    except TypeError:
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: Can not convert a {type(key).__name__} into a "
                        f"Tensor ({reprlib.repr(key)}).") from None
    if isinstance(key, str) and isinstance(target, Op):
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: The name '{key}' refers to an Operation, not a "
                        f"Tensor. Tensor names must be of the form \"<op_name>:<output_index>\" (feed '{key}:0')")
    if isinstance(target, Op):
        if len(target.results) != 1:
            raise TypeError(f"cannot feed op '{target.name}': feed one of its tensors")
        target = target.results[0]
    if not isinstance(target.type, TensorType):
        raise TypeError(f"cannot feed {target.describe()}: it is not a tensor")
    if builder.graph_of(target) is not graph:
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: Tensor {target.describe()} is not an element "
                        f"of this graph.")
    if target in graph.unfeedable:
        raise ValueError(f"Tensor {target.name} may not be fed ({target.describe()}).")
    return target


def feed_checker(target: Value) -> Callable[[Any], np.ndarray]:
    """A function that accepts a feed for `target` as is when it already fits, else converts or refuses it."""
    dtype = target.type.dtype.np
    shape = target.type.shape
    if target.type.dtype.is_string:  # str and bytes alike become bytes (runtime/host_strings.py)
        return lambda given: convert_feed(target, given)
    if shape is None:
        def check_any(given: Any) -> np.ndarray:
            if type(given) is np.ndarray and given.dtype == dtype:
                return given
            return convert_feed(target, given)
        return check_any
    if shape == () and target.type.dtype.is_floating:
        # a Python number fed to a float scalar, the commonest feed of all: what convert_feed does with it,
        # in one step (integers beyond int64 take convert_feed, which refuses them as numpy does)
        def check_scalar(given: Any) -> np.ndarray:
            kind = type(given)
            if kind is np.ndarray and given.dtype == dtype and given.shape == ():
                return given
            if kind is float or (kind is int and -_INT64_LIMIT <= given < _INT64_LIMIT):
                return np.array(given, dtype)
            return convert_feed(target, given)
        return check_scalar
    if target.type.is_static:
        def check(given: Any) -> np.ndarray:
            if type(given) is np.ndarray and given.dtype == dtype and given.shape == shape:
                return given
            return convert_feed(target, given)
        return check
    ndim = len(shape)
    known = [(i, d) for i, d in enumerate(shape) if d is not None]

    def check_partial(given: Any) -> np.ndarray:
        if type(given) is np.ndarray and given.dtype == dtype and given.ndim == ndim and \
                all(given.shape[i] == d for i, d in known):
            return given
        return convert_feed(target, given)
    return check_partial


_INT64_LIMIT = 1 << 63


def convert_feed(target: Value, given: Any) -> np.ndarray:
    """The fed value as an array of the tensor's dtype, converted as TF converts feeds (numpy's casts: 1.5 fed
    to an int32 placeholder is 1, "2.5" to a float one is 2.5); a value numpy cannot convert or a wrong shape is
    an error naming the tensor."""
    ttype: TensorType = target.type
    dtype = ttype.dtype
    label = f"placeholder '{target.op.name}'" if target.op is not None and target.op.type == "dfc.placeholder" \
        else f"tensor '{target.name}'"
    if hasattr(given, "_dfc_ir"):
        raise TypeError(f"The value of a feed cannot be a tf.Tensor object. Acceptable feed values include Python "
                        f"scalars, strings, lists, numpy ndarrays. The value fed to {label} was {given!r}; fetch it "
                        f"first, or feed the graph its inputs instead")
    try:
        array = np.asarray(given) if not dtype.is_string else bytes_array(given)
    except TypeError as e:
        raise InvalidArgumentError(f"cannot feed {label} of dtype string: {e}") from None
    except Exception as e:  # noqa: BLE001 - anything numpy cannot read is the caller's error
        raise InvalidArgumentError(f"cannot feed {label}: {e}") from None
    if array.dtype.kind in "iuO" and dtype.np.kind in "iu" and not isinstance(given, np.ndarray):
        _check_python_ints_fit(given, array, dtype.np, label)
    if array.dtype.kind in "SU" and not dtype.is_string:
        try:  # TF converts fed text with numpy: "2.5" feeds a float 2.5, "abc" is numpy's ValueError
            array = array.astype(dtype.np)
        except ValueError as e:
            raise ValueError(f"{label} of dtype {dtype.name} cannot take the fed value: {e}") from None
    if array.dtype.kind in "OSUVc" and array.dtype != dtype.np:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # TF 2.21 feeds np.asarray(value).astype(dtype) to a numeric tensor: complex values give their
                # real part; a bool tensor takes np.asarray(value, bool), which refuses them
                refused = array.dtype.kind == "c" and not np.issubdtype(dtype.np, np.number)
                converted = array.astype(dtype.np) if not refused else None
        except (TypeError, ValueError) as e:
            converted, reason, kind = None, str(e), type(e)
        else:
            reason, kind = ("complex values" if converted is None else ""), TypeError
        if converted is None:
            # TF's classes: numpy's TypeError (a None among numbers) stays one, the rest are InvalidArgumentError
            error = TypeError if kind is TypeError else InvalidArgumentError
            raise error(f"cannot feed {label} of dtype {dtype.name} with a value of dtype {array.dtype}: {reason}")
        array = converted
    if not ttype.accepts_shape(array.shape):
        raise InvalidArgumentError(
            f"Cannot feed value of shape {_fmt_shape(array.shape)} for {label}, which has shape "
            f"{_fmt_shape(ttype.shape)}" + (f" (defined at {target.op.loc})" if target.op is not None and target.op.loc
                                            else ""))
    if array.dtype != dtype.np:
        with np.errstate(all="ignore"):
            array = array.astype(dtype.np)
    return np.require(array, requirements="C")


def _check_python_ints_fit(given: Any, array: np.ndarray, dtype: np.dtype, label: str) -> None:
    """Python integers fed to a narrower integer tensor are TF's TypeError, not values wrapped around."""
    limits = np.iinfo(dtype)
    if array.size == 0:
        return
    if array.dtype.kind in "iu":
        low, high = array.min(), array.max()
        too_big = high if high > limits.max else low if low < limits.min else None
    else:
        too_big = next((v for v in array.ravel() if isinstance(v, int) and not limits.min <= v <= limits.max), None)
    if too_big is not None:
        raise TypeError(f"Type of feed value {too_big} with type {type(too_big).__name__} is not compatible with "
                        f"{label} of type {dtype}. Try explicitly setting the type of the feed tensor to a larger "
                        f"type (e.g. int64).")


def _fmt_shape(shape) -> str:
    if shape is None:
        return "<unknown>"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
