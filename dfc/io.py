"""tf.io: file I/O for TF1 scripts: tf.io.gfile, TFRecord files, tf.io.write_graph."""

from __future__ import annotations

import types

from . import gfile as _gfile
from .file_ops import match_filenames_once, matching_files, parse_tensor, serialize_tensor, write_file  # noqa: F401
from .graph_def import write_graph
from .image_codecs import (decode_and_crop_jpeg, decode_bmp, decode_gif, decode_image,  # noqa: F401 - tf.io's
                           decode_jpeg, decode_png, encode_jpeg, encode_png, extract_jpeg_shape, is_jpeg)
from .string_ops import decode_base64, decode_raw, encode_base64, read_file  # noqa: F401 - tf.io's
from .parsing_ops import (FixedLenFeature, FixedLenSequenceFeature, SparseFeature, VarLenFeature,  # noqa: F401
                          decode_csv, decode_json_example, parse_example, parse_sequence_example, parse_single_example,
                          parse_single_sequence_example)
from .sparse.serialize import deserialize_many_sparse, serialize_many_sparse, serialize_sparse  # noqa: F401
from .queues import PaddingFIFOQueue, PriorityQueue, QueueBase, RandomShuffleQueue  # TF1's tf.io has these
from .tfrecord import TFRecordCompressionType, TFRecordOptions, TFRecordWriter, tf_record_iterator


def _walk(top: str, topdown: bool = True, onerror=None):
    return _gfile.Walk(top, in_order=topdown)


def _join(path: str, *paths: str) -> str:
    import os
    return os.path.join(path, *paths)


gfile = types.ModuleType("dfc.io.gfile", "tf.io.gfile: TF2's lower-case names of tf.gfile's functions.")
for _name, _value in {"GFile": _gfile.GFile, "copy": _gfile.Copy, "exists": _gfile.Exists, "glob": _gfile.Glob,
                      "isdir": _gfile.IsDirectory, "join": _join, "listdir": _gfile.ListDirectory,
                      "makedirs": _gfile.MakeDirs, "mkdir": _gfile.MkDir, "remove": _gfile.Remove,
                      "rename": _gfile.Rename, "rmtree": _gfile.DeleteRecursively, "stat": _gfile.Stat,
                      "walk": _walk, "get_registered_schemes": lambda: ["file", ""]}.items():
    setattr(gfile, _name, _value)

__all__ = ["PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue", "TFRecordCompressionType",
           "TFRecordOptions", "TFRecordWriter", "gfile", "tf_record_iterator", "write_graph"]
