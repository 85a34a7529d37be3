"""tf.saved_model.loader: read a SavedModel directory and rebuild one of its meta graphs in a Session.

load() picks the meta graph whose tags equal the given set, imports its graph (with
import_scope), restores the variables from export_dir/variables, runs its main op (fed the
asset files' paths) and returns its MetaGraphDef (signatures name the tensors to feed/fetch).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from . import constants
from .builder import variables_path
from .protos import AssetFileDef, SavedModel

_log = logging.getLogger("dfc")


def _as_path(path: Any) -> str:
    return os.fsdecode(os.fspath(path))


def write_saved_model(saved_model: Any, export_dir: str, as_text: bool) -> str:
    """Write the SavedModel proto into export_dir (whole, then renamed); returns the file's path."""
    from google.protobuf import text_format
    os.makedirs(export_dir, exist_ok=True)
    name = constants.SAVED_MODEL_FILENAME_PBTXT if as_text else constants.SAVED_MODEL_FILENAME_PB
    path = os.path.join(export_dir, name)
    data = text_format.MessageToString(saved_model).encode() if as_text \
        else saved_model.SerializeToString(deterministic=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def parse_saved_model(export_dir: Any) -> Any:
    """The SavedModel proto of export_dir (saved_model.pb, else saved_model.pbtxt); OSError without either."""
    from google.protobuf import message, text_format
    export_dir = _as_path(export_dir)
    path_pb = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB)
    path_pbtxt = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
    saved_model = SavedModel()
    if os.path.isfile(path_pb):
        with open(path_pb, "rb") as f:
            data = f.read()
        try:
            saved_model.ParseFromString(data)
        except message.DecodeError as e:
            raise OSError(f"Cannot parse file {path_pb}: {e}.") from e
    elif os.path.isfile(path_pbtxt):
        with open(path_pbtxt, "rb") as f:
            data = f.read()
        try:
            text_format.Parse(data.decode("utf-8"), saved_model)
        except (text_format.ParseError, UnicodeDecodeError) as e:
            raise OSError(f"Cannot parse file {path_pbtxt}: {e}.") from e
    else:
        raise OSError(f"SavedModel file does not exist at: {export_dir}{os.path.sep}"
                      f"{{{constants.SAVED_MODEL_FILENAME_PBTXT}|{constants.SAVED_MODEL_FILENAME_PB}}}")
    return saved_model


def maybe_saved_model_directory(export_dir: Any) -> bool:
    """Whether export_dir holds a SavedModel file (saved_model.pb, .pbtxt or .cpb); it may still fail to load."""
    export_dir = _as_path(export_dir)
    return any(os.path.exists(os.path.join(export_dir, name)) for name in (
        constants.SAVED_MODEL_FILENAME_PBTXT, constants.SAVED_MODEL_FILENAME_PB, constants.SAVED_MODEL_FILENAME_CPB))


def contains_saved_model(export_dir: Any) -> bool:
    """Whether export_dir (a string or os.PathLike) holds a SavedModel file."""
    return maybe_saved_model_directory(export_dir)


def get_asset_tensors(export_dir: Any, meta_graph_def: Any, import_scope: str | None = None) -> dict[str, str]:
    """{asset tensor name: the asset file's path under export_dir/assets} of a meta graph."""
    protos = list(meta_graph_def.asset_file_def)
    collection = meta_graph_def.collection_def
    if not protos and constants.ASSETS_KEY in collection:
        for packed in collection[constants.ASSETS_KEY].any_list.value:
            proto = AssetFileDef()
            packed.Unpack(proto)
            protos.append(proto)
    directory = os.path.join(_as_path(export_dir), constants.ASSETS_DIRECTORY)
    result = {}
    for proto in protos:
        name = proto.tensor_info.name
        result[f"{import_scope}/{name}" if import_scope else name] = os.path.join(directory, proto.filename)
    return result


class SavedModelLoader:
    """Loads the meta graphs and variables of the SavedModel in export_dir (parsed once, here)."""

    def __init__(self, export_dir: Any):
        self._export_dir = _as_path(export_dir)
        self._variables_path = variables_path(self._export_dir)
        self._saved_model = parse_saved_model(self._export_dir)

    @property
    def export_dir(self) -> str:
        return self._export_dir

    @property
    def variables_path(self) -> str:
        return self._variables_path

    @property
    def saved_model(self) -> Any:
        return self._saved_model

    def get_meta_graph_def_from_tags(self, tags: Any) -> Any:
        """The MetaGraphDef whose tag set equals `tags`; RuntimeError naming the tag sets there are."""
        available = []
        for meta_graph_def in self._saved_model.meta_graphs:
            available.append(set(meta_graph_def.meta_info_def.tags))
            if set(meta_graph_def.meta_info_def.tags) == set(tags):
                return meta_graph_def
        raise RuntimeError(f"MetaGraphDef associated with tags {str(tags).strip('[]')} could not be found in "
                           f"SavedModel, with available tags '{available}'. To inspect available tag-sets in the "
                           f"SavedModel, please use the SavedModel CLI: `saved_model_cli`.")

    def load_graph(self, graph: Any, tags: Any, import_scope: str | None = None, **saver_kwargs: Any) -> Any:
        """Import the meta graph of `tags` into `graph`; returns (its Saver or None, None)."""
        from dfc.ir.errors import UnimplementedError

        from ..saver import import_meta_graph
        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with graph.as_default():
            try:
                saver = import_meta_graph(meta_graph_def, import_scope=import_scope, **saver_kwargs)
            except UnimplementedError as e:
                raise UnimplementedError(f"cannot load the meta graph tagged {sorted(set(tags))} of the SavedModel in "
                                         f"{self._export_dir}: {e}") from None
        return saver, None

    def restore_variables(self, sess: Any, saver: Any, import_scope: str | None = None) -> None:
        """Restore the SavedModel's variables into `sess` with `saver`."""
        from ..saver import Saver
        from ..variables import global_variables
        with sess.graph.as_default():
            if saver is None and not global_variables(scope=import_scope):
                _log.info("The specified SavedModel has no variables; no checkpoints were restored.")
            elif isinstance(saver, Saver):
                saver.restore(sess, self._variables_path)
            else:
                raise ValueError("No tf.train.Saver object was passed to the function "
                                 "`SavedModelLoader.restore_variables`. Since there are variables in the graph, a "
                                 "saver is required.")

    def run_init_ops(self, sess: Any, tags: Any, import_scope: str | None = None) -> None:
        """Run the meta graph's main op (or legacy init op), fed the asset files' paths."""
        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with sess.graph.as_default():
            assets = get_asset_tensors(self._export_dir, meta_graph_def, import_scope=import_scope)
            init_op = get_init_op(meta_graph_def, import_scope)
            if init_op is not None:
                sess.run(fetches=[init_op], feed_dict=assets)

    def load(self, sess: Any, tags: Any, import_scope: str | None = None, **saver_kwargs: Any) -> Any:
        """Rebuild the meta graph of `tags` in sess.graph, restore its variables; returns its MetaGraphDef."""
        with sess.graph.as_default():
            saver, _ = self.load_graph(sess.graph, tags, import_scope, **saver_kwargs)
            self.restore_variables(sess, saver, import_scope)
            self.run_init_ops(sess, tags, import_scope)
        return self.get_meta_graph_def_from_tags(tags)


def _op_from_collection(meta_graph_def: Any, key: str) -> Any:
    from ..graph import get_collection
    if key not in meta_graph_def.collection_def:
        return None
    names = meta_graph_def.collection_def[key].node_list.value
    if len(names) != 1:
        raise RuntimeError(f"Expected exactly one SavedModel init op. Found {len(names)}: {list(names)}.")
    return get_collection(key)[0]


def get_init_op(meta_graph_def: Any, import_scope: str | None = None) -> Any:
    """The op a loaded meta graph runs after restoring: its init signature's, else its main or legacy init op."""
    from .signature_def_utils import load_op_from_signature_def
    if constants.INIT_OP_SIGNATURE_KEY in meta_graph_def.signature_def:
        return load_op_from_signature_def(meta_graph_def.signature_def[constants.INIT_OP_SIGNATURE_KEY],
                                          constants.INIT_OP_SIGNATURE_KEY, import_scope)
    return (_op_from_collection(meta_graph_def, constants.MAIN_OP_KEY)
            or _op_from_collection(meta_graph_def, constants.LEGACY_INIT_OP_KEY))


def load(sess: Any, tags: Any, export_dir: Any, import_scope: str | None = None, **saver_kwargs: Any) -> Any:
    """Load the meta graph tagged `tags` of the SavedModel in export_dir into `sess`; returns its MetaGraphDef."""
    return SavedModelLoader(export_dir).load(sess, tags, import_scope, **saver_kwargs)


__all__ = ["contains_saved_model", "load", "maybe_saved_model_directory"]
