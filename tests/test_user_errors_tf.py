"""User mistakes get TF's exception class with a message naming the user's object, or TF's values.

The cases are tests/user_error_cases.py; what TensorFlow 2.21 (tf.compat.v1, graph mode) did with each is
recorded in tests/data/user_errors_tf.json by tests/record_user_errors.py.
"""

from __future__ import annotations

import pytest
from user_error_recording import backend_params, check_as_tf, load
from user_error_cases import CASES

RECORDED = load("user_errors_tf.json")

#: where dfc knowingly answers otherwise than TF 2.21: the case, dfc's class and why
DIFFERS = {
    "constant_int32_overflow": ("TypeError", "TF 2.21 wraps 2**40 to 0 without a word; dfc refuses the lost value"),
    "ones_huge": ("ResourceExhaustedError", "TF's InvalidArgumentError comes from its 2 GB limit on the folded "
                                            "constant; dfc names the impossible allocation when the op is built"),
    "reshape_two_unknowns": ("ValueError", "dfc finds the second -1 of a constant shape while building the graph; "
                                           "TF only when it runs"),
    "cholesky_not_positive_definite": ("InvalidArgumentError", "TF1's Cholesky fails on a matrix that is not "
                                       "positive definite; TF 2.21 returns NaNs instead"),
    "transpose_fed_perm_bad": ("ValueError", "dfc fixes each op's dim order when the graph is built: a fed perm is "
                               "refused then, naming the perm"),
    "reduce_sum_fed_axis_out_of_range": ("ValueError", "dfc needs reduction axes known when the graph is built: a "
                                         "fed axis is refused then, naming it"),
    "compute_gradients_var_list_with_a_tensor": ("TypeError", "TF 2.21 differentiates with respect to a tensor in "
                                                 "var_list; TF1 and dfc refuse what is not a variable"),
    "import_meta_graph_corrupt": ("DataLossError", "TF's UnicodeDecodeError comes from trying the text format; dfc "
                                  "says the file is not a MetaGraphDef"),
    "string_split_of_numbers": ("TypeError", "dfc refuses a non-string tensor as TF's other string ops do (TF's "
                                "string_split converts it first: a ValueError)"),
    "restore_truncated_data": ("DataLossError", "dfc's checkpoint files carry a checksum of the whole file, so a "
                               "truncated one is damaged data; TF's bundle reader reports the short read as "
                               "OutOfRangeError"),
}


def test_every_case_has_a_recording():
    assert sorted(c.name for c in CASES) == sorted(RECORDED)
    assert len(CASES) >= 60


@pytest.mark.parametrize("case,backend", backend_params(CASES, RECORDED))
def test_user_mistake_as_tf(case, backend, monkeypatch):
    check_as_tf(case, backend, RECORDED, DIFFERS, monkeypatch)
