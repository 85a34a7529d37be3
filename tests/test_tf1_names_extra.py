"""TF1 names dfc added late, checked against TF 2.21's recorded answers (tests/record_tf1_names_extra.py):
variable policies, tf.config, tf.initialize_all_tables, tf.test's helpers, tf.raw_ops' signatures and values."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from raw_ops_cases import CASES, LIST_OUTPUTS
from recordings import EXPECTATIONS_DIR, load_recording
from tf1_names_extra_cases import PROBES, VALUE_PROBES

import dfc as tf
from dfc import raw_ops

RECORDED = json.loads((EXPECTATIONS_DIR / "tf1_names_extra.json").read_text())
with gzip.open(EXPECTATIONS_DIR / "raw_ops_signatures.json.gz", "rt") as _f:
    SIGNATURES = json.load(_f)


def _plain(value):
    """JSON's view of an answer (tuples become lists), as the recording holds it."""
    return json.loads(json.dumps(value, default=str))


def test_probes_answer_as_tf_does() -> None:
    # one process, in order: tf.config's settings are fixed once its context is initialized
    assert list(PROBES) == list(RECORDED)
    for name, fn in PROBES.items():
        assert _plain(fn(tf)) == RECORDED[name], name


def test_raw_op_names_are_tfs() -> None:
    ours = set(raw_ops.provided())
    assert len(ours) >= 150
    assert ours <= set(SIGNATURES), sorted(ours - set(SIGNATURES))
    assert raw_ops._tf_names() == set(SIGNATURES)


@pytest.mark.parametrize("op", sorted(raw_ops.provided()))
def test_raw_op_signature_is_tfs(op: str) -> None:
    ours, theirs = raw_ops.provided()[op], SIGNATURES[op]
    assert ours.__name__ == theirs["fn"]
    expected = []
    for key, (kind, *value) in theirs["params"]:
        expected.append((key, raw_ops._REQUIRED if kind == "required" else value[0]))
    got = [(k, d if d is raw_ops._REQUIRED or not isinstance(d, str) or k in ("padding", "mode", "data_format",
                                                                              "equation", "message",
                                                                              "bad_indices_policy")
            else tf.as_dtype(d).name) for k, d in ours.params]
    assert got == expected
    if ours.outputs is not None:
        assert list(ours.outputs._fields) == theirs["outputs"]


def test_raw_op_values_match_tf() -> None:
    expected = load_recording("raw_ops_values")
    graph = tf.Graph()
    fetches = {}
    with graph.as_default():
        for case, op, kwargs in CASES:
            result = getattr(tf.raw_ops, op)(**kwargs)
            assert (op in LIST_OUTPUTS) == isinstance(result, list), op
            outputs = list(result) if isinstance(result, (list, tuple)) else [result]
            for i, t in enumerate(outputs):
                fetches[f"{case}/{i}"] = t
    assert sorted(fetches) == sorted(expected)
    with tf.Session(graph=graph) as sess:
        got = sess.run(fetches)
    for key, want in expected.items():
        assert got[key].dtype == want.dtype, key
        np.testing.assert_allclose(got[key], want, rtol=2e-5, atol=2e-5, err_msg=key)


def test_raw_ops_keep_tfs_errors_for_names() -> None:
    with pytest.raises(AttributeError, match="TensorFlow's raw op Bitcast has no counterpart in dfc"):
        tf.raw_ops.Bitcast  # noqa: B018
    assert not hasattr(tf.raw_ops, "NoSuchOp")


#: value probes whose graphs take ~10 s to compile on a loaded machine
SLOW_PROBES = ("zeta_polygamma",)


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.slow] if n in SLOW_PROBES else [])
                                  for n in sorted(VALUE_PROBES)])
def test_value_probes_match_tf(name: str) -> None:
    expected = {k.split("/", 1)[1]: v for k, v in load_recording("tf1_names_extra_values").items()
                if k.startswith(name + "/")}
    got = VALUE_PROBES[name](tf)
    assert sorted(got) == sorted(expected)
    for key, want in expected.items():
        np.testing.assert_allclose(np.asarray(got[key]), want, rtol=1e-5, atol=1e-6, err_msg=key)
