"""Nested structures for tf.contrib.seq2seq: flatten, pack and map over tuples, namedtuples, lists and dicts.

A TensorArray is one leaf (as in TF's nest), unlike the loop-carried view of dfc's control flow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def is_sequence(s: Any) -> bool:
    return isinstance(s, (list, tuple, Mapping))


def flatten(structure: Any) -> list[Any]:
    if isinstance(structure, Mapping):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure: Any, flat: list[Any]) -> Any:
    leaves = iter(flat)

    def build(s):
        if isinstance(s, Mapping):
            return type(s)((k, build(s[k])) for k in sorted(s))
        if isinstance(s, (list, tuple)):
            items = [build(x) for x in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        return next(leaves)
    return build(structure)


def assert_same_structure(a: Any, b: Any, what: str) -> None:
    def same(x, y) -> bool:
        if isinstance(x, Mapping) or isinstance(y, Mapping):
            return isinstance(x, Mapping) and isinstance(y, Mapping) and sorted(x) == sorted(y) and all(
                same(x[k], y[k]) for k in x)
        if is_sequence(x) or is_sequence(y):
            return is_sequence(x) and is_sequence(y) and len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
        return True
    if not same(a, b):
        raise ValueError(f"{what}: the two structures don't have the same nested structure: {a!r} and {b!r}")


def map_structure(fn: Callable, *structures: Any) -> Any:
    flats = [flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats):
        raise ValueError("The two structures don't have the same number of elements: "
                         + ", ".join(str(len(f)) for f in flats))
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])
