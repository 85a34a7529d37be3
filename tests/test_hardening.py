"""Hostile input gets TF's answer or TF's error, on both backends: bounds, division by zero, casts, signed zeros,
allocation failures, names, locks, checkpoints and the CLI."""

from __future__ import annotations

import json
import os
import struct
import threading
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

import dfc as tf
from dfc.ir.errors import DataLossError, InvalidArgumentError, ResourceExhaustedError
from dfc.runtime import checkpoint
from dfc.tools import cli

BACKENDS = ["cpu", "interpreter"]
HERE = os.path.basename(__file__)


pytestmark = pytest.mark.usefixtures("fresh_graph")


def session(backend: str) -> tf.Session:
    return tf.Session(backend=backend)


# ---- wrong answers ---------------------------------------------------------------------------------
def test_transpose_permutation_out_of_range_is_an_error():
    x = tf.constant([[1.0, 2.0]])
    with pytest.raises(ValueError, match=rf"dfc.transpose 'transpose' at .*{HERE}:\d+.*not a permutation"):
        tf.transpose(x, [0, 5])
    with pytest.raises(ValueError, match="not a permutation"):
        tf.transpose(x, [0, -1])


@pytest.mark.parametrize("begin,size,message", [([5], [1], r"Expected begin\[0\] in \[0, 3\], but got 5"),
                                                ([1], [5], r"Expected size\[0\] in \[0, 2\], but got 5"),
                                                ([-1], [1], r"Expected begin\[0\] in \[0, 3\], but got -1"),
                                                ([0], [-2], r"Expected size\[0\] in \[0, 3\], but got -2")])
def test_slice_out_of_range_is_a_build_error(begin, size, message):
    with pytest.raises(ValueError, match=rf"'Slice' at .*{HERE}:\d+.*{message}"):
        tf.slice(tf.constant([1.0, 2.0, 3.0]), begin, size)


@pytest.mark.parametrize("backend", BACKENDS)
def test_slice_out_of_range_of_a_fed_shape_fails_the_run(backend):
    x = tf.placeholder(tf.float32, (None,))
    y = tf.slice(x, [2], [3])
    sess = session(backend)
    np.testing.assert_array_equal(sess.run(y, {x: np.arange(6, dtype=np.float32)}), [2, 3, 4])
    with pytest.raises(InvalidArgumentError, match=r"'Slice'.*Expected size\[0\] in \[0, 2\], but got 3"):
        sess.run(y, {x: np.arange(4, dtype=np.float32)})
    np.testing.assert_array_equal(sess.run(tf.slice(x, [1], [-1]), {x: np.arange(3, dtype=np.float32)}), [1, 2])


@pytest.mark.parametrize("backend", BACKENDS)
def test_gather_gradient_with_out_of_range_indices_fails_as_the_forward_gather(backend):
    params = tf.Variable(tf.ones((3, 2)))
    indices = tf.placeholder(tf.int32, (2,))
    grad = tf.gradients(tf.reduce_sum(tf.gather(params, indices)), params)[0]
    train = tf.train.MomentumOptimizer(0.1, 0.9).apply_gradients([(grad, params)])
    dense = tf.gradients(tf.reduce_sum(tf.gather(tf.identity(params) * 1.0, indices)), params)[0]
    sess = session(backend)
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(dense, {indices: [0, 0]}), [[2, 2], [0, 0], [0, 0]])
    np.testing.assert_array_equal(sess.run(tf.convert_to_tensor(grad), {indices: [0, 0]}), [[2, 2], [0, 0], [0, 0]])
    for bad in ([0, 7], [-1, 0]):  # the sparse update of the gradient's rows fails as the forward gather does
        for fetch in (dense, train):
            with pytest.raises(InvalidArgumentError, match=r"= (7|-1) is not in \[0, 3\)"):
                sess.run(fetch, {indices: bad})
    np.testing.assert_array_equal(sess.run(params), np.ones((3, 2)))  # no failed step wrote a row


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [tf.int32, tf.int64])
@pytest.mark.parametrize("fn", [tf.floordiv, tf.math.floormod if hasattr(tf, "math") else tf.mod, tf.div],
                         ids=["floordiv", "mod", "div"])
def test_integer_division_by_zero_fails_as_tf(backend, dtype, fn):
    a = tf.placeholder(dtype, (None,))
    b = tf.placeholder(dtype, (None,))
    sess = session(backend)
    ok = sess.run(fn(a, b), {a: np.array([7, -7, 5]), b: np.array([2, 2, -1])})
    assert ok.dtype == dtype.np
    with pytest.raises(InvalidArgumentError, match=rf"at .*{HERE}:\d+.*Integer division by zero"):
        sess.run(fn(a, b), {a: np.array([1, 2, 3]), b: np.array([1, 0, 1])})
    # the failure is not remembered by the next run of the same step
    np.testing.assert_array_equal(sess.run(fn(a, b), {a: np.array([7, -7, 5]), b: np.array([2, 2, -1])}), ok)
    # fused with other elementwise work and big enough for several threads
    n = (1 << 20) + 3
    divisor = np.ones(n, dtype.np)
    divisor[n - 2] = 0
    with pytest.raises(InvalidArgumentError, match="Integer division by zero"):
        sess.run(fn(a + 1, b) * 2, {a: np.ones(n, dtype.np), b: divisor})


@pytest.mark.parametrize("backend", BACKENDS)
def test_float64_to_float16_rounds_once(backend):
    values = np.array([2049.0000000001, 65519.99999999, 65520.0, 1.0009765625000001, -2049.0000000001,
                       5.9604644775390625e-08 * 0.5000001, 1e300, np.nan, -np.inf, 0.0, -0.0])
    x = tf.placeholder(tf.float64, values.shape)
    got = session(backend).run(tf.cast(x, tf.float16), {x: values})
    want = values.astype(np.float16)  # numpy converts directly: correctly rounded
    np.testing.assert_array_equal(got.view(np.uint16)[~np.isnan(want)], want.view(np.uint16)[~np.isnan(want)])
    assert got[0] == 2050 and got[1] == 65504 and np.isnan(got[7])


@pytest.mark.parametrize("backend", BACKENDS)
def test_signed_zeros_follow_tf(backend):
    # TF's kernels use std::max/std::min: a tie keeps the first operand, so relu(-0.) is -0.
    z = tf.placeholder(tf.float32, (2,))
    feed = {z: np.array([-0.0, 0.0], np.float32)}
    sess = session(backend)
    swapped = tf.reverse(z, [0]) if hasattr(tf, "reverse") else tf.gather(z, [1, 0])
    relu, mx, mn, rmax, rmin = sess.run([tf.nn.relu(z), tf.maximum(z, swapped), tf.minimum(z, swapped),
                                         tf.reduce_max(z), tf.reduce_min(z)], feed)
    assert np.signbit(relu).tolist() == [True, False]
    assert np.signbit(mx).tolist() == [True, False]
    assert np.signbit(mn).tolist() == [True, False]
    # reductions order -0. below +0. (IEEE 754-2019), whatever order the elements are visited in
    assert not np.signbit(rmax) and np.signbit(rmin)
    nan = tf.constant(np.array([np.nan, 1.0], np.float32))
    got = sess.run([tf.maximum(nan, 0.0), tf.maximum(0.0, nan), tf.minimum(nan, 2.0), tf.nn.relu(nan)])
    for g in got:
        assert np.isnan(g[0])


# ---- lost updates ----------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_use_locking_loses_no_update_from_eight_threads(backend):
    n, per_thread = 100_000, 25 if backend == "cpu" else 10
    v = tf.Variable(tf.zeros((n,)))
    inc = v.assign_add(tf.ones((n,)), use_locking=True)
    sess = session(backend)
    sess.run(tf.global_variables_initializer())

    def work():
        for _ in range(per_thread):
            sess.run(inc.op)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = sess.run(v)
    assert got.min() == got.max() == 8 * per_thread


@pytest.mark.parametrize("backend", BACKENDS)
def test_locking_optimizer_counts_every_global_step(backend):
    w = tf.Variable(tf.zeros((64,)))
    x = tf.placeholder(tf.float32, (64,))
    step = tf.train.get_or_create_global_step() if hasattr(tf.train, "get_or_create_global_step") else \
        tf.Variable(0, dtype=tf.int64, trainable=False)
    loss = tf.reduce_sum(tf.square(w - x))
    train = tf.train.GradientDescentOptimizer(0.01, use_locking=True).minimize(loss, global_step=step)
    sess = session(backend)
    sess.run(tf.global_variables_initializer())
    feed = {x: np.ones(64, np.float32)}

    def work():
        for _ in range(20):
            sess.run(train, feed)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sess.run(step) == 160


def test_use_locking_is_an_attribute_of_the_update_only_when_set():
    v = tf.Variable(1.0)
    assert v.assign_add(1.0, use_locking=True).op.get_attr("use_locking") is True
    assert "use_locking" not in v.assign_add(1.0).op._dfc_ir().attrs
    assert tf.assign(v, 2.0, use_locking=True).op.get_attr("use_locking") is True


# ---- errors, not raw Python exceptions --------------------------------------------------------------
def test_bad_tensor_names_are_invalid_argument():
    tf.constant(1.0, name="c")
    sess = tf.Session()
    with pytest.raises(InvalidArgumentError, match="'c:5' refers to a Tensor which does not exist"):
        sess.run("c:5")
    with pytest.raises(InvalidArgumentError, match="'c:x' looks like a Tensor name"):
        sess.run("c:x")
    with pytest.raises(InvalidArgumentError, match="'c:-1'"):
        sess.run("c:-1")
    assert sess.run("c:0") == 1.0


@pytest.mark.parametrize("make,message", [
    (lambda: tf.placeholder(tf.float32, name="anyshape")[1:2], "cannot index anyshape:0: its rank is unknown"),
    (lambda: tf.split(tf.zeros((4,)), 2, axis=3), "axis 3 is out of range"),
    (lambda: tf.split(tf.zeros((4,)), [-2, 6]), "must be non-negative"),
    (lambda: tf.tile(tf.zeros((4,)), [-1]), "multiples argument to be non-negative"),
    (lambda: tf.one_hot(tf.constant([1]), -3), "depth must be non-negative"),
    (lambda: tf.range(0, 5, 0), "Requires delta != 0"),
    (lambda: tf.range(5, 0, 1), "Requires start <= limit when delta > 0"),
    (lambda: tf.unstack(tf.constant(1.0)), "not in"),
    (lambda: tf.constant([1.0, 2.0])[5], "slice index 5 of dimension 0 out of bounds"),
    (lambda: tf.Variable(tf.zeros((3,))).assign_add(tf.constant(1.0)), "cannot update variable"),
    (lambda: tf.zeros((2, -1)), "negative dim"),
    # found by tests/dsl_fuzz.py
    (lambda: tf.squeeze(tf.placeholder(tf.float32, []), [0]), "cannot squeeze axes"),
    (lambda: tf.placeholder(tf.float32, [])[0], "too many indices"),
    (lambda: tf.concat([tf.constant(1.0), tf.constant(2.0)], 0), "axis 0 is out of range for a tensor of rank 0"),
    (lambda: tf.gather(tf.constant(1.0), [0]), "axis 0 is out of range for a tensor of rank 0"),
])
def test_build_errors_are_value_errors_naming_the_op_and_line(make, message):
    with pytest.raises(ValueError, match=rf"at .*{HERE}:\d+:\d+: .*{message}"):
        make()


def test_validate_shape_false_takes_an_initial_value_of_unknown_shape():
    p = tf.placeholder(tf.float32, (None,))
    v = tf.Variable(p, validate_shape=False)  # tests/test_dynamic_variables.py covers the rest
    sess = tf.Session()
    sess.run(v.initializer, {p: np.ones(5, np.float32)})
    assert sess.run(v).shape == (5,)


@pytest.mark.parametrize("backend", BACKENDS)
def test_impossible_allocation_is_resource_exhausted_naming_the_op(backend):
    big = tf.random_uniform((1 << 20, 1 << 20))
    with pytest.raises(ResourceExhaustedError, match=rf"OOM .*RandomUniform.*{HERE}"):
        session(backend).run(big)
    with pytest.raises(ResourceExhaustedError, match=rf"OOM .*'zeros' at .*{HERE}"):
        tf.zeros((1 << 30, 1 << 30))


def test_bad_cache_size_setting_warns_every_time_and_is_ignored(monkeypatch, tmp_path):
    from dfc.runtime import kernel_cache as cpu
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    for bad in ("lots", "-5", "nan", "inf"):
        monkeypatch.setenv("DFC_CACHE_MAX_MB", bad)
        with pytest.warns(RuntimeWarning, match="ignoring DFC_CACHE_MAX_MB"):
            assert cpu.cache_max_bytes() == int(cpu.DEFAULT_CACHE_MAX_MB * (1 << 20))
        x = tf.placeholder(tf.float32, (3,))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            np.testing.assert_array_equal(tf.Session().run(x * float(len(bad)), {x: np.ones(3)}), [len(bad)] * 3)
        assert any("DFC_CACHE_MAX_MB" in str(w.message) for w in caught)
    monkeypatch.setenv("DFC_CACHE_MAX_MB", "1.5")
    assert cpu.cache_max_bytes() == int(1.5 * (1 << 20))


def test_feed_dict_as_a_list_is_a_short_type_error():
    x = tf.placeholder(tf.float32, (3,))
    with pytest.raises(TypeError, match="feed_dict must be a dict") as info:
        tf.Session().run(x, [x, np.zeros(1000)])
    assert len(str(info.value)) < 200


# ---- checkpoints -----------------------------------------------------------------------------------
def test_latest_checkpoint_ignores_a_binary_state_file(tmp_path):
    (tmp_path / "checkpoint").write_bytes(b"\xff\xfe\x00binary")
    with pytest.warns(RuntimeWarning, match="checkpoint ignored"):
        assert tf.train.latest_checkpoint(str(tmp_path)) is None


def crafted(tmp_path, header: bytes | dict, body: bytes = b"") -> str:
    """A checkpoint file with `header` as its JSON table and a valid checksum when the table allows one."""
    if isinstance(header, dict):
        meta = {"dfc.sha256": checkpoint._digest(header, body)}
        header = json.dumps({**header, "__metadata__": meta}).encode()
    path = str(tmp_path / "crafted.safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + body)
    return path


@pytest.mark.parametrize("header", [
    {"w": {"dtype": "F32", "shape": [-1, -4], "data_offsets": [0, 16]}},
    {"w": {"dtype": "F32", "shape": [2**62, 2**62, 4], "data_offsets": [0, 0]}},
    {"w": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}},
    {"w": {"dtype": "F32", "shape": [True], "data_offsets": [0, 4]}},
    b"[" * 100_000 + b"]" * 100_000,
    b'{"__metadata__": [1, 2]}',
    b'{"__metadata__": {"dfc.sha256": 5}}',
])
def test_crafted_checkpoint_headers_are_data_loss(tmp_path, header):
    with pytest.raises(DataLossError):
        checkpoint.load_tensors(crafted(tmp_path, header, b"\0" * 16))


def test_checkpoint_path_that_is_a_directory_is_data_loss(tmp_path):
    with pytest.raises(DataLossError, match="cannot read"):
        checkpoint.load_tensors(str(tmp_path))


# ---- the CLI ---------------------------------------------------------------------------------------
WHOLE = """\
"dfc.graph"() ({
  %c = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
  %r = "dfc.relu"(%c) : (tensor<f32>) -> tensor<f32>
}) {sym_name = "main"} : () -> ()
"""


def invoke(*args: str):
    result = CliRunner().invoke(cli.app, list(args))
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception,
                                                                                         SystemExit)
    return result


def test_cli_reports_bad_files_in_one_line(tmp_path):
    bad = tmp_path / "bad.mlir"
    bad.write_bytes(b"\xff\xfe\x00 not text")
    result = invoke("compile", str(bad))
    assert result.exit_code == 1 and "not UTF-8 text (byte 0xff at offset 0)" in result.output
    result = invoke("compile", str(tmp_path))
    assert result.exit_code == 1 and "is a directory" in result.output
    script = tmp_path / "bad.py"
    script.write_bytes(b"x = '\xff'\n")
    result = invoke("compile", str(script))
    assert result.exit_code == 1 and "not UTF-8" in result.output


def test_cli_reads_a_utf8_byte_order_mark(tmp_path):
    path = tmp_path / "bom.mlir"
    path.write_bytes(b"\xef\xbb\xbf" + WHOLE.encode())
    result = invoke("compile", str(path), "--fetch", "r")
    assert result.exit_code == 0, result.output
    assert '"dfc.fetch"' in result.output


@pytest.mark.parametrize("fetch", ["r:5", "r:x", "r:-1"])
def test_cli_bad_fetch_index_is_one_line(tmp_path, fetch):
    path = tmp_path / "g.mlir"
    path.write_text(WHOLE)
    result = invoke("compile", str(path), "--fetch", fetch)
    assert result.exit_code == 1 and f"--fetch {fetch}: op 'r' has 1 result(s)" in result.output


def test_cli_unwritable_outputs_are_one_line(tmp_path):
    path = tmp_path / "g.mlir"
    path.write_text(WHOLE)
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = invoke("compile", str(path), "--fetch", "r", "-o", str(blocker / "out.mlir"))
    assert result.exit_code == 1 and "cannot write" in result.output
    result = invoke("compile", str(path), "--fetch", "r", "--dump-dir", str(blocker / "dump"))
    assert result.exit_code == 1 and "cannot write" in result.output


def test_attrs_classes_in_fetches_come_back_filled():
    """TF's Session.run fetches the fields of an attrs class and rebuilds it (its _AttrsFetchMapper)."""
    attr = pytest.importorskip("attr")

    @attr.s
    class Pair:
        a = attr.ib()
        _b = attr.ib()

    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0])
        with tf.Session() as sess:
            got = sess.run(Pair(x, {"c": x * 2.0}))
    assert isinstance(got, Pair)
    np.testing.assert_array_equal(got.a, [1.0, 2.0])
    np.testing.assert_array_equal(got._b["c"], [2.0, 4.0])
