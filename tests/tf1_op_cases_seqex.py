"""TF1 programs over tf.train.SequenceExample and the rest of TFRecord parsing, written once for real TF and dfc.

The op cases (CASES, in tests/tf1_op_cases.py's scheme) parse serialized records fed as placeholders:
parse_single_sequence_example / parse_sequence_example (context and feature lists: FixedLenFeature,
FixedLenSequenceFeature, VarLenFeature), FixedLenSequenceFeature and SparseFeature in parse_example,
decode_json_example, serialize_sparse and its inverse. SCRIPTS holds a whole input pipeline the way a user
writes it (tf.python_io.TFRecordWriter, TFRecordDataset + parse_single_sequence_example + padded_batch, a
model trained on it); `python tests/tf1_op_cases_seqex.py` records it with TensorFlow, as
tests/record_tf1_ops.py records the cases.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable

import numpy as np
from tf1_op_cases import Case

F32 = np.float32


# ---- the wire format of example.proto, written out so that TF and dfc read the same bytes -------------------
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, body: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(body)) + body


def _feature(values: list) -> bytes:
    """A Feature: floats, ints or bytes; None: a Feature with no kind set."""
    if values is None:
        return b""
    if values and isinstance(values[0], float):
        return _field(2, _field(1, struct.pack(f"<{len(values)}f", *values)))
    if values and isinstance(values[0], int):
        return _field(3, _field(1, b"".join(_varint(v) for v in values)))
    return _field(1, b"".join(_field(1, v) for v in values))


def _map(entries: dict, encode: Callable[[object], bytes]) -> bytes:
    return b"".join(_field(1, _field(1, key.encode()) + _field(2, encode(value))) for key, value in entries.items())


def example(features: dict) -> bytes:
    """A serialized tf.train.Example: str keys to lists of floats, ints or bytes."""
    return _field(1, _map(features, _feature))


def sequence_example(context: dict, feature_lists: dict) -> bytes:
    """A serialized tf.train.SequenceExample: context as example()'s features, feature_lists: key -> list of
    steps, each a list of values."""
    lists = _map(feature_lists, lambda steps: b"".join(_field(1, _feature(step)) for step in steps))
    return (_field(1, _map(context, _feature)) if context else b"") + (_field(2, lists) if feature_lists else b"")


def _bytes_array(records: list[bytes]) -> np.ndarray:
    # numpy's bytes arrays (the recordings' form) drop trailing zeros: no record may end in one
    assert all(not r.endswith(b"\0") for r in records)
    return np.array(records, dtype=object).astype("S")


def _sequences() -> np.ndarray:
    return _bytes_array([
        sequence_example({"length": [3], "label": [2.5, -1.0], "tags": [b"x", b"yz"]},
                         {"tokens": [[4], [7], [1]], "frames": [[0.5, 1.0], [1.5, -2.0], [0.25, 3.0]],
                          "words": [[b"the", b"cat"], None, [b"sat"]]}),
        sequence_example({"length": [1], "label": [0.75, 2.0]},
                         {"tokens": [[9]], "frames": [[-1.0, 4.0]], "words": [[b"hi"]], "extra": [[5], [6]]}),
        sequence_example({"length": [2], "label": [1.0, 1.0], "tags": [b"w"]},
                         {"tokens": [[2], [3]], "frames": [[2.0, 2.0], [3.0, 3.0]], "words": [[], [b"a", b"b", b"c"]]}),
    ])


def _sparse(out: dict, name: str, sp) -> None:
    out.update({f"{name}_i": sp.indices, f"{name}_v": sp.values, f"{name}_s": sp.dense_shape})


def _single_sequence_case(tf, s, w):
    """parse_single_sequence_example on each record: context (required, defaulted, VarLen) and feature lists
    (FixedLenSequenceFeature of scalars and of vectors, VarLen strings, a missing list allowed), a float model
    on the frames."""
    out = {}
    for i in range(2):
        context, lists = tf.parse_single_sequence_example(
            s[i], context_features={"length": tf.FixedLenFeature([], tf.int64),
                                    "label": tf.FixedLenFeature([2], tf.float32),
                                    "name": tf.FixedLenFeature([], tf.string, default_value="anon"),
                                    "tags": tf.VarLenFeature(tf.string)},
            sequence_features={"tokens": tf.FixedLenSequenceFeature([], tf.int64),
                               "frames": tf.io.FixedLenSequenceFeature([2], tf.float32),
                               "words": tf.VarLenFeature(tf.string),
                               "extra": tf.FixedLenSequenceFeature([], tf.int64, allow_missing=True)})
        out.update({f"length{i}": context["length"], f"label{i}": context["label"], f"name{i}": context["name"],
                    f"tokens{i}": lists["tokens"], f"frames{i}": lists["frames"], f"extra{i}": lists["extra"],
                    f"score{i}": tf.reduce_sum(tf.tanh(tf.matmul(lists["frames"], w)), 0)})
        _sparse(out, f"tags{i}", context["tags"])
        _sparse(out, f"words{i}", lists["words"])
    return out


def _batch_sequence_case(tf, s, w):
    """tf.io.parse_sequence_example on the batch: feature lists padded to the longest, their lengths, VarLen
    lists as 3-D SparseTensors; a masked mean over the padded frames."""
    context, lists, lengths = tf.io.parse_sequence_example(
        s, context_features={"length": tf.FixedLenFeature([], tf.int64),
                             "name": tf.FixedLenFeature([], tf.string, default_value="anon"),
                             "tags": tf.VarLenFeature(tf.string)},
        sequence_features={"tokens": tf.FixedLenSequenceFeature([], tf.int64),
                           "frames": tf.FixedLenSequenceFeature([2], tf.float32),
                           "words": tf.VarLenFeature(tf.string),
                           "extra": tf.FixedLenSequenceFeature([], tf.int64, allow_missing=True)})
    mask = tf.sequence_mask(lengths["frames"], dtype=tf.float32)
    pooled = tf.reduce_sum(tf.matmul(tf.reshape(lists["frames"], [-1, 2]), w) * tf.reshape(mask, [-1, 1]), 0)
    out = {"length": context["length"], "name": context["name"], "tokens": lists["tokens"],
           "frames": lists["frames"], "extra": lists["extra"], "len_tokens": lengths["tokens"],
           "len_extra": lengths["extra"], "pooled": pooled,
           "words_dense": tf.sparse_tensor_to_dense(lists["words"], default_value="-")}
    _sparse(out, "tags", context["tags"])
    _sparse(out, "words", lists["words"])
    return out


def _examples() -> np.ndarray:
    return _bytes_array([
        example({"seq": [1.0, 2.0, 3.0, 4.0], "ids": [3, 1], "wts": [0.5, 0.25], "col": [0, 2], "toks": [b"a", b"b"],
                 "n": [7]}),
        example({"seq": [5.0, 6.0], "ids": [0], "wts": [9.0], "col": [1], "toks": [b"c"]}),
        example({"toks": [b"d", b"e", b"f"]}),
    ])


def _sequence_feature_case(tf, e, w):
    """FixedLenSequenceFeature in parse_example / parse_single_example (steps cut from an Example's values, padded
    with default_value), SparseFeature of one and of two index keys, beside FixedLen and VarLen features."""
    parsed = tf.parse_example(e, {
        "seq": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True, default_value=-1.0),
        "n": tf.io.FixedLenSequenceFeature([], tf.int64, allow_missing=True),
        "toks": tf.FixedLenSequenceFeature([], tf.string, allow_missing=True, default_value="<pad>"),
        "sp": tf.SparseFeature("ids", "wts", tf.float32, 5),
        "sp2": tf.io.SparseFeature(["ids", "col"], "wts", tf.float32, [5, 3]),
        "ids": tf.VarLenFeature(tf.int64)})
    single = tf.parse_single_example(e[0], {"seq": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
                                            "sp": tf.SparseFeature("ids", "wts", tf.float32, 4, already_sorted=True)})
    out = {"seq": parsed["seq"], "n": parsed["n"], "toks": parsed["toks"], "single_seq": single["seq"],
           "dense_sp": tf.sparse_tensor_to_dense(parsed["sp"]),
           "model": tf.reduce_sum(tf.matmul(tf.reshape(parsed["seq"], [-1, 2]), w))}
    for key in ("sp", "sp2", "ids"):
        _sparse(out, key, parsed[key])
    _sparse(out, "single_sp", single["sp"])
    return out


def _json() -> np.ndarray:
    return np.array([b'{"features": {"feature": {"x": {"floatList": {"value": [1.5, "NaN", -2]}}, '
                     b'"id": {"int64List": {"value": [3, "-4", 100]}}, "s": {"bytesList": {"value": ["aGk=", ""]}}}}}',
                     b'{"features": {"feature": {"id": {"int64_list": {"value": [5]}}, '
                     b'"x": {"floatList": {"value": [0.25]}}}}}'], dtype="S")


def _json_case(tf, j):
    """decode_json_example: the binary Examples (compared through their FarmHash fingerprints, as the bytes may
    end in zeros) and parse_example over them."""
    binary = tf.io.decode_json_example(j)
    parsed = tf.parse_example(binary, {"x": tf.VarLenFeature(tf.float32), "id": tf.VarLenFeature(tf.int64),
                                       "s": tf.VarLenFeature(tf.string)})
    out = {"hash": tf.string_to_hash_bucket_fast(binary, 1 << 40), "size": tf.strings.length(binary),
           "single": tf.decode_json_example(j[1])}
    for key in ("x", "id", "s"):
        _sparse(out, key, parsed[key])
    return out


def _serialize_case(tf, v):
    """serialize_sparse / serialize_many_sparse (their TensorProto bytes through FarmHash fingerprints) and
    deserialize_many_sparse of rows in another order and repeated."""
    sp = tf.SparseTensor([[0, 1], [0, 3], [2, 0], [2, 2]], v, [3, 4])
    words = tf.SparseTensor([[0, 0], [1, 2]], tf.constant(["a", "bc"]), [2, 3])
    one, many, many_words = tf.serialize_sparse(sp), tf.serialize_many_sparse(sp), tf.io.serialize_many_sparse(words)
    back = tf.deserialize_many_sparse(tf.stack([many[2], many[0], many[1], many[2]]), tf.float32, rank=2)
    back_words = tf.io.deserialize_many_sparse(many_words, tf.string)
    out = {"one": tf.string_to_hash_bucket_fast(one, 1 << 40), "many": tf.string_to_hash_bucket_fast(many, 1 << 40),
           "many_words": tf.string_to_hash_bucket_fast(many_words, 1 << 40),
           "back_dense": tf.sparse_tensor_to_dense(back) * 2.0}
    _sparse(out, "back", back)
    _sparse(out, "back_words", back_words)
    return out


def _hash_case(tf, w):
    """tf.string_to_hash_bucket (TF's Hash64) and string_to_hash_bucket_strong (SipHash-2-4), both spellings."""
    return {"legacy": tf.string_to_hash_bucket(w, 1 << 62),
            "legacy_kw": tf.strings.to_hash_bucket(input=w, num_buckets=7),
            "strong": tf.string_to_hash_bucket_strong(w, 1 << 62, key=[1, 2]),
            "strong_big_key": tf.strings.to_hash_bucket_strong(w, 1000, [12345678901234, 98765])}


_W = np.array([[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]], F32)
CASES = [
    Case("seqex_single", {"s": _sequences(), "w": _W}, _single_sequence_case, grad=("w",)),
    Case("seqex_batch", {"s": _sequences(), "w": np.array([[0.5], [-1.5]], F32)}, _batch_sequence_case, grad=("w",)),
    Case("seqex_example_sequence_features", {"e": _examples(), "w": np.array([[1.0], [-0.5]], F32)},
         _sequence_feature_case, grad=("w",)),
    Case("seqex_decode_json_example", {"j": _json()}, _json_case),
    Case("seqex_hash_buckets", {"w": np.array([b"", b"a", b"hello", b"hello world!", b"0123456789abcdef",
                                               "\u00fcn\u00efcode".encode(), b"x" * 37], dtype="S")}, _hash_case),
    Case("seqex_serialize_sparse", {"v": np.array([1.5, 2.5, -1.0, 4.0], F32)}, _serialize_case),
]


# ---- a whole input pipeline ---------------------------------------------------------------------------------
SCRIPTS: dict[str, Callable] = {}
VOCAB = 12


def _records() -> list[tuple[list[int], int]]:
    rng = np.random.default_rng(5)
    out = []
    for _ in range(10):
        tokens = rng.integers(1, VOCAB, size=int(rng.integers(2, 7))).tolist()
        out.append((tokens, int(sum(tokens) % 3)))
    return out


def sequence_pipeline(tf, Session, folder):
    """im2txt's / a sequence classifier's input: SequenceExamples written with tf.python_io.TFRecordWriter (context
    label, token and weight feature lists), read by TFRecordDataset + parse_single_sequence_example, repeated,
    padded_batch'ed; an embedding + masked mean + dense model trained with SGD for a few steps."""
    path = os.path.join(folder, "train.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for tokens, label in _records():
            record = tf.train.SequenceExample()
            record.context.feature["label"].int64_list.value.append(label)
            tokens_list = record.feature_lists.feature_list["tokens"]
            weights_list = record.feature_lists.feature_list["weights"]
            for t in tokens:
                tokens_list.feature.add().int64_list.value.append(t)
                weights_list.feature.add().float_list.value.append(1.0 / t)
            writer.write(record.SerializeToString())

    def parse(serialized):
        context, lists = tf.parse_single_sequence_example(
            serialized, context_features={"label": tf.FixedLenFeature([], dtype=tf.int64)},
            sequence_features={"tokens": tf.FixedLenSequenceFeature([], dtype=tf.int64),
                               "weights": tf.FixedLenSequenceFeature([], dtype=tf.float32)})
        return lists["tokens"], lists["weights"], tf.shape(lists["tokens"])[0], context["label"]

    dataset = tf.data.TFRecordDataset(path).map(parse).repeat(2)
    dataset = dataset.padded_batch(4, padded_shapes=([None], [None], [], []))
    tokens, weights, lengths, labels = dataset.make_one_shot_iterator().get_next()
    with tf.variable_scope("model"):
        embedding = tf.get_variable("embedding", [VOCAB, 6], initializer=tf.constant_initializer(
            np.linspace(-1.0, 1.0, VOCAB * 6).reshape(VOCAB, 6)))
        vectors = tf.nn.embedding_lookup(embedding, tokens) * tf.expand_dims(weights, -1)
        mask = tf.sequence_mask(lengths, tf.shape(tokens)[1], dtype=tf.float32)
        pooled = tf.reduce_sum(vectors * tf.expand_dims(mask, -1), 1) / tf.cast(tf.expand_dims(lengths, -1),
                                                                                tf.float32)
        logits = tf.layers.dense(pooled, 3, kernel_initializer=tf.constant_initializer(
            np.linspace(-0.5, 0.5, 18).reshape(6, 3)))
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    out: dict = {"losses": [], "lengths": [], "tokens0": None}
    with Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(4):
            batch_tokens, batch_lengths, value, _ = sess.run([tokens, lengths, loss, train])
            out["losses"].append(value)
            out["lengths"].append(batch_lengths)
            if step == 0:
                out["tokens0"] = batch_tokens
        out["embedding"] = sess.run(embedding)
    return {"losses": np.array(out["losses"], F32), "lengths": np.concatenate(out["lengths"]),
            "tokens0": out["tokens0"], "embedding": out["embedding"]}


SCRIPTS["sequence_pipeline"] = sequence_pipeline


def _write_sequences(tf, path: str) -> None:
    with tf.python_io.TFRecordWriter(path) as writer:
        for i, (tokens, label) in enumerate(_records()):
            context = {"label": [label], "id": [f"rec{i}".encode()]}
            words = [[f"w{t}".encode()] * (t % 3) for t in tokens]
            writer.write(sequence_example(context, {"tokens": [[t] for t in tokens], "words": words}))


def sequence_queue_pipeline(tf, Session, folder):
    """The queue-based reader of TF1 tutorials: string_input_producer -> TFRecordReader -> parse_single_sequence_example
    -> tf.train.batch(dynamic_pad=True) of the token lists and per-record summaries, and a batch of the VarLenFeature's
    SparseTensors, under a Coordinator and queue runners."""
    path = os.path.join(folder, "seq.tfrecord")
    _write_sequences(tf, path)
    filenames = tf.train.string_input_producer([path], shuffle=False)
    _, serialized = tf.TFRecordReader().read(filenames)
    context, lists = tf.parse_single_sequence_example(
        serialized,
        context_features={"label": tf.FixedLenFeature([], tf.int64), "id": tf.FixedLenFeature([], tf.string)},
        sequence_features={"tokens": tf.FixedLenSequenceFeature([], tf.int64), "words": tf.VarLenFeature(tf.string)})
    tokens = lists["tokens"]
    first_words = tf.sparse_tensor_to_dense(lists["words"], default_value="")[:, :1]
    summary = tf.stack([tf.reduce_sum(tokens), tf.shape(tokens, out_type=tf.int64)[0], tokens[0], tokens[-1],
                        tf.size(lists["words"].values, out_type=tf.int64)])
    joined = tf.reduce_join(first_words, separator="|")
    words = tf.sparse_tensor_to_dense(lists["words"], default_value="")
    batch = tf.train.batch([summary, context["label"], context["id"], joined, tokens, words], batch_size=3,
                           dynamic_pad=True)
    _, another = tf.TFRecordReader().read(tf.train.string_input_producer([path], shuffle=False))  # its own reader
    context2, lists2 = tf.parse_single_sequence_example(another, {"label": tf.FixedLenFeature([], tf.int64)},
                                                        {"words": tf.VarLenFeature(tf.string)})
    sparse_batch = tf.train.batch({"words": lists2["words"], "label": context2["label"]}, batch_size=4)
    out: dict = {}
    with Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        for step in range(4):
            values = sess.run(batch)
            for key, value in zip(("summary", "labels", "ids", "words", "tokens", "padded_words"), values):
                out[f"{key}{step}"] = np.asarray(value).astype("S") if value.dtype == object else value
        sparse = sess.run(sparse_batch)  # VarLenFeatures batched through serialize_sparse, as TF's batch does
        out.update({"sparse_indices": sparse["words"].indices, "sparse_values": sparse["words"].values.astype("S"),
                    "sparse_shape": sparse["words"].dense_shape, "sparse_labels": sparse["label"]})
        coord.request_stop()
        coord.join(threads)
    return out


SCRIPTS["sequence_queue_pipeline"] = sequence_queue_pipeline


def im2txt_queue_pipeline(tf, Session, folder):
    """im2txt's input ops: sharded TFRecord files -> string_input_producer -> TFRecordReader -> a FIFOQueue filled
    by a QueueRunner -> parse_single_sequence_example (image bytes in the context, caption ids as a feature list)
    -> input/target sequences and their mask -> tf.train.batch_join(dynamic_pad=True)."""
    for shard in range(2):
        with tf.python_io.TFRecordWriter(os.path.join(folder, f"train-{shard:05d}-of-00002")) as writer:
            for i in range(4):
                words = [[k + 5] for k in range(1 + (i + shard) % 4)]
                writer.write(sequence_example({"image/data": [f"img{shard}{i}".encode()]},
                                              {"image/caption_ids": [[1], *words, [2]]}))
    data_files = sorted(tf.gfile.Glob(os.path.join(folder, "train-*")))
    filename_queue = tf.train.string_input_producer(data_files, shuffle=False, capacity=16, name="filename_queue")
    values_queue = tf.FIFOQueue(capacity=20, dtypes=[tf.string], name="fifo_input_queue")
    _, value = tf.TFRecordReader().read(filename_queue)
    tf.train.queue_runner.add_queue_runner(tf.train.queue_runner.QueueRunner(values_queue,
                                                                             [values_queue.enqueue([value])]))
    context, sequence = tf.parse_single_sequence_example(
        values_queue.dequeue(), context_features={"image/data": tf.FixedLenFeature([], dtype=tf.string)},
        sequence_features={"image/caption_ids": tf.FixedLenSequenceFeature([], dtype=tf.int64)})
    caption = sequence["image/caption_ids"]
    input_length = tf.expand_dims(tf.subtract(tf.shape(caption)[0], 1), 0)
    enqueue_list = [[context["image/data"], tf.slice(caption, [0], input_length), tf.slice(caption, [1], input_length),
                     tf.ones(input_length, dtype=tf.int32)]]
    images, input_seqs, target_seqs, mask = tf.train.batch_join(enqueue_list, batch_size=3, capacity=10,
                                                                dynamic_pad=True, name="batch_and_pad")
    out: dict = {}
    with Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        for step in range(2):
            values = sess.run([images, input_seqs, target_seqs, mask])
            for key, value in zip(("images", "inputs", "targets", "mask"), values):
                out[f"{key}{step}"] = np.asarray(value).astype("S") if value.dtype == object else value
        coord.request_stop()
        coord.join(threads)
    return out


SCRIPTS["im2txt_queue_pipeline"] = im2txt_queue_pipeline


if __name__ == "__main__":  # record the scripts with TensorFlow (the cases: tests/record_tf1_ops.py)
    import tempfile

    from tf_recording import EXPECTATIONS_DIR, save, tf
    for name in sys.argv[1:] or sorted(SCRIPTS):
        tf.reset_default_graph()
        with tempfile.TemporaryDirectory() as scratch:
            save(EXPECTATIONS_DIR, f"script_{name}", **SCRIPTS[name](tf, tf.Session, scratch))
