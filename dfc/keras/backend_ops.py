"""tf.keras.backend's tensor functions: TF1's ops under Keras's names and conventions (axis, keepdims, logits)."""

from __future__ import annotations

import numpy as np

from .. import array_ops as _array
from .. import clip_ops as _clip
from .. import math_ops as _math
from .. import nn as _nn
from ..framework import Tensor, convert_to_tensor
from ..variables import Variable
from .backend_config import epsilon, floatx

__all__ = ["abs", "all", "any", "arange", "argmax", "argmin", "batch_dot", "batch_flatten", "bias_add",
           "binary_crossentropy", "cast", "categorical_crossentropy", "clip", "concatenate", "cos", "cumprod",
           "cumsum", "dot", "dropout", "dtype", "elu", "equal", "exp", "expand_dims", "flatten", "foldl", "foldr",
           "gather", "gradients", "greater", "greater_equal", "hard_sigmoid", "identity", "int_shape",
           "is_keras_tensor", "l2_normalize", "less", "less_equal", "log", "logsumexp", "map_fn", "max", "maximum",
           "mean", "min", "minimum", "ndim", "not_equal", "one_hot", "permute_dimensions", "pow", "print_tensor",
           "prod", "random_binomial", "relu", "repeat_elements", "reshape", "resize_images", "reverse", "round",
           "shape", "sigmoid", "sign", "sin", "softmax", "softplus", "softsign", "sparse_categorical_crossentropy",
           "spatial_2d_padding", "sqrt", "square", "squeeze", "stack", "std", "stop_gradient", "sum", "tanh",
           "temporal_padding", "tile", "transpose", "truncated_normal", "var"]


# ---- shapes -----------------------------------------------------------------------------------------------
def int_shape(x) -> tuple | None:
    shape = getattr(x, "_keras_shape", None)
    if shape is not None:
        return tuple(shape)
    dims = convert_to_tensor(x).shape
    return None if dims.ndims is None else tuple(dims.as_list())


def ndim(x) -> int | None:
    return convert_to_tensor(x).shape.ndims


def dtype(x) -> str:
    return convert_to_tensor(x).dtype.name


def shape(x) -> Tensor:
    return _array.shape(x)


def reshape(x, shape) -> Tensor:
    return _array.reshape(x, shape)


def permute_dimensions(x, pattern) -> Tensor:
    return _array.transpose(x, perm=list(pattern))


def transpose(x) -> Tensor:
    return _array.transpose(x)


def expand_dims(x, axis: int = -1) -> Tensor:
    return _array.expand_dims(x, axis)


def squeeze(x, axis: int) -> Tensor:
    return _array.squeeze(x, [axis])


def flatten(x) -> Tensor:
    return _array.reshape(x, [-1])


def batch_flatten(x) -> Tensor:
    x = convert_to_tensor(x)
    rest = x.shape.as_list()[1:]
    if None not in rest:
        return _array.reshape(x, [-1, int(np.prod(rest, dtype=np.int64))])
    return _array.reshape(x, _array.stack([-1, _math.reduce_prod(_array.shape(x)[1:])]))


def concatenate(tensors, axis: int = -1) -> Tensor:
    tensors = [convert_to_tensor(t) for t in tensors]
    if axis < 0:
        rank = tensors[0].shape.ndims
        axis = axis % rank if rank else 0
    return _array.concat(tensors, axis)


def stack(x, axis: int = 0) -> Tensor:
    return _array.stack(x, axis=axis)


def tile(x, n) -> Tensor:
    return _array.tile(x, [n] if isinstance(n, int) else n)


def repeat_elements(x, rep: int, axis: int) -> Tensor:
    from ..tensor_ops import repeat
    return repeat(x, rep, axis=axis)


def gather(reference, indices) -> Tensor:
    return _array.mark_row_gather(_array.gather(reference, indices))


def one_hot(indices, num_classes: int) -> Tensor:
    return _array.one_hot(indices, depth=num_classes, axis=-1)


def reverse(x, axes) -> Tensor:
    from ..tensor_ops import reverse as rev
    return rev(x, [axes] if isinstance(axes, int) else list(axes))


def arange(start, stop=None, step=1, dtype="int32") -> Tensor:
    return _array.range(start, stop, step, dtype=dtype)


def identity(x, name: str | None = None) -> Tensor:
    return _array.identity(x, name=name)


def cast(x, dtype) -> Tensor:
    return _math.cast(x, dtype)


def stop_gradient(variables):
    from ..gradients_impl import stop_gradient as stop
    if isinstance(variables, (list, tuple)):
        return [stop(v) for v in variables]
    return stop(variables)


# ---- math -----------------------------------------------------------------------------------------------
def _keras_function(op, name: str, fn):
    """`op`, a thin call of TF's `fn`, under Keras's `name` (its own function, named as Keras names it)."""
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Keras's {name}: tf.{fn.__name__} with Keras's arguments."
    return op


def _unary(fn, name: str):
    def op(x) -> Tensor:
        return fn(x)
    return _keras_function(op, name, fn)


def _binary(fn, name: str):
    def op(x, y) -> Tensor:
        return fn(x, y)
    return _keras_function(op, name, fn)


def _reduce(fn, name: str):
    def op(x, axis=None, keepdims: bool = False) -> Tensor:
        return fn(x, axis=axis, keepdims=keepdims)
    return _keras_function(op, name, fn)


def _along(fn, name: str, default_axis: int):
    def op(x, axis: int = default_axis) -> Tensor:
        return fn(x, axis=axis)
    return _keras_function(op, name, fn)


max = _reduce(_math.reduce_max, "max")  # noqa: A001 - Keras's names
min = _reduce(_math.reduce_min, "min")  # noqa: A001
sum = _reduce(_math.reduce_sum, "sum")  # noqa: A001
prod = _reduce(_math.reduce_prod, "prod")
logsumexp = _reduce(_math.reduce_logsumexp, "logsumexp")
argmax = _along(_math.argmax, "argmax", -1)
argmin = _along(_math.argmin, "argmin", -1)
cumsum = _along(_math.cumsum, "cumsum", 0)
cumprod = _along(_math.cumprod, "cumprod", 0)
round = _unary(_math.round, "round")  # noqa: A001
sign = _unary(_math.sign, "sign")
sin = _unary(_math.sin, "sin")
cos = _unary(_math.cos, "cos")
square = _unary(_math.square, "square")
abs = _unary(_math.abs, "abs")  # noqa: A001
exp = _unary(_math.exp, "exp")
log = _unary(_math.log, "log")
softplus = _unary(_math.softplus, "softplus")
softsign = _unary(_math.softsign, "softsign")
sigmoid = _unary(_math.sigmoid, "sigmoid")
tanh = _unary(_math.tanh, "tanh")
equal = _binary(_math.equal, "equal")
not_equal = _binary(_math.not_equal, "not_equal")
greater = _binary(_math.greater, "greater")
greater_equal = _binary(_math.greater_equal, "greater_equal")
less = _binary(_math.less, "less")
less_equal = _binary(_math.less_equal, "less_equal")
maximum = _binary(_math.maximum, "maximum")
minimum = _binary(_math.minimum, "minimum")


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    x = convert_to_tensor(x)
    if x.dtype.is_bool:
        x = _math.cast(x, floatx())
    return _math.reduce_mean(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims: bool = False) -> Tensor:
    x = convert_to_tensor(x)
    m = _math.reduce_mean(x, axis=axis, keepdims=True)
    return _math.reduce_mean(_math.square(x - m), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims: bool = False) -> Tensor:
    return _math.sqrt(var(x, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _math.reduce_any(_math.cast(x, "bool"), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _math.reduce_all(_math.cast(x, "bool"), axis=axis, keepdims=keepdims)


def sqrt(x) -> Tensor:
    x = convert_to_tensor(x)
    zero = convert_to_tensor(0.0, dtype=x.dtype)
    inf = convert_to_tensor(np.inf, dtype=x.dtype)
    return _math.sqrt(_clip.clip_by_value(x, zero, inf))


def pow(x, a) -> Tensor:  # noqa: A001
    return _math.pow(x, a)


def clip(x, min_value, max_value) -> Tensor:
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    x = convert_to_tensor(x)
    lo = -np.inf if min_value is None else min_value
    hi = np.inf if max_value is None else max_value
    return _clip.clip_by_value(x, convert_to_tensor(lo, dtype=x.dtype), convert_to_tensor(hi, dtype=x.dtype))


def dot(x, y) -> Tensor:
    """x @ y over x's last and y's second-to-last axis (any ranks, as Keras's dot)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    if x.shape.ndims is not None and y.shape.ndims is not None and (x.shape.ndims > 2 or y.shape.ndims > 2):
        from ..linalg_ops import tensordot
        return tensordot(x, y, [[x.shape.ndims - 1], [y.shape.ndims - 2 if y.shape.ndims > 1 else 0]])
    return _math.matmul(x, y)


def batch_dot(x, y, axes=None) -> Tensor:
    """Per-sample dot products of [batch, ...] tensors over `axes` (Keras's batch_dot for ranks 2 and 3)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    rx, ry = x.shape.ndims, y.shape.ndims
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (rx - 1, ry - 1 if ry == 2 else ry - 2)
    ax, ay = (a % r for a, r in zip(axes, (rx, ry)))
    if rx == 2 and ry == 2:
        return _math.reduce_sum(x * y, axis=ax, keepdims=True) if ax == ay else \
            _math.reduce_sum(x * y, axis=1, keepdims=True)
    xx = x if rx > 2 else _array.expand_dims(x, 1 if ax == 1 else 2)
    yy = y if ry > 2 else _array.expand_dims(y, 2 if ay == 1 else 1)
    xa = ax if rx > 2 else (2 if ax == 1 else 1)
    ya = ay if ry > 2 else (1 if ay == 1 else 2)
    out = _math.matmul(xx, yy, transpose_a=xa != 2, transpose_b=ya != 1)
    if rx == 2:
        out = _array.squeeze(out, [1])
    if ry == 2:
        out = _array.squeeze(out, [-1])
    if out.shape.ndims == 1:
        out = _array.expand_dims(out, 1)
    return out


def l2_normalize(x, axis=None) -> Tensor:
    return _clip.l2_normalize(x, axis=axis)


def gradients(loss, variables) -> list:
    from ..gradients_impl import gradients as tf_gradients
    return tf_gradients(loss, variables)


# ---- activations and losses ---------------------------------------------------------------------------
def relu(x, alpha: float = 0.0, max_value=None, threshold: float = 0.0) -> Tensor:
    x = convert_to_tensor(x)
    if alpha == 0.0 and threshold == 0.0 and max_value is None:
        return _nn.relu(x)
    if alpha == 0.0 and threshold == 0.0 and max_value == 6:
        return _nn.relu6(x)
    negative = None
    if alpha != 0.0:
        negative = _nn.relu(-x + threshold) if threshold != 0 else _nn.relu(-x)
    if threshold != 0:
        x = x * _math.cast(_math.greater(x, threshold), x.dtype)
    else:
        x = _nn.relu(x)
    if max_value is not None:
        x = _clip.clip_by_value(x, convert_to_tensor(0.0, dtype=x.dtype), convert_to_tensor(max_value, dtype=x.dtype))
    if negative is not None:
        x = x - alpha * negative
    return x


def elu(x, alpha: float = 1.0) -> Tensor:
    from ..nn_activations import elu as tf_elu
    res = tf_elu(x)
    return res if alpha == 1 else _math.where(_math.greater(x, 0.0), res, alpha * res)


def softmax(x, axis: int = -1) -> Tensor:
    return _nn.softmax(x, axis=axis)


def hard_sigmoid(x) -> Tensor:
    x = convert_to_tensor(x)
    return _clip.clip_by_value(0.2 * x + 0.5, convert_to_tensor(0.0, dtype=x.dtype),
                               convert_to_tensor(1.0, dtype=x.dtype))


def dropout(x, level: float, noise_shape=None, seed=None) -> Tensor:
    return _nn.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def _logits_of(output: Tensor, op_type: str) -> Tensor | None:
    """The input of `output`'s op when that op is `op_type` (Keras then computes from the logits, as TF)."""
    if isinstance(output, Variable) or output.op.type != op_type:
        return None
    return output.op.inputs[0]


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1) -> Tensor:
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if not from_logits:
        logits = _logits_of(output, "Softmax")
        if logits is None:
            output = output / _math.reduce_sum(output, axis=axis, keepdims=True)
            eps = convert_to_tensor(epsilon(), dtype=output.dtype)
            output = _clip.clip_by_value(output, eps, 1.0 - eps)
            return -_math.reduce_sum(target * _math.log(output), axis=axis)
        output = logits
    return _nn.softmax_cross_entropy_with_logits_v2(labels=target, logits=output, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1) -> Tensor:
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    rank = output.shape.ndims
    axis = axis % rank
    if axis != rank - 1:
        output = _array.transpose(output, [i for i in range(rank) if i != axis] + [axis])
    if not from_logits:
        logits = _logits_of(output, "Softmax")
        if logits is None:
            eps = convert_to_tensor(epsilon(), dtype=output.dtype)
            output = _math.log(_clip.clip_by_value(output, eps, 1.0 - eps))
        else:
            output = logits
    dims = output.shape.as_list()
    labels = _math.cast(_array.reshape(target, [-1]), "int64")
    logits = _array.reshape(output, [-1, dims[-1]]) if rank != 2 else output
    res = _nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if rank > 2:
        lead = dims[:-1]
        res = _array.reshape(res, lead if None not in lead else _array.shape(output)[:-1])
    return res


def binary_crossentropy(target, output, from_logits: bool = False) -> Tensor:
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if not from_logits:
        logits = _logits_of(output, "Sigmoid")
        if logits is None:
            eps = convert_to_tensor(epsilon(), dtype=output.dtype)
            output = _clip.clip_by_value(output, eps, 1.0 - eps)
            bce = target * _math.log(output + epsilon())
            bce = bce + (1 - target) * _math.log(1 - output + epsilon())
            return -bce
        output = logits
    return _nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


# ---- more of Keras's backend --------------------------------------------------------------------------
def bias_add(x, bias, data_format=None) -> Tensor:
    """x + bias over the channel axis (the last, or axis 1 for channels_first)."""
    x, bias = convert_to_tensor(x), convert_to_tensor(bias)
    if (data_format or "channels_last") == "channels_first" and x.shape.ndims > 2:
        shape = [1, -1] + [1] * (x.shape.ndims - 2) if bias.shape.ndims == 1 else [1] + bias.shape.as_list()
        return x + _array.reshape(bias, shape)
    return _nn.bias_add(x, bias) if bias.shape.ndims == 1 else x + bias


def print_tensor(x, message: str = "") -> Tensor:
    from ..debugging import Print
    return Print(x, [x], message)


def is_keras_tensor(x) -> bool:
    if not isinstance(x, (Tensor, Variable)):
        raise ValueError(f"Unexpectedly found an instance of type `{type(x)}`. Expected a symbolic tensor instance.")
    return hasattr(x, "_keras_history")


def temporal_padding(x, padding=(1, 1)) -> Tensor:
    from ..tensor_ops import pad
    return pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None) -> Tensor:
    from ..tensor_ops import pad
    if (data_format or "channels_last") == "channels_first":
        return pad(x, [[0, 0], [0, 0], list(padding[0]), list(padding[1])])
    return pad(x, [[0, 0], list(padding[0]), list(padding[1]), [0, 0]])


def resize_images(x, height_factor: int, width_factor: int, data_format: str, interpolation: str = "nearest"):
    """Each pixel repeated height_factor x width_factor times ('nearest'), or bilinear resizing."""
    from ..tensor_ops import repeat
    rows, cols = (1, 2) if data_format == "channels_last" else (2, 3)
    if interpolation == "bilinear":
        from ..image import resize_bilinear
        nhwc = x if data_format == "channels_last" else _array.transpose(x, [0, 2, 3, 1])
        dims = nhwc.shape.as_list()
        out = resize_bilinear(nhwc, [dims[1] * height_factor, dims[2] * width_factor])
        return out if data_format == "channels_last" else _array.transpose(out, [0, 3, 1, 2])
    return repeat(repeat(x, height_factor, axis=rows), width_factor, axis=cols)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    from ..random_ops import truncated_normal as normal
    return normal(shape, mean, stddev, dtype=dtype or floatx(), seed=seed)


def random_binomial(shape, p=0.0, dtype=None, seed=None) -> Tensor:
    from ..random_ops import random_uniform
    dtype = dtype or floatx()
    return _math.cast(_math.less(random_uniform(shape, dtype=dtype, seed=seed), p), dtype)


def map_fn(fn, elems, name=None, dtype=None) -> Tensor:
    from ..control_flow_ops import map_fn as tf_map_fn
    return tf_map_fn(fn, elems, name=name, dtype=dtype)


def foldl(fn, elems, initializer=None, name=None) -> Tensor:
    from ..control_flow_ops import foldl as tf_foldl
    return tf_foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None) -> Tensor:
    from ..control_flow_ops import foldr as tf_foldr
    return tf_foldr(fn, elems, initializer=initializer, name=name)
