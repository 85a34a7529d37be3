"""TF1's tf.keras.layers.CuDNNLSTM and CuDNNGRU, run as ordinary recurrent steps (on any device): cuDNN's
math (sigmoid gates, tanh; the GRU resets after its recurrent matmul) with cuDNN's two biases per gate,
the weights shaped, named and laid out as TF's (`cu_dnnlstm/kernel:0`, bias [8 units] or [6 units]; each
gate's kernel block holds cuDNN's matrix) so .h5 files and checkpoints written by TF load.
"""

from __future__ import annotations

from .. import array_ops as _array
from .engine import InputSpec
from .layers_rnn import RNN, GRUCell, LSTMCell

__all__ = ["CuDNNGRU", "CuDNNLSTM"]


class _CuDNNRNN(RNN):
    """The weights in the layer's own scope, given to a Keras cell whose bias is the sum of the two."""

    _gates = 1

    def __init__(self, cell, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, time_major: bool = False, **kwargs):
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, False, time_major, **kwargs)
        self.units = int(units)
        self._set_weight_options(
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=3)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        size = self._gates * self.units
        dim = int(input_shape.as_list()[-1])
        self.kernel = self.add_weight("kernel", (dim, size), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, size),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight("bias", (2 * size,), initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.cell.built = self.built = True

    @property
    def weights(self) -> list:
        return [self.kernel, self.recurrent_kernel, self.bias] if self.built else []

    @property
    def trainable_weights(self) -> list:
        return self.weights if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        return [] if self.trainable else self.weights

    @property
    def losses(self) -> list:
        return list(self._losses)

    def _cell_bias(self):
        raise NotImplementedError

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if isinstance(mask, list):
            mask = mask[0]
        if mask is not None or getattr(inputs, "_keras_mask", None) is not None:
            raise ValueError("Masking is not supported for CuDNN RNNs.")
        if isinstance(inputs, list):
            inputs, initial_state = inputs[0], inputs[1:]
        expected = len(self.cell.state_size) if isinstance(self.cell.state_size, list) else 1
        if initial_state is not None and len(initial_state) != expected:
            raise ValueError(f"Layer has {expected} states but was passed {len(initial_state)} initial states.")
        self.cell.kernel, self.cell.recurrent_kernel = self._cell_kernels()
        self.cell.bias = self._cell_bias()
        return super().call(inputs, training=training, initial_state=initial_state)

    def _cell_kernels(self) -> tuple:
        """The kernels as a Keras cell's: TF hands each gate's [inputs, units] block to cuDNN as the bytes of its
        [units, inputs] matrix (and each recurrent block as that of its transpose), so the cell's block is that
        matrix transposed; tf_keras converts CuDNN weights for LSTM/GRU so."""
        u, dim = self.units, self.kernel.shape.as_list()[0]
        gates = range(self._gates)
        kernel = _array.concat([_array.transpose(_array.reshape(self.kernel[:, g * u:(g + 1) * u], [u, dim]))
                                for g in gates], 1)
        recurrent = _array.concat([_array.transpose(self.recurrent_kernel[:, g * u:(g + 1) * u]) for g in gates], 1)
        return kernel, recurrent


class CuDNNLSTM(_CuDNNRNN):
    """cuDNN's LSTM: gates i, f, c, o = sigmoid/tanh(x W + h U + b_x + b_h); bias [b_x (4 units), b_h]."""

    _gates = 4

    def __init__(self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias: bool = True, **kwargs):
        cell = LSTMCell(units, recurrent_activation="sigmoid", name="cudnn_lstm_cell")
        super().__init__(cell, units, kernel_initializer, recurrent_initializer, bias_initializer, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, inner = self.units, self.bias_initializer

        def init(shape, dtype=None, partition_info=None):  # the recurrent forget bias (b_h's f) starts at 1
            return _array.concat([inner([5 * units], dtype=dtype), _array.ones([units], dtype=dtype or "float32"),
                                  inner([2 * units], dtype=dtype)], 0)
        return init

    def _cell_bias(self):
        size = 4 * self.units
        return self.bias[:size] + self.bias[size:]


class CuDNNGRU(_CuDNNRNN):
    """cuDNN's GRU: gates z, r; h~ = tanh(x W_h + b_xh + r (h U_h + b_hh)); h = z h_prev + (1 - z) h~;
    bias [b_x (3 units), b_h]."""

    _gates = 3

    def __init__(self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", **kwargs):
        cell = GRUCell(units, recurrent_activation="sigmoid", reset_after=True, name="cudnn_gru_cell")
        super().__init__(cell, units, kernel_initializer, recurrent_initializer, bias_initializer, **kwargs)

    def _cell_bias(self):
        return _array.reshape(self.bias, [2, 3 * self.units])
