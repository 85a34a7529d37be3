"""Warm-starting an Estimator's variables from another checkpoint (tf.estimator.WarmStartSettings' effect):
tf.train.warm_start (dfc/warm_starting.py) with the settings' variables, renames and vocabularies."""

from __future__ import annotations

from typing import Any


def warm_start(settings: Any) -> None:
    """Make the chosen variables' initializers take their values from settings.ckpt_to_initialize_from."""
    from ..warm_starting import warm_start as train_warm_start
    train_warm_start(settings.ckpt_to_initialize_from, settings.vars_to_warm_start,
                     settings.var_name_to_vocab_info or None, settings.var_name_to_prev_var_name or None)


__all__ = ["warm_start"]
