"""Shared by imdb and reuters: TF's index shifting, maxlen filter and vocabulary cut of word-index sequences."""

from __future__ import annotations

import json

import numpy as np

from ..utils import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def remove_long_seq(maxlen: int, seqs: list, labels) -> tuple[list, list]:
    """Keeps only the sequences shorter than `maxlen` (TF drops, it does not truncate)."""
    kept = [(x, y) for x, y in zip(seqs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def shift(xs: list, start_char, index_from: int) -> list:
    """`start_char` first, then each word id moved up by `index_from` (ids below it stay reserved)."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    return xs


def vocabulary_cut(xs: list, num_words, skip_top: int, oov_char) -> list:
    """Ids outside [skip_top, num_words) become `oov_char`, or are dropped when it is None."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def object_array(seqs: list) -> np.ndarray:
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = list(s)
    return out


def word_index(path: str, name: str) -> dict:
    with open(get_file(path, origin=ORIGIN + name)) as f:
        return json.load(f)


def reject_kwargs(kwargs: dict) -> None:
    kwargs.pop("nb_words", None)
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
