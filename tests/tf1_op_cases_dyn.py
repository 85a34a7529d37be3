"""TF1 cases for tf.TensorArray in and out of tf.while_loop, and map_fn/scan/foldl, for both real TF and dfc.

Part of tests/tf1_op_cases.py's CASES: recorded by tests/record_tf1_ops.py, checked by
tests/test_tf1_ops_expectations.py on both backends (values and gradients).
"""

from __future__ import annotations

import numpy as np
from tf1_op_cases import Case

F32 = np.float32


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _rnn(tf, x, w, u, h0):
    """A hand-written RNN over time-major x: inputs unstacked into one TensorArray, outputs written into another."""
    steps = tf.shape(x)[0]
    inputs = tf.TensorArray(tf.float32, size=steps).unstack(x)
    outputs = tf.TensorArray(tf.float32, size=steps)

    def body(t, h, outs):
        h = tf.tanh(tf.matmul(inputs.read(t), w) + tf.matmul(h, u))
        return t + 1, h, outs.write(t, h)
    _, last, outputs = tf.while_loop(lambda t, *_: t < steps, body, [tf.constant(0), h0, outputs])
    return {"outputs": outputs.stack(), "last": last, "size": outputs.size()}


def _attention_decoder(tf, mem, q):
    """A decoding loop reading every step's state back from its own TensorArray (clear_after_read=False)."""
    states = tf.TensorArray(tf.float32, size=4, clear_after_read=False, element_shape=[3])
    states = states.write(0, q)

    def body(t, states, acc):
        prev = states.read(t - 1)
        score = tf.nn.softmax(tf.reduce_sum(mem * prev, axis=1))
        context = tf.reduce_sum(mem * tf.expand_dims(score, 1), axis=0)
        new = tf.tanh(context + prev)
        return t + 1, states.write(t, new), acc + tf.reduce_sum(states.read(0) * new)
    _, states, acc = tf.while_loop(lambda t, *_: t < 4, body, [tf.constant(1), states, tf.constant(0.0)])
    return {"states": states.stack(), "acc": acc, "gathered": states.gather([3, 1]),
            "concat": states.concat()}


def _array_ops(tf, x, v):
    ta = tf.TensorArray(tf.float32, size=3, clear_after_read=False)
    ta = ta.write(2, v).write(0, v * 2.0)  # index 1 is never written: zeros
    keep = tf.TensorArray(tf.float32, size=2, clear_after_read=False).unstack(x)
    split = tf.TensorArray(tf.float32, size=3, clear_after_read=False).split(tf.reshape(x, [-1]), [2, 2, 2])
    scattered = tf.TensorArray(tf.float32, size=4, element_shape=[3]).scatter([3, 1], x)
    sized = tf.TensorArray(tf.float32, size=0, dynamic_size=True).write(0, v).write(3, v + 1.0)
    return {"stack": ta.stack(), "concat": ta.concat(), "read2": keep.read(1) + keep.read(1),
            "gather": keep.gather([1, 0, 1]), "split": split.stack(), "split_concat": split.concat(),
            "scatter": scattered.stack(), "dynamic": sized.stack(), "dynamic_size": sized.size(),
            "ints": tf.TensorArray(tf.int32, size=2).write(1, 5).stack(),
            "unwritten_read": tf.TensorArray(tf.float32, size=2, element_shape=[2]).read(1)}


def _map_scan_fold(tf, x, y):
    summed, product = tf.scan(lambda a, r: (a[0] + r, a[1] * r), y, initializer=(tf.zeros([3]), tf.ones([3])))
    return {"map": tf.map_fn(lambda r: tf.reduce_sum(r * r) + r, x),
            "map_pair": tf.map_fn(lambda p: p[0] * p[1], (x, y), dtype=tf.float32),
            "scan": tf.scan(lambda a, r: a * 0.5 + tf.sin(r), x),
            "scan_sum": summed, "scan_product": product,
            "scan_rev": tf.scan(lambda a, r: a + r, x, reverse=True),
            "foldl": tf.foldl(lambda a, r: a * r + 1.0, y),
            "foldr": tf.foldr(lambda a, r: a * 0.5 + r, x, initializer=tf.zeros([3]))}


def _python_functions(tf, x, k):
    """tf.py_func / numpy_function / py_function in a graph, their outputs feeding more ops (gradients flow around
    them: TF1 declares PyFunc not differentiable)."""
    clipped = tf.py_func(lambda a: np.clip(a, -0.5, 0.5), [x * 2.0], tf.float32, name="clip")
    clipped.set_shape([3, 4])
    stats = tf.numpy_function(lambda a, b: [a.mean(axis=0), (a > 0).sum().astype(np.int32) + b], [x, k],
                              [tf.float32, tf.int32])
    plus = tf.py_function(lambda a: a.numpy() + 1.5, [x], tf.float32)
    for t, shape in ((stats[0], [4]), (stats[1], []), (plus, [3, 4])):
        t.set_shape(shape)
    return {"clipped": clipped, "mixed": tf.reduce_sum(clipped * x, axis=1), "mean": stats[0], "count": stats[1],
            "plus": tf.stop_gradient(plus) * x}


def _user_gradients(tf, x, w):
    """tf.custom_gradient (a clipped gradient, a straight-through round) and gradient_override_map (gradient
    reversal over tf.identity, straight-through sign) in a small network."""
    @tf.custom_gradient
    def clip_gradient(v):
        return tf.identity(v), lambda dy: tf.clip_by_value(dy, -0.05, 0.05)

    @tf.custom_gradient
    def straight_through_round(v):
        return tf.round(v), lambda dy: dy

    try:
        @tf.RegisterGradient("ReverseHalfGradient")
        def _reverse(op, grad):
            return [tf.negative(grad) * 0.5]
    except KeyError:  # registered by an earlier run of the case in this process
        pass
    h = tf.tanh(tf.matmul(x, w))
    g = tf.get_default_graph()
    with g.gradient_override_map({"Identity": "ReverseHalfGradient"}):
        reversed_h = tf.identity(h)
    with g.gradient_override_map({"Sign": "Identity"}):
        binary = tf.sign(h)
    return {"clipped": clip_gradient(h * 3.0), "rounded": straight_through_round(h * 4.0),
            "reversed": reversed_h * h, "binary": binary * x[:, :3]}


CASES: list[Case] = [
    Case("tensor_array_rnn", {"x": _rng(31).standard_normal((5, 2, 3)).astype(F32),
                              "w": _rng(32).standard_normal((3, 4)).astype(F32) * 0.5,
                              "u": _rng(33).standard_normal((4, 4)).astype(F32) * 0.5,
                              "h0": _rng(34).standard_normal((2, 4)).astype(F32)},
         _rnn, grad=("x", "w", "u", "h0")),
    Case("tensor_array_decoder", {"mem": _rng(35).standard_normal((5, 3)).astype(F32),
                                  "q": _rng(36).standard_normal(3).astype(F32)},
         _attention_decoder, grad=("mem", "q")),
    Case("tensor_array_ops", {"x": _rng(37).standard_normal((2, 3)).astype(F32),
                              "v": _rng(38).standard_normal(2).astype(F32)},
         _array_ops, grad=("x", "v")),
    Case("map_scan_fold_rows", {"x": _rng(39).standard_normal((6, 3)).astype(F32),
                                "y": _rng(40).uniform(0.5, 1.5, (6, 3)).astype(F32)},
         _map_scan_fold, grad=("x", "y")),
    Case("python_functions", {"x": _rng(41).standard_normal((3, 4)).astype(F32), "k": np.array(7, np.int32)},
         _python_functions, grad=("x",)),
    Case("user_gradients", {"x": _rng(42).standard_normal((4, 3)).astype(F32),
                            "w": _rng(43).standard_normal((3, 3)).astype(F32)},
         _user_gradients, grad=("x", "w")),
]
