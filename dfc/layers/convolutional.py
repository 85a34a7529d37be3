"""tf.layers' convolution and pooling layers (1-D, 2-D, transposed, separable) as classes, and their function forms."""

from __future__ import annotations

from typing import Any

from ..array_ops import expand_dims, squeeze
from ..framework import Tensor
from ..nn_conv import avg_pool, conv2d_backprop_input, max_pool
from ..nn_conv import conv2d as nn_conv2d
from ..nn_conv import separable_conv2d as nn_separable_conv2d
from .base import InputSpec, Layer

__all__ = ["AveragePooling1D", "AveragePooling2D", "Conv1D", "Conv2D", "Conv2DTranspose", "MaxPooling1D",
           "MaxPooling2D", "SeparableConv1D", "SeparableConv2D", "average_pooling1d", "average_pooling2d",
           "conv1d", "conv2d", "conv2d_transpose", "max_pooling1d", "max_pooling2d", "separable_conv1d",
           "separable_conv2d"]


def _tuple(value: Any, n: int, what: str) -> list[int]:
    values = [value] * n if isinstance(value, int) else list(value)
    if len(values) != n or not all(isinstance(v, int) and v > 0 for v in values):
        raise ValueError(f"{what} must be a positive int or a tuple of {n} of them, got {value!r}")
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


class _Conv(Layer):
    """What the convolution layers share: kernel and bias made on the first call, then bias and activation."""

    rank = 2

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=1, activation=None, use_bias: bool = True,
                 kernel_initializer=None, bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable: bool = True,
                 name: str | None = None, **kwargs):
        super().__init__(name=name, trainable=trainable, activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"filters must be a positive int, got {filters!r}")
        self.filters = filters
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)
        self.dilation_rate = _tuple(dilation_rate, self.rank, "dilation_rate")
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel = self.bias = None
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _channels(self, input_shape) -> int:
        dims = input_shape.as_list() if input_shape.ndims is not None else None
        if dims is None or len(dims) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} '{self.name}' needs a {self.rank + 2}-D input, got shape "
                             f"{input_shape}")
        channels = dims[1 if self.data_format == "NCHW" else -1]
        if channels is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the channel dimension of the inputs should be "
                             f"defined. Found `None` (input shape {input_shape}).")
        return channels

    def _weights(self, kernel_shape: list[int]) -> None:
        from ..variables import zeros_initializer
        self.kernel = self.add_weight("kernel", kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer or
                                        zeros_initializer(), regularizer=self.bias_regularizer)

    def build(self, input_shape) -> None:
        self._weights(list(self.kernel_size) + [self._channels(input_shape), self.filters])
        self.built = True

    def _finish(self, out: Tensor) -> Tensor:
        from ..nn import bias_add
        if self.use_bias:
            out = bias_add(out, self.bias, data_format=self.data_format if self.rank == 2 else "NHWC")
        if self.activation is not None:
            out = self.activation(out)
        return out


class Conv2D(_Conv):
    """A 2-D convolution layer: kernel [kh, kw, in_channels, filters], then bias and activation."""

    def call(self, inputs: Tensor) -> Tensor:
        out = nn_conv2d(inputs, self.kernel, strides=self.strides, padding=self.padding,
                        data_format=self.data_format, dilations=self.dilation_rate, name="Conv2D")
        return self._finish(out)


class Conv2DTranspose(_Conv):
    """The transpose of Conv2D (a learned upsampling): kernel [kh, kw, filters, in_channels]."""

    def build(self, input_shape) -> None:
        self._weights(list(self.kernel_size) + [self.filters, self._channels(input_shape)])
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        from ..array_ops import shape as shape_of
        from ..array_ops import stack
        dims = inputs.shape.as_list()
        spatial = dims[2:4] if self.data_format == "NCHW" else dims[1:3]
        if None in spatial:
            raise ValueError(f"Conv2DTranspose '{self.name}': the spatial dims of {inputs.name} "
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


class _Pool(Layer):
    pool = None
    rank = 2

    def __init__(self, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
                 name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = _tuple(pool_size, self.rank, "pool_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.padding = _padding(padding)
        self.data_format = _data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs: Tensor) -> Tensor:
        if self.rank == 2:
            return type(self).pool(inputs, self.pool_size, self.strides, self.padding, data_format=self.data_format)
        # a 1-D pool is the 2-D pool of a height-1 image, as TF computes it
        nchw = self.data_format == "NCHW"
        image = expand_dims(inputs, 2 if nchw else 1)
        out = type(self).pool(image, [1] + self.pool_size, [1] + self.strides, self.padding,
                              data_format=self.data_format)
        return squeeze(out, [2 if nchw else 1])


class MaxPooling2D(_Pool):
    """The maximum of each pool_size window."""

    pool = staticmethod(max_pool)


class AveragePooling2D(_Pool):
    """The mean of each pool_size window (over its taps inside the image)."""

    pool = staticmethod(avg_pool)


class MaxPooling1D(_Pool):
    """The maximum of each pool_size window along the steps of [batch, steps, channels]."""

    rank = 1
    pool = staticmethod(max_pool)


class AveragePooling1D(_Pool):
    """The mean of each pool_size window along the steps of [batch, steps, channels]."""

    rank = 1
    pool = staticmethod(avg_pool)


class Conv1D(_Conv):
    """A 1-D convolution over [batch, steps, channels]: kernel [width, in_channels, filters], as TF's conv1d
    (a conv2d over a height-1 image)."""

    rank = 1

    def call(self, inputs: Tensor) -> Tensor:
        nchw = self.data_format == "NCHW"
        image = expand_dims(inputs, 2 if nchw else 1)
        kernel = expand_dims(self.kernel, 0)
        out = nn_conv2d(image, kernel, strides=[1] + self.strides, padding=self.padding,
                        data_format=self.data_format, dilations=[1] + self.dilation_rate, name="conv1d")
        out = squeeze(out, [2 if nchw else 1])
        if self.use_bias and nchw:
            from ..nn import bias_add
            out = bias_add(out, self.bias, data_format="NCHW")
            return self.activation(out) if self.activation is not None else out
        return self._finish(out)


class SeparableConv2D(_Conv):
    """A depthwise convolution (depth_multiplier filters per input channel) then a 1x1 pointwise one:
    variables depthwise_kernel [kh, kw, C, depth_multiplier], pointwise_kernel [1, 1, C * depth_multiplier,
    filters] and bias."""

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=(1, 1), depth_multiplier: int = 1,
                 activation=None, use_bias: bool = True, depthwise_initializer=None, pointwise_initializer=None,
                 bias_initializer=None, depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, trainable: bool = True, name: str | None = None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         None, bias_initializer, None, bias_regularizer, activity_regularizer,
                         trainable=trainable, name=name, **kwargs)
        if not isinstance(depth_multiplier, int) or depth_multiplier < 1:
            raise ValueError(f"depth_multiplier must be a positive int, got {depth_multiplier!r}")
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer, self.pointwise_initializer = depthwise_initializer, pointwise_initializer
        self.depthwise_regularizer, self.pointwise_regularizer = depthwise_regularizer, pointwise_regularizer
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape) -> None:
        from ..variables import zeros_initializer
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight("depthwise_kernel",
                                                list(self.kernel_size) + [channels, self.depth_multiplier],
                                                initializer=self.depthwise_initializer,
                                                regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight("pointwise_kernel",
                                                [1, 1, channels * self.depth_multiplier, self.filters],
                                                initializer=self.pointwise_initializer,
                                                regularizer=self.pointwise_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer or
                                        zeros_initializer(), regularizer=self.bias_regularizer)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        strides = [1, 1] + self.strides if self.data_format == "NCHW" else [1] + self.strides + [1]
        out = nn_separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel, strides, self.padding,
                                  rate=self.dilation_rate, data_format=self.data_format, name="separable_conv2d")
        return self._finish(out)


class SeparableConv1D(SeparableConv2D):
    """SeparableConv2D over [batch, steps, channels] (a height-1 image): depthwise_kernel [width, C,
    depth_multiplier], pointwise_kernel [1, C * depth_multiplier, filters], as TF's."""

    rank = 1

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate=1, depth_multiplier: int = 1, activation=None,
                 use_bias: bool = True, depthwise_initializer=None, pointwise_initializer=None, bias_initializer=None,
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                 bias_constraint=None, trainable: bool = True, name: str | None = None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                         activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                         depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
                         trainable=trainable, name=name, **kwargs)

    def build(self, input_shape) -> None:
        from ..variables import zeros_initializer
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight("depthwise_kernel",
                                                list(self.kernel_size) + [channels, self.depth_multiplier],
                                                initializer=self.depthwise_initializer,
                                                regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight("pointwise_kernel", [1, channels * self.depth_multiplier,
                                                                     self.filters],
                                                initializer=self.pointwise_initializer,
                                                regularizer=self.pointwise_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters], initializer=self.bias_initializer or
                                        zeros_initializer(), regularizer=self.bias_regularizer)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        nchw = self.data_format == "NCHW"
        image = expand_dims(inputs, 2 if nchw else 1)
        strides = [1, 1, 1] + self.strides if nchw else [1, 1] + self.strides + [1]
        out = nn_separable_conv2d(image, expand_dims(self.depthwise_kernel, 0),
                                  expand_dims(self.pointwise_kernel, 0), strides, self.padding,
                                  rate=[1] + self.dilation_rate, data_format=self.data_format,
                                  name="separable_conv1d")
        out = squeeze(out, [2 if nchw else 1])
        if self.use_bias and nchw:
            from ..nn import bias_add
            out = bias_add(out, self.bias, data_format="NCHW")
            return self.activation(out) if self.activation is not None else out
        return self._finish(out)


def separable_conv1d(inputs, filters: int, kernel_size, strides=1, padding: str = "valid",
                     data_format: str = "channels_last", dilation_rate=1, depth_multiplier: int = 1,
                     activation=None, use_bias: bool = True, depthwise_initializer=None, pointwise_initializer=None,
                     bias_initializer=None, depthwise_regularizer=None, pointwise_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                     pointwise_constraint=None, bias_constraint=None, trainable: bool = True,
                     name: str | None = None, reuse=None) -> Tensor:
    """tf.layers.separable_conv1d: SeparableConv1D(...)(inputs)."""
    layer = SeparableConv1D(filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                            activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                            depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
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






def separable_conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                     data_format: str = "channels_last", dilation_rate=(1, 1), depth_multiplier: int = 1,
                     activation=None, use_bias: bool = True, depthwise_initializer=None, pointwise_initializer=None,
                     bias_initializer=None, depthwise_regularizer=None, pointwise_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                     pointwise_constraint=None, bias_constraint=None, trainable: bool = True,
                     name: str | None = None, reuse=None) -> Tensor:
    """tf.layers.separable_conv2d: SeparableConv2D(...)(inputs)."""
    layer = SeparableConv2D(filters, kernel_size, strides, padding, data_format, dilation_rate, depth_multiplier,
                            activation, use_bias, depthwise_initializer, pointwise_initializer, bias_initializer,
                            depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
                            trainable=trainable, name=name, _reuse=reuse)
    return layer(inputs)



# ---- 3-D layers: over tf.nn.conv3d / max_pool3d / avg_pool3d ------------------------------------------
__all__ += ["AveragePooling3D", "Conv3D", "Conv3DTranspose", "MaxPooling3D", "average_pooling3d", "conv3d",
            "conv3d_transpose", "max_pooling3d"]


def _window_5d(values: list[int], channels_first: bool) -> list[int]:
    return [1, 1] + list(values) if channels_first else [1] + list(values) + [1]


class Conv3D(_Conv):
    """A 3-D convolution layer over [batch, depth, height, width, channels]: kernel [kd, kh, kw, in, filters]."""

    rank = 3

    def call(self, inputs: Tensor) -> Tensor:
        from ..nn import bias_add
        from ..nn_conv3d import conv3d as nn_conv3d
        channels_first = self.data_format == "NCHW"
        out = nn_conv3d(inputs, self.kernel, strides=_window_5d(self.strides, channels_first), padding=self.padding,
                        data_format="NCDHW" if channels_first else "NDHWC",
                        dilations=_window_5d(self.dilation_rate, channels_first))
        if self.use_bias:
            out = bias_add(out, self.bias, data_format="NCHW" if channels_first else "NHWC")
        return self.activation(out) if self.activation is not None else out


class Conv3DTranspose(_Conv):
    """The transpose of Conv3D (a learned 3-D upsampling): kernel [kd, kh, kw, filters, in_channels]."""

    rank = 3

    def __init__(self, filters: int, kernel_size, strides=(1, 1, 1), padding: str = "valid",
                 data_format: str = "channels_last", activation=None, use_bias: bool = True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, trainable: bool = True, name: str | None = None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, 1, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, trainable=trainable, name=name, **kwargs)

    def build(self, input_shape) -> None:
        self._weights(list(self.kernel_size) + [self.filters, self._channels(input_shape)])
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        from ..array_ops import shape as shape_of
        from ..array_ops import stack
        from ..nn import bias_add
        from ..nn_conv3d import conv3d_transpose as nn_conv3d_transpose
        channels_first = self.data_format == "NCHW"
        dims = inputs.shape.as_list()
        spatial = dims[2:5] if channels_first else dims[1:4]
        if None in spatial:
            raise ValueError(f"Conv3DTranspose '{self.name}': the spatial dims of {inputs.name} {inputs.shape} "
                             f"must be known")
        size = [_transposed_size(d, k, s, self.padding, 1) for d, k, s in zip(spatial, self.kernel_size, self.strides)]
        batch = dims[0] if dims[0] is not None else shape_of(inputs)[0]
        out_shape = [batch, self.filters] + size if channels_first else [batch] + size + [self.filters]
        if isinstance(batch, Tensor):
            out_shape = stack(out_shape)
        out = nn_conv3d_transpose(inputs, self.kernel, out_shape, strides=_window_5d(self.strides, channels_first),
                                  padding=self.padding, data_format="NCDHW" if channels_first else "NDHWC")
        if self.use_bias:
            out = bias_add(out, self.bias, data_format="NCHW" if channels_first else "NHWC")
        return self.activation(out) if self.activation is not None else out


class _Pool3D(_Pool):
    rank = 3

    def call(self, inputs: Tensor) -> Tensor:
        channels_first = self.data_format == "NCHW"
        return type(self).pool(inputs, _window_5d(self.pool_size, channels_first),
                               _window_5d(self.strides, channels_first), self.padding,
                               data_format="NCDHW" if channels_first else "NDHWC")


def _max_pool3d(*args, **kwargs):
    from ..nn_conv3d import max_pool3d
    return max_pool3d(*args, **kwargs)


def _avg_pool3d(*args, **kwargs):
    from ..nn_conv3d import avg_pool3d
    return avg_pool3d(*args, **kwargs)


class MaxPooling3D(_Pool3D):
    """The maximum of each pool_size window of [batch, depth, height, width, channels]."""

    pool = staticmethod(_max_pool3d)


class AveragePooling3D(_Pool3D):
    """The mean of each pool_size window (over its taps inside the input)."""

    pool = staticmethod(_avg_pool3d)





def conv3d_transpose(inputs, filters: int, kernel_size, strides=(1, 1, 1), padding: str = "valid",
                     data_format: str = "channels_last", activation=None, use_bias: bool = True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable: bool = True,
                     name: str | None = None, reuse=None) -> Tensor:
    """tf.layers.conv3d_transpose: Conv3DTranspose(...)(inputs)."""
    layer = Conv3DTranspose(filters, kernel_size, strides, padding, data_format, activation, use_bias,
                            kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                            activity_regularizer, trainable=trainable, name=name, _reuse=reuse)
    return layer(inputs)


# ---- tf.layers' functional forms: the layer made, then called once on `inputs` -----------------------------------
def _functional(layer_function, api_name: str, doc: str):
    layer_function.__name__ = layer_function.__qualname__ = api_name
    layer_function.__doc__ = doc
    return layer_function


def _functional_conv(layer_cls: type, rank: int, api_name: str, doc: str):
    ones = 1 if rank == 1 else (1,) * rank

    def conv(inputs, filters: int, kernel_size, strides=ones, padding: str = "valid",
             data_format: str = "channels_last", dilation_rate=ones, activation=None, use_bias: bool = True,
             kernel_initializer=None, bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
             activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable: bool = True,
             name: str | None = None, reuse=None) -> Tensor:
        layer = layer_cls(filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                          kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                          activity_regularizer, trainable=trainable, name=name, _reuse=reuse)
        return layer(inputs)
    return _functional(conv, api_name, doc)


def _functional_pool(layer_cls: type, api_name: str):
    def pool(inputs, pool_size, strides, padding: str = "valid", data_format: str = "channels_last",
             name: str | None = None) -> Tensor:
        return layer_cls(pool_size, strides, padding, data_format, name)(inputs)
    return _functional(pool, api_name, f"tf.layers.{api_name}: {layer_cls.__name__}(...)(inputs).")


conv1d = _functional_conv(Conv1D, 1, "conv1d", "tf.layers.conv1d: variables `name/kernel` [width, in, filters] "
                          "and `name/bias` (conv1d, conv1d_1, ...).")
conv2d = _functional_conv(Conv2D, 2, "conv2d", "tf.layers.conv2d: variables `name/kernel` and `name/bias` (names "
                          "conv2d, conv2d_1, ... by default).")
conv3d = _functional_conv(Conv3D, 3, "conv3d", "tf.layers.conv3d: variables `name/kernel` [kd, kh, kw, in, filters] "
                          "and `name/bias` (conv3d, conv3d_1...).")
average_pooling1d = _functional_pool(AveragePooling1D, "average_pooling1d")
max_pooling1d = _functional_pool(MaxPooling1D, "max_pooling1d")
average_pooling2d = _functional_pool(AveragePooling2D, "average_pooling2d")
max_pooling2d = _functional_pool(MaxPooling2D, "max_pooling2d")
average_pooling3d = _functional_pool(AveragePooling3D, "average_pooling3d")
max_pooling3d = _functional_pool(MaxPooling3D, "max_pooling3d")
