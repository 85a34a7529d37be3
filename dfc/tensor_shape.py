"""TensorShape and Dimension: a tensor's static shape as TF1 shows it, with unknown dims as None.

As in TF1, an unknown Dimension compares as unknown: `Dimension(None) == 3` is None (neither
True nor False), and arithmetic with it gives Dimension(None). tf.enable_v2_tensorshape() makes
indexing and iterating a TensorShape give ints (None for unknown), as TF2 does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

_v2_behavior = False


def set_v2_behavior(enabled: bool) -> None:
    """tf.enable_v2_tensorshape / disable_v2_tensorshape: ints instead of Dimensions from a TensorShape."""
    global _v2_behavior
    _v2_behavior = bool(enabled)


def _value_of(other: Any) -> Any:
    """An int or None for an operand of a Dimension's arithmetic or comparison (NotImplemented if it is none)."""
    if isinstance(other, Dimension):
        return other.value
    if other is None:
        return None
    try:
        return int(other.__index__())
    except (AttributeError, TypeError):
        return NotImplemented


class Dimension:
    """One dim of a TensorShape; `.value` is an int or None (TF1's Dimension)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        if isinstance(value, Dimension):
            value = value.value
        if value is None:
            self.value = None
            return
        try:
            number = int(value.__index__())
        except (AttributeError, TypeError):
            raise TypeError(f"Dimension value must be integer or None or have an __index__ method, got value "
                            f"'{value!r}' with type '{type(value)}'") from None
        if number < 0:
            raise ValueError(f"Dimension {number} must be >= 0")
        self.value = number

    def __int__(self) -> int:
        if self.value is None:
            raise TypeError("__int__ returned non-int (type NoneType): the Dimension is unknown")
        return self.value

    __index__ = __int__

    def __bool__(self) -> bool:
        return bool(self.value)

    def is_compatible_with(self, other: Any) -> bool:
        other = as_dimension(other)
        return self.value is None or other.value is None or self.value == other.value

    def assert_is_compatible_with(self, other: Any) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {as_dimension(other)} are not compatible")

    def merge_with(self, other: Any) -> Dimension:
        other = as_dimension(other)
        self.assert_is_compatible_with(other)
        return Dimension(self.value if self.value is not None else other.value)

    def _compare(self, other: Any, test: Callable[[int, int], bool]) -> Any:
        value = _value_of(other)
        if value is NotImplemented:
            return NotImplemented
        return None if self.value is None or value is None else test(self.value, value)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self._compare(other, lambda a, b: a != b)

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a >= b)

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Dimension({self.value})"

    def __str__(self) -> str:
        return "?" if self.value is None else str(self.value)

    def _arith(self, other: Any, fn: Callable[[int, int], int], reflected: bool = False) -> Any:
        value = _value_of(other)
        if value is NotImplemented:
            return NotImplemented
        if self.value is None or value is None:
            return Dimension(None)
        return Dimension(fn(value, self.value) if reflected else fn(self.value, value))

    def __add__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a + b)

    def __radd__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a + b, reflected=True)

    def __sub__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a - b)

    def __rsub__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a - b, reflected=True)

    def __mul__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a * b)

    def __rmul__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a * b, reflected=True)

    def __floordiv__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a // b)

    def __rfloordiv__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a // b, reflected=True)

    def __mod__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a % b)

    def __rmod__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: a % b, reflected=True)

    def __truediv__(self, other: Any) -> Any:
        raise TypeError(f"unsupported operand type(s) for /: 'Dimension' and '{type(other).__name__}', "
                        f"please use // instead")

    def __rtruediv__(self, other: Any) -> Any:
        raise TypeError(f"unsupported operand type(s) for /: '{type(other).__name__}' and 'Dimension', "
                        f"please use // instead")

    def __reduce__(self) -> Any:
        return Dimension, (self.value,)


def as_dimension(value: Any) -> Dimension:
    """value as a Dimension (TF's tf.compat.v1.dimension conversion)."""
    return value if isinstance(value, Dimension) else Dimension(value)


def _dims_of(dims: Any) -> tuple[int | None, ...] | None:
    if dims is None:
        return None
    if isinstance(dims, TensorShape):
        return dims._dims
    if hasattr(dims, "dim") and hasattr(dims, "unknown_rank"):  # a TensorShapeProto
        return None if dims.unknown_rank else tuple(None if d.size == -1 else int(d.size) for d in dims.dim)
    try:
        items = list(dims)
    except TypeError:
        items = [dims]  # TF treats a single value as a shape of one dimension
    return tuple(Dimension(d).value for d in items)


class TensorShape:
    """A static shape with possibly unknown dims: `as_list()`, `ndims`, indexing gives Dimensions."""

    def __init__(self, dims: Any):
        self._dims = _dims_of(dims)

    @property
    def dims(self) -> list[Any] | None:
        if self._dims is None:
            return None
        return list(self._dims) if _v2_behavior else [Dimension(d) for d in self._dims]

    @property
    def ndims(self) -> int | None:
        return None if self._dims is None else len(self._dims)

    rank = ndims

    def as_list(self) -> list[int | None]:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def as_tuple(self) -> tuple[int | None, ...]:
        return tuple(self.as_list())

    def as_proto(self) -> Any:
        from tensorboard.compat.proto import tensor_shape_pb2
        proto = tensor_shape_pb2.TensorShapeProto()
        if self._dims is None:
            proto.unknown_rank = True
        else:
            for d in self._dims:
                proto.dim.add().size = -1 if d is None else d
        return proto

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d is not None for d in self._dims)

    def assert_is_fully_defined(self) -> None:
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    def num_elements(self) -> int | None:
        return int(np.prod(self._dims, dtype=np.int64)) if self.is_fully_defined() else None

    def is_compatible_with(self, other: Any) -> bool:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return True
        return len(self._dims) == len(other._dims) and all(
            a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def assert_is_compatible_with(self, other: Any) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are incompatible")

    def merge_with(self, other: Any) -> TensorShape:
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape([a if a is not None else b for a, b in zip(self._dims, other._dims)])

    def most_specific_compatible_shape(self, other: Any) -> TensorShape:
        other = as_shape(other)
        if self._dims is None or other._dims is None or len(self._dims) != len(other._dims):
            return TensorShape(None)
        return TensorShape([a if a == b else None for a, b in zip(self._dims, other._dims)])

    def concatenate(self, other: Any) -> TensorShape:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def __add__(self, other: Any) -> TensorShape:
        return self.concatenate(other)

    def __radd__(self, other: Any) -> TensorShape:
        return as_shape(other).concatenate(self)

    def assert_has_rank(self, rank: int) -> None:
        if self._dims is not None and len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def assert_same_rank(self, other: Any) -> None:
        other = as_shape(other)
        if self._dims is not None and other._dims is not None and len(self._dims) != len(other._dims):
            raise ValueError(f"Shapes {self} and {other} must have the same rank")

    def with_rank(self, rank: int) -> TensorShape:
        if self._dims is None:
            return TensorShape([None] * rank)
        if len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank: int) -> TensorShape:
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def with_rank_at_most(self, rank: int) -> TensorShape:
        if self._dims is not None and len(self._dims) > rank:
            raise ValueError(f"Shape {self} must have rank at most {rank}")
        return self

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __bool__(self) -> bool:
        return self._dims is not None

    def __iter__(self) -> Iterator[Any]:
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(self.dims or [])

    def __getitem__(self, key: Any) -> Any:
        if self._dims is None:
            if isinstance(key, slice):
                return TensorShape(None)
            return None if _v2_behavior else Dimension(None)
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        value = self._dims[key]
        return value if _v2_behavior else Dimension(value)

    def __eq__(self, other: Any) -> bool:  # type: ignore[override]
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other: Any) -> bool:  # type: ignore[override]
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self._dims)

    def __reduce__(self) -> Any:
        return TensorShape, (None if self._dims is None else list(self._dims),)

    def __repr__(self) -> str:
        if self._dims is None:
            return "TensorShape(None)"
        if _v2_behavior:
            return f"TensorShape({list(self._dims)})"
        return f"TensorShape([{', '.join(f'Dimension({d})' for d in self._dims)}])"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        return "(" + ", ".join("?" if d is None else str(d) for d in self._dims) + \
            ("," if len(self._dims) == 1 else "") + ")"


def as_shape(shape: Any) -> TensorShape:
    """shape as a TensorShape (a list of ints and Nones, a TensorShape, a TensorShapeProto)."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank: int | None = None, **kwargs: Any) -> TensorShape:
    """A shape of unknown dims: of unknown rank, or of `rank` unknown dims."""
    if rank is None and "ndims" in kwargs:
        rank = kwargs.pop("ndims")
    if kwargs:
        raise TypeError(f"unknown_shape got unexpected arguments {sorted(kwargs)}")
    return TensorShape(None if rank is None else [None] * rank)

