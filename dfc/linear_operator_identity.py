"""tf.linalg's operators with no matrix to store: LinearOperatorIdentity, ScaledIdentity and Zeros.

Their sizes may be Python ints or int tensors the step computes (`tf.shape(x)[1]`); static shapes
keep the dims the program knows while building.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import as_dtype, f32

from . import array_ops as _ao
from . import math_ops as _mo
from .framework import Tensor, TensorShape, constant_value, convert_to_tensor, name_scope
from .linalg_ops import eye, matrix_diag_part, matrix_set_diag, matrix_transpose
from .linear_operator import LinearOperator, check_dtype


def _size_arg(value, what: str) -> tuple[Tensor | int, int | None]:
    """(the argument as given or a tensor, its static value): a scalar non-negative integer, as TF checks it."""
    if isinstance(value, Tensor):
        if not value.dtype.is_integer:
            raise TypeError(f"Argument {what} must be integer type.  Found: {value.name} of dtype {value.dtype.name}")
        if value.shape.ndims not in (None, 0):
            raise ValueError(f"Argument {what} must be a 0-D Tensor.  Found: {value.name} with shape {value.shape}")
        static = constant_value(value)
    else:
        arr = np.asarray(value)
        if arr.ndim != 0:
            raise ValueError(f"Argument {what} must be a 0-D Tensor.  Found: {value}")
        if arr.dtype.kind not in "iu":
            raise TypeError(f"Argument {what} must be integer type.  Found: {value!r}")
        static = arr
    static = None if static is None else int(np.asarray(static))
    if static is not None and static < 0:
        raise ValueError(f"Argument {what} must be non-negative.  Found: {static}")
    return value, static


def _batch_arg(batch_shape) -> tuple[object, TensorShape]:
    if batch_shape is None:
        return None, TensorShape([])
    if isinstance(batch_shape, Tensor):
        if not batch_shape.dtype.is_integer:
            raise TypeError(f"Argument batch_shape must be integer type.  Found: {batch_shape.name}")
        if batch_shape.shape.ndims not in (None, 1):
            raise ValueError(f"Argument batch_shape must be a 1-D Tensor.  Found: {batch_shape.name}")
        value = constant_value(batch_shape)
        if value is None:
            n = batch_shape.shape.as_list()[0] if batch_shape.shape.ndims else None
            return batch_shape, TensorShape(None if n is None else [None] * n)
    else:
        value = batch_shape
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"Argument batch_shape must be a 1-D Tensor.  Found: {batch_shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"Argument batch_shape must be integer type.  Found: {batch_shape}")
    if (arr < 0).any():
        raise ValueError(f"Argument batch_shape must be non-negative.  Found: {arr.tolist()}")
    return [int(d) for d in arr], TensorShape([int(d) for d in arr])


def _size_tensor(value) -> Tensor:
    return _mo.cast(convert_to_tensor(value), "int32")


class _BaseIdentity(LinearOperator):
    def _rows_tensor(self) -> Tensor:
        return _ao.constant(self._rows_static, dtype="int32") if self._rows_static is not None \
            else _size_tensor(self._num_rows)


class LinearOperatorIdentity(_BaseIdentity):
    """The [..., N, N] identity; `batch_shape` makes a batch of them (and broadcasts matmul's argument)."""

    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True, is_self_adjoint=True,
                 is_positive_definite=True, is_square=True, assert_proper_shapes: bool = False,
                 name: str = "LinearOperatorIdentity"):
        for hint, word in ((is_self_adjoint, "self adjoint"), (is_non_singular, "non-singular"),
                           (is_positive_definite, "positive-definite"), (is_square, "square")):
            if not hint:
                raise ValueError(f"An identity operator is always {word}.")
        with name_scope(name):
            self._num_rows, self._rows_static = _size_arg(num_rows, "num_rows")
            self._batch, self._batch_static = _batch_arg(batch_shape)
        super().__init__(as_dtype(dtype or f32), None, True, True, True, True, name,
                         dict(num_rows=num_rows, batch_shape=batch_shape, dtype=dtype,
                              assert_proper_shapes=assert_proper_shapes, name=name))

    def _shape(self):
        return self._batch_static.concatenate([self._rows_static, self._rows_static])

    def _shape_tensor(self):
        n = self._rows_tensor()
        rows = _ao.stack([n, n])
        if self._batch is None:
            return rows
        return _ao.concat([_mo.cast(convert_to_tensor(self._batch), "int32"), rows], 0)

    def _broadcast(self, x: Tensor) -> Tensor:
        if self._batch is None:
            return x
        zeros = _ao.zeros(_ao.concat([self.batch_shape_tensor(), [1, 1]], 0), dtype=x.dtype) \
            if not self._batch_static.is_fully_defined() else _ao.zeros(self._batch + [1, 1], dtype=x.dtype)
        return x + zeros

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._broadcast(matrix_transpose(x) if adjoint_arg else _ao.identity(x))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint_arg=adjoint_arg)

    def _to_dense(self):
        n = self._rows_static if self._rows_static is not None else self._rows_tensor()
        return eye(n, batch_shape=self._batch, dtype=self.dtype)

    def _ones_diag(self) -> Tensor:
        if self.shape.is_fully_defined():
            return _ao.ones(self.shape.as_list()[:-1], dtype=self.dtype)
        return _ao.ones(self.shape_tensor()[:-1], dtype=self.dtype)

    def _diag_part(self):
        return self._ones_diag()

    def _batch_filled(self, value: float) -> Tensor:
        if self.batch_shape.is_fully_defined():
            return _ao.fill(self.batch_shape.as_list(), _ao.constant(value, dtype=self.dtype))
        return _ao.fill(self.batch_shape_tensor(), _ao.constant(value, dtype=self.dtype))

    def _determinant(self):
        return self._batch_filled(1.0)

    def _log_abs_determinant(self):
        return self._batch_filled(0.0)

    def _add_to_tensor(self, x):
        return matrix_set_diag(x, matrix_diag_part(x) + 1.0)

    def _eigvals(self):
        return self._ones_diag()

    def _inverse(self):
        return self

    def _cholesky(self):
        return self

    def _assert_non_singular(self):
        from .control_flow_ops import no_op
        return no_op("assert_non_singular")

    _assert_positive_definite = _assert_self_adjoint = _assert_non_singular


class LinearOperatorScaledIdentity(_BaseIdentity):
    """multiplier[...] times the N x N identity: a batch of scaled identities shaped by the multiplier."""

    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=True, assert_proper_shapes: bool = False, name: str = "LinearOperatorScaledIdentity"):
        if not is_square:
            raise ValueError("A ScaledIdentity operator is always square.")
        with name_scope(name):
            self._multiplier = convert_to_tensor(multiplier, name="multiplier")
            check_dtype(self._multiplier, "multiplier")
            self._num_rows, self._rows_static = _size_arg(num_rows, "num_rows")
        if is_self_adjoint is None:
            is_self_adjoint = True  # a real multiplier
        super().__init__(self._multiplier.dtype, [self._multiplier], is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name,
                         dict(num_rows=num_rows, multiplier=multiplier, is_non_singular=is_non_singular,
                              is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                              is_square=is_square, assert_proper_shapes=assert_proper_shapes, name=name))

    @property
    def multiplier(self) -> Tensor:
        return self._multiplier

    def _shape(self):
        return self._multiplier.shape.concatenate([self._rows_static, self._rows_static])

    def _shape_tensor(self):
        n = self._rows_tensor()
        return _ao.concat([_ao.shape(self._multiplier), _ao.stack([n, n])], 0)

    def _mat_multiplier(self) -> Tensor:
        return _ao.expand_dims(_ao.expand_dims(self._multiplier, -1), -1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return (matrix_transpose(x) if adjoint_arg else x) * self._mat_multiplier()

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return (matrix_transpose(rhs) if adjoint_arg else rhs) / self._mat_multiplier()

    def _to_dense(self):
        n = self._rows_static if self._rows_static is not None else self._rows_tensor()
        return self._mat_multiplier() * eye(n, dtype=self.dtype)

    def _diag_part(self):
        n = self._rows_static if self._rows_static is not None else self._rows_tensor()
        return _ao.expand_dims(self._multiplier, -1) * _ao.ones(_ao.stack([n]) if isinstance(n, Tensor) else [n],
                                                                dtype=self.dtype)

    def _rows_float(self) -> Tensor:
        return _mo.cast(self._rows_tensor(), self.dtype)

    def _determinant(self):
        return _mo.pow(self._multiplier, self._rows_float())

    def _log_abs_determinant(self):
        return self._rows_float() * _mo.log(_mo.abs(self._multiplier))

    def _add_to_tensor(self, x):
        return matrix_set_diag(x, matrix_diag_part(x) + _ao.expand_dims(self._multiplier, -1))

    def _eigvals(self):
        return self._diag_part()

    def _inverse(self):
        return LinearOperatorScaledIdentity(self._num_rows, 1.0 / self._multiplier,
                                            is_non_singular=self.is_non_singular, is_self_adjoint=True,
                                            is_positive_definite=self.is_positive_definite, is_square=True)

    def _cholesky(self):
        return LinearOperatorScaledIdentity(self._num_rows, _mo.sqrt(self._multiplier), is_non_singular=True,
                                            is_self_adjoint=True, is_positive_definite=True, is_square=True)

    def _assert_non_singular(self):
        from .debugging import assert_none_equal
        return assert_none_equal(self._multiplier, _ao.zeros_like(self._multiplier),
                                 message=f"LinearOperator was singular ({self.name}).")

    def _assert_positive_definite(self):
        from .debugging import assert_positive
        return assert_positive(self._multiplier, message=f"LinearOperator was not positive definite ({self.name}).")

    def _assert_self_adjoint(self):
        from .control_flow_ops import no_op
        return no_op("assert_self_adjoint")


class LinearOperatorZeros(_BaseIdentity):
    """The [..., M, N] zero matrix (square unless num_columns differs)."""

    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None, is_non_singular=False,
                 is_self_adjoint=True, is_positive_definite=False, is_square=True, assert_proper_shapes: bool = False,
                 name: str = "LinearOperatorZeros"):
        if is_non_singular:
            raise ValueError("A Zeros operator is always singular.")
        if is_positive_definite:
            raise ValueError("A Zeros operator is always not positive-definite.")
        with name_scope(name):
            self._num_rows, self._rows_static = _size_arg(num_rows, "num_rows")
            if num_columns is None:
                self._num_columns, self._cols_static = self._num_rows, self._rows_static
            else:
                self._num_columns, self._cols_static = _size_arg(num_columns, "num_columns")
            self._batch, self._batch_static = _batch_arg(batch_shape)
        if None not in (self._rows_static, self._cols_static) and self._rows_static != self._cols_static:
            if is_square:
                raise ValueError(f"LinearOperatorZeros '{name}' is {self._rows_static} x {self._cols_static}: "
                                 "give is_square=False (and is_self_adjoint=False) for a non-square one")
        super().__init__(as_dtype(dtype or f32), None, False, is_self_adjoint, False, is_square, name,
                         dict(num_rows=num_rows, num_columns=num_columns, batch_shape=batch_shape, dtype=dtype,
                              is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                              is_positive_definite=is_positive_definite, is_square=is_square,
                              assert_proper_shapes=assert_proper_shapes, name=name))

    def _cols_tensor(self) -> Tensor:
        return _ao.constant(self._cols_static, dtype="int32") if self._cols_static is not None \
            else _size_tensor(self._num_columns)

    def _shape(self):
        return self._batch_static.concatenate([self._rows_static, self._cols_static])

    def _shape_tensor(self):
        rows = _ao.stack([self._rows_tensor(), self._cols_tensor()])
        if self._batch is None:
            return rows
        return _ao.concat([_mo.cast(convert_to_tensor(self._batch), "int32"), rows], 0)

    def _zeros(self, shape) -> Tensor:
        return _ao.zeros(shape, dtype=self.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        from .linear_operator import broadcast_batch
        x = matrix_transpose(x) if adjoint_arg else x
        rows = self._cols_static if adjoint else self._rows_static
        if rows is None:
            rows = self._cols_tensor() if adjoint else self._rows_tensor()
            column = _ao.zeros(_ao.stack([rows, 1]), dtype=self.dtype)
        else:
            column = _ao.zeros([rows, 1], dtype=self.dtype)
        out = _ao.zeros_like(x[..., :1, :]) + column
        return broadcast_batch(out, self.batch_shape, self.batch_shape_tensor())

    def _to_dense(self):
        if self.shape.is_fully_defined():
            return self._zeros(self.shape.as_list())
        return self._zeros(self.shape_tensor())

    def _diag_part(self):
        if self.shape.is_fully_defined():
            *batch, m, n = self.shape.as_list()
            return self._zeros(batch + [min(m, n)])
        s = self.shape_tensor()
        return self._zeros(_ao.concat([s[:-2], _ao.expand_dims(_mo.minimum(s[-2], s[-1]), 0)], 0))

    def _determinant(self):
        if self.batch_shape.is_fully_defined():
            return self._zeros(self.batch_shape.as_list())
        return self._zeros(self.batch_shape_tensor())

    def _log_abs_determinant(self):
        return _mo.log(_mo.abs(self._determinant()))

    def _add_to_tensor(self, x):
        return _ao.identity(x)

    def _eigvals(self):
        return self._diag_part()

    def _assert_non_singular(self):
        from .errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, f"Zero operators are always non-invertible ({self.name}).")

    def _assert_positive_definite(self):
        from .errors import InvalidArgumentError
        raise InvalidArgumentError(None, None, f"Zero operators are always non-positive definite ({self.name}).")

    def _assert_self_adjoint(self):
        from .control_flow_ops import no_op
        return no_op("assert_self_adjoint")
