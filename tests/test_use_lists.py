"""Use-lists: every Value's uses match the operands of the ops in its graph, whatever the mutations."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfc.ir import dtypes as dt
from dfc.ir.errors import VerificationError
from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.rewrite import clone_op, replace_uses
from dfc.ir.types import TensorType
from dfc.ir.verifier import verify, verify_uses

F3 = TensorType(dt.f32, (3,))


def expected_uses(graph: Graph) -> dict[Value, set[tuple[Op, int]]]:
    out: dict[Value, set[tuple[Op, int]]] = {}
    for op in graph.walk():
        for i, v in enumerate(op.operands):
            out.setdefault(v, set()).add((op, i))
    return out


def assert_consistent(graph: Graph, values: list[Value]) -> None:
    """Recompute every use from the operands and compare with the lists (values of dropped ops included)."""
    expected = expected_uses(graph)
    for v in values:
        assert set(v.uses) == expected.get(v, set()), f"{v}: {v.uses} != {expected.get(v)}"
        assert len(v.uses) == len(set(v.uses))
    for op in graph.walk():
        assert op.in_graph
    verify_uses(graph)


def chain() -> tuple[Graph, list[Value]]:
    g = Graph()
    x = g.append(Op("dfc.placeholder", "x", [], {}, [F3])).result
    a = g.append(Op("dfc.neg", "a", [x], {}, [F3])).result
    b = g.append(Op("dfc.add", "b", [a, x], {}, [F3])).result
    g.append(Op("dfc.fetch", "fetch", [b], {}, []))
    return g, [x, a, b]


def test_uses_follow_operands_and_blocks():
    g, (x, a, b) = chain()
    assert [(op.name, i) for op, i in x.uses] == [("a", 0), ("b", 1)]
    assert [op.name for op in a.users] == ["b"]
    add = b.op
    add.operands[1] = a
    assert [op.name for op in a.users] == ["b"] and len(a.uses) == 2 and [op.name for op in x.users] == ["a"]
    add.operands = [x, x, x]
    assert len(x.uses) == 4 and not a.has_uses  # a reads x too
    g.ops.remove(add)  # out of the graph: its operands are no longer uses
    assert [op.name for op in x.users] == ["a"]
    assert_consistent(g, [x, a, b])


def test_ops_outside_a_graph_register_no_uses():
    g, (x, a, b) = chain()
    loose = Op("dfc.neg", "loose", [x], {}, [F3])
    body = Block([F3])
    body.append(Op("dfc.mul", "inner", [body.arguments[0], a], {}, [F3]))
    fused = Op("dfc.fused", "f", [x], {"kind": "elementwise"}, [F3], regions=[body])
    assert not loose.in_graph and len(x.uses) == 2 and len(a.uses) == 1
    g.ops.insert(2, fused)  # the region's use of the outer `a` comes with it
    assert [op.name for op in a.users] == ["b", "inner"]
    assert_consistent(g, [x, a, b, loose.result])
    del g.ops[2]
    assert [op.name for op in a.users] == ["b"]


def test_replace_all_uses_reaches_regions():
    g, (x, a, b) = chain()
    body = Block([F3])
    body.append(Op("dfc.mul", "inner", [body.arguments[0], a], {}, [F3]))
    g.ops.insert(2, Op("dfc.fused", "f", [a], {"kind": "elementwise"}, [F3], regions=[body]))
    a.replace_all_uses_with(x)
    assert not a.has_uses
    assert body.ops[0].operands[1] is x and b.op.operands[0] is x
    assert_consistent(g, [x, a, b])


def test_erase_refuses_an_op_with_uses():
    g, (x, a, b) = chain()
    with pytest.raises(ValueError, match="'a' .* still used by 'b'"):
        a.op.erase()
    a.replace_all_uses_with(x)
    a.op.erase()
    assert [op.name for op in g.ops] == ["x", "b", "fetch"] and a.op.block is None
    assert_consistent(g, [x, a, b])


def test_move_and_swap_keep_links():
    g, (x, a, b) = chain()
    g.body.ops[1], g.body.ops[2] = g.body.ops[2], g.body.ops[1]  # a swap holds an op twice for a moment
    assert all(op.block is g.body for op in g.ops)
    a.op.move_before(b.op)
    assert [op.name for op in g.ops] == ["x", "a", "b", "fetch"]
    assert_consistent(g, [x, a, b])
    verify(g)


def test_replace_uses_in_a_scope_only():
    g, (x, a, b) = chain()
    replace_uses(g.ops[2:], x, a)  # b's use of x, not a's
    assert b.op.operands == [a, a] and a.op.operands == [x]
    assert_consistent(g, [x, a, b])


def test_verifier_catches_a_stale_use_list():
    g, (x, a, b) = chain()
    x._uses[(b.op, 0)] = None  # b reads a there, not x
    with pytest.raises(VerificationError, match="lists a use by 'b'"):
        verify(g)
    del x._uses[(b.op, 0)]
    a._uses.clear()
    with pytest.raises(VerificationError, match="does not list this op"):
        verify(g)


# ---- random mutations --------------------------------------------------------------------------
class Mutator:
    """Applies random mutations through every public mutation API, tracking all values ever made."""

    def __init__(self, data: st.DataObject):
        self.data = data
        self.graph, self.values = chain()
        self.count = 0

    def draw(self, strategy, label: str):
        return self.data.draw(strategy, label=label)

    def pick_value(self) -> Value:
        return self.draw(st.sampled_from(self.values), "value")

    def pick_op(self, ops: list[Op] | None = None) -> Op | None:
        ops = list(self.graph.walk()) if ops is None else ops
        return self.draw(st.sampled_from(ops), "op") if ops else None

    def new_op(self, n: int) -> Op:
        self.count += 1
        op = Op("dfc.add", f"n{self.count}", [self.pick_value() for _ in range(n)], {}, [F3])
        self.values.append(op.result)
        return op

    def step(self) -> None:
        kind = self.draw(st.sampled_from(["append", "insert", "region", "set", "assign", "list", "rauw", "erase",
                                          "remove", "slice", "move", "clone", "loose"]), "mutation")
        getattr(self, f"do_{kind}")()

    def do_append(self) -> None:
        self.graph.append(self.new_op(self.draw(st.integers(0, 3), "n")))

    def do_insert(self) -> None:
        self.graph.ops.insert(self.draw(st.integers(0, len(self.graph.ops)), "at"), self.new_op(2))

    def do_region(self) -> None:
        body = Block([F3])
        self.values.append(body.arguments[0])
        body.append(Op("dfc.mul", "r", [body.arguments[0], self.pick_value()], {}, [F3]))
        self.values.append(body.ops[0].result)
        self.count += 1
        fused = Op("dfc.fused", f"f{self.count}", [self.pick_value()], {"kind": "elementwise"}, [F3],
                   regions=[body])
        self.values.append(fused.result)
        self.graph.append(fused)

    def do_set(self) -> None:
        op = self.pick_op([o for o in self.graph.walk() if o.operands])
        if op is not None:
            op.operands[self.draw(st.integers(0, len(op.operands) - 1), "i")] = self.pick_value()

    def do_assign(self) -> None:
        op = self.pick_op()
        if op is not None:
            op.operands = [self.pick_value() for _ in range(self.draw(st.integers(0, 3), "n"))]

    def do_list(self) -> None:
        op = self.pick_op()
        if op is None:
            return
        how = self.draw(st.sampled_from(["append", "pop", "extend", "insert", "clear", "iadd", "reverse"]), "how")
        if how == "append":
            op.operands.append(self.pick_value())
        elif how == "pop" and op.operands:
            op.operands.pop()
        elif how == "extend":
            op.operands.extend([self.pick_value(), self.pick_value()])
        elif how == "insert":
            op.operands.insert(0, self.pick_value())
        elif how == "clear":
            op.operands.clear()
        elif how == "iadd":
            op.operands += [self.pick_value()]
        elif how == "reverse":
            op.operands.reverse()

    def do_rauw(self) -> None:
        self.pick_value().replace_all_uses_with(self.pick_value())

    def do_erase(self) -> None:
        op = self.pick_op(list(self.graph.ops))
        if op is not None:
            for r in op.results:
                r.replace_all_uses_with(self.values[0] if r is not self.values[0] else self.values[1])
            if not any(r.has_uses for r in op.results):
                op.erase()

    def do_remove(self) -> None:
        if self.graph.ops:
            how = self.draw(st.sampled_from(["pop", "del", "remove"]), "how")
            at = self.draw(st.integers(0, len(self.graph.ops) - 1), "at")
            if how == "pop":
                self.graph.ops.pop(at)
            elif how == "del":
                del self.graph.ops[at]
            else:
                self.graph.ops.remove(self.graph.ops[at])

    def do_slice(self) -> None:
        ops = list(self.graph.ops)
        kept = self.draw(st.lists(st.sampled_from(ops), unique_by=id), "kept") if ops else []
        self.graph.body.ops[:] = kept + [self.new_op(1)]

    def do_move(self) -> None:
        ops = list(self.graph.ops)
        if len(ops) >= 2:
            op, anchor = self.pick_op(ops), self.pick_op(ops)
            if op is not anchor:
                op.move_after(anchor) if self.draw(st.booleans(), "after") else op.move_before(anchor)

    def do_clone(self) -> None:
        op = self.pick_op()
        if op is not None:
            copy = clone_op(op, {})
            self.values.extend(copy.results)
            for region in copy.regions:
                self.values.extend(region.arguments)
                self.values.extend(r for inner in region.walk() for r in inner.results)
            if self.draw(st.booleans(), "keep"):
                self.graph.append(copy)

    def do_loose(self) -> None:
        self.new_op(2)  # built, never inserted: registers nothing


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_mutations_keep_use_lists_exact(data):
    m = Mutator(data)
    for _ in range(data.draw(st.integers(1, 25), label="steps")):
        m.step()
        assert_consistent(m.graph, m.values)


@pytest.mark.parametrize("copier", [copy.deepcopy, lambda g: pickle.loads(pickle.dumps(g))], ids=["deepcopy", "pickle"])
def test_copies_keep_their_own_use_lists(copier):
    g, _ = chain()
    twin = copier(g)
    x, a, b = (op.result for op in twin.ops[:3])
    assert [(op.name, i) for op, i in x.uses] == [("a", 0), ("b", 1)]
    b.op.operands[1] = a  # the copy's lists are live, and apart from the original's
    assert_consistent(twin, [x, a, b])
    assert_consistent(g, [op.result for op in g.ops[:3]])
