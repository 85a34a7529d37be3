"""TF1's partitioned variables: the partitioners, PartitionedVariable (a variable split in shards along one axis,
each a Variable named `name/part_i` that records its slice of the whole) and get_variable's partitioned path.

A Saver writes a partitioned variable as one checkpoint entry under its full name (saver.py assembles
the shards by their SaveSliceInfo), so a checkpoint restores into any partitioning of the same shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype

from .framework import Tensor, TensorShape, convert_to_tensor, name_scope


# ---- the partitioners -------------------------------------------------------------------------------
def _element_size(dtype, bytes_per_string_element: int) -> int:
    dtype = as_dtype(dtype).base_dtype
    return bytes_per_string_element if dtype.name == "string" else int(np.dtype(dtype.np).itemsize)


def fixed_size_partitioner(num_shards: int, axis: int = 0) -> Callable[..., list[int]]:
    """A partitioner that splits `axis` in `num_shards` shards (fewer when the axis is shorter)."""
    def _partitioner(shape, dtype=None, **_unused) -> list[int]:
        shape = TensorShape(shape)
        partitions = [1] * shape.ndims
        partitions[axis] = min(int(num_shards), shape.as_list()[axis])
        return partitions
    return _partitioner


def variable_axis_size_partitioner(max_shard_bytes: int, axis: int = 0, bytes_per_string_element: int = 16,
                                   max_shards: int | None = None) -> Callable[..., list[int]]:
    """A partitioner that keeps each shard under `max_shard_bytes` (at least one slice of `axis` per shard)."""
    if max_shard_bytes < 1 or bytes_per_string_element < 1:
        raise ValueError(f"Both max_shard_bytes and bytes_per_string_element must be positive. Currently, "
                         f"max_shard_bytes is {max_shard_bytes} and bytes_per_string_element is "
                         f"{bytes_per_string_element}")
    if max_shards and max_shards < 1:
        raise ValueError("max_shards must be positive.")

    def _partitioner(shape, dtype=None, **_unused) -> list[int]:
        if not isinstance(shape, TensorShape):
            raise ValueError(f"shape is not a TensorShape: {shape}")
        if not shape.is_fully_defined():
            raise ValueError(f"shape is not fully defined: {shape}")
        partitions = [1] * shape.ndims
        rows = shape.as_list()[axis]
        bytes_per_slice = 1.0 * (shape.num_elements() / rows) * _element_size(dtype, bytes_per_string_element)
        slices_per_shard = max(1, math.floor(max_shard_bytes / bytes_per_slice))
        axis_shards = int(math.ceil(1.0 * rows / slices_per_shard))
        if max_shards:
            axis_shards = min(max_shards, axis_shards)
        partitions[axis] = axis_shards
        return partitions
    return _partitioner


def min_max_variable_partitioner(max_partitions: int = 1, axis: int = 0, min_slice_size: int = 256 << 10,
                                 bytes_per_string_element: int = 16) -> Callable[..., list[int]]:
    """A partitioner giving shards of at least `min_slice_size` bytes, at most `max_partitions` of them."""
    def _partitioner(shape, dtype=None, **_unused) -> list[int]:
        shape = TensorShape(shape)
        if axis >= shape.ndims:
            raise ValueError(f"Cannot partition variable along axis {axis} when shape is only {shape}")
        total_bytes = shape.num_elements() * _element_size(dtype, bytes_per_string_element)
        partitions = [1] * shape.ndims
        partitions[axis] = max(1, min(shape.as_list()[axis], max_partitions,
                                      int(math.ceil(total_bytes / min_slice_size))))
        return partitions
    return _partitioner


# ---- what a shard knows of the whole ---------------------------------------------------------------
class PartitionInfo:
    """The full shape of a partitioned variable and a shard's offset in it (what initializers are given)."""

    def __init__(self, full_shape, var_offset):
        self.full_shape = list(full_shape)
        self.var_offset = list(var_offset)
        if len(self.full_shape) != len(self.var_offset):
            raise ValueError(f"Expected equal length, but `var_offset` is of length {len(self.var_offset)} while "
                             f"full_shape is of length {len(self.full_shape)}.")
        for offset, size in zip(self.var_offset, self.full_shape):
            if offset < 0 or offset >= size:
                raise ValueError(f"Expected 0 <= offset < shape but found offset={offset}, shape={size} for "
                                 f"var_offset={self.var_offset}, full_shape={self.full_shape}")

    def single_offset(self, shape) -> int:
        dim = self.single_slice_dim(shape)
        return 0 if dim is None else self.var_offset[dim]

    def single_slice_dim(self, shape) -> int | None:
        shape = list(shape)
        dims = [i for i, (a, b) in enumerate(zip(shape, self.full_shape)) if a != b]
        if len(dims) > 1:
            raise ValueError(f"Cannot use single_slice_dim() with shape={shape} and full_shape={self.full_shape} "
                             f"since slice dim could be one of {dims}.")
        return dims[0] if dims else None


class SaveSliceInfo:
    """Where a shard lies in its partitioned variable (tf.Variable.SaveSliceInfo): full name and shape, offset."""

    def __init__(self, full_name: str | None = None, full_shape=None, var_offset=None, var_shape=None,
                 save_slice_info_def=None, import_scope=None):
        self.full_name = full_name
        self.full_shape = list(full_shape) if full_shape is not None else None
        self.var_offset = list(var_offset) if var_offset is not None else None
        self.var_shape = list(var_shape) if var_shape is not None else None

    @property
    def spec(self) -> str:
        """TF's slice spec: the full shape, then offset,length of each dim ('10 4 0,4:0,4')."""
        dims = " ".join(str(d) for d in self.full_shape)
        return f"{dims} " + ":".join(f"{o},{s}" for o, s in zip(self.var_offset, self.var_shape))

    def slices(self) -> tuple[slice, ...]:
        return tuple(slice(o, o + s) for o, s in zip(self.var_offset, self.var_shape))

    def __repr__(self) -> str:
        return f"SaveSliceInfo({self.full_name!r}, {self.spec!r})"


# ---- PartitionedVariable -----------------------------------------------------------------------------
class PartitionedVariable:
    """A variable kept in shards along one axis (TF1's PartitionedVariable): iterate it for its shard Variables;
    as a tensor it is their concatenation."""

    def __init__(self, name: str, shape, dtype, variable_list: list, partitions: list[int]):
        if not isinstance(variable_list, (list, tuple)):
            raise TypeError(f"variable_list is not a list or tuple: {variable_list}")
        if not isinstance(partitions, (list, tuple)):
            raise TypeError(f"partitions is not a list or tuple: {partitions}")
        if not all(p >= 1 for p in partitions):
            raise ValueError(f"partition values must be positive: {partitions}")
        if not variable_list:
            raise ValueError("variable_list may not be empty")
        for v in variable_list:
            if getattr(v, "_save_slice_info", None) is None:
                names = [v.name for v in variable_list]
                raise ValueError(f"All variables must have a save_slice_info available: {names}")
        if len(shape) != len(partitions):
            raise ValueError(f"len(shape) != len(partitions): {len(shape)} vs. {len(partitions)}")
        self._name = name
        self._shape = TensorShape(list(shape))
        self._dtype = as_dtype(dtype)
        self._variable_list = sorted(variable_list, key=lambda v: v._save_slice_info.var_offset)
        self._partitions = [int(p) for p in partitions]
        self._as_tensor_cache = None

    def __iter__(self) -> Iterator:
        return iter(self._variable_list)

    def __len__(self) -> int:
        return len(self._variable_list)

    def _get_variable_list(self) -> list:
        return self._variable_list

    def _get_partitions(self) -> list[int]:
        return list(self._partitions)

    def _partition_axes(self) -> list[int]:
        axes = [i for i, p in enumerate(self._partitions) if p > 1]
        return axes or [0]

    def _concat(self) -> Tensor:
        """The shards concatenated along the partitioned axis (a new op each call, as TF's)."""
        from .array_ops import concat, identity
        graph = self.graph
        with graph.as_default():
            saved = list(graph.name_scope_stack)
            graph.name_scope_stack[:] = []  # TF: the whole is named after the variable, outside any scope
            try:
                if len(self._variable_list) == 1:
                    return identity(self._variable_list[0], name=self._name)
                with name_scope(self._name + "/ConcatPartitions/"):
                    whole = concat([v._as_tensor() for v in self._variable_list], self._partition_axes()[0])
                return identity(whole, name=self._name)
            finally:
                graph.name_scope_stack[:] = saved

    def as_tensor(self) -> Tensor:
        """The whole variable as one tensor."""
        return self._concat()

    def _as_tensor(self) -> Tensor:
        return self._concat()

    def _dfc_ir(self):
        return self._concat()._dfc_ir()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def graph(self):
        return self._variable_list[0].graph

    @property
    def trainable(self) -> bool:
        return self._variable_list[0].trainable

    @property
    def initializer(self):
        """One op that runs the shards' initializers."""
        from .framework import make_op, wrap_op
        with self.graph.as_default():
            return wrap_op(make_op("dfc.group", [v.initializer._dfc_ir().results[0] for v in self._variable_list],
                                   name="group_deps"))

    def assign(self, value, use_locking=None, name: str | None = None, read_value: bool = True):
        """Assign each shard its slice of `value` (of the whole variable's shape); the shards' assign ops."""
        from .array_ops import slice as slice_
        value = convert_to_tensor(value, dtype=self._dtype)
        if not value.shape.is_compatible_with(self._shape):
            raise ValueError(f"Cannot assign a value of shape {value.shape} to partitioned variable {self._name} of "
                             f"shape {self._shape}")
        with name_scope(name, "Assign"):
            return [v.assign(slice_(value, v._save_slice_info.var_offset, v._save_slice_info.var_shape),
                             use_locking=use_locking) for v in self._variable_list]

    def __repr__(self) -> str:
        return f"<dfc.PartitionedVariable '{self._name}' shape={self._shape} dtype={self._dtype.name} " \
               f"partitions={self._partitions}>"


def _slices(full_shape: list[int], partitions: list[int], name: str) -> list[tuple[list[int], list[int]]]:
    """Each shard's (offset, shape): the first (size % n) shards one row bigger, as TF's."""
    slice_dims = [i for i, p in enumerate(partitions) if p > 1]
    if len(slice_dims) > 1:
        raise ValueError(f"Can only slice a variable along one dimension: shape: {TensorShape(full_shape)}, "
                         f"partitioning: {partitions}")
    if not slice_dims:
        return [([0] * len(full_shape), list(full_shape))]
    dim = slice_dims[0]
    count, size = partitions[dim], full_shape[dim]
    if count > size:
        raise ValueError(f"Cannot create {count} slices of variable {name} for size {size} (shape: "
                         f"{TensorShape(full_shape)}, partitioning: {partitions})")
    base, extras = divmod(size, count)
    out, offset = [], 0
    for i in range(count):
        length = base + (1 if i < extras else 0)
        start = [0] * len(full_shape)
        start[dim] = offset
        shape = list(full_shape)
        shape[dim] = length
        out.append((start, shape))
        offset += length
    return out


def _check_partitions(partitions, shape: TensorShape, name: str) -> list[int]:
    if not isinstance(partitions, (list, tuple)) or not all(isinstance(p, (int, np.integer)) for p in partitions):
        raise ValueError(f"Partitioner of variable {name} returned {partitions!r}, not a list of ints")
    partitions = [int(p) for p in partitions]
    if len(partitions) != shape.ndims:
        raise ValueError(f"Partitioner returned a partition list that does not match the Variable's rank: "
                         f"{partitions} vs. {shape}")
    if any(p < 1 for p in partitions):
        raise ValueError(f"Partitioner returned zero partitions for some axes: {partitions}")
    return partitions


def partitioned_store(graph) -> dict[str, PartitionedVariable]:
    return graph.collections.setdefault("__partitioned_variables_by_name", {})


def get_partitioned_variable(make_shard: Callable[..., Any], full: str, reuse: Any, shape, dtype, initializer,
                             partitioner, graph) -> PartitionedVariable:
    """get_variable's path with a partitioner: the PartitionedVariable `full`, made (shards from `make_shard(name,
    shape, initializer, partition_info)`) or found when the scope reuses."""
    if not callable(partitioner):
        raise ValueError(f"Partitioner must be callable, but received: {partitioner}")
    store = partitioned_store(graph)
    singles = graph.collections.get("__variables_by_name", {})
    shape = TensorShape(shape) if shape is not None else None
    if full in store:
        existing = store[full]
        if reuse is False:
            raise ValueError(f"Partitioned variable with name {full} already exists. Did you mean to set reuse=True "
                             f"or reuse=tf.AUTO_REUSE in VarScope?")
        if shape is not None and not shape.is_compatible_with(existing.shape):
            raise ValueError(f"Trying to reuse partitioned variable {full}, but specified shape {shape} and found "
                             f"shape {existing.shape}.")
        if dtype is not None and as_dtype(dtype).base_dtype != existing.dtype.base_dtype:
            raise ValueError(f"Trying to reuse partitioned variable {full}, but specified dtype "
                             f"{as_dtype(dtype).name} and found dtype {existing.dtype.name}.")
        if shape is not None and shape.is_fully_defined():
            wanted = _check_partitions(partitioner(shape=shape, dtype=existing.dtype), shape, full)
            if wanted != existing._get_partitions():
                raise ValueError(f"Trying to reuse partitioned variable {full}, but specified partitions {wanted} "
                                 f"and found partitions {existing._get_partitions()}.")
        return existing
    if full in singles:
        raise ValueError(f"A partitioner was provided, but an unpartitioned version of the variable was found: "
                         f"{full}.  Perhaps a variable of the same name was already created without partitioning?")
    if reuse is True:
        raise ValueError(f"PartitionedVariable {full} does not exist, or was not created with tf.get_variable(). "
                         f"Did you mean to set reuse=False or reuse=tf.AUTO_REUSE in VarScope?")
    value = None
    if shape is None and initializer is not None and not callable(initializer):
        value = convert_to_tensor(initializer, dtype=dtype)
        shape = value.shape
        dtype = dtype or value.dtype
    if shape is None or not shape.is_fully_defined():
        raise ValueError(f"Shape of a new partitioned variable ({full}) must be fully defined, but instead was "
                         f"{shape if shape is not None else '<unknown>'}.")
    if shape.ndims < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1, shape: {shape}")
    dtype = as_dtype(dtype) if dtype is not None else as_dtype("float32")
    partitions = _check_partitions(partitioner(shape=shape, dtype=dtype), shape, full)
    full_shape = shape.as_list()
    shards = []
    for i, (offset, part_shape) in enumerate(_slices(full_shape, partitions, full)):
        info = PartitionInfo(full_shape, offset)
        if value is not None or (initializer is not None and not callable(initializer)):
            from .array_ops import slice as slice_
            whole = value if value is not None else convert_to_tensor(initializer, dtype=dtype)
            with name_scope(f"{full.rsplit('/', 1)[-1]}/PartitionedInitializer/"):
                init = slice_(whole, offset, part_shape)
            shard = make_shard(f"part_{i}", None, init, None)
        else:
            shard = make_shard(f"part_{i}", part_shape, initializer, info)
        shard._save_slice_info = SaveSliceInfo(full, full_shape, offset, part_shape)
        shards.append(shard)
    variable = PartitionedVariable(full, full_shape, dtype, shards, partitions)
    store[full] = variable
    return variable


__all__ = ["PartitionInfo", "PartitionedVariable", "SaveSliceInfo", "fixed_size_partitioner",
           "min_max_variable_partitioner", "variable_axis_size_partitioner"]
