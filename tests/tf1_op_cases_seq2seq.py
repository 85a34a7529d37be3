"""TF1 programs over tf.contrib.seq2seq's functions (sequence_loss, tile_batch, gather_tree, hardmax, monotonic
attention), for both TF and dfc.

Cases in the style of tests/tf1_op_cases.py (which adds them to its CASES). TF 2 has no contrib: on real
TensorFlow `s2s(tf)` is tests/seq2seq_reference.py's independent implementation of TF 1.15's definitions;
on dfc it is dfc's tf.contrib.seq2seq.
"""

from __future__ import annotations

import numpy as np

from tf1_op_cases import F32, Case, _rng


def s2s(tf):
    contrib = getattr(tf, "contrib", None)
    if contrib is not None and hasattr(contrib, "seq2seq"):
        return contrib.seq2seq
    from seq2seq_reference import Seq2seqReference
    return Seq2seqReference(tf)


def _weights() -> np.ndarray:
    w = _rng(70).uniform(0.2, 1.5, (3, 4)).astype(F32)
    w[0, 2:] = 0.0  # a padded row end
    w[1, :] = 0.0  # a row of no weight: averaged over nothing, div_no_nan gives 0
    w[:, 3] = 0.0  # a step of no weight
    return w


def _losses(tf, logits, targets, weights) -> dict:
    loss = s2s(tf).sequence_loss
    return {
        "mean": loss(logits, targets, weights),
        "per_step": loss(logits, targets, weights, average_across_timesteps=False),
        "per_row": loss(logits, targets, weights, average_across_batch=False),
        "each": loss(logits, targets, weights, average_across_timesteps=False, average_across_batch=False),
        "sum_both": loss(logits, targets, weights, average_across_timesteps=False, average_across_batch=False,
                         sum_over_timesteps=True, sum_over_batch=True),
        "sum_steps": loss(logits, targets, weights, average_across_timesteps=False, average_across_batch=False,
                          sum_over_timesteps=True),
        "sum_rows": loss(logits, targets, weights, average_across_timesteps=False, average_across_batch=False,
                         sum_over_batch=True),
        "avg_steps_sum_rows": loss(logits, targets, weights, average_across_batch=False, sum_over_batch=True),
        "custom": loss(logits, targets, weights, softmax_loss_function=lambda labels, logits: 2.0 *
                       tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)),
        "keras_style": s2s(tf).SequenceLoss()(targets, logits, weights),
        "keras_style_steps": s2s(tf).SequenceLoss(sum_over_timesteps=False)(targets, logits, weights),
    }


def _beams():
    """step_ids and parent_ids [time 5, batch 3, beam 3]: branching beams, an end_token (2) mid-beam, a parent
    pointing at a finished beam, and lengths shorter than the time."""
    step = np.array([[[4, 5, 6], [1, 3, 2], [7, 8, 9]],
                     [[2, 6, 4], [3, 2, 5], [8, 7, 9]],
                     [[5, 4, 3], [6, 6, 1], [9, 2, 7]],
                     [[1, 2, 8], [4, 3, 3], [5, 5, 5]],
                     [[9, 9, 9], [1, 2, 3], [6, 4, 2]]], np.int32)
    parents = np.array([[[0, 0, 0], [0, 0, 0], [0, 0, 0]],
                        [[0, 0, 1], [2, 0, 1], [0, 1, 2]],
                        [[2, 1, 0], [1, 1, 0], [2, 2, 1]],
                        [[0, 2, 1], [0, 1, 2], [1, 0, 0]],
                        [[1, 0, 2], [2, 2, 1], [0, 1, 2]]], np.int32)
    return step, parents


def _monotonic(tf, p, prev) -> dict:
    m = s2s(tf)
    return {"parallel": m.monotonic_attention(p, prev, "parallel"),
            "recursive": m.monotonic_attention(p, prev, "recursive"),
            "hard": m.monotonic_attention(tf.cast(tf.greater(p, 0.5), tf.float32), tf.one_hot([1, 0], 5), "hard"),
            "safe_cumprod": m.safe_cumprod(p, axis=1), "safe_cumprod_ex": m.safe_cumprod(p, axis=1, exclusive=True),
            "hardmax": m.hardmax(p * 3.0 - prev)}


_STEP, _PARENTS = _beams()

CASES: list[Case] = [
    Case("seq2seq_sequence_loss", {"logits": _rng(71).standard_normal((3, 4, 5)).astype(F32),
                                   "targets": _rng(72).integers(0, 5, (3, 4)).astype(np.int32),
                                   "weights": _weights()},
         _losses, grad=("logits", "weights")),
    Case("seq2seq_gather_tree", {"step": _STEP, "parents": _PARENTS, "lengths": np.array([5, 3, 0], np.int32)},
         lambda tf, step, parents, lengths: {
             "tree": s2s(tf).gather_tree(step, parents, lengths, 2),
             "tree_full": s2s(tf).gather_tree(step, parents, tf.constant([5, 5, 5]), 10),
             "tree_long": s2s(tf).gather_tree(step, parents, tf.constant([9, 4, 1]), 3)}),
    Case("seq2seq_tile_batch", {"x": _rng(73).standard_normal((2, 3, 4)).astype(F32),
                                "i": np.array([[1, 2], [3, 4], [5, 6]], np.int32)},
         lambda tf, x, i: {"tiled": s2s(tf).tile_batch(x, 3), "tiled_int": s2s(tf).tile_batch(i, 2),
                           "tiled_once": s2s(tf).tile_batch(x, 1)},
         grad=("x",)),
    Case("seq2seq_monotonic", {"p": _rng(74).uniform(0.05, 0.95, (2, 5)).astype(F32),
                               "prev": np.array([[0.5, 0.3, 0.2, 0.0, 0.0], [0.0, 0.1, 0.6, 0.2, 0.1]], F32)},
         _monotonic, grad=("p", "prev")),
]
