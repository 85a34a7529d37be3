"""All op declarations, one module per family; importing this package registers them."""

from . import (comm, control, ctc, debug, dynamic, elementwise, forest, image_boxes, image_codecs, linalg,  # noqa: F401
               lookup, nn, parsing, parsing_sequence, random, reduce, scan, shape, sparse, spectral, state, string_hash,
               strings, value_attrs)
from .registry import FUSIBLE_KINDS, REGISTRY, TRAITS, UNCLASSIFIED, Attr, OpDef, get_op_def, ops_with, register

__all__ = ["FUSIBLE_KINDS", "REGISTRY", "TRAITS", "UNCLASSIFIED", "Attr", "OpDef", "get_op_def", "ops_with",
           "register"]
