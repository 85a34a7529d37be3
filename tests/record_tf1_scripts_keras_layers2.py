"""Record what TF 2.21's tf_keras (TF1's Keras, graph mode) computes for tests/tf1_scripts_keras_layers2.py.

    /work/bench-venv/bin/python tests/record_tf1_scripts_keras_layers2.py [SCRIPT ...]

writes tests/data/tf_expectations/script_keras2_<name>.npz, and (with no SCRIPT named) the HDF5 files
keras2_model_a.h5 and keras2_model_b.h5 of h5_models with their predictions in script_keras2_h5.npz.
"""

from __future__ import annotations

import json
import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"

from tf1_scripts_keras_layers2 import (SCRIPTS, h5_inputs, h5_model_a, h5_model_b,  # noqa: E402
                                       tf_cudnn_to_keras)
from tf_recording import EXPECTATIONS_DIR, save, tf  # noqa: E402


def _save_cudnn_model(model, values: list, path: str) -> None:
    """TF writes model B as model.save would. Its graph holds CudnnRNN ops, which no CPU session can place, so
    the weights are TF's writing of the same layers built (not called) in a graph without them."""
    import h5py
    from tf_keras.src.saving.legacy import hdf5_format, saving_utils
    metadata = saving_utils.model_metadata(model, include_optimizer=False)
    tf.reset_default_graph()
    tf.keras.backend.clear_session()
    layers = []
    for old in model.layers:
        layer = type(old).from_config(old.get_config())
        layer.build(tf.TensorShape([None, 4, 3]))  # both layers' inputs have 3 features
        layers.append(layer)
    tf.keras.backend.batch_set_value(list(zip([w for layer in layers for w in layer.weights], values)))

    class Layers:  # what save_weights_to_hdf5_group reads of a model
        _trainable_weights, _non_trainable_weights = [], []
    Layers.layers = layers
    with h5py.File(path, "w") as f:
        for k, v in metadata.items():
            f.attrs[k] = json.dumps(v).encode("utf8") if isinstance(v, (dict, list, tuple)) else v
        hdf5_format.save_weights_to_hdf5_group(f.create_group("model_weights"), Layers)


def _fresh() -> None:
    tf.reset_default_graph()
    tf.keras.backend.clear_session()


def record_h5() -> None:
    inputs = h5_inputs()
    _fresh()
    model_a, values = h5_model_a(tf)
    model_a.set_weights(values)
    model_a.save(str(EXPECTATIONS_DIR / "keras2_model_a.h5"))
    out_a = model_a.predict(inputs["a"])
    _fresh()
    model_b, values = h5_model_b(tf)
    _save_cudnn_model(model_b, values, str(EXPECTATIONS_DIR / "keras2_model_b.h5"))
    _fresh()  # TF's CuDNN layers run only on a GPU: B's predictions are its LSTM/GRU twin's (weights converted by TF)
    L = tf.keras.layers
    twin = tf.keras.Sequential([L.LSTM(3, recurrent_activation="sigmoid", return_sequences=True, input_shape=(4, 3)),
                                L.GRU(2, recurrent_activation="sigmoid", reset_after=True)])
    twin.set_weights(tf_cudnn_to_keras(twin.layers[0], values[:3]) + tf_cudnn_to_keras(twin.layers[1], values[3:]))
    save(EXPECTATIONS_DIR, "script_keras2_h5", a0=out_a[0], a1=out_a[1], b=twin.predict(inputs["b"]))


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(SCRIPTS):
        tf.reset_default_graph()
        tf.keras.backend.clear_session()
        save(EXPECTATIONS_DIR, f"script_keras2_{name}", **SCRIPTS[name](tf, tf.Session))
    if len(sys.argv) == 1:
        record_h5()
