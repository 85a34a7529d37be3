"""tf.string tensors: whole TF1 text scripts against TensorFlow's recordings, feeds and fetches, TF's errors,
string constants in the IR's text form, and the host/native split of a step (runtime/host_strings.py).

The scripts' answers were recorded with TensorFlow by tests/record_tf1_scripts_strings.py; the ops' own
cases are in tests/tf1_op_cases_strings.py (checked by tests/test_tf1_ops_expectations.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.ir import dtypes
from dfc.ir.parser import parse_graph
from dfc.ir.printer import format_dense, print_graph
from recordings import assert_matches_recording
from tf1_scripts_strings import SCRIPTS


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_matches_tensorflow(name, tmp_path):
    tf.reset_default_graph()
    tf.set_random_seed(0)
    got = SCRIPTS[name](tf, tf.Session, str(tmp_path))
    assert_matches_recording(got, f"script_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def test_feeds_and_fetches_are_tfs_bytes():
    tf.reset_default_graph()
    s = tf.placeholder(tf.string, [None], name="s")
    scalar = tf.placeholder(tf.string, [], name="scalar")
    x = tf.placeholder(tf.float32, [None], name="x")
    with tf.Session() as sess:
        for fed in (["a", "bé"], [b"a", "b\xc3\xa9".encode("latin-1").decode("utf-8").encode()],
                    np.array(["a", "bé"]), np.array([b"a", "bé".encode()]), np.array(["a", "bé"], dtype=object)):
            got = sess.run(s, {s: fed})
            assert got.dtype == object and got.tolist() == [b"a", "bé".encode()]
        assert sess.run(scalar, {scalar: "q"}) == b"q"
        assert sess.run(tf.constant("x")) == b"x"
        assert sess.run(x, {x: ["2.5", b"1"]}).tolist() == [2.5, 1.0]  # TF converts numeric text, as numpy
        with pytest.raises(ValueError, match="placeholder 'x'.*could not convert string to float"):
            sess.run(x, {x: ["abc"]})
        with pytest.raises(ValueError, match="shape"):
            sess.run(s, {s: "ab"})
        with pytest.raises(tf.errors.InvalidArgumentError, match="placeholder 's'"):
            sess.run(s, {s: [1, 2]})


def test_string_variables_and_the_numeric_part_stays_compiled():
    """String ops run on the host; the matmul beside them is native code (a placement the executable reports)."""
    tf.reset_default_graph()
    names = tf.Variable(["a", "b"], name="names")
    fed = tf.placeholder(tf.string, [2])
    rename = tf.assign(names, fed)
    w = tf.Variable(np.eye(2, dtype=np.float32), name="w")
    hits = tf.cast(tf.equal(names, "b"), tf.float32)
    out = tf.matmul(tf.reshape(hits, [1, 2]), w, name="out")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(out).tolist() == [[0.0, 1.0]]
        sess.run(rename, {fed: ["b", "b"]})
        assert sess.run(names).tolist() == [b"b", b"b"]
        assert sess.run(out).tolist() == [[1.0, 1.0]]
        executable = sess._last_run
        placement = executable.placement
        assert placement["out"] == "native" and placement["Equal"] == "host"


@pytest.mark.parametrize("make, error, text", [
    (lambda: tf.strings.length(tf.constant([1.0])), TypeError, "string"),
    (lambda: tf.string_to_number(["1"], out_type=tf.bool), TypeError, "out_type"),
    (lambda: tf.as_string(tf.constant(["a"])), TypeError, "string"),
    (lambda: tf.as_string([1.0], scientific=True, shortest=True), ValueError, "scientific"),
    (lambda: tf.as_string([1], precision=2), ValueError, "precision"),
    (lambda: tf.substr(["ab"], 0.5, 1), TypeError, "pos"),
    (lambda: tf.strings.join("ab"), TypeError, "list"),
    (lambda: tf.strings.format("{} {}", [tf.constant(1)]), ValueError, "placeholders"),
    (lambda: tf.decode_csv(["1"], [[True]]), TypeError, "record_defaults"),
    (lambda: tf.decode_csv(["1,2"], [[0, 1], [0]]), ValueError, "default"),
    (lambda: tf.decode_csv(["1,2"], [[0], [0]], select_cols=[1, 0]), ValueError, "increasing"),
    (lambda: tf.contrib.lookup.index_table_from_tensor(["a"]).lookup(tf.constant([1.0])), TypeError, "Keys"),
    (lambda: tf.contrib.lookup.index_table_from_file("/nonexistent/vocab.txt"), tf.errors.NotFoundError,
     "vocab.txt"),
    (lambda: tf.feature_column.categorical_column_with_vocabulary_list("color", ["a", "b"], dtype=tf.int64),
     ValueError, "color"),
])
def test_bad_arguments_raise_tfs_exception(make, error, text):
    tf.reset_default_graph()
    with pytest.raises(error, match=text):
        make()


@pytest.mark.parametrize("make, text", [
    (lambda: tf.string_to_number(tf.constant(["1", "x1"])), "could not correctly convert string: x1"),
    (lambda: tf.string_to_number(["1.5"], out_type=tf.int32), "1.5"),
    (lambda: tf.substr(tf.constant(["ab"]), 3, 1), "pos 3 out of range"),
    (lambda: tf.decode_csv(tf.constant(["1,2,3"]), [[0], [0]]), "Expect 2 fields but have 3 in record 0"),
    (lambda: tf.decode_csv(tf.constant(["1,"]), [[0], []]), "Field 1 is required but missing in record 0"),
    (lambda: tf.decode_csv(tf.constant(["x"]), [[0.0]]), "Field 0 in record 0 is not a valid float: x"),
    (lambda: tf.decode_csv(tf.constant(['"a']), [[""]]), "Quoted field has to end"),
    (lambda: tf.regex_replace(tf.constant(["a"]), "(", "x"), "Invalid pattern"),
])
def test_bad_values_fail_the_run_with_tfs_message(make, text):
    tf.reset_default_graph()
    out = make()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match=text):
        sess.run(out)


def test_a_lookup_before_the_tables_initializer_fails_as_tfs():
    tf.reset_default_graph()
    ids = tf.contrib.lookup.index_table_from_tensor(["a"]).lookup(tf.constant(["a"]))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Table not initialized"):
            sess.run(ids)
        sess.run(tf.tables_initializer())
        assert sess.run(ids).tolist() == [0]


def test_text_line_dataset_reads_files_named_by_a_placeholder(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"one\r\ntwo\n\nthree")
    (tmp_path / "b.txt").write_bytes(b"four\n")
    tf.reset_default_graph()
    names = tf.placeholder(tf.string, [None])
    it = tf.data.TextLineDataset(names).make_initializable_iterator()
    line = it.get_next()
    with tf.Session() as sess:
        sess.run(it.initializer, {names: [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]})
        got = []
        with pytest.raises(tf.errors.OutOfRangeError):
            while True:
                got.append(sess.run(line))
        assert got == [b"one", b"two", b"", b"three", b"four"]
        sess.run(it.initializer, {names: [str(tmp_path / "missing.txt")]})
        with pytest.raises(tf.errors.NotFoundError, match="missing.txt"):
            sess.run(line)


def test_string_constants_print_and_parse_back():
    value = np.array([[b"ab", b'q"\\\n\xff'], [b"", b"x y"]], dtype=object)
    text = format_dense(value)
    assert text == 'dense<[["ab", "q\\"\\\\\\n\\FF"], ["", "x y"]]> : tensor<2x2x!tf_type.string>'
    tf.reset_default_graph()
    c = tf.constant(value, name="c")
    tf.identity(tf.strings.join([c, tf.constant(["z"] * 2, shape=[2, 2])]), name="joined")
    printed = print_graph(tf.get_default_graph()._dfc_ir())
    again = parse_graph(printed)
    assert print_graph(again) == printed
    assert again.op_by_name("c").attrs["value"].tolist() == value.tolist()
    assert dtypes.as_dtype("string") is tf.string and tf.as_dtype(np.array(["a"]).dtype) is tf.string


def test_string_input_producer_and_text_line_reader(tmp_path):
    """TF1's queue-based CSV reading: file names from string_input_producer, lines from a TextLineReader keyed
    'file:line' (header skipped), decode_csv, then TF's OutOfRangeError after num_epochs (values as TF gives)."""
    first, second = tmp_path / "f1.csv", tmp_path / "f2.csv"
    first.write_text("h\n1,2\n3,4\n")
    second.write_text("h\n5,6\n")
    tf.reset_default_graph()
    queue = tf.train.string_input_producer([str(first), str(second)], num_epochs=1, shuffle=False)
    key, value = tf.TextLineReader(skip_header_lines=1).read(queue)
    a, b = tf.decode_csv(value, [[0], [0]])
    got = []
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        with pytest.raises(tf.errors.OutOfRangeError, match="closed"):
            while True:
                got.append(sess.run([key, a + b]))
    assert [(k, int(s)) for k, s in got] == [(f"{first}:2".encode(), 3), (f"{first}:3".encode(), 7),
                                            (f"{second}:2".encode(), 11)]
    tf.reset_default_graph()
    whole = tf.WholeFileReader().read(tf.train.string_input_producer([str(second)], shuffle=False))
    with tf.Session() as sess:
        assert sess.run(whole) == (str(second).encode(), b"h\n5,6\n")


def test_text_summaries_take_string_tensors():
    tf.reset_default_graph()
    labels = tf.placeholder(tf.string, [2])
    tf.summary.text("labels", tf.strings.join(["label: ", labels]))
    with tf.Session() as sess:
        proto = tf.Summary.FromString(sess.run(tf.summary.merge_all(), {labels: ["cat", "dog"]}))
    assert list(proto.value[0].tensor.string_val) == [b"label: cat", b"label: dog"]


def test_py_func_strings_and_printing_them(capfd):
    """py_func returns strings as TF converts them; tf.Print shows them bare, tf.print quoted (TF's output)."""
    tf.reset_default_graph()
    s = tf.placeholder(tf.string, [2])
    x = tf.constant([1.0, 2.0])
    upper = tf.py_func(lambda a: np.array([v.upper() for v in a]), [s], tf.string)
    texts = tf.py_func(lambda a: [str(v) for v in a], [x], tf.string)
    printed = tf.Print(x, [s, x], message="dbg ")
    with tf.Session() as sess:
        got = sess.run([upper, texts, printed], {s: ["a", "b"]})
        sess.run(tf.print("hello", s, x), {s: ["a", "b"]})
    assert got[0].tolist() == [b"A", b"B"] and type(got[0][0]) is bytes and got[1].tolist() == [b"1.0", b"2.0"]
    err = capfd.readouterr().err
    assert "dbg [a b][1 2]" in err and 'hello ["a" "b"] [1 2]' in err


def test_csv_dataset(tmp_path):
    """tf.data.experimental.CsvDataset: a header skipped, a dtype for a required column, defaults (TF's values)."""
    path = tmp_path / "c.csv"
    path.write_text("a,b,c\n1,x,2.5\n2,,\n")
    tf.reset_default_graph()
    ds = tf.data.experimental.CsvDataset(str(path), [tf.int32, ["?"], [0.5]], header=True).batch(2)
    with tf.Session() as sess:
        a, b, c = sess.run(ds.make_one_shot_iterator().get_next())
    assert a.tolist() == [1, 2] and b.tolist() == [b"x", b"?"] and c.tolist() == [2.5, 0.5]


def test_string_variables_save_and_restore(tmp_path):
    tf.reset_default_graph()
    labels = tf.Variable(["a", "", "b\xc3\xa9".encode("latin-1").decode("utf-8")], name="labels")
    weights = tf.Variable([1.0, 2.0], name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "model"))
    with tf.Session() as sess:
        saver.restore(sess, path)
        got, w = sess.run([labels, weights])
    assert got.tolist() == [b"a", b"", "bé".encode()] and w.tolist() == [1.0, 2.0]


def test_read_file_and_decode_raw_errors(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x01\x00\x02\x00")
    tf.reset_default_graph()
    name = tf.placeholder(tf.string, [])
    values = tf.decode_raw(tf.read_file(name), tf.int16)
    ragged = tf.decode_raw(tf.constant([b"\x01\x00", b"abc"]), tf.int16)
    with tf.Session() as sess:
        assert sess.run(values, {name: str(path)}).tolist() == [1, 2]
        path.write_bytes(b"\x03\x00")  # read when the step runs, not when it was compiled
        assert sess.run(values, {name: str(path)}).tolist() == [3]
        with pytest.raises(tf.errors.NotFoundError, match="missing.bin"):
            sess.run(values, {name: str(tmp_path / "missing.bin")})
        with pytest.raises(tf.errors.InvalidArgumentError, match="element 1 has size 2 != 3"):
            sess.run(ragged)


def test_fixed_length_records_cifar_style(tmp_path):
    """CIFAR-10's binary input: FixedLengthRecordReader (a short tail is no record) and FixedLengthRecordDataset
    (after a header; a body that is not whole records is TF's error), decode_raw into label and image."""
    data = bytes(np.random.default_rng(0).integers(0, 256, size=2 * 13 + 3, dtype=np.uint8))
    path = tmp_path / "cifar.bin"
    path.write_bytes(data)
    tf.reset_default_graph()
    key, value = tf.FixedLengthRecordReader(record_bytes=13).read(
        tf.train.string_input_producer([str(path)], num_epochs=1, shuffle=False))
    record = tf.decode_raw(value, tf.uint8)
    label, image = tf.cast(record[0], tf.int32), tf.reshape(record[1:], [3, 2, 2])
    batches = tf.data.FixedLengthRecordDataset(str(path), 13, header_bytes=3).map(
        lambda r: tf.decode_raw(r, tf.uint8)).batch(2).make_one_shot_iterator().get_next()
    bad = tf.data.FixedLengthRecordDataset(str(path), 13).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        first, second = sess.run([key, label, image]), sess.run([key, label, image])
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(value)
        assert first[0] == f"{path}:0".encode() and second[0] == f"{path}:1".encode()
        assert first[1] == data[0] and first[2].reshape(-1).tolist() == list(data[1:13])
        assert second[1] == data[13] and sess.run(batches).tolist() == [list(data[3:16]), list(data[16:29])]
        with pytest.raises(tf.errors.InvalidArgumentError, match="not an exact multiple of the record length"):
            sess.run(bad)


def test_plus_concatenates_strings_as_tfs_add():
    """TF's Add takes strings: `x + '!'`, `'pre_' + x` and tf.add of two string tensors concatenate elementwise."""
    tf.reset_default_graph()
    words = tf.placeholder(tf.string, [None])
    with tf.Session() as sess:
        out = sess.run([words + "!", "pre_" + words, tf.add(words, words)], {words: ["x", "yy"]})
    assert [o.tolist() for o in out] == [[b"x!", b"yy!"], [b"pre_x", b"pre_yy"], [b"xx", b"yyyy"]]
    with pytest.raises(TypeError, match="Expected string"):
        words + 1
