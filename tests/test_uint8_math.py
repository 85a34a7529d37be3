"""uint8 arithmetic, comparisons and reductions as TF's kernels give them (wrapping modulo 256), on both backends.

dfc's integer kernels are signed: uint8 operands are computed in int32 and the result cast back. The expected
values are TF 2.21's (tf.compat.v1) for the same tensors.
"""

import numpy as np
import pytest

import dfc as tf

X = np.array([[200, 100], [3, 4]], np.uint8)
Y = np.array([[100, 200], [7, 2]], np.uint8)
TF_VALUES = {  # name -> (dtype, value) as TF 2.21 printed them
    "add": ("uint8", [[44, 44], [10, 6]]), "sub": ("uint8", [[100, 156], [252, 2]]),
    "mul": ("uint8", [[32, 32], [21, 8]]), "floordiv": ("uint8", [[2, 0], [0, 2]]),
    "mod": ("uint8", [[0, 100], [3, 0]]), "maximum": ("uint8", [[200, 200], [7, 4]]),
    "minimum": ("uint8", [[100, 100], [3, 2]]), "less": ("bool", [[False, True], [True, False]]),
    "sum": ("uint8", [44, 7]), "mean": ("uint8", 76), "argmax": ("int64", [0, 1]),
    "cumsum": ("uint8", [[200, 44], [3, 7]]), "square": ("uint8", [[64, 16], [9, 16]]),
    "div": ("uint8", [[2, 0], [0, 2]]), "add_n": ("uint8", [[44, 44], [10, 6]]),
    "clip": ("uint8", [[150, 100], [5, 5]]), "prod": ("uint8", 128), "max": ("uint8", 200), "min": ("uint8", 3),
}


@pytest.mark.parametrize("backend", ["cpu", "interpreter"])
def test_uint8_math_matches_tensorflow(backend):
    with tf.Graph().as_default():
        x, y = tf.constant(X), tf.constant(Y)
        made = {"add": x + y, "sub": x - y, "mul": x * y, "floordiv": x // y, "mod": x % y,
                "maximum": tf.maximum(x, y), "minimum": tf.minimum(x, y), "less": x < y,
                "sum": tf.reduce_sum(x, 1), "mean": tf.reduce_mean(x), "argmax": tf.argmax(x, 1),
                "cumsum": tf.cumsum(x, 1), "square": tf.square(x), "div": tf.div(x, y), "add_n": tf.add_n([x, y]),
                "clip": tf.clip_by_value(x, 5, 150), "prod": tf.reduce_prod(x), "max": tf.reduce_max(x),
                "min": tf.reduce_min(x)}
        assert made["add"].name == "add:0" and made["sum"].name == "Sum:0"
        with tf.Session(backend=backend) as sess:
            got = sess.run(made)
    for key, (dtype, value) in TF_VALUES.items():
        assert got[key].dtype == np.dtype(dtype), key
        np.testing.assert_array_equal(got[key], value, err_msg=key)


def test_uint8_ops_tf_refuses_stay_refused():
    x = tf.constant(X)
    for op in (tf.abs, tf.negative, lambda t: tf.pow(t, t)):
        with pytest.raises(TypeError):
            op(x)
