"""All op declarations, one module per family; importing this package registers them."""

from . import comm, control, dynamic, elementwise, linalg, nn, random, reduce, shape, sparse, state  # noqa: F401
from .registry import REGISTRY, Attr, OpDef, get_op_def, register

__all__ = ["REGISTRY", "Attr", "OpDef", "get_op_def", "register"]
