"""The one rule for TypeError/ValueError: raised by dfc, they name the API call and the user's source line."""

from __future__ import annotations

import inspect
import os
import pickle

import numpy as np
import pytest

import dfc as tf

THIS_FILE = os.path.basename(__file__)


def _line_of(marker: str) -> int:
    source = open(__file__).read().splitlines()
    return next(i for i, text in enumerate(source, 1) if marker in text and "_line_of" not in text)


CASES = [
    ("tf.placeholder", TypeError, lambda x: tf.placeholder("nonsense")),  # case: dtype
    ("tf.Variable", ValueError, lambda x: tf.Variable(None)),  # case: variable
    ("tf.Session.run", TypeError, lambda x: tf.Session().run(3)),  # case: fetch
    ("tf.Tensor.__bool__", TypeError, lambda x: bool(x)),  # case: bool
    ("tf.layers.dense", ValueError, lambda x: tf.layers.dense(x, -1)),  # case: layer
    ("Optimizer.minimize", ValueError,
     lambda x: tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0))),  # case: minimize
]


@pytest.mark.parametrize("api,error,call", CASES, ids=[c[0] for c in CASES])
def test_error_names_the_call_and_the_line(api: str, error: type, call) -> None:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [2, 4])
    with pytest.raises(error) as info:
        call(x)
    assert type(info.value) is error
    message = str(info.value)
    assert api in message, message
    line = _line_of(f"case: {inspect.getsource(call).split('# case: ')[1].strip()}")
    assert f"{THIS_FILE}:{line}:" in message or f"{THIS_FILE}:{line + 1}:" in message, message


def test_an_error_inside_a_library_call_names_the_call_the_user_made() -> None:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [2, 4])
    with pytest.raises(ValueError) as info:
        tf.layers.dense(x, 0, name="head")
    message = str(info.value)
    assert "tf.layers.dense 'head'" in message and THIS_FILE in message, message
    assert message.count("[in ") == 1, message


def test_the_users_own_exception_is_left_alone() -> None:
    tf.reset_default_graph()

    def initial() -> np.ndarray:
        raise ValueError("the user's own message")

    with pytest.raises(ValueError) as info:
        tf.Variable(initial)
    assert str(info.value) == "the user's own message"


def test_located_api_keeps_its_name_signature_and_pickles() -> None:
    assert tf.reshape.__name__ == "reshape"
    assert "shape" in inspect.signature(tf.reshape).parameters
    assert tf.nn.relu.__doc__ == tf.nn.relu.__wrapped__.__doc__
    assert pickle.loads(pickle.dumps(tf.reshape)) is tf.reshape
