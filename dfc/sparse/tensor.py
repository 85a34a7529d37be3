"""TF1's SparseTensor, SparseTensorValue and sparse_placeholder: a COO triple of tensors, fed and fetched as one.

A SparseTensor is three ordinary tensors (indices int64 [nnz, rank], values [nnz], dense_shape int64
[rank]); every sparse op is a composite over them. nnz is known only when a run's feeds are, which
the compiler's fed shapes settle; a dense_shape fed at run time is a value that decides shapes
(a to_dense's size), which the Session computes first and compiles the step for (see
docs/architecture.md, "Shapes set by values").
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, i64

from ..framework import Tensor, TensorShape, constant_value, convert_to_tensor, name_scope

__all__ = ["SparseTensor", "SparseTensorValue", "convert_to_tensor_or_sparse_tensor", "is_sparse",
           "sparse_placeholder"]


class SparseTensorValue(collections.namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])):
    """A SparseTensor's arrays, as Session.run returns them and feed_dict takes them."""

    __slots__ = ()

    @property
    def shape(self):
        return tuple(np.asarray(self.dense_shape).tolist())


class SparseTensor:
    """TF1's tf.SparseTensor(indices, values, dense_shape): the nonzero entries of a tensor of shape dense_shape."""

    _made = False  # whether any exists: Session.run looks for sparse feeds only then

    def __init__(self, indices, values, dense_shape):
        with name_scope(None, "SparseTensor", [t for t in (indices, values, dense_shape) if isinstance(t, Tensor)]):
            indices = _int64(indices, "indices")
            values = values if isinstance(values, Tensor) else convert_to_tensor(values, name="values")
            dense_shape = _int64(dense_shape, "dense_shape")
        ishape, vshape, sshape = indices.shape, values.shape, dense_shape.shape
        for what, t, rank in (("indices", indices, 2), ("values", values, 1), ("dense_shape", dense_shape, 1)):
            if t.shape.ndims is not None and t.shape.ndims != rank:
                raise ValueError(f"Shape {t.shape} must have rank {rank}: SparseTensor {what} {t.name}")
        nnz_i = ishape.as_list()[0] if ishape.ndims else None
        nnz_v = vshape.as_list()[0] if vshape.ndims else None
        if nnz_i is not None and nnz_v is not None and nnz_i != nnz_v:
            raise ValueError(f"Dimensions {nnz_i} and {nnz_v} are not compatible: SparseTensor indices {indices.name} "
                             f"and values {values.name} hold different numbers of entries")
        rank_i = ishape.as_list()[1] if ishape.ndims else None
        rank_s = sshape.as_list()[0] if sshape.ndims else None
        if rank_i is not None and rank_s is not None and rank_i != rank_s:
            raise ValueError(f"Dimensions {rank_i} and {rank_s} are not compatible: SparseTensor indices "
                             f"{indices.name} have {rank_i} columns, dense_shape {dense_shape.name} {rank_s} entries")
        self._indices, self._values, self._dense_shape = indices, values, dense_shape
        known = constant_value(dense_shape)
        rank = rank_i if rank_i is not None else rank_s
        if known is not None:
            self._shape = TensorShape([int(d) if d >= 0 else None for d in np.atleast_1d(known)])
        else:
            self._shape = TensorShape(None if rank is None else [None] * rank)
        SparseTensor._made = True

    @classmethod
    def from_value(cls, sparse_tensor_value) -> SparseTensor:
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        if not isinstance(sparse_tensor_value, SparseTensorValue):
            raise TypeError(f"Neither a SparseTensor nor SparseTensorValue: {sparse_tensor_value!r}.")
        return cls(sparse_tensor_value.indices, sparse_tensor_value.values, sparse_tensor_value.dense_shape)

    # ---- the three tensors and what they tell ---------------------------------------------------
    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def dense_shape(self) -> Tensor:
        return self._dense_shape

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape) -> None:
        given = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        if given.ndims is None:
            return
        if self._shape.ndims is not None and not compatible(self._shape, given):
            raise ValueError(f"Shapes {self._shape} and {given} are incompatible (SparseTensor "
                             f"{self._values.name})")
        mine = self._shape.as_list() if self._shape.ndims is not None else [None] * given.ndims
        self._shape = TensorShape([a if a is not None else b for a, b in zip(mine, given.as_list())])

    @property
    def op(self):
        return self._values.op

    @property
    def graph(self):
        return self._values.graph

    @property
    def name(self) -> str:  # not TF's API, but error messages and repr name the sparse tensor by its values
        return self._values.name

    def consumers(self) -> list:
        seen: list = []
        for t in (self._indices, self._values, self._dense_shape):
            seen.extend(op for op in t.consumers() if op not in seen)
        return seen

    def with_values(self, new_values) -> SparseTensor:
        """The same indices and dense_shape with other values (of the same number of entries)."""
        new_values = convert_to_tensor(new_values)
        made = SparseTensor(self._indices, new_values, self._dense_shape)
        made._shape = self._shape
        return made

    def eval(self, feed_dict=None, session=None) -> SparseTensorValue:
        from dfc.runtime import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. Use `with "
                             "sess.as_default()` or pass an explicit session to `eval(session=sess)`")
        return session.run(self, feed_dict)

    def _dfc_host_fetch(self):
        """Session.run fetches the three tensors and returns them as a SparseTensorValue."""
        return (self._indices, self._values, self._dense_shape), lambda arrays: SparseTensorValue(*arrays)

    # ---- elementwise with a dense tensor: TF defines *, / (and not +, which is tf.sparse.add) ------
    def __mul__(self, other):
        from .ops import sparse_dense_cwise
        return sparse_dense_cwise(self, other, "mul")

    def __truediv__(self, other):
        from .ops import sparse_dense_cwise
        return sparse_dense_cwise(self, other, "div")

    __div__ = __truediv__

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self._indices!r}, values={self._values!r}, "
                f"dense_shape={self._dense_shape!r})")

    __str__ = __repr__

    __hash__ = object.__hash__


def compatible(a: TensorShape, b: TensorShape) -> bool:
    if a.ndims is None or b.ndims is None:
        return True
    return a.ndims == b.ndims and all(x is None or y is None or x == y for x, y in zip(a.as_list(), b.as_list()))


def _int64(value, what: str) -> Tensor:
    if isinstance(value, Tensor):
        if value.dtype is not i64:
            raise ValueError(f"Tensor conversion requested dtype int64 for Tensor {value.name!r} with dtype "
                             f"{value.dtype.name} (SparseTensor {what})")
        return value
    array = np.asarray(value)
    if array.size and array.dtype.kind not in "iu":
        raise TypeError(f"SparseTensor {what} must be integers, got {value!r}")
    return convert_to_tensor(array.astype(np.int64), name=what)


def is_sparse(x: Any) -> bool:
    return isinstance(x, (SparseTensor, SparseTensorValue))


def as_sparse(x: Any, op: str) -> SparseTensor:
    """x as a SparseTensor (a SparseTensorValue becomes constants); anything else is TF's TypeError naming op."""
    if isinstance(x, SparseTensor):
        return x
    if isinstance(x, SparseTensorValue):
        return SparseTensor.from_value(x)
    what = getattr(x, "name", None) or type(x).__name__
    raise TypeError(f"{op}: Input must be a SparseTensor, got {what} ({type(x).__name__})")


def convert_to_tensor_or_sparse_tensor(value, dtype=None, name: str | None = None):
    """A SparseTensor (or SparseTensorValue, made one) as is, anything else through tf.convert_to_tensor."""
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype is not None and as_dtype(dtype) is not value.dtype:
            raise ValueError(f"Sparse dtype: requested = {as_dtype(dtype).name}, actual = {value.dtype.name}")
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


def sparse_placeholder(dtype, shape=None, name: str | None = None) -> SparseTensor:
    """A SparseTensor fed at run time (a SparseTensorValue or an (indices, values, dense_shape) tuple): its
    indices, values and dense_shape are placeholders NAME/indices, NAME/values and NAME/shape."""
    from ..array_ops import placeholder, placeholder_with_default
    dtype = as_dtype(dtype)
    part = (lambda what: f"{name}/{what}") if name is not None else (lambda what: None)
    static = None
    if shape is None:
        rank = None
        dense_shape = placeholder(i64, [None], name=part("shape"))
    elif isinstance(shape, Tensor):
        rank = shape.shape.as_list()[0] if shape.shape.ndims == 1 else None
        dense_shape = placeholder_with_default(shape, shape.shape, name=part("shape"))
    else:
        dims = TensorShape(shape).as_list() if not isinstance(shape, TensorShape) else shape.as_list()
        if dims is None:
            rank, dense_shape = None, placeholder(i64, [None], name=part("shape"))
        else:
            dims = [None if d is None or d < 0 else int(d) for d in dims]
            rank = len(dims)
            static = TensorShape(dims)
            if None in dims:  # a partly known shape: the fed dense_shape decides (TF's default of -1s is no shape)
                dense_shape = placeholder(i64, [rank], name=part("shape"))
            else:
                default = convert_to_tensor(np.array(dims, np.int64), name=part("shape_default"))
                dense_shape = placeholder_with_default(default, [rank], name=part("shape"))
    values = placeholder(dtype, [None], name=part("values"))
    indices = placeholder(i64, [None, rank], name=part("indices"))
    result = SparseTensor(indices, values, dense_shape)
    if static is not None:
        result._shape = static
    return result


def expand_sparse_feeds(feed_dict) -> dict:
    """feed_dict with each SparseTensor key replaced by its three tensors (TF's feeding of a SparseTensor)."""
    expanded: dict = {}
    for key, given in feed_dict.items():
        if not isinstance(key, SparseTensor):
            expanded[key] = given
            continue
        if isinstance(given, SparseTensor):
            raise TypeError(f"The value of a feed cannot be a tf.SparseTensor object (feeding {key.name}); feed "
                            f"a SparseTensorValue or an (indices, values, dense_shape) tuple")
        if not isinstance(given, (SparseTensorValue, tuple, list)) or len(given) != 3:
            raise ValueError(f"Cannot feed the SparseTensor {key.name} with a {type(given).__name__}: feed a "
                            f"tf.SparseTensorValue or an (indices, values, dense_shape) tuple")
        indices, values, dense_shape = given
        expanded[key.indices] = indices
        expanded[key.values] = values
        expanded[key.dense_shape] = dense_shape
    return expanded
