"""Record TF 2.21's (tf.compat.v1) answers for tf.nn's CTC extras and the pooling/space-to-batch functions
into tests/data/tf_expectations/ctc_misc.npz, which tests/test_ctc_misc.py checks dfc against.

Run with a Python that has tensorflow: /work/bench-venv/bin/python tests/record_ctc_misc.py
"""

from __future__ import annotations

import sys

import numpy as np
from tf_recording import out_dir, save, tf

#: the beam-search cases: (name, [time, batch, classes], logits kind, sequence lengths, beam_width, top_paths,
#: merge_repeated, dtype); "zeros" and "ints" logits tie prefixes, which TF's own top-N order decides
BEAM_CASES = [
    ("b1", (6, 3, 5), "normal", [6, 4, 0], 1, 1, True, np.float32),
    ("b3", (6, 3, 5), "normal", [6, 5, 3], 3, 2, True, np.float32),
    ("b10", (8, 2, 6), "normal", [8, 7], 10, 3, False, np.float32),
    ("b100", (7, 2, 4), "normal", [7, 7], 100, 4, True, np.float32),
    ("f64", (5, 2, 4), "normal", [5, 3], 4, 2, True, np.float64),
    ("zeros", (4, 2, 4), "zeros", [4, 3], 5, 3, True, np.float32),
    ("ints", (6, 2, 5), "ints", [6, 6], 6, 4, False, np.float32),
    ("ints_wide", (5, 1, 6), "ints", [5], 20, 5, True, np.float32),
    ("peaked", (10, 2, 5), "peaked", [10, 9], 8, 3, True, np.float32),
]


def logits(kind: str, shape, dtype, rng):
    if kind == "zeros":
        return np.zeros(shape, dtype)
    if kind == "ints":
        return rng.integers(0, 3, shape).astype(dtype)
    if kind == "peaked":
        return (rng.normal(size=shape) * 4).astype(dtype)
    return rng.normal(size=shape).astype(dtype)


def record_beams(out: dict, rng) -> None:
    for name, shape, kind, lengths, width, paths, merge, dtype in BEAM_CASES:
        x = logits(kind, shape, dtype, rng)
        with tf.Graph().as_default(), tf.Session() as sess:
            decoded, log_probs = tf.nn.ctc_beam_search_decoder(tf.constant(x), tf.constant(lengths, tf.int32),
                                                               beam_width=width, top_paths=paths,
                                                               merge_repeated=merge)
            dense = [tf.sparse.to_dense(d, default_value=-1) for d in decoded]
            got = sess.run([dense, log_probs])
        out[f"beam_{name}_x"], out[f"beam_{name}_len"] = x, np.asarray(lengths, np.int32)
        out[f"beam_{name}_cfg"] = np.array([width, paths, merge], np.int32)
        for p, d in enumerate(got[0]):
            out[f"beam_{name}_path{p}"] = d
        out[f"beam_{name}_logp"] = got[1]
    # ctc_beam_search_decoder_v2: TF2's signature (no merge_repeated: always False)
    x = rng.normal(size=(6, 2, 5)).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        decoded, log_probs = tf.nn.ctc_beam_search_decoder_v2(tf.constant(x), tf.constant([6, 4]), beam_width=4,
                                                              top_paths=2)
        got = sess.run([[tf.sparse.to_dense(d, default_value=-1) for d in decoded], log_probs])
    out["beam_v2_x"] = x
    out["beam_v2_path0"], out["beam_v2_path1"] = got[0]
    out["beam_v2_logp"] = got[1]


def record_ctc_v2(out: dict, rng) -> None:
    x = rng.normal(size=(7, 3, 5)).astype(np.float32)
    labels = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [0, 0, 0, 0]], np.int32)
    label_length = np.array([4, 2, 1], np.int32)
    logit_length = np.array([7, 6, 5], np.int32)
    out["v2_x"], out["v2_labels"], out["v2_label_len"], out["v2_logit_len"] = x, labels, label_length, logit_length
    with tf.Graph().as_default(), tf.Session() as sess:
        xt = tf.constant(x)
        for blank, tag in ((0, "b0"), (4, "b4"), (-1, "bm1")):
            dense_labels = labels if blank != 0 else labels + 1
            loss = tf.nn.ctc_loss_v2(tf.constant(dense_labels), xt, tf.constant(label_length),
                                     tf.constant(logit_length), logits_time_major=True, blank_index=blank)
            grad = tf.gradients(tf.reduce_sum(loss), xt)[0]
            out[f"v2_loss_{tag}"], out[f"v2_grad_{tag}"] = sess.run([loss, grad])
        sparse = tf.sparse.from_dense(tf.constant(labels + 1) * tf.sequence_mask(label_length, 4, tf.int32))
        loss = tf.nn.ctc_loss_v2(sparse, tf.transpose(xt, [1, 0, 2]), None, tf.constant(logit_length),
                                 logits_time_major=False, blank_index=0)
        out["v2_loss_sparse"] = sess.run(loss)
        seqs = np.array([[1, 1, 2, 2, 2, 3, 0], [4, 4, 4, 5, 5, 5, 5], [7, 6, 7, 7, 0, 0, 0]], np.int32)
        out["cr_in"] = seqs
        for tag, lengths in (("full", [7, 7, 7]), ("short", [5, 2, 4])):
            collapsed, new_len = tf.nn.collapse_repeated(tf.constant(seqs), tf.constant(lengths))
            out[f"cr_{tag}_out"], out[f"cr_{tag}_len"] = sess.run([collapsed, new_len])
        uniq = tf.nn.ctc_unique_labels(tf.constant(seqs))
        out["uniq_ids"], out["uniq_idx"] = sess.run(uniq)


def record_space_to_batch(out: dict, rng) -> None:
    x = rng.normal(size=(2, 5, 7, 3)).astype(np.float32)
    out["s2b_x"] = x
    with tf.Graph().as_default(), tf.Session() as sess:
        out["s2b_out"] = sess.run(tf.nn.space_to_batch(tf.constant(x), [[1, 2], [0, 1]], block_size=2))
        for tag, (shape, block, base) in {"a": ([5, 7], [2, 3], None), "b": ([4, 9], [3, 2], [[1, 0], [0, 2]]),
                                          "c": ([6], [4], None)}.items():
            p, c = tf.required_space_to_batch_paddings(tf.constant(shape), tf.constant(block),
                                                       None if base is None else tf.constant(base))
            out[f"rsp_{tag}_pad"], out[f"rsp_{tag}_crop"] = sess.run([p, c])
        w = rng.normal(size=(3, 3, 3, 4)).astype(np.float32)
        out["wsb_w"] = w
        for tag, padding in (("same", "SAME"), ("valid", "VALID")):
            y = tf.nn.with_space_to_batch(tf.constant(x), dilation_rate=[2, 3], padding=padding, filter_shape=[3, 3],
                                          op=lambda t, _, p: tf.nn.conv2d(t, tf.constant(w), [1, 1, 1, 1], p))
            out[f"wsb_{tag}"] = sess.run(y)


def record_fractional(out: dict, rng) -> None:
    x = rng.normal(size=(2, 9, 11, 3)).astype(np.float32)
    out["fp_x"] = x
    with tf.Graph().as_default(), tf.Session() as sess:
        xt = tf.constant(x)
        for kind in ("max", "avg"):
            fn = tf.nn.fractional_max_pool if kind == "max" else tf.nn.fractional_avg_pool
            for tag, (ratio, pseudo, overlap) in {"a": ([1, 1.5, 1.7, 1], False, False),
                                                  "b": ([1, 2.0, 1.44, 1], True, False),
                                                  "c": ([1, 1.5, 2.2, 1], True, True),
                                                  "d": ([1, 1.3, 1.6, 1], False, True)}.items():
                y, rows, cols = fn(xt, ratio, pseudo_random=pseudo, overlapping=overlap, deterministic=True,
                                   seed=7, seed2=3)
                g = tf.gradients(tf.reduce_sum(y * tf.cos(y)), xt)[0]
                vals = sess.run([y, rows, cols, g])
                for k, v in zip(("y", "rows", "cols", "g"), vals):
                    out[f"fp_{kind}_{tag}_{k}"] = v


class VariableSaver:
    """A state saver over variables (TF's SequenceQueueingStateSaver keeps state per sequence the same way)."""

    def __init__(self, initial: dict):
        self.vars = {n: tf.Variable(v, trainable=False, name=n) for n, v in initial.items()}

    def state(self, name):
        return tf.identity(self.vars[name])

    def save_state(self, name, value):
        return tf.assign(self.vars[name], value)


def record_state_saving(out: dict, rng) -> None:
    inputs = rng.normal(size=(3, 2, 4)).astype(np.float32)
    c0, h0 = rng.normal(size=(2, 2, 3)).astype(np.float32)
    out["ssr_inputs"], out["ssr_init_c"], out["ssr_init_h"] = inputs, c0, h0
    with tf.Graph().as_default(), tf.Session() as sess:
        cell = tf.nn.rnn_cell.LSTMCell(3, initializer=tf.constant_initializer(0.1))
        saver = VariableSaver({"c": c0, "h": h0})
        outputs, state = tf.nn.static_state_saving_rnn(cell, [tf.constant(x) for x in inputs], saver, ("c", "h"),
                                                       sequence_length=tf.constant([3, 2]))
        sess.run(tf.global_variables_initializer())
        for run in range(2):
            got = sess.run([outputs, state])
            out[f"ssr_outputs{run}"] = np.stack(got[0])
            out[f"ssr_c{run}"], out[f"ssr_h{run}"] = got[1]


#: the true classes of three runs of one learned_unigram_candidate_sampler (range_max 6)
LEARNED_RUNS = [[[3], [3], [1]], [[3], [5], [0]], [[2], [3], [3]]]


def record_learned_sampler(out: dict) -> None:
    """The true classes' expected counts after each run's learning (unique=False: p * num_sampled, no draws in
    it), and the sampled ids' own."""
    with tf.Graph().as_default(), tf.Session() as sess:
        true = tf.placeholder(tf.int64, [None, 1])
        sampled, true_expected, sampled_expected = tf.nn.learned_unigram_candidate_sampler(true, 1, 4, False, 6,
                                                                                           seed=5)
        for run, classes in enumerate(LEARNED_RUNS):
            got = sess.run([sampled, true_expected, sampled_expected], {true: classes})
            out[f"lus_sampled{run}"], out[f"lus_true{run}"], out[f"lus_sampled_expected{run}"] = got


def main() -> None:
    rng = np.random.default_rng(20261130)
    out: dict = {}
    record_beams(out, rng)
    record_ctc_v2(out, rng)
    record_space_to_batch(out, rng)
    record_fractional(out, rng)
    record_state_saving(out, rng)
    record_learned_sampler(out)
    save(out_dir(sys.argv), "ctc_misc", **out)


if __name__ == "__main__":
    main()
