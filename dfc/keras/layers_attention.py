"""tf.keras.layers' LayerNormalization and the dot-product attention layers (Attention: Luong's q k^T,
AdditiveAttention: Bahdanau's sum(scale * tanh(q + k))), as TF's Keras computes them.

Attention layers take [query, value] or [query, value, key]; the value's mask (or causal masking) takes
1e9 from the scores of the steps masked out, the query's mask zeroes the rows of the result.
"""

from __future__ import annotations

from .. import array_ops as _array
from .. import math_ops as _math
from ..framework import Tensor, TensorShape
from ..nn import dropout as _dropout
from ..nn import softmax as _softmax
from ..normalization import batch_normalization, moments
from . import backend as K
from .engine import Layer

__all__ = ["AdditiveAttention", "Attention", "LayerNormalization"]


class LayerNormalization(Layer):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta, the moments taken over `axis` of each sample
    (gamma, beta: weights of the shape of those axes)."""

    _masking = True

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")
        self.epsilon, self.center, self.scale = epsilon, center, scale
        self._set_weight_options(beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                                 beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                                 beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)

    def build(self, input_shape) -> None:
        dims = TensorShape(input_shape).as_list()
        rank = len(dims)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -rank <= a < rank:
                raise ValueError(f"Invalid value for `axis` argument. Expected 0 <= axis < inputs.rank (with "
                                 f"inputs.rank={rank}). Received: axis={tuple(axes)}")
        self.axis = sorted({a % rank for a in axes})
        shape = [dims[a] for a in self.axis]
        self.gamma = self.add_weight("gamma", shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer) if self.scale else None
        self.beta = self.add_weight("beta", shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer) if self.center else None
        self.built = True

    def call(self, inputs) -> Tensor:
        dims = inputs.shape.as_list()
        rank = len(dims)
        mean, variance = moments(inputs, self.axis, keep_dims=True)
        broadcast = [1] * rank
        for a in self.axis:
            broadcast[a] = dims[a]

        def shaped(w):  # a weight over several or inner axes, laid along them
            if w is None or self.axis == [rank - 1]:
                return w
            return _array.reshape(w, broadcast)
        return batch_normalization(inputs, mean, variance, offset=shaped(self.beta), scale=shaped(self.gamma),
                                   variance_epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape


class _DenseAttention(Layer):
    """What Attention and AdditiveAttention share: masks, softmax over the value steps, dropout of the
    weights in training, the weighted sum of the values."""

    _consumes_mask = True

    def __init__(self, dropout: float = 0.0, causal: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.dropout, self.causal = dropout, causal

    def _check_inputs(self, inputs, mask) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or [query, "
                             f"value, key]. Received: {inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, "
                             f"value, key]. Received length: {len(inputs)}.")
        if mask:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. Received: "
                                 f"{mask}.")
            if not 2 <= len(mask) <= len(inputs):
                raise ValueError(f"{name} layer mask must be a list of length 2, namely [query_mask, value_mask]. "
                                 f"Received length: {len(mask)}.")

    def __call__(self, inputs, *args, **kwargs):
        self._check_inputs(inputs, kwargs.get("mask"))  # before build reads the inputs' shapes
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, mask=None, training=None, return_attention_scores: bool = False,
             use_causal_mask: bool = False):
        if mask is None and isinstance(inputs, list) and \
                any(getattr(t, "_keras_mask", None) is not None for t in inputs[:2]):
            mask = [getattr(t, "_keras_mask", None) for t in inputs[:2]]
        self._check_inputs(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask, v_mask = (mask[0], mask[1]) if mask else (None, None)
        scores = self._scores(q, k)
        keep = None if v_mask is None else _array.expand_dims(_math.cast(v_mask, "bool"), -2)
        if self.causal or use_causal_mask:
            ones = _array.ones(_array.concat([_array.ones_like(_array.shape(scores)[:-2]),
                                              _array.shape(scores)[-2:]], 0), dtype="int32")
            lower = _math.greater_equal(_math.cumsum(ones, axis=-2), _math.cumsum(ones, axis=-1))
            keep = lower if keep is None else _math.logical_and(keep, lower)
        if keep is not None:
            big = 65504.0 if scores.dtype.name == "float16" else 1.0e9
            scores = scores - big * _math.cast(_math.logical_not(keep), scores.dtype)
        weights = _softmax(scores)
        if self.dropout > 0:
            weights = K.in_train_phase(lambda: _dropout(weights, rate=self.dropout), _array.identity(weights),
                                       training=K.learning_phase() if training is None else training)
        result = _math.matmul(weights, v)
        if q_mask is not None:
            result = result * _math.cast(_array.expand_dims(q_mask, -1), result.dtype)
            result._keras_mask = q_mask
        return (result, weights) if return_attention_scores else result

    def compute_mask(self, inputs, mask=None):
        return mask[0] if mask else None

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape[0])

    def _own_config(self) -> dict:
        return {}

    def get_config(self) -> dict:
        config = super().get_config()
        config["dropout"] = self.dropout
        config.update(self._own_config())
        if self.causal:  # TF1's Keras wrote it; TF 2's drops it (and with it the layer's causality)
            config["causal"] = True
        return config


class Attention(_DenseAttention):
    """Dot-product (Luong) attention: scores q k^T (times a learnt scalar `scale` with use_scale), or
    score_mode='concat': concat_score_weight * sum(tanh(scale * (q + k)))."""

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f'Received: score_mode={score_mode}. Acceptable values are: ["dot", "concat"]')
        self.use_scale, self.score_mode = use_scale, score_mode

    def build(self, input_shape) -> None:
        self.scale = self.add_weight("scale", (), initializer="ones") if self.use_scale else None
        self.concat_score_weight = self.add_weight("concat_score_weight", (), initializer="ones") \
            if self.score_mode == "concat" else None
        self.built = True

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        if self.score_mode == "dot":
            scores = _math.matmul(query, key, transpose_b=True)
            return scores if self.scale is None else scores * self.scale
        pairs = _array.expand_dims(query, -2) + _array.expand_dims(key, -3)
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * _math.reduce_sum(_math.tanh(pairs), axis=-1)

    def _own_config(self) -> dict:
        return {"use_scale": self.use_scale, "score_mode": self.score_mode}


class AdditiveAttention(_DenseAttention):
    """Additive (Bahdanau) attention: scores sum(scale * tanh(q + k)) over the features, `scale` a learnt
    vector (glorot_uniform) with use_scale, else 1."""

    def __init__(self, use_scale: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale

    def build(self, input_shape) -> None:
        dim = TensorShape(input_shape[1]).as_list()[-1]
        self.scale = self.add_weight("scale", [dim], initializer="glorot_uniform") if self.use_scale else None
        self.built = True

    def _scores(self, query: Tensor, key: Tensor) -> Tensor:
        pairs = _math.tanh(_array.expand_dims(query, -2) + _array.expand_dims(key, -3))
        return _math.reduce_sum(pairs if self.scale is None else self.scale * pairs, axis=-1)

    def _own_config(self) -> dict:
        return {"use_scale": self.use_scale}
