"""Candidate sampling for sampled losses: the log-uniform, uniform, fixed-unigram and all-ids samplers, nce_loss and
sampled_softmax_loss.

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

from .array_ops import concat, constant, one_hot, ones_like, reshape, shape, size, zeros_like
from .framework import Tensor, check_int, convert_to_tensor, name_scope
from .math_ops import (cast, equal, exp, expm1, floor, log, log1p, logical_and, logical_not, matmul, maximum,
                       minimum, reduce_any, reduce_sum, where)
from .random_ops import random_uniform

__all__ = ["all_candidate_sampler", "compute_accidental_hits", "fixed_unigram_candidate_sampler",
           "log_uniform_candidate_sampler", "nce_loss",
           "sampled_softmax_loss", "uniform_candidate_sampler"]

#: the largest batch of draws a unique sampler makes (its dedupe compares every pair)
MAX_DRAWS = 8192


def _log_uniform_probability(ids: Tensor, log_range: float) -> Tensor:
    ids = cast(ids, "float64")
    return log((ids + 2.0) / (ids + 1.0)) / log_range


def _draws_needed(likeliest: np.ndarray) -> int:
    """A batch size from which len(likeliest) distinct ids fail to come with probability < 1e-12.

    The count of draws until the k-th new id is a sum of geometric waits; its mean and variance
    follow from the probability mass not yet taken (the k most likely ids, `likeliest` in decreasing
    order: the worst case), and the bound is the mean plus 8 standard deviations plus a margin.
    """
    taken = np.concatenate([[0.0], np.cumsum(likeliest)[:-1]])
    left = np.maximum(1.0 - taken, 1e-300)
    mean = float(np.sum(1.0 / left))
    std = float(np.sqrt(np.sum((1.0 - left) / left ** 2)))
    return int(min(MAX_DRAWS, math.ceil(mean + 8.0 * std + 16)))


def _sample(fn: str, default_name: str, true_classes, num_true, num_sampled, unique: bool, range_max, seed, name,
            draw, probability, likeliest: np.ndarray) -> tuple[Tensor, Tensor, Tensor]:
    """What the samplers share: draw(u) maps uniform float64 draws to ids (as exact floats), probability(ids)
    is each id's probability (float64); unique=True keeps the first num_sampled distinct draws (TF rejects
    repeats, the same distribution) and reports TF's expected counts -expm1(tries * log1p(-p))."""
    true_classes = convert_to_tensor(true_classes)
    if not true_classes.dtype.is_integer:
        raise TypeError(f"{fn}: true_classes {true_classes.name} must be int64, got {true_classes.dtype.name}")
    if true_classes.shape.ndims is not None and (true_classes.shape.ndims != 2 or
                                                 true_classes.shape.as_list()[1] not in (None, num_true)):
        raise ValueError(f"{fn}: true_classes {true_classes.name} must be [batch_size, num_true={num_true}], got "
                         f"{true_classes.shape}")
    if unique and np.count_nonzero(likeliest[:num_sampled] > 0) < num_sampled:
        raise ValueError(f"{fn}: num_sampled ({num_sampled}) exceeds the ids with a non-zero probability "
                         f"with unique=True")
    with name_scope(name, default_name):
        draws_count = _draws_needed(likeliest[:num_sampled]) if unique else num_sampled
        if unique and draws_count >= MAX_DRAWS:
            raise ValueError(f"{fn}: {num_sampled} distinct ids out of {range_max} need more than {MAX_DRAWS} "
                             f"draws; use unique=False")
        draws = draw(random_uniform([draws_count], dtype="float64", seed=seed))
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
            p = probability(cast(_checked_ids(ids, range_max), "float64"))
            if not unique:
                return cast(p * float(num_sampled), "float32")
            return cast(where(equal(tries, float(num_sampled)), p * float(num_sampled), -expm1(tries * log1p(-p))),
                        "float32")

        sampled_ids = cast(sampled, "int64")
        return sampled_ids, expected(true_classes), expected(sampled_ids)


def _checked_ids(ids: Tensor, range_max: int) -> Tensor:
    """ids, failing the run (InvalidArgumentError, as TF's samplers) when one is outside [0, range_max)."""
    from .array_ops import identity
    from .debugging import Assert
    from .framework import control_dependencies
    from .math_ops import greater_equal, less, reduce_all
    inside = reduce_all(logical_and(greater_equal(ids, 0), less(ids, range_max)))
    message = f"`true_candidate` out of range [0, {range_max}), received"
    with control_dependencies([Assert(inside, [message, ids], name="true_candidate_in_range")]):
        return identity(ids)


def _counts(fn: str, num_true, num_sampled, range_max) -> tuple[int, int, int]:
    num_true, num_sampled, range_max = (check_int(num_true, "num_true"), check_int(num_sampled, "num_sampled"),
                                        check_int(range_max, "range_max"))
    if num_true < 1 or num_sampled < 1 or range_max < 1:
        raise ValueError(f"{fn}: num_true ({num_true}), num_sampled ({num_sampled}) and range_max ({range_max}) "
                         f"must be positive")
    return num_true, num_sampled, range_max


def log_uniform_candidate_sampler(true_classes, num_true: int, num_sampled: int, unique: bool, range_max: int,
                                  seed=None, name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """(sampled_candidates [num_sampled] int64, true_expected_count [batch, num_true], sampled_expected_count):
    ids drawn as floor(exp(u * log(range_max + 1))) - 1, TF's LogUniformSampler (Zipfian)."""
    fn = "log_uniform_candidate_sampler"
    num_true, num_sampled, range_max = _counts(fn, num_true, num_sampled, range_max)
    if unique and num_sampled > range_max:
        raise ValueError(f"{fn}: num_sampled ({num_sampled}) exceeds range_max ({range_max}) with unique=True")
    log_range = math.log(range_max + 1)
    ids = np.arange(num_sampled, dtype=np.float64)
    return _sample(fn, "LogUniformCandidateSampler", true_classes, num_true, num_sampled, unique, range_max, seed,
                   name, lambda u: minimum(maximum(floor(exp(u * log_range)) - 1.0, 0.0), float(range_max - 1)),
                   lambda ids: _log_uniform_probability(ids, log_range),
                   np.log((ids + 2.0) / (ids + 1.0)) / log_range)


def uniform_candidate_sampler(true_classes, num_true: int, num_sampled: int, unique: bool, range_max: int,
                              seed=None, name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Candidates drawn uniformly from [0, range_max), with TF's expected counts."""
    fn = "uniform_candidate_sampler"
    num_true, num_sampled, range_max = _counts(fn, num_true, num_sampled, range_max)
    if unique and num_sampled > range_max:
        raise ValueError(f"{fn}: num_sampled ({num_sampled}) exceeds range_max ({range_max}) with unique=True")
    p = 1.0 / range_max
    return _sample(fn, "UniformCandidateSampler", true_classes, num_true, num_sampled, unique, range_max, seed, name,
                   lambda u: minimum(floor(u * float(range_max)), float(range_max - 1)),
                   lambda ids: ids * 0.0 + p, np.full(min(num_sampled, range_max), p))


def fixed_unigram_candidate_sampler(true_classes, num_true: int, num_sampled: int, unique: bool, range_max: int,
                                    vocab_file: str = "", distortion: float = 1.0, num_reserved_ids: int = 0,
                                    num_shards: int = 1, shard: int = 0, unigrams=(), seed=None,
                                    name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Candidates drawn with probability proportional to unigrams[id - num_reserved_ids] ** distortion (the
    reserved ids never), from the unigrams list or a vocab_file of 'word,count' lines, as TF's
    FixedUnigramSampler; sharding (num_shards > 1) is not supported."""
    fn = "fixed_unigram_candidate_sampler"
    num_true, num_sampled, range_max = _counts(fn, num_true, num_sampled, range_max)
    if num_shards != 1 or shard != 0:
        raise ValueError(f"{fn}: only num_shards=1, shard=0 is supported, got {num_shards}, {shard}")
    if bool(vocab_file) == bool(len(unigrams)):
        raise ValueError(f"{fn}: give exactly one of vocab_file and unigrams")
    if vocab_file:
        from .gfile import GFile
        with GFile(vocab_file) as f:
            unigrams = [float(line.rstrip("\n").split(",")[-1]) for line in f if line.strip()]
    weights = np.asarray(unigrams, dtype=np.float64)
    if weights.ndim != 1 or (weights < 0).any():
        raise ValueError(f"{fn}: unigrams must be a list of non-negative counts")
    if num_reserved_ids + len(weights) != range_max:
        raise ValueError(f"{fn}: range_max ({range_max}) must equal num_reserved_ids ({num_reserved_ids}) plus the "
                         f"number of unigrams ({len(weights)})")
    weights = np.concatenate([np.zeros(num_reserved_ids), weights ** float(distortion)])
    if weights.sum() <= 0:
        raise ValueError(f"{fn}: the unigrams hold no probability")
    probabilities = weights / weights.sum()
    cdf = np.cumsum(probabilities)[:-1]  # id = how many of these bounds lie at or below u

    def draw(u):
        return reduce_sum(cast(constant(cdf)[None, :] <= u[:, None], "float64"), axis=1)

    def probability(ids):
        return reshape(matmul(one_hot(cast(reshape(ids, [-1]), "int32"), range_max, dtype="float64"),
                              constant(probabilities[:, None])), _shape_of(ids))

    return _sample(fn, "FixedUnigramCandidateSampler", true_classes, num_true, num_sampled, unique, range_max, seed,
                   name, draw, probability, np.sort(probabilities)[::-1])


def _shape_of(t: Tensor):
    dims = t.shape.as_list()
    return dims if None not in dims else shape(t)


def all_candidate_sampler(true_classes, num_true: int, num_sampled: int, unique: bool, seed=None,
                          name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Every id in [0, num_sampled) as the candidates, each expected once (for testing sampled losses)."""
    num_true, num_sampled = check_int(num_true, "num_true"), check_int(num_sampled, "num_sampled")
    true_classes = convert_to_tensor(true_classes)
    with name_scope(name, "AllCandidateSampler"):
        sampled = constant(np.arange(num_sampled, dtype=np.int64))
        true_expected = cast(ones_like(_checked_ids(true_classes, num_sampled)), "float32")
        return sampled, true_expected, constant(np.ones(num_sampled, np.float32))


def compute_accidental_hits(true_classes, sampled_candidates, num_true: int, seed=None, name: str | None = None):
    """(indices int32, ids int64, weights float32) of each sampled candidate that equals one of a row's true
    classes: the row, the candidate's position (the last one, when a value was sampled twice) and -FLOAT_MAX,
    in TF's order (row, then true class). How many there are is known only when the step runs."""
    from collections import namedtuple

    from .array_ops import gather
    from .math_ops import reduce_any, where_coordinates
    result = namedtuple("ComputeAccidentalHits", ["indices", "ids", "weights"])
    num_true = check_int(num_true, "num_true")
    true_classes = convert_to_tensor(true_classes)
    sampled = convert_to_tensor(sampled_candidates)
    for t, what, rank in ((true_classes, "true_classes", 2), (sampled, "sampled_candidates", 1)):
        if not t.dtype.is_integer:
            raise TypeError(f"compute_accidental_hits: {what} {t.name} must be int64, got {t.dtype.name}")
        if t.shape.ndims not in (None, rank):
            raise ValueError(f"compute_accidental_hits: {what} {t.name} must be rank {rank}, got {t.shape}")
    if true_classes.shape.ndims == 2 and true_classes.shape.as_list()[1] not in (None, num_true):
        raise ValueError(f"compute_accidental_hits: true_classes {true_classes.name} {true_classes.shape} must have "
                         f"num_true={num_true} columns")
    with name_scope(name, "ComputeAccidentalHits"):
        sampled = cast(sampled, true_classes.dtype)
        count = sampled.shape.as_list()[0]
        if count is None:
            raise ValueError(f"compute_accidental_hits: the length of sampled_candidates {sampled.name} must be known")
        later = constant(np.triu(np.ones((count, count), dtype=bool), k=1))  # [i, j]: position i before j
        repeated_later = reduce_any(logical_and(equal(sampled[:, None], sampled[None, :]), later), axis=1)
        last = logical_not(repeated_later)  # TF keeps each value's last position
        hits = logical_and(equal(true_classes[:, :, None], sampled[None, None, :]), last[None, None, :])
        where_hits = where_coordinates(hits)  # [K, 3]: row, true class, position, row-major as TF's loops
        indices = cast(gather(where_hits, 0, axis=1), "int32")
        ids = gather(where_hits, 2, axis=1)
        # from ids' elements, not tf.fill of their shape: no second op whose shape waits on the values
        weights = cast(ids, "float32") * 0.0 + float(-np.finfo(np.float32).max)
        return result(indices, ids, weights)


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
        if inputs.shape.ndims not in (None, 2):
            raise ValueError(f"sampled losses need inputs {inputs.name} of rank 2 [batch, dim], got {inputs.shape}")
        # the batch may be known only when the step runs (a placeholder's None): split by the labels' size
        n_true = labels_flat.shape.as_list()[0]
        if n_true is None:
            n_true = size(labels_flat)
        dim = inputs.shape.as_list()[1] if inputs.shape.ndims == 2 else None
        true_w, sampled_w = all_w[:n_true], all_w[n_true:]
        true_b, sampled_b = all_b[:n_true], all_b[n_true:]
        true_w = reshape(true_w, [-1, num_true, dim if dim is not None else shape(inputs)[1]])
        true_logits = reduce_sum(inputs[:, None, :] * true_w, axis=2) + reshape(true_b, [-1, num_true])
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
