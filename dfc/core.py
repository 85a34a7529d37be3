"""tensorflow.core's proto modules (`from tensorflow.core.framework import summary_pb2`) as TensorBoard's copies.

TF1 scripts and libraries (tflearn's summaries, hand-built Summary and ConfigProto messages) import the generated
protos from tensorflow.core.<area>.<name>_pb2. dfc writes TensorBoard's wire format with the tensorboard package's
copies of the same .proto files (tensorboard.compat.proto), so each TF path below resolves to that module; a proto
TensorBoard does not carry is not found, as a misspelt TF path is.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

#: TF's area (tensorflow.core.<area>) -> the proto modules it holds that tensorboard.compat.proto carries
AREAS: dict[str, tuple[str, ...]] = {
    "framework": ("allocation_description_pb2", "api_def_pb2", "attr_value_pb2", "cost_graph_pb2",
                  "full_type_pb2", "function_pb2", "graph_pb2", "node_def_pb2", "op_def_pb2",
                  "resource_handle_pb2", "step_stats_pb2", "summary_pb2", "tensor_description_pb2", "tensor_pb2",
                  "tensor_shape_pb2", "types_pb2", "variable_pb2", "versions_pb2", "graph_debug_info_pb2"),
    "protobuf": ("cluster_pb2", "config_pb2", "coordination_config_pb2", "debug_pb2", "meta_graph_pb2",
                 "rewriter_config_pb2", "rpc_options_pb2", "saved_object_graph_pb2", "saver_pb2", "struct_pb2",
                 "trackable_object_graph_pb2", "verifier_config_pb2"),
    "util": ("event_pb2",),
}
__path__: list[str] = []  # a package to the import system, so tensorflow.core.<area> paths import under it


def _proto_module(name: str) -> types.ModuleType:
    try:
        return importlib.import_module(f"tensorboard.compat.proto.{name}")
    except ImportError as e:  # pragma: no cover - tensorboard is a dependency of dfc
        raise ImportError(f"tensorflow.core's {name} comes from the 'tensorboard' package: {e}") from e


class _Area(types.ModuleType):
    """tensorflow.core.<area>: its proto modules as attributes."""

    def __init__(self, name: str, protos: tuple[str, ...]):
        super().__init__(name)
        self.__path__: list[str] = []
        self._protos = protos

    def __getattr__(self, attr: str) -> Any:
        if attr in self._protos:
            return importlib.import_module(f"{self.__name__}.{attr}")
        raise AttributeError(f"module '{self.__name__}' has no attribute '{attr}' (dfc provides these "
                             f"tensorflow.core protos: {', '.join(self._protos)})")


class _CoreFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    PREFIX = __name__ + "."

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(self.PREFIX):
            return None
        parts = fullname[len(self.PREFIX):].split(".")
        if parts[0] not in AREAS or len(parts) > 2 or (len(parts) == 2 and parts[1] not in AREAS[parts[0]]):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=len(parts) == 1)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        parts = spec.name[len(self.PREFIX):].split(".")
        return _Area(spec.name, AREAS[parts[0]]) if len(parts) == 1 else _proto_module(parts[1])

    def exec_module(self, module: types.ModuleType) -> None:
        pass


if not any(isinstance(f, _CoreFinder) for f in sys.meta_path):
    sys.meta_path.append(_CoreFinder())


def __getattr__(name: str) -> Any:
    if name in AREAS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
