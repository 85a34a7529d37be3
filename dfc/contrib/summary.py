"""tf.contrib.summary: TF 1.x's writer-bound summaries (summary_ops_v2 in graph mode).

A summary made while a writer is the default (`writer.as_default()`) and recording is on
(`always_record_summaries()`, `record_summaries_every_n_global_steps(n)`) is a fetchable op that, each time it
runs, computes its tf.summary value in the step and writes it, at the step (the global step unless given), to
its writer's event file; it runs to True when it wrote and False when recording was off, as TF's smart_cond does.
Without a default writer a summary is a no-op; without a recording context nothing is recorded (TF 1.x's default).
The ops gather in the graph's `_SUMMARY_V2` collection (`all_summary_ops()`). The event files are written by
dfc's tf.summary.FileWriter, so TensorBoard reads them as it reads tf.summary's.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from dfc.ir.dtypes import bool_

from .. import summary_ops
from ..framework import Tensor, convert_to_tensor, get_default_graph

#: TF's ops.GraphKeys._SUMMARY_COLLECTION
SUMMARY_COLLECTION = "_SUMMARY_V2"
#: TF's collection of summary writers' initializer ops
_INIT_COLLECTION = "_SUMMARY_WRITER_V2"


class _State(threading.local):
    def __init__(self):
        self.writer: SummaryWriter | None = None
        self.recording: Any = None  # None (off), True/False, or (n, global_step): every n-th step


_state = _State()


class _HostAction:
    """A fetchable op whose run does `action()` on the host (a writer's init, flush or close)."""

    def __init__(self, name: str, op_type: str, action):
        self.name, self.type, self._action = name, op_type, action

    def _dfc_host_fetch(self) -> tuple[list, Any]:
        return [], lambda _: self._action()

    def run(self, feed_dict=None, session=None) -> None:
        from dfc.runtime import get_default_session
        (session or get_default_session()).run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<dfc.Operation '{self.name}' type={self.type}>"


class SummaryWriter:
    """A summary file writer (TF's SummaryWriter resource): its event file opens when its init op runs (or at
    its first write) in `logdir`, with TF's `.v2` suffix unless one is given."""

    def __init__(self, logdir: str | None, max_queue: int | None = None, flush_millis: int | None = None,
                 filename_suffix: str | None = None, name: str | None = None):
        self._logdir = None if logdir is None else str(logdir)
        self._max_queue = 10 if max_queue is None else int(max_queue)
        self._flush_secs = 120.0 if flush_millis is None else int(flush_millis) / 1000.0
        self._suffix = ".v2" if filename_suffix is None else filename_suffix
        self._file = None
        self.name = name or "SummaryWriter"
        if self._logdir is not None:
            get_default_graph().add_to_collection(_INIT_COLLECTION, self.init())

    def _open(self):
        if self._file is None and self._logdir is not None:
            from ..summary import FileWriter
            self._file = FileWriter(self._logdir, max_queue=self._max_queue, flush_secs=self._flush_secs,
                                    filename_suffix=self._suffix)
        return self._file

    def _write(self, summary: bytes, step: int) -> None:
        writer = self._open()
        if writer is not None:
            writer.add_summary(summary, step)

    def _flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def init(self) -> _HostAction:
        return _HostAction(f"{self.name}/CreateSummaryFileWriter", "CreateSummaryFileWriter", self._open)

    def flush(self) -> _HostAction:
        return _HostAction(f"{self.name}/FlushSummaryWriter", "FlushSummaryWriter", self._flush)

    def close(self) -> _HostAction:
        return _HostAction(f"{self.name}/CloseSummaryWriter", "CloseSummaryWriter", self._close)

    @contextlib.contextmanager
    def as_default(self) -> Iterator[SummaryWriter]:
        """Summaries made inside write to this writer."""
        previous = _state.writer
        _state.writer = self
        try:
            yield self
        finally:
            _state.writer = previous

    def set_as_default(self) -> None:
        _state.writer = self


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None) -> SummaryWriter:
    """A SummaryWriter writing event files to `logdir` (None: a writer that writes nothing)."""
    return SummaryWriter(logdir, max_queue, flush_millis, filename_suffix, name)


create_summary_file_writer = create_file_writer


@contextlib.contextmanager
def _recording(value) -> Iterator[None]:
    previous = _state.recording
    _state.recording = value
    try:
        yield
    finally:
        _state.recording = previous


def always_record_summaries():
    """Summaries made inside record at every run."""
    return _recording(True)


def never_record_summaries():
    """Summaries made inside never record."""
    return _recording(False)


def record_summaries_every_n_global_steps(n: int, global_step=None):
    """Summaries made inside record when the global step is a multiple of n."""
    from ..training_util import get_or_create_global_step
    step = get_or_create_global_step() if global_step is None else global_step
    return _recording((int(n), convert_to_tensor(step)))


def should_record_summaries():
    """Whether summaries made here would record: a bool tensor (False without a default writer)."""
    from ..array_ops import constant
    from ..math_ops import equal, floormod
    rec = _state.recording
    if _state.writer is None or rec is None or rec is False:
        return constant(False)
    if rec is True:
        return constant(True)
    n, step = rec
    return equal(floormod(step, np.asarray(n, step.dtype.np)), 0)


class _WriteOp(summary_ops.SummaryTensor):
    """A writer-bound summary: fetching it writes the summary when recording, and gives whether it did."""

    dtype = bool_

    def __repr__(self) -> str:
        return f"<dfc.Tensor '{self.name}' shape=() dtype=bool>"


def _write(kind: str, summary, step) -> Any:
    writer, rec = _state.writer, _state.recording
    from ..training_util import get_or_create_global_step
    step = convert_to_tensor(get_or_create_global_step() if step is None else step)
    record_inputs = [rec[1]] if isinstance(rec, tuple) else []

    def compute(fetched) -> bool:
        value, step_value, *record_value = fetched
        on = rec is True or (isinstance(rec, tuple) and int(record_value[0]) % rec[0] == 0)
        if on:
            writer._write(value, int(step_value))
        return bool(on)

    op_name = summary.name.rpartition(":")[0]
    op = _WriteOp(op_name, f"Write{kind}", summary.graph, [summary, step, *record_inputs], compute)
    summary.graph.add_to_collection(SUMMARY_COLLECTION, op)
    return op


def _no_writer():
    from ..variables import no_op
    return no_op()


def scalar(name, tensor, family=None, step=None):
    """Write a scalar (a simple_value, as TF's WriteScalarSummary) at `step` (default the global step)."""
    if _state.writer is None:
        return _no_writer()
    return _write("ScalarSummary", summary_ops.scalar(name, tensor, collections=[], family=family), step)


def histogram(name, tensor, family=None, step=None):
    """Write a histogram of all of `tensor`'s values at `step`."""
    if _state.writer is None:
        return _no_writer()
    return _write("HistogramSummary", summary_ops.histogram(name, tensor, collections=[], family=family), step)


def image(name, tensor, bad_color=None, max_images=3, family=None, step=None):
    """Write up to `max_images` PNG images of a [batch, height, width, channels] tensor at `step`."""
    del bad_color  # the color TF paints non-finite pixels with; dfc's image summary scales them as tf.summary does
    if _state.writer is None:
        return _no_writer()
    return _write("ImageSummary", summary_ops.image(name, tensor, max_outputs=max_images, collections=[],
                                                    family=family), step)


def audio(name, tensor, sample_rate, max_outputs, family=None, step=None):
    """Write up to `max_outputs` WAV clips at `step`."""
    if _state.writer is None:
        return _no_writer()
    return _write("AudioSummary", summary_ops.audio(name, tensor, sample_rate, max_outputs, collections=[],
                                                    family=family), step)


def generic(name, tensor, metadata=None, family=None, step=None):
    """Write `tensor` as a tensor summary (TF's WriteSummary) at `step`."""
    if _state.writer is None:
        return _no_writer()
    return _write("Summary", summary_ops.tensor_summary(name, tensor, summary_metadata=metadata, collections=[],
                                                        family=family), step)


def all_summary_ops() -> list:
    """The writer-bound summaries of the default graph."""
    return list(get_default_graph().get_collection(SUMMARY_COLLECTION))


def summary_writer_initializer_op() -> list:
    """The init ops of the default graph's summary writers."""
    return list(get_default_graph().get_collection(_INIT_COLLECTION))


def flush(writer=None, name=None):
    """An op flushing `writer` (default: the default writer) to disk."""
    del name
    writer = writer or _state.writer
    if writer is None:
        return _no_writer()
    return writer.flush()


def eval_dir(model_dir: str, name: str | None = None) -> str:
    """The folder an evaluation writes its summaries to: model_dir/eval, or model_dir/eval_<name>."""
    import os
    return os.path.join(model_dir, "eval" if not name else "eval_" + name)


def initialize(graph=None, session=None) -> None:
    """Run the summary writers' init ops in `session` (default: the default session) and write `graph` (a
    tf.Graph or GraphDef) to the default writer at step 0."""
    if _state.writer is None:
        raise RuntimeError("No default tf.contrib.summary.SummaryWriter found")
    from dfc.runtime import get_default_session
    session = session or get_default_session()
    if session is None:
        raise ValueError("Argument `session must be passed if no default session exists")
    session.run(summary_writer_initializer_op())
    if graph is not None:
        writer = _state.writer._open()
        if writer is not None:
            if isinstance(graph, Tensor):
                raise TypeError("initialize takes a tf.Graph or a GraphDef, not a tensor")
            if hasattr(graph, "as_graph_def"):
                writer.add_graph(graph, global_step=0)
            else:
                writer.add_graph(None, graph_def=graph, global_step=0)


__all__ = ["SummaryWriter", "all_summary_ops", "always_record_summaries", "audio", "create_file_writer",
           "create_summary_file_writer", "eval_dir", "flush", "generic", "histogram", "image", "initialize",
           "never_record_summaries", "record_summaries_every_n_global_steps", "scalar", "should_record_summaries",
           "summary_writer_initializer_op"]
