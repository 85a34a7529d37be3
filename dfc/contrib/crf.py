"""tf.contrib.crf: linear-chain CRF log-likelihood, forward algorithm and Viterbi decoding, as TF1 defines them."""

from __future__ import annotations

import numpy as np

import dfc as tf

__all__ = ["crf_sequence_score", "crf_unary_score", "crf_binary_score", "crf_log_norm", "crf_log_likelihood",
           "crf_decode", "viterbi_decode"]


def _static_time(inputs) -> int | None:
    dim = inputs.shape[1]
    dim = getattr(dim, "value", dim)
    return None if dim is None else int(dim)


def crf_unary_score(tag_indices, sequence_lengths, inputs):
    """Sum over each sequence's valid positions of the unary potential of its tag: [batch]."""
    tags = tf.cast(tag_indices, tf.int32)
    picked = tf.squeeze(tf.batch_gather(inputs, tf.expand_dims(tags, -1)), [2])
    masks = tf.sequence_mask(sequence_lengths, tf.shape(tags)[1], dtype=inputs.dtype)
    return tf.reduce_sum(picked * masks, 1)


def crf_binary_score(tag_indices, sequence_lengths, transition_params):
    """Sum of transition scores between consecutive valid tags: [batch]."""
    tags = tf.cast(tag_indices, tf.int32)
    num_tags = tf.shape(transition_params)[0]
    flat = tf.reshape(transition_params, [-1])
    pair = tags[:, :-1] * num_tags + tags[:, 1:]
    scores = tf.gather(flat, pair)
    masks = tf.sequence_mask(sequence_lengths, tf.shape(tags)[1], dtype=transition_params.dtype)[:, 1:]
    return tf.reduce_sum(scores * masks, 1)


def crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params):
    """Unnormalized score of the given tag sequences; 0 for sequences of length 0."""
    score = crf_unary_score(tag_indices, sequence_lengths, inputs)
    if _static_time(inputs) != 1:
        score = score + crf_binary_score(tag_indices, sequence_lengths, transition_params)
    return score


def crf_log_norm(inputs, sequence_lengths, transition_params):
    """Log partition function by the forward algorithm; 0 for sequences of length 0."""
    lengths = tf.cast(sequence_lengths, tf.int32)
    first = inputs[:, 0, :]
    if _static_time(inputs) == 1:
        log_norm = tf.reduce_logsumexp(first, [1])
    else:
        def forward(t, alphas):
            x_t = tf.gather(inputs, t, axis=1)
            new = tf.reduce_logsumexp(tf.expand_dims(alphas, 2) + tf.expand_dims(transition_params, 0), [1]) + x_t
            active = tf.expand_dims(tf.cast(tf.less(t, lengths), inputs.dtype), 1)
            return t + 1, active * new + (1.0 - active) * alphas

        _, alphas = tf.while_loop(lambda t, _: t < tf.shape(inputs)[1], forward, (tf.constant(1), first))
        log_norm = tf.reduce_logsumexp(alphas, [1])
    return tf.where(tf.less_equal(lengths, 0), tf.zeros_like(log_norm), log_norm)


def crf_log_likelihood(inputs, tag_indices, sequence_lengths, transition_params=None):
    """(log_likelihood [batch], transition_params); creates the variable "transitions" when not given."""
    if transition_params is None:
        num_tags = int(inputs.shape[2])
        transition_params = tf.get_variable("transitions", [num_tags, num_tags])
    score = crf_sequence_score(inputs, tag_indices, sequence_lengths, transition_params)
    log_norm = crf_log_norm(inputs, sequence_lengths, transition_params)
    return score - log_norm, transition_params


def crf_decode(potentials, transition_params, sequence_length):
    """Viterbi decoding in the graph: (decode_tags int32 [batch, time], best_score [batch])."""
    lengths = tf.cast(sequence_length, tf.int32)
    first = potentials[:, 0, :]
    if _static_time(potentials) == 1:
        tags = tf.expand_dims(tf.cast(tf.argmax(first, 1), tf.int32), 1)
        best = tf.reduce_max(first, [1])
    else:
        time = tf.shape(potentials)[1]
        num_tags = tf.shape(transition_params)[0]
        identity = tf.expand_dims(tf.range(num_tags), 0) + tf.zeros_like(tf.cast(first, tf.int32))

        def forward(t, score, pointers):
            x_t = tf.gather(potentials, t, axis=1)
            candidates = tf.expand_dims(score, 2) + tf.expand_dims(transition_params, 0)
            new = tf.reduce_max(candidates, [1]) + x_t
            best_prev = tf.cast(tf.argmax(candidates, 1), tf.int32)
            active = tf.less(t, lengths)
            active_f = tf.expand_dims(tf.cast(active, potentials.dtype), 1)
            active_i = tf.expand_dims(tf.cast(active, tf.int32), 1)
            pointers = pointers.write(t - 1, active_i * best_prev + (1 - active_i) * identity)
            return t + 1, active_f * new + (1.0 - active_f) * score, pointers

        _, final, pointers = tf.while_loop(lambda t, *_: t < time, forward,
                                           (tf.constant(1), first, tf.TensorArray(tf.int32, size=time - 1)))
        pointers = pointers.stack()
        last = tf.cast(tf.argmax(final, 1), tf.int32)

        def backward(t, tag, path):
            tag = tf.squeeze(tf.batch_gather(pointers[t], tf.expand_dims(tag, 1)), [1])
            return t - 1, tag, path.write(t, tag)

        _, _, path = tf.while_loop(lambda t, *_: t >= 0, backward,
                                   (time - 2, last, tf.TensorArray(tf.int32, size=time - 1)))
        tags = tf.concat([tf.transpose(path.stack(), [1, 0]), tf.expand_dims(last, 1)], 1)
        best = tf.reduce_max(final, [1])
    mask = tf.sequence_mask(lengths, tf.shape(tags)[1], dtype=tf.int32)
    return tags * mask, best


def viterbi_decode(score, transition_params):
    """Numpy Viterbi over one sequence [time, tags]: (list of tags, best score)."""
    score = np.asarray(score)
    transition_params = np.asarray(transition_params)
    trellis = np.zeros_like(score)
    backpointers = np.zeros_like(score, dtype=np.int32)
    trellis[0] = score[0]
    for t in range(1, score.shape[0]):
        v = np.expand_dims(trellis[t - 1], 1) + transition_params
        trellis[t] = score[t] + np.max(v, 0)
        backpointers[t] = np.argmax(v, 0)
    viterbi = [int(np.argmax(trellis[-1]))]
    for bp in reversed(backpointers[1:]):
        viterbi.append(int(bp[viterbi[-1]]))
    viterbi.reverse()
    return viterbi, float(np.max(trellis[-1]))
