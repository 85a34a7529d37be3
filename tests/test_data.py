"""tf.data: pipelines and iterators against TensorFlow's recorded elements (tests/train_cases.py) on both
backends, the host-fed iterator semantics (one pull per run, OutOfRangeError, per-session positions), shuffling."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
import train_cases


pytestmark = pytest.mark.usefixtures("fresh_graph")


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
@pytest.mark.parametrize("name", ["data_pipelines", "data_iterators_in_training"])
def test_matches_tensorflow(name, backend):
    train_cases.check_against_tensorflow(name, backend, rtol=1e-5, atol=1e-6)


def test_get_next_advances_once_per_run_and_per_session():
    element = tf.data.Dataset.range(4).make_one_shot_iterator().get_next()
    doubled, plus = element * 2, element + 100
    with tf.Session() as first, tf.Session(backend="interpreter") as second:
        assert first.run([element, doubled, plus]) == [0, 0, 100]
        assert first.run(doubled) == 2
        assert second.run(element) == 0  # each session has its own position
        assert first.run(element) == 2
        assert first.run(element, {element: 42}) == 42  # fed: nothing is pulled
        assert first.run(element) == 3
        with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence"):
            first.run(element)
        with pytest.raises(tf.errors.OutOfRangeError):
            first.run(plus)


def test_two_get_next_calls_each_advance():
    iterator = tf.data.Dataset.range(10).make_one_shot_iterator()
    a, b = iterator.get_next(), iterator.get_next()
    with tf.Session() as sess:
        assert sorted(sess.run([a, b])) == [0, 1]
        assert sess.run(a) == 2


def test_shuffle_is_a_seeded_permutation_reshuffled_each_epoch():
    def epochs(seed):
        tf.reset_default_graph()
        element = tf.data.Dataset.range(20).shuffle(8, seed=seed).repeat(2).make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            values = [int(sess.run(element)) for _ in range(40)]
        return values[:20], values[20:]
    first, second = epochs(3)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != list(range(20)) and first != second
    assert epochs(3) == (first, second)
    assert epochs(4) != (first, second)
    # a buffer of 8 moves no element more than 7 places earlier than its input position
    assert all(first.index(i) >= i - 7 for i in range(20))


def test_initializer_errors_and_dataset_checks():
    iterator = tf.data.Dataset.range(3).make_one_shot_iterator()
    with pytest.raises(ValueError, match="does not have an initializer"):
        _ = iterator.initializer
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        tf.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(TypeError, match="Expected output types"):
        tf.data.Iterator.from_structure(tf.int64).make_initializer(tf.data.Dataset.from_tensors(1.0))
    ragged = tf.data.Dataset.from_generator(lambda: iter([[1.0], [1.0, 2.0]]), tf.float32).batch(2)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch tensors with different shapes"):
            sess.run(ragged.make_one_shot_iterator().get_next())


def test_map_runs_random_ops_per_element():
    element = tf.data.Dataset.from_tensors(np.zeros(4, np.float32)).repeat(3).map(
        lambda x: x + tf.random_uniform([4], seed=1)).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        draws = [sess.run(element) for _ in range(3)]
    assert all(((0 <= d) & (d < 1)).all() for d in draws)
    assert not np.array_equal(draws[0], draws[1])


def test_monitored_training_session_ends_quietly_at_the_end_of_the_data():
    x = tf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.float32)).batch(2).make_one_shot_iterator().get_next()
    total = tf.Variable(0.0)
    step = tf.train.get_or_create_global_step()
    train = tf.group(total.assign_add(tf.reduce_sum(x)), step.assign_add(1))
    runs = 0
    with tf.train.MonitoredTrainingSession() as sess:
        while not sess.should_stop():
            sess.run(train)
            runs += 1
    assert runs == 3


def test_experimental_transformations_compose_the_dataset_methods():
    ds = tf.data.Dataset.range(6).apply(tf.data.experimental.map_and_batch(lambda i: i * 10, 4))
    element = ds.apply(tf.data.experimental.unbatch()).apply(
        tf.data.experimental.shuffle_and_repeat(3, count=2, seed=5)).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        values = [int(sess.run(element)) for _ in range(12)]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(element)
    assert sorted(values) == sorted([0, 10, 20, 30, 40, 50] * 2)
    assert tf.data.experimental.AUTOTUNE == -1


def test_a_one_shot_iterator_refuses_a_dataset_that_reads_a_placeholder():
    features = tf.placeholder(tf.float32, [3], name="features")
    dataset = tf.data.Dataset.from_tensor_slices(features * 2.0).batch(2)
    with pytest.raises(ValueError, match=r"Cannot capture a placeholder \(name:features, type:Placeholder\)"):
        dataset.make_one_shot_iterator()
    element = dataset.make_initializable_iterator()
    assert element.initializer is not None


def test_list_files_interleave_and_shard_as_tf1(tmp_path):
    """The sharded-TFRecord input of TF1 training scripts; the orders are what TF 2.21's compat.v1 gives."""
    for i in range(3):
        with tf.python_io.TFRecordWriter(str(tmp_path / f"part-{i}.tfrecord")) as writer:
            for j in range(4 + i):
                writer.write(f"f{i}r{j}".encode())
    files = tf.data.Dataset.list_files(str(tmp_path / "*.tfrecord"), shuffle=False)
    records = files.interleave(tf.data.TFRecordDataset, cycle_length=2, block_length=2)
    sharded = tf.data.Dataset.range(10).shard(3, 1)
    repeated = tf.data.Dataset.range(4).interleave(lambda x: tf.data.Dataset.from_tensors(x).repeat(3), cycle_length=3)
    shuffled = tf.data.Dataset.list_files(str(tmp_path / "*.tfrecord"), seed=3)
    got = []
    with tf.Session() as sess:
        for dataset in (files, records, sharded, repeated, shuffled):
            element = dataset.make_one_shot_iterator().get_next()
            values = []
            with pytest.raises(tf.errors.OutOfRangeError):
                while True:
                    values.append(sess.run(element))
            got.append([v.decode().rsplit("/", 1)[-1] if isinstance(v, bytes) else int(v) for v in values])
    assert got[0] == ["part-0.tfrecord", "part-1.tfrecord", "part-2.tfrecord"]
    assert got[1] == ["f0r0", "f0r1", "f1r0", "f1r1", "f0r2", "f0r3", "f1r2", "f1r3", "f1r4", "f2r0", "f2r1", "f2r2",
                      "f2r3", "f2r4", "f2r5"]
    assert got[2] == [1, 4, 7]
    assert got[3] == [0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3, 3]
    assert sorted(got[4]) == got[0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched pattern"):
        tf.data.Dataset.list_files(str(tmp_path / "*.missing"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Index must be in"):
        tf.data.Dataset.range(3).shard(2, 2)


def test_contrib_data_parallel_interleave_is_interleave():
    ds = tf.data.Dataset.range(3).apply(
        tf.contrib.data.parallel_interleave(lambda x: tf.data.Dataset.from_tensors(x).repeat(2), cycle_length=2))
    batched = tf.data.Dataset.range(5).apply(tf.contrib.data.batch_and_drop_remainder(2))
    with tf.Session() as sess:
        element, batch = ds.make_one_shot_iterator().get_next(), batched.make_one_shot_iterator().get_next()
        assert [int(sess.run(element)) for _ in range(6)] == [0, 1, 0, 1, 2, 2]
        assert [sess.run(batch).tolist() for _ in range(2)] == [[0, 1], [2, 3]]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(batch)


def test_from_generator_as_seq2seq_pipelines_use_it():
    """Nested output_shapes read up to output_types ([None] and () are one shape each), args passed as TF passes
    them (strings as bytes), string components batched and padded (Kyubyong/transformer's input_fn)."""
    def generator(sentences, vocab_path):
        assert isinstance(vocab_path, bytes)
        for sentence in sentences:
            ids = [len(w) for w in sentence.decode().split()]
            yield (ids, len(ids), sentence), (ids[::-1], len(ids))
    shapes = (([None], (), ()), ([None], ()))
    types = ((tf.int32, tf.int32, tf.string), (tf.int32, tf.int32))
    dataset = tf.data.Dataset.from_generator(generator, output_types=types, output_shapes=shapes,
                                             args=(["a bb", "ccc d ee", "f"], "vocab.txt"))
    batches = dataset.padded_batch(2, shapes, ((0, 0, ""), (-1, 0)))
    iterator = tf.data.Iterator.from_structure(batches.output_types, batches.output_shapes)
    (x, x_len, text), (y, y_len) = iterator.get_next()
    assert x.shape.as_list() == [None, None] and text.shape.as_list() == [None]
    with tf.Session() as sess:
        sess.run(iterator.make_initializer(batches))
        got = sess.run([x, x_len, text, y])
    np.testing.assert_array_equal(got[0], [[1, 2, 0], [3, 1, 2]])
    assert got[1].tolist() == [2, 3] and got[2].tolist() == [b"a bb", b"ccc d ee"]
    np.testing.assert_array_equal(got[3], [[2, 1, -1], [2, 1, 3]])
    with pytest.raises(TypeError, match="output_shapes"):
        tf.data.Dataset.from_generator(generator, output_types=types, output_shapes=(([None], ()), ()))


def test_random_uniform_of_integers():
    """TF1's RandomUniformInt: [minval, maxval), bounds may be tensors, maxval required, minval < maxval checked."""
    n = tf.placeholder(tf.int32, [])
    pick = tf.random_uniform((), 0, n, tf.int32)
    draws = tf.random_uniform([2000], -3, 4, dtype=tf.int64, seed=7)
    with tf.Session() as sess:
        values = sess.run(draws)
        assert values.dtype == np.int64 and set(values.tolist()) == set(range(-3, 4))
        assert all(0 <= sess.run(pick, {n: 3}) < 3 for _ in range(20))
        with pytest.raises(tf.errors.InvalidArgumentError, match="minval < maxval"):
            sess.run(pick, {n: 0})
    with pytest.raises(ValueError, match="Must specify maxval"):
        tf.random_uniform([2], dtype=tf.int32)


@pytest.mark.parametrize("strings", [np.array([b"a", b"bc", b"d"]), [b"a", b"bc", b"d"], ["a", "bc", "d"]])
def test_string_slices_batch_as_tf(strings):
    """Sliced string components are elements like any other: batched into [b'a', b'bc'], then the remainder."""
    dataset = tf.data.Dataset.from_tensor_slices((strings, np.arange(3))).batch(2)
    element = dataset.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        first, second = sess.run(element), sess.run(element)
    assert first[0].tolist() == [b"a", b"bc"] and first[1].tolist() == [0, 1]
    assert second[0].tolist() == [b"d"] and second[1].tolist() == [2]


def test_dataset_functions_capture_tables_and_tensors_of_the_outer_graph(tmp_path):
    """tensorflow/nmt's pipeline: a vocabulary table built outside looked up inside Dataset.map; a threshold fed
    when the iterator is initialized, used inside Dataset.filter; a constant used inside flat_map."""
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("<unk>\na\nb\nc\n")
    table = tf.contrib.lookup.index_table_from_file(str(vocab), default_value=0)
    limit = tf.placeholder(tf.int32, [])
    offset = tf.constant(10, tf.int64)
    lines = tf.data.Dataset.from_tensor_slices(["a b c", "c", "b z a b", "a"])
    words = lines.map(lambda line: table.lookup(tf.string_split([line]).values) + offset)
    kept = words.filter(lambda ids: tf.size(ids) <= limit).padded_batch(2, padded_shapes=[None])
    iterator = kept.make_initializable_iterator()
    element = iterator.get_next()
    flat = lines.flat_map(lambda line: tf.data.Dataset.from_tensor_slices(tf.string_split([line]).values + "!"))
    first = flat.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(tf.tables_initializer())
        sess.run(iterator.initializer, {limit: 3})
        assert sess.run(element).tolist() == [[11, 12, 13], [13, 0, 0]]  # padded with 0
        assert sess.run(element).tolist() == [[11]]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(element)
        sess.run(iterator.initializer, {limit: 1})  # a new initialization reads the captured values anew
        assert sess.run(element).tolist() == [[13], [11]]
        assert [sess.run(first) for _ in range(3)] == [b"a!", b"b!", b"c!"]


def _example(ids, x):
    return tf.train.Example(features=tf.train.Features(feature={
        "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=ids)),
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[x]))})).SerializeToString()


def test_sparse_components_map_batch_and_reach_get_next_as_tf():
    """parse_single_example's VarLenFeature inside Dataset.map is a SparseTensor component: batch stacks it under
    the batch index, get_next gives a SparseTensor (TF 2.21's values for the same pipelines), and a later map
    receives it as one."""
    data = [_example([1, 2], 1.0), _example([3], 2.0), _example([], 3.0), _example([4, 5, 6], 4.0)]
    spec = {"ids": tf.VarLenFeature(tf.int64), "x": tf.FixedLenFeature([1], tf.float32)}
    single = tf.data.Dataset.from_tensor_slices(data).map(lambda s: tf.parse_single_example(s, spec)).batch(3)
    batched = tf.data.Dataset.from_tensor_slices(data).batch(2).map(lambda s: tf.parse_example(s, spec))
    densified = single.map(lambda f: tf.sparse.to_dense(f["ids"]) * 10)
    assert single.output_classes["ids"] is tf.SparseTensor and single.output_shapes["ids"].as_list() == [None, None]
    first, second, third = (d.make_one_shot_iterator().get_next() for d in (single, batched, densified))
    assert isinstance(first["ids"], tf.SparseTensor)
    got = []
    with tf.Session() as sess:
        for element in (first, first, second, second):
            value = sess.run(element)
            ids = value["ids"]
            got.append((ids.indices.tolist(), ids.values.tolist(), ids.dense_shape.tolist(), value["x"].tolist()))
        dense = [sess.run(third).tolist(), sess.run(third).tolist()]
    assert got == [([[0, 0], [0, 1], [1, 0]], [1, 2, 3], [3, 2], [[1.0], [2.0], [3.0]]),
                   ([[0, 0], [0, 1], [0, 2]], [4, 5, 6], [1, 3], [[4.0]]),
                   ([[0, 0], [0, 1], [1, 0]], [1, 2, 3], [2, 2], [[1.0], [2.0]]),
                   ([[1, 0], [1, 1], [1, 2]], [4, 5, 6], [2, 3], [[3.0], [4.0]])]
    assert dense == [[[10, 20], [30, 0], [0, 0]], [[40, 50, 60]]]
    with pytest.raises(TypeError, match="padded_batch does not take SparseTensor"):
        tf.data.Dataset.from_tensor_slices(data).map(lambda s: tf.parse_single_example(s, spec)).padded_batch(
            2, {"ids": [None], "x": [1]})


def test_tfrecord_examples_with_var_len_features_train_through_feature_columns(tmp_path):
    """The TF1 input pipeline of record: TFRecordDataset, parse_single_example with a VarLenFeature of strings,
    batch, then feature columns; the batches and losses equal TF 2.21's (printed by the same script)."""
    path = str(tmp_path / "train.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for i in range(6):
            words = [b"red", b"green", b"blue"][: (i % 3) + 1] if i != 4 else []
            writer.write(tf.train.Example(features=tf.train.Features(feature={
                "words": tf.train.Feature(bytes_list=tf.train.BytesList(value=words)),
                "x": tf.train.Feature(float_list=tf.train.FloatList(value=[float(i)])),
                "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i % 2]))})).SerializeToString())
    spec = {"words": tf.VarLenFeature(tf.string), "x": tf.FixedLenFeature([1], tf.float32),
            "label": tf.FixedLenFeature([], tf.int64)}

    def parse(serialized):
        features = tf.parse_single_example(serialized, spec)
        label = features.pop("label")
        features["n_words"] = tf.size(features["words"].values)
        return features, label
    features, labels = tf.data.TFRecordDataset(path).map(parse).repeat(2).batch(3).prefetch(1) \
        .make_one_shot_iterator().get_next()
    fc = tf.feature_column
    net = fc.input_layer(features, [fc.numeric_column("x"), fc.indicator_column(
        fc.categorical_column_with_vocabulary_list("words", ["red", "green", "blue"]))])
    logits = tf.layers.dense(net, 2, kernel_initializer=tf.ones_initializer())
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        steps = [sess.run([net, loss, train])[:2] for _ in range(4)]
    assert [n.tolist() for n, _ in steps] == [[[1, 0, 0, 0], [1, 1, 0, 1], [1, 1, 1, 2]],
                                             [[1, 0, 0, 3], [0, 0, 0, 4], [1, 1, 1, 5]]] * 2
    np.testing.assert_allclose([loss for _, loss in steps], [0.69315, 0.74286, 0.73402, 0.65406], atol=1e-5)


def test_sparse_tensors_slice_into_rows_as_tf():
    """from_tensor_slices of a SparseTensor (and of a SparseTensorValue) gives its rows; from_tensors the whole
    (TF 2.21's values for the same pipeline)."""
    st = tf.SparseTensor(indices=[[0, 0], [1, 2], [2, 1], [2, 3]], values=[1.0, 2.0, 3.0, 4.0], dense_shape=[3, 5])
    stv = tf.SparseTensorValue(indices=[[0, 1], [2, 0]], values=np.array([7, 8], np.int64), dense_shape=[3, 2])
    rows = tf.data.Dataset.from_tensor_slices((st, stv, [10, 20, 30])).batch(2).make_one_shot_iterator().get_next()
    whole = tf.data.Dataset.from_tensors(st).map(tf.sparse.reduce_sum).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        got = []
        for _ in range(2):
            a, b, c = sess.run(rows)
            got.append([a.indices.tolist(), a.values.tolist(), a.dense_shape.tolist(), b.indices.tolist(),
                        b.values.tolist(), b.dense_shape.tolist(), c.tolist()])
        assert sess.run(whole) == 10.0
    assert got == [[[[0, 0], [1, 2]], [1.0, 2.0], [2, 5], [[0, 1]], [7], [2, 2], [10, 20]],
                   [[[0, 1], [0, 3]], [3.0, 4.0], [1, 5], [[0, 0]], [8], [1, 2], [30]]]
