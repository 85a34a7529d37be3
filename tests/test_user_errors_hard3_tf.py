"""A third round of user mistakes (tests/user_error_cases_hard3.py: control flow, variables and scopes, run-time
data errors, numerics) gets TF's exception class with a message naming the user's object, or TF's values.

What TensorFlow 2.21 (tf.compat.v1, graph mode) did with each is recorded in tests/data/user_errors_hard3_tf.json
by tests/record_user_errors_hard3.py; the comparison is tests/user_error_recording.py's.
"""

from __future__ import annotations

import pytest
from user_error_recording import backend_params, check_as_tf, load
from user_error_cases_hard3 import CASES

RECORDED = load("user_errors_hard3_tf.json")

#: where dfc knowingly answers otherwise than TF 2.21: the case, dfc's class and why
DIFFERS: dict[str, tuple[str, str]] = {
    "gather_nd_fed_index_depth_too_big": ("ValueError", "dfc needs gather_nd's index depth (the indices' last dim) "
                                          "when the graph is built; TF reads it when the op runs"),
    "tensor_array_read_twice_cleared": ("", "TF1's TensorArray forgets an element once read (clear_after_read); "
                                        "dfc's keeps it, so a second read gives the value again"),
    "cumsum_axis_out_of_range": ("ValueError", "dfc checks a constant axis when the op is built; TF's kernel when it "
                                 "runs"),
    "map_fn_tuple_elems_of_other_lengths": ("InvalidArgumentError", "TF 2.21 reads the shorter element's unwritten "
                                            "TensorArray slot as zeros and returns a value; dfc's read of the missing "
                                            "row fails, naming it"),
    "map_fn_fn_not_callable": ("TypeError", "TF's AttributeError comes from reading the int's __name__; dfc says fn "
                               "is not callable"),
    "assign_to_a_tensor": ("TypeError", "TF's AttributeError comes from looking up .assign on the tensor; dfc says "
                           "assign needs a Variable"),
    "scatter_update_of_a_tensor": ("TypeError", "TF's AttributeError comes from looking up ._lazy_read on the "
                                   "tensor; dfc says scatter_update needs a Variable"),
    "tensor_array_fed_negative_size": ("InvalidArgumentError", "TF 2.21 makes a TensorArray of size -2 and reports "
                                       "that size; dfc refuses the negative size when the step runs"),
}


def test_every_case_has_a_recording():
    assert sorted(c.name for c in CASES) == sorted(RECORDED)


@pytest.mark.parametrize("case,backend", backend_params(CASES, RECORDED))
def test_user_mistake_as_tf(case, backend, monkeypatch):
    check_as_tf(case, backend, RECORDED, DIFFERS, monkeypatch)
