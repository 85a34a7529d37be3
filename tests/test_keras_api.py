"""tf.keras's API as TF1 scripts use it: names, collections, the learning phase, Keras's session, summary(),
subclassed models, weights on disk, and TF1's Keras errors (exception class and a message naming the object).

The numbers are checked against TF in tests/test_tf1_keras.py and the op cases of tests/tf1_op_cases_keras.py;
the expected names and errors here are what TF's Keras gives for the same calls (checked by hand with TF).
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

L = tf.keras.layers
K = tf.keras.backend


@pytest.fixture(autouse=True)
def fresh_graph():
    """A new graph; Keras's sessions on the interpreter (small graphs: compiling each would dominate)."""
    from dfc.keras import backend
    tf.reset_default_graph()
    backend._config["session_factory"] = lambda: tf.Session(backend="interpreter")
    yield
    K.clear_session()
    del backend._config["session_factory"]


def _inputs() -> dict:
    return {"img": tf.placeholder(tf.float32, [None, 4, 4, 2], name="img"),
            "seq": tf.placeholder(tf.float32, [None, 5, 3], name="seq"),
            "flat": tf.placeholder(tf.float32, [None, 3], name="flat"),
            "unk": tf.placeholder(tf.float32, [None, None], name="unk")}


def _model():
    return tf.keras.Sequential([L.Dense(2, input_shape=(3,))])


def _fit(m, x, y):
    m.compile("sgd", "mse")
    return m.fit(x, y, verbose=0)


# (what, TF1's exception class, words the message must hold: the user's layer, tensor or argument)
ERRORS = [
    (lambda t: L.Dense(2)(t["unk"]), ValueError, "dense"),
    (lambda t: L.Conv2D(2, 3)(t["seq"]), ValueError, "conv2d.*ndim=4, found ndim=3.*seq"),
    (lambda t: L.LSTM(2)(t["flat"]), ValueError, "lstm.*expected ndim=3.*flat"),
    (lambda t: L.Add()(t["flat"]), ValueError, "list of inputs"),
    (lambda t: L.Concatenate()([t["flat"], t["seq"]]), ValueError, r"matching shapes.*\(None, 5, 3\)"),
    (lambda t: L.Concatenate(axis=1)([t["seq"], tf.placeholder(tf.float32, [None, 5, 4])]), ValueError,
     "concatenate"),
    (lambda t: L.Subtract()([t["flat"]] * 3), ValueError, "exactly 2 inputs"),
    (lambda t: L.Add()([t["flat"], tf.placeholder(tf.float32, [None, 4])]), ValueError, r"\(3,\) \(4,\)"),
    (lambda t: tf.keras.Model(t["flat"], L.Dense(2)(t["flat"])), ValueError, "tf.keras.Input.*flat"),
    (lambda t: L.Dense(2, activation="nope"), ValueError, "nope"),
    (lambda t: _model().compile("sgd", loss="nope"), ValueError, "nope"),
    (lambda t: _model().compile("nope", loss="mse"), ValueError, "nope"),
    (lambda t: _model().fit(np.zeros((2, 3)), np.zeros((2, 2)), verbose=0), RuntimeError, "compile"),
    (lambda t: _fit(_model(), np.zeros((2, 4)), np.zeros((2, 2))), ValueError, r"dense_input.*\(3,\).*\(4,\)"),
    (lambda t: _fit(_model(), np.zeros((2, 3)), np.zeros((3, 2))), ValueError, "2 input samples and 3 target"),
    (lambda t: (lambda d: (d(t["flat"]), d.set_weights([np.zeros((3, 2))])))(L.Dense(2)), ValueError,
     "\"dense\".*length 1.*expecting 2"),
    (lambda t: (lambda d: (d(t["flat"]), d.set_weights([np.zeros((3, 3)), np.zeros(2)])))(L.Dense(2)), ValueError,
     r"\(3, 2\).*\(3, 3\).*dense/kernel"),
    (lambda t: L.Dense(2, bogus=1), TypeError, "bogus"),
    (lambda t: L.Reshape((5,))(t["flat"]), ValueError, "total size.*reshape"),
    (lambda t: tf.keras.Sequential().add(3), TypeError, "instance of class Layer"),
    (lambda t: L.Permute((1, 3)), ValueError, r"\(1, 3\)"),
    (lambda t: L.Dense(2).count_params(), ValueError, "dense.*isn't built"),
    (lambda t: _model().get_layer("nope"), ValueError, "nope"),
    (lambda t: L.Bidirectional(L.Dense(2)), ValueError, "recurrent layer"),
    (lambda t: tf.keras.Input(), ValueError, "shape"),
    (lambda t: _model()([t["flat"], t["flat"]]), ValueError, "sequential.*1 input"),
    (lambda t: tf.keras.activations.softmax(tf.placeholder(tf.float32, [3], name="vec")), ValueError, "vec"),
    (lambda t: L.LSTM(2)(t["seq"], initial_state=[tf.zeros([1, 2])]), ValueError, "initial_state.*lstm"),
    (lambda t: L.Dropout(1.5), ValueError, "1.5"),
    (lambda t: L.UpSampling2D(interpolation="cubic"), ValueError, "cubic"),
    (lambda t: _model().load_weights("no_such_weights.h5"), OSError, "no_such_weights.h5"),
    # TF1's Keras: a layer that cannot pass a mask on refuses one (TF2's drops it)
    (lambda t: L.Flatten()(L.Embedding(5, 2, mask_zero=True)(tf.placeholder(tf.int32, [None, 4]))), TypeError,
     "flatten does not support masking"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_tf1s_exception_naming_the_object(index):
    build, exception, words = ERRORS[index]
    with pytest.raises(exception, match=words):
        build(_inputs())


def test_layer_and_variable_names_follow_tf1s_keras():
    t = _inputs()
    d = L.Dense(3)
    assert d.name == "dense" and d(t["flat"]).name == "dense/BiasAdd:0"
    assert [v.name for v in d.weights] == ["dense/kernel:0", "dense/bias:0"]
    with tf.variable_scope("foo"):
        assert L.Dense(4)(t["flat"]).name == "foo/dense_1/BiasAdd:0"
    with tf.name_scope("ns"):
        L.Dense(4)(t["flat"])
    named = L.Dense(2, name="dense")  # the name is taken as given; its scope is made unique
    named(t["flat"])
    assert named.name == "dense" and named.weights[0].name == "dense_1/kernel:0"
    assert [v.name for v in tf.trainable_variables()][2:6] == ["foo/dense_1/kernel:0", "foo/dense_1/bias:0",
                                                               "ns/dense_2/kernel:0", "ns/dense_2/bias:0"]
    assert d(t["flat"]).name == "dense_2/BiasAdd:0"  # a second call: new ops, the same weights
    assert len(d.weights) == 2 and len(d._inbound_nodes) == 2
    lstm = L.LSTM(3)
    lstm(t["seq"])
    assert [v.name for v in lstm.weights] == ["lstm/lstm_cell/kernel:0", "lstm/lstm_cell/recurrent_kernel:0",
                                              "lstm/lstm_cell/bias:0"]
    assert tf.keras.Input((2,)).name == "input_1:0" and tf.keras.Input((2,), name="bar").name == "bar:0"


def test_updates_and_penalties_stay_on_the_layer():
    """TF1's Keras keeps batch norm's updates in layer.updates (not UPDATE_OPS) and weight penalties in
    layer.losses (not REGULARIZATION_LOSSES); tf.layers puts them in the collections."""
    t = _inputs()
    bn = L.BatchNormalization()
    bn(t["flat"], training=True)
    dense = L.Dense(2, kernel_regularizer=tf.keras.regularizers.l1_l2(0.1, 0.2), activity_regularizer="l2")
    dense(t["flat"])
    assert len(bn.updates) == 2 and len(dense.losses) == 2
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == []
    tf.layers.batch_normalization(t["flat"], training=True)
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2


def test_learning_phase_selects_dropout_and_batch_statistics():
    x = tf.placeholder(tf.float32, [4, 3], name="x")
    y = L.Dropout(0.5, seed=1)(x)
    phase = K.learning_phase()
    assert phase.name == "keras_learning_phase:0"
    data = np.ones((4, 3), np.float32)
    with tf.Session(backend="interpreter") as sess:
        assert np.array_equal(sess.run(y, {x: data}), data)
        dropped = sess.run(y, {x: data, phase: True})
    assert set(np.unique(dropped)) <= {0.0, 2.0} and 0.0 in dropped
    K.set_learning_phase(1)
    assert K.learning_phase() == 1 and "Select" not in L.Dropout(0.5)(x).name


def test_keras_session_initializes_only_new_variables():
    d = L.Dense(2, kernel_initializer="ones")
    d(tf.placeholder(tf.float32, [None, 3]))
    assert np.array_equal(d.get_weights()[0], np.ones((3, 2), np.float32))
    d.set_weights([np.full((3, 2), 5.0), np.zeros(2)])
    d2 = L.Dense(1)
    d2(tf.placeholder(tf.float32, [None, 2]))
    assert d2.get_weights()[0].shape == (2, 1)
    assert d.get_weights()[0][0, 0] == 5.0  # not initialized again by the second get_session
    assert tf.keras.initializers.get("glorot_uniform").distribution == "uniform"


def test_subclassed_model_tracks_its_layers():
    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = L.Dense(4, activation="relu")
            self.blocks = [L.Dense(3), L.Dense(2)]

        def call(self, inputs, training=None):
            h = self.hidden(inputs)
            for block in self.blocks:
                h = block(h)
            return h

    net = Net()
    out = net(tf.placeholder(tf.float32, [None, 5]))
    assert net.name == "net" and out.name.startswith("net/dense_2/")
    assert [v.name for v in net.trainable_weights] == ["net/dense/kernel:0", "net/dense/bias:0",
                                                       "net/dense_1/kernel:0", "net/dense_1/bias:0",
                                                       "net/dense_2/kernel:0", "net/dense_2/bias:0"]
    assert net.count_params() == 5 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2 and len(net.layers) == 3
    net.trainable = False
    assert net.trainable_weights == [] and len(net.non_trainable_weights) == 6


def test_summary_prints_tf1s_table():
    model = tf.keras.Sequential([L.Dense(4, input_shape=(3,)), L.BatchNormalization(), L.Dense(2)])
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "sequential"'
    assert lines[2].rstrip() == "Layer (type)                 Output Shape              Param #"
    assert lines[4].rstrip() == "dense (Dense)                (None, 4)                 16"
    assert lines[-4:-1] == ["Total params: 42", "Trainable params: 34", "Non-trainable params: 8"]


def test_save_and_load_weights_round_trip(tmp_path):
    def make():
        inputs = tf.keras.Input((3,))
        return tf.keras.Model(inputs, L.Dense(2)(L.Dense(4, activation="tanh")(inputs)))

    model = make()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    before = model.predict(x)
    model.save_weights(str(tmp_path / "ckpt"))
    other = make()  # differently named weights (dense_2, dense_3): matched by position, as Keras's TF format
    assert not np.allclose(other.predict(x), before)
    other.load_weights(str(tmp_path / "ckpt"))
    np.testing.assert_allclose(other.predict(x), before, rtol=1e-6)


def test_fit_reports_history_and_callbacks_stop_it():
    model = tf.keras.Sequential([L.Dense(1, input_shape=(2,), kernel_initializer="zeros")])
    model.compile(tf.keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    seen = []
    stop = tf.keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(sorted(logs)))
    early = tf.keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    history = model.fit(x, np.ones(3, np.float32), epochs=5, verbose=0, callbacks=[stop, early])
    assert history.epoch == [0, 1] and seen[0] == ["loss", "mean_absolute_error"]
    assert history.history["loss"][0] == pytest.approx(1.0)
    assert model.metrics_names == ["loss", "mean_absolute_error"]
    assert tf.keras.utils.to_categorical([0, 2, 1]).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    classes = model.predict_classes(x)  # TF1's Sequential: one sigmoid-like unit thresholded at 0.5
    assert classes.dtype == np.int32 and np.array_equal(classes, (model.predict(x) > 0.5).astype(np.int32))
    K.set_value(model.optimizer.lr, 0.5)
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.5)


def test_backend_function_feeds_inputs_and_the_learning_phase():
    model = tf.keras.Sequential([L.Dense(2, input_shape=(3,), kernel_initializer="ones"), L.Dropout(0.5)])
    features = K.function([model.input, K.learning_phase()], [model.layers[0].output])
    x = np.ones((2, 3), np.float32)
    np.testing.assert_allclose(features([x, 0])[0], np.full((2, 2), 3.0))
    single = K.function([model.input], model.output)
    np.testing.assert_allclose(single([x]), np.full((2, 2), 3.0))
    layer_on_numpy = L.Dense(1, kernel_initializer="ones")(np.ones((1, 2), np.float32))
    assert layer_on_numpy.shape.as_list() == [1, 1]
    assert L.Dense(1)(tf.placeholder(tf.float32, [None, 2]), training=True).shape.as_list() == [None, 1]


def test_compute_output_shape_builds_the_layer_in_its_own_scope():
    assert L.Dense(3).compute_output_shape((None, 5)).as_list() == [None, 3]
    assert L.Conv2D(4, 3).compute_output_shape((2, 8, 8, 1)).as_list() == [2, 6, 6, 4]
    assert L.Concatenate().compute_output_shape([(None, 2), (None, 3)]).as_list() == [None, 5]
    assert [v.name for v in tf.global_variables()] == ["dense/kernel:0", "dense/bias:0", "conv2d/kernel:0",
                                                       "conv2d/bias:0"]


def test_callbacks_schedule_the_learning_rate_and_save_each_epoch(tmp_path):
    model = tf.keras.Sequential([L.Dense(1, input_shape=(2,))])
    model.compile(tf.keras.optimizers.SGD(0.1), "mse")
    x, y = np.ones((4, 2), np.float32), np.zeros(4, np.float32)
    callbacks = [tf.keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1)),
                 tf.keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=1e9),
                 tf.keras.callbacks.CSVLogger(str(tmp_path / "log.csv")),
                 tf.keras.callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}"), save_weights_only=True),
                 tf.keras.callbacks.TensorBoard(str(tmp_path / "tb"))]
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=callbacks)
    # the scheduler sets 0.1 / (epoch + 1) before each epoch (the rate logged); the plateau callback halves it after
    assert history.history["lr"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.1 / 3 / 2)
    assert (tmp_path / "log.csv").read_text().splitlines()[0] == "epoch,loss,lr"
    assert (tmp_path / "w-03.safetensors").exists() and (tmp_path / "checkpoint").exists()
    assert any((tmp_path / "tb").iterdir())
    model.load_weights(str(tmp_path / "w-01"))


def test_fit_generator_over_a_sequence_calls_on_epoch_end():
    class Batches(tf.keras.utils.Sequence):
        ends = 0

        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full((3, 2), i, np.float32), np.full((3, 1), i, np.float32)

        def on_epoch_end(self):
            Batches.ends += 1

    model = tf.keras.Sequential([L.Dense(1, input_shape=(2,), kernel_initializer="zeros")])
    model.compile(tf.keras.optimizers.SGD(0.0), "mse")
    history = model.fit_generator(Batches(), epochs=2, verbose=0, shuffle=False)
    assert Batches.ends == 2 and history.history["loss"] == pytest.approx([0.5, 0.5])  # (0 + 1) / 2 per epoch


def test_a_custom_loss_may_return_one_number_for_the_batch():
    """A loss function that reduces the batch itself (tf.reduce_mean inside) trains, with or without sample
    weights: each weight scales it, as broadcasting gives."""
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(3,), kernel_initializer="zeros")])
    model.compile("sgd", loss=lambda y_true, y_pred: tf.reduce_mean(tf.square(y_true - y_pred)))
    x, y = np.ones((8, 3), np.float32), np.full((8, 1), 2.0, np.float32)
    first = model.fit(x, y, epochs=1, verbose=0).history["loss"][0]
    assert first == pytest.approx(4.0)
    weighted = model.fit(x, y, sample_weight=np.full(8, 0.5), epochs=1, verbose=0).history["loss"][0]
    assert 0 < weighted < first / 2
