"""tf.nest: flatten, pack and map over nested structures (tuples, namedtuples, lists, dicts) as TF does.

Dicts flatten in sorted key order; None and every other object is one leaf, and so is a TensorArray
(TF's nest treats it as an atom).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def is_nested(seq: Any) -> bool:
    """Whether seq is a structure nest walks into (a list, tuple, namedtuple or mapping), not a leaf."""
    return isinstance(seq, (list, tuple, Mapping))


is_sequence = is_nested


def flatten(structure: Any, expand_composites: bool = False) -> list[Any]:
    """The leaves of structure in nest's order (a leaf alone gives [leaf])."""
    if isinstance(structure, Mapping):
        return [leaf for key in _sorted_keys(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def _sorted_keys(mapping: Mapping) -> list:
    try:
        return sorted(mapping)
    except TypeError as e:
        raise TypeError("nest only supports dicts with sortable keys.") from e


def pack_sequence_as(structure: Any, flat_sequence: Any, expand_composites: bool = False) -> Any:
    """flat_sequence's items in the shape of structure (the inverse of flatten)."""
    if not is_nested(flat_sequence):
        raise TypeError(f"Attempted to pack value:\n  {flat_sequence!r}\ninto a structure, but found incompatible "
                        f"type `{type(flat_sequence).__name__}` instead.")
    flat = list(flat_sequence)
    count = len(flatten(structure))
    if count != len(flat):
        raise ValueError(f"Could not pack sequence. Structure had {count} atoms, but flat_sequence had "
                         f"{len(flat)} items. Structure: {structure!r}, flat_sequence: {flat!r}.")
    leaves = iter(flat)

    def build(s: Any) -> Any:
        if isinstance(s, Mapping):
            built = {k: build(s[k]) for k in _sorted_keys(s)}
            return type(s)((k, built[k]) for k in s)
        if isinstance(s, (list, tuple)):
            items = [build(x) for x in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        return next(leaves)
    return build(structure)


def assert_same_structure(nest1: Any, nest2: Any, check_types: bool = True, expand_composites: bool = False) -> None:
    """ValueError when the two differ in nesting or length; TypeError when check_types and a sequence's type
    differs (a list against a tuple, one namedtuple against another)."""
    def walk(x: Any, y: Any) -> None:
        if is_nested(x) != is_nested(y):
            seq, leaf = (x, y) if is_nested(x) else (y, x)
            raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                             f"{nest1!r}\n\nSecond structure: {nest2!r}\n\nMore specifically: Substructure "
                             f"\"{seq!r}\" is a sequence, while substructure \"{leaf!r}\" is not")
        if not is_nested(x):
            return
        if check_types and type(x) is not type(y) and not (isinstance(x, Mapping) and isinstance(y, Mapping)):
            raise TypeError(f"The two structures don't have the same sequence type. Input structure has type "
                            f"{type(x)!r}, while shallow structure has type {type(y)!r}.")
        if isinstance(x, Mapping) or isinstance(y, Mapping):
            if not (isinstance(x, Mapping) and isinstance(y, Mapping)) or set(x) != set(y):
                raise ValueError(f"The two structures don't have the same keys. First structure: {nest1!r}, "
                                 f"second structure: {nest2!r}.")
            for key in _sorted_keys(x):
                walk(x[key], y[key])
            return
        if len(x) != len(y):
            raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: "
                             f"{nest1!r}\n\nSecond structure: {nest2!r}\n\nMore specifically: the sequences "
                             f"have {len(x)} and {len(y)} elements")
        for p, q in zip(x, y):
            walk(p, q)
    walk(nest1, nest2)


def map_structure(func: Callable, *structure: Any, check_types: bool = True, expand_composites: bool = False) -> Any:
    """func applied to the corresponding leaves of the structures, in the first structure's shape."""
    if not callable(func):
        raise TypeError(f"func must be callable, got: {func!r}")
    if not structure:
        raise ValueError("Must provide at least one structure")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*leaves) for leaves in zip(*flats)])


def flatten_with_joined_string_paths(structure: Any, separator: str = "/",
                                     expand_composites: bool = False) -> list[tuple[str, Any]]:
    """(path, leaf) pairs, the path of dict keys and sequence indices joined by separator."""
    out: list[tuple[str, Any]] = []

    def walk(s: Any, path: tuple) -> None:
        if isinstance(s, Mapping):
            for k in _sorted_keys(s):
                walk(s[k], path + (k,))
        elif isinstance(s, (list, tuple)):
            for i, item in enumerate(s):
                walk(item, path + (i,))
        else:
            out.append((separator.join(str(p) for p in path), s))
    walk(structure, ())
    return out


__all__ = ["assert_same_structure", "flatten", "flatten_with_joined_string_paths", "is_nested", "map_structure",
           "pack_sequence_as"]
