"""Value types of the IR: ranked tensors with possibly unknown dims, and the control token."""

from __future__ import annotations

from dataclasses import dataclass

from .dtypes import DType


@dataclass(frozen=True)
class TensorType:
    """`tensor<100x?xf32>`: a dtype and a shape whose unknown dims are None."""

    dtype: DType
    shape: tuple[int | None, ...]

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(None if d is None else int(d) for d in self.shape))

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def is_static(self) -> bool:
        return all(d is not None for d in self.shape)

    @property
    def num_elements(self) -> int | None:
        n = 1
        for d in self.shape:
            if d is None:
                return None
            n *= d
        return n

    def with_shape(self, shape) -> TensorType:
        return TensorType(self.dtype, tuple(shape))

    def with_dtype(self, dtype: DType) -> TensorType:
        return TensorType(dtype, self.shape)

    def accepts_shape(self, shape: tuple[int, ...]) -> bool:
        """Whether a concrete array shape fits this (possibly partial) type."""
        return len(shape) == len(self.shape) and all(d is None or d == s for d, s in zip(self.shape, shape))

    def __str__(self) -> str:
        dims = "".join(("?" if d is None else str(d)) + "x" for d in self.shape)
        return f"tensor<{dims}{self.dtype.mlir}>"


@dataclass(frozen=True)
class ControlType:
    """`!dfc.control`: the result of an op that only orders execution (group, no_op)."""

    def __str__(self) -> str:
        return "!dfc.control"


CONTROL = ControlType()

Type = TensorType | ControlType


def shape_str(shape) -> str:
    """A shape as TF prints it: (100, ?) style with None for unknown dims."""
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
