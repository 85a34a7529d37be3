"""tf.summary: TF1's summary ops and FileWriter, writing TensorBoard event files with TensorBoard's own writer.

This module is tf.summary's namespace. The ops (scalar, histogram, image, audio, text, merge...),
host-side tensors whose value is a serialized `Summary`, are dfc/summary_ops.py's; how values
become TensorBoard's bytes is dfc/summary_encoding.py's. Here are what writes and reads event
files (FileWriter, FileWriterCache, summary_iterator) and TF1's proto classes, loaded on first use.
Protos, event-file writing and reading are the `tensorboard` package's (the format TensorBoard reads).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from .framework import get_default_graph
from .summary_encoding import (encode_png, encode_wav, histogram_bucket_limits, histogram_proto, image_to_uint8,
                               tensorboard_protos)
from .summary_ops import (STRING, SUMMARIES, SummaryOperation, SummaryTensor, audio, clean_tag, histogram, image,
                          merge, merge_all, scalar, summary_scope, tensor_summary, text)

__all__ = ["EventProto", "FileWriter", "FileWriterCache", "GraphDef", "LazyProto", "NodeDef", "RunMetadata",
           "RunOptions", "STRING", "SUMMARIES", "SessionLogProto", "SummaryMetadataProto", "SummaryOperation",
           "SummaryProto", "SummaryTensor", "audio", "clean_tag", "encode_png", "encode_wav", "histogram",
           "histogram_bucket_limits", "histogram_proto", "image", "image_to_uint8", "merge", "merge_all", "scalar",
           "summary_iterator", "summary_scope", "tensor_summary", "text"]

_log = logging.getLogger("dfc.summary")


# ---- protos (TensorBoard's, imported when first needed) -----------------------------------------
_PROTO_NAMES = {
    "Summary": "summary_pb2", "SummaryDescription": "summary_pb2", "SummaryMetadata": "summary_pb2",
    "Event": "event_pb2", "SessionLog": "event_pb2", "TaggedRunMetadata": "event_pb2",
}


def __getattr__(name: str) -> Any:  # tf.summary.Summary and friends, without importing protobuf at `import dfc`
    if name in _PROTO_NAMES:
        return getattr(getattr(tensorboard_protos(), _PROTO_NAMES[name]), name)
    raise AttributeError(f"module 'dfc.summary' has no attribute '{name}'")


class LazyProto:
    """A proto class named at import time but loaded on first use (tf.RunOptions, tf.RunMetadata, tf.Summary)."""

    def __init__(self, module: str, name: str):
        self._module, self._name = module, name

    def _load(self) -> type:
        return getattr(getattr(tensorboard_protos(), self._module), self._name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._load()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self._load(), attr)

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, self._load())

    def __repr__(self) -> str:
        return f"<proto class {self._name}>"


# TF1's top-level proto classes (tf.RunOptions, tf.Summary, ...)
RunOptions = LazyProto("config_pb2", "RunOptions")
RunMetadata = LazyProto("config_pb2", "RunMetadata")
SummaryProto = LazyProto("summary_pb2", "Summary")
SummaryMetadataProto = LazyProto("summary_pb2", "SummaryMetadata")
EventProto = LazyProto("event_pb2", "Event")
SessionLogProto = LazyProto("event_pb2", "SessionLog")
GraphDef = LazyProto("graph_pb2", "GraphDef")
NodeDef = LazyProto("node_def_pb2", "NodeDef")


# ---- writing event files -------------------------------------------------------------------------
class FileWriter:
    """Writes Summary protos, graphs and run metadata to an event file in `logdir` for TensorBoard.

    The file is written by TensorBoard's EventFileWriter (a background thread flushing every
    `flush_secs` and when `max_queue` events are pending); `flush()` or `close()` makes it complete.
    """

    def __init__(self, logdir: str, graph: Any = None, max_queue: int = 10, flush_secs: float = 120,
                 graph_def: Any = None, filename_suffix: str | None = None, session: Any = None):
        self._logdir = str(logdir)
        self._max_queue = int(max_queue)
        self._flush_secs = flush_secs
        self._suffix = filename_suffix or ""
        self._seen_summary_tags: set[str] = set()
        self._session_run_tags: set[str] = set()
        self._closed = False
        self._writer = self._open()
        _open_writers.add(self)
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def _open(self) -> Any:
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        return EventFileWriter(self._logdir, max_queue_size=self._max_queue, flush_secs=self._flush_secs,
                               filename_suffix=self._suffix)

    def get_logdir(self) -> str:
        return self._logdir

    def add_event(self, event: Any) -> None:
        if self._closed:
            _log.warning("Attempting to use a closed FileWriter. The operation will be a noop unless the "
                         "FileWriter is explicitly reopened.")
            return
        self._writer.add_event(event)

    def _add(self, global_step: Any, **fields: Any) -> None:
        event = tensorboard_protos().event_pb2.Event(wall_time=time.time(), **fields)
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_summary(self, summary: Any, global_step: Any = None) -> None:
        """Write a Summary (the bytes `sess.run(summary_op)` returns, or a Summary proto) at `global_step`."""
        pb = tensorboard_protos().summary_pb2
        if isinstance(summary, SummaryTensor):
            raise TypeError(f"add_summary takes the value of a summary, not the summary tensor '{summary.name}': "
                            f"write sess.run({summary.name.split(':')[0]!r} summary) instead")
        if isinstance(summary, (bytes, bytearray, np.bytes_)):
            summary = pb.Summary.FromString(bytes(summary))
        elif not isinstance(summary, pb.Summary):
            raise TypeError(f"add_summary takes a serialized Summary (bytes) or a Summary proto, got "
                            f"{type(summary).__name__}")
        else:
            summary = pb.Summary.FromString(summary.SerializeToString())  # metadata is stripped below, on a copy
        for value in summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")  # TF1 keeps a tag's metadata only the first time
            else:
                self._seen_summary_tags.add(value.tag)
        self._add(global_step, summary=summary)

    def add_session_log(self, session_log: Any, global_step: Any = None) -> None:
        self._add(global_step, session_log=session_log)

    def add_graph(self, graph: Any, global_step: Any = None, graph_def: Any = None) -> None:
        """Write the graph (a dfc Graph, or a GraphDef proto) for TensorBoard's graph view."""
        from .graph_def import as_graph_def
        if graph is not None:
            graph_def = as_graph_def(graph, add_shapes=True, with_ir=False)  # TensorBoard draws the nodes only
        elif graph_def is not None:
            graph_def = as_graph_def(graph_def)
        else:
            raise TypeError("add_graph needs a graph or a graph_def")
        self._add(global_step, graph_def=graph_def.SerializeToString())

    def add_meta_graph(self, meta_graph_def: Any, global_step: Any = None) -> None:
        self._add(global_step, meta_graph_def=meta_graph_def.SerializeToString())

    def add_run_metadata(self, run_metadata: Any, tag: str, global_step: Any = None) -> None:
        """Write a tagged RunMetadata (a run traced with RunOptions(trace_level=FULL_TRACE) carries its StepStats)."""
        if tag in self._session_run_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._session_run_tags.add(tag)
        data = run_metadata.SerializeToString() if hasattr(run_metadata, "SerializeToString") else b""
        tagged = tensorboard_protos().event_pb2.TaggedRunMetadata(tag=tag, run_metadata=data)
        self._add(global_step, tagged_run_metadata=tagged)

    def flush(self) -> None:
        if not self._closed:
            self._writer.flush()

    def close(self) -> None:
        if not self._closed:
            self._writer.close()
            self._closed = True

    def reopen(self) -> None:
        """Start a new event file in the same logdir after close()."""
        if self._closed:
            self._writer = self._open()
            self._closed = False
            _open_writers.add(self)

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


_open_writers: weakref.WeakSet[FileWriter] = weakref.WeakSet()


@atexit.register
def _close_open_writers() -> None:
    """Scripts often never close their writers: write what they queued before the interpreter exits."""
    for writer in list(_open_writers):
        writer.close()


class FileWriterCache:
    """One FileWriter per logdir, shared (TF1's FileWriterCache)."""

    _cache: dict[str, FileWriter] = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir: str) -> FileWriter:
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(str(logdir))
            if writer is None:
                writer = FileWriter(logdir, graph=get_default_graph())
                FileWriterCache._cache[str(logdir)] = writer
            return writer

    @staticmethod
    def clear() -> None:
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()


def summary_iterator(path: str) -> Iterator[Any]:
    """The Event protos of one event file, in order (tf.train.summary_iterator)."""
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
    yield from LegacyEventFileLoader(str(path)).Load()
