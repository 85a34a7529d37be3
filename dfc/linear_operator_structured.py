"""tf.linalg's operators built from other operators or from structured parameters: Composition, Adjoint, Inversion,
LowRankUpdate, Permutation, Toeplitz, Tridiag, Householder (the block kinds are in dfc/linear_operator_block.py).

Each computes from its parts with the DSL's ops (gradients through autodiff); where TF's own kernel
would be an FFT or a special solver, the dense form is used, which gives the same values.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import as_dtype, f32

from . import array_ops as _ao
from . import math_ops as _mo
from . import tensor_ops as _to
from .framework import Tensor, TensorShape, constant_value, convert_to_tensor, name_scope
from .linalg_ops import matrix_band_part, matrix_transpose
from .linalg_tridiagonal import tridiagonal_dense, tridiagonal_matmul, tridiagonal_solve
from .linear_operator import REGISTERED, LinearOperator, broadcast_batch, check_dtype
from .shape_ops import broadcast_dynamic_shape, broadcast_static_shape


def _combine_hint(operator: LinearOperator, attr: str, given: bool | None, message: str) -> bool | None:
    """The operator's hint unless the given one contradicts it (as TF combines hints)."""
    own = getattr(operator, attr)
    if (own is True and given is False) or (own is False and given is True):
        raise ValueError(message)
    return own if own is not None else given


_HINT_WORDS = {"is_square": "square", "is_non_singular": "non-singular", "is_self_adjoint": "self-adjoint",
               "is_positive_definite": "positive-definite"}


def _hints_of_derived(operator: LinearOperator, derived: str, **given: bool | None) -> dict[str, bool | None]:
    """The four hints of an operator derived from `operator` (its adjoint, its inverse), which has each hint
    exactly when `operator` does: TF's ValueError "An operator is X if and only if its <derived> is X." when a
    given hint contradicts the operator's."""
    return {attr: _combine_hint(operator, attr, given[attr],
                                f"An operator is {word} if and only if its {derived} is {word}.")
            for attr, word in _HINT_WORDS.items()}


def _same_dtype(operators: list, what: str) -> None:
    if not operators:
        raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
    for op in operators:
        if not isinstance(op, LinearOperator):
            raise TypeError(f"{what} takes LinearOperators, got {op!r}")
        if op.dtype != operators[0].dtype:
            raise TypeError("Expected all operators to have the same dtype.  Found " +
                            "   ".join(str((o.name, o.dtype.name)) for o in operators))


def _batch_static(operators) -> TensorShape:
    out = TensorShape([])
    for op in operators:
        out = broadcast_static_shape(out, op.batch_shape)
    return out


def _batch_dynamic(operators) -> Tensor:
    out = operators[0].batch_shape_tensor()
    for op in operators[1:]:
        out = broadcast_dynamic_shape(out, op.batch_shape_tensor())
    return out


def _with_batch(x: Tensor, operators) -> Tensor:
    return broadcast_batch(x, _batch_static(operators), _batch_dynamic(operators))


def _batch_filled(op: LinearOperator, value: float) -> Tensor:
    shape = op.batch_shape.as_list() if op.batch_shape.is_fully_defined() else op.batch_shape_tensor()
    return _ao.fill(shape, _ao.constant(value, dtype=op.dtype))


class LinearOperatorComposition(LinearOperator):
    """op_1 @ op_2 @ ... @ op_J, applied right to left."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str | None = None):
        operators = list(operators)
        _same_dtype(operators, "LinearOperatorComposition")
        if all(op.is_non_singular for op in operators):
            if is_non_singular is False:
                raise ValueError("The composition of non-singular operators is always non-singular.")
            is_non_singular = True
        self._operators = operators
        domain = operators[0].domain_dimension.value
        for op in operators[1:]:
            rng = op.range_dimension.value
            if domain is not None and rng is not None and domain != rng:
                raise ValueError(f"Dimensions {domain} and {rng} are not compatible: operator {op.name} cannot follow "
                                 f"the operators before it in the composition")
            domain = op.domain_dimension.value
        name = name or "_o_".join(op.name for op in operators)
        super().__init__(operators[0].dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name, dict(operators=operators, is_non_singular=is_non_singular,
                                    is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                                    is_square=is_square, name=name))

    @property
    def operators(self) -> list:
        return list(self._operators)

    def _shape(self):
        if any(op.shape.ndims is None for op in self._operators):
            return TensorShape(None)
        return _batch_static(self._operators).concatenate(
            [self._operators[0].range_dimension.value, self._operators[-1].domain_dimension.value])

    def _shape_tensor(self):
        return _ao.concat([_batch_dynamic(self._operators),
                           _ao.stack([self._operators[0].range_dimension_tensor(),
                                      self._operators[-1].domain_dimension_tensor()])], 0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        order = self._operators if adjoint else self._operators[::-1]
        out = order[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            out = op.matmul(out, adjoint=adjoint)
        return out

    def _determinant(self):
        out = self._operators[0].determinant()
        for op in self._operators[1:]:
            out = out * op.determinant()
        return out

    def _log_abs_determinant(self):
        out = self._operators[0].log_abs_determinant()
        for op in self._operators[1:]:
            out = out + op.log_abs_determinant()
        return out

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        order = self._operators[::-1] if adjoint else self._operators
        out = order[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in order[1:]:
            out = op.solve(out, adjoint=adjoint)
        return out


class LinearOperatorAdjoint(LinearOperator):
    """The adjoint (conjugate transpose) of an operator: matmul and solve with `adjoint` flipped."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str | None = None):
        self._operator = operator
        hints = _hints_of_derived(operator, "adjoint", is_square=is_square, is_non_singular=is_non_singular,
                                  is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite)
        is_square, is_non_singular = hints["is_square"], hints["is_non_singular"]
        is_self_adjoint, is_positive_definite = hints["is_self_adjoint"], hints["is_positive_definite"]
        name = name or operator.name + "_adjoint"
        super().__init__(operator.dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name, dict(operator=operator, name=name))

    @property
    def operator(self) -> LinearOperator:
        return self._operator

    def _shape(self):
        s = self._operator.shape
        return s if s.ndims is None else s[:-2].concatenate([s.as_list()[-1], s.as_list()[-2]])

    def _shape_tensor(self):
        s = self._operator.shape_tensor()
        return _ao.concat([s[:-2], s[-1:], s[-2:-1]], 0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _to_dense(self):
        return matrix_transpose(self._operator.to_dense())

    def _determinant(self):
        return self._operator.determinant()

    def _log_abs_determinant(self):
        return self._operator.log_abs_determinant()

    def _diag_part(self):
        return self._operator.diag_part()

    def _adjoint(self):
        return self._operator


class LinearOperatorInversion(LinearOperator):
    """The inverse of a non-singular operator: matmul is its solve, solve its matmul."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str | None = None):
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError(f"Argument `is_non_singular` or argument `operator` must have supplied hint "
                             f"`is_non_singular` equal to `True` or `None`. Found `operator.is_non_singular`: "
                             f"{operator.is_non_singular}, `is_non_singular`: {is_non_singular} ({operator.name}).")
        if operator.is_square is False or is_square is False:
            raise ValueError(f"Argument `is_square` or argument `operator` must have supplied hint `is_square` equal "
                             f"to `True` or `None`. Found `operator.is_square`: {operator.is_square}, `is_square`: "
                             f"{is_square} ({operator.name}).")
        self._operator = operator
        hints = _hints_of_derived(operator, "inverse", is_square=is_square, is_non_singular=is_non_singular,
                                  is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite)
        is_square, is_non_singular = hints["is_square"], hints["is_non_singular"]
        is_self_adjoint, is_positive_definite = hints["is_self_adjoint"], hints["is_positive_definite"]
        name = name or operator.name + "_inv"
        super().__init__(operator.dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, is_square,
                         name, dict(operator=operator, name=name))

    @property
    def operator(self) -> LinearOperator:
        return self._operator

    def _shape(self):
        return self._operator.shape

    def _shape_tensor(self):
        return self._operator.shape_tensor()

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _determinant(self):
        return 1.0 / self._operator.determinant()

    def _log_abs_determinant(self):
        return -1.0 * self._operator.log_abs_determinant()

    def _inverse(self):
        return self._operator


class LinearOperatorLowRankUpdate(LinearOperator):
    """base_operator + U diag(diag_update) V^H (V = U unless given)."""

    def __init__(self, base_operator, u, diag_update=None, v=None, is_diag_update_positive=None,
                 is_non_singular=None, is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name: str = "LinearOperatorLowRankUpdate"):
        dtype = base_operator.dtype
        if diag_update is None:
            if is_diag_update_positive is False:
                raise ValueError("Default diagonal is the identity, which is positive.  However, user set "
                                 "'is_diag_update_positive' to False.")
            is_diag_update_positive = True
        if base_operator.is_self_adjoint and v is None:
            if is_self_adjoint is False:
                raise ValueError("A = L + UDU^H, with L self-adjoint and D real diagonal.  Since UDU^H is "
                                 "self-adjoint, this must be a self-adjoint operator.")
            is_self_adjoint = True
        if base_operator.is_positive_definite and v is None and is_diag_update_positive:
            if is_positive_definite is False:
                raise ValueError("A = L + UDU^H, with L positive definite and D positive definite.  This must be "
                                 "a positive definite operator.")
            is_positive_definite = True
        with name_scope(name):
            self._u = convert_to_tensor(u, name="u")
            self._v = self._u if v is None else convert_to_tensor(v, name="v")
            self._diag = None if diag_update is None else convert_to_tensor(diag_update, name="diag_update")
            for t, what in ((self._u, "u"), (self._v, "v"), (self._diag, "diag_update")):
                if t is not None and t.dtype != dtype:
                    raise TypeError(f"Expected {what} ({t.name}) to have dtype {dtype.name} of the base operator "
                                    f"{base_operator.name}, got {t.dtype.name}")
        self._base = base_operator
        self._is_diag_update_positive = is_diag_update_positive
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, is_square, name,
                         dict(base_operator=base_operator, u=u, diag_update=diag_update, v=v, name=name))

    base_operator = property(lambda self: self._base)
    u = property(lambda self: self._u)
    v = property(lambda self: self._v)
    diag_update = property(lambda self: self._diag)
    is_diag_update_positive = property(lambda self: self._is_diag_update_positive)

    def _shape(self):
        s = self._base.shape
        if s.ndims is None:
            return s
        return broadcast_static_shape(s[:-2], self._u.shape[:-2]).concatenate(s[-2:])

    def _shape_tensor(self):
        s = self._base.shape_tensor()
        return _ao.concat([broadcast_dynamic_shape(s[:-2], _ao.shape(self._u)[:-2]), s[-2:]], 0)

    def _scaled(self, x: Tensor) -> Tensor:
        return x if self._diag is None else _ao.expand_dims(self._diag, -1) * x

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        left, right = (self._v, self._u) if adjoint else (self._u, self._v)
        x = matrix_transpose(x) if adjoint_arg else x
        return self._base.matmul(x, adjoint=adjoint) + _mo.matmul(left, self._scaled(
            _mo.matmul(right, x, adjoint_a=True)))

    def _to_dense(self):
        u = self._u if self._diag is None else self._u * _ao.expand_dims(self._diag, -2)
        return self._base.to_dense() + _mo.matmul(u, self._v, adjoint_b=True)


class LinearOperatorPermutation(LinearOperator):
    """The permutation matrix P with P[i, perm[i]] = 1: (P x)[i] = x[perm[i]]."""

    def __init__(self, perm, dtype=f32, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str = "LinearOperatorPermutation"):
        with name_scope(name):
            self._perm = convert_to_tensor(perm, name="perm")
            if self._perm.shape.ndims is not None and self._perm.shape.ndims < 1:
                raise ValueError(f"Argument `perm` must have at least 1 dimension. Received: {self._perm.name}.")
            if not self._perm.dtype.is_integer:
                raise TypeError(f"Argument `perm` must be integer dtype. Received: {self._perm.name} of dtype "
                                f"{self._perm.dtype.name}.")
            static = constant_value(self._perm)
            if static is not None:
                static = np.asarray(static)
                if np.any(np.sort(static, axis=-1) != np.arange(static.shape[-1])):
                    raise ValueError(f"Argument `perm` must be a vector of unique integers from 0 to "
                                     f"{static.shape[-1] - 1}.")
        if is_non_singular is False:
            raise ValueError(f"A Permutation operator is always non-singular. Expected argument `is_non_singular` "
                             f"to be True. Received: {is_non_singular}.")
        if is_square is False:
            raise ValueError(f"A Permutation operator is always square. Expected argument `is_square` to be True. "
                             f"Received: {is_square}.")
        super().__init__(as_dtype(dtype), None, is_non_singular, is_self_adjoint, is_positive_definite, True, name,
                         dict(perm=perm, dtype=dtype, name=name))

    perm = property(lambda self: self._perm)

    def _shape(self):
        s = self._perm.shape
        return s if s.ndims is None else s.concatenate(s[-1:])

    def _shape_tensor(self):
        s = _ao.shape(self._perm)
        return _ao.concat([s, s[-1:]], 0)

    def _to_dense(self):
        n = self._perm.shape.as_list()[-1]
        depth = n if n is not None else _ao.shape(self._perm)[-1]
        return _ao.one_hot(self._perm, depth, dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _log_abs_determinant(self):
        return _batch_filled(self, 0.0)


class LinearOperatorToeplitz(LinearOperator):
    """The square Toeplitz matrix with first column `col` and first row `row` (row[0] is taken from col[0])."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str = "LinearOperatorToeplitz"):
        with name_scope(name):
            self._row = convert_to_tensor(row, name="row")
            self._col = convert_to_tensor(col, name="col")
            for t, what in ((self._row, "row"), (self._col, "col")):
                check_dtype(t, what)
                if t.shape.ndims is not None and t.shape.ndims < 1:
                    raise ValueError(f"Argument {what} must have at least 1 dimension.  Found: {t.name}")
            n_row, n_col = self._row.shape.as_list()[-1:], self._col.shape.as_list()[-1:]
            if n_row and n_col and None not in (n_row[0], n_col[0]) and n_row != n_col:
                raise ValueError(f"Expected square matrix, got row and col with mismatched dimensions "
                                 f"{n_row[0]} and {n_col[0]}.")
        if is_square is False:
            raise ValueError("Only square Toeplitz operators currently supported.")
        super().__init__(self._row.dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, True, name,
                         dict(col=col, row=row, name=name))

    col = property(lambda self: self._col)
    row = property(lambda self: self._row)

    def _shape(self):
        s = broadcast_static_shape(self._row.shape, self._col.shape)
        return s if s.ndims is None else s.concatenate(s[-1:])

    def _shape_tensor(self):
        s = broadcast_dynamic_shape(_ao.shape(self._row), _ao.shape(self._col))
        return _ao.concat([s, s[-1:]], 0)

    def _to_dense(self):
        n = self.domain_dimension.value
        if n is None:
            raise ValueError(f"{self.name}: to_dense needs the size of col and row while building the graph")
        row = self._row + _ao.zeros_like(self._col)
        col = self._col + _ao.zeros_like(self._row)
        values = _ao.concat([_to.reverse(row[..., 1:], [-1]), col], -1)  # values[n - 1 + k] = T[i, i - k]
        index = np.arange(n)[:, None] - np.arange(n)[None, :] + n - 1
        rank = values.shape.ndims
        return _ao.gather(values, index.astype(np.int32), axis=rank - 1)


class LinearOperatorTridiag(LinearOperator):
    """A square tridiagonal matrix given by its three diagonals ('compact', 'sequence' or 'matrix' format)."""

    def __init__(self, diagonals, diagonals_format: str = "compact", is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name: str = "LinearOperatorTridiag"):
        if diagonals_format not in ("compact", "matrix", "sequence"):
            raise ValueError(f"Argument `diagonals_format` must be one of compact, matrix, or sequence. "
                             f"Received : {diagonals_format}.")
        with name_scope(name):
            if diagonals_format == "sequence":
                self._diagonals = [convert_to_tensor(d, name=f"diag_{i}") for i, d in enumerate(diagonals)]
                check_dtype(self._diagonals[0], "diagonals")
                dtype = self._diagonals[0].dtype
            else:
                self._diagonals = convert_to_tensor(diagonals, name="diagonals")
                check_dtype(self._diagonals, "diagonals")
                dtype = self._diagonals.dtype
        self._diagonals_format = diagonals_format
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, is_square, name,
                         dict(diagonals=diagonals, diagonals_format=diagonals_format, name=name))

    diagonals = property(lambda self: self._diagonals)
    diagonals_format = property(lambda self: self._diagonals_format)

    def _shape(self):
        if self._diagonals_format == "matrix":
            return self._diagonals.shape
        if self._diagonals_format == "sequence":
            s = self._diagonals[0].shape
            for d in self._diagonals[1:]:
                s = broadcast_static_shape(s, d.shape)
            return s if s.ndims is None else s.concatenate(s[-1:])
        s = self._diagonals.shape
        return s if s.ndims is None else s[:-2].concatenate([s.as_list()[-1], s.as_list()[-1]])

    def _shape_tensor(self):
        if self._diagonals_format == "matrix":
            return _ao.shape(self._diagonals)
        s = _ao.shape(self._diagonals[1] if self._diagonals_format == "sequence" else self._diagonals)
        return _ao.concat([s[:-2], s[-1:], s[-1:]], 0) if self._diagonals_format == "compact" else \
            _ao.concat([s, s[-1:]], 0)

    def _to_dense(self):
        if self._diagonals_format == "matrix":
            return _ao.identity(self._diagonals)
        return tridiagonal_dense(self._diagonals, self._diagonals_format)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = matrix_transpose(x) if adjoint_arg else x
        dense = self._to_dense()
        if self._diagonals_format == "matrix":
            dense = matrix_band_part(dense, 1, 1)
        if adjoint:
            dense = matrix_transpose(dense)
        return tridiagonal_matmul(dense, x, diagonals_format="matrix")

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = broadcast_batch(matrix_transpose(rhs) if adjoint_arg else rhs, self.batch_shape,
                              self.batch_shape_tensor())
        return tridiagonal_solve(self._diagonals, rhs, diagonals_format=self._diagonals_format,
                                 transpose_rhs=False, conjugate_rhs=False) if not adjoint else \
            tridiagonal_solve(matrix_transpose(tridiagonal_dense(self._diagonals, self._diagonals_format)), rhs,
                              diagonals_format="matrix")


class LinearOperatorHouseholder(LinearOperator):
    """The reflection I - 2 v v^H / (v^H v) about the hyperplane orthogonal to `reflection_axis` v."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str = "LinearOperatorHouseholder"):
        with name_scope(name):
            self._axis = convert_to_tensor(reflection_axis, name="reflection_axis")
            check_dtype(self._axis, "reflection_axis")
            if self._axis.shape.ndims is not None and self._axis.shape.ndims < 1:
                raise ValueError(f"Argument reflection_axis must have at least 1 dimension.  Found: {self._axis.name}")
        if is_self_adjoint is False:
            raise ValueError("A Householder operator is always self adjoint.")
        if is_positive_definite is True:
            raise ValueError("A Householder operator is always non-positive definite.")
        if is_square is False:
            raise ValueError("A Householder operator is always square.")
        super().__init__(self._axis.dtype, None, is_non_singular, True, False, True, name,
                         dict(reflection_axis=reflection_axis, name=name))

    reflection_axis = property(lambda self: self._axis)

    def _shape(self):
        s = self._axis.shape
        return s if s.ndims is None else s.concatenate(s[-1:])

    def _shape_tensor(self):
        s = _ao.shape(self._axis)
        return _ao.concat([s, s[-1:]], 0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        from .clip_ops import l2_normalize
        x = matrix_transpose(x) if adjoint_arg else x
        mat = _ao.expand_dims(l2_normalize(self._axis, axis=-1), -1)
        return x - 2.0 * mat * _mo.matmul(mat, x, adjoint_a=True)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint, adjoint_arg)

    def _determinant(self):
        return _batch_filled(self, -1.0)

    def _log_abs_determinant(self):
        return _batch_filled(self, 0.0)

    def _eigvals(self):
        ones = _ao.ones_like(self._axis)
        return _ao.concat([-ones[..., :1], ones[..., 1:]], -1)

    def _inverse(self):
        return self


REGISTERED.update(adjoint=LinearOperatorAdjoint, inversion=LinearOperatorInversion,
                  composition=LinearOperatorComposition)
