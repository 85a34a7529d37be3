"""tf.nn.static_state_saving_rnn against TF 2.21's (tests/record_ctc_misc.py): an LSTM whose state a variable-backed
saver carries from one run to the next, with sequence lengths; and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from recordings import load_recording

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")

REC = load_recording("ctc_misc")


class VariableSaver:
    """A state saver over variables, as the recording's."""

    def __init__(self, initial: dict):
        self.vars = {n: tf.Variable(v, trainable=False, name=n) for n, v in initial.items()}

    def state(self, name):
        return tf.identity(self.vars[name])

    def save_state(self, name, value):
        return tf.assign(self.vars[name], value)


def test_state_carries_across_runs_as_tfs():
    cell = tf.nn.rnn_cell.LSTMCell(3, initializer=tf.constant_initializer(0.1))
    saver = VariableSaver({"c": REC["ssr_init_c"], "h": REC["ssr_init_h"]})
    outputs, state = tf.nn.static_state_saving_rnn(cell, [tf.constant(x) for x in REC["ssr_inputs"]], saver,
                                                   ("c", "h"), sequence_length=tf.constant([3, 2]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for run in range(2):
            got_outputs, (got_c, got_h) = sess.run([outputs, state])
            np.testing.assert_allclose(np.stack(got_outputs), REC[f"ssr_outputs{run}"], atol=1e-6)
            np.testing.assert_allclose(got_c, REC[f"ssr_c{run}"], atol=1e-6)
            np.testing.assert_allclose(got_h, REC[f"ssr_h{run}"], atol=1e-6)


def test_state_name_must_match_the_state_structure():
    cell = tf.nn.rnn_cell.LSTMCell(3)
    saver = VariableSaver({"c": np.zeros((2, 3), np.float32)})
    with pytest.raises(ValueError, match="state_name should be the same type"):
        tf.nn.static_state_saving_rnn(cell, [tf.zeros([2, 4])], saver, "c")
    with pytest.raises(ValueError, match="#elems"):
        tf.nn.static_state_saving_rnn(cell, [tf.zeros([2, 4])], saver, ("c", "h", "x"))
