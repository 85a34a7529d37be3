"""tf.contrib.seq2seq's attention mechanisms: Bahdanau and Luong scores over a memory, softmax or monotonic.

As in TF 1.15: the memory is zeroed past memory_sequence_length and projected once by 'memory_layer'
(the keys) where the mechanism is made; each call scores the query against the keys (under the scope
'bahdanau_attention' / 'luong_attention', whose variables are 'query_layer/kernel', 'attention_v',
'attention_g', 'attention_b'), masks the scores past the memory's lengths with score_mask_value (-inf)
and turns them into alignments with probability_fn (softmax).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ... import array_ops as A
from ... import math_ops as M
from ... import nn
from ...framework import Tensor, convert_to_tensor, name_scope
from ...tensor_ops import sequence_mask
from ...variables import constant_initializer, get_variable, ones_initializer, variable_scope, zeros_initializer

__all__ = ["AttentionMechanism", "BahdanauAttention", "BahdanauMonotonicAttention", "LuongAttention",
           "LuongMonotonicAttention", "hardmax", "monotonic_attention", "safe_cumprod"]


class AttentionMechanism:
    """The interface AttentionWrapper drives: alignments over a memory, from a query and a previous state."""

    @property
    def alignments_size(self):
        raise NotImplementedError

    @property
    def state_size(self):
        raise NotImplementedError


def _dense(units: int, name: str, dtype):
    from ...layers.core import Dense
    return Dense(units, name=name, use_bias=False, dtype=dtype)


def _memory_layer(units: int, dtype):
    """The Dense layer of the keys, built where the mechanism is made: named as TF1 names a layer there
    ('memory_layer', then 'memory_layer_1' for a second mechanism; the plain name in a reusing scope)."""
    from ...layers.base import unique_layer_name
    from ...variables import get_variable_scope
    name = "memory_layer" if get_variable_scope().reuse is True else unique_layer_name("memory_layer")
    return _dense(units, name, dtype)


def _prepare_memory(memory, memory_sequence_length, check_inner_dims_defined: bool) -> Tensor:
    memory = convert_to_tensor(memory, name="memory")
    if memory.shape.ndims is None or memory.shape.ndims < 2:
        raise ValueError(f"Expected memory {memory.name} to have rank at least 2 ([batch, time, ...]), got shape "
                         f"{memory.shape}")
    if check_inner_dims_defined and None in memory.shape.as_list()[2:]:
        raise ValueError(f"Expected memory {memory.name} to have fully defined inner dims, but saw shape: "
                         f"{memory.shape}")
    if memory_sequence_length is None:
        return memory
    from ...debugging import assert_equal
    from ...framework import control_dependencies
    lengths = convert_to_tensor(memory_sequence_length, name="memory_sequence_length")
    steps = memory.shape.as_list()[1]
    mask = sequence_mask(lengths, maxlen=steps if steps is not None else A.shape(memory)[1], dtype=memory.dtype)
    batch_l = lengths.shape.as_list()[0] if lengths.shape.ndims else None
    batch_m = memory.shape.as_list()[0]
    check = assert_equal(batch_l if batch_l is not None else A.size(lengths),
                         batch_m if batch_m is not None else A.shape(memory)[0],
                         message="memory_sequence_length and memory tensor batch sizes do not match.")
    with control_dependencies([check]):
        for _ in range(memory.shape.ndims - 2):
            mask = A.expand_dims(mask, -1)
        return memory * mask


def _mask_score(score: Tensor, memory_sequence_length, score_mask_value) -> Tensor:
    if memory_sequence_length is None:
        return score
    steps = score.shape.as_list()[1]
    mask = sequence_mask(memory_sequence_length, maxlen=steps if steps is not None else A.shape(score)[1])
    return M.where(mask, score, score_mask_value * A.ones_like(score))


class _BaseAttentionMechanism(AttentionMechanism):
    """The memory, its keys (the memory through memory_layer) and the masked probability function."""

    _score_scope = "attention"

    def __init__(self, query_layer, memory, probability_fn, memory_sequence_length=None, memory_layer=None,
                 check_inner_dims_defined: bool = True, score_mask_value=None, custom_key_value_fn=None,
                 name: str | None = None):
        from ...layers.base import Layer
        if query_layer is not None and not isinstance(query_layer, Layer):
            raise TypeError(f"query_layer is not a Layer: {type(query_layer).__name__}")
        if memory_layer is not None and not isinstance(memory_layer, Layer):
            raise TypeError(f"memory_layer is not a Layer: {type(memory_layer).__name__}")
        if not callable(probability_fn):
            raise TypeError(f"probability_fn must be callable, saw type: {type(probability_fn).__name__}")
        self._query_layer, self._memory_layer = query_layer, memory_layer
        self.dtype = memory_layer.dtype if memory_layer is not None else None
        with name_scope(name, "BaseAttentionMechanismInit", [memory]):
            self._values = _prepare_memory(memory, memory_sequence_length, check_inner_dims_defined)
            if self.dtype is None:
                self.dtype = self._values.dtype
            if score_mask_value is None:
                score_mask_value = np.array(-np.inf, self._values.dtype.np)
            lengths = None if memory_sequence_length is None else convert_to_tensor(memory_sequence_length)
            self._probability_fn = lambda score, prev: probability_fn(_mask_score(score, lengths, score_mask_value),
                                                                      prev)
            self._keys = self._memory_layer(self._values) if self._memory_layer is not None else self._values
            if custom_key_value_fn is not None:
                self._keys, self._values = custom_key_value_fn(self._keys, self._values)
            batch = self._keys.shape.as_list()[0]
            self._batch_size = batch if batch is not None else A.shape(self._keys)[0]
            steps = self._keys.shape.as_list()[1]
            self._alignments_size = steps if steps is not None else A.shape(self._keys)[1]

    @property
    def memory_layer(self):
        return self._memory_layer

    @property
    def query_layer(self):
        return self._query_layer

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def keys(self) -> Tensor:
        return self._keys

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def alignments_size(self):
        return self._alignments_size

    @property
    def state_size(self):
        return self._alignments_size

    def initial_alignments(self, batch_size, dtype) -> Tensor:
        """Zeros of [batch_size, memory time]."""
        return A.zeros([batch_size, self._alignments_size], dtype=dtype)

    def initial_state(self, batch_size, dtype) -> Tensor:
        return self.initial_alignments(batch_size, dtype)

    def __call__(self, query, state):
        """The alignments for `query` given the previous ones (`state`): also the next state."""
        with self._scope():
            score = self._score(query)
        alignments = self._probability_fn(score, state)
        return alignments, alignments

    def _score(self, query) -> Tensor:
        """The query's score against each key (in the mechanism's variable scope)."""
        raise NotImplementedError(f"{type(self).__name__} defines no score")

    def _scope(self):
        """The mechanism's variable scope at a call: its default name, numbered within the enclosing scope as
        TF1 numbers them (entering the cell's scope again restarts the numbers, so a second call reuses)."""
        from ...layers.base import unique_layer_name
        return variable_scope(unique_layer_name(self._score_scope))


def _luong_score(query: Tensor, keys: Tensor, scale) -> Tensor:
    depth, key_units = query.shape.as_list()[-1], keys.shape.as_list()[-1]
    if depth is None or key_units is None or depth != key_units:
        raise ValueError(f"Incompatible or unknown inner dimensions between query and keys.  Query ({query.name}) "
                         f"has units: {depth}.  Keys ({keys.name}) have units: {key_units}.  Perhaps you need to set "
                         f"num_units to the keys' dimension ({key_units})?")
    score = A.squeeze(M.matmul(A.expand_dims(query, 1), keys, transpose_b=True), [1])
    return score if scale is None else scale * score


def _bahdanau_score(processed_query: Tensor, keys: Tensor, normalize: bool) -> Tensor:
    dtype = processed_query.dtype
    units = keys.shape.as_list()[2]
    processed_query = A.expand_dims(processed_query, 1)
    v = get_variable("attention_v", [units], dtype=dtype)
    if normalize:
        g = get_variable("attention_g", shape=(), dtype=dtype, initializer=constant_initializer(math.sqrt(1. / units)))
        b = get_variable("attention_b", [units], dtype=dtype, initializer=zeros_initializer())
        normed_v = g * v * M.rsqrt(M.reduce_sum(M.square(v)))
        return M.reduce_sum(normed_v * M.tanh(keys + processed_query + b), [2])
    return M.reduce_sum(v * M.tanh(keys + processed_query), [2])


def _luong_query_score(mechanism: _BaseAttentionMechanism, query) -> Tensor:
    """Luong's score of a mechanism's call: query . keys, times a learned scalar 'attention_g' when it scales."""
    query = convert_to_tensor(query)
    g = get_variable("attention_g", shape=(), dtype=query.dtype, initializer=ones_initializer()) \
        if mechanism._scale else None
    return _luong_score(query, mechanism._keys, g)


def _bahdanau_query_score(mechanism: _BaseAttentionMechanism, query) -> Tensor:
    """Bahdanau's score of a mechanism's call: v . tanh(keys + query_layer(query)), v normalized when it says."""
    layer = mechanism._query_layer
    processed = layer(query) if layer is not None else convert_to_tensor(query)
    return _bahdanau_score(processed, mechanism._keys, mechanism._normalize)


def _softmax_probability(probability_fn):
    fn = probability_fn if probability_fn is not None else nn.softmax
    return lambda score, _: fn(score)


class LuongAttention(_BaseAttentionMechanism):
    """Multiplicative attention (Luong et al. 2015): score = query . keys (times a learned scalar g if scale)."""

    _score_scope = "luong_attention"

    def __init__(self, num_units: int, memory, memory_sequence_length=None, scale: bool = False, probability_fn=None,
                 score_mask_value=None, dtype=None, custom_key_value_fn=None, name: str = "LuongAttention"):
        dtype = dtype if dtype is not None else "float32"
        super().__init__(None, memory, _softmax_probability(probability_fn), memory_sequence_length,
                         _memory_layer(num_units, dtype), score_mask_value=score_mask_value,
                         custom_key_value_fn=custom_key_value_fn, name=name)
        self._num_units, self._scale, self._name = num_units, scale, name

    _score = _luong_query_score


class BahdanauAttention(_BaseAttentionMechanism):
    """Additive attention (Bahdanau et al. 2015): score = v . tanh(keys + query_layer(query)); with normalize,
    weight normalization of v (Salimans & Kingma 2016)."""

    _score_scope = "bahdanau_attention"

    def __init__(self, num_units: int, memory, memory_sequence_length=None, normalize: bool = False,
                 probability_fn=None, score_mask_value=None, dtype=None, custom_key_value_fn=None,
                 name: str = "BahdanauAttention"):
        dtype = dtype if dtype is not None else "float32"
        super().__init__(_dense(num_units, "query_layer", dtype), memory, _softmax_probability(probability_fn),
                         memory_sequence_length, _memory_layer(num_units, dtype),
                         score_mask_value=score_mask_value, custom_key_value_fn=custom_key_value_fn, name=name)
        self._num_units, self._normalize, self._name = num_units, normalize, name

    _score = _bahdanau_query_score


# ---- hard and monotonic attention ------------------------------------------------------------------------
def hardmax(logits, name: str | None = None) -> Tensor:
    """one_hot(argmax(logits, -1)) in logits' dtype."""
    with name_scope(name, "Hardmax", [logits]):
        logits = convert_to_tensor(logits, name="logits")
        depth = logits.shape.as_list()[-1] if logits.shape.ndims else None
        return A.one_hot(M.argmax(logits, -1), depth if depth is not None else A.shape(logits)[-1],
                         dtype=logits.dtype)


def safe_cumprod(x, *args, **kwargs) -> Tensor:
    """cumprod(x) computed as exp(cumsum(log(x))), x clipped to [tiny, 1]: no underflow to 0 on long products."""
    from ...clip_ops import clip_by_value
    with name_scope(None, "SafeCumprod", [x]):
        x = convert_to_tensor(x, name="x")
        tiny = np.finfo(x.dtype.np).tiny
        return M.exp(M.cumsum(M.log(clip_by_value(x, tiny, 1)), *args, **kwargs))


def monotonic_attention(p_choose_i, previous_attention, mode: str) -> Tensor:
    """The attention of a monotonic alignment (Raffel et al. 2017) from the choosing probabilities and the previous
    step's attention: mode 'recursive' (a scan), 'parallel' (cumulative products) or 'hard' (0/1 choices)."""
    from ...clip_ops import clip_by_value
    p_choose_i = convert_to_tensor(p_choose_i, name="p_choose_i")
    previous_attention = convert_to_tensor(previous_attention, name="previous_attention")
    if mode == "recursive":  # q_j = (1 - p_{j-1}) q_{j-1} + previous_j; attention_j = p_j q_j
        steps = p_choose_i.shape.as_list()[1] if p_choose_i.shape.ndims == 2 else None
        if steps is not None:
            q, out = None, []
            for j in range(steps):
                q = previous_attention[:, j] if j == 0 else (1 - p_choose_i[:, j - 1]) * q + previous_attention[:, j]
                out.append(p_choose_i[:, j] * q)
            return A.stack(out, 1)
        from ...control_flow_ops import scan
        shifted = A.concat([A.ones_like(p_choose_i[:, :1]), 1 - p_choose_i[:, :-1]], 1)
        steps = scan(lambda x, yz: yz[0] * x + yz[1], [A.transpose(shifted), A.transpose(previous_attention)],
                     A.zeros_like(p_choose_i[:, 0]))
        return p_choose_i * A.transpose(steps)
    if mode == "parallel":
        cumprod = safe_cumprod(1 - p_choose_i, axis=1, exclusive=True)
        return p_choose_i * cumprod * M.cumsum(previous_attention / clip_by_value(cumprod, 1e-10, 1.), axis=1)
    if mode == "hard":
        p_choose_i = p_choose_i * M.cumsum(previous_attention, axis=1)
        return p_choose_i * M.cumprod(1 - p_choose_i, axis=1, exclusive=True)
    raise ValueError(f"mode must be 'recursive', 'parallel', or 'hard', got {mode!r}.")


def _monotonic_probability_fn(score, previous_alignments, sigmoid_noise, mode, seed=None):
    if sigmoid_noise > 0:
        from ... import random_ops
        score = score + sigmoid_noise * random_ops.random_normal(A.shape(score), dtype=score.dtype, seed=seed)
    p_choose_i = M.cast(M.greater(score, 0), score.dtype) if mode == "hard" else M.sigmoid(score)
    return monotonic_attention(p_choose_i, previous_alignments, mode)


class _BaseMonotonicAttentionMechanism(_BaseAttentionMechanism):
    """Monotonic attention starts on the memory's first entry."""

    def initial_alignments(self, batch_size, dtype) -> Tensor:
        size = self._alignments_size
        batch = batch_size if not isinstance(batch_size, int) else [batch_size]
        starts = A.zeros(A.stack([batch_size]) if isinstance(batch_size, Tensor) else batch, dtype="int32")
        return A.one_hot(starts, size, dtype=dtype)

    def _score(self, query) -> Tensor:
        """The family's score plus a learned scalar bias 'attention_score_bias'."""
        score = self._unbiased_score(query)
        bias = get_variable("attention_score_bias", shape=(), dtype=score.dtype,
                            initializer=constant_initializer(self._score_bias_init))
        return score + bias

    def _unbiased_score(self, query) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} defines no score")


def _monotonic_probability(sigmoid_noise: float, seed, mode: str):
    return functools.partial(_monotonic_probability_fn, sigmoid_noise=sigmoid_noise, mode=mode, seed=seed)


class BahdanauMonotonicAttention(_BaseMonotonicAttentionMechanism):
    """Bahdanau's score plus a learned scalar bias ('attention_score_bias'), as monotonic attention."""

    _score_scope = "bahdanau_monotonic_attention"

    def __init__(self, num_units: int, memory, memory_sequence_length=None, normalize: bool = False,
                 score_mask_value=None, sigmoid_noise: float = 0., sigmoid_noise_seed=None,
                 score_bias_init: float = 0., mode: str = "parallel", dtype=None,
                 name: str = "BahdanauMonotonicAttention"):
        dtype = dtype if dtype is not None else "float32"
        super().__init__(_dense(num_units, "query_layer", dtype), memory,
                         _monotonic_probability(sigmoid_noise, sigmoid_noise_seed, mode), memory_sequence_length,
                         _memory_layer(num_units, dtype), score_mask_value=score_mask_value, name=name)
        self._num_units, self._normalize, self._score_bias_init, self._name = num_units, normalize, \
            score_bias_init, name

    _unbiased_score = _bahdanau_query_score


class LuongMonotonicAttention(_BaseMonotonicAttentionMechanism):
    """Luong's score plus a learned scalar bias ('attention_score_bias'), as monotonic attention."""

    _score_scope = "luong_monotonic_attention"

    def __init__(self, num_units: int, memory, memory_sequence_length=None, scale: bool = False,
                 score_mask_value=None, sigmoid_noise: float = 0., sigmoid_noise_seed=None,
                 score_bias_init: float = 0., mode: str = "parallel", dtype=None,
                 name: str = "LuongMonotonicAttention"):
        dtype = dtype if dtype is not None else "float32"
        super().__init__(None, memory, _monotonic_probability(sigmoid_noise, sigmoid_noise_seed, mode),
                         memory_sequence_length, _memory_layer(num_units, dtype), score_mask_value=score_mask_value,
                         name=name)
        self._num_units, self._scale, self._score_bias_init, self._name = num_units, scale, score_bias_init, name

    _unbiased_score = _luong_query_score
