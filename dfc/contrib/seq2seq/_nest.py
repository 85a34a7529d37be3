"""Nested structures for tf.contrib.seq2seq: tf.nest without its sequence-type checks (a cell's state tuple
and a plain tuple of its sizes count as one structure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import nest
from ...nest import flatten, is_sequence, pack_sequence_as


def assert_same_structure(a: Any, b: Any, what: str) -> None:
    try:
        nest.assert_same_structure(a, b, check_types=False)
    except ValueError as e:
        raise ValueError(f"{what}: {e}" if what else str(e)) from None


def map_structure(fn: Callable, *structures: Any) -> Any:
    flats = [flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats):
        raise ValueError("The two structures don't have the same number of elements: "
                         + ", ".join(str(len(f)) for f in flats))
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])


__all__ = ["assert_same_structure", "flatten", "is_sequence", "map_structure", "pack_sequence_as"]
