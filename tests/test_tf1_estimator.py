"""tf.estimator and tf.feature_column against TensorFlow: user-style Estimator scripts (tests/tf1_scripts_estimator.py)
compared with the hand-written TF1 graphs they equal, recorded by tests/record_tf1_scripts_estimator.py; and TF 1.15's
errors for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_estimator import SCRIPTS
from tf1_scripts_feature_column import BOTH


# the estimators' sessions run on the interpreter, but for one script on the CPU backend: each estimator call compiles
# new step graphs (train, evaluate, predict), and the CPU backend's lowering is what makes that slow
BACKENDS = {"iris_model_fn": "cpu"}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_estimator_script_matches_tensorflow(name, tmp_path, monkeypatch):
    from dfc.runtime import executors
    monkeypatch.setattr(executors, "DEFAULT_BACKEND", BACKENDS.get(name, "interpreter"))
    tf.reset_default_graph()
    actual = SCRIPTS[name][0](tf, str(tmp_path))
    assert_matches_recording(actual, f"estimator_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


# every script on the interpreter; on the CPU backend the one whose hashing needs int64 arithmetic that wraps (the
# others' ops are the CPU backend's own tests' concern, and compiling them costs the suite seconds)
FEATURE_CASES = [(name, "interpreter") for name in sorted(BOTH)] + [("crossed_weighted_shared", "cpu")]


@pytest.mark.parametrize("name,backend", FEATURE_CASES)
def test_feature_columns_match_tensorflow(name, backend, monkeypatch):
    tf.reset_default_graph()
    real_session = tf.Session
    monkeypatch.setattr(tf, "Session", lambda *a, **k: real_session(*a, backend=backend, **k))
    actual = BOTH[name](tf)
    assert_matches_recording(actual, f"estimator_{name}", lambda key: {"rtol": 2e-5, "atol": 2e-6})


def _model_fn(features, labels, mode):
    logits = tf.layers.dense(features["x"], 2)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions={"logits": logits})


X = np.arange(12, dtype=np.float32).reshape(6, 2) / 10
Y = np.array([0, 1, 0, 1, 1, 0], np.int32)


def _input(**kwargs):
    return tf.estimator.inputs.numpy_input_fn({"x": X}, Y, **{"batch_size": 3, "shuffle": False, **kwargs})


def _spec(**kwargs):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [3, 2], name="inputs")
    name = "vector_loss" if "vector" in kwargs else "scalar_loss"
    loss = tf.reduce_sum(x, name=name, axis=kwargs.pop("vector", None))
    return tf.estimator.EstimatorSpec(**{"loss": loss, **kwargs})


fc = tf.feature_column
# (what, TF 1.15's exception class, a word the message must hold: the user's object or argument)
ERRORS = [
    (lambda d: tf.estimator.Estimator(None, model_dir=d), ValueError, "model_fn must be provided"),
    (lambda d: tf.estimator.Estimator(lambda x, labels, mode: None, model_dir=d), ValueError, "features"),
    (lambda d: tf.estimator.Estimator(_model_fn, model_dir=d, params={"lr": 1}), ValueError, "params"),
    (lambda d: tf.estimator.Estimator(lambda features, labels, mode, lr: None, model_dir=d), ValueError, "lr"),
    (lambda d: tf.estimator.Estimator(__import__("functools").partial(lambda features, labels, params: None,
                                                                      params={}), model_dir=d, params={"a": 1}),
     ValueError, "does not include params"),
    (lambda d: tf.estimator.Estimator(_model_fn, model_dir=d, config=tf.estimator.RunConfig(model_dir=d + "x")),
     ValueError, "model_dir"),
    (lambda d: tf.estimator.Estimator(_model_fn, model_dir=d).train(_input(), steps=0), ValueError, "steps > 0"),
    (lambda d: tf.estimator.Estimator(_model_fn, model_dir=d).train(_input(), steps=1, max_steps=2), ValueError,
     "both steps and max_steps"),
    (lambda d: tf.estimator.Estimator(_model_fn, model_dir=d).evaluate(_input(), steps=-1), ValueError, "steps > 0"),
    (lambda d: tf.estimator.Estimator(_model_fn, model_dir=d).train(_input(), hooks=[object()]), TypeError,
     "SessionRunHook"),
    (lambda d: tf.estimator.Estimator(lambda features, labels: {}, model_dir=d).train(_input(), steps=1), ValueError,
     "EstimatorSpec"),
    (lambda d: tf.estimator.Estimator(lambda features, mode: None, model_dir=d).train(_input(), steps=1), ValueError,
     "does not take labels"),
    (lambda d: tf.estimator.Estimator(_model_fn, model_dir=d).get_variable_value("dense/kernel"), ValueError,
     "Couldn't find trained model"),
    (lambda d: next(tf.estimator.Estimator(_model_fn, model_dir=d).predict(_input(), predict_keys=["probs"])),
     ValueError, "probs"),
    (lambda d: _spec(mode=tf.estimator.ModeKeys.TRAIN), ValueError, "Missing train_op"),
    (lambda d: _spec(mode=tf.estimator.ModeKeys.PREDICT, loss=None), ValueError, "Missing predictions"),
    (lambda d: _spec(mode=tf.estimator.ModeKeys.EVAL, vector=1), ValueError, "vector_loss"),
    (lambda d: _spec(mode="training"), ValueError, "training"),
    (lambda d: _spec(mode=tf.estimator.ModeKeys.EVAL, eval_metric_ops={"acc": 1.0}), TypeError, "acc"),
    (lambda d: tf.estimator.RunConfig(save_checkpoints_steps=5, save_checkpoints_secs=5), ValueError, "both"),
    (lambda d: tf.estimator.RunConfig(keep_checkpoint_max=-1), ValueError, "keep_checkpoint_max"),
    (lambda d: tf.estimator.RunConfig(tf_random_seed=1.5), ValueError, "tf_random_seed"),
    (lambda d: tf.estimator.RunConfig(session_config={"threads": 2}), ValueError, "ConfigProto"),
    (lambda d: tf.estimator.TrainSpec(_input(), max_steps=0), ValueError, "max_steps > 0"),
    (lambda d: tf.estimator.EvalSpec("input_fn"), TypeError, "input_fn"),
    (lambda d: tf.estimator.inputs.numpy_input_fn({"x": X}, Y), ValueError, "shuffle"),
    (lambda d: tf.estimator.inputs.numpy_input_fn({"x": X}, Y[:4], shuffle=False)(), ValueError, "Length"),
    (lambda d: tf.estimator.inputs.numpy_input_fn({"x": X}, {"x": Y}, shuffle=False)(), ValueError, "duplicate"),
    (lambda d: tf.estimator.inputs.numpy_input_fn({"w": np.array(["a", "b"])}, shuffle=False)(), TypeError, "'w'"),
    (lambda d: tf.estimator.inputs.numpy_input_fn([1, 2], shuffle=False)(), TypeError, "dict or array"),
    (lambda d: fc.numeric_column("price", shape=[0]), ValueError, "price"),
    (lambda d: fc.numeric_column("price", dtype=tf.bool), ValueError, "price"),
    (lambda d: fc.bucketized_column(fc.numeric_column("age"), [3, 1]), ValueError, "sorted"),
    (lambda d: fc.bucketized_column("age", [1, 3]), ValueError, "numeric_column"),
    (lambda d: fc.categorical_column_with_vocabulary_list("color", ["red", "blue"], dtype=tf.int64), ValueError,
     "color"),
    (lambda d: fc.categorical_column_with_vocabulary_list("color", [1, 1]), ValueError, "Duplicate"),
    (lambda d: fc.categorical_column_with_identity("tags", 0), ValueError, "tags"),
    (lambda d: fc.categorical_column_with_identity("tags", 4, default_value=4), ValueError, "tags"),
    (lambda d: fc.input_layer({"tags": tf.constant([[1, 2]])}, [fc.indicator_column(
        fc.categorical_column_with_hash_bucket("tags", 10))]), ValueError, "tags"),
    (lambda d: fc.categorical_column_with_hash_bucket("tags", 0, dtype=tf.int64), ValueError, "tags"),
    (lambda d: fc.categorical_column_with_vocabulary_file("shop", d + "/none.txt", dtype=tf.int64), ValueError,
     "shop"),
    (lambda d: fc.categorical_column_with_vocabulary_file("shop", d + "/v.txt", 3, dtype=tf.float32), ValueError,
     "shop"),
    (lambda d: fc.categorical_column_with_vocabulary_list("kind", [1, 2], default_value=0, num_oov_buckets=2),
     ValueError, "kind"),
    (lambda d: fc.crossed_column(["a"], 10), ValueError, "length > 1"),
    (lambda d: fc.crossed_column(["a", fc.numeric_column("b")], 10), ValueError, "Unsupported key type"),
    (lambda d: fc.linear_model({"a": tf.constant([[1]]), "b": tf.constant([[0.5]])}, [fc.crossed_column(["a", "b"],
                                                                                                       5)]),
     ValueError, "b"),
    (lambda d: fc.input_layer({"a": tf.constant([[1]]), "w": tf.constant([[1]])}, [fc.indicator_column(
        fc.weighted_categorical_column(fc.categorical_column_with_identity("a", 3), "w"))]), ValueError, "Bad dtype"),
    (lambda d: fc.shared_embedding_columns([fc.categorical_column_with_identity("a", 3),
                                            fc.categorical_column_with_identity("b", 4)], 2), ValueError, "buckets"),
    (lambda d: fc.embedding_column(fc.categorical_column_with_identity("tags", 4), 0), ValueError, "dimension"),
    (lambda d: fc.embedding_column(fc.categorical_column_with_identity("tags", 4), 2, combiner="max"), ValueError,
     "max"),
    (lambda d: fc.input_layer({"tags": tf.constant([1, 2])}, [fc.categorical_column_with_identity("tags", 4)]),
     ValueError, "_DenseColumn"),
    (lambda d: fc.input_layer({"price": tf.constant([1.0])}, [fc.numeric_column("age")]), ValueError, "age"),
    (lambda d: fc.input_layer({"age": tf.constant(1.0)}, [fc.numeric_column("age")]), ValueError, "rank 0"),
    (lambda d: fc.input_layer({"a": tf.constant([1.0])}, {"a": fc.numeric_column("a")}), ValueError, "dict"),
    (lambda d: fc.input_layer({"a": tf.constant([1.0])}, [fc.numeric_column("a"), fc.numeric_column("a")]),
     ValueError, "Duplicate"),
    (lambda d: fc.linear_model({"tags": tf.constant([1.5])}, [fc.categorical_column_with_identity("tags", 4)]),
     ValueError, "tags"),
    (lambda d: tf.estimator.DNNClassifier([3], [fc.numeric_column("x")], n_classes=1, model_dir=d), ValueError,
     "n_classes"),
    (lambda d: tf.estimator.DNNClassifier([3], [fc.numeric_column("x")], label_vocabulary=["no", "yes"],
                                          model_dir=d), TypeError, "string"),
    (lambda d: tf.estimator.DNNClassifier([3], [fc.numeric_column("x")], optimizer="Adamax", model_dir=d)
     .train(_input(), steps=1), ValueError, "Adamax"),
    (lambda d: tf.estimator.DNNClassifier([3], [fc.numeric_column("x", shape=[2])], n_classes=3, model_dir=d)
     .train(tf.estimator.inputs.numpy_input_fn({"x": X}, X[:, :1], shuffle=False), steps=1), ValueError,
     "integer"),
    (lambda d: tf.estimator.DNNClassifier([3], [fc.numeric_column("x", shape=[2])], model_dir=d)
     .train(tf.estimator.inputs.numpy_input_fn({"x": X}, None, shuffle=False), steps=1), ValueError, "labels"),
    (lambda d: tf.estimator.DNNRegressor([3], [fc.numeric_column("x", shape=[2])], label_dimension=2, model_dir=d)
     .train(_input(), steps=1), ValueError, "labels dimension=2"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_tf1s_exception_naming_the_object(index, tmp_path):
    tf.reset_default_graph()
    build, exception, word = ERRORS[index]
    with pytest.raises(exception, match=word):
        build(str(tmp_path))


def test_bad_values_fail_at_run_time_as_tf1(tmp_path):
    """Labels outside [0, n_classes) and ids outside [0, num_buckets): TF's InvalidArgumentError from the step."""
    classifier = tf.estimator.DNNClassifier([3], [fc.numeric_column("x", shape=[2])], n_classes=3,
                                            model_dir=str(tmp_path / "labels"))
    bad = tf.estimator.inputs.numpy_input_fn({"x": X}, Y * 3, batch_size=6, shuffle=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match="n_classes"):
        classifier.train(bad, steps=1)
    tf.reset_default_graph()
    layer = fc.input_layer({"tags": tf.constant([[1], [7]])}, [fc.indicator_column(
        fc.categorical_column_with_identity("tags", 4))])
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="tags"):
        sess.run(layer)


def test_run_config_checkpoints_summaries_and_train_and_evaluate(tmp_path, monkeypatch):
    """save_checkpoints_steps and keep_checkpoint_max as TF's CheckpointSaverHook keeps them; max_steps; eval
    summaries in model_dir/eval_<name>; train_and_evaluate; a Dataset input_fn and model_fn(params, config)."""
    import os

    from dfc.runtime import executors
    monkeypatch.setattr(executors, "DEFAULT_BACKEND", "interpreter")

    seen = {}

    def model_fn(features, labels, mode, params, config):
        seen["seed"], seen["lr"] = config.tf_random_seed, params["lr"]
        logits = tf.identity(tf.layers.dense(features, 2, name="out"), name="logits_tensor")
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions=tf.argmax(logits, 1))
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train_op = tf.train.GradientDescentOptimizer(params["lr"]).minimize(loss, tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                          eval_metric_ops={"acc": tf.metrics.accuracy(labels, tf.argmax(logits, 1))})

    def dataset_input_fn(params):
        assert params == {"lr": 0.5}
        return tf.data.Dataset.from_tensor_slices((X, Y)).repeat().batch(2)

    config = tf.estimator.RunConfig(save_checkpoints_steps=2, keep_checkpoint_max=2, tf_random_seed=7,
                                    save_summary_steps=1)
    model_dir = str(tmp_path / "model")
    estimator = tf.estimator.Estimator(model_fn, model_dir=model_dir, config=config, params={"lr": 0.5})
    assert estimator.config.model_dir == model_dir and estimator.params == {"lr": 0.5}
    logged = tf.train.LoggingTensorHook({"logits": "logits_tensor"}, every_n_iter=2)  # an op's name, as TF's tutorials
    estimator.train(dataset_input_fn, max_steps=5, hooks=[logged])
    assert seen == {"seed": 7, "lr": 0.5}
    assert estimator.get_variable_value("global_step") == 5
    state = tf.train.get_checkpoint_state(model_dir)
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["model.ckpt-4", "model.ckpt-5"]
    assert estimator.latest_checkpoint().endswith("model.ckpt-5")
    estimator.train(dataset_input_fn, max_steps=5)  # already there: no step
    assert estimator.get_variable_value("global_step") == 5
    x_only = tf.estimator.inputs.numpy_input_fn(X, batch_size=4, shuffle=False)
    assert [int(p) for p in estimator.predict(x_only)] == list(
        np.argmax(X @ estimator.get_variable_value("out/kernel") + estimator.get_variable_value("out/bias"), 1))
    metrics = estimator.evaluate(dataset_input_fn, steps=2, name="holdout")
    assert sorted(metrics) == ["acc", "global_step", "loss"] and metrics["global_step"] == 5
    extended = tf.estimator.add_metrics(estimator, lambda labels: {"label_mean": tf.metrics.mean(tf.cast(labels,
                                                                                                   tf.float32))})
    # as TF's, the new Estimator has no params of its own (input_fn gets none; the model_fn still gets the old ones)
    assert extended.params == {}
    assert extended.evaluate(lambda: dataset_input_fn({"lr": 0.5}), steps=2)["label_mean"] == Y[:4].mean()
    events = os.listdir(os.path.join(model_dir, "eval_holdout"))
    assert any(e.startswith("events.out.tfevents") for e in events)
    assert any(e.startswith("events.out.tfevents") for e in os.listdir(model_dir))  # the train summaries

    tf.reset_default_graph()
    other = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path / "tae"), params={"lr": 0.5},
                                   config=tf.estimator.RunConfig(save_checkpoints_steps=3, tf_random_seed=7))
    result, exports = tf.estimator.train_and_evaluate(
        other, tf.estimator.TrainSpec(dataset_input_fn, max_steps=7),
        tf.estimator.EvalSpec(dataset_input_fn, steps=3, throttle_secs=0))
    assert exports == [] and result["global_step"] == 7 and set(result) == {"acc", "global_step", "loss"}


def test_parsing_serving_input_receiver_exports_a_model_that_reads_examples(tmp_path):
    """DNNClassifier trained on dense features, exported with build_parsing_serving_input_receiver_fn over
    make_parse_example_spec: the SavedModel takes serialized tf.Examples and predicts as the estimator does."""
    from dfc.contrib import predictor
    fc = tf.feature_column
    columns = [fc.numeric_column("x"),
               fc.indicator_column(fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"]))]
    features = {"x": np.arange(8, dtype=np.float32), "color": np.array([b"red", b"blue"] * 4)}

    def input_fn():
        return tf.data.Dataset.from_tensor_slices((features, np.array([0, 1] * 4))).repeat().batch(4)

    estimator = tf.estimator.DNNClassifier([4], columns, model_dir=str(tmp_path / "model"))
    estimator.train(input_fn, steps=3)
    spec = fc.make_parse_example_spec(columns)
    assert spec == {"x": tf.FixedLenFeature((1,), tf.float32), "color": tf.VarLenFeature(tf.string)}
    export = estimator.export_savedmodel(str(tmp_path / "export"),
                                         tf.estimator.export.build_parsing_serving_input_receiver_fn(spec))
    example = tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[3.0])),
        "color": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"blue"]))})).SerializeToString()
    served = predictor.from_saved_model(export)({"examples": [example]})
    expected = next(iter(estimator.predict(lambda: {"x": np.array([3.0], np.float32), "color": np.array([b"blue"])})))
    np.testing.assert_allclose(served["probabilities"][0], expected["probabilities"], rtol=1e-5)
    with pytest.raises(ValueError, match="different parse_spec for key x"):
        fc.make_parse_example_spec([fc.numeric_column("x"), fc.numeric_column("x", shape=[2])])


def _exporter_setup(tmp_path, save_steps: int = 20):
    features = np.random.default_rng(0).standard_normal((200, 3)).astype(np.float32)
    labels = (features.sum(1) > 0).astype(np.int64)
    columns = [tf.feature_column.numeric_column("x", shape=[3])]
    estimator = tf.estimator.DNNClassifier([8], columns, model_dir=str(tmp_path / "model"),
                                           config=tf.estimator.RunConfig(save_checkpoints_steps=save_steps))
    receiver = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        tf.feature_column.make_parse_example_spec(columns))
    return (estimator, receiver,
            lambda: tf.data.Dataset.from_tensor_slices(({"x": features}, labels)).repeat().batch(20),
            lambda: tf.data.Dataset.from_tensor_slices(({"x": features}, labels)).batch(50))


def test_eval_spec_exporters_write_latest_best_and_final_saved_models(tmp_path):
    import os
    estimator, receiver, train_input, eval_input = _exporter_setup(tmp_path)
    exporters = [tf.estimator.LatestExporter("latest", receiver, exports_to_keep=2),
                 tf.estimator.BestExporter("best", receiver), tf.estimator.FinalExporter("final", receiver)]
    result, exports = tf.estimator.train_and_evaluate(
        estimator, tf.estimator.TrainSpec(train_input, max_steps=60),
        tf.estimator.EvalSpec(eval_input, steps=None, exporters=exporters, throttle_secs=0))
    assert result["global_step"] == 60 and len(exports) == 3
    root = tmp_path / "model" / "export"
    assert len(os.listdir(root / "latest")) == 2 and len(os.listdir(root / "final")) == 1
    assert 1 <= len(os.listdir(root / "best")) <= 3
    served = tf.contrib.predictor.from_saved_model(exports[2])
    example = tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0, 2.0, 3.0]))})).SerializeToString()
    assert served({"examples": [example]})["probabilities"].shape == (1, 2)
    with pytest.raises(ValueError, match="unique names"):
        tf.estimator.EvalSpec(eval_input, exporters=[exporters[0], tf.estimator.LatestExporter("latest", receiver)])
    with pytest.raises(TypeError, match="must be an Exporter"):
        tf.estimator.EvalSpec(eval_input, exporters=["latest"])


def test_early_stopping_hooks_read_the_evaluations_and_stop_training(tmp_path):
    estimator, _, train_input, eval_input = _exporter_setup(tmp_path, save_steps=10)
    stop = tf.estimator.experimental.stop_if_higher_hook(estimator, "accuracy", 0.0, run_every_steps=5,
                                                         run_every_secs=None)
    result, _ = tf.estimator.train_and_evaluate(
        estimator, tf.estimator.TrainSpec(train_input, max_steps=200, hooks=[stop]),
        tf.estimator.EvalSpec(eval_input, steps=None, throttle_secs=0))
    assert result["global_step"] < 200  # stopped once an evaluation's accuracy was above 0
    metrics = tf.estimator.experimental.__dict__  # the module's names, as TF's
    assert {"stop_if_no_decrease_hook", "stop_if_lower_hook", "make_early_stopping_hook"} <= set(metrics)
    with pytest.raises(ValueError, match="Only one of"):
        tf.estimator.experimental.make_early_stopping_hook(estimator, lambda: False, 1, 1)
