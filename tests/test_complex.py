"""complex64/complex128 end to end: TF's values for complex ops, FFTs, tf.signal and their gradients
(tests/tf1_scripts_complex.py, recorded with TensorFlow 2.21 by tests/record_tf1_scripts_complex.py), the IR's
spelling of complex types and constants, complex feeds and fetches, and complex Variables in checkpoints."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from recordings import load_recording
from tf1_scripts_complex import SCRIPTS

import dfc as tf
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.graph import Graph
from dfc.ir.interpreter import interpret
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph
from dfc.ir.types import TensorType
from dfc.runtime.host_strings import touches_strings

pytestmark = pytest.mark.usefixtures("cpu_kernel_cache")


def _compare(name: str, got: dict, rtol: float = 1e-4, atol: float = 1e-4) -> None:
    want = load_recording(f"script_{name}")
    assert sorted(got) == sorted(want)
    for key, expected in want.items():
        value = np.asarray(got[key])
        if expected.dtype.kind in "USO":
            assert value.tolist() == expected.tolist(), key
            continue
        assert value.shape == expected.shape, key
        assert value.dtype == expected.dtype, (key, value.dtype, expected.dtype)
        scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1.0)
        np.testing.assert_allclose(value, expected, rtol=rtol, atol=atol * scale, err_msg=key)


def _run(name: str, backend: str | None) -> dict:
    tf.reset_default_graph()
    tf.set_random_seed(0)

    def session(*args, **kwargs):
        return tf.Session(*args, backend=backend, **kwargs) if backend else tf.Session(*args, **kwargs)
    return SCRIPTS[name](tf, session)


# the front end's compiled run is the speech test's (its native compile is the slow part of this file)
CASES = [("complex_values", None), ("complex_values", "interpreter"), ("fft_values_and_gradients", None),
         ("fft_values_and_gradients", "interpreter"), ("signal_front_end", "interpreter"),
         ("circulant_operators", None)]


@pytest.mark.parametrize(("name", "backend"), CASES)
def test_scripts_give_tensorflows_values(name, backend):
    got = _run(name, backend)
    if "c128_dtype" in got:
        got["c128_dtype"] = np.array(str(got["c128_dtype"]))
    _compare(name, got)


def test_speech_front_end_feeds_a_model_that_trains_as_in_tensorflow():
    """The STFT and |.| run on the host, the mel matrix, log, MFCCs and model natively, in one compiled step."""
    got = _run("speech_mfcc_training", None)
    _compare("speech_mfcc_training", got, rtol=1e-4, atol=1e-5)
    assert got["losses"][-1] < got["losses"][0]


def test_complex_types_and_constants_print_and_parse_back():
    g = Graph()
    a = g.body.add_argument(TensorType(D.c64, (2,)), "a")
    c = create_op(g, "dfc.constant", [], {"value": np.array([1 + 2j, np.inf - 1j], np.complex128)}).result
    k = create_op(g, "dfc.cast", [a], {"dtype": D.c128}).result
    s = create_op(g, "dfc.add", [k, c]).result
    f = create_op(g, "dfc.fft", [s], {"rank": 1}).result
    create_op(g, "dfc.fetch", [f, create_op(g, "dfc.complex_abs", [s]).result])
    text = print_graph(g)
    assert "tensor<2xcomplex<f32>>" in text and "dtype = complex<f64>" in text
    again = parse_graph(text)
    assert print_graph(again) == text
    x = np.array([1 - 1j, 2j], np.complex64)
    for got, want in zip(interpret(again, [x]), interpret(g, [x])):
        np.testing.assert_array_equal(got, want)


def test_complex_ops_are_host_ops_and_the_rest_of_the_step_is_native():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [2, 64])
    y = tf.reduce_sum(tf.abs(tf.spectral.rfft(x * 2.0)) * 3.0)
    graph = tf.get_default_graph()._dfc_ir()
    kinds = {op.type: touches_strings(op) for op in graph.ops}
    assert kinds["dfc.rfft"] and kinds["dfc.complex_abs"] and not kinds["dfc.mul"] and not kinds["dfc.reduce_sum"]
    value = np.random.default_rng(0).standard_normal((2, 64)).astype(np.float32)
    with tf.Session() as sess:
        got = sess.run(y, {x: value})
    np.testing.assert_allclose(got, np.sum(np.abs(np.fft.rfft(value * 2.0)) * 3.0), rtol=1e-5)


def test_complex_feeds_fetches_and_variables_survive_a_checkpoint(tmp_path):
    tf.reset_default_graph()
    z = tf.placeholder(tf.complex128, [None])
    v = tf.Variable(tf.zeros([3], tf.complex64), name="v")
    step = v.assign_add(tf.cast(z, tf.complex64))
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step, {z: [1 + 2j, -3j, 0.5]})
        sess.run(step, {z: np.array([1j, 1, 1], np.complex64)})  # complex64 fed to complex128 is converted
        path = saver.save(sess, str(tmp_path / "model"))
    with tf.Session() as sess:
        saver.restore(sess, path)
        got = sess.run(v)
    assert got.dtype == np.complex64
    np.testing.assert_array_equal(got, np.array([1 + 3j, 1 - 3j, 1.5], np.complex64))


def test_dtypes_are_tensorflows():
    assert tf.complex64.is_complex and not tf.complex64.is_floating and tf.complex64.real_dtype == tf.float32
    assert tf.complex128.real_dtype == tf.float64 and tf.as_dtype(np.complex128) is tf.complex128
    assert tf.complex64.as_datatype_enum == 8 and tf.complex128.as_datatype_enum == 18
    assert tf.as_dtype("complex64") is tf.dtypes.complex64 and tf.constant(1j).dtype == tf.complex128
    with pytest.raises(TypeError, match="complex64"):
        tf.complex64.max  # noqa: B018 - TF's TypeError
    with pytest.raises(TypeError, match="float32 or float64"):
        tf.complex(tf.constant([1], tf.int32), tf.constant([1], tf.int32))
    with pytest.raises(TypeError, match="complex64 or complex128"):
        tf.fft(tf.constant([1.0, 2.0]))


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 9), m=st.integers(1, 4), length=st.integers(1, 12), seed=st.integers(0, 2**16))
def test_real_fft_gradients_are_the_adjoints_of_the_transforms(n, m, length, seed):
    """<rfft(x), g> = <x, rfft's VJP of g> (real inner product of the parts, TF's convention), for any fft_length:
    cropping and padding included, where TF's own rule fails to build."""
    rng = np.random.default_rng(seed)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float64, [m, n])
    g = tf.placeholder(tf.complex128, [m, length // 2 + 1])
    y = tf.spectral.rfft(x, [length])
    inner = tf.reduce_sum(tf.real(y) * tf.real(g) + tf.imag(y) * tf.imag(g))
    (dx,) = tf.gradients(inner, [x])
    z = tf.placeholder(tf.complex128, [m, n])
    r = tf.placeholder(tf.float64, [m, length])
    back = tf.spectral.irfft(z, [length])
    (dz,) = tf.gradients(tf.reduce_sum(back * r), [z])
    xv, gv = rng.standard_normal((m, n)), rng.standard_normal((m, length // 2 + 1)) * (1 + 1j)
    zv, rv = rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n)), rng.standard_normal((m, length))
    with tf.Session(backend="interpreter") as sess:
        yv, dxv, backv, dzv = sess.run([y, dx, back, dz], {x: xv, g: gv, z: zv, r: rv})
    np.testing.assert_allclose(np.sum(yv.real * gv.real + yv.imag * gv.imag), np.sum(xv * dxv), rtol=1e-9,
                               atol=1e-9)
    # irfft is real-linear in z: its VJP's real inner product with any dz direction is the forward's change
    direction = rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n))
    moved = np.fft.irfft(zv + direction, length) - np.fft.irfft(zv, length) if length else backv
    assert np.isclose(np.sum(moved * rv), np.sum(dzv.real * direction.real + dzv.imag * direction.imag),
                      rtol=1e-9, atol=1e-9)


def test_gradient_descent_moves_a_complex_variable_against_tensorflows_gradient():
    """TF's gradient of |v - t|^2 is 2 (v - t) (dL/dRe + i dL/dIm): each step shrinks v - t by 1 - 2 lr."""
    tf.reset_default_graph()
    start, target = np.array([1 + 1j, 2 - 1j], np.complex64), np.array([0.5j, 1], np.complex64)
    v = tf.Variable(start)
    loss = tf.reduce_sum(tf.square(tf.abs(v - target)))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        got = sess.run(v)
    np.testing.assert_allclose(got, target + (start - target) * 0.8 ** 3, rtol=1e-6)


def test_conjugate_transposes_and_adjoint_products_conjugate_complex_values():
    tf.reset_default_graph()
    value = np.array([[1 + 1j, 2], [3j, 4 - 2j]], np.complex64)
    z = tf.constant(value)
    v = tf.constant([1j, 1], tf.complex64)
    out = [tf.transpose(z, conjugate=True), tf.matrix_transpose(z, conjugate=True), tf.linalg.adjoint(z),
           tf.linalg.matvec(z, v, adjoint_a=True), tf.matmul(z, z, adjoint_a=True), tf.transpose(z)]
    with tf.Session() as sess:
        got = sess.run(out)
    for g in got[:3]:
        np.testing.assert_array_equal(g, value.conj().T)
    np.testing.assert_allclose(got[3], value.conj().T @ np.array([1j, 1]), rtol=1e-6)
    np.testing.assert_allclose(got[4], value.conj().T @ value, rtol=1e-6)
    np.testing.assert_array_equal(got[5], value.T)
