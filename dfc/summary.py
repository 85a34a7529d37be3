"""tf.summary: TF1's summary ops and FileWriter, writing TensorBoard event files with TensorBoard's own writer.

A TF1 summary op yields a scalar string tensor holding a serialized `Summary` proto. dfc's
tensors are numeric, so a summary is a host-side tensor (`SummaryTensor`): `sess.run` fetches
the numeric tensors it summarizes in the same step, then builds the proto in Python with
TF1's rules (tags, histogram buckets, image scaling), so `sess.run(merged)` returns the
serialized bytes TF returns and `FileWriter.add_summary` takes them. Protos, event-file
writing and reading are the `tensorboard` package's (the format TensorBoard reads).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import re
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from dfc.ir.errors import InvalidArgumentError

from .framework import Tensor, TensorShape, convert_to_tensor, current_graph, get_default_graph, name_scope
from .graph import GraphKeys

SUMMARIES = GraphKeys.SUMMARIES

_log = logging.getLogger("dfc.summary")


# ---- protos (TensorBoard's, imported when first needed) -----------------------------------------
def _protos() -> Any:
    try:
        from tensorboard.compat.proto import (config_pb2, event_pb2, graph_pb2, node_def_pb2,  # noqa: F401
                                              summary_pb2, tensor_pb2)
    except ImportError as e:  # pragma: no cover - tensorboard is a dependency of dfc
        raise ImportError("tf.summary needs the 'tensorboard' package (pip install tensorboard)") from e
    import tensorboard.compat.proto as protos
    return protos


_PROTO_NAMES = {
    "Summary": "summary_pb2", "SummaryDescription": "summary_pb2", "SummaryMetadata": "summary_pb2",
    "Event": "event_pb2", "SessionLog": "event_pb2", "TaggedRunMetadata": "event_pb2",
}


def __getattr__(name: str) -> Any:  # tf.summary.Summary and friends, without importing protobuf at `import dfc`
    if name in _PROTO_NAMES:
        return getattr(getattr(_protos(), _PROTO_NAMES[name]), name)
    raise AttributeError(f"module 'dfc.summary' has no attribute '{name}'")


class LazyProto:
    """A proto class named at import time but loaded on first use (tf.RunOptions, tf.RunMetadata, tf.Summary)."""

    def __init__(self, module: str, name: str):
        self._module, self._name = module, name

    def _load(self) -> type:
        return getattr(getattr(_protos(), self._module), self._name)

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


# ---- summary tensors ----------------------------------------------------------------------------
class _StringDType:
    """The dtype of a summary tensor: TF's `tf.string` (dfc computes these on the host)."""

    name = "string"
    is_floating = is_integer = is_bool = False

    def __repr__(self) -> str:
        return "tf.string"


STRING = _StringDType()


class SummaryOperation:
    """The op of a summary tensor (TF's ScalarSummary, MergeSummary...): name, type and its one output."""

    def __init__(self, tensor: SummaryTensor, op_type: str):
        self._tensor = tensor
        self.type = op_type

    @property
    def name(self) -> str:
        return self._tensor.name.rpartition(":")[0]

    @property
    def outputs(self) -> list[SummaryTensor]:
        return [self._tensor]

    @property
    def inputs(self) -> list[Any]:
        return list(self._tensor.inputs)

    @property
    def graph(self) -> Any:
        return self._tensor.graph

    def _dfc_host_fetch(self) -> tuple[list[Any], Any]:
        return [self._tensor], lambda _: None  # running an op computes it and returns None, as in TF

    def run(self, feed_dict=None, session=None) -> None:
        self._tensor.eval(feed_dict, session)

    def __repr__(self) -> str:
        return f"<dfc.Operation '{self.name}' type={self.type}>"


class SummaryTensor:
    """A summary op's output: a scalar string tensor whose value, a serialized Summary, is made on the host.

    Fetching it runs `inputs` in the step and returns `compute(list of their values)` (bytes).
    """

    def __init__(self, op_name: str, op_type: str, graph: Any, inputs: Sequence[Any], compute):
        self._name = f"{op_name}:0"
        self._graph = graph
        self.inputs = tuple(inputs)
        self._compute = compute
        self.op = SummaryOperation(self, op_type)

    def _dfc_host_fetch(self) -> tuple[list[Any], Any]:
        return list(self.inputs), self._compute

    @property
    def name(self) -> str:
        return self._name

    @property
    def graph(self) -> Any:
        return self._graph

    dtype = STRING
    shape = TensorShape([])

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def device(self) -> str:
        return ""

    def eval(self, feed_dict=None, session=None) -> bytes:
        from dfc.runtime import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError(f"Cannot evaluate summary tensor '{self.name}': no default session is registered. "
                             f"Use `with sess.as_default()` or pass eval(session=sess).")
        return session.run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<dfc.Tensor '{self.name}' shape=() dtype=string>"


_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")


def clean_tag(name: str | None) -> str | None:
    """TF's rule: characters other than word characters, '-', '/' and '.' become '_'; leading '/' go."""
    if name is None:
        return None
    cleaned = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if cleaned != name:
        _log.info("Summary name %s is illegal; using %s instead.", name, cleaned)
    return cleaned


@contextlib.contextmanager
def summary_scope(name: str, family: str | None = None, values: Sequence[Any] = ()) -> Iterator[tuple[str, str]]:
    """TF1's summary scope: yields (tag, op name); the tag is the uniquified scope, prefixed by `family`."""
    name = clean_tag(name)
    family = clean_tag(family)
    base = name if family is None else f"{family}/{name}"
    with name_scope(base, values=[v for v in values if isinstance(v, Tensor)]) as scope:
        op_name = scope.rstrip("/")
        yield (op_name if family is None else f"{family}/{op_name}"), op_name


def _graph_of(tensors: Sequence[Any]) -> Any:
    return current_graph([t for t in tensors if isinstance(t, Tensor)])


def _collect(tensor: SummaryTensor, collections: Sequence[str] | None, default: Sequence[str]) -> SummaryTensor:
    for key in (default if collections is None else collections):
        tensor.graph.add_to_collection(key, tensor)
    return tensor


def _numeric_input(value: Any, what: str, name: str) -> Tensor:
    tensor = convert_to_tensor(value)
    dtype = tensor.dtype
    if not (getattr(dtype, "is_floating", False) or getattr(dtype, "is_integer", False)):
        raise TypeError(f"tf.summary.{what} '{name}' needs a real-valued tensor, got {tensor.name} of dtype "
                        f"{dtype.name}")
    return tensor


def _serialize(values: list[Any]) -> bytes:
    summary = _protos().summary_pb2.Summary()
    summary.value.extend(values)
    return summary.SerializeToString()


# ---- scalar --------------------------------------------------------------------------------------
def scalar(name: str, tensor: Any, collections: Sequence[str] | None = None,
           family: str | None = None) -> SummaryTensor:
    """A summary of one real number (TF1's ScalarSummary): `simple_value` under the tag."""
    with summary_scope(name, family, [tensor]) as (tag, op_name):
        tensor = _numeric_input(tensor, "scalar", op_name)

        def compute(value: np.ndarray) -> bytes:
            value = np.asarray(value)
            if value.shape != ():
                raise InvalidArgumentError(f"tf.summary.scalar '{op_name}': tags and values not the same shape: [] "
                                           f"!= {list(value.shape)} (the summarized tensor {tensor.name} must be a "
                                           f"scalar)")
            return _serialize([_protos().summary_pb2.Summary.Value(tag=tag, simple_value=float(value))])

        summary = SummaryTensor(op_name, "ScalarSummary", tensor.graph, [tensor], lambda fetched: compute(fetched[0]))
    return _collect(summary, collections, [SUMMARIES])


# ---- histogram -----------------------------------------------------------------------------------
_DBL_MAX = float(np.finfo(np.float64).max)
_bucket_limits: np.ndarray | None = None


def histogram_bucket_limits() -> np.ndarray:
    """TF's default histogram buckets: +-1e-12 growing by 10% to 1e20, then +-DBL_MAX, and 0."""
    global _bucket_limits
    if _bucket_limits is None:
        positive = []
        v = 1.0e-12
        while v < 1.0e20:
            positive.append(v)
            v *= 1.1
        positive.append(_DBL_MAX)
        negative = [-x for x in reversed(positive)]
        _bucket_limits = np.array(negative + [0.0] + positive, dtype=np.float64)
    return _bucket_limits


def histogram_proto(values: np.ndarray) -> Any:
    """The HistogramProto TF builds for `values`: runs of empty buckets merge into one, as TF encodes them."""
    values = np.asarray(values, dtype=np.float64).ravel()
    limits = histogram_bucket_limits()
    proto = _protos().summary_pb2.HistogramProto()
    if values.size:
        proto.min = float(values.min())
        proto.max = float(values.max())
        proto.sum = float(np.cumsum(values)[-1])  # TF adds one value at a time; cumsum keeps that order
        proto.sum_squares = float(np.cumsum(values * values)[-1])
    else:
        proto.min, proto.max = _DBL_MAX, -_DBL_MAX
    proto.num = float(values.size)
    index = np.minimum(np.searchsorted(limits, values, side="right"), len(limits) - 1)
    counts = np.bincount(index, minlength=len(limits)).astype(np.float64)
    # TF writes each non-empty bucket, and each run of empty ones as one bucket at the run's end
    filled = counts > 0
    kept = filled | np.append(filled[1:], True)
    proto.bucket_limit.extend(limits[kept].tolist())
    proto.bucket.extend(counts[kept].tolist())
    return proto


def histogram(name: str, values: Any, collections: Sequence[str] | None = None,
              family: str | None = None) -> SummaryTensor:
    """A histogram of all elements of `values` (TF1's HistogramSummary); NaN or Inf is an error at run time."""
    with summary_scope(name, family, [values]) as (tag, op_name):
        tensor = _numeric_input(values, "histogram", op_name)

        def compute(array: np.ndarray) -> bytes:
            array = np.asarray(array, dtype=np.float64)
            if not np.all(np.isfinite(array)):
                raise InvalidArgumentError(f"Nan in summary histogram for: {op_name} (the values of {tensor.name} "
                                           f"include NaN or Inf)")
            return _serialize([_protos().summary_pb2.Summary.Value(tag=tag, histo=histogram_proto(array))])

        summary = SummaryTensor(op_name, "HistogramSummary", tensor.graph, [tensor],
                                lambda fetched: compute(fetched[0]))
    return _collect(summary, collections, [SUMMARIES])


# ---- image ---------------------------------------------------------------------------------------
_BAD_COLOR = np.array([255, 0, 0, 255], np.uint8)


def image_to_uint8(image: np.ndarray) -> np.ndarray:
    """One [h, w, c] float image as TF1 shows it: all >= 0 scales max to 255, else 0 maps to 128 and max |x| to
    127 more or less; pixels with a non-finite channel become red."""
    dtype = np.float64 if image.dtype == np.float64 else np.float32
    flat = image.reshape(-1, image.shape[-1]).astype(dtype)
    finite = np.all(np.isfinite(flat), axis=1)
    shown = flat[finite]
    lo = np.float32(shown.min()) if shown.size else np.float32(np.inf)
    hi = np.float32(shown.max()) if shown.size else np.float32(-np.inf)
    if lo < 0:
        max_val = max(abs(lo), abs(hi))
        scale, offset = (0.0 if max_val < 1e-6 else np.float32(127.0) / max_val), 128.0
    else:
        scale, offset = (0.0 if hi < 1e-6 else np.float32(255.0) / hi), 0.0
    scale, offset = dtype(scale), dtype(offset)
    with np.errstate(invalid="ignore", over="ignore"):
        pixels = (flat * scale + offset).astype(np.uint8)
    pixels[~finite] = _BAD_COLOR[:flat.shape[1]]
    return pixels.reshape(image.shape)


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an [h, w, c] uint8 image (c: 1 gray, 3 RGB, 4 RGBA), through Pillow's encoder."""
    import io

    from PIL import Image
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[image.shape[-1]]
    data = image[:, :, 0] if image.shape[-1] == 1 else image
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(data), mode=mode).save(out, format="PNG")
    return out.getvalue()


def _check_image_shape(shape: Sequence[int | None] | None, where: str, error: type = InvalidArgumentError) -> None:
    if shape is None:
        return
    if len(shape) != 4 or shape[-1] not in (None, 1, 3, 4):
        shown = "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"
        raise error(f"{where}: Tensor must be 4-D with last dim 1, 3, or 4, not {shown}")


def image(name: str, tensor: Any, max_outputs: int = 3, collections: Sequence[str] | None = None,
          family: str | None = None) -> SummaryTensor:
    """PNG images of the first `max_outputs` of a [batch, height, width, channels] tensor (TF1's ImageSummary).

    uint8 images are shown as they are; float images are scaled per image as TF1 does.
    """
    with summary_scope(name, family, [tensor]) as (tag, op_name):
        tensor = convert_to_tensor(tensor)
        if tensor.dtype.name not in ("uint8", "float16", "float32", "float64"):
            raise TypeError(f"tf.summary.image '{op_name}' takes uint8, float16, float32 or float64 images, got "
                            f"{tensor.name} of dtype {tensor.dtype.name}")
        where = f"tf.summary.image '{op_name}' of {tensor.name}"
        _check_image_shape(getattr(tensor.shape, "_dims", None), where, ValueError)
        max_outputs = int(max_outputs)
        if max_outputs < 1:
            raise ValueError(f"{where}: max_outputs must be at least 1, got {max_outputs}")

        def compute(images: np.ndarray) -> bytes:
            images = np.asarray(images)
            _check_image_shape(images.shape, where)
            pb = _protos().summary_pb2
            values = []
            for i in range(min(max_outputs, images.shape[0])):
                one = images[i] if images.dtype == np.uint8 else image_to_uint8(images[i])
                value_tag = f"{tag}/image/{i}" if max_outputs > 1 else f"{tag}/image"
                encoded = pb.Summary.Image(height=one.shape[0], width=one.shape[1], colorspace=one.shape[2],
                                           encoded_image_string=encode_png(one))
                values.append(pb.Summary.Value(tag=value_tag, image=encoded))
            return _serialize(values)

        summary = SummaryTensor(op_name, "ImageSummary", tensor.graph, [tensor], lambda fetched: compute(fetched[0]))
    return _collect(summary, collections, [SUMMARIES])


# ---- audio ---------------------------------------------------------------------------------------
def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV bytes of [frames, channels] floats in [-1, 1] (clipped; rounded half away from zero, as TF)."""
    import io
    import wave

    scaled = samples.astype(np.float32) * np.float32(32768.0)
    rounded = np.sign(scaled) * np.floor(np.abs(scaled) + np.float32(0.5))
    pcm = np.clip(rounded, -32768, 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def audio(name: str, tensor: Any, sample_rate: Any, max_outputs: int = 3, collections: Sequence[str] | None = None,
          family: str | None = None) -> SummaryTensor:
    """WAV clips of the first `max_outputs` of a [batch, frames] or [batch, frames, channels] float tensor in
    [-1, 1] (TF1's AudioSummaryV2); `sample_rate` in Hz, a number or a scalar tensor."""
    with summary_scope(name, family, [tensor, sample_rate]) as (tag, op_name):
        tensor = convert_to_tensor(tensor)
        where = f"tf.summary.audio '{op_name}' of {tensor.name}"
        if tensor.dtype.name != "float32":
            raise TypeError(f"{where}: audio must be float32, got {tensor.dtype.name}")
        rank = tensor.shape.ndims
        if rank is not None and rank not in (2, 3):
            raise ValueError(f"{where}: Tensor must be 3-D or 2-D, got: {tensor.shape}")
        rate = convert_to_tensor(sample_rate, dtype=tensor.dtype) if not isinstance(sample_rate, Tensor) \
            else sample_rate
        max_outputs = int(max_outputs)
        if max_outputs < 1:
            raise ValueError(f"{where}: max_outputs must be at least 1, got {max_outputs}")

        def compute(fetched: list[np.ndarray]) -> bytes:
            clips, hz = np.asarray(fetched[0], np.float32), float(np.asarray(fetched[1]))
            if clips.ndim not in (2, 3):
                raise InvalidArgumentError(f"{where}: Tensor must be 3-D or 2-D, got: {list(clips.shape)}")
            if clips.ndim == 2:
                clips = clips[:, :, None]
            if not hz > 0:
                raise InvalidArgumentError(f"{where}: sample_rate must be > 0, got {hz}")
            pb = _protos().summary_pb2
            values = []
            for i in range(min(max_outputs, clips.shape[0])):
                clip = pb.Summary.Audio(sample_rate=hz, num_channels=clips.shape[2], length_frames=clips.shape[1],
                                        content_type="audio/wav",
                                        encoded_audio_string=encode_wav(clips[i], max(1, round(hz))))
                values.append(pb.Summary.Value(tag=f"{tag}/audio/{i}" if max_outputs > 1 else f"{tag}/audio",
                                               audio=clip))
            return _serialize(values)

        summary = SummaryTensor(op_name, "AudioSummaryV2", tensor.graph, [tensor, rate], compute)
    return _collect(summary, collections, [SUMMARIES])


# ---- tensors and text ----------------------------------------------------------------------------
def _tensor_proto(array: np.ndarray) -> Any:
    from .graph_def import data_type
    proto = _protos().tensor_pb2.TensorProto()
    proto.tensor_shape.SetInParent()  # a scalar still has its (empty) shape, as TF writes it
    for d in array.shape:
        proto.tensor_shape.dim.add().size = int(d)
    if array.dtype.kind in "USO":
        proto.dtype = 7  # DT_STRING
        proto.string_val.extend(s if isinstance(s, bytes) else str(s).encode() for s in array.ravel())
    else:
        proto.dtype = data_type(array.dtype.name)
        proto.tensor_content = np.ascontiguousarray(array).tobytes()
    return proto


def _tensor_summary(op_name: str, tag: str, source: Any, metadata: Any, graph: Any, op_type: str) -> SummaryTensor:
    """A summary holding a whole tensor: a numeric tensor fetched in the step, or host strings given as is."""
    if isinstance(source, Tensor) or hasattr(source, "_dfc_host_fetch"):
        inputs = [source]

        def compute(array: Any) -> bytes:
            return _serialize([_protos().summary_pb2.Summary.Value(tag=tag, metadata=metadata,
                                                                   tensor=_tensor_proto(np.asarray(array)))])
    else:
        constant = np.asarray(source)
        inputs = []

        def compute(_: Any) -> bytes:
            return _serialize([_protos().summary_pb2.Summary.Value(tag=tag, metadata=metadata,
                                                                   tensor=_tensor_proto(constant))])
    return SummaryTensor(op_name, op_type, graph, inputs, lambda fetched: compute(fetched[0] if inputs else None))


def tensor_summary(name: str, tensor: Any, summary_description: str | None = None,
                   collections: Sequence[str] | None = None, summary_metadata: Any = None,
                   family: str | None = None, display_name: str | None = None) -> SummaryTensor:
    """A summary holding a whole tensor (TF1's TensorSummaryV2), with optional plugin metadata."""
    pb = _protos().summary_pb2
    metadata = pb.SummaryMetadata()
    if summary_metadata is not None:
        metadata.CopyFrom(summary_metadata)
    if display_name is not None:
        metadata.display_name = display_name
    if summary_description is not None:
        metadata.summary_description = summary_description
    with summary_scope(name, family, [tensor]) as (tag, op_name):
        if not isinstance(tensor, (str, bytes, list, tuple, np.ndarray)):
            tensor = convert_to_tensor(tensor)
        summary = _tensor_summary(op_name, tag, tensor, metadata, _graph_of([tensor]), "TensorSummaryV2")
    return _collect(summary, collections, [SUMMARIES])


def _is_strings(value: Any) -> bool:
    if isinstance(value, (str, bytes)):
        return True
    array = np.asarray(value) if isinstance(value, (list, tuple, np.ndarray)) else None
    return array is not None and array.dtype.kind in "USO" and all(isinstance(s, (str, bytes))
                                                                    for s in array.ravel())


def text(name: str, tensor: Any, collections: Sequence[str] | None = None) -> SummaryTensor:
    """Text for TensorBoard's Text dashboard (markdown; 1-D and 2-D become tables), as TF1's text summary.

    TF1 takes a string tensor; dfc also takes the strings themselves (a str, a list of them, a
    numpy string array), since its graph tensors are numeric.
    """
    if isinstance(tensor, Tensor) and tensor.dtype.name != "string":
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype.name}")
    if not (_is_strings(tensor) or isinstance(tensor, Tensor) or hasattr(tensor, "_dfc_host_fetch")):
        raise ValueError(f"tf.summary.text '{name}' summarizes strings (a str, a list of str, a string array), "
                         f"got {tensor!r}")
    pb = _protos().summary_pb2
    metadata = pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(plugin_name="text"))
    with summary_scope(name, values=[tensor]) as (tag, op_name):
        summary = _tensor_summary(op_name, tag, tensor, metadata, _graph_of([tensor]), "TensorSummaryV2")
    return _collect(summary, collections, [SUMMARIES])


# ---- merging -------------------------------------------------------------------------------------
def merge(inputs: Sequence[Any], collections: Sequence[str] | None = None, name: str | None = None) -> SummaryTensor:
    """One Summary with the values of all `inputs` (TF1's MergeSummary); a tag seen twice is an error at run."""
    inputs = list(inputs)
    for item in inputs:
        if not isinstance(item, SummaryTensor):
            described = item.name if hasattr(item, "name") else repr(item)
            raise TypeError(f"tf.summary.merge takes summary tensors (from tf.summary.scalar, histogram, ...), got "
                            f"{described}")
    graphs = {id(s.graph) for s in inputs}
    if len(graphs) > 1:
        raise ValueError("tf.summary.merge: the summaries come from different graphs")
    graph = inputs[0].graph if inputs else get_default_graph()
    name = clean_tag(name)
    with graph.as_default(), name_scope(name, "Merge"):
        op_name = graph.unique_name(name or "MergeSummary")

    def compute(serialized: list[bytes]) -> bytes:
        pb = _protos().summary_pb2
        merged = pb.Summary()
        seen: set[str] = set()
        for data in serialized:
            for value in pb.Summary.FromString(data).value:
                if value.tag in seen:
                    raise InvalidArgumentError(f"Duplicate tag {value.tag} found in summary inputs of "
                                               f"tf.summary.merge '{op_name}'")
                seen.add(value.tag)
                merged.value.append(value)
        return merged.SerializeToString()

    summary = SummaryTensor(op_name, "MergeSummary", graph, inputs, compute)
    return _collect(summary, collections, [])


def merge_all(key: str = SUMMARIES, scope: str | None = None, name: str | None = None) -> SummaryTensor | None:
    """Merge every summary in collection `key` of the default graph; None when there is none (as TF1)."""
    summaries = get_default_graph().get_collection(key, scope)
    if not summaries:
        return None
    return merge(summaries, name=name)


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
        event = _protos().event_pb2.Event(wall_time=time.time(), **fields)
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_summary(self, summary: Any, global_step: Any = None) -> None:
        """Write a Summary (the bytes `sess.run(summary_op)` returns, or a Summary proto) at `global_step`."""
        pb = _protos().summary_pb2
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
            graph_def = as_graph_def(graph, add_shapes=True)
        elif graph_def is not None:
            graph_def = as_graph_def(graph_def)
        else:
            raise TypeError("add_graph needs a graph or a graph_def")
        self._add(global_step, graph_def=graph_def.SerializeToString())

    def add_meta_graph(self, meta_graph_def: Any, global_step: Any = None) -> None:
        self._add(global_step, meta_graph_def=meta_graph_def.SerializeToString())

    def add_run_metadata(self, run_metadata: Any, tag: str, global_step: Any = None) -> None:
        """Write a tagged RunMetadata (dfc records no step stats, so an empty RunMetadata still marks the step)."""
        if tag in self._session_run_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._session_run_tags.add(tag)
        data = run_metadata.SerializeToString() if hasattr(run_metadata, "SerializeToString") else b""
        tagged = _protos().event_pb2.TaggedRunMetadata(tag=tag, run_metadata=data)
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
