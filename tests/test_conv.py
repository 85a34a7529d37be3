"""Convolutions and pooling: references against direct loops, the CPU kernels against the references, tf.nn's API."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc.framework import make
from dfc.ir.errors import ShapeError
from dfc.ir.ops import nn

FAST = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def fresh(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "dfc-cache"))
    tf.reset_default_graph()
    yield


# ---- direct loops: the definitions, written independently of ir/ops/nn.py -----------------------------
def pads(size, k, stride, dilation, padding, explicit=(0, 0)):
    span = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + span - size, 0)
        return total // 2, out
    if padding == "VALID":
        return 0, (size - span) // stride + 1
    return explicit[0], (size + sum(explicit) - span) // stride + 1


def loop_conv(x, w, strides, dilations, padding, explicit, groups):
    n, h, wd, c = x.shape
    kh, kw, cg, cout = w.shape
    top, oh = pads(h, kh, strides[0], dilations[0], padding, explicit[:2])
    left, ow = pads(wd, kw, strides[1], dilations[1], padding, explicit[2:])
    out = np.zeros((n, oh, ow, cout))
    per = cout // groups
    for a in range(oh):
        for b in range(ow):
            for i in range(kh):
                for j in range(kw):
                    r, q = a * strides[0] + i * dilations[0] - top, b * strides[1] + j * dilations[1] - left
                    if 0 <= r < h and 0 <= q < wd:
                        for o in range(cout):
                            g = o // per
                            out[:, a, b, o] += x[:, r, q, g * cg:(g + 1) * cg] @ w[i, j, :, o]
    return out


def loop_pool(x, k, strides, padding, explicit, kind):
    n, h, wd, c = x.shape
    top, oh = pads(h, k[0], strides[0], 1, padding, explicit[:2])
    left, ow = pads(wd, k[1], strides[1], 1, padding, explicit[2:])
    out = np.zeros((n, oh, ow, c))
    for a in range(oh):
        for b in range(ow):
            r0, q0 = a * strides[0] - top, b * strides[1] - left
            window = x[:, max(r0, 0):max(r0 + k[0], 0), max(q0, 0):max(q0 + k[1], 0), :]
            out[:, a, b, :] = window.max(axis=(1, 2)) if kind == "max" else window.mean(axis=(1, 2))
    return out


@st.composite
def conv_cases(draw, max_groups=3):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    strides = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
    dilations = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
    padding = draw(st.sampled_from(["SAME", "VALID", "EXPLICIT"]))
    explicit = [draw(st.integers(0, 2)) for _ in range(4)] if padding == "EXPLICIT" else [0, 0, 0, 0]
    groups = draw(st.integers(1, max_groups))
    cg, per = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h = (kh - 1) * dilations[0] + draw(st.integers(1, 8))
    w = (kw - 1) * dilations[1] + draw(st.integers(1, 8))
    n = draw(st.integers(1, 3))
    attrs = {"strides": strides, "dilations": dilations, "padding": padding, "groups": groups,
             "explicit_paddings": explicit if padding == "EXPLICIT" else []}
    return (n, h, w, cg * groups), (kh, kw, cg, per * groups), attrs


@st.composite
def pool_cases(draw):
    k = [draw(st.integers(1, 4)), draw(st.integers(1, 4))]
    strides = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
    padding = draw(st.sampled_from(["SAME", "VALID", "EXPLICIT"]))
    explicit = [draw(st.integers(0, k[i // 2] - 1)) for i in range(4)] if padding == "EXPLICIT" else []
    shape = (draw(st.integers(1, 3)), k[0] + draw(st.integers(0, 6)), k[1] + draw(st.integers(0, 6)),
             draw(st.integers(1, 5)))
    return shape, {"ksize": k, "strides": strides, "padding": padding, "explicit_paddings": explicit}


@FAST
@given(case=conv_cases(), seed=st.integers(0, 2**31))
def test_conv2d_reference_is_the_direct_loop(case, seed):
    xs, ws, attrs = case
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    expected = loop_conv(x, w, attrs["strides"], attrs["dilations"], attrs["padding"],
                         attrs["explicit_paddings"] or [0] * 4, attrs["groups"])
    np.testing.assert_allclose(nn._conv2d(x, w, **attrs), expected, rtol=1e-10, atol=1e-10)


@FAST
@given(case=pool_cases(), seed=st.integers(0, 2**31))
def test_pool_references_are_the_direct_loops(case, seed):
    shape, attrs = case
    x = np.random.default_rng(seed).standard_normal(shape)
    args = (attrs["ksize"], attrs["strides"], attrs["padding"], attrs["explicit_paddings"] or [0] * 4)
    np.testing.assert_allclose(nn._max_pool(x, **attrs), loop_pool(x, *args, "max"))
    np.testing.assert_allclose(nn._avg_pool(x, **attrs), loop_pool(x, *args, "avg"), rtol=1e-12)


def test_max_pool_grad_goes_to_the_first_maximum_of_each_window():
    x = np.array([[1.0, 3.0, 3.0], [3.0, 0.0, 2.0]]).reshape(1, 2, 3, 1)
    dy = np.array([10.0, 20.0]).reshape(1, 1, 2, 1)
    dx = nn._max_pool_grad(x, dy, ksize=[2, 2], strides=[1, 1], padding="VALID", explicit_paddings=[])
    np.testing.assert_array_equal(dx.reshape(2, 3), [[0, 30, 0], [0, 0, 0]])


# ---- the CPU kernels against the references -------------------------------------------------------------
def both(fetches, feeds):
    with tf.Session(backend="interpreter") as sess:
        expected = sess.run(fetches, feeds)
    with tf.Session() as sess:
        got = sess.run(fetches, feeds)
    return expected, got


def assert_close(expected, got, dtype=np.float64):
    rtol, atol = {np.float64: (1e-10, 1e-10), np.float32: (2e-5, 2e-5)}.get(dtype, (2e-2, 2e-2))
    for e, g in zip(expected, got):
        scale = max(1.0, float(np.max(np.abs(e))) if e.size else 1.0)
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol * scale)


@FAST
@given(case=conv_cases(), seed=st.integers(0, 2**31), dtype=st.sampled_from([np.float32, np.float64]))
def test_conv_kernels_match_the_interpreter(case, seed, dtype):
    xs, ws, attrs = case
    tf.reset_default_graph()
    rng = np.random.default_rng(seed)
    x = tf.placeholder(dtype, xs)
    w = tf.placeholder(dtype, ws)
    y = make("dfc.conv2d", [x, w], attrs)
    dy = tf.placeholder(dtype, y.shape.as_list())
    dx = make("dfc.conv2d_backprop_input", [dy, w], {"input_shape": list(xs), **attrs})
    dw = make("dfc.conv2d_backprop_filter", [x, dy], {"filter_shape": list(ws), **attrs})
    feeds = {x: rng.standard_normal(xs).astype(dtype), w: rng.standard_normal(ws).astype(dtype),
             dy: rng.standard_normal(y.shape.as_list()).astype(dtype)}
    assert_close(*both([y, dx, dw], feeds), dtype)


@FAST
@given(case=pool_cases(), seed=st.integers(0, 2**31), dtype=st.sampled_from([np.float32, np.float64]))
def test_pool_kernels_match_the_interpreter(case, seed, dtype):
    shape, attrs = case
    tf.reset_default_graph()
    rng = np.random.default_rng(seed)
    x = tf.placeholder(dtype, shape)
    peak = make("dfc.max_pool", [x], attrs)
    mean = make("dfc.avg_pool", [x], attrs)
    dy = tf.placeholder(dtype, peak.shape.as_list())
    dmax = make("dfc.max_pool_grad", [x, dy], attrs)
    dmean = make("dfc.avg_pool_grad", [dy], {"input_shape": list(shape), **attrs})
    # few distinct values: ties inside windows, where only the first maximum may get the gradient
    feeds = {x: rng.integers(-3, 3, shape).astype(dtype), dy: rng.standard_normal(peak.shape.as_list()).astype(dtype)}
    assert_close(*both([peak, mean, dmax, dmean], feeds), dtype)


@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16])
def test_half_precision_convolutions_and_pools_run_natively(dtype):
    rng = np.random.default_rng(0)
    x = tf.placeholder(dtype, [2, 7, 7, 3])
    w = tf.constant(rng.standard_normal((3, 3, 3, 4)), dtype=dtype)
    y = tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME")
    pooled = tf.nn.max_pool(tf.nn.relu(y), 2, 2, "SAME") + tf.nn.avg_pool(y, 2, 2, "SAME")
    grads = tf.gradients(tf.reduce_sum(pooled * pooled), [x, w])
    feeds = {x: rng.standard_normal((2, 7, 7, 3)).astype(dtype.np)}
    assert_close(*both([y, pooled] + grads, feeds), dtype.np)


def test_the_tutorial_shapes_run_across_threads():
    """Big enough to split the batch across the thread pool (and to chunk the patch matrix)."""
    rng = np.random.default_rng(1)
    x = tf.placeholder(tf.float32, [50, 14, 14, 32])
    w = tf.constant(rng.standard_normal((5, 5, 32, 64)).astype(np.float32) * 0.1)
    y = tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME"))
    pooled = tf.nn.max_pool(y, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    grads = tf.gradients(tf.reduce_sum(pooled * pooled), [x, w])
    feeds = {x: rng.standard_normal((50, 14, 14, 32)).astype(np.float32)}
    assert_close(*both([pooled] + grads, feeds), np.float32)


@st.composite
def direct_cases(draw):
    """float32 convolutions the direct kernels take: whole vectors of output (and, for the input
    gradient, input) channels at 8 lanes; odd sizes, strides, dilations, every padding."""
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    strides = [draw(st.integers(1, 2)), draw(st.integers(1, 3))]
    dilations = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
    padding = draw(st.sampled_from(["SAME", "VALID", "EXPLICIT"]))
    explicit = [draw(st.integers(0, 3)) for _ in range(4)] if padding == "EXPLICIT" else []
    h = (kh - 1) * dilations[0] + draw(st.integers(1, 9))
    w = (kw - 1) * dilations[1] + draw(st.integers(1, 9))
    cin = draw(st.sampled_from([1, 3, 8, 16, 32]))
    cout = draw(st.sampled_from([8, 16, 32, 48, 64]))
    attrs = {"strides": strides, "dilations": dilations, "padding": padding, "groups": 1,
             "explicit_paddings": explicit}
    return (draw(st.integers(1, 3)), h, w, cin), (kh, kw, cin, cout), attrs


@pytest.mark.parametrize("width", ["256", "512"])
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=direct_cases(), seed=st.integers(0, 2**31))
def test_direct_conv_kernels_match_the_interpreter(width, case, seed):
    """The register-blocked kernels (conv_direct.py) at both tile widths: forward, input and filter gradients."""
    import os
    os.environ["DFC_PREFER_VECTOR_WIDTH"] = width
    try:
        test_conv_kernels_match_the_interpreter.hypothesis.inner_test(case=case, seed=seed, dtype=np.float32)
    finally:
        del os.environ["DFC_PREFER_VECTOR_WIDTH"]


@pytest.mark.parametrize("width, lanes", [("256", 8), ("512", 16)])
def test_the_tutorial_convolutions_lower_to_direct_kernels(width, lanes, monkeypatch):
    """No BLAS call and no patch matrix: vector FMAs over whole tiles of output channels."""
    from dfc.compiler import compile_step
    from dfc.compiler.codegen import emit_llvm
    from dfc.ir.builder import create_op
    from dfc.ir.graph import Graph
    from dfc.ir.types import TensorType
    from dfc.ir import dtypes as D

    monkeypatch.setenv("DFC_PREFER_VECTOR_WIDTH", width)
    attrs = {"strides": [1, 1], "dilations": [1, 1], "padding": "SAME", "groups": 1, "explicit_paddings": []}
    g = Graph()
    x = g.body.add_argument(TensorType(D.f32, (50, 14, 14, 32)), "x")
    w = g.body.add_argument(TensorType(D.f32, (5, 5, 32, 64)), "w")
    dy = g.body.add_argument(TensorType(D.f32, (50, 14, 14, 64)), "dy")
    outs = [create_op(g, "dfc.conv2d", [x, w], attrs).result,
            create_op(g, "dfc.conv2d_backprop_input", [dy, w], {"input_shape": [50, 14, 14, 32], **attrs}).result,
            create_op(g, "dfc.conv2d_backprop_filter", [x, dy], {"filter_shape": [5, 5, 32, 64], **attrs}).result]
    text = emit_llvm(compile_step(g, outs, [], [x, w, dy], [(50, 14, 14, 32), (5, 5, 32, 64), (50, 14, 14, 64)],
                                  pipeline=[]))
    assert "@dfc_sgemm(" not in text
    assert text.count(f"@llvm.fmuladd.v{lanes}f32(") >= 3 * 2


# ---- gradients: TF's gradient checker -----------------------------------------------------------------
def test_conv2d_gradients_pass_the_gradient_checker():
    rng = np.random.default_rng(2)
    x = tf.placeholder(tf.float64, [2, 5, 6, 3])
    w = tf.placeholder(tf.float64, [3, 2, 3, 4])
    y = tf.nn.conv2d(x, w, strides=[1, 2, 1, 1], padding="SAME", dilations=[1, 1, 2, 1])
    error = tf.test.compute_gradient_error([x, w], [[2, 5, 6, 3], [3, 2, 3, 4]], y, y.shape.as_list(),
                                           x_init_value=[rng.standard_normal((2, 5, 6, 3)),
                                                         rng.standard_normal((3, 2, 3, 4))])
    assert error < 1e-6


def test_transpose_and_depthwise_gradients_pass_the_gradient_checker():
    rng = np.random.default_rng(3)
    v = tf.placeholder(tf.float64, [2, 3, 3, 4])
    f = tf.placeholder(tf.float64, [3, 3, 2, 4])
    up = tf.nn.conv2d_transpose(v, f, output_shape=[2, 6, 6, 2], strides=[1, 2, 2, 1], padding="SAME")
    assert up.shape.as_list() == [2, 6, 6, 2]
    error = tf.test.compute_gradient_error([v, f], [[2, 3, 3, 4], [3, 3, 2, 4]], up, [2, 6, 6, 2],
                                           x_init_value=[rng.standard_normal((2, 3, 3, 4)),
                                                         rng.standard_normal((3, 3, 2, 4))])
    assert error < 1e-6
    x = tf.placeholder(tf.float64, [1, 5, 5, 3])
    dw = tf.placeholder(tf.float64, [2, 2, 3, 2])
    y = tf.nn.depthwise_conv2d(x, dw, [1, 1, 1, 1], "VALID", rate=[2, 2])
    assert y.shape.as_list() == [1, 3, 3, 6]
    error = tf.test.compute_gradient_error([x, dw], [[1, 5, 5, 3], [2, 2, 3, 2]], y, [1, 3, 3, 6],
                                           x_init_value=[rng.standard_normal((1, 5, 5, 3)),
                                                         rng.standard_normal((2, 2, 3, 2))])
    assert error < 1e-6


def test_pool_gradients_pass_the_gradient_checker():
    x = tf.placeholder(tf.float64, [2, 5, 5, 2])
    values = np.random.default_rng(4).permutation(100).reshape(2, 5, 5, 2) * 0.1  # distinct: no ties
    for y in (tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"), tf.nn.avg_pool(x, 3, 2, "SAME")):
        assert tf.test.compute_gradient_error(x, [2, 5, 5, 2], y, [2, 3, 3, 2], x_init_value=values) < 1e-6


def test_second_derivatives_stay_in_the_conv_family():
    rng = np.random.default_rng(5)
    x = tf.placeholder(tf.float64, [1, 4, 4, 2])
    w = tf.constant(rng.standard_normal((3, 3, 2, 2)))
    y = tf.reduce_sum(tf.square(tf.nn.conv2d(x, w, 1, "SAME")))
    gx = tf.gradients(y, x)[0]
    error = tf.test.compute_gradient_error(x, [1, 4, 4, 2], gx, [1, 4, 4, 2],
                                           x_init_value=rng.standard_normal((1, 4, 4, 2)))
    assert error < 1e-6


# ---- the tf.nn API: TF1's argument forms and its errors ----------------------------------------------------
def test_nchw_and_explicit_padding_and_int_strides():
    rng = np.random.default_rng(6)
    xv, wv = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((3, 3, 3, 4))
    x = tf.constant(xv)
    nchw = tf.nn.conv2d(x, wv, strides=[1, 1, 2, 1], padding=[[0, 0], [0, 0], [1, 1], [2, 0]], data_format="NCHW")
    nhwc = tf.nn.conv2d(tf.transpose(x, [0, 2, 3, 1]), wv, strides=[1, 2, 1, 1],
                        padding=[[0, 0], [1, 1], [2, 0], [0, 0]])
    pooled = tf.nn.max_pool(x, [1, 1, 2, 2], [1, 1, 2, 2], "VALID", data_format="NCHW")
    with tf.Session() as sess:
        a, b, p = sess.run([nchw, nhwc, pooled])
    np.testing.assert_allclose(a, b.transpose(0, 3, 1, 2), rtol=1e-12)
    assert p.shape == (2, 3, 3, 2)


def test_errors_name_the_tensors_and_the_shapes():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3], name="images")
    with pytest.raises(ValueError, match="the input has 3 channels but the filter expects 4"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 4, 8]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="must be 1 in the batch and channel dims"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="padding must be 'SAME', 'VALID'"):
        tf.nn.max_pool(x, 2, 2, "FULL")
    with pytest.raises(ValueError, match="images.* must be a 4-D tensor"):
        tf.nn.avg_pool(tf.placeholder(tf.float32, [8, 8], name="images"), 2, 2, "SAME")
    with pytest.raises(ShapeError, match="output size would be negative"):
        tf.nn.conv2d(x, tf.zeros([9, 9, 3, 8]), 1, "VALID")
    with pytest.raises(ValueError, match="gives an output of 4x4, but the gradient is"):
        tf.nn.conv2d_transpose(tf.zeros([1, 3, 3, 2]), tf.zeros([3, 3, 5, 2]), [1, 8, 8, 5], [1, 2, 2, 1], "SAME")
    with pytest.raises(ValueError, match="has 2 channels but filter .* expects 6"):
        tf.nn.conv2d_transpose(tf.zeros([1, 3, 3, 2]), tf.zeros([3, 3, 5, 6]), [1, 6, 6, 5], [1, 2, 2, 1], "SAME")


def test_conv2d_transpose_takes_a_stacked_shape_with_a_dynamic_batch():
    v = tf.placeholder(tf.float32, [None, 4, 4, 8])
    f = tf.constant(np.ones((2, 2, 3, 8), np.float32))
    out_shape = tf.stack([tf.shape(v)[0], 8, 8, 3])
    up = tf.nn.conv2d_transpose(v, f, out_shape, [1, 2, 2, 1], "SAME")
    assert up.shape.as_list() == [None, 8, 8, 3]
    with tf.Session() as sess:
        got = sess.run(up, {v: np.ones((5, 4, 4, 8), np.float32)})
    np.testing.assert_allclose(got, np.full((5, 8, 8, 3), 8.0))


@pytest.mark.parametrize("ta, tb", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("m, k, n", [(50, 784, 512), (700, 96, 300)])
def test_big_matmuls_split_across_the_thread_pool(m, k, n, ta, tb):
    """Past matmul.PARALLEL_GEMM multiply-adds a matmul runs as row or column tiles on the pool."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
    pa, pb = tf.placeholder(tf.float32, a.shape), tf.placeholder(tf.float32, b.shape)
    with tf.Session() as sess:
        got = sess.run(tf.matmul(pa, pb, transpose_a=ta, transpose_b=tb), {pa: a, pb: b})
    np.testing.assert_allclose(got, (a.T if ta else a) @ (b.T if tb else b), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("tb", [False, True])
def test_a_big_few_row_matmul_with_an_epilogue_runs_its_gemm_in_column_tiles(tb):
    """A dense layer's GEMM (50 rows, 512 columns) runs as column tiles, then its bias/relu epilogue on the rows."""
    rng = np.random.default_rng(8)
    a = rng.standard_normal((50, 784)).astype(np.float32)
    w = rng.standard_normal((512, 784) if tb else (784, 512)).astype(np.float32)
    bias = rng.standard_normal(512).astype(np.float32)
    pa, pw = tf.placeholder(tf.float32, a.shape), tf.placeholder(tf.float32, w.shape)
    pre = tf.matmul(pa, pw, transpose_b=tb) + bias
    out = tf.nn.relu(pre)
    with tf.Session() as sess:
        got_pre, got = sess.run([pre, out], {pa: a, pw: w})
    want = a @ (w.T if tb else w) + bias
    np.testing.assert_allclose(got_pre, want, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(got, np.maximum(want, 0), rtol=1e-4, atol=1e-3)


def _nn_small_tn_not(dtype, transa, transb, m, n, k):
    """A BLAS whose small-matrix kernels take NN GEMMs up to 100^3 and no TN ones (OpenBLAS on AVX-512)."""
    return not transa and m * n * k <= 100 ** 3


@pytest.mark.parametrize("m, k, n", [(64, 64, 64), (50, 37, 70), (33, 8, 45), (9, 100, 17)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_b_transposed_gemm_copies_b_transposed_first_where_the_blas_takes_only_nn_small(
        m, k, n, dtype, monkeypatch, tmp_path):
    """matmul.transposes_b_first: A @ B^T as A @ (B^T copied in 8x8 blocks, edges one by one), the same values."""
    from dfc.compiler.codegen import matmul
    from dfc.runtime import cpu
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cpu, "blas_small_kernel", _nn_small_tn_not)
    monkeypatch.setattr(cpu, "blas_identity", lambda: "test: NN small, TN never")
    chosen = []
    original = matmul.transposes_b_first
    monkeypatch.setattr(matmul, "transposes_b_first", lambda g, permit: chosen.append(original(g, permit)) or
                        chosen[-1])
    rng = np.random.default_rng(3)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((n, k)).astype(dtype)
    pa, pb = tf.placeholder(dtype, a.shape), tf.placeholder(dtype, b.shape)
    with tf.Session() as sess:
        got = sess.run(tf.nn.relu(tf.matmul(pa, pb, transpose_b=True)), {pa: a, pb: b})
    np.testing.assert_allclose(got, np.maximum(a @ b.T, 0), rtol=1e-5, atol=1e-5)
    assert chosen == [True]


def test_only_a_blas_that_refuses_tn_small_gets_b_transposed_first():
    from dfc.compiler.codegen.matmul import Gemm, transposes_b_first
    from dfc.ir import dtypes as D
    g = Gemm(D.f32, 64, 64, 64, False, True, (), [], [], 64, 64)
    assert transposes_b_first(g, _nn_small_tn_not)
    assert not transposes_b_first(g, None)  # no permit known: BLAS's own choice
    assert not transposes_b_first(g, lambda *args: True)  # TN small too
    assert not transposes_b_first(g, lambda *args: False)  # nothing small (OpenBLAS's Haswell kernels)
    assert not transposes_b_first(Gemm(D.f32, 64, 64, 64, False, False, (), [], [], 64, 64), _nn_small_tn_not)
