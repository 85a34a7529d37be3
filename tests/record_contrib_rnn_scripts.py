"""Record what TensorFlow computes for tests/tf1_scripts_contrib_rnn.py, with tf.contrib.rnn's cells written here.

TF 2 has no tf.contrib, so this module defines the contrib cells and wrappers the script uses from TF 1.15's
definitions (their math and variable names) as cells of TF's legacy rnn_cell API, and runs the script over
TF's own dynamic_rnn, bidirectional_dynamic_rnn and static_rnn. Run with a Python that has tensorflow:

    python tests/record_contrib_rnn_scripts.py

It writes tests/data/tf_expectations/script_contrib_rnn_tagger.npz and script_legacy_seq2seq_translate.npz (TF's
translate model of legacy_seq2seq, written here from its definition).
"""

from __future__ import annotations

import types

from tf_recording import EXPECTATIONS_DIR, save, tf  # first: it sets TF's environment (plain kernels) before TF loads

from tensorflow.python.keras.layers.legacy_rnn import rnn_cell_impl as cells
from tensorflow.python.keras.legacy_tf_layers import core
from tf1_scripts_contrib_rnn import STEPS, tagger

LSTMStateTuple = cells.LSTMStateTuple


def _linear(args, size: int):
    """TF1's rnn _Linear: concat(args) @ kernel + bias (zeros) in the current variable scope."""
    args = args if isinstance(args, (list, tuple)) else [args]
    total = sum(a.shape.as_list()[-1] for a in args)
    kernel = tf.get_variable("kernel", [total, size])
    bias = tf.get_variable("bias", [size], initializer=tf.zeros_initializer())
    return tf.matmul(tf.concat(args, 1), kernel) + bias


class LayerNormBasicLSTMCell(cells.RNNCell):
    def __init__(self, units: int, forget_bias: float = 1.0):
        super().__init__(name="layer_norm_basic_lstm_cell")
        self.units, self.forget_bias = units, forget_bias

    @property
    def state_size(self):
        return LSTMStateTuple(self.units, self.units)

    @property
    def output_size(self):
        return self.units

    def _norm(self, x, scope: str):
        with tf.variable_scope(scope):
            gamma = tf.get_variable("gamma", [self.units], initializer=tf.ones_initializer())
            beta = tf.get_variable("beta", [self.units], initializer=tf.zeros_initializer())
        mean, variance = tf.nn.moments(x, [1], keep_dims=True)
        return (x - mean) / tf.sqrt(variance + 1e-12) * gamma + beta

    def call(self, inputs, state):
        c, h = state
        args = tf.concat([inputs, h], 1)
        kernel = tf.get_variable("kernel", [args.shape.as_list()[1], 4 * self.units])
        i, j, f, o = tf.split(tf.matmul(args, kernel), 4, 1)
        i, j, f, o = (self._norm(g, s) for g, s in zip((i, j, f, o), ("input", "transform", "forget", "output")))
        new_c = self._norm(c * tf.sigmoid(f + self.forget_bias) + tf.sigmoid(i) * tf.tanh(j), "state")
        new_h = tf.tanh(new_c) * tf.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


def _block_lstm(x, c, h, units, use_peephole, clip, forget_bias=1.0):
    """The LSTMBlock op's step: gates i, ci, f, o; peepholes on the previous (i, f) and new (o) cell state."""
    kernel = tf.get_variable("kernel", [x.shape.as_list()[1] + units, 4 * units])
    bias = tf.get_variable("bias", [4 * units], initializer=tf.zeros_initializer())
    i, ci, f, o = tf.split(tf.matmul(tf.concat([x, h], 1), kernel) + bias, 4, 1)
    if use_peephole:
        wci, wcf, wco = (tf.get_variable(n, [units]) for n in ("w_i_diag", "w_f_diag", "w_o_diag"))
        i, f = i + c * wci, f + c * wcf
    cs = tf.sigmoid(i) * tf.tanh(ci) + c * tf.sigmoid(f + forget_bias)
    if clip is not None:
        cs = tf.clip_by_value(cs, -clip, clip)
    if use_peephole:
        o = o + cs * wco
    return cs, tf.tanh(cs) * tf.sigmoid(o)


class LSTMBlockCell(cells.RNNCell):
    def __init__(self, units: int, use_peephole: bool = False, cell_clip=None):
        super().__init__(name="lstm_cell")
        self.units, self.use_peephole, self.clip = units, use_peephole, cell_clip

    @property
    def state_size(self):
        return LSTMStateTuple(self.units, self.units)

    @property
    def output_size(self):
        return self.units

    def call(self, inputs, state):
        c, h = _block_lstm(inputs, state[0], state[1], self.units, self.use_peephole, self.clip)
        return h, LSTMStateTuple(c, h)


class GRUBlockCell(cells.RNNCell):
    names = ("w_ru", "b_ru", "w_c", "b_c")

    def __init__(self, units: int):
        super().__init__(name="gru_cell")
        self.units = units

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def call(self, inputs, h):
        n, depth = self.units, inputs.shape.as_list()[1]
        w_ru = tf.get_variable(self.names[0], [depth + n, 2 * n])
        b_ru = tf.get_variable(self.names[1], [2 * n], initializer=tf.constant_initializer(1.0))
        w_c = tf.get_variable(self.names[2], [depth + n, n])
        b_c = tf.get_variable(self.names[3], [n], initializer=tf.zeros_initializer())
        r, u = tf.split(tf.sigmoid(tf.matmul(tf.concat([inputs, h], 1), w_ru) + b_ru), 2, 1)
        c = tf.tanh(tf.matmul(tf.concat([inputs, r * h], 1), w_c) + b_c)
        new_h = u * h + (1 - u) * c
        return new_h, new_h


class GRUBlockCellV2(GRUBlockCell):
    names = ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")


class HighwayWrapper(cells.RNNCell):
    """No scope of its own: carry_w and carry_b live where the wrapper is called (TF 1.15 overrides __call__)."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def zero_state(self, batch_size, dtype):
        return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        outputs, new_state = self.cell(inputs, state, scope=scope)
        n = inputs.shape.as_list()[1]
        carry_w = tf.get_variable("carry_w", [n, n])
        carry_b = tf.get_variable("carry_b", [n], initializer=tf.constant_initializer(1.0))
        carry = tf.sigmoid(tf.matmul(inputs, carry_w) + carry_b)
        return inputs * carry + outputs * (1 - carry), new_state


class _Projection(cells.RNNCell):
    def __init__(self, cell, size: int, activation, name: str):
        super().__init__(name=name)
        self.cell, self.size, self.activation = cell, size, activation

    @property
    def state_size(self):
        return self.cell.state_size

    def zero_state(self, batch_size, dtype):
        return self.cell.zero_state(batch_size, dtype)


class OutputProjectionWrapper(_Projection):
    def __init__(self, cell, size, activation=None):
        super().__init__(cell, size, activation, "output_projection_wrapper")

    @property
    def output_size(self):
        return self.size

    def call(self, inputs, state):
        out, new_state = self.cell(inputs, state)
        projected = _linear(out, self.size)
        return (self.activation(projected) if self.activation else projected), new_state


class InputProjectionWrapper(_Projection):
    def __init__(self, cell, size, activation=None):
        super().__init__(cell, size, activation, "input_projection_wrapper")

    @property
    def output_size(self):
        return self.cell.output_size

    def call(self, inputs, state):
        projected = _linear(inputs, self.size)
        return self.cell(self.activation(projected) if self.activation else projected, state)


class AttentionCellWrapper(cells.RNNCell):
    def __init__(self, cell, attn_length: int):
        super().__init__(name="attention_cell_wrapper")
        self.cell, self.length, self.size = cell, attn_length, cell.output_size

    @property
    def state_size(self):
        return (self.cell.state_size, self.size, self.size * self.length)

    @property
    def output_size(self):
        return self.size

    def call(self, inputs, state):
        cell_state, attns, attn_states = state
        attn_states = tf.reshape(attn_states, [-1, self.length, self.size])
        inputs = _linear([inputs, attns], inputs.shape.as_list()[1])
        output, new_state = self.cell(inputs, cell_state)
        query = tf.concat(tf.nest.flatten(new_state), 1)
        with tf.variable_scope("attention"):
            k = tf.get_variable("attn_w", [1, 1, self.size, self.size])
            v = tf.get_variable("attn_v", [self.size])
            features = tf.einsum("btd,de->bte", attn_states, k[0, 0])
            y = _linear(query, self.size)
            a = tf.nn.softmax(tf.reduce_sum(v * tf.tanh(features + y[:, None, :]), 2))
            new_attns = tf.reduce_sum(a[:, :, None] * attn_states, 1)
        with tf.variable_scope("attn_output_projection"):
            output = _linear([output, new_attns], self.size)
        new_attn_states = tf.reshape(tf.concat([attn_states[:, 1:], output[:, None, :]], 1),
                                     [-1, self.length * self.size])
        return output, (new_state, new_attns, new_attn_states)


class LSTMBlockFusedCell:
    """A time-major sequence through the block LSTM, unrolled: outputs masked past each length, the final state
    the one at each row's length."""

    def __init__(self, units: int):
        self.units = units

    def __call__(self, x, dtype=None, sequence_length=None):
        steps, batch = x.shape.as_list()[0] or STEPS, tf.shape(x)[1]  # the script feeds STEPS steps
        with tf.variable_scope("lstm_cell"):
            c = h = tf.zeros(tf.stack([batch, self.units]))
            cs, hs = [c], [h]
            for t in range(steps):
                c, h = _block_lstm(x[t], c, h, self.units, False, None)
                tf.get_variable_scope().reuse_variables()
                cs.append(c)
                hs.append(h)
        mask = tf.transpose(tf.sequence_mask(sequence_length, steps, dtype=tf.float32))[:, :, None]
        outputs = tf.stack(hs[1:]) * mask
        pick = tf.stack([sequence_length, tf.range(batch)], 1)
        final_h = tf.gather_nd(tf.stack([hs[0]] + tf.unstack(outputs)), pick)
        final_c = tf.gather_nd(tf.stack(cs), pick)
        return outputs, LSTMStateTuple(final_c, final_h)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, sequence_length=None, dtype=None):
    states_fw, states_bw, layer = [], [], inputs
    with tf.variable_scope("stack_bidirectional_rnn"):
        for i, (fw, bw) in enumerate(zip(cells_fw, cells_bw)):
            with tf.variable_scope(f"cell_{i}"):
                outputs, (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(
                    fw, bw, layer, sequence_length=sequence_length, dtype=dtype)
                layer = tf.concat(outputs, 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer, tuple(states_fw), tuple(states_bw)


REFERENCE = types.SimpleNamespace(
    LayerNormBasicLSTMCell=LayerNormBasicLSTMCell, LSTMBlockCell=LSTMBlockCell, GRUBlockCell=GRUBlockCell,
    GRUBlockCellV2=GRUBlockCellV2, HighwayWrapper=HighwayWrapper, OutputProjectionWrapper=OutputProjectionWrapper,
    InputProjectionWrapper=InputProjectionWrapper, AttentionCellWrapper=AttentionCellWrapper,
    LSTMBlockFusedCell=LSTMBlockFusedCell, stack_bidirectional_dynamic_rnn=stack_bidirectional_dynamic_rnn,
    static_rnn=tf.nn.static_rnn)




class EmbeddingWrapper(cells.RNNCell):
    def __init__(self, cell, classes: int, size: int):
        super().__init__(name="embedding_wrapper")
        self.cell, self.classes, self.size = cell, classes, size

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def call(self, inputs, state):
        embedding = tf.get_variable("embedding", [self.classes, self.size])
        return self.cell(tf.nn.embedding_lookup(embedding, tf.reshape(inputs, [-1])), state)


class LegacySeq2seq:
    """TF 1.15's legacy_seq2seq.embedding_attention_seq2seq and its losses, over TF's static_rnn."""

    @staticmethod
    def _attention_decoder(inputs, state, attention_states, cell, output_size, heads, loop):
        with tf.variable_scope("attention_decoder"):
            size = attention_states.shape.as_list()[2]
            ws = [tf.get_variable(f"AttnW_{a}", [1, 1, size, size]) for a in range(heads)]
            vs = [tf.get_variable(f"AttnV_{a}", [size]) for a in range(heads)]
            features = [tf.einsum("bls,st->blt", attention_states, w[0, 0]) for w in ws]

            def attend(query):
                reads = []
                for a in range(heads):
                    with tf.variable_scope(f"Attention_{a}"):
                        y = _linear(query, size)
                        weights = tf.nn.softmax(tf.reduce_sum(vs[a] * tf.tanh(features[a] + y[:, None, :]), 2))
                        reads.append(tf.einsum("bl,bls->bs", weights, attention_states))
                return reads
            attns = [tf.zeros([tf.shape(inputs[0])[0], size]) for _ in range(heads)]
            outputs, prev = [], None
            for i, inp in enumerate(inputs):
                if i > 0:
                    tf.get_variable_scope().reuse_variables()
                if loop is not None and prev is not None:
                    inp = loop(prev)
                x = _linear([inp] + attns, inp.shape.as_list()[1])
                out, state = cell(x, state)
                attns = attend(state)
                with tf.variable_scope("AttnOutputProjection"):
                    output = _linear([out] + attns, output_size)
                prev = output
                outputs.append(output)
        return outputs, state

    def embedding_attention_seq2seq(self, encoder_inputs, decoder_inputs, cell, in_symbols, out_symbols, embed,
                                    num_heads=1, feed_previous=False):
        with tf.variable_scope("embedding_attention_seq2seq"):
            encoder_cell = EmbeddingWrapper(cells.GRUCell(cell.output_size), in_symbols, embed)
            enc_outputs, state = tf.nn.static_rnn(encoder_cell, encoder_inputs, dtype=tf.float32)
            attention_states = tf.stack(enc_outputs, 1)
            projected = OutputProjectionWrapper(cell, out_symbols)
            with tf.variable_scope("embedding_attention_decoder"):
                embedding = tf.get_variable("embedding", [out_symbols, embed])
                loop = (lambda prev: tf.nn.embedding_lookup(embedding, tf.argmax(prev, 1))) if feed_previous \
                    else None
                inputs = [tf.nn.embedding_lookup(embedding, i) for i in decoder_inputs]
                return self._attention_decoder(inputs, state, attention_states, projected, out_symbols, num_heads,
                                               loop)

    @staticmethod
    def sequence_loss_by_example(logits, targets, weights, average_across_timesteps=True):
        total = tf.add_n([tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t, logits=lg) * w
                          for lg, t, w in zip(logits, targets, weights)])
        return total / (tf.add_n(weights) + 1e-12) if average_across_timesteps else total

    def sequence_loss(self, logits, targets, weights):
        return tf.reduce_sum(self.sequence_loss_by_example(logits, targets, weights)) / tf.cast(
            tf.shape(targets[0])[0], tf.float32)


def _record_legacy_translate() -> None:
    from tf1_scripts_contrib_rnn import legacy_translate
    tf.reset_default_graph()
    save(EXPECTATIONS_DIR, "script_legacy_seq2seq_translate", **legacy_translate(tf, LegacySeq2seq(), tf.Session))


if __name__ == "__main__":
    tf.nn.rnn_cell = cells
    tf.layers = types.SimpleNamespace(dense=core.dense)
    tf.reset_default_graph()
    save(EXPECTATIONS_DIR, "script_contrib_rnn_tagger", **tagger(tf, REFERENCE, tf.Session))
    _record_legacy_translate()
