"""compile_step: from the user's graph and one run's fetches and feeds to an optimized step graph.

Every stage can be watched: `on_stage(name, graph)` sees the graph after each one, and
with DFC_DUMP_DIR set in the environment every compiled step writes its stages to a
numbered subdirectory of that directory (`step-000/00-build.mlir`, `01-prune.mlir`, ...).
Later stages that live outside this pipeline (the backend's LLVM module and assembly)
add their files to the same directory through `dump_artifact`.
"""

from __future__ import annotations

import os
import pathlib
import re
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from dfc.ir.graph import Graph, Op, Value
from dfc.ir.printer import print_graph

from .passes import PASSES, PassManager
from . import prune as _prune, specialize as _specialize  # noqa: F401 - register the prune and specialize passes

#: the optimizing stages after prune and specialize, in docs/architecture.md's order; missing ones are skipped
STAGES = ("autodiff", "fold", "simplify", "cse", "dce", "fuse")
#: every stage name `dfc compile --stage` knows, in order (plan, llvm and asm come from the backend)
ALL_STAGES = ("build", "prune", "specialize") + STAGES + ("plan", "llvm", "asm")
#: the environment variable naming the directory where every compiled step is dumped
DUMP_ENV = "DFC_DUMP_DIR"

StageCallback = Callable[[str, Graph], None]


def default_pipeline() -> list[str]:
    return [name for name in STAGES if name in PASSES]


class StageDumper:
    """Writes one numbered file per stage into a directory: 00-build.mlir, 01-prune.mlir, ..."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.files: list[pathlib.Path] = []

    def write(self, stage: str, text: str, suffix: str = "mlir") -> pathlib.Path:
        path = self.directory / f"{self.count:02d}-{stage}.{suffix}"
        path.write_text(text)
        self.count += 1
        self.files.append(path)
        return path

    def __call__(self, stage: str, graph: Graph) -> None:
        self.write(stage, print_graph(graph))


_step_dumpers: weakref.WeakKeyDictionary[Graph, StageDumper] = weakref.WeakKeyDictionary()
_dump_lock = threading.Lock()


def _next_step_dir(root: pathlib.Path) -> pathlib.Path:
    """A fresh `step-NNN` directory under root; numbers continue past those of earlier runs."""
    root.mkdir(parents=True, exist_ok=True)
    with _dump_lock:
        taken = [int(m.group(1)) for p in root.iterdir() if (m := re.fullmatch(r"step-(\d+)", p.name))]
        n = max(taken, default=-1) + 1
        while True:
            path = root / f"step-{n:03d}"
            try:
                path.mkdir()
                return path
            except FileExistsError:  # another process took it
                n += 1


def dump_artifact(step: Graph, stage: str, text: str, suffix: str) -> pathlib.Path | None:
    """Add a later stage (`llvm`/`ll`, `asm`/`s`) of a compiled step to its dump directory, if it has one."""
    dumper = _step_dumpers.get(step)
    return dumper.write(stage, text, suffix) if dumper is not None else None


def compile_step(graph: Graph, fetches: Sequence[Value], targets: Sequence[Op] = (), feeds: Sequence[Value] = (),
                 feed_shapes: Sequence[tuple[int, ...]] | None = None, pipeline: Sequence[str] | None = None,
                 on_stage: StageCallback | None = None, verify_each: bool = False,
                 timings: list[tuple[str, float]] | None = None,
                 arg_values: Mapping[int, np.ndarray] | None = None,
                 keep_dynamic: bool | frozenset[str] = frozenset()) -> Graph:
    """The step graph for fetching `fetches` and running `targets` with `feeds` fed.

    `arg_values` holds the arrays of fed values that decide shapes (by index into `feeds`; see the
    specialize pass); where values decide shapes, ops of the types in `keep_dynamic` (all of them when it is
    True) stay dynamic, their shapes unknown (for backends that run them on the host). `timings`, when given,
    receives (stage, seconds) for prune, specialize and each pass; `verify_each` verifies the graph after each
    of them. `graph` may be a front end's object that stands for an IR graph through `_dfc_ir()` (a tf.Graph).
    """
    graph = graph._dfc_ir() if hasattr(graph, "_dfc_ir") else graph
    dumper = None
    if os.environ.get(DUMP_ENV):
        dumper = StageDumper(_next_step_dir(pathlib.Path(os.environ[DUMP_ENV])))
    callbacks = [cb for cb in (on_stage, dumper) if cb is not None]

    def stage(name: str, g: Graph) -> None:
        for cb in callbacks:
            cb(name, g)

    stage("build", graph)
    stages: list = [("prune", {"fetches": list(fetches), "targets": list(targets), "feeds": list(feeds)})]
    if feed_shapes is not None:
        options: dict = {"arg_shapes": list(feed_shapes)}
        if arg_values:
            options["arg_values"] = dict(arg_values)
        if keep_dynamic:
            options["keep_dynamic"] = True if keep_dynamic is True else frozenset(keep_dynamic)
        stages.append(("specialize", options))
    stages += default_pipeline() if pipeline is None else list(pipeline)
    manager = PassManager(stages, verify_each=verify_each, on_stage=stage)
    step = manager.run(graph)
    if timings is not None:
        timings.extend(manager.timings)
    if dumper is not None:
        _step_dumpers[step] = dumper
    return step
