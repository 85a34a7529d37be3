"""tf.nn's activations (leaky_relu, elu, selu, swish, crelu), dense helpers (xw_plus_b, relu_layer),
elementwise losses (log_poisson_loss, weighted_cross_entropy_with_logits) and loss scaling (compute_average_loss),
with TF1's gradients at the kinks."""

from __future__ import annotations

import math

import numpy as np

from dfc.ir.dtypes import f32

from .framework import Tensor, convert_to_tensor, make, name_scope

__all__ = ["crelu", "elu", "leaky_relu", "log_poisson_loss", "relu_layer", "selu", "silu", "swish",
           "weighted_cross_entropy_with_logits", "xw_plus_b"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float_features(features, fn: str) -> Tensor:
    """`features` as a tensor, refused unless floating, with the TypeError TF's kernels raise."""
    x = convert_to_tensor(features)
    if not x.dtype.is_floating:
        raise TypeError(f"{fn}: value passed to parameter 'features' ({x.name}) has DataType {x.dtype.name} not "
                        f"in list of allowed values: float16, bfloat16, float32, float64")
    return x


def _scope_op(irop: str, inputs: list, scope: str, attrs: dict | None = None) -> Tensor:
    """The op that ends a composite function, named as its scope (`xw_plus_b:0`, as TF names it)."""
    from .graph_builder import current_graph, make_op
    graph = current_graph(inputs)
    return graph.tensor(make_op(irop, inputs, attrs, name=scope[:-1] or None, graph=graph,
                                exact_name=True).results[0])


def _zero(x: Tensor) -> Tensor:
    return convert_to_tensor(np.zeros((), x.dtype.np))


def leaky_relu(features, alpha=0.2, name: str | None = None) -> Tensor:
    """x where x > 0, else alpha * x (integer features are cast to float32, as TF does); the gradient at 0 is
    alpha, as TF's LeakyReluGrad."""
    from .math_ops import cast, greater, multiply
    x = convert_to_tensor(features)
    if x.dtype.is_integer:
        x = cast(x, f32)
    elif not x.dtype.is_floating:
        raise TypeError(f"leaky_relu: features {x.name} must be floating or integer, got {x.dtype.name}")
    if isinstance(alpha, np.ndarray):
        alpha = alpha.item()
    with name_scope(name, "LeakyRelu", [x]) as scope:
        return _scope_op("dfc.select", [greater(x, _zero(x)), x, multiply(x, convert_to_tensor(alpha, dtype=x.dtype))],
                         scope)


def elu(features, name: str | None = None) -> Tensor:
    """x where x >= 0, else exp(x) - 1; the gradient is 1 at and above 0 and exp(x) below, as TF's EluGrad."""
    from .math_ops import expm1, less, minimum
    x = _float_features(features, "elu")
    with name_scope(name, "Elu", [x]) as scope:
        # expm1 of the negative part only: a large positive x must not make inf * 0 in the unused branch's gradient
        return _scope_op("dfc.select", [less(x, _zero(x)), expm1(minimum(x, _zero(x))), x], scope)


def selu(features, name: str | None = None) -> Tensor:
    """scale * x where x >= 0, else scale * alpha * (exp(x) - 1) (Klambauer et al.'s constants); the gradient at
    0 is scale, as TF's SeluGrad."""
    from .math_ops import expm1, less, minimum, multiply
    x = _float_features(features, "selu")
    with name_scope(name, "Selu", [x]) as scope:
        scale = convert_to_tensor(_SELU_SCALE, dtype=x.dtype)
        negative = multiply(expm1(minimum(x, _zero(x))), convert_to_tensor(_SELU_SCALE * _SELU_ALPHA, dtype=x.dtype))
        return _scope_op("dfc.select", [less(x, _zero(x)), negative, multiply(x, scale)], scope)


def swish(features, beta=1.0, name: str | None = None) -> Tensor:
    """x * sigmoid(beta * x) (SiLU); `beta` may be a tensor, which then gets a gradient too."""
    from .math_ops import multiply, sigmoid
    x = _float_features(features, "swish")
    with name_scope(name, "swish", [x]):
        b = convert_to_tensor(beta, dtype=x.dtype) if not isinstance(beta, Tensor) else beta
        return multiply(x, sigmoid(multiply(b, x)))


silu = swish


def crelu(features, name: str | None = None, axis=-1) -> Tensor:
    """concat([relu(x), relu(-x)], axis): the positive and the negative part, doubling that dim."""
    from .array_ops import concat
    from .math_ops import negative, relu
    x = convert_to_tensor(features)
    with name_scope(name, "CRelu", [x]):
        return relu(concat([x, negative(x)], axis), name="Relu")


def _dense(fn: str, x, weights, biases) -> tuple[Tensor, Tensor, Tensor]:
    """x, weights, biases as tensors of x's dtype; matmul and bias_add check their shapes (x of rank > 2 is a
    batch of matrices, as TF's matmul takes it)."""
    x = convert_to_tensor(x)
    return x, convert_to_tensor(weights, dtype=x.dtype), convert_to_tensor(biases, dtype=x.dtype)


def xw_plus_b(x, weights, biases, name: str | None = None) -> Tensor:
    """matmul(x, weights) + biases."""
    from .math_ops import matmul
    x, weights, biases = _dense("xw_plus_b", x, weights, biases)
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        return _scope_op("dfc.add", [matmul(x, weights), biases], scope)


def relu_layer(x, weights, biases, name: str | None = None) -> Tensor:
    """relu(matmul(x, weights) + biases)."""
    from .math_ops import matmul
    x, weights, biases = _dense("relu_layer", x, weights, biases)
    with name_scope(name, "relu_layer", [x, weights, biases]) as scope:
        biased = make("dfc.add", [matmul(x, weights), biases], name="BiasAdd")  # _dense checked the bias's size
        return _scope_op("dfc.relu", [biased], scope)


def shapes_compatible(a, b) -> bool:
    """Whether two static shapes (TensorShapes, unknown dims as None) may describe the same tensor."""
    if a.ndims is None or b.ndims is None:
        return True
    return a.ndims == b.ndims and all(x is None or y is None or x == y for x, y in zip(a.as_list(), b.as_list()))


def _same_shape(fn: str, a: Tensor, a_what: str, b: Tensor, b_what: str) -> None:
    if not shapes_compatible(a.shape, b.shape):
        raise ValueError(f"{fn}: {a_what} {a.name} and {b_what} {b.name} must have the same shape "
                         f"({a.shape} vs {b.shape})")


def log_poisson_loss(targets, log_input, compute_full_loss: bool = False, name: str | None = None) -> Tensor:
    """exp(log_input) - log_input * targets, plus Stirling's approximation of log(targets!) for targets > 1
    when compute_full_loss."""
    from .array_ops import ones_like, zeros_like
    from .math_ops import exp, greater_equal, less_equal, log, logical_and, multiply, subtract, where
    with name_scope(name, "log_poisson_loss", [log_input, targets]):
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets")
        _same_shape("log_poisson_loss", log_input, "log_input", targets, "targets")
        result = subtract(exp(log_input), multiply(log_input, targets))
        if compute_full_loss:
            point_five = convert_to_tensor(0.5, dtype=targets.dtype)
            two_pi = convert_to_tensor(2 * math.pi, dtype=targets.dtype)
            stirling = multiply(targets, log(targets)) - targets + multiply(point_five, log(multiply(two_pi, targets)))
            zeros, ones = zeros_like(targets), ones_like(targets)
            small = logical_and(greater_equal(targets, zeros), less_equal(targets, ones))
            result = result + where(small, zeros, stirling)
        return result


def weighted_cross_entropy_with_logits(labels=None, logits=None, pos_weight=None, name: str | None = None,
                                       targets=None) -> Tensor:
    """sigmoid_cross_entropy_with_logits with the positive term weighted by pos_weight, computed as TF does:
    (1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) + max(-x, 0))."""
    from .math_ops import abs, add, exp, log1p, multiply, negative, relu, subtract
    if labels is not None and targets is not None:
        raise ValueError("weighted_cross_entropy_with_logits: give labels or targets (its old name), not both")
    labels = targets if labels is None else labels
    if labels is None or logits is None or pos_weight is None:
        raise ValueError("weighted_cross_entropy_with_logits needs labels (targets), logits and pos_weight")
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        if isinstance(labels, Tensor) and labels.dtype is not logits.dtype:  # TF's Mul refuses the pair
            raise TypeError(f"weighted_cross_entropy_with_logits: labels {labels.name} have dtype "
                            f"{labels.dtype.name}, which does not match dtype {logits.dtype.name} of logits "
                            f"{logits.name}")
        labels = convert_to_tensor(labels, dtype=logits.dtype, name="labels")
        _same_shape("weighted_cross_entropy_with_logits", logits, "logits", labels, "labels")
        q = convert_to_tensor(pos_weight, dtype=logits.dtype) if not isinstance(pos_weight, Tensor) else pos_weight
        log_weight = add(1.0, multiply(subtract(q, 1.0), labels))
        softplus_neg = add(log1p(exp(negative(abs(logits)))), relu(negative(logits)))
        return _scope_op("dfc.add", [multiply(subtract(1.0, labels), logits), multiply(log_weight, softplus_neg)],
                         scope)


# ---- tf.nn's loss scaling for custom training loops (one replica: dfc runs no distribution strategy) ------
__all__ += ["compute_average_loss", "scale_regularization_loss"]


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None) -> Tensor:
    """sum(per_example_loss * sample_weight) / global_batch_size (by default the first dim of the losses); 0
    when that is 0. With sample_weight the product is float32, as TF computes it."""
    from .array_ops import expand_dims, shape, squeeze
    from .errors import InvalidArgumentError
    from .math_ops import cast, div_no_nan, multiply, reduce_sum
    losses = convert_to_tensor(per_example_loss)
    input_dtype = losses.dtype
    if losses.shape.ndims == 0:
        raise ValueError(f"Invalid value passed for `per_example_loss`. Expected a tensor with at least rank 1. "
                         f"Received per_example_loss={losses.name} with rank 0")
    if sample_weight is not None:
        weight = cast(convert_to_tensor(sample_weight), f32)
        losses = cast(losses, f32)
        w_rank, l_rank = weight.shape.ndims, losses.shape.ndims
        if w_rank not in (None, 0) and l_rank is not None:
            if w_rank - l_rank == 1 and weight.shape.as_list()[-1] in (1, None):
                weight = squeeze(weight, [-1])
            elif l_rank - w_rank == 1:
                weight = expand_dims(weight, -1)
        losses = multiply(losses, weight)
    if global_batch_size is None:
        batch = shape(losses)[0]
    else:
        if isinstance(global_batch_size, Tensor):
            batch = global_batch_size
            if batch.shape.ndims not in (None, 0):
                raise ValueError(f"global_batch_size must be scalar, got {batch.name} of shape {batch.shape}")
            if not batch.dtype.is_integer:
                raise TypeError(f"global_batch_size must be an integer, got {batch.name} of {batch.dtype.name}")
        else:
            if np.ndim(global_batch_size) != 0:
                raise ValueError(f"global_batch_size must be scalar, got {global_batch_size!r}")
            if not isinstance(global_batch_size, (int, np.integer)) or isinstance(global_batch_size, bool):
                raise TypeError(f"global_batch_size must be an integer, got {global_batch_size!r}")
            if global_batch_size < 0:
                raise InvalidArgumentError(f"global_batch_size must be non-negative, got {global_batch_size}")
            batch = convert_to_tensor(np.int32(global_batch_size))
    return div_no_nan(reduce_sum(losses), cast(batch, input_dtype))


def scale_regularization_loss(regularization_loss) -> Tensor:
    """The sum of the regularization losses divided by the number of replicas (one)."""
    from .array_ops import stack
    from .math_ops import reduce_sum
    if isinstance(regularization_loss, (list, tuple)) and any(isinstance(t, Tensor) for t in regularization_loss):
        regularization_loss = stack(list(regularization_loss))  # a list of losses packs into one tensor, as in TF
    return reduce_sum(convert_to_tensor(regularization_loss)) / 1
