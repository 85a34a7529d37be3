"""Convolutions, pooling, gather, segment sums, tf.cond and tf.while_loop on the GPU against the interpreter.

Each test runs on the GPU where there is one (marked `gpu`) and on the CPU emulation of the CUDA driver
and cuBLAS (tests/gpu_emulator.py) where that exists; test_gpu_codegen.py assembles the same kernels
with ptxas on every machine."""

from __future__ import annotations

import numpy as np
import pytest
from test_gpu_codegen import CONV_CASES, POOL_CASES, _sparse_ops, nn_ops, nn_types
from cpu_backend_support import Ctx, arg_graph
from test_gpu_runtime import _run_both, gpu

from dfc.compiler import compile_step
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.errors import InvalidArgumentError
from dfc.runtime import gpu as gpu_runtime

def _on_the_gpu(types, build, arrays):
    """The step's results on the GPU alone (the interpreter would raise a bad input's error first)."""
    g, args = arg_graph(types)
    step = compile_step(g, build(g, args), [], list(args), [a.shape for a in arrays])
    return gpu_runtime.GpuExecutable(step)(arrays, Ctx())


try:
    import gpu_emulator  # noqa: F401 - tests/gpu_emulator.py: the CPU emulation of the CUDA driver and cuBLAS
    DEVICES = [pytest.param("cuda", marks=[gpu, pytest.mark.gpu]), "emulator"]
except ImportError:
    DEVICES = [pytest.param("cuda", marks=[gpu, pytest.mark.gpu])]


@pytest.fixture(autouse=True, params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    """Each test runs on the GPU where there is one, and on the CPU emulation of the CUDA driver where it exists."""
    if request.param == "emulator":
        request.getfixturevalue("emulated_gpu")
    return request.param


NN_OUTPUTS = ["conv2d", "max_pool", "conv2d_backprop_input", "conv2d_backprop_filter", "max_pool_grad",
              "avg_pool", "avg_pool_grad"]


@pytest.mark.parametrize(("case", "dt"), [(0, D.f32), (1, D.f32), (2, D.f32), (0, D.f16), (2, D.f64)], ids=str)
def test_conv_and_pool_ops_on_the_gpu_match_the_interpreter(case, dt):
    conv, pool = CONV_CASES[case], POOL_CASES[case]
    types = nn_types(dt, conv)
    rng = np.random.default_rng(case)
    # inputs rounded to halves: many equal values in a window, so max_pool_grad's tie rule is exercised
    arrays = [(np.round(rng.standard_normal(shape) * 2) / 2).astype(dt.np) for _, shape in types]
    ref, got = _run_both(types, nn_ops(conv, pool), arrays)
    tol = {D.f16: 2e-2, D.f32: 1e-5, D.f64: 1e-12}[dt]
    for name, r, o in zip(NN_OUTPUTS, ref, got):  # sums of many products: the error scales with the largest
        r, o = r.astype(np.float64), o.astype(np.float64)
        np.testing.assert_allclose(o, r, rtol=tol, atol=tol * max(1.0, np.abs(r).max()), err_msg=name)


def test_max_pool_grad_routes_ties_to_the_first_maximum_on_the_gpu():
    pool = dict(ksize=[2, 2], strides=[1, 1], padding="SAME")
    x = np.zeros((1, 3, 3, 2), np.float32)  # every window ties: the gradient goes to its first tap
    dy = np.arange(18, dtype=np.float32).reshape(1, 3, 3, 2)
    ref, got = _run_both([(D.f32, (1, 3, 3, 2)), (D.f32, (1, 3, 3, 2))],
                         lambda g, a: [create_op(g, "dfc.max_pool_grad", list(a), pool).result], [x, dy])
    np.testing.assert_array_equal(got[0], ref[0])


@pytest.mark.parametrize("dt", [D.f32, D.bf16, D.i32, D.i8], ids=str)
def test_gather_and_segment_sum_on_the_gpu_match_the_interpreter(dt):
    rng = np.random.default_rng(2)
    arrays = [(rng.standard_normal((3, 5, 2)) * 4).astype(dt.np), np.array([2, 0, 2], np.int64)]
    ref, got = _run_both([(dt, (3, 5, 2)), (D.i64, (3,))], _sparse_ops, arrays)
    tol = 2e-2 if dt is D.bf16 else 1e-6
    for r, o in zip(ref, got):
        np.testing.assert_allclose(o.astype(np.float64), r.astype(np.float64), rtol=tol, atol=tol)


def test_segment_sum_of_many_rows_into_few_segments_on_the_gpu():
    """Thousands of atomic adds into each segment: integers exact, floats within rounding of the order."""
    rng = np.random.default_rng(3)
    ids = rng.integers(-1, 7, 20000).astype(np.int32)
    for dt, tol in ((D.i32, 0), (D.f32, 1e-4)):
        data = rng.integers(-5, 6, (20000, 3)).astype(dt.np)
        ref, got = _run_both([(dt, (20000, 3)), (D.i32, (20000,))], lambda g, a: [
            create_op(g, "dfc.unsorted_segment_sum", list(a), {"num_segments": 7}).result], [data, ids])
        np.testing.assert_allclose(got[0], ref[0], rtol=tol, atol=tol)


def test_gather_reports_the_first_bad_index_as_the_cpu_does():
    arrays = [np.ones((3, 4), np.float32), np.array([1, 7, -2, 9] * 100, np.int32)]
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = 7 is not in \[0, 3\)"):
        _on_the_gpu([(D.f32, (3, 4)), (D.i32, (400,))],
                  lambda g, a: [create_op(g, "dfc.gather", list(a), {"axis": 0}).result], arrays)


def test_segment_id_past_the_end_raises_on_the_gpu_and_negative_ids_are_dropped():
    types = [(D.f32, (4, 2)), (D.i32, (4,))]

    def build(g, a):
        return [create_op(g, "dfc.unsorted_segment_sum", list(a), {"num_segments": 3}).result]
    ref, got = _run_both(types, build, [np.ones((4, 2), np.float32), np.array([1, -1, 2, 1], np.int32)])
    np.testing.assert_array_equal(got[0], ref[0])
    with pytest.raises(InvalidArgumentError, match=r"segment id is out of range \[0, 3\)"):
        _on_the_gpu(types, build, [np.ones((4, 2), np.float32), np.array([1, -1, 3, 0], np.int32)])


def _control_step(build, feeds):
    """The step of a DSL graph (build(tf) -> (placeholders, outputs)), autodiff and control flow included."""
    import dfc as tf

    with tf.Graph().as_default() as g:
        placeholders, outputs = build(tf)
        return compile_step(g, [o._dfc_ir() for o in outputs], feeds=[p._dfc_ir() for p in placeholders],
                            feed_shapes=[np.shape(a) for a in feeds])


def _control_both(build, feeds):
    from dfc.ir.interpreter import interpret

    step = _control_step(build, feeds)
    return interpret(step, feeds, Ctx()), gpu_runtime.GpuExecutable(step)(feeds, Ctx())


@pytest.mark.parametrize("trips", [0, 1, 6])
def test_while_around_cond_with_a_random_draw_on_the_gpu_matches_the_interpreter(trips):
    """The host program branches on predicates read back from the device; each iteration draws anew."""
    def build(tf):
        x, n = tf.placeholder(tf.float32, [5]), tf.placeholder(tf.int32, [])

        def body(i, z):
            z = tf.cond(tf.reduce_sum(z) > 2.0, lambda: z - 1.0, lambda: z * 2.0 + tf.cast(i, tf.float32))
            return i + 1, z + tf.random_uniform([5], seed=7)
        i, z = tf.while_loop(lambda i, z: i < n, body, [tf.constant(0), x])
        return [x, n], [i, z]
    ref, got = _control_both(build, [np.linspace(0, 0.5, 5).astype(np.float32), np.array(trips, np.int32)])
    assert got[0] == ref[0] == trips
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-6, atol=1e-6)


def test_a_failing_gather_inside_a_loop_stops_it_on_the_gpu():
    def build(tf):
        x, idx = tf.placeholder(tf.float32, [3]), tf.placeholder(tf.int32, [2])
        _, z = tf.while_loop(lambda i, z: tf.reduce_sum(z) < 100.0,
                             lambda i, z: (i + 1, z + tf.reduce_sum(tf.gather(x, idx + i))), [tf.constant(0), x])
        return [x, idx], [z]
    feeds = [np.ones(3, np.float32), np.array([0, 1], np.int32)]
    with pytest.raises(InvalidArgumentError, match=r"indices\[\d+\] = 3 is not in \[0, 3\)"):
        gpu_runtime.GpuExecutable(_control_step(build, feeds))(feeds, Ctx())


def test_an_nchw_conv_net_and_its_gradients_on_the_gpu_match_the_interpreter():
    """NCHW data reaches the NHWC kernels through the DSL's transposes; tf.gradients makes both conv gradients,
    max_pool_grad and avg_pool_grad."""
    rng = np.random.default_rng(4)
    filters = rng.standard_normal((3, 3, 3, 8)).astype(np.float32)

    def build(tf):
        x, w = tf.placeholder(tf.float32, [2, 3, 9, 8]), tf.placeholder(tf.float32, [3, 3, 3, 8])
        h = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 2, 1], "SAME", data_format="NCHW"))
        h = tf.nn.max_pool(h, [1, 1, 2, 2], [1, 1, 2, 2], "VALID", data_format="NCHW")
        h = tf.nn.avg_pool(h, [1, 1, 2, 2], [1, 1, 1, 1], "SAME", data_format="NCHW")
        loss = tf.reduce_sum(h * h)
        return [x, w], [loss, *tf.gradients(loss, [x, w])]
    ref, got = _control_both(build, [rng.standard_normal((2, 3, 9, 8)).astype(np.float32), filters])
    for r, o in zip(ref, got):
        np.testing.assert_allclose(o, r, rtol=1e-5, atol=1e-5 * max(1.0, float(np.abs(r).max())))


def test_tf_print_on_the_gpu_prints_what_the_cpu_prints(capfd):
    def build(tf):
        x = tf.placeholder(tf.float32, [3])
        return [x], [tf.Print(x * 2.0, [x, tf.reduce_sum(x)], "x and its sum: ") + 1.0]
    feeds = [np.arange(3, dtype=np.float32)]
    ref, got = _control_both(build, feeds)
    np.testing.assert_array_equal(got[0], ref[0])
    assert "x and its sum: [0 1 2][3]" in capfd.readouterr().err


@pytest.mark.parametrize("dt", [D.i32, D.i64], ids=str)
def test_integer_division_by_zero_fails_on_the_gpu_as_on_the_cpu(dt):
    def build(g, a):
        q = create_op(g, "dfc.floordiv", list(a)).result
        return [create_op(g, "dfc.add", [create_op(g, "dfc.mod", [q, a[1]]).result, q]).result]
    types = [(dt, (64, 9)), (dt, (9,))]
    a = np.arange(64 * 9, dtype=dt.np).reshape(64, 9) - 100
    ref, got = _run_both(types, build, [a, np.arange(1, 10, dtype=dt.np)])
    np.testing.assert_array_equal(got[0], ref[0])
    for divisor in ([0] + list(range(1, 9)), list(range(1, 9)) + [0]):
        with pytest.raises(InvalidArgumentError, match=r"'FloorDiv'.*Integer division by zero|"
                                                       r"floordiv.*Integer division by zero"):
            _on_the_gpu(types, build, [a, np.array(divisor, dt.np)])


def _checked(g, a):
    """x through check_numerics, after an assert that every x < 100 (as many elements as threads, and more)."""
    x = a[0]
    limit = create_op(g, "dfc.constant", [], {"value": np.array(100, np.float32)}).result
    below = create_op(g, "dfc.less", [x, limit]).result
    check = create_op(g, "dfc.assert", [below], {"parts": ["x too big"]}).result
    return [create_op(g, "dfc.check_numerics", [x], {"message": "bad x"}, control_inputs=[check]).result]


@pytest.mark.parametrize("bad, error", [({}, None), ({700: 500.0}, r"assertion failed: \[x too big\]"),
                                        ({9000: -np.inf}, r"bad x : Tensor had Inf values"),
                                        ({5: np.nan}, r"assertion failed")])  # a NaN is not < 100 either
def test_assert_and_check_numerics_run_in_parallel_on_the_gpu_and_fail_as_on_the_cpu(bad, error):
    x = np.linspace(-50, 50, 10000).astype(np.float32)
    for k, v in bad.items():
        x[k] = v
    if error is None:
        np.testing.assert_array_equal(_on_the_gpu([(D.f32, x.shape)], _checked, [x])[0], x)
    else:
        with pytest.raises(InvalidArgumentError, match=error):
            _on_the_gpu([(D.f32, x.shape)], _checked, [x])


@pytest.mark.parametrize("values, problem", [((np.inf,), "Inf"), ((np.nan,), "NaN"),
                                            ((np.nan, -np.inf), "Inf and NaN")])
def test_check_numerics_on_the_gpu_names_what_it_saw(values, problem):
    x = np.zeros(5000, np.float32)
    x[[17, 4321][:len(values)]] = values
    with pytest.raises(InvalidArgumentError, match=rf"bad x : Tensor had {problem} values"):
        _on_the_gpu([(D.f32, x.shape)], lambda g, a: [create_op(g, "dfc.check_numerics", [a[0]],
                                                                {"message": "bad x"}).result], [x])
    np.testing.assert_array_equal(_on_the_gpu([(D.f32, x.shape)], lambda g, a: [create_op(
        g, "dfc.check_numerics", [a[0]], {"message": "bad x"}).result], [np.ones(5000, np.float32)])[0], 1.0)


@pytest.mark.parametrize("dt", [D.f32, D.f16, D.i64, D.bool_], ids=str)
def test_dynamic_update_slice_on_the_gpu_matches_the_interpreter(dt):
    rng = np.random.default_rng(5)
    types = [(dt, (6, 3, 2)), (dt, (2, 3, 2)), (D.i32, ()), (D.i32, (6,))]

    def build(g, a):
        x, rows, start, order = a
        fresh = create_op(g, "dfc.gather", [x, order], {"axis": 0}).result  # dies at the write: written in place
        return [create_op(g, "dfc.dynamic_update_slice", [x, rows, start]).result,
                create_op(g, "dfc.dynamic_update_slice", [fresh, rows, start]).result]
    arrays = [(rng.standard_normal((6, 3, 2)) * 4).astype(dt.np), (rng.standard_normal((2, 3, 2)) * 4).astype(dt.np),
              np.array(3, np.int32), np.arange(6, dtype=np.int32)[::-1].copy()]
    ref, got = _run_both(types, build, arrays)
    for r, o in zip(ref, got):
        np.testing.assert_array_equal(o, r)
    with pytest.raises(InvalidArgumentError, match=r"row index 5 is out of range \[0, 5\)"):
        _on_the_gpu(types, build, arrays[:2] + [np.array(5, np.int32), arrays[3]])


def test_rows_written_in_a_loop_on_the_gpu_match_the_interpreter():
    def build(tf):
        from dfc.framework import make_op, wrap
        x = tf.placeholder(tf.float32, [7, 3])

        def body(i, acc):
            row = tf.expand_dims(tf.gather(x, i) * tf.cast(i, tf.float32), 0)
            return i + 1, wrap(make_op("dfc.dynamic_update_slice", [acc, row, i], name="write").results[0])
        _, out = tf.while_loop(lambda i, acc: i < 7, body, [tf.constant(0), tf.zeros([7, 3])])
        return [x], [out, tf.gradients(tf.reduce_sum(out * out), x)[0]]
    xs = np.arange(21, dtype=np.float32).reshape(7, 3)
    ref, got = _control_both(build, [xs])
    np.testing.assert_allclose(got[0], xs * np.arange(7)[:, None])
    for r, o in zip(ref, got):
        np.testing.assert_allclose(o, r, rtol=1e-6)


def test_a_tensor_array_rnn_and_its_gradient_on_the_gpu_match_the_interpreter():
    """TensorArray reads and in-place writes in a loop, their asserts and the loop's gradient, as host-driven
    GPU steps."""
    def build(tf):
        x, w = tf.placeholder(tf.float32, [6, 2, 3]), tf.placeholder(tf.float32, [3, 3])
        inputs = tf.TensorArray(tf.float32, size=6).unstack(x)

        def body(t, h, out):
            h = tf.tanh(tf.matmul(inputs.read(t), w) + h)
            return t + 1, h, out.write(t, h)
        _, _, out = tf.while_loop(lambda t, *_: t < 6, body,
                                  [tf.constant(0), tf.zeros([2, 3]), tf.TensorArray(tf.float32, size=6)])
        stacked = out.stack()
        return [x, w], [stacked] + tf.gradients(tf.reduce_sum(stacked * stacked), [x, w])
    rng = np.random.default_rng(6)
    feeds = [rng.standard_normal((6, 2, 3)).astype(np.float32), rng.standard_normal((3, 3)).astype(np.float32) * 0.5]
    ref, got = _control_both(build, feeds)
    for r, o in zip(ref, got):
        np.testing.assert_allclose(o, r, rtol=1e-5, atol=1e-5)
