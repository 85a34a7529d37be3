"""tf.contrib.slim: the layers, arg_scope and variable helpers of contrib.layers and contrib.framework under one name.

Scripts write `slim = tf.contrib.slim` and `slim.conv2d`, `slim.repeat`, `slim.arg_scope`,
`slim.get_model_variables`; these are the same functions (so arg_scope keys agree between the names).
"""

import sys
from types import SimpleNamespace

from ..losses import __dict__ as _losses_namespace
from .framework import *  # noqa: F403 - slim is these modules' union
from .framework import __all__ as _framework_all
from .layers import *  # noqa: F403
from .layers import __all__ as _layers_all
from . import model_analyzer  # noqa: F401 - slim.model_analyzer.analyze_vars, a module as in TF
from . import prefetch_queue  # noqa: F401 - slim.prefetch_queue.prefetch_queue, a module as in TF
from . import slim_nets as nets
from .layer_utils import append_tensor_alias, collect, convert_collection_to_dict, tensor_aliases
from .slim_nets.resnet_utils import last_dimension
from .training_loops import evaluation, learning  # noqa: F401 - slim.learning, slim.evaluation


class _Losses:
    """slim.losses: TF1's tf.losses functions (slim's own were deprecated in their favour)."""

    def __getattr__(self, name: str):
        try:
            return _losses_namespace[name]
        except KeyError:
            raise AttributeError(f"module 'tf.contrib.slim.losses' has no attribute '{name}'") from None


losses = _Losses()
#: slim.utils: the end_points helpers nets written in slim's style use (contrib.layers' utils)
utils = SimpleNamespace(append_tensor_alias=append_tensor_alias, collect_named_outputs=collect,
                        convert_collection_to_dict=convert_collection_to_dict, get_tensor_aliases=tensor_aliases,
                        last_dimension=last_dimension)
__all__ = sorted({*_framework_all, *_layers_all, "evaluation", "learning", "losses", "model_analyzer", "nets",
                  "prefetch_queue", "utils"})


def _register_nets() -> None:
    """`from tensorflow.contrib.slim.nets import resnet_v1` imports: slim is a module, so its `nets` subpackage and
    nets' modules are entered in sys.modules under the slim path (the same module objects as slim_nets')."""
    path = f"{__name__}.nets"
    sys.modules.setdefault(path, nets)
    for name in nets.__all__:
        sys.modules.setdefault(f"{path}.{name}", getattr(nets, name))


_register_nets()
