"""tf.linalg's LinearOperators and its tridiagonal, LU and expm functions against real TensorFlow.

Values and gradients: tests/tf1_op_cases_linalg_ops.py's INTERPRETER_CASES on the reference interpreter, and
the TF1 scripts of tests/tf1_scripts_linalg.py, against recordings made with TensorFlow.
Also TF's errors for bad operators and arguments (class and wording, naming the operator or tensor), static
shapes with unknown dims, and run-time assertions.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.errors import InvalidArgumentError
from recordings import assert_matches_recording
from test_tf1_ops_expectations import test_case_matches_tensorflow as check_case
from tf1_op_cases_linalg_ops import INTERPRETER_CASES
from tf1_scripts_linalg import SCRIPTS

la = tf.linalg


@pytest.mark.parametrize("case", INTERPRETER_CASES, ids=[c.name for c in INTERPRETER_CASES])
def test_case_matches_tensorflow(case):
    check_case(case, "interpreter")


@pytest.mark.parametrize("name,backend", [("causal_self_attention", "cpu"), ("gaussian_cholesky_fit", "interpreter")])
def test_script_matches_tensorflow(name, backend):
    tf.reset_default_graph()
    actual = SCRIPTS[name](tf, lambda: tf.Session(backend=backend))
    assert_matches_recording(actual, f"script_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def _raises(exc, fn, *words):
    with pytest.raises(exc) as info:
        fn()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_tf_errors_for_bad_operators_and_arguments():
    tf.reset_default_graph()
    a = tf.ones([3, 3], name="a")
    full = la.LinearOperatorFullMatrix(a, name="cov")
    _raises(ValueError, lambda: la.LinearOperatorFullMatrix(tf.ones([3], name="vec")), "at least 2 dimensions", "vec")
    _raises(TypeError, lambda: la.LinearOperatorFullMatrix(tf.ones([3, 3], tf.int32, name="ints")), "dtype", "ints")
    _raises(TypeError, lambda: full.matmul(tf.ones([3, 2], tf.float64, name="x64")), "float32", "x64")
    _raises(ValueError, lambda: full.matmul(tf.ones([4, 2], name="wide")), "Dimensions 3 and 4 are not compatible",
            "cov", "wide")
    _raises(ValueError, lambda: full.solvevec(tf.ones([4])), "Dimensions 3 and 4", "cov")
    _raises(ValueError, lambda: la.LinearOperatorDiag([1.0, 2.0], is_self_adjoint=False), "always self adjoint")
    _raises(ValueError, lambda: la.LinearOperatorFullMatrix(a, is_positive_definite=True, is_non_singular=False),
            "positive definite matrix is always non-singular")
    _raises(ValueError, lambda: la.LinearOperatorIdentity(-1), "num_rows must be non-negative")
    _raises(TypeError, lambda: la.LinearOperatorIdentity(2.5), "num_rows must be integer")
    _raises(ValueError, lambda: la.LinearOperatorIdentity(3, batch_shape=[[2]]), "batch_shape must be a 1-D")
    _raises(ValueError, lambda: la.LinearOperatorIdentity(3, is_self_adjoint=False), "always self adjoint")
    zeros = la.LinearOperatorZeros(3, name="nothing")
    _raises(ValueError, zeros.inverse, "singular matrix", "nothing")
    _raises(NotImplementedError, lambda: zeros.solve(a), "expected to be singular", "nothing")
    _raises(NotImplementedError, la.LinearOperatorFullMatrix(tf.ones([3, 4]), name="rect").determinant,
            "not be square", "rect")
    _raises(ValueError, full.cholesky, "Not a positive definite self adjoint matrix", "cov")
    _raises(NotImplementedError, full.eigvals, "Only self-adjoint", "cov")
    _raises(ValueError, lambda: la.LinearOperatorComposition([]), "non-empty list")
    _raises(TypeError, lambda: la.LinearOperatorComposition([full, la.LinearOperatorIdentity(3, dtype=tf.float64)]),
            "same dtype", "cov")
    _raises(ValueError, lambda: la.LinearOperatorComposition([full, la.LinearOperatorIdentity(4)]),
            "Dimensions 3 and 4")
    _raises(ValueError, lambda: la.LinearOperatorInversion(zeros), "is_non_singular")
    _raises(ValueError, lambda: la.LinearOperatorPermutation([0, 0, 1]), "unique integers from 0 to 2")
    _raises(TypeError, lambda: la.LinearOperatorPermutation([0.0, 1.0]), "integer dtype")
    _raises(ValueError, lambda: la.LinearOperatorTridiag(a, diagonals_format="banded"), "compact, matrix, or sequence")
    _raises(ValueError, lambda: la.LinearOperatorHouseholder([1.0, 2.0], is_positive_definite=True),
            "non-positive definite")
    _raises(ValueError, lambda: la.LinearOperatorToeplitz([1.0, 2.0], [1.0, 2.0, 3.0]), "mismatched")
    _raises(ValueError, lambda: la.tridiagonal_solve(a, a, diagonals_format="x"), "Unrecognized diagonals_format")
    _raises(ValueError, lambda: la.tridiagonal_solve(a, a, partial_pivoting=False, perturb_singular=True),
            "partial_pivoting")
    _raises(ValueError, lambda: la.tridiagonal_matmul([a[0], a[1]], a, "sequence"), "sequence of length 3")
    _raises(ValueError, lambda: la.expm(tf.ones([2, 2], tf.int32, name="counts")), "does not support", "counts")
    _raises(ValueError, lambda: la.lu_solve(a, [0, 1, 2], tf.ones([4, 1])), "rhs.shape")
    _raises(ValueError, lambda: la.LinearOperatorBlockLowerTriangular([[full], [full]]), "`operators[1]` must contain")
    _raises(ValueError, lambda: la.LinearOperatorBlockLowerTriangular([[full], [la.LinearOperatorIdentity(2), full]]),
            "domain_dimension")


def test_static_shapes_hints_and_unknown_dims():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, None, 4])
    T = tf.shape(x)[1]
    tril = la.LinearOperatorLowerTriangular(tf.ones([T, T]))
    assert tril.shape.as_list() == [None, None] and tril.is_square and tril.tensor_rank == 2
    batched = la.LinearOperatorFullMatrix(tf.placeholder(tf.float32, [None, 3, 4]), name="batched")
    assert batched.shape.as_list() == [None, 3, 4] and batched.batch_shape.as_list() == [None]
    assert batched.range_dimension.value == 3 and batched.domain_dimension.value == 4
    assert batched.is_square is False and batched.tensor_rank == 3
    diag = la.LinearOperatorDiag(tf.ones([2, 3]))
    assert diag.shape.as_list() == [2, 3, 3] and diag.is_self_adjoint and diag.is_square
    comp = la.LinearOperatorComposition([batched, la.LinearOperatorDiag(tf.ones([4]))])
    assert comp.name == "batched_o_LinearOperatorDiag" and comp.shape.as_list() == [None, 3, 4]
    assert la.LinearOperatorAdjoint(batched).shape.as_list() == [None, 4, 3]
    assert la.LinearOperatorBlockDiag([diag, la.LinearOperatorIdentity(2)]).shape.as_list() == [2, 5, 5]
    assert la.LinearOperatorKronecker([diag, la.LinearOperatorIdentity(2)]).shape.as_list() == [2, 6, 6]
    eye = la.LinearOperatorIdentity(T)
    assert eye.shape.as_list() == [None, None] and eye.H is eye and eye.inverse() is eye
    pd = la.LinearOperatorFullMatrix(tf.eye(2), is_positive_definite=True)
    assert pd.is_non_singular and pd.is_square and pd.is_self_adjoint is None
    with tf.Session() as sess:
        dense, shape, batch, n, rank = sess.run(
            [tril.to_dense(), tril.shape_tensor(), batched.batch_shape_tensor(), eye.domain_dimension_tensor(),
             batched.tensor_rank_tensor()], {x: np.zeros([2, 3, 4], np.float32), batched._matrix: np.zeros([5, 3, 4])})
    np.testing.assert_array_equal(dense, np.tril(np.ones([3, 3])))
    assert shape.tolist() == [3, 3] and batch.tolist() == [5] and n == 3 and rank == 3


def test_run_time_assertions():
    tf.reset_default_graph()
    d = tf.placeholder(tf.float32, [3])
    op = la.LinearOperatorDiag(d, name="scales")
    full = la.LinearOperatorFullMatrix(tf.matrix_diag(d))
    checks = [op.assert_non_singular(), op.assert_positive_definite(), full.assert_self_adjoint(),
              full.assert_non_singular()]
    with tf.Session() as sess:
        sess.run(checks, {d: [1.0, 2.0, 3.0]})
        with pytest.raises(InvalidArgumentError):
            sess.run(checks[0], {d: [1.0, 0.0, 3.0]})
        with pytest.raises(InvalidArgumentError):
            sess.run(checks[1], {d: [1.0, -2.0, 3.0]})
        with pytest.raises(InvalidArgumentError):
            sess.run(checks[3], {d: [1.0, 0.0, 3.0]})


def test_singular_inputs_behave_as_in_tensorflow():
    """lu fails the run on a singular matrix; tridiagonal_solve answers NaN (TF's kernel does both)."""
    tf.reset_default_graph()
    a = tf.placeholder(tf.float32, [3, 3], name="square")
    lu = la.lu(a)
    solved = la.tridiagonal_solve(a, tf.ones([3, 1]), diagonals_format="matrix")
    with tf.Session() as sess:
        values = sess.run(lu.lu, {a: np.eye(3) * 2.0})
        np.testing.assert_allclose(values, np.eye(3) * 2.0)
        with pytest.raises(InvalidArgumentError, match="not invertible"):
            sess.run(lu, {a: np.ones([3, 3])})
        assert np.isnan(sess.run(solved, {a: np.zeros([3, 3])})).all()
        np.testing.assert_allclose(sess.run(solved, {a: np.eye(3) * 2.0}), np.full([3, 1], 0.5))


class _Twice(la.LinearOperator):
    """A user's operator, written as TF's docs say: _shape, _shape_tensor and _matmul; the rest from the base."""

    def __init__(self, matrix):
        self._m = tf.convert_to_tensor(matrix)
        super().__init__(dtype=self._m.dtype, is_non_singular=True, name="Twice")

    def _shape(self):
        return self._m.shape

    def _shape_tensor(self):
        return tf.shape(self._m)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return 2.0 * tf.matmul(self._m, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)


def test_a_users_subclass_gets_the_base_class_methods():
    tf.reset_default_graph()
    m = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, -1.0, 1.5]], np.float32)
    op = _Twice(m)
    assert op.shape.as_list() == [3, 3] and op.is_square and op.name == "Twice"
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    outputs = {"dense": op.to_dense(), "det": op.determinant(), "lad": op.log_abs_determinant(),
               "solve": op.solve(x), "diag": op.diag_part(), "trace": op.trace(), "adjoint": op.H.to_dense(),
               "inverse": op.inverse().matmul(x), "composed": (op @ op).to_dense(), "add": op.add_to_tensor(m)}
    with tf.Session() as sess:
        got = sess.run(outputs)
    a = 2.0 * m.astype(np.float64)
    expected = {"dense": a, "det": np.linalg.det(a), "lad": np.log(abs(np.linalg.det(a))),
                "solve": np.linalg.solve(a, x), "diag": np.diag(a), "trace": np.trace(a), "adjoint": a.T,
                "inverse": np.linalg.solve(a, x), "composed": a @ a, "add": a + m}
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-5, atol=1e-5, err_msg=key)


def test_adjoint_and_inverse_inherit_their_operators_hints():
    op = tf.linalg.LinearOperatorFullMatrix(tf.eye(2), is_square=True, is_non_singular=True)
    adjoint = tf.linalg.LinearOperatorAdjoint(op)
    assert adjoint.is_square and adjoint.is_non_singular and adjoint.is_self_adjoint is None
    assert tf.linalg.LinearOperatorInversion(op).is_non_singular
    with pytest.raises(ValueError, match="non-singular if and only if its adjoint is non-singular"):
        tf.linalg.LinearOperatorAdjoint(op, is_non_singular=False)
    symmetric = tf.linalg.LinearOperatorFullMatrix(tf.eye(2), is_self_adjoint=True, is_non_singular=True)
    with pytest.raises(ValueError, match="self-adjoint if and only if its inverse is self-adjoint"):
        tf.linalg.LinearOperatorInversion(symmetric, is_self_adjoint=False)
