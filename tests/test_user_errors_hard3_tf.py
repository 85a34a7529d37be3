"""A third round of user mistakes (tests/user_error_cases_hard3.py: control flow, variables and scopes, run-time
data errors, numerics) gets TF's exception class with a message naming the user's object, or TF's values.

What TensorFlow 2.21 (tf.compat.v1, graph mode) did with each is recorded in tests/data/user_errors_hard3_tf.json
by tests/record_user_errors_hard3.py; the comparison is tests/test_user_errors_tf.py's.
"""

from __future__ import annotations

import json
import os

import pytest
from test_user_errors_tf import error_class as _error_class
from test_user_errors_tf import same
from user_error_cases import outcome
from user_error_cases_hard3 import CASES

import dfc
from dfc import errors

RECORDED = json.load(open(os.path.join(os.path.dirname(__file__), "data", "user_errors_hard3_tf.json")))

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

#: TF's classes that dfc spells by their base (TF's InaccessibleTensorError is a ValueError)
_ALIASES = {"InaccessibleTensorError": "ValueError"}


def error_class(name: str) -> type:
    return _error_class(_ALIASES.get(name, name))


def test_every_case_has_a_recording():
    assert sorted(c.name for c in CASES) == sorted(RECORDED)


def runs_a_step(name: str) -> bool:
    want = RECORDED[name]
    return "error" not in want or issubclass(error_class(want["error"]), errors.OpError)


PARAMS = [pytest.param(c, "cpu", id=c.name) for c in CASES] + \
    [pytest.param(c, "interpreter", id=f"{c.name}-interpreter") for c in CASES if runs_a_step(c.name)]


@pytest.mark.parametrize("case,backend", PARAMS)
def test_user_mistake_as_tf(case, backend, monkeypatch):
    if backend != "cpu":
        made = dfc.session.Session.__init__
        monkeypatch.setattr(dfc.session.Session, "__init__",
                            lambda self, *args, **options: made(self, *args, **{"backend": backend, **options}))
    want = RECORDED[case.name]
    got = outcome(dfc, case)
    if case.name in DIFFERS and not DIFFERS[case.name][0]:  # dfc gives values where TF fails
        assert "error" not in got, got
        return
    if case.name in DIFFERS:
        want = {"error": DIFFERS[case.name][0], "message": ""}
    if "error" in want:
        assert "error" in got, f"TF raised {want['error']}: {want['message']}; dfc gave {got}"
        have = getattr(dfc.ir.errors, got["error"], None) or error_class(got["error"])
        assert issubclass(have, error_class(want["error"])), (want, got)
        for phrase in case.phrases:
            assert phrase in got["message"], (phrase, got["message"])
        assert "Traceback" not in got["message"]
        return
    assert "error" not in got, f"TF gave {want}; dfc raised {got}"
    if want["values"] is None:
        assert got["values"] is None
        return
    assert got["dtypes"] == want["dtypes"], (got, want)
    for w, g in zip(want["values"], got["values"], strict=True):
        assert same(w, g), (want, got)
