"""What the Inception nets share: the arg_scope of the published checkpoints and the concat of a module's branches."""

from __future__ import annotations

from ... import nn
from ...array_ops import concat
from ...graph import GraphKeys
from ...init_ops import truncated_normal_initializer
from ...variables import variable_scope
from ..framework import arg_scope
from ..layers import batch_norm, conv2d, fully_connected, l2_regularizer, variance_scaling_initializer


def trunc_normal(stddev: float):
    return truncated_normal_initializer(0.0, stddev)


def inception_arg_scope(weight_decay: float = 0.00004, use_batch_norm: bool = True,
                        batch_norm_decay: float = 0.9997, batch_norm_epsilon: float = 0.001,
                        batch_norm_var_collection: str = "moving_vars", batch_norm_scale: bool = False,
                        weights_initializer=None, stddev=None, use_fused_batchnorm=None):
    """L2 weight decay on conv2d and fully_connected; conv2d with ReLU and batch_norm (moving statistics also in
    `batch_norm_var_collection`, updates in UPDATE_OPS), initialized by variance scaling or, when `stddev` is
    given, a truncated normal (inception_v3's scope)."""
    batch_norm_params = {
        "decay": batch_norm_decay, "epsilon": batch_norm_epsilon, "updates_collections": GraphKeys.UPDATE_OPS,
        "variables_collections": {"beta": None, "gamma": None, "moving_mean": [batch_norm_var_collection],
                                  "moving_variance": [batch_norm_var_collection]}}
    if batch_norm_scale:
        batch_norm_params["scale"] = True
    if use_fused_batchnorm is not None:
        batch_norm_params["fused"] = use_fused_batchnorm
    normalizer_fn, normalizer_params = (batch_norm, batch_norm_params) if use_batch_norm else (None, {})
    if weights_initializer is None:
        weights_initializer = variance_scaling_initializer() if stddev is None else trunc_normal(stddev)
    with arg_scope([conv2d, fully_connected], weights_regularizer=l2_regularizer(weight_decay)):
        with arg_scope([conv2d], weights_initializer=weights_initializer, activation_fn=nn.relu,
                       normalizer_fn=normalizer_fn, normalizer_params=normalizer_params) as sc:
            return sc


def mixed(net, name: str, branches, concat_axis: int = 3):
    """An Inception module '<name>': each branch (a function of `net`) built under 'Branch_<i>', the outputs
    concatenated along the channels."""
    with variable_scope(name):
        outputs = []
        for i, branch in enumerate(branches):
            with variable_scope(f"Branch_{i}"):
                outputs.append(branch(net))
        return concat(outputs, concat_axis)


def check_endpoint(final_endpoint: str, known) -> None:
    if final_endpoint not in known:
        raise ValueError(f"Unknown final endpoint {final_endpoint}")


__all__ = ["inception_arg_scope", "mixed", "trunc_normal"]
