"""tf.keras layer configs: the keys TF's Keras writes in each layer's get_config (read from the layer, in JSON
form), the layer classes model configs name, and custom objects (custom_objects= and custom_object_scope).

`get_config` of a dfc layer gives, in TF's order, the arguments that rebuild it: activations by name,
initializers, regularizers and constraints as {"class_name", "config"}, nested layers (a Bidirectional's
layer, an RNN's cell) likewise, shapes as lists. `deserialize` finds a class by the name in a config:
first the custom objects given, then those in scope, then the layers dfc provides; otherwise TF's
ValueError "Unknown layer: X".
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from . import activations, constraints, initializers, regularizers
from .utils import custom_object_scope, custom_objects_in_scope

__all__ = ["CONFIG_KEYS", "config_values", "deserialize", "find_class", "json_ready", "serialize"]

_DENSE_WEIGHTS = ("kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
                  "activity_regularizer", "kernel_constraint", "bias_constraint")
_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation",
         "use_bias") + _DENSE_WEIGHTS
_POOL = ("pool_size", "padding", "strides", "data_format")
_RNN = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "time_major")
_CELL_WEIGHTS = ("kernel_initializer", "recurrent_initializer", "bias_initializer")
_CELL_PENALTIES = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer")
_CELL_CONSTRAINTS = ("kernel_constraint", "recurrent_constraint", "bias_constraint")
_SIMPLE_CELL = ("units", "activation", "use_bias") + _CELL_WEIGHTS + _CELL_PENALTIES + _CELL_CONSTRAINTS + \
    ("dropout", "recurrent_dropout")
_LSTM_CELL = ("units", "activation", "recurrent_activation", "use_bias") + _CELL_WEIGHTS + ("unit_forget_bias",) + \
    _CELL_PENALTIES + _CELL_CONSTRAINTS + ("dropout", "recurrent_dropout", "implementation")
_GRU_CELL = ("units", "activation", "recurrent_activation", "use_bias") + _CELL_WEIGHTS + _CELL_PENALTIES + \
    _CELL_CONSTRAINTS + ("dropout", "recurrent_dropout", "implementation", "reset_after")
_CUDNN_RNN = ("return_sequences", "return_state", "go_backwards", "stateful", "time_major")
_CUDNN_PENALTIES = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
                    "kernel_constraint", "recurrent_constraint", "bias_constraint")


def _with_activity(keys: tuple) -> tuple:
    """A cell's keys as its recurrent layer writes them: activity_regularizer after the weight penalties."""
    i = keys.index("bias_regularizer") + 1
    return keys[:i] + ("activity_regularizer",) + keys[i:]


#: the keys of each layer's config after name, trainable, dtype (and batch_input_shape), as TF's Keras writes them
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "Dense": ("units", "activation", "use_bias") + _DENSE_WEIGHTS,
    "Flatten": ("data_format",),
    "Activation": ("activation",),
    "Dropout": ("rate", "noise_shape", "seed"),
    "SpatialDropout1D": ("rate", "noise_shape", "seed"),
    "SpatialDropout2D": ("rate", "noise_shape", "seed"),
    "GaussianNoise": ("stddev", "seed"),
    "ActivityRegularization": ("l1", "l2"),
    "Reshape": ("target_shape",),
    "Permute": ("dims",),
    "RepeatVector": ("n",),
    "Lambda": ("function", "function_type", "module", "output_shape", "output_shape_type", "output_shape_module",
               "arguments"),
    "Embedding": ("input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer",
                  "activity_regularizer", "embeddings_constraint", "mask_zero", "input_length"),
    "BatchNormalization": ("axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                           "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
                           "gamma_regularizer", "beta_constraint", "gamma_constraint"),
    "LeakyReLU": ("alpha",),
    "ReLU": ("max_value", "negative_slope", "threshold"),
    "Softmax": ("axis",),
    "ELU": ("alpha",),
    "ThresholdedReLU": ("theta",),
    "PReLU": ("alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"),
    "Conv1D": _CONV, "Conv2D": _CONV, "Conv3D": _CONV,
    "Conv2DTranspose": _CONV + ("output_padding",),
    "SeparableConv2D": _CONV + ("depth_multiplier", "depthwise_initializer", "pointwise_initializer",
                                "depthwise_regularizer", "pointwise_regularizer", "depthwise_constraint",
                                "pointwise_constraint"),
    "DepthwiseConv2D": ("kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation",
                        "use_bias", "bias_initializer", "bias_regularizer", "activity_regularizer", "bias_constraint",
                        "depth_multiplier", "depthwise_initializer", "depthwise_regularizer",
                        "depthwise_constraint"),
    "MaxPooling1D": ("strides", "pool_size", "padding", "data_format"),
    "AveragePooling1D": ("strides", "pool_size", "padding", "data_format"),
    "MaxPooling2D": _POOL, "AveragePooling2D": _POOL, "MaxPooling3D": _POOL, "AveragePooling3D": _POOL,
    "GlobalAveragePooling1D": ("data_format", "keepdims"), "GlobalAveragePooling2D": ("data_format", "keepdims"),
    "GlobalMaxPooling1D": ("data_format", "keepdims"), "GlobalMaxPooling2D": ("data_format", "keepdims"),
    "ZeroPadding1D": ("padding",), "ZeroPadding2D": ("padding", "data_format"),
    "UpSampling1D": ("size",), "UpSampling2D": ("size", "data_format", "interpolation"),
    "Cropping1D": ("cropping",), "Cropping2D": ("cropping", "data_format"),
    "Add": (), "Subtract": (), "Multiply": (), "Average": (), "Maximum": (), "Minimum": (),
    "Concatenate": ("axis",), "Dot": ("axes", "normalize"),
    "SimpleRNNCell": _SIMPLE_CELL, "LSTMCell": _LSTM_CELL, "GRUCell": _GRU_CELL,
    "SimpleRNN": _RNN + _with_activity(_SIMPLE_CELL), "LSTM": _RNN + _with_activity(_LSTM_CELL),
    "GRU": _RNN + _with_activity(_GRU_CELL),
    "RNN": _RNN + ("cell",),
    "Bidirectional": ("layer", "merge_mode"),
    "TimeDistributed": ("layer",),
    "Masking": ("mask_value",),
    "LayerNormalization": ("axis", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                           "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"),
    "CuDNNLSTM": _CUDNN_RNN + ("units", "kernel_initializer", "recurrent_initializer", "bias_initializer",
                               "unit_forget_bias") + _CUDNN_PENALTIES,
    "CuDNNGRU": _CUDNN_RNN + ("units", "kernel_initializer", "recurrent_initializer", "bias_initializer")
    + _CUDNN_PENALTIES,
    "ConvLSTM2D": _RNN + ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                          "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                          "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
                          "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                          "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout"),
}

_FORMATS = {"NWC": "channels_last", "NHWC": "channels_last", "NDHWC": "channels_last", "NCW": "channels_first",
            "NCHW": "channels_first", "NCDHW": "channels_first"}
#: values a layer keeps in another form than its argument: (class, key) -> the argument
_SPECIAL = {
    ("ZeroPadding1D", "padding"): lambda layer: list(layer.padding[0]),
    ("Conv1D", "padding"): lambda layer: "causal" if layer._causal else layer.padding,
    ("SeparableConv2D", "kernel_initializer"): lambda layer: "glorot_uniform",
    ("Cropping1D", "cropping"): lambda layer: list(layer.cropping[0]),
    ("UpSampling1D", "size"): lambda layer: layer.size[0],
    ("Bidirectional", "layer"): lambda layer: layer._layer_config,
    ("SimpleRNN", "activity_regularizer"): lambda layer: regularizers.serialize(layer.activity_regularizer),
    ("LSTM", "activity_regularizer"): lambda layer: regularizers.serialize(layer.activity_regularizer),
    ("GRU", "activity_regularizer"): lambda layer: regularizers.serialize(layer.activity_regularizer),
    ("CuDNNLSTM", "activity_regularizer"): lambda layer: regularizers.serialize(layer.activity_regularizer),
    ("CuDNNGRU", "activity_regularizer"): lambda layer: regularizers.serialize(layer.activity_regularizer),
    ("ConvLSTM2D", "activity_regularizer"): lambda layer: regularizers.serialize(layer.activity_regularizer),
}
_MISSING = object()


def _attribute(layer, key: str):
    for owner in (layer, getattr(layer, "cell", None)):
        if owner is None:
            continue
        for name in (key, f"_{key}"):
            value = getattr(owner, name, _MISSING) if not isinstance(owner, type) else _MISSING
            if value is not _MISSING:
                return value
    return None


def json_ready(value: Any) -> Any:
    """`value` as JSON keeps it: tuples as lists, numpy numbers and arrays as Python's, dtypes by name."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "as_numpy_dtype") and hasattr(value, "name"):
        return value.name
    return value


def _value(layer, class_name: str, key: str):
    special = _SPECIAL.get((class_name, key))
    value = special(layer) if special else _attribute(layer, key)
    if key in ("activation", "recurrent_activation"):
        return activations.serialize(activations.get(value))
    if key.endswith("_initializer"):
        return None if value is None else initializers.serialize(initializers.get(value))
    if key.endswith("_regularizer"):
        return None if value is None or isinstance(value, dict) else regularizers.serialize(value)
    if key.endswith("_constraint"):
        return None if value is None else constraints.serialize(constraints.get(value))
    if key == "data_format" and isinstance(value, str):
        return _FORMATS.get(value, value)
    if key == "padding" and isinstance(value, str):
        return value.lower()
    if key == "groups" and value is None:
        return 1
    if hasattr(value, "get_config") and hasattr(value, "weights"):  # a nested layer
        return serialize(value)
    return json_ready(value)


def keras_base(cls: type) -> str | None:
    """The name of the class of dfc's Keras whose config keys `cls` writes (itself or the nearest base)."""
    for klass in cls.__mro__:
        if klass.__name__ in CONFIG_KEYS and klass.__module__.startswith("dfc."):
            return klass.__name__
    return None


def config_values(layer) -> dict:
    """The layer's own config entries (after the base entries) as TF's Keras writes them."""
    base = keras_base(type(layer))
    if base is None:
        return {}
    return {key: _value(layer, base, key) for key in CONFIG_KEYS[base]}


def serialize(layer) -> dict:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


# ---- the classes configs name ---------------------------------------------------------------------
#: every Keras layer class made (engine.Layer registers its subclasses); dfc's are found by name
LAYER_CLASSES: list[type] = []


def _dfc_layers() -> dict[str, type]:
    found: dict[str, type] = {}
    for cls in LAYER_CLASSES:  # by their names now: some classes are named after they are made
        if cls.__module__.startswith("dfc.") and not cls.__name__.startswith("_"):
            found[cls.__name__] = cls  # the last made of a name: a public class over the base it was made from
    return found


_ALIASES = {"Functional": "Model", "Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
            "Deconvolution2D": "Conv2DTranspose", "Conv2DTranspose": "Conv2DTranspose"}


def find_class(name: str, custom_objects: dict | None = None, kind: str = "layer"):
    """The class (or function) a config names: the custom objects given or in scope, else dfc's."""
    for table in (custom_objects or {}, custom_objects_in_scope()):
        if name in table:
            return table[name]
    found = _dfc_layers().get(_ALIASES.get(name, name))
    if found is None:
        raise ValueError(f"Unknown {kind}: {name}. Please ensure this object is passed to the `custom_objects` "
                         f"argument. See https://www.tensorflow.org/guide/keras/save_and_serialize"
                         f"#registering_the_custom_object for details.")
    return found


def deserialize(config: dict, custom_objects: dict | None = None):
    """The layer (or model) a {"class_name", "config"} describes, rebuilt with its class's from_config."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Improper config format: {config!r}")
    cls = find_class(config["class_name"], custom_objects)
    with custom_object_scope(custom_objects or {}):
        from_config = getattr(cls, "from_config", None)
        if from_config is None:
            return cls(**config["config"])
        if "custom_objects" in inspect.signature(from_config).parameters:
            return from_config(config["config"], custom_objects=custom_objects_in_scope())
        return from_config(config["config"])
