"""Record what real TensorFlow computes for the cases of tests/tf1_op_cases.py (values and gradients).

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_ops.py [OUT_DIR]

Each case writes OUT_DIR/ops_<case>.npz (default tests/data/tf_expectations/): its inputs
(in_<name>), TF's outputs (out_<key>), the weights of the loss sum(w_<key> * out_<key>) over
the float outputs, and TF's gradient of that loss for each input of the case's `grad`
(grad_<name>). tests/test_tf1_ops_expectations.py rebuilds every case with dfc.
"""

from __future__ import annotations

import sys
import zlib

import numpy as np
from tf1_op_cases import CASES
from tf_recording import out_dir, tf, write_npz

OUT = out_dir(sys.argv)


def loss_weights(case: str, key: str, shape: tuple[int, ...]) -> np.ndarray:
    """The fixed weights of output `key` in the loss whose gradients are recorded."""
    rng = np.random.default_rng(zlib.crc32(f"{case}/{key}".encode()))
    return rng.standard_normal(shape)


def record(case) -> None:
    tf.reset_default_graph()
    holders = {k: tf.placeholder(tf.as_dtype(v.dtype), v.shape, name=k) for k, v in case.inputs.items()}
    outputs = case.build(tf, **holders)
    feeds = {holders[k]: v for k, v in case.inputs.items()}
    with tf.Session() as sess:
        values = sess.run(outputs, feeds)
        arrays = {f"in_{k}": v for k, v in case.inputs.items()}
        # strings as numpy bytes arrays (an object array would need pickle to load)
        arrays.update({f"out_{k}": np.asarray(v).astype("S") if np.asarray(v).dtype == object else v
                       for k, v in values.items()})
        if case.grad:
            terms = []
            for k, t in sorted(outputs.items()):
                if t.dtype.is_floating:
                    w = loss_weights(case.name, k, values[k].shape).astype(t.dtype.as_numpy_dtype)
                    arrays[f"w_{k}"] = w
                    terms.append(tf.reduce_sum(t * w))
            grads = tf.gradients(tf.add_n(terms), [holders[k] for k in case.grad])
            for k, g in zip(case.grad, sess.run(grads, feeds)):
                arrays[f"grad_{k}"] = g
    write_npz(OUT, f"ops_{case.name}", arrays)
    print(f"{case.name}: {len(values)} outputs, gradients for {list(case.grad)}")


if __name__ == "__main__":
    wanted = set(sys.argv[2:])
    for c in CASES:
        if not wanted or c.name in wanted:
            record(c)
