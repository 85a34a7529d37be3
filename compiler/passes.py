"""The pass registry and pass manager: passes are named Graph -> Graph functions run as a pipeline."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence

from dfc.ir.graph import Graph

Pass = Callable[[Graph], Graph]
PASSES: dict[str, Pass] = {}


def register_pass(name: str) -> Callable[[Pass], Pass]:
    def wrap(fn: Pass) -> Pass:
        if name in PASSES:
            raise ValueError(f"pass '{name}' is registered twice")
        PASSES[name] = fn
        return fn
    return wrap


def get_pass(name: str) -> Pass:
    try:
        return PASSES[name]
    except KeyError:
        raise KeyError(f"unknown pass '{name}' (known: {', '.join(sorted(PASSES))})") from None


@dataclass
class PassManager:
    """Runs passes by name; optionally verifies after each, times each and reports each stage."""

    pipeline: Sequence[str]
    verify_each: bool = False
    on_stage: Callable[[str, Graph], None] | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)

    def run(self, graph: Graph) -> Graph:
        for name in self.pipeline:
            fn = get_pass(name)
            start = time.perf_counter()
            graph = fn(graph)
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
