"""TF1's internal module paths (`from tensorflow.python.framework import ops`) as aliases of dfc's own modules.

TF1 scripts often import from `tensorflow.python...` (layers.core's Dense, client.device_lib, ops.array_ops,
util.nest). Each path below is a module whose names resolve in `dfc` itself, then in the dfc modules it
lists, in order; a name dfc lacks raises AttributeError naming the path. Paths not listed are not found,
as a misspelt TF path is.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

_OPS = ("array_ops", "math_ops", "nn", "nn_ops", "nn_impl", "init_ops", "control_flow_ops", "variable_scope",
        "variables", "state_ops", "random_ops", "tensor_array_ops", "rnn", "rnn_cell", "rnn_cell_impl", "clip_ops",
        "embedding_ops", "gradients", "gradients_impl", "data_flow_ops", "string_ops", "sparse_ops", "logging_ops",
        "check_ops", "functional_ops", "lookup_ops", "image_ops", "linalg_ops", "special_math_ops", "script_ops",
        "template", "parsing_ops", "io_ops", "standard_ops", "resource_variable_ops", "partitioned_variables",
        "metrics", "summary_ops", "custom_gradient", "candidate_sampling_ops", "ctc_ops", "bitwise_ops",
        "histogram_ops", "confusion_matrix", "sort_ops", "stateless_random_ops", "map_fn", "losses",
        "losses.losses", "losses.util", "distributions", "gen_array_ops", "gen_math_ops", "gen_nn_ops")
_NN = ("nn",)
#: alias (under dfc.python) -> the dfc modules (relative to dfc) its names come from, before dfc itself
ALIASES: dict[str, tuple[str, ...]] = {
    **{f"ops.{m}": (m.split(".")[0],) for m in _OPS},
    "ops.nn": _NN, "ops.nn_ops": _NN, "ops.nn_impl": _NN, "ops.ctc_ops": _NN, "ops.candidate_sampling_ops": _NN,
    "ops.embedding_ops": _NN, "ops.rnn": ("rnn", "nn"), "ops.rnn_cell": ("rnn_cell", "nn.rnn_cell"),
    "ops.rnn_cell_impl": ("rnn_cell", "nn.rnn_cell"), "ops.variable_scope": ("scopes", "variables"),
    "ops.rnn.rnn_cell_impl": ("rnn_cell", "nn.rnn_cell"),  # TF's rnn module holds it: tflearn imports it from there
    "ops.template": ("templates",), "ops.gradients": ("gradients_impl",), "ops.custom_gradient":
    ("custom_gradient_ops",), "ops.losses": ("losses",), "ops.losses.losses": ("losses",),
    "ops.losses.util": ("losses",), "ops.image_ops": ("image",), "ops.metrics": ("metrics",),
    "ops.special_math_ops": ("special_ops",), "ops.distributions": ("distributions",),
    "ops.functional_ops": ("control_flow_ops",), "ops.map_fn": ("control_flow_ops",),
    "ops.sort_ops": ("sorting_ops",), "ops.stateless_random_ops": ("random",),
    "ops.bitwise_ops": ("bitwise",), "ops.check_ops": ("debugging",), "ops.logging_ops": ("logging",),
    "ops.lookup_ops": ("lookup_ops", "lookup"), "ops.sparse_ops": ("sparse",), "ops.linalg_ops": ("linalg",),
    "ops.string_ops": ("strings",), "ops.parsing_ops": ("parsing_ops", "io"), "ops.io_ops": ("io",),
    "ops.data_flow_ops": ("queue",), "ops.summary_ops": ("summary",),
    "ops.spectral_ops": ("spectral",), "ops.signal": ("signal",), "ops.signal.fft_ops": ("spectral",),
    "ops.clustering_ops": ("contrib.factorization",), "ops.resources": ("resources",),
    "framework.ops": ("framework", "graph"), "framework.dtypes": ("dtypes",),
    "framework.tensor_shape": ("tensor_shape",), "framework.constant_op": ("conversion",),
    "framework.tensor_util": ("framework",), "framework.graph_util": ("graph_util",),
    "framework.graph_util_impl": ("graph_util",), "framework.errors": ("errors",),
    "framework.errors_impl": ("errors",), "framework.random_seed": (), "framework.sparse_tensor": ("sparse",),
    "framework.tensor_spec": (), "framework.importer": ("graph_util",), "framework.meta_graph": ("meta_graph",),
    "framework.function": (), "framework.indexed_slices": ("indexed_slices",),
    "layers": ("layers",), "layers.core": ("layers.core", "layers"), "layers.layers": ("layers",),
    "layers.base": ("layers.base", "layers"), "layers.convolutional": ("layers.convolutional", "layers"),
    "layers.normalization": ("layers",), "layers.utils": ("control_flow_ops", "conversion"),
    "framework.smart_cond": ("control_flow_ops",), "layers.pooling": ("layers",),
    "training": ("train",), "training.training": ("train",), "training.moving_averages": ("moving_averages", "train"),
    "training.training_util": ("training_util", "train"), "training.saver": ("saver", "train"),
    "training.optimizer": ("optimizer", "train"), "training.session_run_hook": ("session_run_hook", "train"),
    "training.basic_session_run_hooks": ("basic_session_run_hooks", "train"),
    "training.monitored_session": ("train",), "training.checkpoint_utils": ("checkpoint_utils", "train"),
    "training.learning_rate_decay": ("learning_rate_decay", "train"), "training.queue_runner": ("queue_runner",),
    "training.queue_runner_impl": ("queue_runner",), "training.input": ("train",),
    "training.coordinator": ("coordinator", "train"), "training.server_lib": ("train",),
    "training.device_setter": ("train",), "training.sync_replicas_optimizer": ("train",),
    "training.gradient_descent": ("train",), "training.momentum": ("train",), "training.adam": ("train",),
    "training.adagrad": ("train",), "training.rmsprop": ("train",), "training.ftrl": ("train",),
    "training.adadelta": ("train",), "training.supervisor": ("supervisor", "train"),
    "platform": (), "platform.gfile": ("gfile",), "platform.tf_logging": ("logging",), "platform.app": ("app",),
    "platform.flags": ("app.flags",), "platform.test": ("test",),
    "client": (), "client.session": ("session",), "client.device_lib": ("python.device_lib",),
    "client.timeline": ("python.timeline",),
    "util": (), "util.nest": ("nest",), "util.compat": ("compat",), "util.tf_decorator": ("python.decorators",),
    "util.tf_contextlib": ("python.decorators",),
    "summary": ("summary",), "summary.summary": ("summary",), "summary.writer": ("summary",),
    "summary.writer.writer": ("summary",),
    "saved_model": ("saved_model",), "pywrap_tensorflow": ("checkpoint_utils", "train"),
    "keras": ("keras",), "keras.layers": ("keras.layers", "keras"), "keras.models": ("keras.models", "keras"),
    "keras.backend": ("keras.backend",), "keras.optimizers": ("keras.optimizers",),
    "keras.callbacks": ("keras.callbacks",), "keras.losses": ("keras.losses",),
    "keras.utils": ("keras.utils",), "estimator": ("estimator",),
    **{f"keras.preprocessing{m}": (f"keras.preprocessing{m}",) for m in ("", ".sequence", ".text", ".image")},
    "keras.applications": ("keras.applications",),
    **{f"keras.applications.{m}": (f"keras.applications.{m}",) for m in
       ("densenet", "imagenet_utils", "inception_resnet_v2", "inception_v3", "mobilenet", "mobilenet_v2", "nasnet",
        "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "xception")},
    "data": ("data",), "data.ops": ("data",), "data.ops.dataset_ops": ("data",), "data.ops.iterator_ops": ("data",),
    "lib": (), "lib.io": ("python_io",), "lib.io.tf_record": ("python_io",), "lib.io.file_io": ("gfile",),
    "ops": (), "framework": (),
    **{f"saved_model.{m}": (f"saved_model.{m}", "saved_model") for m in
       ("builder", "loader", "tag_constants", "signature_constants", "signature_def_utils", "utils", "main_op",
        "constants", "simple_save")},
}
_RENAMED = {"constant_value": "get_static_value", "MakeNdarray": "make_ndarray", "FileWriter": "FileWriter"}


class _AliasModule(types.ModuleType):
    """One TF path: attribute lookups go to its dfc modules, then to dfc."""

    def __init__(self, name: str, sources: tuple[str, ...]):
        super().__init__(name)
        self.__path__: list[str] = []  # a package, so deeper TF paths import under it
        self._dfc_sources = sources

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        alias = f"{self.__name__}.{attr}"[len(_AliasFinder.PREFIX):]
        if _known(alias):
            return importlib.import_module(f"{self.__name__}.{attr}")  # a deeper TF path, not a dfc name
        wanted = _RENAMED.get(attr, attr)
        # dfc first: TF's internal modules hold the very objects tf.* exports (ops.Graph is tf.Graph)
        for source in ("", *self._dfc_sources):
            try:
                module = importlib.import_module(f"dfc.{source}" if source else "dfc")
            except ImportError:
                module = _attribute_path(source)
                if module is None:
                    continue
            for name in (attr, wanted):
                try:
                    value = getattr(module, name)
                except AttributeError:
                    continue
                setattr(self, attr, value)
                return value
        raise AttributeError(f"module '{self.__name__}' has no attribute '{attr}' (dfc provides TF1's public API "
                             f"and these internal paths as aliases of it)")


def _attribute_path(source: str) -> Any:
    """dfc.nn.rnn_cell and the like: a module reached by attributes rather than by import."""
    value: Any = importlib.import_module("dfc")
    for part in source.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    PREFIX = __name__ + "."

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(self.PREFIX):
            return None
        alias = fullname[len(self.PREFIX):]
        if not _known(alias):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _AliasModule(spec.name, ALIASES.get(spec.name[len(self.PREFIX):], ()))

    def exec_module(self, module: types.ModuleType) -> None:
        pass


if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
    sys.meta_path.append(_AliasFinder())


def _known(alias: str) -> bool:
    return alias in ALIASES or any(key.startswith(alias + ".") for key in ALIASES)


def __getattr__(name: str) -> Any:
    if _known(name):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
