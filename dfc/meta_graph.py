"""Meta graphs: tf.train.export_meta_graph / import_meta_graph (a saved graph rebuilt in another script).

A `.meta` file is TF's MetaGraphDef proto: its `graph_def` is the graph as TF's GraphDef (for
TensorBoard and other tools), its `collection_def` holds the collections as TF writes them
(node names, VariableDefs), and the collection `dfc_ir` holds what rebuilding needs exactly:
the graph in dfc's IR text (which parses back) and its op names.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from dfc.ir.errors import DataLossError, FailedPreconditionError, ParseError, UnimplementedError

_log = logging.getLogger("dfc")

#: the collection of a MetaGraphDef holding dfc's IR text and op names
IR_COLLECTION = "dfc_ir"
_FORMAT = "dfc-meta-graph-1"
#: collections of the DSL's own bookkeeping, rebuilt from the variables rather than saved
_INTERNAL = ("__variables_by_name", "__variable_scopes", "__layer_name_counts", "__template_scope_names",
             "__variable_scope_counts")


_warned_summary_collections: set[str] = set()

def _proto_modules():
    from tensorboard.compat.proto import meta_graph_pb2, variable_pb2
    return meta_graph_pb2, variable_pb2


# ---- export ---------------------------------------------------------------------------------------
def export_meta_graph(filename: str | None = None, meta_info_def: Any = None, graph_def: Any = None,
                      saver_def: Any = None, collection_list: list[str] | None = None, as_text: bool = False,
                      graph: Any = None, export_scope: str | None = None, clear_devices: bool = False,
                      clear_extraneous_savers: bool = False, strip_default_attrs: bool = False,
                      save_debug_info: bool = False, **kwargs: Any) -> Any:
    """The MetaGraphDef of `graph` (the default graph), written to `filename` when given."""
    from dfc.ir.printer import print_graph

    from .framework import get_default_graph
    from .graph_def import graph_to_graph_def
    from .variables import Variable

    meta_graph_pb2, variable_pb2 = _proto_modules()
    graph = graph if graph is not None else get_default_graph()
    ir = graph._dfc_ir()
    meta = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.CopyFrom(meta_info_def)
    meta.meta_info_def.meta_graph_version = meta.meta_info_def.meta_graph_version or _FORMAT
    meta.graph_def.CopyFrom(graph_def if graph_def is not None else graph_to_graph_def(ir, with_ir=False))
    if saver_def is not None:
        meta.saver_def.CopyFrom(saver_def)
    store = graph.collections.get("__variables_by_name", {})
    extra = {"format": _FORMAT, "op_names": [op.name for op in ir.walk()],  # the IR text's names are sanitized
             "get_variable": sorted(store), "dynamic_variables": sorted(graph.dynamic_variables),
             "clear_devices": bool(clear_devices)}
    ir_entry = meta.collection_def[IR_COLLECTION].bytes_list.value
    ir_entry.extend([print_graph(ir).encode(), json.dumps(extra).encode()])
    keys = collection_list if collection_list is not None else sorted(graph.collections)
    for key in keys:
        if not isinstance(key, str) or key.startswith("__") or key == IR_COLLECTION:
            continue
        items = graph.collections.get(key, [])
        if not isinstance(items, list) or not items:
            continue
        _export_collection(meta.collection_def[key], key, items, Variable, variable_pb2)
        if not meta.collection_def[key].ListFields():
            del meta.collection_def[key]
    if filename is not None:
        _write(meta, filename, as_text)
    return meta


def _export_collection(entry: Any, key: str, items: list, variable_cls: type, variable_pb2: Any) -> None:
    from .graph_builder import Operation, Tensor
    if all(isinstance(x, variable_cls) for x in items):
        for var in items:
            proto = variable_pb2.VariableDef(variable_name=var.name, initializer_name=var.initializer.name,
                                             snapshot_name=var._as_tensor().name, trainable=var.trainable)
            if isinstance(var.initial_value, Tensor):
                proto.initial_value_name = var.initial_value.name
            info = var._save_slice_info
            if info is not None:  # a shard of a partitioned variable: where it lies in the whole (TF's)
                proto.save_slice_info_def.full_name = info.full_name
                proto.save_slice_info_def.full_shape.extend(info.full_shape)
                proto.save_slice_info_def.var_offset.extend(info.var_offset)
                proto.save_slice_info_def.var_shape.extend(info.var_shape)
            entry.bytes_list.value.append(proto.SerializeToString())
    elif all(isinstance(x, (Tensor, Operation)) for x in items):
        entry.node_list.value.extend(x.name for x in items)
    elif all(isinstance(x, (str, bytes)) for x in items):
        entry.bytes_list.value.extend(x.encode() if isinstance(x, str) else x for x in items)
    elif all(isinstance(x, int) and not isinstance(x, bool) for x in items):
        entry.int64_list.value.extend(items)
    elif all(isinstance(x, float) for x in items):
        entry.float_list.value.extend(items)
    elif all(type(x).__name__ == "Any" and hasattr(x, "Pack") for x in items):  # protos packed in Any (assets)
        entry.any_list.value.extend(items)
    elif all(hasattr(x, "_dfc_host_fetch") for x in items):
        if key in _warned_summary_collections:  # once: Saver.save exports the meta graph at every checkpoint
            return
        _warned_summary_collections.add(key)
        _log.warning("Collection %s holds summaries, which dfc computes on the host: they are not saved in the meta "
                     "graph (make them again after import_meta_graph)", key)
    else:  # TF skips such collections with a warning, too
        _log.warning("Issue encountered when serializing %s: its items are not tensors, ops, variables, strings "
                     "or numbers; the collection is left out of the meta graph", key)


def _write(meta: Any, filename: str, as_text: bool) -> None:
    from google.protobuf import text_format
    directory = os.path.dirname(os.path.abspath(filename))
    os.makedirs(directory, exist_ok=True)
    data = text_format.MessageToString(meta).encode() if as_text else meta.SerializeToString()
    tmp = f"{filename}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:  # whole, then renamed: a reader never sees half a meta graph
        f.write(data)
    os.replace(tmp, filename)


def read_meta_graph_file(filename: str) -> Any:
    """The MetaGraphDef of a .meta file, binary or text."""
    from google.protobuf import message, text_format
    meta_graph_pb2, _ = _proto_modules()
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise OSError(f"File {filename} does not exist.") from None  # TF1's IOError
    except IsADirectoryError:
        raise FailedPreconditionError(f"{filename}; Is a directory (import_meta_graph reads a .meta file)") from None
    meta = meta_graph_pb2.MetaGraphDef()
    try:
        meta.ParseFromString(data)
        return meta
    except message.DecodeError:
        pass
    try:
        text_format.Parse(data.decode("utf-8"), meta)
    except (UnicodeDecodeError, text_format.ParseError) as e:
        raise DataLossError(f"{filename} is not a MetaGraphDef file ({e})") from None
    return meta


# ---- import ---------------------------------------------------------------------------------------
class _Imported:
    def __init__(self, graph: Any, prefix: str):
        self.graph = graph
        self.prefix = prefix
        self.op_names: dict[str, str] = {}  # saved op name -> its name in this graph
        self.variable_names: dict[str, str] = {}  # saved variable name -> its name in this graph
        self.variables: dict[str, Any] = {}  # saved variable name -> Variable
        self.global_variables: list[Any] = []

    def element(self, name: str) -> Any:
        op_name, sep, index = name.partition(":")
        new = self.op_names.get(op_name)
        if new is None:
            raise ValueError(f"Requested return_element '{name}' not found in the imported graph")
        return self.graph.get_tensor_by_name(f"{new}:{index}") if sep else self.graph.get_operation_by_name(new)


def import_into(graph: Any, meta: Any, clear_devices: bool, import_scope: str | None, input_map: dict) -> _Imported:
    """Rebuild the graph and collections of `meta` in `graph` (tf.train.import_meta_graph, in saver.py)."""
    entry = meta.collection_def.get(IR_COLLECTION) if IR_COLLECTION in meta.collection_def else None
    if entry is None or len(entry.bytes_list.value) != 2:
        raise UnimplementedError("this meta graph was not written by dfc (it has no 'dfc_ir' collection): dfc "
                                 "rebuilds graphs from its own meta graphs, not from TensorFlow's GraphDef ops")
    text, extra_json = entry.bytes_list.value
    try:
        extra = json.loads(extra_json)
    except ValueError as e:
        raise DataLossError(f"the meta graph's dfc_ir collection is damaged: {e}") from None
    saved = parse_ir(text, extra.get("op_names", []), "meta graph")
    prefix = import_scope.rstrip("/") if import_scope else ""
    result = clone_into(graph, saved, prefix, input_map, clear_devices or extra.get("clear_devices", False))
    variable_names = result.variable_names
    graph.dynamic_variables.update(variable_names.get(n, n) for n in extra.get("dynamic_variables", []))
    _import_collections(graph, meta, result, variable_names, set(extra.get("get_variable", [])))
    return result


def parse_ir(text: bytes, op_names: list[str], what: str) -> Any:
    """The IR graph of a saved text and its op names (in walk order)."""
    from dfc.ir.parser import parse_graph
    try:
        saved = parse_graph(text.decode("utf-8"), filename=f"<{what}>")
    except (ParseError, ValueError, UnicodeDecodeError) as e:
        raise DataLossError(f"the {what}'s dfc IR is damaged: {e}") from None
    saved_ops = list(saved.walk())
    if len(saved_ops) != len(op_names):
        raise DataLossError(f"the {what}'s op names do not match its ops")
    for op, name in zip(saved_ops, op_names):
        op.name = name
    return saved


def clone_into(graph: Any, saved: Any, prefix: str, input_map: dict, clear_devices: bool) -> _Imported:
    """Copy every op of the IR graph `saved` into the tf.Graph `graph`, names under `prefix/`.

    `input_map` ({'x:0': tensor}) makes the copies' users of a saved value use a tensor of `graph`
    instead; variables are renamed with their ops.
    """
    from dfc.ir.rewrite import clone_op

    from .framework import convert_to_tensor

    if graph.finalized:
        raise RuntimeError("Graph is finalized and cannot be modified.")
    result = _Imported(graph, prefix)
    ir = graph._dfc_ir()
    value_map: dict = {}
    mapped: dict = {}  # saved values fed from the current graph instead (input_map)
    for key, tensor in input_map.items():
        op_name, _, index = key.partition(":")
        try:
            source = saved.op_by_name(op_name.lstrip("^")).results[int(index or 0)]
        except (KeyError, IndexError, ValueError):
            raise ValueError(f"Attempted to map inputs that were not found in graph_def: [{key}]") from None
        with graph.as_default():
            mapped[source] = convert_to_tensor(tensor)._dfc_ir()
    value_map.update(mapped)
    variable_names = result.variable_names
    for op in saved.ops:
        wanted = f"{prefix}/{op.name}" if prefix else op.name
        new_name = ir.reserve_name(wanted)
        result.op_names[op.name] = new_name
        if op.type == "dfc.variable":
            variable_names[op.attrs.get("name", op.name)] = new_name
    for op in saved.ops:
        new = clone_op(op, value_map, name=result.op_names[op.name])
        value_map.update((r, mapped[r]) for r in op.results if r in mapped)  # the op stays, its users take the map
        for inner in [new, *(o for r in new.regions for o in r.walk())]:
            if inner is not new:
                inner.name = f"{prefix}/{inner.name}" if prefix else inner.name
            if clear_devices:
                inner.device = None
            if inner.type == "dfc.variable" and "name" in inner.attrs:
                inner.attrs["name"] = variable_names.get(inner.attrs["name"], inner.attrs["name"])
            elif "variable" in inner.attrs and isinstance(inner.attrs["variable"], str):
                inner.attrs["variable"] = variable_names.get(inner.attrs["variable"], inner.attrs["variable"])
        ir.append(new)
    return result


def _import_collections(graph: Any, meta: Any, result: _Imported, variable_names: dict[str, str],
                        made_by_get_variable: set[str]) -> None:
    from .variables import Variable
    _, variable_pb2 = _proto_modules()

    def tensor_or_op(name: str) -> Any:
        op_name, sep, index = name.partition(":")
        new = result.op_names.get(op_name.lstrip("^"), op_name)
        return graph.get_tensor_by_name(f"{new}:{index}") if sep else graph.get_operation_by_name(new)

    def variable(proto_bytes: bytes) -> Any:
        proto = variable_pb2.VariableDef.FromString(proto_bytes)
        saved_name = proto.variable_name.partition(":")[0]
        var = result.variables.get(saved_name)
        if var is None:
            new_name = variable_names.get(saved_name, saved_name)
            read = graph.get_tensor_by_name(f"{new_name}:0")
            initializer = tensor_or_op(proto.initializer_name)
            initial = tensor_or_op(proto.initial_value_name) if proto.initial_value_name else None
            var = Variable._from_graph(read, initializer, initial, proto.trainable)
            if proto.HasField("save_slice_info_def"):
                from .partitioned_variables import SaveSliceInfo
                d = proto.save_slice_info_def
                prefix = new_name[:len(new_name) - len(saved_name)] if new_name.endswith(saved_name) else ""
                var._save_slice_info = SaveSliceInfo(prefix + d.full_name, d.full_shape, d.var_offset, d.var_shape)
                var._saved_full_name = d.full_name  # the checkpoint's name of the whole
            result.variables[saved_name] = var
            if saved_name in made_by_get_variable:
                graph.collections.setdefault("__variables_by_name", {})[new_name] = var
        return var

    for key in sorted(meta.collection_def):
        if key == IR_COLLECTION or key in _INTERNAL:
            continue
        entry = meta.collection_def[key]
        kind = entry.WhichOneof("kind")
        items: list[Any] = []
        if kind == "node_list":
            items = [tensor_or_op(name) for name in entry.node_list.value]
        elif kind == "bytes_list":
            values = list(entry.bytes_list.value)
            try:
                items = [variable(v) for v in values] if _are_variable_defs(values, variable_pb2) else values
            except (KeyError, ValueError) as e:
                raise DataLossError(f"the meta graph's collection '{key}' names what its graph lacks: {e}") from None
        elif kind == "int64_list":
            items = list(entry.int64_list.value)
        elif kind == "float_list":
            items = list(entry.float_list.value)
        elif kind == "any_list":
            items = list(entry.any_list.value)
        else:
            continue
        target = graph.collections.setdefault(key, [])
        target.extend(x for x in items if not any(x is y for y in target))
    from .variables import GLOBAL_VARIABLES
    result.global_variables = [v for v in graph.collections.get(GLOBAL_VARIABLES, [])
                               if any(v is w for w in result.variables.values())]


def _are_variable_defs(values: list[bytes], variable_pb2: Any) -> bool:
    from google.protobuf import message
    if not values:
        return False
    try:
        protos = [variable_pb2.VariableDef.FromString(v) for v in values]
    except message.DecodeError:
        return False
    return all(p.variable_name.endswith(":0") and p.initializer_name for p in protos)


__all__ = ["clone_into", "export_meta_graph", "import_into", "parse_ir", "read_meta_graph_file"]
