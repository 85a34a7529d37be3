"""compile_step: from the user's graph and one run's fetches and feeds to an optimized step graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dfc.ir.graph import Graph, Op, Value

from .passes import PASSES, PassManager
from .prune import prune
from .specialize import specialize

#: the optimizing stages after prune and specialize, in DESIGN.md's order; missing ones are skipped
STAGES = ("autodiff", "fold", "simplify", "cse", "dce", "fuse")


def default_pipeline() -> list[str]:
    return [name for name in STAGES if name in PASSES]


def compile_step(graph: Graph, fetches: Sequence[Value], targets: Sequence[Op] = (), feeds: Sequence[Value] = (),
                 feed_shapes: Sequence[tuple[int, ...]] | None = None, pipeline: Sequence[str] | None = None,
                 on_stage: Callable[[str, Graph], None] | None = None, verify_each: bool = False) -> Graph:
    """The step graph for fetching `fetches` and running `targets` with `feeds` fed."""
    if on_stage is not None:
        on_stage("build", graph)
    step = prune(graph, fetches, targets, feeds)
    if on_stage is not None:
        on_stage("prune", step)
    if feed_shapes is not None:
        step = specialize(step, feed_shapes)
        if on_stage is not None:
            on_stage("specialize", step)
    manager = PassManager(default_pipeline() if pipeline is None else pipeline, verify_each=verify_each,
                          on_stage=on_stage)
    return manager.run(step)
