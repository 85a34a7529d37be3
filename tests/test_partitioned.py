"""Partitioned variables as TF1 has them: the partitioners, PartitionedVariable and get_variable's partitioned path
(names, shapes, reuse and TF1's errors), the sparse per-shard gradients of lookups over shards, checkpoints of
a partitioned variable as one entry (restored into another partitioning), tf.train.replica_device_setter
placing shards, and a wide & deep script compared with TensorFlow's recording
(tests/tf1_scripts_partition.py, recorded by tests/record_tf1_scripts_partition.py).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_partition import SCRIPTS


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_matches_tensorflow(name):
    tf.reset_default_graph()
    actual = SCRIPTS[name](tf, lambda: tf.Session(backend="interpreter"))
    assert_matches_recording(actual, f"script_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def test_partitioners_match_tf1():
    shape = tf.TensorShape([100, 8])
    assert tf.fixed_size_partitioner(3)(shape=shape, dtype=tf.float32) == [3, 1]
    assert tf.fixed_size_partitioner(300, axis=1)(shape=shape, dtype=tf.float32) == [1, 8]
    assert tf.min_max_variable_partitioner(4, min_slice_size=64)(shape=shape, dtype=tf.float32) == [4, 1]
    assert tf.min_max_variable_partitioner(100, axis=1, min_slice_size=8)(
        shape=tf.TensorShape([10, 3]), dtype=tf.string) == [1, 3]
    assert tf.min_max_variable_partitioner()(shape=shape, dtype=tf.float32) == [1, 1]
    assert tf.variable_axis_size_partitioner(200)(shape=shape, dtype=tf.float32) == [17, 1]
    assert tf.variable_axis_size_partitioner(100, axis=1, max_shards=2)(
        shape=tf.TensorShape([10, 30]), dtype=tf.float32) == [1, 2]
    with pytest.raises(ValueError, match="max_shard_bytes and bytes_per_string_element must be positive"):
        tf.variable_axis_size_partitioner(0)
    with pytest.raises(ValueError, match="shape is not a TensorShape"):
        tf.variable_axis_size_partitioner(10)(shape=[10], dtype=tf.float32)
    with pytest.raises(ValueError, match=r"shape is not fully defined: \(\?,\)"):
        tf.variable_axis_size_partitioner(10)(shape=tf.TensorShape([None]), dtype=tf.float32)
    with pytest.raises(ValueError, match="Cannot partition variable along axis 2"):
        tf.min_max_variable_partitioner(100, axis=2)(shape=tf.TensorShape([10, 3]), dtype=tf.float32)


def test_get_variable_with_a_partitioner():
    tf.reset_default_graph()
    value = np.arange(40.0, dtype=np.float32).reshape(10, 4)
    with tf.variable_scope("s", partitioner=tf.fixed_size_partitioner(3)) as scope:
        v = tf.get_variable("emb", initializer=tf.constant(value))
        assert scope.partitioner is not None
        with tf.variable_scope("inner"):  # the partitioner is inherited, and partitioner=None keeps it
            assert type(tf.get_variable("b", [6], partitioner=None)).__name__ == "PartitionedVariable"
        scalar = tf.get_variable("scalar", [])  # TF1 leaves a scalar whole
    assert isinstance(scalar, tf.Variable)
    assert v.name == "s/emb" and v.shape.as_list() == [10, 4] and len(v) == 3 and v.dtype == tf.float32
    assert [p.name for p in v] == ["s/emb/part_0:0", "s/emb/part_1:0", "s/emb/part_2:0"]
    assert [p.shape.as_list() for p in v] == [[4, 4], [3, 4], [3, 4]]
    assert v._get_partitions() == [3, 1]
    assert [p._save_slice_info.spec for p in v] == ["10 4 0,4:0,4", "10 4 4,3:0,4", "10 4 7,3:0,4"]
    assert [x.name for x in tf.global_variables()][:3] == [p.name for p in v]
    whole = tf.convert_to_tensor(v)
    assert whole.name == "s/emb:0" and whole.shape.as_list() == [10, 4] and v.as_tensor().name == "s/emb_1:0"
    with tf.variable_scope("s", partitioner=tf.fixed_size_partitioner(3), reuse=True):
        assert tf.get_variable("emb", [10, 4]) is v
    with tf.variable_scope("s", reuse=True):  # found without a partitioner when reusing, as TF1
        assert tf.get_variable("emb") is v
    cases = [
        (dict(scope="s", partitioner=tf.fixed_size_partitioner(3), name="emb", shape=[10, 4]),
         "Partitioned variable with name s/emb already exists"),
        (dict(scope="s", partitioner=tf.fixed_size_partitioner(2), reuse=True, name="emb", shape=[10, 4]),
         r"specified partitions \[2, 1\] and found partitions \[3, 1\]"),
        (dict(scope="s", partitioner=tf.fixed_size_partitioner(3), reuse=True, name="emb", shape=[10, 5]),
         r"specified shape \(10, 5\) and found shape \(10, 4\)"),
        (dict(scope="s", name="emb", shape=[10, 4]), "No partitioner was provided, but a partitioned version"),
        (dict(scope="s", partitioner=tf.fixed_size_partitioner(3), reuse=True, name="nope", shape=[10, 4]),
         "PartitionedVariable s/nope does not exist"),
        (dict(scope="t", name="x", shape=[5, 4, 3], partitioner=lambda shape, dtype: [2, 2, 1]),
         "Can only slice a variable along one dimension"),
        (dict(scope="t", name="y", shape=None, partitioner=tf.fixed_size_partitioner(2)),
         r"Shape of a new partitioned variable \(t/y\) must be fully defined"),
        (dict(scope="t", name="z", shape=[4], partitioner=lambda shape, dtype: [0]), "zero partitions"),
        (dict(scope="t", name="w", shape=[4], partitioner=lambda shape, dtype: [1, 1]), "does not match the "
                                                                                       "Variable's rank"),
        (dict(scope="t", name="u", shape=[4], partitioner=3), "Partitioner must be callable"),
    ]
    for kwargs, message in cases:
        scope_name, reuse = kwargs.pop("scope"), kwargs.pop("reuse", None)
        with tf.variable_scope(scope_name, reuse=reuse, partitioner=kwargs.pop("partitioner", None)):
            with pytest.raises(ValueError, match=message):
                tf.get_variable(**kwargs)
    tf.get_variable("plain", [4])
    with pytest.raises(ValueError, match="an unpartitioned version of the variable was found: plain"):
        tf.get_variable("plain", [4], partitioner=tf.fixed_size_partitioner(2))
    assert [p.name for p in tf.create_partitioned_variables([5, 2], [2, 1], tf.zeros_initializer())] == [
        "PartitionedVariable/part_0:0", "PartitionedVariable/part_1:0"]
    with pytest.raises(ValueError, match="must have the length"):
        tf.create_partitioned_variables([5, 2], [2], tf.zeros_initializer())


def test_shards_round_robin_on_ps_tasks_and_sparse_gradients_per_shard():
    tf.reset_default_graph()
    with tf.device(tf.train.replica_device_setter(ps_tasks=2)):
        emb = tf.get_variable("emb", [7, 2], partitioner=tf.fixed_size_partitioner(3))
    assert [p.device for p in emb] == ["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0"]
    ids = tf.constant([0, 4, 6])
    for strategy in ("mod", "div"):
        rows = tf.nn.embedding_lookup(emb, ids, partition_strategy=strategy)
        assert rows.shape.as_list() == [3, 2]
        grads = tf.gradients(tf.reduce_sum(rows), list(emb))
        assert [type(g).__name__ for g in grads] == ["IndexedSlices"] * 3
    with pytest.raises(ValueError, match="Unrecognized partition strategy"):
        tf.nn.embedding_lookup(emb, ids, partition_strategy="tree")


def test_checkpoint_of_a_partitioned_variable_restores_into_any_partitioning(tmp_path):
    tf.reset_default_graph()
    value = np.arange(40.0, dtype=np.float32).reshape(10, 4)
    with tf.Graph().as_default():
        v = tf.get_variable("emb", initializer=tf.constant(value), partitioner=tf.fixed_size_partitioner(3))
        ckpt = tf.train.Checkpoint(emb=v, d={"again": v})
        with tf.Session() as sess:
            sess.run(v.initializer)
            path = tf.train.Saver().save(sess, str(tmp_path / "model"))
            object_path = ckpt.save(str(tmp_path / "objects"))
    assert tf.train.list_variables(path) == [("emb", [10, 4])]
    assert tf.train.list_variables(object_path) == [("emb/.ATTRIBUTES/VARIABLE_VALUE", [10, 4]),
                                                    ("save_counter/.ATTRIBUTES/VARIABLE_VALUE", [])]
    with tf.Graph().as_default():
        two = tf.get_variable("emb", [10, 4], partitioner=tf.fixed_size_partitioner(2))
        four = tf.get_variable("four", [10, 4], partitioner=tf.fixed_size_partitioner(4))
        whole = tf.get_variable("whole", [10, 4])
        bad = tf.get_variable("bad", [10, 5], partitioner=tf.fixed_size_partitioner(2))
        tf.train.init_from_checkpoint(path, {"emb": four})
        status = tf.train.Checkpoint(emb=whole).restore(object_path)
        with tf.Session() as sess:
            tf.train.Saver([two]).restore(sess, path)
            sess.run(four.initializer)
            status.assert_consumed().run_restore_ops(sess)
            got = sess.run([two.as_tensor(), four.as_tensor(), whole])
            with pytest.raises(tf.errors.InvalidArgumentError, match="partitioned variable 'bad'"):
                tf.train.Saver({"emb": bad}).restore(sess, path)
    for array in got:
        np.testing.assert_array_equal(array, value)


def test_checkpoint_manager_numbers_and_keeps_checkpoints(tmp_path):
    tf.reset_default_graph()
    v = tf.get_variable("v", [2], initializer=tf.ones_initializer())
    ckpt = tf.train.Checkpoint(v=v)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path / "run"), max_to_keep=2)
    with tf.Session() as sess:
        sess.run(v.initializer)
        paths = [manager.save() for _ in range(3)]
        assert [os.path.basename(p) for p in paths] == ["ckpt-1", "ckpt-2", "ckpt-3"]
        assert manager.checkpoints == paths[1:] and manager.latest_checkpoint == paths[2]
        assert tf.train.latest_checkpoint(str(tmp_path / "run")) == paths[2]
        assert sorted(os.listdir(tmp_path / "run")) == ["checkpoint", "ckpt-2.safetensors", "ckpt-3.safetensors"]
        sess.run(v.assign([5.0, 6.0]))
        assert manager.restore_or_initialize() == paths[2]
        np.testing.assert_array_equal(sess.run(v), [1.0, 1.0])
        status = tf.train.Checkpoint(v=v, x=tf.get_variable("x", [1])).restore(paths[2])
        with pytest.raises(AssertionError, match="not bound to checkpointed values"):
            status.assert_consumed()
    again = tf.train.CheckpointManager(ckpt, str(tmp_path / "run"), max_to_keep=2)
    assert again.checkpoints == paths[1:]
    with pytest.raises(ValueError, match="expecting a trackable object"):
        tf.train.Checkpoint(v=3)


def test_file_ops_and_tensor_serialization(tmp_path):
    tf.reset_default_graph()
    for name in ("b.txt", "a.txt", "c.csv"):
        (tmp_path / name).write_text(name)
    found = tf.matching_files(str(tmp_path / "*.txt"))
    several = tf.io.matching_files([str(tmp_path / "*.csv"), str(tmp_path / "a.txt"), str(tmp_path / "zz")])
    write = tf.io.write_file(str(tmp_path / "sub" / "out.bin"), tf.constant(b"hello"))
    once = tf.train.match_filenames_once(str(tmp_path / "*"))
    x = tf.constant([[1.5, 2.0], [3.0, 4.0]])
    parsed = tf.parse_tensor(tf.serialize_tensor(x), tf.float32)
    wrong = tf.io.parse_tensor(tf.io.serialize_tensor(x), tf.int32, name="wrong_type")
    assert found.shape.as_list() == [None] and once.op.name == "matching_filenames"
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        files, more, listed, back = sess.run([found, several, once, parsed])
        sess.run(write)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Type mismatch between parsed tensor \(float\) "
                                                                 r"and dtype \(int32\)"):
            sess.run(wrong)
    assert [os.path.basename(f) for f in files] == [b"a.txt", b"b.txt"]
    assert [os.path.basename(f) for f in more] == [b"a.txt", b"c.csv"]
    assert [os.path.basename(f) for f in listed] == [b"a.txt", b"b.txt", b"c.csv"]
    assert (tmp_path / "sub" / "out.bin").read_bytes() == b"hello"
    np.testing.assert_array_equal(back, [[1.5, 2.0], [3.0, 4.0]])


def test_warm_start_remaps_vocabularies(tmp_path):
    tf.reset_default_graph()
    (tmp_path / "old.txt").write_text("apple\nbanana\ncherry\ndate\n")
    (tmp_path / "new.txt").write_text("cherry\nfig\napple\ndate\ngrape\n")
    with tf.Graph().as_default():
        tf.get_variable("emb", initializer=tf.constant(np.arange(8.0, dtype=np.float32).reshape(4, 2)))
        tf.get_variable("out", initializer=tf.constant(np.arange(8.0, dtype=np.float32).reshape(2, 4)))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        emb = tf.get_variable("emb_new", [6, 2], partitioner=tf.fixed_size_partitioner(2))
        out = tf.get_variable("out", [2, 5])
        rows = tf.train.VocabInfo(str(tmp_path / "new.txt"), 5, 1, str(tmp_path / "old.txt"),
                                  backup_initializer=tf.ones_initializer())
        cols = tf.train.VocabInfo(str(tmp_path / "new.txt"), 5, 0, str(tmp_path / "old.txt"), old_vocab_size=3,
                                  axis=1)
        tf.train.warm_start(str(tmp_path), ["emb_new", "out"], {"emb_new": rows, "out": cols},
                            {"emb_new": "emb"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got_rows, got_cols = sess.run([emb.as_tensor(), out])
        with pytest.raises(ValueError, match="var_name_to_vocab_info that were not used"):
            tf.train.warm_start(path, "nothing_matches", {"zzz": rows})
        with pytest.raises(ValueError, match="must be a `list` or `str`"):
            tf.train.warm_start(path, 3)
    # values as TF 2.21's warm_start gives them (TF's test_warm_starting_util cases, checked by hand)
    np.testing.assert_array_equal(got_rows, [[4, 5], [1, 1], [0, 1], [6, 7], [1, 1], [1, 1]])
    np.testing.assert_array_equal(got_cols, [[2, 0, 0, 3, 0], [6, 0, 4, 7, 0]])
    with pytest.raises(ValueError, match="supported values for the axis argument are 0 and 1"):
        tf.train.VocabInfo("a", 1, 0, "b", axis=2)


def test_a_tensorflow_checkpoint_of_partitioned_variables_restores():
    """TF's bundle keeps a partitioned variable as slices under binary keys (tests/data/tf_checkpoint_partitioned,
    written by TF 2.21's Saver: emb [7, 3] in 3 shards, cols int64 [2, 5] in 2 along axis 1, b whole)."""
    prefix = os.path.join(os.path.dirname(__file__), "data", "tf_checkpoint_partitioned", "model.ckpt")
    assert tf.train.list_variables(prefix) == [("b", [2]), ("cols", [2, 5]), ("emb", [7, 3])]
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "cols"), np.arange(10).reshape(2, 5) * 1000003)
    with tf.Graph().as_default():
        emb = tf.get_variable("emb", [7, 3], partitioner=tf.fixed_size_partitioner(2))
        with tf.Session() as sess:
            tf.train.Saver([emb]).restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(emb.as_tensor()), np.arange(21.0).reshape(7, 3))


def test_meta_graph_keeps_the_shards_slice_info(tmp_path):
    with tf.Graph().as_default():
        v = tf.get_variable("emb", initializer=tf.constant(np.arange(12.0, dtype=np.float32).reshape(6, 2)),
                            partitioner=tf.fixed_size_partitioner(3))
        tf.identity(tf.nn.embedding_lookup(v, [5, 0]), name="out")
        with tf.Session() as sess:
            sess.run(v.initializer)
            path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(path + ".meta", import_scope="imp")
        assert [x._save_slice_info.spec for x in tf.global_variables()] == ["6 2 0,2:0,2", "6 2 2,2:0,2",
                                                                           "6 2 4,2:0,2"]
        with tf.Session() as sess:
            saver.restore(sess, path)
            np.testing.assert_array_equal(sess.run("imp/out:0"), [[10.0, 11.0], [0.0, 1.0]])


def test_a_tensorflow_checkpoint_of_string_variables_restores():
    """TF's bundle writes a string tensor as varint lengths, a checksum, then the bytes (tests/data/
    tf_checkpoint_strings, written by TF 2.21's Saver); its CRC covers the lengths as 4-byte words."""
    prefix = os.path.join(os.path.dirname(__file__), "data", "tf_checkpoint_strings", "model.ckpt")
    assert tf.train.list_variables(prefix) == [("grid", [2, 2]), ("vocab", [3]), ("w", [2])]
    assert tf.train.load_variable(prefix, "grid").tolist() == [[b"a", b"bb"], [b"ccc", b"d"]]
    with tf.Graph().as_default():
        vocab = tf.get_variable("vocab", [3], dtype=tf.string)  # TF's default for strings: zeros, b""
        with tf.Session() as sess:
            sess.run(vocab.initializer)
            assert sess.run(vocab).tolist() == [b"", b"", b""]
            tf.train.Saver([vocab]).restore(sess, prefix)
            assert sess.run(vocab).tolist() == [b"", "café".encode(), b"x" * 300]
