"""tf.contrib.slim: the layers, arg_scope and variable helpers of contrib.layers and contrib.framework under one name.

Scripts write `slim = tf.contrib.slim` and `slim.conv2d`, `slim.repeat`, `slim.arg_scope`,
`slim.get_model_variables`; these are the same functions (so arg_scope keys agree between the names).
"""

from ..losses import __dict__ as _losses_namespace
from .framework import *  # noqa: F403 - slim is these modules' union
from .framework import __all__ as _framework_all
from .layers import *  # noqa: F403
from .layers import __all__ as _layers_all
from . import prefetch_queue  # noqa: F401 - slim.prefetch_queue.prefetch_queue, a module as in TF


class _Losses:
    """slim.losses: TF1's tf.losses functions (slim's own were deprecated in their favour)."""

    def __getattr__(self, name: str):
        try:
            return _losses_namespace[name]
        except KeyError:
            raise AttributeError(f"module 'tf.contrib.slim.losses' has no attribute '{name}'") from None


losses = _Losses()
__all__ = sorted({*_framework_all, *_layers_all, "losses", "prefetch_queue"})
