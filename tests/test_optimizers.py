"""tf.train optimizers against TF1's kernel formulas computed by hand in numpy, step by step; slots and global step."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
import train_cases


pytestmark = pytest.mark.usefixtures("fresh_graph")


RNG = np.random.default_rng(7)
W0 = RNG.normal(size=(2, 3)).astype(np.float32)
B0 = RNG.normal(size=(3,)).astype(np.float32)
TARGET = RNG.normal(size=(4, 3)).astype(np.float32)
BATCHES = [RNG.normal(size=(4, 2)).astype(np.float32) for _ in range(4)]


def model():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    W = tf.Variable(W0, name="W")
    b = tf.Variable(B0, name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - TARGET))
    return x, W, b, loss


def numpy_grads(x, W, b):
    """d mean((xW + b - t)^2) by hand."""
    d = 2 * (x @ W + b - TARGET) / TARGET.size
    return x.T @ d, d.sum(axis=0)


# ---- TF1's dense kernels, one step each: (params, grads, state, t) -> new state -----------------------
def sgd(lr):
    def step(p, g, s, t):
        return p - lr * g, s
    return step


def momentum(lr, mu, nesterov=False):
    def step(p, g, s, t):
        acc = s.get("acc", np.zeros_like(p)) * mu + g
        p = p - (g * lr + acc * mu * lr if nesterov else lr * acc)
        return p, {"acc": acc}
    return step


def adagrad(lr, init=0.1):
    def step(p, g, s, t):
        acc = s.get("acc", np.full_like(p, init)) + g * g
        return p - lr * g / np.sqrt(acc), {"acc": acc}
    return step


def rmsprop(lr, rho=0.9, mu=0.0, eps=1e-10, centered=False):
    def step(p, g, s, t):
        ms = s.get("ms", np.ones_like(p)) * rho + (1 - rho) * g * g
        mg = s.get("mg", np.zeros_like(p)) * rho + (1 - rho) * g
        denom = ms - mg * mg + eps if centered else ms + eps
        mom = s.get("mom", np.zeros_like(p)) * mu + lr * g / np.sqrt(denom)
        return p - mom, {"ms": ms, "mg": mg, "mom": mom}
    return step


def adam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    def step(p, g, s, t):
        m = b1 * s.get("m", np.zeros_like(p)) + (1 - b1) * g
        v = b2 * s.get("v", np.zeros_like(p)) + (1 - b2) * g * g
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return p - lr_t * m / (np.sqrt(v) + eps), {"m": m, "v": v}
    return step


CASES = {
    "sgd": (lambda: tf.train.GradientDescentOptimizer(0.3), sgd(0.3)),
    "momentum": (lambda: tf.train.MomentumOptimizer(0.1, 0.9), momentum(0.1, 0.9)),
    "nesterov": (lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True), momentum(0.1, 0.9, True)),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.5), adagrad(0.5)),
    "adagrad_init": (lambda: tf.train.AdagradOptimizer(0.5, initial_accumulator_value=2.0), adagrad(0.5, 2.0)),
    "rmsprop": (lambda: tf.train.RMSPropOptimizer(0.01), rmsprop(0.01)),
    "rmsprop_centered": (lambda: tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5, epsilon=1e-6,
                                                           centered=True),
                         rmsprop(0.01, 0.8, 0.5, 1e-6, True)),
    "adam": (lambda: tf.train.AdamOptimizer(0.1), adam(0.1)),
    "adam_betas": (lambda: tf.train.AdamOptimizer(0.05, beta1=0.5, beta2=0.9, epsilon=1e-4),
                   adam(0.05, 0.5, 0.9, 1e-4)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_updates_match_the_kernels_for_several_steps(case):
    make_optimizer, reference = CASES[case]
    x, W, b, loss = model()
    train = make_optimizer().minimize(loss)
    params = {"W": W0.astype(np.float64), "b": B0.astype(np.float64)}
    state: dict[str, dict] = {"W": {}, "b": {}}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for t, batch in enumerate(BATCHES, start=1):
            _, loss_before = sess.run([train, loss], {x: batch})
            expect_loss = np.mean(np.square(batch @ params["W"] + params["b"] - TARGET))
            np.testing.assert_allclose(loss_before, expect_loss, rtol=1e-5)  # the loss the step started from
            gW, gb = numpy_grads(batch.astype(np.float64), params["W"], params["b"])
            params["W"], state["W"] = reference(params["W"], gW, state["W"], t)
            params["b"], state["b"] = reference(params["b"], gb, state["b"], t)
            got_W, got_b = sess.run([W, b])
            np.testing.assert_allclose(got_W, params["W"], rtol=2e-5, atol=1e-6)
            np.testing.assert_allclose(got_b, params["b"], rtol=2e-5, atol=1e-6)


def test_adam_slots_are_tf_named_non_trainable_global_variables():
    x, W, b, loss = model()
    opt = tf.train.AdamOptimizer()
    train = opt.minimize(loss)
    names = [v.name for v in tf.global_variables()]
    assert names == ["W:0", "b:0", "beta1_power:0", "beta2_power:0", "W/Adam:0", "W/Adam_1:0", "b/Adam:0",
                     "b/Adam_1:0"]
    assert [v.name for v in tf.trainable_variables()] == ["W:0", "b:0"]
    assert opt.get_slot(W, "m").name == "W/Adam:0" and opt.get_slot(W, "v").name == "W/Adam_1:0"
    assert opt.get_slot_names() == ["m", "v"]
    assert len(opt.variables()) == 6
    assert train.type == "NoOp" and train.name == "Adam"  # TF1: the group of the updates is a NoOp
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(opt.get_slot(W, "m")).shape == (2, 3)
        sess.run(train, {x: BATCHES[0]})
        b1, b2 = sess.run(["beta1_power:0", "beta2_power:0"])
        np.testing.assert_allclose([b1, b2], [0.9 ** 2, 0.999 ** 2], rtol=1e-6)


def test_rmsprop_and_momentum_slot_names_follow_tf():
    _, W, _, loss = model()
    tf.train.RMSPropOptimizer(0.1, momentum=0.9, centered=True).minimize(loss, var_list=[W])
    tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss, var_list=[W])
    names = [v.name for v in tf.global_variables()]
    assert names[2:] == ["W/RMSProp:0", "W/RMSProp_1:0", "W/RMSProp_2:0", "W/Momentum:0"]


def test_global_step_counts_after_the_updates():
    x, W, b, loss = model()
    assert tf.train.get_global_step() is None
    step = tf.train.get_or_create_global_step()
    assert step.dtype == tf.int64 and step.name == "global_step:0" and not step.trainable
    assert tf.train.get_or_create_global_step() is step and tf.train.get_global_step() is step
    with pytest.raises(ValueError, match="already exists"):
        tf.train.create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(3):
            _, seen = sess.run([train, step], {x: BATCHES[i]})
            assert seen == i + 1  # TF1 fetches the variable itself after the run's updates (its ref tensor)
            _, before = sess.run([train, step + 0], {x: BATCHES[i]})
            assert before == i + 1  # a computation on the variable reads it when the step starts
            sess.run(step.assign_sub(1))
        assert sess.run(step) == 3


def test_var_list_restricts_the_update_and_unconnected_vars_get_none():
    x, W, b, loss = model()
    other = tf.Variable(1.0, name="other")
    opt = tf.train.GradientDescentOptimizer(0.1)
    pairs = opt.compute_gradients(loss)
    assert [(g is None, v.name) for g, v in pairs] == [(False, "W:0"), (False, "b:0"), (True, "other:0")]
    train = opt.minimize(loss, var_list=[b])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: BATCHES[0]})
        np.testing.assert_array_equal(sess.run(W), W0)
        assert not np.allclose(sess.run(b), B0)
        assert sess.run(other) == 1.0


def test_apply_gradients_takes_any_gradients_and_a_tensor_learning_rate():
    v = tf.Variable([1.0, 2.0], name="v")
    lr = tf.placeholder(tf.float32, [], name="lr")
    train = tf.train.GradientDescentOptimizer(lr).apply_gradients([(tf.constant([1.0, -1.0]), v)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {lr: 0.5})
        sess.run(train, {lr: 0.25})
        np.testing.assert_allclose(sess.run(v), [0.25, 2.75])


def test_no_gradient_at_all_is_an_error_naming_the_variables():
    v = tf.Variable(1.0, name="lonely")
    loss = tf.stop_gradient(v * 2.0)
    with pytest.raises(ValueError, match="No gradients provided for any variable.*lonely"):
        tf.train.AdamOptimizer().minimize(loss)
    with pytest.raises(ValueError, match="No variables to optimize"):
        with tf.Graph().as_default():
            tf.train.AdamOptimizer().minimize(tf.constant(1.0))


def test_updates_are_assign_ops_and_float64_variables_work():
    v = tf.Variable(np.array([3.0, -2.0]), name="v64")
    train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(v * v))
    kinds = {op.type for op in tf.get_default_graph().ops if op.name.startswith("Adam/")}
    assert {"dfc.assign", "dfc.assign_sub"} <= kinds
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(200):
            sess.run(train)
        assert np.all(np.abs(sess.run(v)) < 0.1)


def test_updates_run_on_the_variables_device_and_the_train_op_is_collected():
    with tf.device("/job:ps/task:0"):
        w = tf.Variable([1.0, 2.0], name="w")
    with tf.device("/job:worker/task:1"):
        loss = tf.reduce_sum(w * w)
        train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    graph = tf.get_default_graph()
    updates = [op for op in graph.ops
               if op.type in ("dfc.assign", "dfc.assign_sub") and op.name.startswith("Momentum/")]
    assert updates and all(op.device == "/job:ps/task:0" for op in updates)
    assert all(v.device == "/job:ps/task:0" for v in tf.global_variables())
    assert graph.get_collection("train_op") == [train]


def test_exponential_decay_follows_the_global_step():
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, step, decay_steps=10, decay_rate=0.5)
    stair = tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        step.load(15, sess)
        np.testing.assert_allclose(sess.run([lr, stair]), [0.1 * 0.5 ** 1.5, 0.05], rtol=1e-6)


def test_apply_gradients_checks_each_gradient_against_its_variable():
    v = tf.Variable([1.0, 2.0], name="v")
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match=r"gradient .* does not match variable v:0"):
        opt.apply_gradients([(tf.constant([1.0, 2.0, 3.0]), v)])
    fed = tf.placeholder(tf.float32, [None], name="fed_grad")  # unknown dims are checked when fed
    train = opt.apply_gradients([(fed, v)])
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(train, {fed: [10.0, 20.0]})
        np.testing.assert_allclose(sess.run(v), [0.0, 0.0], atol=1e-6)


# ---- against values recorded with TensorFlow (tests/train_cases.py) ------------------------------------
@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
@pytest.mark.parametrize("name", sorted(n for n in train_cases.CASES if n.startswith(("schedule", "optimizer"))))
def test_matches_tensorflow(name, backend):
    train_cases.check_against_tensorflow(name, backend)


def test_tf1_argument_errors():
    with pytest.raises(ValueError, match="learning_rate_power 0.500000 needs to be negative or zero"):
        tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength -1.000000 needs to be positive or zero"):
        tf.train.FtrlOptimizer(0.1, l1_regularization_strength=-1.0)
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="The length of boundaries should be 1 less than the length of values"):
        tf.train.piecewise_constant(tf.constant(1), [1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="global_step is required for cosine_decay"):
        tf.train.cosine_decay(0.1, None, 10)
    with pytest.raises(TypeError, match="The variables must be half, float, or double: n:0"):
        tf.train.ExponentialMovingAverage(0.9).apply([tf.Variable(1, name="n")])


def test_moving_averages_restore_into_the_model_through_a_saver(tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    ema = tf.train.ExponentialMovingAverage(0.5)
    average = ema.apply([w])
    with tf.Session(backend="interpreter") as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign([3.0, 4.0]))
        sess.run(average)
        tf.train.Saver().save(sess, str(tmp_path / "model"))
    tf.reset_default_graph()
    w = tf.Variable([0.0, 0.0], name="w")
    restore = tf.train.ExponentialMovingAverage(0.5).variables_to_restore()
    assert restore == {"w/ExponentialMovingAverage": w}
    with tf.Session(backend="interpreter") as sess:
        tf.train.Saver(restore).restore(sess, str(tmp_path / "model"))
        np.testing.assert_array_equal(sess.run(w), [2.0, 3.0])


def test_apply_gradients_takes_a_zip_and_names_the_variables_when_none_has_a_gradient():
    a, b = tf.Variable(1.0, name="a"), tf.Variable(2.0, name="b")
    with pytest.raises(ValueError, match=r"No gradients provided for any variable: \['a:0', 'b:0'\]"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients(zip([None, None], [a, b]))
    train = tf.train.GradientDescentOptimizer(0.5).apply_gradients(zip([tf.constant(2.0), None], [a, b]))
    with tf.Session(backend="interpreter") as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run([a, b]) == [0.0, 2.0]
