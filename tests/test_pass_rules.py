"""Each optimizing pass's rules on small IR, the pass manager, and passes that run before autodiff."""

from __future__ import annotations

import numpy as np
import pytest

from dfc.compiler import PassManager, default_pipeline, get_pass
from dfc.compiler.fold import MAX_FOLDED_ELEMENTS
from dfc.ir import dtypes as dt
from dfc.ir.builder import create_op
from dfc.ir.graph import Graph, Op
from dfc.ir.interpreter import interpret
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph
from dfc.ir.types import TensorType
from dfc.ir.verifier import verify

from passes_support import round_trip

OPTIMIZING = ["fold", "simplify", "cse", "dce", "fuse"]


# ---- each rule on small IR ---------------------------------------------------------------------
def graph_text(args: str, body: str) -> str:
    head = f"^bb0({args}):\n" if args else ""
    return f'"dfc.graph"() ({{\n{head}{body.strip()}\n}}) {{sym_name = "main"}} : () -> ()\n'


def apply(passes: list[str], args: str, body: str) -> Graph:
    graph = parse_graph(graph_text(args, body), "case.mlir")
    verify(graph)
    graph = PassManager(passes, verify_each=True).run(graph)
    round_trip(graph)
    return graph


def normalized(args: str, body: str) -> str:
    return print_graph(parse_graph(graph_text(args, body)), with_locs=False)


X = "%x: tensor<2x3xf32>"
XI = "%x: tensor<2x3xi32>"
F23 = "tensor<2x3xf32>"
I23 = "tensor<2x3xi32>"


def const(name: str, value: str, type: str) -> str:
    return f'%{name} = "dfc.constant"() {{value = dense<{value}> : {type}}} : () -> {type}'


def binary(name: str, op: str, a: str, b: str, ta: str, tb: str, tr: str) -> str:
    return f'%{name} = "dfc.{op}"(%{a}, %{b}) : ({ta}, {tb}) -> {tr}'


def fetch(name: str, type: str) -> str:
    return f'"dfc.fetch"(%{name}) : ({type}) -> ()'


IDENTITIES = {
    # name: (args, body, the value fetched afterwards)
    "x*1": (X, f"{const('one', '1.0', 'tensor<f32>')}\n{binary('y', 'mul', 'x', 'one', F23, 'tensor<f32>', F23)}",
            "x"),
    "1*x": (X, f"{const('one', '1.0', F23)}\n{binary('y', 'mul', 'one', 'x', F23, F23, F23)}", "x"),
    "x+0": (X, f"{const('z', '0.0', 'tensor<3xf32>')}\n{binary('y', 'add', 'x', 'z', F23, 'tensor<3xf32>', F23)}",
            "x"),
    "0+x": (X, f"{const('z', '0.0', 'tensor<f32>')}\n{binary('y', 'add', 'z', 'x', 'tensor<f32>', F23, F23)}", "x"),
    "x-0": (X, f"{const('z', '0.0', 'tensor<f32>')}\n{binary('y', 'sub', 'x', 'z', F23, 'tensor<f32>', F23)}", "x"),
    "x/1": (X, f"{const('one', '1.0', 'tensor<f32>')}\n{binary('y', 'div', 'x', 'one', F23, 'tensor<f32>', F23)}",
            "x"),
    "x**1": (X, f"{const('one', '1.0', 'tensor<f32>')}\n{binary('y', 'pow', 'x', 'one', F23, 'tensor<f32>', F23)}",
             "x"),
    "max(x,x)": (X, binary("y", "maximum", "x", "x", F23, F23, F23), "x"),
    "neg(neg x)": (X, f'%n = "dfc.neg"(%x) : ({F23}) -> {F23}\n%y = "dfc.neg"(%n) : ({F23}) -> {F23}', "x"),
    "identity": (X, f'%y = "dfc.identity"(%x) : ({F23}) -> {F23}', "x"),
    "stop_gradient": (X, f'%y = "dfc.stop_gradient"(%x) : ({F23}) -> {F23}', "x"),
    "cast to own dtype": (X, f'%y = "dfc.cast"(%x) {{dtype = f32}} : ({F23}) -> {F23}', "x"),
    "transpose back": (X, f'%t = "dfc.transpose"(%x) {{perm = [1, 0]}} : ({F23}) -> tensor<3x2xf32>\n'
                          f'%y = "dfc.transpose"(%t) {{perm = [1, 0]}} : (tensor<3x2xf32>) -> {F23}', "x"),
    "reshape to own shape": (X, f'%y = "dfc.reshape"(%x) {{shape = [2, -1]}} : ({F23}) -> {F23}', "x"),
    "reshape there and back": (X, f'%r = "dfc.reshape"(%x) {{shape = [6]}} : ({F23}) -> tensor<6xf32>\n'
                                  f'%y = "dfc.reshape"(%r) {{shape = [2, 3]}} : (tensor<6xf32>) -> {F23}', "x"),
    "squeeze(expand_dims)": (X, f'%e = "dfc.expand_dims"(%x) {{axis = 1}} : ({F23}) -> tensor<2x1x3xf32>\n'
                                f'%y = "dfc.squeeze"(%e) {{axes = [-2]}} : (tensor<2x1x3xf32>) -> {F23}', "x"),
    "tile by ones": (X, f'%y = "dfc.tile"(%x) {{multiples = [1, 1]}} : ({F23}) -> {F23}', "x"),
    "whole slice": (X, f'%y = "dfc.slice"(%x) {{begin = [0, 0], end = [9223372036854775807, 3], strides = [1, 1]}}'
                       f' : ({F23}) -> {F23}', "x"),
    "reduce over no axes": (X, f'%y = "dfc.reduce_sum"(%x) {{axes = [], keepdims = false}} : ({F23}) -> {F23}', "x"),
    "concat of one": (X, f'%y = "dfc.concat"(%x) {{axis = 0}} : ({F23}) -> {F23}', "x"),
    "broadcast_like to own shape": (X, f'%y = "dfc.broadcast_like"(%x, %x) : ({F23}, {F23}) -> {F23}', "x"),
    "select(true)": (f"{X}, %w: {F23}", f"{const('c', 'true', 'tensor<i1>')}\n"
                     f'%y = "dfc.select"(%c, %x, %w) : (tensor<i1>, {F23}, {F23}) -> {F23}', "x"),
    "select(false)": (f"%w: {F23}, {X}", f"{const('c', 'false', 'tensor<2x3xi1>')}\n"
                      f'%y = "dfc.select"(%c, %w, %x) : (tensor<2x3xi1>, {F23}, {F23}) -> {F23}', "x"),
}


@pytest.mark.parametrize("case", sorted(IDENTITIES))
def test_simplify_identity(case):
    args, body, result = IDENTITIES[case]
    graph = apply(["simplify", "dce"], args, f"{body}\n{fetch('y', F23)}")
    assert print_graph(graph, with_locs=False) == normalized(args, fetch(result, F23))


@pytest.mark.parametrize("op", ["mul", "sub"])
def test_simplify_integer_zeros(op):
    zero = const("z", "0", "tensor<i32>")
    body = f"{zero}\n{binary('y', 'mul', 'z', 'x', 'tensor<i32>', I23, I23)}" if op == "mul" else \
        binary("y", "sub", "x", "x", I23, I23, I23)
    graph = apply(["simplify", "dce"], XI, f"{body}\n{fetch('y', I23)}")
    assert print_graph(graph, with_locs=False) == normalized(XI, f"{const('y', '0', I23)}\n{fetch('y', I23)}")


KEPT = {
    # identities that do not hold, or would change a type
    "x*0 for floats (inf*0 is nan)": (X, f"{const('z', '0.0', 'tensor<f32>')}\n"
                                         f"{binary('y', 'mul', 'x', 'z', F23, 'tensor<f32>', F23)}"),
    "x-x for floats (inf-inf is nan)": (X, binary("y", "sub", "x", "x", F23, F23, F23)),
    "x+0 that broadcasts x": ("%x: tensor<3xf32>", f"{const('z', '0.0', F23)}\n"
                                                   f"{binary('y', 'add', 'x', 'z', 'tensor<3xf32>', F23, F23)}"),
    "x*1 that broadcasts x": ("%x: tensor<3xf32>", f"{const('one', '1.0', F23)}\n"
                                                   f"{binary('y', 'mul', 'one', 'x', F23, 'tensor<3xf32>', F23)}"),
    "x*c, c not all ones": (X, f"{const('c', '[1.0, 1.0, 2.0]', 'tensor<3xf32>')}\n"
                               f"{binary('y', 'mul', 'x', 'c', F23, 'tensor<3xf32>', F23)}"),
    "stop_gradient before autodiff": (
        X, f'%s = "dfc.stop_gradient"(%x) : ({F23}) -> {F23}\n'
           f'%y = "dfc.grad"(%s, %x) {{num_xs = 1, num_ys = 1}} : ({F23}, {F23}) -> {F23}'),
    "reversing slice": (X, f'%y = "dfc.slice"(%x) {{begin = [0, 9223372036854775807], end = [2, '
                           f'-9223372036854775808], strides = [1, -1]}} : ({F23}) -> {F23}'),
    "cast to another dtype": (X, f'%c = "dfc.cast"(%x) {{dtype = i32}} : ({F23}) -> {I23}\n'
                                 f'%y = "dfc.cast"(%c) {{dtype = f32}} : ({I23}) -> {F23}'),
}


@pytest.mark.parametrize("case", sorted(KEPT))
def test_simplify_keeps(case):
    args, body = KEPT[case]
    text = f"{body}\n{fetch('y', F23)}"
    graph = apply(["simplify"], args, text)
    assert print_graph(graph, with_locs=False) == normalized(args, text)


@pytest.mark.parametrize("rank", [2, 3, 4])
def test_simplify_composes_transposes(rank):
    import itertools
    shape = tuple(range(2, 2 + rank))
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    for p, q in itertools.product(itertools.permutations(range(rank)), repeat=2):
        g = Graph()
        arg = g.body.add_argument(TensorType(dt.f32, shape), "x")
        t1 = create_op(g, "dfc.transpose", [arg], {"perm": p}).results[0]
        t2 = create_op(g, "dfc.transpose", [t1], {"perm": q}).results[0]
        g.append(Op("dfc.fetch", "fetch", [t2], {}, []))
        get_pass("simplify")(g)
        get_pass("dce")(g)
        transposes = [op for op in g.ops if op.type == "dfc.transpose"]
        assert len(transposes) <= 1
        np.testing.assert_array_equal(interpret(g, [x])[0], np.transpose(np.transpose(x, p), q))


# ---- fold --------------------------------------------------------------------------------------
def test_fold_computes_through_the_reference():
    graph = apply(["fold", "dce"], "", f"""
        {const('a', '[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]', F23)}
        {const('b', '2.0', 'tensor<f32>')}
        {binary('m', 'mul', 'a', 'b', F23, 'tensor<f32>', F23)}
        %y = "dfc.reduce_sum"(%m) {{axes = [1], keepdims = false}} : ({F23}) -> tensor<2xf32>
        {fetch('y', 'tensor<2xf32>')}""")
    assert print_graph(graph, with_locs=False) == normalized("", f"""
        {const('y', '[12.0, 30.0]', 'tensor<2xf32>')}
        {fetch('y', 'tensor<2xf32>')}""")


def test_fold_shape_only_ops_of_non_constants():
    graph = apply(["fold", "dce"], X, f"""
        %s = "dfc.shape_of"(%x) {{dtype = i32}} : ({F23}) -> tensor<2xi32>
        %f = "dfc.fill_like"(%x) {{dtype = f32, value = 0.5}} : ({F23}) -> {F23}
        "dfc.fetch"(%s, %f) : (tensor<2xi32>, {F23}) -> ()""")
    assert print_graph(graph, with_locs=False) == normalized(X, f"""
        {const('s', '[2, 3]', 'tensor<2xi32>')}
        {const('f', '0.5', F23)}
        "dfc.fetch"(%s, %f) : (tensor<2xi32>, {F23}) -> ()""")


FOLD_KEPT = {
    "random draw": f"""
        %r = "dfc.random_uniform"() {{seed = 1, seed2 = 2}} : () -> {F23}
        %y = "dfc.neg"(%r) : ({F23}) -> {F23}""",
    "variable read and assign": f"""
        {const('c', '1.0', F23)}
        %a = "dfc.assign"(%c) {{variable = "v"}} : ({F23}) -> {F23}
        %y = "dfc.variable"() {{name = "v"}} : () -> {F23}""",
    "control operand": f"""
        {const('c', '1.0', F23)}
        %g = "dfc.no_op"() : () -> !dfc.control
        %y = "dfc.neg"(%c, %g) : ({F23}, !dfc.control) -> {F23}""",
    "gather out of range": f"""
        {const('c', '1.0', 'tensor<2xf32>')}
        {const('i', '[[0, 1, 5], [0, 0, 0]]', 'tensor<2x3xi32>')}
        %y = "dfc.gather"(%c, %i) {{axis = 0}} : (tensor<2xf32>, tensor<2x3xi32>) -> {F23}""",
}


@pytest.mark.parametrize("case", sorted(FOLD_KEPT))
def test_fold_keeps(case):
    text = f"{FOLD_KEPT[case]}\n{fetch('y', F23)}"
    graph = apply(["fold"], "", text)
    assert print_graph(graph, with_locs=False) == normalized("", text)


def test_fold_size_cap():
    n = MAX_FOLDED_ELEMENTS + 1
    text = f"""
        {const('c', '1.0', f'tensor<{n}xf32>')}
        %y = "dfc.neg"(%c) : (tensor<{n}xf32>) -> tensor<{n}xf32>
        {fetch('y', f'tensor<{n}xf32>')}"""
    graph = apply(["fold"], "", text)
    assert [op.type for op in graph.ops] == ["dfc.constant", "dfc.neg", "dfc.fetch"]
    small = text.replace(str(n), str(MAX_FOLDED_ELEMENTS))
    assert [op.type for op in apply(["fold"], "", small).ops] == ["dfc.constant", "dfc.constant", "dfc.fetch"]


def test_fold_multi_result_op():
    graph = apply(["fold", "dce"], "", f"""
        {const('c', '[1.0, 2.0, 3.0]', 'tensor<3xf32>')}
        %s:2 = "dfc.split"(%c) {{axis = 0, sizes = [1, 2]}} : (tensor<3xf32>) -> (tensor<1xf32>, tensor<2xf32>)
        "dfc.fetch"(%s#1, %s#0) : (tensor<2xf32>, tensor<1xf32>) -> ()""")
    outs = interpret(graph)
    assert [o.tolist() for o in outs] == [[2.0, 3.0], [1.0]]
    assert [op.type for op in graph.ops] == ["dfc.constant", "dfc.constant", "dfc.fetch"]


# ---- cse ---------------------------------------------------------------------------------------
def test_cse_merges_identical_pure_ops_commutatively():
    graph = apply(["cse", "dce"], f"{X}, %w: {F23}", f"""
        {binary('a', 'add', 'x', 'w', F23, F23, F23)}
        {binary('b', 'add', 'w', 'x', F23, F23, F23)}
        {binary('c', 'sub', 'x', 'w', F23, F23, F23)}
        {binary('d', 'sub', 'w', 'x', F23, F23, F23)}
        "dfc.fetch"(%a, %b, %c, %d) : ({F23}, {F23}, {F23}, {F23}) -> ()""")
    fetched = [v.op.name for v in graph.ops[-1].operands]
    assert fetched == ["a", "a", "c", "d"]


def test_cse_keeps_different_constants_and_state():
    graph = apply(["cse"], "", f"""
        {const('p', '0.0', F23)}
        {const('n', '-0.0', F23)}
        {const('p2', '0.0', F23)}
        %r1 = "dfc.random_uniform"() {{seed = 1, seed2 = 2}} : () -> {F23}
        %r2 = "dfc.random_uniform"() {{seed = 1, seed2 = 2}} : () -> {F23}
        %v1 = "dfc.variable"() {{name = "v"}} : () -> {F23}
        %a = "dfc.assign_add"(%p) {{variable = "v"}} : ({F23}) -> {F23}
        %v2 = "dfc.variable"() {{name = "v"}} : () -> {F23}
        "dfc.fetch"(%p, %n, %p2, %r1, %r2, %v1, %v2) : ({", ".join([F23] * 7)}) -> ()""")
    fetched = [v.op.name for v in graph.ops[-1].operands]
    assert fetched == ["p", "n", "p", "r1", "r2", "v1", "v2"]


# ---- dce ---------------------------------------------------------------------------------------
def test_dce_keeps_effects_and_what_they_use():
    graph = apply(["dce"], X, f"""
        %dead = "dfc.neg"(%x) : ({F23}) -> {F23}
        %e = "dfc.exp"(%x) : ({F23}) -> {F23}
        %a = "dfc.assign"(%e) {{variable = "v"}} : ({F23}) -> {F23}
        %r = "dfc.random_uniform"() {{seed = 1, seed2 = 2}} : () -> {F23}
        %g = "dfc.no_op"() : () -> !dfc.control
        %t = "dfc.tanh"(%x, %g) : ({F23}, !dfc.control) -> {F23}
        %unused_group = "dfc.group"(%a) : ({F23}) -> !dfc.control
        {fetch('t', F23)}""")
    assert [op.name for op in graph.ops] == ["e", "a", "r", "g", "t", "fetch"]


# ---- fuse --------------------------------------------------------------------------------------
def test_fuse_makes_one_kernel_of_the_4m_chain():
    n = 1 << 22
    T = f"tensor<{n}xf32>"
    text = f"""
        {const('c1', '1.5', 'tensor<f32>')}
        {const('c2', '0.25', 'tensor<f32>')}
        {const('c3', '0.5', 'tensor<f32>')}
        {const('c4', '0.125', 'tensor<f32>')}
        {binary('m', 'mul', 'x', 'c1', T, 'tensor<f32>', T)}
        {binary('a', 'add', 'm', 'c2', T, 'tensor<f32>', T)}
        %r = "dfc.relu"(%a) : ({T}) -> {T}
        {binary('h', 'mul', 'r', 'c3', T, 'tensor<f32>', T)}
        {binary('y', 'sub', 'h', 'c4', T, 'tensor<f32>', T)}
        {fetch('y', T)}"""
    graph = apply(PassManager(default_pipeline()).pipeline, f"%x: {T}", text)
    assert [op.type for op in graph.ops] == ["dfc.fused", "dfc.fetch"]
    fused = graph.ops[0]
    assert fused.attrs["kind"] == "elementwise" and len(fused.results) == 1
    x = np.linspace(-2, 2, n, dtype=np.float32)
    np.testing.assert_array_equal(interpret(graph, [x])[0], np.maximum(x * 1.5 + 0.25, 0) * 0.5 - 0.125)


#: a matmul with a bias and relu after it, and exp feeding a row sum: one candidate of each fused kind
MATMUL_AND_REDUCTION_ARGS = "%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>"
MATMUL_AND_REDUCTION = f"""
    %mm = "dfc.matmul"(%x, %w) {{transpose_a = false, transpose_b = false}} :
        (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    {binary('h', 'add', 'mm', 'b', 'tensor<4x2xf32>', 'tensor<2xf32>', 'tensor<4x2xf32>')}
    %r = "dfc.relu"(%h) : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %e = "dfc.exp"(%x) : (tensor<4x3xf32>) -> tensor<4x3xf32>
    %s = "dfc.reduce_sum"(%e) {{axes = [1], keepdims = false}} : (tensor<4x3xf32>) -> tensor<4xf32>
    "dfc.fetch"(%r, %s) : (tensor<4x2xf32>, tensor<4xf32>) -> ()"""


def test_fuse_matmul_epilogue_and_reduction_prologue():
    graph = apply(["fuse"], MATMUL_AND_REDUCTION_ARGS, MATMUL_AND_REDUCTION)
    kernels = [(op.attrs["kind"], [o.type for o in op.regions[0].ops]) for op in graph.ops if op.type == "dfc.fused"]
    assert kernels == [("matmul", ["dfc.matmul", "dfc.add", "dfc.relu", "dfc.yield"]),
                       ("reduction", ["dfc.exp", "dfc.reduce_sum", "dfc.yield"])]


def test_fuse_forms_only_the_kinds_the_targets_policy_allows():
    from dfc.compiler.fuse import FusionPolicy, fuse, fusion_policy
    assert fusion_policy().matmul_epilogue  # the CPU backend runs epilogues on the GEMM's blocks

    def kinds(policy):
        graph = fuse(apply([], MATMUL_AND_REDUCTION_ARGS, MATMUL_AND_REDUCTION), policy)
        return [op.attrs["kind"] for op in graph.ops if op.type == "dfc.fused"]
    assert kinds(FusionPolicy()) == ["matmul", "reduction"]
    assert kinds(FusionPolicy(matmul_epilogue=False)) == ["elementwise", "reduction"]
    assert kinds(FusionPolicy(matmul_epilogue=False, elementwise=False)) == ["reduction"]
    assert kinds(FusionPolicy(elementwise=False, reduction=False)) == ["matmul"]


def test_fuse_results_are_the_values_used_outside():
    graph = apply(["fuse"], X, f"""
        %a = "dfc.exp"(%x) : ({F23}) -> {F23}
        %b = "dfc.neg"(%a) : ({F23}) -> {F23}
        %c = "dfc.tanh"(%b) : ({F23}) -> {F23}
        "dfc.fetch"(%c, %a) : ({F23}, {F23}) -> ()""")
    fused = graph.ops[0]
    assert fused.type == "dfc.fused" and [v.op.name for v in fused.regions[0].ops[-1].operands] == ["a", "c"]
    assert graph.ops[-1].operands == [fused.results[1], fused.results[0]]


def test_fuse_never_moves_an_op_past_a_use():
    # %a's value is assigned between %a and %b: fusing them would run the assign before its operand existed
    text = f"""
        %a = "dfc.exp"(%x) : ({F23}) -> {F23}
        %s = "dfc.assign"(%a) {{variable = "v"}} : ({F23}) -> {F23}
        %b = "dfc.neg"(%a) : ({F23}) -> {F23}
        {fetch('b', F23)}"""
    graph = apply(["fuse"], X, text)
    assert print_graph(graph, with_locs=False) == normalized(X, text)


def test_fuse_keeps_shapes_devices_and_controls_apart():
    text = f"""
        %a = "dfc.exp"(%x) : ({F23}) -> {F23}
        %b = "dfc.reduce_max"(%a) {{axes = [0], keepdims = false}} : ({F23}) -> tensor<3xf32>
        {binary('c', 'add', 'a', 'b', F23, 'tensor<3xf32>', F23)}
        %d = "dfc.neg"(%c) {{device = "/gpu:0"}} : ({F23}) -> {F23}
        %g = "dfc.no_op"() : () -> !dfc.control
        %e = "dfc.tanh"(%d, %g) {{device = "/gpu:0"}} : ({F23}, !dfc.control) -> {F23}
        {fetch('e', F23)}"""
    graph = apply(["fuse"], X, text)
    assert print_graph(graph, with_locs=False) == normalized(X, text)


def test_fuse_design_example_runs():
    text = """"dfc.graph"() ({
^bb0(%a: tensor<4xf32>):
  %y = "dfc.fused"(%a) ({
  ^bb0(%x: tensor<4xf32>):
    %c = "dfc.constant"() {value = dense<1.5> : tensor<f32>} : () -> tensor<f32>
    %m = "dfc.mul"(%x, %c) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %r = "dfc.relu"(%m) : (tensor<4xf32>) -> tensor<4xf32>
    "dfc.yield"(%r) : (tensor<4xf32>) -> ()
  }) {kind = "elementwise"} : (tensor<4xf32>) -> tensor<4xf32>
  "dfc.fetch"(%y) : (tensor<4xf32>) -> ()
}) {sym_name = "main"} : () -> ()
"""
    graph = parse_graph(text)
    for name in OPTIMIZING:
        graph = get_pass(name)(graph)
        verify(graph)
    assert interpret(graph, [np.array([-1, 0, 1, 2], np.float32)])[0].tolist() == [0, 0, 1.5, 3]


# ---- the pass manager --------------------------------------------------------------------------
def test_pass_manager_verifies_times_and_reports_each_pass():
    from dfc.compiler.passes import PASSES, register_pass
    from dfc.ir.errors import VerificationError

    @register_pass("test-break-types")
    def breaker(graph: Graph) -> Graph:
        graph.ops[0].results[0].type = TensorType(dt.f64, (2, 3))
        return graph

    try:
        with pytest.raises(ValueError, match="registered twice"):
            register_pass("test-break-types")(breaker)
        seen = []
        text = f'%y = "dfc.neg"(%x) : ({F23}) -> {F23}\n{fetch("y", F23)}'
        manager = PassManager(["fold", "cse", "test-break-types"], verify_each=True,
                              on_stage=lambda name, g: seen.append(name))
        with pytest.raises(VerificationError, match="'y'"):
            manager.run(parse_graph(graph_text(X, text)))
        assert seen == ["fold", "cse"]
        assert [name for name, _ in manager.timings] == ["fold", "cse", "test-break-types"]
        report = manager.timing_report()
        assert "fold" in report and "total" in report
        unchecked = PassManager(["test-break-types"]).run(parse_graph(graph_text(X, text)))
        assert unchecked.ops[0].results[0].type.dtype is dt.f64  # no verify_each: no check
        with pytest.raises(KeyError, match="unknown pass 'nope'"):
            PassManager(["nope"]).run(parse_graph(graph_text(X, text)))
    finally:
        del PASSES["test-break-types"]


# ---- passes that run before autodiff leave dfc.grad's meaning alone ----------------------------
@pytest.mark.parametrize("name", ["fold", "simplify", "cse", "dce"])
def test_passes_before_autodiff_keep_what_grad_differentiates(name):
    # d(a * x)/da with a = identity(x) is x; replacing a by x would make it d(x*x)/dx = 2x, and merging
    # b (= x + 1) with c (= x + 1) would add c's uses to d(b * c)/db
    text = f"""
        %a = "dfc.identity"(%x) : ({F23}) -> {F23}
        {binary('y', 'mul', 'a', 'x', F23, F23, F23)}
        {const('one', '1.0', 'tensor<f32>')}
        {binary('b', 'add', 'x', 'one', F23, 'tensor<f32>', F23)}
        {binary('c', 'add', 'x', 'one', F23, 'tensor<f32>', F23)}
        {binary('z', 'mul', 'b', 'c', F23, F23, F23)}
        %g:2 = "dfc.grad"(%y, %z, %a, %b) {{num_xs = 2, num_ys = 2}} : ({F23}, {F23}, {F23}, {F23}) -> ({F23}, {F23})
        "dfc.fetch"(%g#0, %g#1) : ({F23}, {F23}) -> ()"""
    x = np.array([[1, 2, 3], [-1, -2, 0.5]], np.float32)
    expected = interpret(apply(["autodiff"], X, text), [x])
    got = interpret(apply([name, "autodiff"], X, text), [x])
    np.testing.assert_array_equal(expected[0], x)
    np.testing.assert_array_equal(expected[1], x + 1)
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(g, e)
