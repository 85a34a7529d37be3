"""TF1 cases for lookups over shards (tf.nn.embedding_lookup with 'mod' and max_norm; the sparse lookups
over shards are in tests/tf1_scripts_partition.py) and tf.io.serialize_tensor/parse_tensor, for real TF and dfc alike.

Part of tests/tf1_op_cases.py's CASES: recorded by tests/record_tf1_ops.py, checked by
tests/test_tf1_ops_expectations.py on both backends. The shards are placeholders times one, so TF's
gradient of each is a dense tensor (its IndexedSlices added up), comparable as an array.
"""

from __future__ import annotations

import numpy as np
from tf1_op_cases import Case

F32 = np.float32


def _shards(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"p0": rng.standard_normal((4, 3)).astype(F32), "p1": rng.standard_normal((4, 3)).astype(F32),
            "p2": rng.standard_normal((3, 3)).astype(F32)}


def _lookups(tf, p0, p1, p2, ids):
    shards = [p0 * 1.0, p1 * 1.0, p2 * 1.0]
    # 'div' (and the sparse lookups) over shards are in tests/tf1_scripts_partition.py: one lookup keeps this cheap
    return {"mod_max_norm": tf.nn.embedding_lookup(shards, ids, max_norm=0.9)}


def _serialize(tf, x, n):
    return {"float_bytes": tf.io.serialize_tensor(x), "int_bytes": tf.serialize_tensor(n),
            "float_back": tf.parse_tensor(tf.serialize_tensor(x), tf.float32),
            "int_back": tf.io.parse_tensor(tf.io.serialize_tensor(n), tf.int32)}


CASES: list[Case] = [
    Case("partitioned_embedding_lookup", {**_shards(11), "ids": np.array([[0, 10, 4], [7, 3, 10], [2, 5, 9],
                                                                          [1, 1, 6]], np.int64)},
         _lookups, grad=("p0", "p1", "p2")),
    Case("serialize_parse_tensor", {"x": np.array([[1.5, -2.0, 0.25]], F32), "n": np.array([3, -1], np.int32)},
         _serialize),
]
