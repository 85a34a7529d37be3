"""Malformed feeds, drawn by hypothesis: dfc answers as TF's Session.run does, never with an internal error.

TF's rule for a feed (tensorflow/python/client/session.py, TF 2.21 under numpy 2): a Tensor is refused; a Python
int that does not fit the tensor's integer dtype is a TypeError; otherwise the value becomes
`np.asarray(value).astype(dtype)` for a numeric tensor (so NaN fed to an int32 one wraps, as numpy's cast does)
and `np.asarray(value, dtype)` for a bool one -- numpy's TypeError or ValueError when it cannot -- and a shape the
tensor does not accept is a ValueError. So for any value dfc must either return exactly that array or raise a
TypeError/ValueError (dfc's InvalidArgumentError is one) -- never an IndexError, KeyError, AttributeError or a
crash.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc import errors

EXAMPLES = int(os.environ.get("DFC_FUZZ_EXAMPLES", "30"))

DTYPES = {"float32": tf.float32, "float16": tf.float16, "float64": tf.float64, "int32": tf.int32,
          "int64": tf.int64, "uint8": tf.uint8, "bool": tf.bool}
SHAPES = [None, [], [None], [2], [None, 2], [2, None, 1]]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3), st.binary(max_size=3), st.sampled_from(["1", "2.5", "-3", "nan", "inf", "True"]),
    st.complex_numbers(max_magnitude=10, allow_nan=False), st.just(object()),
    st.sampled_from([np.float64(1.5), np.int64(-7), np.bool_(True), np.float16(2.0), np.uint8(200)]))
nested = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner), max_leaves=8)


@st.composite
def arrays(draw):
    """numpy arrays of any dtype, byte order, memory layout and writability."""
    shape = draw(st.lists(st.integers(0, 3), max_size=3))
    kind = draw(st.sampled_from(["<f4", ">f4", "<f8", ">i4", "<i8", "u1", "?", "<f2", "U3", "O", "c8"]))
    size = int(np.prod(shape))
    raw = draw(st.lists(st.floats(width=32) | st.sampled_from([-300.0, 300.0, 0.5]), min_size=size,
                        max_size=size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = np.array(raw, dtype=np.float64).reshape(shape)
        array = base.astype(kind) if kind not in ("U3", "O") else base.astype(str).astype(kind)
    layout = draw(st.sampled_from(["c", "fortran", "strided", "readonly"]))
    if layout == "fortran":
        array = np.asfortranarray(array)
    elif layout == "strided" and array.ndim:
        array = np.repeat(array, 2, axis=0)[::2]
    elif layout == "readonly":
        array.setflags(write=False)
    return array


_GRAPHS: dict = {}


def _session(dtype_name: str, shape_index: int):
    key = (dtype_name, shape_index)
    if key not in _GRAPHS:
        graph = tf.Graph()
        with graph.as_default():
            x = tf.placeholder(DTYPES[dtype_name], SHAPES[shape_index], name="x")
            y = tf.identity(x)
        _GRAPHS[key] = (tf.Session(graph=graph), x, y)
    return _GRAPHS[key]


def tf1_feed(value, np_dtype):
    """What TF1's Session.run makes of a fed value: the array, or the exception class it raises."""
    if isinstance(value, int) and not isinstance(value, bool) and np.dtype(np_dtype).kind in "iu":
        info = np.iinfo(np_dtype)
        if not info.min <= value <= info.max:
            return TypeError
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if np.issubdtype(np_dtype, np.number):  # TF 2.21 under numpy 2 (numpy_compat.np_asarray)
                return np.asarray(value).astype(np_dtype)
            return np.asarray(value, dtype=np_dtype)
    except (TypeError, ValueError, OverflowError) as e:
        return type(e)


def _shape_fits(shape, got) -> bool:
    return shape is None or (len(shape) == len(got) and all(d is None or d == g for d, g in zip(shape, got)))


@pytest.mark.parametrize("dtype_name", sorted(DTYPES))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(value=st.one_of(nested, arrays()), shape_index=st.integers(0, len(SHAPES) - 1))
def test_malformed_feeds_get_tf1s_answer(dtype_name, value, shape_index):
    sess, x, y = _session(dtype_name, shape_index)
    np_dtype = DTYPES[dtype_name].as_numpy_dtype
    want = tf1_feed(value, np_dtype)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = sess.run(y, {x: value})
    except (errors.OpError, TypeError, ValueError, OverflowError) as e:
        assert "Traceback" not in str(e)
        if isinstance(e, errors.OpError):
            assert isinstance(e, errors.InvalidArgumentError), (value, e)
        # a single value must get TF1's class; in a list, which bad element numpy meets first decides it
        if isinstance(want, type) and not isinstance(value, (list, tuple)):
            assert isinstance(e, want), f"TF1 raises {want.__name__} for {value!r}; dfc raised {e!r}"
        return
    assert not isinstance(want, type), f"TF1 raises {want.__name__} for {value!r}; dfc gave {got!r}"
    assert _shape_fits(SHAPES[shape_index], want.shape), f"TF1 refuses the shape {want.shape}; dfc gave {got!r}"
    assert got.dtype == np_dtype and got.shape == want.shape, (value, got, want)
    np.testing.assert_array_equal(got, want)
