"""Reading checkpoints and their state file: NewCheckpointReader, list/load_variable, init_from_checkpoint, ...

dfc's checkpoints are safetensors files (`<prefix>.safetensors`, see runtime/checkpoint.py);
the functions take the prefix, as TF's take theirs, or a directory whose state file names it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype
from dfc.ir.errors import NotFoundError

from .saver import (SUFFIX, checkpoint_exists, read_checkpoint, generate_checkpoint_state_proto, get_checkpoint_mtimes,
                    latest_checkpoint, remove_checkpoint, update_checkpoint_state)


#: TF's DataType names (types.proto), as CheckpointReader.debug_string prints them
_TF_TYPE_NAMES = {"float32": "DT_FLOAT", "float64": "DT_DOUBLE", "float16": "DT_HALF", "bfloat16": "DT_BFLOAT16",
                  "int8": "DT_INT8", "int16": "DT_INT16", "int32": "DT_INT32", "int64": "DT_INT64",
                  "uint8": "DT_UINT8", "uint16": "DT_UINT16", "uint32": "DT_UINT32", "bool": "DT_BOOL"}


class CheckpointReader:
    """The tensors of one checkpoint (TF's CheckpointReader from tf.train.NewCheckpointReader)."""

    def __init__(self, prefix: str):
        self._prefix = prefix
        if not checkpoint_exists(prefix):
            raise NotFoundError(f"Unsuccessful TensorSliceReader constructor: Failed to find any matching files for "
                                f"{prefix}")
        self._tensors = read_checkpoint(prefix)

    def has_tensor(self, tensor_str: str) -> bool:
        return tensor_str in self._tensors

    def get_tensor(self, tensor_str: str) -> np.ndarray:
        if tensor_str not in self._tensors:
            raise NotFoundError(f"Key {tensor_str} not found in checkpoint {self._prefix}")
        value = self._tensors[tensor_str]
        return value[()] if value.ndim == 0 else value.copy()

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {name: list(value.shape) for name, value in self._tensors.items()}

    def get_variable_to_dtype_map(self) -> dict[str, Any]:
        return {name: as_dtype(value.dtype) for name, value in self._tensors.items()}

    def debug_string(self) -> bytes:
        lines = []
        for name, v in sorted(self._tensors.items()):
            dtype = as_dtype(v.dtype).name
            lines.append(f"{name} ({_TF_TYPE_NAMES.get(dtype, dtype)}) [{','.join(str(d) for d in v.shape)}]")
        return "".join(line + "\n" for line in lines).encode()


def NewCheckpointReader(filepattern: str) -> CheckpointReader:  # noqa: N802 - TF's name
    return CheckpointReader(os.fspath(filepattern))


def _prefix_of(ckpt_dir_or_file: str) -> str:
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        prefix = latest_checkpoint(path)
        if prefix is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}")
        return prefix
    return path[:-len(SUFFIX)] if path.endswith(SUFFIX) else path


def load_checkpoint(ckpt_dir_or_file: str) -> CheckpointReader:
    """A reader of the checkpoint at a prefix, or of a directory's latest checkpoint."""
    return CheckpointReader(_prefix_of(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file: str, name: str) -> np.ndarray:
    """One tensor of a checkpoint; a name ending ':0' is read without it, as TF's."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file: str) -> list[tuple[str, list[int]]]:
    """(name, shape) of every tensor of a checkpoint, sorted by name."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return sorted(shapes.items())


def checkpoints_iterator(checkpoint_dir: str, min_interval_secs: float = 0, timeout: float | None = None,
                         timeout_fn: Callable[[], bool] | None = None) -> Iterator[str]:
    """Each new latest checkpoint of a directory as it appears; ends after `timeout` seconds without one
    (unless `timeout_fn` returns False, which waits again)."""
    last = None
    while True:
        prefix = _wait_for_new_checkpoint(checkpoint_dir, last, timeout=timeout)
        if prefix is None:
            if timeout_fn is None or timeout_fn():
                return
            continue
        start = time.time()
        last = prefix
        yield prefix
        remaining = start + min_interval_secs - time.time()
        if remaining > 0:
            time.sleep(remaining)


def _wait_for_new_checkpoint(checkpoint_dir: str, last: str | None, seconds_to_sleep: float = 1.0,
                             timeout: float | None = None) -> str | None:
    deadline = None if timeout is None else time.time() + timeout
    while True:
        prefix = latest_checkpoint(checkpoint_dir)
        if prefix is not None and prefix != last:
            return prefix
        if deadline is not None and time.time() + seconds_to_sleep > deadline:
            return None
        time.sleep(seconds_to_sleep)


# ---- init_from_checkpoint ----------------------------------------------------------------------------
def init_from_checkpoint(ckpt_dir_or_file: str, assignment_map: dict | list) -> None:
    """Make variables start from a checkpoint's values: their initializers assign those instead.

    assignment_map as TF1's: {'ckpt_scope/': 'scope/'} (every variable under the scope, by the
    rest of its name), {'ckpt_scope/var': 'scope/var'}, {'/': 'scope/'} (the whole checkpoint),
    {'ckpt_name': variable} or {'ckpt_name': [variables]}; a list of pairs is taken as a dict.
    """
    from .framework import get_default_graph
    from .variables import Variable

    reader = load_checkpoint(ckpt_dir_or_file)
    shapes = reader.get_variable_to_shape_map()
    items = sorted(assignment_map.items() if isinstance(assignment_map, dict) else assignment_map,
                   key=lambda kv: kv[0])
    store: dict[str, Variable] = get_default_graph().collections.get("__variables_by_name", {})  # tf.get_variable's

    def is_variables(x: Any) -> bool:
        return isinstance(x, Variable) or (isinstance(x, list) and bool(x) and all(isinstance(v, Variable)
                                                                                    for v in x))
    partitioned = get_default_graph().collections.get("__partitioned_variables_by_name", {})
    for tensor_name_in_ckpt, current in items:
        if hasattr(current, "_get_variable_list"):  # a PartitionedVariable: its shards, sliced from the entry
            current = list(current)
        elif isinstance(current, str) and current in partitioned:
            current = list(partitioned[current])
        var = current if is_variables(current) else store.get(current) if isinstance(current, str) else None
        if var is None and not isinstance(current, str):
            raise TypeError(f"assignment_map values are scope names, variable names or Variables, got {current!r}")
        if var is not None:
            if tensor_name_in_ckpt not in shapes:
                raise ValueError(f"Tensor {tensor_name_in_ckpt} is not found in {ckpt_dir_or_file} checkpoint "
                                 f"{shapes}")
            for v in var if isinstance(var, list) else [var]:
                _init_from(reader, tensor_name_in_ckpt, v, ckpt_dir_or_file)
            continue
        scopes = current[:current.rindex("/")] if "/" in current else ""
        if not tensor_name_in_ckpt.endswith("/"):
            raise ValueError(f"Assignment map with scope only name {scopes} should map to scope only "
                             f"{tensor_name_in_ckpt}. Should be 'scope/': 'other_scope/'.")
        for var_name in sorted(n for n in store if not scopes or n.startswith(scopes + "/")):
            info = store[var_name]._save_slice_info  # a shard: the checkpoint holds its whole variable
            full = (info.full_name if info is not None else var_name)[len(scopes):]
            if current != "/":
                full = full[1:]
            if tensor_name_in_ckpt != "/":
                full = tensor_name_in_ckpt + full
            full = full.rstrip("/")
            if full not in shapes:
                raise ValueError(f"Tensor {full} ({var_name[len(scopes) + 1:]} in {tensor_name_in_ckpt}) is not "
                                 f"found in {ckpt_dir_or_file} checkpoint")
            _init_from(reader, full, store[var_name], ckpt_dir_or_file)


def _init_from(reader: CheckpointReader, ckpt_name: str, var: Any, where: str) -> None:
    value = np.asarray(reader.get_tensor(ckpt_name))
    want = var.shape.as_list()
    info = var._save_slice_info
    if info is not None and list(value.shape) == info.full_shape:  # a shard's part of its whole variable
        value = np.ascontiguousarray(value[info.slices()])
    if var.shape.ndims is not None and list(value.shape) != want:
        raise ValueError(f"Shape of variable {var.op.name} ({want}) doesn't match with shape of tensor "
                         f"{ckpt_name} ({list(value.shape)}) from checkpoint reader.")
    if value.dtype != var.dtype.np:
        raise ValueError(f"checkpoint {where} holds {ckpt_name} as {value.dtype}, but variable {var.op.name} is "
                         f"{var.dtype.name}")
    var._initialize_from(value, f"{re.sub(r'[^A-Za-z0-9_./-]', '_', ckpt_name)}")


__all__ = ["CheckpointReader", "NewCheckpointReader", "checkpoint_exists", "checkpoints_iterator",
           "generate_checkpoint_state_proto", "get_checkpoint_mtimes", "init_from_checkpoint", "list_variables",
           "load_checkpoint", "load_variable", "remove_checkpoint", "update_checkpoint_state"]
