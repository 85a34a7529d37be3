"""tf.keras.datasets and tf.keras.utils.get_file against TF's cached-file layouts: synthetic files in a temp HOME,
sequence/boston processing compared with TF 2.21's recorded results (record_keras_datasets.py)."""

import json
import os
import shutil

import numpy as np
import pytest

import dfc as tf
from keras_dataset_files import make_files
from record_keras_datasets import CASES, plain

D = tf.keras.datasets
with open(os.path.join(os.path.dirname(__file__), "data", "keras_datasets_tf.json")) as _f:
    TF = json.load(_f)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    h = str(tmp_path_factory.mktemp("home"))
    make_files(h)
    return h


@pytest.fixture
def cached(home, monkeypatch):
    monkeypatch.setenv("HOME", home)
    return os.path.join(home, ".keras", "datasets")


@pytest.mark.parametrize("kw", CASES, ids=json.dumps)
@pytest.mark.parametrize("name", ["imdb", "reuters"])
def test_sequences_match_tf(cached, name, kw):
    assert plain(getattr(D, name).load_data(**kw)) == TF[name + json.dumps(kw)]


def test_boston_matches_tf(cached):
    assert plain(D.boston_housing.load_data()) == TF["boston"]
    assert plain(D.boston_housing.load_data(test_split=0.3, seed=5)) == TF["boston_split"]


def test_images(cached):
    with np.load(os.path.join(cached, "mnist.npz")) as f:
        (x, y), (xt, yt) = D.mnist.load_data()
        np.testing.assert_array_equal(x, f["x_train"])
        np.testing.assert_array_equal(yt, f["y_test"])
    (x, y), (xt, yt) = D.fashion_mnist.load_data()
    assert x.shape == (4, 28, 28) and xt.shape == (2, 28, 28) and x.dtype == np.uint8
    assert y.tolist() == [0, 1, 2, 3]
    (x, y), (xt, yt) = D.cifar10.load_data()   # extracts the tarball as TF does
    assert x.shape == (10, 32, 32, 3) and y.shape == (10, 1) and xt.shape == (2, 32, 32, 3)
    assert os.path.isdir(os.path.join(cached, "cifar-10-batches-py"))
    (x, y), _ = D.cifar100.load_data("coarse")
    (xf, yf), _ = D.cifar100.load_data()
    np.testing.assert_array_equal(x, xf)
    assert y.shape == (3, 1) and y.max() < 20


def test_channels_first(cached):
    tf.keras.backend.set_image_data_format("channels_first")
    try:
        (x, _), _ = D.cifar100.load_data()
    finally:
        tf.keras.backend.set_image_data_format("channels_last")
    (xl, _), _ = D.cifar100.load_data()
    np.testing.assert_array_equal(x.transpose(0, 2, 3, 1), xl)


def test_errors(cached, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="label_mode"):
        D.cifar100.load_data("medium")
    with pytest.raises(ValueError, match="maxlen=2"):
        D.imdb.load_data(maxlen=2)
    with pytest.raises(TypeError, match="Unrecognized keyword"):
        D.imdb.load_data(bogus=1)
    assert D.imdb.get_word_index() == {"the": 1, "a": 2}
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"mnist\.npz.*\.keras/datasets/mnist\.npz"):
        D.mnist.load_data()
    with pytest.raises(FileNotFoundError, match="reuters_word_index.json"):
        D.reuters.get_word_index()
    with pytest.raises(FileNotFoundError, match="cifar-10-batches-py.tar.gz"):
        D.cifar10.load_data()


def test_get_file(tmp_path):
    sub = tmp_path / "models"
    sub.mkdir()
    (sub / "w.h5").write_bytes(b"x")
    got = tf.keras.utils.get_file("w.h5", "http://example/w.h5", cache_subdir="models", cache_dir=str(tmp_path))
    assert got == str(sub / "w.h5")
    src = tmp_path / "src" / "arch"
    src.mkdir(parents=True)
    (src / "a.txt").write_text("a")
    shutil.make_archive(str(sub / "arch"), "gztar", str(tmp_path / "src"), "arch")
    got = tf.keras.utils.get_file("arch", "http://example/arch.tar.gz", untar=True, cache_subdir="models",
                                  cache_dir=str(tmp_path))
    assert open(os.path.join(got, "a.txt")).read() == "a"
    with pytest.raises(FileNotFoundError, match="does not download"):
        tf.keras.utils.get_file("nope.h5", "http://example/nope.h5", cache_dir=str(tmp_path))


def test_multi_gpu_and_plot_model():
    with pytest.raises(ValueError, match="gpus >= 2"):
        tf.keras.utils.multi_gpu_model(None, gpus=1)
    with pytest.raises(ValueError, match="this machine only has"):
        tf.keras.utils.multi_gpu_model(None, gpus=2)
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pydot"):
            tf.keras.utils.plot_model(None)
