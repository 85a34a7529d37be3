"""All op declarations, one module per family; importing this package registers them."""

from . import comm, control, elementwise, linalg, nn, random, reduce, shape, state  # noqa: F401
from .registry import REGISTRY, Attr, OpDef, get_op_def, register

__all__ = ["REGISTRY", "Attr", "OpDef", "get_op_def", "register"]
