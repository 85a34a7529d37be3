"""VJP rules of the convolution and pooling ops (ir/ops/nn.py), a part of the autodiff pass's table.

conv2d, conv2d_backprop_input and conv2d_backprop_filter are bilinear, and each one's
partials are the other two: derivatives of any order stay in the family. max_pool's
gradient routes through dfc.max_pool_grad; avg_pool's is dfc.avg_pool_grad, whose own
gradient is avg_pool again.
"""

from __future__ import annotations

from dfc.ir.graph import Op

CONV_KEYS = ("strides", "padding", "dilations", "explicit_paddings", "groups")
POOL_KEYS = ("ksize", "strides", "padding", "explicit_paddings")


def _attrs(op: Op, keys: tuple[str, ...]) -> dict:
    return {k: op.attrs[k] for k in keys if k in op.attrs}


def _shape(v) -> list[int]:
    """A static shape as an `ints` attribute; an unknown batch is -1 (the ops take it from an operand)."""
    return [-1 if d is None else d for d in v.type.shape]


def _conv2d(op, g, b):
    x, w = op.inputs
    conv = _attrs(op, CONV_KEYS)
    return [b("conv2d_backprop_input", g, w, input_shape=_shape(x), **conv),
            b("conv2d_backprop_filter", x, g, filter_shape=_shape(w), **conv)]


def _conv2d_backprop_input(op, g, b):
    dy, w = op.inputs
    conv = _attrs(op, CONV_KEYS)
    return [b("conv2d", g, w, **conv), b("conv2d_backprop_filter", g, dy, filter_shape=_shape(w), **conv)]


def _conv2d_backprop_filter(op, g, b):
    x, dy = op.inputs
    conv = _attrs(op, CONV_KEYS)
    return [b("conv2d_backprop_input", dy, g, input_shape=_shape(x), **conv), b("conv2d", x, g, **conv)]


def _max_pool(op, g, b):
    return [b("max_pool_grad", op.inputs[0], g, **_attrs(op, POOL_KEYS))]


def _avg_pool(op, g, b):
    return [b("avg_pool_grad", g, input_shape=_shape(op.inputs[0]), **_attrs(op, POOL_KEYS))]


def _avg_pool_grad(op, g, b):
    return [b("avg_pool", g, **_attrs(op, POOL_KEYS))]


NN_VJP = {
    "dfc.conv2d": _conv2d,
    "dfc.conv2d_backprop_input": _conv2d_backprop_input,
    "dfc.conv2d_backprop_filter": _conv2d_backprop_filter,
    "dfc.max_pool": _max_pool,
    "dfc.avg_pool": _avg_pool,
    "dfc.avg_pool_grad": _avg_pool_grad,
}

NN_NO_RULE = {
    "dfc.max_pool_grad": "second derivatives of max_pool (TF's MaxPoolGradGrad) are not implemented",
}
