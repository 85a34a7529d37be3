"""tf.keras HDF5 files as TF1 scripts use them: model.save / load_model, save_weights / load_weights (by_name),
ModelCheckpoint, get_config / from_config, to_json / model_from_json, clone_model, custom_objects, and TF's errors.

Files written by TF's Keras (tests/data/keras_h5/, recorded by tests/record_keras_h5.py with TF's predictions)
load here with TF's predictions, and training resumes as TF's did (optimizer state restored); layer configs
are compared with TF's (layer_configs.json). Files dfc writes keep TF's layout (compared with TF's file).
"""

from __future__ import annotations

import json
import os

import h5py
import numpy as np
import pytest
from keras_h5_cases import (DETERMINISTIC, LAYER_CASES, MODELS, QUIRKS, WRAPPER_CASES, compile_model, make_layer,
                            make_wrapper, model_inputs, model_targets)

import dfc as tf

L = tf.keras.layers
K = tf.keras.backend
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "keras_h5")


@pytest.fixture(autouse=True)
def fresh_graph():
    """A new graph; Keras's sessions on the interpreter (small graphs: compiling each would dominate)."""
    from dfc.keras import backend
    tf.reset_default_graph()
    backend._config["session_factory"] = lambda: tf.Session(backend="interpreter")
    yield
    K.clear_session()
    del backend._config["session_factory"]


def _close(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a if k != "name")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= 1e-6 * max(1, abs(b))
    return a == b


def test_layer_configs_are_tfs_and_rebuild_the_layer():
    with open(os.path.join(DATA, "layer_configs.json")) as f:
        expected = json.load(f)
    made = [(c[0], make_layer(tf.keras, *c[1:])) for c in LAYER_CASES]
    made += [(c[0], make_wrapper(tf.keras, c)) for c in WRAPPER_CASES]
    for label, layer in made:
        config = json.loads(json.dumps(layer.get_config()))
        want = expected[label]
        assert list(config) == list(want) or set(config) == set(want), (label, set(config) ^ set(want))
        wrong = {k: (config[k], want[k]) for k in want if k not in QUIRKS | {"name"} and not _close(config[k], want[k])}
        assert not wrong, (label, wrong)
        # TF's own config (with TF's quirks) builds the same layer in dfc, and dfc's config rebuilds it
        for source in (want, config):
            again = type(layer).from_config(source).get_config()
            assert _close(json.loads(json.dumps(again)), config), label


def _predict_and_train(model, name: str):
    x = model_inputs(name)
    predictions = model.predict(x)
    n = len(x[0]) if isinstance(x, list) else len(x)
    model.fit(x, model_targets(name, n), epochs=1, batch_size=2, shuffle=False, verbose=0)
    return predictions, model.predict(x)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_tf_written_model_file_loads_with_tfs_predictions_and_training_state(name):
    model = tf.keras.models.load_model(os.path.join(DATA, f"{name}.h5"))
    expected = np.load(os.path.join(DATA, f"{name}.npz"))
    assert model.optimizer is not None and model.optimizer.get_weights(), "the optimizer state was restored"
    predictions, after = _predict_and_train(model, name)
    np.testing.assert_allclose(predictions, expected["predictions"], rtol=1e-5, atol=1e-6)
    if name in DETERMINISTIC:  # the next epoch as TF's: Adam's / RMSprop's moments and step count came back
        np.testing.assert_allclose(after, expected["after_epoch"], rtol=1e-4, atol=1e-5)
    built = MODELS[name](tf.keras)  # the same architecture built in dfc takes TF's weights by position
    with h5py.File(os.path.join(DATA, f"{name}.h5"), "r") as f:  # its layers in TF's order (by depth)
        assert [layer.name for layer in built.layers] == _names(f["model_weights"].attrs["layer_names"])
    built.load_weights(os.path.join(DATA, f"{name}.h5"))
    np.testing.assert_allclose(built.predict(model_inputs(name)), expected["predictions"], rtol=1e-5, atol=1e-6)


def _names(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def _tree(group) -> dict:
    out = {}
    group.visititems(lambda path, item: out.__setitem__(path, getattr(item, "shape", None)))
    return out


def test_dfc_written_file_has_tfs_layout(tmp_path):
    model = MODELS["mlp"](tf.keras)
    compile_model(tf.keras, model, "mlp")
    _predict_and_train(model, "mlp")
    model.save(str(tmp_path / "m.h5"))
    with h5py.File(tmp_path / "m.h5", "r") as ours, h5py.File(os.path.join(DATA, "mlp.h5"), "r") as theirs:
        assert set(ours.attrs) == set(theirs.attrs) == {"keras_version", "backend", "model_config",
                                                        "training_config"}
        ours_config, theirs_config = (json.loads(f.attrs["model_config"]) for f in (ours, theirs))
        assert ours_config["class_name"] == "Sequential"
        assert [x["class_name"] for x in ours_config["config"]["layers"]] == \
            [x["class_name"] for x in theirs_config["config"]["layers"]]
        assert _close(ours_config["config"]["layers"][1:], theirs_config["config"]["layers"][1:])
        ours_training, theirs_training = (json.loads(f.attrs["training_config"]) for f in (ours, theirs))
        assert set(ours_training) == set(theirs_training)
        assert _close(ours_training["optimizer_config"], theirs_training["optimizer_config"])
        weights = ours["model_weights"]
        assert _names(weights.attrs["layer_names"]) == ["dense", "dense_1", "dense_2"]
        assert _names(weights["dense"].attrs["weight_names"]) == ["dense/kernel:0", "dense/bias:0"]
        theirs_weights = {k: v for k, v in _tree(theirs["model_weights"]).items() if "top_level" not in k}
        assert _tree(weights) == theirs_weights
        shapes = [[f["optimizer_weights"][n].shape for n in _names(f["optimizer_weights"].attrs["weight_names"])]
                  for f in (ours, theirs)]
        assert shapes[0] == shapes[1]


def _bn_net():
    x = tf.keras.Input(shape=(4,))
    h = L.Dense(6, activation="relu")(x)
    h = L.BatchNormalization()(h)
    shared = L.Dense(3, name="shared")
    out = L.add([shared(h), shared(L.Dense(6)(x))])
    model = tf.keras.Model(x, out)
    model.compile(tf.keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True), "mse", metrics=["mae"])
    return model


@pytest.mark.parametrize("make", [lambda: MODELS["mlp"](tf.keras), _bn_net], ids=["adam_sequential", "sgd_shared"])
def test_training_resumes_identically_after_save_and_load(tmp_path, make):
    rng = np.random.RandomState(0)
    x = rng.randn(12, 6 if make is not _bn_net else 4).astype(np.float32)
    model = make()
    if not model.optimizer:
        compile_model(tf.keras, model, "mlp")
    y = np.eye(model.outputs[0].shape.as_list()[-1], dtype=np.float32)[rng.randint(0, 3, 12)]
    start = model.get_weights()
    model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    straight = model.predict(x)
    model.set_weights(start)
    K.get_session().run(tf.variables_initializer(model.optimizer.weights))
    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    model.save(str(tmp_path / "m.h5"))
    loaded = tf.keras.models.load_model(str(tmp_path / "m.h5"))
    assert int(K.get_value(loaded.optimizer.iterations)) == 6
    loaded.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(loaded.predict(x), straight, rtol=1e-5, atol=1e-6)


def test_config_json_and_clone_rebuild_the_architecture():
    model = _bn_net()
    x = np.random.RandomState(1).randn(5, 4).astype(np.float32)
    want = model.predict(x)
    config = model.get_config()
    calls = {entry["name"]: entry["inbound_nodes"] for entry in config["layers"]}
    assert [[ref[:3] for ref in node] for node in calls["shared"]] == [[["batch_normalization", 0, 0]],
                                                                       [["dense_1", 0, 0]]]  # two calls
    assert calls["add"] == [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]
    for rebuilt in (tf.keras.Model.from_config(config), tf.keras.models.model_from_json(model.to_json()),
                    tf.keras.models.clone_model(model)):
        assert [type(x).__name__ for x in rebuilt.layers] == [type(x).__name__ for x in model.layers]
        rebuilt.set_weights(model.get_weights())
        np.testing.assert_allclose(rebuilt.predict(x), want, rtol=1e-6)
    seq = MODELS["mlp"](tf.keras)
    again = tf.keras.Sequential.from_config(seq.get_config())
    assert [w.shape.as_list() for w in again.weights] == [w.shape.as_list() for w in seq.weights]
    clone = tf.keras.models.clone_model(seq)
    assert clone.weights[0] is not seq.weights[0] and clone.layers[0].units == 16
    on_tensor = tf.keras.models.clone_model(model, input_tensors=tf.keras.Input(shape=(4,), name="given"))
    assert on_tensor.inputs[0].op.name.startswith("given")


def test_weights_files_by_position_by_name_and_from_checkpoint_callbacks(tmp_path):
    model = MODELS["mlp"](tf.keras)
    compile_model(tf.keras, model, "mlp")
    x = model_inputs("mlp")
    y = model_targets("mlp", len(x))
    path = str(tmp_path / "weights.{epoch:02d}-{val_loss:.2f}.hdf5")
    history = model.fit(x, y, epochs=3, batch_size=2, verbose=0, validation_data=(x, y),
                        callbacks=[tf.keras.callbacks.ModelCheckpoint(path, save_best_only=True,
                                                                      save_weights_only=True),
                                   tf.keras.callbacks.ModelCheckpoint(str(tmp_path / "best.h5"))])
    losses = history.history["val_loss"]
    best = [i for i in range(3) if losses[i] == min(losses[:i + 1])]
    assert sorted(os.listdir(tmp_path)) == sorted(["best.h5"] + [f"weights.{i + 1:02d}-{losses[i]:.2f}.hdf5"
                                                                 for i in best])
    want = model.predict(x)
    other = MODELS["mlp"](tf.keras)
    other.load_weights(str(tmp_path / "best.h5"))  # a whole-model file's weights
    np.testing.assert_allclose(other.predict(x), want, rtol=1e-6)
    model.save_weights(str(tmp_path / "w.h5"))
    # by name: a different model that shares two layer names takes those layers' weights only
    inputs = tf.keras.Input(shape=(6,))
    hidden = L.Dense(16, activation="relu", name="dense")(inputs)
    extra = L.Dense(8, name="extra")(hidden)
    renamed = tf.keras.Model(inputs, [L.Dense(3, name="dense_2")(hidden), extra])
    before = K.get_value(renamed.get_layer("extra").kernel)
    with pytest.raises(ValueError, match=r"dense_2.*\(16, 3\).*\(8, 3\)"):
        renamed.load_weights(str(tmp_path / "w.h5"), by_name=True)  # dense_2 is (16, 3) here, (8, 3) saved
    with pytest.warns(UserWarning, match="dense_2"):
        renamed.load_weights(str(tmp_path / "w.h5"), by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(K.get_value(renamed.get_layer("dense").kernel),
                                  K.get_value(model.layers[0].kernel))
    np.testing.assert_array_equal(K.get_value(renamed.get_layer("extra").kernel), before)


class Scale(L.Layer):
    """A user's layer with an argument (its own get_config)."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return dict(super().get_config(), factor=self.factor)


def scaled_mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1) * 2.0


def test_custom_objects_and_tfs_errors(tmp_path):
    model = tf.keras.Sequential([L.Dense(3, input_shape=(2,)), Scale(3.0)])
    model.compile("adam", loss=scaled_mse)
    x = np.ones((2, 2), np.float32)
    path = str(tmp_path / "custom.h5")
    model.save(path)
    with pytest.raises(ValueError, match="Unknown layer: Scale"):
        tf.keras.models.load_model(path)
    with pytest.raises(ValueError, match="Unknown loss function: scaled_mse"):
        tf.keras.models.load_model(path, custom_objects={"Scale": Scale})
    loaded = tf.keras.models.load_model(path, custom_objects={"Scale": Scale, "scaled_mse": scaled_mse})
    assert loaded.layers[-1].factor == 3.0
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    assert tf.keras.models.load_model(path, custom_objects={"Scale": Scale}, compile=False).optimizer is None
    with tf.keras.utils.custom_object_scope({"Scale": Scale}):
        assert tf.keras.models.model_from_json(model.to_json()).layers[-1].factor == 3.0
    with pytest.warns(UserWarning, match="only with val_loss available"):
        model.fit(x, np.ones((2, 3), np.float32), verbose=0, callbacks=[
            tf.keras.callbacks.ModelCheckpoint(str(tmp_path / "never.h5"), save_best_only=True)])
    assert not os.path.exists(tmp_path / "never.h5")
    # TF's errors: a missing file, layers that do not match, a subclassed model, a layer without get_config
    with pytest.raises(OSError, match="nowhere.h5"):
        tf.keras.models.load_model(str(tmp_path / "nowhere.h5"))
    with pytest.raises(OSError, match="nowhere.h5"):
        model.load_weights(str(tmp_path / "nowhere.h5"))
    bigger = tf.keras.Sequential([L.Dense(3, input_shape=(2,)), L.Dense(4), Scale()])
    with pytest.raises(ValueError, match="containing 1 layers into a model with 2 layers"):
        bigger.load_weights(path)
    wider = tf.keras.Sequential([L.Dense(5, input_shape=(2,))])
    with pytest.raises(ValueError, match=r"dense.*\(2, 5\).*\(2, 3\)"):
        wider.load_weights(path)

    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = L.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    with pytest.raises(NotImplementedError, match="Sequential model"):
        tf.keras.models.save_model(Net(), str(tmp_path / "net.h5"))

    class Bare(L.Layer):
        def __init__(self, units):
            super().__init__()
            self.units = units

    with pytest.raises(NotImplementedError, match="Bare.*get_config"):
        Bare(2).get_config()


def test_lambda_nested_model_and_other_layers_round_trip_through_a_file(tmp_path):
    scale = 0.5
    inner = tf.keras.Sequential([L.Dense(4, activation="relu", input_shape=(5,)), L.Dense(3)], name="inner")
    x = tf.keras.Input(shape=(6, 5))
    h = L.Conv1D(5, 2, padding="same")(x)
    h = L.Lambda(lambda t, shift=1.0: t * scale + shift, output_shape=(6, 5))(h)
    h = L.LeakyReLU(0.2)(L.GlobalMaxPooling1D()(h))
    model = tf.keras.Model(x, inner(h))
    model.compile(tf.keras.optimizers.Adagrad(0.1), "mae")
    xs = np.random.RandomState(0).randn(3, 6, 5).astype(np.float32)
    model.fit(xs, np.ones((3, 3), np.float32), epochs=1, verbose=0)
    model.save(str(tmp_path / "m.h5"))
    config = json.loads(model.to_json())["config"]
    inner_entry = [e for e in config["layers"] if e["name"] == "inner"][0]
    assert inner_entry["class_name"] == "Sequential" and inner_entry["inbound_nodes"][0][0][:2] == ["leaky_re_lu", 0]
    assert config["output_layers"] == [["inner", 1, 0]]  # TF's Keras counts a nested model's construction as its node 0
    loaded = tf.keras.models.load_model(str(tmp_path / "m.h5"))
    lam = [layer for layer in loaded.layers if type(layer).__name__ == "Lambda"][0]
    assert lam.get_config()["function_type"] == "lambda" and lam._output_shape == (6, 5)
    np.testing.assert_allclose(loaded.predict(xs), model.predict(xs), rtol=1e-6)
    relu = L.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5)
    assert L.ReLU.from_config(relu.get_config()).get_config() == relu.get_config()
    pytest.importorskip("yaml")  # to_yaml is optional (TF 1's Keras: with pyyaml installed)
    assert tf.keras.models.model_from_yaml(model.to_yaml()).count_params() == model.count_params()
