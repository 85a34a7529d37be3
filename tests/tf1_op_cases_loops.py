"""TF1 cases for loops whose sizes the run decides: TensorArrays that grow in tf.while_loop, for both TF and dfc.

Part of tests/tf1_op_cases.py's CASES: recorded by tests/record_tf1_ops.py, checked by
tests/test_tf1_ops_expectations.py on both backends (values and gradients). The loop counts are fed
scalars, so the arrays' sizes are known only when the step runs (dfc runs such steps on its interpreter).
"""

from __future__ import annotations

import numpy as np
from tf1_op_cases import Case

F32 = np.float32


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _growing_arrays(tf, x, w, n):
    """A recurrence writing each step's state into a size-0 dynamic_size TensorArray for n (fed) steps, reading
    its previous row back (clear_after_read=False); a nested loop filling an inner growing array per step; a
    tf.cond choosing what each step writes; unstack of a fed-length value into a growing array."""
    h0 = tf.placeholder_with_default(x, [None, 3])

    def body(i, h, states):
        prev = tf.cond(i > 0, lambda: states.read(tf.maximum(i - 1, 0)), lambda: tf.zeros_like(h))
        h = tf.tanh(tf.matmul(h, w) + 0.5 * prev)
        return i + 1, h, states.write(i, h)
    states = tf.TensorArray(tf.float32, size=0, dynamic_size=True, clear_after_read=False,
                            element_shape=tf.TensorShape([None, 3]))
    _, last, states = tf.while_loop(lambda i, h, s: i < n, body, [0, h0, states])

    def outer(i, sums):
        inner = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        _, inner = tf.while_loop(lambda j, t: j <= i, lambda j, t: (j + 1, t.write(j, x[0] * tf.cast(j, tf.float32))),
                                 [0, inner])
        return i + 1, sums.write(i, tf.reduce_sum(inner.stack(), axis=0))
    _, sums = tf.while_loop(lambda i, s: i < n, outer, [0, tf.TensorArray(tf.float32, size=0, dynamic_size=True)])

    def chosen(i, out):
        value = tf.cond(tf.equal(i % 2, 0), lambda: tf.reduce_sum(x * tf.cast(i, tf.float32)),
                        lambda: -tf.reduce_max(x))
        return i + 1, out.write(i, value)
    _, picked = tf.while_loop(lambda i, o: i < n + 1, chosen,
                              [0, tf.TensorArray(tf.float32, size=0, dynamic_size=True)])
    rows = tf.TensorArray(tf.float32, size=0, dynamic_size=True).unstack(h0)
    return {"states": states.stack(), "last": last, "size": states.size(), "sums": sums.stack(),
            "picked": picked.stack(), "rows": rows.stack(), "rows_size": rows.size()}


def _array_ops_in_loops(tf, x, n):
    """scatter, gather, split and concat with fed sizes, inside and after loops."""
    rows = tf.placeholder_with_default(x, [None, 4])
    count = tf.shape(rows)[0]
    scattered = tf.TensorArray(tf.float32, size=0, dynamic_size=True).scatter(tf.range(count)[::-1], rows)
    split = tf.TensorArray(tf.float32, size=0, dynamic_size=True, clear_after_read=False).split(
        tf.reshape(rows, [-1]), tf.fill([count], 4))

    def body(i, t):
        return i + 1, t.scatter([2 * i, 2 * i + 1], tf.stack([rows[0] * tf.cast(i + 1, tf.float32), rows[1]]))
    _, pairs = tf.while_loop(lambda i, t: i < n, body, [0, tf.TensorArray(tf.float32, size=0, dynamic_size=True)])

    def gathered(i, acc):
        return i + 1, acc + tf.reduce_sum(split.gather(tf.range(i + 1)))
    _, total = tf.while_loop(lambda i, a: i < count, gathered, [0, 0.0])
    return {"scattered": scattered.stack(), "split": split.concat(), "pairs": pairs.stack(),
            "pairs_size": pairs.size(), "gathered": total}


def _fed_length_functional(tf, x, y):
    """map_fn/scan/foldl/foldr over elements of a fed length, with dtype structures and infer_shape=False."""
    xs = tf.placeholder_with_default(x, [None, 3])
    ys = tf.placeholder_with_default(y, [None, 3])
    stats, best = tf.map_fn(lambda r: (tf.reduce_sum(r * r), tf.cast(tf.argmax(r), tf.int32)), xs,
                            dtype=(tf.float32, tf.int32))
    named = tf.map_fn(lambda p: {"a": p[0] * p[1], "b": tf.reduce_max(p[1])}, (xs, ys),
                      dtype={"a": tf.float32, "b": tf.float32})
    head = tf.map_fn(lambda r: r[:2] * 2.0, xs, infer_shape=False)
    total, scale = tf.scan(lambda a, r: (a[0] + tf.reduce_sum(r), a[1] * 0.5), ys, initializer=(0.0, 1.0))
    return {"stats": stats, "best": best, "named_a": named["a"], "named_b": named["b"], "head": head,
            "scan_total": total, "scan_scale": scale,
            "foldl": tf.foldl(lambda a, r: a * 0.5 + r, xs), "foldr": tf.foldr(lambda a, r: a * r + 1.0, ys)}


CASES: list[Case] = [
    Case("loops_growing_tensor_arrays", {"x": _rng(61).standard_normal((2, 3)).astype(F32),
                                         "w": _rng(62).standard_normal((3, 3)).astype(F32) * 0.6,
                                         "n": np.array(4, np.int32)},
         _growing_arrays, grad=("x", "w")),
    Case("loops_array_ops_fed_sizes", {"x": _rng(63).standard_normal((3, 4)).astype(F32),
                                       "n": np.array(3, np.int32)},
         _array_ops_in_loops, grad=("x",)),
    Case("loops_fed_length_functional", {"x": _rng(64).standard_normal((5, 3)).astype(F32),
                                         "y": _rng(65).uniform(0.5, 1.5, (5, 3)).astype(F32)},
         _fed_length_functional, grad=("x", "y")),
]
