"""tf.keras.datasets.imdb: load_data from TF's cached ~/.keras/datasets/imdb.npz, get_word_index from
imdb_word_index.json."""

from __future__ import annotations

import numpy as np

from ..utils import get_file
from ._sequences import ORIGIN, object_array, reject_kwargs, remove_long_seq, shift, vocabulary_cut, word_index


def load_data(path: str = "imdb.npz", num_words=None, skip_top: int = 0, maxlen=None, seed: int = 113,
              start_char=1, oov_char=2, index_from: int = 3, **kwargs) -> tuple:
    """TF's processing: train then test shuffled by one RandomState(seed), word ids shifted by `index_from`
    after `start_char`, sequences of length >= maxlen dropped, ids outside [skip_top, num_words) -> oov_char."""
    reject_kwargs(dict(kwargs))
    num_words = kwargs.get("nb_words", num_words)
    with np.load(get_file(path, origin=ORIGIN + "imdb.npz"), allow_pickle=True) as f:
        x_train, labels_train = f["x_train"], f["y_train"]
        x_test, labels_test = f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    x_train = shift(list(x_train), start_char, index_from)
    x_test = shift(list(x_test), start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                             "Increase maxlen.")
    xs = vocabulary_cut([list(x) for x in x_train] + [list(x) for x in x_test], num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    idx = len(x_train)
    return (object_array(xs[:idx]), labels[:idx]), (object_array(xs[idx:]), labels[idx:])


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """word -> index, from the cached JSON file."""
    return word_index(path, "imdb_word_index.json")
