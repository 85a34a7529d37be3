"""tf.linalg.LinearOperator and its dense and diagonal kinds (FullMatrix, Diag, LowerTriangular, Identity, ...).

An operator stands for a batch of matrices [B1, ..., Bb, M, N] without always forming them: each
kind computes matmul, solve, determinants and diagonals from its own parameters, composed from the
DSL's ops, so gradients come from autodiff and every backend runs them. The composite kinds
(Composition, Adjoint, Inversion, BlockDiag, Kronecker, ...) are in dfc/linear_operator_structured.py;
they register themselves here for `adjoint()`, `inverse()` and `matmul(operator)` (as TF's algebra does).
"""

from __future__ import annotations


import numpy as np

from dfc.ir.dtypes import as_dtype

from . import array_ops as _ao
from . import math_ops as _mo
from . import matrix_ops as _mx
from .framework import Dimension, Tensor, TensorShape, constant_value, convert_to_tensor, name_scope
from .linalg_ops import eye, matrix_band_part, matrix_diag, matrix_diag_part, matrix_set_diag, matrix_transpose

# Filled by dfc/linear_operator_structured.py: "adjoint", "inversion", "composition" -> operator classes.
REGISTERED: dict[str, type] = {}

_FLOATS = ("float16", "float32", "float64", "complex64", "complex128")


def adjoint(x: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (of a real tensor, the transpose)."""
    return matrix_transpose(x, conjugate=True)


def check_dtype(x: Tensor, what: str, allowed=_FLOATS) -> None:
    if x.dtype.name not in allowed:
        raise TypeError(f"Argument {what} must have dtype in {list(allowed)}.  Found: {x.dtype.name} in {x.name}")


def static_int(x) -> int | None:
    value = constant_value(x) if isinstance(x, Tensor) else x
    return None if value is None else int(np.asarray(value))


def dim_value(d) -> int | None:
    return d.value if isinstance(d, Dimension) else d


def broadcast_batch(x: Tensor, batch_static: TensorShape, batch_dynamic) -> Tensor:
    """x [..., M, N] broadcast against an operator's batch shape, statically when both are known."""
    from .shape_ops import broadcast_dynamic_shape, broadcast_static_shape
    from .tensor_ops import broadcast_to
    if batch_static.ndims == 0:
        return x
    x_batch = x.shape[:-2]
    if x_batch.is_fully_defined() and batch_static.is_fully_defined():
        out = broadcast_static_shape(x_batch, batch_static)
        if out.as_list() == x_batch.as_list():
            return x
        return broadcast_to(x, out.concatenate(x.shape[-2:]).as_list())
    shape = _ao.shape(x)
    batch = broadcast_dynamic_shape(shape[:-2], batch_dynamic)
    return broadcast_to(x, _ao.concat([batch, shape[-2:]], 0))


class LinearOperator:
    """Base class of TF's linear operators: an [..., M, N] matrix given by how it acts."""

    def __init__(self, dtype, graph_parents=None, is_non_singular: bool | None = None,
                 is_self_adjoint: bool | None = None, is_positive_definite: bool | None = None,
                 is_square: bool | None = None, name: str | None = None, parameters: dict | None = None):
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular:
            if is_square is False:
                raise ValueError("A non-singular matrix is always square.")
            is_square = True
        if is_self_adjoint:
            if is_square is False:
                raise ValueError("A self-adjoint matrix is always square.")
            is_square = True
        self._dtype = as_dtype(dtype) if dtype is not None else None
        self._graph_parents = list(graph_parents or [])
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._is_square_set_or_implied_by_hints = is_square
        self._name = name or type(self).__name__
        self._parameters = dict(parameters or {})

    # ---- properties ----------------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self) -> str:
        return self._name

    @property
    def parameters(self) -> dict:
        return dict(self._parameters)

    @property
    def graph_parents(self) -> list:
        return list(self._graph_parents)

    @property
    def is_non_singular(self) -> bool | None:
        return self._is_non_singular

    @property
    def is_self_adjoint(self) -> bool | None:
        return self._is_self_adjoint

    @property
    def is_positive_definite(self) -> bool | None:
        return self._is_positive_definite

    @property
    def is_square(self) -> bool | None:
        auto = self.domain_dimension.value is not None and self.range_dimension.value is not None and \
            self.domain_dimension.value == self.range_dimension.value
        if self._is_square_set_or_implied_by_hints is False and auto:
            raise ValueError(f"{self.name}: the is_square hint says False but the static shape {self.shape} is square")
        if self._is_square_set_or_implied_by_hints is not None:
            return self._is_square_set_or_implied_by_hints
        if self.domain_dimension.value is not None and self.range_dimension.value is not None:
            return auto
        return None

    @property
    def H(self) -> LinearOperator:  # noqa: N802 - TF's name
        return self.adjoint()

    def _name_scope(self, name: str | None):
        return name_scope(f"{self.name}/{name}" if name else self.name)

    # ---- shapes --------------------------------------------------------------------------------
    @property
    def shape(self) -> TensorShape:
        return self._shape()

    def shape_tensor(self, name: str = "shape_tensor") -> Tensor:
        with self._name_scope(name):
            if self.shape.is_fully_defined():
                return _ao.constant(self.shape.as_list(), dtype="int32", name="shape")
            return self._shape_tensor()

    @property
    def batch_shape(self) -> TensorShape:
        return self.shape[:-2]

    def batch_shape_tensor(self, name: str = "batch_shape_tensor") -> Tensor:
        with self._name_scope(name):
            if self.batch_shape.is_fully_defined():
                return _ao.constant(self.batch_shape.as_list(), dtype="int32", name="batch_shape")
            return self.shape_tensor()[:-2]

    @property
    def tensor_rank(self) -> int | None:
        return self.shape.ndims

    def tensor_rank_tensor(self, name: str = "tensor_rank_tensor") -> Tensor:
        with self._name_scope(name):
            if self.tensor_rank is not None:
                return _ao.constant(self.tensor_rank, dtype="int32")
            return _ao.size(self.shape_tensor())

    @property
    def domain_dimension(self) -> Dimension:
        return Dimension(None) if self.shape.ndims is None else Dimension(self.shape.as_list()[-1])

    def domain_dimension_tensor(self, name: str = "domain_dimension_tensor") -> Tensor:
        with self._name_scope(name):
            if self.domain_dimension.value is not None:
                return _ao.constant(self.domain_dimension.value, dtype="int32")
            return self.shape_tensor()[-1]

    @property
    def range_dimension(self) -> Dimension:
        return Dimension(None) if self.shape.ndims is None else Dimension(self.shape.as_list()[-2])

    def range_dimension_tensor(self, name: str = "range_dimension_tensor") -> Tensor:
        with self._name_scope(name):
            if self.range_dimension.value is not None:
                return _ao.constant(self.range_dimension.value, dtype="int32")
            return self.shape_tensor()[-2]

    def _shape(self) -> TensorShape:
        raise NotImplementedError(f"{type(self).__name__} does not define its shape")

    def _shape_tensor(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not define its dynamic shape")

    # ---- checks --------------------------------------------------------------------------------
    def _check_input_dtype(self, arg: Tensor) -> None:
        if arg.dtype != self.dtype:
            raise TypeError(f"Expected argument to have dtype {self.dtype.name}.  Found: {arg.dtype.name} in tensor "
                            f"{arg.name} (operator {self.name})")

    def _check_inner_dims(self, x: Tensor, adjoint: bool, arg_dim: int, what: str) -> None:
        own = self.range_dimension if adjoint else self.domain_dimension
        if x.shape.ndims is None or own.value is None:
            return
        given = x.shape.as_list()[arg_dim]
        if given is not None and given != own.value:
            raise ValueError(f"Dimensions {own.value} and {given} are not compatible: {self.name}.{what} of "
                             f"{x.name} with shape {x.shape}")

    def _to_tensor_arg(self, x, name: str, min_rank: int) -> Tensor:
        x = x if isinstance(x, Tensor) else convert_to_tensor(x, dtype=self.dtype, name=name)
        self._check_input_dtype(x)
        if x.shape.ndims is not None and x.shape.ndims < min_rank:
            raise ValueError(f"{self.name}: argument {x.name} must have rank >= {min_rank}, got shape {x.shape}")
        return x

    def _check_square(self, what: str) -> None:
        if self.is_square is False:
            raise NotImplementedError(f"{what} not implemented for an operator that is expected to not be square "
                                      f"({self.name}).")

    def _can_use_cholesky(self) -> bool:
        return bool(self.is_self_adjoint and self.is_positive_definite)

    # ---- actions -------------------------------------------------------------------------------
    def matmul(self, x, adjoint: bool = False, adjoint_arg: bool = False, name: str = "matmul"):
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            if right.range_dimension.value is not None and left.domain_dimension.value is not None and \
                    right.range_dimension.value != left.domain_dimension.value:
                raise ValueError(f"Operators are incompatible. Expected `x` to have dimension "
                                 f"{left.domain_dimension.value} but got {right.range_dimension.value}.")
            with self._name_scope(name):
                return REGISTERED["composition"]([left, right])
        with self._name_scope(name):
            x = self._to_tensor_arg(x, "x", 2)
            self._check_inner_dims(x, adjoint, -1 if adjoint_arg else -2, "matmul")
            return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def matvec(self, x, adjoint: bool = False, name: str = "matvec") -> Tensor:
        with self._name_scope(name):
            x = self._to_tensor_arg(x, "x", 1)
            self._check_inner_dims(x, adjoint, -1, "matvec")
            return _ao.squeeze(self._matmul(_ao.expand_dims(x, -1), adjoint=adjoint), [-1])

    def solve(self, rhs, adjoint: bool = False, adjoint_arg: bool = False, name: str = "solve"):
        if self.is_non_singular is False:
            raise NotImplementedError(f"Exact solve not implemented for an operator that is expected to be singular "
                                      f"({self.name}).")
        if self.is_square is False:
            raise NotImplementedError(f"Exact solve not implemented for an operator that is expected to not be "
                                      f"square ({self.name}).")
        if isinstance(rhs, LinearOperator):
            left = self.inverse().adjoint() if adjoint else self.inverse()
            return left.matmul(rhs, adjoint_arg=adjoint_arg)
        with self._name_scope(name):
            rhs = self._to_tensor_arg(rhs, "rhs", 2)
            self._check_inner_dims(rhs, not adjoint, -1 if adjoint_arg else -2, "solve")
            return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def solvevec(self, rhs, adjoint: bool = False, name: str = "solve") -> Tensor:
        with self._name_scope(name):
            rhs = self._to_tensor_arg(rhs, "rhs", 1)
            self._check_inner_dims(rhs, not adjoint, -1, "solvevec")
            return _ao.squeeze(self.solve(_ao.expand_dims(rhs, -1), adjoint=adjoint), [-1])

    def determinant(self, name: str = "det") -> Tensor:
        self._check_square("Determinant")
        with self._name_scope(name):
            return self._determinant()

    def log_abs_determinant(self, name: str = "log_abs_det") -> Tensor:
        self._check_square("Determinant")
        with self._name_scope(name):
            return self._log_abs_determinant()

    def to_dense(self, name: str = "to_dense") -> Tensor:
        with self._name_scope(name):
            return self._to_dense()

    def diag_part(self, name: str = "diag_part") -> Tensor:
        with self._name_scope(name):
            return self._diag_part()

    def trace(self, name: str = "trace") -> Tensor:
        with self._name_scope(name):
            return _mo.reduce_sum(self._diag_part(), axis=-1)

    def add_to_tensor(self, x, name: str = "add_to_tensor") -> Tensor:
        with self._name_scope(name):
            x = self._to_tensor_arg(x, "x", 2)
            return self._add_to_tensor(x)

    def eigvals(self, name: str = "eigvals") -> Tensor:
        if not self.is_self_adjoint:
            raise NotImplementedError(f"Only self-adjoint matrices are supported ({self.name}).")
        with self._name_scope(name):
            return self._eigvals()

    def cond(self, name: str = "cond") -> Tensor:
        with self._name_scope(name):
            if self.is_self_adjoint:
                vals = _mo.abs(self._eigvals())
            else:
                vals = _mx.svd(self.to_dense(), compute_uv=False)
            return _mo.reduce_max(vals, axis=-1) / _mo.reduce_min(vals, axis=-1)

    def adjoint(self, name: str = "adjoint") -> LinearOperator:
        if self.is_self_adjoint is True:
            return self
        with self._name_scope(name):
            return self._adjoint()

    def inverse(self, name: str = "inverse") -> LinearOperator:
        if self.is_square is False:
            raise ValueError(f"Cannot take the Inverse: This operator represents a non square matrix ({self.name}).")
        if self.is_non_singular is False:
            raise ValueError(f"Cannot take the Inverse: This operator represents a singular matrix ({self.name}).")
        with self._name_scope(name):
            return self._inverse()

    def cholesky(self, name: str = "cholesky") -> LinearOperator:
        if not self._can_use_cholesky():
            raise ValueError(f"Cannot take the Cholesky decomposition: Not a positive definite self adjoint matrix "
                             f"({self.name}).")
        with self._name_scope(name):
            return self._cholesky()

    # ---- run-time checks -------------------------------------------------------------------------
    def assert_non_singular(self, name: str = "assert_non_singular"):
        with self._name_scope(name):
            return self._assert_non_singular()

    def assert_positive_definite(self, name: str = "assert_positive_definite"):
        with self._name_scope(name):
            return self._assert_positive_definite()

    def assert_self_adjoint(self, name: str = "assert_self_adjoint"):
        with self._name_scope(name):
            return self._assert_self_adjoint()

    def _max_condition_number_to_be_non_singular(self) -> Tensor:
        eps = float(np.finfo(self.dtype.np).eps)
        dims = _mo.cast(_ao.stack([self.range_dimension_tensor(), self.domain_dimension_tensor()]), self.dtype)
        return 1.0 / (_mo.maximum(_mo.reduce_max(dims), 100.0) * eps)

    def _assert_non_singular(self):
        from .debugging import assert_less
        if self._can_use_cholesky():
            return self.assert_positive_definite()
        values = _mx.svd(self.to_dense(), compute_uv=False)
        cond = _mo.reduce_max(values, axis=-1) / _mo.reduce_min(values, axis=-1)
        return assert_less(cond, self._max_condition_number_to_be_non_singular(),
                           message=f"Singular matrix up to precision epsilon ({self.name}).")

    def _assert_positive_definite(self):
        from .debugging import assert_positive
        return assert_positive(matrix_diag_part(_mx.cholesky(self.to_dense())),
                               message=f"Matrix was not positive definite ({self.name}).")

    def _assert_self_adjoint(self):
        from .debugging import assert_equal
        dense = self.to_dense()
        return assert_equal(dense, adjoint(dense), message=f"Matrix was not equal to its adjoint ({self.name}).")

    # ---- defaults the kinds override -------------------------------------------------------------
    def _matmul(self, x: Tensor, adjoint: bool = False, adjoint_arg: bool = False) -> Tensor:
        return _mo.matmul(self.to_dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _to_dense(self) -> Tensor:
        if self.batch_shape.is_fully_defined():
            batch = self.batch_shape.as_list()
        else:
            batch = self.batch_shape_tensor()
        n = self.domain_dimension.value
        identity = eye(n if n is not None else self.domain_dimension_tensor(), batch_shape=batch, dtype=self.dtype)
        return self._matmul(identity)

    def _diag_part(self) -> Tensor:
        return matrix_diag_part(self.to_dense())

    def _determinant(self) -> Tensor:
        if self._can_use_cholesky():
            return _mo.exp(self._log_abs_determinant())
        return _mx.matrix_determinant(self.to_dense())

    def _log_abs_determinant(self) -> Tensor:
        if self._can_use_cholesky():
            chol = _mx.cholesky(self.to_dense())
            return 2.0 * _mo.reduce_sum(_mo.log(matrix_diag_part(chol)), axis=-1)
        return _mx.slogdet(self.to_dense())[1]

    def _solve(self, rhs: Tensor, adjoint: bool = False, adjoint_arg: bool = False) -> Tensor:
        rhs = adjoint_arg and matrix_transpose(rhs) or rhs
        if self._can_use_cholesky():
            return _mx.cholesky_solve(_mx.cholesky(self.to_dense()), rhs)
        return _mx.matrix_solve(self.to_dense(), rhs, adjoint=adjoint)

    def _add_to_tensor(self, x: Tensor) -> Tensor:
        return self.to_dense() + x

    def _eigvals(self) -> Tensor:
        return _mx.self_adjoint_eigvals(self.to_dense())

    def _adjoint(self) -> LinearOperator:
        return REGISTERED["adjoint"](self)

    def _inverse(self) -> LinearOperator:
        return REGISTERED["inversion"](self)

    def _cholesky(self) -> LinearOperator:
        return LinearOperatorLowerTriangular(_mx.cholesky(self.to_dense()), is_non_singular=True,
                                             is_self_adjoint=False, is_square=True)

    def __repr__(self) -> str:
        return f"<tf.linalg.{type(self).__name__} '{self.name}' shape={self.shape} dtype={self.dtype.name}>"


def _matrix_shape_tensor(t: Tensor) -> Tensor:
    return _ao.shape(t)


class LinearOperatorFullMatrix(LinearOperator):
    """An operator over a dense [..., M, N] matrix."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str = "LinearOperatorFullMatrix"):
        with name_scope(name):
            self._matrix = convert_to_tensor(matrix, name="matrix")
            check_dtype(self._matrix, "matrix")
            if self._matrix.shape.ndims is not None and self._matrix.shape.ndims < 2:
                raise ValueError(f"Argument matrix must have at least 2 dimensions.  Found: {self._matrix.name} "
                                 f"with shape {self._matrix.shape}")
        super().__init__(self._matrix.dtype, [self._matrix], is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name, dict(matrix=matrix, is_non_singular=is_non_singular,
                                               is_self_adjoint=is_self_adjoint,
                                               is_positive_definite=is_positive_definite, is_square=is_square,
                                               name=name))

    def _shape(self) -> TensorShape:
        return self._matrix.shape

    def _shape_tensor(self) -> Tensor:
        return _ao.shape(self._matrix)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _mo.matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _to_dense(self):
        return _ao.identity(self._matrix)


class LinearOperatorLowerTriangular(LinearOperator):
    """The lower triangle of a [..., N, N] matrix (the part above the diagonal is ignored)."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str = "LinearOperatorLowerTriangular"):
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this time.")
        with name_scope(name):
            tril = convert_to_tensor(tril, name="tril")
            check_dtype(tril, "tril")
            if tril.shape.ndims is not None and tril.shape.ndims < 2:
                raise ValueError(f"Argument tril must have at least 2 dimensions.  Found: {tril.name} with shape "
                                 f"{tril.shape}")
            self._raw_tril = tril
            self._tril = matrix_band_part(tril, -1, 0)
        super().__init__(tril.dtype, [tril], is_non_singular, is_self_adjoint, is_positive_definite, True, name,
                         dict(tril=tril, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                              is_positive_definite=is_positive_definite, is_square=is_square, name=name))

    def _shape(self):
        return self._raw_tril.shape

    def _shape_tensor(self):
        return _ao.shape(self._raw_tril)

    def _diag_part(self):
        return matrix_diag_part(self._tril)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return _mo.matmul(self._tril, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _to_dense(self):
        return self._tril

    def _determinant(self):
        return _mo.reduce_prod(self._diag_part(), axis=-1)

    def _log_abs_determinant(self):
        return _mo.reduce_sum(_mo.log(_mo.abs(self._diag_part())), axis=-1)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = matrix_transpose(rhs) if adjoint_arg else rhs
        return _mx.matrix_triangular_solve(self._tril, rhs, lower=True, adjoint=adjoint)

    def _eigvals(self):
        return self._diag_part()


class LinearOperatorDiag(LinearOperator):
    """A batch of square diagonal matrices given by their diagonals [..., N]."""

    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None, is_positive_definite=None,
                 is_square=None, name: str = "LinearOperatorDiag"):
        with name_scope(name):
            self._diag = convert_to_tensor(diag, name="diag")
            check_dtype(self._diag, "diag")
            if self._diag.shape.ndims is not None and self._diag.shape.ndims < 1:
                raise ValueError(f"Argument diag must have at least 1 dimension.  Found: {self._diag.name}")
        if is_self_adjoint is False:
            raise ValueError("A real diagonal operator is always self adjoint.")
        if is_square is False:
            raise ValueError("Only square diagonal operators currently supported.")
        super().__init__(self._diag.dtype, [self._diag], is_non_singular, True, is_positive_definite, True, name,
                         dict(diag=diag, is_non_singular=is_non_singular, is_self_adjoint=is_self_adjoint,
                              is_positive_definite=is_positive_definite, is_square=is_square, name=name))

    @property
    def diag(self) -> Tensor:
        return self._diag

    def _shape(self):
        d = self._diag.shape
        if d.ndims is None:
            return TensorShape(None)
        return d.concatenate(d[-1:])

    def _shape_tensor(self):
        s = _ao.shape(self._diag)
        return _ao.concat([s, s[-1:]], 0)

    def _scaled(self, x, adjoint_arg=False):
        x = matrix_transpose(x) if adjoint_arg else x
        return _ao.expand_dims(self._diag, -1) * x

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._scaled(x, adjoint_arg)

    def _to_dense(self):
        return matrix_diag(self._diag)

    def _diag_part(self):
        return _ao.identity(self._diag)

    def _determinant(self):
        return _mo.reduce_prod(self._diag, axis=-1)

    def _log_abs_determinant(self):
        return _mo.reduce_sum(_mo.log(_mo.abs(self._diag)), axis=-1)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        rhs = matrix_transpose(rhs) if adjoint_arg else rhs
        return rhs / _ao.expand_dims(self._diag, -1)

    def _add_to_tensor(self, x):
        return matrix_set_diag(x, matrix_diag_part(x) + self._diag)

    def _eigvals(self):
        return _ao.identity(self._diag)

    def _adjoint(self):
        return self

    def _inverse(self):
        return LinearOperatorDiag(1.0 / self._diag, is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint,
                                  is_positive_definite=self.is_positive_definite, is_square=True)

    def _cholesky(self):
        return LinearOperatorDiag(_mo.sqrt(self._diag), is_non_singular=True, is_self_adjoint=True,
                                  is_positive_definite=True, is_square=True)

    def _assert_non_singular(self):
        from .debugging import assert_none_equal
        return assert_none_equal(self._diag, _ao.zeros_like(self._diag),
                                 message=f"Singular operator:  Diagonal contained zero values ({self.name}).")

    def _assert_positive_definite(self):
        from .debugging import assert_positive
        return assert_positive(self._diag, message=f"Diagonal operator had diagonal entries with non-positive "
                                                   f"real part, thus was not positive definite ({self.name}).")

    def _assert_self_adjoint(self):
        from .control_flow_ops import no_op
        return no_op("assert_real_diag")
