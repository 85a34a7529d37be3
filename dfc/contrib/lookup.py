"""tf.contrib.lookup: TF1's lookup tables, vocabulary index tables and their initializers (dfc/lookup_ops.py)."""

from __future__ import annotations

from ..lookup_ops import (HashTable, IdTableWithHashBuckets, KeyValueTensorInitializer, TextFileIdTableInitializer,
                          TextFileIndex, TextFileInitializer, TextFileStringTableInitializer, index_table_from_file,
                          index_table_from_tensor, index_to_string_table_from_file,
                          index_to_string_table_from_tensor)

__all__ = ["HashTable", "IdTableWithHashBuckets", "KeyValueTensorInitializer", "TextFileIdTableInitializer",
           "TextFileIndex", "TextFileInitializer", "TextFileStringTableInitializer", "index_table_from_file",
           "index_table_from_tensor", "index_to_string_table_from_file", "index_to_string_table_from_tensor"]
