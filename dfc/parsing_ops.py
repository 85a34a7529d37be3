"""TF1's parsing ops over tf.string records: tf.decode_csv, tf.train.Example and SequenceExample protos, JSON."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype

from .framework import (Tensor, TensorShape, control_dependencies, convert_to_tensor, make, make_op, name_scope,
                        wrap)
from .string_ops import string_tensor

__all__ = ["FixedLenFeature", "FixedLenSequenceFeature", "SparseFeature", "VarLenFeature", "decode_csv",
           "decode_json_example", "parse_example", "parse_sequence_example", "parse_single_example",
           "parse_single_sequence_example"]

_CSV_DTYPES = ("float32", "float64", "int32", "int64", "string")


def decode_csv(records: Any, record_defaults: Any, field_delim: str = ",", use_quote_delim: bool = True,
               name: str | None = None, na_value: str = "", select_cols: Any = None) -> list[Tensor]:
    """One tensor per column of the CSV `records` (any shape): each column takes its default's dtype, and its
    default where a field is empty or `na_value`; a column whose default is empty is required."""
    if not isinstance(record_defaults, (list, tuple)):
        raise TypeError(f"Expected list for 'record_defaults' argument to 'DecodeCSV' Op, not {record_defaults!r}.")
    if select_cols is not None:
        cols = [int(c) for c in select_cols]
        if any(b <= a for a, b in zip(cols, cols[1:])):
            raise ValueError("select_cols is not strictly increasing.")
        if cols and cols[0] < 0:
            raise ValueError("select_cols contains negative values.")
        if len(cols) != len(record_defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
    else:
        cols = []
    with name_scope(name, "DecodeCSV", [records]) as scope:
        x = string_tensor(records, "records", "DecodeCSV")
        defaults = []
        for i, d in enumerate(record_defaults):
            t = convert_to_tensor(d, name=f"record_defaults_{i}")
            if t.dtype.name not in _CSV_DTYPES:
                raise TypeError(f"Value passed to parameter 'record_defaults' has DataType {t.dtype.name} not in "
                                f"list of allowed values: {', '.join(_CSV_DTYPES)}")
            shape = t.shape.as_list() if t.shape.ndims is not None else None
            if shape is not None and (len(shape) > 1 or (shape and shape[0] is not None and shape[0] > 1)):
                raise ValueError(f"Shape of a default must be a length-0 or length-1 vector, or a scalar: "
                                 f"record_defaults[{i}] of DecodeCSV '{scope[:-1]}' has shape {shape}")
            defaults.append(t)
        op = make_op("dfc.decode_csv", [x, *defaults], {"field_delim": field_delim,
                                                         "use_quote_delim": bool(use_quote_delim),
                                                         "na_value": na_value, "select_cols": cols},
                     name=scope[:-1], exact_name=True)
    return [wrap(r) for r in op.results]


# ---- tf.train.Example and tf.train.SequenceExample ---------------------------------------------------
class FixedLenFeature(collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature of `shape` values in every Example (default_value where one lacks it; None: required)."""

    __slots__ = ()

    def __new__(cls, shape: Any, dtype: Any, default_value: Any = None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(collections.namedtuple("FixedLenSequenceFeature",
                                                     ["shape", "dtype", "allow_missing", "default_value"])):
    """A sequence of steps of `shape` values each: [steps, *shape] per record, padded in a batch with default_value
    (0 or b"" when None). In an Example its values are cut into steps; in a SequenceExample's feature list each
    Feature is a step. allow_missing: a record may lack it (required in parse_example)."""

    __slots__ = ()

    def __new__(cls, shape: Any, dtype: Any, allow_missing: bool = False, default_value: Any = None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of any number of values per Example, parsed into a SparseTensor."""

    __slots__ = ()


class SparseFeature(collections.namedtuple("SparseFeature",
                                           ["index_key", "value_key", "dtype", "size", "already_sorted"])):
    """A SparseTensor of dense shape [*size] (batched: [batch, *size]) built from an Example's int64 index
    feature(s) (one per dim: index_key a list) and its value feature, as tf.sparse_merge joins them."""

    __slots__ = ()

    def __new__(cls, index_key: Any, value_key: str, dtype: Any, size: Any, already_sorted: bool = False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


_EXAMPLE_DTYPES = ("float32", "int64", "string")
_ALLOWED = {"example": (FixedLenFeature, FixedLenSequenceFeature, VarLenFeature, SparseFeature),
            "context": (FixedLenFeature, VarLenFeature), "feature_list": (FixedLenSequenceFeature, VarLenFeature)}


def _feature_dtype(key: str, dtype: Any, param: str = "dense_defaults"):
    if dtype is None:
        raise ValueError(f"Missing type for feature {key}.")
    dtype = as_dtype(dtype)
    if dtype.name not in _EXAMPLE_DTYPES:
        raise TypeError(f"Value passed to parameter '{param}' has DataType {dtype.name} not in list of allowed "
                        f"values: float32, int64, string (feature '{key}')")
    return dtype


def _static_dims(key: str, spec: Any, kind: str) -> list[int]:
    if spec.shape is None:
        raise ValueError(f"Missing shape for feature {key}.")
    dims = TensorShape(spec.shape).as_list() if not isinstance(spec.shape, (list, tuple)) else list(spec.shape)
    dims = [d.value if hasattr(d, "value") else d for d in dims]
    if kind == "FixedLenFeature" and dims and dims[0] is None:
        raise ValueError(f"First dimension of shape for feature {key} unknown. Consider using "
                         f"FixedLenSequenceFeature. Received feature={spec}.")
    if any(d is None for d in dims):
        raise ValueError(f"All dimensions of shape for feature {key} need to be known but received {spec.shape!s}.")
    return [int(d) for d in dims]


def _sparse_keys(features: dict, source: str) -> dict[str, Any]:
    """The keys read as VarLenFeatures (SparseFeatures' index and value keys among them) -> their dtype, checking
    TF's rules: one dtype per key, no key both dense and sparse."""
    sparse: dict[str, Any] = {}

    def add(key: str, dtype: Any) -> None:
        if key in sparse and sparse[key] != dtype:
            raise ValueError(f"Conflicting type {sparse[key].name} vs {dtype.name} for feature {key}.")
        sparse[key] = dtype

    for key in features:
        spec = features[key]
        if not isinstance(spec, _ALLOWED[source]):
            if isinstance(spec, (FixedLenFeature, FixedLenSequenceFeature, VarLenFeature, SparseFeature)):
                raise ValueError(f"Unsupported {type(spec).__name__} {spec} for key '{key}'")
            raise ValueError(f"Invalid feature {key}:{spec}.")
        if isinstance(spec, VarLenFeature):
            add(key, _feature_dtype(key, spec.dtype, "sparse_types"))
        elif isinstance(spec, SparseFeature):
            if not spec.index_key:
                raise ValueError(f"Missing index_key for SparseFeature {spec}.")
            if not spec.value_key:
                raise ValueError(f"Missing value_key for SparseFeature {spec}.")
            dtype = _feature_dtype(key, spec.dtype, "sparse_types")
            for index_key in sorted([spec.index_key] if isinstance(spec.index_key, str) else spec.index_key):
                add(index_key, as_dtype("int64"))
            add(spec.value_key, dtype)
    dense = [k for k, spec in features.items() if isinstance(spec, (FixedLenFeature, FixedLenSequenceFeature))]
    if set(dense) & set(sparse):
        raise ValueError(f"Dense and sparse keys must not intersect; dense_keys: {sorted(dense)}, sparse_keys: "
                         f"{sorted(sparse)}, intersection: {set(dense) & set(sparse)}")
    return sparse


def _padding(key: str, spec: Any, dtype: Any) -> Tensor:
    """A FixedLenSequenceFeature's scalar padding value."""
    if spec.default_value is None:
        return convert_to_tensor(b"" if dtype.is_string else np.zeros((), dtype.np), dtype=dtype,
                                 name=f"padding_{key}")
    value = convert_to_tensor(spec.default_value, dtype=dtype, name=f"padding_{key}")
    if value.shape.ndims is not None and value.shape.num_elements() != 1:
        raise ValueError(f"Cannot reshape a tensor with {value.shape.num_elements()} elements to shape [] (1 "
                         f"elements): the default_value of FixedLenSequenceFeature '{key}' must be one padding "
                         f"value")
    from .array_ops import reshape
    return reshape(value, [])


def _dense(x: Tensor, key: str, spec: Any, dtype: Any, source: str) -> Tensor:
    shape = _static_dims(key, spec, "FixedLenFeature")
    required = spec.default_value is None
    value = np.zeros((), dtype.np) if required and not dtype.is_string else (b"" if required else spec.default_value)
    default_t = convert_to_tensor(value, dtype=dtype, name=f"{key}_default")
    known = default_t.shape.as_list() if default_t.shape.ndims is not None else None
    if not required and known not in ([], shape) and int(np.prod(known)) != int(np.prod(shape)):
        raise ValueError(f"default_value of feature '{key}' has shape {known}, the feature {shape}")
    if not required and known not in ([], shape):
        from .array_ops import reshape
        default_t = reshape(default_t, shape)
    return make("dfc.parse_example_dense", [x, default_t], {"key": key, "shape": shape, "required": required,
                                                            "source": source}, name=key)


def _sequence(x: Tensor, key: str, spec: Any, dtype: Any, source: str) -> tuple[Tensor, dict]:
    """A FixedLenSequenceFeature's padded tensor, and the attributes of its ops."""
    attrs = {"key": key, "dtype": dtype, "source": source, "elem_shape": _static_dims(key, spec, "sequence"),
             "allow_missing": bool(spec.allow_missing)}
    padding = _padding(key, spec, dtype)
    shape = make("dfc.parse_example_seq_shape", [x], attrs, name=f"{key}_shape")
    return make("dfc.dynamic_parse_example_seq", [x, padding, shape], attrs, name=key), attrs


def _varlen(x: Tensor, key: str, dtype: Any, source: str):
    from .sparse.tensor import SparseTensor
    attrs = {"key": key, "dtype": dtype, "source": source}
    count = make("dfc.parse_example_varlen_count", [x], attrs, name=f"{key}_count")
    shape = make("dfc.parse_example_varlen_shape", [x], attrs, name=f"{key}_shape")
    op = make_op("dfc.dynamic_parse_example_varlen", [x, count], attrs, name=key)
    return SparseTensor(*(wrap(r) for r in op.results), shape)


def _sparse_feature(key: str, spec: SparseFeature, parsed: dict):
    """A SparseFeature from its parsed index and value features: tf.sparse_merge's join, one index key per dim."""
    from .array_ops import concat, reshape, size
    from .debugging import Assert
    from .math_ops import equal
    from .sparse.structure import sparse_reorder
    from .sparse.tensor import SparseTensor
    one_key = isinstance(spec.index_key, str)
    index_keys = [spec.index_key] if one_key else list(spec.index_key)
    sizes = [spec.size] if one_key or not isinstance(spec.size, (list, tuple)) else list(spec.size)
    if len(sizes) != len(index_keys):
        raise ValueError(f"SparseFeature '{key}': len(vocab_size) != len(sp_ids): {len(sizes)} vs {len(index_keys)}")
    with name_scope(None, "SparseMerge"):
        first, values = parsed[index_keys[0]], parsed[spec.value_key].values
        columns = [reshape(parsed[k].values, [-1, 1]) for k in index_keys]
        counts = [size(first.values, out_type="int64"), size(values, out_type="int64")]
        check = Assert(equal(*counts), [f"Number of elements in indices and values of SparseFeature '{key}' (index "
                                        f"feature '{index_keys[0]}', value feature '{spec.value_key}') do not match:",
                                        *counts])
        with control_dependencies([check]):
            indices = concat([first.indices[:, :-1], *columns], 1)
        dense_shape = concat([first.dense_shape[:-1], convert_to_tensor([int(s) for s in sizes], dtype="int64")], 0)
        merged = SparseTensor(indices, values, dense_shape)
        return merged if spec.already_sorted else sparse_reorder(merged)


def _parse_features(x: Tensor, features: dict | None, source: str, lengths: dict | None = None) -> dict:
    """`features` read from the serialized records x (an Example's features, a SequenceExample's context or its
    feature lists); `lengths` gets each FixedLenSequenceFeature's steps per record."""
    features = dict(features or {})
    sparse = _sparse_keys(features, source)
    out: dict = {}
    for key in sorted(sparse):
        out[key] = _varlen(x, key, sparse[key], source)
    for key in sorted(features):
        spec = features[key]
        if isinstance(spec, FixedLenFeature):
            out[key] = _dense(x, key, spec, _feature_dtype(key, spec.dtype), source)
        elif isinstance(spec, FixedLenSequenceFeature):
            if source == "example" and not spec.allow_missing:
                raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing to be True.")
            if source == "feature_list" and spec.default_value is not None:
                raise ValueError(f"Value feature_list.dense_defaults[{key}] must be None")
            out[key], attrs = _sequence(x, key, spec, _feature_dtype(key, spec.dtype), source)
            if lengths is not None:
                lengths[key] = make("dfc.parse_example_seq_lengths", [x], attrs, name=f"{key}_lengths")
    for key in sorted(features):
        spec = features[key]
        if isinstance(spec, SparseFeature):
            out[key] = _sparse_feature(key, spec, out)
    return {key: out[key] for key in features}


def _serialized_of_rank(serialized: Any, rank: int, param: str, op: str, what: str) -> Tensor:
    x = string_tensor(serialized, param, op)
    if x.shape.ndims is not None and x.shape.ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {x.shape.ndims}: {what}'s {param} {x.name} must be "
                         f"a {'scalar' if rank == 0 else 'vector'}")
    if x.shape.ndims is None and rank == 0:  # TF checks a scalar at run time, and the outputs get their shapes
        from .array_ops import identity, rank as rank_of
        from .debugging import Assert
        from .math_ops import equal
        check = Assert(equal(rank_of(x), 0), [f"Input {param} must be a scalar"], name=f"{param.capitalize()}IsScalar")
        with control_dependencies([check]):
            x = identity(x, name=f"{param}Dependencies")
        x.set_shape([])
    return x


def _check_features(features: Any) -> None:
    if not features:
        raise ValueError(f"Argument `features` cannot be None or falsy. Got {features}")
    if not isinstance(features, dict):
        raise ValueError(f"features must be a dict of FixedLenFeature / VarLenFeature, got {features!r}")


def parse_example(serialized: Any, features: dict, name: str | None = None, example_names: Any = None) -> dict:
    """A vector of serialized tf.train.Examples parsed into a dict: FixedLenFeature -> [batch, *shape] tensors,
    FixedLenSequenceFeature -> [batch, longest, *shape] padded tensors, VarLenFeature -> SparseTensors
    [batch, longest], SparseFeature -> SparseTensors [batch, *size]."""
    _check_features(features)
    with name_scope(name, "ParseExample", [serialized]):
        x = _serialized_of_rank(serialized, 1, "serialized", "ParseExample", "parse_example")
        return _parse_features(x, features, "example")


def parse_single_example(serialized: Any, features: dict, name: str | None = None,
                         example_names: Any = None) -> dict:
    """One serialized tf.train.Example parsed into a dict: FixedLenFeature -> tensors of its shape,
    FixedLenSequenceFeature -> [steps, *shape], VarLenFeature -> 1-D SparseTensors, SparseFeature -> SparseTensors
    of dense shape size."""
    _check_features(features)
    with name_scope(name, "ParseSingleExample", [serialized]):
        x = _serialized_of_rank(serialized, 0, "serialized", "ParseSingleExample", "parse_single_example")
        return _parse_features(x, features, "example")


def _sequence_example(serialized: Any, context_features: dict | None, sequence_features: dict | None,
                      lengths: dict | None, rank: int, op: str) -> tuple[dict, dict]:
    if not (context_features or sequence_features):
        raise ValueError("Both context_features and sequence_features are None, but at least one should have "
                         "values.")
    for specs in (context_features, sequence_features):
        if specs is not None and not isinstance(specs, dict):
            raise ValueError(f"context_features and sequence_features must be dicts of features, got {specs!r}")
    x = _serialized_of_rank(serialized, rank, "serialized", op,
                            "parse_single_sequence_example" if rank == 0 else "parse_sequence_example")
    context = _parse_features(x, context_features, "context")
    return context, _parse_features(x, sequence_features, "feature_list", lengths)


def parse_single_sequence_example(serialized: Any, context_features: dict | None = None,
                                  sequence_features: dict | None = None, example_name: Any = None,
                                  name: str | None = None) -> tuple[dict, dict]:
    """One serialized tf.train.SequenceExample parsed into (context, feature_lists) dicts: context FixedLenFeature
    -> tensors, FixedLenSequenceFeature -> [steps, *shape] (a missing list is empty when allow_missing, else an
    error), VarLenFeature -> SparseTensors ([n] in the context, [steps, longest] in a feature list)."""
    with name_scope(name, "ParseSingleSequenceExample", [serialized]):
        return _sequence_example(serialized, context_features, sequence_features, None, 0,
                                 "ParseSingleSequenceExample")


def parse_sequence_example(serialized: Any, context_features: dict | None = None,
                           sequence_features: dict | None = None, example_names: Any = None,
                           name: str | None = None) -> tuple[dict, dict, dict]:
    """A vector of serialized tf.train.SequenceExamples parsed into (context, feature_lists, lengths): feature
    lists padded to the batch's longest ([batch, steps, *shape], zeros or b"" after a record's end), lengths the
    steps of each record's FixedLenSequenceFeatures."""
    lengths: dict = {}
    with name_scope(name, "ParseSequenceExample", [serialized]):
        context, lists = _sequence_example(serialized, context_features, sequence_features, lengths, 1,
                                           "ParseSequenceExample")
    return context, lists, lengths


def decode_json_example(json_examples: Any, name: str | None = None) -> Tensor:
    """JSON-encoded tf.train.Examples (any shape) as binary serialized Examples, what parse_example reads."""
    x = string_tensor(json_examples, "json_examples", "DecodeJSONExample")
    return make("dfc.decode_json_example", [x], {}, name=name or "DecodeJSONExample")
