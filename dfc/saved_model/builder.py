"""tf.saved_model.builder: SavedModelBuilder and simple_save, TF1's serving export (meta graphs, variables, assets).

The directory holds what TF writes: `saved_model.pb` (or `.pbtxt`), a SavedModel proto of
MetaGraphDefs each tagged and carrying SignatureDefs, `variables/` with the variables
checkpoint (dfc's checkpoint format, `variables/variables.safetensors`) shared by every meta
graph, and `assets/` with the asset files. tf.saved_model.loader.load rebuilds it in a Session.
"""

from __future__ import annotations

import logging
import os
import shutil
from typing import Any

from dfc.ir.errors import NotFoundError

from . import constants, signature_constants, tag_constants
from .protos import AssetFileDef, SavedModel

_log = logging.getLogger("dfc")


def _as_path(path: Any) -> str:
    return os.fsdecode(os.fspath(path))


def variables_path(export_dir: Any) -> str:
    """The checkpoint prefix of a SavedModel's variables (export_dir/variables/variables)."""
    return os.path.join(_as_path(export_dir), constants.VARIABLES_DIRECTORY, constants.VARIABLES_FILENAME)


class SavedModelBuilder:
    """Builds a SavedModel in `export_dir`: one add_meta_graph_and_variables, any add_meta_graph, then save()."""

    def __init__(self, export_dir: Any):
        self._export_dir = _as_path(export_dir)
        self._saved_model = SavedModel(saved_model_schema_version=constants.SAVED_MODEL_SCHEMA_VERSION)
        if os.path.exists(self._export_dir):
            if not os.path.isdir(self._export_dir):
                raise NotFoundError(f"Could not find directory {self._export_dir}")
            if os.listdir(self._export_dir):
                raise AssertionError(f"Export directory {self._export_dir} already exists, and isn't empty. Please "
                                     f"choose a different export directory, or delete all the contents of the "
                                     f"specified directory.")
        else:
            os.makedirs(self._export_dir)
        self._has_saved_variables = False
        self._saved_asset_files: set[str] = set()

    # ---- checks ------------------------------------------------------------------------------------------
    @staticmethod
    def _validate_tensor_info(tensor_info: Any, where: str) -> None:
        if tensor_info is None:
            raise AssertionError("All TensorInfo protos used in the SignatureDefs must have the name and dtype "
                                 "fields set.")
        encoding = tensor_info.WhichOneof("encoding")
        if encoding is None:
            raise AssertionError(f"Invalid `tensor_info`: {tensor_info} ({where}). All TensorInfo protos used in "
                                 f"the SignatureDefs must have one of the 'encoding' fields (e.g., name or "
                                 f"coo_sparse) set.")
        if encoding == "composite_tensor":
            for component in tensor_info.composite_tensor.components:
                SavedModelBuilder._validate_tensor_info(component, where)
        elif tensor_info.dtype == 0:
            raise AssertionError(f"Invalid `tensor_info`: {tensor_info} ({where}). All TensorInfo protos used in the "
                                 f"SignatureDefs must have the dtype field set.")

    def _validate_signature_def_map(self, signature_def_map: dict) -> None:
        for key, signature_def in signature_def_map.items():
            for name, info in signature_def.inputs.items():
                self._validate_tensor_info(info, f"signature '{key}', input '{name}'")
            for name, info in signature_def.outputs.items():
                self._validate_tensor_info(info, f"signature '{key}', output '{name}'")
        if constants.INIT_OP_SIGNATURE_KEY in signature_def_map:
            raise KeyError(f'SignatureDef map key "{constants.INIT_OP_SIGNATURE_KEY}" is reserved for '
                           f'initialization. Please use a different key.')
        if constants.TRAIN_OP_SIGNATURE_KEY in signature_def_map:
            raise KeyError(f'SignatureDef map key "{constants.TRAIN_OP_SIGNATURE_KEY}" is reserved for the train '
                           f'op. Please use a different key.')

    # ---- collections: main op, train op, assets ----------------------------------------------------------
    @staticmethod
    def _check_main_op(main_op: Any) -> None:
        from ..graph import get_collection
        from ..graph_builder import Operation
        if main_op is None:
            return
        if not isinstance(main_op, Operation):
            raise TypeError(f"Expected {main_op} to be an Operation but got type {type(main_op)} instead.")
        for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
            if get_collection(key):
                raise ValueError(f"Graph already contains one or more main ops under the collection {key}.")

    def _add_collections(self, assets_collection: Any, main_op: Any, train_op: Any) -> None:
        from ..graph import add_to_collection
        from ..graph_builder import Operation, Tensor
        self._check_main_op(main_op)
        if train_op is not None and not isinstance(train_op, (Tensor, Operation)):
            raise TypeError(f"`train_op` {train_op} needs to be a Tensor or Op.")
        assets = _asset_files(assets_collection)  # every check before the graph's collections change
        for filename, tensor in assets:
            add_to_collection(constants.ASSETS_KEY, _asset_any(filename, tensor))
        self._copy_assets(assets)
        if main_op is not None:
            add_to_collection(constants.MAIN_OP_KEY, main_op)
        if train_op is not None:
            add_to_collection(constants.TRAIN_OP_KEY, train_op)

    def _add_train_op(self, train_op: Any) -> None:
        """Keep `train_op` in the graph's collection for the meta graph (the Estimator's export does)."""
        self._add_collections(None, None, train_op)

    def _copy_assets(self, assets: list[tuple[str, Any]]) -> None:
        if not assets:
            _log.info("No assets to write.")
            return
        directory = os.path.join(self._export_dir, constants.ASSETS_DIRECTORY)
        os.makedirs(directory, exist_ok=True)
        for filename, tensor in assets:
            source = _asset_path(tensor)
            destination = os.path.join(directory, filename)
            if os.path.exists(source) and source != destination and destination not in self._saved_asset_files:
                shutil.copyfile(source, destination)
                self._saved_asset_files.add(destination)

    # ---- meta graphs -------------------------------------------------------------------------------------
    @staticmethod
    def _maybe_create_saver(saver: Any) -> Any:
        from ..saver import Saver
        return saver if saver else Saver(sharded=True, allow_empty=True)

    def _export(self, saver: Any, tags: Any, signature_def_map: dict, clear_devices: bool,
                strip_default_attrs: bool) -> None:
        from ..framework import get_default_graph
        from ..meta_graph import export_meta_graph
        meta_graph_def = export_meta_graph(graph=get_default_graph(), saver_def=saver.as_saver_def(),
                                           clear_devices=clear_devices, strip_default_attrs=strip_default_attrs)
        meta_graph_def.meta_info_def.stripped_default_attrs = bool(strip_default_attrs)
        for tag in tags:  # as TF's: a string of tags is its characters
            meta_graph_def.meta_info_def.tags.append(tag)
        for key, signature_def in signature_def_map.items():
            meta_graph_def.signature_def[key].CopyFrom(signature_def)
        self._saved_model.meta_graphs.add().CopyFrom(meta_graph_def)

    def _prepare(self, signature_def_map: dict | None, assets_collection: Any, main_op: Any,
                 legacy_init_op: Any) -> dict:
        """Check the signatures, then put the main op and assets in the graph's collections (assets copied)."""
        signature_def_map = signature_def_map or {}
        self._validate_signature_def_map(signature_def_map)
        self._add_collections(assets_collection, main_op if main_op is not None else legacy_init_op, None)
        return signature_def_map

    def add_meta_graph_and_variables(self, sess: Any, tags: Any, signature_def_map: dict | None = None,
                                     assets_collection: Any = None, legacy_init_op: Any = None,
                                     clear_devices: bool = False, main_op: Any = None,
                                     strip_default_attrs: bool = False, saver: Any = None) -> None:
        """Save the session's variables and the default graph as the first meta graph, tagged `tags`."""
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already been saved. Please invoke "
                                 "`add_meta_graph()` instead.")
        signature_def_map = self._prepare(signature_def_map, assets_collection, main_op, legacy_init_op)
        os.makedirs(os.path.join(self._export_dir, constants.VARIABLES_DIRECTORY), exist_ok=True)
        saver = self._maybe_create_saver(saver)
        if saver._items:  # as TF's, a saver of no variables writes no checkpoint
            saver.save(sess, variables_path(self._export_dir), write_meta_graph=False, write_state=False)
        self._export(saver, tags, signature_def_map, clear_devices, strip_default_attrs)
        self._has_saved_variables = True

    def add_meta_graph(self, tags: Any, signature_def_map: dict | None = None, assets_collection: Any = None,
                       legacy_init_op: Any = None, clear_devices: bool = False, main_op: Any = None,
                       strip_default_attrs: bool = False, saver: Any = None) -> None:
        """Add the default graph as another meta graph, tagged `tags`, sharing the variables saved first."""
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been saved yet. Please invoke "
                                 "`add_meta_graph_and_variables()` first.")
        signature_def_map = self._prepare(signature_def_map, assets_collection, main_op, legacy_init_op)
        self._export(self._maybe_create_saver(saver), tags, signature_def_map, clear_devices, strip_default_attrs)

    def save(self, as_text: bool = False, experimental_image_format: bool = False,
             experimental_image_writer_options: Any = None) -> bytes:
        """Write saved_model.pb (saved_model.pbtxt with `as_text`); returns its path, as bytes like TF's."""
        if experimental_image_format:
            raise RuntimeError("No proto_splitter is provided, cannot use experimental_image_format.")
        from .loader import write_saved_model
        path = write_saved_model(self._saved_model, self._export_dir, as_text)
        _log.info("SavedModel written to: %s", path)
        return os.fsencode(path)


Builder = SavedModelBuilder


def _asset_path(tensor: Any) -> str:
    """The file a constant asset tensor names."""
    from ..graph_builder import Tensor
    from ..shape_ops import get_static_value
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Asset path tensor {tensor} must be a Tensor.")
    if tensor.op.type != "Const":
        raise TypeError(f"Asset path tensor {tensor} must be of type constant.Has type {tensor.op.type} instead.")
    if getattr(tensor.dtype, "name", None) != "string":
        raise TypeError(f"Asset path tensor {tensor}` must be of dtype string.Has type {tensor.dtype} instead.")
    value = get_static_value(tensor)
    values = list(getattr(value, "flat", [value]))
    if len(values) != 1:
        raise TypeError(f"Asset path tensor {tensor} must be a scalar.")
    return os.fsdecode(values[0])


def _asset_files(assets_collection: Any) -> list[tuple[str, Any]]:
    """(file name in assets/, tensor) of each asset tensor: base names, made unique where two files differ."""
    import filecmp
    if assets_collection is None:
        return []
    chosen: dict[str, str] = {}
    result = []
    for tensor in assets_collection:
        source = _asset_path(tensor)
        if not source:
            raise ValueError(f"Asset filepath tensor {tensor} in is invalid.")
        filename = os.path.basename(source)
        if filename in chosen and chosen[filename] != source and not filecmp.cmp(source, chosen[filename]):
            base, i = filename, 1
            while filename in chosen:
                filename, i = f"{base}_{i}", i + 1
        chosen[filename] = source
        result.append((filename, tensor))
    return result


def _asset_any(filename: str, tensor: Any) -> Any:
    from google.protobuf import any_pb2
    proto = AssetFileDef(filename=filename)
    proto.tensor_info.name = tensor.name
    packed = any_pb2.Any()
    packed.Pack(proto)
    return packed


def simple_save(session: Any, export_dir: Any, inputs: dict, outputs: dict, legacy_init_op: Any = None) -> None:
    """Save the session's model for serving: tag 'serve', one predict signature 'serving_default' of inputs/outputs."""
    from ..graph import GraphKeys, get_collection
    from .signature_def_utils import predict_signature_def
    signature_def_map = {signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                         predict_signature_def(inputs, outputs)}
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(session, tags=[tag_constants.SERVING], signature_def_map=signature_def_map,
                                         assets_collection=get_collection(GraphKeys.ASSET_FILEPATHS),
                                         main_op=legacy_init_op, clear_devices=True)
    builder.save()


__all__ = ["Builder", "SavedModelBuilder", "simple_save"]
