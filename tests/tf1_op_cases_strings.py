"""TF1 programs over tf.string tensors (ir/ops/strings.py, dfc/string_ops.py), written once for TF and dfc.

String inputs are numpy bytes arrays (dtype S); TF's string outputs are recorded as bytes arrays too.
"""

from __future__ import annotations

import numpy as np
from tf1_op_cases import Case

F32 = np.float32


def _words() -> np.ndarray:
    return np.array([b"cat", b" Dog ", b"", b"bird\xc3\xa9"], dtype="S")


def _csv() -> np.ndarray:
    return np.array([b"1,2.5,a,7", b'3,,"b,c",8', b" 4 ,-1e2,,9"], dtype="S")


def _structure(tf, s, x):
    """Moving strings around as any tensor: identity, reshape, concat, gather, stack, tile, equal, where."""
    grid = tf.reshape(s, [2, 2])
    return {"identity": tf.identity(s), "reshape": grid, "concat": tf.concat([s, tf.constant(["z"])], 0),
            "gather": tf.gather(s, [3, 0, 0]), "stack": tf.stack([s, s], axis=1), "expand": tf.expand_dims(s, 0),
            "tile": tf.tile(grid, [1, 2]), "equal": tf.equal(s, "cat"), "not_equal": tf.not_equal(s, s[::-1]),
            "where": tf.where(x > 0.0, s, tf.fill([4], "neg")), "transpose": tf.transpose(grid),
            "slice": s[1:3], "unstack": tf.unstack(grid)[1], "size": tf.size(s), "shape": tf.shape(grid),
            "const": tf.constant([["a", "b"], ["c", "d"]]), "scalar": tf.constant("x\ty"),
            # the numeric part beside the strings stays compiled; this feeds on a string comparison
            "masked_sum": tf.reduce_sum(tf.where(tf.equal(s, "cat"), x, x * 2.0))}


def _functions(tf, s, x):
    """tf.strings' functions and the number <-> string conversions."""
    numbers = tf.constant(["1.5", " -2 ", "1e3", "0x10"])
    return {"to_number": tf.string_to_number(numbers), "to_int": tf.strings.to_number(["7", " -3"], tf.int64),
            "to_double": tf.as_string(tf.string_to_number(numbers, out_type=tf.float64), precision=1),
            "as_string": tf.as_string(x), "as_string_p": tf.as_string(x, precision=2),
            "as_string_sci": tf.as_string(x, scientific=True), "as_string_short": tf.as_string(x, shortest=True),
            "as_string_int": tf.as_string(tf.constant([5, -12]), width=4, fill="0"),
            "as_string_bool": tf.as_string(tf.constant([True, False])),
            "length": tf.strings.length(s), "length_utf8": tf.strings.length(s, unit="UTF8_CHAR"),
            "join": tf.strings.join([s, "-", s], separator="|"), "string_join": tf.string_join([s, s]),
            "reduce_join": tf.reduce_join(tf.reshape(s, [2, 2]), 1, separator=","),
            "reduce_join_all": tf.reduce_join(s), "reduce_join_keep": tf.reduce_join(tf.reshape(s, [2, 2]), axis=0,
                                                                                     keep_dims=True),
            "substr": tf.substr(s, 0, 2), "substr_neg": tf.strings.substr(tf.constant(["hello", "ab"]), -2, 5),
            "regex": tf.regex_replace(s, "[aeiou]", "_"), "regex_group": tf.regex_replace(s, "(.)(.)", "\\2\\1",
                                                                                         replace_global=False),
            "strip": tf.strings.strip(s), "lower": tf.strings.lower(s), "upper": tf.strings.upper(s),
            "format": tf.strings.format("x={} s={}", [x, s]),
            "format_summarize": tf.strings.format("{}", tf.reshape(tf.range(12), [3, 4]), summarize=1),
            "hash": tf.strings.to_hash_bucket_fast(s, 1000), "hash_long": tf.string_to_hash_bucket_fast(
                tf.constant(["x" * 40, "y" * 100]), 97),
            "roundtrip": tf.string_to_number(tf.as_string(x, precision=3)) * 2.0,
            "decode_raw": tf.decode_raw(tf.constant([b"\x01\x00\x02\x80", b"ab\xff\x7f"]), tf.int16),
            "decode_raw_be": tf.io.decode_raw(tf.constant([b"\x01\x00\x02\x80"]), tf.float32, little_endian=False),
            "base64": tf.io.encode_base64(s), "base64_pad": tf.io.encode_base64(s, pad=True),
            "unbase64": tf.io.decode_base64(tf.io.encode_base64(s)),
            "full_match": tf.strings.regex_full_match(s, "[a-z]+")}


def _csv_case(tf, r, w):
    """tf.decode_csv: number and string columns, defaults, quotes, na_value, select_cols; a model on the floats."""
    a, b, c, d = tf.decode_csv(r, [[0], [0.5], ["none"], [np.float64(0)]])
    picked = tf.io.decode_csv(r, [[0], [0]], select_cols=[0, 3])
    semi = tf.decode_csv(tf.constant(["x;NA", "NA;2"]), [["?"], [-1]], field_delim=";", na_value="NA")
    quoted = tf.decode_csv(tf.constant(['"a""b",1']), [[""], [0]])
    raw = tf.decode_csv(tf.constant(['a"b,1']), [[""], [0]], use_quote_delim=False)
    features = tf.stack([tf.cast(a, tf.float32), b, tf.cast(d, tf.float32)], axis=1)
    return {"a": a, "b": b, "c": c, "d": tf.as_string(d, shortest=True), "p0": picked[0], "p1": picked[1],
            "semi0": semi[0], "semi1": semi[1],
            "quoted": quoted[0], "raw": raw[0], "scalar": tf.decode_csv("5,x", [[0], [""]])[0],
            "model": tf.matmul(features, w)}


def _split_case(tf, s):
    """tf.string_split (TF1: every delimiter byte splits) and tf.strings.split (one separator, whitespace runs):
    SparseTensors whose size only the strings decide."""
    out = {}
    for key, sparse in (("ws", tf.string_split(s)), ("chars", tf.string_split(s, "a ", skip_empty=False)),
                        ("bytes", tf.string_split(s[:1], "")), ("v2", tf.strings.split(s)),
                        ("v2_sep", tf.strings.split(s, sep="a", maxsplit=1))):
        out.update({f"{key}_indices": sparse.indices, f"{key}_values": sparse.values,
                    f"{key}_shape": sparse.dense_shape})
    tokens = tf.string_split(s)
    out["dense"] = tf.sparse_tensor_to_dense(tokens, default_value="")
    out["dense_pad"] = tf.sparse_tensor_to_dense(tokens, default_value="<pad>")
    return out


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _field(number: int, body: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(body)) + body


def _example(features: dict) -> bytes:
    """A serialized tf.train.Example (example.proto's wire format, written out here so TF and dfc read the same
    bytes): str keys to lists of floats, ints or bytes."""
    entries = b""
    for key, values in features.items():
        if values and isinstance(values[0], float):
            feature = _field(2, _field(1, np.asarray(values, "<f4").tobytes()))
        elif values and isinstance(values[0], int):
            feature = _field(3, _field(1, b"".join(_varint(v) for v in values)))
        else:
            feature = _field(1, b"".join(_field(1, v) for v in values))
        entries += _field(1, _field(1, key.encode()) + _field(2, feature))
    return _field(1, entries)


def _examples() -> np.ndarray:
    # no Example may end in a zero byte: numpy's bytes arrays (the recordings' form) drop trailing zeros
    rows = [{"tags": [b"a", b"b"], "x": [1.0, 2.5], "label": [1]}, {"tags": [], "x": [-3.0, 0.25]},
            {"tags": [b"c"], "label": [-2], "x": [7.0, 8.0]}]
    return np.array([_example(row) for row in rows], dtype=object).astype("S")


def _example_case(tf, e):
    """tf.parse_example / parse_single_example: fixed-length features with and without defaults, variable-length
    ones as SparseTensors (sized by their values), a model on the parsed floats."""
    parsed = tf.parse_example(e, {"x": tf.FixedLenFeature([2], tf.float32),
                                  "label": tf.FixedLenFeature([], tf.int64, default_value=-1),
                                  "tags": tf.VarLenFeature(tf.string), "none": tf.VarLenFeature(tf.int64)})
    single = tf.parse_single_example(e[0], {"x": tf.io.FixedLenFeature([1, 2], tf.float32),
                                            "tags": tf.io.VarLenFeature(tf.string)})
    return {"x": parsed["x"], "label": parsed["label"], "tags_i": parsed["tags"].indices,
            "tags_v": parsed["tags"].values, "tags_s": parsed["tags"].dense_shape, "none_s": parsed["none"].dense_shape,
            "single_x": single["x"], "single_i": single["tags"].indices, "single_s": single["tags"].dense_shape,
            "norm": tf.reduce_sum(tf.square(parsed["x"]), 1)}


CASES = [
    Case("strings_structure", {"s": _words(), "x": np.array([1.5, -2.0, 0.25, 3.0], F32)}, _structure,
         grad=("x",)),
    Case("strings_functions", {"s": _words(), "x": np.array([1.5, -2.0, 0.001, 12345.678], F32)}, _functions),
    Case("strings_split", {"s": np.array([b"the cat  sat", b"", b"a,b c ", b"banana"], dtype="S")}, _split_case),
    Case("strings_parse_example", {"e": _examples()}, _example_case),
    Case("strings_decode_csv", {"r": _csv(), "w": np.array([[1.0], [-0.5], [2.0]], F32)}, _csv_case, grad=("w",)),
]
