"""User-mistake cases against TF 2.21's recorded answers: the one comparison and the one recorder that every
round of cases (tests/user_error_cases*.py, tests/data/user_errors*_tf.json) uses.

A recording holds, per case, TF's error class and message, or the values (and dtypes) it fetched. dfc must raise
the same class or a subclass, with every phrase of the case (the user's placeholder, variable, op) in its message
and no Python traceback, or fetch the same values; DIFFERS tables name where dfc knowingly answers otherwise.
"""

from __future__ import annotations

import builtins
import json
import os
import sys

import numpy as np
import pytest
from user_error_cases import outcome

import dfc
from dfc import errors

DATA = os.path.join(os.path.dirname(__file__), "data")

#: TF's classes that dfc spells by their base
_ALIASES = {"OperatorNotAllowedInGraphError": "TypeError", "InaccessibleTensorError": "ValueError"}


def load(filename: str) -> dict:
    with open(os.path.join(DATA, filename)) as f:
        return json.load(f)


def error_class(name: str) -> type:
    name = _ALIASES.get(name, name)
    return getattr(errors, name, None) or getattr(dfc.ir.errors, name, None) or getattr(builtins, name)


def same(want, got) -> bool:
    want, got = np.asarray(want, dtype=float), np.asarray(got, dtype=float)
    return want.shape == got.shape and np.allclose(want, got, rtol=1e-5, atol=1e-6, equal_nan=True)


def runs_a_step(want: dict) -> bool:
    """Whether TF's answer came from running the graph: values, or an error of a run (an OpError)."""
    return "error" not in want or issubclass(error_class(want["error"]), errors.OpError)


def backend_params(cases: list, recorded: dict) -> list:
    """Every case on the CPU backend, and on the interpreter those whose answer comes from running a step."""
    return [pytest.param(c, "cpu", id=c.name) for c in cases] + \
        [pytest.param(c, "interpreter", id=f"{c.name}-interpreter") for c in cases if runs_a_step(recorded[c.name])]


def check_as_tf(case, backend: str, recorded: dict, differs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `case` with dfc on `backend` and compare with TF's recorded answer (or the DIFFERS entry's class; an
    empty class there means dfc fetches values where TF fails)."""
    if backend != "cpu":  # every tf.Session() of the case runs on that backend
        made = dfc.session.Session.__init__
        monkeypatch.setattr(dfc.session.Session, "__init__",
                            lambda self, *args, **options: made(self, *args, **{"backend": backend, **options}))
    want = recorded[case.name]
    got = outcome(dfc, case)
    if case.name in differs:
        if not differs[case.name][0]:
            assert "error" not in got, got
            return
        want = {"error": differs[case.name][0], "message": ""}
    if "error" in want:
        assert "error" in got, f"TF raised {want['error']}: {want['message']}; dfc gave {got}"
        assert issubclass(error_class(got["error"]), error_class(want["error"])), (want, got)
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


def record(tf, cases: list, filename: str) -> None:
    """A record_user_errors*.py script's work: `python tests/record_user_errors*.py [OUT_JSON] [CASE ...]`, run
    with a Python that has tensorflow, writes what `tf` does with each case (or only the named ones)."""
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(DATA, filename)
    wanted = set(sys.argv[2:])
    recorded = json.load(open(out)) if os.path.exists(out) else {}
    for c in cases:
        if not wanted or c.name in wanted:
            recorded[c.name] = outcome(tf, c)
            print(c.name, recorded[c.name].get("error"), str(recorded[c.name])[:300])
    with open(out, "w") as f:
        json.dump({k: recorded[k] for k in sorted(recorded)}, f, indent=1, sort_keys=True)
        f.write("\n")
