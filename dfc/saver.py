"""tf.train.Saver: save and restore a session's variables to checkpoint files (safetensors format)."""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np

from dfc.ir.errors import InvalidArgumentError, NotFoundError
from dfc.runtime.checkpoint import DataLossError, load_tensors, save_tensors

from .variables import Variable, global_variables

SUFFIX = ".safetensors"
STATE_FILE = "checkpoint"


class Saver:
    """Saves `var_list` (all global variables by default) under their names, keeping `max_to_keep` files."""

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False, max_to_keep: int = 5,
                 keep_checkpoint_every_n_hours: float = 10000.0, name: str | None = None, **_ignored):
        if var_list is None:
            var_list = global_variables()
        if isinstance(var_list, dict):
            items = list(var_list.items())
        else:
            items = [(v.op.name, v) for v in var_list]
        for key, var in items:
            if not isinstance(var, Variable):
                raise TypeError(f"Saver saves Variables; '{key}' is {var!r}")
        names = [k for k, _ in items]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"two variables would be saved under the same name: {sorted(duplicates)}")
        self._items = items
        self.max_to_keep = max_to_keep
        self._kept: list[str] = []

    def save(self, sess, save_path: str, global_step: Any = None, latest_filename: str | None = None,
             meta_graph_suffix: str = "meta", write_meta_graph: bool = True, write_state: bool = True) -> str:
        """Write the variables' current values; returns the checkpoint prefix (e.g. model.ckpt-100)."""
        prefix = save_path
        if global_step is not None:
            step = global_step if isinstance(global_step, (int, np.integer)) else sess.run(global_step)
            prefix = f"{save_path}-{int(step)}"
        tensors = {}
        for key, var in self._items:
            name = var.op.name
            if not sess.store.is_initialized(name):
                raise InvalidArgumentError(f"cannot save variable '{name}': it was never initialized in this session")
            tensors[key] = sess.store.buffer(name)
        save_tensors(prefix + SUFFIX, tensors, {"format": "dfc-checkpoint-1"})
        if write_state:
            self._remember(prefix, latest_filename or STATE_FILE)
        return prefix

    def restore(self, sess, save_path: str) -> None:
        """Load every saved variable; a missing name or a shape/dtype that differs is an error naming it."""
        path = save_path if save_path.endswith(SUFFIX) else save_path + SUFFIX
        if not os.path.exists(path):
            raise NotFoundError(f"no checkpoint at {save_path} (looked for {path})")
        tensors, _ = load_tensors(path)
        for key, var in self._items:
            if key not in tensors:
                raise NotFoundError(f"Key {key} not found in checkpoint {save_path}")
            value = tensors[key]
            want = var.shape.as_list()
            if list(value.shape) != want or value.dtype != var.dtype.np:
                raise InvalidArgumentError(
                    f"checkpoint {save_path} holds '{key}' as {value.dtype}{list(value.shape)}, but variable "
                    f"'{var.op.name}' is {var.dtype.name}{want}")
        for key, var in self._items:
            sess.store.write(var.op.name, tensors[key])

    def _remember(self, prefix: str, state_name: str) -> None:
        directory = os.path.dirname(os.path.abspath(prefix))
        if prefix in self._kept:
            self._kept.remove(prefix)
        self._kept.append(prefix)
        while self.max_to_keep and len(self._kept) > self.max_to_keep:
            old = self._kept.pop(0)
            if os.path.exists(old + SUFFIX):
                os.unlink(old + SUFFIX)
        lines = [f'model_checkpoint_path: "{os.path.basename(prefix)}"']
        lines += [f'all_model_checkpoint_paths: "{os.path.basename(p)}"' for p in self._kept]
        tmp = os.path.join(directory, f".{state_name}.tmp")
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, os.path.join(directory, state_name))

    @property
    def last_checkpoints(self) -> list[str]:
        return list(self._kept)


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The prefix named by the directory's state file, if that checkpoint exists."""
    state = os.path.join(checkpoint_dir, latest_filename or STATE_FILE)
    try:
        with open(state) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    match = re.search(r'^model_checkpoint_path:\s*"([^"]*)"', text, re.MULTILINE)
    if not match:
        return None
    prefix = match.group(1)
    prefix = prefix if os.path.isabs(prefix) else os.path.join(checkpoint_dir, prefix)
    return prefix if os.path.exists(prefix + SUFFIX) else None


class CheckpointState:
    """The directory's state file: the newest checkpoint prefix and those kept (tf.train.CheckpointState)."""

    def __init__(self, model_checkpoint_path: str, all_model_checkpoint_paths: list[str]):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = all_model_checkpoint_paths

    def __repr__(self) -> str:
        return f"CheckpointState(model_checkpoint_path={self.model_checkpoint_path!r})"


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None) -> CheckpointState | None:
    """The state file of `checkpoint_dir` read (relative prefixes joined to the directory), or None without one."""
    state = os.path.join(checkpoint_dir, latest_filename or STATE_FILE)
    try:
        with open(state) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    latest = re.search(r'^model_checkpoint_path:\s*"([^"]*)"', text, re.MULTILINE)
    if not latest:
        raise DataLossError(f"checkpoint state file {state} names no model_checkpoint_path")

    def full(prefix: str) -> str:
        return prefix if os.path.isabs(prefix) else os.path.join(checkpoint_dir, prefix)
    kept = [full(p) for p in re.findall(r'^all_model_checkpoint_paths:\s*"([^"]*)"', text, re.MULTILINE)]
    return CheckpointState(full(latest.group(1)), kept)


__all__ = ["CheckpointState", "DataLossError", "Saver", "get_checkpoint_state", "latest_checkpoint"]
