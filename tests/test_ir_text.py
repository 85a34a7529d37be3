"""The IR's text form: print -> parse -> print is the identity for every op (dense constants, parse errors,
lenient input and mlir-opt's agreement: test_ir_text_parsing.py)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from dfc.ir import dtypes as dt
from dfc.ir.builder import create_op
from dfc.ir.dtypes import bool_
from dfc.ir.graph import Block, Graph, Location, Op
from dfc.ir.ops import REGISTRY
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph, print_op
from dfc.ir.types import CONTROL, TensorType
from dfc.ir.verifier import verify

LOC = Location("model.py", 3, 5)


def T(dtype, *shape):
    return TensorType(dtype, shape)


def F(*shape):
    return TensorType(dt.f32, shape)


# ---- one example per op ------------------------------------------------------------------------
# op -> (operand types, attrs, stated result types or None), or a function that builds the graph.
# The lists below are written out (not read from the registry) so that a new op fails
# test_every_op_has_an_example until someone adds it here.
UNARY_FLOAT = ["exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tanh", "sigmoid",
               "floor", "ceil", "round", "atan", "asin", "acos", "erf", "erfc"]
UNARY_NUMERIC = ["neg", "abs", "sign", "square", "relu", "identity", "stop_gradient"]
BINARY_NUMERIC = ["add", "sub", "mul", "div", "floordiv", "mod", "pow", "maximum", "minimum"]
COMPARISONS = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]
BINARY_BOOL = ["logical_and", "logical_or", "logical_xor"]
REDUCTIONS = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"]
BOOL_REDUCTIONS = ["reduce_any", "reduce_all"]


def _fused_example(g: Graph) -> None:
    """A fused kernel: the region reads its arguments (it is isolated from the enclosing block)."""
    a = create_op(g, "dfc.placeholder", name="a", result_types=[F(4)], loc=LOC).result
    b_outer = create_op(g, "dfc.placeholder", name="b", result_types=[F()], loc=LOC).result
    body = Block([F(4), F()], ["x", "y"])
    x, b = body.arguments
    c = Op("dfc.constant", "c", [], {"value": np.array(1.5, np.float32)}, [F()], loc=LOC)
    m = Op("dfc.mul", "m", [x, c.result], {}, [F(4)], loc=LOC)
    s = Op("dfc.sub", "s", [m.result, b], {}, [F(4)], loc=LOC)
    for op in (c, m, s, Op("dfc.yield", "yield", [s.result, m.result], {}, [])):
        body.append(op)
    fused = Op("dfc.fused", "fused", [a, b_outer], {"kind": "elementwise"}, [F(4), F(4)], loc=LOC, regions=[body])
    body.parent = fused
    g.append(fused)
    create_op(g, "dfc.fetch", fused.results, loc=LOC)


def _if_example(g: Graph) -> None:
    """A branch: each region takes every operand (the predicate first) and yields the results."""
    p = create_op(g, "dfc.placeholder", name="p", result_types=[TensorType(bool_, ())], loc=LOC).result
    a = create_op(g, "dfc.placeholder", name="a", result_types=[F(4)], loc=LOC).result
    regions = []
    for kind in ("dfc.neg", "dfc.exp"):
        body = Block([TensorType(bool_, ()), F(4)], ["q", "x"])
        inner = Op(kind, kind[4:], [body.arguments[1]], {}, [F(4)], loc=LOC)
        body.append(inner)
        body.append(Op("dfc.yield", f"yield_{kind[4:]}", [inner.result], {}, []))
        regions.append(body)
    branch = Op("dfc.if", "cond", [p, a], {}, [F(4)], loc=LOC, regions=regions)
    g.append(branch)
    create_op(g, "dfc.fetch", branch.results, loc=LOC)


def _while_example(g: Graph) -> None:
    """A loop: a loop variable and a captured value; cond yields a bool, body the next loop variable."""
    a = create_op(g, "dfc.placeholder", name="a", result_types=[F(4)], loc=LOC).result
    step = create_op(g, "dfc.placeholder", name="step", result_types=[F()], loc=LOC).result
    cond = Block([F(4), F()], ["x", "s"])
    total = Op("dfc.reduce_sum", "total", [cond.arguments[0]], {"axes": (0,), "keepdims": False}, [F()], loc=LOC)
    less = Op("dfc.less", "less", [total.result, cond.arguments[1]], {}, [TensorType(bool_, ())], loc=LOC)
    for op in (total, less, Op("dfc.yield", "yield_cond", [less.result], {}, [])):
        cond.append(op)
    body = Block([F(4), F()], ["x", "s"])
    add = Op("dfc.add", "add", [body.arguments[0], body.arguments[1]], {}, [F(4)], loc=LOC)
    body.append(add)
    body.append(Op("dfc.yield", "yield_body", [add.result], {}, []))
    loop = Op("dfc.while", "while", [a, step], {"num_vars": 1}, [F(4)], loc=LOC, regions=[cond, body])
    g.append(loop)
    create_op(g, "dfc.fetch", loop.results, loc=LOC)


def _custom_gradient_example(g: Graph) -> None:
    """tf.custom_gradient: y = x * x unchanged, and a gradient region (dy, x) -> dx = dy * 3."""
    a = create_op(g, "dfc.placeholder", name="a", result_types=[F(4)], loc=LOC).result
    y = create_op(g, "dfc.mul", [a, a], name="y", loc=LOC).result
    grad = Block([F(4), F(4)], ["dy", "x"])
    c = Op("dfc.constant", "three", [], {"value": np.array(3.0, np.float32)}, [F()], loc=LOC)
    dx = Op("dfc.mul", "dx", [grad.arguments[0], c.result], {}, [F(4)], loc=LOC)
    for op in (c, dx, Op("dfc.yield", "yield_grad", [dx.result], {}, [])):
        grad.append(op)
    custom = Op("dfc.custom_gradient", "IdentityN", [y, a], {"num_ys": 1, "num_xs": 1}, [F(4)], loc=LOC,
                regions=[grad])
    g.append(custom)
    create_op(g, "dfc.fetch", custom.results, loc=LOC)


EXAMPLES: dict[str, object] = {
    "dfc.custom_gradient": _custom_gradient_example,
    "dfc.if": _if_example,
    "dfc.while": _while_example,
    **{f"dfc.{n}": ([F(2, 3)], {}, None) for n in UNARY_FLOAT},
    **{f"dfc.{n}": ([T(dt.i32, 2, 3)], {}, None) for n in UNARY_NUMERIC},
    "dfc.logical_not": ([T(dt.bool_, 4)], {}, None),
    **{f"dfc.{n}": ([F(None, 3), F(3)], {}, None) for n in BINARY_NUMERIC},
    "dfc.atan2": ([F(2, 3), F(3)], {}, None),
    **{f"dfc.{n}": ([T(dt.i32, 2, 3), T(dt.i32, 3)], {}, None) for n in ("bitwise_and", "bitwise_or", "bitwise_xor",
                                                                          "left_shift", "right_shift")},
    "dfc.invert": ([T(dt.u8, 4)], {}, None),
    **{f"dfc.{n}": ([T(dt.i64, 2, 1), T(dt.i64, 4)], {}, None) for n in COMPARISONS},
    **{f"dfc.{n}": ([T(dt.bool_, 3), T(dt.bool_, 3)], {}, None) for n in BINARY_BOOL},
    **{f"dfc.{n}": ([F(2, None, 4)], {"axes": (0, -1), "keepdims": True}, None) for n in REDUCTIONS},
    **{f"dfc.{n}": ([T(dt.bool_, 2, 3)], {"axes": (1,), "keepdims": False}, None) for n in BOOL_REDUCTIONS},
    "dfc.select": ([T(dt.bool_, 3), F(3), F()], {}, None),
    "dfc.cast": ([F(3)], {"dtype": dt.bf16}, None),
    "dfc.matmul": ([F(None, 784), F(784, 100)], {"transpose_a": False, "transpose_b": False}, None),
    "dfc.argmax": ([F(5, 3)], {"axis": 1, "output_type": dt.i32}, None),
    "dfc.argmin": ([T(dt.i8, 5, 3)], {"axis": 0, "output_type": dt.i64}, None),
    "dfc.softmax": ([F(2, 10)], {"axis": -1}, None),
    "dfc.log_softmax": ([T(dt.f64, 2, 10)], {"axis": 1}, None),
    "dfc.reshape": ([F(2, 3, 4)], {"shape": (-1, 12)}, None),
    "dfc.transpose": ([F(2, 3, 4)], {"perm": (2, 0, 1)}, None),
    "dfc.expand_dims": ([F(2, 3)], {"axis": -1}, None),
    "dfc.squeeze": ([F(1, 3, 1)], {"axes": (0, 2)}, None),
    "dfc.concat": ([F(2, 3), F(2, 5), F(2, None)], {"axis": 1}, None),
    "dfc.split": ([F(6, 4)], {"axis": 0, "sizes": (1, 2, 3)}, None),
    "dfc.tile": ([F(2, 3)], {"multiples": (2, 1)}, None),
    "dfc.dynamic_reshape": ([F(2, 3, 4), T(dt.i32, 2)], {"hint": (-1, 12)}, None),
    "dfc.dynamic_fill": ([T(dt.i64, 3), F()], {"hint": ()}, None),
    "dfc.dynamic_range": ([T(dt.i32), T(dt.i32), T(dt.i32)], {"dtype": dt.i64}, None),
    "dfc.dynamic_nonzero": ([T(dt.bool_, 6), T(dt.i64)], {}, None),
    "dfc.dynamic_slice": ([F(4, 3), T(dt.i64, 2), T(dt.i64, 2)], {"strides": (1, 1), "hint": (-1, 3),
                                                                 "shrink": (), "end_is_size": True}, None),
    "dfc.unsorted_segment_sum": ([F(4, 3), T(dt.i32, 4)], {"num_segments": 6}, None),
    "dfc.dynamic_segment_sum": ([F(4, 3), T(dt.i64, 4), T(dt.i64)], {}, None),
    "dfc.dynamic_tile": ([F(2, 3), T(dt.i32, 2)], {"hint": (-1, 6)}, None),
    "dfc.cumsum": ([F(4, 3)], {"axis": 1, "exclusive": True}, None),
    "dfc.cumprod": ([T(dt.i32, 4, 3)], {"axis": -2, "reverse": True}, None),
    "dfc.assert": ([T(dt.bool_), F(3), T(dt.i32, 2)], {"parts": ["x > 0, 100% of", "%t", "%t"], "summarize": 2},
                   None),
    "dfc.check_numerics": ([F(2, 3)], {"message": "loss"}, None),
    "dfc.print": ([F(2, 3), T(dt.i32, 2)], {"parts": ["x is", "%t"], "first_n": 5, "site": 7, "sep": " ",
                                           "end": "!\n", "brackets": False}, None),
    "dfc.conv2d": ([F(1, 5, 5, 2), F(3, 3, 2, 4)], {"strides": (2, 1), "padding": "SAME", "dilations": (1, 1),
                                                    "explicit_paddings": (), "groups": 1}, None),
    "dfc.conv2d_backprop_input": ([F(1, 3, 5, 4), F(3, 3, 2, 4)], {"input_shape": (1, 5, 5, 2), "strides": (2, 1),
                                                                   "padding": "SAME", "dilations": (1, 1),
                                                                   "explicit_paddings": (), "groups": 1}, None),
    "dfc.conv2d_backprop_filter": ([F(1, 5, 5, 2), F(1, 3, 5, 4)], {"filter_shape": (3, 3, 2, 4), "strides": (2, 1),
                                                                    "padding": "SAME", "dilations": (1, 1),
                                                                    "explicit_paddings": (), "groups": 1}, None),
    "dfc.max_pool": ([F(1, 4, 4, 2)], {"ksize": (2, 2), "strides": (2, 2), "padding": "VALID",
                                       "explicit_paddings": ()}, None),
    "dfc.max_pool_grad": ([F(1, 4, 4, 2), F(1, 2, 2, 2)], {"ksize": (2, 2), "strides": (2, 2), "padding": "VALID",
                                                           "explicit_paddings": ()}, None),
    "dfc.avg_pool": ([F(1, 4, 4, 2)], {"ksize": (3, 3), "strides": (1, 1), "padding": "SAME",
                                       "explicit_paddings": ()}, None),
    "dfc.avg_pool_grad": ([F(1, 4, 4, 2)], {"input_shape": (1, 4, 4, 2), "ksize": (3, 3), "strides": (1, 1),
                                            "padding": "SAME", "explicit_paddings": ()}, None),
    "dfc.slice": ([F(8, 9)], {"begin": (1, -(2**63)), "end": (7, 2**63 - 1), "strides": (2, -1)}, None),
    "dfc.gather": ([F(5, 3), T(dt.i32, 2, 2)], {"axis": 0}, None),
    "dfc.dynamic_update_slice": ([F(5, 3), F(2, 3), T(dt.i64)], {}, None),
    "dfc.one_hot": ([T(dt.i64, 4)], {"depth": 10, "axis": -1, "on_value": 0.9, "off_value": 1e-05,
                                     "dtype": dt.f32}, None),
    "dfc.fill_like": ([F(2, None)], {"value": float("-inf"), "dtype": dt.f16}, None),
    "dfc.broadcast_like": ([F(3), F(2, 3)], {}, None),
    "dfc.shape_of": ([F(2, None)], {"dtype": dt.i64}, None),
    "dfc.constant": ([], {"value": np.array([[1.0, 2.5], [-3.0, 4.0]], np.float32)}, None),
    "dfc.placeholder": ([], {}, [F(None, 784)]),
    "dfc.variable": ([], {"name": "dense/kernel"}, [F(784, 10)]),
    "dfc.assign": ([F(3)], {"variable": "v"}, None),
    "dfc.assign_add": ([F(3)], {"variable": "v"}, None),
    "dfc.assign_sub": ([F(3)], {"variable": "v"}, None),
    "dfc.assign_rows": ([T(dt.i64, 2, 1), F(2, 3)], {"variable": "emb/w", "mode": "add", "type": F(50, 3)}, None),
    "dfc.random_uniform": ([], {"seed": 1, "seed2": 87654321}, [F(4, 4)]),
    "dfc.random_normal": ([], {"seed": 0, "seed2": -1}, [T(dt.f64, 3)]),
    "dfc.truncated_normal": ([], {"seed": 7, "seed2": 2**40}, [T(dt.bf16, 2)]),
    "dfc.no_op": ([], {}, None),
    "dfc.group": ([CONTROL, F(2), CONTROL], {}, None),
    "dfc.grad": ([F(), F(3, 2), F(2), F(5)], {"num_ys": 1, "num_xs": 2, "num_stops": 1}, None),
    "dfc.fetch": ([F(2), CONTROL], {}, None),
    "dfc.send": ([F(4, 3)], {"key": "/job:ps/replica:0/task:0;/job:worker/replica:0/task:1;w:0",
                             "send_device": "/job:ps/replica:0/task:0",
                             "recv_device": "/job:worker/replica:0/task:1"}, None),
    "dfc.recv": ([], {"key": "/job:worker/replica:0/task:1;/job:ps/replica:0/task:0;grad:0",
                      "send_device": "/job:worker/replica:0/task:1", "recv_device": "/job:ps/replica:0/task:0"},
                 [F(4, 3)]),
    "dfc.fused": _fused_example,
    "dfc.yield": _fused_example,  # a yield lives in a region only
}

_CONV = {"strides": (2, 1), "padding": "SAME", "dilations": (1, 2), "explicit_paddings": (), "groups": 2}
_POOL = {"ksize": (3, 3), "strides": (2, 2), "padding": "EXPLICIT", "explicit_paddings": (1, 1, 0, 2)}
EXAMPLES.update({
    "dfc.conv2d": ([F(None, 9, 8, 4), F(3, 3, 2, 6)], _CONV, None),
    "dfc.conv2d_backprop_input": ([F(None, 5, 8, 6), F(3, 3, 2, 6)], {"input_shape": (-1, 9, 8, 4), **_CONV}, None),
    "dfc.conv2d_backprop_filter": ([F(2, 9, 8, 4), F(2, 5, 8, 6)], {"filter_shape": (3, 3, 2, 6), **_CONV}, None),
    "dfc.max_pool": ([F(None, 7, 7, 3)], _POOL, None),
    "dfc.max_pool_grad": ([F(2, 7, 7, 3), F(2, 4, 4, 3)], _POOL, None),
    "dfc.avg_pool": ([F(None, 7, 7, 3)], {**_POOL, "padding": "VALID", "explicit_paddings": ()}, None),
    "dfc.avg_pool_grad": ([F(2, 3, 3, 3)], {"input_shape": (2, 7, 7, 3), **_POOL, "padding": "VALID",
                                             "explicit_paddings": ()}, None),
})
EXAMPLES.update({
    "dfc.matrix_inverse": ([F(None, 3, 3)], {"adjoint": True}, None),
    "dfc.matrix_determinant": ([F(2, 4, 4)], {}, None),
    "dfc.log_matrix_determinant": ([F(4, 4)], {}, None),
    "dfc.cholesky": ([F(None, 3, 3)], {}, None),
    "dfc.matrix_solve": ([F(2, 3, 3), F(2, 3, 5)], {"adjoint": False}, None),
    "dfc.matrix_triangular_solve": ([F(3, 3), F(2, 3, 1)], {"lower": False, "adjoint": True}, None),
    "dfc.qr": ([F(None, 5, 3)], {"full_matrices": True}, None),
    "dfc.svd": ([F(4, 6)], {"compute_uv": True, "full_matrices": False}, None),
    "dfc.self_adjoint_eig": ([F(3, 3)], {"compute_v": False}, None),
    "dfc.argsort": ([F(None, 7)], {"descending": True}, None),
    "dfc.non_max_suppression": ([F(None, 4), F(None), F(), F()], {"max_output_size": 5}, None),
})
C = dt.c64
EXAMPLES.update({  # complex numbers and Fourier transforms, host ops (ir/ops/spectral.py)
    "dfc.complex": ([F(2, 3), F(3)], {}, None),
    "dfc.real": ([T(C, None, 3)], {}, None),
    "dfc.imag": ([T(dt.c128, 4)], {}, None),
    "dfc.conj": ([T(C, 2)], {}, None),
    "dfc.angle": ([T(C, 2)], {}, None),
    "dfc.complex_abs": ([T(C, 2, 2)], {}, None),
    "dfc.fft": ([T(C, 2, 4, 8)], {"rank": 2, "inverse": True}, None),
    "dfc.rfft": ([F(None, 10)], {"fft_length": [16]}, None),
    "dfc.irfft": ([T(C, 3, 4, 5)], {"fft_length": [4, 8]}, None),
})
S = dt.string
EXAMPLES.update({  # tf.string's host ops (ir/ops/strings.py)
    "dfc.string_to_number": ([T(S, 3)], {"out_type": dt.i64}, None),
    "dfc.as_string": ([F(2, None)], {"precision": 3, "scientific": False, "shortest": False, "width": 9,
                                     "fill": "0"}, None),
    "dfc.string_length": ([T(S, None)], {"unit": "UTF8_CHAR"}, None),
    "dfc.string_strip": ([T(S, 2)], {}, None),
    "dfc.string_lower": ([T(S, 2)], {"encoding": ""}, None),
    "dfc.string_upper": ([T(S, 2)], {"encoding": ""}, None),
    "dfc.regex_replace": ([T(S, 2)], {"pattern": "\\d+\"", "rewrite": "<\\0>", "replace_global": False}, None),
    "dfc.substr": ([T(S, 2, 3), T(dt.i32), T(dt.i32, 3)], {"unit": "BYTE"}, None),
    "dfc.string_join": ([T(S, 2), T(S), T(S, None)], {"separator": ", "}, None),
    "dfc.reduce_join": ([T(S, 2, 3, 4)], {"axes": (0, 2), "keepdims": True, "separator": "|"}, None),
    "dfc.string_format": ([F(2, 3), T(S)], {"template": "x={} s={}", "placeholder": "{}", "summarize": 2}, None),
    "dfc.string_split_count": ([T(S, None)], {"delimiter": ", ", "skip_empty": True, "mode": "chars",
                                              "maxsplit": -1}, None),
    "dfc.dynamic_string_split": ([T(S, 3), T(dt.i64)], {"delimiter": "", "skip_empty": False, "mode": "sep",
                                                        "maxsplit": 2}, None),
    "dfc.string_split": ([T(S, 3)], {"delimiter": " ", "skip_empty": True, "mode": "chars", "maxsplit": -1,
                                     "count": 7}, None),
    "dfc.string_split_shape": ([T(S, 3)], {"delimiter": "\t", "skip_empty": True, "mode": "chars", "maxsplit": -1},
                               None),
    "dfc.decode_csv": ([T(S, 4), T(dt.f32, 1), T(S, 0), T(dt.i64)], {"field_delim": ";", "use_quote_delim": False,
                                                                     "na_value": "NA", "select_cols": (0, 2, 5)},
                       None),
    "dfc.string_to_hash_bucket_fast": ([T(S, 2, None)], {"num_buckets": 100}, None),
    "dfc.string_fingerprint64": ([T(S, 2, None)], {}, None),
    "dfc.parse_example_dense": ([T(S, None), T(dt.f32, 2)], {"key": "x", "shape": (2,), "required": False}, None),
    "dfc.parse_example_varlen_count": ([T(S, 3)], {"key": "tags", "dtype": S, "source": "feature_list"}, None),
    "dfc.dynamic_parse_example_varlen": ([T(S, 3), T(dt.i64)], {"key": "tags", "dtype": dt.i64}, None),
    "dfc.parse_example_varlen": ([T(S)], {"key": "tags", "dtype": dt.f32, "count": 4}, None),
    "dfc.parse_example_varlen_shape": ([T(S, 2)], {"key": "tags", "dtype": S}, None),
    "dfc.parse_example_seq_shape": ([T(S, 2)], {"key": "f", "dtype": dt.f32, "source": "feature_list",
                                               "elem_shape": (3,), "allow_missing": False}, None),
    "dfc.parse_example_seq_lengths": ([T(S, None)], {"key": "f", "dtype": S, "source": "example",
                                                     "elem_shape": (), "allow_missing": True}, None),
    "dfc.dynamic_parse_example_seq": ([T(S, 2), T(dt.i64), T(dt.i64, 3)],
                                      {"key": "f", "dtype": dt.i64, "source": "example", "elem_shape": (2,),
                                       "allow_missing": True}, None),
    "dfc.parse_example_seq": ([T(S), T(dt.f32)], {"key": "f", "dtype": dt.f32, "source": "feature_list",
                                                  "elem_shape": (2,), "allow_missing": True, "shape": (4, 2)}, None),
    "dfc.decode_json_example": ([T(S, 2, None)], {}, None),
    "dfc.string_to_hash_bucket": ([T(S, 3)], {"num_buckets": 10}, None),
    "dfc.string_to_hash_bucket_strong": ([T(S, None)], {"num_buckets": 10, "key": (1, 2)}, None),
    "dfc.decode_raw_width": ([T(S, 2)], {"out_type": dt.f32, "little_endian": True}, None),
    "dfc.dynamic_decode_raw": ([T(S, 2), T(dt.i64)], {"out_type": dt.i16, "little_endian": False}, None),
    "dfc.decode_raw": ([T(S, None)], {"out_type": dt.u8, "little_endian": True, "count": 3072}, None),
    "dfc.base64": ([T(S, 2)], {"encode": True, "pad": True}, None),
    "dfc.regex_full_match": ([T(S, 2)], {"pattern": "[a-z]+"}, None),
    "dfc.read_file": ([T(S)], {}, None),
    "dfc.table_lookup": ([T(S, None), T(S, 5), T(dt.i64, 5), T(dt.i64), T(dt.bool_)],
                         {"table": "vocab/hash_table", "num_oov_buckets": 2}, None),
})

_DECODE = {"kind": "jpeg", "channels": 3, "dtype": dt.u8, "ratio": 2, "fancy_upscaling": False,
           "try_recover_truncated": True, "acceptable_fraction": 0.5, "dct_method": "INTEGER_ACCURATE",
           "expand_animations": True}
EXAMPLES.update({  # ops whose attributes fed values give (ir/ops/value_attrs.py): the values first
    **{f"dfc.dynamic_reduce_{kind}": ([T(dt.i32, 2), F(2, 3, 4)], {"keepdims": kind == "sum"}, None)
       for kind in ("sum", "mean", "max", "min", "prod")},
    "dfc.dynamic_reduce_any": ([T(dt.i64), T(dt.bool_, 2, 3)], {"keepdims": True}, None),
    "dfc.dynamic_reduce_all": ([T(dt.i32), T(dt.bool_, None, 3)], {}, None),
    "dfc.dynamic_argmax": ([T(dt.i32), F(5, 3)], {"output_type": dt.i32}, None),
    "dfc.dynamic_argmin": ([T(dt.i64), F(5, 3)], {}, None),
    "dfc.dynamic_concat": ([T(dt.i32), F(2, 3), F(2, None)], {}, None),
    "dfc.dynamic_gather": ([T(dt.i32), F(4, 3), T(dt.i32, 2, 2)], {}, None),
    "dfc.dynamic_split": ([T(dt.i32), F(6, 4)], {"sizes": (1, -1)}, None),
    "dfc.dynamic_cumsum": ([T(dt.i32), F(4, 3)], {"exclusive": True}, None),
    "dfc.dynamic_cumprod": ([T(dt.i32), F(4, 3)], {"reverse": True}, None),
    "dfc.dynamic_softmax": ([T(dt.i32), F(2, 10)], {}, None),
    "dfc.dynamic_log_softmax": ([T(dt.i64), T(dt.f64, 2, 10)], {}, None),
    "dfc.dynamic_expand_dims": ([T(dt.i32), F(2, 3)], {}, None),
    "dfc.dynamic_reverse": ([T(dt.i32, 1), F(2, 3)], {}, None),
    "dfc.dynamic_strided_slice": ([T(dt.i64, 2), F(4, 3)], {"begin": (-(2**62), 1), "end": (-(2**62), 3),
                                                            "keep_rank": False}, None),
})
EXAMPLES.update({  # image codecs (ir/ops/image_codecs.py) and box ops (ir/ops/image_boxes.py)
    "dfc.image_decoded_shape": ([T(S)], dict(_DECODE), None),
    "dfc.dynamic_decode_image": ([T(S), T(dt.i64, 3), T(dt.i32, 4)], {**_DECODE, "kind": "crop"}, None),
    "dfc.decode_image": ([T(S)], {**_DECODE, "kind": "png", "channels": 0, "shape": (4, 5, 2)}, None),
    "dfc.is_jpeg": ([T(S)], {}, None),
    "dfc.extract_jpeg_shape": ([T(S)], {"output_type": dt.i64}, None),
    "dfc.encode_jpeg": ([T(dt.u8, 4, 5, 3), T(dt.i32)], {"format": "rgb", "progressive": True, "optimize_size": False,
                                                         "chroma_downsampling": False, "density_unit": "cm",
                                                         "x_density": 72, "y_density": 96, "xmp_metadata": "<x/>"},
                        None),
    "dfc.encode_png": ([T(dt.u8, 4, 5, 4)], {"compression": 9}, None),
    "dfc.jpeg_roundtrip": ([T(dt.u8, 4, 5, 3), T(dt.i32)], {"dct_method": ""}, None),
    "dfc.non_max_suppression_v5": ([F(None, 4), F(None), F(), F(), F()], {"max_output_size": 5}, None),
    "dfc.non_max_suppression_overlaps": ([F(6, 6), F(6), F(), F()], {"max_output_size": 3}, None),
    "dfc.non_max_suppression_batched": ([F(2, 6, 4), F(2, 6), F(), F()], {"max_output_size": 3}, None),
    "dfc.combined_non_max_suppression": ([F(2, 6, 1, 4), F(2, 6, 3), F(), F()],
                                         {"max_output_size_per_class": 2, "max_total_size": 4,
                                          "pad_per_class": False, "clip_boxes": True}, None),
    "dfc.sample_distorted_bounding_box": ([T(dt.i32, 3), F(1, 2, 4), F(), F(4), F(10, 4)],
                                          {"use_image_if_no_bounding_boxes": True}, None),
    "dfc.forest_grow": ([F(None, 3), T(dt.i32, None), F(None), F(None), T(dt.i32), T(dt.i32, 7), T(dt.i32, 7), F(7),
                         F(7, 2), T(dt.i32, 7, 4), F(7, 4), T(dt.i32, 7), F(7, 4, 2), F(7, 2)],
                        {"split_after_samples": 5, "strict": False}, None),
    "dfc.extract_glimpse": ([F(2, 6, 7, 3), F(2, 2), F(2, 3, 4, 3)],
                            {"centered": True, "normalized": False, "uniform_noise": True}, None),
    "dfc.ctc_beam_search": ([F(6, 2, 5), T(dt.i32, 2)], {"beam_width": 4, "top_paths": 2, "merge_repeated": True},
                            None),
})


def _source(g: Graph, t, i: int):
    if t == CONTROL:
        return create_op(g, "dfc.no_op", name=f"dep{i}", loc=LOC).result
    return create_op(g, "dfc.placeholder", name=f"in{i}", result_types=[t], loc=LOC).result


def build_example(op_type: str) -> Graph:
    """A small valid graph whose interesting op is op_type, with its results fetched."""
    g = Graph()
    example = EXAMPLES[op_type]
    if callable(example):
        example(g)
        return g
    operand_types, attrs, result_types = example
    operands = [_source(g, t, i) for i, t in enumerate(operand_types)]
    op = create_op(g, op_type, operands, dict(attrs), name="dense/" + op_type.split(".")[1],
                   result_types=result_types, loc=Location("model.py", 12, 8))
    if op_type != "dfc.fetch":
        create_op(g, "dfc.fetch", op.results, loc=LOC)
    return g


def roundtrip(g: Graph) -> tuple[str, Graph]:
    text = print_graph(g)
    g2 = parse_graph(text, "dump.mlir")
    assert print_graph(g2) == text
    return text, g2


def _same_attr(a, b) -> bool:
    if isinstance(a, np.ndarray) and a.dtype == object:  # tf.string elements: compare the bytes
        return isinstance(b, np.ndarray) and b.dtype == object and a.shape == b.shape and a.tolist() == b.tolist()
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return isinstance(b, float) and struct.pack("<d", a) == struct.pack("<d", b)
    return type(a) is type(b) and a == b


def assert_same_graph(g1: Graph, g2: Graph) -> None:
    ops1, ops2 = list(g1.walk()), list(g2.walk())
    assert [o.type for o in ops1] == [o.type for o in ops2]
    for a, b in zip(ops1, ops2):
        assert [r.type for r in a.results] == [r.type for r in b.results]
        assert [v.type for v in a.operands] == [v.type for v in b.operands]
        assert a.attrs.keys() == b.attrs.keys()
        for k in a.attrs:
            assert _same_attr(a.attrs[k], b.attrs[k]), (a, k, a.attrs[k], b.attrs[k])
        assert (a.device, a.loc) == (b.device, b.loc)


def test_every_op_has_an_example():
    missing = sorted(set(REGISTRY) - set(EXAMPLES))
    assert not missing, f"add an example to EXAMPLES in {__file__} for: {', '.join(missing)}"
    stale = sorted(set(EXAMPLES) - set(REGISTRY))
    assert not stale, f"EXAMPLES names ops that are not registered: {', '.join(stale)}"


@pytest.mark.parametrize("op_type", sorted(REGISTRY))
def test_roundtrip_every_op(op_type):
    if op_type not in EXAMPLES:
        pytest.fail(f"no example for {op_type} in EXAMPLES")
    g = build_example(op_type)
    verify(g)
    text, g2 = roundtrip(g)
    assert f'"{op_type}"' in text
    verify(g2)
    assert_same_graph(g, g2)
    assert [o.name for o in g2.ops if o.results] == [o.name.replace("/", ".") for o in g.ops if o.results]


DESIGN_EXAMPLE = '''\
"dfc.graph"() ({
^bb0(%a: tensor<4194304xf32>):
  %y = "dfc.fused"(%a) ({
  ^bb0(%x: tensor<4194304xf32>):
    %c = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
    %m = "dfc.mul"(%x, %c) : (tensor<4194304xf32>, tensor<f32>) -> tensor<4194304xf32>
    %r = "dfc.relu"(%m) : (tensor<4194304xf32>) -> tensor<4194304xf32>
    "dfc.yield"(%r) : (tensor<4194304xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<4194304xf32>) -> tensor<4194304xf32>
  "dfc.fetch"(%y) : (tensor<4194304xf32>) -> ()
}) {sym_name = "main"} : () -> ()
'''


def test_design_example_roundtrips():
    g = parse_graph(DESIGN_EXAMPLE)
    verify(g)
    assert print_graph(g) == DESIGN_EXAMPLE
    assert g.arguments[0].arg_name == "a"
    fused = g.ops[0]
    assert fused.type == "dfc.fused" and fused.name == "y" and fused.attrs == {"kind": "elementwise"}
    assert fused.regions[0].parent is fused
    assert [o.name for o in fused.regions[0].ops][:3] == ["c", "m", "r"]
    assert g.ops[-1].type == "dfc.fetch"


def test_matmul_line_matches_design():
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F(None, 784)]).result
    w = create_op(g, "dfc.variable", attrs={"name": "W"}, name="W", result_types=[F(784, 100)]).result
    mm = create_op(g, "dfc.matmul", [x, w], {"transpose_b": False}, name="mm", loc=Location("model.py", 5, 8))
    assert print_op(mm) == ('%mm = "dfc.matmul"(%x, %W) {transpose_a = false, transpose_b = false} : '
                            '(tensor<?x784xf32>, tensor<784x100xf32>) -> tensor<?x100xf32> loc("model.py":5:8)')


def test_fused_region_with_arguments_and_multiple_results():
    g = build_example("dfc.fused")
    text, g2 = roundtrip(g)
    assert '%fused:2 = "dfc.fused"(%a, %b) ({' in text
    assert "  ^bb0(%x: tensor<4xf32>, %y: tensor<f32>):" in text
    assert '"dfc.sub"(%m, %y)' in text
    assert '"dfc.fetch"(%fused#0, %fused#1)' in text
    verify(g2)


def test_names_are_sanitized_and_unique():
    g = Graph()
    t = F(2)
    names = ["dense/MatMul", "dense.MatMul", "0abc", "a b:c#d", "x", "x_1", "Variable_1", ""]
    for n in names:
        op = Op("dfc.placeholder", n, [], {}, [t])
        g.append(op)
    body = Block([t, t], ["x", None])
    body.append(Op("dfc.yield", "y", [body.arguments[0]], {}, []))
    fused = Op("dfc.fused", "x", [g.ops[0].result, g.ops[1].result], {"kind": "k"}, [t], regions=[body])
    body.parent = fused
    g.append(fused)
    text, g2 = roundtrip(g)
    for expected in ["%dense.MatMul =", "%dense.MatMul_1 =", "%_0abc =", "%a_b_c_d =", "%x =", "%x_1 =",
                     "%Variable_1 =", "%_ =", "^bb0(%x_3: tensor<2xf32>, %arg1: tensor<2xf32>):",
                     "%x_2 = \"dfc.fused\"(%dense.MatMul, %dense.MatMul_1) ({"]:
        assert expected in text, expected
    assert [o.name for o in g2.ops] == ["dense.MatMul", "dense.MatMul_1", "_0abc", "a_b_c_d", "x", "x_1",
                                        "Variable_1", "_", "x_2"]


def test_split_multi_result():
    g = build_example("dfc.split")
    text, g2 = roundtrip(g)
    assert '%dense.split:3 = "dfc.split"(%in0) {axis = 0, sizes = [1, 2, 3]}' in text
    assert '"dfc.fetch"(%dense.split#0, %dense.split#1, %dense.split#2)' in text
    split = g2.ops[1]
    assert split.name == "dense.split" and len(split.results) == 3
    assert g2.ops[-1].operands == split.results


def test_device_attribute():
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F(2, 2)], device="/job:worker/task:1").result
    create_op(g, "dfc.matmul", [x, x], name="mm", device="/job:ps/task:0")
    text, g2 = roundtrip(g)
    assert '{device = "/job:ps/task:0", transpose_a = false, transpose_b = false}' in text
    assert '"dfc.placeholder"() {device = "/job:worker/task:1"}' in text
    assert g2.ops[1].device == "/job:ps/task:0" and "device" not in g2.ops[1].attrs


def test_locations():
    g = Graph()
    create_op(g, "dfc.placeholder", name="x", result_types=[F()], loc=Location('dir/we"ird\\file.py', 7, 0))
    create_op(g, "dfc.placeholder", name="y", result_types=[F()], loc=None)
    g.ops[1].loc = None
    text, g2 = roundtrip(g)
    assert 'loc("dir/we\\"ird\\\\file.py":7:0)' in text
    assert g2.ops[0].loc == Location('dir/we"ird\\file.py', 7, 0)
    assert g2.ops[1].loc is None
    assert "loc(" not in print_graph(g, with_locs=False)


def test_float_and_string_attributes_roundtrip_exactly():
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[T(dt.i32, 3)]).result
    values = [0.5, 1e-05, 1e20, -0.0, 5e-324, 1.7976931348623157e308, float("inf"), float("-inf"), float("nan"), 3.0]
    for v in values:
        create_op(g, "dfc.fill_like", [x], {"value": v, "dtype": dt.f32})
    weird = 'a "quoted" \\ name\nwith tab\t, é and \x01'
    create_op(g, "dfc.variable", attrs={"name": weird}, result_types=[F()])
    text, g2 = roundtrip(g)
    assert "value = 1.0e-05" in text and "value = 1.0e+20" in text and "value = -0.0" in text
    assert "value = 0x7FF0000000000000 : f64" in text and "value = 0xFFF0000000000000 : f64" in text
    assert "value = 3.0" in text
    got = [op.attrs["value"] for op in g2.ops[1:-1]]
    assert [struct.pack("<d", v) for v in got] == [struct.pack("<d", v) for v in values]
    assert all(isinstance(v, float) for v in got)
    assert g2.ops[-1].attrs["name"] == weird


def test_sym_name_and_empty_graph():
    g = Graph()
    assert print_graph(g) == '"dfc.graph"() ({\n}) {sym_name = "main"} : () -> ()\n'
    g.sym_name = "train_step"
    text, g2 = roundtrip(g)
    assert g2.sym_name == "train_step"
    arg = g.body.add_argument(F(3), "feed/x")
    create_op(g, "dfc.fetch", [arg])
    text, g2 = roundtrip(g)
    assert text.splitlines()[1] == "^bb0(%feed.x: tensor<3xf32>):"
    assert g2.arguments[0].arg_name == "feed.x"


def test_unnamed_ops_get_fresh_names():
    text = '''"dfc.graph"() ({
  %fetch = "dfc.no_op"() : () -> !dfc.control
  %fetch_1 = "dfc.group"(%fetch) : (!dfc.control) -> !dfc.control
  "dfc.fetch"(%fetch, %fetch_1) : (!dfc.control, !dfc.control) -> ()
}) {sym_name = "main"} : () -> ()
'''
    g = parse_graph(text)
    verify(g)
    assert [o.name for o in g.ops] == ["fetch", "fetch_1", "fetch_2"]
    assert print_graph(g) == text


def test_unranked_types_round_trip():
    g = Graph()
    x = create_op(g, "dfc.placeholder", [], name="x", result_types=[TensorType(dt.f32, None)]).results[0]
    y = create_op(g, "dfc.add", [x, x], name="y").results[0]
    n = create_op(g, "dfc.shape_of", [y], name="n").results[0]
    assert str(y.type) == "tensor<*xf32>" and n.type == TensorType(dt.i32, (None,))
    text = print_graph(g)
    assert "tensor<*xf32>" in text
    assert print_graph(parse_graph(text)) == text
