"""tf.nn's 3-D convolution and pooling (conv3d, conv3d_transpose, max_pool3d, avg_pool3d) composed of their
2-D forms.

The depth axis is folded into the batch: each depth tap of the window is a strided slice of the
(depth-padded) input, run through conv2d / max_pool / avg_pool over height and width, and the taps
are summed (or maxed, or averaged over the taps inside the input). Gradients come from the 2-D ops'.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .framework import Tensor, check_int, convert_to_tensor, name_scope

__all__ = ["avg_pool3d", "conv3d", "conv3d_transpose", "max_pool3d"]


def _channels_first(data_format: str | None, fn: str) -> bool:
    if data_format in (None, "NDHWC"):
        return False
    if data_format == "NCDHW":
        return True
    raise ValueError(f"{fn}: data_format must be 'NDHWC' or 'NCDHW', got {data_format!r}")


def _triple(values: Any, what: str, fn: str, channels_first: bool, allow_short: bool,
            default: int | None = None) -> list[int]:
    """(depth, height, width) from TF's 5-element list (batch and channel entries 1), or 1 or 3 values."""
    if values is None:
        if default is None:
            raise ValueError(f"{fn} needs {what}")
        return [default] * 3
    if isinstance(values, Tensor) or np.ndim(values) == 0:
        if not allow_short:
            raise ValueError(f"{fn}: {what} must be a list of 5 ints, got {values!r}")
        values = [values]
    values = [check_int(v, f"{fn} {what}") for v in values]
    if len(values) == 5:
        outer = (values[0], values[1]) if channels_first else (values[0], values[4])
        if outer != (1, 1):
            raise ValueError(f"{fn}: {what} {values} must be 1 in the batch and channel dims")
        return values[2:] if channels_first else values[1:4]
    if allow_short and len(values) in (1, 3):
        return values * 3 if len(values) == 1 else values
    raise ValueError(f"{fn}: {what} must have {'1, 3 or ' if allow_short else ''}5 elements, got {values}")


def _padding_mode(padding: Any, fn: str) -> str:
    if isinstance(padding, bytes):
        padding = padding.decode()
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"{fn}: padding must be 'SAME' or 'VALID', got {padding!r}")
    return padding.upper()


def _depth_geometry(size: int, k: int, stride: int, dilation: int, mode: str) -> tuple[int, int, int]:
    """(output depth, padding before, padding after), TF's rule."""
    span = (k - 1) * dilation + 1
    if mode == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + span - size, 0)
        return out, total // 2, total - total // 2
    return max((size - span) // stride + 1, 0), 0, 0


def _volume(x: Any, fn: str, what: str = "input", dtype=None) -> Tensor:
    x = convert_to_tensor(x, dtype=dtype)
    if x.shape.ndims is not None and x.shape.ndims != 5:
        raise ValueError(f"{fn}: {what} {x.name} must be a 5-D tensor, got shape {x.shape}")
    return x


def _to_ndhwc(x: Tensor, channels_first: bool) -> Tensor:
    from .array_ops import transpose
    return transpose(x, [0, 2, 3, 4, 1]) if channels_first else x


def _from_ndhwc(y: Tensor, channels_first: bool) -> Tensor:
    from .array_ops import transpose
    return transpose(y, [0, 4, 1, 2, 3]) if channels_first else y


def _depth_taps(x: Tensor, k: int, stride: int, dilation: int, mode: str, fill, fn: str):
    """Per depth tap, the [N * out_depth, H, W, C] images it reads, with the output depth and padding."""
    from .array_ops import reshape
    from .tensor_ops import pad
    depth = x.shape.as_list()[1]
    if depth is None:
        raise ValueError(f"{fn}: the depth (dim 1 of NDHWC) of {x.name} must be known, got {x.shape}")
    out, before, after = _depth_geometry(depth, k, stride, dilation, mode)
    if out < 1:
        raise ValueError(f"{fn}: the window ({k}, dilation {dilation}) is deeper than the input {x.name} "
                         f"({depth})")
    if before or after:
        x = pad(x, [[0, 0], [before, after], [0, 0], [0, 0], [0, 0]], constant_values=fill)
    rest = x.shape.as_list()[2:]
    taps = []
    for t in range(k):
        start = t * dilation
        piece = x[:, start:start + (out - 1) * stride + 1:stride]
        taps.append(reshape(piece, [-1] + [d if d is not None else -1 for d in rest]) if rest.count(None) == 0
                    else reshape(piece, _folded_shape(piece)))
    return taps, out, before


def _folded_shape(piece: Tensor) -> Tensor:
    from .array_ops import concat, shape
    return concat([convert_to_tensor([-1]), shape(piece)[2:]], 0)


def _unfold(y: Tensor, out_depth: int) -> Tensor:
    """[N * D, H, W, C] back to [N, D, H, W, C]."""
    from .array_ops import concat, reshape, shape
    rest = y.shape.as_list()[1:]
    if None not in rest:
        return reshape(y, [-1, out_depth] + rest)
    return reshape(y, concat([convert_to_tensor([-1, out_depth]), shape(y)[1:]], 0))


def conv3d(input, filter=None, strides=None, padding=None, data_format: str = "NDHWC",  # noqa: A002 - TF's names
           dilations=None, name: str | None = None, filters=None) -> Tensor:
    """3-D convolution of [batch, depth, height, width, in_channels] by a [d, h, w, in, out] filter."""
    from .math_ops import add_n
    from .nn_conv import conv2d
    if filter is not None and filters is not None:
        raise ValueError("conv3d: give filter or filters, not both")
    filter = filters if filter is None else filter
    if filter is None:
        raise ValueError("conv3d needs a filter")
    channels_first = _channels_first(data_format, "conv3d")
    mode = _padding_mode(padding, "conv3d")
    stride = _triple(strides, "strides", "conv3d", channels_first, allow_short=False)
    dilation = _triple(dilations, "dilations", "conv3d", channels_first, allow_short=False, default=1)
    with name_scope(name, "Conv3D", [input, filter]):
        x = _to_ndhwc(_volume(input, "conv3d"), channels_first)
        w = _volume(filter, "conv3d", "filter", dtype=x.dtype)
        kd = w.shape.as_list()[0]
        if kd is None:
            raise ValueError(f"conv3d: the filter depth (dim 0) of {w.name} must be known, got {w.shape}")
        in_channels = x.shape.as_list()[4]
        if in_channels is not None and w.shape.as_list()[3] not in (None, in_channels):
            raise ValueError(f"conv3d: input {x.name} has {in_channels} channels but filter {w.name} {w.shape} "
                             f"expects {w.shape.as_list()[3]}")
        taps, out_depth, _ = _depth_taps(x, kd, stride[0], dilation[0], mode, 0, "conv3d")
        terms = [conv2d(image, w[t], strides=stride[1:], padding=mode, dilations=dilation[1:])
                 for t, image in enumerate(taps)]
        y = terms[0] if len(terms) == 1 else add_n(terms)
        return _from_ndhwc(_unfold(y, out_depth), channels_first)


def _pool3d(kind: str, input, ksize, strides, padding, data_format, name) -> Tensor:  # noqa: A002
    from .array_ops import constant, stack
    from .math_ops import add_n, multiply, reduce_max
    from .nn_conv import avg_pool, max_pool
    fn = f"{kind}_pool3d"
    channels_first = _channels_first(data_format, fn)
    mode = _padding_mode(padding, fn)
    k = _triple(ksize, "ksize", fn, channels_first, allow_short=True)
    s = _triple(strides, "strides", fn, channels_first, allow_short=True)
    with name_scope(name, "MaxPool3D" if kind == "max" else "AvgPool3D", [input]):
        x = _to_ndhwc(_volume(input, fn), channels_first)
        if not x.dtype.is_floating:
            raise TypeError(f"{fn}: input {x.name} must be floating, got {x.dtype.name}")
        fill = -np.inf if kind == "max" else 0
        taps, out_depth, before = _depth_taps(x, k[0], s[0], 1, mode, fill, fn)
        pool2d = max_pool if kind == "max" else avg_pool
        pooled = [pool2d(image, k[1:], s[1:], mode) for image in taps]
        if kind == "max":
            y = pooled[0] if len(pooled) == 1 else reduce_max(stack(pooled, axis=0), axis=0)
            return _from_ndhwc(_unfold(y, out_depth), channels_first)
        # each window's mean over its taps inside the input: the 2-D means (over the rows and columns inside)
        # averaged over the depth taps inside
        depth = x.shape.as_list()[1]
        starts = np.arange(out_depth) * s[0] - before
        inside = np.minimum(starts + k[0], depth) - np.maximum(starts, 0)
        total = pooled[0] if len(pooled) == 1 else add_n(pooled)
        y = _unfold(total, out_depth)
        scale = constant((1.0 / inside).astype(x.dtype.np).reshape(1, out_depth, 1, 1, 1))
        return _from_ndhwc(multiply(y, scale), channels_first)


def max_pool3d(input, ksize, strides, padding, data_format: str = "NDHWC", name: str | None = None) -> Tensor:  # noqa: A002
    """The maximum over each ksize window of [batch, depth, height, width, channels]."""
    return _pool3d("max", input, ksize, strides, padding, data_format, name)


def avg_pool3d(input, ksize, strides, padding, data_format: str = "NDHWC", name: str | None = None) -> Tensor:  # noqa: A002
    """The mean over each ksize window (of its taps inside the input)."""
    return _pool3d("avg", input, ksize, strides, padding, data_format, name)


def conv3d_transpose(value=None, filter=None, output_shape=None, strides=None, padding: str = "SAME",  # noqa: A002
                     data_format: str = "NDHWC", name: str | None = None, input=None, filters=None,  # noqa: A002
                     dilations=None) -> Tensor:
    """The transpose (gradient) of conv3d: filter [d, h, w, out_channels, in_channels], output `output_shape`.

    Each depth tap t is a conv2d_transpose of every input depth slice, landing at output depth
    i * stride + t * dilation - padding_before: the slices are spread `stride` apart with zeros between
    and shifted into place."""
    from .array_ops import shape as shape_of
    from .array_ops import stack, zeros_like
    from .math_ops import add_n
    from .nn_conv import _shape_arg, conv2d_backprop_input
    from .tensor_ops import pad
    value = input if value is None else value
    filter = filters if filter is None else filter
    if value is None or filter is None or output_shape is None:
        raise ValueError("conv3d_transpose needs value, filter and output_shape")
    channels_first = _channels_first(data_format, "conv3d_transpose")
    mode = _padding_mode(padding, "conv3d_transpose")
    stride = _triple(strides, "strides", "conv3d_transpose", channels_first, allow_short=False)
    dilation = _triple(dilations, "dilations", "conv3d_transpose", channels_first, allow_short=False, default=1)
    dims = _shape_arg(output_shape, "conv3d_transpose", rank=5)
    if channels_first:
        dims = [dims[0], dims[2], dims[3], dims[4], dims[1]]
    with name_scope(name, "conv3d_transpose", [value, filter]):
        x = _to_ndhwc(_volume(value, "conv3d_transpose", "value"), channels_first)
        w = _volume(filter, "conv3d_transpose", "filter", dtype=x.dtype)
        kd, _, _, out_channels, in_channels = w.shape.as_list()
        depth = x.shape.as_list()[1]
        if kd is None or depth is None:
            raise ValueError(f"conv3d_transpose: the depths of value {x.name} {x.shape} and filter {w.name} "
                             f"{w.shape} must be known")
        if x.shape.as_list()[4] not in (None, in_channels) or out_channels not in (None, dims[4]):
            raise ValueError(f"conv3d_transpose: value {x.name} {x.shape}, filter {w.name} {w.shape} (filter: "
                             f"[d, h, w, out_channels, in_channels]) and output_shape {dims} do not agree")
        out_depth = dims[1]
        forward_depth, before, _ = _depth_geometry(out_depth, kd, stride[0], dilation[0], mode)
        if forward_depth != depth:
            raise ValueError(f"conv3d_transpose: output_shape {dims} would give a conv3d output depth of "
                             f"{forward_depth}, but value {x.name} has depth {depth}")
        images, _, _ = _depth_taps(x, 1, 1, 1, "VALID", 0, "conv3d_transpose")
        image = images[0]  # [N * depth, H, W, in_channels]
        terms = []
        for t in range(kd):
            z = conv2d_backprop_input([-1] + dims[2:], w[t], image, strides=stride[1:], padding=mode,
                                      dilations=dilation[1:])
            z = _unfold(z, depth)  # [N, depth, Ho, Wo, C]
            if stride[0] > 1:  # slice i at depth i * stride, zeros between
                z = stack([z] + [zeros_like(z)] * (stride[0] - 1), axis=2)
                z = _unfold(_fold_depth(z), depth * stride[0])
            offset = t * dilation[0] - before
            length = depth * stride[0]
            if offset < 0:
                z, length = z[:, -offset:], length + offset
                offset = 0
            if length > out_depth - offset:
                z, length = z[:, :out_depth - offset], out_depth - offset
            if length <= 0:
                continue
            terms.append(pad(z, [[0, 0], [offset, out_depth - offset - length], [0, 0], [0, 0], [0, 0]]))
        if not terms:
            batch = dims[0] if dims[0] >= 0 else shape_of(x)[0]
            from .array_ops import zeros
            return _from_ndhwc(zeros([batch] + dims[1:], x.dtype), channels_first)
        return _from_ndhwc(terms[0] if len(terms) == 1 else add_n(terms), channels_first)


def _fold_depth(z: Tensor) -> Tensor:
    """[N, D, S, H, W, C] to [N * D * S, H, W, C]."""
    from .array_ops import reshape
    return reshape(z, [-1] + z.shape.as_list()[3:])


__all__ += ["conv3d_backprop_filter", "conv3d_backprop_filter_v2", "conv_transpose"]


def conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002 - TF's names
                              data_format: str = "NDHWC", dilations=None, name: str | None = None) -> Tensor:
    """The gradient of conv3d with respect to its [d, h, w, in, out] filter (of shape filter_sizes): per depth
    tap a conv2d_backprop_filter over the input slices that tap read, with the depth folded into the batch."""
    from .array_ops import stack
    from .nn_conv import _shape_arg, conv2d_backprop_filter
    fn = "conv3d_backprop_filter"
    channels_first = _channels_first(data_format, fn)
    mode = _padding_mode(padding, fn)
    stride = _triple(strides, "strides", fn, channels_first, allow_short=False)
    dilation = _triple(dilations, "dilations", fn, channels_first, allow_short=False, default=1)
    sizes = _shape_arg(filter_sizes, fn, rank=5)
    if min(sizes) < 1:
        raise ValueError(f"{fn}: filter_sizes {sizes} must be known and positive")
    with name_scope(name, "Conv3DBackpropFilterV2", [input, out_backprop]):
        x = _to_ndhwc(_volume(input, fn), channels_first)
        dy = _to_ndhwc(_volume(out_backprop, fn, "out_backprop", dtype=x.dtype), channels_first)
        taps, out_depth, _ = _depth_taps(x, sizes[0], stride[0], dilation[0], mode, 0, fn)
        if dy.shape.as_list()[1] not in (None, out_depth):
            raise ValueError(f"{fn}: out_backprop {dy.name} {dy.shape} has depth {dy.shape.as_list()[1]}, but the "
                             f"convolution makes {out_depth}")
        folded_dy = _depth_taps(dy, 1, 1, 1, "VALID", 0, fn)[0][0]
        return stack([conv2d_backprop_filter(image, sizes[1:], folded_dy, strides=stride[1:], padding=mode,
                                             dilations=dilation[1:]) for image in taps], axis=0)


conv3d_backprop_filter = conv3d_backprop_filter_v2


def conv_transpose(input, filters, output_shape, strides, padding: str = "SAME", data_format=None,  # noqa: A002
                   dilations=None, name: str | None = None) -> Tensor:
    """conv1d_transpose, conv2d_transpose or conv3d_transpose by the length of output_shape (3, 4 or 5)."""
    from .nn_conv import conv1d_transpose, conv2d_transpose
    if isinstance(output_shape, Tensor):
        length = output_shape.shape.as_list()[0] if output_shape.shape.ndims == 1 else None
    elif hasattr(output_shape, "__len__"):
        length = len(output_shape)
    else:
        raise ValueError(f"conv_transpose: output_shape must be a tensor or sized collection, got {output_shape!r}")
    if length not in (3, 4, 5):
        raise ValueError(f"conv_transpose: output_shape must be of length 3, 4 or 5, got {output_shape!r}")
    if length == 3:
        return conv1d_transpose(input, filters, output_shape, strides, padding, data_format or "NWC", dilations,
                                name=name or "conv_transpose")
    if length == 4:
        return conv2d_transpose(input, filters, output_shape, strides, padding, data_format or "NHWC",
                                name=name or "conv_transpose", dilations=dilations)
    channels_first = _channels_first(data_format, "conv_transpose")
    stride = _triple(strides, "strides", "conv_transpose", channels_first, allow_short=True)
    dilation = _triple(dilations, "dilations", "conv_transpose", channels_first, allow_short=True, default=1)
    expand = (lambda v: [1, 1] + v) if channels_first else (lambda v: [1] + v + [1])
    return conv3d_transpose(input, filters, output_shape, expand(stride), padding, data_format or "NDHWC",
                            name=name or "conv_transpose", dilations=expand(dilation))
