"""The big tf.keras.applications models against TF 2.21's tf_keras (record_keras_applications.py): every layer's
name, class and weight shapes in model order (so Keras's ImageNet .h5 files load by topology or by name) and the
parameter counts, built symbolically; and outputs at tiny input sizes on the same seeded weights as TF's run.
Building these graphs takes seconds each, so the largest ones are marked slow."""

import json
import os

import numpy as np
import pytest

import dfc as tf
from keras_app_cases import RUNS, STRUCTURES, images, seeded_weights
from test_keras_applications import SMALL, check_structure

APPS = tf.keras.applications
with open(os.path.join(os.path.dirname(__file__), "data", "keras_applications_tf.json")) as _f:
    TF = json.load(_f)
# one model per family runs by default; the deeper variants of a family are slow
SLOW = {"resnet101", "resnet152", "resnet101v2", "resnet152v2", "densenet169", "densenet201", "inceptionresnetv2",
        "nasnetmobile", "inceptionv3_notop", "densenet121_notop", "resnet50_notop_avg", "mobilenetv2_a14_notop",
        "xception_notop", "mobilenetv2_a035_96", "inceptionv3", "densenet121"}


@pytest.fixture(autouse=True)
def fresh_session():
    tf.keras.backend.clear_session()
    yield
    tf.keras.backend.clear_session()


def _param(case):
    return pytest.param(*case, id=case[0], marks=[pytest.mark.slow] if case[0] in SLOW else [])


@pytest.mark.parametrize("key,module,fn,kw", [_param(c) for c in STRUCTURES if c[0] not in SMALL])
def test_model_layers_and_weights_match_tf(key, module, fn, kw):
    check_structure(key, module, fn, kw)


def test_parameter_counts_are_tfs():
    """The published sizes (TF's model.count_params()) of the most used ones."""
    counts = {k: v["params"] for k, v in TF["structures"].items()}
    assert counts["resnet50"] == 25_636_712 and counts["vgg16"] == 138_357_544
    assert counts["mobilenetv2"] == 3_538_984 and counts["inceptionv3"] == 23_851_784
    assert counts["densenet121"] == 8_062_504 and counts["xception"] == 22_910_480


@pytest.mark.parametrize("key,module,fn,kw,shape", [pytest.param(*c, id=c[0], marks=[pytest.mark.slow]
                                                                  if c[0] != "mobilenetv2" else [])
                                                     for c in RUNS])
def test_tiny_run_matches_tf(key, module, fn, kw, shape):
    model = getattr(getattr(APPS, module), fn)(**kw)
    specs = [(w.name.split("/")[-1].split(":")[0], tuple(w.shape.as_list())) for w in model.weights]
    model.set_weights(seeded_weights(specs))
    got = model.predict(images(shape))
    want = np.array(TF["runs"][key]["values"], np.float32).reshape(TF["runs"][key]["shape"])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-5 * float(np.abs(want).max()))
