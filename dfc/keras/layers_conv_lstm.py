"""tf.keras.layers.ConvLSTM2D: an LSTM whose input and recurrent transforms are 2-D convolutions, over
[batch, time, rows, cols, channels] (or channels first), as TF's Keras computes it.

Gates i, f, c, o = conv(x, kernel) + bias + conv(h, recurrent_kernel) (the recurrent one 'same', stride 1);
the states are [batch, out_rows, out_cols, filters]. The weights are the layer's own (`<name>/kernel:0`,
kernel_size + (channels, 4 filters)).
"""

from __future__ import annotations

import math

from .. import array_ops as _array
from ..framework import Tensor, TensorShape
from ..nn_conv import convolution
from .engine import InputSpec
from .layers_rnn import RNN, LSTMCell

__all__ = ["ConvLSTM2D", "ConvLSTM2DCell"]


def _pair(value, name: str) -> tuple[int, int]:
    values = (value, value) if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != 2:
        raise ValueError(f"The `{name}` argument must be a tuple of 2 integers. Received: {value}")
    return values


def _out_length(size, kernel: int, padding: str, stride: int, dilation: int):
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / stride)
    return math.ceil((size - (kernel - 1) * dilation) / stride)


class ConvLSTM2DCell(LSTMCell):
    """One step of ConvLSTM2D: LSTMCell's gates with convolutions for the matmuls."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding: str = "valid", data_format=None,
                 dilation_rate=(1, 1), **kwargs):
        super().__init__(filters, **kwargs)
        self.filters = int(filters)
        self.kernel_size, self.strides = _pair(kernel_size, "kernel_size"), _pair(strides, "strides")
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be a list/tuple or one of \"valid\", \"same\" (or "
                             f"\"causal\", only for `Conv1D). Received: {padding}")
        from .backend_config import image_data_format
        self.data_format = data_format or image_data_format()
        self._spatial: tuple = (None, None)

    @property
    def state_size(self):
        return [self.filters, self.filters]

    @property
    def output_size(self) -> TensorShape:
        """One step's output without the batch (for the while loop over an unknown number of steps)."""
        return TensorShape(self._state_shape())

    def _state_shape(self) -> list:
        rows, cols = self._spatial
        return [rows, cols, self.filters] if self.data_format == "channels_last" else [self.filters, rows, cols]

    def build(self, input_shape) -> None:
        dims = TensorShape(input_shape).as_list()
        first = self.data_format == "channels_first"
        channels = dims[1] if first else dims[-1]
        rows, cols = (dims[2], dims[3]) if first else (dims[1], dims[2])
        self._spatial = tuple(_out_length(n, k, self.padding, s, d) for n, k, s, d in
                              zip((rows, cols), self.kernel_size, self.strides, self.dilation_rate))
        size = 4 * self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels, size),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", self.kernel_size + (self.filters, size),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight("bias", (size,), initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint) \
            if self.use_bias else None
        self.built = True

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None) -> list[Tensor]:
        """Zero h and c for `batch_size` rows (or as many as `inputs` has), as the Keras RNN layer asks."""
        batch = batch_size
        if batch is None and inputs is not None:
            batch = inputs.shape.as_list()[0] if inputs.shape.as_list()[0] is not None else _array.shape(inputs)[0]
            dtype = dtype or inputs.dtype
        spatial = self._state_shape()
        shape = _array.stack([batch] + spatial) if isinstance(batch, Tensor) else [batch] + spatial
        return [_array.zeros(shape, dtype=dtype), _array.zeros(shape, dtype=dtype)]

    def _conv(self, x: Tensor, w: Tensor, padding: str, strides, dilation) -> Tensor:
        fmt = "NCHW" if self.data_format == "channels_first" else "NHWC"
        return convolution(x, w, padding=padding.upper(), strides=list(strides), dilation_rate=list(dilation),
                           data_format=fmt)

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states[0], states[1]
        x, h = self._drop(inputs, h_prev)
        z = self._conv(x, self.kernel, self.padding, self.strides, self.dilation_rate) + \
            self._conv(h, self.recurrent_kernel, "same", (1, 1), (1, 1))
        if self.bias is not None:
            axis_shape = [1, -1, 1, 1] if self.data_format == "channels_first" else [-1]
            z = z + _array.reshape(self.bias, axis_shape)
        zi, zf, zc, zo = _array.split(z, 4, axis=1 if self.data_format == "channels_first" else -1)
        i, f = self.recurrent_activation(zi), self.recurrent_activation(zf)
        c = f * c_prev + i * self.activation(zc)
        h_new = self.recurrent_activation(zo) * self.activation(c)
        return h_new, [h_new, c]


class ConvLSTM2D(RNN):
    """A ConvLSTM2DCell run over the steps of [batch, time, rows, cols, channels]: the last output (or
    every step's, return_sequences) and the final [h, c] (return_state)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding: str = "valid", data_format=None,
                 dilation_rate=(1, 1), activation="tanh", recurrent_activation="hard_sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False,
                 dropout: float = 0.0, recurrent_dropout: float = 0.0, **kwargs):
        cell = ConvLSTM2DCell(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                              dilation_rate=dilation_rate, activation=activation,
                              recurrent_activation=recurrent_activation, use_bias=use_bias,
                              kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                              kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                              bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                              dropout=dropout, recurrent_dropout=recurrent_dropout, name="conv_lstm_cell",
                              dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=5)

    def build(self, input_shape) -> None:
        dims = input_shape.as_list()
        self.cell._dtype = self._dtype
        self.cell.build(TensorShape([dims[0]] + dims[2:]))  # in the layer's scope, as TF's Keras names them
        self.cell.built = self.built = True
