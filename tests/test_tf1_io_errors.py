"""tf.errors (classes, codes), tf.io.gfile and TFRecord files (checked against files TensorFlow wrote)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import dfc as tf

TFRECORDS = Path(__file__).parent / "data" / "tfrecord"
#: what TensorFlow wrote to tests/data/tfrecord/*.tfrecord
RECORDS = [b"", b"a", bytes(range(256)) * 3, "héllo".encode()]


def test_error_classes_carry_tf_codes_and_take_tf_arguments():
    codes = {"CANCELLED": 1, "UNKNOWN": 2, "INVALID_ARGUMENT": 3, "DEADLINE_EXCEEDED": 4, "NOT_FOUND": 5,
             "ALREADY_EXISTS": 6, "PERMISSION_DENIED": 7, "RESOURCE_EXHAUSTED": 8, "FAILED_PRECONDITION": 9,
             "ABORTED": 10, "OUT_OF_RANGE": 11, "UNIMPLEMENTED": 12, "INTERNAL": 13, "UNAVAILABLE": 14,
             "DATA_LOSS": 15, "UNAUTHENTICATED": 16}
    assert tf.errors.OK == 0
    for name, code in codes.items():
        assert getattr(tf.errors, name) == code
        cls = tf.errors.exception_type_from_error_code(code)
        assert issubclass(cls, tf.errors.OpError) and cls.error_code == code
        assert tf.errors.error_code_from_exception_type(cls) == code
    with pytest.raises(KeyError):
        tf.errors.exception_type_from_error_code(99)
    with pytest.warns(UserWarning):
        assert isinstance(tf.errors.error_code_from_exception_type(ValueError), tf.errors.UnknownError)
    e = tf.errors.OutOfRangeError(None, None, "input exhausted")  # as TF1 scripts raise it
    assert (str(e), e.message, e.op, e.node_def, e.error_code) == ("input exhausted", "input exhausted", None,
                                                                   None, 11)
    e = tf.errors.AbortedError(node_def=None, op=None, message="m", error_code=10)
    assert e.message == "m"
    assert tf.errors.InvalidArgumentError("dfc's form").message == "dfc's form"
    for cls in (tf.errors.CancelledError, tf.errors.UnknownError, tf.errors.AlreadyExistsError,
                tf.errors.PermissionDeniedError, tf.errors.UnauthenticatedError):
        with pytest.raises(tf.errors.OpError, match="why"):
            raise cls(None, None, "why")


def test_io_gfile_functions_and_their_errors(tmp_path):
    g = tf.io.gfile
    root = str(tmp_path)
    a = os.path.join(root, "a.txt")
    with g.GFile(a, "w") as f:
        f.write("hi\nthere\n")
    with g.GFile(a) as f:
        assert list(f) == ["hi\n", "there\n"]
    with g.GFile(a, "rb") as f:
        assert f.read(2) == b"hi" and f.tell() == 2 and f.size() == 9
    with pytest.raises(tf.errors.NotFoundError, match="nope"):
        g.GFile(os.path.join(root, "nope"))
    with pytest.raises(tf.errors.PermissionDeniedError):
        g.GFile(os.path.join(root, "w"), "w").read()
    with pytest.raises(tf.errors.AlreadyExistsError):
        g.copy(a, a)
    g.copy(a, os.path.join(root, "b.txt"))
    with pytest.raises(tf.errors.AlreadyExistsError):
        g.rename(a, os.path.join(root, "b.txt"))
    g.rename(a, os.path.join(root, "b.txt"), overwrite=True)
    assert not g.exists(a)
    g.makedirs(os.path.join(root, "d", "e"))
    g.mkdir(os.path.join(root, "d"))  # an existing directory is fine, as TF's
    with pytest.raises(tf.errors.FailedPreconditionError):
        g.makedirs(os.path.join(root, "b.txt", "x"))
    assert g.listdir(root) == ["b.txt", "d"]
    with pytest.raises(tf.errors.NotFoundError, match="missing"):
        g.listdir(os.path.join(root, "missing"))
    assert g.glob(os.path.join(root, "*.txt")) == [os.path.join(root, "b.txt")]
    assert g.isdir(os.path.join(root, "d")) and not g.isdir(os.path.join(root, "b.txt"))
    st = g.stat(os.path.join(root, "b.txt"))
    assert (st.length, st.is_directory) == (9, False)
    assert [w[0] for w in g.walk(root)] == [root, os.path.join(root, "d"), os.path.join(root, "d", "e")]
    assert list(g.walk(os.path.join(root, "missing"))) == []
    with pytest.raises(tf.errors.NotFoundError):
        g.remove(os.path.join(root, "missing"))
    with pytest.raises(tf.errors.FailedPreconditionError):
        g.remove(os.path.join(root, "d"))
    g.rmtree(os.path.join(root, "d"))
    with pytest.raises(tf.errors.NotFoundError):
        g.rmtree(os.path.join(root, "d"))
    assert g.join("a", "b") == os.path.join("a", "b")
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.Remove(os.path.join(root, "missing"))


@pytest.mark.parametrize("name,options", [("plain", None), ("gzip", "GZIP"), ("zlib", "ZLIB")])
def test_tfrecords_read_what_tensorflow_wrote_and_write_it_back(tmp_path, name, options):
    source = TFRECORDS / f"{name}.tfrecord"
    assert list(tf.python_io.tf_record_iterator(str(source), options)) == RECORDS
    path = str(tmp_path / name)
    opts = tf.io.TFRecordOptions({"plain": "", "gzip": tf.io.TFRecordCompressionType.GZIP,
                                  "zlib": tf.python_io.TFRecordCompressionType.ZLIB}[name])
    with tf.io.TFRecordWriter(path, opts) as writer:
        for record in RECORDS:
            writer.write(record)
    assert list(tf.io.tf_record_iterator(path, opts)) == RECORDS
    if options is None:  # the framing is deterministic: byte for byte what TF wrote
        assert Path(path).read_bytes() == source.read_bytes()


def test_corrupt_tfrecords_are_data_loss(tmp_path):
    data = bytearray((TFRECORDS / "plain.tfrecord").read_bytes())
    data[30] ^= 1
    path = tmp_path / "bad"
    path.write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="bad"):
        list(tf.io.tf_record_iterator(str(path)))
    path.write_bytes((TFRECORDS / "plain.tfrecord").read_bytes()[:-3])
    with pytest.raises(tf.errors.DataLossError, match="truncated"):
        list(tf.io.tf_record_iterator(str(path)))
    with pytest.raises(ValueError, match="Unsupported compression"):
        tf.io.TFRecordOptions("LZ4")


def test_example_protos_write_tensorflows_bytes(tmp_path):
    example = tf.train.Example(features=tf.train.Features(feature={
        "a": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2, 3])),
        "b": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"xy"])),
        "c": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5, 1.5]))}))
    # what TensorFlow's tf.train.Example serializes for the same message (deterministic map order)
    expected = bytes.fromhex("0a2e0a0c0a016112071a050a030102030a0b0a016212060a040a0278790a110a0163120c120a0a08"
                             "0000003f0000c03f")
    data = example.SerializeToString(deterministic=True)
    assert data == expected
    assert tf.train.Example.FromString(expected) == example
    sequence = tf.train.SequenceExample(feature_lists=tf.train.FeatureLists(feature_list={
        "f": tf.train.FeatureList(feature=[tf.train.Feature(float_list=tf.train.FloatList(value=[1.0]))])}))
    assert tf.train.SequenceExample.FromString(sequence.SerializeToString()) == sequence
    path = str(tmp_path / "examples")
    with tf.python_io.TFRecordWriter(path) as writer:
        writer.write(data)
    assert [tf.train.Example.FromString(r) for r in tf.python_io.tf_record_iterator(path)] == [example]
