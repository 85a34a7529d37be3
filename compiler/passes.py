"""The pass registry and pass manager: passes are named functions over a graph, run as a pipeline.

A pass takes the graph and its options as keyword arguments (prune takes the fetches,
specialize the feed shapes) and returns the graph it leaves, or a PassResult when it also
computes something about that graph (the plan pass's buffer Plan): results are returned,
never attached to the graph.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable, Mapping, Sequence

from dfc.ir.graph import Graph


@dataclass
class PassResult:
    """What a pass returns when it computes more than a graph: the graph and its analysis."""

    graph: Graph
    analysis: Any = None


Pass = Callable[..., "Graph | PassResult"]
PASSES: dict[str, Pass] = {}
#: one pipeline entry: a pass name, or a name and the options the pass is called with
PassSpec = "str | tuple[str, Mapping[str, Any]]"


#: the options a pass cannot run without (prune: what to fetch; specialize: the argument shapes)
PASS_NEEDS: dict[str, tuple[str, ...]] = {}


def register_pass(name: str, needs: Sequence[str] = ()) -> Callable[[Pass], Pass]:
    def wrap(fn: Pass) -> Pass:
        if name in PASSES:
            raise ValueError(f"pass '{name}' is registered twice")
        PASSES[name] = fn
        PASS_NEEDS[name] = tuple(needs)
        return fn
    return wrap


def get_pass(name: str) -> Pass:
    try:
        return PASSES[name]
    except KeyError:
        raise KeyError(f"unknown pass '{name}' (known: {', '.join(sorted(PASSES))})") from None


def split_result(out: Graph | PassResult) -> tuple[Graph, Any]:
    """(graph, analysis) of what a pass returned."""
    return (out.graph, out.analysis) if isinstance(out, PassResult) else (out, None)


@dataclass
class PassManager:
    """Runs passes by name (with options); optionally verifies after each, times each and reports each stage.

    `results` maps each pass that returned an analysis to it (the plan pass: its Plan).
    """

    pipeline: Sequence[str | tuple[str, Mapping[str, Any]]]
    verify_each: bool = False
    on_stage: Callable[[str, Graph], None] | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)

    def run(self, graph: Graph) -> Graph:
        for entry in self.pipeline:
            name, options = (entry, {}) if isinstance(entry, str) else (entry[0], dict(entry[1]))
            fn = get_pass(name)
            missing = [o for o in PASS_NEEDS.get(name, ()) if o not in options]
            if missing:
                raise ValueError(f"pass '{name}' needs the option(s) {', '.join(missing)}; it runs inside "
                                 f"compile_step, which gives them")
            start = time.perf_counter()
            graph, analysis = split_result(fn(graph, **options))
            if analysis is not None:
                self.results[name] = analysis
            self.timings.append((name, time.perf_counter() - start))
            if self.verify_each:
                from dfc.ir.verifier import verify
                verify(graph)
            if self.on_stage is not None:
                self.on_stage(name, graph)
        return graph

    def timing_report(self) -> str:
        total = sum(t for _, t in self.timings) or 1e-12
        lines = [f"{'pass':<16}{'seconds':>10}{'share':>8}"]
        lines += [f"{name:<16}{t:>10.6f}{t / total:>8.1%}" for name, t in self.timings]
        lines.append(f"{'total':<16}{total:>10.6f}")
        return "\n".join(lines)
