"""TF1 training-API programs (metrics, schedules, optimizers) written once, run by TensorFlow and by dfc.

Each case takes a TF1-style module (`tensorflow.compat.v1` or `dfc`) and a Session factory and
returns named arrays. tests/record_train_expectations.py runs the cases with real TensorFlow and
stores the arrays in tests/data/tf_expectations/train_<case>.npz; tests/test_metrics.py and
tests/test_optimizers.py run them with dfc on each backend and compare.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from recordings import assert_matches_recording

CASES: dict[str, Callable] = {}
F32 = np.float32


def case(fn: Callable) -> Callable:
    CASES[fn.__name__] = fn
    return fn


def check_against_tensorflow(name: str, backend: str, rtol: float = 2e-5, atol: float = 2e-6) -> None:
    """Run case `name` with dfc on `backend` and compare every array with TensorFlow's recording."""
    import dfc
    dfc.reset_default_graph()
    actual = CASES[name](dfc, lambda: dfc.Session(backend=backend))
    assert_matches_recording(actual, f"train_{name}", lambda key: {"rtol": rtol, "atol": atol})


def _names(variables) -> np.ndarray:
    return np.array(sorted(v.name for v in variables))


def _stream(tf, Session, placeholders, value, update, batches, reset_batch=None) -> dict[str, np.ndarray]:
    """Run update on each batch, reading value after each; then reset the locals and run one batch again."""
    out: dict[str, list] = {"value0": [], "updates": [], "values": []}
    with Session() as sess:
        sess.run(tf.local_variables_initializer())
        out["value0"] = sess.run(value)
        for batch in batches:
            out["updates"].append(sess.run(update, dict(zip(placeholders, batch))))
            out["values"].append(sess.run(value))
        sess.run(tf.local_variables_initializer())
        out["after_reset"] = sess.run(value)
        out["update_after_reset"] = sess.run(update, dict(zip(placeholders, batches[0])))
    arrays = {k: np.asarray(v) for k, v in out.items()}
    # (average_precision_at_k's 'max' scope is 'max_1' in TF: TF uniquifies names case-insensitively and a
    # reduce_max op 'Max' comes first; dfc names it 'max')
    arrays["local_names"] = _names(v for v in tf.local_variables() if "average_precision" not in v.name)
    arrays["metric_names"] = _names(v for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)
                                    if "average_precision" not in v.name)
    arrays["value_name"] = np.array(getattr(value, "name", ""))
    arrays["update_name"] = np.array(getattr(update, "name", ""))
    return arrays


def _batches(seed: int, *makers) -> list[tuple]:
    rng = np.random.default_rng(seed)
    return [tuple(make(rng) for make in makers) for _ in range(3)]


def _binary(rng):
    return rng.integers(0, 2, 8)


def _probs(rng):
    return rng.random(8).astype(F32)


def _weights(rng):
    return rng.random(8).astype(F32)


# ---- tf.metrics --------------------------------------------------------------------------------------
@case
def metrics_accuracy(tf, Session):
    labels, predictions = tf.placeholder(tf.int64, [8]), tf.placeholder(tf.int64, [8])
    value, update = tf.metrics.accuracy(labels, predictions)
    return _stream(tf, Session, [labels, predictions], value, update,
                   _batches(1, lambda r: r.integers(0, 3, 8), lambda r: r.integers(0, 3, 8)))


@case
def metrics_accuracy_weighted_named(tf, Session):
    labels, predictions = tf.placeholder(tf.int32, [8, 1]), tf.placeholder(tf.int32, [8])
    weights = tf.placeholder(tf.float32, [8])
    value, update = tf.metrics.accuracy(labels, predictions, weights=weights, name="acc",
                                        metrics_collections=["m"], updates_collections=["u"])
    tf.metrics.accuracy(labels, predictions, name="acc")  # a second metric of that name: acc_1
    assert tf.get_collection("m")[0] is value and tf.get_collection("u")[0] is update
    return _stream(tf, Session, [labels, predictions, weights], value, update,
                   _batches(2, lambda r: r.integers(0, 3, (8, 1)).astype(np.int32),
                            lambda r: r.integers(0, 3, 8).astype(np.int32), _weights))


@case
def metrics_mean(tf, Session):
    values, weights = tf.placeholder(tf.float32, [4, 2]), tf.placeholder(tf.float32, [4, 1])
    value, update = tf.metrics.mean(values, weights)
    return _stream(tf, Session, [values, weights], value, update,
                   _batches(3, lambda r: r.standard_normal((4, 2)).astype(F32),
                            lambda r: r.integers(0, 3, (4, 1)).astype(F32)))


@case
def metrics_mean_tensor(tf, Session):
    values = tf.placeholder(tf.float32, [2, 3])
    value, update = tf.metrics.mean_tensor(values)
    return _stream(tf, Session, [values], value, update, _batches(4, lambda r: r.standard_normal((2, 3)).astype(F32)))


@case
def metrics_errors(tf, Session):
    labels, predictions = tf.placeholder(tf.float32, [6]), tf.placeholder(tf.float32, [6])
    weights = tf.placeholder(tf.float32, [6])
    pairs = [tf.metrics.mean_squared_error(labels, predictions),
             tf.metrics.mean_absolute_error(labels, predictions, weights),
             tf.metrics.root_mean_squared_error(labels, predictions),
             tf.metrics.mean_relative_error(labels, predictions, normalizer=labels + 2.0),
             tf.metrics.percentage_below(predictions, 0.25)]
    value = tf.stack([v for v, _ in pairs])
    update = tf.stack([u for _, u in pairs])
    return _stream(tf, Session, [labels, predictions, weights], value, update,
                   _batches(5, lambda r: r.standard_normal(6).astype(F32), lambda r: r.standard_normal(6).astype(F32),
                            lambda r: r.random(6).astype(F32)))


@case
def metrics_cosine_distance(tf, Session):
    labels, predictions = tf.placeholder(tf.float32, [4, 3]), tf.placeholder(tf.float32, [4, 3])

    def unit(r):
        x = r.standard_normal((4, 3)).astype(F32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)
    value, update = tf.metrics.mean_cosine_distance(labels, predictions, dim=1)
    return _stream(tf, Session, [labels, predictions], value, update, _batches(6, unit, unit))


@case
def metrics_counts(tf, Session):
    labels, predictions = tf.placeholder(tf.int64, [8]), tf.placeholder(tf.int64, [8])
    weights = tf.placeholder(tf.float32, [8])
    pairs = [tf.metrics.true_positives(labels, predictions), tf.metrics.false_positives(labels, predictions),
             tf.metrics.true_negatives(labels, predictions, weights),
             tf.metrics.false_negatives(labels, predictions),
             tf.metrics.precision(labels, predictions), tf.metrics.recall(labels, predictions, weights)]
    value = tf.stack([v for v, _ in pairs])
    update = tf.stack([u for _, u in pairs])
    return _stream(tf, Session, [labels, predictions, weights], value, update, _batches(7, _binary, _binary,
                                                                                         _weights))


@case
def metrics_auc(tf, Session):
    labels, predictions = tf.placeholder(tf.int64, [8]), tf.placeholder(tf.float32, [8])
    weights = tf.placeholder(tf.float32, [8])
    pairs = [tf.metrics.auc(labels, predictions),
             tf.metrics.auc(labels, predictions, weights=weights, num_thresholds=7, curve="PR"),
             tf.metrics.auc(labels, predictions, curve="PR", summation_method="careful_interpolation"),
             tf.metrics.auc(labels, predictions, summation_method="minoring", thresholds=[0.7, 0.2, 0.5]),
             tf.metrics.auc(labels, predictions, summation_method="majoring", num_thresholds=11)]
    value = tf.stack([v for v, _ in pairs])
    update = tf.stack([u for _, u in pairs])
    return _stream(tf, Session, [labels, predictions, weights], value, update, _batches(8, _binary, _probs, _weights))


@case
def metrics_thresholds(tf, Session):
    labels, predictions = tf.placeholder(tf.bool, [8]), tf.placeholder(tf.float32, [8])
    thresholds = [0.25, 0.5, 0.75]
    pairs = [tf.metrics.true_positives_at_thresholds(labels, predictions, thresholds),
             tf.metrics.false_positives_at_thresholds(labels, predictions, thresholds),
             tf.metrics.true_negatives_at_thresholds(labels, predictions, thresholds),
             tf.metrics.false_negatives_at_thresholds(labels, predictions, thresholds),
             tf.metrics.precision_at_thresholds(labels, predictions, thresholds),
             tf.metrics.recall_at_thresholds(labels, predictions, thresholds)]
    value = tf.stack([v for v, _ in pairs])
    update = tf.stack([u for _, u in pairs])
    pairs2 = [tf.metrics.sensitivity_at_specificity(labels, predictions, 0.6),
              tf.metrics.specificity_at_sensitivity(labels, predictions, 0.4, num_thresholds=20)]
    value = tf.concat([value, tf.stack([tf.stack([v for v, _ in pairs2])] * 3, axis=1)], 0)
    update = tf.concat([update, tf.stack([tf.stack([u for _, u in pairs2])] * 3, axis=1)], 0)
    return _stream(tf, Session, [labels, predictions], value, update,
                   _batches(9, lambda r: r.integers(0, 2, 8).astype(bool), _probs))


@case
def metrics_classes(tf, Session):
    labels, predictions = tf.placeholder(tf.int64, [2, 4]), tf.placeholder(tf.int64, [2, 4])
    weights = tf.placeholder(tf.float32, [2, 4])
    iou, update_cm = tf.metrics.mean_iou(labels, predictions, num_classes=4)
    wiou, update_wcm = tf.metrics.mean_iou(labels, predictions, num_classes=4, weights=weights)
    accuracy, update_per_class = tf.metrics.mean_per_class_accuracy(labels, predictions, 4, weights=weights)
    value = tf.stack([iou, wiou, accuracy])
    update = [update_cm, update_wcm, update_per_class]
    out = _stream(tf, Session, [labels, predictions, weights], value, update[2],
                  _batches(10, lambda r: r.integers(0, 4, (2, 4)), lambda r: r.integers(0, 4, (2, 4)),
                           lambda r: r.random((2, 4)).astype(F32)))
    batch = _batches(10, lambda r: r.integers(0, 4, (2, 4)), lambda r: r.integers(0, 4, (2, 4)),
                     lambda r: r.random((2, 4)).astype(F32))[0]
    with Session() as sess:
        sess.run(tf.local_variables_initializer())
        cms = sess.run(update[:2], dict(zip([labels, predictions, weights], batch)))
    out["confusion"], out["weighted_confusion"] = cms
    return out


@case
def metrics_at_k(tf, Session):
    labels, logits = tf.placeholder(tf.int64, [5]), tf.placeholder(tf.float32, [5, 4])
    multi = tf.placeholder(tf.int64, [5, 2])
    pairs = [tf.metrics.precision_at_k(labels, logits, 2), tf.metrics.recall_at_k(labels, logits, 2),
             tf.metrics.recall_at_k(labels, logits, 1, class_id=2),
             tf.metrics.precision_at_k(multi, logits, 3), tf.metrics.recall_at_k(multi, logits, 2),
             tf.metrics.precision_at_top_k(multi, tf.constant([[0, 1], [2, 2], [3, 0], [1, 3], [0, 0]])),
             tf.metrics.recall_at_top_k(multi, tf.constant([[0, 1], [2, 2], [3, 0], [1, 3], [0, 0]]), class_id=3,
                                        weights=tf.constant([1.0, 0.5, 2.0, 0.0, 1.0])),
             tf.metrics.average_precision_at_k(multi, logits, 3),
             tf.metrics.average_precision_at_k(labels, logits, 2, weights=tf.constant([1.0, 0.5, 2.0, 0.0, 1.0])),
             tf.metrics.sparse_average_precision_at_k(multi + 2, logits, 1)]
    value = tf.stack([tf.cast(v, tf.float64) for v, _ in pairs])
    update = tf.stack([tf.cast(u, tf.float64) for _, u in pairs])
    return _stream(tf, Session, [labels, logits, multi], value, update,
                   _batches(11, lambda r: r.integers(0, 4, 5), lambda r: r.standard_normal((5, 4)).astype(F32),
                            lambda r: r.integers(-1, 4, (5, 2))))


# ---- learning-rate schedules ------------------------------------------------------------------------
@case
def schedules(tf, Session):
    step = tf.placeholder(tf.int64, [])
    rates = [tf.train.exponential_decay(0.1, step, 4, 0.5), tf.train.exponential_decay(0.1, step, 4, 0.5, True),
             tf.train.natural_exp_decay(0.1, step, 3, 0.4), tf.train.natural_exp_decay(0.1, step, 3, 0.4, True),
             tf.train.inverse_time_decay(0.1, step, 3, 0.5), tf.train.inverse_time_decay(0.1, step, 3, 0.5, True),
             tf.train.polynomial_decay(0.1, step, 5), tf.train.polynomial_decay(0.1, step, 5, 0.01, 2.0),
             tf.train.polynomial_decay(0.1, step, 5, 0.01, 0.5, cycle=True),
             tf.train.cosine_decay(0.1, step, 7), tf.train.cosine_decay(0.1, step, 7, alpha=0.2),
             tf.train.cosine_decay_restarts(0.1, step, 3), tf.train.cosine_decay_restarts(0.1, step, 2, 1.0, 0.5),
             tf.train.cosine_decay_restarts(0.1, step, 2, 1.5, 0.8, 0.1),
             tf.train.linear_cosine_decay(0.1, step, 9), tf.train.linear_cosine_decay(0.1, step, 9, 2.0, 0.1, 0.01),
             tf.cast(tf.train.piecewise_constant(step, [2, 5, 9], [1.0, 0.5, 0.25, 0.125]), tf.float32),
             tf.cast(tf.train.piecewise_constant(tf.cast(step, tf.int32), [3], [7, 9]), tf.float32)]
    out = []
    with Session() as sess:
        for s in range(14):
            out.append(sess.run(rates, {step: s}))
    return {"rates": np.asarray(out, np.float32)}


@case
def schedule_drives_training(tf, Session):
    x = tf.constant([[1.0, 2.0], [3.0, -1.0]])
    w = tf.Variable([[0.5], [-0.25]])
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
    global_step = tf.train.get_or_create_global_step()
    lr = tf.train.piecewise_constant(global_step, [2, 4], [0.1, 0.05, 0.01])
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=global_step)
    weights, steps, rates = [], [], []
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(6):
            rates.append(sess.run(lr))
            sess.run(train)
            weights.append(sess.run(w))
            steps.append(sess.run(global_step))
    return {"weights": np.asarray(weights), "steps": np.asarray(steps), "rates": np.asarray(rates)}


# ---- optimizers ---------------------------------------------------------------------------------------
def _train(tf, Session, make_optimizer, steps: int = 4, with_global_step: bool = False):
    """Four steps on a small regression with an unused variable in var_list; the weights, slots and names."""
    rng = np.random.default_rng(21)
    w0, b0 = rng.standard_normal((3, 2)).astype(F32), rng.standard_normal(2).astype(F32)
    xs = [rng.standard_normal((5, 3)).astype(F32) for _ in range(steps)]
    target = rng.standard_normal((5, 2)).astype(F32)
    x = tf.placeholder(tf.float32, [None, 3])
    w, b = tf.Variable(w0, name="W"), tf.Variable(b0, name="b")
    unused = tf.Variable([1.0, 2.0], name="unused")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - target)) + 0.1 * tf.reduce_sum(tf.abs(w))
    global_step = tf.train.get_or_create_global_step() if with_global_step else None
    optimizer = make_optimizer(tf, global_step)
    grads_and_vars = optimizer.compute_gradients(loss, var_list=[w, b, unused])
    assert grads_and_vars[2][0] is None and grads_and_vars[2][1] is unused
    train = optimizer.apply_gradients(grads_and_vars, global_step=global_step)
    out = {"slot_names": np.array(sorted(optimizer.get_slot_names())),
           "variable_names": _names(tf.global_variables()), "train_name": np.array(train.name)}
    assert all(optimizer.get_slot(unused, s) is None for s in optimizer.get_slot_names())
    slots = [optimizer.get_slot(v, s) for s in sorted(optimizer.get_slot_names()) for v in (w, b)]
    history = []
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        for batch in xs:
            sess.run(train, {x: batch})
            history.append(np.concatenate([np.ravel(a) for a in sess.run([w, b, unused] + slots)]))
    out["history"] = np.asarray(history)
    return out


def _optimizer_case(name: str, make, with_global_step: bool = False) -> None:
    def run(tf, Session):
        return _train(tf, Session, make, with_global_step=with_global_step)
    run.__name__ = name
    case(run)


_optimizer_case("optimizer_momentum", lambda tf, gs: tf.train.MomentumOptimizer(0.05, 0.9))
_optimizer_case("optimizer_nesterov", lambda tf, gs: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True))
_optimizer_case("optimizer_adagrad", lambda tf, gs: tf.train.AdagradOptimizer(0.2, initial_accumulator_value=0.3))
_optimizer_case("optimizer_rmsprop", lambda tf, gs: tf.train.RMSPropOptimizer(0.01, momentum=0.5))
_optimizer_case("optimizer_rmsprop_centered",
                lambda tf, gs: tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.3, epsilon=1e-4, centered=True))
_optimizer_case("optimizer_adam", lambda tf, gs: tf.train.AdamOptimizer(0.05), with_global_step=True)
_optimizer_case("optimizer_adadelta", lambda tf, gs: tf.train.AdadeltaOptimizer(1.0, rho=0.9, epsilon=1e-6))
_optimizer_case("optimizer_ftrl", lambda tf, gs: tf.train.FtrlOptimizer(0.3))
_optimizer_case("optimizer_ftrl_l1_l2",
                lambda tf, gs: tf.train.FtrlOptimizer(0.3, l1_regularization_strength=0.05,
                                                      l2_regularization_strength=0.2, accum_name="acc"))
_optimizer_case("optimizer_ftrl_power_shrinkage",
                lambda tf, gs: tf.train.FtrlOptimizer(0.3, learning_rate_power=-0.7, initial_accumulator_value=0.5,
                                                      l1_regularization_strength=0.01,
                                                      l2_shrinkage_regularization_strength=0.1, beta=0.2))
_optimizer_case("optimizer_proximal_gd", lambda tf, gs: tf.train.ProximalGradientDescentOptimizer(
    0.1, l1_regularization_strength=0.05, l2_regularization_strength=0.1))
_optimizer_case("optimizer_proximal_gd_l2", lambda tf, gs: tf.train.ProximalGradientDescentOptimizer(
    0.1, l2_regularization_strength=0.1))
_optimizer_case("optimizer_proximal_adagrad", lambda tf, gs: tf.train.ProximalAdagradOptimizer(
    0.2, l1_regularization_strength=0.05, l2_regularization_strength=0.1))
_optimizer_case("optimizer_adagrad_da", lambda tf, gs: tf.train.AdagradDAOptimizer(
    0.2, gs, l1_regularization_strength=0.01, l2_regularization_strength=0.1), with_global_step=True)
_optimizer_case("optimizer_adagrad_da_no_l1", lambda tf, gs: tf.train.AdagradDAOptimizer(0.2, gs),
                with_global_step=True)


@case
def optimizer_moving_average(tf, Session):
    w = tf.Variable([1.0, -2.0], name="w")
    step = tf.Variable(0, name="step", trainable=False)
    loss = tf.reduce_sum(tf.square(w - 3.0))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    ema = tf.train.ExponentialMovingAverage(0.9, num_updates=step)
    with tf.control_dependencies([train]):
        averaged = ema.apply([w])
    bump = tf.assign_add(step, 5)
    restore = ema.variables_to_restore()
    out = {"average_name": np.array(ema.average_name(w)), "shadow_name": np.array(ema.average(w).name),
           "restore_keys": np.array(sorted(restore)),
           "restore_values": np.array([restore[k].name for k in sorted(restore)]),
           "moving_average_variables": _names(tf.get_collection(tf.GraphKeys.MOVING_AVERAGE_VARIABLES)),
           "global_names": _names(tf.global_variables()), "trainable_names": _names(tf.trainable_variables())}
    history = []
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(4):
            sess.run(averaged)
            sess.run(bump)
            history.append(sess.run([w, ema.average(w)]))
    out["history"] = np.asarray(history)
    return out


# ---- tf.layers classes ----------------------------------------------------------------------------------
def _init(tf, rng, shape):
    return tf.constant_initializer(rng.standard_normal(shape).astype(F32) * 0.5)


@case
def layers_classes(tf, Session):
    rng = np.random.default_rng(31)
    x = tf.placeholder(tf.float32, [4, 5])
    seq = tf.placeholder(tf.float32, [2, 7, 3])
    image = tf.placeholder(tf.float32, [2, 6, 6, 3])
    feeds = {x: rng.standard_normal((4, 5)).astype(F32), seq: rng.standard_normal((2, 7, 3)).astype(F32),
             image: rng.standard_normal((2, 6, 6, 3)).astype(F32)}
    dense = tf.layers.Dense(3, activation=tf.nn.relu, kernel_initializer=_init(tf, rng, (5, 3)),
                            bias_initializer=_init(tf, rng, (3,)))
    y1, y2 = dense(x), dense.apply(x * 2.0)
    flat = tf.layers.Flatten()(seq)
    dropped = tf.layers.Dropout(0.5)(x, training=False)
    normalized = tf.layers.Dense(2, kernel_initializer=_init(tf, rng, (3, 2)))(seq)
    conv = tf.layers.Conv1D(4, 3, strides=2, padding="same", kernel_initializer=_init(tf, rng, (3, 3, 4)),
                            bias_initializer=_init(tf, rng, (4,)))
    c1 = conv(seq)
    c2 = tf.layers.conv1d(seq, 2, 2, dilation_rate=2, kernel_initializer=_init(tf, rng, (2, 3, 2)))
    p1 = tf.layers.MaxPooling1D(2, 2, padding="same")(seq)
    p2 = tf.layers.average_pooling1d(seq, 3, 2)
    p3 = tf.layers.AveragePooling1D(2, 2, padding="same")(seq)
    p4 = tf.layers.max_pooling1d(seq, 3, 1)
    sep = tf.layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2,
                                    depthwise_initializer=_init(tf, rng, (3, 3, 3, 2)),
                                    pointwise_initializer=_init(tf, rng, (1, 1, 6, 4)))
    s1 = sep(image)
    s2 = tf.layers.separable_conv2d(image, 2, 2, strides=2, activation=tf.tanh,
                                    depthwise_initializer=_init(tf, rng, (2, 2, 3, 1)),
                                    pointwise_initializer=_init(tf, rng, (1, 1, 3, 2)))

    s3 = tf.layers.SeparableConv1D(3, 3, padding="same", depth_multiplier=2,
                                   depthwise_initializer=_init(tf, rng, (3, 3, 2)),
                                   pointwise_initializer=_init(tf, rng, (1, 6, 3)),
                                   bias_initializer=_init(tf, rng, (3,)))(seq)
    s4 = tf.layers.separable_conv1d(seq, 2, 2, strides=2, depthwise_initializer=_init(tf, rng, (2, 3, 1)),
                                    pointwise_initializer=_init(tf, rng, (1, 3, 2)))

    class Scale(tf.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", [int(input_shape[-1])], initializer=tf.ones_initializer())
            self.c = self.add_weight("c", [], initializer=tf.constant_initializer(0.5), trainable=False)
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.w + self.c

    scale = Scale()
    z1, z2 = scale(x), scale(x + 1.0)
    outputs = [y1, y2, flat, dropped, normalized, c1, c2, p1, p2, p3, p4, s1, s2, s3, s4, z1, z2]
    loss = sum(tf.reduce_sum(tf.square(t)) for t in [y1, y2, normalized, c1, c2, s1, s2, s3, s4, z1])
    variables = tf.trainable_variables()
    grads = tf.gradients(loss, variables)
    out = {"names": np.array([v.name for v in tf.global_variables()]),
           "trainable": np.array([v.name for v in variables]),
           # (not layer.name: TF 2's legacy layers count each object's default name twice: dense_1 for the first)
           "dense": np.array([v.name for v in dense.trainable_weights + dense.variables]),
           "scale": np.array([v.name for v in scale.trainable_weights] + [v.name for v in scale.non_trainable_weights]
                             + [v.name for v in scale.variables]),
           "sep": np.array([v.name for v in sep.variables]),
           "shapes": np.array([str(t.shape.as_list()) for t in outputs])}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(outputs + grads, feeds)
    for i, v in enumerate(values):
        out[f"value_{i}"] = v
    return out


# ---- tf.data -----------------------------------------------------------------------------------------------
def _drain(sess, tensors, limit: int = 50, feed_dict=None) -> list:
    """Run `tensors` until OutOfRangeError (TF's end of a dataset); the values in order and the count."""
    out = []
    for _ in range(limit):
        try:
            out.append(sess.run(tensors, feed_dict))
        except Exception as e:  # noqa: BLE001 - both libraries' OutOfRangeError
            if type(e).__name__ != "OutOfRangeError":
                raise
            return out
    raise AssertionError("the dataset did not end")


def _flat(values) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(v, np.float64)) for v in values]) if values else np.zeros(0)


@case
def data_pipelines(tf, Session):
    x = np.arange(14, dtype=np.float32).reshape(7, 2)
    labels = np.arange(7, dtype=np.int64) % 3
    pipelines = {
        "batch": tf.data.Dataset.from_tensor_slices((x, labels)).batch(3),
        "batch_drop": tf.data.Dataset.from_tensor_slices({"x": x, "y": labels}).batch(3, drop_remainder=True),
        "repeat_take_skip": tf.data.Dataset.range(5).repeat(3).skip(4).take(8),
        "map": tf.data.Dataset.from_tensor_slices(x).map(lambda v: (tf.reduce_sum(v) * 2.0, tf.square(v))),
        "map_dict": tf.data.Dataset.from_tensor_slices({"a": x, "b": labels}).map(
            lambda d: d["a"] * tf.cast(d["b"], tf.float32)).batch(2),
        "zip": tf.data.Dataset.zip((tf.data.Dataset.range(4), tf.data.Dataset.from_tensor_slices(x))),
        "filter": tf.data.Dataset.range(10).filter(lambda i: tf.equal(i % 3, 0)),
        "from_tensors": tf.data.Dataset.from_tensors((x, 5)).repeat(2),
        "range_step": tf.data.Dataset.range(2, 11, 3).map(lambda i: i * 2).prefetch(1),
        "generator": tf.data.Dataset.from_generator(lambda: iter([[1, 2], [3, 4], [5, 6]]), tf.float32,
                                                    tf.TensorShape([2])).batch(2),
        "concat_enumerate": tf.data.Dataset.range(3).concatenate(tf.data.Dataset.range(7, 9)).batch(2).unbatch(),
        "flat_map": tf.data.Dataset.from_tensor_slices(x).flat_map(
            lambda v: tf.data.Dataset.from_tensor_slices(v * 3.0).repeat(2)).take(9),
        "padded_batch": tf.data.Dataset.from_generator(lambda: ([n] * n for n in range(1, 6)), tf.int64,
                                                       tf.TensorShape([None])).padded_batch(
            2, padded_shapes=[None], padding_values=tf.constant(-1, tf.int64)),
        "padded_fixed": tf.data.Dataset.from_generator(lambda: (([1.5] * n, n) for n in range(1, 5)),
                                                       (tf.float32, tf.int32)).padded_batch(3, padded_shapes=([6], [])),
    }
    out = {}
    with Session() as sess:
        for name, ds in sorted(pipelines.items()):
            element = ds.make_one_shot_iterator().get_next()
            values = _drain(sess, element)
            leaves = [v for value in values for v in (value.values() if isinstance(value, dict) else
                                                     value if isinstance(value, (tuple, list)) else [value])]
            out[name] = _flat(leaves)
            out[name + "_count"] = np.array(len(values))
            shapes = ds.output_shapes
            out[name + "_shapes"] = np.array(str([str(s) for s in (shapes.values() if isinstance(shapes, dict)
                                                                  else shapes if isinstance(shapes, tuple)
                                                                  else [shapes])]))
            types = ds.output_types
            out[name + "_types"] = np.array(str([t.name for t in (types.values() if isinstance(types, dict)
                                                                 else types if isinstance(types, tuple)
                                                                 else [types])]))
    return out


@case
def data_iterators_in_training(tf, Session):
    """An initializable iterator over a placeholder-fed dataset drives a training loop; re-initialized per epoch."""
    rng = np.random.default_rng(41)
    xs = rng.standard_normal((10, 3)).astype(F32)
    ys = (xs @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(F32)
    features, targets = tf.placeholder(tf.float32, [None, 3]), tf.placeholder(tf.float32, [None, 1])
    dataset = tf.data.Dataset.from_tensor_slices((features, targets)).batch(4)
    iterator = dataset.make_initializable_iterator()
    x, y = iterator.get_next()
    w = tf.Variable(tf.zeros([3, 1]))
    b = tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    losses, steps = [], []
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(iterator.initializer, {features: xs, targets: ys})
            count = 0
            while True:
                try:
                    losses.append(sess.run([loss, train])[0])  # one batch for both: one pull per run
                    count += 1
                except Exception as e:  # noqa: BLE001
                    if type(e).__name__ != "OutOfRangeError":
                        raise
                    break
            steps.append(count)
        weights = sess.run([w, b])
    reinitializable = tf.data.Iterator.from_structure(dataset.output_types, dataset.output_shapes)
    rx, _ = reinitializable.get_next()
    first = reinitializable.make_initializer(dataset)
    second = reinitializable.make_initializer(tf.data.Dataset.from_tensor_slices((features * 2.0, targets)).batch(5))
    with Session() as sess:
        sess.run(first, {features: xs, targets: ys})
        a = sess.run(rx)
        sess.run(second, {features: xs, targets: ys})
        b2 = sess.run(rx)
    return {"losses": np.asarray(losses), "steps": np.asarray(steps), "w": weights[0], "b": np.asarray(weights[1]),
            "reinit_a": a, "reinit_b": b2}
