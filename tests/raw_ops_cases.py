"""Calls of tf.raw_ops.<Op>(**kwargs) whose results TF 2.21 recorded (tests/record_tf1_names_extra.py) and dfc's
tf.raw_ops must reproduce (tests/test_tf1_names_extra.py). Shared by both; imports neither TF nor dfc.

Each case is (case name, raw op, keyword arguments): numpy arrays and Python values, given to both as they are.
"""

from __future__ import annotations

import numpy as np

_rng = np.random.default_rng(20260101)


def _f(*shape: int) -> np.ndarray:
    return _rng.standard_normal(shape).astype(np.float32)


def _pos(*shape: int) -> np.ndarray:
    return (_rng.random(shape) * 2 + 0.1).astype(np.float32)


def _unit(*shape: int) -> np.ndarray:
    return (_rng.random(shape) * 1.6 - 0.8).astype(np.float32)


A, B, V = _f(3, 4), _f(4, 5), _f(3, 4)
IMG, FILT = _f(2, 6, 6, 3), _f(3, 3, 3, 4)
I32 = np.array([[5, -7, 3], [-8, 9, 2]], np.int32)
I32B = np.array([[2, 3, -2], [3, -4, 5]], np.int32)

UNARY = {"Abs": A, "Acos": _unit(3, 4), "Asin": _unit(3, 4), "Atan": A, "Ceil": A, "Cos": A, "Cosh": A,
         "Digamma": _pos(3, 4), "Erf": A, "Erfc": A, "Exp": A, "Expm1": A, "Floor": A, "Inv": _pos(3, 4),
         "IsFinite": np.array([1.0, np.inf, np.nan], np.float32), "IsInf": np.array([1.0, -np.inf, np.nan], np.float32),
         "IsNan": np.array([1.0, np.inf, np.nan], np.float32), "Lgamma": _pos(3, 4), "Log": _pos(3, 4),
         "Log1p": _pos(3, 4), "Neg": A, "Reciprocal": _pos(3, 4), "Rint": np.array([0.5, 1.5, 2.5, -0.5], np.float32),
         "Round": np.array([0.5, 1.5, 2.5, -0.5], np.float32), "Rsqrt": _pos(3, 4), "Sigmoid": A, "Sign": A, "Sin": A,
         "Sinh": A, "Sqrt": _pos(3, 4), "Square": A, "Tan": _unit(3, 4), "Tanh": A}
ACTIVATIONS = ("Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign")
BINARY = ("Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "Maximum", "Minimum", "SquaredDifference", "Atan2",
          "DivNoNan", "Xdivy", "Xlogy", "Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual")
INT_BINARY = ("FloorDiv", "FloorMod", "TruncateDiv", "Div", "Add", "Mul", "Maximum")

CASES: list[tuple[str, str, dict]] = []
CASES += [(f"unary_{op}", op, {"x": x}) for op, x in UNARY.items()]
CASES += [(f"act_{op}", op, {"features": A}) for op in ACTIVATIONS]
CASES += [(f"bin_{op}", op, {"x": A, "y": V if op not in ("Xdivy", "Xlogy", "Atan2") else np.abs(V) + 0.5})
          for op in BINARY]
CASES += [(f"int_{op}", op, {"x": I32, "y": I32B}) for op in INT_BINARY]
CASES += [
    ("Pow", "Pow", {"x": _pos(3, 4), "y": A}),
    ("LogicalAnd", "LogicalAnd", {"x": np.array([True, True, False]), "y": np.array([True, False, False])}),
    ("LogicalOr", "LogicalOr", {"x": np.array([True, True, False]), "y": np.array([True, False, False])}),
    ("LogicalNot", "LogicalNot", {"x": np.array([True, False])}),
    ("LeakyRelu", "LeakyRelu", {"features": A, "alpha": 0.3}),
    ("MatMul", "MatMul", {"a": A, "b": B}),
    ("MatMul_t", "MatMul", {"a": A, "b": _f(5, 4), "transpose_b": True}),
    ("MatMul_ta", "MatMul", {"a": _f(4, 3), "b": B, "transpose_a": True}),
    ("BatchMatMulV2", "BatchMatMulV2", {"x": _f(2, 3, 4), "y": _f(4, 2), "adj_y": False}),
    ("BatchMatMul", "BatchMatMul", {"x": _f(2, 3, 4), "y": _f(2, 3, 4), "adj_x": True}),
    ("Softmax", "Softmax", {"logits": A}),
    ("LogSoftmax", "LogSoftmax", {"logits": A}),
    ("BiasAdd", "BiasAdd", {"value": IMG, "bias": _f(3)}),
    ("BiasAdd_nchw", "BiasAdd", {"value": _f(2, 3, 4, 4), "bias": _f(3), "data_format": "NCHW"}),
    ("BiasAddV1", "BiasAddV1", {"value": A, "bias": _f(4)}),
    ("Conv2D", "Conv2D", {"input": IMG, "filter": FILT, "strides": [1, 1, 1, 1], "padding": "SAME"}),
    ("Conv2D_valid", "Conv2D", {"input": IMG, "filter": FILT, "strides": [1, 2, 2, 1], "padding": "VALID",
                                "dilations": [1, 1, 1, 1]}),
    ("DepthwiseConv2dNative", "DepthwiseConv2dNative", {"input": IMG, "filter": _f(3, 3, 3, 2),
                                                        "strides": [1, 1, 1, 1], "padding": "VALID"}),
    ("MaxPool", "MaxPool", {"input": IMG, "ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "VALID"}),
    ("AvgPool", "AvgPool", {"value": IMG, "ksize": [1, 3, 3, 1], "strides": [1, 2, 2, 1], "padding": "SAME"}),
    ("L2Loss", "L2Loss", {"t": A}),
    ("LRN", "LRN", {"input": IMG, "depth_radius": 1, "bias": 2.0, "alpha": 0.5, "beta": 0.75}),
    ("SoftmaxCrossEntropyWithLogits", "SoftmaxCrossEntropyWithLogits",
     {"features": A, "labels": np.eye(4, dtype=np.float32)[[0, 2, 3]]}),
    ("SparseSoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits",
     {"features": A, "labels": np.array([1, 0, 3], np.int32)}),
    ("Reshape", "Reshape", {"tensor": A, "shape": [2, -1]}),
    ("Transpose", "Transpose", {"x": _f(2, 3, 4), "perm": [2, 0, 1]}),
    ("ConcatV2", "ConcatV2", {"values": [A, V], "axis": 1}),
    ("Pack", "Pack", {"values": [A, V], "axis": 1}),
    ("Unpack", "Unpack", {"value": A, "num": 4, "axis": 1}),
    ("GatherV2", "GatherV2", {"params": A, "indices": np.array([2, 0, 2], np.int32), "axis": 0}),
    ("GatherV2_axis1", "GatherV2", {"params": A, "indices": np.array([[3, 1]], np.int64), "axis": 1}),
    ("GatherNd", "GatherNd", {"params": A, "indices": np.array([[0, 1], [2, 3]], np.int32)}),
    ("ScatterNd", "ScatterNd", {"indices": np.array([[1], [3]], np.int32), "updates": _f(2, 3),
                                "shape": np.array([5, 3], np.int32)}),
    ("Sum", "Sum", {"input": A, "axis": 1}),
    ("Sum_keep", "Sum", {"input": A, "axis": [0, 1], "keep_dims": True}),
    ("Mean", "Mean", {"input": A, "axis": 0}),
    ("Max", "Max", {"input": A, "axis": 1}),
    ("Min", "Min", {"input": A, "axis": -1, "keep_dims": True}),
    ("Prod", "Prod", {"input": A, "axis": 0}),
    ("All", "All", {"input": A > 0, "axis": 1}),
    ("Any", "Any", {"input": A > 0, "axis": 0}),
    ("EuclideanNorm", "EuclideanNorm", {"input": A, "axis": 1}),
    ("ArgMax", "ArgMax", {"input": A, "dimension": 1}),
    ("ArgMin", "ArgMin", {"input": A, "dimension": 0, "output_type": "int32"}),
    ("Cast", "Cast", {"x": A * 3, "DstT": "int32"}),
    ("Identity", "Identity", {"input": A}),
    ("StopGradient", "StopGradient", {"input": A}),
    ("Snapshot", "Snapshot", {"input": A}),
    ("ZerosLike", "ZerosLike", {"x": A}),
    ("OnesLike", "OnesLike", {"x": I32}),
    ("Shape", "Shape", {"input": IMG}),
    ("Shape64", "Shape", {"input": IMG, "out_type": "int64"}),
    ("Size", "Size", {"input": IMG}),
    ("Rank", "Rank", {"input": IMG}),
    ("Squeeze", "Squeeze", {"input": _f(1, 3, 1, 2)}),
    ("Squeeze_axis", "Squeeze", {"input": _f(1, 3, 1, 2), "axis": [2]}),
    ("ExpandDims", "ExpandDims", {"input": A, "axis": -1}),
    ("Fill", "Fill", {"dims": [2, 3], "value": np.float32(1.5)}),
    ("Tile", "Tile", {"input": A, "multiples": [2, 1]}),
    ("Pad", "Pad", {"input": A, "paddings": [[1, 0], [0, 2]]}),
    ("PadV2", "PadV2", {"input": A, "paddings": [[1, 0], [0, 2]], "constant_values": np.float32(-1)}),
    ("MirrorPad", "MirrorPad", {"input": A, "paddings": [[1, 1], [2, 0]], "mode": "REFLECT"}),
    ("Slice", "Slice", {"input": A, "begin": [1, 0], "size": [2, -1]}),
    ("StridedSlice", "StridedSlice", {"input": _f(4, 5, 6), "begin": [1, 0, 2], "end": [3, 5, 0],
                                      "strides": [1, 2, -1], "end_mask": 4, "shrink_axis_mask": 0}),
    ("StridedSlice_shrink", "StridedSlice", {"input": A, "begin": [1, 0], "end": [2, 4], "strides": [1, 1],
                                             "shrink_axis_mask": 1}),
    ("Range", "Range", {"start": 2, "limit": 11, "delta": 3}),
    ("OneHot", "OneHot", {"indices": np.array([0, 2, 1], np.int32), "depth": 4, "on_value": np.float32(5),
                          "off_value": np.float32(-1)}),
    ("TopKV2", "TopKV2", {"input": A, "k": 2}),
    ("Split", "Split", {"axis": 1, "value": A, "num_split": 2}),
    ("SplitV", "SplitV", {"value": A, "size_splits": [1, 3], "axis": 1, "num_split": 2}),
    ("Select", "Select", {"condition": np.array([True, False, True]), "x": A, "y": V}),
    ("SelectV2", "SelectV2", {"condition": np.array([True, False, True, False]), "t": A, "e": V}),
    ("Cumsum", "Cumsum", {"x": A, "axis": 1, "exclusive": True}),
    ("Cumprod", "Cumprod", {"x": A, "axis": 0, "reverse": True}),
    ("ReverseV2", "ReverseV2", {"tensor": A, "axis": [1]}),
    ("AddN", "AddN", {"inputs": [A, V, A]}),
    ("Einsum", "Einsum", {"inputs": [A, B], "equation": "ij,jk->ik"}),
    ("BroadcastTo", "BroadcastTo", {"input": _f(1, 4), "shape": [3, 4]}),
    ("ClipByValue", "ClipByValue", {"t": A, "clip_value_min": np.float32(-0.5), "clip_value_max": np.float32(0.5)}),
    ("InvertPermutation", "InvertPermutation", {"x": np.array([2, 0, 3, 1], np.int32)}),
    ("Where", "Where", {"condition": A > 0}),
    ("Unique", "Unique", {"x": np.array([3, 1, 3, 2, 1], np.int32)}),
    ("MatrixInverse", "MatrixInverse", {"input": _f(3, 3) + 3 * np.eye(3, dtype=np.float32)}),
    ("Cholesky", "Cholesky", {"input": (lambda m: m @ m.T + np.eye(3, dtype=np.float32))(_f(3, 3))}),
    ("MatrixDeterminant", "MatrixDeterminant", {"input": _f(2, 3, 3)}),
    ("Diag", "Diag", {"diagonal": _f(3)}),
    ("MatrixDiag", "MatrixDiag", {"diagonal": _f(2, 3)}),
    ("MatrixBandPart", "MatrixBandPart", {"input": _f(4, 4), "num_lower": 1, "num_upper": 0}),
    ("SegmentSum", "SegmentSum", {"data": A, "segment_ids": np.array([0, 0, 1], np.int32)}),
    ("UnsortedSegmentSum", "UnsortedSegmentSum", {"data": A, "segment_ids": np.array([2, 0, 2], np.int32),
                                                  "num_segments": 3}),
    ("DepthToSpace", "DepthToSpace", {"input": _f(1, 2, 2, 4), "block_size": 2}),
    ("SpaceToDepth", "SpaceToDepth", {"input": _f(1, 4, 4, 2), "block_size": 2}),
    ("ReverseSequence", "ReverseSequence", {"input": _f(2, 4, 3), "seq_lengths": np.array([3, 1], np.int64),
                                            "seq_dim": 1, "batch_dim": 0}),
    ("Roll", "Roll", {"input": A, "shift": 1, "axis": 1}),
    ("LinSpace", "LinSpace", {"start": np.float32(0), "stop": np.float32(1), "num": 5}),
    ("ResizeBilinear", "ResizeBilinear", {"images": IMG, "size": [4, 9]}),
    ("ResizeBilinear_hp", "ResizeBilinear", {"images": IMG, "size": [4, 9], "half_pixel_centers": True}),
    ("ResizeNearestNeighbor", "ResizeNearestNeighbor", {"images": IMG, "size": [3, 8], "align_corners": True}),
    ("Conv2DBackpropInput", "Conv2DBackpropInput", {"input_sizes": [2, 6, 6, 3], "filter": FILT,
                                                    "out_backprop": _f(2, 6, 6, 4), "strides": [1, 1, 1, 1],
                                                    "padding": "SAME"}),
]

#: raw ops whose outputs are a list of tensors (TF gives a list, not a tuple of named outputs)
LIST_OUTPUTS = ("Unpack", "Split", "SplitV")
