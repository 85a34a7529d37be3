"""tf.lookup: TF's lookup tables and their initializers (dfc/lookup_ops.py)."""

from __future__ import annotations

import types

from .lookup_ops import (KeyValueTensorInitializer, StaticHashTable, StaticVocabularyTable, TextFileIndex,
                         TextFileInitializer)

experimental = types.ModuleType("dfc.lookup.experimental", "tf.lookup.experimental: TF's other table names.")
experimental.StaticHashTable = StaticHashTable
experimental.StaticVocabularyTable = StaticVocabularyTable

__all__ = ["KeyValueTensorInitializer", "StaticHashTable", "StaticVocabularyTable", "TextFileIndex",
           "TextFileInitializer", "experimental"]
