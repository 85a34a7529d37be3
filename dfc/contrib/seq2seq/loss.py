"""tf.contrib.seq2seq.sequence_loss: the weighted cross-entropy of a sequence of logits, averaged or summed."""

from __future__ import annotations

from ... import array_ops as A
from ... import math_ops as M
from ... import nn
from ...framework import Tensor, convert_to_tensor, name_scope

__all__ = ["SequenceLoss", "sequence_loss"]


def _rank_check(t: Tensor, rank: int, text: str) -> None:
    if t.shape.ndims is None:
        raise ValueError(f"Cannot take the length of shape with unknown rank ({t.name}: {text}).")
    if t.shape.ndims != rank:
        raise ValueError(f"{text} ({t.name} has shape {t.shape})")


def sequence_loss(logits, targets, weights, average_across_timesteps: bool = True, average_across_batch: bool = True,
                  sum_over_timesteps: bool = False, sum_over_batch: bool = False, softmax_loss_function=None,
                  name: str | None = None) -> Tensor:
    """The cross entropy of logits [batch, time, classes] against int targets [batch, time], weighted by
    weights [batch, time]: averaged by the weights' total (average_across_*) or by the count of non-zero weights
    (sum_over_*) across time and/or batch, the dims averaged or summed over dropped (TF 1.15's contrib loss)."""
    logits, targets, weights = convert_to_tensor(logits), convert_to_tensor(targets), convert_to_tensor(weights)
    _rank_check(logits, 3, "Logits must be a [batch_size x sequence_length x logits] tensor")
    _rank_check(targets, 2, "Targets must be a [batch_size x sequence_length] tensor")
    _rank_check(weights, 2, "Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to True at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at same time.")
    with name_scope(name, "sequence_loss", [logits, targets, weights]):
        classes = logits.shape.as_list()[2]
        logits_flat = A.reshape(logits, [-1, classes if classes is not None else A.shape(logits)[2]])
        targets = A.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits_flat)
        else:
            crossent = convert_to_tensor(softmax_loss_function(labels=targets, logits=logits_flat))
        crossent = crossent * A.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return M.div_no_nan(M.reduce_sum(crossent), M.reduce_sum(weights))
        if sum_over_timesteps and sum_over_batch:
            count = M.cast(M.count_nonzero(weights), crossent.dtype)
            return M.div_no_nan(M.reduce_sum(crossent), count)
        known = logits.shape.as_list()[:2]
        crossent = A.reshape(crossent, known if None not in known else A.shape(logits)[0:2])
        if average_across_timesteps or average_across_batch:
            axis = [0] if average_across_batch else [1]
            return M.div_no_nan(M.reduce_sum(crossent, axis=axis), M.reduce_sum(weights, axis=axis))
        if sum_over_timesteps or sum_over_batch:
            axis = [0] if sum_over_batch else [1]
            count = M.cast(M.count_nonzero(weights, axis=axis), crossent.dtype)
            return M.div_no_nan(M.reduce_sum(crossent, axis=axis), count)
        return crossent


class SequenceLoss:
    """sequence_loss as a Keras-style loss object, called (y_true, y_pred, sample_weight); by default the sum of
    the weighted cross entropy over the non-zero weights' count (sum_over_timesteps and sum_over_batch)."""

    def __init__(self, average_across_timesteps: bool = False, average_across_batch: bool = False,
                 sum_over_timesteps: bool = True, sum_over_batch: bool = True, softmax_loss_function=None,
                 name: str | None = None):
        self.average_across_timesteps, self.average_across_batch = average_across_timesteps, average_across_batch
        self.sum_over_timesteps, self.sum_over_batch = sum_over_timesteps, sum_over_batch
        self.softmax_loss_function, self.name = softmax_loss_function, name

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        if sample_weight is None:
            raise ValueError("SequenceLoss needs sample_weight, the [batch_size x sequence_length] weights")
        return sequence_loss(y_pred, y_true, sample_weight, self.average_across_timesteps, self.average_across_batch,
                             self.sum_over_timesteps, self.sum_over_batch, self.softmax_loss_function, self.name)
