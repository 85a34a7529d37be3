"""tf.linalg's block operators: LinearOperatorBlockDiag, LinearOperatorBlockLowerTriangular, LinearOperatorKronecker.

Blocks are split and joined along the matrix dims with slices, pads and concats of the DSL, so every
backend runs them and autodiff differentiates them; the blocks' sizes must be known while building.
"""

from __future__ import annotations

import numpy as np

from . import array_ops as _ao
from . import math_ops as _mo
from . import tensor_ops as _to
from .framework import Tensor, TensorShape
from .linalg_ops import matrix_transpose
from .linear_operator import LinearOperator
from .linear_operator_structured import _batch_dynamic, _batch_static, _same_dtype, _with_batch


def _split_rows(x: Tensor, sizes: list[int]) -> list[Tensor]:
    out, start = [], 0
    for n in sizes:
        out.append(x[..., start:start + n, :])
        start += n
    return out


def _static_dims(operators, attr: str, what: str) -> list[int]:
    dims = [getattr(op, attr).value for op in operators]
    if None in dims:
        raise ValueError(f"{what} needs every operator's {attr} while building the graph, got {dims}")
    return dims


class LinearOperatorBlockDiag(LinearOperator):
    """The block-diagonal operator [[op_1, 0, ...], [0, op_2, ...], ...] of square blocks."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=True, name: str | None = None):
        operators = list(operators)
        _same_dtype(operators, "LinearOperatorBlockDiag")
        for attr, hint, word in (("is_non_singular", is_non_singular, "non-singular"),
                                 ("is_self_adjoint", is_self_adjoint, "self-adjoint"),
                                 ("is_positive_definite", is_positive_definite, "positive definite")):
            if all(getattr(op, attr) for op in operators):
                if hint is False:
                    raise ValueError(f"The direct sum of {word} operators is always {word}.")
        if all(op.is_non_singular for op in operators):
            is_non_singular = True
        if all(op.is_self_adjoint for op in operators):
            is_self_adjoint = True
        if all(op.is_positive_definite for op in operators):
            is_positive_definite = True
        if is_square is False or any(op.is_square is False for op in operators):
            raise ValueError("Expected square operators (LinearOperatorBlockDiag of non-square blocks is not "
                             f"supported): {[op.name for op in operators]}")
        self._operators = operators
        name = name or "_ds_".join(op.name for op in operators)
        super().__init__(operators[0].dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, True,
                         name, dict(operators=operators, name=name))

    @property
    def operators(self) -> list:
        return list(self._operators)

    def _shape(self):
        if any(op.shape.ndims is None for op in self._operators):
            return TensorShape(None)
        rows = [op.range_dimension.value for op in self._operators]
        cols = [op.domain_dimension.value for op in self._operators]
        return _batch_static(self._operators).concatenate([None if None in rows else sum(rows),
                                                           None if None in cols else sum(cols)])

    def _shape_tensor(self):
        rows = _mo.add_n([op.range_dimension_tensor() for op in self._operators])
        cols = _mo.add_n([op.domain_dimension_tensor() for op in self._operators])
        return _ao.concat([_batch_dynamic(self._operators), _ao.stack([rows, cols])], 0)

    def _blockwise(self, x, method: str, adjoint: bool, adjoint_arg: bool) -> Tensor:
        x = matrix_transpose(x) if adjoint_arg else x
        sizes = _static_dims(self._operators, "domain_dimension", self.name)
        parts = [_with_batch(getattr(op, method)(p, adjoint=adjoint), self._operators)
                 for op, p in zip(self._operators, _split_rows(x, sizes))]
        return _ao.concat(parts, -2)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._blockwise(x, "matmul", adjoint, adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._blockwise(rhs, "solve", adjoint, adjoint_arg)

    def _to_dense(self):
        sizes = _static_dims(self._operators, "domain_dimension", self.name)
        total, start, rows = sum(sizes), 0, []
        for op, n in zip(self._operators, sizes):
            dense = op.to_dense()
            rank = dense.shape.ndims
            pads = [[0, 0]] * (rank - 1) + [[start, total - start - n]]
            rows.append(_with_batch(_to.pad(dense, pads), self._operators))
            start += n
        return _ao.concat(rows, -2)

    def _diag_part(self):
        return _ao.concat([_with_batch(_ao.expand_dims(op.diag_part(), -1), self._operators)[..., 0]
                           for op in self._operators], -1)

    def _determinant(self):
        out = self._operators[0].determinant()
        for op in self._operators[1:]:
            out = out * op.determinant()
        return out

    def _log_abs_determinant(self):
        return _mo.add_n([op.log_abs_determinant() for op in self._operators]) if len(self._operators) > 1 \
            else self._operators[0].log_abs_determinant()

    def _eigvals(self):
        return _ao.concat([_with_batch(_ao.expand_dims(op.eigvals(), -1), self._operators)[..., 0]
                           for op in self._operators], -1)


def _kron(a: Tensor, b: Tensor) -> Tensor:
    """The Kronecker product of batches of matrices a [..., m, n] and b [..., p, q]: [..., m*p, n*q]."""
    prod = _ao.expand_dims(_ao.expand_dims(a, -1), -3) * _ao.expand_dims(_ao.expand_dims(b, -2), -4)
    m, n = a.shape.as_list()[-2:]
    p, q = b.shape.as_list()[-2:]
    if prod.shape.is_fully_defined():
        return _ao.reshape(prod, prod.shape.as_list()[:-4] + [m * p, n * q])
    s = _ao.shape(prod)
    return _ao.reshape(prod, _ao.concat([s[:-4], _ao.stack([s[-4] * s[-3], s[-2] * s[-1]])], 0))


class LinearOperatorKronecker(LinearOperator):
    """The Kronecker product op_1 (x) op_2 (x) ... of its factors."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str | None = None):
        operators = list(operators)
        if not operators:
            raise ValueError(f"Argument `operators` must be a list of >=1 operators. Received: {operators}.")
        _same_dtype(operators, "LinearOperatorKronecker")
        for attr, hint, word in (("is_non_singular", is_non_singular, "non-singular"),
                                 ("is_self_adjoint", is_self_adjoint, "self-adjoint"),
                                 ("is_positive_definite", is_positive_definite, "positive definite")):
            if all(getattr(op, attr) for op in operators) and hint is False:
                raise ValueError(f"The Kronecker product of {word} operators is always {word}. Expected argument "
                                 f"`{attr}` to be True. Received: {hint}.")
        if all(op.is_non_singular for op in operators):
            is_non_singular = True
        if all(op.is_self_adjoint for op in operators):
            is_self_adjoint = True
        if all(op.is_positive_definite for op in operators):
            is_positive_definite = True
        self._operators = operators
        name = name or "_x_".join(op.name for op in operators)
        super().__init__(operators[0].dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name, dict(operators=operators, name=name))

    @property
    def operators(self) -> list:
        return list(self._operators)

    def _shape(self):
        if any(op.shape.ndims is None for op in self._operators):
            return TensorShape(None)
        rows = [op.range_dimension.value for op in self._operators]
        cols = [op.domain_dimension.value for op in self._operators]
        return _batch_static(self._operators).concatenate([None if None in rows else int(np.prod(rows)),
                                                           None if None in cols else int(np.prod(cols))])

    def _shape_tensor(self):
        rows = self._operators[0].range_dimension_tensor()
        cols = self._operators[0].domain_dimension_tensor()
        for op in self._operators[1:]:
            rows, cols = rows * op.range_dimension_tensor(), cols * op.domain_dimension_tensor()
        return _ao.concat([_batch_dynamic(self._operators), _ao.stack([rows, cols])], 0)

    def _to_dense(self):
        out = self._operators[0].to_dense()
        for op in self._operators[1:]:
            out = _kron(out, op.to_dense())
        return out

    def _determinant(self):
        return _mo.exp(self._log_abs_determinant()) * _mo.sign(self._dense_det_sign())

    def _dense_det_sign(self) -> Tensor:
        # det(A (x) B) = det(A)^q det(B)^n for A n x n, B q x q: the sign from each factor's determinant
        total = int(self.domain_dimension.value or 0)
        out = None
        for op in self._operators:
            power = total // int(op.domain_dimension.value)
            term = _mo.pow(_mo.sign(op.determinant()), float(power))
            out = term if out is None else out * term
        return out

    def _log_abs_determinant(self):
        total = self.domain_dimension.value
        if total is None:
            return super()._log_abs_determinant()
        terms = [op.log_abs_determinant() * float(total // op.domain_dimension.value) for op in self._operators]
        return _mo.add_n(terms) if len(terms) > 1 else terms[0]

    def _diag_part(self):
        out = self._operators[0].diag_part()
        for op in self._operators[1:]:
            d = op.diag_part()
            prod = _ao.expand_dims(out, -1) * _ao.expand_dims(d, -2)
            n, q = out.shape.as_list()[-1], d.shape.as_list()[-1]
            out = _ao.reshape(prod, prod.shape.as_list()[:-2] + [n * q]) if prod.shape.is_fully_defined() else \
                _ao.reshape(prod, _ao.concat([_ao.shape(prod)[:-2], [-1]], 0))
        return out


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """[[A_00], [A_10, A_11], [A_20, A_21, A_22], ...]: square operators on the diagonal, zero blocks above it."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str = "LinearOperatorBlockLowerTriangular"):
        operators = [list(row) for row in operators]
        if not operators:
            raise ValueError(f"Argument `operators` must be a list of >=1 operators. Received: {operators}.")
        for i, row in enumerate(operators):
            if len(row) != i + 1:
                raise ValueError(f"Argument `operators[{i}]` must contain `{i + 1}` blocks. Received: {len(row)} "
                                 f"blocks.")
        _same_dtype([op for row in operators for op in row], "LinearOperatorBlockLowerTriangular")
        for i, row in enumerate(operators):
            for j, op in enumerate(row):
                d, r = op.domain_dimension.value, op.range_dimension.value
                above = operators[j][j].domain_dimension.value
                if d is not None and above is not None and d != above:
                    raise ValueError(f"Argument `operators[{i}][{j}].domain_dimension` ({d}) must be the same as "
                                     f"`operators[{j}][{j}].domain_dimension` ({above}).")
                right = row[-1].range_dimension.value
                if r is not None and right is not None and r != right:
                    raise ValueError(f"Argument `operators[{i}][{j}].range_dimension` ({r}) must be the same as "
                                     f"`operators[{i}][{i}].range_dimension` ({right}).")
        diagonal = [row[-1] for row in operators]
        if all(op.is_non_singular for op in diagonal):
            if is_non_singular is False:
                raise ValueError("A blockwise lower-triangular operator with non-singular operators on the main "
                                 "diagonal is always non-singular. Expected argument `is_non_singular` to be True. "
                                 f"Received: {is_non_singular}.")
            is_non_singular = True
        elif any(op.is_non_singular is False for op in diagonal):
            if is_non_singular is True:
                raise ValueError("A blockwise lower-triangular operator with a singular operator on the main diagonal "
                                 f"is always singular. Expected argument `is_non_singular` to be True. Received: "
                                 f"{is_non_singular}.")
            is_non_singular = False
        if is_square is False:
            raise ValueError(f"`LinearOperatorBlockLowerTriangular` must be square. Expected argument `is_square` to "
                             f"be True. Received: {is_square}.")
        for i, op in enumerate(diagonal):
            if op.is_square is False:
                raise ValueError(f"Matrices on the diagonal (the final elements of each row-partition in the "
                                 f"`operators` list) must be square. Expected argument `operators[{i}][-1].is_square` "
                                 f"to be True. Received: {op.is_square}.")
        self._operators = operators
        self._diagonal = diagonal
        self._flat = [op for row in operators for op in row]
        super().__init__(diagonal[0].dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, True, name,
                         dict(operators=operators, name=name))

    @property
    def operators(self) -> list:
        return [list(row) for row in self._operators]

    def _sizes(self) -> list[int]:
        return _static_dims(self._diagonal, "domain_dimension", self.name)

    def _shape(self):
        if any(op.shape.ndims is None for op in self._flat):
            return TensorShape(None)
        dims = [op.domain_dimension.value for op in self._diagonal]
        n = None if None in dims else sum(dims)
        return _batch_static(self._flat).concatenate([n, n])

    def _shape_tensor(self):
        n = _mo.add_n([op.domain_dimension_tensor() for op in self._diagonal])
        return _ao.concat([_batch_dynamic(self._flat), _ao.stack([n, n])], 0)

    def _to_dense(self):
        sizes = self._sizes()
        total, rows = sum(sizes), []
        for i, row in enumerate(self._operators):
            blocks = _ao.concat([_with_batch(op.to_dense(), self._flat) for op in row], -1)
            pads = [[0, 0]] * (blocks.shape.ndims - 1) + [[0, total - sum(sizes[:i + 1])]]
            rows.append(_to.pad(blocks, pads))
        return _ao.concat(rows, -2)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = matrix_transpose(rhs) if adjoint_arg else rhs
        parts = [_with_batch(p, self._flat) for p in _split_rows(rhs, self._sizes())]
        n, solved = len(self._operators), [None] * len(self._operators)
        order = range(n - 1, -1, -1) if adjoint else range(n)
        for i in order:
            acc = parts[i]
            if adjoint:  # block upper triangular: A_ji^H for j > i
                for j in range(i + 1, n):
                    acc = acc - self._operators[j][i].matmul(solved[j], adjoint=True)
            else:
                for j in range(i):
                    acc = acc - self._operators[i][j].matmul(solved[j])
            solved[i] = self._diagonal[i].solve(acc, adjoint=adjoint)
        return _ao.concat(solved, -2)

    def _determinant(self):
        out = self._diagonal[0].determinant()
        for op in self._diagonal[1:]:
            out = out * op.determinant()
        return out

    def _log_abs_determinant(self):
        terms = [op.log_abs_determinant() for op in self._diagonal]
        return _mo.add_n(terms) if len(terms) > 1 else terms[0]

    def _diag_part(self):
        return _ao.concat([_with_batch(_ao.expand_dims(op.diag_part(), -1), self._flat)[..., 0]
                           for op in self._diagonal], -1)
