"""tf.keras.preprocessing.sequence: padding lists of sequences into one array, windows over a time series
(TimeseriesGenerator) and word2vec's skip-gram pairs, as TF1's Keras computes them in numpy."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

import numpy as np

from .. import utils as _utils

__all__ = ["TimeseriesGenerator", "make_sampling_table", "pad_sequences", "skipgrams"]


def _lengths_and_step(sequences) -> tuple[list, tuple]:
    """Each sequence's length, and the shape of one step: that of the first non-empty sequence (the others
    are checked against it)."""
    lengths, shape = [], None
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError as e:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {s}") from e
        if shape is None and len(s):
            shape = np.asarray(s).shape[1:]
    return lengths, (() if shape is None else shape)


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """`sequences` as one [len(sequences), maxlen, ...] array: the longer ones cut (at the start with
    truncating='pre', at the end with 'post'), the shorter ones filled with `value` before ('pre') or after."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    lengths, shape = _lengths_and_step(sequences)
    if maxlen is None:
        maxlen = int(np.max(lengths))
    text_dtype = np.issubdtype(dtype, np.str_)
    if isinstance(value, str) and np.dtype(dtype) != np.dtype(object) and not text_dtype:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\nYou should set "
                         f"`dtype=object` for variable length strings.")
    out = np.full((len(sequences), maxlen) + tuple(shape), value, dtype=dtype)
    for row, s in enumerate(sequences):
        if not len(s):
            continue
        if truncating == "pre":
            kept = s[-maxlen:] if maxlen else s[:0]
        elif truncating == "post":
            kept = s[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {row} is different from "
                             f"expected shape {shape}")
        if padding == "post":
            out[row, :len(kept)] = kept
        elif padding == "pre":
            if len(kept):
                out[row, -len(kept):] = kept
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return out


class TimeseriesGenerator(_utils.Sequence):
    """Batches of (windows of `length` steps of `data`, the target of the step after each window), a
    keras Sequence: len() batches, indexed. Windows take every `sampling_rate`-th step; consecutive windows
    start `stride` steps apart; shuffle draws the window ends with numpy's global generator."""

    def __init__(self, data, targets, length: int, sampling_rate: int = 1, stride: int = 1, start_index: int = 0,
                 end_index: int | None = None, shuffle: bool = False, reverse: bool = False,
                 batch_size: int = 128):
        if len(data) != len(targets):
            raise ValueError(f"Data and targets have to be of same length. Data length is {len(data)} while target "
                             f"length is {len(targets)}")
        self.data, self.targets, self.length = data, targets, length
        self.sampling_rate, self.stride = sampling_rate, stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle, self.reverse, self.batch_size = shuffle, reverse, batch_size
        if self.start_index > self.end_index:
            raise ValueError(f"`start_index+length={self.start_index} > end_index={self.end_index}` is disallowed, "
                             f"as no part of the sequence would be left to be used as current step.")

    def __len__(self) -> int:
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index: int):
        if self.shuffle:
            ends = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            first = self.start_index + self.batch_size * self.stride * index
            ends = np.arange(first, min(first + self.batch_size * self.stride, self.end_index + 1), self.stride)
        samples = np.array([self.data[end - self.length:end:self.sampling_rate] for end in ends])
        targets = np.array([self.targets[end] for end in ends])
        return (samples[:, ::-1, ...], targets) if self.reverse else (samples, targets)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def on_epoch_end(self) -> None:
        """Nothing changes between epochs (shuffling draws anew on every batch)."""

    def get_config(self) -> dict:
        def as_json(values, what: str) -> str:
            plain = values.tolist() if type(values).__module__ == np.__name__ else values
            try:
                return json.dumps(plain)
            except TypeError as e:
                raise TypeError(f"{what} not JSON Serializable:", plain) from e
        return {"data": as_json(self.data, "Data"), "targets": as_json(self.targets, "Targets"),
                "length": self.length, "sampling_rate": self.sampling_rate, "stride": self.stride,
                "start_index": self.start_index, "end_index": self.end_index, "shuffle": self.shuffle,
                "reverse": self.reverse, "batch_size": self.batch_size}

    def to_json(self, **kwargs) -> str:
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """word2vec's probability of keeping the word of each frequency rank, its frequency taken from Zipf's law."""
    gamma = 0.577  # Euler-Mascheroni, to the precision Keras uses
    rank = np.arange(size)
    rank[0] = 1
    inverse_frequency = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inverse_frequency
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence: Sequence[int], vocabulary_size: int, window_size: int = 4, negative_samples: float = 1.0,
              shuffle: bool = True, categorical: bool = False, sampling_table=None, seed=None):
    """(word, neighbour) pairs labelled 1 for each word of `sequence` and those within `window_size` of it,
    then (word, random word) pairs labelled 0, `negative_samples` times as many; index 0 is no word.
    Draws come from Python's `random` in Keras's order, so a script seeding it gets Keras's pairs."""
    couples, labels = [], []
    positive = [0, 1] if categorical else 1
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append(positive)
    if negative_samples > 0:
        count = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, int(vocabulary_size - 1))] for i in range(count)]
        labels += [[1, 0] if categorical else 0 for _ in range(count)]
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels
