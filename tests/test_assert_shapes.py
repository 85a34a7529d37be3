"""tf.debugging.assert_shapes as TF 2.21 answers it: the messages below are TF's for the same calls."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def _tensors():
    return (tf.zeros([2, 3], name="x"), tf.zeros([3, 4], name="y"), tf.zeros([2, 3, 4], name="z"))


@pytest.mark.parametrize("spec,expected", [
    (lambda x, y, z: [(x, ("N", "D")), (y, ("N", 4))],
     "Specified by tensor x:0 dimension 0.  Tensor y:0 dimension 0 must have size 2.  Received size 3, shape (3, 4)"),
    (lambda x, y, z: [(x, (2, 4))],
     "Specified explicitly.  Tensor x:0 dimension 1 must have size 4.  Received size 3, shape (2, 3)"),
    (lambda x, y, z: [(x, ("N",))], "Tensor x:0 must have rank in (0, 1).  Received rank 2, shape (2, 3)"),
    (lambda x, y, z: [(z, ("...", "D")), (x, ("N", "D"))],
     "Tensor z:0 must have rank 2.  Received rank 3, shape (2, 3, 4)"),
])
def test_static_violations_raise_tfs_value_error(spec, expected):
    with pytest.raises(ValueError) as raised:
        tf.debugging.assert_shapes(spec(*_tensors()))
    assert expected in str(raised.value)


def test_static_shapes_that_hold_give_an_op():
    x, y, z = _tensors()
    for shapes in ([(x, ("N", "D")), (y, ("D", 4))], [(z, ("*", 4)), (y, ("N", 4))], [(z, (Ellipsis, ".", 4))],
                   [(tf.constant(1.0), [])], {x: ("N", "D"), y: ("D", 4)}):
        assert isinstance(tf.debugging.assert_shapes(shapes), tf.Operation)
    with pytest.raises(ValueError, match="custom.  Specified explicitly"):
        tf.debugging.assert_shapes([(x, (3, 3))], message="custom")
    with pytest.raises(ValueError, match="only allowed as the first entry"):
        tf.debugging.assert_shapes([(x, ("N", "*"))])


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_unknown_sizes_are_checked_when_the_step_runs(backend):
    p = tf.placeholder(tf.float32, [None, 3], name="p")
    q = tf.placeholder(tf.float32, [None, None], name="q")
    r = tf.placeholder(tf.float32, None, name="r")
    same = tf.debugging.assert_shapes([(p, ("N", "D")), (q, ("N", "D"))])
    explicit = tf.debugging.assert_shapes([(q, (5, 3))])
    ranked = tf.debugging.assert_shapes([(r, ("N",))])
    with tf.control_dependencies([same]):
        total = tf.reduce_sum(p) + tf.reduce_sum(q)
    with tf.Session(backend=backend) as sess:
        assert sess.run(total, {p: np.ones((5, 3)), q: np.ones((5, 3))}) == 30
        with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor q:0 dimension 0 must have size"):
            sess.run(total, {p: np.ones((5, 3)), q: np.ones((4, 3))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Specified explicitly.  Tensor q:0 dimension 1"):
            sess.run(explicit, {q: np.ones((5, 2))})
        sess.run(ranked, {r: np.ones(4)})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"must have rank in \(0, 1\)"):
            sess.run(ranked, {r: np.ones((2, 2))})
