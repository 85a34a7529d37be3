"""Short TF1 scripts over tf.contrib.image and tf.contrib.opt, written once for real TF and dfc.

`tf` is tensorflow.compat.v1 (tests/record_contrib_scripts.py records what it computes, with the contrib
parts TF 2 lacks written in tests/contrib_image_reference.py) or dfc (tests/test_contrib_image.py).
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
STEPS = 3


def augment_and_fit(tf, contrib_image) -> dict:
    """A classifier on rotated, shifted images (augmentation of fed angles), and an image fitted through rotate."""
    rng = np.random.default_rng(90)
    images = rng.uniform(0.0, 1.0, (4, 8, 8, 1)).astype(F32)
    labels = rng.uniform(-1.0, 1.0, (4, 1)).astype(F32)
    angles = np.array([0.2, -0.5, 1.0, 2.9], F32)
    target = rng.uniform(0.0, 1.0, (8, 8, 1)).astype(F32)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    angle = tf.placeholder(tf.float32, [None], name="angle")
    augmented = contrib_image.rotate(x, angle, interpolation="BILINEAR")
    augmented = contrib_image.translate(augmented, [1.0, -1.0])
    with tf.variable_scope("net"):
        h = tf.layers.conv2d(augmented, 2, 3, activation=tf.nn.relu, kernel_initializer=tf.constant_initializer(0.1))
        logits = tf.layers.dense(tf.layers.flatten(h), 1, kernel_initializer=tf.constant_initializer(0.01))
    loss = tf.reduce_mean(tf.square(logits - y))
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    canvas = tf.get_variable("canvas", [8, 8, 1], initializer=tf.constant_initializer(0.5))
    fit_loss = tf.reduce_mean(tf.square(contrib_image.rotate(canvas, 0.6, "BILINEAR") - target))
    fit = tf.train.GradientDescentOptimizer(5.0).minimize(fit_loss, var_list=[canvas])
    losses, fit_losses = [], []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(STEPS):
            _, value = sess.run([train, loss], {x: images, y: labels, angle: angles})
            losses.append(value)
            _, value = sess.run([fit, fit_loss])
            fit_losses.append(value)
        out = sess.run(augmented, {x: images, angle: angles})
        return {"losses": np.array(losses), "fit_losses": np.array(fit_losses), "augmented": out,
                "canvas": sess.run(canvas)}


def _optimizers(tf, opt) -> dict:
    """label -> (make the optimizer, whether it reads a step of its own through its sign decay)."""
    def sign_decay(step):
        return 1.0 - tf.cast(step, tf.float32) * 0.3
    return {
        "lazy_adam": (lambda: opt.LazyAdamOptimizer(0.05), False),
        "adamw": (lambda: opt.AdamWOptimizer(0.02, learning_rate=0.05), False),
        "momentumw": (lambda: opt.MomentumWOptimizer(0.05, 0.1, 0.9, use_nesterov=True), False),
        "nadam": (lambda: opt.NadamOptimizer(0.05), False),
        "adamax": (lambda: opt.AdaMaxOptimizer(0.05, beta2=0.9), False),
        "powersign": (lambda: opt.PowerSignOptimizer(0.05), False),
        "powersign_cosine": (lambda: opt.PowerSignOptimizer(
            0.05, base=2.0, sign_decay_fn=opt.get_cosine_decay_fn(4, num_periods=1.0, zero_after=0.4)), True),
        "addsign": (lambda: opt.AddSignOptimizer(0.05, alpha=0.5, sign_decay_fn=sign_decay), True),
        "addsign_linear": (lambda: opt.AddSignOptimizer(0.05, sign_decay_fn=opt.get_linear_decay_fn(5)), True),
        "addsign_restart": (lambda: opt.AddSignOptimizer(
            0.05, beta=0.5, sign_decay_fn=opt.get_restart_decay_fn(3, num_periods=2, zero_after=1.0)), True),
        "lars": (lambda: opt.LARSOptimizer(0.1, momentum=0.8, weight_decay=0.01, eeta=0.02), False),
        "lars_skip": (lambda: opt.LARSOptimizer(0.1, skip_list=["emb"], use_nesterov=True), False),
        # all-zero gradients come at the second step (the weight's) and the third (the embedding's)
        "multitask": (lambda: opt.MultitaskOptimizerWrapper(tf.train.AdamOptimizer(0.05)), False),
        "multitask_momentum": (lambda: opt.MultitaskOptimizerWrapper(tf.train.MomentumOptimizer(0.1, 0.9)), False),
        "sgdw": (lambda: opt.extend_with_decoupled_weight_decay(tf.train.GradientDescentOptimizer)(
            0.1, learning_rate=0.2), False),
    }


def train_contrib_optimizers(tf, opt) -> dict:
    """Each contrib optimizer, 3 steps on its own dense weight and embedding (a sparse gradient, repeated ids),
    all in one graph: every variable's final value by name (the slots named as TF1 names them).

    The gradients are computed by one run and fed to apply_gradients by the next: TF1's weight decay runs
    before the update with nothing ordering it after the gradient's reads of the variable, so a minimize
    that does both in one run is a race in TF (its values vary from run to run).
    """
    rng = np.random.default_rng(91)
    w0 = rng.uniform(-1.0, 1.0, (3, 4)).astype(F32)
    e0 = rng.uniform(-1.0, 1.0, (6, 3)).astype(F32)
    target = rng.uniform(-1.0, 1.0, (5, 4)).astype(F32)
    ids = np.array([1, 4, 1, 0, 4], np.int32)
    tf.reset_default_graph()
    picked = tf.placeholder(tf.int32, [5], name="ids")
    d_ids = tf.placeholder(tf.int32, [5], name="d_ids")
    grads, feeds, trains = [], [], []
    for label, (make, counts_steps) in _optimizers(tf, opt).items():
        with tf.variable_scope(label):
            w = tf.get_variable("w", initializer=tf.constant(w0))
            emb = tf.get_variable("emb", initializer=tf.constant(e0))
            rows = tf.gather(emb, picked)
            loss = tf.reduce_sum(tf.square(tf.tanh(tf.matmul(rows, w)) - target))
            grads.append(tf.gradients(loss, [w, rows]))
            d_w = tf.placeholder(tf.float32, [3, 4], name="d_w")
            d_rows = tf.placeholder(tf.float32, [5, 3], name="d_rows")
            feeds.append((d_w, d_rows))
        pairs = [(d_w, w), (tf.IndexedSlices(d_rows, d_ids, tf.constant([6, 3])), emb)]
        optimizer = make()
        if label == "momentumw":
            trains.append(optimizer.apply_gradients(pairs, decay_var_list=[w]))
        elif counts_steps:  # its sign decay reads the step: its own, as one run updates them all
            with tf.variable_scope(label):
                step = tf.get_variable("step", [], tf.int64, initializer=tf.zeros_initializer(), trainable=False)
            trains.append(optimizer.apply_gradients(pairs, global_step=step))
        else:
            trains.append(optimizer.apply_gradients(pairs))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for k in range(STEPS):
            values = sess.run(grads, {picked: ids})
            fed = {d_ids: ids}
            for label, (d_w, d_rows), (g_w, g_rows) in zip(_optimizers(tf, opt), feeds, values):
                if label.startswith("multitask"):
                    g_w, g_rows = (g_w * 0 if k == 1 else g_w), (g_rows * 0 if k == 2 else g_rows)
                fed.update({d_w: g_w, d_rows: g_rows})
            sess.run(trains, fed)
        names = [v.op.name for v in tf.global_variables()]
        return dict(zip(names, sess.run(tf.global_variables())))


def moving_average_training(tf, opt, checkpoint_dir: str) -> dict:
    """Momentum wrapped in MovingAverageOptimizer for 3 steps; its swapping_saver's checkpoint, restored by a plain
    Saver into a fresh model, holds the averages under the variables' names."""
    rng = np.random.default_rng(92)
    x = rng.standard_normal((6, 3)).astype(F32)
    y = rng.standard_normal((6, 2)).astype(F32)
    tf.reset_default_graph()
    step = tf.train.get_or_create_global_step()
    with tf.variable_scope("model"):
        w = tf.get_variable("w", initializer=tf.constant(rng.standard_normal((3, 2)).astype(F32)))
        b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    optimizer = opt.MovingAverageOptimizer(tf.train.MomentumOptimizer(0.1, 0.9), average_decay=0.6,
                                           num_updates=step)
    train = optimizer.minimize(loss, global_step=step)
    saver = optimizer.swapping_saver()
    averages = [v for v in tf.global_variables() if "ExponentialMovingAverage" in v.op.name]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(STEPS):
            sess.run(train)
        out = {v.op.name: sess.run(v) for v in [w, b, *averages]}
        path = saver.save(sess, f"{checkpoint_dir}/model")
    tf.reset_default_graph()
    with tf.variable_scope("model"):
        w = tf.get_variable("w", [3, 2])
        b = tf.get_variable("b", [2])
    with tf.Session() as sess:
        tf.train.Saver([w, b]).restore(sess, path)
        out["restored/w"], out["restored/b"] = sess.run([w, b])
    return out


def spline_warps(tf, contrib_image) -> dict:
    """sparse_image_warp (plain; order 3 with regularization and boundary points) and interpolate_spline, with the
    gradients of a weighted sum to the image and the control points."""
    rng = np.random.default_rng(86)
    picture = rng.standard_normal((2, 7, 8, 2)).astype(F32)
    source = np.array([[[2.0, 3.0], [4.5, 5.0], [1.0, 6.0]], [[3.0, 2.0], [5.0, 6.5], [2.0, 1.0]]], F32)
    shift = np.array([[[0.5, 1.0], [-1.0, 0.3], [0.2, -0.7]], [[1.5, 0.0], [0.0, -1.2], [0.4, 0.4]]], F32)
    queries = rng.uniform(0.0, 6.0, (2, 5, 2)).astype(F32)
    tf.reset_default_graph()
    p, s, d = (tf.placeholder(tf.float32, a.shape) for a in (picture, source, shift))
    warped, flows = contrib_image.sparse_image_warp(p, s, s + d)
    bounded, bounded_flows = contrib_image.sparse_image_warp(p, s, s + d, interpolation_order=3,
                                                             regularization_weight=0.01, num_boundary_points=2)
    out = {"warped": warped, "flows": flows, "bounded": bounded, "bounded_flows": bounded_flows,
           "spline_1": contrib_image.interpolate_spline(s, d, queries, 1),
           "spline_4": contrib_image.interpolate_spline(s, d, queries, 4, regularization_weight=0.1)}
    weights = np.random.default_rng(87)
    loss = tf.add_n([tf.reduce_sum(t * weights.standard_normal(t.shape.as_list()).astype(F32))
                     for _, t in sorted(out.items())])
    out.update(zip(["d_picture", "d_source", "d_shift"], tf.gradients(loss, [p, s, d])))
    with tf.Session() as sess:
        return sess.run(out, {p: picture, s: source, d: shift})
