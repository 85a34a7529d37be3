"""The Keras layers and models of the HDF5 tests, written once for TF's Keras (recorded by tests/record_keras_h5.py)
and for dfc (tests/test_keras_h5.py): `keras` is tf.keras of either."""

from __future__ import annotations

import numpy as np

#: (label, layer class, positional arguments, keyword arguments): layers made alike in TF and dfc whose configs
#: must agree (defaults, and arguments away from them)
LAYER_CASES: list[tuple[str, str, tuple, dict]] = [
    ("Dense", "Dense", (3,), {}),
    ("Dense_args", "Dense", (5,), dict(activation="relu", use_bias=False, kernel_initializer="he_normal",
                                       kernel_regularizer={"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}},
                                       kernel_constraint="non_neg", input_shape=(4,))),
    ("Flatten", "Flatten", (), {}),
    ("Activation", "Activation", ("tanh",), {}),
    ("Dropout", "Dropout", (0.25,), dict(seed=3, noise_shape=(None, 1))),
    ("SpatialDropout1D", "SpatialDropout1D", (0.5,), {}),
    ("SpatialDropout2D", "SpatialDropout2D", (0.5,), {}),
    ("GaussianNoise", "GaussianNoise", (0.1,), {}),
    ("ActivityRegularization", "ActivityRegularization", (0.1, 0.2), {}),
    ("Reshape", "Reshape", ((2, 3),), {}),
    ("Permute", "Permute", ((2, 1),), {}),
    ("RepeatVector", "RepeatVector", (3,), {}),
    ("Embedding", "Embedding", (10, 3), {}),
    ("Embedding_args", "Embedding", (12, 4), dict(mask_zero=True, input_length=5,
                                                  embeddings_initializer="glorot_normal")),
    ("BatchNormalization", "BatchNormalization", (), {}),
    ("BatchNormalization_args", "BatchNormalization", (), dict(axis=1, momentum=0.9, epsilon=1e-4, center=False,
                                                               gamma_initializer="zeros")),
    ("LeakyReLU", "LeakyReLU", (0.2,), {}),
    ("Softmax", "Softmax", (1,), {}),
    ("ELU", "ELU", (0.5,), {}),
    ("ThresholdedReLU", "ThresholdedReLU", (0.7,), {}),
    ("PReLU", "PReLU", (), dict(shared_axes=[1, 2])),
    ("Conv1D", "Conv1D", (2, 3), dict(padding="causal", dilation_rate=2)),
    ("Conv2D", "Conv2D", (2, 3), {}),
    ("Conv2D_args", "Conv2D", (4, (3, 2)), dict(strides=2, padding="same", activation="relu",
                                                bias_initializer="ones", kernel_constraint={
                                                    "class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}})),
    ("Conv3D", "Conv3D", (2, 3), {}),
    ("Conv2DTranspose", "Conv2DTranspose", (2, 3), dict(strides=2)),
    ("SeparableConv2D", "SeparableConv2D", (2, 3), dict(depth_multiplier=2)),
    ("DepthwiseConv2D", "DepthwiseConv2D", (3,), dict(depth_multiplier=2, use_bias=False)),
    ("MaxPooling1D", "MaxPooling1D", (), {}),
    ("MaxPooling2D", "MaxPooling2D", ((3, 3),), dict(strides=2, padding="same")),
    ("MaxPooling3D", "MaxPooling3D", (), {}),
    ("AveragePooling1D", "AveragePooling1D", (3,), {}),
    ("AveragePooling2D", "AveragePooling2D", (), {}),
    ("AveragePooling3D", "AveragePooling3D", (), {}),
    ("GlobalAveragePooling1D", "GlobalAveragePooling1D", (), {}),
    ("GlobalAveragePooling2D", "GlobalAveragePooling2D", (), {}),
    ("GlobalMaxPooling1D", "GlobalMaxPooling1D", (), {}),
    ("GlobalMaxPooling2D", "GlobalMaxPooling2D", (), {}),
    ("ZeroPadding1D", "ZeroPadding1D", (2,), {}),
    ("ZeroPadding2D", "ZeroPadding2D", (((1, 2), (3, 4)),), {}),
    ("UpSampling1D", "UpSampling1D", (3,), {}),
    ("UpSampling2D", "UpSampling2D", ((2, 3),), dict(interpolation="bilinear")),
    ("Cropping1D", "Cropping1D", ((1, 2),), {}),
    ("Cropping2D", "Cropping2D", (((1, 1), (2, 0)),), {}),
    ("Add", "Add", (), {}),
    ("Subtract", "Subtract", (), {}),
    ("Multiply", "Multiply", (), {}),
    ("Average", "Average", (), {}),
    ("Maximum", "Maximum", (), {}),
    ("Minimum", "Minimum", (), {}),
    ("Concatenate", "Concatenate", (1,), {}),
    ("Dot", "Dot", ((1, 2),), dict(normalize=True)),
    ("SimpleRNN", "SimpleRNN", (3,), {}),
    ("LSTM", "LSTM", (3,), dict(return_sequences=True, dropout=0.1, unit_forget_bias=False)),
    ("GRU", "GRU", (3,), dict(go_backwards=True, activation="relu")),
    ("SimpleRNNCell", "SimpleRNNCell", (3,), {}),
    ("LSTMCell", "LSTMCell", (3,), {}),
    ("GRUCell", "GRUCell", (3,), dict(reset_after=True)),
    ("Masking", "Masking", (-1.0,), {}),
]

#: layers that wrap another: (label, class, inner class, inner args, inner kwargs, kwargs)
WRAPPER_CASES = [
    ("RNN", "RNN", "LSTMCell", (3,), {}, dict(return_sequences=True)),
    ("Bidirectional", "Bidirectional", "LSTM", (3,), {}, dict(merge_mode="sum")),
    ("TimeDistributed", "TimeDistributed", "Dense", (3,), {}, {}),
]

#: keys whose value TF 2.21 keeps in its own form (not an argument a TF1 script gives)
QUIRKS = {"negative_slope", "threshold"}


def make_layer(keras, class_name: str, args: tuple, kwargs: dict):
    return getattr(keras.layers, class_name)(*args, **kwargs)


def make_wrapper(keras, case):
    _, class_name, inner, inner_args, inner_kwargs, kwargs = case
    return getattr(keras.layers, class_name)(getattr(keras.layers, inner)(*inner_args, **inner_kwargs), **kwargs)


# ---- models saved as .h5 by TF and loaded by dfc (and the other way round) ------------------------------------
def mlp(keras):
    """A Sequential MLP (no dropout: training it on is deterministic, so TF's next epoch is compared too)."""
    return keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(6,)),
                             keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(3, activation="softmax")])


def convnet(keras):
    """A functional CNN: Conv2D, BatchNormalization, pooling, Dropout, Flatten and a second input merged in."""
    image = keras.Input(shape=(8, 8, 2), name="image")
    extra = keras.Input(shape=(3,), name="extra")
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(image)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(6, (2, 2), strides=2)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.concatenate([x, keras.layers.Dense(5, activation="elu")(extra)])
    out = keras.layers.Dense(2, activation="sigmoid", name="score")(x)
    return keras.Model([image, extra], out)


def lstm_text(keras):
    """Embedding (mask_zero) into an LSTM and a bidirectional GRU, over token ids."""
    ids = keras.Input(shape=(7,), dtype="int32")
    x = keras.layers.Embedding(20, 6, mask_zero=True)(ids)
    x = keras.layers.LSTM(5, return_sequences=True)(x)
    x = keras.layers.Bidirectional(keras.layers.GRU(4))(x)
    out = keras.layers.Dense(1)(x)
    return keras.Model(ids, out)


def zoo(keras):
    """Most other layers with weights or arguments, over three inputs: separable, depthwise, transposed and causal
    convolutions, padding, cropping, pooling, PReLU, BatchNormalization, Masking, SimpleRNN, TimeDistributed,
    Permute, Reshape, RepeatVector, Embedding, Dot, Subtract, a weight penalty."""
    L = keras.layers
    img = keras.Input(shape=(8, 8, 3), name="img")
    x = L.ZeroPadding2D(1)(img)
    x = L.SeparableConv2D(4, 3, depth_multiplier=2, activation="relu")(x)
    x = L.DepthwiseConv2D(3, padding="same")(x)
    x = L.Conv2DTranspose(3, 2, strides=2)(x)
    x = L.Cropping2D(((1, 1), (2, 2)))(x)
    x = L.AveragePooling2D()(x)
    x = L.UpSampling2D()(x)
    x = L.PReLU()(x)
    x = L.BatchNormalization(momentum=0.5)(x)
    a = L.GlobalAveragePooling2D()(x)
    seq = keras.Input(shape=(5, 4), name="seq")
    s = L.SimpleRNN(3)(L.Masking(0.0)(seq))
    s = L.TimeDistributed(L.Dense(2))(L.RepeatVector(2)(s))
    s = L.Reshape((4,))(L.Permute((2, 1))(s))
    ids = keras.Input(shape=(3,), name="ids")
    t = L.Embedding(9, 4)(ids)
    t = L.GlobalMaxPooling1D()(L.Conv1D(3, 2, padding="causal")(t))
    d = L.Dot(axes=1, normalize=True)([L.Dense(3)(a), t])
    out = L.concatenate([a, s, d, L.Subtract()([t, L.Dense(3)(a)])])
    out = L.Dense(2, activation="softmax", kernel_regularizer=keras.regularizers.l2(0.01))(out)
    return keras.Model([img, seq, ids], out)


MODELS = {"mlp": mlp, "convnet": convnet, "lstm_text": lstm_text, "zoo": zoo}
#: the models whose training draws no random numbers (no dropout): their next epoch after loading is compared
DETERMINISTIC = ("mlp", "lstm_text", "zoo")


def model_inputs(name: str):
    """Fixed inputs of each model (a list for several)."""
    rng = np.random.RandomState(7)
    if name == "mlp":
        return rng.randn(5, 6).astype(np.float32)
    if name == "convnet":
        return [rng.randn(4, 8, 8, 2).astype(np.float32), rng.randn(4, 3).astype(np.float32)]
    if name == "zoo":
        seq = rng.randn(4, 5, 4).astype(np.float32)
        seq[0, 3:] = 0
        return [rng.randn(4, 8, 8, 3).astype(np.float32), seq, rng.randint(0, 9, (4, 3)).astype(np.float32)]
    ids = rng.randint(1, 20, size=(4, 7)).astype(np.int32)
    ids[0, 5:] = 0
    ids[2, 3:] = 0
    return ids


def compile_model(keras, model, name: str):
    """Each model's compile: an optimizer with state, a loss, metrics."""
    if name == "mlp":
        model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
    elif name == "convnet":
        model.compile(keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True), "binary_crossentropy")
    elif name == "zoo":
        model.compile(keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True), "categorical_crossentropy",
                      metrics=["acc"])
    else:
        model.compile(keras.optimizers.RMSprop(0.01), "mse", metrics=["mae"])


def model_targets(name: str, n: int):
    rng = np.random.RandomState(11)
    if name in ("mlp", "zoo"):
        classes = 3 if name == "mlp" else 2
        return np.eye(classes, dtype=np.float32)[rng.randint(0, classes, n)]
    if name == "convnet":
        return (rng.rand(n, 2) > 0.5).astype(np.float32)
    return rng.randn(n, 1).astype(np.float32)
