"""uint8/16/32/64 as TensorFlow 2.21 computes them: values, TF's errors where it has no kernel, feeds, checkpoints,
images (recorded by tests/record_unsigned_dtypes.py into tests/data/unsigned_dtypes_tf.json)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import unsigned_dtype_cases as cases

import dfc as tf

RECORDED = json.loads((pathlib.Path(__file__).parent / "data" / "unsigned_dtypes_tf.json").read_text())


def _placeholders(dtype: str) -> tuple[dict, dict]:
    values = cases.feeds(dtype)
    phs = {k: tf.placeholder(dtype, v.shape, name=k) for k, v in values.items()}
    return phs, {phs[k]: v for k, v in values.items()}


def _same(got, want: dict, key: str) -> None:
    got = np.asarray(got)
    if got.dtype.kind == "O":  # tf.string, recorded as text
        assert want["dtype"] == "string" and np.vectorize(bytes.decode, otypes=[object])(got).tolist() == want["value"]
        return
    assert got.dtype.name == want["dtype"], key
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, np.asarray(want["value"], got.dtype), rtol=1e-6, err_msg=key)
    else:
        assert got.tolist() == want["value"], key


# each CPU run compiles ~90 ops (5 s on a loaded machine): uint64 (whose ops are the least like int64's) always runs
_RUNS = [pytest.param(d, b, marks=[pytest.mark.slow] if b == "cpu" and d != "uint64" else [])
         for d in cases.DTYPES for b in ("cpu", "interpreter")]


@pytest.mark.parametrize("dtype,backend", _RUNS)
def test_values_match_tf(dtype: str, backend: str) -> None:
    """Every case TF computes, in one step per dtype: the same dtype and values (wrapping, unsigned order)."""
    with tf.Graph().as_default():
        phs, feed = _placeholders(dtype)
        fetches = {}
        for name, fn in {**cases.VALUES, **cases.ERRORS}.items():
            if "error" not in RECORDED["cases"][f"{dtype}:{name}"]:
                fetches[name] = fn(tf, phs["x"], phs["y"], phs["s"])
        with tf.Session(backend=backend) as sess:
            got = sess.run(fetches, feed)
    for name, value in got.items():
        _same(value, RECORDED["cases"][f"{dtype}:{name}"], f"{dtype}:{name}")


ERROR_CASES = [(d, n) for d in cases.DTYPES for n in {**cases.VALUES, **cases.ERRORS}
               if "error" in RECORDED["cases"][f"{d}:{n}"]]
_CLASSES = {"TypeError": TypeError, "ValueError": ValueError, "InvalidArgumentError": tf.errors.InvalidArgumentError,
            "UnimplementedError": tf.errors.UnimplementedError}


@pytest.mark.parametrize("dtype,name", ERROR_CASES)
def test_errors_match_tf(dtype: str, name: str) -> None:
    """Where TF has no kernel (or its op def refuses the dtype), dfc raises TF's class naming the dtype."""
    want = RECORDED["cases"][f"{dtype}:{name}"]
    fn = {**cases.VALUES, **cases.ERRORS}[name]
    with tf.Graph().as_default(), pytest.raises(_CLASSES[want["error"]]) as info:
        phs, feed = _placeholders(dtype)
        out = fn(tf, phs["x"], phs["y"], phs["s"])
        with tf.Session() as sess:
            sess.run(out, feed)
    message = str(info.value).lower()  # TF's words (the head of its message), or at least the dtype named
    assert want["message"][:25].lower() in message or dtype in message, str(info.value)


@pytest.mark.parametrize("case", sorted(RECORDED["feeds"]))
def test_feeds_convert_as_tf(case: str) -> None:
    """TF's Session converts a fed array to its placeholder's dtype with numpy (wrapping): so does dfc."""
    have, want = case.split("->")
    with tf.Graph().as_default():
        p = tf.placeholder(want, [2])
        with tf.Session() as sess:
            got = sess.run(tf.identity(p), {p: np.array([1, np.iinfo(have).max], have)})
    _same(got, RECORDED["feeds"][case], case)


@pytest.mark.parametrize("dtype", cases.DTYPES)
def test_checkpoints_keep_unsigned_variables(dtype: str, tmp_path) -> None:
    want = RECORDED["checkpoints"][dtype]
    top = int(np.iinfo(dtype).max)
    with tf.Graph().as_default():
        v = tf.Variable(np.array([top, 1, top // 2 + 1], dtype), name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "model"))
            sess.run(v.assign(np.zeros(3, dtype)))
            saver.restore(sess, path)
            assert sess.run(v).tolist() == want["value"]
        reader = tf.train.NewCheckpointReader(path)
        assert reader.get_variable_to_dtype_map()["v"].name == want["dtype_map"]


def test_a_tensorflow_checkpoint_of_unsigned_variables_restores() -> None:
    """TF's bundle (tests/data/tf_checkpoint_unsigned, TF 2.21's Saver) holds DT_UINT8/16/32/64 entries: dfc lists,
    loads and restores them into variables of those dtypes."""
    prefix = str(pathlib.Path(__file__).parent / "data" / "tf_checkpoint_unsigned" / "model.ckpt")
    assert tf.train.list_variables(prefix) == [(f"v_{d}", [2, 2]) for d in sorted(cases.DTYPES)]
    with tf.Graph().as_default():
        variables = {d: tf.get_variable(f"v_{d}", [2, 2], dtype=d, initializer=tf.zeros_initializer())
                     for d in cases.DTYPES}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().restore(sess, prefix)
            for d, v in variables.items():
                top = int(np.iinfo(d).max)
                got = sess.run(v)
                assert got.dtype == np.dtype(d) and got.tolist() == [[top, 0], [top // 2 + 1, 7]]
    assert tf.train.load_variable(prefix, "v_uint64").dtype == np.uint64


@pytest.mark.parametrize("case", sorted(RECORDED["images"]))
def test_uint16_images_as_tf(case: str) -> None:
    """tf.image.convert_image_dtype to and from uint16 (TF's scaling by shifts and multiplies); 16-bit PNGs
    encoded and decoded, 8-bit ones decoded as uint16."""
    pixels = {"uint16": np.array([[[0], [1], [257], [32768], [65535]]], np.uint16),
              "float32": np.array([[[0.0], [0.25], [0.5], [0.9999], [1.0]]], np.float32),
              "uint8": np.array([[[0], [1], [128], [254], [255]]], np.uint8)}
    with tf.Graph().as_default():
        if case in cases.PNG_CASES:
            image, decoder = cases.PNG_CASES[case]
            out, feed = decoder(tf, tf.image.encode_png(tf.constant(image))), None
        else:
            source, target = case.split("->")
            p = tf.placeholder(source, [1, 5, 1])
            out, feed = tf.image.convert_image_dtype(p, target), {p: pixels[source]}
        with tf.Session() as sess:
            got = sess.run(out, feed)
    _same(got, RECORDED["images"][case], case)


def test_uint64_division_by_halves_is_exact() -> None:
    """uint64 quotients and remainders past 2**63 (dfc's long division by int64 halves) against Python's ints."""
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.integers(0, 2 ** 64, 200, dtype=np.uint64), np.array([2 ** 64 - 1, 2 ** 63, 5], np.uint64)])
    y = np.concatenate([rng.integers(1, 2 ** 64, 100, dtype=np.uint64), rng.integers(1, 1000, 100, dtype=np.uint64),
                        np.array([2 ** 63 + 1, 2 ** 63, 2 ** 64 - 1], np.uint64)])
    with tf.Graph().as_default():
        a, b = tf.placeholder(tf.uint64, [None]), tf.placeholder(tf.uint64, [None])
        with tf.Session() as sess:
            q, r = sess.run([a // b, a % b], {a: x, b: y})
    assert q.tolist() == [int(i) // int(j) for i, j in zip(x, y)]
    assert r.tolist() == [int(i) % int(j) for i, j in zip(x, y)]
