"""Estimator scripts as users write them, each with the hand-written TF1 graph it must equal.

TF 2.21 has no tf.estimator, so each script comes twice: `<name>_estimator(tf, model_dir)` is the
user's script over tf.estimator / tf.feature_column (run with dfc by tests/test_tf1_estimator.py),
and `<name>_graph(tf)` the same model written with tf.compat.v1 primitives (a Session loop over
the same batches, the same initial weights, the loss reduction and metrics TF 1.15's Estimator
and canned heads use), recorded with TensorFlow by tests/record_tf1_scripts_estimator.py.
Both return the same named arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

F32 = np.float32
SCRIPTS: dict[str, tuple[Callable, Callable]] = {}


def _data(seed: int, rows: int = 30):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, 4)).astype(F32)
    y = ((x[:, 0] > 0).astype(np.int32) + (x[:, 1] + x[:, 3] > 0.3)).astype(np.int32)
    ids = rng.integers(0, 6, rows).astype(np.int64)
    return x, y, ids


def _weights(seed: int, shapes: dict) -> dict:
    rng = np.random.default_rng(seed)
    return {name: (rng.standard_normal(shape) * 0.5).astype(F32) for name, shape in sorted(shapes.items())}


def _batches(n_rows: int, batch: int, steps: int) -> list[np.ndarray]:
    """Row indices of each batch of a repeating, unshuffled input (batches run across epochs)."""
    order = np.arange(steps * batch) % n_rows
    return [order[i * batch:(i + 1) * batch] for i in range(steps)]


def _epoch(n_rows: int, batch: int) -> list[np.ndarray]:
    return [np.arange(i, min(i + batch, n_rows)) for i in range(0, n_rows, batch)]


# ---- 1. an iris-like custom model_fn: two dense layers, Adam, accuracy; training resumed from a checkpoint ----
IRIS_SHAPES = {"hidden/kernel": (4, 8), "hidden/bias": (8,), "logits/kernel": (8, 3), "logits/bias": (3,)}


def iris_model_fn_estimator(tf, model_dir):
    x, y, _ = _data(1)
    init = _weights(2, IRIS_SHAPES)

    def model_fn(features, labels, mode, params):
        net = tf.layers.dense(features["measurements"], 8, activation=tf.nn.relu, name="hidden",
                              kernel_initializer=tf.constant_initializer(init["hidden/kernel"]),
                              bias_initializer=tf.constant_initializer(init["hidden/bias"]))
        logits = tf.layers.dense(net, 3, name="logits",
                                 kernel_initializer=tf.constant_initializer(init["logits/kernel"]),
                                 bias_initializer=tf.constant_initializer(init["logits/bias"]))
        classes = tf.argmax(logits, axis=1)
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"class_ids": classes, "logits": logits,
                                                                 "probabilities": tf.nn.softmax(logits)})
        loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
        metrics = {"accuracy": tf.metrics.accuracy(labels=labels, predictions=classes)}
        if mode == tf.estimator.ModeKeys.EVAL:
            return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
        optimizer = tf.train.AdamOptimizer(learning_rate=params["learning_rate"])
        train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    losses = []

    class LossHook(tf.train.SessionRunHook):
        def before_run(self, run_context):
            return tf.train.SessionRunArgs(tf.get_default_graph().get_tensor_by_name(_loss_name[0]))

        def after_run(self, run_context, run_values):
            losses.append(run_values.results)

    _loss_name = ["sparse_softmax_cross_entropy_loss/value:0"]
    config = tf.estimator.RunConfig(save_checkpoints_steps=2, log_step_count_steps=100, tf_random_seed=3)
    classifier = tf.estimator.Estimator(model_fn, model_dir=model_dir, config=config, params={"learning_rate": 0.05})
    train_input = tf.estimator.inputs.numpy_input_fn({"measurements": x}, y, batch_size=10, num_epochs=None,
                                                     shuffle=False)
    classifier.train(train_input, steps=4, hooks=[LossHook()])
    first_step = classifier.get_variable_value("global_step")
    classifier.train(train_input, steps=3, hooks=[LossHook()])  # resumes at the saved step, Adam's state restored
    eval_input = tf.estimator.inputs.numpy_input_fn({"measurements": x}, y, batch_size=12, num_epochs=1,
                                                    shuffle=False)
    result = classifier.evaluate(eval_input)
    predict_input = tf.estimator.inputs.numpy_input_fn({"measurements": x[:5]}, batch_size=2, shuffle=False)
    predictions = list(classifier.predict(predict_input))
    return {"losses": np.array(losses), "first_step": first_step, "global_step": result["global_step"],
            "eval_accuracy": result["accuracy"], "eval_loss": result["loss"],
            "hidden_kernel": classifier.get_variable_value("hidden/kernel"),
            "pred_logits": np.stack([p["logits"] for p in predictions]),
            "pred_probabilities": np.stack([p["probabilities"] for p in predictions]),
            "pred_class_ids": np.array([p["class_ids"] for p in predictions])}


def iris_model_fn_graph(tf):
    x_all, y_all, _ = _data(1)
    init = _weights(2, IRIS_SHAPES)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.int32, [None])
    net = tf.nn.relu(tf.matmul(x, tf.Variable(init["hidden/kernel"])) + tf.Variable(init["hidden/bias"]))
    logits = tf.matmul(net, tf.Variable(init["logits/kernel"])) + tf.Variable(init["logits/bias"])
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    kernel = tf.trainable_variables()[0]
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        # each train() call makes its input anew: the second one starts again at the first batch
        losses = [sess.run([loss, train], {x: x_all[b], y: y_all[b]})[0]
                  for b in _batches(30, 10, 4) + _batches(30, 10, 3)]
        batches = [sess.run([loss, logits], {x: x_all[b], y: y_all[b]}) for b in _epoch(30, 12)]
        all_logits = np.concatenate([lg for _, lg in batches])
        pred, kernel_value = sess.run([logits, kernel], {x: x_all[:5]})
    probabilities = np.exp(pred - pred.max(1, keepdims=True))
    return {"losses": np.array(losses), "first_step": np.int64(4), "global_step": np.int64(7),
            "eval_accuracy": np.float32(np.mean(all_logits.argmax(1) == y_all)),
            "eval_loss": np.float32(np.mean([lo for lo, _ in batches])), "hidden_kernel": kernel_value,
            "pred_logits": pred, "pred_probabilities": probabilities / probabilities.sum(1, keepdims=True),
            "pred_class_ids": pred.argmax(1)}


SCRIPTS["iris_model_fn"] = (iris_model_fn_estimator, iris_model_fn_graph)


# ---- 2. a canned DNNClassifier on a numeric and an embedded categorical column, warm-started ----
DNN_SHAPES = {"dnn/input_from_feature_columns/input_layer/kind_embedding/embedding_weights": (6, 2),
              "dnn/hiddenlayer_0/kernel": (6, 5), "dnn/hiddenlayer_0/bias": (5,),
              "dnn/hiddenlayer_1/kernel": (5, 4), "dnn/hiddenlayer_1/bias": (4,),
              "dnn/logits/kernel": (4, 3), "dnn/logits/bias": (3,)}


def dnn_classifier_estimator(tf, model_dir):
    import os
    x, y, ids = _data(5)
    init = _weights(6, DNN_SHAPES)
    start = os.path.join(model_dir, "start")
    os.makedirs(start, exist_ok=True)  # as TF, Saver.save writes into an existing directory only
    with tf.Graph().as_default():  # the weights a user warm-starts from (say, an earlier run's checkpoint)
        made = [tf.Variable(value, name=name) for name, value in init.items()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            warm = tf.train.Saver(made).save(sess, os.path.join(start, "model.ckpt"))
    columns = [tf.feature_column.numeric_column("x", shape=[4]),
               tf.feature_column.embedding_column(
                   tf.feature_column.categorical_column_with_identity("kind", num_buckets=6), dimension=2)]
    classifier = tf.estimator.DNNClassifier(hidden_units=[5, 4], feature_columns=columns, n_classes=3,
                                            model_dir=os.path.join(model_dir, "dnn"),
                                            warm_start_from=tf.estimator.WarmStartSettings(warm))
    features = {"x": x, "kind": ids}
    losses = []

    class LossHook(tf.train.SessionRunHook):
        def before_run(self, run_context):
            return tf.train.SessionRunArgs(tf.get_collection(tf.GraphKeys.LOSSES)[0])

        def after_run(self, run_context, run_values):
            losses.append(run_values.results)

    classifier.train(tf.estimator.inputs.numpy_input_fn(features, y, batch_size=10, num_epochs=None, shuffle=False),
                     steps=5, hooks=[LossHook()])
    result = classifier.evaluate(tf.estimator.inputs.numpy_input_fn(features, y, batch_size=12, shuffle=False))
    predictions = list(classifier.predict(tf.estimator.inputs.numpy_input_fn(
        {"x": x[:4], "kind": ids[:4]}, batch_size=3, shuffle=False)))
    return {"losses": np.array(losses), "global_step": result["global_step"], "eval_loss": result["loss"],
            "eval_average_loss": result["average_loss"], "eval_accuracy": result["accuracy"],
            "logits_kernel": classifier.get_variable_value("dnn/logits/kernel"),
            "embedding": classifier.get_variable_value(
                "dnn/input_from_feature_columns/input_layer/kind_embedding/embedding_weights"),
            "pred_probabilities": np.stack([p["probabilities"] for p in predictions]),
            "pred_class_ids": np.array([p["class_ids"] for p in predictions])}


def dnn_classifier_graph(tf):
    x_all, y_all, ids_all = _data(5)
    init = _weights(6, DNN_SHAPES)
    v = {name: tf.Variable(value) for name, value in init.items()}
    x = tf.placeholder(tf.float32, [None, 4])
    ids = tf.placeholder(tf.int64, [None])
    y = tf.placeholder(tf.int32, [None])
    embedded = tf.nn.embedding_lookup(v["dnn/input_from_feature_columns/input_layer/kind_embedding/embedding_weights"],
                                      ids)
    net = tf.concat([embedded, x], 1)  # input_layer orders columns by name: kind_embedding, x
    for i in range(2):
        net = tf.nn.relu(tf.matmul(net, v[f"dnn/hiddenlayer_{i}/kernel"]) + v[f"dnn/hiddenlayer_{i}/bias"])
    logits = tf.matmul(net, v["dnn/logits/kernel"]) + v["dnn/logits/bias"]
    per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_sum(per_example)  # the canned heads' SUM reduction
    train = tf.train.AdagradOptimizer(0.05).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([loss, train], {x: x_all[b], ids: ids_all[b], y: y_all[b]})[0]
                  for b in _batches(30, 10, 5)]
        batches = [sess.run([loss, per_example, logits], {x: x_all[b], ids: ids_all[b], y: y_all[b]})
                   for b in _epoch(30, 12)]
        pred = sess.run(tf.nn.softmax(logits), {x: x_all[:4], ids: ids_all[:4]})
        kernel, embedding = sess.run([v["dnn/logits/kernel"],
                                      v["dnn/input_from_feature_columns/input_layer/kind_embedding/embedding_weights"]])
    all_logits = np.concatenate([b[2] for b in batches])
    return {"losses": np.array(losses), "global_step": np.int64(5),
            "eval_loss": np.float32(np.mean([b[0] for b in batches])),
            "eval_average_loss": np.float32(np.mean(np.concatenate([b[1] for b in batches]))),
            "eval_accuracy": np.float32(np.mean(all_logits.argmax(1) == y_all)), "logits_kernel": kernel,
            "embedding": embedding, "pred_probabilities": pred, "pred_class_ids": pred.argmax(1)[:, None]}


SCRIPTS["dnn_classifier"] = (dnn_classifier_estimator, dnn_classifier_graph)


# ---- 3. wide and deep (binary), and a linear regressor: TF 1.15's default optimizers, binary metrics ----
WIDE_DEEP_SHAPES = {"dnn/hiddenlayer_0/kernel": (4, 3), "dnn/hiddenlayer_0/bias": (3,), "dnn/logits/kernel": (3, 1),
                    "dnn/logits/bias": (1,)}
BINARY_METRICS = ("accuracy", "accuracy_baseline", "auc", "auc_precision_recall", "average_loss", "label/mean", "loss",
                  "precision", "prediction/mean", "recall")


def _loss_hook(tf, losses):
    class LossHook(tf.train.SessionRunHook):
        def before_run(self, run_context):
            return tf.train.SessionRunArgs(tf.get_collection(tf.GraphKeys.LOSSES)[0])

        def after_run(self, run_context, run_values):
            losses.append(run_values.results)
    return LossHook()


def wide_deep_estimator(tf, model_dir):
    import os
    x, y, ids = _data(7)
    labels = (y > 0).astype(np.int64)
    init = _weights(8, WIDE_DEEP_SHAPES)
    start = os.path.join(model_dir, "start")
    os.makedirs(start, exist_ok=True)  # as TF, Saver.save writes into an existing directory only
    with tf.Graph().as_default():
        made = [tf.Variable(value, name=name) for name, value in init.items()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            warm = tf.train.Saver(made).save(sess, os.path.join(start, "model.ckpt"))
    fc = tf.feature_column
    model = tf.estimator.DNNLinearCombinedClassifier(
        model_dir=os.path.join(model_dir, "wide_deep"),
        linear_feature_columns=[fc.categorical_column_with_identity("kind", 6), fc.numeric_column("x", shape=[4])],
        dnn_feature_columns=[fc.numeric_column("x", shape=[4])], dnn_hidden_units=[3],
        warm_start_from=tf.estimator.WarmStartSettings(warm, vars_to_warm_start="dnn/.*"))
    features = {"x": x, "kind": ids}
    losses = []
    model.train(tf.estimator.inputs.numpy_input_fn(features, labels, batch_size=10, num_epochs=None, shuffle=False),
                steps=5, hooks=[_loss_hook(tf, losses)])
    result = model.evaluate(tf.estimator.inputs.numpy_input_fn(features, labels, batch_size=12, shuffle=False))
    predictions = list(model.predict(tf.estimator.inputs.numpy_input_fn({"x": x[:4], "kind": ids[:4]},
                                                                        batch_size=4, shuffle=False)))
    out = {"losses": np.array(losses), "global_step": result["global_step"],
           "linear_kind": model.get_variable_value("linear/linear_model/kind/weights"),
           "linear_bias": model.get_variable_value("linear/linear_model/bias_weights"),
           "pred_logistic": np.stack([p["logistic"] for p in predictions]),
           "pred_probabilities": np.stack([p["probabilities"] for p in predictions]),
           "pred_classes": np.array([p["classes"][0] for p in model.predict(tf.estimator.inputs.numpy_input_fn(
               {"x": x[:4], "kind": ids[:4]}, batch_size=4, shuffle=False), predict_keys="classes")])}
    assert all(list(p) == ["classes"] for p in model.predict(tf.estimator.inputs.numpy_input_fn(
        {"x": x[:2], "kind": ids[:2]}, batch_size=2, shuffle=False), predict_keys=["classes"]))
    out.update({f"eval_{k}": result[k] for k in BINARY_METRICS})

    regressor = tf.estimator.LinearRegressor([fc.numeric_column("x", shape=[4]),
                                              fc.bucketized_column(fc.numeric_column("z"), [-0.5, 0.0, 0.7])],
                                             model_dir=os.path.join(model_dir, "linear"))
    targets = (x @ np.array([0.5, -1.0, 0.25, 2.0], F32) + 0.3).astype(F32)
    reg_losses = []
    reg_features = {"x": x, "z": x[:, 2].copy()}
    regressor.train(tf.estimator.inputs.numpy_input_fn(reg_features, targets, batch_size=10, num_epochs=2,
                                                       shuffle=False), hooks=[_loss_hook(tf, reg_losses)])
    reg = regressor.evaluate(tf.estimator.inputs.numpy_input_fn(reg_features, targets, batch_size=12, shuffle=False))
    out.update({"reg_losses": np.array(reg_losses), "reg_global_step": reg["global_step"],
                "reg_average_loss": reg["average_loss"], "reg_loss": reg["loss"],
                "reg_label_mean": reg["label/mean"], "reg_prediction_mean": reg["prediction/mean"],
                "reg_weights": regressor.get_variable_value("linear/linear_model/z_bucketized/weights")})
    return out


def wide_deep_graph(tf):
    x_all, y_all, ids_all = _data(7)
    labels_all = (y_all > 0).astype(F32)[:, None]
    init = _weights(8, WIDE_DEEP_SHAPES)
    x = tf.placeholder(tf.float32, [None, 4])
    ids = tf.placeholder(tf.int64, [None])
    y = tf.placeholder(tf.float32, [None, 1])
    dnn = {name: tf.Variable(value) for name, value in init.items()}
    hidden = tf.nn.relu(tf.matmul(x, dnn["dnn/hiddenlayer_0/kernel"]) + dnn["dnn/hiddenlayer_0/bias"])
    dnn_logits = tf.matmul(hidden, dnn["dnn/logits/kernel"]) + dnn["dnn/logits/bias"]
    w_kind, w_x, bias = tf.Variable(tf.zeros([6, 1])), tf.Variable(tf.zeros([4, 1])), tf.Variable(tf.zeros([1]))
    logits = dnn_logits + (tf.gather(w_kind, ids) + tf.matmul(x, w_x) + bias)
    per_example = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits)
    loss = tf.reduce_sum(per_example)
    step = tf.train.get_or_create_global_step()
    train = tf.group(tf.train.AdagradOptimizer(0.001).minimize(loss, var_list=list(dnn.values())),
                     tf.train.FtrlOptimizer(0.005).minimize(loss, var_list=[w_kind, w_x, bias]))
    with tf.control_dependencies([train]):
        train = tf.assign_add(step, 1)
    logistic = tf.sigmoid(logits)
    class_ids = tf.cast(logits > 0, tf.int64)
    metrics = {"accuracy": tf.metrics.accuracy(y, class_ids), "precision": tf.metrics.precision(y, class_ids),
               "recall": tf.metrics.recall(y, class_ids), "auc": tf.metrics.auc(y, logistic),
               "auc_precision_recall": tf.metrics.auc(y, logistic, curve="PR"),
               "average_loss": tf.metrics.mean(per_example), "label/mean": tf.metrics.mean(y),
               "prediction/mean": tf.metrics.mean(logistic), "loss": tf.metrics.mean(loss)}
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        losses = [sess.run([loss, train], {x: x_all[b], ids: ids_all[b], y: labels_all[b]})[0]
                  for b in _batches(30, 10, 5)]
        for b in _epoch(30, 12):
            sess.run([m[1] for m in metrics.values()], {x: x_all[b], ids: ids_all[b], y: labels_all[b]})
        result = sess.run({k: m[0] for k, m in metrics.items()})
        pred = sess.run(logistic, {x: x_all[:4], ids: ids_all[:4]})
        kind_w, bias_w = sess.run([w_kind, bias])
    result["accuracy_baseline"] = max(result["label/mean"], 1 - result["label/mean"])
    out = {"losses": np.array(losses), "global_step": np.int64(5), "linear_kind": kind_w, "linear_bias": bias_w,
           "pred_logistic": pred, "pred_probabilities": np.concatenate([1 - pred, pred], 1),
           "pred_classes": np.array([b"1" if p > 0.5 else b"0" for p in pred[:, 0]])}
    out.update({f"eval_{k}": np.float32(result[k]) for k in BINARY_METRICS})

    tf.reset_default_graph()
    targets_all = (x_all @ np.array([0.5, -1.0, 0.25, 2.0], F32) + 0.3).astype(F32)[:, None]
    x = tf.placeholder(tf.float32, [None, 4])
    z = tf.placeholder(tf.float32, [None, 1])
    t = tf.placeholder(tf.float32, [None, 1])
    w_x, w_z, bias = tf.Variable(tf.zeros([4, 1])), tf.Variable(tf.zeros([4, 1])), tf.Variable(tf.zeros([1]))
    buckets = tf.add_n([tf.cast(z >= b, tf.int32) for b in (-0.5, 0.0, 0.7)])
    prediction = tf.matmul(x, w_x) + tf.gather(w_z, buckets[:, 0]) + bias
    per_example = tf.squared_difference(prediction, t)
    loss = tf.reduce_sum(per_example)
    train = tf.train.FtrlOptimizer(min(0.2, 1 / np.sqrt(2))).minimize(loss)
    metrics = {"average_loss": tf.metrics.mean(per_example), "loss": tf.metrics.mean(loss),
               "label_mean": tf.metrics.mean(t), "prediction_mean": tf.metrics.mean(prediction)}
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        feed = lambda b: {x: x_all[b], z: x_all[b, 2:3], t: targets_all[b]}  # noqa: E731
        reg_losses = [sess.run([loss, train], feed(b))[0] for b in _batches(30, 10, 6)]
        for b in _epoch(30, 12):
            sess.run([m[1] for m in metrics.values()], feed(b))
        reg = sess.run({k: m[0] for k, m in metrics.items()})
        weights = sess.run(w_z)
    out.update({"reg_losses": np.array(reg_losses), "reg_global_step": np.int64(6),
                "reg_average_loss": reg["average_loss"], "reg_loss": reg["loss"], "reg_label_mean": reg["label_mean"],
                "reg_prediction_mean": reg["prediction_mean"], "reg_weights": weights})
    return out


SCRIPTS["wide_deep"] = (wide_deep_estimator, wide_deep_graph)
