"""The greedy pattern-rewrite driver: rewrite patterns declared per op or per trait, applied to a fixpoint.

In the style of MLIR's `applyPatternsAndFoldGreedily`. A pattern is a function
`(op, rewriter) -> bool` that rewrites `op` through the PatternRewriter and says whether
it did; a PatternSet files each pattern under the op names it matches (given by name, by
an OpDef trait such as "reduction", or every op), highest benefit first.

`apply_patterns_greedily` seeds a worklist with every op of the graph (regions included,
producers first) and visits them in that order, trying the op's patterns until one
fires. When a pattern replaces a value, the users of that value go back on the worklist;
so do the ops it creates. Those not already waiting are visited in a later round, in
program order; the driver stops when a round leaves nothing to do, or after
`max_rounds` rounds (then `RewriteStats.converged` is false).

Ops a pattern creates are in the graph (their uses registered, the worklist sees them)
at once, but are placed in their block's op list, and erased ops taken out of it, at
the end of each round: one O(n) rebuild per changed block instead of an O(n) list
insert or remove per rewrite. Patterns therefore read operands and uses, never the
position of an op in `block.ops`.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from .graph import Block, Graph, Op, Value
from .ops.registry import REGISTRY, TRAITS

#: the default bound on worklist rounds (a round revisits only the ops the previous one touched)
MAX_ROUNDS = 8

PatternFn = Callable[[Op, "PatternRewriter"], bool]


@dataclass(frozen=True)
class Pattern:
    """One rewrite: `fn(op, rewriter)` returns whether it rewrote `op`.

    It applies to the ops named in `ops`, those whose OpDef has the boolean `trait`, or
    (neither given) every op but those in `exclude`. Among an op's patterns, higher `benefit` is tried first,
    then declaration order.
    """

    name: str
    fn: PatternFn
    ops: frozenset[str] = frozenset()
    trait: str | None = None
    benefit: int = 1
    exclude: frozenset[str] = frozenset()

    def matches(self, op_type: str) -> bool:
        if op_type in self.exclude:
            return False
        if self.ops or self.trait:
            opdef = REGISTRY.get(op_type)
            return op_type in self.ops or (self.trait is not None and opdef is not None
                                           and bool(getattr(opdef, self.trait)))
        return True


class PatternSet:
    """The patterns of one pass, looked up by op name (the lookup is cached per name)."""

    def __init__(self, patterns: Iterable[Pattern] = ()):
        self.patterns: list[Pattern] = list(patterns)
        self._by_type: dict[str, tuple[Pattern, ...]] = {}

    def add(self, fn: PatternFn, ops: Iterable[str] = (), trait: str | None = None, name: str | None = None,
            benefit: int = 1, exclude: Iterable[str] = ()) -> Pattern:
        if trait is not None and trait not in TRAITS:
            raise ValueError(f"unknown op trait '{trait}' (known: {', '.join(TRAITS)})")
        pattern = Pattern(name or fn.__name__.lstrip("_"), fn, frozenset(ops), trait, benefit, frozenset(exclude))
        self.patterns.append(pattern)
        self._by_type.clear()
        return pattern

    def pattern(self, *ops: str, trait: str | None = None, name: str | None = None,
                benefit: int = 1) -> Callable[[PatternFn], PatternFn]:
        """Decorator form of `add`: `@patterns.pattern("dfc.add")` or `@patterns.pattern(trait="reduction")`."""
        def wrap(fn: PatternFn) -> PatternFn:
            self.add(fn, ops, trait, name, benefit)
            return fn
        return wrap

    def for_op(self, op_type: str) -> tuple[Pattern, ...]:
        found = self._by_type.get(op_type)
        if found is None:
            ranked = sorted(enumerate(p for p in self.patterns if p.matches(op_type)),
                            key=lambda ip: (-ip[1].benefit, ip[0]))
            found = self._by_type[op_type] = tuple(p for _, p in ranked)
        return found


@dataclass
class RewriteStats:
    """What one driver run did: rounds, op visits, and how often each pattern fired."""

    label: str = ""
    rounds: int = 0
    visits: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    converged: bool = True

    @property
    def rewrites(self) -> int:
        return sum(self.hits.values())

    def report(self) -> str:
        head = (f"{self.label or 'rewrite'}: {self.rewrites} rewrite(s) in {self.rounds} round(s), "
                f"{self.visits} op visit(s){'' if self.converged else ', stopped at the round cap'}")
        return "\n".join([head] + [f"  {count:>7}  {name}" for name, count in self.hits.most_common()])


_collected: ContextVar[list[RewriteStats] | None] = ContextVar("dfc_rewrite_stats", default=None)


@contextlib.contextmanager
def collect_statistics() -> Iterator[list[RewriteStats]]:
    """Within the block, every driver run appends its RewriteStats to the yielded list."""
    runs: list[RewriteStats] = []
    token = _collected.set(runs)
    try:
        yield runs
    finally:
        _collected.reset(token)


class PatternRewriter:
    """The changes a pattern may make; each keeps use-lists exact and tells the driver what to revisit."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._pending: dict[Op, list[Op]] = {}  # anchor -> ops to place before it, in order
        self._erased: set[Op] = set()
        self._dirty: dict[Block, None] = {}
        self._touched: list[Op] = []

    # ---- for patterns --------------------------------------------------------------------
    def insert_before(self, anchor: Op, op: Op) -> Op:
        """Put `op` (not in any block) just before `anchor`."""
        block = anchor.block
        op.block = block
        op._set_live(anchor.in_graph)
        self._pending.setdefault(anchor, []).append(op)
        self._dirty[block] = None
        self._touched.append(op)
        return op

    def replace_all_uses(self, old: Value, new: Value) -> None:
        """Point every use of `old` at `new`; the users are revisited."""
        self._touched.extend(op for op, _ in old._uses)
        old.replace_all_uses_with(new)

    def replace_op(self, op: Op, values: Sequence[Value]) -> None:
        """Replace each result of `op` by the matching value, then erase `op`."""
        for old, new in zip(op.results, values, strict=True):
            self.replace_all_uses(old, new)
        self.erase_op(op)

    def erase_op(self, op: Op) -> None:
        """Erase `op`, which must have no uses left."""
        if any(r._uses for r in op.results):
            raise ValueError(f"cannot erase op {op.describe()}: its results are still used")
        op._set_live(False)
        self._erased.add(op)
        if op.block is not None:
            self._dirty[op.block] = None

    def changed_in_place(self, op: Op) -> None:
        """Say that a pattern changed `op`'s operands or attributes itself: it and its users are revisited."""
        self._touched.append(op)
        self._touched.extend(u for r in op.results for u, _ in r._uses)

    # ---- for the driver ------------------------------------------------------------------
    def take_touched(self) -> list[Op]:
        touched, self._touched = self._touched, []
        return touched

    def flush(self) -> None:
        """Place the created ops and drop the erased ones in each changed block's op list."""
        for block in self._dirty:
            out: list[Op] = []
            for op in list.__iter__(block.ops):
                self._place(op, out)
            list.__setitem__(block.ops, slice(None), out)  # links and uses are already right
        for op in self._erased:
            op.block = None
        self._pending, self._erased, self._dirty = {}, set(), {}

    def _place(self, op: Op, out: list[Op]) -> None:
        for new in self._pending.pop(op, ()):
            self._place(new, out)
        if op not in self._erased:
            out.append(op)


def apply_patterns_greedily(graph: Graph, patterns: PatternSet, max_rounds: int = MAX_ROUNDS,
                            label: str = "") -> RewriteStats:
    """Apply `patterns` to every op of `graph` until none fires (see the module docstring); in place."""
    stats = RewriteStats(label)
    rewriter = PatternRewriter(graph)
    worklist: list[Op] = list(graph.walk())
    while worklist:
        if stats.rounds == max_rounds:
            stats.converged = False
            break
        stats.rounds += 1
        later = _run_round(worklist, patterns, rewriter, stats)
        rewriter.flush()
        worklist = [op for op in graph.walk() if op in later] if later else []
    if stats.rewrites:
        graph.mark_changed()
    runs = _collected.get()
    if runs is not None:
        runs.append(stats)
    return stats


def _run_round(worklist: list[Op], patterns: PatternSet, rewriter: PatternRewriter, stats: RewriteStats) -> set[Op]:
    """Visit the ops of one round in order; returns the ops to visit in the next."""
    waiting = set(worklist)
    later: set[Op] = set()
    visits = 0
    for op in worklist:
        waiting.discard(op)
        if not op._live:  # erased by an earlier rewrite
            continue
        visits += 1
        for pattern in patterns.for_op(op.type):
            if pattern.fn(op, rewriter):
                stats.hits[pattern.name] += 1
                # ops no pattern matches need no visit
                later.update(t for t in rewriter.take_touched() if t not in waiting and patterns.for_op(t.type))
                break
    stats.visits += visits
    return later
