"""tf.keras.applications against TF 2.21's tf_keras (recorded by record_keras_applications.py): the argument and
input-shape errors, preprocess_input on arrays and tensors, decode_predictions, the small models' layers and weights,
input_tensor, weights from a file and ImageNet weights from the Keras cache."""

import json
import os
import re

import numpy as np
import pytest

import dfc as tf
from keras_app_cases import ERRORS, STRUCTURES, WEIGHT_FILES, class_index, preprocess_inputs

APPS = tf.keras.applications
with open(os.path.join(os.path.dirname(__file__), "data", "keras_applications_tf.json")) as _f:
    TF = json.load(_f)
# the models cheap to build here; the others are in test_keras_applications_models.py
SMALL = {"vgg16", "vgg19", "vgg16_notop_max", "vgg19_top_small", "mobilenet_a05_d2", "mobilenet_notop"}


@pytest.fixture(autouse=True)
def fresh_session():
    tf.keras.backend.clear_session()
    yield
    tf.keras.backend.clear_session()


def layer_rows(model) -> list:
    """The recording's form: name|Class|weight:dims;..."""
    rows = []
    for layer in model.layers:
        ws = ";".join(w.name.split("/")[-1].split(":")[0] + ":" + ",".join(str(d) for d in w.shape.as_list())
                      for w in layer.weights)
        rows.append(f"{layer.name}|{type(layer).__name__}|{ws}")
    return rows


def check_structure(key: str, module: str, fn: str, kw: dict) -> None:
    model = getattr(getattr(APPS, module), fn)(weights=None, **kw)
    want = TF["structures"][key]
    assert model.name == want["name"]
    assert layer_rows(model) == want["layers"]
    assert model.count_params() == want["params"]
    assert list(model.input_shape) == want["input"] and list(model.output_shape) == want["output"]


@pytest.mark.parametrize("key,module,fn,kw", [pytest.param(*c, id=c[0]) for c in STRUCTURES
                                              if c[0] in SMALL])
def test_small_model_layers_and_weights_match_tf(key, module, fn, kw):
    check_structure(key, module, fn, kw)


@pytest.mark.parametrize("key,module,fn,kw", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_match_tf(key, module, fn, kw):
    cls, message = TF["errors"][key]
    with pytest.raises(getattr(__builtins__, cls, None) or Exception) as info:
        getattr(getattr(APPS, module), fn)(**kw)
    assert type(info.value).__name__ == cls
    got = re.sub(r" \[in tf\.keras\.applications\.\w+ at [^\]]*\]$", "", str(info.value))  # dfc's call site
    # a function's address differs from run to run
    assert re.sub(r" at 0x[0-9a-f]+", "", got) == re.sub(r" at 0x[0-9a-f]+", "", message)


def _modules_and_modes():
    for key in TF["preprocess"]:
        module, name, mode = key.split("/")
        yield module, name, None if mode == "None" else mode


@pytest.mark.parametrize("module,name,mode", [pytest.param(*c, id=f"{c[0]}/{c[1]}/{c[2]}")
                                              for c in _modules_and_modes()])
def test_preprocess_input_matches_tf(module, name, mode):
    want = TF["preprocess"][f"{module}/{name}/{mode}"]
    x = preprocess_inputs()[name]
    kw = {"data_format": "channels_first"} if "_cf_" in name else {}
    if mode:
        kw["mode"] = mode
    arg = x.copy()
    y = getattr(APPS, module).preprocess_input(arg, **kw)
    assert str(y.dtype) == want["dtype"] and list(y.shape) == want["shape"]
    np.testing.assert_array_equal(y.astype(float).ravel(), want["values"])
    # TF writes a float array's result over it (reversed channels and all, for caffe)
    np.testing.assert_array_equal(arg.astype(float).ravel(), want["input_after"])
    sym = want["symbolic"]
    if sym is None:
        return
    if isinstance(sym, list) and sym and isinstance(sym[0], str):
        # TF's bias_add takes a 3-D channels_first image for (batch, channels, steps): eager TF's
        # InvalidArgumentError is, while a TF1 graph is built, shape inference's ValueError
        with pytest.raises(ValueError, match="cannot be broadcast"):
            getattr(APPS, module).preprocess_input(tf.keras.backend.constant(x), **kw)
        return
    with tf.Session() as sess:
        got = sess.run(getattr(APPS, module).preprocess_input(tf.keras.backend.constant(x), **kw))
    np.testing.assert_allclose(got.astype(float).ravel(), sym, rtol=1e-6, atol=1e-5)


def test_preprocess_input_rejects_unknown_mode_and_format():
    with pytest.raises(ValueError, match="Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode=x"):
        APPS.imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="x")
    with pytest.raises(ValueError, match="Expected data_format to be one of `channels_first` or `channels_last`"):
        APPS.imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), data_format="nhwc")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(APPS.imagenet_utils, "_class_index", None)
    models = tmp_path / ".keras" / "models"
    models.mkdir(parents=True)
    return models


def test_decode_predictions_matches_tf(home):
    with pytest.raises(FileNotFoundError, match=r"imagenet_class_index.json.*\.keras/models"):
        APPS.resnet50.decode_predictions(np.ones((1, 1000)))
    (home / "imagenet_class_index.json").write_text(json.dumps(class_index()))
    preds = np.random.RandomState(5).uniform(0, 1, (2, 1000)).astype(np.float32)
    got = [[list(t[:2]) + [float(t[2])] for t in row] for row in APPS.resnet50.decode_predictions(preds, top=3)]
    assert got == TF["decode"]["top3"]
    with pytest.raises(ValueError) as info:
        APPS.vgg16.decode_predictions(np.zeros((2, 10)))
    assert str(info.value).startswith(TF["decode"]["error"] + " [in tf.keras.applications.vgg16.decode_predictions")


def test_imagenet_weights_come_from_the_keras_cache_only(home):
    """The ImageNet file is looked up under TF's name in ~/.keras/models/; absent, the error names where to put
    it; present, it is loaded (here a file written from a model of the same architecture)."""
    kw = {"alpha": 0.25, "include_top": False, "input_shape": (128, 128, 3)}
    with pytest.raises(FileNotFoundError, match=r"mobilenet_2_5_128_tf_no_top\.h5.*keras-applications/mobilenet"):
        APPS.MobileNet(weights="imagenet", **kw)
    source = APPS.MobileNet(weights=None, **kw)
    values = source.get_weights()
    source.save_weights(str(home / "mobilenet_2_5_128_tf_no_top.h5"))
    tf.keras.backend.clear_session()
    model = APPS.MobileNet(weights="imagenet", **kw)
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("module,fn,kw", [pytest.param(*c, id=f"{c[1]}{sorted(c[2].items())}")
                                          for c in WEIGHT_FILES])
def test_imagenet_weights_are_tfs_files(home, module, fn, kw):
    """Each model looks for TF's file, named as TF names it for the top, alpha and input size, before it builds
    anything; the error names the file, where to place it and TF's download address."""
    fname, origin = TF["files"][f"{fn}{sorted(kw.items())}"]
    with pytest.raises(FileNotFoundError) as info:
        getattr(getattr(APPS, module), fn)(weights="imagenet", **kw)
    assert f"'{fname}'" in str(info.value) and origin in str(info.value)
    assert str(home / fname) in str(info.value)
    assert [op.type for op in tf.get_default_graph().get_operations()] == ["Placeholder"]   # the input alone


def test_weights_file_path_loads(tmp_path):
    kw = {"alpha": 0.25, "include_top": True, "input_shape": (32, 32, 3), "classes": 4}
    source = APPS.mobilenet.MobileNet(weights=None, **kw)
    values = source.get_weights()
    path = str(tmp_path / "mine.h5")
    source.save_weights(path)
    tf.keras.backend.clear_session()
    model = APPS.mobilenet.MobileNet(weights=path, **kw)
    for got, want in zip(model.get_weights(), values):
        np.testing.assert_array_equal(got, want)


def test_input_tensor_placeholder_and_keras_tensor():
    """A plain tensor becomes the model's Input; a Keras tensor's own Input stays the model's input."""
    images = tf.placeholder(tf.float32, [None, 40, 40, 3])
    model = APPS.MobileNet(weights=None, include_top=False, input_tensor=images, alpha=0.25, pooling="max")
    assert model.inputs[0] is images and model.output_shape == (None, 256)
    inp = tf.keras.layers.Input((48, 48, 3))
    x = tf.keras.layers.Lambda(lambda t: t * 2.0)(inp)
    model = APPS.VGG19(weights=None, include_top=False, input_tensor=x)
    assert model.inputs[0] is inp and model.output_shape == (None, 1, 1, 512)
    assert model.layers[1].name == "lambda"


def test_apps_reachable_under_tf_module_names():
    assert APPS.resnet50.ResNet50 is APPS.ResNet50 is APPS.resnet.ResNet50
    assert APPS.resnet_v2.ResNet50V2 is APPS.ResNet50V2
    assert APPS.vgg19.VGG19 is APPS.VGG19 and APPS.densenet.DenseNet201 is APPS.DenseNet201
    assert APPS.mobilenet_v2.MobileNetV2 is APPS.MobileNetV2 and APPS.nasnet.NASNetMobile is APPS.NASNetMobile
    assert APPS.inception_resnet_v2.InceptionResNetV2 is APPS.InceptionResNetV2
    assert APPS.ResNet50.__module__ == "dfc.keras.applications"
    from dfc.python.keras.applications import InceptionV3
    from dfc.python.keras.applications.mobilenet_v2 import preprocess_input
    assert InceptionV3 is APPS.InceptionV3 and preprocess_input is APPS.mobilenet_v2.preprocess_input


def test_frozen_base_in_a_sequential_model():
    """Transfer learning as TF1 scripts write it: the application as the first layer of a Sequential model is built
    at once on the application's input shape, and freezing it leaves the new top's weights to train."""
    base = APPS.MobileNet(input_shape=(32, 32, 3), alpha=0.25, include_top=False, weights=None)
    base.trainable = False
    model = tf.keras.Sequential([base, tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(3)])
    assert model.built and model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 3)
    assert model.inputs[0]._keras_history[0].name == "mobilenet_0.25_32_input"
    assert [w.name for w in model.trainable_weights] == ["dense/kernel:0", "dense/bias:0"]
    assert len(model.weights) == len(base.weights) + 2


def test_resnet50_reads_tf1s_cached_weights_file(tmp_path):
    """TF 1.15's ResNet50 (keras_applications.resnet50) names its layers conv1, bn_conv1, res2a_branch2a, ...,
    fc1000; a weights file of that model (what a TF1 setup has cached under the same file name) loads into the
    layers of the same role."""
    import h5py
    name = APPS.resnet.legacy_layer_name
    assert name("res3d_branch2b") == "conv3_block4_2_conv" and name("bn5a_branch1") == "conv5_block1_0_bn"
    assert name("bn_conv1") == "conv1_bn" and name("fc1000") == "predictions" and name("avg_pool") is None
    kw = {"input_shape": (32, 32, 3), "classes": 5}
    model = APPS.ResNet50(weights=None, **kw)
    rng = np.random.RandomState(2)
    legacy = ["conv1", "bn_conv1", "res2a_branch2a", "bn2a_branch1", "res5c_branch2c", "fc1000"]
    written = {}
    path = str(tmp_path / "resnet50_weights_tf_dim_ordering_tf_kernels.h5")
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([n.encode() for n in legacy + ["avg_pool"]])
        f.create_group("avg_pool").attrs["weight_names"] = np.array([], dtype="S1")
        for n in legacy:
            g = f.create_group(n)
            values = [rng.standard_normal(w.shape.as_list()).astype(np.float32)
                      for w in model.get_layer(name(n)).weights]
            g.attrs["weight_names"] = np.array([f"{n}/w{i}:0".encode() for i in range(len(values))])
            for i, v in enumerate(values):
                g.create_dataset(f"{n}/w{i}:0", data=v)
            written[name(n)] = values
    tf.keras.backend.clear_session()
    loaded = APPS.ResNet50(weights=path, **kw)
    for layer_name, values in written.items():
        for got, want in zip(loaded.get_layer(layer_name).get_weights(), values):
            np.testing.assert_array_equal(got, want)
