"""tf.contrib.legacy_seq2seq: TF1's list-of-steps sequence-to-sequence models and losses (TF 1.15's definitions).

Inputs are Python lists of [batch, ...] tensors, one per step, as in the early TF translate and PTB
tutorials: rnn_decoder, the basic/tied/embedding RNN seq2seq models, attention_decoder (Bahdanau-style
attention with several heads, variables 'AttnW_<i>', 'AttnV_<i>', 'Attention_<i>/kernel', 'AttnOutputProjection'),
the embedding attention models, sequence_loss(_by_example) and model_with_buckets.
"""

from __future__ import annotations

import copy

from .. import array_ops as A
from .. import math_ops as M
from .. import nn
from ..framework import Tensor, convert_to_tensor, name_scope
from ..gradients_impl import stop_gradient
from ..rnn import static_rnn
from ..rnn_cell import RNNCell
from ..variables import get_variable, get_variable_scope, variable_scope
from .rnn_cells import EmbeddingWrapper, OutputProjectionWrapper, _flatten, _linear

__all__ = ["attention_decoder", "basic_rnn_seq2seq", "embedding_attention_decoder", "embedding_attention_seq2seq",
           "embedding_rnn_decoder", "embedding_rnn_seq2seq", "embedding_tied_rnn_seq2seq", "model_with_buckets",
           "rnn_decoder", "sequence_loss", "sequence_loss_by_example", "tied_rnn_seq2seq"]


def _fresh_copy(cell):
    """A copy of cell (and the cells it wraps) that makes variables of its own at its first call (TF1's
    copy.deepcopy of an unbuilt cell), sharing everything else (tensors such as keep probabilities)."""
    if not isinstance(cell, RNNCell):
        return copy.deepcopy(cell)
    new = copy.copy(cell)
    for key, value in vars(cell).items():
        if isinstance(value, RNNCell):
            setattr(new, key, _fresh_copy(value))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(c, RNNCell) for c in value):
            setattr(new, key, type(value)(_fresh_copy(c) for c in value))
        elif key in ("_variables", "_scope_name", "_vscope", "_weights"):
            setattr(new, key, None)
    return new


def _loop_function(embedding, output_projection=None, update_embedding: bool = True):
    """The next step's input from the previous output: the embedding of its argmax (after the projection)."""
    def loop_function(prev, _):
        if output_projection is not None:
            prev = nn.xw_plus_b(prev, output_projection[0], output_projection[1])
        embedded = nn.embedding_lookup(embedding, M.argmax(prev, 1))
        if not update_embedding:
            embedded = stop_gradient(embedded)
        return embedded
    return loop_function


def rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    """(outputs, state): cell over the decoder inputs from initial_state; with loop_function, step i > 0 takes
    loop_function(previous output, i) instead of its input."""
    with variable_scope(scope or "rnn_decoder"):
        state, outputs, prev = initial_state, [], None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            if i > 0:
                get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    return outputs, state


def basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, dtype="float32", scope=None):
    """An encoder (a copy of cell, static_rnn) whose final state starts rnn_decoder over the decoder inputs."""
    with variable_scope(scope or "basic_rnn_seq2seq"):
        _, state = static_rnn(_fresh_copy(cell), encoder_inputs, dtype=dtype)
        return rnn_decoder(decoder_inputs, state, cell)


def tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, loop_function=None, dtype="float32", scope=None):
    """basic_rnn_seq2seq with the encoder and decoder sharing one cell's variables."""
    with variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, state = static_rnn(cell, encoder_inputs, dtype=dtype, scope=scope)
        get_variable_scope().reuse_variables()
        return rnn_decoder(decoder_inputs, state, cell, loop_function=loop_function, scope=scope)


def _check_projection(output_projection, num_symbols: int):
    if output_projection is None:
        return
    weights, biases = convert_to_tensor(output_projection[0]), convert_to_tensor(output_projection[1])
    if weights.shape.ndims != 2 or weights.shape.as_list()[1] not in (None, num_symbols):
        raise ValueError(f"output_projection weights {weights.name} must be [?, {num_symbols}], got {weights.shape}")
    if biases.shape.ndims != 1 or biases.shape.as_list()[0] not in (None, num_symbols):
        raise ValueError(f"output_projection biases {biases.name} must be [{num_symbols}], got {biases.shape}")


def embedding_rnn_decoder(decoder_inputs, initial_state, cell, num_symbols: int, embedding_size: int,
                          output_projection=None, feed_previous: bool = False,
                          update_embedding_for_previous: bool = True, scope=None):
    """rnn_decoder over the 'embedding' of integer decoder inputs (with feed_previous, of each step's argmax)."""
    with variable_scope(scope or "embedding_rnn_decoder"):
        _check_projection(output_projection, num_symbols)
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        loop = _loop_function(embedding, output_projection, update_embedding_for_previous) if feed_previous \
            else None
        inputs = [nn.embedding_lookup(embedding, i) for i in decoder_inputs]
        return rnn_decoder(inputs, initial_state, cell, loop_function=loop)


def _either(feed_previous, build):
    """build(True) or build(False) by a bool tensor (TF1 builds both and picks with tf.cond; a select here)."""
    if isinstance(feed_previous, bool):
        return build(feed_previous)
    fed = build(True)
    get_variable_scope().reuse_variables()
    teacher = build(False)
    flat_fed, flat_teacher = _flatten(fed), _flatten(teacher)
    picked = [M.where(feed_previous, a, b) for a, b in zip(flat_fed, flat_teacher)]
    outputs, state = fed
    n = len(outputs)
    return picked[:n], _pack_like(state, picked[n:])


def _pack_like(structure, flat):
    it = iter(flat)

    def build(s):
        if isinstance(s, (list, tuple)):
            items = [build(x) for x in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        return next(it)
    return build(structure)


def embedding_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols: int, num_decoder_symbols: int,
                          embedding_size: int, output_projection=None, feed_previous=False, dtype=None, scope=None):
    """An embedded encoder (EmbeddingWrapper on a copy of cell) and embedding_rnn_decoder (cell, through an
    OutputProjectionWrapper to the decoder vocabulary unless output_projection is given)."""
    with variable_scope(scope or "embedding_rnn_seq2seq"):
        dtype = dtype or "float32"
        encoder_cell = EmbeddingWrapper(_fresh_copy(cell), num_encoder_symbols, embedding_size)
        _, state = static_rnn(encoder_cell, encoder_inputs, dtype=dtype)
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
        return _either(feed_previous, lambda fp: embedding_rnn_decoder(
            decoder_inputs, state, cell, num_decoder_symbols, embedding_size, output_projection=output_projection,
            feed_previous=fp))


def embedding_tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_symbols: int, embedding_size: int,
                               num_decoder_symbols=None, output_projection=None, feed_previous=False, dtype=None,
                               scope=None):
    """tied_rnn_seq2seq over one shared 'embedding' of encoder and decoder symbols."""
    with variable_scope(scope or "embedding_tied_rnn_seq2seq"):
        dtype = dtype or "float32"
        _check_projection(output_projection, num_decoder_symbols or num_symbols)
        embedding = get_variable("embedding", [num_symbols, embedding_size], dtype=dtype)
        enc = [nn.embedding_lookup(embedding, x) for x in encoder_inputs]
        dec = [nn.embedding_lookup(embedding, x) for x in decoder_inputs]
        output_symbols = num_decoder_symbols or num_symbols
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, output_symbols)

        def build(fp):
            loop = _loop_function(embedding, output_projection, True) if fp else None
            return tied_rnn_seq2seq(enc, dec, cell, loop_function=loop, dtype=dtype)
        return _either(feed_previous, build)


def attention_decoder(decoder_inputs, initial_state, attention_states, cell, output_size=None, num_heads: int = 1,
                      loop_function=None, dtype=None, scope=None, initial_state_attention: bool = False):
    """(outputs, state) of an RNN decoder that attends (num_heads heads) over attention_states [batch, length,
    size] at every step: the input is linear([input] + attentions), the output linear([cell output] +
    attentions) of output_size."""
    if not decoder_inputs:
        raise ValueError("Must provide at least 1 input to attention decoder.")
    if num_heads < 1:
        raise ValueError("With less than 1 heads, use a non-attention decoder.")
    attention_states = convert_to_tensor(attention_states)
    if attention_states.shape.ndims != 3 or attention_states.shape.as_list()[2] is None:
        raise ValueError(f"Shape[2] of attention_states must be known: {attention_states.shape} "
                         f"({attention_states.name})")
    output_size = cell.output_size if output_size is None else output_size
    with variable_scope(scope or "attention_decoder"):
        dtype = dtype or attention_states.dtype
        length = attention_states.shape.as_list()[1]
        length = length if length is not None else A.shape(attention_states)[1]
        size = attention_states.shape.as_list()[2]
        hidden = A.reshape(attention_states, [-1, length, 1, size]) if isinstance(length, int) else \
            A.expand_dims(attention_states, 2)
        features, vs = [], []
        for a in range(num_heads):
            k = get_variable(f"AttnW_{a}", [1, 1, size, size], dtype=dtype)
            features.append(nn.conv2d(hidden, k, [1, 1, 1, 1], "SAME"))
            vs.append(get_variable(f"AttnV_{a}", [size], dtype=dtype))

        def attention(query):
            query = A.concat(_flatten(query), 1) if isinstance(query, (list, tuple)) else query
            reads = []
            for a in range(num_heads):
                with variable_scope(f"Attention_{a}"):
                    y = A.reshape(_linear(query, size), [-1, 1, 1, size])
                    s = M.reduce_sum(vs[a] * M.tanh(features[a] + y), [2, 3])
                    weights = nn.softmax(s)
                    d = M.reduce_sum(A.expand_dims(A.expand_dims(weights, 2), 3) * hidden, [1, 2])
                    reads.append(A.reshape(d, [-1, size]))
            return reads

        first = convert_to_tensor(decoder_inputs[0])
        attns = [A.zeros([A.shape(first)[0], size], dtype=dtype) for _ in range(num_heads)]
        for a in attns:
            a.set_shape([None, size])
        state = initial_state
        if initial_state_attention:
            attns = attention(initial_state)
        outputs, prev = [], None
        for i, inp in enumerate(decoder_inputs):
            if i > 0:
                get_variable_scope().reuse_variables()
            if loop_function is not None and prev is not None:
                with variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            inp = convert_to_tensor(inp)
            if inp.shape.ndims != 2 or inp.shape.as_list()[1] is None:
                raise ValueError(f"Could not infer input size from input: {inp.name}")
            x = _linear([inp] + attns, inp.shape.as_list()[1])
            cell_output, state = cell(x, state)
            if i == 0 and initial_state_attention:  # the heads' variables were made reading the initial state
                with variable_scope(get_variable_scope(), reuse=True):
                    attns = attention(state)
            else:
                attns = attention(state)
            with variable_scope("AttnOutputProjection"):
                output = _linear([cell_output] + attns, output_size)
            if loop_function is not None:
                prev = output
            outputs.append(output)
    return outputs, state


def embedding_attention_decoder(decoder_inputs, initial_state, attention_states, cell, num_symbols: int,
                                embedding_size: int, num_heads: int = 1, output_size=None, output_projection=None,
                                feed_previous: bool = False, update_embedding_for_previous: bool = True, dtype=None,
                                scope=None, initial_state_attention: bool = False):
    """attention_decoder over the 'embedding' of integer decoder inputs (with feed_previous, of each argmax)."""
    output_size = cell.output_size if output_size is None else output_size
    with variable_scope(scope or "embedding_attention_decoder"):
        _check_projection(output_projection, num_symbols)
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        loop = _loop_function(embedding, output_projection, update_embedding_for_previous) if feed_previous \
            else None
        inputs = [nn.embedding_lookup(embedding, i) for i in decoder_inputs]
        return attention_decoder(inputs, initial_state, attention_states, cell, output_size=output_size,
                                 num_heads=num_heads, loop_function=loop,
                                 initial_state_attention=initial_state_attention)


def embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols: int,
                                num_decoder_symbols: int, embedding_size: int, num_heads: int = 1,
                                output_projection=None, feed_previous=False, dtype=None, scope=None,
                                initial_state_attention: bool = False):
    """An embedded encoder whose outputs the embedding_attention_decoder attends over (TF's translate model)."""
    with variable_scope(scope or "embedding_attention_seq2seq"):
        dtype = dtype or "float32"
        encoder_cell = EmbeddingWrapper(_fresh_copy(cell), num_encoder_symbols, embedding_size)
        encoder_outputs, state = static_rnn(encoder_cell, encoder_inputs, dtype=dtype)
        attention_states = A.concat([A.reshape(e, [-1, 1, cell.output_size]) for e in encoder_outputs], 1)
        output_size = None
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
            output_size = num_decoder_symbols
        return _either(feed_previous, lambda fp: embedding_attention_decoder(
            decoder_inputs, state, attention_states, cell, num_decoder_symbols, embedding_size, num_heads=num_heads,
            output_size=output_size, output_projection=output_projection, feed_previous=fp,
            initial_state_attention=initial_state_attention))


def sequence_loss_by_example(logits, targets, weights, average_across_timesteps: bool = True,
                             softmax_loss_function=None, name: str | None = None) -> Tensor:
    """Per example: the sum over steps of weight * cross entropy(logits, target), divided by the steps' total
    weight (+1e-12) when average_across_timesteps."""
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError(f"Lengths of logits, weights, and targets must be the same {len(logits)}, {len(weights)}, "
                         f"{len(targets)}.")
    with name_scope(name, "sequence_loss_by_example"):
        terms = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                crossent = nn.sparse_softmax_cross_entropy_with_logits(labels=A.reshape(target, [-1]), logits=logit)
            else:
                crossent = softmax_loss_function(labels=target, logits=logit)
            terms.append(crossent * weight)
        total = M.add_n(terms)
        if average_across_timesteps:
            total = total / (M.add_n([convert_to_tensor(w) for w in weights]) + 1e-12)
    return total


def sequence_loss(logits, targets, weights, average_across_timesteps: bool = True, average_across_batch: bool = True,
                  softmax_loss_function=None, name: str | None = None) -> Tensor:
    """The sum of sequence_loss_by_example, divided by the batch size when average_across_batch."""
    with name_scope(name, "sequence_loss"):
        cost = M.reduce_sum(sequence_loss_by_example(logits, targets, weights, average_across_timesteps,
                                                     softmax_loss_function))
        if average_across_batch:
            return cost / M.cast(A.shape(convert_to_tensor(targets[0]))[0], cost.dtype)
        return cost


def model_with_buckets(encoder_inputs, decoder_inputs, targets, weights, buckets, seq2seq, softmax_loss_function=None,
                       per_example_loss: bool = False, name: str | None = None):
    """(outputs, losses) per bucket (encoder length, decoder length): seq2seq on the inputs cut to the bucket,
    every bucket sharing the first one's variables."""
    if len(encoder_inputs) < buckets[-1][0]:
        raise ValueError(f"Length of encoder_inputs ({len(encoder_inputs)}) must be at least that of last bucket "
                         f"({buckets[-1][0]}).")
    if len(targets) < buckets[-1][1]:
        raise ValueError(f"Length of targets ({len(targets)}) must be at least that of last bucket "
                         f"({buckets[-1][1]}).")
    if len(weights) < buckets[-1][1]:
        raise ValueError(f"Length of weights ({len(weights)}) must be at least that of last bucket "
                         f"({buckets[-1][1]}).")
    losses, outputs = [], []
    with name_scope(name, "model_with_buckets"):
        for j, (enc_len, dec_len) in enumerate(buckets):
            with variable_scope(get_variable_scope(), reuse=True if j > 0 else None):
                bucket_outputs, _ = seq2seq(encoder_inputs[:enc_len], decoder_inputs[:dec_len])
                outputs.append(bucket_outputs)
                loss = sequence_loss_by_example if per_example_loss else sequence_loss
                losses.append(loss(bucket_outputs, targets[:dec_len], weights[:dec_len],
                                   softmax_loss_function=softmax_loss_function))
    return outputs, losses
