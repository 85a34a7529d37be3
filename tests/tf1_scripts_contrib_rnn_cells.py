"""TF1 scripts over tf.contrib.rnn's research cells and tf.contrib.cudnn_rnn, written the way users write them.

`cells_model`: every contrib cell (ConvLSTM 1-D and 2-D, IndRNN, IndyGRU, IndyLSTM, NAS, UGRNN, Intersection, SRU,
CIFG, GLSTM, PhasedLSTM, contrib's LayerNormLSTM, WeightNormLSTM) and the cuDNN-compatible cells through dynamic_rnn
over padded sequences, summed into one loss trained by plain descent. `cudnn_model`: a CudnnLSTM, a bidirectional
CudnnGRU and a CudnnRNNTanh over time-major sequences from given canonical weights, and the gradient of a loss
with respect to the inputs. TF 2 has no contrib: tests/record_contrib_rnn_cells.py records the same models with
the cells written from TF 1.15's definitions (the cuDNN layers as TF's cuDNN-compatible cells on the canonical
weights, the equivalence TF documents); tests/test_tf1_contrib_rnn_cells.py compares dfc with the recording.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
BATCH, STEPS, DEPTH = 2, 4, 3


def data() -> dict:
    rng = np.random.default_rng(5)
    return {"x": rng.standard_normal((BATCH, STEPS, DEPTH)).astype(F32), "lengths": np.array([4, 2], np.int32),
            "times": np.cumsum(rng.uniform(0.2, 1.5, (BATCH, STEPS, 1)), 1).astype(F32),
            "images": rng.standard_normal((BATCH, STEPS, 4, 4, 2)).astype(F32),
            "signal": rng.standard_normal((BATCH, STEPS, 5, 2)).astype(F32)}


def set_variables(tf, sess, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ops = []
    for v in sorted(tf.global_variables(), key=lambda v: v.name):
        value = (rng.standard_normal(v.shape.as_list()) * 0.5).astype(F32)
        if "period" in v.name:  # PhasedLSTMCell's periods and phases: positive, as their initializers make them
            value = np.abs(value) * 4 + 1.5
        elif "phase" in v.name:
            value = np.abs(value)
        elif "ratio_on" in v.name:
            value = np.full(v.shape.as_list(), 0.6, F32)
        ops.append(v.assign(value))
    sess.run(ops)
    return np.array(sorted(v.name for v in tf.global_variables()))


def cells_model(tf, rnn, cudnn, Session) -> dict:
    """`rnn`, `cudnn`: tf.contrib.rnn and tf.contrib.cudnn_rnn (dfc) or the reference cells (TF)."""
    x = tf.placeholder(tf.float32, [None, STEPS, DEPTH], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    times = tf.placeholder(tf.float32, [None, STEPS, 1], name="times")
    images = tf.placeholder(tf.float32, [None, STEPS, 4, 4, 2], name="images")
    signal = tf.placeholder(tf.float32, [None, STEPS, 5, 2], name="signal")
    cells = {"ind": rnn.IndRNNCell(4), "indy_gru": rnn.IndyGRUCell(4),
             "nas": rnn.NASCell(4, num_proj=3, use_biases=True), "ugrnn": rnn.UGRNNCell(4),
             "intersection": rnn.IntersectionRNNCell(3),
             "intersection_proj": rnn.IntersectionRNNCell(4, num_in_proj=4), "sru": rnn.SRUCell(4),
             "cifg": rnn.CoupledInputForgetGateLSTMCell(4, use_peepholes=True, num_proj=3, proj_clip=0.7),
             "cifg_norm": rnn.CoupledInputForgetGateLSTMCell(4, layer_norm=True),
             "glstm": rnn.GLSTMCell(4, num_proj=2, number_of_groups=2),
             "ln_lstm": rnn.LayerNormLSTMCell(4, use_peepholes=True, cell_clip=0.9, num_proj=3, layer_norm=True),
             "wn_lstm": rnn.WeightNormLSTMCell(4, use_peepholes=True, num_proj=3),
             "cudnn_gru_cell": cudnn.CudnnCompatibleGRUCell(3)}
    outputs, states = {}, {}
    with tf.variable_scope("cells"):
        for key, cell in cells.items():
            outputs[key], states[key] = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32,
                                                          scope=key)
        outputs["indy_lstm"], states["indy_lstm"] = tf.nn.dynamic_rnn(
            rnn.IndyLSTMCell(4), x, sequence_length=lengths, dtype=tf.float32, scope="indy_lstm")
        outputs["phased"], states["phased"] = tf.nn.dynamic_rnn(
            rnn.PhasedLSTMCell(4, use_peepholes=True), (times, x), sequence_length=lengths, dtype=tf.float32,
            scope="phased")
        conv2d = rnn.Conv2DLSTMCell(input_shape=[4, 4, 2], output_channels=3, kernel_shape=[3, 3])
        outputs["conv2d"], states["conv2d"] = tf.nn.dynamic_rnn(conv2d, images, sequence_length=lengths,
                                                                dtype=tf.float32, scope="conv2d")
        conv1d = rnn.Conv1DLSTMCell(input_shape=[5, 2], output_channels=2, kernel_shape=[3], use_bias=False)
        outputs["conv1d"], states["conv1d"] = tf.nn.dynamic_rnn(conv1d, signal, dtype=tf.float32, scope="conv1d")
        stacked = tf.nn.rnn_cell.MultiRNNCell([cudnn.CudnnCompatibleLSTMCell(3) for _ in range(2)])
        outputs["cudnn_lstm_cells"], states["cudnn_lstm_cells"] = tf.nn.dynamic_rnn(stacked, x, dtype=tf.float32)
    loss = tf.add_n([tf.reduce_mean(tf.square(o)) for o in outputs.values()])
    train = tf.train.GradientDescentOptimizer(0.2).minimize(loss)
    batch = data()
    feed = {x: batch["x"], lengths: batch["lengths"], times: batch["times"],
            images: batch["images"], signal: batch["signal"]}
    flat_states = {}
    for key, state in states.items():
        for i, part in enumerate(tf.nest.flatten(state) if hasattr(tf, "nest") else _flatten(state)):
            flat_states[f"{key}_state{i}"] = part
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = set_variables(tf, sess, 9)
        losses = []
        for _ in range(2):  # the second step's values are those after one update
            value, _, result = sess.run([loss, train, dict(outputs, **flat_states)], feed)
            losses.append(value)
    return dict(result, names=names, losses=np.array(losses))


def _flatten(structure) -> list:
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def canonical_params(seed: int, kind: str, layers: int, units: int, depth: int, dirs: int) -> tuple[list, list]:
    """cuDNN canonical weights ([units, width] each, gates in cuDNN's order, input ones then recurrent ones,
    layer by layer, forward then backward) and biases, as CudnnRNN's canonical_weight_shapes lists them."""
    gates = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}[kind]
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for layer in range(layers):
        width = depth if layer == 0 else units * dirs
        for _ in range(dirs):
            weights += [(rng.standard_normal((units, width)) * 0.5).astype(F32) for _ in range(gates)]
            weights += [(rng.standard_normal((units, units)) * 0.5).astype(F32) for _ in range(gates)]
            biases += [(rng.standard_normal(units) * 0.3).astype(F32) for _ in range(2 * gates)]
    return weights, biases


CUDNN_SPECS = [("lstm", 2, 3, "unidirectional", 11), ("gru", 2, 3, "bidirectional", 12),
               ("rnn_tanh", 1, 4, "unidirectional", 13), ("rnn_relu", 1, 2, "bidirectional", 14)]


def cudnn_model(tf, run_cudnn, Session) -> dict:
    """Each spec's layer over time-major inputs with sequence lengths, from canonical_params; `run_cudnn(kind,
    layers, units, direction, weights, biases, inputs, lengths)` -> (outputs, (h[, c]), ops that set the weights)
    is dfc's cuDNN layer or the reference's compatible cells."""
    x = tf.placeholder(tf.float32, [STEPS, None, DEPTH], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    results, setup = {}, []
    for kind, layers, units, direction, seed in CUDNN_SPECS:
        dirs = 2 if direction == "bidirectional" else 1
        weights, biases = canonical_params(seed, kind, layers, units, DEPTH, dirs)
        with tf.variable_scope(kind):
            outputs, finals, assign = run_cudnn(kind, layers, units, direction, weights, biases, x, lengths)
        setup += assign
        results[f"{kind}_outputs"] = outputs
        for i, final in enumerate(finals):
            results[f"{kind}_final{i}"] = final
        results[f"{kind}_input_grad"] = tf.gradients(tf.reduce_sum(tf.square(outputs)) +
                                                     tf.reduce_sum(finals[-1]), x)[0]
    batch = data()
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(setup)
        return sess.run(results, {x: np.transpose(batch["x"], [1, 0, 2]), lengths: batch["lengths"]})


def cudnn_layer_runner(tf):
    """dfc's side of cudnn_model: tf.contrib.cudnn_rnn's layer, its opaque parameters assigned the canonical
    weights then biases (the layout dfc's opaque vector has)."""
    classes = {"lstm": tf.contrib.cudnn_rnn.CudnnLSTM, "gru": tf.contrib.cudnn_rnn.CudnnGRU,
               "rnn_tanh": tf.contrib.cudnn_rnn.CudnnRNNTanh, "rnn_relu": tf.contrib.cudnn_rnn.CudnnRNNRelu}

    def run(kind, layers, units, direction, weights, biases, x, lengths):
        layer = classes[kind](layers, units, direction=direction)
        layer.build(x.shape)
        assert [tuple(s) for s in layer.canonical_weight_shapes] == [w.shape for w in weights]
        opaque = np.concatenate([w.ravel() for w in weights] + list(biases))
        outputs, finals = layer(x, sequence_lengths=lengths)
        return outputs, finals, [layer.kernel.assign(opaque)]
    return run


def time_freq_model(tf, rnn, Session) -> dict:
    """TimeFreqLSTMCell (peepholes, cell clip) over two 2-wide windows of 3 features through static_rnn from an
    initial state of the windows' true size, trained one plain-descent step."""
    x = tf.placeholder(tf.float32, [BATCH, STEPS, DEPTH], name="x")
    cell = rnn.TimeFreqLSTMCell(3, use_peepholes=True, cell_clip=0.8, feature_size=2, frequency_skip=1)
    with tf.variable_scope("tf_lstm"):
        outputs, state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), initial_state=tf.zeros([BATCH, 12]))
    loss = tf.reduce_mean(tf.square(tf.stack(outputs, 1)))
    train = tf.train.GradientDescentOptimizer(0.3).minimize(loss)
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = set_variables(tf, sess, 10)
        losses = []
        for _ in range(2):
            value, _, result = sess.run([loss, train, {"outputs": tf.stack(outputs, 1), "state": state}],
                                        {x: data()["x"]})
            losses.append(value)
    return dict(result, names=names, losses=np.array(losses))


def grid_model(tf, rnn, Session) -> dict:
    """GridLSTMCell (peepholes, separate time and frequency weights, two blocks by start/end indices), a coupled
    shared-weight one, and a BidirectionalGridLSTMCell with a backward slice offset, through dynamic_rnn over
    padded sequences of 5 features; one plain-descent step."""
    x = tf.placeholder(tf.float32, [BATCH, STEPS, 5], name="x")
    lengths = tf.placeholder(tf.int32, [BATCH], name="lengths")
    cells = {"grid": rnn.GridLSTMCell(2, use_peepholes=True, cell_clip=1.5, feature_size=2, frequency_skip=1,
                                      num_frequency_blocks=[2, 1], start_freqindex_list=[0, 3],
                                      end_freqindex_list=[3, 5]),
             "grid_coupled": rnn.GridLSTMCell(2, use_peepholes=True, share_time_frequency_weights=True,
                                              couple_input_forget_gates=True, feature_size=3, frequency_skip=2,
                                              num_frequency_blocks=[2]),
             "grid_bidi": rnn.BidirectionalGridLSTMCell(2, use_peepholes=True, feature_size=2, frequency_skip=2,
                                                        num_frequency_blocks=[2], backward_slice_offset=1)}
    outputs, flat = {}, {}
    for key, cell in cells.items():
        outputs[key], state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32, scope=key)
        for i, part in enumerate(state):
            flat[f"{key}_state{i}"] = part
    loss = tf.add_n([tf.reduce_mean(tf.square(o)) for o in outputs.values()])
    train = tf.train.GradientDescentOptimizer(0.3).minimize(loss)
    rng = np.random.default_rng(12)
    feed = {x: rng.standard_normal((BATCH, STEPS, 5)).astype(F32), lengths: data()["lengths"]}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        names = set_variables(tf, sess, 13)
        losses = []
        for _ in range(2):
            value, _, result = sess.run([loss, train, dict(outputs, **flat)], feed)
            losses.append(value)
    return dict(result, names=names, losses=np.array(losses))
