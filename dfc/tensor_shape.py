"""TensorShape and Dimension: a tensor's static shape as TF1 shows it, with unknown dims as None."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Dimension:
    """One dim of a TensorShape; `.value` is an int or None (TF1's Dimension)."""

    __slots__ = ("value",)

    def __init__(self, value: int | None):
        self.value = None if value is None else int(value)

    def __int__(self) -> int:
        if self.value is None:
            raise ValueError("cannot convert an unknown Dimension to an int")
        return self.value

    __index__ = __int__

    def __eq__(self, other) -> bool:
        other = other.value if isinstance(other, Dimension) else other
        return self.value == other

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Dimension({self.value})"

    def __str__(self) -> str:
        return "?" if self.value is None else str(self.value)

    def _arith(self, other, fn):
        other = other.value if isinstance(other, Dimension) else other
        return Dimension(None if self.value is None or other is None else fn(self.value, other))

    def __mul__(self, other):
        return self._arith(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __add__(self, other):
        return self._arith(other, lambda a, b: a + b)

    __radd__ = __add__

    def __floordiv__(self, other):
        return self._arith(other, lambda a, b: a // b)


class TensorShape:
    """A static shape with possibly unknown dims: `as_list()`, `ndims`, indexing gives Dimensions."""

    def __init__(self, dims: Sequence[int | None] | None):
        self._dims = None if dims is None else tuple(None if d is None else int(d) for d in dims)

    @property
    def dims(self) -> list[Dimension] | None:
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    @property
    def ndims(self) -> int | None:
        return None if self._dims is None else len(self._dims)

    rank = ndims

    def as_list(self) -> list[int | None]:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape")
        return list(self._dims)

    def as_tuple(self) -> tuple[int | None, ...]:
        return tuple(self.as_list())

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d is not None for d in self._dims)

    def num_elements(self) -> int | None:
        return int(np.prod(self._dims)) if self.is_fully_defined() else None

    def __len__(self) -> int:
        return len(self.as_list())

    def __iter__(self):
        return iter(Dimension(d) for d in self.as_list())

    def __getitem__(self, key):
        if isinstance(key, slice):
            return TensorShape(self.as_list()[key])
        return Dimension(self.as_list()[key])

    def __eq__(self, other) -> bool:
        if isinstance(other, TensorShape):
            return self._dims == other._dims
        try:
            return self._dims == tuple(other)
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self._dims)

    def __repr__(self) -> str:
        return f"TensorShape({list(self._dims) if self._dims is not None else None})"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        return "(" + ", ".join("?" if d is None else str(d) for d in self._dims) + \
            ("," if len(self._dims) == 1 else "") + ")"
