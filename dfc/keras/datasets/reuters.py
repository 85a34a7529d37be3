"""tf.keras.datasets.reuters: load_data from TF's cached ~/.keras/datasets/reuters.npz, get_word_index from
reuters_word_index.json."""

from __future__ import annotations

import numpy as np

from ..utils import get_file
from ._sequences import ORIGIN, object_array, reject_kwargs, remove_long_seq, shift, vocabulary_cut, word_index


def load_data(path: str = "reuters.npz", num_words=None, skip_top: int = 0, maxlen=None, test_split: float = 0.2,
              seed: int = 113, start_char=1, oov_char=2, index_from: int = 3, **kwargs) -> tuple:
    """The npz's x and y shuffled with `seed`, processed as imdb's, the last `test_split` fraction as test."""
    reject_kwargs(dict(kwargs))
    num_words = kwargs.get("nb_words", num_words)
    with np.load(get_file(path, origin=ORIGIN + "reuters.npz"), allow_pickle=True) as f:
        xs, labels = f["x"], f["y"]
    indices = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    xs = shift(list(xs), start_char, index_from)
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = vocabulary_cut([list(x) for x in xs], num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return (object_array(xs[:idx]), np.array(labels[:idx])), (object_array(xs[idx:]), np.array(labels[idx:]))


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """word -> index, from the cached JSON file."""
    return word_index(path, "reuters_word_index.json")
