"""Record what TensorFlow computes for the TF1 patterns that third-party repositories (TensorFlow-Examples,
GAN collections, ...) hit and dfc once failed on; tests/test_tf1_third_party.py replays them without TensorFlow.

    python tests/record_third_party.py [OUT_DIR]     (a Python with tensorflow; default tests/data/tf_expectations/)
"""

from __future__ import annotations

import sys

import numpy as np
from tf_recording import F32, out_dir, tf
from tf_recording import save as save_npz

OUT = out_dir(sys.argv)


def sampled_losses_unknown_batch():
    """word2vec.py: tf.nn.nce_loss on an embedding lookup of a [None] placeholder (the batch known only at run)."""
    rng = np.random.default_rng(7)
    tf.reset_default_graph()
    vocab, dim, batch, num_true = 12, 5, 4, 2
    w0 = rng.standard_normal((vocab, dim)).astype(F32)
    b0 = rng.standard_normal(vocab).astype(F32) * 0.1
    emb0 = rng.standard_normal((vocab, dim)).astype(F32)
    ids = rng.integers(0, vocab, batch).astype(np.int32)
    labels = rng.integers(0, vocab, (batch, num_true)).astype(np.int64)
    sampled = np.array([1, 3, 3, 7, 10], np.int64)
    true_expected = rng.uniform(0.1, 0.9, (batch, num_true)).astype(F32)
    sampled_expected = rng.uniform(0.1, 0.9, len(sampled)).astype(F32)
    x = tf.placeholder(tf.int32, [None])
    y = tf.placeholder(tf.int64, [None, num_true])
    emb, w, b = tf.Variable(emb0), tf.Variable(w0), tf.Variable(b0)
    inputs = tf.nn.embedding_lookup(emb, x)
    values = (tf.constant(sampled), tf.constant(true_expected), tf.constant(sampled_expected))
    nce = tf.nn.nce_loss(w, b, y, inputs, len(sampled), vocab, num_true=num_true, sampled_values=values)
    nce_hits = tf.nn.nce_loss(w, b, y, inputs, len(sampled), vocab, num_true=num_true, sampled_values=values,
                              remove_accidental_hits=True)
    softmax = tf.nn.sampled_softmax_loss(w, b, y, inputs, len(sampled), vocab, num_true=num_true,
                                         sampled_values=values)
    default = tf.nn.nce_loss(w, b, y, inputs, 3, vocab, num_true=num_true)  # the sampler's own values
    loss = tf.reduce_mean(nce) + tf.reduce_mean(softmax)
    grads = [tf.convert_to_tensor(g) for g in tf.gradients(loss, [emb, w, b])]  # dense: IndexedSlices summed
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run([nce, nce_hits, softmax] + grads, {x: ids, y: labels})
    save_npz(OUT, "repos_sampled_losses_unknown_batch", w0=w0, b0=b0, emb0=emb0, ids=ids, labels=labels,
             sampled=sampled, true_expected=true_expected, sampled_expected=sampled_expected,
             nce_shape=str(nce.shape), default_shape=str(default.shape),
             nce=out[0], nce_hits=out[1], softmax=out[2], demb=out[3], dw=out[4],
             db=out[5])


def resize_area_unknown_size():
    """pix2pix.py: tf.image.resize_images(..., method=AREA) of decoded images, whose height and width are unknown."""
    rng = np.random.default_rng(8)
    arrays = {}
    for k, (h, w, out, align) in enumerate([(7, 5, (4, 6), False), (9, 12, (3, 5), False), (6, 6, (6, 9), True),
                                            (5, 8, (2, 3), True)]):
        tf.reset_default_graph()
        image = rng.uniform(0, 255, (h, w, 3)).astype(np.uint8)
        x = tf.placeholder(tf.uint8, [None, None, 3])
        batched = tf.expand_dims(x, 0)
        resized = tf.image.resize_area(batched, out, align_corners=align)
        by_method = tf.image.resize_images(x, out, method=tf.image.ResizeMethod.AREA)
        with tf.Session() as sess:
            a, b = sess.run([resized, by_method], {x: image})
        arrays.update({f"{k}/image": image, f"{k}/size": np.array(out), f"{k}/align": np.array(align),
                       f"{k}/area": a, f"{k}/by_method": b, f"{k}/shape": str(resized.shape),
                       f"{k}/by_method_shape": str(by_method.shape)})
    save_npz(OUT, "repos_resize_area_unknown_size", **arrays)


def string_zeros_and_map_fn():
    """pix2pix.py: tf.map_fn(tf.image.encode_png, images, dtype=tf.string); tf.zeros/zeros_like of strings."""
    tf.reset_default_graph()
    rng = np.random.default_rng(9)
    images = rng.integers(0, 255, (2, 4, 5, 3)).astype(np.uint8)
    n = tf.placeholder(tf.int32, [])
    words = tf.placeholder(tf.string, [None])
    im = tf.placeholder(tf.uint8, [None, 4, 5, 3])
    pngs = tf.map_fn(tf.image.encode_png, im, dtype=tf.string)
    back = tf.map_fn(lambda b: tf.image.decode_png(b, channels=3), pngs, dtype=tf.uint8)
    fetches = [tf.zeros([2], tf.string), tf.zeros(tf.stack([n, 2]), tf.string),
               tf.zeros_like(tf.constant(["x", "yy"])), tf.zeros_like(words), back]
    with tf.Session() as sess:
        out = sess.run(fetches, {n: 1, words: ["a", "b", "c"], im: images})
    strings = [np.array(v.tolist(), dtype="S") for v in out[:4]]  # bytes arrays: npz loads them without pickle
    save_npz(OUT, "repos_string_zeros_and_map_fn", images=images, zeros=strings[0], zeros_dynamic=strings[1],
             zeros_like=strings[2], zeros_like_dynamic=strings[3], round_trip=out[4], pngs_shape=str(pngs.shape),
             pngs_dtype=pngs.dtype.name)


def keras_cells_in_dynamic_rnn():
    """DeepLearningZeroToAll lab-12-0: tf.nn.dynamic_rnn over tf.keras.layers cells (the cell's get_initial_state;
    SimpleRNNCell's bare state, LSTMCell's [h, c] list), with sequence_length and over an unknown time dim."""
    rng = np.random.default_rng(11)
    tf.reset_default_graph()
    x = rng.uniform(-1, 1, (3, 4, 5)).astype(F32)
    lengths = np.array([4, 2, 3], np.int32)
    kw = {"kernel_initializer": tf.keras.initializers.RandomUniform(-0.5, 0.5, seed=1),
          "recurrent_initializer": tf.keras.initializers.RandomUniform(-0.5, 0.5, seed=2)}
    cells = {"simple": tf.keras.layers.SimpleRNNCell(3, **kw), "lstm": tf.keras.layers.LSTMCell(3, **kw),
             "gru": tf.keras.layers.GRUCell(3, **kw)}
    ph = tf.placeholder(tf.float32, [3, None, 5])
    fetch = {}
    for name, cell in cells.items():
        out, state = tf.nn.dynamic_rnn(cell, x if name != "gru" else ph, sequence_length=lengths if name != "gru"
                                       else None, dtype=tf.float32, scope=name)
        fetch[f"{name}_out"] = out
        for i, s in enumerate(state if isinstance(state, list) else [state]):
            fetch[f"{name}_state{i}"] = s
        fetch.update({f"{name}_w{i}": w for i, w in enumerate(cell.weights)})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        arrays = sess.run(fetch, {ph: x})
    save_npz(OUT, "repos_keras_cells_in_dynamic_rnn", x=x, lengths=lengths, **arrays)


if __name__ == "__main__":
    for case in (sampled_losses_unknown_batch, resize_area_unknown_size, string_zeros_and_map_fn,
                 keras_cells_in_dynamic_rnn):
        case()
