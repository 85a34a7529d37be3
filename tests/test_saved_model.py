"""tf.saved_model round trips against TensorFlow: the scripts of tests/tf1_scripts_saved_model.py export with dfc, and
a fresh Python process loads each export and serves its signatures, as TF's recordings (record_saved_model_scripts.py)
do; an Estimator's export_saved_model (and tf.contrib.predictor.from_estimator) serves what its predict() gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_saved_model import SAVERS, SERVE_ROWS, SERVINGS

TESTS = os.path.dirname(os.path.abspath(__file__))

_SERVE_ALL = """
import json, sys
import numpy as np
sys.path.insert(0, {tests!r})
import dfc as tf
from tf1_scripts_saved_model import SERVINGS, serve
root, jobs = {root!r}, json.loads({jobs!r})
for name, (export_dir, tags, key, scope, feeds) in jobs.items():
    feeds = {{k: np.asarray(v, dtype=dtype) for k, (v, dtype) in feeds.items()}}
    np.savez(f"{{root}}/served_{{name}}.npz", **serve(tf, export_dir, tags, key, scope, feeds))
"""


def _serve_in_fresh_process(root: str, jobs: dict) -> dict:
    """Each job's `serve` result, computed by a new Python process (nothing of this one's graphs or caches)."""
    encoded = {name: [export_dir, tags, key, scope, {k: [v.tolist(), str(v.dtype)] for k, v in feeds.items()}]
               for name, (export_dir, tags, key, scope, feeds) in jobs.items()}
    code = _SERVE_ALL.format(tests=TESTS, root=root, jobs=json.dumps(encoded))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = {}
    for name in jobs:
        with np.load(os.path.join(root, f"served_{name}.npz")) as f:
            results[name] = {k: f[k] for k in f.files}
    return results


def _estimator_export(root: str) -> tuple[str, np.ndarray]:
    """A custom Estimator trained, exported with a raw serving receiver; (export dir, its predict() of SERVE_ROWS)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 4)).astype(np.float32)
    y = (x @ rng.standard_normal((4, 1))).astype(np.float32)

    def model_fn(features, labels, mode):
        prediction = tf.layers.dense(features["x"], 1, name="out")
        if mode == tf.estimator.ModeKeys.PREDICT:
            outputs = {"y": prediction, "twice": 2.0 * prediction}
            return tf.estimator.EstimatorSpec(mode, predictions={"y": prediction}, export_outputs={
                "regress": tf.estimator.export.PredictOutput(outputs)})
        loss = tf.losses.mean_squared_error(labels, prediction)
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    estimator = tf.estimator.Estimator(model_fn, model_dir=os.path.join(root, "model"))
    estimator.train(tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=10, num_epochs=None, shuffle=False),
                    steps=12)
    predicted = np.array([p["y"] for p in estimator.predict(
        tf.estimator.inputs.numpy_input_fn({"x": SERVE_ROWS}, shuffle=False))])
    receiver_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 4], name="measurements")})
    export_dir = estimator.export_saved_model(os.path.join(root, "export"), receiver_fn)
    from_estimator = tf.contrib.predictor.from_estimator(estimator, receiver_fn, output_key="regress")
    served = from_estimator({"x": SERVE_ROWS})
    np.testing.assert_allclose(served["y"], predicted, rtol=1e-6)
    np.testing.assert_allclose(served["twice"], 2 * predicted, rtol=1e-6)
    return export_dir, predicted


def test_exports_serve_in_a_fresh_process_as_tensorflows(tmp_path):
    from dfc.runtime import executors
    root = str(tmp_path)
    for name, script in SAVERS.items():
        tf.reset_default_graph()
        exported = script(tf, os.path.join(root, name))
        assert_matches_recording(exported, f"saved_model_{name}", lambda key: {"rtol": 2e-5, "atol": 2e-6})
    assert sorted(os.listdir(os.path.join(root, "simple_save_mlp"))) == ["saved_model.pb", "variables"]
    assert os.listdir(os.path.join(root, "simple_save_mlp", "variables")) == ["variables.safetensors"]
    assert sorted(os.listdir(os.path.join(root, "builder_two_meta_graphs"))) == ["saved_model.pbtxt", "variables"]

    tf.reset_default_graph()
    real_backend = executors.DEFAULT_BACKEND
    executors.DEFAULT_BACKEND = "interpreter"  # an Estimator compiles a graph per call: the interpreter skips that
    try:
        estimator_dir, predicted = _estimator_export(root)
    finally:
        executors.DEFAULT_BACKEND = real_backend
    assert isinstance(estimator_dir, bytes)
    assert os.path.dirname(estimator_dir) == os.fsencode(os.path.join(root, "export"))
    assert os.path.basename(estimator_dir).isdigit()  # TF's timestamped directory, the temp- one renamed
    assert os.listdir(os.path.join(root, "export")) == [os.path.basename(estimator_dir).decode()]

    jobs = {name: (os.path.join(root, saver), tags, key, scope, feeds)
            for name, (saver, tags, key, scope, feeds) in SERVINGS.items()}
    jobs["estimator"] = (os.fsdecode(estimator_dir), ["serve"], "serving_default", None, {"x": SERVE_ROWS})
    served = _serve_in_fresh_process(root, jobs)
    for name in SERVINGS:
        assert_matches_recording(served[name], f"saved_model_serve_{name}", lambda key: {"rtol": 2e-5, "atol": 2e-6})
    estimator = served["estimator"]
    np.testing.assert_allclose(estimator["out_y"], predicted, rtol=1e-5, atol=1e-6)  # CPU code vs the interpreter
    np.testing.assert_allclose(estimator["out_twice"], 2 * predicted, rtol=1e-5, atol=1e-6)
    assert estimator["signature_keys"].tolist() == ["regress", "serving_default"]
    assert estimator["inputs"].tolist() == ["x=measurements:0:1"]
