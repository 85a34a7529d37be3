"""The greedy pattern-rewrite driver: dispatch by op and trait, revisits, the round cap, statistics."""

from __future__ import annotations

import numpy as np
import pytest

from dfc.compiler.cse import cse
from dfc.compiler.fold import fold
from dfc.compiler.simplify import simplify
from dfc.ir import dtypes as dt
from dfc.ir.builder import create_op
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.pattern import PatternRewriter, PatternSet, apply_patterns_greedily, collect_statistics
from dfc.ir.types import TensorType
from dfc.ir.verifier import verify

F3 = TensorType(dt.f32, (3,))


def negs(n: int) -> tuple[Graph, Value]:
    """x, then n dfc.neg in a chain, fetched."""
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F3]).result
    v = x
    for i in range(n):
        v = create_op(g, "dfc.neg", [v], name=f"n{i}").result
    create_op(g, "dfc.fetch", [v])
    return g, x


def double_negation(op: Op, rewriter: PatternRewriter) -> bool:
    inner = op.operands[0].op
    if inner is None or inner.type != "dfc.neg":
        return False
    rewriter.replace_op(op, [inner.operands[0]])
    return True


def test_pattern_by_op_name_reaches_a_fixpoint_and_counts_hits():
    g, x = negs(5)
    patterns = PatternSet()
    patterns.add(double_negation, ["dfc.neg"])
    stats = apply_patterns_greedily(g, patterns)
    # neg(neg(x)) -> x twice over; the last neg stays; dead negs are left for dce
    fetched = g.body.terminator.operands[0]
    assert fetched.op.type == "dfc.neg" and fetched.op.operands[0] is x
    assert stats.hits["double_negation"] == 2 and stats.converged
    verify(g)


def test_pattern_by_trait_and_benefit_order():
    g, _ = negs(1)
    seen: list[str] = []
    patterns = PatternSet()
    patterns.add(lambda op, rw: seen.append("low") or False, trait="elementwise", name="low")
    patterns.add(lambda op, rw: seen.append("high") or False, trait="elementwise", name="high", benefit=2)
    apply_patterns_greedily(g, patterns)
    assert seen == ["high", "low"]  # only the neg is elementwise
    with pytest.raises(ValueError, match="unknown op trait"):
        patterns.add(double_negation, trait="shiny")


def test_created_ops_are_placed_and_revisited():
    g, x = negs(1)
    made: list[str] = []

    def neg_to_mul(op: Op, rw: PatternRewriter) -> bool:  # neg(x) -> mul(x, -1), then the mul is seen
        minus_one = rw.insert_before(op, Op("dfc.constant", "m1", [], {"value": np.float32(-1)},
                                            [TensorType(dt.f32, ())]))
        mul = rw.insert_before(op, Op("dfc.mul", "mul", [op.operands[0], minus_one.result], {}, [F3]))
        rw.replace_op(op, mul.results)
        return True

    patterns = PatternSet()
    patterns.add(neg_to_mul, ["dfc.neg"])
    patterns.add(lambda op, rw: made.append(op.name) or False, ["dfc.mul"], name="see_mul")
    stats = apply_patterns_greedily(g, patterns)
    assert [op.name for op in g.ops] == ["x", "m1", "mul", "fetch"]
    assert made == ["mul"] and stats.rounds == 2
    verify(g)


def test_round_cap_stops_a_rewrite_that_never_settles():
    g, _ = negs(1)

    def renew(op: Op, rw: PatternRewriter) -> bool:
        fresh = rw.insert_before(op, Op("dfc.neg", op.name, list(op.operands), {}, [F3]))
        rw.replace_op(op, fresh.results)
        return True

    patterns = PatternSet()
    patterns.add(renew, ["dfc.neg"])
    stats = apply_patterns_greedily(g, patterns, max_rounds=3)
    assert not stats.converged and stats.rounds == 3 and stats.hits["renew"] == 3
    verify(g)


def test_passes_report_their_pattern_hits():
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F3]).result
    one = create_op(g, "dfc.constant", name="one", attrs={"value": np.ones(3, "float32")}).result
    two = create_op(g, "dfc.add", [one, one], name="two").result  # folds
    a = create_op(g, "dfc.mul", [x, two], name="a").result
    b = create_op(g, "dfc.mul", [x, two], name="b").result  # a twin of a
    c = create_op(g, "dfc.identity", [b], name="c").result  # simplifies to b
    create_op(g, "dfc.fetch", [a, c])
    with collect_statistics() as runs:
        fold(g)
        simplify(g)
        cse(g)
    assert [(r.label, dict(r.hits)) for r in runs] == [("fold", {"fold": 1}), ("simplify", {"identity": 1}),
                                                        ("cse", {"cse": 1})]
    assert "simplify: 1 rewrite(s) in 1 round(s)" in runs[1].report()
    assert g.body.terminator.operands[0] is g.body.terminator.operands[1]
    verify(g)
