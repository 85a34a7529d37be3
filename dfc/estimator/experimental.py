"""tf.estimator.experimental: the early-stopping hooks (their code is in exporters.py)."""

from __future__ import annotations

from .exporters import (make_early_stopping_hook, stop_if_higher_hook, stop_if_lower_hook, stop_if_no_decrease_hook,
                        stop_if_no_increase_hook)

__all__ = ["make_early_stopping_hook", "stop_if_higher_hook", "stop_if_lower_hook", "stop_if_no_decrease_hook",
           "stop_if_no_increase_hook"]
