"""TF1 scripts over tf.keras in graph mode, written once for real TF (TF1's Keras) and for dfc.

Each script takes a TF1-style module (`tensorflow.compat.v1` with TF's legacy Keras, or `dfc`) and a
Session factory, builds a model the way a user writes one (Keras layers on placeholders in a Session
loop, Sequential and functional models with compile/fit), gives every weight fixed values and returns
named arrays: variable names, losses step by step, outputs and gradients. tests/record_tf1_scripts_keras.py
records them with TensorFlow; tests/test_tf1_keras.py runs them with dfc and compares.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _set_weights(K, seed: int, weights) -> None:
    """Give the weights fixed values, drawn in the order of their names."""
    weights = sorted(weights, key=lambda w: w.name)
    K.batch_set_value(list(zip(weights, _values(np.random.default_rng(seed), weights))))


def _values(rng, weights) -> list[np.ndarray]:
    """Fixed values for a list of weights (moving variances kept positive)."""
    out = []
    for w in weights:
        shape = w.shape.as_list()
        value = rng.standard_normal(shape) * 0.3
        if "moving_variance" in w.name or "gamma" in w.name:
            value = 1.0 + np.abs(value)
        out.append(value.astype(F32))
    return out


@script
def layers_in_session(tf, Session):
    """Keras layers on placeholders inside a plain TF1 graph: convolutions, batch norm (its updates run with
    the train op), pools, padding, merges, embeddings, advanced activations; tf.train.AdamOptimizer."""
    K, L = tf.keras.backend, tf.keras.layers
    rng = np.random.default_rng(3)
    images = tf.placeholder(tf.float32, [None, 6, 6, 2], name="images")
    ids = tf.placeholder(tf.int32, [None, 4], name="ids")
    target = tf.placeholder(tf.float32, [None, 3], name="target")
    training = tf.placeholder_with_default(False, [], name="training")
    conv = L.Conv2D(4, 3, padding="same", activation="relu")
    bn = L.BatchNormalization()
    h = bn(conv(images), training=training)
    h = L.MaxPooling2D()(h)
    up = L.UpSampling2D()(h)
    padded = L.Cropping2D(((1, 0), (0, 1)))(L.ZeroPadding2D(1)(up))
    t = L.Conv2DTranspose(2, 2, strides=2, padding="valid")(L.AveragePooling2D(2)(padded))
    depthwise = L.DepthwiseConv2D(2, depth_multiplier=2, padding="same", activation="relu")(h)
    separable = L.SeparableConv2D(3, 2, use_bias=False)(depthwise)
    pooled = L.Concatenate()([L.GlobalAveragePooling2D()(t), L.GlobalMaxPooling2D()(h),
                              L.GlobalAveragePooling2D()(separable)])
    flat = L.Flatten()(h)
    emb = L.Embedding(10, 3)(ids)
    seq = L.Conv1D(5, 2, activation="tanh")(emb)
    seq = L.Conv1D(5, 2, padding="causal", dilation_rate=2)(seq)
    seq = L.MaxPooling1D(2, padding="same")(seq)
    seq = L.Reshape((-1,))(L.Permute((2, 1))(seq))
    merged = L.concatenate([pooled, flat, seq])
    dense_a = L.Dense(6, kernel_regularizer=tf.keras.regularizers.l2(0.01))
    a = dense_a(merged)
    b = L.LeakyReLU(0.2)(a)
    c = L.PReLU(alpha_initializer=tf.constant_initializer(0.25))(a)
    d = L.ELU()(L.Activation("sigmoid")(a))
    s = L.add([b, c, d])
    s = L.Multiply()([s, L.Subtract()([b, c])])
    s = L.Dropout(0.5)(L.Average()([s, L.Maximum()([b, d]), L.Minimum()([c, d])]))
    s = L.concatenate([s, L.Dot(axes=1)([b, c]), L.dot([b, d], axes=-1, normalize=True)])
    rep = L.Lambda(lambda v: K.sum(v, axis=1))(L.RepeatVector(2)(s))
    dense_out = L.Dense(3, activation="softmax", name="head")
    out = dense_out(rep)
    loss = tf.reduce_mean(tf.keras.losses.categorical_crossentropy(target, out)) + tf.add_n(dense_a.losses)
    weights = conv.weights + bn.weights + dense_out.weights
    grads = tf.gradients(loss, [images] + conv.weights)
    with tf.control_dependencies(bn.updates):
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
    feed = {images: rng.standard_normal((3, 6, 6, 2)).astype(F32), ids: rng.integers(0, 10, (3, 4)).astype(np.int32),
            target: np.eye(3, dtype=F32)[[0, 2, 1]], training: True}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        wrng = np.random.default_rng(4)
        for v in sorted(tf.trainable_variables(), key=lambda v: v.name):
            sess.run(v.assign(_values(wrng, [v])[0]))
        names = np.array(sorted(v.name for v in tf.global_variables()))
        before = sess.run({"out": out, "grad_images": grads[0], "grad_kernel": grads[1], "grad_bias": grads[2]},
                          feed)
        losses = [sess.run([loss, train], feed)[0] for _ in range(3)]
        after = sess.run({"out_after": out, "moving_mean": bn.moving_mean, "moving_variance": bn.moving_variance,
                          "inference": out}, {k: v for k, v in feed.items() if k is not training})
    return {"names": names, "losses": np.array(losses), "weight_count": np.array(len(weights)), **before, **after,
            "updates": np.array(len(bn.updates)), "update_ops": np.array(len(tf.get_collection(
                tf.GraphKeys.UPDATE_OPS))), "shape_up": np.array(up.shape.as_list()[1:]),
            "shape_t": np.array(t.shape.as_list()[1:])}


@script
def sequential_fit(tf, Session):
    """An MNIST-style Sequential convnet trained by compile/fit on synthetic data (SGD with Nesterov
    momentum, sparse labels, validation split), then evaluate/predict/train_on_batch; a second Sequential
    model with batch norm, L2 and Adam on one-hot labels."""
    K, L = tf.keras.backend, tf.keras.layers
    rng = np.random.default_rng(5)
    x = rng.standard_normal((24, 8, 8, 1)).astype(F32)
    y = rng.integers(0, 3, 24)
    model = tf.keras.Sequential([
        L.Conv2D(4, (3, 3), activation="relu", input_shape=(8, 8, 1)),
        L.MaxPooling2D(pool_size=(2, 2)),
        L.Flatten(),
        L.Dense(16, activation="relu"),
        L.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.SGD(lr=0.05, momentum=0.9, nesterov=True),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    _set_weights(K, 6, model.weights)
    history = model.fit(x, y, batch_size=6, epochs=3, verbose=0, shuffle=False, validation_split=0.25)
    result = {"seq1_" + k: np.array(v) for k, v in history.history.items()}
    result["seq1_evaluate"] = np.array(model.evaluate(x, y, batch_size=6, verbose=0))
    result["seq1_predict"] = model.predict(x[:6])
    # its loss only: TF's Keras returns an accuracy still counting evaluate's samples
    result["seq1_train_on_batch"] = np.array(model.train_on_batch(x[:6], y[:6])[0])
    result["seq1_test_on_batch"] = np.array(model.test_on_batch(x[:6], y[:6]))
    result["seq1_names"] = np.array([v.name for v in model.weights])
    result["seq1_params"] = np.array(model.count_params())
    result["seq1_metrics_names"] = np.array(model.metrics_names)

    onehot = tf.keras.utils.to_categorical(y, 3)
    second = tf.keras.Sequential()
    second.add(L.Flatten(input_shape=(8, 8, 1)))
    second.add(L.Dense(8, kernel_regularizer=tf.keras.regularizers.l2(0.02)))
    second.add(L.BatchNormalization())
    second.add(L.Activation("tanh"))
    second.add(L.Dense(3, activation="softmax"))
    second.compile(tf.keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["acc", "mse"])
    _set_weights(K, 7, second.weights)
    history = second.fit(x, onehot, batch_size=6, epochs=2, verbose=0, shuffle=False,
                         validation_data=(x[:6], onehot[:6]))
    result.update({"seq2_" + k: np.array(v) for k, v in history.history.items()})
    result["seq2_weights"] = np.concatenate([w.ravel() for w in K.batch_get_value(sorted(second.weights,
                                                                                        key=lambda w: w.name))])
    result["seq2_predict"] = second.predict(x[:6], batch_size=3)
    result["seq2_names"] = np.array(sorted(v.name for v in second.weights))
    history = second.fit(x, onehot, batch_size=6, epochs=1, verbose=0, shuffle=False,
                         class_weight={0: 0.5, 1: 2.0, 2: 1.0})
    result["seq2_class_weight_loss"] = np.array(history.history["loss"])
    K.clear_session()
    return result


@script
def functional_session(tf, Session):
    """A two-input functional Model (shared Dense, concatenate, LeakyReLU) called on
    new placeholders and trained with tf.train.AdamOptimizer in a Session loop; compiled with RMSprop and
    fit by train_on_batch."""
    K, L = tf.keras.backend, tf.keras.layers
    rng = np.random.default_rng(8)
    a = tf.keras.Input(shape=(4,), name="a")
    b = tf.keras.Input(shape=(4,), name="b")
    shared = L.Dense(5, activation="relu", name="shared")
    h = L.concatenate([shared(a), shared(b)])
    h = L.LeakyReLU(0.1)(h)
    out = L.Dense(2, name="out")(h)
    model = tf.keras.Model(inputs=[a, b], outputs=out)
    xa = tf.placeholder(tf.float32, [None, 4], name="xa")
    xb = tf.placeholder(tf.float32, [None, 4], name="xb")
    y = tf.placeholder(tf.float32, [None, 2], name="y")
    pred = model([xa, xb])
    loss = tf.reduce_mean(tf.keras.losses.mean_squared_error(y, pred))
    train = tf.train.AdamOptimizer(0.05).minimize(loss, var_list=model.trainable_weights)
    feed = {xa: rng.standard_normal((5, 4)).astype(F32), xb: rng.standard_normal((5, 4)).astype(F32),
            y: rng.standard_normal((5, 2)).astype(F32)}
    result = {}
    with Session() as sess:
        K.set_session(sess)
        sess.run(tf.global_variables_initializer())
        _set_weights(K, 9, model.weights)
        result["pred_before"] = sess.run(pred, feed)
        result["losses"] = np.array([sess.run([loss, train], feed)[0] for _ in range(3)])
        result["pred_train_phase_off"] = sess.run(pred, feed)
        result["names"] = np.array([v.name for v in model.weights])
        result["layer_names"] = np.array([layer.name for layer in model.layers])
        result["pred_name"] = np.array(pred.name)
        model.compile(tf.keras.optimizers.RMSprop(0.01), loss="mae", metrics=["mse"])
        inputs = [feed[xa], feed[xb]]
        result["batches"] = np.array([model.train_on_batch(inputs, feed[y]) for _ in range(4)])
        result["evaluate"] = np.array(model.evaluate(inputs, feed[y], verbose=0))
        result["predict"] = model.predict(inputs)
    K.clear_session()

    # two outputs: a loss each (weighted), metrics per output by name, targets as a dict, sample weights
    x_in = tf.keras.Input((4,), name="x_in")
    trunk = L.Dense(6, activation="elu")(x_in)
    score = L.Dense(1, name="score")(trunk)
    label = L.Dense(3, activation="softmax", name="label")(trunk)
    multi = tf.keras.Model(x_in, [score, label])
    multi.compile(tf.keras.optimizers.Adam(0.02), loss={"score": "mse", "label": "sparse_categorical_crossentropy"},
                  loss_weights=[0.5, 2.0], metrics={"label": ["accuracy"], "score": ["mae"]},
                  weighted_metrics=["mse"])
    _set_weights(K, 17, multi.weights)
    xs = rng.standard_normal((10, 4)).astype(F32)
    targets = {"score": rng.standard_normal((10, 1)).astype(F32), "label": rng.integers(0, 3, 10)}
    history = multi.fit(xs, targets, batch_size=5, epochs=2, verbose=0, shuffle=False,
                        sample_weight={"score": np.linspace(0.5, 1.5, 10).astype(F32), "label": np.ones(10, F32)})
    result.update({"multi_" + k: np.array(v) for k, v in history.history.items()})
    result["multi_metrics_names"] = np.array(multi.metrics_names)
    result["multi_evaluate"] = np.array(multi.evaluate(xs, [targets["score"], targets["label"]], verbose=0))
    K.clear_session()
    return result


@script
def recurrent_layers(tf, Session):
    """Recurrent layers on placeholders: a masked embedding into a bidirectional LSTM, a GRU returning its state,
    a backward SimpleRNN over a time dim known only at run time, TimeDistributed(Dense); trained with
    tf.train.GradientDescentOptimizer; then a Sequential LSTM classifier fit with RMSprop."""
    K, L = tf.keras.backend, tf.keras.layers
    rng = np.random.default_rng(10)
    ids = tf.placeholder(tf.int32, [None, 5], name="ids")
    seq = tf.placeholder(tf.float32, [None, None, 3], name="seq")
    target = tf.placeholder(tf.float32, [None, 2], name="target")
    emb = L.Embedding(8, 3, mask_zero=True)(ids)
    both = L.Bidirectional(L.LSTM(4, return_sequences=True))(emb)
    gru_out, gru_state = L.GRU(3, return_state=True)(both)
    per_step = L.TimeDistributed(L.Dense(2, activation="tanh"))(both)
    back = L.SimpleRNN(2, go_backwards=True)(seq)
    back_seq = L.SimpleRNN(2, return_sequences=True, go_backwards=True)(seq)
    reset_after = L.GRU(2, reset_after=True, return_sequences=True)(seq)
    # an encoder's final LSTM state starts the decoder (seq2seq)
    _, state_h, state_c = L.LSTM(3, return_state=True)(seq)
    decoded = L.LSTM(3, return_sequences=True)(seq, initial_state=[state_h, state_c])
    # the mask passes through dropout and dense layers to the LSTM; the pool averages the unmasked steps
    projected = L.Dense(4, activation="relu")(L.SpatialDropout1D(0.3)(emb))
    masked_lstm = L.LSTM(2, return_sequences=True)(projected)
    pooled = L.GlobalAveragePooling1D()(masked_lstm)
    head = L.Dense(2)(L.concatenate([gru_out, gru_state, K.sum(per_step, axis=1), back, pooled]))
    loss = tf.reduce_mean(tf.square(head - target)) + tf.reduce_mean(tf.square(back_seq)) + \
        tf.reduce_mean(reset_after) + tf.reduce_mean(decoded)
    grads = tf.gradients(loss, [seq])
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed = {ids: np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 1], [2, 0, 0, 0, 0]], np.int32),
            seq: rng.standard_normal((3, 4, 3)).astype(F32), target: rng.standard_normal((3, 2)).astype(F32)}
    result = {}
    with Session() as sess:
        K.set_session(sess)
        sess.run(tf.global_variables_initializer())
        _set_weights(K, 11, tf.trainable_variables())
        result["names"] = np.array(sorted(v.name for v in tf.global_variables()))
        result.update(sess.run({"both": both, "gru_out": gru_out, "per_step": per_step, "back": back,
                                "masked_lstm": masked_lstm, "pooled": pooled, "state_c": state_c,
                                "decoded": decoded,
                                "back_seq": back_seq, "reset_after": reset_after, "grad_seq": grads[0]}, feed))
        result["losses"] = np.array([sess.run([loss, train], feed)[0] for _ in range(3)])
    K.clear_session()

    x = rng.standard_normal((12, 6, 2)).astype(F32)
    y = (x.sum(axis=(1, 2)) > 0).astype(F32)
    model = tf.keras.Sequential([L.LSTM(5, input_shape=(6, 2)), L.Dense(1, activation="sigmoid")])
    model.compile(tf.keras.optimizers.RMSprop(0.01), "binary_crossentropy", metrics=["accuracy"])
    _set_weights(K, 12, model.weights)
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    result.update({"fit_" + k: np.array(v) for k, v in history.history.items()})
    result["fit_predict"] = model.predict(x[:4])
    K.clear_session()
    return result


@script
def custom_models(tf, Session):
    """A custom Layer (build with add_weight, call) inside a subclassed Model fit by compile/fit; a
    feature-extraction Model from another model's layers; fit_generator and evaluate_generator over a
    Python generator; fit, evaluate and predict on tf.data datasets; Adagrad and Adadelta."""
    K, L = tf.keras.backend, tf.keras.layers
    rng = np.random.default_rng(13)

    class Scale(L.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

        def build(self, input_shape):
            self.w = self.add_weight("w", shape=(int(input_shape[-1]),), initializer="ones", trainable=True)
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.w + K.square(inputs) * 0.1

    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.scale = Scale()
            self.hidden = L.Dense(6, activation="relu")
            self.out = L.Dense(3, activation="softmax")

        def call(self, inputs):
            return self.out(self.hidden(self.scale(inputs)))

    x = rng.standard_normal((16, 4)).astype(F32)
    y = tf.keras.utils.to_categorical(rng.integers(0, 3, 16), 3)
    net = Net()
    net.compile(tf.keras.optimizers.Adagrad(0.1), "categorical_crossentropy", metrics=["accuracy"])
    net.predict(x[:2])  # builds the model
    _set_weights(K, 14, net.weights)
    history = net.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    result = {"net_" + k: np.array(v) for k, v in history.history.items()}
    result["net_names"] = np.array(sorted(v.name for v in net.weights))
    result["net_predict"] = net.predict(x[:4])

    inputs = tf.keras.Input((4,))
    hidden = L.Dense(5, activation="tanh", name="features")(inputs)
    model = tf.keras.Model(inputs, L.Dense(2, activation="sigmoid")(hidden))
    extractor = tf.keras.Model(model.input, model.get_layer("features").output)
    model.compile(tf.keras.optimizers.Adadelta(1.0), "binary_crossentropy", metrics=["acc"])
    _set_weights(K, 15, model.weights)
    targets = (x[:, :2] > 0).astype(F32)

    def batches():
        while True:
            for start in range(0, 16, 4):
                yield x[start:start + 4], targets[start:start + 4]

    history = model.fit_generator(batches(), steps_per_epoch=4, epochs=2, verbose=0)
    result.update({"gen_" + k: np.array(v) for k, v in history.history.items()})
    result["gen_evaluate"] = np.array(model.evaluate_generator(batches(), steps=2))
    result["features"] = extractor.predict(x[:3])
    dataset = tf.data.Dataset.from_tensor_slices((x, targets)).batch(4)
    history = model.fit(dataset.repeat(), epochs=2, steps_per_epoch=3, verbose=0)
    result.update({"data_" + k: np.array(v) for k, v in history.history.items()})
    result["data_evaluate"] = np.array(model.evaluate(dataset, steps=4, verbose=0))
    result["data_predict"] = model.predict(tf.data.Dataset.from_tensor_slices(x[:6]).batch(4), steps=2)
    seq = tf.keras.Sequential([L.Dense(3, activation="softmax", input_shape=(4,))])
    _set_weights(K, 16, seq.weights)
    result["classes"] = seq.predict(x).argmax(axis=-1)  # TF1's predict_classes (tf-keras dropped it)
    K.clear_session()
    return result


@script
def optimizers_in_session(tf, Session):
    """Keras's optimizers minimizing one loss in a Session loop (momentum, nesterov, decay, amsgrad, centered
    RMSprop with momentum, clipnorm), a Sequential model compiled with a tf.train optimizer, and weight constraints
    (max_norm, non_neg, UnitNorm) applied after each update."""
    K, L = tf.keras.backend, tf.keras.layers
    rng = np.random.default_rng(18)
    x = tf.constant(rng.standard_normal((6, 3)).astype(F32))
    y = tf.constant(rng.standard_normal((6, 2)).astype(F32))
    makers = {"sgd_momentum": lambda: tf.keras.optimizers.SGD(0.05, momentum=0.8),
              "sgd_nesterov_decay": lambda: tf.keras.optimizers.SGD(0.05, momentum=0.5, nesterov=True, decay=0.1),
              "adam_amsgrad": lambda: tf.keras.optimizers.Adam(0.05, amsgrad=True),
              "rmsprop_centered": lambda: tf.keras.optimizers.RMSprop(0.02, momentum=0.5, centered=True),
              "rmsprop_clipnorm": lambda: tf.keras.optimizers.RMSprop(0.02, clipnorm=0.1),
              "adagrad": lambda: tf.keras.optimizers.Adagrad(0.1),
              "adadelta": lambda: tf.keras.optimizers.Adadelta(1.0)}
    result, train_ops, losses = {}, {}, {}
    for name, make in makers.items():
        with tf.variable_scope(name):
            dense = L.Dense(2)
            loss = losses[name] = tf.reduce_mean(tf.square(dense(x) - y))
            train_ops[name] = tf.group(*make().get_updates(loss, dense.trainable_weights))
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        _set_weights(K, 19, tf.trainable_variables())
        for name in makers:
            result[name] = np.array([sess.run([losses[name], train_ops[name]])[0] for _ in range(4)])
    tf.reset_default_graph()
    K.clear_session()

    model = tf.keras.Sequential([L.Dense(3, activation="relu", input_shape=(3,)), L.Dense(2)])
    model.compile(tf.train.AdamOptimizer(0.05), loss="mse")
    C = tf.keras.constraints
    constrained = tf.keras.Sequential([L.Dense(4, input_shape=(3,), kernel_constraint=C.max_norm(0.5),
                                               bias_constraint="non_neg"),
                                       L.Dense(2, kernel_constraint=C.UnitNorm(axis=1))])
    constrained.compile(tf.keras.optimizers.SGD(0.5), loss="mse")
    _set_weights(K, 20, model.weights)
    data = rng.standard_normal((8, 3)).astype(F32)
    history = model.fit(data, data[:, :2] * 2.0, batch_size=4, epochs=3, verbose=0, shuffle=False)
    result["tf_train_loss"] = np.array(history.history["loss"])
    _set_weights(K, 21, constrained.weights)
    history = constrained.fit(data, data[:, :2] * 2.0, batch_size=4, epochs=2, verbose=0, shuffle=False)
    result["constrained_loss"] = np.array(history.history["loss"])
    result["constrained_weights"] = np.concatenate([w.ravel() for w in constrained.get_weights()])
    K.clear_session()
    return result


@script
def embedding_sparse_fit(tf, Session):
    """A Keras Embedding model fit with SGD+momentum, RMSprop+momentum and Adam: the table's gradient is sparse,
    so momentum's optimizers leave the rows no batch looked up alone while Adam's moments decay everywhere."""
    K, L = tf.keras.backend, tf.keras.layers
    x = np.array([[1, 2, 2], [3, 1, 0], [5, 5, 5], [1, 1, 3]], np.int32)
    y = np.array([[1.0], [0.0], [1.0], [0.5]], F32)
    result = {}
    for name, make in [("sgd", lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9)),
                       ("rmsprop", lambda: tf.keras.optimizers.RMSprop(0.01, momentum=0.5)),
                       ("adam", lambda: tf.keras.optimizers.Adam(0.05))]:
        model = tf.keras.Sequential([L.Embedding(8, 2, input_length=3), L.Flatten(), L.Dense(1)])
        model.compile(optimizer=make(), loss="mse")
        _set_weights(K, 8, model.weights)
        history = model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
        result[name + "_loss"] = np.array(history.history["loss"])
        result[name + "_table"] = K.get_value(model.weights[0])
        K.clear_session()
    return result
