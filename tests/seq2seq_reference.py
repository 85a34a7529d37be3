"""What TF 1.15's tf.contrib.seq2seq computes, written with TF 2's compat.v1 primitives and numpy (TF 2 has no contrib).

Used only by the recording scripts (tests/record_tf1_ops.py through tests/tf1_op_cases_seq2seq.py, and
tests/record_seq2seq_scripts.py), under a Python with TensorFlow: each function follows TF 1.15's
definition directly (the weighted cross entropy, the GatherTree kernel's back-tracking, the monotonic
attention formulas), independently of dfc's implementation in dfc/contrib/seq2seq/.
"""

from __future__ import annotations

import numpy as np


class Seq2seqReference:
    """The tf.contrib.seq2seq functions the op cases use, over a TF1-style module `tf`."""

    def __init__(self, tf):
        self.tf = tf

    def sequence_loss(self, logits, targets, weights, average_across_timesteps=True, average_across_batch=True,
                      sum_over_timesteps=False, sum_over_batch=False, softmax_loss_function=None):
        tf = self.tf
        if softmax_loss_function is None:
            xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)  # [batch, time]
        else:
            classes = logits.shape.as_list()[2]
            xent = tf.reshape(softmax_loss_function(labels=tf.reshape(targets, [-1]),
                                                    logits=tf.reshape(logits, [-1, classes])), tf.shape(targets))
        xent = xent * weights
        count = tf.cast(tf.not_equal(weights, 0.0), xent.dtype)
        if average_across_timesteps and average_across_batch:
            return tf.div_no_nan(tf.reduce_sum(xent), tf.reduce_sum(weights))
        if sum_over_timesteps and sum_over_batch:
            return tf.div_no_nan(tf.reduce_sum(xent), tf.reduce_sum(count))
        if average_across_timesteps or average_across_batch:
            axis = 0 if average_across_batch else 1
            return tf.div_no_nan(tf.reduce_sum(xent, axis), tf.reduce_sum(weights, axis))
        if sum_over_timesteps or sum_over_batch:
            axis = 0 if sum_over_batch else 1
            return tf.div_no_nan(tf.reduce_sum(xent, axis), tf.reduce_sum(count, axis))
        return xent

    def SequenceLoss(self, **flags):  # noqa: N802 - the class name the case calls
        flags = dict({"average_across_timesteps": False, "average_across_batch": False, "sum_over_timesteps": True,
                      "sum_over_batch": True}, **flags)
        return lambda y_true, y_pred, sample_weight: self.sequence_loss(y_pred, y_true, sample_weight, **flags)

    def tile_batch(self, t, multiplier):
        tf = self.tf
        dims = t.shape.as_list()
        tiled = tf.tile(tf.expand_dims(t, 1), [1, multiplier] + [1] * (len(dims) - 1))
        return tf.reshape(tiled, [dims[0] * multiplier] + dims[1:])

    def hardmax(self, logits):
        tf = self.tf
        return tf.one_hot(tf.argmax(logits, -1), logits.shape.as_list()[-1], dtype=logits.dtype)

    def safe_cumprod(self, x, axis=0, exclusive=False, reverse=False):
        tf = self.tf
        tiny = np.finfo(x.dtype.as_numpy_dtype).tiny
        return tf.exp(tf.cumsum(tf.log(tf.clip_by_value(x, tiny, 1.0)), axis=axis, exclusive=exclusive,
                                reverse=reverse))

    def monotonic_attention(self, p, previous, mode):
        tf = self.tf
        if mode == "recursive":  # q_j = (1 - p_{j-1}) q_{j-1} + a_j, attention_j = p_j q_j
            steps = p.shape.as_list()[1]
            q, out = None, []
            for j in range(steps):
                q = previous[:, j] if j == 0 else (1 - p[:, j - 1]) * q + previous[:, j]
                out.append(p[:, j] * q)
            return tf.stack(out, 1)
        if mode == "parallel":
            cp = self.safe_cumprod(1 - p, axis=1, exclusive=True)
            return p * cp * tf.cumsum(previous / tf.clip_by_value(cp, 1e-10, 1.), axis=1)
        p = p * tf.cumsum(previous, axis=1)
        return p * tf.cumprod(1 - p, axis=1, exclusive=True)

    def gather_tree(self, step_ids, parent_ids, max_sequence_lengths, end_token):
        tf = self.tf
        return tf.py_func(gather_tree_numpy, [step_ids, parent_ids, max_sequence_lengths, end_token], tf.int32,
                          stateful=False)


def gather_tree_numpy(step_ids, parent_ids, lengths, end_token):
    """TF's GatherTree kernel: each (batch, beam) followed back from its last step; end_token past the length and
    after the first end_token."""
    steps, batch, width = step_ids.shape
    out = np.full_like(step_ids, end_token)
    for b in range(batch):
        length = min(steps, int(lengths[b]))
        for k in range(width):
            if length <= 0:
                continue
            out[length - 1, b, k] = step_ids[length - 1, b, k]
            parent = parent_ids[length - 1, b, k]
            for level in range(length - 2, -1, -1):
                out[level, b, k] = step_ids[level, b, parent]
                parent = parent_ids[level, b, parent]
            done = False
            for t in range(length):
                if done:
                    out[t, b, k] = end_token
                elif out[t, b, k] == end_token:
                    done = True
    return out.astype(np.int32)
