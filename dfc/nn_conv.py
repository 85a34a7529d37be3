"""tf.nn's convolutions and pooling (conv2d, conv2d_transpose, depthwise_conv2d, max/avg_pool), TF1 signatures."""

from __future__ import annotations

from typing import Any

import numpy as np

from .framework import Tensor, check_int, convert_to_tensor, make

__all__ = ["atrous_conv2d", "avg_pool", "avg_pool2d", "conv2d", "conv2d_backprop_filter", "conv2d_backprop_input",
           "conv2d_transpose", "convolution", "depthwise_conv2d", "depthwise_conv2d_native", "max_pool", "max_pool2d",
           "separable_conv2d"]

_NHWC = ("NHWC", None)
_NCHW = ("NCHW",)


def _data_format(data_format: str | None, fn: str) -> bool:
    """Whether the data is NCHW (transposed to NHWC around the op); anything but NHWC/NCHW is an error."""
    if data_format in _NHWC:
        return False
    if data_format in _NCHW:
        return True
    raise ValueError(f"{fn}: data_format must be 'NHWC' or 'NCHW', got {data_format!r}")


def _spatial(values: Any, what: str, fn: str, nchw: bool, default: int | None = None) -> list[int]:
    """TF's 1-, 2- or 4-element strides/ksize/dilations as (rows, cols); the batch and channel entries must be 1."""
    if values is None:
        if default is None:
            raise ValueError(f"{fn} needs {what}")
        return [default, default]
    if isinstance(values, Tensor) or np.ndim(values) == 0:
        values = [values]
    values = [check_int(v, f"{fn} {what}") for v in values]
    if len(values) == 1:
        return values * 2
    if len(values) == 2:
        return values
    if len(values) == 4:
        outer = (values[0], values[1]) if nchw else (values[0], values[3])
        if outer != (1, 1):
            raise ValueError(f"{fn}: {what} {values} must be 1 in the batch and channel dims "
                             f"(only spatial {what} are supported)")
        return values[2:4] if nchw else values[1:3]
    raise ValueError(f"{fn}: {what} must have 1, 2 or 4 elements, got {values}")


def _padding(padding: Any, fn: str, nchw: bool) -> tuple[str, list[int]]:
    """('SAME' | 'VALID', []) or ('EXPLICIT', [top, bottom, left, right]) from TF's padding argument."""
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        if padding.upper() not in ("SAME", "VALID"):
            raise ValueError(f"{fn}: padding must be 'SAME', 'VALID' or a list of pairs, got {padding!r}")
        return padding.upper(), []
    if padding is None:
        raise ValueError(f"{fn} needs padding ('SAME' or 'VALID')")
    pairs = np.asarray(padding, dtype=object)
    if pairs.shape != (4, 2):
        raise ValueError(f"{fn}: explicit padding must be 4 [before, after] pairs (one per NHWC dim), "
                         f"got {padding!r}")
    pairs = [[check_int(v, f"{fn} padding") for v in p] for p in pairs]
    outer = (pairs[0], pairs[1]) if nchw else (pairs[0], pairs[3])
    if outer != ([0, 0], [0, 0]):
        raise ValueError(f"{fn}: explicit padding of the batch and channel dims must be 0, got {padding!r}")
    rows, cols = (pairs[2], pairs[3]) if nchw else (pairs[1], pairs[2])
    return "EXPLICIT", rows + cols


def _to_nhwc(x: Tensor, nchw: bool) -> Tensor:
    from .array_ops import transpose
    return transpose(x, [0, 2, 3, 1]) if nchw else x


def _from_nhwc(y: Tensor, nchw: bool) -> Tensor:
    from .array_ops import transpose
    return transpose(y, [0, 3, 1, 2]) if nchw else y


def _image(x: Any, what: str, fn: str, dtype=None) -> Tensor:
    x = convert_to_tensor(x, dtype=dtype)
    if x.shape.ndims is not None and x.shape.ndims != 4:
        raise ValueError(f"{fn}: {what} {x.name} must be a 4-D tensor, got shape {x.shape}")
    return x


def _conv_attrs(fn: str, strides, padding, dilations, nchw: bool, groups: int = 1) -> dict:
    mode, explicit = _padding(padding, fn, nchw)
    return {"strides": _spatial(strides, "strides", fn, nchw), "padding": mode, "explicit_paddings": explicit,
            "dilations": _spatial(dilations, "dilations", fn, nchw, default=1), "groups": groups}


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu: bool = True,  # noqa: A002 - TF's names
           data_format: str = "NHWC", dilations=None, name: str | None = None, filters=None) -> Tensor:
    """2-D convolution of a 4-D input by a [height, width, in_channels, out_channels] filter."""
    filter = filters if filter is None else filter
    if filter is None:
        raise ValueError("conv2d needs a filter")
    nchw = _data_format(data_format, "conv2d")
    x = _image(input, "input", "conv2d")
    w = _image(filter, "filter", "conv2d", dtype=x.dtype)
    attrs = _conv_attrs("conv2d", strides, padding, dilations, nchw)
    return _from_nhwc(make("dfc.conv2d", [_to_nhwc(x, nchw), w], attrs, name=name or "Conv2D"), nchw)


def _shape_arg(shape: Any, fn: str) -> list[int]:
    """A 4-element shape argument; an element that is not a constant (a batch from tf.shape) becomes -1."""
    from .array_ops import constant_value
    if isinstance(shape, Tensor):
        value = constant_value(shape)
        if value is None and shape.op.type == "dfc.concat":  # tf.stack of scalars: read the constant ones
            value = [constant_value(v.op.inputs[0]) if v.op.type == "dfc.expand_dims" else None
                     for v in shape.op.inputs]
            value = [None if v is None else int(np.asarray(v).reshape(())) for v in value]
        if value is None:
            raise ValueError(f"{fn}: the shape {shape.name} must be a constant or a tf.stack of scalars")
        shape = value
    dims = []
    for d in list(shape):
        if isinstance(d, Tensor) and constant_value(d) is None:
            dims.append(-1)
        else:
            dims.append(-1 if d is None else check_int(d, f"{fn} shape"))
    if len(dims) != 4:
        raise ValueError(f"{fn}: the shape must have 4 elements, got {dims}")
    if any(d < 0 for d in dims[1:]):
        raise ValueError(f"{fn}: only the batch dim of the shape {dims} may be unknown")
    return dims


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None, padding=None,  # noqa: A002
                          use_cudnn_on_gpu: bool = True, data_format: str = "NHWC", dilations=None,
                          name: str | None = None, filters=None) -> Tensor:
    """The gradient of conv2d with respect to its input, of shape `input_sizes`."""
    filter = filters if filter is None else filter
    nchw = _data_format(data_format, "conv2d_backprop_input")
    dy = _image(out_backprop, "out_backprop", "conv2d_backprop_input")
    w = _image(filter, "filter", "conv2d_backprop_input", dtype=dy.dtype)
    sizes = _shape_arg(input_sizes, "conv2d_backprop_input")
    if nchw:
        sizes = [sizes[0], sizes[2], sizes[3], sizes[1]]
    attrs = _conv_attrs("conv2d_backprop_input", strides, padding, dilations, nchw)
    return _from_nhwc(make("dfc.conv2d_backprop_input", [_to_nhwc(dy, nchw), w], {"input_shape": sizes, **attrs},
                           name=name or "Conv2DBackpropInput"), nchw)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002 - TF's names
                           use_cudnn_on_gpu: bool = True, data_format: str = "NHWC", dilations=None,
                           name: str | None = None) -> Tensor:
    """The gradient of conv2d with respect to its filter, of shape `filter_sizes`."""
    nchw = _data_format(data_format, "conv2d_backprop_filter")
    x = _image(input, "input", "conv2d_backprop_filter")
    dy = _image(out_backprop, "out_backprop", "conv2d_backprop_filter", dtype=x.dtype)
    sizes = _shape_arg(filter_sizes, "conv2d_backprop_filter")
    if sizes[0] < 0:
        raise ValueError(f"conv2d_backprop_filter: filter_sizes {sizes} must be known")
    attrs = _conv_attrs("conv2d_backprop_filter", strides, padding, dilations, nchw)
    return make("dfc.conv2d_backprop_filter", [_to_nhwc(x, nchw), _to_nhwc(dy, nchw)],
                {"filter_shape": sizes, **attrs}, name=name or "Conv2DBackpropFilter")


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding: str = "SAME",  # noqa: A002
                     data_format: str = "NHWC", name: str | None = None, input=None, filters=None,  # noqa: A002
                     dilations=None) -> Tensor:
    """The transpose (gradient) of conv2d: filter [height, width, out_channels, in_channels], output `output_shape`."""
    value = input if value is None else value
    filter = filters if filter is None else filter
    if value is None or filter is None or output_shape is None:
        raise ValueError("conv2d_transpose needs value, filter and output_shape")
    x = _image(value, "value", "conv2d_transpose")
    w = _image(filter, "filter", "conv2d_transpose", dtype=x.dtype)
    in_channels = x.shape.as_list()[1 if _data_format(data_format, "conv2d_transpose") else 3]
    if in_channels is not None and w.shape.as_list()[3] not in (None, in_channels):
        raise ValueError(f"conv2d_transpose: value {x.name} has {in_channels} channels but filter {w.name} "
                         f"{w.shape} expects {w.shape.as_list()[3]} (filter: [height, width, output_channels, "
                         f"in_channels])")
    return conv2d_backprop_input(output_shape, w, x, strides, padding, data_format=data_format, dilations=dilations,
                                 name=name or "conv2d_transpose")


def depthwise_conv2d(input, filter, strides, padding, rate=None, name: str | None = None,  # noqa: A002
                     data_format: str | None = None, dilations=None) -> Tensor:
    """Each input channel convolved by its own [h, w] filters: filter [h, w, C, M] gives C*M channels."""
    nchw = _data_format(data_format, "depthwise_conv2d")
    x = _image(input, "input", "depthwise_conv2d")
    w = _image(filter, "filter", "depthwise_conv2d", dtype=x.dtype)
    kh, kw, channels, multiplier = w.shape.as_list()
    if None in (kh, kw, channels, multiplier):
        raise ValueError(f"depthwise_conv2d: the filter {w.name} needs a known shape, got {w.shape}")
    x_channels = x.shape.as_list()[1 if nchw else 3]
    if x_channels is not None and x_channels != channels:
        raise ValueError(f"depthwise_conv2d: input {x.name} has {x_channels} channels but filter {w.name} "
                         f"{w.shape} expects {channels}")
    from .array_ops import reshape
    dilations = rate if dilations is None else dilations
    attrs = _conv_attrs("depthwise_conv2d", strides, padding, dilations, nchw, groups=channels)
    # [h, w, C, M] is [h, w, 1, C*M] with output channel c*M + m in group c: one grouped conv2d
    grouped = reshape(w, [kh, kw, 1, channels * multiplier])
    return _from_nhwc(make("dfc.conv2d", [_to_nhwc(x, nchw), grouped], attrs, name=name or "depthwise"), nchw)


def depthwise_conv2d_native(input, filter, strides, padding, data_format: str = "NHWC",  # noqa: A002
                            dilations=None, name: str | None = None) -> Tensor:
    return depthwise_conv2d(input, filter, strides, padding, name=name or "DepthwiseConv2dNative",
                            data_format=data_format, dilations=dilations)


def _pool(irop: str, fn: str, default: str, value, ksize, strides, padding, data_format, name, input):
    value = input if value is None else value
    nchw = _data_format(data_format, fn)
    x = _image(value, "value", fn)
    mode, explicit = _padding(padding, fn, nchw)
    attrs = {"ksize": _spatial(ksize, "ksize", fn, nchw), "strides": _spatial(strides, "strides", fn, nchw),
             "padding": mode, "explicit_paddings": explicit}
    return _from_nhwc(make(irop, [_to_nhwc(x, nchw)], attrs, name=name or default), nchw)


def max_pool(value=None, ksize=None, strides=None, padding=None, data_format: str = "NHWC",
             name: str | None = None, input=None) -> Tensor:  # noqa: A002 - TF's name
    """The maximum over each ksize window, moved by strides."""
    return _pool("dfc.max_pool", "max_pool", "MaxPool", value, ksize, strides, padding, data_format, name, input)


def avg_pool(value=None, ksize=None, strides=None, padding=None, data_format: str = "NHWC",
             name: str | None = None, input=None) -> Tensor:  # noqa: A002 - TF's name
    """The mean over each ksize window (of the taps inside the image: padding is not counted)."""
    return _pool("dfc.avg_pool", "avg_pool", "AvgPool", value, ksize, strides, padding, data_format, name, input)


def max_pool2d(input, ksize, strides, padding, data_format: str = "NHWC", name: str | None = None) -> Tensor:  # noqa: A002
    return max_pool(input, ksize, strides, padding, data_format, name)


def avg_pool2d(input, ksize, strides, padding, data_format: str = "NHWC", name: str | None = None) -> Tensor:  # noqa: A002
    return avg_pool(input, ksize, strides, padding, data_format, name)


def atrous_conv2d(value, filters, rate: int, padding: str, name: str | None = None) -> Tensor:
    """conv2d with the filter's taps `rate` apart (dilation), stride 1."""
    if not isinstance(rate, int) or rate < 1:
        raise ValueError(f"atrous_conv2d: rate must be a positive int, got {rate!r}")
    return conv2d(value, filters, strides=[1, 1, 1, 1], padding=padding, dilations=[1, rate, rate, 1],
                  name=name or "atrous_conv2d")


def convolution(input, filter=None, padding=None, strides=None, dilation_rate=None,  # noqa: A002 - TF's names
                name: str | None = None, data_format: str | None = None, filters=None, dilations=None) -> Tensor:
    """tf.nn.convolution for 2-D images (4-D input): conv2d with spatial strides and dilation_rate."""
    filter = filters if filter is None else filter
    x = convert_to_tensor(input)
    if x.shape.ndims is not None and x.shape.ndims != 4:
        raise ValueError(f"convolution: only 2-D convolutions (4-D input) are supported, got {x.name} of shape "
                         f"{x.shape}")
    dilation_rate = dilations if dilation_rate is None else dilation_rate
    return conv2d(x, filter, strides=1 if strides is None else strides, padding=padding,
                  data_format=data_format or "NHWC", dilations=dilation_rate, name=name or "convolution")


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None,  # noqa: A002
                     name: str | None = None, data_format: str | None = None, dilations=None) -> Tensor:
    """A depthwise convolution, then a 1x1 convolution mixing its channels."""
    from .framework import name_scope
    with name_scope(name, "separable_conv2d"):
        depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, rate=rate, name="depthwise",
                                     data_format=data_format, dilations=dilations)
        return conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], "VALID", data_format=data_format or "NHWC",
                      name="pointwise")
