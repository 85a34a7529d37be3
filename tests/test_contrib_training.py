"""tf.contrib.training.HParams (typed hyperparameters, parsed from flags strings as TF1's) and tf.contrib.metrics."""

from __future__ import annotations

import pytest

import dfc as tf


def test_hparams_types_parse_and_json():
    hp = tf.contrib.training.HParams(learning_rate=0.1, num_layers=2, cell="lstm", use_bn=False, sizes=[64, 32])
    assert hp.learning_rate == 0.1 and "num_layers" in hp and "nope" not in hp
    hp.parse("learning_rate=0.5,num_layers=3,use_bn=true,sizes=[128, 64, 32],cell=gru")
    assert hp.values() == {"learning_rate": 0.5, "num_layers": 3, "cell": "gru", "use_bn": True,
                           "sizes": [128, 64, 32]}
    hp.parse("sizes[1]=7,learning_rate=1")  # an int widens to the float parameter
    assert hp.sizes == [128, 7, 32] and hp.learning_rate == 1.0 and type(hp.learning_rate) is float
    assert str(hp).startswith("[('cell', 'gru')") and repr(hp).startswith("HParams([")
    again = tf.contrib.training.HParams(learning_rate=0.0, num_layers=0, cell="", use_bn=True, sizes=[0])
    assert again.parse_json(hp.to_json()).values() == hp.values()
    hp.add_hparam("dropout", 0.2)
    assert hp.get("dropout") == 0.2 and hp.get("missing", 3) == 3
    hp.del_hparam("dropout")
    assert "dropout" not in hp


@pytest.mark.parametrize("call,message", [
    (lambda hp: hp.parse("num_layers=2.5"), "Could not parse hparam 'num_layers' of type 'int'"),
    (lambda hp: hp.parse("unknown=1"), "Unknown hyperparameter type for unknown"),
    (lambda hp: hp.parse("num_layers"), "Malformed hyperparameter value: num_layers"),
    (lambda hp: hp.set_hparam("num_layers", 2.5), "Could not cast hparam 'num_layers'"),
    (lambda hp: hp.set_hparam("cell", 3), "Could not cast hparam 'cell'"),
    (lambda hp: hp.set_hparam("num_layers", [1]), "Must not pass a list for single-valued parameter: num_layers"),
    (lambda hp: hp.set_hparam("sizes", 3), "Must pass a list for multi-valued parameter: sizes."),
    (lambda hp: hp.add_hparam("cell", "x"), "Hyperparameter name is reserved: cell"),
    (lambda hp: hp.add_hparam("empty", []), "Multi-valued hyperparameters cannot be empty: empty"),
    (lambda hp: hp.get("num_layers", "a"), "is incompatible with default=a"),
])
def test_hparams_errors_as_tf1(call, message):
    hp = tf.contrib.training.HParams(num_layers=2, cell="lstm", sizes=[64])
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace(".", r"\.")):
        call(hp)


def test_contrib_streaming_metrics_take_predictions_first():
    import numpy as np

    with tf.Graph().as_default():
        predictions = tf.constant([1, 0, 1, 1])
        labels = tf.constant([1, 1, 1, 0])
        accuracy, update = tf.contrib.metrics.streaming_accuracy(predictions, labels)
        values, updates = tf.contrib.metrics.aggregate_metric_map({
            "recall": tf.contrib.metrics.streaming_recall(predictions=predictions, labels=labels),
            "mean": tf.contrib.metrics.streaming_mean(tf.constant([1.0, 3.0]))})
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            sess.run([update, updates])
            got = sess.run([accuracy, values])
    assert got[0] == 0.5
    np.testing.assert_allclose([got[1]["recall"], got[1]["mean"]], [2 / 3, 2.0], rtol=1e-6)


def _regression():
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 3.0, 0.5], np.float32))[:, None]
    pred = tf.contrib.slim.fully_connected(tf.constant(x), 1, activation_fn=None, scope="fc")
    return pred, tf.constant(y)


def test_slim_learning_train_saves_checkpoints_and_evaluation_restores_them(tmp_path):
    """slim's classic loop: create_train_op (clipped gradients) and learning.train to number_of_steps, writing
    checkpoints and events to logdir; evaluation.evaluate_once restores the last checkpoint and returns the metric."""
    import os
    slim = tf.contrib.slim
    logdir = str(tmp_path / "train")
    with tf.Graph().as_default():
        pred, y = _regression()
        slim.losses.mean_squared_error(pred, y)
        total = slim.losses.get_total_loss()
        tf.summary.scalar("loss", total)
        train_op = slim.learning.create_train_op(total, tf.train.GradientDescentOptimizer(0.1), clip_gradient_norm=5.0)
        first = None
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(total)
        final = slim.learning.train(train_op, logdir, number_of_steps=40, save_summaries_secs=1)
    assert final < first / 10
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-40")
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(logdir))
    with tf.Graph().as_default():
        pred, y = _regression()
        tf.train.get_or_create_global_step()
        mse, update = tf.metrics.mean_squared_error(y, pred)
        value = slim.evaluation.evaluate_once("", tf.train.latest_checkpoint(logdir), str(tmp_path / "eval"),
                                              num_evals=2, eval_op=update, final_op=mse)
    assert abs(value - final) < 1e-3 * max(1.0, final)  # the restored weights give the trained loss


def test_contrib_training_train_runs_until_its_hooks_stop(tmp_path):
    with tf.Graph().as_default():
        pred, y = _regression()
        loss = tf.losses.mean_squared_error(y, pred)
        train_op = tf.contrib.training.create_train_op(loss, tf.train.AdamOptimizer(0.05))
        assert train_op in tf.get_collection(tf.GraphKeys.TRAIN_OP)
        last = tf.contrib.training.train(train_op, str(tmp_path), hooks=[tf.train.StopAtStepHook(num_steps=30)],
                                         save_summaries_steps=None, save_checkpoint_secs=None)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert last < sess.run(loss)
    with pytest.raises(ValueError, match="logdir cannot be None"):
        tf.contrib.training.train(train_op, None)
