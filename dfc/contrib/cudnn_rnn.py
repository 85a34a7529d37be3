"""tf.contrib.cudnn_rnn: the cuDNN RNN layers (CudnnLSTM, CudnnGRU, CudnnRNNTanh, CudnnRNNRelu) computed with
cuDNN's math on any backend, over one opaque parameter vector, and the cuDNN-compatible cells.

TF 1.15 runs these layers only on a GPU; dfc runs them anywhere with the math of the cuDNN-compatible cells
(which TF documents as equal to cuDNN's). The opaque parameter vector here is laid out as TF's canonical weights
(each [num_units, input width], row-major, in canonical_weight_shapes order) followed by the canonical biases:
cuDNN's own layout differs between GPU generations and TF never promised one.
"""

from __future__ import annotations

import numpy as np

from .. import array_ops as A
from .. import math_ops as M
from .. import nn
from ..framework import Tensor, convert_to_tensor, name_scope
from ..rnn_cell import GRUCell, LSTMStateTuple, RNNCell
from ..variables import constant_initializer, get_variable, variable_scope, zeros_initializer
from .rnn_cells import LSTMBlockCell

__all__ = ["CUDNN_GRU", "CUDNN_INPUT_AUTO_MODE", "CUDNN_INPUT_LINEAR_MODE", "CUDNN_INPUT_SKIP_MODE", "CUDNN_LSTM",
           "CUDNN_RNN_BIDIRECTION", "CUDNN_RNN_RELU", "CUDNN_RNN_TANH", "CUDNN_RNN_UNIDIRECTION",
           "CudnnCompatibleGRUCell", "CudnnCompatibleLSTMCell", "CudnnGRU", "CudnnGRUSaveable", "CudnnLSTM",
           "CudnnLSTMSaveable", "CudnnOpaqueParamsSaveable", "CudnnRNNRelu", "CudnnRNNReluSaveable", "CudnnRNNTanh",
           "CudnnRNNTanhSaveable"]

CUDNN_RNN_UNIDIRECTION, CUDNN_RNN_BIDIRECTION = "unidirectional", "bidirectional"
CUDNN_LSTM, CUDNN_GRU, CUDNN_RNN_RELU, CUDNN_RNN_TANH = "lstm", "gru", "rnn_relu", "rnn_tanh"
CUDNN_INPUT_LINEAR_MODE, CUDNN_INPUT_SKIP_MODE, CUDNN_INPUT_AUTO_MODE = "linear_input", "skip_input", "auto_select"
CUDNN_LSTM_PARAMS_PER_LAYER, CUDNN_GRU_PARAMS_PER_LAYER = 8, 6
CUDNN_RNN_TANH_PARAMS_PER_LAYER = CUDNN_RNN_RELU_PARAMS_PER_LAYER = 2


class CudnnCompatibleLSTMCell(LSTMBlockCell):
    """LSTMBlockCell with forget_bias 0, named 'cudnn_compatible_lstm_cell': CudnnLSTM's math, its checkpoints'
    canonical 'kernel' [depth + n, 4n] (gates i, j, f, o) and 'bias' (the input and recurrent biases summed)."""

    def __init__(self, num_units: int, reuse=None):
        super().__init__(num_units, forget_bias=0.0, cell_clip=None, use_peephole=False, reuse=reuse,
                         name="cudnn_compatible_lstm_cell")


class CudnnCompatibleGRUCell(GRUCell):
    """CudnnGRU's math as a cell: the reset gate applied after the recurrent matmul, h~ = tanh(x W_h + b_Wh +
    r * (h R_h + b_Rh)); variables 'gates/kernel', 'gates/bias' (1.0), 'candidate/input_projection/kernel|bias',
    'candidate/hidden_projection/kernel|bias'."""

    base_name = "cudnn_compatible_gru_cell"

    def __init__(self, num_units: int, reuse=None, kernel_initializer=None):
        super().__init__(num_units, None, reuse, kernel_initializer)

    def build(self, input_depth, dtype):
        n, init = self._num_units, self._kernel_initializer
        out = {"gates/kernel": get_variable("gates/kernel", [input_depth + n, 2 * n], dtype=dtype, initializer=init),
               "gates/bias": get_variable("gates/bias", [2 * n], dtype=dtype,
                                          initializer=self._bias_initializer or constant_initializer(1.0))}
        for part, rows in (("input_projection", input_depth), ("hidden_projection", n)):
            out[f"{part}/kernel"] = get_variable(f"candidate/{part}/kernel", [rows, n], dtype=dtype, initializer=init)
        for part in ("input_projection", "hidden_projection"):
            out[f"{part}/bias"] = get_variable(f"candidate/{part}/bias", [n], dtype=dtype,
                                               initializer=self._bias_initializer or zeros_initializer())
        return out

    def step(self, inputs, state, v):
        r, u = A.split(M.sigmoid(nn.bias_add(M.matmul(A.concat([inputs, state], 1), v["gates/kernel"]),
                                             v["gates/bias"])), 2, axis=1)
        candidate = nn.bias_add(M.matmul(inputs, v["input_projection/kernel"]), v["input_projection/bias"])
        candidate += r * nn.bias_add(M.matmul(state, v["hidden_projection/kernel"]), v["hidden_projection/bias"])
        new_h = (1 - u) * self._activation(candidate) + u * state
        return new_h, new_h


class _CanonicalCell(RNNCell):
    """One direction of one layer of a cuDNN RNN, from its canonical tensors (no variables of its own):
    w [gates * n, depth] on the input, r [gates * n, n] on the state, and their biases."""

    def __init__(self, mode: str, units: int, w: Tensor, r: Tensor, bw: Tensor, br: Tensor):
        self._mode, self._num_units = mode, units
        self._w, self._r, self._bw, self._br = w, r, bw, br
        self._variables, self._name, self._reuse, self._scope_name = {}, None, None, None

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units) if self._mode == CUDNN_LSTM else self._num_units

    def __call__(self, inputs, state, scope=None):
        inputs = convert_to_tensor(inputs)
        h = state.h if self._mode == CUDNN_LSTM else state
        xw = M.matmul(inputs, self._w, transpose_b=True) + self._bw
        hr = M.matmul(h, self._r, transpose_b=True) + self._br
        if self._mode == CUDNN_LSTM:  # cuDNN's gate order: input, forget, cell (new memory), output
            i, f, c, o = A.split(xw + hr, 4, axis=1)
            new_c = M.sigmoid(f) * state.c + M.sigmoid(i) * M.tanh(c)
            new_h = M.sigmoid(o) * M.tanh(new_c)
            return new_h, LSTMStateTuple(new_c, new_h)
        if self._mode == CUDNN_GRU:  # reset, update, new memory: the reset gate scales h R_h + b_Rh
            x_r, x_u, x_h = A.split(xw, 3, axis=1)
            h_r, h_u, h_h = A.split(hr, 3, axis=1)
            r, u = M.sigmoid(x_r + h_r), M.sigmoid(x_u + h_u)
            new_h = (1 - u) * M.tanh(x_h + r * h_h) + u * h
            return new_h, new_h
        new_h = (M.tanh if self._mode == CUDNN_RNN_TANH else nn.relu)(xw + hr)
        return new_h, new_h


class _OpaqueInitializer:
    """The opaque vector's first value: kernel_initializer for each canonical weight, bias_initializer for each
    bias, flattened and concatenated."""

    def __init__(self, layer: _CudnnRNN):
        self._layer = layer

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        layer = self._layer
        dtype = dtype or layer._plain_dtype
        parts = [A.reshape(layer._kernel_initializer(list(s), dtype=dtype), [-1]) for s in
                 layer.canonical_weight_shapes]
        parts += [A.reshape(layer._bias_initializer(list(s), dtype=dtype), [-1]) for s in layer.canonical_bias_shapes]
        return A.concat(parts, 0)


class _CudnnRNN:
    """What the four cuDNN layers share: build the opaque params from the canonical shapes, run the stack."""

    _rnn_mode: str = ""
    _num_params_per_layer = 0
    _base_name = ""

    def __init__(self, num_layers: int, num_units: int, input_mode: str = CUDNN_INPUT_LINEAR_MODE,
                 direction: str = CUDNN_RNN_UNIDIRECTION, dropout: float = 0.0, seed=None, dtype="float32",
                 kernel_initializer=None, bias_initializer=None, name: str | None = None):
        from ..dtypes import as_dtype
        if direction not in (CUDNN_RNN_UNIDIRECTION, CUDNN_RNN_BIDIRECTION):
            raise ValueError(f"Invalid direction: {direction}, expecting {CUDNN_RNN_UNIDIRECTION} or "
                             f"{CUDNN_RNN_BIDIRECTION}")
        if input_mode not in (CUDNN_INPUT_LINEAR_MODE, CUDNN_INPUT_SKIP_MODE, CUDNN_INPUT_AUTO_MODE):
            raise ValueError(f"Invalid input_mode: {input_mode}, expecting one of {CUDNN_INPUT_LINEAR_MODE}, "
                             f"{CUDNN_INPUT_SKIP_MODE}, {CUDNN_INPUT_AUTO_MODE}")
        dtype = as_dtype(dtype)
        if dtype.name not in ("float16", "float32", "float64"):
            raise ValueError(f"Only support float16, float32, float64, provided {dtype!r}")
        if int(num_layers) < 1 or int(num_units) < 1:
            raise ValueError(f"{type(self).__name__}: num_layers and num_units must be positive, got {num_layers} "
                             f"and {num_units}")
        self._plain_dtype, self.dtype = dtype, dtype
        self._num_layers, self._num_units = int(num_layers), int(num_units)
        self._input_mode, self._direction, self._dropout, self._seed = input_mode, direction, float(dropout), seed
        self._kernel_initializer, self._bias_initializer = kernel_initializer, bias_initializer
        self._name, self._input_size, self._scope, self.kernel, self._saveable = name, None, None, None, None
        self.built = False

    num_layers = property(lambda self: self._num_layers)
    num_units = property(lambda self: self._num_units)
    input_mode = property(lambda self: self._input_mode)
    rnn_mode = property(lambda self: self._rnn_mode)
    direction = property(lambda self: self._direction)
    num_dirs = property(lambda self: 1 if self._direction == CUDNN_RNN_UNIDIRECTION else 2)
    name = property(lambda self: self._name or self._base_name)

    @property
    def input_size(self) -> int:
        if not self._input_size:
            raise ValueError("'input_size' is unknown since layer has not been built.")
        return self._input_size

    @property
    def saveable(self):
        return self._saveable

    @property
    def trainable_variables(self) -> list:
        return [self.kernel] if self.kernel is not None else []

    variables = trainable_weights = weights = trainable_variables

    @property
    def canonical_weight_shapes(self) -> list[tuple[int, int]]:
        if not self._input_size:
            raise RuntimeError(f"{type(self).__name__}.canonical_weight_shapes invoked before input shape is known")
        gates, n, shapes = self._num_params_per_layer // 2, self._num_units, []
        for layer in range(self._num_layers):
            depth = self._input_size if layer == 0 else n * self.num_dirs
            shapes += ([(n, depth)] * gates + [(n, n)] * gates) * self.num_dirs
        return shapes

    @property
    def canonical_bias_shapes(self) -> list[list[int]]:
        return [[self._num_units]] * self.num_dirs * self._num_params_per_layer * self._num_layers

    def state_shape(self, batch_size) -> tuple:
        shape = [self._num_layers * self.num_dirs, batch_size, self._num_units]
        return (shape, shape) if self._rnn_mode == CUDNN_LSTM else (shape,)

    def build(self, input_shape) -> None:
        from ..framework import TensorShape
        if self.built:
            return
        input_shape = TensorShape(input_shape)
        if input_shape.ndims != 3:
            raise ValueError(f"Expecting input_shape with 3 dims, got {input_shape.ndims}")
        if input_shape.as_list()[-1] is None:
            raise ValueError("The last dimension of the inputs to `CudnnRNN` should be defined. Found `None`.")
        self._input_size = input_shape.as_list()[-1]
        if self._input_mode == CUDNN_INPUT_SKIP_MODE or (self._input_mode == CUDNN_INPUT_AUTO_MODE and
                                                         self._input_size == self._num_units):
            raise ValueError(f"{type(self).__name__}: input_mode {self._input_mode!r} (no input matrix on the first "
                             f"layer) is not supported by dfc: use 'linear_input'")
        from ..init_ops import glorot_uniform_initializer
        if self._kernel_initializer is None:
            self._kernel_initializer = glorot_uniform_initializer(seed=self._seed, dtype=self._plain_dtype)
        if self._bias_initializer is None:
            self._bias_initializer = constant_initializer(0.0, dtype=self._plain_dtype)
        if self._scope is None:
            from ..rnn_cell import _unique_layer_name
            with variable_scope(self._name or _unique_layer_name(self._base_name)) as vs:
                self._scope = vs
        size = sum(a * b for a, b in self.canonical_weight_shapes) + sum(s[0] for s in self.canonical_bias_shapes)
        with variable_scope(self._scope) as vs:
            self.kernel = get_variable("opaque_kernel", [size], dtype=self._plain_dtype,
                                       initializer=_OpaqueInitializer(self))
            if not vs.reuse:  # as TF: the canonical names join the checkpoint, once per layer
                from ..graph import GraphKeys, add_to_collection
                self._saveable = _LayerSaveable(self, vs.name)
                add_to_collection(GraphKeys.SAVEABLE_OBJECTS, self._saveable)
        self.built = True

    def _canonical(self, opaque: Tensor) -> tuple[list[Tensor], list[Tensor]]:
        weights, biases, start = [], [], 0
        for rows, cols in self.canonical_weight_shapes:
            weights.append(A.reshape(opaque[start:start + rows * cols], [rows, cols]))
            start += rows * cols
        for (n,) in self.canonical_bias_shapes:
            biases.append(opaque[start:start + n])
            start += n
        return weights, biases

    def __call__(self, inputs, initial_state=None, sequence_lengths=None, time_major: bool = True,
                 training: bool = True):
        if initial_state is not None and not isinstance(initial_state, tuple):
            raise TypeError(f"Invalid initial_state type: {initial_state}, expecting tuple.")
        inputs = convert_to_tensor(inputs, dtype=self._plain_dtype)
        if inputs.shape.ndims != 3:
            raise ValueError(f"{type(self).__name__}: inputs {inputs.name} must be rank 3, got shape {inputs.shape}")
        if not self.built:
            self.build(inputs.shape)
        elif inputs.shape.as_list()[-1] not in (None, self._input_size):
            raise ValueError(f"{type(self).__name__}: inputs {inputs.name} have depth {inputs.shape.as_list()[-1]}, "
                             f"the layer was built for {self._input_size}")
        with name_scope(self._scope.name.rsplit("/", 1)[-1]):
            x = inputs if time_major else A.transpose(inputs, [1, 0, 2])
            if initial_state is None:
                batch = x.shape.as_list()[1]
                batch = batch if batch is not None else A.shape(x)[1]
                initial_state = tuple(A.zeros(A.stack(s) if not isinstance(batch, int) else s, self._plain_dtype)
                                      for s in self.state_shape(batch))
            expected = 2 if self._rnn_mode == CUDNN_LSTM else 1
            if len(initial_state) != expected:
                raise ValueError(f"{type(self).__name__}: initial_state must be a tuple of {expected} tensor(s) "
                                 f"[num_layers * num_dirs, batch, num_units], got {len(initial_state)}")
            outputs, finals = self._forward(x, [convert_to_tensor(s, dtype=self._plain_dtype) for s in initial_state],
                                            sequence_lengths, training)
            if not time_major:
                outputs = A.transpose(outputs, [1, 0, 2])
        return outputs, finals

    def _forward(self, x: Tensor, states: list[Tensor], lengths, training: bool):
        from ..rnn import bidirectional_dynamic_rnn, dynamic_rnn
        weights, biases = self._canonical(self.kernel)
        per_dir, half = self._num_params_per_layer, self._num_params_per_layer // 2
        finals: list[list[Tensor]] = [[] for _ in states]
        lengths = None if lengths is None else convert_to_tensor(lengths)
        for layer in range(self._num_layers):
            cells, inits = [], []
            for d in range(self.num_dirs):
                k = (layer * self.num_dirs + d) * per_dir
                w, b = weights[k:k + per_dir], biases[k:k + per_dir]
                cells.append(_CanonicalCell(self._rnn_mode, self._num_units, A.concat(w[:half], 0),
                                            A.concat(w[half:], 0), A.concat(b[:half], 0), A.concat(b[half:], 0)))
                index = layer * self.num_dirs + d
                h = states[0][index]
                inits.append(LSTMStateTuple(states[1][index], h) if self._rnn_mode == CUDNN_LSTM else h)
            if self.num_dirs == 1:
                x, final = dynamic_rnn(cells[0], x, lengths, inits[0], time_major=True, scope=f"layer_{layer}")
                layer_finals = [final]
            else:
                (fw, bw), layer_finals = bidirectional_dynamic_rnn(
                    cells[0], cells[1], x, lengths, inits[0], inits[1], time_major=True, scope=f"layer_{layer}")
                x = A.concat([fw, bw], 2)
            for final in layer_finals:
                finals[0].append(final.h if self._rnn_mode == CUDNN_LSTM else final)
                if self._rnn_mode == CUDNN_LSTM:
                    finals[1].append(final.c)
            if training and self._dropout > 0 and layer < self._num_layers - 1:  # cuDNN: between layers only
                x = nn.dropout(x, rate=self._dropout, seed=self._seed)
        return x, tuple(A.stack(f, 0) for f in finals)


class CudnnLSTM(_CudnnRNN):
    """The cuDNN LSTM layer: no forget bias, separate input and recurrent biases; states (h, c)."""

    _rnn_mode, _num_params_per_layer, _base_name = CUDNN_LSTM, CUDNN_LSTM_PARAMS_PER_LAYER, "cudnn_lstm"


class CudnnGRU(_CudnnRNN):
    """The cuDNN GRU layer (the reset gate after the recurrent matmul); state (h,)."""

    _rnn_mode, _num_params_per_layer, _base_name = CUDNN_GRU, CUDNN_GRU_PARAMS_PER_LAYER, "cudnn_gru"


class CudnnRNNTanh(_CudnnRNN):
    """The cuDNN tanh RNN layer: h' = tanh(x W + b_W + h R + b_R); state (h,)."""

    _rnn_mode, _num_params_per_layer, _base_name = CUDNN_RNN_TANH, CUDNN_RNN_TANH_PARAMS_PER_LAYER, "cudnn_rnn_tanh"


class CudnnRNNRelu(_CudnnRNN):
    """The cuDNN relu RNN layer: h' = relu(x W + b_W + h R + b_R); state (h,)."""

    _rnn_mode, _num_params_per_layer, _base_name = CUDNN_RNN_RELU, CUDNN_RNN_RELU_PARAMS_PER_LAYER, "cudnn_rnn_relu"



# ---- checkpoints: the opaque vector saved (and restored) as TF's canonical tensors ---------------------------
_CELL_NAMES = {CUDNN_LSTM: "cudnn_compatible_lstm_cell", CUDNN_GRU: "cudnn_compatible_gru_cell",
               CUDNN_RNN_TANH: "basic_rnn_cell", CUDNN_RNN_RELU: "basic_rnn_cell"}
_LSTM_ORDER = (0, 2, 1, 3)  # TF's gates i, j (new memory), f, o from cuDNN's i, f, c, o


class _CanonicalEntry:
    """One tensor of TF's canonical form of a cuDNN layer (a compatible cell's 'kernel', 'bias', ...), read from
    and written into the layer's opaque vector: what TF's CudnnOpaqueParamsSaveable saves under that name."""

    def __init__(self, layer: _CudnnRNN, index: int, part: str):
        self._layer, self._index, self._part = layer, index, part
        self.parts = [layer.kernel]
        self.dtype, self.graph = layer.kernel.dtype, layer.kernel.graph

    @property
    def shape(self):
        from ..framework import TensorShape
        return TensorShape(list(self._read(np.zeros(self._layer.kernel.shape.as_list(),
                                                    self.dtype.np)).shape))

    def _pieces(self, opaque):
        """Views into `opaque` of this direction's cuDNN weights (input ones, recurrent ones) and biases."""
        layer = self._layer
        per = layer._num_params_per_layer
        shapes = layer.canonical_weight_shapes
        start = sum(a * b for a, b in shapes[:self._index * per])
        weights = []
        for rows, cols in shapes[self._index * per:(self._index + 1) * per]:
            weights.append(opaque[start:start + rows * cols].reshape(rows, cols))
            start += rows * cols
        n = layer._num_units
        start = sum(a * b for a, b in shapes) + self._index * per * n
        biases = [opaque[start + k * n:start + (k + 1) * n] for k in range(per)]
        return weights[:per // 2], weights[per // 2:], biases[:per // 2], biases[per // 2:]

    def _read(self, opaque):
        w, r, bw, br = self._pieces(opaque)
        mode, part = self._layer._rnn_mode, self._part
        if mode == CUDNN_LSTM:
            if part == "kernel":
                return np.concatenate([np.concatenate([w[g], r[g]], 1) for g in _LSTM_ORDER], 0).T
            return np.concatenate([bw[g] + br[g] for g in _LSTM_ORDER])
        if mode == CUDNN_GRU:
            return {"gates/kernel": lambda: np.concatenate([np.concatenate([w[g], r[g]], 1) for g in (0, 1)], 0).T,
                    "gates/bias": lambda: np.concatenate([bw[0] + br[0], bw[1] + br[1]]),
                    "candidate/input_projection/kernel": lambda: w[2].T,
                    "candidate/hidden_projection/kernel": lambda: r[2].T,
                    "candidate/input_projection/bias": lambda: bw[2].copy(),
                    "candidate/hidden_projection/bias": lambda: br[2].copy()}[part]()
        return np.concatenate([w[0], r[0]], 1).T if part == "kernel" else bw[0] + br[0]

    def _write(self, opaque, value) -> None:
        w, r, bw, br = self._pieces(opaque)
        mode, part = self._layer._rnn_mode, self._part
        depth = w[0].shape[1]
        if part.endswith("kernel") and mode != CUDNN_GRU or part == "gates/kernel":
            order = _LSTM_ORDER if mode == CUDNN_LSTM else (0, 1) if mode == CUDNN_GRU else (0,)
            for block, g in zip(np.split(value.T, len(order), 0), order):
                w[g][...], r[g][...] = block[:, :depth], block[:, depth:]
        elif part.endswith("bias") and mode != CUDNN_GRU or part == "gates/bias":
            order = _LSTM_ORDER if mode == CUDNN_LSTM else (0, 1) if mode == CUDNN_GRU else (0,)
            for piece, g in zip(np.split(value, len(order)), order):  # TF saves the sum: each half of it back
                bw[g][...] = br[g][...] = piece * 0.5
        else:
            target = {"candidate/input_projection/kernel": (w[2], True), "candidate/hidden_projection/kernel":
                      (r[2], True), "candidate/input_projection/bias": (bw[2], False),
                      "candidate/hidden_projection/bias": (br[2], False)}[part]
            target[0][...] = value.T if target[1] else value

    def assemble(self, sess) -> np.ndarray:
        return self._read(sess.store.buffer(self._layer.kernel.op.name))

    def restore_value(self, sess, value: np.ndarray) -> None:
        name = self._layer.kernel.op.name
        opaque = sess.store.read(name) if sess.store.is_initialized(name) else \
            np.zeros(self._layer.kernel.shape.as_list(), self.dtype.np)
        self._write(opaque, np.asarray(value, self.dtype.np))
        sess.store.write(name, opaque)


class _LayerSaveable:
    """A cuDNN layer's opaque vector as TF's canonical tensors, named as the compatible cells name their variables
    ('<scope>/rnn/multi_rnn_cell/cell_<l>/cudnn_compatible_lstm_cell/kernel', or under
    'stack_bidirectional_rnn/cell_<l>/bidirectional_rnn/fw|bw/' when bidirectional): a tf.train.Saver saves and
    restores these beside the opaque variable, so checkpoints move between cuDNN layers and compatible cells."""

    def __init__(self, layer: _CudnnRNN, scope: str):
        parts = {CUDNN_GRU: ("gates/kernel", "candidate/input_projection/kernel",
                             "candidate/hidden_projection/kernel", "gates/bias", "candidate/input_projection/bias",
                             "candidate/hidden_projection/bias")}.get(layer.rnn_mode, ("kernel", "bias"))
        self.entries = []
        cell = _CELL_NAMES[layer.rnn_mode]
        for index in range(layer.num_layers * layer.num_dirs):
            number, direction = divmod(index, layer.num_dirs)
            prefix = f"rnn/multi_rnn_cell/cell_{number}/{cell}" if layer.num_dirs == 1 else \
                f"stack_bidirectional_rnn/cell_{number}/bidirectional_rnn/{('fw', 'bw')[direction]}/{cell}"
            for part in parts:
                self.entries.append((f"{scope}/{prefix}/{part}" if scope else f"{prefix}/{part}",
                                     _CanonicalEntry(layer, index, part)))


class CudnnOpaqueParamsSaveable(_LayerSaveable):
    """TF1's saveable of an opaque parameter variable (the op-level cuDNN API): its canonical tensors under the
    compatible cells' names, prefixed by `scope`; add it to GraphKeys.SAVEABLE_OBJECTS (or a Saver's var_list) to
    save and restore them. The subclasses say which RNN the vector holds."""

    _layer_class: type = _CudnnRNN

    def __init__(self, opaque_params, num_layers: int, num_units: int, input_size: int,
                 input_mode: str = CUDNN_INPUT_LINEAR_MODE, direction: str = CUDNN_RNN_UNIDIRECTION, scope=None,
                 name: str = "cudnn_rnn_saveable"):
        if self._layer_class is _CudnnRNN:
            raise TypeError("CudnnOpaqueParamsSaveable is abstract: use CudnnLSTMSaveable, CudnnGRUSaveable, "
                            "CudnnRNNTanhSaveable or CudnnRNNReluSaveable")
        spec = self._layer_class(num_layers, num_units, input_mode=input_mode, direction=direction)
        spec._input_size, spec.kernel, spec.built = int(input_size), opaque_params, True
        size = sum(a * b for a, b in spec.canonical_weight_shapes) + sum(n for (n,) in spec.canonical_bias_shapes)
        if opaque_params.shape.as_list() != [size]:
            raise ValueError(f"{type(self).__name__}: opaque_params {opaque_params.name} of shape "
                             f"{opaque_params.shape} is not the [{size}] vector of a {num_layers}-layer {direction} "
                             f"{spec.rnn_mode} of {num_units} units over {input_size} inputs")
        scope_name = getattr(scope, "name", scope) or None
        super().__init__(spec, scope_name)
        self.name = name


class CudnnLSTMSaveable(CudnnOpaqueParamsSaveable):
    """CudnnOpaqueParamsSaveable of a CudnnLSTM's vector ('cudnn_compatible_lstm_cell/kernel', '.../bias')."""

    _layer_class = CudnnLSTM


class CudnnGRUSaveable(CudnnOpaqueParamsSaveable):
    """CudnnOpaqueParamsSaveable of a CudnnGRU's vector (the 'cudnn_compatible_gru_cell' variables)."""

    _layer_class = CudnnGRU


class CudnnRNNTanhSaveable(CudnnOpaqueParamsSaveable):
    """CudnnOpaqueParamsSaveable of a CudnnRNNTanh's vector ('basic_rnn_cell/kernel', '.../bias')."""

    _layer_class = CudnnRNNTanh


class CudnnRNNReluSaveable(CudnnOpaqueParamsSaveable):
    """CudnnOpaqueParamsSaveable of a CudnnRNNRelu's vector ('basic_rnn_cell/kernel', '.../bias')."""

    _layer_class = CudnnRNNRelu
