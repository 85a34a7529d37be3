"""tf.keras.layers' recurrent layers as TF1's Keras defines them: SimpleRNN, LSTM, GRU (hard_sigmoid gates,
GRU's reset before the matmul), their cells, RNN over any cell, Bidirectional, TimeDistributed and Masking.

A layer's weights live in its cell's name scope (`lstm/lstm_cell/kernel:0`, gates packed i, f, c, o for
LSTM and z, r, h for GRU). A known number of steps is unrolled; otherwise the steps run as a
tf.while_loop. A mask (Embedding(mask_zero=True) or Masking) holds each row's state and repeats its last
output over the masked steps, as Keras does.
"""

from __future__ import annotations

from .. import array_ops as _array
from .. import math_ops as _math
from ..framework import Tensor, TensorShape, convert_to_tensor, name_scope
from . import activations
from . import backend as K
from .engine import InputSpec, Layer, _snake, to_list

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "Bidirectional", "Masking", "SimpleRNN", "SimpleRNNCell",
           "TimeDistributed"]


class _Cell(Layer):
    """What the cells share: the three weights, dropout masks made once per sequence, Keras's defaults."""

    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, **kwargs):
        implementation = kwargs.pop("implementation", 1)
        super().__init__(**kwargs)
        self.implementation = implementation  # the order of TF's kernels: the same values either way
        self.units = int(units)
        if self.units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, got "
                             f"{units}.")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self._set_weight_options(
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint)
        self.dropout, self.recurrent_dropout = min(1.0, max(0.0, dropout)), min(1.0, max(0.0, recurrent_dropout))
        self._masks: tuple = (None, None)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        dims = input_shape.as_list() if isinstance(input_shape, TensorShape) else list(input_shape)
        size = self.gates * self.units
        self.kernel = self.add_weight("kernel", (dims[-1], size), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, size),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer)
        self.bias = self.add_weight("bias", self._bias_shape(), initializer=self._bias_initializer(),
                                    regularizer=self.bias_regularizer) if self.use_bias else None
        self.built = True

    def _prepare_masks(self, first_step: Tensor, state: Tensor, training) -> None:
        """Dropout masks for this sequence (the same for every step, as Keras), or None."""
        from ..nn import dropout

        def mask(like, rate):
            if not 0 < rate < 1:
                return None
            ones = _array.ones_like(like)
            return K.in_train_phase(lambda: dropout(ones, rate=rate), ones, training=training)
        self._masks = (mask(first_step, self.dropout), mask(state, self.recurrent_dropout))

    def _drop(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        dp, rdp = self._masks
        return (x if dp is None else x * dp), (h if rdp is None else h * rdp)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zeros per state, as TF1's Keras: one tensor for an int state_size, a list for a list of sizes; the
        batch and dtype read off `inputs` when given (this is what tf.nn.dynamic_rnn calls)."""
        if inputs is not None:
            inputs = convert_to_tensor(inputs)
            batch_size, dtype = _array.shape(inputs)[0], inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(f"batch_size and dtype cannot be None while constructing initial state: "
                             f"batch_size={batch_size}, dtype={dtype}")

        def zeros(size):
            dims = [batch_size, size]
            return _array.zeros(_array.stack(dims) if isinstance(batch_size, Tensor) else dims, dtype=dtype)
        if isinstance(self.state_size, (list, tuple)):
            return [zeros(s) for s in self.state_size]
        return zeros(self.state_size)


class SimpleRNNCell(_Cell):
    """h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)."""

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=None, **kwargs)

    def call(self, inputs, states, training=None):
        x, h = self._drop(inputs, to_list(states)[0])
        z = _math.matmul(x, self.kernel)
        if self.bias is not None:
            z = z + self.bias
        out = self.activation(z + _math.matmul(h, self.recurrent_kernel))
        # a bare state (what tf.nn.dynamic_rnn passes) stays bare, as in TF1's Keras
        return out, ([out] if isinstance(states, (list, tuple)) else out)


class LSTMCell(_Cell):
    """Gates i, f, c, o from x @ kernel + h @ recurrent_kernel + bias; c = f c_prev + i act(c~), h = o act(c)."""

    gates = 4

    def __init__(self, units, unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, inner = self.units, self.bias_initializer

        def init(shape, dtype=None, partition_info=None):
            return _array.concat([inner([units], dtype=dtype), _array.ones([units], dtype=dtype or "float32"),
                                  inner([2 * units], dtype=dtype)], 0)
        return init

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states[0], states[1]
        x, h = self._drop(inputs, h_prev)
        z = _math.matmul(x, self.kernel) + _math.matmul(h, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        zi, zf, zc, zo = _array.split(z, 4, axis=1)
        i, f = self.recurrent_activation(zi), self.recurrent_activation(zf)
        c = f * c_prev + i * self.activation(zc)
        o = self.recurrent_activation(zo)
        h_new = o * self.activation(c)
        return h_new, [h_new, c]


class GRUCell(_Cell):
    """Gates z, r; h~ = act(x W_h + (r h_prev) U_h + b_h) (reset_after: act(x W_h + r (h_prev U_h + b'_h)));
    h = z h_prev + (1 - z) h~."""

    gates = 3

    def __init__(self, units, reset_after: bool = False, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = reset_after

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=None):
        h_prev = to_list(states)[0]
        x, h = self._drop(inputs, h_prev)
        u = self.units
        x_all = _math.matmul(x, self.kernel)
        bias_in = bias_rec = None
        if self.bias is not None:
            if self.reset_after:
                bias_in, bias_rec = self.bias[0], self.bias[1]
            else:
                bias_in = self.bias
        if bias_in is not None:
            x_all = x_all + bias_in
        xz, xr, xh = x_all[:, :u], x_all[:, u:2 * u], x_all[:, 2 * u:]
        rk = self.recurrent_kernel
        if self.reset_after:
            inner = _math.matmul(h, rk)
            if bias_rec is not None:
                inner = inner + bias_rec
            z = self.recurrent_activation(xz + inner[:, :u])
            r = self.recurrent_activation(xr + inner[:, u:2 * u])
            candidate = self.activation(xh + r * inner[:, 2 * u:])
        else:
            z = self.recurrent_activation(xz + _math.matmul(h, rk[:, :u]))
            r = self.recurrent_activation(xr + _math.matmul(h, rk[:, u:2 * u]))
            candidate = self.activation(xh + _math.matmul(r * h, rk[:, 2 * u:]))
        h_new = z * h_prev + (1.0 - z) * candidate
        return h_new, ([h_new] if isinstance(states, (list, tuple)) else h_new)


class RNN(Layer):
    """A cell run over the steps of [batch, time, features]: the last output, or every step's
    (return_sequences), and the final states (return_state); go_backwards reads the steps last to first."""

    _consumes_mask = True

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, time_major: bool = False, **kwargs):
        if stateful:
            raise ValueError("stateful RNN layers are not supported: pass the state with initial_state and read it "
                             "back with return_state=True")
        self.zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        if isinstance(cell, (list, tuple)):
            raise ValueError("RNN over a list of cells (StackedRNNCells) is not supported; stack RNN layers")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state, self.go_backwards = return_sequences, return_state, go_backwards
        self.unroll, self.time_major, self.stateful = unroll, time_major, stateful
        self.input_spec = InputSpec(ndim=3)

    @property
    def states(self):
        return None

    @property
    def weights(self) -> list:
        return self.cell.weights if self.cell.built else []

    @property
    def trainable_weights(self) -> list:
        return self.cell.trainable_weights if self.trainable and self.cell.built else []

    @property
    def non_trainable_weights(self) -> list:
        if not self.cell.built:
            return []
        return self.cell.non_trainable_weights if self.trainable else self.cell.weights

    @property
    def losses(self) -> list:
        return list(self._losses) + self.cell.losses

    def build(self, input_shape) -> None:
        dims = input_shape.as_list()
        step = [dims[1]] + dims[2:] if self.time_major else [dims[0]] + dims[2:]
        with name_scope(self.cell.name):
            self.cell._dtype = self._dtype
            self.cell.build(TensorShape(step))
            self.cell.built = True
        self.built = True

    def call(self, inputs, mask=None, training=None, initial_state=None):
        x = inputs if not self.time_major else _array.transpose(inputs, [1, 0, 2])
        if mask is None:
            mask = getattr(inputs, "_keras_mask", None)
        dims = x.shape.as_list()
        batch = dims[0] if dims[0] is not None else _array.shape(x)[0]
        states = to_list(initial_state) if initial_state is not None else \
            to_list(self.cell.get_initial_state(batch_size=batch, dtype=x.dtype))
        expected = len(to_list(self.cell.state_size))
        if len(states) != expected:
            raise ValueError(f"An `initial_state` was passed that is not compatible with `cell.state_size`. Received "
                             f"{len(states)} initial state(s); layer {self.name} has {expected} states.")
        states = [convert_to_tensor(s) for s in states]
        if isinstance(self.cell, _Cell):
            self.cell._prepare_masks(x[:, 0], states[0], K.learning_phase() if training is None else training)
        if dims[1] is None:
            if mask is not None:
                raise ValueError(f"{self.name}: a mask needs a known number of steps")
            last, outputs, states = self._loop(x, states, training)
        else:
            last, outputs, states = self._unrolled(x, dims[1], states, mask, training)
        out = outputs if self.return_sequences else last
        if self.return_sequences and self.time_major:
            out = _array.transpose(out, [1, 0, 2])
        if self.return_sequences and mask is not None:
            out._keras_mask = mask
        return [out] + list(states) if self.return_state else out

    def _unrolled(self, x: Tensor, steps: int, states: list, mask, training):
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outs, prev = [], None
        for t in order:
            out, new_states = self.cell.call(x[:, t], states, training=training) if isinstance(self.cell, _Cell) \
                else self.cell.call(x[:, t], states)
            new_states = to_list(new_states)
            if mask is not None:
                keep = _array.expand_dims(_math.cast(mask[:, t], "bool"), 1)
                prev = _array.zeros_like(out) if prev is None or self.zero_output_for_mask else prev
                out = _math.where(keep, out, prev)
                new_states = [_math.where(keep, n, o) for n, o in zip(new_states, states)]
            outs.append(out)
            prev, states = out, new_states
        last = outs[-1]
        if mask is not None and self.zero_output_for_mask:  # the last output: that of each row's last kept step
            last = prev_kept = None
            for t, out in zip(order, outs):
                keep = _array.expand_dims(_math.cast(mask[:, t], "bool"), 1)
                prev_kept = _math.where(keep, out, _array.zeros_like(out) if prev_kept is None else prev_kept)
            last = prev_kept
        return last, _array.stack(outs, axis=1), states

    def _loop(self, x: Tensor, states: list, training):
        """The steps as a tf.while_loop (their number known only when the step runs)."""
        from ..rnn import dynamic_rnn
        from ..tensor_ops import reverse
        cell = _LoopCell(self.cell, training, len(states))
        xs = reverse(x, [1]) if self.go_backwards else x
        outputs, final = dynamic_rnn(cell, xs, initial_state=tuple(states), dtype=x.dtype)
        return outputs[:, -1], outputs, list(final)


class _LoopCell:
    """A Keras cell as the (output, state) callable tf.nn.dynamic_rnn steps."""

    def __init__(self, cell, training, n: int):
        self.cell, self.training, self.n = cell, training, n
        self.output_size = cell.output_size

    def __call__(self, x, state):
        out, new = self.cell.call(x, list(state), training=self.training)
        return out, tuple(to_list(new))


def _rnn_class(cell_cls, doc: str):
    class Recurrent(RNN):
        __doc__ = doc

        def __init__(self, units, return_sequences: bool = False, return_state: bool = False,
                     go_backwards: bool = False, stateful: bool = False, unroll: bool = False, time_major=False,
                     **kwargs):
            layer_keys = {"input_shape", "batch_input_shape", "batch_size", "weights", "activity_regularizer",
                          "input_dim", "name", "trainable", "dtype", "input_length"}
            layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in layer_keys}
            if "input_length" in layer_kwargs and "input_shape" not in layer_kwargs:
                layer_kwargs["input_shape"] = (layer_kwargs.pop("input_length"), layer_kwargs.pop("input_dim", None))
            layer_kwargs.pop("input_length", None)
            cell = cell_cls(units, name=_snake(cell_cls.__name__), dtype=layer_kwargs.get("dtype"), **kwargs)
            super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll, time_major,
                             **layer_kwargs)

    return Recurrent


class SimpleRNN(_rnn_class(SimpleRNNCell, "A fully connected RNN: h = tanh(x W + h U + b).")):
    pass


class LSTM(_rnn_class(LSTMCell, "Long short-term memory (TF1's Keras: hard_sigmoid gates, unit forget bias).")):
    pass


class GRU(_rnn_class(GRUCell, "Gated recurrent unit (TF1's Keras: hard_sigmoid gates, reset before the matmul).")):
    pass


class Bidirectional(Layer):
    """A recurrent layer run forward and backward over the steps; outputs merged by merge_mode
    ('concat', 'sum', 'mul', 'ave' or None for the pair)."""

    _consumes_mask = True

    def __init__(self, layer, merge_mode: str | None = "concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, RNN) or not hasattr(layer, "get_config"):
            raise ValueError(f"Please initialize `Bidirectional` layer with a recurrent layer (SimpleRNN, LSTM, GRU)."
                             f" Received: {layer!r}")
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(f"Invalid merge mode. Merge mode should be one of {{\"sum\", \"mul\", \"ave\", "
                             f"\"concat\", None}}, got {merge_mode!r}")
        super().__init__(**kwargs)
        config = layer.get_config()
        self._layer_config = {"class_name": type(layer).__name__, "config": config}
        self.forward_layer = type(layer)(**config)
        backward = dict(config, go_backwards=not config["go_backwards"])
        self.backward_layer = backward_layer or type(layer)(**backward)
        for rnn in (self.forward_layer, self.backward_layer):  # masked steps give zeros, as TF's Keras
            rnn.zero_output_for_mask = layer.return_sequences
        self.forward_layer._name = "forward_" + layer.name
        self.backward_layer._name = "backward_" + self.backward_layer.name
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state

    @property
    def weights(self) -> list:
        return self.forward_layer.weights + self.backward_layer.weights

    @property
    def trainable_weights(self) -> list:
        return self.forward_layer.trainable_weights + self.backward_layer.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if not self.trainable:
            return self.weights
        return self.forward_layer.non_trainable_weights + self.backward_layer.non_trainable_weights

    @property
    def losses(self) -> list:
        return self.forward_layer.losses + self.backward_layer.losses

    def call(self, inputs, training=None, mask=None, initial_state=None):
        kwargs = {"training": training}
        if mask is None and getattr(inputs, "_keras_mask", None) is not None:
            mask = inputs._keras_mask
        if mask is not None:
            kwargs["mask"] = mask
        fw_state = bw_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fw_state, bw_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(inputs, initial_state=fw_state, **kwargs)
        y_rev = self.backward_layer(inputs, initial_state=bw_state, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            from ..tensor_ops import reverse
            y_rev = reverse(y_rev, [1])
        if self.merge_mode == "concat":
            out = K.concatenate([y, y_rev])
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            out = y * y_rev
        else:
            out = [y, y_rev]
        if mask is not None and self.return_sequences:
            for t in to_list(out):
                t._keras_mask = mask
        return (to_list(out) + states) if self.return_state else out


class TimeDistributed(Layer):
    """`layer` applied to every step of [batch, time, ...] (its weights made in this layer's scope)."""

    _masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `tf.keras.layers.Layer` instance. "
                             f"Received: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    @property
    def weights(self) -> list:
        return self.layer.weights

    @property
    def trainable_weights(self) -> list:
        return self.layer.trainable_weights if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        return self.layer.non_trainable_weights if self.trainable else self.layer.weights

    @property
    def updates(self) -> list:
        return self.layer.updates

    @property
    def losses(self) -> list:
        return self.layer.losses

    def build(self, input_shape) -> None:
        dims = input_shape.as_list()
        if len(dims) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                             f"received: {tuple(dims)} (layer {self.name})")
        if not self.layer.built:
            self.layer._dtype = self.layer._dtype or self._dtype
            self.layer.build(TensorShape([dims[0]] + dims[2:]))
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        dims = inputs.shape.as_list()
        steps = dims[1] if dims[1] is not None else _array.shape(inputs)[1]
        rest = dims[2:]
        flat = _array.reshape(inputs, [-1] + rest) if None not in rest else \
            _array.reshape(inputs, _array.concat([[-1], _array.shape(inputs)[2:]], 0))
        kwargs = {"training": training} if training is not None and self.layer._call_takes("training") else {}
        y = self.layer(flat, **kwargs)
        out_rest = y.shape.as_list()[1:]
        batch = dims[0] if dims[0] is not None else -1
        if isinstance(steps, Tensor) or None in out_rest:
            return _array.reshape(y, _array.concat([_array.stack([_array.shape(inputs)[0], _array.shape(inputs)[1]]),
                                                    _array.shape(y)[1:]], 0))
        return _array.reshape(y, [batch, steps] + out_rest)


class Masking(Layer):
    """Steps whose features all equal mask_value become zeros and are masked for the layers after."""

    _consumes_mask = True

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def call(self, inputs):
        keep = _math.reduce_any(_math.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        out = inputs * _math.cast(keep, inputs.dtype)
        out._keras_mask = _array.squeeze(keep, [-1])
        return out
