"""tf.train.Saver: save and restore a session's variables to checkpoint files (safetensors format)."""

from __future__ import annotations

import logging
import os
import re
import time
import warnings
from typing import Any

import numpy as np

from dfc.ir.errors import InvalidArgumentError, NotFoundError
from dfc.runtime.checkpoint import DataLossError, load_tensors, save_tensors

from .variables import Variable, global_variables

_log = logging.getLogger("dfc")

SUFFIX = ".safetensors"
STATE_FILE = "checkpoint"


class Saver:
    """Saves `var_list` (all global variables by default) under their names, keeping `max_to_keep` files."""

    def __init__(self, var_list: Any = None, reshape: bool = False, sharded: bool = False, max_to_keep: int = 5,
                 keep_checkpoint_every_n_hours: float = 10000.0, name: str | None = None, restore_sequentially: bool
                 = False, saver_def: Any = None, builder: Any = None, defer_build: bool = False,
                 allow_empty: bool = False, write_version: Any = None, pad_step_number: bool = False,
                 save_relative_paths: bool = False, filename: str | None = None, **_ignored):
        if var_list is None:  # TF1: the global variables and the saveable objects (a cuDNN layer's canonical form)
            from .graph import GraphKeys, get_collection
            var_list = global_variables() + get_collection(GraphKeys.SAVEABLE_OBJECTS)
        items = _saveables(var_list)
        for key, var in items:
            if not isinstance(var, (Variable, _Sliced)) and not hasattr(var, "restore_value"):
                raise TypeError(f"Variable to save is not a Variable: {var!r}" + (f" (key '{key}')" if key else ""))
        names = [k for k, _ in items]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"At least two variables have the same name: {', '.join(sorted(duplicates))}")
        if not items and not allow_empty and not defer_build:
            raise ValueError("No variables to save")
        self._items = items
        self._graph = items[0][1].graph if items else None
        self.max_to_keep = max_to_keep
        self._keep_every_secs = keep_checkpoint_every_n_hours * 3600.0
        self._next_keep_time = time.time() + self._keep_every_secs
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._kept: list[tuple[str, float]] = []
        self._meta_cache: tuple[Any, bytes] | None = None

    def build(self) -> None:
        """TF1's deferred build: nothing is left to build."""

    def as_saver_def(self) -> Any:
        from tensorboard.compat.proto import saver_pb2
        return saver_pb2.SaverDef(max_to_keep=self.max_to_keep,
                                  keep_checkpoint_every_n_hours=self._keep_every_secs / 3600.0)

    def to_proto(self, export_scope: str | None = None) -> Any:
        return self.as_saver_def()

    def export_meta_graph(self, filename: str | None = None, collection_list: list[str] | None = None,
                          as_text: bool = False, export_scope: str | None = None, clear_devices: bool = False,
                          clear_extraneous_savers: bool = False, strip_default_attrs: bool = False,
                          save_debug_info: bool = False) -> Any:
        """The MetaGraphDef of this saver's graph (written to `filename` when given); see tf.train.import_meta_graph."""
        from .framework import get_default_graph
        from .meta_graph import export_meta_graph
        return export_meta_graph(filename, collection_list=collection_list, as_text=as_text,
                                 graph=self._graph or get_default_graph(), clear_devices=clear_devices,
                                 saver_def=self.as_saver_def())

    def _write_meta_graph(self, path: str) -> None:
        graph = self._graph
        if graph is None:
            from .framework import get_default_graph
            graph = get_default_graph()
        key = (graph.id, graph.version, sum(len(v) for v in graph.collections.values() if isinstance(v, list)))
        if self._meta_cache is None or self._meta_cache[0] != key:  # a training loop saves one graph many times
            self._meta_cache = (key, self.export_meta_graph().SerializeToString())
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(self._meta_cache[1])
        os.replace(tmp, path)

    def save(self, sess, save_path: str, global_step: Any = None, latest_filename: str | None = None,
             meta_graph_suffix: str = "meta", write_meta_graph: bool = True, write_state: bool = True) -> str:
        """Write the variables' current values; returns the checkpoint prefix (e.g. model.ckpt-100)."""
        if sess is None or not callable(getattr(sess, "run", None)):
            raise TypeError(f"'sess' must be a Session; {sess}")
        _check_open(sess)
        self._check_graph(sess)
        if save_path is None or save_path == "":
            raise ValueError(f"'save_path' must be a file name, got {save_path!r}")
        save_path = os.fspath(save_path)
        if os.path.isdir(save_path):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save (it is a directory: give "
                             f"a file prefix inside it)")
        parent = os.path.dirname(os.path.abspath(save_path))
        if not os.path.isdir(parent):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save (make {parent} first).")
        prefix = save_path
        if global_step is not None:
            step = global_step if isinstance(global_step, (int, np.integer)) else sess.run(global_step)
            prefix = f"{save_path}-{int(step):08d}" if self._pad_step_number else f"{save_path}-{int(step)}"
        tensors = {}
        for key, var in self._items:
            for part in getattr(var, "parts", None) or [var]:
                if not sess.store.is_initialized(part.op.name):
                    raise InvalidArgumentError(f"cannot save variable '{part.op.name}': it was never initialized in "
                                               f"this session")
            tensors[key] = var.assemble(sess) if hasattr(var, "assemble") else sess.store.buffer(var.op.name)
        save_tensors(prefix + SUFFIX, tensors, {"format": "dfc-checkpoint-1"})
        if write_meta_graph:
            try:
                self._write_meta_graph(f"{prefix}.{meta_graph_suffix}")
            except Exception as e:  # noqa: BLE001 - the checkpoint is saved; only the graph's copy beside it is not
                _log.warning("Saved %s, but not its meta graph %s.%s: %s", prefix, prefix, meta_graph_suffix, e)
        if write_state:
            self._remember(prefix, latest_filename or STATE_FILE)
        return prefix

    def restore(self, sess, save_path: str) -> None:
        """Load every saved variable; a missing name or a shape/dtype that differs is an error naming it."""
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        _check_open(sess)
        self._check_graph(sess)
        save_path = os.fspath(save_path)
        if os.path.isdir(save_path):  # TF's RestoreV2 opens it as its table file and fails so
            raise DataLossError(f"Unable to open table file {save_path}: it is a directory; restore from a "
                                f"checkpoint prefix inside it (tf.train.latest_checkpoint({save_path!r}))")
        stem = os.path.splitext(save_path)[0]
        if not checkpoint_exists(save_path) and (os.path.isfile(save_path) or (
                save_path.endswith(".index") and checkpoint_exists(stem))):
            # a file of a checkpoint given for its prefix (model.ckpt.meta, model.ckpt.index): TF reads it as the
            # checkpoint's table, and so fails on its first key (an index) or its format (anything else)
            hint = f"; restore from the checkpoint's prefix {stem}" if checkpoint_exists(stem) else ""
            if save_path.endswith(".index"):
                key = self._items[0][0] if self._items else "(none)"
                raise NotFoundError(f"Key {key} not found in checkpoint {save_path}: it is a checkpoint's index "
                                    f"file, not its prefix{hint}")
            raise DataLossError(f"Unable to open table file {save_path}: it is no checkpoint, nor a checkpoint "
                                f"prefix{hint}")
        if not checkpoint_exists(save_path):
            # TF1: ValueError for a path that is no checkpoint (a directory, a file name without its prefix)
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path} (no "
                             f"{_data_file(save_path)}, nor a TensorFlow checkpoint's {save_path}.index)")
        tensors = read_checkpoint(save_path)
        for key, var in self._items:
            if key not in tensors:
                raise NotFoundError(f"Key {key} not found in checkpoint {save_path}{_made_at(var)}")
            value = tensors[key]
            want = var.shape.as_list()
            if list(value.shape) != want or value.dtype != var.dtype.np:
                what = f"partitioned variable '{var.name}'" if isinstance(var, _Sliced) else \
                    f"the canonical form of '{var.parts[0].op.name}'" if hasattr(var, "restore_value") else \
                    f"variable '{var.op.name}'"
                raise InvalidArgumentError(
                    f"checkpoint {save_path} holds '{key}' as {value.dtype}{list(value.shape)}, but {what} is "
                    f"{var.dtype.name}{want}{_made_at(var)}")
        for key, var in self._items:
            if hasattr(var, "restore_value"):  # a part of a saveable object: it writes itself into its variable
                var.restore_value(sess, tensors[key])
            elif isinstance(var, _Sliced):  # each shard its slice of the whole, whatever the partitioning saved
                for part in var.parts:
                    sess.store.write(part.op.name, np.ascontiguousarray(tensors[key][part._save_slice_info.slices()]))
            else:
                sess.store.write(var.op.name, tensors[key])

    def _check_graph(self, sess: Any) -> None:
        """A session of another graph would read or write that graph's variables of the same names: TF's feed of
        the saver's own tensors fails there with a TypeError; so does this."""
        graph = _ir_of(getattr(sess, "graph", None))
        for _, var in self._items[:1]:
            mine = _ir_of(getattr(var, "graph", None))
            if graph is not None and mine is not None and mine is not graph:
                raise TypeError(f"Cannot interpret feed_dict key as Tensor: the session runs another graph than the "
                                f"one of this Saver's variables ({var.name}...): save and restore with a session of "
                                f"their graph")

    def _remember(self, prefix: str, state_name: str) -> None:
        directory = os.path.dirname(os.path.abspath(prefix))
        now = time.time()
        self._kept = [(p, t) for p, t in self._kept if p != prefix]
        self._kept.append((prefix, now))
        dropped = []
        while self.max_to_keep and len(self._kept) > self.max_to_keep:
            old, stamp = self._kept.pop(0)
            if stamp > self._next_keep_time:  # TF1: one checkpoint every keep_checkpoint_every_n_hours stays
                self._next_keep_time += self._keep_every_secs
                continue
            dropped.append(old)
        kept = [os.path.basename(p) for p, _ in self._kept]
        state = generate_checkpoint_state_proto(directory, os.path.basename(prefix), kept,
                                                [t for _, t in self._kept], None)
        # the state file first, as TF: a save stopped in between leaves files too many, never a state file that
        # names deleted ones
        write_checkpoint_state(directory, state, state_name)
        for old in dropped:
            if old != prefix:
                remove_checkpoint(old)

    @property
    def last_checkpoints(self) -> list[str]:
        return [p for p, _ in self._kept]

    def set_last_checkpoints(self, last_checkpoints: list[str]) -> None:
        """Take over checkpoints made before (by another Saver): they count toward max_to_keep."""
        if not isinstance(last_checkpoints, list):
            raise TypeError(f"last_checkpoints must be a list, got {type(last_checkpoints).__name__}")
        self._kept = [(p, time.time()) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time: list[tuple[str, float]]) -> None:
        self._kept = [(p, float(t)) for p, t in last_checkpoints_with_time]

    def recover_last_checkpoints(self, checkpoint_paths: list[str]) -> None:
        """Take over the checkpoints of a directory's state file that still exist (oldest first)."""
        existing = [p for p in checkpoint_paths if checkpoint_exists(p)]
        self._kept = list(zip(existing, get_checkpoint_mtimes(existing)))


def _check_open(sess: Any) -> None:
    """TF's save and restore run ops in the session: a closed one refuses them (else a restore would do nothing)."""
    if getattr(sess, "_closed", False) is True:
        raise RuntimeError("Attempted to use a closed Session.")


def _ir_of(graph: Any) -> Any:
    """The IR graph behind a front-end graph (a session may hold either)."""
    to_ir = getattr(graph, "_dfc_ir", None)
    return to_ir() if to_ir is not None else graph


def _made_at(var: Any) -> str:
    """Where the user's code made `var`, for an error message (empty when unknown)."""
    op = getattr(var, "op", None)
    ir = op._dfc_ir() if hasattr(op, "_dfc_ir") else None
    loc = getattr(ir, "loc", None)
    return f" (the variable made at {loc})" if loc else ""


class _Sliced:
    """The shards of one partitioned variable, saved as one checkpoint entry: the whole, assembled by their
    SaveSliceInfo (so a checkpoint written with 3 shards restores into 2, or into one variable)."""

    def __init__(self, parts: list[Variable]):
        info = getattr(parts[0], "_save_slice_info", None)
        for p in parts:
            if not isinstance(p, Variable):
                raise TypeError(f"Variable to save is not a Variable: {p!r}")
            if info is None:  # a list under one name is the slices of one partitioned variable
                raise ValueError(f"Slices must all be slices: {p.name} is a whole variable, not a slice of a "
                                 f"partitioned one")
            if p._save_slice_info is None or p._save_slice_info.full_name != info.full_name:
                raise ValueError(f"Slices of partitioned variable {info.full_name} must all have its save slice "
                                 f"info, got {p.name}")
        self.parts = parts
        self.name = info.full_name
        self.full_shape = list(info.full_shape)
        self.dtype = parts[0].dtype
        self.graph = parts[0].graph

    @property
    def shape(self):
        from .framework import TensorShape
        return TensorShape(self.full_shape)

    def assemble(self, sess) -> np.ndarray:
        whole = np.zeros(self.full_shape, dtype=self.dtype.np)
        for part in self.parts:
            whole[part._save_slice_info.slices()] = sess.store.buffer(part.op.name)
        return whole


def _saveables(var_list: Any) -> list[tuple[str | None, Any]]:
    """(checkpoint key, Variable or _Sliced) for each entry: TF's op_list_to_dict, a partitioned variable's shards
    (a PartitionedVariable, a list of them, or shards in a flat list) under its full name."""
    from .partitioned_variables import PartitionedVariable
    if isinstance(var_list, dict):
        items = []
        for key, v in var_list.items():
            if isinstance(v, PartitionedVariable) or (isinstance(v, (list, tuple)) and v):
                items.append((key, _Sliced(list(v))))
            else:
                items.append((key, v))
        return items
    items, groups = [], {}
    for v in var_list:
        if hasattr(v, "entries"):  # a saveable object: its (checkpoint name, part) pairs
            items += list(v.entries)
        elif isinstance(v, PartitionedVariable) or isinstance(v, (list, tuple)):
            parts = list(v)
            if parts and all(getattr(p, "_save_slice_info", None) is not None for p in parts):
                items.append((parts[0]._save_slice_info.full_name, _Sliced(parts)))
            else:
                items += [(getattr(getattr(p, "op", None), "name", None), p) for p in parts]
        elif isinstance(v, Variable) and v._save_slice_info is not None:
            name = v._save_slice_info.full_name
            if name not in groups:
                groups[name] = []
                items.append((name, groups[name]))
            groups[name].append(v)
        else:
            items.append((getattr(getattr(v, "op", None), "name", None), v))
    return [(key, _Sliced(var) if isinstance(var, list) else var) for key, var in items]


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The prefix named by the directory's state file, if that checkpoint exists."""
    state = os.path.join(checkpoint_dir, latest_filename or STATE_FILE)
    try:
        with open(state, "rb") as f:
            text = f.read().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        # TF's get_checkpoint_state: an unreadable state file is ignored with a warning, not an error
        warnings.warn(f"{state}: cannot read the checkpoint state file ({e}); checkpoint ignored", RuntimeWarning,
                      stacklevel=2)
        return None
    match = re.search(r'^model_checkpoint_path:\s*"([^"]*)"', text, re.MULTILINE)
    if not match:
        _refuse_empty_state(text, checkpoint_dir)
        return None
    prefix = match.group(1)
    prefix = prefix if os.path.isabs(prefix) else os.path.join(checkpoint_dir, prefix)
    return prefix if checkpoint_exists(prefix) else None


_STATE_LINE = re.compile(r"\s*(#.*|(model_checkpoint_path|all_model_checkpoint_paths|all_model_checkpoint_timestamps|"
                         r"last_preserved_timestamp)\s*:\s*\S.*)?")


def _refuse_empty_state(text: str, checkpoint_dir: str) -> None:
    """TF's get_checkpoint_state: a state file that parses (blank, or only other fields) but names no latest
    checkpoint is a ValueError; one that does not parse is ignored."""
    if all(_STATE_LINE.fullmatch(line) for line in text.splitlines()):
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir} (its state file names no "
                         f"model_checkpoint_path)")


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
        _refuse_empty_state(text, checkpoint_dir)
        _log.warning("%s: not a checkpoint state file; ignored", state)  # TF: a text that does not parse
        return None

    def full(prefix: str) -> str:
        return prefix if os.path.isabs(prefix) else os.path.join(checkpoint_dir, prefix)
    kept = [full(p) for p in re.findall(r'^all_model_checkpoint_paths:\s*"([^"]*)"', text, re.MULTILINE)]
    return CheckpointState(full(latest.group(1)), kept)


def import_meta_graph(meta_graph_or_file: Any, clear_devices: bool = False, import_scope: str | None = None,
                      input_map: dict | None = None, return_elements: list[str] | None = None, **kwargs: Any):
    """Rebuild a saved graph in the default graph; returns a Saver of its variables (None without any).

    The ops take `import_scope/` before their names; `input_map` ({'x:0': tensor}) feeds the
    imported ops from tensors of the current graph instead; with `return_elements` the answer is
    (saver, [the named tensors and ops]). The Saver restores the checkpoint's names, scope or not.
    """
    from .framework import get_default_graph
    from .meta_graph import import_into, read_meta_graph_file

    meta = read_meta_graph_file(meta_graph_or_file) if isinstance(meta_graph_or_file, (str, os.PathLike)) \
        else meta_graph_or_file
    graph = get_default_graph()
    imported = import_into(graph, meta, clear_devices, import_scope, input_map or {})
    saveable: dict[str, Any] = {}
    for original, var in imported.variables.items():
        if var in imported.global_variables:
            whole = getattr(var, "_saved_full_name", None)  # a shard: saved within its whole variable's entry
            if whole is None:
                saveable[original] = var
            else:
                saveable.setdefault(whole, []).append(var)
    saver = Saver(saveable) if saveable else None
    if return_elements is None:
        return saver
    return saver, [imported.element(name) for name in return_elements]


# ---- checkpoint files and the state file (tf.train's checkpoint_management) ----------------------------
def _data_file(prefix: str) -> str:
    """The file holding a checkpoint's tensors: dfc's safetensors file, or TensorFlow's .index (a bundle)."""
    from dfc.runtime.tf_bundle import is_bundle
    if prefix.endswith(SUFFIX):
        return prefix
    if not os.path.isfile(prefix + SUFFIX) and is_bundle(prefix):
        return prefix + ".index"
    return prefix + SUFFIX


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """Whether a checkpoint with this prefix (dfc's, or TensorFlow's with its .index) or this very file exists."""
    prefix = os.fspath(checkpoint_prefix)
    return os.path.isfile(_data_file(prefix))


def read_checkpoint(prefix: str) -> dict[str, np.ndarray]:
    """Every tensor of the checkpoint at `prefix`: dfc's safetensors file, or a checkpoint TensorFlow wrote."""
    from dfc.runtime.tf_bundle import load_bundle
    path = _data_file(prefix)
    if path.endswith(".index") and not prefix.endswith(SUFFIX):
        return load_bundle(prefix)
    tensors, _ = load_tensors(path)
    return tensors


def get_checkpoint_mtimes(checkpoint_prefixes: list[str]) -> list[float]:
    """The modification times of the checkpoints that exist (those missing are left out, as TF's)."""
    times = []
    for prefix in checkpoint_prefixes:
        path = _data_file(os.fspath(prefix))
        if os.path.isfile(path):
            times.append(os.path.getmtime(path))
        else:
            _log.warning("Couldn't match files for checkpoint %s", prefix)
    return times


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version: Any = None,
                      meta_graph_suffix: str = "meta") -> None:
    """Delete a checkpoint's files (data and meta graph); a missing one is logged, as TF's."""
    prefix = os.fspath(checkpoint_prefix)
    found = False
    import glob
    bundle = [prefix + ".index", *glob.glob(glob.escape(prefix) + ".data-?????-of-?????")]
    for path in (_data_file(prefix), f"{prefix}.{meta_graph_suffix}", *bundle):
        if os.path.isfile(path):
            os.remove(path)
            found = True
    if not found:
        _log.error("Couldn't match files for checkpoint %s", prefix)


def generate_checkpoint_state_proto(save_dir: str, model_checkpoint_path: str,
                                    all_model_checkpoint_paths: list[str] | None = None,
                                    all_model_checkpoint_timestamps: list[float] | None = None,
                                    last_preserved_timestamp: float | None = None) -> CheckpointState:
    """The CheckpointState naming `model_checkpoint_path` as the latest (it ends the list of all)."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if (all_model_checkpoint_timestamps is not None
            and len(all_model_checkpoint_timestamps) != len(paths)):
        raise ValueError(f"Checkpoint timestamps, if provided, must match checkpoint paths (got paths "
                         f"{paths} and timestamps {all_model_checkpoint_timestamps})")
    if not os.path.isabs(save_dir):  # TF: paths under a relative save_dir are written relative to it
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    state = CheckpointState(model_checkpoint_path, paths)
    state.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps or [])
    state.last_preserved_timestamp = last_preserved_timestamp
    return state


def write_checkpoint_state(save_dir: str, state: CheckpointState, latest_filename: str | None = None) -> None:
    """The state file, written whole and renamed into place (a reader never sees half of it)."""
    lines = [f'model_checkpoint_path: "{state.model_checkpoint_path}"']
    lines += [f'all_model_checkpoint_paths: "{p}"' for p in state.all_model_checkpoint_paths]
    lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in getattr(state, "all_model_checkpoint_timestamps",
                                                                         [])]
    preserved = getattr(state, "last_preserved_timestamp", None)
    if preserved is not None:
        lines.append(f"last_preserved_timestamp: {preserved!r}")
    name = latest_filename or STATE_FILE
    if os.path.basename(name) != name or name in ("", ".", ".."):
        raise ValueError(f"latest_filename must be a plain file name, got {name!r}")
    os.makedirs(save_dir or ".", exist_ok=True)
    path = os.path.join(save_dir, name)
    tmp = os.path.join(save_dir, f".{name}.tmp{os.getpid()}")
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: list[str] | None = None, latest_filename: str | None = None,
                            all_model_checkpoint_timestamps: list[float] | None = None,
                            last_preserved_timestamp: float | None = None) -> None:
    """Write the directory's state file naming `model_checkpoint_path` as the latest checkpoint."""
    state = generate_checkpoint_state_proto(save_dir, model_checkpoint_path, all_model_checkpoint_paths,
                                            all_model_checkpoint_timestamps, last_preserved_timestamp)
    write_checkpoint_state(save_dir, state, latest_filename)


__all__ = ["CheckpointState", "DataLossError", "Saver", "checkpoint_exists", "import_meta_graph", "read_checkpoint",
           "generate_checkpoint_state_proto",
           "get_checkpoint_mtimes", "get_checkpoint_state", "latest_checkpoint", "remove_checkpoint",
           "update_checkpoint_state", "write_checkpoint_state"]
