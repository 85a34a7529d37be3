"""Saved recurrent weights between TF's CuDNN layout and Keras's, as TF's Keras converts them on loading:
CuDNNLSTM's weights into an LSTM (and back), CuDNNGRU's into a GRU(reset_after=True) (and back), also
inside a Bidirectional. A CuDNN gate's kernel block holds cuDNN's [units, inputs] matrix; Keras's is its
transpose; cuDNN's two biases add up to the LSTM's one, and stack as the GRU's two rows."""

from __future__ import annotations

import numpy as np

__all__ = ["convert_rnn_weights"]


def _blocks(kernel: np.ndarray, gates: int, to_keras: bool, recurrent: bool) -> np.ndarray:
    out = []
    for block in np.hsplit(kernel, gates):
        if recurrent:
            out.append(block.T)
        elif to_keras:  # cuDNN's matrix from its bytes, transposed
            out.append(block.reshape(block.shape[1], block.shape[0]).T)
        else:
            out.append(np.ascontiguousarray(block.T).reshape(block.shape))
    return np.hstack(out)


def _kernels(values: list, gates: int, to_keras: bool) -> list:
    return [_blocks(values[0], gates, to_keras, False), _blocks(values[1], gates, to_keras, True)]


def _lstm(layer, values: list) -> list:
    units = values[1].shape[0]
    bias = values[2]
    if bias.shape == (8 * units,):
        source = "CuDNNLSTM"
    elif bias.shape == (4 * units,):
        source = "LSTM"
    else:
        raise ValueError(f"Invalid bias shape: {bias.shape}")
    if source == type(layer).__name__:
        return values
    if source == "CuDNNLSTM":
        return _kernels(values, 4, True) + [bias[:4 * units] + bias[4 * units:]]
    return _kernels(values, 4, False) + [np.tile(0.5 * bias, 2)]


def _gru(layer, values: list) -> list:
    units = values[1].shape[0]
    bias = values[2]
    kinds = {(6 * units,): "CuDNNGRU", (2, 3 * units): "GRU(reset_after=True)", (3 * units,): "GRU(reset_after=False)"}
    source = kinds.get(bias.shape)
    if source is None:
        raise ValueError(f"Invalid bias shape: {bias.shape}")
    if type(layer).__name__ == "CuDNNGRU":
        target = "CuDNNGRU"
    else:
        target = "GRU(reset_after=True)" if getattr(layer, "reset_after", getattr(layer.cell, "reset_after", False)) \
            else "GRU(reset_after=False)"
    if source == target:
        return values
    if "GRU(reset_after=False)" in (source, target):
        raise ValueError(f"{source} is not compatible with {target}")
    if source == "CuDNNGRU":
        return _kernels(values, 3, True) + [bias.reshape(2, -1)]
    return _kernels(values, 3, False) + [bias.reshape(-1)]


def convert_rnn_weights(layer, values: list) -> list:
    """`values` (a layer's saved weights) as `layer` takes them: converted between CuDNN and Keras layouts
    where they were saved by the other kind; otherwise as they are."""
    name = type(layer).__name__
    if name == "Bidirectional" and len(values) % 2 == 0:
        half = len(values) // 2
        return convert_rnn_weights(layer.forward_layer, values[:half]) + \
            convert_rnn_weights(layer.backward_layer, values[half:])
    values = [np.asarray(v) for v in values]
    if len(values) == 3 and name in ("LSTM", "CuDNNLSTM"):
        return _lstm(layer, values)
    if len(values) == 3 and name in ("GRU", "CuDNNGRU"):
        return _gru(layer, values)
    return values
