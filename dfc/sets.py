"""tf.sets: set operations over the last dim of dense tensors or SparseTensors (dfc/sparse/sets.py)."""

from .sparse.sets import (difference, intersection, set_difference, set_intersection, set_size,  # noqa: F401
                          set_union, size, union)

__all__ = ["difference", "intersection", "set_difference", "set_intersection", "set_size", "set_union", "size",
           "union"]
