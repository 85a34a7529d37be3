"""tf.train.Example and its parts (Features, Feature, BytesList, FloatList, Int64List, SequenceExample):
TensorFlow's example.proto and feature.proto, built here as protobuf messages so their bytes are TF's.

The messages are declared in a private descriptor pool (package `tensorflow`), so they work
whether or not TensorFlow itself is installed in the same process.
"""

from __future__ import annotations

from typing import Any


def _build() -> dict[str, Any]:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    f = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="dfc/tensorflow_example.proto", package="tensorflow",
                                              syntax="proto3")

    def message(name: str) -> Any:
        m = file.message_type.add()
        m.name = name
        return m

    def field(m: Any, name: str, number: int, ftype: int, label: int = f.LABEL_OPTIONAL, type_name: str = "",
              packed: bool = False, oneof: int | None = None) -> None:
        fd = m.field.add(name=name, number=number, type=ftype, label=label)
        if type_name:
            fd.type_name = type_name
        if packed:
            fd.options.packed = True
        if oneof is not None:
            fd.oneof_index = oneof
        fd.json_name = name

    def map_field(m: Any, name: str, value_type: str) -> None:
        entry = m.nested_type.add(name="".join(p.capitalize() for p in name.split("_")) + "Entry")
        entry.options.map_entry = True
        field(entry, "key", 1, f.TYPE_STRING)
        field(entry, "value", 2, f.TYPE_MESSAGE, type_name=value_type)
        field(m, name, 1, f.TYPE_MESSAGE, f.LABEL_REPEATED, type_name=f".tensorflow.{m.name}.{entry.name}")

    field(message("BytesList"), "value", 1, f.TYPE_BYTES, f.LABEL_REPEATED)
    field(message("FloatList"), "value", 1, f.TYPE_FLOAT, f.LABEL_REPEATED, packed=True)
    field(message("Int64List"), "value", 1, f.TYPE_INT64, f.LABEL_REPEATED, packed=True)
    feature = message("Feature")
    feature.oneof_decl.add(name="kind")
    field(feature, "bytes_list", 1, f.TYPE_MESSAGE, type_name=".tensorflow.BytesList", oneof=0)
    field(feature, "float_list", 2, f.TYPE_MESSAGE, type_name=".tensorflow.FloatList", oneof=0)
    field(feature, "int64_list", 3, f.TYPE_MESSAGE, type_name=".tensorflow.Int64List", oneof=0)
    map_field(message("Features"), "feature", ".tensorflow.Feature")
    field(message("FeatureList"), "feature", 1, f.TYPE_MESSAGE, f.LABEL_REPEATED, type_name=".tensorflow.Feature")
    map_field(message("FeatureLists"), "feature_list", ".tensorflow.FeatureList")
    field(message("Example"), "features", 1, f.TYPE_MESSAGE, type_name=".tensorflow.Features")
    sequence = message("SequenceExample")
    field(sequence, "context", 1, f.TYPE_MESSAGE, type_name=".tensorflow.Features")
    field(sequence, "feature_lists", 2, f.TYPE_MESSAGE, type_name=".tensorflow.FeatureLists")

    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    names = ("BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList", "FeatureLists", "Example",
             "SequenceExample")
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"tensorflow.{name}"))
            for name in names}


_CLASSES: dict[str, Any] = {}


def __getattr__(name: str) -> Any:  # the classes are built on first use: protobuf loads only when needed
    if not _CLASSES:
        _CLASSES.update(_build())
    if name in _CLASSES:
        return _CLASSES[name]
    raise AttributeError(f"module 'dfc.example_pb' has no attribute '{name}'")


#: the message classes this module provides (by module __getattr__)
MESSAGES = ("BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features", "FloatList", "Int64List",
            "SequenceExample")
