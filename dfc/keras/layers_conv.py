"""tf.keras.layers' convolution, pooling and image-reshaping layers (Conv1D/2D/3D, Conv2DTranspose, the pools,
the global pools, ZeroPadding, UpSampling, Cropping).

The convolutions and windowed pools compute as tf.layers' (dfc/layers/convolutional.py) under Keras's
base class and defaults: `data_format` from tf.keras.backend.image_data_format(), pool strides equal to
the pool size, glorot_uniform kernels and zeros biases.
"""

from __future__ import annotations

from .. import array_ops as _array
from .. import math_ops as _math
from ..framework import Tensor
from ..layers import convolutional as _tl
from . import activations, initializers, regularizers
from . import backend as K
from .engine import InputSpec, Layer

__all__ = ["AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "Conv1D", "Conv2D", "Conv2DTranspose",
           "Conv3D", "Cropping1D", "Cropping2D", "DepthwiseConv2D", "GlobalAveragePooling1D",
           "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "MaxPooling1D", "MaxPooling2D",
           "MaxPooling3D", "SeparableConv2D", "UpSampling1D", "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D"]


def _conv_args(kwargs: dict) -> dict:
    """Keras's string identifiers resolved to the callables tf.layers takes (and `groups` checked)."""
    groups = kwargs.pop("groups", 1)
    if groups not in (1, None):
        raise ValueError(f"Grouped convolutions (groups={groups}) are not supported")
    kwargs["activation"] = activations.get(kwargs.get("activation"))
    for key, default in (("kernel_initializer", "glorot_uniform"), ("bias_initializer", "zeros")):
        kwargs[key] = initializers.get(kwargs.get(key, default))
    for key in ("kernel_regularizer", "bias_regularizer"):
        kwargs[key] = regularizers.get(kwargs.get(key))
    return kwargs


def _keras_conv(base: type, default_format: str | None):
    """A Keras class over tf.layers' convolution `base`."""

    class Conv(base, Layer):
        __doc__ = base.__doc__

        def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=default_format,
                     dilation_rate=1, **kwargs):
            given = {k: kwargs.get(k) for k in ("kernel_constraint", "bias_constraint")}
            super().__init__(int(filters), kernel_size, strides, padding, data_format or K.image_data_format(),
                             dilation_rate, **_conv_args(kwargs))
            self.__dict__.update(given)

    Conv.__name__ = Conv.__qualname__ = base.__name__
    return Conv


class Conv1D(_keras_conv(_tl.Conv1D, "channels_last")):
    """A 1-D convolution over [batch, steps, channels]; padding 'causal' pads dilation * (kernel_size - 1) steps
    on the left, so step t sees steps <= t only."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format="channels_last",
                 dilation_rate=1, **kwargs):
        self._causal = str(padding).lower() == "causal"
        super().__init__(filters, kernel_size, strides, "valid" if self._causal else padding, data_format,
                         dilation_rate, **kwargs)
        if self._causal and self.data_format != "NHWC":
            raise ValueError("Causal padding is only supported for the `channels_last` data format.")

    def call(self, inputs) -> Tensor:
        if self._causal:
            from ..tensor_ops import pad
            inputs = pad(inputs, [[0, 0], [self.dilation_rate[0] * (self.kernel_size[0] - 1), 0], [0, 0]])
        return super().call(inputs)
Conv2D = _keras_conv(_tl.Conv2D, None)
Conv3D = _keras_conv(_tl.Conv3D, None)


class Conv2DTranspose(_tl.Conv2DTranspose, Layer):
    """The transpose of Conv2D: kernel [kh, kw, filters, in_channels]."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), **kwargs):
        if output_padding is not None:
            raise ValueError("Conv2DTranspose: output_padding is not supported")
        self.output_padding = None
        super().__init__(int(filters), kernel_size, strides, padding, data_format or K.image_data_format(),
                         dilation_rate, **_conv_args(kwargs))


class SeparableConv2D(_tl.SeparableConv2D, Layer):
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        # TF's config of a separable convolution carries a (unused) kernel's initializer, penalty and constraint
        for unused in ("kernel_initializer", "kernel_regularizer", "kernel_constraint", "groups"):
            kwargs.pop(unused, None)
        for key in ("depthwise_regularizer", "pointwise_regularizer", "bias_regularizer"):
            if key in kwargs:
                kwargs[key] = regularizers.get(kwargs[key])
        super().__init__(int(filters), kernel_size, strides, padding, data_format or K.image_data_format(),
                         dilation_rate, depth_multiplier, activations.get(activation), use_bias,
                         initializers.get(depthwise_initializer), initializers.get(pointwise_initializer),
                         initializers.get(bias_initializer), **kwargs)


class DepthwiseConv2D(Layer):
    """Each input channel convolved with its own depth_multiplier filters: depthwise_kernel [kh, kw, in, mult]."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier: int = 1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias: bool = True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, groups: int = 1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if groups != 1:
            raise ValueError(f"DepthwiseConv2D: groups={groups} is not supported")
        self.kernel_size = _tl._tuple(kernel_size, 2, "kernel_size")
        self.strides = _tl._tuple(strides, 2, "strides")
        self.padding = _tl._padding(padding)
        self.data_format = _tl._data_format(data_format or K.image_data_format())
        self.dilation_rate = _tl._tuple(dilation_rate, 2, "dilation_rate")
        self.depth_multiplier, self.use_bias = int(depth_multiplier), use_bias
        self.activation = activations.get(activation)
        self._set_weight_options(depthwise_initializer=depthwise_initializer, bias_initializer=bias_initializer,
                                 depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                                 depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=4)

    def build(self, input_shape) -> None:
        dims = input_shape.as_list()
        channels = dims[1 if self.data_format == "NCHW" else -1]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs to `DepthwiseConv2D` ({self.name}) should be "
                             f"defined. Found `None`.")
        self.depthwise_kernel = self.add_weight("depthwise_kernel", list(self.kernel_size) +
                                                [channels, self.depth_multiplier],
                                                initializer=self.depthwise_initializer,
                                                regularizer=self.depthwise_regularizer)
        self.bias = self.add_weight("bias", [channels * self.depth_multiplier], initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer) if self.use_bias else None
        self.built = True

    def call(self, inputs) -> Tensor:
        from ..nn import bias_add, depthwise_conv2d
        nchw = self.data_format == "NCHW"
        strides = [1, 1] + list(self.strides) if nchw else [1] + list(self.strides) + [1]
        out = depthwise_conv2d(inputs, self.depthwise_kernel, strides, self.padding, rate=self.dilation_rate,
                               data_format=self.data_format)
        if self.bias is not None:
            out = bias_add(out, self.bias, data_format=self.data_format)
        return self.activation(out)


def _keras_pool(base: type, rank: int):
    class Pool(base, Layer):
        __doc__ = base.__doc__

        def __init__(self, pool_size=2 if rank == 1 else (2,) * rank, strides=None, padding="valid",
                     data_format="channels_last" if rank == 1 else None, **kwargs):
            super().__init__(pool_size, strides if strides is not None else pool_size, padding,
                             data_format or K.image_data_format(), **kwargs)

    Pool.__name__ = Pool.__qualname__ = base.__name__
    return Pool


MaxPooling1D = _keras_pool(_tl.MaxPooling1D, 1)
AveragePooling1D = _keras_pool(_tl.AveragePooling1D, 1)
MaxPooling2D = _keras_pool(_tl.MaxPooling2D, 2)
AveragePooling2D = _keras_pool(_tl.AveragePooling2D, 2)
MaxPooling3D = _keras_pool(_tl.MaxPooling3D, 3)
AveragePooling3D = _keras_pool(_tl.AveragePooling3D, 3)


class _GlobalPool(Layer):
    rank = 2
    reduce = staticmethod(_math.reduce_mean)

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        default = "channels_last" if self.rank == 1 else K.image_data_format()
        self.data_format = data_format or default
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs) -> Tensor:
        axes = list(range(1, self.rank + 1)) if self.data_format == "channels_last" else \
            list(range(2, self.rank + 2))
        return type(self).reduce(inputs, axis=axes, keepdims=self.keepdims)


class GlobalAveragePooling2D(_GlobalPool):
    pass


class GlobalMaxPooling2D(_GlobalPool):
    reduce = staticmethod(_math.reduce_max)


class GlobalAveragePooling1D(_GlobalPool):
    """The mean over the steps; with a mask, over the unmasked steps only."""

    rank = 1
    _consumes_mask = True

    def call(self, inputs, mask=None) -> Tensor:
        mask = mask if mask is not None else getattr(inputs, "_keras_mask", None)
        if mask is None:
            return super().call(inputs)
        steps = 1 if self.data_format == "channels_last" else 2
        weights = _array.expand_dims(_math.cast(mask, inputs.dtype), 2 if steps == 1 else 1)
        return _math.reduce_sum(inputs * weights, axis=steps, keepdims=self.keepdims) / \
            _math.reduce_sum(weights, axis=steps, keepdims=self.keepdims)


class GlobalMaxPooling1D(_GlobalPool):
    rank = 1
    reduce = staticmethod(_math.reduce_max)


def _pairs(value, rank: int, what: str) -> list[tuple[int, int]]:
    if isinstance(value, int):
        return [(value, value)] * rank
    value = list(value)
    if len(value) != rank:
        raise ValueError(f"`{what}` should have {rank} elements. Found: {value}")
    return [(v, v) if isinstance(v, int) else tuple(v) for v in value]


class _Spatial(Layer):
    """What ZeroPadding, UpSampling and Cropping share: the spatial axes of a channels-last/first input."""

    rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or (K.image_data_format() if self.rank > 1 else "channels_last")
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self) -> list[int]:
        first = 1 if self.data_format == "channels_last" else 2
        return list(range(first, first + self.rank))


class ZeroPadding2D(_Spatial):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self.rank, "padding")

    def call(self, inputs) -> Tensor:
        from ..tensor_ops import pad
        paddings = [[0, 0]] * (self.rank + 2)
        for axis, pair in zip(self._axes(), self.padding):
            paddings[axis] = list(pair)
        return pad(inputs, paddings)


class ZeroPadding1D(ZeroPadding2D):
    rank = 1

    def __init__(self, padding=1, **kwargs):
        if not isinstance(padding, int):  # (left, right)
            padding = [tuple(padding)]
        super().__init__(padding, "channels_last", **kwargs)


class UpSampling2D(_Spatial):
    """Each pixel repeated size times along each spatial axis ('nearest'), or bilinear resizing."""

    def __init__(self, size=(2, 2), data_format=None, interpolation: str = "nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = [size] * self.rank if isinstance(size, int) else list(size)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"`interpolation` argument should be one of `\"nearest\"` or `\"bilinear\"`. "
                             f"Received: \"{interpolation}\".")
        self.interpolation = interpolation

    def call(self, inputs) -> Tensor:
        from ..tensor_ops import repeat
        if self.interpolation == "bilinear":
            from ..image import resize_bilinear
            x = inputs if self.data_format == "channels_last" else _array.transpose(inputs, [0, 2, 3, 1])
            dims = x.shape.as_list()
            x = resize_bilinear(x, [dims[1] * self.size[0], dims[2] * self.size[1]])
            return x if self.data_format == "channels_last" else _array.transpose(x, [0, 3, 1, 2])
        x = inputs
        for axis, n in zip(self._axes(), self.size):
            x = repeat(x, n, axis=axis)
        return x


class UpSampling1D(UpSampling2D):
    rank = 1

    def __init__(self, size: int = 2, **kwargs):
        super().__init__(size, "channels_last", **kwargs)


class Cropping2D(_Spatial):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping")

    def call(self, inputs) -> Tensor:
        dims = inputs.shape.as_list()
        index: list = [slice(None)] * (self.rank + 2)
        for axis, (lo, hi) in zip(self._axes(), self.cropping):
            if dims[axis] is not None and lo + hi >= dims[axis]:
                raise ValueError(f"Argument `cropping` {self.cropping} is too large for input {inputs.name} of shape "
                                 f"{inputs.shape} (layer {self.name})")
            index[axis] = slice(lo, -hi if hi else None)
        return inputs[tuple(index)]


class Cropping1D(Cropping2D):
    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__([tuple(cropping)], "channels_last", **kwargs)
