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


def _shape_arg(shape: Any, fn: str, rank: int = 4) -> list[int]:
    """A `rank`-element shape argument; an element that is not a constant (a batch from tf.shape) becomes -1."""
    from .array_ops import constant_value
    if isinstance(shape, Tensor):
        value = constant_value(shape)
        if value is None and shape.op._dfc_ir().type == "dfc.concat":  # tf.stack of scalars: read the constant ones
            value = [constant_value(v.op.inputs[0]) if v.op._dfc_ir().type == "dfc.expand_dims" else None
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
    if len(dims) != rank:
        raise ValueError(f"{fn}: the shape must have {rank} elements, got {dims}")
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


# ---- 1-D forms, rank-generic pooling, max_pool_with_argmax -----------------------------------------
__all__ += ["avg_pool1d", "conv1d", "max_pool1d", "max_pool_with_argmax"]

_NWC = (None, "NWC", "NHWC")
_NCW = ("NCW", "NCHW")


def _data_format_1d(data_format: str | None, fn: str) -> bool:
    """Whether 1-D data is NCW; NHWC/NCHW are accepted as TF does."""
    if data_format in _NWC:
        return False
    if data_format in _NCW:
        return True
    raise ValueError(f"{fn}: data_format must be 'NWC' or 'NCW', got {data_format!r}")


def _sequence_1d(values: Any, what: str, fn: str, ncw: bool, default: int | None = None) -> int:
    """TF's 1- or 3-element stride/ksize/dilations as one int; the batch and channel entries must be 1."""
    if values is None:
        if default is None:
            raise ValueError(f"{fn} needs {what}")
        return default
    if isinstance(values, Tensor) or np.ndim(values) == 0:
        values = [values]
    values = [check_int(v, f"{fn} {what}") for v in values]
    if len(values) == 1:
        return values[0]
    if len(values) == 3:
        outer = (values[0], values[1]) if ncw else (values[0], values[2])
        if outer != (1, 1):
            raise ValueError(f"{fn}: {what} {values} must be 1 in the batch and channel dims")
        return values[2] if ncw else values[1]
    raise ValueError(f"{fn}: {what} should be of length 1 or 3, got {values}")


def _sequence_input(x: Any, fn: str, what: str = "input", dtype=None) -> Tensor:
    x = convert_to_tensor(x, dtype=dtype)
    if x.shape.ndims is not None and x.shape.ndims != 3:
        raise ValueError(f"{fn}: {what} {x.name} must be a 3-D tensor, got shape {x.shape}")
    return x


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None, data_format=None,
           name: str | None = None, input=None, dilations=None) -> Tensor:  # noqa: A002 - TF's names
    """1-D convolution of [batch, width, in_channels] (NWC) by a [width, in_channels, out_channels] filter:
    conv2d over a height of 1, as TF computes it."""
    from .array_ops import expand_dims, squeeze
    from .framework import name_scope
    if value is not None and input is not None:
        raise ValueError("conv1d: give value or input (its new name), not both")
    value = input if value is None else value
    if value is None or filters is None:
        raise ValueError("conv1d needs value (input) and filters")
    ncw = _data_format_1d(data_format, "conv1d")
    stride = _sequence_1d(stride, "stride", "conv1d", ncw)
    dilation = _sequence_1d(dilations, "dilations", "conv1d", ncw, default=1)
    with name_scope(name, "conv1d", [value, filters]):
        x = convert_to_tensor(value)
        if x.shape.ndims is None or x.shape.ndims < 3:
            raise ValueError(f"conv1d: input {x.name} must be at least 3-D (batch dims, width, channels), got "
                             f"shape {x.shape}")
        w = convert_to_tensor(filters, dtype=x.dtype)
        if w.shape.ndims is not None and w.shape.ndims != 3:
            raise ValueError(f"conv1d: filters {w.name} must be a 3-D tensor [width, in_channels, out_channels], "
                             f"got shape {w.shape}")
        batch_dims = x.shape.as_list()[:-2]
        if len(batch_dims) > 1:  # extra leading batch dims, as TF's conv1d takes: folded into one and back
            from .array_ops import concat, reshape, shape
            outer = shape(x)[:-2]
            inner = x.shape.as_list()[-2:]
            x = reshape(x, [-1] + inner) if None not in inner else \
                reshape(x, concat([convert_to_tensor([-1]), shape(x)[-2:]], 0))
        image = expand_dims(x, 2 if ncw else 1)
        out = conv2d(image, expand_dims(w, 0), strides=[1, stride], padding=padding,
                     data_format="NCHW" if ncw else "NHWC", dilations=[1, dilation], name="Conv2D")
        out = squeeze(out, [2 if ncw else 1])
        if len(batch_dims) > 1:
            target = batch_dims + out.shape.as_list()[1:]
            if target.count(None) <= 1:  # a static shape keeps the known dims
                out = reshape(out, [-1 if d is None else d for d in target])
            else:
                out = reshape(out, concat([outer, shape(out)[1:]], 0))
        return out


def _pool1d(irop: str, fn: str, input, ksize, strides, padding, data_format, name) -> Tensor:  # noqa: A002
    from .array_ops import expand_dims, squeeze
    from .framework import name_scope
    ncw = _data_format_1d(data_format, fn)
    k = _sequence_1d(ksize, "ksize", fn, ncw)
    s = _sequence_1d(strides, "strides", fn, ncw)
    with name_scope(name, fn, [input]):
        x = _sequence_input(input, fn)
        image = expand_dims(x, 2 if ncw else 1)
        out = _pool(irop, fn, "MaxPool" if irop == "dfc.max_pool" else "AvgPool", image, [1, k], [1, s], padding,
                    "NCHW" if ncw else "NHWC", None, None)
        return squeeze(out, [2 if ncw else 1])


def max_pool1d(input, ksize, strides, padding, data_format: str = "NWC", name: str | None = None) -> Tensor:  # noqa: A002
    """The maximum over each ksize window of [batch, width, channels]."""
    return _pool1d("dfc.max_pool", "max_pool1d", input, ksize, strides, padding, data_format, name)


def avg_pool1d(input, ksize, strides, padding, data_format: str = "NWC", name: str | None = None) -> Tensor:  # noqa: A002
    """The mean over each ksize window of [batch, width, channels] (padding taps not counted)."""
    return _pool1d("dfc.avg_pool", "avg_pool1d", input, ksize, strides, padding, data_format, name)


def max_pool_with_argmax(input, ksize, strides, padding, data_format: str = "NHWC", Targmax=None,  # noqa: A002, N803
                         name: str | None = None, output_dtype=None,
                         include_batch_in_index: bool = False) -> tuple[Tensor, Tensor]:
    """(max_pool, argmax): argmax is each maximum's flattened index ((y * width + x) * channels + c, plus
    b * height * width * channels with include_batch_in_index), the first maximum in row-major window order.

    The indices are built from one slice per window tap (padding taps hold the lowest value, so they never
    win); the values are max_pool's, whose gradient routes to the same first maximum."""
    from collections import namedtuple

    from dfc.ir.dtypes import as_dtype
    from dfc.ir.ops.nn import window_geometry

    from .array_ops import constant, one_hot, reshape, stack
    from .framework import name_scope
    from .math_ops import add, argmax, cast, multiply, reduce_sum
    from .tensor_ops import pad
    if data_format != "NHWC":
        raise ValueError(f"max_pool_with_argmax: data_format only supports 'NHWC', got {data_format!r}")
    if Targmax is not None and output_dtype is not None:
        raise ValueError("max_pool_with_argmax: give output_dtype or Targmax, not both")
    out_dtype = as_dtype(output_dtype or Targmax or "int64")
    if out_dtype.name not in ("int32", "int64"):
        raise TypeError(f"max_pool_with_argmax: Targmax must be int32 or int64, got {out_dtype.name}")
    result = namedtuple("MaxPoolWithArgmax", ["output", "argmax"])
    with name_scope(name, "MaxPoolWithArgmax", [input]):
        x = _image(input, "input", "max_pool_with_argmax")
        mode, _ = _padding(padding, "max_pool_with_argmax", False)
        if mode == "EXPLICIT":
            raise ValueError("max_pool_with_argmax: padding must be 'SAME' or 'VALID'")
        for given, what in ((ksize, "ksize"), (strides, "strides")):
            if not isinstance(given, (list, tuple)):
                raise TypeError(f"max_pool_with_argmax: expected a list of 4 ints for {what}, not {given!r}")
            if len(given) != 4:
                raise ValueError(f"max_pool_with_argmax: {what} must have 4 elements (NHWC), got {list(given)}")
        k = _spatial(ksize, "ksize", "max_pool_with_argmax", False)
        s = _spatial(strides, "strides", "max_pool_with_argmax", False)
        _, height, width, channels = x.shape.as_list()
        if None in (height, width, channels):
            raise ValueError(f"max_pool_with_argmax needs the height, width and channels of {x.name} known, "
                             f"got {x.shape}")
        values = make("dfc.max_pool", [x], {"ksize": k, "strides": s, "padding": mode, "explicit_paddings": []},
                      name="MaxPool")
        rows, cols = window_geometry((height, width), {"strides": s, "padding": mode}, tuple(k),
                                     "max_pool_with_argmax: ")
        lowest = x.dtype.min if hasattr(x.dtype, "min") else -np.inf
        fill = -np.inf if x.dtype.is_floating else lowest
        padded = pad(x, [[0, 0], [rows.pad_before, rows.pad_after], [cols.pad_before, cols.pad_after], [0, 0]],
                     constant_values=fill)
        taps, positions = [], []
        out_rows = np.arange(rows.out) * rows.stride - rows.pad_before
        out_cols = np.arange(cols.out) * cols.stride - cols.pad_before
        for i in range(rows.k):
            for j in range(cols.k):
                taps.append(padded[:, i:i + (rows.out - 1) * rows.stride + 1:rows.stride,
                                   j:j + (cols.out - 1) * cols.stride + 1:cols.stride, :])
                positions.append((out_rows[:, None] + i) * width + (out_cols[None, :] + j))
        winner = argmax(stack(taps, axis=0), axis=0, output_type="int32")  # [N, OH, OW, C]
        np_dtype = out_dtype.np
        table = constant(np.stack(positions, axis=-1)[:, :, None, :].astype(np_dtype))  # [OH, OW, 1, taps]
        position = reduce_sum(multiply(one_hot(winner, len(taps), dtype=out_dtype), table), axis=-1)
        index = add(multiply(position, constant(np.asarray(channels, np_dtype))),
                    constant(np.arange(channels, dtype=np_dtype)))
        if include_batch_in_index:
            from .array_ops import ones_like
            from .math_ops import cumsum
            image_index = cumsum(ones_like(cast(x[:, 0, 0, 0], out_dtype)), exclusive=True)  # 0, 1, ... per image
            per_image = constant(np.asarray(height * width * channels, np_dtype))
            index = add(index, reshape(multiply(image_index, per_image), [-1, 1, 1, 1]))
        return result(values, index)



# ---- transposed 1-D and atrous convolutions -----------------------------------------------------------
__all__ += ["atrous_conv2d_transpose", "conv1d_transpose"]


def conv1d_transpose(input, filters, output_shape, strides, padding: str = "SAME", data_format: str = "NWC",  # noqa: A002
                     dilations=None, name: str | None = None) -> Tensor:
    """The transpose (gradient) of conv1d: filters [width, out_channels, in_channels], output `output_shape`
    (3 elements); conv2d_transpose over a height of 1, as TF computes it."""
    from .array_ops import expand_dims, shape, squeeze
    from .framework import name_scope
    ncw = _data_format_1d(data_format, "conv1d_transpose")
    stride = _sequence_1d(strides, "strides", "conv1d_transpose", ncw)
    dilation = _sequence_1d(dilations, "dilations", "conv1d_transpose", ncw, default=1)
    with name_scope(name, "conv1d_transpose", [input, filters, output_shape]):
        x = _sequence_input(input, "conv1d_transpose")
        w = convert_to_tensor(filters, dtype=x.dtype)
        if w.shape.ndims is not None and w.shape.ndims != 3:
            raise ValueError(f"conv1d_transpose: filters {w.name} must be a 3-D tensor [width, out_channels, "
                             f"in_channels], got shape {w.shape}")
        dims = _shape_arg(output_shape, "conv1d_transpose", rank=3)
        out_channels = dims[1] if ncw else dims[2]
        if w.shape.as_list()[1] not in (None, out_channels):
            raise ValueError(f"conv1d_transpose: output_shape {dims} has {out_channels} channels but filters "
                             f"{w.name} {w.shape} make {w.shape.as_list()[1]}")
        batch = dims[0] if dims[0] >= 0 else shape(x)[0]
        image_shape = [batch, dims[1], 1, dims[2]] if ncw else [batch, 1, dims[1], dims[2]]
        out = conv2d_backprop_input(image_shape, expand_dims(w, 0), expand_dims(x, 2 if ncw else 1),
                                    strides=[1, stride], padding=padding, data_format="NCHW" if ncw else "NHWC",
                                    dilations=[1, dilation], name="conv1d_transpose")
        return squeeze(out, [2 if ncw else 1])


def atrous_conv2d_transpose(value, filters, output_shape, rate: int, padding: str,
                            name: str | None = None) -> Tensor:
    """The transpose of atrous_conv2d: conv2d_transpose with the filter's taps `rate` apart, stride 1."""
    if isinstance(padding, bytes):
        padding = padding.decode()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"atrous_conv2d_transpose: padding must be 'SAME' or 'VALID', got {padding!r}")
    if not isinstance(rate, (int, np.integer)) or rate < 1:
        raise ValueError(f"atrous_conv2d_transpose: rate {rate!r} cannot be less than one")
    w = convert_to_tensor(filters)
    if isinstance(output_shape, (list, tuple, np.ndarray)):
        if len(output_shape) != 4:
            raise ValueError(f"atrous_conv2d_transpose: output_shape must have shape (4,), got {list(output_shape)}")
        channels = w.shape.as_list()[2] if w.shape.ndims == 4 else None
        last = output_shape[3]
        if channels is not None and not isinstance(last, Tensor) and int(last) != channels:
            raise ValueError(f"atrous_conv2d_transpose: output_shape does not match filter's output channels, "
                             f"{channels} != {last}")
    return conv2d_transpose(value, w, output_shape, strides=[1, 1, 1, 1], padding=padding,
                            dilations=[1, int(rate), int(rate), 1], name=name or "atrous_conv2d_transpose")


# ---- depthwise convolution's gradients as ops of their own -------------------------------------------
__all__ += ["depthwise_conv2d_backprop_filter", "depthwise_conv2d_backprop_input",
            "depthwise_conv2d_native_backprop_filter", "depthwise_conv2d_native_backprop_input"]


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides, padding,  # noqa: A002
                                           data_format: str = "NHWC", dilations=None,
                                           name: str | None = None) -> Tensor:
    """The gradient of depthwise_conv2d with respect to its input (of shape input_sizes): a grouped
    conv2d_backprop_input, one group per input channel."""
    from .array_ops import reshape
    fn = "depthwise_conv2d_native_backprop_input"
    nchw = _data_format(data_format, fn)
    dy = _image(out_backprop, "out_backprop", fn)
    w = _image(filter, "filter", fn, dtype=dy.dtype)
    kh, kw, channels, multiplier = w.shape.as_list()
    if None in (kh, kw, channels, multiplier):
        raise ValueError(f"{fn}: the filter {w.name} needs a known shape, got {w.shape}")
    sizes = _shape_arg(input_sizes, fn)
    if nchw:
        sizes = [sizes[0], sizes[2], sizes[3], sizes[1]]
    if sizes[3] != channels:
        raise ValueError(f"{fn}: input_sizes {sizes} have {sizes[3]} channels but filter {w.name} {w.shape} "
                         f"expects {channels}")
    attrs = _conv_attrs(fn, strides, padding, dilations, nchw, groups=channels)
    grouped = reshape(w, [kh, kw, 1, channels * multiplier])
    return _from_nhwc(make("dfc.conv2d_backprop_input", [_to_nhwc(dy, nchw), grouped],
                           {"input_shape": sizes, **attrs}, name=name or "DepthwiseConv2dNativeBackpropInput"), nchw)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                                            data_format: str = "NHWC", dilations=None,
                                            name: str | None = None) -> Tensor:
    """The gradient of depthwise_conv2d with respect to its [h, w, C, M] filter: a grouped
    conv2d_backprop_filter, one group per input channel."""
    from .array_ops import reshape
    from .framework import name_scope
    fn = "depthwise_conv2d_native_backprop_filter"
    nchw = _data_format(data_format, fn)
    x = _image(input, "input", fn)
    dy = _image(out_backprop, "out_backprop", fn, dtype=x.dtype)
    sizes = _shape_arg(filter_sizes, fn)
    if min(sizes) < 1:
        raise ValueError(f"{fn}: filter_sizes {sizes} must be known and positive")
    kh, kw, channels, multiplier = sizes
    x_channels = x.shape.as_list()[1 if nchw else 3]
    if x_channels is not None and x_channels != channels:
        raise ValueError(f"{fn}: input {x.name} has {x_channels} channels but filter_sizes {sizes} expect {channels}")
    attrs = _conv_attrs(fn, strides, padding, dilations, nchw, groups=channels)
    with name_scope(name, "DepthwiseConv2dNativeBackpropFilter", [x, dy]):
        grouped = make("dfc.conv2d_backprop_filter", [_to_nhwc(x, nchw), _to_nhwc(dy, nchw)],
                       {"filter_shape": [kh, kw, 1, channels * multiplier], **attrs}, name="Conv2DBackpropFilter")
        return reshape(grouped, sizes)


depthwise_conv2d_backprop_input = depthwise_conv2d_native_backprop_input
depthwise_conv2d_backprop_filter = depthwise_conv2d_native_backprop_filter


# ---- grayscale morphology ---------------------------------------------------------------------------------
__all__ += ["dilation2d", "erosion2d"]


def _morphology_list(values: Any, what: str, fn: str) -> list[int]:
    if not isinstance(values, (list, tuple)) or len(values) != 4:
        raise ValueError(f"{fn}: {what} must be a list of 4 ints [1, rows, cols, 1], got {values!r}")
    values = [check_int(v, f"{fn} {what}") for v in values]
    if values[0] != 1 or values[3] != 1:
        raise ValueError(f"{fn}: {what} {values} must be 1 in the batch and depth dims")
    return values[1:3]


def dilation2d(input=None, filter=None, strides=None, rates=None, padding=None,  # noqa: A002 - TF's names
               name: str | None = None, filters=None, dilations=None) -> Tensor:
    """Grayscale morphological dilation: max over the window of input + filter[dy, dx, c], each channel on its
    own (filter [h, w, depth]); the gradient goes to the first maximum in window order, as TF's kernels."""
    from dfc.ir.ops.nn import window_geometry

    from .array_ops import one_hot, stack, zeros_like
    from .framework import name_scope
    from .math_ops import argmax, reduce_sum, where
    from .tensor_ops import pad
    fn = "dilation2d"
    filter = filters if filter is None else filter
    rates = dilations if rates is None else rates
    if input is None or filter is None:
        raise ValueError("dilation2d needs input and filter")
    stride = _morphology_list(strides, "strides", fn)
    rate = _morphology_list(rates, "rates", fn)
    mode, _ = _padding(padding, fn, False)
    if mode == "EXPLICIT":
        raise ValueError(f"{fn}: padding must be 'SAME' or 'VALID', got {padding!r}")
    with name_scope(name, "Dilation2D", [input, filter]):
        x = _image(input, "input", fn)
        w = convert_to_tensor(filter, dtype=x.dtype)
        if w.shape.ndims != 3 or None in w.shape.as_list():
            raise ValueError(f"{fn}: filter {w.name} must be a 3-D tensor [height, width, depth] of known shape, "
                             f"got {w.shape}")
        kh, kw, depth = w.shape.as_list()
        _, height, width, channels = x.shape.as_list()
        if channels not in (None, depth):
            raise ValueError(f"{fn}: input {x.name} has depth {channels} but filter {w.name} {w.shape} has {depth}")
        if None in (height, width):
            raise ValueError(f"{fn}: the height and width of {x.name} must be known, got {x.shape}")
        rows, cols = window_geometry((height, width), {"strides": stride, "padding": mode, "dilations": rate},
                                     (kh, kw), f"{fn}: ")
        padded = pad(x, [[0, 0], [rows.pad_before, rows.pad_after], [cols.pad_before, cols.pad_after], [0, 0]],
                     constant_values=-np.inf)
        taps = []
        for i in range(kh):
            for j in range(kw):
                r0, c0 = i * rows.dilation, j * cols.dilation
                taps.append(padded[:, r0:r0 + (rows.out - 1) * rows.stride + 1:rows.stride,
                                   c0:c0 + (cols.out - 1) * cols.stride + 1:cols.stride, :] + w[i, j])
        stacked = stack(taps, axis=0)
        chosen = one_hot(argmax(stacked, axis=0, output_type="int32"), len(taps), axis=0, on_value=True,
                         off_value=False, dtype="bool")
        # where, not a product: the padding taps hold -inf, and 0 * -inf would be NaN
        return reduce_sum(where(chosen, stacked, zeros_like(stacked)), axis=0)


def erosion2d(value, kernel, strides, rates, padding, name: str | None = None) -> Tensor:
    """Grayscale morphological erosion: -dilation2d(-value, the kernel reflected), TF's duality."""
    from .framework import name_scope
    from .math_ops import negative
    from .tensor_ops import reverse
    with name_scope(name, "erosion2d", [value, kernel]):
        return negative(dilation2d(negative(convert_to_tensor(value)), reverse(convert_to_tensor(kernel), [0, 1]),
                                   strides, rates, padding))
