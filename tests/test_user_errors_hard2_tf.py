"""A second round of user mistakes (tests/user_error_cases_hard2.py: checkpoints, tf.data, optimizers, Session
calls) gets TF's exception class with a message naming the user's object, or TF's values.

What TensorFlow 2.21 (tf.compat.v1, graph mode) did with each is recorded in tests/data/user_errors_hard2_tf.json
by tests/record_user_errors_hard2.py; the comparison is tests/user_error_recording.py's.
"""

from __future__ import annotations

import pytest
from user_error_recording import backend_params, check_as_tf, load
from user_error_cases_hard2 import CASES

RECORDED = load("user_errors_hard2_tf.json")

#: where dfc knowingly answers otherwise than TF 2.21: the case, dfc's class and why
DIFFERS: dict[str, tuple[str, str]] = {
    "make_callable_given_too_many_arguments": ("TypeError", "TF 2.21's callable zips its arguments with feed_list and "
                                               "drops the extra ones unread; dfc refuses them, naming the count"),
}


def test_every_case_has_a_recording():
    assert sorted(c.name for c in CASES) == sorted(RECORDED)


@pytest.mark.parametrize("case,backend", backend_params(CASES, RECORDED))
def test_user_mistake_as_tf(case, backend, monkeypatch):
    check_as_tf(case, backend, RECORDED, DIFFERS, monkeypatch)
