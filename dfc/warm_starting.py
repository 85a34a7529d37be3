"""tf.train.warm_start and tf.train.VocabInfo: start a new model's variables (partitioned or not) from a
checkpoint, by name or renamed, remapping the rows (or columns) of a vocabulary-indexed matrix from the old
vocabulary's order to the new one's (new entries and out-of-vocabulary buckets from a backup initializer).
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from .array_ops import concat, constant, gather, reshape
from .framework import convert_to_tensor, make_op, name_scope, without_control_dependencies
from .graph import GraphKeys, get_collection
from .init_ops import zeros_initializer
from .partitioned_variables import PartitionedVariable
from .variables import Variable


class VocabInfo(collections.namedtuple("VocabInfo", ["new_vocab", "new_vocab_size", "num_oov_buckets", "old_vocab",
                                                     "old_vocab_size", "backup_initializer", "axis"])):
    """How to warm-start a vocabulary-indexed variable: the new and old vocabulary files (one entry a line),
    how many entries of each count, the OOV buckets after the new ones, and the axis they index."""

    def __new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab, old_vocab_size=-1,
                backup_initializer=None, axis=0):
        if axis != 0 and axis != 1:
            raise ValueError(f"The only supported values for the axis argument are 0 and 1.  Provided axis: {axis}")
        return super().__new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab, old_vocab_size,
                               backup_initializer, axis)


def _var_name(parts: list) -> str:
    """A variable's name in checkpoints: a shard's whole variable, else its op name."""
    first = parts[0]
    if isinstance(first, PartitionedVariable):
        return first.name
    info = first._save_slice_info
    return info.full_name if info is not None else first.op.name


def _grouped(vars_to_warm_start: Any) -> dict[str, list]:
    if isinstance(vars_to_warm_start, str) or vars_to_warm_start is None:
        found = get_collection(GraphKeys.TRAINABLE_VARIABLES, scope=vars_to_warm_start)
    elif isinstance(vars_to_warm_start, list):
        if all(isinstance(v, str) for v in vars_to_warm_start):
            found = []
            for pattern in vars_to_warm_start:
                found += get_collection(GraphKeys.GLOBAL_VARIABLES, scope=pattern)
        elif all(isinstance(v, (Variable, PartitionedVariable)) for v in vars_to_warm_start):
            found = list(vars_to_warm_start)
        else:
            raise ValueError(f"If `vars_to_warm_start` is a list, it must be all `Variable` or all `str`.  Given "
                             f"types are {[type(v) for v in vars_to_warm_start]}")
    else:
        raise ValueError(f"`vars_to_warm_start must be a `list` or `str`.  Given type is {type(vars_to_warm_start)}")
    grouped: dict[str, list] = {}
    for v in found:
        parts = list(v) if isinstance(v, PartitionedVariable) else [v]
        for part in parts:
            grouped.setdefault(_var_name([part]), [])
            if part not in grouped[_var_name([part])]:
                grouped[_var_name([part])].append(part)
    return grouped


def _vocab(path: str, size: int, what: str) -> list[bytes]:
    from .gfile import GFile
    with GFile(path, "rb") as f:
        lines = [line.rstrip(b"\r\n") for line in f.read().split(b"\n")]
    if lines and lines[-1] == b"":
        lines.pop()
    if size is not None and size >= 0:
        if size > len(lines):
            raise ValueError(f"{what} {path} has {len(lines)} entries, fewer than the {size} asked for")
        lines = lines[:size]
    return lines


def _remap(new: list[bytes], old: list[bytes]) -> np.ndarray:
    """For each new entry its row in the old vocabulary (its first), or -1."""
    where: dict[bytes, int] = {}
    for i, word in enumerate(old):
        where.setdefault(word, i)
    return np.array([where.get(w, -1) for w in new], np.int64)


def _filled(known: np.ndarray, missing: np.ndarray, initializer, dtype) -> Any:
    """The matrix `known` with its `missing` cells (a bool mask) taken, in row-major order, from
    initializer([count, 1]) as TF's load_and_remap_matrix does."""
    count = int(missing.sum())
    if count == 0:
        return constant(known.astype(dtype.np))
    fill = reshape(convert_to_tensor(initializer([count, 1], dtype=dtype)), [-1])
    index = np.zeros(known.size, np.int32)
    flat_missing = missing.reshape(-1)
    index[~flat_missing] = np.arange(int((~flat_missing).sum()))
    index[flat_missing] = int((~flat_missing).sum()) + np.arange(count)
    pool = concat([constant(known.reshape(-1)[~flat_missing].astype(dtype.np)), fill], 0)
    return reshape(gather(pool, constant(index)), list(known.shape))


def _set_initial(var: Variable, value) -> None:
    """Make the variable's initializer assign `value` (a tensor built here)."""
    graph = var.graph
    with graph.as_default(), without_control_dependencies(graph), name_scope(var.op.name + "/"):
        var._initializer = make_op("dfc.assign", [value], {"variable": var.op.name}, name="Assign")
    var._initial_value = value


def _warm_start_with_vocab(parts: list, ckpt: str, info: VocabInfo, prev_name: str, reader) -> None:
    if not (info.new_vocab and info.new_vocab_size and ckpt and info.old_vocab):
        raise ValueError("Invalid args: Must provide all of [current_vocab_path, current_vocab_size, prev_ckpt, "
                         "prev_vocab_path}.")
    old = np.asarray(reader.get_tensor(prev_name))
    if old.ndim != 2:
        raise ValueError(f"warm_start with a VocabInfo needs a 2-D tensor, but {prev_name} in {ckpt} has shape "
                         f"{list(old.shape)}")
    # TF: old_vocab_size limits the rows' old vocabulary only (columns, axis 1, use all of it)
    mapping = _remap(_vocab(info.new_vocab, info.new_vocab_size, "new_vocab"),
                     _vocab(info.old_vocab, info.old_vocab_size if info.axis == 0 else -1, "old_vocab"))
    initializer = info.backup_initializer if info.backup_initializer is not None else zeros_initializer()
    oov = int(info.num_oov_buckets)
    if oov < 0:
        raise ValueError(f"num_oov_buckets must be >= 0, but received {oov}")
    total_rows = sum(p.shape.as_list()[0] for p in parts)
    for part in parts:
        rows, cols = part.shape.as_list()
        slice_info = part._save_slice_info
        offset = slice_info.var_offset[0] if slice_info is not None else 0
        dtype = part.dtype
        with part.graph.as_default(), name_scope(f"warm_start/{part.op.name}"):
            if info.axis == 0:
                if cols != old.shape[1]:
                    raise ValueError(f"Expected 2nd dim of shape to be {old.shape[1]} (the checkpoint's {prev_name}),"
                                     f" but variable {part.op.name} has shape {part.shape}")
                if offset + rows > info.new_vocab_size + oov:
                    raise ValueError(f"Trying to initialize {rows} additional rows after {offset} rows have already "
                                     f"been initialized, which would exceed expected total row count of "
                                     f"new_vocab_size ({info.new_vocab_size}) + num_oov_buckets ({oov}) = "
                                     f"{info.new_vocab_size + oov}.")
                load = max(0, min(rows, info.new_vocab_size - offset))
                pieces = []
                if load:
                    picked = mapping[offset:offset + load]
                    known = np.zeros((load, cols), old.dtype)
                    known[picked >= 0] = old[picked[picked >= 0]]
                    missing = np.repeat((picked < 0)[:, None], cols, axis=1)
                    pieces.append(_filled(known, missing, initializer, dtype))
                if rows - load:
                    pieces.append(convert_to_tensor(initializer([rows - load, cols], dtype=dtype)))
            else:
                if cols != info.new_vocab_size + oov:
                    raise ValueError(f"Expected 2nd dim of shape to be new_col_vocab_size ({info.new_vocab_size}) + "
                                     f"num_col_oov_buckets ({oov}) = {info.new_vocab_size + oov}, but received shape:"
                                     f" {part.shape}")
                if total_rows > old.shape[0]:
                    raise ValueError(f"variable {part.op.name} has {total_rows} rows, more than the checkpoint's "
                                     f"{prev_name} ({old.shape[0]})")
                source = old[offset:offset + rows]
                known = np.zeros((rows, info.new_vocab_size), old.dtype)
                known[:, mapping >= 0] = source[:, mapping[mapping >= 0]]
                missing = np.repeat((mapping < 0)[None, :], rows, axis=0)
                pieces = [_filled(known, missing, initializer, dtype)]
                if oov:
                    pieces.append(convert_to_tensor(initializer([rows, oov], dtype=dtype)))
            value = pieces[0] if len(pieces) == 1 else concat(pieces, info.axis)
        _set_initial(part, value)


def warm_start(ckpt_to_initialize_from: str, vars_to_warm_start: Any = ".*", var_name_to_vocab_info: dict | None
               = None, var_name_to_prev_var_name: dict | None = None) -> None:
    """Make the chosen variables' initializers assign a checkpoint's values (TF1's tf.train.warm_start).

    vars_to_warm_start: a regex over TRAINABLE_VARIABLES, a list of regexes over GLOBAL_VARIABLES, or a
    list of variables; names are a partitioned variable's whole name, as in checkpoints.
    """
    from .checkpoint_utils import init_from_checkpoint, load_checkpoint
    grouped = _grouped(vars_to_warm_start)
    vocab_infos = dict(var_name_to_vocab_info or {})
    renames = dict(var_name_to_prev_var_name or {})
    reader = load_checkpoint(ckpt_to_initialize_from)
    renames_used, vocab_used = set(), set()
    plain: dict[str, Any] = {}
    for var_name, parts in grouped.items():
        prev_name = renames.get(var_name)
        if prev_name:
            renames_used.add(var_name)
        info = vocab_infos.get(var_name)
        if info:
            vocab_used.add(var_name)
            _warm_start_with_vocab(parts, ckpt_to_initialize_from, info, prev_name or var_name, reader)
        elif vars_to_warm_start:
            source = prev_name or var_name
            if source in plain:  # one checkpoint tensor for two variables: the first pair goes now
                init_from_checkpoint(ckpt_to_initialize_from, plain)
                plain = {}
            plain[source] = parts if len(parts) > 1 or parts[0]._save_slice_info is not None else parts[0]
    if plain:
        init_from_checkpoint(ckpt_to_initialize_from, plain)
    unused = set(renames) - renames_used
    if unused:
        raise ValueError(f"You provided the following variables in var_name_to_prev_var_name that were not used: "
                         f"{unused}.  Perhaps you misspelled them?  Here is the list of viable variable names: "
                         f"{list(grouped)}")
    unused = set(vocab_infos) - vocab_used
    if unused:
        raise ValueError(f"You provided the following variables in var_name_to_vocab_info that were not used: "
                         f"{unused}.  Perhaps you misspelled them?  Here is the list of viable variable names: "
                         f"{list(grouped)}")


__all__ = ["VocabInfo", "warm_start"]
