"""The SavedModel proto (TF's saved_model.proto) beside TensorBoard's copies of MetaGraphDef and SignatureDef.

TensorBoard ships TF's MetaGraphDef, SignatureDef and TensorInfo messages but not the
SavedModel message that holds them; it is two fields, declared here in the same descriptor
pool so that its bytes are TF's own (TensorFlow and TF Serving read what dfc writes).
"""

from __future__ import annotations

from typing import Any

from tensorboard.compat.proto import meta_graph_pb2

_PACKAGE = meta_graph_pb2.DESCRIPTOR.package
_FILE = "dfc/saved_model/saved_model.proto"
_classes: dict[str, Any] = {}


def _declare() -> Any:
    from google.protobuf import descriptor_pb2, message_factory

    pool = meta_graph_pb2.DESCRIPTOR.pool
    full_name = f"{_PACKAGE}.SavedModel"
    try:
        descriptor = pool.FindMessageTypeByName(full_name)
    except KeyError:
        proto = descriptor_pb2.FileDescriptorProto(name=_FILE, package=_PACKAGE, syntax="proto3",
                                                   dependency=[meta_graph_pb2.DESCRIPTOR.name])
        message = proto.message_type.add(name="SavedModel")
        field = descriptor_pb2.FieldDescriptorProto
        message.field.add(name="saved_model_schema_version", number=1, type=field.TYPE_INT64,
                          label=field.LABEL_OPTIONAL)
        message.field.add(name="meta_graphs", number=2, type=field.TYPE_MESSAGE, label=field.LABEL_REPEATED,
                          type_name=f".{_PACKAGE}.MetaGraphDef")
        pool.Add(proto)
        descriptor = pool.FindMessageTypeByName(full_name)
    return message_factory.GetMessageClass(descriptor)


def SavedModel(**fields: Any) -> Any:  # noqa: N802 - named as the proto message it builds
    """A new SavedModel proto: saved_model_schema_version and the MetaGraphDefs (meta_graphs)."""
    if "SavedModel" not in _classes:
        _classes["SavedModel"] = _declare()
    return _classes["SavedModel"](**fields)


MetaGraphDef = meta_graph_pb2.MetaGraphDef
SignatureDef = meta_graph_pb2.SignatureDef
TensorInfo = meta_graph_pb2.TensorInfo
AssetFileDef = meta_graph_pb2.AssetFileDef

__all__ = ["AssetFileDef", "MetaGraphDef", "SavedModel", "SignatureDef", "TensorInfo"]
