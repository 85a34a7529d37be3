"""TF1 control-flow programs (cond, while_loop, map_fn/scan/folds, case) written once, run by TensorFlow and by dfc.

Each case takes a TF1-style module (`tensorflow.compat.v1` or `dfc`) and a Session factory and
returns named arrays: its inputs, drawn from fixed numpy seeds, and the values and gradients the
program computes. tests/record_tf_control_flow.py runs the cases with real TensorFlow and stores
the arrays in tests/data/tf_expectations/control_<case>.npz; tests/test_control_flow.py runs them
with dfc on each backend and compares.
"""

from __future__ import annotations

import numpy as np
from recordings import assert_matches_recording

F32 = np.float32


def cond_is_training(tf, Session) -> dict[str, np.ndarray]:
    """A cond on an is_training placeholder (batch statistics in training, fixed ones otherwise), with grads."""
    rng = np.random.default_rng(10)
    xv, w0 = rng.standard_normal((6, 4)).astype(F32), rng.standard_normal((4, 3)).astype(F32)
    x, training = tf.placeholder(tf.float32, [None, 4]), tf.placeholder(tf.bool, [])
    w = tf.Variable(w0)
    h = tf.matmul(x, w)
    mean = tf.reduce_mean(h, 0)
    out = tf.cond(training, lambda: (h - mean) * 2.0, lambda: tf.tanh(h))
    loss = tf.reduce_sum(out * out)
    dw, dx = tf.gradients(loss, [w, x])
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        on = sess.run([out, dw, dx], {x: xv, training: True})
        off = sess.run([out, dw, dx], {x: xv, training: False})
    return dict(x=xv, w0=w0, out_on=on[0], dw_on=on[1], dx_on=on[2], out_off=off[0], dw_off=off[1],
                dx_off=off[2])


def cond_assign(tf, Session) -> dict[str, np.ndarray]:
    """Ops made in a branch run only when it is taken: a counter incremented in one branch."""
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(0.0)
    y = tf.cond(p, lambda: tf.assign_add(v, 1.0), lambda: tf.identity(v) * 10.0)
    seq = [True, False, True, True, False]
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        ys = [sess.run(y, {p: b}) for b in seq]
        final = sess.run(v)
    return dict(preds=np.array(seq), ys=np.array(ys, F32), final=final)


def while_data_dependent(tf, Session) -> dict[str, np.ndarray]:
    """A loop whose trip count depends on fed values, with captured tensors and gradients."""
    rng = np.random.default_rng(11)
    xv = rng.uniform(0.5, 1.0, 5).astype(F32)
    x, limit = tf.placeholder(tf.float32, [None]), tf.placeholder(tf.float32, [])
    w = tf.Variable(F32(1.1))
    i, s = tf.while_loop(lambda i, s: tf.reduce_sum(s) < limit, lambda i, s: (i + 1, s * w + x),
                         [tf.constant(0), tf.ones_like(x)])
    loss = tf.reduce_sum(tf.sin(s))
    dw, dx = tf.gradients(loss, [w, x])
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        outs = {lim: sess.run([i, s, dw, dx], {x: xv, limit: lim}) for lim in (3.0, 6.0, 40.0)}
    return dict(x=xv, **{f"{k}_{int(lim)}": v for lim, vals in outs.items()
                         for k, v in zip(("i", "s", "dw", "dx"), vals)})


def rnn_while(tf, Session) -> dict[str, np.ndarray]:
    """An Elman RNN written as a while_loop over an unknown time dim (TF1's hand-written dynamic RNN)."""
    rng = np.random.default_rng(12)
    xv = rng.standard_normal((4, 2, 3)).astype(F32)  # time-major [time, batch, depth]
    wx0, wh0 = (rng.standard_normal((3, 5)) * 0.5).astype(F32), (rng.standard_normal((5, 5)) * 0.5).astype(F32)
    x = tf.placeholder(tf.float32, [None, None, 3])
    wx, wh = tf.Variable(wx0), tf.Variable(wh0)
    steps = tf.shape(x)[0]
    h0 = tf.zeros(tf.stack([tf.shape(x)[1], 5]))

    def body(t, h, total):
        h = tf.tanh(tf.matmul(x[t], wx) + tf.matmul(h, wh))
        return t + 1, h, total + tf.reduce_sum(h * h)
    _, h, total = tf.while_loop(lambda t, h, total: t < steps, body, [tf.constant(0), h0, tf.constant(0.0)])
    loss = total + tf.reduce_sum(h)
    grads = tf.gradients(loss, [wx, wh, x])
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        hv, lv, g = sess.run([h, loss, grads], {x: xv})
    return dict(x=xv, wx0=wx0, wh0=wh0, h=hv, loss=lv, dwx=g[0], dwh=g[1], dx=g[2])


def higher_order(tf, Session) -> dict[str, np.ndarray]:
    """map_fn, scan, foldl and foldr over a fed batch, with gradients."""
    rng = np.random.default_rng(13)
    ev = rng.standard_normal((5, 3)).astype(F32)
    e = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(np.array([0.5, -1.0, 2.0], F32))
    m = tf.map_fn(lambda r: tf.sin(r * w), e)
    sc = tf.scan(lambda a, r: a * 0.9 + r * w, e)
    fl = tf.foldl(lambda a, r: a + tf.reduce_sum(r * w), e, initializer=tf.constant(0.0))
    fr = tf.foldr(lambda a, r: a * 0.5 + r, e)
    loss = tf.reduce_sum(m) + tf.reduce_sum(sc * sc) + fl + tf.reduce_sum(fr)
    grads = tf.gradients(loss, [w, e])
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        mv, scv, flv, frv, g = sess.run([m, sc, fl, fr, grads], {e: ev})
    return dict(e=ev, map=mv, scan=scv, foldl=flv, foldr=frv, dw=g[0], de=g[1])


def case_and_switch(tf, Session) -> dict[str, np.ndarray]:
    """tf.case (first true predicate, else the default) and tf.switch_case (by index, the last branch out of range)."""
    k = tf.placeholder(tf.int32, [])
    x = tf.constant([1.0, 2.0])
    c = tf.case([(tf.less(k, 0), lambda: x * -1.0), (tf.less(k, 3), lambda: x * 3.0)], default=lambda: x + 100.0)
    s = tf.switch_case(k, [lambda: x, lambda: x * 2.0, lambda: x * 4.0])
    ks = [-2, 0, 1, 2, 5]
    with Session() as sess:
        cs, ss = zip(*[sess.run([c, s], {k: kv}) for kv in ks])
    return dict(ks=np.array(ks), by_case=np.array(cs), by_switch=np.array(ss))


CASES = {case.__name__: case for case in (cond_is_training, cond_assign, while_data_dependent, rnn_while,
                                          higher_order, case_and_switch)}


def check_against_tensorflow(name: str, backend: str) -> None:
    """Run case `name` with dfc on `backend` and compare every array with TensorFlow's recording."""
    import dfc
    dfc.reset_default_graph()
    actual = CASES[name](dfc, lambda: dfc.Session(backend=backend))
    # gradients (d...) go through more float sums in another order than the values
    assert_matches_recording(actual, f"control_{name}",
                             lambda key: {"rtol": 1e-4, "atol": 1e-4} if key.startswith("d") else
                             {"rtol": 2e-5, "atol": 2e-5})
