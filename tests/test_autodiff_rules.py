"""Every autodiff rule against central differences in float64: one property case per differentiable op (random
shapes and values; convolutions, pooling, linear algebra, control flow and custom gradients included)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc.compiler import autodiff as ad
from dfc.framework import make, make_op, wrap
from dfc.ir.ops.shape import SLICE_END, SLICE_START_REVERSED


pytestmark = pytest.mark.usefixtures("fresh_graph")


# ---- property: every rule against central differences in float64 -----------------------------------
def _values(rng, shape, kind="any"):
    if kind == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "unit":  # inside (-1, 1), away from its ends (asin, acos)
        return rng.uniform(-0.8, 0.8, shape)
    if kind == "away":  # away from the kinks of abs, relu, sign
        return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return rng.uniform(-2.0, 2.0, shape)


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)
nonscalar = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: b drops leading dims of a and turns some dims into 1."""
    a = draw(shapes)
    drop = draw(st.integers(0, len(a)))
    b = tuple(1 if draw(st.booleans()) else d for d in a[drop:])
    return (a, b) if draw(st.booleans()) else (b, a)


def _unary(name, kind="any"):
    def case(draw, rng):
        return [_values(rng, draw(shapes), kind)], lambda x: make(name, [x])
    return case


def _binary(name, kind_b="any", kind_a="any"):
    def case(draw, rng):
        sa, sb = draw(broadcast_pair())
        return [_values(rng, sa, kind_a), _values(rng, sb, kind_b)], lambda a, b: make(name, [a, b])
    return case


def _separated(name):
    def case(draw, rng):
        sa, sb = draw(broadcast_pair())
        a, b = _values(rng, sa), _values(rng, sb)
        out = np.broadcast_shapes(sa, sb)
        if np.any(np.abs(np.broadcast_to(a, out) - np.broadcast_to(b, out)) < 0.2):
            b = b + 5.0  # no tie within reach of the finite difference
        return [a, b], lambda x, y: make(name, [x, y])
    return case


def _matmul(draw, rng):
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    ta, tb = draw(st.booleans()), draw(st.booleans())
    batch_a, batch_b = draw(st.sampled_from([((), ()), ((2,), ()), ((), (2,)), ((2,), (2,)), ((1,), (2,))]))
    sa = batch_a + ((k, m) if ta else (m, k))
    sb = batch_b + ((n, k) if tb else (k, n))
    return [_values(rng, sa), _values(rng, sb)], \
        lambda a, b: make("dfc.matmul", [a, b], {"transpose_a": ta, "transpose_b": tb})


def _reduction(name, kind="any"):
    def case(draw, rng):
        shape = draw(nonscalar)
        axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape)))
        keep = draw(st.booleans())
        if kind == "distinct":  # a permutation of well-spaced values: no ties
            x = rng.permutation(np.arange(int(np.prod(shape))) * 0.5 - 1.0).reshape(shape)
        else:
            x = _values(rng, shape, kind)
        return [x], lambda t: make(name, [t], {"axes": axes, "keepdims": keep})
    return case


def _axis_op(name):
    def case(draw, rng):
        shape = draw(nonscalar)
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        return [_values(rng, shape)], lambda t: make(name, [t], {"axis": axis})
    return case


def _reshape(draw, rng):
    shape = draw(nonscalar)
    target = list(reversed(shape))
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return [_values(rng, shape)], lambda t: make("dfc.reshape", [t], {"shape": target})


def _dynamic_reshape(draw, rng):
    shape = draw(nonscalar)
    target = list(reversed(shape))

    return [_values(rng, shape)], lambda t: make("dfc.dynamic_reshape", [t, tf.constant(target, tf.int32)],
                                                   {"hint": target})


def _dynamic_fill(draw, rng):
    shape = draw(shapes)
    return [_values(rng, ())], lambda t: make("dfc.dynamic_fill", [tf.constant(list(shape), tf.int32), t],
                                                {"hint": shape})


def _transpose(draw, rng):
    shape = draw(nonscalar)
    perm = draw(st.permutations(range(len(shape))))
    return [_values(rng, shape)], lambda t: make("dfc.transpose", [t], {"perm": perm})


def _expand_dims(draw, rng):
    shape = draw(shapes)
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    return [_values(rng, shape)], lambda t: make("dfc.expand_dims", [t], {"axis": axis})


def _squeeze(draw, rng):
    shape = draw(nonscalar)
    with_ones = tuple(d for s in shape for d in ((s, 1) if draw(st.booleans()) else (s,)))
    axes = [i for i, d in enumerate(with_ones) if d == 1]
    axes = axes or [0]
    with_ones = with_ones if 1 in with_ones else (1,) + with_ones
    return [_values(rng, with_ones)], lambda t: make("dfc.squeeze", [t], {"axes": axes})


def _concat(draw, rng):
    shape = draw(nonscalar)
    axis = draw(st.integers(0, len(shape) - 1))
    count = draw(st.integers(1, 3))
    parts = [_values(rng, shape[:axis] + (draw(st.integers(1, 3)),) + shape[axis + 1:]) for _ in range(count)]
    return parts, lambda *ts: make("dfc.concat", list(ts), {"axis": axis})


def _split(draw, rng):
    shape = draw(nonscalar)
    axis = draw(st.integers(0, len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 2), min_size=1, max_size=3))
    shape = shape[:axis] + (sum(sizes),) + shape[axis + 1:]
    used = draw(st.lists(st.booleans(), min_size=len(sizes), max_size=len(sizes)))
    used[0] = True

    def build(t):
        pieces = make_op("dfc.split", [t], {"axis": axis, "sizes": sizes}).results
        picked = [wrap(p) for p, u in zip(pieces, used) if u]  # unused pieces get zero cotangents
        return tf.concat(picked, axis) if len(picked) > 1 else picked[0]
    return [_values(rng, shape)], build


def _tile(draw, rng):
    shape = draw(nonscalar)
    multiples = [draw(st.integers(1, 3)) for _ in shape]
    return [_values(rng, shape)], lambda t: make("dfc.tile", [t], {"multiples": multiples})


def _slice(draw, rng):
    shape = draw(nonscalar)
    begin, end, strides = [], [], []
    for d in shape:
        step = draw(st.sampled_from([1, 2, -1, -2]))
        start, stop = (draw(st.one_of(st.none(), st.integers(-d - 1, d + 1))) for _ in range(2))
        begin.append((0 if step > 0 else SLICE_END) if start is None else start)
        end.append((SLICE_END if step > 0 else SLICE_START_REVERSED) if stop is None else stop)
        strides.append(step)
    return [_values(rng, shape)], lambda t: make("dfc.slice", [t], {"begin": begin, "end": end,
                                                                     "strides": strides})


def _gather(draw, rng):
    shape = draw(nonscalar)
    axis = draw(st.integers(0, len(shape) - 1))
    ishape = draw(shapes)
    indices = rng.integers(0, shape[axis], ishape).astype(np.int32)
    return [_values(rng, shape)], lambda t: make("dfc.gather", [t, tf.constant(indices)], {"axis": axis})


def _segment_sum(draw, rng):
    shape = draw(nonscalar)
    n = draw(st.integers(1, 4))
    ids = rng.integers(-1, n, shape[:1]).astype(np.int32)  # -1: a dropped row
    return [_values(rng, shape)], lambda t: make("dfc.unsorted_segment_sum", [t, tf.constant(ids)],
                                                 {"num_segments": n})


def _dynamic_update_slice(draw, rng):
    shape = draw(nonscalar)
    k = draw(st.integers(0, shape[0]))
    start = int(rng.integers(0, shape[0] - k + 1))
    return [_values(rng, shape), _values(rng, (k,) + shape[1:])], lambda t, u: make(
        "dfc.dynamic_update_slice", [t, u, tf.constant(np.int32(start))], {})


def _select(draw, rng):
    sa, sb = draw(broadcast_pair())
    cond = rng.random(np.broadcast_shapes(sa, sb)) < 0.5
    return [_values(rng, sa), _values(rng, sb)], lambda a, b: make("dfc.select", [tf.constant(cond), a, b])


def _cast(draw, rng):
    return [_values(rng, draw(shapes))], \
        lambda t: make("dfc.cast", [make("dfc.cast", [t], {"dtype": tf.float32})], {"dtype": tf.float64})


def _broadcast_like(draw, rng):
    sa, sb = draw(broadcast_pair())
    out = np.broadcast_shapes(sa, sb)
    return [_values(rng, sa)], lambda t: make("dfc.broadcast_like", [t, tf.zeros(out, tf.float64)])


def _scan(opname):
    def case(draw, rng):
        shape = draw(nonscalar)
        attrs = {"axis": draw(st.integers(-len(shape), len(shape) - 1)), "exclusive": draw(st.booleans()),
                 "reverse": draw(st.booleans())}
        return [_values(rng, shape, "away") if opname == "dfc.cumprod" else _values(rng, shape)], \
            lambda t: make(opname, [t], attrs)
    return case


CASES = {
    "dfc.identity": _unary("dfc.identity"), "dfc.neg": _unary("dfc.neg"), "dfc.abs": _unary("dfc.abs", "away"),
    "dfc.sign": _unary("dfc.sign", "away"), "dfc.square": _unary("dfc.square"), "dfc.exp": _unary("dfc.exp"),
    "dfc.expm1": _unary("dfc.expm1"), "dfc.log": _unary("dfc.log", "pos"), "dfc.log1p": _unary("dfc.log1p", "pos"),
    "dfc.sqrt": _unary("dfc.sqrt", "pos"), "dfc.rsqrt": _unary("dfc.rsqrt", "pos"),
    "dfc.reciprocal": _unary("dfc.reciprocal", "pos"), "dfc.sin": _unary("dfc.sin"), "dfc.cos": _unary("dfc.cos"),
    "dfc.tanh": _unary("dfc.tanh"), "dfc.sigmoid": _unary("dfc.sigmoid"), "dfc.relu": _unary("dfc.relu", "away"),
    "dfc.add": _binary("dfc.add"), "dfc.sub": _binary("dfc.sub"), "dfc.mul": _binary("dfc.mul"),
    "dfc.div": _binary("dfc.div", "pos"), "dfc.pow": _binary("dfc.pow", "any", "pos"),
    "dfc.maximum": _separated("dfc.maximum"), "dfc.minimum": _separated("dfc.minimum"),
    "dfc.select": _select, "dfc.cast": _cast, "dfc.matmul": _matmul,
    "dfc.reduce_sum": _reduction("dfc.reduce_sum"), "dfc.reduce_mean": _reduction("dfc.reduce_mean"),
    "dfc.reduce_max": _reduction("dfc.reduce_max", "distinct"),
    "dfc.reduce_min": _reduction("dfc.reduce_min", "distinct"),
    "dfc.reduce_prod": _reduction("dfc.reduce_prod", "away"),
    "dfc.softmax": _axis_op("dfc.softmax"), "dfc.log_softmax": _axis_op("dfc.log_softmax"),
    "dfc.reshape": _reshape, "dfc.transpose": _transpose, "dfc.expand_dims": _expand_dims, "dfc.squeeze": _squeeze,
    "dfc.concat": _concat, "dfc.split": _split, "dfc.tile": _tile, "dfc.slice": _slice, "dfc.gather": _gather,
    "dfc.broadcast_like": _broadcast_like, "dfc.dynamic_reshape": _dynamic_reshape, "dfc.dynamic_fill": _dynamic_fill,
    "dfc.unsorted_segment_sum": _segment_sum, "dfc.dynamic_update_slice": _dynamic_update_slice,
    "dfc.cumsum": _scan("dfc.cumsum"), "dfc.cumprod": _scan("dfc.cumprod"),
    "dfc.atan": _unary("dfc.atan"), "dfc.erf": _unary("dfc.erf"), "dfc.erfc": _unary("dfc.erfc"),
    "dfc.asin": _unary("dfc.asin", "unit"), "dfc.acos": _unary("dfc.acos", "unit"),
    "dfc.atan2": _binary("dfc.atan2", "away", "away"),
    "dfc.print": lambda draw, rng: ([_values(rng, draw(shapes))],
                                    lambda t: make("dfc.print", [t], {"first_n": 0})),
    "dfc.check_numerics": lambda draw, rng: ([_values(rng, draw(shapes))],
                                             lambda t: make("dfc.check_numerics", [t], {"message": "x"})),
}


# ---- convolutions and pooling (ir/ops/nn.py): small random windows, strides, dilations and paddings ----
def _window_attrs(draw, conv: bool) -> tuple[dict, tuple[int, int]]:
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    attrs = {"strides": [draw(st.integers(1, 2)), draw(st.integers(1, 2))],
             "padding": draw(st.sampled_from(["SAME", "VALID", "EXPLICIT"]))}
    if attrs["padding"] == "EXPLICIT":
        attrs["explicit_paddings"] = [draw(st.integers(0, k[i // 2] - 1)) for i in range(4)]
    if conv:
        attrs["dilations"] = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
    return attrs, k


def _conv_case(draw, rng):
    attrs, (kh, kw) = _window_attrs(draw, True)
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    hw = [(kh - 1) * attrs["dilations"][0] + draw(st.integers(1, 3)),
          (kw - 1) * attrs["dilations"][1] + draw(st.integers(1, 3))]
    x, w = _values(rng, (draw(st.integers(1, 2)), *hw, cin)), _values(rng, (kh, kw, cin // groups, cout))
    return x, w, {**attrs, "groups": groups}


def _conv2d_case(draw, rng):
    x, w, attrs = _conv_case(draw, rng)
    return [x, w], lambda a, b: make("dfc.conv2d", [a, b], attrs)


def _conv2d_backprop_input_case(draw, rng):
    x, w, attrs = _conv_case(draw, rng)
    with tf.Graph().as_default():
        dy_shape = make("dfc.conv2d", [tf.constant(x), tf.constant(w)], attrs).shape.as_list()
    return [_values(rng, dy_shape), w], \
        lambda g, b: make("dfc.conv2d_backprop_input", [g, b], {"input_shape": list(x.shape), **attrs})


def _conv2d_backprop_filter_case(draw, rng):
    x, w, attrs = _conv_case(draw, rng)
    with tf.Graph().as_default():
        dy_shape = make("dfc.conv2d", [tf.constant(x), tf.constant(w)], attrs).shape.as_list()
    return [x, _values(rng, dy_shape)], \
        lambda a, g: make("dfc.conv2d_backprop_filter", [a, g], {"filter_shape": list(w.shape), **attrs})


def _pool_case(op: str, distinct: bool = False):
    def case(draw, rng):
        attrs, k = _window_attrs(draw, False)
        shape = (draw(st.integers(1, 2)), k[0] + draw(st.integers(0, 3)), k[1] + draw(st.integers(0, 3)),
                 draw(st.integers(1, 3)))
        # max_pool: values far apart, so a central difference never changes which one is the maximum
        x = rng.permutation(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape) * 0.1 if distinct \
            else _values(rng, shape)
        return [x], lambda t: make(op, [t], {"ksize": list(k), **attrs})
    return case


def _avg_pool_grad_case(draw, rng):
    attrs, k = _window_attrs(draw, False)
    shape = (draw(st.integers(1, 2)), k[0] + draw(st.integers(0, 3)), k[1] + draw(st.integers(0, 3)),
             draw(st.integers(1, 3)))
    with tf.Graph().as_default():
        dy_shape = make("dfc.avg_pool", [tf.zeros(shape, tf.float64)], {"ksize": list(k), **attrs}).shape.as_list()
    return [_values(rng, dy_shape)], \
        lambda g: make("dfc.avg_pool_grad", [g], {"ksize": list(k), "input_shape": list(shape), **attrs})


CASES.update({
    "dfc.conv2d": _conv2d_case, "dfc.conv2d_backprop_input": _conv2d_backprop_input_case,
    "dfc.conv2d_backprop_filter": _conv2d_backprop_filter_case,
    "dfc.max_pool": _pool_case("dfc.max_pool", distinct=True), "dfc.avg_pool": _pool_case("dfc.avg_pool"),
    "dfc.avg_pool_grad": _avg_pool_grad_case,
})


# ---- linear algebra (ir/ops/linalg.py): well-conditioned batches; multi-result ops flattened into one ----
def _square_values(draw, rng):
    n, batch = draw(st.integers(1, 4)), draw(st.lists(st.integers(1, 2), max_size=2).map(tuple))
    a = rng.uniform(-1.0, 1.0, batch + (n, n)) + 3.0 * np.eye(n)
    return a, n, batch


def _flat(*ts):
    return tf.concat([tf.reshape(t, [-1]) for t in ts], 0)


def _linalg_unary(op, attrs=None, spd=False, symmetric=False):
    def case(draw, rng):
        a, n, _ = _square_values(draw, rng)
        extra = dict(attrs or {})
        for k in ("adjoint", "full_matrices", "compute_uv", "compute_v"):
            if k in extra and extra[k] is None:
                extra[k] = draw(st.booleans())

        def build(t):
            if spd:
                t = tf.matmul(t, t, transpose_b=True)
            if symmetric:
                t = t + tf.linalg.transpose(t)
            out = make_op(op, [t], extra)
            return _flat(*(wrap(r) for r in out.results))
        return [a], build
    return case


def _solve_case(op):
    def case(draw, rng):
        a, n, batch = _square_values(draw, rng)
        rhs = rng.uniform(-1.0, 1.0, batch + (n, draw(st.integers(1, 3))))
        attrs = {"adjoint": draw(st.booleans())}
        if op == "dfc.matrix_triangular_solve":
            attrs["lower"] = draw(st.booleans())
        return [a, rhs], lambda x, y: make(op, [x, y], attrs)
    return case


def _rect_case(op, attrs):
    def case(draw, rng):
        m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        full = draw(st.booleans()) if op == "dfc.qr" else False
        if op == "dfc.qr" and full and m > n:
            full = False  # TF's QR gradient is not defined there either
        # distinct singular values, far from 0: the decomposition is smooth around the input
        u, _ = np.linalg.qr(rng.standard_normal((m, m)))
        v, _ = np.linalg.qr(rng.standard_normal((n, n)))
        s = np.zeros((m, n))
        k = min(m, n)
        s[np.arange(k), np.arange(k)] = 1.0 + np.arange(k)[::-1] + rng.uniform(0, 0.5, k)
        a = u @ s @ v.T
        extra = {**attrs, "full_matrices": full} if op == "dfc.qr" else dict(attrs)
        if op == "dfc.svd":
            extra["compute_uv"] = draw(st.booleans())

        def build(t):
            outs = [wrap(r) for r in make_op(op, [t], extra).results]
            if op == "dfc.svd" and len(outs) == 3:  # u and v up to a shared sign: project on u s v^T parts
                s_, u_, v_ = outs
                return _flat(s_, tf.matmul(u_ * tf.expand_dims(s_, -2), v_, transpose_b=True),
                             u_[..., :1] * v_[..., :1, :1])
            return _flat(*outs)
        return [a], build
    return case


CASES.update({
    "dfc.matrix_inverse": _linalg_unary("dfc.matrix_inverse", {"adjoint": None}),
    "dfc.matrix_determinant": _linalg_unary("dfc.matrix_determinant"),
    "dfc.log_matrix_determinant": _linalg_unary("dfc.log_matrix_determinant"),
    "dfc.cholesky": _linalg_unary("dfc.cholesky", spd=True),
    "dfc.self_adjoint_eig": _linalg_unary("dfc.self_adjoint_eig", {"compute_v": None}, symmetric=True),
    "dfc.matrix_solve": _solve_case("dfc.matrix_solve"),
    "dfc.matrix_triangular_solve": _solve_case("dfc.matrix_triangular_solve"),
    "dfc.qr": _rect_case("dfc.qr", {}),
    "dfc.svd": _rect_case("dfc.svd", {}),
})


def _if_case(draw, rng):
    taken, shape = draw(st.booleans()), (draw(st.integers(1, 3)), 2)
    return [rng.uniform(-1, 1, shape), rng.uniform(-1, 1, (2,))], lambda x, y: tf.cond(
        tf.constant(taken), lambda: tf.sin(x) * y, lambda: x * x - y)


def _while_case(draw, rng):
    trips, shape = draw(st.integers(0, 3)), (draw(st.integers(1, 3)), 2)
    return [rng.uniform(-1, 1, shape), rng.uniform(-1, 1, (2,))], lambda x, y: tf.while_loop(
        lambda i, s: i < trips, lambda i, s: (i + 1, s * tf.cos(x) + y), [tf.constant(0), x])[1]


def _custom_gradient_case(draw, rng):
    """A custom gradient that is the true one (sin(x) * y), so central differences check the region's use."""
    shape = (draw(st.integers(1, 3)), 2)

    @tf.custom_gradient
    def f(x, y):
        return tf.sin(x) * y, lambda dy: (dy * tf.cos(x) * y, tf.reduce_sum(dy * tf.sin(x), axis=0))
    return [rng.uniform(-1, 1, shape), rng.uniform(-1, 1, (2,))], f


CASES.update({"dfc.if": _if_case, "dfc.while": _while_case, "dfc.custom_gradient": _custom_gradient_case})


def _as_real(w):
    """A real function of a complex result: its parts weighed differently (so both parts' gradients count)."""
    return make("dfc.real", [w]) + 0.7 * make("dfc.imag", [w]) if w.dtype.is_complex else w


def _through_complex(opname: str, attrs=None, kind: str = "any"):
    """op(complex(x, y)) of two real inputs, made real again: checks the complex rules in TF's convention
    (dL/dRe + i dL/dIm), which central differences over the real parts measure."""
    def case(draw, rng):
        shape = (draw(st.integers(1, 2)), draw(st.integers(2, 4)))
        a = attrs(draw) if callable(attrs) else dict(attrs or {})
        return [_values(rng, shape, kind), _values(rng, shape, kind)], \
            lambda x, y: _as_real(make(opname, [make("dfc.complex", [x, y])], a))
    return case


def _rfft_case(draw, rng):
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 5)))
    length = draw(st.integers(1, 7))  # shorter (cropped), equal or longer (padded) than the signal
    return [_values(rng, shape)], lambda x: _as_real(make("dfc.rfft", [x], {"fft_length": [length]}))


CASES.update({
    "dfc.complex": _through_complex("dfc.identity"), "dfc.real": _through_complex("dfc.real"),
    "dfc.imag": _through_complex("dfc.imag"), "dfc.conj": _through_complex("dfc.conj"),
    "dfc.angle": _through_complex("dfc.angle", kind="away"),
    "dfc.complex_abs": _through_complex("dfc.complex_abs", kind="away"),
    "dfc.fft": _through_complex("dfc.fft", lambda draw: {"rank": draw(st.integers(1, 2)),
                                                         "inverse": draw(st.booleans())}),
    "dfc.irfft": _through_complex("dfc.irfft", lambda draw: {"fft_length": [draw(st.integers(1, 7))]}),
    "dfc.rfft": _rfft_case,
})


def test_every_rule_has_a_property_case():
    assert sorted(CASES) == sorted(ad.VJP)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_rule_matches_central_differences(name, data, seed):
    rng = np.random.default_rng(seed)
    arrays, build = CASES[name](data.draw, rng)
    with tf.Graph().as_default():
        xs = [tf.placeholder(tf.float64, a.shape) for a in arrays]
        out = build(*xs)
        # a random projection to a scalar checks the whole Jacobian in one backward run
        weights = rng.uniform(-1.0, 1.0, out.shape.as_list())
        y = tf.reduce_sum(out * tf.constant(weights))
        # the cast case goes through float32: a wider step keeps its rounding out of the difference
        delta, atol = (1e-2, 1e-4) if name == "dfc.cast" else (1e-6, 1e-6)
        pairs = tf.test.compute_gradient(xs, [a.shape for a in arrays], y, [], x_init_value=arrays, delta=delta)
    for theoretical, numeric in pairs:
        np.testing.assert_allclose(theoretical, numeric, rtol=1e-5, atol=atol)
