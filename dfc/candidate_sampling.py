"""Candidate sampling for sampled losses: log_uniform_candidate_sampler, nce_loss and sampled_softmax_loss.

The log-uniform (Zipfian) sampler draws id = floor(exp(u * log(range_max + 1))) - 1 as TF's
LogUniformSampler does. With unique=True, TF rejects repeats until it has num_sampled
distinct ids; here a fixed batch of draws is made and the first num_sampled distinct ones
kept (in draw order), which is the same distribution. The batch size is chosen when the
graph is built so that running short of distinct ids has probability below 1e-12, and
num_tries (how many draws TF would have made) gives TF's expected counts.
"""

from __future__ import annotations

import math

import numpy as np

from .array_ops import concat, constant, one_hot, ones_like, reshape, zeros_like
from .framework import Tensor, check_int, convert_to_tensor, name_scope
from .math_ops import (cast, equal, exp, expm1, floor, log, log1p, logical_and, logical_not, matmul, maximum,
                       minimum, reduce_any, reduce_sum, where)
from .random_ops import random_uniform

__all__ = ["log_uniform_candidate_sampler", "nce_loss", "sampled_softmax_loss"]

#: the largest batch of draws a unique sampler makes (its dedupe compares every pair)
MAX_DRAWS = 8192


def _log_uniform_probability(ids: Tensor, log_range: float) -> Tensor:
    ids = cast(ids, "float64")
    return log((ids + 2.0) / (ids + 1.0)) / log_range


def _draws_needed(num_sampled: int, range_max: int) -> int:
    """A batch size from which num_sampled distinct log-uniform ids fail to come with probability < 1e-12.

    The count of draws until the k-th new id is a sum of geometric waits; its mean and variance
    follow from the probability mass not yet taken (the k most likely ids, the worst case), and
    the bound is the mean plus 8 standard deviations plus a margin.
    """
    log_range = math.log(range_max + 1)
    ids = np.arange(num_sampled, dtype=np.float64)
    p = np.log((ids + 2.0) / (ids + 1.0)) / log_range
    taken = np.concatenate([[0.0], np.cumsum(p)[:-1]])
    left = np.maximum(1.0 - taken, 1e-300)
    mean = float(np.sum(1.0 / left))
    std = float(np.sqrt(np.sum((1.0 - left) / left ** 2)))
    return int(min(MAX_DRAWS, math.ceil(mean + 8.0 * std + 16)))


def log_uniform_candidate_sampler(true_classes, num_true: int, num_sampled: int, unique: bool, range_max: int,
                                  seed=None, name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """(sampled_candidates [num_sampled] int64, true_expected_count [batch, num_true], sampled_expected_count)."""
    num_sampled, range_max, num_true = (check_int(num_sampled, "num_sampled"), check_int(range_max, "range_max"),
                                        check_int(num_true, "num_true"))
    if unique and num_sampled > range_max:
        raise ValueError(f"log_uniform_candidate_sampler: num_sampled ({num_sampled}) exceeds range_max "
                         f"({range_max}) with unique=True")
    true_classes = convert_to_tensor(true_classes)
    log_range = math.log(range_max + 1)
    with name_scope(name, "LogUniformCandidateSampler"):
        draws_count = _draws_needed(num_sampled, range_max) if unique else num_sampled
        if unique and draws_count >= MAX_DRAWS:
            raise ValueError(f"log_uniform_candidate_sampler: {num_sampled} distinct ids out of {range_max} need "
                             f"more than {MAX_DRAWS} draws; use unique=False")
        u = random_uniform([draws_count], dtype="float64", seed=seed)
        draws = minimum(maximum(floor(exp(u * log_range)) - 1.0, 0.0), float(range_max - 1))  # ids as exact floats
        if unique:
            later = np.triu(np.ones((draws_count, draws_count), dtype=bool), k=1)  # [i, j]: i drawn before j
            repeat = reduce_any(logical_and(equal(draws[:, None], draws[None, :]), constant(later)), axis=0)
            first = cast(logical_not(repeat), "float64")
            inclusive = constant(np.triu(np.ones((draws_count, draws_count))))
            position = reshape(matmul(first[None, :], inclusive), [draws_count]) - 1.0
            slots = one_hot(cast(position, "int32"), num_sampled, dtype="float64") * first[:, None]
            sampled = reduce_sum(slots * draws[:, None], axis=0)
            tries = reduce_sum(slots[:, num_sampled - 1] * constant(np.arange(1, draws_count + 1, dtype=np.float64)))
        else:
            sampled = draws
            tries = constant(float(num_sampled), dtype="float64")

        def expected(ids):
            p = _log_uniform_probability(ids, log_range)
            if not unique:
                return cast(p * float(num_sampled), "float32")
            return cast(where(equal(tries, float(num_sampled)), p * float(num_sampled), -expm1(tries * log1p(-p))),
                        "float32")

        sampled_ids = cast(sampled, "int64")
        return sampled_ids, expected(true_classes), expected(sampled_ids)


def _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true, sampled_values,
                            subtract_log_q, remove_accidental_hits, partition_strategy, seed, name):
    from .gradients_impl import stop_gradient
    from .nn import embedding_lookup
    inputs = convert_to_tensor(inputs)
    labels = convert_to_tensor(labels)
    if labels.dtype.name != "int64":
        labels = cast(labels, "int64")
    if labels.shape.ndims == 1:
        labels = labels[:, None]
    num_true = check_int(num_true, "num_true")
    with name_scope(name, "compute_sampled_logits"):
        if sampled_values is None:
            sampled_values = log_uniform_candidate_sampler(labels, num_true, num_sampled, True, num_classes, seed=seed)
        sampled, true_expected, sampled_expected = (stop_gradient(convert_to_tensor(v)) for v in sampled_values)
        sampled = cast(sampled, "int64") if sampled.dtype.name != "int64" else sampled
        labels_flat = reshape(labels, [-1])
        all_ids = concat([labels_flat, sampled], 0)
        all_w = embedding_lookup(weights, all_ids, partition_strategy=partition_strategy)
        all_b = embedding_lookup(biases, all_ids, partition_strategy=partition_strategy)
        true_count, dim = inputs.shape.as_list()
        if true_count is None or dim is None:
            raise ValueError(f"sampled losses need the shape of inputs {inputs.name} known, got {inputs.shape}")
        n_true = true_count * num_true
        true_w, sampled_w = all_w[:n_true], all_w[n_true:]
        true_b, sampled_b = all_b[:n_true], all_b[n_true:]
        true_w = reshape(true_w, [true_count, num_true, dim])
        true_logits = reduce_sum(inputs[:, None, :] * true_w, axis=2) + reshape(true_b, [true_count, num_true])
        sampled_logits = matmul(inputs, sampled_w, transpose_b=True) + sampled_b
        if remove_accidental_hits:
            hits = reduce_any(equal(labels[:, :, None], sampled[None, None, :]), axis=1)
            sampled_logits = where(hits, sampled_logits + inputs.dtype.min, sampled_logits)
        if subtract_log_q:
            true_logits = true_logits - log(cast(true_expected, inputs.dtype))
            sampled_logits = sampled_logits - log(cast(sampled_expected, inputs.dtype))
        logits = concat([true_logits, sampled_logits], 1)
        targets = concat([ones_like(true_logits) / float(num_true), zeros_like(sampled_logits)], 1)
        return logits, targets


def nce_loss(weights, biases, labels, inputs, num_sampled: int, num_classes: int, num_true: int = 1,
             sampled_values=None, remove_accidental_hits: bool = False, partition_strategy: str = "mod",
             name: str = "nce_loss", seed=None) -> Tensor:
    """Noise-contrastive estimation loss per example [batch]: logistic losses of the true and sampled classes."""
    from .nn import sigmoid_cross_entropy_with_logits
    logits, targets = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                              sampled_values, True, remove_accidental_hits, partition_strategy,
                                              seed, name)
    losses = sigmoid_cross_entropy_with_logits(labels=targets, logits=logits, name="sampled_losses")
    return reduce_sum(losses, axis=1)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled: int, num_classes: int, num_true: int = 1,
                         sampled_values=None, remove_accidental_hits: bool = True, partition_strategy: str = "mod",
                         name: str = "sampled_softmax_loss", seed=None) -> Tensor:
    """Softmax cross-entropy per example [batch] over the true classes and a sample of the others."""
    from .gradients_impl import stop_gradient
    from .nn import softmax_cross_entropy_with_logits_v2
    logits, targets = _compute_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes, num_true,
                                              sampled_values, True, remove_accidental_hits, partition_strategy,
                                              seed, name)
    return softmax_cross_entropy_with_logits_v2(labels=stop_gradient(targets), logits=logits)
