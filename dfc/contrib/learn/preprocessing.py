"""tf.contrib.learn.preprocessing: VocabularyProcessor, which maps documents to fixed-length word-id vectors.

The tokenizer, the vocabulary's id order and min_frequency trimming, padding with id 0 (the unknown
token's) and truncation at max_document_length are TF1's, so ids, and pickled processors from
`save`/`restore`, are what TF1 scripts (text-CNN classifiers and their eval.py) expect.
"""

from __future__ import annotations

import collections
import pickle
import re
from collections.abc import Callable, Iterable, Iterator

import numpy as np

#: TF1's tokenizer: runs of capitals, capitalised words before another capital, and word characters with ' and -
TOKENIZER_RE = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z][a-z]+(?=[A-Z])|['\w\-]+", re.UNICODE)


def tokenizer(iterator: Iterable[str]) -> Iterator[list[str]]:
    """Each document's tokens."""
    for value in iterator:
        yield TOKENIZER_RE.findall(value)


class CategoricalVocabulary:
    """Categories to ids: the unknown token is 0, others numbered in the order first seen until frozen."""

    def __init__(self, unknown_token: str = "<UNK>", support_reverse: bool = True):
        self._unknown_token = unknown_token
        self._mapping = {unknown_token: 0}
        self._support_reverse = support_reverse
        if support_reverse:
            self._reverse_mapping = [unknown_token]
        self._freq: dict = collections.defaultdict(int)
        self._freeze = False

    def __len__(self) -> int:
        return len(self._mapping)

    def freeze(self, freeze: bool = True) -> None:
        """A frozen vocabulary maps new categories to the unknown id instead of adding them."""
        self._freeze = freeze

    def get(self, category) -> int:
        """The id of `category`, added first unless the vocabulary is frozen (then 0)."""
        if category not in self._mapping:
            if self._freeze:
                return 0
            self._mapping[category] = len(self._mapping)
            if self._support_reverse:
                self._reverse_mapping.append(category)
        return self._mapping[category]

    def add(self, category, count: int = 1) -> None:
        """Count `count` more sightings of `category` (adding it)."""
        category_id = self.get(category)
        if category_id <= 0:
            return
        self._freq[category] += count

    def trim(self, min_frequency: int, max_frequency: int = -1) -> None:
        """Keep the categories seen more than min_frequency times (and fewer than max_frequency, if positive),
        renumbered by falling frequency, ties by category."""
        ordered = sorted(sorted(self._freq.items(), key=lambda x: (isinstance(x[0], str), x[0])),
                         key=lambda x: x[1], reverse=True)
        self._mapping = {self._unknown_token: 0}
        if self._support_reverse:
            self._reverse_mapping = [self._unknown_token]
        idx = 1
        for category, count in ordered:
            if max_frequency > 0 and count >= max_frequency:
                continue
            if count <= min_frequency:
                break
            self._mapping[category] = idx
            idx += 1
            if self._support_reverse:
                self._reverse_mapping.append(category)
        self._freq = dict(ordered[:idx - 1])

    def reverse(self, class_id: int):
        """The category of an id."""
        if not self._support_reverse:
            raise ValueError("This vocabulary wasn't initialized with support_reverse to support reverse() function.")
        return self._reverse_mapping[class_id]


class VocabularyProcessor:
    """Documents to vectors of max_document_length word ids (0-padded, truncated), by a vocabulary it fits."""

    def __init__(self, max_document_length: int, min_frequency: int = 0,
                 vocabulary: CategoricalVocabulary | None = None,
                 tokenizer_fn: Callable[[Iterable[str]], Iterable[list[str]]] | None = None):
        self.max_document_length = max_document_length
        self.min_frequency = min_frequency
        self.vocabulary_ = vocabulary if vocabulary is not None else CategoricalVocabulary()
        self._tokenizer = tokenizer_fn if tokenizer_fn is not None else tokenizer

    def fit(self, raw_documents: Iterable[str], unused_y=None) -> VocabularyProcessor:
        """Add every token of the documents to the vocabulary, trim it by min_frequency, and freeze it."""
        for tokens in self._tokenizer(raw_documents):
            for token in tokens:
                self.vocabulary_.add(token)
        if self.min_frequency > 0:
            self.vocabulary_.trim(self.min_frequency)
        self.vocabulary_.freeze()
        return self

    def fit_transform(self, raw_documents: Iterable[str], unused_y=None) -> Iterator[np.ndarray]:
        documents = list(raw_documents)
        self.fit(documents)
        return self.transform(documents)

    def transform(self, raw_documents: Iterable[str]) -> Iterator[np.ndarray]:
        """Each document's int64 ids, one per token up to max_document_length, zeros after."""
        for tokens in self._tokenizer(raw_documents):
            word_ids = np.zeros(self.max_document_length, np.int64)
            for idx, token in enumerate(tokens):
                if idx >= self.max_document_length:
                    break
                word_ids[idx] = self.vocabulary_.get(token)
            yield word_ids

    def reverse(self, documents: Iterable[Iterable[int]]) -> Iterator[str]:
        """Each id vector back as a space-joined string of its tokens (padding shows as the unknown token)."""
        for item in documents:
            yield " ".join(self.vocabulary_.reverse(class_id) for class_id in item)

    def save(self, filename: str) -> None:
        from ...gfile import GFile
        with GFile(filename, "wb") as f:
            f.write(pickle.dumps(self))

    @classmethod
    def restore(cls, filename: str) -> VocabularyProcessor:
        from ...gfile import GFile
        with GFile(filename, "rb") as f:
            return pickle.loads(f.read())


class ByteProcessor:
    """Documents to vectors of their UTF-8 bytes (0-padded, truncated at max_document_length)."""

    def __init__(self, max_document_length: int):
        self.max_document_length = max_document_length

    def fit(self, x, y=None) -> ByteProcessor:
        return self

    def fit_transform(self, x, y=None) -> Iterator[np.ndarray]:
        return self.transform(x)

    def transform(self, x: Iterable[str]) -> Iterator[np.ndarray]:
        for document in x:
            data = document.encode("utf-8") if isinstance(document, str) else bytes(document)
            buffer = np.frombuffer(data[:self.max_document_length], dtype=np.uint8)
            yield np.pad(buffer, (0, self.max_document_length - len(buffer)))

    def reverse(self, x: Iterable[np.ndarray]) -> Iterator[str]:
        for data in x:
            document = np.trim_zeros(np.asarray(data, np.uint8), trim="b").tobytes()
            yield document.decode("utf-8")


__all__ = ["ByteProcessor", "CategoricalVocabulary", "VocabularyProcessor", "tokenizer"]
