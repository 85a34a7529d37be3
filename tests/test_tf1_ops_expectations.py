"""dfc against real TensorFlow on the TF1 ops of tests/tf1_op_cases.py, values and gradients, on both backends.

The expectations were recorded with TensorFlow by tests/record_tf1_ops.py; these tests need no
TensorFlow. Each case runs the same TF1 program on the reference interpreter and the native CPU
backend, and compares every output and the gradient of a fixed weighted sum of the float outputs.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import load_recording
from tf1_op_cases import CASES

BACKENDS = ["interpreter", "cpu"]


def tolerance(expected: np.ndarray) -> dict:
    if expected.dtype.kind in "biu":
        return {"rtol": 0, "atol": 0}
    return {"rtol": 2e-5, "atol": 2e-6} if expected.dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_matches_tensorflow(case, backend):
    recorded = load_recording(f"ops_{case.name}")
    tf.reset_default_graph()
    holders = {k: tf.placeholder(tf.as_dtype(v.dtype), v.shape, name=k) for k, v in case.inputs.items()}
    outputs = case.build(tf, **holders)
    feeds = {holders[k]: recorded[f"in_{k}"] for k in case.inputs}
    grads = []
    if case.grad:
        terms = [tf.reduce_sum(t * tf.constant(recorded[f"w_{k}"])) for k, t in sorted(outputs.items())
                 if f"w_{k}" in recorded]
        grads = tf.gradients(tf.add_n(terms), [holders[k] for k in case.grad])
    with tf.Session(backend=backend) as sess:
        values, grad_values = sess.run([outputs, grads], feeds)
    for key, value in values.items():
        expected = recorded[f"out_{key}"]
        if expected.dtype.kind == "S":  # tf.string: object arrays of bytes, recorded as a bytes array
            assert (isinstance(value, bytes) or np.asarray(value).dtype == object) and \
                np.shape(value) == expected.shape, (key, value)
            assert np.asarray(value).astype("S").tolist() == expected.tolist(), (case.name, key, value, expected)
            continue
        assert value.dtype == expected.dtype, (key, value.dtype, expected.dtype)
        assert value.shape == expected.shape, (key, value.shape, expected.shape)
        np.testing.assert_allclose(value, expected, **tolerance(expected), err_msg=f"{case.name}: {key}")
    for name, value in zip(case.grad, grad_values):
        expected = recorded[f"grad_{name}"]
        np.testing.assert_allclose(value, expected, rtol=1e-4, atol=1e-5, err_msg=f"{case.name}: d/d{name}")
