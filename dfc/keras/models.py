"""tf.keras.models: Model and Sequential, and the whole-model file functions (HDF5 files need h5py: refused)."""

from __future__ import annotations

from .network import Model, Sequential

__all__ = ["Model", "Sequential", "load_model", "save_model"]


def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True, save_format=None) -> None:
    raise ImportError(f"`save_model` writes HDF5 ({filepath}), which requires h5py; dfc saves a model's weights as a "
                      f"TF checkpoint with model.save_weights(path)")


def load_model(filepath, custom_objects=None, compile: bool = True):  # noqa: A002 - Keras's argument name
    raise ImportError(f"`load_model` reads HDF5 ({filepath}), which requires h5py; rebuild the model and call "
                      f"model.load_weights(path) on a TF checkpoint")
