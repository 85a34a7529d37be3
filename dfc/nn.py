"""tf.nn: activations, softmax, bias_add (and the losses of dfc.losses_impl when present)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .framework import Tensor, check_int, convert_to_tensor, fed_axis, make
from .math_ops import relu, sigmoid, tanh
from .nn_conv import __all__ as _conv_names
from .nn_conv import (atrous_conv2d, atrous_conv2d_transpose, avg_pool, avg_pool1d, avg_pool2d,  # noqa: F401
                      conv1d, conv1d_transpose, conv2d, conv2d_backprop_filter, conv2d_backprop_input,
                      conv2d_transpose, convolution, depthwise_conv2d, depthwise_conv2d_backprop_filter,
                      depthwise_conv2d_backprop_input, depthwise_conv2d_native,
                      depthwise_conv2d_native_backprop_filter, depthwise_conv2d_native_backprop_input, dilation2d,
                      erosion2d, max_pool,
                      max_pool1d, max_pool2d, max_pool_with_argmax, separable_conv2d)
from .nn_pool import __all__ as _pool_names
from .nn_pool import avg_pool_v2, max_pool_v2, pool  # noqa: F401

__all__ = ["bias_add", "log_softmax", "relu", "relu6", "sigmoid", "softmax", "tanh", *_conv_names, *_pool_names]


def _softmax(irop: str, default: str, logits, axis, name, dim) -> Tensor:
    x = convert_to_tensor(logits)
    axis = dim if axis is None else axis
    axis = -1 if axis is None else fed_axis(axis, "axis")
    if isinstance(axis, Tensor):  # read when the step runs (ir/ops/value_attrs.py)
        return make(f"dfc.dynamic_{irop[4:]}", [axis, x], name=name or default)
    rank = x.shape.ndims
    if rank is not None and not -rank <= axis < rank:  # TF's InvalidArgumentError (a ValueError here too)
        from .errors import InvalidArgumentError
        raise InvalidArgumentError(f"{default}: `dim` must be in the range [{-rank}, {rank}) where {rank} is the "
                                   f"number of dimensions of {x.name}, got dim={axis}")
    return make(irop, [x], {"axis": axis}, name=name or default)


def softmax(logits, axis=None, name: str | None = None, dim=None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (last by default), computed stably."""
    return _softmax("dfc.softmax", "Softmax", logits, axis, name, dim)


def log_softmax(logits, axis=None, name: str | None = None, dim=None) -> Tensor:
    return _softmax("dfc.log_softmax", "LogSoftmax", logits, axis, name, dim)


def relu6(features, name: str | None = None) -> Tensor:
    from .math_ops import minimum
    return minimum(relu(features), 6.0, name=name)


def bias_add(value, bias, data_format=None, name: str | None = None) -> Tensor:
    """value + bias along the last dim (NHWC) or dim 1 (NCHW)."""
    value, bias = convert_to_tensor(value), convert_to_tensor(bias)
    if bias.shape.ndims != 1:
        raise ValueError(f"bias {bias.name} must be a vector, got shape {bias.shape}")
    if data_format in (None, "NHWC", "NWC", "NDHWC"):
        channels = value.shape.as_list()[-1]
        if channels is not None and bias.shape.as_list()[0] not in (None, channels):
            raise ValueError(f"bias_add: bias of size {bias.shape[0]} does not match the last dim ({channels}) "
                             f"of {value.name}")
        return make("dfc.add", [value, bias], name=name or "BiasAdd")
    from .array_ops import reshape
    shaped = reshape(bias, [-1] + [1] * (value.shape.ndims - 2))
    return make("dfc.add", [value, shaped], name=name or "BiasAdd")


# ---- losses (tf.nn.*_cross_entropy_with_logits, l2_loss): composed of differentiable ops ----------
__all__ += ["l2_loss", "sigmoid_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
            "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits"]


def _labels_logits(fn: str, sentinel, labels, logits) -> tuple[Tensor, Tensor]:
    if sentinel is not None:
        raise ValueError(f"Only call `{fn}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError(f"{fn} needs both labels and logits")
    logits = convert_to_tensor(logits)
    if isinstance(labels, Tensor) and labels.dtype is not logits.dtype:
        # TF multiplies them as given: its Mul refuses the pair (a TypeError), it casts nothing
        raise TypeError(f"{fn}: labels {labels.name} have dtype {labels.dtype.name}, which does not match dtype "
                        f"{logits.dtype.name} of logits {logits.name}")
    return convert_to_tensor(labels, dtype=logits.dtype), logits


def _xent_arguments(_sentinel, labels, logits) -> tuple[Tensor, Tensor]:
    """softmax_cross_entropy_with_logits' logits and labels as tensors, labels in the logits' dtype (TF's errors
    for a positional call or a missing one)."""
    from .math_ops import cast
    if _sentinel is not None:
        raise ValueError("Only call `softmax_cross_entropy_with_logits` with named arguments (labels=..., logits=...)")
    if labels is None or logits is None:
        raise ValueError("softmax_cross_entropy_with_logits needs both labels and logits")
    logits, labels = convert_to_tensor(logits), convert_to_tensor(labels)
    return logits, labels if labels.dtype is logits.dtype else cast(labels, logits.dtype)


def softmax_cross_entropy_with_logits_v2(_sentinel=None, labels=None, logits=None, axis=None, name: str | None = None,
                                         dim=None) -> Tensor:
    """-sum(labels * log_softmax(logits)) along `axis` (last by default); gradients reach labels too.

    Labels of another dtype (int32 one-hot rows) are cast to the logits' dtype, as TF does."""
    from .framework import name_scope
    from .math_ops import negative, reduce_sum
    logits, labels = _xent_arguments(_sentinel, labels, logits)
    axis = dim if axis is None else axis
    axis = -1 if axis is None else check_int(axis, "axis")
    with name_scope(name, "softmax_cross_entropy_with_logits"):
        log_probs = log_softmax(logits, axis=axis)  # stable for large logits: no exp overflows, no log(0)
        return negative(reduce_sum(labels * log_probs, axis=axis), name="xentropy")


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1, name: str | None = None,
                                      axis=None) -> Tensor:
    """TF1's (deprecated) form: like _v2, but no gradient flows into labels."""
    from .gradients_impl import stop_gradient
    logits, labels = _xent_arguments(_sentinel, labels, logits)
    return softmax_cross_entropy_with_logits_v2(labels=stop_gradient(labels), logits=logits,
                                                axis=dim if axis is None else axis, name=name)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name: str | None = None) -> Tensor:
    """Cross-entropy against integer class labels of shape logits.shape[:-1]."""
    from dfc.ir.dtypes import bool_, i32

    from .array_ops import constant, one_hot, zeros_like
    from .debugging import Assert
    from .framework import control_dependencies, name_scope
    from .math_ops import greater_equal, less, logical_and, negative, reduce_all, reduce_sum, where
    if _sentinel is not None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named arguments")
    logits, labels = convert_to_tensor(logits), convert_to_tensor(labels)
    if not labels.dtype.is_integer:
        raise TypeError(f"sparse labels {labels.name} must be int32 or int64, got {labels.dtype.name}")
    lrank, grank = labels.shape.ndims, logits.shape.ndims
    if lrank is None and grank is not None:  # tf.placeholder(tf.int32, shape=(None)): checked when the step runs
        labels = _labels_of_unknown_rank(labels, logits)
        lrank = labels.shape.ndims
    if lrank != grank - 1 or any(a is not None and b is not None and a != b
                                 for a, b in zip(labels.shape.as_list(), logits.shape.as_list()[:-1])):
        raise ValueError(f"labels {labels.name} of shape {labels.shape} must have the shape of logits {logits.name} "
                         f"{logits.shape} without its last dim")
    depth = logits.shape.as_list()[-1]
    if depth is None:
        raise ValueError(f"the number of classes (last dim of {logits.name}) must be known")
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits"):
        # the label's log-probability picked by a select: a product with the one-hot row would turn the -inf of
        # a masked logit into NaN
        hot = one_hot(labels, depth, on_value=True, off_value=False, dtype=bool_)
        log_probs = log_softmax(logits)
        picked = where(hot, log_probs, zeros_like(log_probs))
        inside = logical_and(greater_equal(labels, 0), less(labels, depth))
        in_range = reduce_all(inside)
        # the first label out of range, as TF's kernel names it (a last sentinel 'outside' keeps argmin off an
        # empty batch; it is picked only when every label is in range, and then the check passes)
        flat = make("dfc.concat", [make("dfc.reshape", [labels], {"shape": [-1]}),
                                   constant(np.zeros([1], labels.dtype.np))], {"axis": 0})
        ins = make("dfc.concat", [make("dfc.cast", [make("dfc.reshape", [inside], {"shape": [-1]})], {"dtype": i32}),
                                  constant(np.zeros([1], np.int32))], {"axis": 0})
        bad = make("dfc.gather", [flat, make("dfc.argmin", [ins], {"axis": 0, "output_type": i32})], {"axis": 0})
        check = Assert(in_range, ["Received a label value of", bad, f"which is outside the valid range of [0, "
                                                                    f"{depth}).  Label values:", labels],
                       name="labels_in_range")
        with control_dependencies([check]):
            return negative(reduce_sum(picked, axis=-1), name="xentropy")


def _labels_of_unknown_rank(labels: Tensor, logits: Tensor) -> Tensor:
    """Sparse labels whose rank the graph does not know, reshaped to logits' shape without its last dim once the
    step's value has the shape TF's kernel requires (InvalidArgumentError with TF's message otherwise)."""
    from .array_ops import concat, rank, reshape, shape
    from .debugging import Assert
    from .framework import control_dependencies, name_scope
    from .math_ops import equal, logical_and, reduce_all
    with name_scope(None, "labels_shape_check", [labels, logits]):
        wanted, got = shape(logits)[:-1], shape(labels)
        checks = []
        if logits.shape.ndims == 2:
            checks.append(Assert(equal(rank(labels), 1), ["labels must be 1-D, but got shape", got]))
        # got == wanted, told apart without indexing either: equal lengths, and got+wanted == wanted+got
        same = logical_and(equal(rank(labels), logits.shape.ndims - 1),
                           reduce_all(equal(concat([got, wanted], 0), concat([wanted, got], 0))))
        with control_dependencies(checks):
            checks.append(Assert(same, ["logits and labels must have the same first dimension, got logits shape",
                                        shape(logits), "and labels shape", got]))
        with control_dependencies(checks):
            return reshape(labels, wanted)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name: str | None = None) -> Tensor:
    """Elementwise logistic loss, as max(x, 0) - x*z + log(1 + exp(-|x|)) so large |x| neither overflows nor rounds."""
    from .framework import name_scope
    from .math_ops import abs, exp, log1p, maximum, negative
    labels, logits = _labels_logits("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    from .nn_activations import shapes_compatible
    if not shapes_compatible(logits.shape, labels.shape):
        raise ValueError(f"sigmoid_cross_entropy_with_logits: logits {logits.name} and labels {labels.name} must have "
                         f"the same shape, received ({logits.shape} vs {labels.shape})")
    with name_scope(name, "logistic_loss"):
        return maximum(logits, 0.0) - logits * labels + log1p(exp(negative(abs(logits))))


def l2_loss(t, name: str | None = None) -> Tensor:
    """sum(t ** 2) / 2."""
    from .math_ops import reduce_sum, square
    t = convert_to_tensor(t)
    return make("dfc.mul", [reduce_sum(square(t)), convert_to_tensor(0.5, dtype=t.dtype)], name=name or "L2Loss")


# ---- dropout, embeddings, top-k (TF1's tf.nn) -----------------------------------------------------
__all__ += ["dropout", "embedding_lookup", "in_top_k", "top_k"]


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name: str | None = None, rate=None) -> Tensor:
    """Zero each element with probability 1 - keep_prob (or `rate`), scaling the kept ones by 1 / keep_prob.

    keep_prob may be a tensor (a scalar placeholder fed 0.5 for training and 1.0 for evaluation);
    noise_shape broadcasts one draw over dims of size 1, as in TF.
    """
    from .array_ops import shape
    from .framework import name_scope
    from .math_ops import cast, floor
    from .random_ops import random_uniform
    if (keep_prob is None) == (rate is None):
        raise ValueError("dropout needs exactly one of keep_prob and rate")
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise ValueError(f"dropout of {x.name}: x must be a floating tensor, got {x.dtype.name}")
    with name_scope(name, "dropout", [x]):
        given, what = (keep_prob, "keep_prob") if keep_prob is not None else (rate, "rate")
        if not isinstance(given, Tensor) and not hasattr(given, "_as_tensor"):
            ok = 0.0 < float(given) <= 1.0 if what == "keep_prob" else 0.0 <= float(given) < 1.0
            if not ok:
                raise ValueError(f"{what} must be a scalar tensor or a float in the range "
                                 f"{'(0, 1]' if what == 'keep_prob' else '[0, 1)'}, got {given}")
        given = convert_to_tensor(given) if isinstance(given, Tensor) or hasattr(given, "_as_tensor") else \
            convert_to_tensor(given, dtype=x.dtype)
        if given.dtype is not x.dtype:
            given = cast(given, x.dtype)
        if given.shape.ndims is None:  # a shapeless placeholder: it must hold a scalar, so say so
            from .array_ops import reshape
            given = reshape(given, [])
        elif given.shape.ndims != 0:
            raise ValueError(f"dropout: {what} must be a scalar, got {given.name} of shape {given.shape}")
        keep = given if what == "keep_prob" else 1 - given
        noise = shape(x) if noise_shape is None else noise_shape
        mask = floor(keep + random_uniform(noise, seed=seed, dtype=x.dtype))
        from .framework import constant_value
        if constant_value(keep) is not None:  # a constant keep_prob is in (0, 1]: the product is TF's formula
            return x / keep * mask
        # a fed keep_prob may be 0: TF's select, not a product, gives zeros there, never 0 * inf = NaN
        from .array_ops import zeros_like
        from .math_ops import greater, where_v2
        return where_v2(greater(mask, 0.0), x / keep, zeros_like(x))


def embedding_lookup(params, ids, partition_strategy: str = "mod", name: str | None = None,
                     validate_indices: bool = True, max_norm=None) -> Tensor:
    """Rows of `params` (a tensor or variable, a list of shards or a PartitionedVariable, split by
    `partition_strategy`) for each id, of shape ids.shape + params[0].shape[1:].

    Each shard's rows are TF's Gather of it, so each shard's gradient is an IndexedSlices of the ids it holds (an
    optimizer updates those rows only); ids go to their shards and back with dynamic_partition/dynamic_stitch.
    """
    from .framework import name_scope
    shards = list(params) if isinstance(params, (list, tuple)) or hasattr(params, "_get_variable_list") \
        else [params]
    if not shards:
        raise ValueError("Need at least one param")
    if len(shards) > 1 and partition_strategy not in ("mod", "div"):  # TF checks it only for several shards
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy}. Must be one of either `mod` or "
                         f"`div`.")
    shards = [s._as_tensor() if hasattr(s, "_as_tensor") else convert_to_tensor(s) for s in shards]
    ids = convert_to_tensor(ids)
    if not ids.dtype.is_integer:
        raise TypeError(f"embedding_lookup ids {ids.name} must be int32 or int64, got {ids.dtype.name}")
    with name_scope(name, "embedding_lookup", shards + [ids]):
        rows = _sharded_rows(shards, ids, partition_strategy)
        if max_norm is not None:  # TF's clip_by_norm of each embedding
            from .math_ops import maximum, minimum, reduce_sum, rsqrt
            norm2 = reduce_sum(rows * rows, axis=-1, keepdims=True)
            rows = rows * minimum(1.0, max_norm * rsqrt(maximum(norm2, 1e-30)))
        return rows


def _sharded_rows(shards: list[Tensor], ids: Tensor, partition_strategy: str) -> Tensor:
    """TF's _embedding_lookup_and_transform: each id's row from the shard that holds it."""
    from .array_ops import gather, identity, mark_row_gather, reshape, shape, size
    from .array_ops import concat, constant
    from .math_ops import cast, equal, floordiv, floormod, maximum, where
    from .sparse.core import nonzero_positions, segment_sum
    if len(shards) == 1:
        return identity(mark_row_gather(gather(shards[0], ids)))  # TF's Gather: an IndexedSlices gradient
    n = len(shards)
    element = shards[0].shape[1:] if shards[0].shape.ndims is not None else None
    for s in shards[1:]:
        if element is not None and s.shape.ndims is not None:
            if not element.is_compatible_with(s.shape[1:]):
                raise ValueError(f"embedding_lookup: shard {s.name} of shape {s.shape} does not match the rows of "
                                 f"{shards[0].name} ({shards[0].shape})")
    flat = reshape(ids, [-1])
    if partition_strategy == "mod":
        assignment = floormod(flat, n)
        local = floordiv(flat, n)
    else:
        sizes = [s.shape.as_list()[0] if s.shape.ndims else None for s in shards]
        if None in sizes:
            from .math_ops import add_n
            total = add_n([cast(shape(s)[0], flat.dtype) for s in shards])
        else:
            total = np.array(sum(sizes), flat.dtype.np)
        per = total // n
        extras = total - per * n
        assignment = maximum(floordiv(flat, per + 1), floordiv(flat - extras, per))
        local = where(assignment < extras, floormod(flat, per + 1), floormod(flat - extras, per))
    # each shard's ids, in order (TF's dynamic_partition): one count per shard for the step to learn; the rows
    # go back to their places by a scatter of the concatenated parts (TF's dynamic_stitch)
    positions = [nonzero_positions(equal(assignment, constant(np.array(p, assignment.dtype.np))))
                 for p in range(n)]
    parts = [mark_row_gather(gather(s, gather(local, i))) for s, i in zip(shards, positions)]
    merged = segment_sum(concat(parts, 0), concat(positions, 0), size(flat, out_type="int64"))
    dims = shards[0].shape.as_list()[1:] if shards[0].shape.ndims is not None else None
    out = reshape(merged, concat([shape(ids), shape(merged)[1:]], 0))
    if ids.shape.ndims is not None and dims is not None:
        out.set_shape(ids.shape.as_list() + dims)
    return out


def in_top_k(predictions, targets, k, name: str | None = None) -> Tensor:
    """Whether each row's target class is among its k largest predictions (ties at the boundary count as in,
    and a non-finite target prediction is never in), as TF's in_top_k."""
    from .array_ops import one_hot
    from .framework import check_int, name_scope
    from .math_ops import cast, equal, greater, less, logical_and, reduce_sum
    predictions, targets = convert_to_tensor(predictions), convert_to_tensor(targets)
    if targets.shape.ndims is None and predictions.shape.ndims == 2:  # rank checked when the step runs, as TF's
        targets = _vector_checked_at_run_time(targets, predictions)
    if predictions.shape.ndims != 2 or targets.shape.ndims != 1:
        raise ValueError(f"in_top_k needs predictions of rank 2 and targets of rank 1, got {predictions.shape} "
                         f"and {targets.shape}")
    classes = predictions.shape.as_list()[1]
    if classes is None:
        raise ValueError(f"in_top_k needs the number of classes (dim 1 of {predictions.name}) known")
    k = check_int(k, "k")
    with name_scope(name, "in_top_k"):
        hot = one_hot(targets, classes, dtype=predictions.dtype)
        target_value = reduce_sum(hot * predictions, axis=1, keepdims=True)
        above = reduce_sum(cast(greater(predictions, target_value), "int32"), axis=1)
        value = reduce_sum(target_value, axis=1)
        return logical_and(less(above, k), equal(value - value, 0.0))  # x - x is 0 only for finite x


def _vector_checked_at_run_time(targets: Tensor, predictions: Tensor) -> Tensor:
    """in_top_k's targets of unknown rank: a vector once the step's value is one, with as many entries as
    predictions has rows (InvalidArgumentError with TF's messages otherwise)."""
    from .array_ops import rank, reshape, shape, size
    from .debugging import Assert
    from .framework import control_dependencies, name_scope
    from .math_ops import equal
    with name_scope(None, "in_top_k_targets"):
        is_vector = Assert(equal(rank(targets), 1), ["targets must be 1-dimensional"])
        with control_dependencies([is_vector]):
            rows = shape(predictions)[0]
            fits = Assert(equal(size(targets), rows), ["First dimension of predictions", rows,
                                                       "must match length of targets", size(targets)])
        with control_dependencies([fits]):
            return reshape(targets, [-1])


def top_k(input, k=1, sorted: bool = True, name: str | None = None):  # noqa: A002 - TF's names
    """(values, indices) of the k largest entries along the last dim, largest first; equal values keep index order.

    A stable descending sort of each row (dfc.argsort), its first k indices, and the values gathered
    at them: the gradient of the values flows back to the entries picked.
    """
    from .array_ops import gather, identity, shape
    from .debugging import assert_greater_equal
    from .framework import constant_value, control_dependencies, name_scope
    from .tensor_ops import argsort, gather_nd
    x = convert_to_tensor(input)
    if x.shape.ndims is None or x.shape.ndims < 1:
        raise ValueError(f"top_k needs an input of rank >= 1, got {x.name} of shape {x.shape}")
    rank = x.shape.ndims
    if isinstance(k, Tensor) and constant_value(k) is not None:
        k = constant_value(k)
    fed_k = isinstance(k, Tensor)
    if not fed_k:
        k = check_int(k, "k")
        if k < 0:
            raise ValueError(f"top_k: Need k >= 0, got {k}")
    n = x.shape.as_list()[-1]
    if n is not None and not fed_k and k > n:
        raise ValueError(f"top_k: input must have at least k columns. Had {n}, needed {k} ({x.name} has shape "
                         f"{x.shape})")
    with name_scope(name, "TopKV2", [x]):
        order = argsort(x, axis=-1, direction="DESCENDING")[..., :k]
        values = gather_nd(x, order[..., None], batch_dims=rank - 1) if rank > 1 else gather(x, order)
        if n is None or fed_k:  # a row shorter than k would give fewer columns: TF's error instead
            enough = assert_greater_equal(shape(x)[-1], k, message=f"top_k of {x.name}: input must have at least "
                                                                     f"k columns")
            with control_dependencies([enough]):
                values, order = identity(values), identity(order)
        return _TopK(values, order)


_TopK = namedtuple("TopKV2", ["values", "indices"])


builtins_range = range


# ---- recurrent networks ---------------------------------------------------------------------------
from . import rnn_cell  # noqa: E402 - tf.nn.rnn_cell needs the ops above
from .rnn import bidirectional_dynamic_rnn, dynamic_rnn, raw_rnn, static_bidirectional_rnn, static_rnn  # noqa: E402

__all__ += ["bidirectional_dynamic_rnn", "dynamic_rnn", "raw_rnn", "rnn_cell", "static_bidirectional_rnn",
            "static_rnn"]
from .candidate_sampling import (all_candidate_sampler, compute_accidental_hits,  # noqa: E402
                                 fixed_unigram_candidate_sampler,
                                 log_uniform_candidate_sampler, nce_loss, sampled_softmax_loss,
                                 uniform_candidate_sampler)

__all__ += ["all_candidate_sampler", "compute_accidental_hits", "fixed_unigram_candidate_sampler",
            "log_uniform_candidate_sampler", "nce_loss",
            "sampled_softmax_loss", "uniform_candidate_sampler"]
from .clip_ops import l2_normalize  # noqa: E402
from .math_ops import softplus, softsign  # noqa: E402
from .normalization import (batch_normalization, moments, normalize_moments, sufficient_statistics,  # noqa: E402
                            weighted_moments)

__all__ += ["batch_normalization", "l2_normalize", "moments", "normalize_moments", "softplus", "softsign",
            "sufficient_statistics", "weighted_moments"]
from .math_ops import zero_fraction  # noqa: E402
from .nn_activations import (compute_average_loss, crelu, elu, leaky_relu, log_poisson_loss, relu_layer,  # noqa: E402
                             scale_regularization_loss, selu, silu, swish, weighted_cross_entropy_with_logits,
                             xw_plus_b)
from .tensor_ops import depth_to_space, space_to_depth  # noqa: E402

__all__ += ["compute_average_loss", "scale_regularization_loss"]
__all__ += ["crelu", "depth_to_space", "elu", "leaky_relu", "log_poisson_loss", "relu_layer", "selu", "silu",
            "space_to_depth", "swish", "weighted_cross_entropy_with_logits", "xw_plus_b", "zero_fraction"]
from .normalization import (batch_norm_with_global_normalization, fused_batch_norm,  # noqa: E402
                            local_response_normalization, lrn)

__all__ += ["batch_norm_with_global_normalization", "fused_batch_norm", "local_response_normalization", "lrn"]
from .nn_conv3d import (avg_pool3d, conv3d, conv3d_backprop_filter, conv3d_backprop_filter_v2,  # noqa: E402
                        conv3d_transpose, conv_transpose, max_pool3d)

__all__ += ["avg_pool3d", "conv3d", "conv3d_backprop_filter", "conv3d_backprop_filter_v2", "conv3d_transpose",
            "conv_transpose", "max_pool3d"]
from .sparse.embedding import embedding_lookup_sparse, safe_embedding_lookup_sparse  # noqa: E402 - tf.nn's sparse lookups

__all__ += ["embedding_lookup_sparse", "safe_embedding_lookup_sparse"]
from .sparse.ctc import ctc_greedy_decoder, ctc_loss  # noqa: E402 - CTC over SparseTensor labels

__all__ += ["ctc_greedy_decoder", "ctc_loss"]
from .sparse.ctc_v2 import (collapse_repeated, ctc_beam_search_decoder, ctc_beam_search_decoder_v2,  # noqa: E402
                           ctc_loss_v2, ctc_unique_labels)

__all__ += ["collapse_repeated", "ctc_beam_search_decoder", "ctc_beam_search_decoder_v2", "ctc_loss_v2",
            "ctc_unique_labels"]
from .nn_fractional import fractional_avg_pool, fractional_max_pool  # noqa: E402

__all__ += ["fractional_avg_pool", "fractional_max_pool"]
from .batch_space_ops import space_to_batch, with_space_to_batch  # noqa: E402

__all__ += ["space_to_batch", "with_space_to_batch"]
from .rnn_state_saving import static_state_saving_rnn  # noqa: E402

__all__ += ["static_state_saving_rnn"]
from .candidate_sampling_learned import learned_unigram_candidate_sampler  # noqa: E402

__all__ += ["learned_unigram_candidate_sampler"]
