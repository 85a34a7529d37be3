"""tf.layers' convolution and pooling layers (conv2d, conv2d_transpose, max/average_pooling2d) and their classes."""

from __future__ import annotations

from typing import Any

from ..framework import Tensor, convert_to_tensor, current_graph, name_scope
from ..nn_conv import avg_pool, conv2d_backprop_input, max_pool
from ..nn_conv import conv2d as nn_conv2d

__all__ = ["AveragePooling2D", "Conv2D", "Conv2DTranspose", "MaxPooling2D", "average_pooling2d", "conv2d",
           "conv2d_transpose", "max_pooling2d"]


def _pair(value: Any, what: str) -> list[int]:
    values = [value] * 2 if isinstance(value, int) else list(value)
    if len(values) != 2 or not all(isinstance(v, int) and v > 0 for v in values):
        raise ValueError(f"{what} must be a positive int or a pair of them, got {value!r}")
    return values


def _padding(padding: str) -> str:
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding.upper()


def _data_format(data_format: str) -> str:
    formats = {"channels_last": "NHWC", "channels_first": "NCHW"}
    if data_format not in formats:
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return formats[data_format]


class _Layer:
    """What the layers share: a unique variable scope made on first call, reused after, and TF's attributes."""

    default_name = "layer"

    def __init__(self, name: str | None = None, trainable: bool = True, _reuse=None, **_ignored):
        self.name = name
        self.trainable = trainable
        self._reuse = _reuse
        self._scope: str | None = None
        self.built = False
        self._variables: list = []

    def _scope_name(self) -> str:
        if self._scope is None:
            self._scope = self.name or _fresh_scope(self.default_name)
        return self._scope

    @property
    def variables(self) -> list:
        return list(self._variables)

    @property
    def trainable_variables(self) -> list:
        return list(self._variables) if self.trainable else []

    @property
    def weights(self) -> list:
        return self.variables

    def apply(self, inputs, *args, **kwargs) -> Tensor:
        return self(inputs, *args, **kwargs)

    def __call__(self, inputs) -> Tensor:
        from ..variables import variable_scope
        inputs = convert_to_tensor(inputs)
        reuse = True if self.built else self._reuse
        with variable_scope(self._scope_name(), reuse=reuse):
            out = self.call(inputs)
        self.built = True
        return out

    def call(self, inputs: Tensor) -> Tensor:  # pragma: no cover - every layer defines it
        raise NotImplementedError


def _fresh_scope(base: str) -> str:
    """TF's default layer names: conv2d, conv2d_1, ... per graph, counting the layers made so far."""
    graph = current_graph()
    counts = graph.__dict__.setdefault("_dfc_layer_names", {})
    n = counts.get(base, 0)
    counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


class _Conv(_Layer):
    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=(1, 1), activation=None, use_bias: bool = True,
                 kernel_initializer=None, bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable: bool = True,
                 name: str | None = None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"filters must be a positive int, got {filters!r}")
        self.filters = filters
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel = self.bias = None

    def _channels(self, inputs: Tensor) -> int:
        if inputs.shape.ndims != 4:
            raise ValueError(f"{type(self).__name__} '{self._scope_name()}' needs a 4-D input, got {inputs.name} "
                             f"of shape {inputs.shape}")
        channels = inputs.shape.as_list()[1 if self.data_format == "NCHW" else 3]
        if channels is None:
            raise ValueError(f"{type(self).__name__} '{self._scope_name()}': the channel dim of {inputs.name} "
                             f"{inputs.shape} must be known")
        return channels

    def _weights(self, kernel_shape: list[int], dtype) -> None:
        from ..variables import get_variable, zeros_initializer
        self.kernel = get_variable("kernel", kernel_shape, dtype=dtype, initializer=self.kernel_initializer,
                                   regularizer=self.kernel_regularizer, trainable=self.trainable)
        self._variables = [self.kernel]
        if self.use_bias:
            self.bias = get_variable("bias", [self.filters], dtype=dtype,
                                     initializer=self.bias_initializer or zeros_initializer(),
                                     regularizer=self.bias_regularizer, trainable=self.trainable)
            self._variables.append(self.bias)

    def _finish(self, out: Tensor) -> Tensor:
        from ..nn import bias_add
        if self.use_bias:
            out = bias_add(out, self.bias, data_format=self.data_format)
        if self.activation is not None:
            out = self.activation(out)
        if self.activity_regularizer is not None:
            from ..graph import add_to_collection
            add_to_collection("regularization_losses", self.activity_regularizer(out))
        return out


class Conv2D(_Conv):
    """A 2-D convolution layer: kernel [kh, kw, in_channels, filters], then bias and activation."""

    default_name = "conv2d"

    def call(self, inputs: Tensor) -> Tensor:
        self._weights(self.kernel_size + [self._channels(inputs), self.filters], inputs.dtype)
        out = nn_conv2d(inputs, self.kernel, strides=self.strides, padding=self.padding,
                        data_format=self.data_format, dilations=self.dilation_rate, name="Conv2D")
        return self._finish(out)


class Conv2DTranspose(_Conv):
    """The transpose of Conv2D (a learned upsampling): kernel [kh, kw, filters, in_channels]."""

    default_name = "conv2d_transpose"

    def call(self, inputs: Tensor) -> Tensor:
        from ..array_ops import shape as shape_of
        from ..array_ops import stack
        channels = self._channels(inputs)
        self._weights(self.kernel_size + [self.filters, channels], inputs.dtype)
        dims = inputs.shape.as_list()
        spatial = dims[2:4] if self.data_format == "NCHW" else dims[1:3]
        if None in spatial:
            raise ValueError(f"Conv2DTranspose '{self._scope_name()}': the spatial dims of {inputs.name} "
                             f"{inputs.shape} must be known")
        size = [_transposed_size(d, k, s, self.padding, r)
                for d, k, s, r in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]
        batch = dims[0] if dims[0] is not None else shape_of(inputs)[0]
        out_shape = [batch, self.filters] + size if self.data_format == "NCHW" else [batch] + size + [self.filters]
        if isinstance(batch, Tensor):
            out_shape = stack(out_shape)
        out = conv2d_backprop_input(out_shape, self.kernel, inputs, strides=self.strides, padding=self.padding,
                                    data_format=self.data_format, dilations=self.dilation_rate,
                                    name="conv2d_transpose")
        return self._finish(out)


def _transposed_size(size: int, k: int, stride: int, padding: str, dilation: int) -> int:
    span = (k - 1) * dilation + 1
    return size * stride if padding == "SAME" else size * stride + max(span - stride, 0)


class _Pool(_Layer):
    pool = None

    def __init__(self, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
                 name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = _pair(strides, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)

    def __call__(self, inputs) -> Tensor:
        inputs = convert_to_tensor(inputs)
        with name_scope(self._scope_name()):
            return type(self).pool(inputs, self.pool_size, self.strides, self.padding,
                                   data_format=self.data_format)


class MaxPooling2D(_Pool):
    """The maximum of each pool_size window."""

    default_name = "max_pooling2d"
    pool = staticmethod(max_pool)


class AveragePooling2D(_Pool):
    """The mean of each pool_size window (over its taps inside the image)."""

    default_name = "average_pooling2d"
    pool = staticmethod(avg_pool)


def conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
           data_format: str = "channels_last", dilation_rate=(1, 1), activation=None, use_bias: bool = True,
           kernel_initializer=None, bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable: bool = True,
           name: str | None = None, reuse=None) -> Tensor:
    """tf.layers.conv2d: variables `name/kernel` and `name/bias` (names conv2d, conv2d_1, ... by default)."""
    layer = Conv2D(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                   kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer,
                   trainable=trainable, name=name, _reuse=reuse)
    return layer(inputs)


def conv2d_transpose(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                     data_format: str = "channels_last", activation=None, use_bias: bool = True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable: bool = True,
                     name: str | None = None, reuse=None) -> Tensor:
    layer = Conv2DTranspose(filters, kernel_size, strides, padding, data_format, (1, 1), activation, use_bias,
                            kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                            activity_regularizer, trainable=trainable, name=name, _reuse=reuse)
    return layer(inputs)


def max_pooling2d(inputs, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
                  name: str | None = None) -> Tensor:
    return MaxPooling2D(pool_size, strides, padding, data_format, name)(inputs)


def average_pooling2d(inputs, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
                      name: str | None = None) -> Tensor:
    return AveragePooling2D(pool_size, strides, padding, data_format, name)(inputs)
