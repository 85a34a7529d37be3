"""TF1 training-API programs (hooks, monitored sessions, Supervisor, Coordinator, checkpoints, meta graphs),
written once for real TensorFlow and for dfc.

Each case takes a TF1-style module (`tensorflow.compat.v1` or `dfc`) and a fresh directory and
returns named arrays. tests/record_tf1_train_api.py runs the cases with TensorFlow and stores the
arrays in tests/data/tf_expectations/trainapi_<case>.npz; tests/test_tf1_train_api.py runs them
with dfc and compares.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import numpy as np

CASES: dict[str, Callable] = {}
F32 = np.float32
RNG = np.random.default_rng(7)
X = RNG.standard_normal((16, 3)).astype(F32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], F32) + 0.3).astype(F32)
W0 = RNG.standard_normal((3, 4)).astype(F32) * 0.5
V0 = RNG.standard_normal((4, 1)).astype(F32) * 0.5


def case(fn: Callable) -> Callable:
    CASES[fn.__name__] = fn
    return fn


def _model(tf):
    """A two-layer regression as TF1 tutorials write it, with fixed initial weights."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    with tf.variable_scope("model"):
        w = tf.get_variable("w", initializer=tf.constant(W0))
        v = tf.get_variable("v", initializer=tf.constant(V0))
        b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
        pred = tf.add(tf.matmul(tf.tanh(tf.matmul(x, w)), v), b, name="pred")
    loss = tf.reduce_mean(tf.square(pred - y), name="loss")
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return x, y, pred, loss, step, train


def _batches():
    i = [0]

    def next_batch():
        lo = (i[0] * 4) % 16
        i[0] += 1
        return X[lo:lo + 4], Y[lo:lo + 4]
    return next_batch


@case
def monitored_session_hooks(tf, directory):
    x, y, pred, loss, step, train = _model(tf)
    next_batch = _batches()
    saved = []

    class Listener(tf.train.CheckpointSaverListener):
        def after_save(self, session, global_step_value):
            saved.append(global_step_value)

    final = tf.train.FinalOpsHook([loss, step], final_ops_feed_dict={x: X, y: Y})
    hooks = [tf.train.StopAtStepHook(last_step=7), tf.train.NanTensorHook(loss),
             tf.train.FeedFnHook(lambda: dict(zip((x, y), next_batch()))),
             tf.train.LoggingTensorHook({"loss": loss, "step": step}, every_n_iter=2),
             tf.train.StepCounterHook(every_n_steps=3, output_dir=directory),
             tf.train.CheckpointSaverHook(directory, save_steps=3, listeners=[Listener()]), final]
    losses = []
    with tf.train.SingularMonitoredSession(hooks=hooks) as sess:
        while not sess.should_stop():
            losses.append(sess.run(loss))
            sess.run(train)
    return {"losses": np.array(losses), "final_loss": final.final_ops_values[0],
            "final_step": np.array(final.final_ops_values[1]), "saved_steps": np.array(saved),
            "latest": np.array(os.path.basename(tf.train.latest_checkpoint(directory))),
            "w": tf.train.load_variable(directory, "model/w"),
            "names": np.array([n for n, _ in tf.train.list_variables(directory)])}


@case
def meta_graph_save_and_restore(tf, directory):
    x, y, pred, loss, step, train = _model(tf)
    tf.add_to_collection("train_op", train)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train, {x: X, y: Y})
        path = tf.train.Saver().save(sess, os.path.join(directory, "model.ckpt"), global_step=step)
        saved_pred = sess.run(pred, {x: X})
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(path + ".meta")
    graph = tf.get_default_graph()
    with tf.Session() as sess:
        saver.restore(sess, path)
        restored = sess.run("model/pred:0", {"x:0": X})
        sess.run(tf.get_collection("train_op")[0], {"x:0": X, "y:0": Y})
        after = sess.run(graph.get_tensor_by_name("loss:0"), {"x:0": X, "y:0": Y})
        names = [v.name for v in tf.global_variables()]
    tf.reset_default_graph()
    scoped = tf.train.import_meta_graph(path + ".meta", import_scope="imported")
    with tf.Session() as sess:
        scoped.restore(sess, path)
        scoped_pred = sess.run("imported/model/pred:0", {"imported/x:0": X})
    return {"saved_pred": saved_pred, "restored": restored, "loss_after_step": after,
            "scoped_pred": scoped_pred, "variables": np.array(names), "path": np.array(os.path.basename(path))}


@case
def supervisor_and_coordinator(tf, directory):
    x, y, pred, loss, step, train = _model(tf)
    counter = tf.Variable(0, name="counter", trainable=False)
    ticket = tf.count_up_to(counter, 5)
    sv = tf.train.Supervisor(logdir=directory, save_model_secs=0, save_summaries_secs=0)
    losses = []
    with sv.managed_session() as sess:
        while not sv.should_stop():
            _, value = sess.run([train, loss], {x: X, y: Y})
            losses.append(value)
            if tf.train.global_step(sess, step) >= 4:
                sv.request_stop()
        sv.saver.save(sess, sv.save_path, global_step=step)
        tickets = []
        coord = tf.train.Coordinator()

        def take():
            with coord.stop_on_exception():
                while not coord.should_stop():
                    tickets.append(sess.run(ticket))  # OutOfRangeError at 5: a clean stop
        threads = [threading.Thread(target=take)]
        for t in threads:
            t.start()
        coord.join(threads)
    errors = []
    coord = tf.train.Coordinator()
    with coord.stop_on_exception():
        raise ValueError("boom")
    try:
        coord.join()
    except ValueError as e:
        errors.append(str(e))
    return {"losses": np.array(losses), "tickets": np.array(sorted(tickets)), "errors": np.array(errors),
            "finalized": np.array(tf.get_default_graph().finalized),
            "saved": np.array(sorted(n for n, _ in tf.train.list_variables(directory)))}


@case
def checkpoint_utilities(tf, directory):
    with tf.variable_scope("old"):
        tf.get_variable("a", initializer=tf.constant(W0))
        tf.get_variable("b", initializer=tf.constant(V0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, os.path.join(directory, "m"), global_step=1)
    tf.reset_default_graph()
    with tf.variable_scope("new"):
        a2 = tf.get_variable("a", [3, 4])
        b2 = tf.get_variable("b", [4, 1])
    other = tf.get_variable("other", [3, 4])
    tf.train.init_from_checkpoint(directory, {"old/": "new/"})
    tf.train.init_from_checkpoint(prefix, {"old/a": "other"})
    reader = tf.train.NewCheckpointReader(prefix)
    shapes = reader.get_variable_to_shape_map()
    errors = []
    for bad in ({"old/a": "new/b"}, {"old/zz": "other"}, {"x": "y"}):
        try:
            tf.train.init_from_checkpoint(prefix, bad)
        except ValueError as e:
            errors.append(type(e).__name__)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run([a2, b2, other])
    state = tf.train.get_checkpoint_state(directory)
    return {"a": values[0], "b": values[1], "other": values[2], "shape_names": np.array(sorted(shapes)),
            "a_shape": np.array(shapes["old/a"]), "has": np.array([reader.has_tensor("old/a"),
                                                                   reader.has_tensor("zz")]),
            "errors": np.array(errors), "listed": np.array([n for n, _ in tf.train.list_variables(prefix)]),
            "state": np.array(os.path.basename(state.model_checkpoint_path)),
            "exists": np.array([tf.train.checkpoint_exists(prefix), tf.train.checkpoint_exists(prefix + "x")])}


@case
def variable_utilities(tf, directory):
    v = tf.Variable(3, name="v")
    w = tf.Variable(tf.zeros([2, 3]), name="w")
    tf.get_local_variable("loc", [2], initializer=tf.zeros_initializer())
    ticket = tf.count_up_to(v, 5)
    initialized = tf.is_variable_initialized(w)
    report = tf.report_uninitialized_variables()

    def dense(x):
        return tf.matmul(x, tf.get_variable("k", [3, 2]))
    template = tf.make_template("dense", dense)
    x = tf.placeholder(tf.float32, [None, 3])
    template(x)
    template(x)
    ema = tf.train.ExponentialMovingAverage(0.9)
    ema.apply([w])
    out = {"local": np.array([u.name for u in tf.local_variables()]),
           "template_vars": np.array([u.name for u in template.trainable_variables]),
           "moving_average": np.array([u.name for u in tf.moving_average_variables()]),
           "ticket_name": np.array(ticket.name)}
    with tf.Session() as sess:
        out["report0"] = np.array(sorted(sess.run(report)))
        out["initialized0"] = np.array(sess.run(initialized))
        sess.run([v.initializer, w.initializer, tf.local_variables_initializer()])
        out["report1"] = np.array(sorted(sess.run(report)))
        out["tickets"] = np.array([sess.run(ticket), sess.run(ticket)])
        try:
            sess.run([ticket, ticket])
        except tf.errors.OutOfRangeError:
            pass
        sess.run(ticket) if sess.run(v) < 5 else None
        try:
            sess.run(ticket)
            out["limit_error"] = np.array("")
        except tf.errors.OutOfRangeError as e:
            out["limit_error"] = np.array(type(e).__name__)
        out["v_final"] = np.array(sess.run(v))
        out["initialized1"] = np.array(sess.run(initialized))
    return out


@case
def freeze_and_import_graph_def(tf, directory):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.variable_scope("net"):
        w = tf.get_variable("w", initializer=tf.constant(W0))
        b = tf.get_variable("b", [4], initializer=tf.ones_initializer())
    h = tf.identity(tf.matmul(x, w) + b, name="h")
    y = tf.nn.softmax(h, name="y")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(y, {x: X})
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), ["y"])
    errors = []
    for bad in (lambda: tf.graph_util.extract_sub_graph(frozen, "y"),
                lambda: tf.graph_util.extract_sub_graph(frozen, ["nope"])):
        try:
            bad()
        except (TypeError, AssertionError) as e:
            errors.append(type(e).__name__)
    sub = tf.graph_util.extract_sub_graph(frozen, ["add"])
    slim = tf.graph_util.remove_training_nodes(frozen)
    tf.train.write_graph(slim, directory, "frozen.pb", as_text=False)
    tf.reset_default_graph()
    graph_def = tf.GraphDef()
    with tf.gfile.GFile(os.path.join(directory, "frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    feed = tf.placeholder(tf.float32, [None, 3], name="feed")
    out, softmax_op = tf.import_graph_def(graph_def, input_map={"x:0": feed}, return_elements=["y:0", "y"])
    with tf.Session() as sess:
        imported = sess.run(out, {feed: X})
    tf.reset_default_graph()
    (plain,) = tf.import_graph_def(graph_def, return_elements=["y:0"], name="")
    with tf.Session() as sess:
        plain_value = sess.run(plain, {"x:0": X})
    return {"expected": expected, "imported": imported, "plain": plain_value, "out_name": np.array(out.name),
            "op_name": np.array(softmax_op.name), "plain_name": np.array(plain.name),
            "frozen_variable_nodes": np.array(sum(n.op in ("VariableV2", "VarHandleOp") for n in frozen.node)),
            "slim_nodes": np.array(sorted(n.name for n in slim.node)),
            "sub_nodes": np.array(sorted(n.name for n in sub.node if not n.name.endswith("/read"))),
            "errors": np.array(errors), "no_variables": np.array(len(tf.global_variables()))}


@case
def queue_input_pipeline(tf, directory):
    """A TF1 tutorial's queue input: slice_input_producer -> batch, start_queue_runners with a Coordinator."""
    features, targets = tf.train.slice_input_producer([X, Y], num_epochs=3, shuffle=False)
    xb, yb = tf.train.batch([features * 2.0, targets], batch_size=5, allow_smaller_final_batch=True)
    w = tf.get_variable("w", initializer=tf.constant(np.zeros((3, 1), F32)))
    loss = tf.reduce_mean(tf.square(tf.matmul(xb, w) - yb))
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    index = tf.train.range_input_producer(4, shuffle=False).dequeue()
    limited = tf.train.limit_epochs(tf.constant([1, 2]), num_epochs=2)
    labels = tf.train.slice_input_producer([np.arange(10, dtype=np.int64)], num_epochs=1, seed=3)[0]
    shuffled = tf.train.shuffle_batch([labels], batch_size=4, capacity=8, min_after_dequeue=2, seed=1,
                                      allow_smaller_final_batch=True)
    losses, sizes, indices, limits, seen = [], [], [], [], []
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        try:
            while not coord.should_stop():
                _, value, batch_x = sess.run([train, loss, xb])
                losses.append(value)
                sizes.append(len(batch_x))
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
            coord.join(threads)
        indices = [int(sess.run(index)) for _ in range(6)]
        try:
            while True:
                limits.append(sess.run(limited).tolist())
        except tf.errors.OutOfRangeError:
            pass
        final_w = sess.run(w)
    with tf.Session() as sess:  # a fresh session: TF's queue runners stopped with the first coordinator
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        try:
            while True:
                seen.extend(sess.run(shuffled).tolist())
        except tf.errors.OutOfRangeError:
            pass
        coord.request_stop()
        coord.join(threads)
    return {"losses": np.array(losses), "sizes": np.array(sizes), "final_w": final_w, "indices": np.array(indices),
            "limits": np.array(limits), "seen_sorted": np.array(sorted(seen)),
            "shapes": np.array([str(xb.shape), str(yb.shape), str(shuffled.shape)]),
            "locals": np.array(sorted(v.name for v in tf.local_variables()))}
