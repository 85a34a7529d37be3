"""TF1 patterns from third-party repositories run unchanged with `tensorflow` aliased to dfc (TensorFlow-Examples,
the GAN/VAE collections, ...): each test is a short TF1 script reproducing one failure class those runs hit,
checked against TensorFlow's recorded answers (tests/record_third_party.py) where TF can run it.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import load_recording

pytestmark = pytest.mark.usefixtures("fresh_graph")
TOL = {"rtol": 2e-5, "atol": 2e-5}


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_sampled_losses_on_a_batch_known_only_at_run_time(backend):
    # word2vec.py: nce_loss on tf.nn.embedding_lookup(embedding, placeholder [None]) once needed a static batch
    r = load_recording("repos_sampled_losses_unknown_batch")
    num_true, vocab, n_sampled = r["labels"].shape[1], r["w0"].shape[0], len(r["sampled"])
    x = tf.placeholder(tf.int32, [None])
    y = tf.placeholder(tf.int64, [None, num_true])
    emb, w, b = tf.Variable(r["emb0"]), tf.Variable(r["w0"]), tf.Variable(r["b0"])
    inputs = tf.nn.embedding_lookup(emb, x)
    values = (tf.constant(r["sampled"]), tf.constant(r["true_expected"]), tf.constant(r["sampled_expected"]))
    nce = tf.nn.nce_loss(w, b, y, inputs, n_sampled, vocab, num_true=num_true, sampled_values=values)
    nce_hits = tf.nn.nce_loss(w, b, y, inputs, n_sampled, vocab, num_true=num_true, sampled_values=values,
                              remove_accidental_hits=True)
    softmax = tf.nn.sampled_softmax_loss(w, b, y, inputs, n_sampled, vocab, num_true=num_true,
                                         sampled_values=values)
    default = tf.nn.nce_loss(w, b, y, inputs, 3, vocab, num_true=num_true)
    assert str(nce.shape) == str(r["nce_shape"])
    assert str(default.shape) == str(r["default_shape"])
    loss = tf.reduce_mean(nce) + tf.reduce_mean(softmax)
    grads = [tf.convert_to_tensor(g) for g in tf.gradients(loss, [emb, w, b])]
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run([nce, nce_hits, softmax, default] + grads, {x: r["ids"], y: r["labels"]})
    for got, key in zip(out[:3] + out[4:], ("nce", "nce_hits", "softmax", "demb", "dw", "db")):
        np.testing.assert_allclose(got, r[key], err_msg=key, **TOL)
    assert out[3].shape == (len(r["ids"]),) and np.all(np.isfinite(out[3]))


def test_sampled_losses_refuse_inputs_that_are_not_a_matrix():
    w, b = tf.Variable(tf.zeros([6, 3])), tf.Variable(tf.zeros([6]))
    inputs = tf.placeholder(tf.float32, [None, 2, 3])
    with pytest.raises(ValueError, match="rank 2"):
        tf.nn.nce_loss(w, b, tf.zeros([4, 1], tf.int64), inputs, 2, 6)


def test_slim_model_analyzer_counts_and_prints_the_variables(capsys):
    # the GAN collections' show_all_variables(): slim.model_analyzer.analyze_vars(trainable, print_info=True)
    slim = tf.contrib.slim
    with tf.variable_scope("g"):
        tf.get_variable("w", [5, 3])
        tf.get_variable("b", [3], dtype=tf.float64)
    tf.Variable(tf.zeros([2, 2], tf.int32), name="steps", trainable=False)
    size, nbytes = slim.model_analyzer.analyze_vars(tf.trainable_variables(), print_info=True)
    assert (size, nbytes) == (18, 15 * 4 + 3 * 8)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["---------", "Variables: name (type shape) [size]", "---------"]
    assert lines[3].startswith("g/w:0 (float32") and lines[3].endswith(" 5x3) [15, bytes: 60]")
    assert lines[4].endswith(" 3) [3, bytes: 24]")
    assert lines[5:] == ["Total size of variables: 18", "Total bytes of variables: 84"]
    assert slim.model_analyzer.analyze_vars(tf.global_variables()) == (22, 100)
    assert capsys.readouterr().out == ""


def test_slim_model_analyzer_counts_op_outputs_of_known_size(capsys):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")  # unknown size: counts 0
        c = tf.constant(np.ones((2, 3), np.float32), name="c")  # 6
        tf.add(c, c, name="sum")  # 6
        tf.reduce_sum(x, name="total")  # a scalar: 1 (its axes constant adds its own elements)
    expected = sum(sum(out.get_shape().num_elements() or 0 for out in op.outputs) for op in g.get_operations())
    assert tf.contrib.slim.model_analyzer.analyze_ops(g) == expected >= 13
    assert capsys.readouterr().out == ""
    tf.contrib.slim.model_analyzer.analyze_ops(g, print_info=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["---------", "Operations: name -> (type shapes) [size]", "---------"]
    assert "x \t-> (float32 ?x3) [0]" in lines
    assert "c \t-> (float32 2x3) [6]" in lines
    assert "total \t-> (float32 ) [1]" in lines


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_resize_area_of_images_whose_size_the_step_decides(backend):
    # pix2pix.py: tf.image.resize_images(decoded, [s, s], method=AREA) refused images of unknown height and width
    r = load_recording("repos_resize_area_unknown_size")
    for k in range(4):
        size, align = [int(v) for v in r[f"{k}/size"]], bool(r[f"{k}/align"])
        x = tf.placeholder(tf.uint8, [None, None, 3])
        resized = tf.image.resize_area(tf.expand_dims(x, 0), size, align_corners=align)
        by_method = tf.image.resize_images(x, size, method=tf.image.ResizeMethod.AREA)
        assert str(resized.shape) == str(r[f"{k}/shape"])
        assert str(by_method.shape) == str(r[f"{k}/by_method_shape"])
        with tf.Session(backend=backend) as sess:
            area, via = sess.run([resized, by_method], {x: r[f"{k}/image"]})
        np.testing.assert_allclose(area, r[f"{k}/area"], rtol=1e-5, atol=1e-3, err_msg=str(k))
        np.testing.assert_allclose(via, r[f"{k}/by_method"], rtol=1e-5, atol=1e-3, err_msg=str(k))


def test_string_zeros_and_map_fn_to_strings():
    # pix2pix.py: tf.map_fn(tf.image.encode_png, images, dtype=tf.string) built its results from tf.zeros of
    # strings, which refused 0 as a string; a string's zero is b""
    r = load_recording("repos_string_zeros_and_map_fn")
    n = tf.placeholder(tf.int32, [])
    words = tf.placeholder(tf.string, [None])
    im = tf.placeholder(tf.uint8, [None, 4, 5, 3])
    pngs = tf.map_fn(tf.image.encode_png, im, dtype=tf.string)
    back = tf.map_fn(lambda b: tf.image.decode_png(b, channels=3), pngs, dtype=tf.uint8)
    assert (str(pngs.shape), pngs.dtype.name) == (str(r["pngs_shape"]), str(r["pngs_dtype"]))
    fetches = [tf.zeros([2], tf.string), tf.zeros(tf.stack([n, 2]), tf.string),
               tf.zeros_like(tf.constant(["x", "yy"])), tf.zeros_like(words), back]
    with tf.Session() as sess:
        out = sess.run(fetches, {n: 1, words: ["a", "b", "c"], im: r["images"]})
    for got, key in zip(out, ("zeros", "zeros_dynamic", "zeros_like", "zeros_like_dynamic", "round_trip")):
        assert got.tolist() == r[key].tolist(), key
    with pytest.raises(TypeError, match="string"):
        tf.ones([2], tf.string)  # TF has no "one" string either
