"""tf.train.Checkpoint and tf.train.CheckpointManager in TF1 graph mode: object-based checkpoints of the variables
reachable from named attributes (variables, partitioned variables, dicts and lists of them, layers, models,
optimizers, nested Checkpoints), saved through a Session.

An entry is named by its object path as TF names it ('model/dense/.ATTRIBUTES/VARIABLE_VALUE' style:
the attribute names from the root, then '.ATTRIBUTES/VARIABLE_VALUE'); a variable reachable twice is
saved once, under its first path (breadth first). The files are dfc's checkpoints (saver.py), so
tf.train.latest_checkpoint, list_variables and load_variable read them.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from dfc.ir.errors import NotFoundError

from .partitioned_variables import PartitionedVariable
from .saver import (SUFFIX, _Sliced, checkpoint_exists, generate_checkpoint_state_proto, get_checkpoint_state,
                    read_checkpoint, remove_checkpoint, write_checkpoint_state)
from .variables import Variable

_VALUE = ".ATTRIBUTES/VARIABLE_VALUE"
_COUNTER = "save_counter"


def _session(session):
    from dfc.runtime import get_default_session
    session = session or get_default_session()
    if session is None:
        raise ValueError("tf.train.Checkpoint in graph mode needs a session: pass session= or run it inside "
                         "`with tf.Session() as sess:`")
    return session


def _children(obj: Any) -> list[tuple[str, Any]] | None:
    """The named things an object tracks, or None when it is no trackable container."""
    if isinstance(obj, Checkpoint):
        return list(obj._children.items())
    if isinstance(obj, dict):
        return [(str(k), v) for k, v in obj.items()]
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj)]
    weights = getattr(obj, "weights", None)
    if weights is None and callable(getattr(obj, "variables", None)):  # an optimizer's slots and accumulators
        weights = obj.variables()
    if weights is None:
        return None
    return [(v.op.name, v) for v in weights if isinstance(v, Variable)]


def _check_trackable(name: str, obj: Any) -> None:
    if isinstance(obj, (Variable, PartitionedVariable)):
        return
    children = _children(obj)
    if children is None:
        raise ValueError(f"`Checkpoint` was expecting a trackable object (an object derived from `Trackable`), got "
                         f"{obj!r} (attribute '{name}'). Variables, partitioned variables, dicts and lists of them, "
                         f"layers, models, optimizers and Checkpoints are trackable.")
    if isinstance(obj, (dict, list, tuple)):
        for key, child in children:
            _check_trackable(f"{name}/{key}", child)


class Checkpoint:
    """Saves and restores the variables reachable from its keyword arguments (TF's object-based checkpoint)."""

    def __init__(self, root: Any = None, **kwargs: Any):
        children = dict(kwargs)
        if root is not None:
            children["root"] = root
        for name, obj in children.items():
            _check_trackable(name, obj)
        self._children = children
        self._save_counter: Variable | None = None

    def __getattr__(self, name: str) -> Any:
        children = self.__dict__.get("_children", {})
        if name in children:
            return children[name]
        raise AttributeError(f"'Checkpoint' object has no attribute '{name}'")

    @property
    def save_counter(self) -> Variable:
        """The number of save() calls so far (an int64 variable, made on first use, in no collection)."""
        if self._save_counter is None:
            from .framework import get_default_graph, name_scope
            with get_default_graph().as_default(), name_scope(None):
                self._save_counter = Variable(np.int64(0), trainable=False, collections=[], name=_COUNTER,
                                              dtype="int64")
        return self._save_counter

    def _entries(self) -> dict[str, Any]:
        """{checkpoint key: Variable or _Sliced} of every variable reachable, each once (breadth first)."""
        entries: dict[str, Any] = {}
        seen: set[int] = set()
        todo = [(name, obj) for name, obj in self._children.items()]
        while todo:
            later = []
            for path, obj in todo:
                if id(obj) in seen:
                    continue
                seen.add(id(obj))
                if isinstance(obj, Variable):
                    entries[f"{path}/{_VALUE}"] = obj
                elif isinstance(obj, PartitionedVariable):
                    entries[f"{path}/{_VALUE}"] = _Sliced(list(obj))
                else:
                    later += [(f"{path}/{k}", child) for k, child in _children(obj) or []]
            todo = later
        return entries

    def _counter_ready(self, session) -> Variable:
        counter = self.save_counter
        if not session.store.is_initialized(counter.op.name):
            session.run(counter.initializer)
        return counter

    def write(self, file_prefix: str, session=None) -> str:
        """Write the checkpoint at `file_prefix` (no number, no state file); returns the prefix."""
        from dfc.runtime.checkpoint import save_tensors
        session = _session(session)
        file_prefix = os.fspath(file_prefix)
        parent = os.path.dirname(os.path.abspath(file_prefix))
        os.makedirs(parent, exist_ok=True)
        counter = self._counter_ready(session)
        tensors = {f"{_COUNTER}/{_VALUE}": np.asarray(session.store.buffer(counter.op.name))}
        for key, var in self._entries().items():
            parts = var.parts if isinstance(var, _Sliced) else [var]
            for part in parts:
                if not session.store.is_initialized(part.op.name):
                    from dfc.ir.errors import FailedPreconditionError
                    raise FailedPreconditionError(f"Checkpoint cannot save variable '{part.op.name}' ({key}): it "
                                                  f"was never initialized in this session")
            tensors[key] = var.assemble(session) if isinstance(var, _Sliced) else session.store.buffer(var.op.name)
        save_tensors(file_prefix + SUFFIX, tensors, {"format": "dfc-checkpoint-1", "kind": "object-based"})
        return file_prefix

    def save(self, file_prefix: str, session=None) -> str:
        """Count a save and write `file_prefix-N`; the directory's state file names it as the latest."""
        session = _session(session)
        counter = self._counter_ready(session)
        number = int(session.run(counter.assign_add(1)))
        path = self.write(f"{os.fspath(file_prefix)}-{number}", session=session)
        directory = os.path.dirname(os.path.abspath(path))
        state = get_checkpoint_state(directory)
        kept = list(state.all_model_checkpoint_paths) if state is not None else []
        kept = [p for p in kept if p != path] + [path]
        write_checkpoint_state(directory, generate_checkpoint_state_proto(directory, path, kept))
        return path

    def restore(self, save_path: str | None) -> CheckpointLoadStatus:
        """A status whose run_restore_ops (or initialize_or_restore) loads the checkpoint's values into the
        variables they match; save_path None: initialize_or_restore initializes them."""
        return CheckpointLoadStatus(self, None if save_path is None else os.fspath(save_path))

    read = restore


class CheckpointLoadStatus:
    """What a Checkpoint.restore matched; its values are written when run_restore_ops or initialize_or_restore
    runs (TF1 graph mode)."""

    def __init__(self, checkpoint: Checkpoint, save_path: str | None):
        self._checkpoint = checkpoint
        self._save_path = save_path
        self._entries = checkpoint._entries()
        self._values: dict[str, np.ndarray] = {}
        if save_path is not None:
            if not checkpoint_exists(save_path):
                raise NotFoundError(f"Failed to find any matching files for {save_path} (no checkpoint there)")
            self._values = read_checkpoint(save_path)
        self._matched = [k for k in self._entries if k in self._values]

    def _check_shapes(self) -> None:
        from dfc.ir.errors import InvalidArgumentError
        for key in self._matched:
            var, value = self._entries[key], self._values[key]
            if list(value.shape) != var.shape.as_list():
                name = var.name if isinstance(var, _Sliced) else var.op.name
                raise InvalidArgumentError(f"checkpoint {self._save_path} holds '{key}' of shape {list(value.shape)},"
                                           f" but variable '{name}' has shape {var.shape}")

    def run_restore_ops(self, session=None) -> None:
        """Write the matched values into the variables (and the save counter) in the session."""
        if self._save_path is None:
            return
        session = _session(session)
        self._check_shapes()
        for key in self._matched:
            var, value = self._entries[key], self._values[key]
            if isinstance(var, _Sliced):
                for part in var.parts:
                    session.store.write(part.op.name, np.ascontiguousarray(value[part._save_slice_info.slices()],
                                                                           dtype=part.dtype.np))
            else:
                session.store.write(var.op.name, np.asarray(value, dtype=var.dtype.np))
        counter_key = f"{_COUNTER}/{_VALUE}"
        if counter_key in self._values:
            counter = self._checkpoint.save_counter
            session.store.write(counter.op.name, np.asarray(self._values[counter_key], dtype=np.int64))

    def initialize_or_restore(self, session=None) -> None:
        """Restore what the checkpoint holds and run the initializers of the other variables."""
        session = _session(session)
        others = [v for k, v in self._entries.items() if k not in self._matched]
        inits = [p.initializer for v in others for p in (v.parts if isinstance(v, _Sliced) else [v])]
        if inits:
            session.run(inits)
        self.run_restore_ops(session)

    def _unmatched_objects(self) -> list:
        return [v for k, v in self._entries.items() if k not in self._values]

    def assert_consumed(self) -> CheckpointLoadStatus:
        """AssertionError unless every checkpoint value found a variable and every variable a value."""
        missing = self._unmatched_objects()
        if missing:
            raise AssertionError(f"Found {len(missing)} Python objects that were not bound to checkpointed values, "
                                 f"likely due to changes in the Python program: {missing}")
        unused = [k for k in self._values if k not in self._entries and not k.startswith(f"{_COUNTER}/")]
        if unused:
            raise AssertionError(f"Unresolved object in checkpoint {self._save_path}: {sorted(unused)}")
        return self

    def assert_existing_objects_matched(self) -> CheckpointLoadStatus:
        """AssertionError unless every variable reachable now has a value in the checkpoint."""
        missing = self._unmatched_objects()
        if missing:
            raise AssertionError(f"Some objects had attributes which were not restored: {missing}")
        return self

    def assert_nontrivial_match(self) -> CheckpointLoadStatus:
        if not self._matched:
            raise AssertionError(f"Nothing except the root object matched a checkpointed value ({self._save_path})")
        return self

    def expect_partial(self) -> CheckpointLoadStatus:
        return self


class CheckpointManager:
    """Numbered saves of a Checkpoint in one directory, keeping the newest `max_to_keep` (None: all)."""

    def __init__(self, checkpoint: Checkpoint, directory: str, max_to_keep: int | None,
                 keep_checkpoint_every_n_hours: float | None = None, checkpoint_name: str = "ckpt",
                 step_counter: Any = None, checkpoint_interval: int | None = None, init_fn: Any = None):
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"CheckpointManager needs a tf.train.Checkpoint, got {checkpoint!r}")
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got {max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not None.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_secs = None if keep_checkpoint_every_n_hours is None else keep_checkpoint_every_n_hours * 3600
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter, self._interval, self._init_fn = step_counter, checkpoint_interval, init_fn
        self._last_step = None
        state = get_checkpoint_state(self._directory) if os.path.isdir(self._directory) else None
        self._kept: list[tuple[str, float]] = []
        if state is not None:  # a restarted job takes over the checkpoints the directory names
            for path in state.all_model_checkpoint_paths:
                if checkpoint_exists(path):
                    self._kept.append((path, os.path.getmtime(path + SUFFIX) if os.path.isfile(path + SUFFIX)
                                       else time.time()))
        self._last_preserved = time.time()

    directory = property(lambda self: self._directory)
    checkpoint = property(lambda self: self._checkpoint)
    checkpoint_interval = property(lambda self: self._interval)

    @property
    def latest_checkpoint(self) -> str | None:
        return self._kept[-1][0] if self._kept else None

    @property
    def checkpoints(self) -> list[str]:
        return [p for p, _ in self._kept]

    def save(self, checkpoint_number: int | None = None, check_interval: bool = True, options: Any = None,
             session=None) -> str | None:
        """Write `directory/<checkpoint_name>-N` (N the save counter, or checkpoint_number); None when
        checkpoint_interval says it is too early."""
        session = _session(session)
        if self._interval is not None and check_interval:
            step = int(session.run(self._step_counter))
            if self._last_step is not None and step < self._last_step + self._interval:
                return None
            self._last_step = step
        counter = self._checkpoint._counter_ready(session)
        count = int(session.run(counter.assign_add(1)))
        number = count if checkpoint_number is None else int(session.run(checkpoint_number)
                                                             if hasattr(checkpoint_number, "op")
                                                             else checkpoint_number)
        os.makedirs(self._directory, exist_ok=True)
        path = self._checkpoint.write(f"{self._prefix}-{number}", session=session)
        now = time.time()
        self._kept = [(p, t) for p, t in self._kept if p != path] + [(path, now)]
        while self._max_to_keep is not None and len(self._kept) > self._max_to_keep:
            old, stamp = self._kept.pop(0)
            if self._keep_secs is not None and stamp - self._last_preserved >= self._keep_secs:
                self._last_preserved = stamp  # TF: one checkpoint per keep_checkpoint_every_n_hours stays
                continue
            remove_checkpoint(old)
        write_checkpoint_state(self._directory, generate_checkpoint_state_proto(
            self._directory, path, self.checkpoints, [t for _, t in self._kept], self._last_preserved))
        return path

    def restore_or_initialize(self, session=None) -> str | None:
        """Restore the latest checkpoint (returning its path), else call init_fn (returning None)."""
        latest = self.latest_checkpoint
        if latest is not None:
            self._checkpoint.restore(latest).run_restore_ops(session)
            return latest
        if self._init_fn is not None:
            self._init_fn()
        return None


__all__ = ["Checkpoint", "CheckpointLoadStatus", "CheckpointManager"]
