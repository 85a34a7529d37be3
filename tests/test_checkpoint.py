"""Checkpoints: variables round-trip through safetensors files; damage and mismatches are refused by name."""

from __future__ import annotations

import os

import ml_dtypes
import numpy as np
import pytest

import dfc as tf
from dfc.runtime.checkpoint import DataLossError, load_tensors, save_tensors


pytestmark = pytest.mark.usefixtures("fresh_graph")


ALL_DTYPES = [np.float16, ml_dtypes.bfloat16, np.float32, np.float64, np.int8, np.int32, np.int64, np.bool_]


def test_every_dtype_round_trips_bit_exactly(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {f"t{i}": (rng.standard_normal((3, 2)) * 50).astype(d) for i, d in enumerate(ALL_DTYPES)}
    tensors["scalar"] = np.array(1.5, np.float32)
    tensors["empty"] = np.zeros((0, 4), np.float32)
    save_tensors(str(tmp_path / "a.safetensors"), tensors, {"note": "x"})
    back, meta = load_tensors(str(tmp_path / "a.safetensors"))
    assert meta == {"note": "x"}
    for name, value in tensors.items():
        assert back[name].dtype == value.dtype and back[name].shape == value.shape
        assert back[name].tobytes() == value.tobytes()


def test_files_are_readable_by_the_safetensors_package(tmp_path):
    st = pytest.importorskip("safetensors.numpy", reason="the safetensors package is not installed")
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    save_tensors(str(tmp_path / "a.safetensors"), {"w": value})
    np.testing.assert_array_equal(st.load_file(str(tmp_path / "a.safetensors"))["w"], value)
    st.save_file({"v": value}, str(tmp_path / "b.safetensors"))
    np.testing.assert_array_equal(load_tensors(str(tmp_path / "b.safetensors"))[0]["v"], value)


@pytest.mark.parametrize("damage", ["truncate", "flip", "header", "empty"])
def test_damaged_files_are_refused(tmp_path, damage):
    path = str(tmp_path / "a.safetensors")
    save_tensors(path, {"w": np.arange(100, dtype=np.float32)})
    raw = bytearray(open(path, "rb").read())
    if damage == "truncate":
        raw = raw[:-10]
    elif damage == "flip":
        raw[-5] ^= 0xFF
    elif damage == "header":
        raw[10] = ord("}")
    else:
        raw = raw[:3]
    open(path, "wb").write(bytes(raw))
    with pytest.raises(DataLossError, match="a.safetensors"):
        load_tensors(path)


def build_model():
    with tf.variable_scope("model"):
        w = tf.get_variable("w", (3, 2), initializer=tf.random_normal_initializer(seed=1))
        b = tf.get_variable("b", (2,), initializer=tf.zeros_initializer())
        step = tf.Variable(0, name="step", trainable=False)
    return w, b, step


def test_saver_round_trip_across_sessions(tmp_path):
    w, b, step = build_model()
    bump = tf.group(b.assign_add([1.0, 2.0]), step.assign_add(1))
    saver = tf.train.Saver(max_to_keep=2)
    prefixes = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(bump)
            prefixes.append(saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step))
        expected = sess.run([w, b, step])
    assert [os.path.basename(p) for p in prefixes] == ["model.ckpt-1", "model.ckpt-2", "model.ckpt-3"]
    assert not os.path.exists(prefixes[0] + ".safetensors")  # max_to_keep=2
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefixes[-1]
    with tf.Session() as fresh:
        saver.restore(fresh, tf.train.latest_checkpoint(str(tmp_path)))
        got = fresh.run([w, b, step])
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def test_restore_names_missing_and_mismatched_variables(tmp_path):
    w, b, step = build_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver([w]).save(sess, str(tmp_path / "only_w"))
        with pytest.raises(tf.errors.NotFoundError, match="model/b not found"):
            tf.train.Saver([w, b]).restore(sess, path)
    tf.reset_default_graph()
    with tf.variable_scope("model"):
        tf.get_variable("w", (4, 2))
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match=r"model/w.*\[3, 2\].*\[4, 2\]"):
        tf.train.Saver().restore(sess, path)


def test_saving_an_uninitialized_variable_is_an_error(tmp_path):
    w, _, _ = build_model()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="model/w.*never initialized"):
        tf.train.Saver([w]).save(sess, str(tmp_path / "x"))
