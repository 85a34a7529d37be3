"""Convolutions and pooling over NHWC images, with the ops their gradients are made of.

Every window op shares one geometry (`window_geometry`): per spatial dim a window of `k`
taps `d` apart (the dilation), moved `s` at a time (the stride), over the input padded by
TF's rule for "SAME" (pad the total the output needs, the smaller half before) or
"VALID" (none), or by `explicit_paddings` (before, after per spatial dim) with "EXPLICIT".

conv2d with `groups` g splits the channels in g groups: filter [kh, kw, C/g, Cout], output
channel o reads input group o // (Cout/g); depthwise convolution is g = C. The gradients of
conv2d are conv2d_backprop_input and conv2d_backprop_filter, and each of the three is the
gradient of the others, so every order of derivative stays in this family.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dtypes import FLOATS, NUMERIC
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, same_dtype, tensor_operand

PADDINGS = ("SAME", "VALID", "EXPLICIT")


@dataclass(frozen=True)
class Axis:
    """One spatial dim of a window op: input size, window taps, stride, dilation, padding, output size."""

    size: int
    k: int
    stride: int
    dilation: int
    pad_before: int
    pad_after: int
    out: int

    @property
    def span(self) -> int:
        """How far the window reaches: (k - 1) * dilation + 1."""
        return (self.k - 1) * self.dilation + 1

    @property
    def padded(self) -> int:
        return self.size + self.pad_before + self.pad_after


def axis_geometry(size: int | None, k: int, stride: int, dilation: int, padding: str,
                  explicit: tuple[int, int] = (0, 0), what: str = "") -> Axis | None:
    """The geometry of one spatial dim (None when the input size is unknown); TF's output-size rule."""
    if k < 1 or stride < 1 or dilation < 1:
        raise ShapeError(f"{what}window size, stride and dilation must be >= 1, got {k}, {stride}, {dilation}")
    if size is None:
        return None
    span = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + span - size, 0)
        before, after = total // 2, total - total // 2
    elif padding == "VALID":
        before = after = 0
        out = (size - span) // stride + 1 if size >= span else 0
    elif padding == "EXPLICIT":
        before, after = explicit
        if before < 0 or after < 0:
            raise ShapeError(f"{what}explicit paddings must be >= 0, got {list(explicit)}")
        padded = size + before + after
        out = (padded - span) // stride + 1 if padded >= span else 0
    else:
        raise ShapeError(f"{what}padding must be one of {', '.join(PADDINGS)}, got {padding!r}")
    if padding != "SAME" and size + before + after < span:
        raise ShapeError(f"{what}the window spans {span} (size {k}, dilation {dilation}) but the "
                         f"{'padded ' if before or after else ''}input is only {size + before + after} wide: "
                         f"the output size would be negative")
    return Axis(size, k, stride, dilation, before, after, out)


def window_geometry(hw: tuple[int | None, int | None], attrs: dict, window: tuple[int, int],
                    what: str = "") -> tuple[Axis | None, Axis | None]:
    """(rows, cols) geometry of a window op from its attrs (strides, padding, dilations, explicit_paddings)."""
    strides = _pair(attrs["strides"], "strides", what)
    dilations = _pair(attrs.get("dilations", (1, 1)), "dilations", what)
    explicit = tuple(attrs.get("explicit_paddings", ()))
    padding = attrs["padding"]
    if padding == "EXPLICIT":
        if len(explicit) != 4:
            raise ShapeError(f"{what}EXPLICIT padding needs 4 explicit_paddings (top, bottom, left, right), "
                             f"got {list(explicit)}")
    elif explicit:
        raise ShapeError(f"{what}explicit_paddings are only allowed with padding 'EXPLICIT', not {padding!r}")
    pads = (explicit[0:2], explicit[2:4]) if explicit else ((0, 0), (0, 0))
    return tuple(axis_geometry(hw[i], window[i], strides[i], dilations[i], padding, pads[i], what)
                 for i in range(2))


def _pair(values, name: str, what: str) -> tuple[int, int]:
    values = tuple(values)
    if len(values) != 2:
        raise ShapeError(f"{what}{name} must have 2 values (rows, cols), got {list(values)}")
    return values


def _image(types, i: int, what: str) -> TensorType:
    t = tensor_operand(types, i, what)
    if t.rank != 4:
        raise ShapeError(f"{what} must be a 4-D NHWC tensor, got {t}")
    return t


def _out(axis: Axis | None) -> int | None:
    return None if axis is None else axis.out


CONV_ATTRS = {"strides": Attr("ints", (1, 1)), "padding": Attr("str", "VALID"), "dilations": Attr("ints", (1, 1)),
              "explicit_paddings": Attr("ints", ()), "groups": Attr("int", 1)}


def _check_groups(channels: int | None, filter_in: int | None, out_channels: int | None, groups: int,
                  what: str) -> None:
    if groups < 1:
        raise ShapeError(f"{what}: groups must be >= 1, got {groups}")
    if out_channels is not None and out_channels % groups:
        raise ShapeError(f"{what}: {out_channels} output channels do not split into {groups} groups")
    if channels is not None and filter_in is not None and channels != filter_in * groups:
        if groups == 1:
            raise ShapeError(f"{what}: the input has {channels} channels but the filter expects {filter_in} "
                             f"(filter shape [height, width, in_channels, out_channels])")
        raise ShapeError(f"{what}: the input has {channels} channels but the filter expects {filter_in} "
                         f"per group x {groups} groups")


def _conv2d_infer(types, attrs):
    x, w = _image(types, 0, "conv2d input"), _image(types, 1, "conv2d filter")
    dtype = same_dtype([x, w])
    require_dtype(dtype, FLOATS)
    _check_groups(x.shape[3], w.shape[2], w.shape[3], attrs["groups"], "conv2d")
    if None in w.shape[:2]:
        raise ShapeError(f"conv2d needs the filter's spatial size, got {w}")
    rows, cols = window_geometry(x.shape[1:3], attrs, w.shape[:2], "conv2d: ")
    return [TensorType(dtype, (x.shape[0], _out(rows), _out(cols), w.shape[3]))]


def _backprop_input_infer(types, attrs):
    dy, w = _image(types, 0, "conv2d_backprop_input gradient"), _image(types, 1, "conv2d_backprop_input filter")
    dtype = same_dtype([dy, w])
    require_dtype(dtype, FLOATS)
    shape = tuple(attrs["input_shape"])
    if len(shape) != 4:
        raise ShapeError(f"conv2d_backprop_input: input_shape must have 4 dims (NHWC), got {list(shape)}")
    groups = attrs["groups"]
    _check_groups(shape[3], w.shape[2], w.shape[3], groups, "conv2d_backprop_input")
    if dy.shape[3] is not None and w.shape[3] is not None and dy.shape[3] != w.shape[3]:
        raise ShapeError(f"conv2d_backprop_input: the gradient has {dy.shape[3]} channels but the filter "
                         f"makes {w.shape[3]}")
    _check_window_output(shape, w.shape[:2], dy, attrs, "conv2d_backprop_input")
    batch = dy.shape[0] if shape[0] in (None, -1) else shape[0]
    return [TensorType(dtype, (batch,) + shape[1:])]


def _backprop_filter_infer(types, attrs):
    x, dy = _image(types, 0, "conv2d_backprop_filter input"), _image(types, 1, "conv2d_backprop_filter gradient")
    dtype = same_dtype([x, dy])
    require_dtype(dtype, FLOATS)
    shape = tuple(attrs["filter_shape"])
    if len(shape) != 4:
        raise ShapeError(f"conv2d_backprop_filter: filter_shape must have 4 dims, got {list(shape)}")
    _check_groups(x.shape[3], shape[2], shape[3], attrs["groups"], "conv2d_backprop_filter")
    if dy.shape[3] is not None and dy.shape[3] != shape[3]:
        raise ShapeError(f"conv2d_backprop_filter: the gradient has {dy.shape[3]} channels, the filter {shape[3]}")
    _check_window_output(x.shape, shape[:2], dy, attrs, "conv2d_backprop_filter")
    return [TensorType(dtype, shape)]


def _check_window_output(input_shape, window, dy: TensorType, attrs, what: str) -> None:
    rows, cols = window_geometry(tuple(None if d in (None, -1) else d for d in input_shape[1:3]), attrs,
                                 tuple(window), what + ": ")
    for axis, got in zip((rows, cols), dy.shape[1:3]):
        if axis is not None and got is not None and axis.out != got:
            raise ShapeError(f"{what}: an input of shape {list(input_shape)} gives an output of "
                             f"{_out(rows)}x{_out(cols)}, but the gradient is {dy}")


# ---- numpy references ---------------------------------------------------------------------------------

def _geometry(x_shape, window, attrs) -> tuple[Axis, Axis]:
    return window_geometry(tuple(x_shape[1:3]), attrs, tuple(window))


def _pad(x: np.ndarray, rows: Axis, cols: Axis, fill=0) -> np.ndarray:
    return np.pad(x, ((0, 0), (rows.pad_before, rows.pad_after), (cols.pad_before, cols.pad_after), (0, 0)),
                  constant_values=fill)


def _taps(rows: Axis, cols: Axis):
    """Per window tap (i, j): the slices of the padded input that tap reads for every output position."""
    for i in range(rows.k):
        for j in range(cols.k):
            r0, c0 = i * rows.dilation, j * cols.dilation
            yield i, j, (slice(None), slice(r0, r0 + (rows.out - 1) * rows.stride + 1, rows.stride),
                         slice(c0, c0 + (cols.out - 1) * cols.stride + 1, cols.stride))


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


def _conv2d(x, w, strides, padding, dilations, explicit_paddings, groups):
    attrs = dict(strides=strides, padding=padding, dilations=dilations, explicit_paddings=explicit_paddings)
    rows, cols = _geometry(x.shape, w.shape[:2], attrs)
    ct = _compute_dtype(x.dtype)
    n, cin, cout = x.shape[0], w.shape[2], w.shape[3]
    xp = _pad(x.astype(ct), rows, cols)
    out = np.zeros((n, rows.out, cols.out, groups, cout // groups), ct)
    for i, j, sl in _taps(rows, cols):
        patch = xp[sl].reshape(n, rows.out, cols.out, groups, cin)
        out += np.einsum("nhwgc,cgo->nhwgo", patch, w[i, j].astype(ct).reshape(cin, groups, cout // groups))
    return out.reshape(n, rows.out, cols.out, cout).astype(x.dtype)


def _conv2d_backprop_input(dy, w, input_shape, strides, padding, dilations, explicit_paddings, groups):
    attrs = dict(strides=strides, padding=padding, dilations=dilations, explicit_paddings=explicit_paddings)
    shape = (dy.shape[0],) + tuple(input_shape[1:])
    rows, cols = _geometry(shape, w.shape[:2], attrs)
    ct = _compute_dtype(dy.dtype)
    n, cin, cout = shape[0], w.shape[2], w.shape[3]
    dxp = np.zeros((n, rows.padded, cols.padded, shape[3]), ct)
    g = dy.astype(ct).reshape(n, rows.out, cols.out, groups, cout // groups)
    for i, j, sl in _taps(rows, cols):
        part = np.einsum("nhwgo,cgo->nhwgc", g, w[i, j].astype(ct).reshape(cin, groups, cout // groups))
        dxp[sl] += part.reshape(n, rows.out, cols.out, shape[3])
    dx = dxp[:, rows.pad_before:rows.pad_before + rows.size, cols.pad_before:cols.pad_before + cols.size]
    return dx.astype(dy.dtype)


def _conv2d_backprop_filter(x, dy, filter_shape, strides, padding, dilations, explicit_paddings, groups):
    attrs = dict(strides=strides, padding=padding, dilations=dilations, explicit_paddings=explicit_paddings)
    rows, cols = _geometry(x.shape, filter_shape[:2], attrs)
    ct = _compute_dtype(x.dtype)
    n, cin, cout = x.shape[0], filter_shape[2], filter_shape[3]
    xp = _pad(x.astype(ct), rows, cols)
    g = dy.astype(ct).reshape(n, rows.out, cols.out, groups, cout // groups)
    dw = np.zeros(tuple(filter_shape), ct)
    for i, j, sl in _taps(rows, cols):
        patch = xp[sl].reshape(n, rows.out, cols.out, groups, cin)
        dw[i, j] = np.einsum("nhwgc,nhwgo->cgo", patch, g).reshape(cin, cout)
    return dw.astype(x.dtype)


register(OpDef("dfc.conv2d", "nn", _conv2d_infer, _conv2d, 2, dict(CONV_ATTRS),
               doc="2-D convolution (cross-correlation) of NHWC input by an [h, w, in/groups, out] filter",
               fusible_as=None))
register(OpDef("dfc.conv2d_backprop_input", "nn", _backprop_input_infer, _conv2d_backprop_input, 2,
               {"input_shape": Attr("ints"), **CONV_ATTRS},
               doc="the gradient of conv2d's input from its output's gradient and the filter (conv2d_transpose)",
               fusible_as=None))
register(OpDef("dfc.conv2d_backprop_filter", "nn", _backprop_filter_infer, _conv2d_backprop_filter, 2,
               {"filter_shape": Attr("ints"), **CONV_ATTRS},
               doc="the gradient of conv2d's filter from its input and its output's gradient", fusible_as=None))


# ---- pooling ------------------------------------------------------------------------------------------

POOL_ATTRS = {"ksize": Attr("ints"), "strides": Attr("ints"), "padding": Attr("str", "VALID"),
              "explicit_paddings": Attr("ints", ())}


def _pool_infer(allowed):
    def infer(types, attrs):
        x = _image(types, 0, "pooling input")
        require_dtype(x.dtype, allowed)
        rows, cols = window_geometry(x.shape[1:3], attrs, _pair(attrs["ksize"], "ksize", "pooling: "), "pooling: ")
        return [TensorType(x.dtype, (x.shape[0], _out(rows), _out(cols), x.shape[3]))]
    return infer


def _max_pool_grad_infer(types, attrs):
    x, dy = _image(types, 0, "max_pool_grad input"), _image(types, 1, "max_pool_grad gradient")
    same_dtype([x, dy])
    (y,) = _pool_infer(FLOATS)(types[:1], attrs)
    if any(a is not None and b is not None and a != b for a, b in zip(y.shape, dy.shape)):
        raise ShapeError(f"max_pool_grad: the pooled input has shape {y} but the gradient is {dy}")
    return [x]


def _avg_pool_grad_infer(types, attrs):
    dy = _image(types, 0, "avg_pool_grad gradient")
    require_dtype(dy.dtype, FLOATS)
    shape = tuple(attrs["input_shape"])
    if len(shape) != 4:
        raise ShapeError(f"avg_pool_grad: input_shape must have 4 dims (NHWC), got {list(shape)}")
    _check_window_output(shape, _pair(attrs["ksize"], "ksize", "avg_pool_grad: "), dy, attrs, "avg_pool_grad")
    batch = dy.shape[0] if shape[0] in (None, -1) else shape[0]
    return [TensorType(dy.dtype, (batch,) + shape[1:3] + (dy.shape[3],))]


def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" or dtype.kind == "V" else np.iinfo(dtype).min


def _window_stack(x, ksize, strides, padding, explicit_paddings, fill):
    """[k*k, N, OH, OW, C]: every window tap's values at every output position, in row-major tap order."""
    rows, cols = window_geometry(tuple(x.shape[1:3]), dict(strides=strides, padding=padding,
                                                           explicit_paddings=explicit_paddings), tuple(ksize))
    xp = _pad(x, rows, cols, fill)
    return np.stack([xp[sl] for _, _, sl in _taps(rows, cols)]) if rows.k * cols.k else None, rows, cols


def _max_pool(x, ksize, strides, padding, explicit_paddings):
    taps, _, _ = _window_stack(x, ksize, strides, padding, explicit_paddings, _lowest(x.dtype))
    return np.max(taps, axis=0).astype(x.dtype)


def _max_pool_grad(x, dy, ksize, strides, padding, explicit_paddings):
    """The gradient goes to the first maximum of each window (row-major), as TF's CPU kernel routes it."""
    taps, rows, cols = _window_stack(x, ksize, strides, padding, explicit_paddings, _lowest(x.dtype))
    first = np.argmax(taps, axis=0)
    dxp = np.zeros((x.shape[0], rows.padded, cols.padded, x.shape[3]), _compute_dtype(dy.dtype))
    for t, (_, _, sl) in enumerate(_taps(rows, cols)):
        dxp[sl] += np.where(first == t, dy, 0)
    return dxp[:, rows.pad_before:rows.pad_before + rows.size,
               cols.pad_before:cols.pad_before + cols.size].astype(x.dtype)


def _window_counts(rows: Axis, cols: Axis) -> np.ndarray:
    """[OH, OW, 1]: how many taps of each window fall inside the unpadded input (TF's avg_pool divisor)."""
    def count(axis: Axis) -> np.ndarray:
        start = np.arange(axis.out) * axis.stride - axis.pad_before
        return np.minimum(start + axis.k, axis.size) - np.maximum(start, 0)
    return (count(rows)[:, None] * count(cols)[None, :])[:, :, None]


def _avg_pool(x, ksize, strides, padding, explicit_paddings):
    ct = _compute_dtype(x.dtype)
    taps, rows, cols = _window_stack(x.astype(ct), ksize, strides, padding, explicit_paddings, 0)
    return (np.sum(taps, axis=0) / _window_counts(rows, cols).astype(ct)).astype(x.dtype)


def _avg_pool_grad(dy, input_shape, ksize, strides, padding, explicit_paddings):
    shape = (dy.shape[0],) + tuple(input_shape[1:3]) + (dy.shape[3],)
    rows, cols = window_geometry(tuple(shape[1:3]), dict(strides=strides, padding=padding,
                                                         explicit_paddings=explicit_paddings), tuple(ksize))
    ct = _compute_dtype(dy.dtype)
    share = dy.astype(ct) / _window_counts(rows, cols).astype(ct)
    dxp = np.zeros((shape[0], rows.padded, cols.padded, shape[3]), ct)
    for _, _, sl in _taps(rows, cols):
        dxp[sl] += share
    return dxp[:, rows.pad_before:rows.pad_before + rows.size,
               cols.pad_before:cols.pad_before + cols.size].astype(dy.dtype)


register(OpDef("dfc.max_pool", "nn", _pool_infer(NUMERIC), _max_pool, 1, dict(POOL_ATTRS),
               doc="the maximum of each [ksize] window of an NHWC image (padding never wins)", fusible_as=None))
register(OpDef("dfc.max_pool_grad", "nn", _max_pool_grad_infer, _max_pool_grad, 2, dict(POOL_ATTRS),
               doc="max_pool's input gradient: each window's gradient goes to its first maximum", fusible_as=None))
register(OpDef("dfc.avg_pool", "nn", _pool_infer(FLOATS), _avg_pool, 1, dict(POOL_ATTRS),
               doc="the mean of each window of an NHWC image over its taps inside the image", fusible_as=None))
register(OpDef("dfc.avg_pool_grad", "nn", _avg_pool_grad_infer, _avg_pool_grad, 1,
               {"input_shape": Attr("ints"), **POOL_ATTRS},
               doc="avg_pool's input gradient: each window's gradient shared among its taps inside the image",
               fusible_as=None))
