"""tf.contrib.losses: TF1's first losses API (predictions or logits first) and metric_learning's embedding losses.

The deprecated functions are tf.losses' with their older argument order (`softmax_cross_entropy(logits,
onehot_labels)`, `mean_squared_error(predictions, labels)`); `hinge_loss` returns the unreduced losses, as it
did there. `metric_learning` holds the losses face and retrieval models train embeddings with
(triplet_semihard_loss, contrastive_loss, npairs_loss), each TF1's definition written over dfc's ops.
"""

from __future__ import annotations

import types

from .. import losses as _losses
from ..framework import convert_to_tensor, name_scope

compute_weighted_loss = _losses.compute_weighted_loss
add_loss = _losses.add_loss
get_losses = _losses.get_losses
get_regularization_losses = _losses.get_regularization_losses
get_total_loss = _losses.get_total_loss


def absolute_difference(predictions, labels=None, weights=1.0, scope=None):
    return _losses.absolute_difference(labels, predictions, weights, scope)


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None):
    return _losses.mean_squared_error(labels, predictions, weights, scope)


def mean_pairwise_squared_error(predictions, labels=None, weights=1.0, scope=None):
    return _losses.mean_pairwise_squared_error(labels, predictions, weights, scope)


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7, scope=None):
    return _losses.log_loss(labels, predictions, weights, epsilon, scope)


def cosine_distance(predictions, labels=None, axis=None, weights=1.0, scope=None, dim=None):
    return _losses.cosine_distance(labels, predictions, axis, weights, scope, dim=dim)


def sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0, label_smoothing=0, scope=None):
    return _losses.sigmoid_cross_entropy(multi_class_labels, logits, weights, label_smoothing, scope)


def softmax_cross_entropy(logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None):
    return _losses.softmax_cross_entropy(onehot_labels, logits, weights, label_smoothing, scope)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None):
    return _losses.sparse_softmax_cross_entropy(labels, logits, weights, scope)


def hinge_loss(logits, labels=None, scope=None):
    """relu(1 - (2 * labels - 1) * logits), element by element (not reduced)."""
    from ..math_ops import cast, relu, subtract
    with name_scope(scope, "hinge_loss", [logits, labels]):
        logits = convert_to_tensor(logits)
        labels = cast(convert_to_tensor(labels), logits.dtype)
        logits.shape.assert_is_compatible_with(labels.shape)
        return relu(subtract(1.0, (2.0 * labels - 1.0) * logits))


# ---- metric_learning ---------------------------------------------------------------------------------
def pairwise_distance(feature, squared: bool = False):
    """[n, n] Euclidean distances between the rows of `feature` (squared if asked), zero on the diagonal."""
    from ..array_ops import ones, ones_like, shape, transpose
    from ..linalg_ops import diag
    from ..math_ops import add, cast, less_equal, logical_not, matmul, maximum, multiply, reduce_sum, sqrt, square
    feature = convert_to_tensor(feature)
    squared_norms = add(reduce_sum(square(feature), axis=[1], keepdims=True),
                        reduce_sum(square(transpose(feature)), axis=[0], keepdims=True))
    distances_squared = maximum(squared_norms - 2.0 * matmul(feature, transpose(feature)), 0.0)
    error_mask = less_equal(distances_squared, 0.0)
    if squared:
        distances = distances_squared
    else:  # a tiny offset where the distance is 0 keeps sqrt's gradient finite
        distances = sqrt(distances_squared + cast(error_mask, feature.dtype) * 1e-16)
    distances = multiply(distances, cast(logical_not(error_mask), feature.dtype))
    off_diagonal = ones_like(distances) - diag(ones([shape(feature)[0]], dtype=feature.dtype))
    return multiply(distances, off_diagonal)


def _masked_maximum(data, mask, dim: int = 1):
    from ..math_ops import multiply, reduce_max, reduce_min
    minimums = reduce_min(data, dim, keepdims=True)
    return reduce_max(multiply(data - minimums, mask), dim, keepdims=True) + minimums


def _masked_minimum(data, mask, dim: int = 1):
    from ..math_ops import multiply, reduce_max, reduce_min
    maximums = reduce_max(data, dim, keepdims=True)
    return reduce_min(multiply(data - maximums, mask), dim, keepdims=True) + maximums


def triplet_semihard_loss(labels, embeddings, margin: float = 1.0):
    """The triplet loss with semi-hard negatives (FaceNet): for each anchor-positive pair, the nearest negative
    farther than the positive (else the farthest negative), hinged at `margin`, averaged over the positive pairs.
    Distances are squared Euclidean, as TF1's."""
    from ..array_ops import ones, reshape, size, tile, transpose
    from ..linalg_ops import diag
    from ..math_ops import (add, cast, equal, greater, logical_and, logical_not, maximum, multiply, reduce_sum,
                            truediv, where)
    labels, embeddings = convert_to_tensor(labels), convert_to_tensor(embeddings)
    labels = reshape(labels, [-1, 1])
    distances = pairwise_distance(embeddings, squared=True)
    adjacency = equal(labels, transpose(labels))
    adjacency_not = logical_not(adjacency)
    batch = size(labels)
    distances_tile = tile(distances, [batch, 1])
    mask = logical_and(tile(adjacency_not, [batch, 1]), greater(distances_tile, reshape(transpose(distances),
                                                                                        [-1, 1])))
    mask_final = transpose(reshape(greater(reduce_sum(cast(mask, embeddings.dtype), 1, keepdims=True), 0.0),
                                   [batch, batch]))
    adjacency_not = cast(adjacency_not, embeddings.dtype)
    mask = cast(mask, embeddings.dtype)
    negatives_outside = transpose(reshape(_masked_minimum(distances_tile, mask), [batch, batch]))
    negatives_inside = tile(_masked_maximum(distances, adjacency_not), [1, batch])
    semi_hard_negatives = where(mask_final, negatives_outside, negatives_inside)
    loss_mat = add(margin, distances - semi_hard_negatives)
    mask_positives = cast(adjacency, embeddings.dtype) - diag(ones([batch], dtype=embeddings.dtype))
    num_positives = reduce_sum(mask_positives)
    return truediv(reduce_sum(maximum(multiply(loss_mat, mask_positives), 0.0)), num_positives,
                   name="triplet_semihard_loss")


def contrastive_loss(labels, embeddings_anchor, embeddings_positive, margin: float = 1.0):
    """mean(y * d^2 + (1 - y) * max(margin - d, 0)^2), d the Euclidean distance of each pair."""
    from ..math_ops import cast, maximum, reduce_mean, reduce_sum, sqrt, square, squared_difference
    anchor, positive = convert_to_tensor(embeddings_anchor), convert_to_tensor(embeddings_positive)
    distances = sqrt(reduce_sum(squared_difference(anchor, positive), 1))
    labels = cast(convert_to_tensor(labels), distances.dtype)
    return reduce_mean(labels * square(distances) + (1.0 - labels) * square(maximum(margin - distances, 0.0)),
                       name="contrastive_loss")


def npairs_loss(labels, embeddings_anchor, embeddings_positive, reg_lambda: float = 0.002,
                print_losses: bool = False):
    """The N-pairs loss: softmax cross-entropy of anchor-positive similarities against same-label targets, plus
    an L2 penalty of reg_lambda / 4 on the embeddings."""
    from ..array_ops import reshape, transpose
    from ..math_ops import cast, equal, matmul, multiply, reduce_mean, reduce_sum, square
    from ..nn import softmax_cross_entropy_with_logits
    anchor, positive = convert_to_tensor(embeddings_anchor), convert_to_tensor(embeddings_positive)
    reg_anchor = reduce_mean(reduce_sum(square(anchor), 1))
    reg_positive = reduce_mean(reduce_sum(square(positive), 1))
    l2loss = multiply(0.25 * reg_lambda, reg_anchor + reg_positive, name="l2loss")
    similarity = matmul(anchor, positive, transpose_b=True)
    labels = reshape(convert_to_tensor(labels), [-1, 1])
    targets = cast(equal(labels, transpose(labels)), anchor.dtype)
    targets = targets / reduce_sum(targets, 1, keepdims=True)
    xent = reduce_mean(softmax_cross_entropy_with_logits(logits=similarity, labels=targets), name="xentropy")
    return l2loss + xent


metric_learning = types.SimpleNamespace(pairwise_distance=pairwise_distance,
                                        triplet_semihard_loss=triplet_semihard_loss,
                                        contrastive_loss=contrastive_loss, npairs_loss=npairs_loss)

__all__ = ["absolute_difference", "add_loss", "compute_weighted_loss", "cosine_distance", "get_losses",
           "get_regularization_losses", "get_total_loss", "hinge_loss", "log_loss", "mean_pairwise_squared_error",
           "mean_squared_error", "metric_learning", "sigmoid_cross_entropy", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy"]
