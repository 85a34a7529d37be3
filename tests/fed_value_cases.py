"""TF1 ops given an attribute as a tensor the step feeds (an axis, a stride, a count, a depth): the cases
tests/record_fed_values.py records under TF 2.21 and tests/test_fed_values.py checks dfc against.

Each case is built by `fn(tf, x, a)` from the float placeholder x (X's shape) and the int32 scalar placeholder a,
and run for each of its fed values of a; the static shape, the values and the gradient of sum(out ** 2) with
respect to x are compared. ERRORS are values TF's kernels refuse: (case, value of a).
"""

from __future__ import annotations

import numpy as np

X = (np.arange(48, dtype=np.float32).reshape(4, 2, 6) - 20.0) / 9.0
#: cases whose values are random draws: only their shape is compared
RANDOM = {"multinomial", "categorical"}
#: cases whose result does not depend on x (no gradient)
NO_GRADIENT = {"argmax", "argmin", "reduce_any", "reduce_all", "count_nonzero", "one_hot", "range", "range_start",
               "multinomial", "categorical"}

CASES = {
    "reduce_sum": (lambda tf, x, a: tf.reduce_sum(x, a), [0, 1, -1]),
    "reduce_sum_keepdims": (lambda tf, x, a: tf.reduce_sum(x, a, keepdims=True), [0, 2, -2]),
    "reduce_sum_vector": (lambda tf, x, a: tf.reduce_sum(x, tf.stack([a, 0])), [1, 2, -1]),
    "reduce_mean": (lambda tf, x, a: tf.reduce_mean(x, axis=a), [0, 2]),
    "reduce_max": (lambda tf, x, a: tf.reduce_max(x, reduction_indices=a), [1, -1]),
    "reduce_min": (lambda tf, x, a: tf.reduce_min(x, a, keep_dims=True), [0, 2]),
    "reduce_prod": (lambda tf, x, a: tf.reduce_prod(x, a), [1]),
    "reduce_logsumexp": (lambda tf, x, a: tf.reduce_logsumexp(x, a), [0, -1]),
    "reduce_any": (lambda tf, x, a: tf.reduce_any(x > 1.0, a), [0, 2]),
    "reduce_all": (lambda tf, x, a: tf.reduce_all(x > -2.0, a, keepdims=True), [1, 2]),
    "moments": (lambda tf, x, a: tf.concat([tf.reshape(m, [-1]) for m in tf.nn.moments(x, tf.stack([a]),
                                                                                       keep_dims=True)], 0),
                [0, 1, 2]),
    "argmax": (lambda tf, x, a: tf.argmax(x, a), [0, 2, -1]),
    "argmin": (lambda tf, x, a: tf.argmin(x, axis=a, output_type=tf.int32), [1]),
    "concat": (lambda tf, x, a: tf.concat([x, 2.0 * x], a), [0, 1, 2, -1]),
    "gather": (lambda tf, x, a: tf.gather(x, [[1, 0], [1, 1]], axis=a), [0, 1, 2, -2]),
    "split": (lambda tf, x, a: tf.split(x, 2, axis=a)[1], [0, 1, 2]),
    # TF's SplitV shape function takes an unknown axis for the last one (its gradient then fails for another)
    "split_sizes": (lambda tf, x, a: tf.split(x, [1, -1], axis=a)[1], [2, -1]),
    "cumsum": (lambda tf, x, a: tf.cumsum(x, a, exclusive=True), [0, 2]),
    "cumprod": (lambda tf, x, a: tf.cumprod(x, axis=a, reverse=True), [1, -1]),
    # TF's softmax over a tensor axis swaps it with the last by a tf.range that fails when it is the last one
    # (its run-time error for a = -1 or 2); dfc computes that case
    "softmax": (lambda tf, x, a: tf.nn.softmax(x, axis=a), [0, 1]),
    "log_softmax": (lambda tf, x, a: tf.nn.log_softmax(x, axis=a), [0, 1]),
    "expand_dims": (lambda tf, x, a: tf.expand_dims(x, a), [0, 3, -1, -4]),
    "reverse": (lambda tf, x, a: tf.reverse(x, tf.stack([a])), [0, 1, -1]),
    "reverse_two": (lambda tf, x, a: tf.reverse(x, tf.stack([a, 0])), [1, 2]),
    "stride": (lambda tf, x, a: x[::a], [1, 2, -1, -3]),
    "stride_index": (lambda tf, x, a: x[1, ::a], [1, -1]),
    "stride_bounds": (lambda tf, x, a: x[:, :, 1:5:a], [1, 2, 3]),
    "stride_reversed_bounds": (lambda tf, x, a: x[3:0:a], [-1, -2]),
    "stride_ellipsis": (lambda tf, x, a: x[..., ::a], [2, -2]),
    "repeat": (lambda tf, x, a: tf.repeat(x, a, axis=1), [0, 1, 3]),
    "repeat_flat": (lambda tf, x, a: tf.repeat(x, a), [2]),
    "repeat_vector": (lambda tf, x, a: tf.repeat(x, tf.stack([a, 2]), axis=1), [0, 3]),
    "roll": (lambda tf, x, a: tf.roll(x, 1, a), [0, 2, -1]),
    "roll_shift": (lambda tf, x, a: tf.roll(x, a - 1, a), [1, 2]),
    "reduce_std": (lambda tf, x, a: tf.math.reduce_std(x, a), [0, 2]),
    "reduce_variance": (lambda tf, x, a: tf.math.reduce_variance(x, a, keepdims=True), [1]),
    "reduce_euclidean_norm": (lambda tf, x, a: tf.math.reduce_euclidean_norm(x, a), [-1]),
    "count_nonzero": (lambda tf, x, a: tf.count_nonzero(x > 0.5, a), [0, 1]),
    "l2_normalize": (lambda tf, x, a: tf.nn.l2_normalize(x, a), [0, 2]),
    "one_hot": (lambda tf, x, a: tf.one_hot([[0, 2], [4, 1]], a), [3, 5]),
    "reshape": (lambda tf, x, a: tf.reshape(x, tf.stack([a, -1])), [4, 12, 48]),
    "range": (lambda tf, x, a: tf.range(a), [0, 5]),
    "range_start": (lambda tf, x, a: tf.range(1, a, 2), [1, 8]),
    "multinomial": (lambda tf, x, a: tf.multinomial(x[0], a), [1, 7]),
    "categorical": (lambda tf, x, a: tf.random.categorical(x[:, 0], a, dtype=tf.int32), [3]),
}

#: (case, value of a): values TF's kernels refuse at run time (InvalidArgumentError naming the value)
ERRORS = [("reduce_sum", 3), ("reduce_sum", -4), ("reduce_sum_vector", 5), ("reduce_any", 3), ("argmax", 3),
          ("argmax", -4), ("concat", 3), ("concat", -4), ("gather", 3), ("split", 3), ("split", -4),
          ("split_sizes", 5), ("stride", 0), ("reverse", 3), ("reverse_two", 0), ("expand_dims", 4),
          ("expand_dims", -5), ("cumsum", 3)]


def static_shape(tensor) -> np.ndarray:
    """A tensor's static shape as recorded: its dims with -1 for an unknown one, or [-2] for an unknown rank."""
    dims = tensor.shape.as_list() if tensor.shape.ndims is not None else None
    return np.array([-2] if dims is None else [-1 if d is None else d for d in dims], np.int64)


def run_cases(tf, session) -> dict[str, np.ndarray]:
    """Every case's static shape, values and gradients for each fed value, and the errors' classes and messages,
    in a fresh graph of the `tf` module given (TensorFlow's compat.v1 or dfc)."""
    out: dict[str, np.ndarray] = {}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, X.shape, name="x")
        a = tf.placeholder(tf.int32, [], name="a")
        built = {name: fn(tf, x, a) for name, (fn, _) in CASES.items()}
        grads = {name: tf.gradients(tf.reduce_sum(tf.square(t)), x)[0] for name, t in built.items()
                 if name not in NO_GRADIENT}
        sess = session()
        for name in CASES:
            out[f"{name}/shape"] = static_shape(built[name])
        for v in sorted({v for _, values in CASES.values() for v in values}):  # one step per fed value
            fetches = {f"{name}/{v}/value": built[name] for name, (_, values) in CASES.items() if v in values}
            fetches.update({f"{name}/{v}/grad": grads[name] for name, (_, values) in CASES.items()
                            if v in values and name in grads})
            for key, value in sess.run(fetches, {x: X, a: v}).items():
                out[key] = np.asarray(np.shape(value)) if key.split("/")[0] in RANDOM else value
        for name, v in ERRORS:
            try:
                sess.run(built[name], {x: X, a: v})
                out[f"error/{name}/{v}"] = np.array("")
            except Exception as e:  # noqa: BLE001 - the class and message are what is recorded
                # the kernel's own words: TF's last line before the node it names (its traceback has paths)
                lines = [line for line in getattr(e, "message", str(e)).strip().splitlines()
                         if line.strip() and not line.startswith("\t")]
                out[f"error/{name}/{v}"] = np.array(f"{type(e).__name__}: {lines[-1]}")
    return out
