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
