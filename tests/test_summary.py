"""tf.summary and FileWriter: Summary protos match real TF1's; TensorBoard's own reader reads the event files."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc.errors import InvalidArgumentError
from summary_inputs import summary_inputs

pytest.importorskip("tensorboard")
from PIL import Image  # noqa: E402 - tensorboard's dependency, there when it is
from tensorboard.backend.event_processing import event_accumulator  # noqa: E402
from tensorboard.compat.proto import summary_pb2  # noqa: E402

RECORDED = json.loads((Path(__file__).parent / "data" / "tf_expectations" / "summaries_tf.json").read_text())


pytestmark = pytest.mark.usefixtures("fresh_graph")


def pixels(encoded: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(encoded)))


def samples(encoded: bytes) -> tuple[tuple, np.ndarray]:
    with wave.open(io.BytesIO(encoded)) as w:
        return (w.getnchannels(), w.getsampwidth(), w.getframerate()), np.frombuffer(w.readframes(-1), "<i2")


def without_media(summary: summary_pb2.Summary) -> tuple[summary_pb2.Summary, list[Any]]:
    """The summary with its PNG and WAV bytes taken out (encoders differ in compression and header details)
    and the decoded pixels and samples."""
    media: list[Any] = []
    for value in summary.value:
        if value.HasField("image"):
            media.append(pixels(value.image.encoded_image_string))
            value.image.encoded_image_string = b""
        if value.HasField("audio"):
            media.append(samples(value.audio.encoded_audio_string))
            value.audio.encoded_audio_string = b""
    return summary, media


def test_summaries_match_tf1() -> None:
    data = summary_inputs()
    if not hasattr(tf, "uint8"):
        del data["byte_images"]
    ph = {k: tf.placeholder(tf.as_dtype(v.dtype), v.shape, name=k) for k, v in data.items()}
    cases = {
        "scalar": tf.summary.scalar("loss", ph["loss"]),
        "scalar_again": tf.summary.scalar("loss", ph["loss"] * 2),
        "scalar_family": tf.summary.scalar("acc", ph["loss"], family="train"),
    }
    with tf.name_scope("layer1"):
        cases["scalar_scoped"] = tf.summary.scalar("bad name!", ph["loss"])
    cases["histogram"] = tf.summary.histogram("weights", ph["weights"])
    cases["histogram_int"] = tf.summary.histogram("counts", ph["counts"])
    cases["image_signed"] = tf.summary.image("signed", ph["signed_images"])
    cases["image_one"] = tf.summary.image("one", ph["signed_images"], max_outputs=1)
    cases["image_positive"] = tf.summary.image("positive", ph["positive_images"], max_outputs=2)
    if "byte_images" in ph:
        cases["image_bytes"] = tf.summary.image("bytes", ph["byte_images"])
    cases["image_nonfinite"] = tf.summary.image("nonfinite", ph["nonfinite_images"])
    cases["audio_stereo"] = tf.summary.audio("stereo", ph["stereo"], 8000.0, max_outputs=2)
    cases["audio_mono"] = tf.summary.audio("mono", ph["mono"], 22050.4, max_outputs=1)
    cases["text"] = tf.summary.text("notes", "hello *world*")
    cases["text_table"] = tf.summary.text("table", np.array([["a", "b"], ["c", "d"]]))
    cases["merged"] = tf.summary.merge([cases["scalar"], cases["histogram"]])
    expected_collection = [n for n in RECORDED["collection"] if "byte_images" in ph or not n.startswith("bytes")]
    assert [t.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)] == expected_collection

    with tf.Session() as sess:
        fetched = sess.run(cases, {ph[k]: v for k, v in data.items()})
    for key, value in fetched.items():
        assert isinstance(value, bytes), key
        assert cases[key].name == RECORDED["names"][key], key
        ours, our_media = without_media(summary_pb2.Summary.FromString(value))
        theirs, their_media = without_media(
            summary_pb2.Summary.FromString(base64.b64decode(RECORDED["summaries"][key])))
        assert ours == theirs, key
        assert len(our_media) == len(their_media)
        for a, b in zip(our_media, their_media):
            if isinstance(a, tuple):
                assert a[0] == b[0], key
                a, b = a[1], b[1]
            np.testing.assert_array_equal(a, b, err_msg=key)


def test_scalar_histogram_and_text_values() -> None:
    x = tf.placeholder(tf.float32, [None], name="x")
    s = tf.summary.scalar("average", tf.reduce_mean(x))
    h = tf.summary.histogram("x", x)
    with tf.Session() as sess:
        out = summary_pb2.Summary.FromString(sess.run(s, {x: [1.0, 2.0, 6.0]}))
        assert out.value[0].tag == "average" and out.value[0].simple_value == 3.0
        histo = summary_pb2.Summary.FromString(sess.run(h, {x: [1.0, 2.0, 6.0]})).value[0].histo
        assert (histo.min, histo.max, histo.num, histo.sum, histo.sum_squares) == (1.0, 6.0, 3.0, 9.0, 41.0)
        assert sum(histo.bucket) == 3
        with sess.as_default():
            assert summary_pb2.Summary.FromString(s.eval({x: [4.0]})).value[0].simple_value == 4.0
        assert sess.run(s.op, {x: [1.0]}) is None and s.op.name == "average" and s.op.type == "ScalarSummary"


def test_summaries_of_shapeless_placeholders_check_the_fed_value() -> None:
    p = tf.placeholder("float")
    scalar, image = tf.summary.scalar("p", p), tf.summary.image("im", p)
    with tf.Session() as sess:
        assert summary_pb2.Summary.FromString(sess.run(scalar, {p: 2.0})).value[0].simple_value == 2.0
        assert summary_pb2.Summary.FromString(sess.run(image, {p: np.ones((1, 2, 2, 3))})).value[0].image.width == 2
        with pytest.raises(InvalidArgumentError, match="'im' of Placeholder:0: Tensor must be 4-D.*not \\[2,3\\]"):
            sess.run(image, {p: np.ones((2, 3))})


def test_merge_all_and_collections() -> None:
    assert tf.summary.merge_all() is None
    x = tf.constant(2.0)
    tf.summary.scalar("a", x)
    tf.summary.scalar("b", x * 3, collections=["mine"])
    with tf.name_scope("inner"):
        tf.summary.scalar("c", x + 1)
    merged = tf.summary.merge_all()
    assert merged.name == "Merge/MergeSummary:0" and merged.dtype.name == "string"
    scoped = tf.summary.merge_all(scope="inner")
    mine = tf.summary.merge_all("mine", name="mine_merged")
    assert mine.name == "mine_merged/mine_merged:0"
    with tf.Session() as sess:
        all_values, inner, just_mine = sess.run([merged, scoped, mine])
    assert {v.tag: v.simple_value for v in summary_pb2.Summary.FromString(all_values).value} == {"a": 2.0,
                                                                                              "inner/c": 3.0}
    assert [v.tag for v in summary_pb2.Summary.FromString(inner).value] == ["inner/c"]
    assert [v.simple_value for v in summary_pb2.Summary.FromString(just_mine).value] == [6.0]


def test_bad_summaries_name_the_culprit() -> None:
    v = tf.placeholder(tf.float32, [None], name="v")
    not_scalar = tf.summary.scalar("vec", v)
    nan_hist = tf.summary.histogram("h", v)
    dup = tf.summary.merge([tf.summary.scalar("same", 1.0, family="f"), tf.summary.scalar("same", 2.0, family="f")])
    with tf.Session() as sess:
        with pytest.raises(InvalidArgumentError, match="vec.*not the same shape.*v:0"):
            sess.run(not_scalar, {v: [1.0, 2.0]})
        with pytest.raises(InvalidArgumentError, match="Nan in summary histogram for: h"):
            sess.run(nan_hist, {v: [1.0, np.nan]})
        sess.run(dup)  # different scopes make the tags unique: f/same and f/same_1
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("t", v)
    with pytest.raises(ValueError, match="4-D with last dim 1, 3, or 4, not \\[\\?\\]"):
        tf.summary.image("img", v)
    with pytest.raises(TypeError, match="summary tensors"):
        tf.summary.merge([v])
    a = tf.summary.scalar("a", 1.0)
    twice = tf.summary.merge([a, tf.summary.merge([a])])
    with tf.Session() as sess, pytest.raises(InvalidArgumentError, match="Duplicate tag a"):
        sess.run(twice)


def read_events(logdir: Path) -> event_accumulator.EventAccumulator:
    acc = event_accumulator.EventAccumulator(str(logdir), size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0, event_accumulator.IMAGES: 0,
        event_accumulator.TENSORS: 0, event_accumulator.AUDIO: 0})
    acc.Reload()
    return acc


def test_training_run_is_read_back_by_tensorboard(tmp_path: Path) -> None:
    rng = np.random.RandomState(0)
    xs = rng.normal(size=(32, 3)).astype(np.float32)
    ys = xs @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    with tf.name_scope("model"):
        w = tf.Variable(tf.zeros([3, 1]), name="w")
        pred = tf.matmul(x, w)
    loss = tf.reduce_mean(tf.square(pred - y), name="mse")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("weights", w)
    tf.summary.image("inputs", tf.reshape(x[:2], [2, 3, 1, 1]), max_outputs=2)
    tf.summary.text("about", "linear regression")
    tf.summary.audio("residual", tf.reshape(pred - y, [1, 32]), 16000, max_outputs=1)
    merged = tf.summary.merge_all()
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with tf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
            for step in range(5):
                options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
                metadata = tf.RunMetadata()
                summary, value, _ = sess.run([merged, loss, train], {x: xs, y: ys}, options=options,
                                             run_metadata=metadata)
                losses.append(value)
                writer.add_summary(summary, global_step=step)
                if step == 2:
                    writer.add_run_metadata(metadata, "step2", step)
            final_w = sess.run(w)
    assert len(list(tmp_path.glob("events.out.tfevents.*"))) == 1

    acc = read_events(tmp_path)
    tags = acc.Tags()
    assert tags["scalars"] == ["loss"]
    assert [(e.step, e.value) for e in acc.Scalars("loss")] == [(i, pytest.approx(v)) for i, v in enumerate(losses)]
    assert losses[-1] < losses[0]
    assert tags["histograms"] == ["weights"]
    last = acc.Histograms("weights")[-1].histogram_value
    assert last.num == 3 and last.min == pytest.approx(final_w.min(), abs=0.2)
    assert sorted(tags["images"]) == ["inputs/image/0", "inputs/image/1"]
    shown = acc.Images("inputs/image/0")[0]
    assert (shown.width, shown.height) == (1, 3) and pixels(shown.encoded_image_string).shape == (3, 1)
    clip = acc.Audio("residual/audio")[-1]
    assert (clip.sample_rate, clip.length_frames, clip.content_type) == (16000, 32, "audio/wav")
    assert acc.Tensors("about")[0].tensor_proto.string_val == [b"linear regression"]
    assert acc.SummaryMetadata("about").plugin_data.plugin_name == "text"
    assert tags["run_metadata"] == ["step2"]
    assert tags["graph"]
    nodes = {n.name: n for n in acc.Graph().node}
    assert nodes["model/w"].op == "VariableV2"
    assert nodes["model/MatMul"].op == "MatMul" and list(nodes["model/MatMul"].input) == ["x", "model/w"]
    assert nodes["x"].attr["shape"].shape.dim[0].size == -1


def test_file_writer_forms_and_cache(tmp_path: Path) -> None:
    tf.constant(1.0, name="c")
    writer = tf.summary.FileWriter(str(tmp_path / "a"), graph_def=tf.get_default_graph().as_graph_def())
    proto = tf.Summary(value=[tf.Summary.Value(tag="direct", simple_value=1.5)])
    writer.add_summary(proto, 7)
    writer.add_summary(proto.SerializeToString(), np.int64(8))
    with pytest.raises(TypeError, match="not the summary tensor 'x:0'"):
        writer.add_summary(tf.summary.scalar("x", 1.0))
    writer.add_run_metadata(None, "empty")
    with pytest.raises(ValueError, match="already used"):
        writer.add_run_metadata(None, "empty")
    writer.close()
    writer.add_summary(proto, 9)  # a closed writer drops events with a warning, as TF1's
    writer.reopen()
    writer.add_summary(proto, 10)
    writer.close()
    assert len(list((tmp_path / "a").glob("events.out.tfevents.*"))) == 2
    acc = read_events(tmp_path / "a")
    assert [(e.step, e.value) for e in acc.Scalars("direct")] == [(7, 1.5), (8, 1.5), (10, 1.5)]
    assert [n.name for n in acc.Graph().node] == ["c"]
    events = [e for path in sorted((tmp_path / "a").glob("events.*")) for e in tf.train.summary_iterator(path)]
    assert events[0].file_version == "brain.Event:2"

    first = tf.summary.FileWriterCache.get(str(tmp_path / "b"))
    assert tf.summary.FileWriterCache.get(str(tmp_path / "b")) is first
    tf.summary.FileWriterCache.clear()
    assert tf.summary.FileWriterCache.get(str(tmp_path / "b")) is not first
    tf.summary.FileWriterCache.clear()


def test_a_script_that_never_closes_its_writer_keeps_its_events(tmp_path: Path) -> None:
    script = f"""
import dfc as tf
writer = tf.summary.FileWriter({str(tmp_path)!r}, flush_secs=3600)
x = tf.placeholder(tf.float32, [])
summary = tf.summary.scalar("v", x)
with tf.Session() as sess:
    values = [sess.run(summary, {{x: step}}) for step in range(300)]
for step, value in enumerate(values):
    writer.add_summary(value, step)
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120, cwd=tmp_path)
    assert [(e.step, e.value) for e in read_events(tmp_path).Scalars("v")] == [(i, float(i)) for i in range(300)]


def tf_histogram_buckets(values: np.ndarray) -> tuple[list[float], list[float]]:
    """TF's Histogram::Add and EncodeToProto, one value and one bucket at a time."""
    limits = tf.summary.histogram_bucket_limits().tolist()
    counts = [0.0] * len(limits)
    for v in values.ravel().tolist():
        counts[min(int(np.searchsorted(limits, v, side="right")), len(limits) - 1)] += 1
    out_limits, out_counts, i = [], [], 0
    while i < len(counts):
        end, count = limits[i], counts[i]
        i += 1
        if count <= 0:
            while i < len(counts) and counts[i] <= 0:
                end, count = limits[i], counts[i]
                i += 1
        out_limits.append(end)
        out_counts.append(count)
    return out_limits, out_counts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(-1e30, 1e30), st.sampled_from([0.0, -0.0, 1e-13, -1e-12])),
                max_size=40))
def test_histogram_buckets_are_tfs(values: list[float]) -> None:
    array = np.array(values, np.float64)
    proto = tf.summary.histogram_proto(array)
    assert (list(proto.bucket_limit), list(proto.bucket)) == tf_histogram_buckets(array)
    assert proto.num == len(values)


def test_the_tensorboard_example_writes_train_and_test_runs(tmp_path: Path) -> None:
    from tensorboard.backend.event_processing import plugin_event_multiplexer

    examples = Path(__file__).resolve().parent.parent / "examples"
    sys.path.insert(0, str(examples))
    try:
        import digits_tensorboard
        digits_tensorboard.main(str(tmp_path), steps=12, quiet=True)
    finally:
        sys.path.remove(str(examples))
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(tmp_path))
    multiplexer.Reload()
    assert sorted(multiplexer.Runs()) == ["test", "train"]
    train, test = read_events(tmp_path / "train"), read_events(tmp_path / "test")
    # the tags of scalars named like an earlier scope get TF's _1, as in TF's own tutorial
    assert [e.step for e in train.Scalars("cross_entropy_1")] == list(range(12))
    assert "layer1/weights/summaries/stddev_1" in train.Tags()["scalars"]
    assert "layer2/activations" in train.Tags()["histograms"]
    assert len(train.Images("input_reshape/input/image/9")) == 12
    assert train.Tags()["graph"] and not test.Tags()["graph"]
    assert [e.step for e in test.Scalars("accuracy_1")] == [0, 10]
