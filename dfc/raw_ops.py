"""tf.raw_ops: TF's ops under their own names (`tf.raw_ops.MatMul(a=x, b=w)`), keyword arguments only, as TF1.14+
scripts call them, built from dfc's functions for the ops dfc has.

Each op's arguments, defaults and named outputs are TF 2.21's (tests/test_tf1_names_extra.py checks them against
a recording). A raw op of TensorFlow's that dfc lacks is an AttributeError naming why; `raw_op_names.txt` lists
TF's raw ops, so a name TF lacks too is TF's plain AttributeError.
"""

from __future__ import annotations

import ast
import builtins
import collections
import keyword
import pathlib
import re
import typing as _t  # not `from typing import Any`: the module's names are its raw ops (tf.raw_ops.Any)
from collections.abc import Callable

__all__: list[str] = []  # the ops are module attributes, made when first read

_REQUIRED = object()
#: TF's Python function names that its rule (a builtin's or keyword's name gets a leading '_') does not give
_FN_NAMES = {"ClipByValue": "_clip_by_value", "Round": "round"}


def _snake(op: str) -> str:
    """TF's Python function name of raw op `op` (MatMul: mat_mul, Conv2D: conv2d, BiasAddV1: bias_add_v1)."""
    if op in _FN_NAMES:
        return _FN_NAMES[op]
    s = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[0-9])(?=[A-Z][a-z])", "_", op).lower()
    return f"_{s}" if hasattr(builtins, s) or keyword.iskeyword(s) else s


def _parse(params: str) -> list[tuple[str, _t.Any]]:
    """'a, b, transpose_a=False' -> [('a', required), ('b', required), ('transpose_a', False)], with name last."""
    out: list[tuple[str, _t.Any]] = []
    for part in filter(None, (p.strip() for p in params.split(";"))):
        key, eq, default = part.partition("=")
        out.append((key.strip(), ast.literal_eval(default.strip()) if eq else _REQUIRED))
    return out + [("name", None)]


def _plural(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


class RawOp:
    """One tf.raw_ops function: keyword arguments only, checked as TF's generated function checks them."""

    def __init__(self, op: str, params: str, build: Callable[..., _t.Any], outputs: tuple[str, ...] = ()):
        self.op, self.params, self._build = op, _parse(params), build
        self.__name__ = self.__qualname__ = _snake(op)
        self.outputs = collections.namedtuple(op, outputs) if outputs else None

    def __call__(self, *args: _t.Any, **kwargs: _t.Any) -> _t.Any:
        keys = [k for k, _ in self.params]
        if args:
            raise TypeError(f"{self.__name__} only takes keyword args (possible keys: {keys}). Please pass these "
                            f"args as kwargs instead.")
        for key in kwargs:
            if key not in keys:
                raise TypeError(f"{self.__name__}() got an unexpected keyword argument '{key}'")
        missing = [k for k, d in self.params if d is _REQUIRED and k not in kwargs]
        if missing:
            s = "s" if len(missing) > 1 else ""
            raise TypeError(f"{self.__name__}() missing {len(missing)} required positional argument{s}: "
                            f"{_plural(missing)}")
        values = {k: kwargs.get(k, d) for k, d in self.params}
        result = self._build(**values)
        return self.outputs(*result) if self.outputs is not None else result

    def __repr__(self) -> str:
        return f"<tf.raw_ops.{self.op}>"


def _named(fn: Callable, name: str | None, *args: _t.Any, **kwargs: _t.Any) -> _t.Any:
    """fn(*args, **kwargs), with name= only when the caller gave one (dfc's functions have their own defaults)."""
    return fn(*args, **kwargs) if name is None else fn(*args, name=name, **kwargs)


def _table() -> dict[str, RawOp]:  # long: one row per raw op
    import dfc as tf
    from dfc import nn

    ops: dict[str, RawOp] = {}

    def op(name: str, params: str, build: Callable[..., _t.Any], outputs: tuple[str, ...] = ()) -> None:
        ops[name] = RawOp(name, params, build, outputs)

    def same(name: str, fn: Callable, params: str) -> None:
        """A raw op whose arguments, in order, are fn's own."""
        keys = [k for k, _ in _parse(params)][:-1]
        op(name, params, lambda name=None, **kw: _named(fn, name, *[kw[k] for k in keys]))

    unary = {"Abs": tf.abs, "Acos": tf.acos, "Asin": tf.asin, "Atan": tf.atan, "Ceil": tf.ceil, "Cos": tf.cos,
             "Cosh": tf.cosh, "Digamma": tf.digamma, "Erf": tf.erf, "Erfc": tf.erfc, "Exp": tf.exp,
             "Expm1": tf.expm1, "Floor": tf.floor, "Inv": tf.reciprocal, "IsFinite": tf.is_finite,
             "IsInf": tf.is_inf, "IsNan": tf.is_nan, "Lgamma": tf.lgamma, "Log": tf.log, "Log1p": tf.log1p,
             "Neg": tf.negative, "Reciprocal": tf.reciprocal, "Rint": tf.rint, "Round": tf.round, "Rsqrt": tf.rsqrt,
             "Sigmoid": tf.sigmoid, "Sign": tf.sign, "Sin": tf.sin, "Sinh": tf.sinh, "Sqrt": tf.sqrt,
             "Square": tf.square, "Tan": tf.tan, "Tanh": tf.tanh, "LogicalNot": tf.logical_not,
             "ZerosLike": tf.zeros_like, "OnesLike": tf.ones_like, "InvertPermutation": tf.invert_permutation}
    for name, fn in unary.items():
        same(name, fn, "x")
    for name, fn in {"Relu": nn.relu, "Relu6": nn.relu6, "Elu": nn.elu, "Selu": nn.selu, "Softplus": nn.softplus,
                     "Softsign": nn.softsign}.items():
        same(name, fn, "features")
    for name, fn in {"Identity": tf.identity, "StopGradient": tf.stop_gradient, "Snapshot": tf.identity,
                     "Rank": tf.rank, "Cholesky": tf.cholesky, "MatrixDeterminant": tf.matrix_determinant}.items():
        same(name, fn, "input")
    binary = {"Add": tf.add, "AddV2": tf.add, "Sub": tf.subtract, "Mul": tf.multiply, "RealDiv": tf.realdiv,
              "Maximum": tf.maximum, "Minimum": tf.minimum, "Pow": tf.pow, "SquaredDifference": tf.squared_difference,
              "DivNoNan": tf.div_no_nan, "Xdivy": tf.math.xdivy, "Xlogy": tf.math.xlogy, "Less": tf.less,
              "LessEqual": tf.less_equal, "Greater": tf.greater, "GreaterEqual": tf.greater_equal,
              "LogicalAnd": tf.logical_and, "LogicalOr": tf.logical_or, "FloorDiv": tf.floordiv,
              "FloorMod": tf.floormod, "TruncateDiv": tf.truncatediv, "Mod": tf.mod}
    for name, fn in binary.items():
        same(name, fn, "x; y")
    op("Div", "x; y", lambda x, y, name=None: _named(
        tf.truncatediv if not tf.convert_to_tensor(x).dtype.is_floating else tf.realdiv, name, x, y))
    same("Atan2", tf.atan2, "y; x")
    for name, fn in {"Equal": tf.equal, "NotEqual": tf.not_equal}.items():
        op(name, "x; y; incompatible_shape_error=True",
           lambda x, y, incompatible_shape_error, name=None, fn=fn: _named(fn, name, x, y))
    op("LeakyRelu", "features; alpha=0.2", lambda features, alpha, name=None: _named(nn.leaky_relu, name, features,
                                                                                      alpha=alpha))
    same("Softmax", nn.softmax, "logits")
    same("LogSoftmax", nn.log_softmax, "logits")
    same("L2Loss", nn.l2_loss, "t")
    same("AddN", tf.add_n, "inputs")
    same("Diag", tf.diag, "diagonal")
    same("MatrixDiag", tf.matrix_diag, "diagonal")

    def matmul(a, b, transpose_a, transpose_b, grad_a, grad_b, name=None):
        return _named(tf.matmul, name, a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    op("MatMul", "a; b; transpose_a=False; transpose_b=False; grad_a=False; grad_b=False", matmul)

    def batch_matmul(x, y, adj_x, adj_y, grad_x, grad_y, name=None):
        return _named(tf.matmul, name, x, y, adjoint_a=adj_x, adjoint_b=adj_y)
    for name in ("BatchMatMul", "BatchMatMulV2"):
        op(name, "x; y; adj_x=False; adj_y=False; grad_x=False; grad_y=False", batch_matmul)

    op("BiasAdd", "value; bias; data_format='NHWC'", lambda value, bias, data_format, name=None: _named(
        nn.bias_add, name, value, bias, data_format=data_format))
    same("BiasAddV1", nn.bias_add, "value; bias")

    def conv2d(input, filter, strides, padding, use_cudnn_on_gpu, explicit_paddings, data_format, dilations,
               name=None):
        if padding == "EXPLICIT":
            # TF's Conv2D pads by explicit_paddings first: the same as a zero pad then a VALID convolution
            input, padding = tf.pad(input, [explicit_paddings[i:i + 2] for i in range(0, 8, 2)]), "VALID"
        return _named(nn.conv2d, name, input, filter, strides=strides, padding=padding, data_format=data_format,
                      dilations=dilations)
    op("Conv2D", "input; filter; strides; padding; use_cudnn_on_gpu=True; explicit_paddings=[]; "
       "data_format='NHWC'; dilations=[1, 1, 1, 1]", conv2d)

    def conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding, use_cudnn_on_gpu,
                              explicit_paddings, data_format, dilations, name=None):
        return _named(nn.conv2d_backprop_input, name, input_sizes, filter, out_backprop, strides=strides,
                      padding=padding, data_format=data_format, dilations=dilations)
    op("Conv2DBackpropInput", "input_sizes; filter; out_backprop; strides; padding; use_cudnn_on_gpu=True; "
       "explicit_paddings=[]; data_format='NHWC'; dilations=[1, 1, 1, 1]", conv2d_backprop_input)

    def depthwise(input, filter, strides, padding, explicit_paddings, data_format, dilations, name=None):
        return _named(nn.depthwise_conv2d_native, name, input, filter, strides, padding, data_format=data_format,
                      dilations=dilations)
    op("DepthwiseConv2dNative", "input; filter; strides; padding; explicit_paddings=[]; data_format='NHWC'; "
       "dilations=[1, 1, 1, 1]", depthwise)
    op("Conv3D", "input; filter; strides; padding; data_format='NDHWC'; dilations=[1, 1, 1, 1, 1]",
       lambda input, filter, strides, padding, data_format, dilations, name=None: _named(
           nn.conv3d, name, input, filter, strides=strides, padding=padding, data_format=data_format,
           dilations=dilations))
    op("MaxPool", "input; ksize; strides; padding; explicit_paddings=[]; data_format='NHWC'",
       lambda input, ksize, strides, padding, explicit_paddings, data_format, name=None: _named(
           nn.max_pool, name, input, ksize, strides, padding, data_format=data_format))
    op("AvgPool", "value; ksize; strides; padding; data_format='NHWC'",
       lambda value, ksize, strides, padding, data_format, name=None: _named(
           nn.avg_pool, name, value, ksize, strides, padding, data_format=data_format))
    for name, fn in {"MaxPool3D": nn.max_pool3d, "AvgPool3D": nn.avg_pool3d}.items():
        op(name, "input; ksize; strides; padding; data_format='NDHWC'",
           lambda input, ksize, strides, padding, data_format, name=None, fn=fn: _named(
               fn, name, input, ksize, strides, padding, data_format=data_format))
    op("LRN", "input; depth_radius=5; bias=1; alpha=1; beta=0.5",
       lambda input, depth_radius, bias, alpha, beta, name=None: _named(
           nn.lrn, name, input, depth_radius=depth_radius, bias=bias, alpha=alpha, beta=beta))

    def softmax_xent(features, labels, name=None):
        # TF's kernel gives the loss and its gradient with respect to the logits
        loss = _named(nn.softmax_cross_entropy_with_logits_v2, name, labels=labels, logits=features)
        return loss, nn.softmax(features) - labels
    op("SoftmaxCrossEntropyWithLogits", "features; labels", softmax_xent, ("loss", "backprop"))

    def sparse_softmax_xent(features, labels, name=None):
        loss = _named(nn.sparse_softmax_cross_entropy_with_logits, name, labels=labels, logits=features)
        depth = tf.shape(features)[-1]
        return loss, nn.softmax(features) - tf.one_hot(labels, depth, dtype=tf.convert_to_tensor(features).dtype)
    op("SparseSoftmaxCrossEntropyWithLogits", "features; labels", sparse_softmax_xent, ("loss", "backprop"))

    same("Reshape", tf.reshape, "tensor; shape")
    same("Transpose", tf.transpose, "x; perm")
    op("ConcatV2", "values; axis", lambda values, axis, name=None: _named(tf.concat, name, list(values), axis))
    op("Pack", "values; axis=0", lambda values, axis, name=None: _named(tf.stack, name, list(values), axis=axis))
    op("Unpack", "value; num; axis=0", lambda value, num, axis, name=None: _named(
        tf.unstack, name, value, num=num, axis=axis))

    def gather_v2(params, indices, axis, batch_dims, name=None):
        if batch_dims != 0:
            raise NotImplementedError(f"tf.raw_ops.GatherV2 with batch_dims={batch_dims}: dfc's gather has no "
                                      f"batch dimensions (tf.gather_nd's batch_dims does)")
        return _named(tf.gather, name, params, indices, axis=axis)
    op("GatherV2", "params; indices; axis; batch_dims=0", gather_v2)
    op("GatherNd", "params; indices; bad_indices_policy=''", lambda params, indices, bad_indices_policy, name=None:
       _named(tf.gather_nd, name, params, indices))
    op("ScatterNd", "indices; updates; shape; bad_indices_policy=''",
       lambda indices, updates, shape, bad_indices_policy, name=None: _named(tf.scatter_nd, name, indices, updates,
                                                                             shape))
    for name, fn in {"Sum": tf.reduce_sum, "Mean": tf.reduce_mean, "Max": tf.reduce_max, "Min": tf.reduce_min,
                     "Prod": tf.reduce_prod, "All": tf.reduce_all, "Any": tf.reduce_any,
                     "EuclideanNorm": tf.math.reduce_euclidean_norm}.items():
        op(name, "input; axis; keep_dims=False", lambda input, axis, keep_dims, name=None, fn=fn: _named(
            fn, name, input, axis=axis, keepdims=keep_dims))
    for name, fn in {"ArgMax": tf.argmax, "ArgMin": tf.argmin}.items():
        op(name, "input; dimension; output_type='int64'", lambda input, dimension, output_type, name=None, fn=fn:
           _named(fn, name, input, axis=dimension, output_type=output_type))
    op("Cast", "x; DstT; Truncate=False", lambda x, DstT, Truncate, name=None: _named(tf.cast, name, x, DstT))
    for name, fn in {"Shape": tf.shape, "Size": tf.size}.items():
        op(name, "input; out_type='int32'", lambda input, out_type, name=None, fn=fn: _named(
            fn, name, input, out_type=out_type))
    op("Squeeze", "input; axis=[]", lambda input, axis, name=None: _named(
        tf.squeeze, name, input, axis=list(axis) or None))
    same("ExpandDims", tf.expand_dims, "input; axis")
    same("Fill", tf.fill, "dims; value")
    same("Tile", tf.tile, "input; multiples")
    same("Pad", tf.pad, "input; paddings")
    op("PadV2", "input; paddings; constant_values", lambda input, paddings, constant_values, name=None: _named(
        tf.pad, name, input, paddings, constant_values=constant_values))
    op("MirrorPad", "input; paddings; mode", lambda input, paddings, mode, name=None: _named(
        tf.pad, name, input, paddings, mode=mode))
    same("Slice", tf.slice, "input; begin; size")

    def strided_slice(input, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                      shrink_axis_mask, name=None):
        return _named(tf.strided_slice, name, input, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask,
                      ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask)
    op("StridedSlice", "input; begin; end; strides; begin_mask=0; end_mask=0; ellipsis_mask=0; new_axis_mask=0; "
       "shrink_axis_mask=0", strided_slice)
    same("Range", tf.range, "start; limit; delta")
    op("OneHot", "indices; depth; on_value; off_value; axis=-1", lambda indices, depth, on_value, off_value, axis,
       name=None: _named(tf.one_hot, name, indices, depth, on_value=on_value, off_value=off_value, axis=axis))

    def top_k(input, k, sorted, index_type, name=None):
        values, indices = _named(nn.top_k, name, input, k=k, sorted=sorted)
        return values, indices if tf.as_dtype(index_type) == indices.dtype else tf.cast(indices, index_type)
    op("TopKV2", "input; k; sorted=True; index_type='int32'", top_k, ("values", "indices"))
    op("Split", "axis; value; num_split", lambda axis, value, num_split, name=None: _named(
        tf.split, name, value, num_split, axis=axis))
    op("SplitV", "value; size_splits; axis; num_split", lambda value, size_splits, axis, num_split, name=None:
       _named(tf.split, name, value, size_splits, axis=axis, num=num_split))
    same("Select", tf.where, "condition; x; y")
    same("SelectV2", tf.where_v2, "condition; t; e")
    for name, fn in {"Cumsum": tf.cumsum, "Cumprod": tf.cumprod}.items():
        op(name, "x; axis; exclusive=False; reverse=False", lambda x, axis, exclusive, reverse, name=None, fn=fn:
           _named(fn, name, x, axis=axis, exclusive=exclusive, reverse=reverse))
    same("ReverseV2", tf.reverse, "tensor; axis")
    op("Einsum", "inputs; equation", lambda inputs, equation, name=None: _named(tf.einsum, name, equation,
                                                                                 *inputs))
    same("BroadcastTo", tf.broadcast_to, "input; shape")
    same("ClipByValue", tf.clip_by_value, "t; clip_value_min; clip_value_max")
    same("CheckNumerics", tf.check_numerics, "tensor; message")
    op("Where", "condition", lambda condition, name=None: _named(tf.where, name, condition))
    op("Unique", "x; out_idx='int32'", lambda x, out_idx, name=None: _named(tf.unique, name, x, out_idx=out_idx),
       ("y", "idx"))
    op("MatrixInverse", "input; adjoint=False", lambda input, adjoint, name=None: _named(
        tf.matrix_inverse, name, input, adjoint=adjoint))
    same("MatrixBandPart", tf.matrix_band_part, "input; num_lower; num_upper")
    op("Qr", "input; full_matrices=False", lambda input, full_matrices, name=None: _named(
        tf.qr, name, input, full_matrices=full_matrices), ("q", "r"))
    same("SegmentSum", tf.segment_sum, "data; segment_ids")
    same("UnsortedSegmentSum", tf.unsorted_segment_sum, "data; segment_ids; num_segments")
    for name, fn in {"DepthToSpace": tf.depth_to_space, "SpaceToDepth": tf.space_to_depth}.items():
        op(name, "input; block_size; data_format='NHWC'", lambda input, block_size, data_format, name=None, fn=fn:
           _named(fn, name, input, block_size, data_format=data_format))
    op("ReverseSequence", "input; seq_lengths; seq_dim; batch_dim=0", lambda input, seq_lengths, seq_dim, batch_dim,
       name=None: _named(tf.reverse_sequence, name, input, seq_lengths, seq_axis=seq_dim, batch_axis=batch_dim))
    same("Roll", tf.roll, "input; shift; axis")
    same("LinSpace", tf.linspace, "start; stop; num")
    for name, fn in {"ResizeBilinear": tf.image.resize_bilinear,
                     "ResizeNearestNeighbor": tf.image.resize_nearest_neighbor}.items():
        op(name, "images; size; align_corners=False; half_pixel_centers=False",
           lambda images, size, align_corners, half_pixel_centers, name=None, fn=fn: _named(
               fn, name, images, size, align_corners=align_corners, half_pixel_centers=half_pixel_centers))
    op("NoOp", "", lambda name=None: _named(tf.no_op, name))
    op("Placeholder", "dtype; shape=None", lambda dtype, shape, name=None: _named(tf.placeholder, name, dtype,
                                                                                   shape))
    return ops


_OPS: dict[str, RawOp] | None = None
_TF_NAMES: frozenset[str] | None = None


def _tf_names() -> frozenset[str]:
    global _TF_NAMES
    if _TF_NAMES is None:
        text = (pathlib.Path(__file__).with_name("raw_op_names.txt")).read_text()
        _TF_NAMES = frozenset(line.strip() for line in text.splitlines() if line.strip() and line[0] != "#")
    return _TF_NAMES


def provided() -> dict[str, RawOp]:
    """The raw ops dfc has, by name."""
    global _OPS
    if _OPS is None:
        _OPS = _table()
    return _OPS


def __getattr__(name: str) -> _t.Any:
    if name.startswith("__"):
        raise AttributeError(name)
    ops = provided()
    if name in ops:
        return ops[name]
    if name in _tf_names():
        raise AttributeError(f"module 'dfc.raw_ops' has no attribute '{name}': TensorFlow's raw op {name} has no "
                             f"counterpart in dfc")
    raise AttributeError(f"module 'dfc.raw_ops' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(provided())
