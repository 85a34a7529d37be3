"""The verifier accepts valid graphs and names the op and the rule for each kind of broken IR."""

from __future__ import annotations

import numpy as np
import pytest

from dfc.ir import dtypes as dt
from dfc.ir.builder import create_op
from dfc.ir.errors import VerificationError
from dfc.ir.graph import Block, Graph, Location, Op
from dfc.ir.parser import parse_graph
from dfc.ir.types import CONTROL, TensorType
from dfc.ir.verifier import verify

LOC = Location("model.py", 4, 2)


def F(*shape):
    return TensorType(dt.f32, shape)


def small_graph():
    """x, y placeholders; add; relu; fetch."""
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F(3)], loc=LOC).result
    y = create_op(g, "dfc.placeholder", name="y", result_types=[F(3)], loc=LOC).result
    s = create_op(g, "dfc.add", [x, y], name="add", loc=Location("model.py", 9, 7)).result
    r = create_op(g, "dfc.relu", [s], name="relu", loc=LOC).result
    create_op(g, "dfc.fetch", [r], loc=LOC)
    return g


def fused_graph():
    """x placeholder; fused(x) { mul(arg, c) ; yield } ; fetch."""
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F(3)], loc=LOC).result
    body = Block([F(3)], ["a"])
    c = body.append(Op("dfc.constant", "c", [], {"value": np.array(2.0, np.float32)}, [F()]))
    m = body.append(Op("dfc.mul", "m", [body.arguments[0], c.result], {}, [F(3)]))
    body.append(Op("dfc.yield", "yield", [m.result], {}, []))
    fused = Op("dfc.fused", "fused", [x], {"kind": "elementwise"}, [F(3)], loc=LOC, regions=[body])
    body.parent = fused
    g.append(fused)
    create_op(g, "dfc.fetch", fused.results, loc=LOC)
    return g


def op(g: Graph, name: str) -> Op:
    return next(o for o in g.walk() if o.name == name)


def broken(g: Graph, *needles: str) -> str:
    with pytest.raises(VerificationError) as info:
        verify(g)
    message = str(info.value)
    for needle in needles:
        assert needle in message, message
    return message


def test_valid_graphs_pass():
    verify(small_graph())
    verify(fused_graph())
    verify(Graph())


def test_error_names_the_op_and_its_line():
    g = small_graph()
    op(g, "add").results[0].type = F(4)
    message = broken(g, "'add' (dfc.add) at model.py:9:7", "result types (tensor<4xf32>) differ from the inferred "
                        "(tensor<3xf32>)")
    assert message.startswith("'add' (dfc.add) at model.py:9:7: ")


def test_use_before_definition():
    g = small_graph()
    g.body.ops[2], g.body.ops[3] = g.body.ops[3], g.body.ops[2]  # relu before the add it reads
    broken(g, "'relu'", "operand #0 'add:0'", "is used before its definition")


def test_own_result_as_operand():
    g = small_graph()
    relu = op(g, "relu")
    relu.operands[0] = relu.results[0]
    broken(g, "'relu'", "the op's own result")


def test_value_from_another_graph():
    g, other = small_graph(), small_graph()
    op(g, "relu").operands[0] = op(other, "add").results[0]
    broken(g, "'relu'", "is not visible here")


def test_outer_block_cannot_use_region_values():
    g = fused_graph()
    op(g, "fetch").operands.append(op(g, "m").results[0])
    broken(g, "'fetch'", "operand #1 'm:0'", "is not visible here")


def test_region_cannot_use_values_defined_after_its_op():
    g = fused_graph()
    later = Op("dfc.placeholder", "later", [], {}, [F()])
    later.block = g.body
    g.body.ops.insert(2, later)
    op(g, "m").operands[1] = later.results[0]
    broken(g, "'m' (dfc.mul)", "is not visible here")


def test_fused_region_is_isolated_from_above():
    # a kernel's region gets outside values only through operands: the backends compile it on its own
    g = fused_graph()
    op(g, "m").operands[1] = op(g, "x").results[0]
    broken(g, "'m' (dfc.mul)", "is not visible here")


def test_unknown_fusion_kind():
    g = fused_graph()
    next(o for o in g.ops if o.type == "dfc.fused").attrs["kind"] = "magic"
    broken(g, "dfc.fused", "unknown fusion kind 'magic'")


def test_dimension_too_big_for_int64():
    g = small_graph()
    op(g, "relu").results[0].type = TensorType(dt.f32, (2**40, 2**40))
    broken(g, "'relu'", "must fit in int64")


def test_unknown_op_type():
    g = small_graph()
    op(g, "relu").type = "dfc.frobnicate"
    broken(g, "'relu' (dfc.frobnicate)", "unknown op type 'dfc.frobnicate'")


def test_wrong_arity():
    g = small_graph()
    add = op(g, "add")
    add.operands.append(add.operands[0])
    broken(g, "'add'", "expects 2 operand(s), got 3")
    g = small_graph()
    op(g, "add").operands.pop()
    broken(g, "'add'", "expects 2 operand(s), got 1")


def test_missing_unknown_and_misplaced_attributes():
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F(2, 3)]).result
    s = create_op(g, "dfc.reduce_sum", [x], {"axes": (1,)}, name="sum")
    mm = create_op(g, "dfc.matmul", [x, x], {"transpose_b": True}, name="mm")
    verify(g)
    del s.attrs["axes"]
    broken(g, "'sum'", "needs attribute 'axes'")
    s.attrs["axes"] = (1,)
    s.attrs["bogus"] = 1
    broken(g, "'sum'", "has no attribute 'bogus'")
    del s.attrs["bogus"]
    del mm.attrs["transpose_a"]
    broken(g, "'mm'", "'transpose_a' missing")
    mm.attrs["transpose_a"] = False
    mm.attrs["device"] = "/gpu:0"
    broken(g, "'mm'", "belongs in Op.device")
    del mm.attrs["device"]
    s.attrs["axes"] = "not ints"
    broken(g, "'sum'", "attribute 'axes' of dfc.reduce_sum must be ints")


def test_result_types_must_match_inference():
    g = small_graph()
    op(g, "relu").results[0].type = TensorType(dt.f64, (3,))
    broken(g, "'relu'", "differ from the inferred (tensor<3xf32>)")
    g = small_graph()
    op(g, "add").operands[1] = op(g, "relu").results[0]  # still visible? no: relu comes later
    broken(g, "used before its definition")


def test_invalid_operand_types_are_reported():
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F(2)]).result
    i = create_op(g, "dfc.placeholder", name="i", result_types=[TensorType(dt.i32, (2,))]).result
    add = create_op(g, "dfc.add", [x, x], name="add")
    add.operands[1] = i
    broken(g, "'add'", "operand types (tensor<2xf32>, tensor<2xi32>) are invalid", "one dtype")


def test_source_ops_are_not_inferred():
    g = Graph()
    create_op(g, "dfc.placeholder", name="x", result_types=[TensorType(dt.i8, (None, 7))])
    verify(g)


def test_terminators_must_be_last():
    g = small_graph()
    fetch = op(g, "fetch")
    fetch.operands[0] = op(g, "add").results[0]
    g.body.ops.remove(fetch)
    g.body.ops.insert(3, fetch)
    broken(g, "'fetch' (dfc.fetch)", "must be the last op of its block", "next: 'relu'")
    g = fused_graph()
    body = op(g, "fused").regions[0]
    body.append(Op("dfc.constant", "late", [], {"value": np.zeros(2, np.int32)}, [TensorType(dt.i32, (2,))]))
    broken(g, "'yield' (dfc.yield)", "must be the last op of its block", "next: 'late'")


def test_terminators_in_the_wrong_place():
    g = fused_graph()
    y = op(g, "yield")
    y.type = "dfc.fetch"
    broken(g, "dfc.fetch belongs in the graph's body")
    g = small_graph()
    op(g, "fetch").type = "dfc.yield"
    broken(g, "dfc.yield belongs in the region of an op")


def test_control_tokens():
    g = small_graph()
    dep = Op("dfc.no_op", "dep", [], {}, [CONTROL])
    dep.block = g.body
    g.body.ops.insert(0, dep)
    add = op(g, "add")
    add.operands.append(dep.results[0])  # a trailing control dependency is fine
    verify(g)
    add.operands[1] = dep.results[0]
    broken(g, "'add'", "operand #1 'dep:0'", "is a control token used as a data operand")
    g2 = Graph()
    d = create_op(g2, "dfc.no_op", name="d").result
    a = create_op(g2, "dfc.placeholder", name="a", result_types=[F(2)]).result
    cat = create_op(g2, "dfc.concat", [a, a], {"axis": 0}, name="cat")
    cat.operands[1:1] = [d]
    broken(g2, "'cat'", "data operand #2", "follows control operand #1")
    cat.operands[:] = [a, a, d]
    grp = create_op(g2, "dfc.group", [d, a], name="grp")  # group takes anything, in any order
    create_op(g2, "dfc.fetch", [a, grp.result, d])
    verify(g2)


def test_duplicate_names():
    g = small_graph()
    op(g, "relu").name = "add"
    broken(g, "op name 'add' is already used by 'add' (dfc.add)")
    g = fused_graph()
    op(g, "m").name = "x"
    broken(g, "op name 'x' is already used")


def test_fused_region_rules():
    g = fused_graph()
    op(g, "fused").regions[0].arguments[0].type = F(4)
    broken(g, "'fused' (dfc.fused)", "region arguments (tensor<4xf32>) do not match the operands (tensor<3xf32>)")

    g = fused_graph()
    fused = op(g, "fused")
    fused.results[0].type = F(1)
    op(g, "fetch")  # the fetch still verifies: it takes any types
    broken(g, "'fused'", "the region yields (tensor<3xf32>) but the op's results are (tensor<1xf32>)")

    g = fused_graph()
    op(g, "fused").regions[0].ops.pop()
    broken(g, "'fused'", "the region must end with dfc.yield")

    g = fused_graph()
    op(g, "fused").regions.clear()
    broken(g, "'fused'", "dfc.fused takes 1 region(s), has 0")

    g = small_graph()
    op(g, "relu").regions = [Block()]
    broken(g, "'relu'", "dfc.relu takes 0 region(s), has 1")


def test_region_ops_are_verified_too():
    g = fused_graph()
    op(g, "m").attrs["bogus"] = True
    broken(g, "'m' (dfc.mul)", "no attribute 'bogus'")


def test_stale_block_link():
    g = small_graph()
    op(g, "relu").block = None
    broken(g, "'relu'", "`block` link")


def test_parsed_text_is_verified():
    text = '''"dfc.graph"() ({
  %x = "dfc.placeholder"() : () -> tensor<3xf32>
  %r = "dfc.relu"(%x) : (tensor<3xf32>) -> tensor<4xf32> loc("m.py":2:3)
  "dfc.fetch"(%r) : (tensor<4xf32>) -> ()
}) {sym_name = "main"} : () -> ()
'''
    g = parse_graph(text)
    broken(g, "'r' (dfc.relu) at m.py:2:3", "differ from the inferred (tensor<3xf32>)")
