"""The uint8/16/32/64 cases recorded from TensorFlow 2.21 (tests/record_unsigned_dtypes.py) and run by dfc
(tests/test_unsigned_dtypes.py): each builds a graph with `tf` (TF's compat.v1 or dfc) from placeholders x, y
(values near the top of the dtype's range, so wrapping and unsigned order show) and shift amounts s."""

from __future__ import annotations

import numpy as np

DTYPES = ("uint8", "uint16", "uint32", "uint64")


def feeds(dtype: str) -> dict[str, np.ndarray]:
    """x, y and s for `dtype`: x and y hold the top value, the top bit alone and small numbers; s shifts."""
    n = np.dtype(dtype)
    top = np.iinfo(n).max
    return {"x": np.array([top, top // 2 + 1, 2, 9, 7, top - 3], n),
            "y": np.array([top // 2 + 1, top, 1, 3, 2, 5], n),
            "s": np.array([1, 70, 3, 0, 2, n.itemsize * 8 - 1], n)}


#: cases TF computes a value for: name -> f(tf, x, y, s)
VALUES = {
    "add": lambda tf, x, y, s: x + y,
    "sub": lambda tf, x, y, s: x - y,
    "mul": lambda tf, x, y, s: x * y,
    "floordiv": lambda tf, x, y, s: x // y,
    "floormod": lambda tf, x, y, s: tf.floormod(x, y),
    "mod_operator": lambda tf, x, y, s: x % y,
    "div": lambda tf, x, y, s: tf.div(x, y),
    "truncatediv": lambda tf, x, y, s: tf.truncatediv(x, y),
    "truediv": lambda tf, x, y, s: x / y,
    "maximum": lambda tf, x, y, s: tf.maximum(x, y),
    "minimum": lambda tf, x, y, s: tf.minimum(x, y),
    "less": lambda tf, x, y, s: x < y,
    "less_equal": lambda tf, x, y, s: x <= y,
    "greater": lambda tf, x, y, s: x > y,
    "greater_equal": lambda tf, x, y, s: x >= y,
    "equal": lambda tf, x, y, s: tf.equal(x, y),
    "not_equal": lambda tf, x, y, s: tf.not_equal(x, y),
    "add_scalar": lambda tf, x, y, s: x + 5,
    "bitwise_and": lambda tf, x, y, s: tf.bitwise.bitwise_and(x, y),
    "bitwise_or": lambda tf, x, y, s: tf.bitwise.bitwise_or(x, y),
    "bitwise_xor": lambda tf, x, y, s: tf.bitwise.bitwise_xor(x, y),
    "invert": lambda tf, x, y, s: tf.bitwise.invert(x),
    "left_shift": lambda tf, x, y, s: tf.bitwise.left_shift(x, s),
    "right_shift": lambda tf, x, y, s: tf.bitwise.right_shift(x, s),
    "square": lambda tf, x, y, s: tf.square(x),
    "add_n": lambda tf, x, y, s: tf.add_n([x, y, x]),
    "reduce_sum": lambda tf, x, y, s: tf.reduce_sum(x),
    "reduce_sum_axis": lambda tf, x, y, s: tf.reduce_sum(tf.reshape(x, [2, 3]), axis=1),
    "reduce_mean": lambda tf, x, y, s: tf.reduce_mean(x),
    "reduce_mean_axis": lambda tf, x, y, s: tf.reduce_mean(tf.reshape(x, [2, 3]), axis=0, keepdims=True),
    "reduce_max": lambda tf, x, y, s: tf.reduce_max(x),
    "reduce_min": lambda tf, x, y, s: tf.reduce_min(tf.reshape(y, [3, 2]), axis=1),
    "reduce_prod": lambda tf, x, y, s: tf.reduce_prod(y),
    "argmax": lambda tf, x, y, s: tf.argmax(x),
    "argmin": lambda tf, x, y, s: tf.argmin(tf.reshape(y, [2, 3]), axis=1),
    "cumsum": lambda tf, x, y, s: tf.cumsum(x),
    "cumprod": lambda tf, x, y, s: tf.cumprod(y, exclusive=True),
    "identity": lambda tf, x, y, s: tf.identity(x),
    "reshape": lambda tf, x, y, s: tf.reshape(x, [3, 2]),
    "transpose": lambda tf, x, y, s: tf.transpose(tf.reshape(x, [2, 3])),
    "concat": lambda tf, x, y, s: tf.concat([x, y], 0),
    "stack": lambda tf, x, y, s: tf.stack([x, y], axis=1),
    "gather": lambda tf, x, y, s: tf.gather(x, [5, 0, 0]),
    "reverse": lambda tf, x, y, s: tf.reverse(x, [0]),
    "slice": lambda tf, x, y, s: x[1:4],
    "strided": lambda tf, x, y, s: x[::-2],
    "pad": lambda tf, x, y, s: tf.pad(x, [[1, 2]]),
    "expand_dims": lambda tf, x, y, s: tf.expand_dims(x, 0),
    "zeros_like": lambda tf, x, y, s: tf.zeros_like(x),
    "ones_like": lambda tf, x, y, s: tf.ones_like(x),
    "where": lambda tf, x, y, s: tf.where(x > y, x, y),
    "clip_by_value": lambda tf, x, y, s: tf.clip_by_value(x, 3, 10),
    "cast_float32": lambda tf, x, y, s: tf.cast(x, tf.float32),
    "cast_float64": lambda tf, x, y, s: tf.cast(x, tf.float64),
    "cast_int32": lambda tf, x, y, s: tf.cast(x, tf.int32),
    "cast_int64": lambda tf, x, y, s: tf.cast(x, tf.int64),
    "cast_uint8": lambda tf, x, y, s: tf.cast(x, tf.uint8),
    "cast_bool": lambda tf, x, y, s: tf.cast(x - x, tf.bool),
    "cast_from_int64": lambda tf, x, y, s: tf.cast(tf.constant([-1, 5, 2 ** 40 + 3], tf.int64), x.dtype),
    "cast_from_float": lambda tf, x, y, s: tf.cast(tf.constant([0.0, 7.9, 255.5, 1000.25], tf.float64), x.dtype),
    # floats made from x (a placeholder), so TF's kernel converts them rather than its constant folding (which
    # converts values past the integer range otherwise: those are undefined in C and left out here)
    "cast_from_float_edges": lambda tf, x, y, s: tf.cast(
        tf.cast(x[2] - x[2], tf.float32) + tf.constant([-1.5, -3.0, 1000.25, 70000.5, 3e9 + 5, -1e12], tf.float32),
        x.dtype),
    "cast_from_half": lambda tf, x, y, s: tf.cast(
        tf.cast(x[2] - x[2], tf.float16) + tf.constant([-1.5, 300.0, 65504.0, 7.5], tf.float16), x.dtype),
    "saturate_cast_float": lambda tf, x, y, s: tf.saturate_cast(
        tf.cast(x[2] - x[2], tf.float32) + tf.constant([-5.0, 1e10, 300.7, 1e30], tf.float32), x.dtype),
    "saturate_cast_int": lambda tf, x, y, s: tf.saturate_cast(tf.constant([-5, 2 ** 40, 70000], tf.int64), x.dtype),
    "saturate_cast_to_int8": lambda tf, x, y, s: tf.saturate_cast(x, tf.int8),
    "constant": lambda tf, x, y, s: tf.constant([1, 2, 3], dtype=x.dtype) + x[:3],
    "fill": lambda tf, x, y, s: tf.fill([2], x[0]),
    "scatter_nd": lambda tf, x, y, s: tf.scatter_nd([[0], [2]], x[:2], [4]),
    "sort": lambda tf, x, y, s: tf.sort(x),
    "top_k": lambda tf, x, y, s: tf.math.top_k(x, 2).values,
    "one_hot_of_bool": lambda tf, x, y, s: tf.cast(tf.equal(x, y), x.dtype),
    "one_hot": lambda tf, x, y, s: tf.one_hot([1, 0, 2], 3, dtype=x.dtype),
    "zeros_ones": lambda tf, x, y, s: tf.zeros([2], x.dtype) + tf.ones([2], x.dtype) + x[:2],
    "segment_sum": lambda tf, x, y, s: tf.math.segment_sum(x, [0, 0, 1, 1, 1, 2]),
    "unsorted_segment_sum": lambda tf, x, y, s: tf.math.unsorted_segment_sum(y, [2, 0, 2, 1, 0, 0], 3),
    "unsorted_segment_max": lambda tf, x, y, s: tf.math.unsorted_segment_max(x, [2, 0, 2, 1, 0, 0], 4),
    "unsorted_segment_min": lambda tf, x, y, s: tf.math.unsorted_segment_min(y, [2, 0, 2, 1, 0, 0], 4),
    "unsorted_segment_prod": lambda tf, x, y, s: tf.math.unsorted_segment_prod(y, [2, 0, 2, 1, 0, 0], 4),
    "segment_max": lambda tf, x, y, s: tf.math.segment_max(x, [0, 0, 1, 1, 1, 2]),
}

#: cases TF refuses (its error class), some for one dtype only
ERRORS = {
    "negative": lambda tf, x, y, s: tf.negative(x),
    "abs": lambda tf, x, y, s: tf.abs(x),
    "sign": lambda tf, x, y, s: tf.sign(x),
    "squared_difference": lambda tf, x, y, s: tf.squared_difference(x, y),
    "pow": lambda tf, x, y, s: tf.pow(x, y),
    "truncatemod": lambda tf, x, y, s: tf.truncatemod(x, y),
    "matmul": lambda tf, x, y, s: tf.matmul(tf.reshape(x, [2, 3]), tf.reshape(y, [3, 2])),
    "realdiv": lambda tf, x, y, s: tf.realdiv(x, y),
    "tile": lambda tf, x, y, s: tf.tile(x, [2]),
    "floordiv_by_zero": lambda tf, x, y, s: x // (y - y),
    "floormod_by_zero": lambda tf, x, y, s: tf.floormod(x, y - y),
    "decode_raw": lambda tf, x, y, s: tf.decode_raw(tf.constant([b"\x01\x02\x03\x04\x05\x06\x07\xf8"]), x.dtype),
    "decode_raw_big_endian": lambda tf, x, y, s: tf.io.decode_raw(tf.constant([b"\x01\x02\x03\x04\x05\x06\x07\xf8"]),
                                                                   x.dtype, little_endian=False),
    "to_number": lambda tf, x, y, s: tf.strings.to_number([" 7", "4294967295", "0"], x.dtype),
    "to_number_negative": lambda tf, x, y, s: tf.strings.to_number(["-1"], x.dtype),
    "as_string": lambda tf, x, y, s: tf.as_string(x),
    "random_uniform": lambda tf, x, y, s: tf.random_uniform([3], 0, 10, dtype=x.dtype),
    "random_uniform_no_min": lambda tf, x, y, s: tf.random.uniform([3], maxval=10, dtype=x.dtype),
}

_RGB16 = np.array([[[0, 300, 65535], [4660, 1, 2]]], np.uint16)
_RGB8 = np.array([[[0, 1, 128], [255, 7, 9]]], np.uint8)
#: PNGs TF encodes from these pixels, decoded: name -> (pixels, decode(tf, png))
PNG_CASES = {
    "png16": (_RGB16, lambda tf, png: tf.image.decode_png(png, dtype=tf.uint16)),
    "png16_gray": (_RGB16, lambda tf, png: tf.image.decode_png(png, channels=1, dtype=tf.uint16)),
    "png16_as_uint8": (_RGB16, lambda tf, png: tf.image.decode_png(png)),
    "png16_rgba": (_RGB16, lambda tf, png: tf.image.decode_png(png, channels=4, dtype=tf.uint16)),
    "png8_as_uint16": (_RGB8, lambda tf, png: tf.image.decode_png(png, dtype=tf.uint16)),
    "png16_image": (_RGB16, lambda tf, png: tf.image.decode_image(png, dtype=tf.uint16)),
    "png8_image_uint16": (_RGB8, lambda tf, png: tf.image.decode_image(png, dtype=tf.uint16)),
    "png16_image_float": (_RGB16, lambda tf, png: tf.image.decode_image(png, dtype=tf.float32)),
    "png16_gray1": (_RGB16[:, :, :1], lambda tf, png: tf.image.decode_png(png, dtype=tf.uint16)),
}
