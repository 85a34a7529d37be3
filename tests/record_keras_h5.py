"""Record TF's Keras HDF5 files and layer configs for tests/test_keras_h5.py.

Run with a Python that has tensorflow, tf-keras and h5py (not needed by the tests):

    python tests/record_keras_h5.py [OUT_DIR]

TF_USE_LEGACY_KERAS=1 makes tf.keras TF1's Keras (tf-keras) in graph mode. For each model of
tests/keras_h5_cases.py it writes OUT/<name>.h5 (model.save after one epoch of training, the optimizer's
state included) and OUT/<name>.npz (the model's predictions on fixed inputs, and those after one more
epoch on fixed data without shuffling). layer_configs.json holds TF's get_config of each layer case.
With a second argument DFC_DIR, it instead loads each DFC_DIR/<name>.h5 (written by dfc) in TF and prints
the largest difference of TF's predictions from DFC_DIR/<name>.npz.
"""

from __future__ import annotations

import json
import os
import sys

from keras_h5_cases import (LAYER_CASES, MODELS, WRAPPER_CASES, compile_model, make_layer, make_wrapper,
                            model_inputs, model_targets)
from tf_recording import tf

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "data", "keras_h5")


def _record_configs(out: str) -> None:
    keras = tf.keras
    configs = {}
    for label, class_name, args, kwargs in LAYER_CASES:
        configs[label] = make_layer(keras, class_name, args, kwargs).get_config()
    for case in WRAPPER_CASES:
        configs[case[0]] = make_wrapper(keras, case).get_config()
    with open(os.path.join(out, "layer_configs.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)


def _record_model(out: str, name: str) -> None:
    tf.reset_default_graph()
    tf.keras.backend.clear_session()
    tf.set_random_seed(1)
    keras = tf.keras
    model = MODELS[name](keras)
    compile_model(keras, model, name)
    x = model_inputs(name)
    n = len(x[0]) if isinstance(x, list) else len(x)
    y = model_targets(name, n)
    model.fit(x, y, epochs=1, batch_size=2, shuffle=False, verbose=0)
    model.save(os.path.join(out, f"{name}.h5"))
    predictions = model.predict(x)
    model.fit(x, y, epochs=1, batch_size=2, shuffle=False, verbose=0)
    np.savez(os.path.join(out, f"{name}.npz"), predictions=predictions, after_epoch=model.predict(x))
    print(f"{name}: {name}.h5, {name}.npz")


def _check_dfc_files(folder: str) -> None:
    """Load dfc's files in TF's Keras: predictions and one more epoch of training against dfc's."""
    for name in MODELS:
        tf.reset_default_graph()
        tf.keras.backend.clear_session()
        model = tf.keras.models.load_model(os.path.join(folder, f"{name}.h5"))
        expected = np.load(os.path.join(folder, f"{name}.npz"))
        x = model_inputs(name)
        n = len(x[0]) if isinstance(x, list) else len(x)
        got = model.predict(x)
        model.fit(x, model_targets(name, n), epochs=1, batch_size=2, shuffle=False, verbose=0)
        print(f"{name}: predictions differ by {np.abs(got - expected['predictions']).max():.2e}, after one more "
              f"epoch by {np.abs(model.predict(x) - expected['after_epoch']).max():.2e}")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        _check_dfc_files(sys.argv[2])
        sys.exit(0)
    target = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(target, exist_ok=True)
    _record_configs(target)
    for model_name in MODELS:
        _record_model(target, model_name)
