"""tf.keras.layers' core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
Embedding, BatchNormalization and the advanced activations (LeakyReLU, ReLU, Softmax, ELU, PReLU, ThresholdedReLU).

Dense, Flatten and BatchNormalization share tf.layers' computation (dfc/layers/core.py) under Keras's
base class: Keras's defaults (glorot_uniform kernels, zeros biases, names by string), its learning phase
when `training` is not given, and updates kept in `layer.updates` only.
"""

from __future__ import annotations

import numpy as np

from .. import array_ops as _array
from .. import math_ops as _math
from .. import nn as _nn
from ..framework import Tensor, TensorShape, convert_to_tensor
from ..layers import core as _tl
from . import activations, initializers, regularizers
from . import backend as K
from .engine import InputSpec, Layer

__all__ = ["ELU", "Activation", "ActivityRegularization", "BatchNormalization", "Dense", "Dropout", "Embedding",
           "Flatten", "GaussianNoise", "Lambda", "LeakyReLU", "PReLU", "Permute", "ReLU", "RepeatVector",
           "Reshape", "Softmax", "SpatialDropout1D", "SpatialDropout2D", "ThresholdedReLU"]


def _training(training):
    return K.learning_phase() if training is None else training


class Dense(_tl.Dense, Layer):
    """activation(inputs @ kernel + bias) over the last axis: kernel [in, units] 'kernel', bias [units] 'bias'."""

    _masking = True

    def __init__(self, units, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(int(units), activations.get(activation), use_bias, initializers.get(kernel_initializer),
                         initializers.get(bias_initializer), regularizers.get(kernel_regularizer),
                         regularizers.get(bias_regularizer), activity_regularizer, kernel_constraint,
                         bias_constraint, **kwargs)


class Flatten(_tl.Flatten, Layer):
    """[batch, ...] -> [batch, product of the rest]."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(data_format=data_format or K.image_data_format(), **kwargs)


class Activation(Layer):

    _masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs) -> Tensor:
        return self.activation(inputs)


class Dropout(Layer):
    """nn.dropout(rate) when training (the learning phase unless `training` is given), else the inputs."""

    _masking = True

    def __init__(self, rate: float, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        if not 0 <= self.rate <= 1:
            raise ValueError(f"Invalid value received for `rate`, expected a value between 0 and 1, got: {rate}")

    def _get_noise_shape(self, inputs: Tensor):
        if self.noise_shape is None:
            return None
        dims = inputs.shape.as_list()
        concrete = [d if d is not None else (dims[i] if dims[i] is not None else _array.shape(inputs)[i])
                    for i, d in enumerate(self.noise_shape)]
        return _array.stack(concrete) if any(isinstance(d, Tensor) for d in concrete) else concrete

    def call(self, inputs, training=None) -> Tensor:
        return K.in_train_phase(lambda: _nn.dropout(inputs, rate=self.rate, noise_shape=self._get_noise_shape(inputs),
                                                    seed=self.seed),
                                lambda: _array.identity(inputs), training=_training(training))


class SpatialDropout1D(Dropout):
    def _get_noise_shape(self, inputs: Tensor):
        s = _array.shape(inputs)
        return _array.stack([s[0], 1, s[2]])


class SpatialDropout2D(Dropout):
    def __init__(self, rate: float, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = data_format or K.image_data_format()

    def _get_noise_shape(self, inputs: Tensor):
        s = _array.shape(inputs)
        if self.data_format == "channels_first":
            return _array.stack([s[0], s[1], 1, 1])
        return _array.stack([s[0], 1, 1, s[3]])


class GaussianNoise(Layer):

    _masking = True

    def __init__(self, stddev: float, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev, self.seed = stddev, seed

    def call(self, inputs, training=None) -> Tensor:
        return K.in_train_phase(lambda: inputs + K.random_normal(_array.shape(inputs), 0.0, self.stddev,
                                                                 dtype=inputs.dtype, seed=self.seed), inputs,
                                training=_training(training))


class ActivityRegularization(Layer):

    _masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2

    def call(self, inputs) -> Tensor:
        return inputs


class Reshape(Layer):
    """[batch, ...] -> [batch, *target_shape] (one -1 in target_shape takes the rest)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape: list, output_shape: list) -> list:
        output_shape = list(output_shape)
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                if unknown is not None:
                    raise ValueError("Can only specify one unknown dimension.")
                unknown = index
            else:
                known *= dim
        original = int(np.prod(input_shape, dtype=np.int64))
        msg = (f"total size of new array must be unchanged, input_shape = {list(input_shape)}, output_shape = "
               f"{list(self.target_shape)} (layer {self.name})")
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(msg)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(msg)
        return output_shape

    def call(self, inputs) -> Tensor:
        rest = inputs.shape.as_list()[1:]
        target = list(self.target_shape)
        if None not in rest:
            target = self._fix_unknown_dimension(rest, target)
        batch = inputs.shape.as_list()[0]
        if batch is not None:
            return _array.reshape(inputs, [batch] + target)
        if all(d >= 0 for d in target):
            return _array.reshape(inputs, [-1] + target)
        return _array.reshape(inputs, _array.stack([_array.shape(inputs)[0]] + target))


class Permute(Layer):
    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation `dims` for Permute Layer: {dims}. The set of indices in `dims` "
                             f"must be consecutive and start from 1.")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs) -> Tensor:
        return _array.transpose(inputs, perm=(0,) + self.dims)


class RepeatVector(Layer):
    """[batch, features] -> [batch, n, features]."""

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs) -> Tensor:
        return _array.tile(_array.expand_dims(inputs, 1), [1, self.n, 1])


class Lambda(Layer):
    """function(inputs, **arguments) as a layer."""

    _masking = True

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function, self.arguments = function, arguments or {}
        self._output_shape, self.mask = output_shape, mask

    def compute_mask(self, inputs, mask=None):
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def get_config(self) -> dict:
        """The function as TF's Keras writes it: a Python function's marshalled code (with its defaults and
        closure; 'lambda'), readable by the same Python version only; the output shape as given ('raw')."""
        config = Layer.get_config(self)
        for key, value in (("function", self.function), ("output_shape", self._output_shape)):
            config[key], config[f"{key}_type"], config[f"{key}_module"] = _function_config(value)
        config["module"] = config.pop("function_module")
        if self.mask is not None:
            config["mask"], config["mask_type"], config["mask_module"] = _function_config(self.mask)
        config["arguments"] = self.arguments
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from .utils import custom_objects_in_scope
        config = dict(config)
        custom = {**custom_objects_in_scope(), **(custom_objects or {})}
        for key, module_key in (("function", "module"), ("output_shape", "output_shape_module"),
                                ("mask", "mask_module")):
            kind = config.pop(f"{key}_type", "raw")
            module = config.pop(module_key, None)
            if key in config:
                config[key] = _function_from_config(config[key], kind, module, custom)
        if isinstance(config.get("output_shape"), list):
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)

    def call(self, inputs, mask=None, training=None):
        import inspect
        kwargs = dict(self.arguments)
        params = inspect.signature(self.function).parameters
        if "mask" in params:
            kwargs["mask"] = mask
        if "training" in params:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)


def _function_config(value) -> tuple:
    """(value, type, module) of a Lambda's function: a Python function's code (TF's func_dump), a callable by
    name, anything else as it is."""
    import codecs
    import marshal
    import types
    if isinstance(value, types.FunctionType):
        closure = tuple(c.cell_contents for c in value.__closure__) if value.__closure__ else None
        code = codecs.encode(marshal.dumps(value.__code__), "base64").decode("ascii")
        return [code, value.__defaults__, closure], "lambda", value.__module__
    if callable(value):
        return value.__name__, "function", getattr(value, "__module__", None)
    return value, "raw", None


def _function_from_config(value, kind: str, module, custom: dict):
    """The function a Lambda's config holds (TF's func_load: its globals those of its module when imported)."""
    import codecs
    import marshal
    import sys
    import types
    if kind == "raw" or value is None:
        return value
    namespace = dict(vars(sys.modules[module])) if module in sys.modules else {}
    namespace.update(custom)
    if kind == "function":
        if value not in namespace:
            raise ValueError(f"Unknown function in Lambda layer: {value}. Please ensure this object is passed to "
                             f"the `custom_objects` argument.")
        return namespace[value]
    code, defaults, closure = value if isinstance(value, (list, tuple)) else (value, None, None)
    try:
        compiled = marshal.loads(codecs.decode(code.encode("ascii"), "base64"))
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError(f"The Lambda layer's function was saved by another Python version than "
                         f"{sys.version.split()[0]} (its code cannot be read: {e})") from None

    def cell(x):
        return (lambda: x).__closure__[0]
    cells = tuple(cell(x) for x in closure) if closure else None
    namespace.setdefault("__builtins__", __builtins__)
    return types.FunctionType(compiled, namespace, compiled.co_name, tuple(defaults) if defaults else None, cells)


class Embedding(Layer):
    """Rows of `embeddings` [input_dim, output_dim] gathered by integer ids [batch, ...]."""

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero: bool = False, input_length=None,
                 **kwargs):
        if "input_shape" not in kwargs and input_length is not None:
            kwargs["input_shape"] = tuple(input_length) if isinstance(input_length, (list, tuple)) else (input_length,)
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (None,)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if int(input_dim) <= 0 or int(output_dim) <= 0:
            raise ValueError(f"Both `input_dim` and `output_dim` should be positive, found input_dim {input_dim} and "
                             f"output_dim {output_dim}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self._set_weight_options(embeddings_initializer=embeddings_initializer,
                                 embeddings_regularizer=embeddings_regularizer,
                                 embeddings_constraint=embeddings_constraint)
        self.mask_zero, self.input_length = mask_zero, input_length

    def get_config(self) -> dict:
        config = super().get_config()
        config["dtype"] = config["dtype"] or K.floatx()  # TF's Embedding is made float32 unless told
        return config

    def build(self, input_shape) -> None:
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer)
        self.built = True

    _consumes_mask = True

    def call(self, inputs) -> Tensor:
        ids = inputs if inputs.dtype.name in ("int32", "int64") else _math.cast(inputs, "int32")
        out = _nn.embedding_lookup(self.embeddings, ids)
        if self.mask_zero:
            out._keras_mask = _math.not_equal(ids, 0)
        return out


class BatchNormalization(_tl.BatchNormalization, Layer):
    """Batch statistics when training (the learning phase unless given), moving averages otherwise; the
    moving-average updates go to `layer.updates` (not tf.GraphKeys.UPDATE_OPS, as in TF1's Keras)."""

    _masking = True

    def __init__(self, axis=-1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, renorm: bool = False,
                 renorm_clipping=None, renorm_momentum: float = 0.99, fused=None, trainable: bool = True,
                 virtual_batch_size=None, adjustment=None, name=None, **kwargs):
        super().__init__(axis, momentum, epsilon, center, scale, initializers.get(beta_initializer),
                         initializers.get(gamma_initializer), initializers.get(moving_mean_initializer),
                         initializers.get(moving_variance_initializer), regularizers.get(beta_regularizer),
                         regularizers.get(gamma_regularizer), beta_constraint, gamma_constraint, renorm,
                         renorm_clipping, renorm_momentum, fused, trainable, virtual_batch_size, adjustment, name=name,
                         **kwargs)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint

    def call(self, inputs, training=None) -> Tensor:
        training = _training(training)
        if isinstance(training, int) and not isinstance(training, bool):
            training = bool(training)
        return super().call(inputs, training=training)


# ---- advanced activations -------------------------------------------------------------------------------
class LeakyReLU(Layer):

    _masking = True

    def __init__(self, alpha: float = 0.3, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs) -> Tensor:
        return _nn.leaky_relu(inputs, alpha=self.alpha)


class ReLU(Layer):

    _masking = True

    def __init__(self, max_value=None, negative_slope: float = 0.0, threshold: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of Relu layer cannot be negative value: {max_value}")
        if negative_slope < 0.0:
            raise ValueError(f"negative_slope of Relu layer cannot be negative value: {negative_slope}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs) -> Tensor:
        return K.relu(inputs, alpha=self.negative_slope, max_value=self.max_value, threshold=self.threshold)


class Softmax(Layer):

    _masking = True

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs) -> Tensor:
        return K.softmax(inputs, axis=self.axis)


class ELU(Layer):

    _masking = True

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs) -> Tensor:
        return K.elu(inputs, self.alpha)


class ThresholdedReLU(Layer):

    _masking = True

    def __init__(self, theta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = float(theta)

    def call(self, inputs) -> Tensor:
        return inputs * _math.cast(_math.greater(inputs, self.theta), inputs.dtype)


class PReLU(Layer):
    """max(x, 0) - alpha * max(-x, 0), alpha a weight of the input's shape (shared along `shared_axes`)."""

    _masking = True

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self._set_weight_options(alpha_initializer=alpha_initializer, alpha_regularizer=alpha_regularizer,
                                 alpha_constraint=alpha_constraint)
        self.shared_axes = None if shared_axes is None else list(np.atleast_1d(shared_axes))

    def build(self, input_shape) -> None:
        dims = input_shape.as_list() if isinstance(input_shape, TensorShape) else list(input_shape)
        param_shape = list(dims[1:])
        for axis in self.shared_axes or []:
            param_shape[axis - 1] = 1
        self.alpha = self.add_weight("alpha", param_shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer)
        self.built = True

    def call(self, inputs) -> Tensor:
        x = convert_to_tensor(inputs)
        return _nn.relu(x) - self.alpha * _nn.relu(-x)
