"""Loops whose sizes the run decides, against TF 2.21's recordings and TF1's rules.

Values and gradients of growing TensorArrays, fed-size scatter/split and fed-length map_fn/scan are cases in
tests/tf1_op_cases_loops.py; here: a user's script training and decoding through growing TensorArrays
(tests/tf1_scripts_loops.py), tf.nn.raw_rnn, the structure tf.while_loop returns, and dynamic_decode with a
sampling helper and no step limit.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest
from recordings import assert_matches_recording
from tf1_scripts_loops import growing_decoder, raw_rnn_lstm

import dfc as tf


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def test_a_decoder_trained_and_decoding_through_growing_tensor_arrays_matches_tensorflow(caplog):
    """Three Adam steps through a loop of fed length, the hidden states, greedy decoding until the end token or
    a fed limit; the loops' arrays grow, so the steps run on the interpreter (saying so)."""
    with caplog.at_level("WARNING", logger="dfc"):
        actual = growing_decoder(tf)
    assert_matches_recording(actual, "script_loops_growing_decoder", lambda key: {"rtol": 2e-5, "atol": 2e-6})
    assert "on its interpreter" in caplog.text


def test_raw_rnn_matches_tensorflow():
    """tf.nn.raw_rnn's documented LSTM example: emitted outputs (zeros past each row's length), final state, loop
    state and the gradients for the inputs and the cell's variables."""
    actual = raw_rnn_lstm(tf)
    assert_matches_recording(actual, "script_loops_raw_rnn", lambda key: {"rtol": 1e-4, "atol": 1e-5})


def _kind(x) -> str:
    if isinstance(x, dict):
        return "{" + ",".join(f"{k}:{_kind(v)}" for k, v in sorted(x.items())) + "}"
    if isinstance(x, (list, tuple)):
        return type(x).__name__ + "[" + ",".join(_kind(v) for v in x) + "]"
    return "TensorArray" if isinstance(x, tf.TensorArray) else "T"


def test_while_loop_returns_the_structure_tf1_returns():
    """What TF 2.21's tf.compat.v1.while_loop returns (checked there): the body's structure at the top level, a
    namedtuple's fields passed as arguments, one loop variable alone unless return_same_structure, and with
    maximum_iterations the loop variables as the body gives them."""
    pair = collections.namedtuple("Pair", "a b")
    cases = {
        "list1": (lambda i: i < 3, lambda i: i + 1, [0], "T", "list[T]"),
        "tuple1": (lambda i: i < 3, lambda i: (i + 1,), (0,), "T", "tuple[T]"),
        "list2": (lambda i, j: i < 3, lambda i, j: (i + 1, j), [0, 1], "tuple[T,T]", "tuple[T,T]"),
        "tuple2": (lambda i, j: i < 3, lambda i, j: [i + 1, j], (0, 1), "list[T,T]", "list[T,T]"),
        "namedtuple": (lambda a, b: a < 3, lambda a, b: pair(a + 1, b), pair(0, 1), "Pair[T,T]", "Pair[T,T]"),
        "nested": (lambda i, d: i < 3, lambda i, d: [i + 1, d], (0, {"x": 1}), "list[T,{x:T}]", "list[T,{x:T}]"),
        "array": (lambda i, t: i < 3, lambda i, t: (i + 1, t.write(i, 1.0)), [0, tf.TensorArray(tf.float32, 3)],
                  "tuple[T,TensorArray]", "tuple[T,TensorArray]"),
    }
    for name, (cond, body, loop_vars, plain, same) in cases.items():
        for flag, want in ((False, plain), (True, same)):
            got = tf.while_loop(cond, body, loop_vars, return_same_structure=flag)
            assert _kind(got) == want, (name, flag)
    limited = tf.while_loop(lambda i, j: i < 30, lambda i, j: [i + 1, j * 2], [0, 1], maximum_iterations=5,
                            back_prop=False, swap_memory=True, parallel_iterations=1)
    alone = tf.while_loop(lambda i: i < 30, lambda i: i + 1, [0], maximum_iterations=tf.constant(4, tf.int64))
    assert _kind(limited) == "list[T,T]" and _kind(alone) == "T"
    with tf.Session() as sess:
        assert sess.run([limited, alone]) == [[5, 32], 4]


def test_sampled_decoding_without_a_step_limit_stops_when_every_row_has_ended():
    """SampleEmbeddingHelper draws, so no run ahead of the step can count its steps: the outputs grow until every
    row has sampled the end token, each row's length where it first did."""
    s2s = tf.contrib.seq2seq
    embedding = tf.constant(np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32))
    cell = tf.nn.rnn_cell.GRUCell(3)
    helper = s2s.SampleEmbeddingHelper(embedding, tf.fill([4], 1), end_token=2, seed=3)
    decoder = s2s.BasicDecoder(cell, helper, cell.zero_state(4, tf.float32), output_layer=tf.layers.Dense(6))
    outputs, _, lengths = s2s.dynamic_decode(decoder, impute_finished=True)
    assert outputs.rnn_output.shape.as_list() == [4, None, 6]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ids, n = sess.run([outputs.sample_id, lengths])
    assert ids.shape[1] == n.max()
    for row, length in zip(ids, n):
        assert row[length - 1] == 2 and 2 not in row[:length - 1] and not row[length:].any()


def test_map_fn_over_rows_of_a_fed_length_stacks_them_as_tf1():
    """fn's rows have a shape only the run knows (x[:k], k fed): they go through TensorArrays; TF 2.21 gives
    these values."""
    x = tf.placeholder(tf.float32, [None, 4])
    k = tf.placeholder(tf.int32, [])
    heads = tf.map_fn(lambda r: r[:k] * 2.0, x, infer_shape=False)
    with tf.Session() as sess:
        got = sess.run(heads, {x: np.arange(8, dtype=np.float32).reshape(2, 4), k: 3})
    np.testing.assert_array_equal(got, [[0.0, 2.0, 4.0], [8.0, 10.0, 12.0]])
