"""Value types of the IR: ranked tensors with possibly unknown dims, and the control token."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .dtypes import DType


@dataclass(frozen=True)
class TensorType:
    """`tensor<100x?xf32>`: a dtype and a shape whose unknown dims are None.

    A shape of None is an unranked tensor, `tensor<*xf32>` (TF1's placeholder without a
    shape); a Session's specialize pass gives it the fed rank and dims before any
    pass or backend sees it.
    """

    dtype: DType
    shape: tuple[int | None, ...] | None

    def __post_init__(self):
        if self.shape is not None:
            object.__setattr__(self, "shape", tuple(None if d is None else int(d) for d in self.shape))

    @property
    def rank(self) -> int | None:
        return None if self.shape is None else len(self.shape)

    @property
    def is_ranked(self) -> bool:
        return self.shape is not None

    @property
    def is_static(self) -> bool:
        return self.shape is not None and all(d is not None for d in self.shape)

    @property
    def num_elements(self) -> int | None:
        if self.shape is None:
            return None
        n = 1
        for d in self.shape:
            if d is None:
                return None
            n *= d
        return n

    def with_shape(self, shape: Iterable[int | None] | None) -> TensorType:
        return TensorType(self.dtype, None if shape is None else tuple(shape))

    def with_dtype(self, dtype: DType) -> TensorType:
        return TensorType(dtype, self.shape)

    def accepts_shape(self, shape: tuple[int, ...]) -> bool:
        """Whether a concrete array shape fits this (possibly partial) type."""
        if self.shape is None:
            return True
        return len(shape) == len(self.shape) and all(d is None or d == s for d, s in zip(self.shape, shape))

    def __str__(self) -> str:
        if self.shape is None:
            return f"tensor<*x{self.dtype.mlir}>"
        dims = "".join(("?" if d is None else str(d)) + "x" for d in self.shape)
        return f"tensor<{dims}{self.dtype.mlir}>"


@dataclass(frozen=True)
class ControlType:
    """`!dfc.control`: the result of an op that only orders execution (group, no_op)."""

    def __str__(self) -> str:
        return "!dfc.control"


CONTROL = ControlType()

Type = TensorType | ControlType

