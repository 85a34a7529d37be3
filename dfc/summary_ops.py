"""tf.summary's ops (scalar, histogram, image, audio, tensor_summary, text, merge): host-side summary tensors.

A TF1 summary op yields a scalar string tensor holding a serialized `Summary` proto. dfc's
tensors are numeric, so a summary is a `SummaryTensor`: `sess.run` fetches the numeric tensors
it summarizes in the same step, then builds the proto in Python with TF1's rules
(dfc/summary_encoding.py), so `sess.run(merged)` returns the serialized bytes TF returns.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from dfc.ir.errors import InvalidArgumentError

from .framework import Tensor, TensorShape, convert_to_tensor, current_graph, get_default_graph, name_scope
from .graph import GraphKeys
from .summary_encoding import (encode_png, encode_wav, histogram_proto, image_to_uint8, serialize_summary,
                               tensor_proto, tensorboard_protos)

SUMMARIES = GraphKeys.SUMMARIES

_log = logging.getLogger("dfc.summary")


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
            value_proto = tensorboard_protos().summary_pb2.Summary.Value(tag=tag, simple_value=float(value))
            return serialize_summary([value_proto])

        summary = SummaryTensor(op_name, "ScalarSummary", tensor.graph, [tensor], lambda fetched: compute(fetched[0]))
    return _collect(summary, collections, [SUMMARIES])


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
            value_proto = tensorboard_protos().summary_pb2.Summary.Value(tag=tag, histo=histogram_proto(array))
            return serialize_summary([value_proto])

        summary = SummaryTensor(op_name, "HistogramSummary", tensor.graph, [tensor],
                                lambda fetched: compute(fetched[0]))
    return _collect(summary, collections, [SUMMARIES])


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
            pb = tensorboard_protos().summary_pb2
            values = []
            for i in range(min(max_outputs, images.shape[0])):
                one = images[i] if images.dtype == np.uint8 else image_to_uint8(images[i])
                value_tag = f"{tag}/image/{i}" if max_outputs > 1 else f"{tag}/image"
                encoded = pb.Summary.Image(height=one.shape[0], width=one.shape[1], colorspace=one.shape[2],
                                           encoded_image_string=encode_png(one))
                values.append(pb.Summary.Value(tag=value_tag, image=encoded))
            return serialize_summary(values)

        summary = SummaryTensor(op_name, "ImageSummary", tensor.graph, [tensor], lambda fetched: compute(fetched[0]))
    return _collect(summary, collections, [SUMMARIES])


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
            pb = tensorboard_protos().summary_pb2
            values = []
            for i in range(min(max_outputs, clips.shape[0])):
                clip = pb.Summary.Audio(sample_rate=hz, num_channels=clips.shape[2], length_frames=clips.shape[1],
                                        content_type="audio/wav",
                                        encoded_audio_string=encode_wav(clips[i], max(1, round(hz))))
                values.append(pb.Summary.Value(tag=f"{tag}/audio/{i}" if max_outputs > 1 else f"{tag}/audio",
                                               audio=clip))
            return serialize_summary(values)

        summary = SummaryTensor(op_name, "AudioSummaryV2", tensor.graph, [tensor, rate], compute)
    return _collect(summary, collections, [SUMMARIES])


def _tensor_summary(op_name: str, tag: str, source: Any, metadata: Any, graph: Any, op_type: str) -> SummaryTensor:
    """A summary holding a whole tensor: a numeric tensor fetched in the step, or host strings given as is."""
    if isinstance(source, Tensor) or hasattr(source, "_dfc_host_fetch"):
        inputs = [source]

        def compute(array: Any) -> bytes:
            return serialize_summary([tensorboard_protos().summary_pb2.Summary.Value(tag=tag, metadata=metadata,
                                                                   tensor=tensor_proto(np.asarray(array)))])
    else:
        constant = np.asarray(source)
        inputs = []

        def compute(_: Any) -> bytes:
            return serialize_summary([tensorboard_protos().summary_pb2.Summary.Value(tag=tag, metadata=metadata,
                                                                   tensor=tensor_proto(constant))])
    return SummaryTensor(op_name, op_type, graph, inputs, lambda fetched: compute(fetched[0] if inputs else None))


def tensor_summary(name: str, tensor: Any, summary_description: str | None = None,
                   collections: Sequence[str] | None = None, summary_metadata: Any = None,
                   family: str | None = None, display_name: str | None = None) -> SummaryTensor:
    """A summary holding a whole tensor (TF1's TensorSummaryV2), with optional plugin metadata."""
    pb = tensorboard_protos().summary_pb2
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

    TF1 takes a string tensor (tf.string); dfc also takes the strings themselves (a str, a list of
    them, a numpy string array).
    """
    if isinstance(tensor, Tensor) and tensor.dtype.name != "string":
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype.name}")
    if not (_is_strings(tensor) or isinstance(tensor, Tensor) or hasattr(tensor, "_dfc_host_fetch")):
        raise ValueError(f"tf.summary.text '{name}' summarizes strings (a str, a list of str, a string array), "
                         f"got {tensor!r}")
    pb = tensorboard_protos().summary_pb2
    metadata = pb.SummaryMetadata(plugin_data=pb.SummaryMetadata.PluginData(plugin_name="text"))
    with summary_scope(name, values=[tensor]) as (tag, op_name):
        summary = _tensor_summary(op_name, tag, tensor, metadata, _graph_of([tensor]), "TensorSummaryV2")
    return _collect(summary, collections, [SUMMARIES])


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
        pb = tensorboard_protos().summary_pb2
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
