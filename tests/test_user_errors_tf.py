"""User mistakes get TF's exception class with a message naming the user's object, or TF's values.

The cases are tests/user_error_cases.py; what TensorFlow 2.21 (tf.compat.v1, graph mode) did with each is
recorded in tests/data/user_errors_tf.json by tests/record_user_errors.py.
"""

from __future__ import annotations

import builtins
import json
import os

import numpy as np
import pytest
from user_error_cases import CASES, outcome

import dfc
from dfc import errors

RECORDED = json.load(open(os.path.join(os.path.dirname(__file__), "data", "user_errors_tf.json")))

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

#: TF's classes that dfc spells by their base
_ALIASES = {"OperatorNotAllowedInGraphError": "TypeError"}


def error_class(name: str) -> type:
    name = _ALIASES.get(name, name)
    return getattr(errors, name, None) or getattr(builtins, name)


def same(want, got) -> bool:
    want, got = np.asarray(want, dtype=float), np.asarray(got, dtype=float)
    return want.shape == got.shape and np.allclose(want, got, rtol=1e-5, atol=1e-6, equal_nan=True)


def test_every_case_has_a_recording():
    assert sorted(c.name for c in CASES) == sorted(RECORDED)
    assert len(CASES) >= 60


def runs_a_step(name: str) -> bool:
    """Whether TF's answer came from running the graph: values, or an error of a run (an OpError)."""
    want = RECORDED[name]
    return "error" not in want or issubclass(error_class(want["error"]), errors.OpError)


PARAMS = [pytest.param(c, "cpu", id=c.name) for c in CASES] + \
    [pytest.param(c, "interpreter", id=f"{c.name}-interpreter") for c in CASES if runs_a_step(c.name)]


@pytest.mark.parametrize("case,backend", PARAMS)
def test_user_mistake_as_tf(case, backend, monkeypatch):
    if backend != "cpu":  # every tf.Session() of the case runs on that backend
        made = dfc.session.Session.__init__
        monkeypatch.setattr(dfc.session.Session, "__init__",
                            lambda self, *args, **options: made(self, *args, **{"backend": backend, **options}))
    want = RECORDED[case.name]
    got = outcome(dfc, case)
    if case.name in DIFFERS:
        want = {"error": DIFFERS[case.name][0], "message": ""}
    if "error" in want:
        assert "error" in got, f"TF raised {want['error']}: {want['message']}; dfc gave {got}"
        have = getattr(errors, got["error"], None) or getattr(dfc.ir.errors, got["error"], None) \
            or getattr(builtins, got["error"])
        assert issubclass(have, error_class(want["error"])), (want, got)
        for phrase in case.phrases:
            assert phrase in got["message"], (phrase, got["message"])
        # a message of dfc's own names where the user's code is: a file:line, not a Python traceback
        assert "Traceback" not in got["message"]
        return
    assert "error" not in got, f"TF gave {want}; dfc raised {got}"
    if want["values"] is None:
        assert got["values"] is None
        return
    assert got["dtypes"] == want["dtypes"], (got, want)
    for w, g in zip(want["values"], got["values"], strict=True):
        assert same(w, g), (want, got)
