"""MLIR generic syntax read and written exactly: dense constants bit for bit, lenient input as MLIR tools write it,
parse errors that point at the offending token, and the real MLIR parser (mlir-opt) agreeing when installed."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess

import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dfc.ir import dtypes as dt
from dfc.ir.builder import create_op
from dfc.ir.errors import ParseError
from dfc.ir.graph import Graph, Location
from dfc.ir.parser import parse_graph
from dfc.ir.printer import print_graph
from dfc.ir.verifier import verify

from test_ir_text import EXAMPLES, F, assert_same_graph, build_example, roundtrip


# ---- dense constants ---------------------------------------------------------------------------
def _constant_text(arr: np.ndarray) -> str:
    g = Graph()
    create_op(g, "dfc.constant", attrs={"value": arr}, name="c", loc=None)
    return print_graph(g)


@pytest.mark.parametrize("arr, literal", [
    (np.array(1.5, np.float32), "dense<1.5> : tensor<f32>"),
    (np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), "dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>"),
    (np.zeros((3, 4), np.float32), "dense<0.0> : tensor<3x4xf32>"),
    (np.array([0.1, 1e-5], np.float32), "dense<[0.1, 1.0e-05]> : tensor<2xf32>"),
    (np.array([True, False]), "dense<[true, false]> : tensor<2xi1>"),
    (np.array([-1, 127], np.int8), "dense<[-1, 127]> : tensor<2xi8>"),
    (np.zeros((0,), np.float32), "dense<> : tensor<0xf32>"),
    (np.zeros((2, 0), np.int32), "dense<> : tensor<2x0xi32>"),
    (np.arange(17, dtype=np.int32), 'dense<"0x' + np.arange(17, dtype="<i4").tobytes().hex().upper() + '">'),
    (np.full(20, np.nan, np.float32), 'dense<"0x0000C07F"> : tensor<20xf32>'),
    (np.array([1.0, np.inf], np.float64), 'dense<"0x000000000000F03F000000000000F07F"> : tensor<2xf64>'),
    (np.array([1.0], np.float16), 'dense<"0x003C"> : tensor<1xf16>'),
    (np.array([1.0, 2.0], ml_dtypes.bfloat16), 'dense<"0x803F0040"> : tensor<2xbf16>'),
    # MLIR packs i1 hex data one bit per element, least significant bit first
    (np.array([True] * 9 + [False] * 7 + [True]), 'dense<"0xFF0101"> : tensor<17xi1>'),
    (np.array([0.0, -0.0], np.float32), "dense<[0.0, -0.0]> : tensor<2xf32>"),
])
def test_dense_spelling(arr, literal):
    text = _constant_text(arr)
    assert literal in text
    g2 = parse_graph(text)
    got = g2.ops[0].attrs["value"]
    assert got.dtype == arr.dtype and got.shape == arr.shape and got.tobytes() == arr.tobytes()
    assert print_graph(g2) == text


_SHAPES = st.sampled_from([(), (1,), (2,), (3, 2), (0,), (2, 0, 3), (17,), (4, 5), (1, 1, 1), (40,)])


@st.composite
def dense_arrays(draw):
    dtype = draw(st.sampled_from(dt.ALL))
    shape = draw(_SHAPES)
    if dtype.is_floating:
        # random bit patterns reach NaN payloads, infinities, -0.0 and subnormals
        uint = {16: np.uint16, 32: np.uint32, 64: np.uint64}[dtype.bits]
        special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, 0.1], dtype=dtype.np).view(uint)
        elements = st.one_of(st.integers(0, np.iinfo(uint).max), st.sampled_from(special.tolist()))
        bits = draw(hnp.arrays(uint, shape, elements=elements))
        arr = bits.view(dtype.np)
    else:
        arr = draw(hnp.arrays(dtype.np, shape))
    if draw(st.booleans()) and arr.size:
        arr = np.full(shape, arr.reshape(-1)[0], dtype=dtype.np)  # splats have their own spelling
    return arr


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dense_arrays())
def test_dense_roundtrip_is_bit_exact(arr):
    text = _constant_text(arr)
    g2 = parse_graph(text)
    got = g2.ops[0].attrs["value"]
    assert got.dtype == arr.dtype and got.shape == arr.shape
    assert got.tobytes() == arr.tobytes()
    assert print_graph(g2) == text


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_attr_roundtrip(value):
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F(1)]).result
    create_op(g, "dfc.fill_like", [x], {"value": value, "dtype": dt.f64}, name="f")
    text, g2 = roundtrip(g)
    got = g2.ops[1].attrs["value"]
    assert struct.pack("<d", got) == struct.pack("<d", value)
    literal = text.split("value = ")[1].split(",")[0].split("}")[0]
    assert "." in literal or literal.startswith("0x")


# ---- reading what MLIR tools and people write -------------------------------------------------
def test_lenient_input():
    text = '''
    // a comment
    module {
      "dfc.graph"() ( {
        ^entry ( %in : tensor<2x3xf32> loc(unknown) ) :
          %s = "dfc.reduce_sum"(%in) {keepdims = false, axes = [1 : i64, 0]} : (tensor<2x3xf32>) -> tensor<f32>
            loc(unknown)
          %t = "dfc.transpose"(%in) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32> // trailing
          %f = "dfc.fill_like"(%in) {value = 1.000000e-05 : f64, dtype = f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
          %n = "dfc.fill_like"(%in) {value = 0xFFF0000000000000 : f64, dtype = f32}
                : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("x.py":1:2)
          %c = "dfc.constant"() {value = dense<0x7FC00000> : tensor<2xf32>} : () -> tensor<2xf32>
          %m = "dfc.matmul"(%in, %t) : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
          "dfc.fetch"(%s, %f, %n, %c, %m) : (tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>,
                                              tensor<2x2xf32>) -> ()
      }) {sym_name = "main"} : () -> ()
    }
    '''
    g = parse_graph(text)
    verify(g)
    s, t, f, n, c, m = g.ops[:6]
    assert s.attrs == {"axes": (1, 0), "keepdims": False}
    assert t.attrs == {"perm": (1, 0)}
    assert f.attrs["value"] == 1e-05 and f.attrs["dtype"] is dt.f32
    assert n.attrs["value"] == -math.inf and n.loc == Location("x.py", 1, 2)
    assert np.isnan(c.attrs["value"]).all() and c.attrs["value"].dtype == np.float32
    assert m.attrs == {"transpose_a": False, "transpose_b": False}  # defaults filled in
    assert g.arguments[0].arg_name == "in"
    assert [o.name for o in g.ops] == ["s", "t", "f", "n", "c", "m", "fetch"]
    roundtrip(g)


# ---- errors point at the offending token -------------------------------------------------------
GOOD = '''\
"dfc.graph"() ({
^bb0(%x: tensor<2x3xf32>):
  %r = "dfc.relu"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("m.py":1:1)
  %s = "dfc.reduce_sum"(%r) {axes = [0], keepdims = false} : (tensor<2x3xf32>) -> tensor<3xf32>
  %p:2 = "dfc.split"(%s) {axis = 0, sizes = [1, 2]} : (tensor<3xf32>) -> (tensor<1xf32>, tensor<2xf32>)
  "dfc.fetch"(%r, %p#1) : (tensor<2x3xf32>, tensor<2xf32>) -> ()
}) {sym_name = "main"} : () -> ()
'''

# (replace this, with that, error at line, at this token (first occurrence in that line), message part)
BAD = [
    ('"dfc.relu"(%x)', '"dfc.relu"(%nope)', 3, "%nope", "use of undefined value %nope"),
    ('"dfc.relu"(%x) : (tensor<2x3xf32>)', '"dfc.relu"(%x) : (tensor<3x2xf32>)', 3, "%x",
     "type mismatch: the value is used as tensor<3x2xf32> but defined as tensor<2x3xf32>"),
    ('"dfc.relu"', '"dfc.frobnicate"', 3, '"dfc.frobnicate"', "unknown op 'dfc.frobnicate'"),
    ('(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc', '(%x) @ (tensor<2x3xf32>) -> tensor<2x3xf32> loc', 3, "@",
     "expected ':' before the op's type, found '@'"),
    ('"dfc.relu"(%x) :', '"dfc.relu"(%x :', 3, ":", "expected ',' or ')' in the operand list"),
    ("keepdims = false}", "keepdims = false, bogus = 1}", 4, "bogus", "dfc.reduce_sum has no attribute 'bogus'"),
    ("axes = [0]", 'axes = "0"', 4, '"0"', "attribute 'axes' of dfc.reduce_sum must be a list of ints"),
    ("axes = [0]", "axes = [0, true]", 4, "true", "must be a list of ints, but an item is a boolean"),
    ("{axes = [0], keepdims = false}", "{keepdims = false}", 4, '"dfc.reduce_sum"',
     "dfc.reduce_sum needs attribute 'axes'"),
    ("-> tensor<3xf32>\n", "-> tensor<3xf7>\n", 4, "f7", "unknown element type 'f7'"),
    ("%p#1", "%p#2", 6, "%p", "%p has 2 result(s); #2 is out of range"),
    ("%p:2 =", "%p =", 5, "(tensor<3xf32>) ->", "dfc.split defines 1 result(s) but its type lists 2"),
    ("%s = ", "%r = ", 4, "%r =", "redefinition of %r (first defined at 3:3)"),
    ('loc("m.py":1:1)', 'loc("m.py:1:1)', 3, '"m.py', "unterminated string literal"),
    ('loc("m.py":1:1)', 'loc(m.py)', 3, "m.py", "unsupported location"),
    ("tensor<2x3xf32>):", "tensor<2x3xf32>;", 2, ";", "expected ',' or ')' in the block arguments"),
    ('"dfc.fetch"', '"dfc.yield"(%r) : (tensor<2x3xf32>) -> ()\n  ^bb1:\n  "dfc.fetch"', 7, "^bb1",
     "regions of dfc ops hold a single block"),
    ("() -> ()\n", "() -> ()\n%z", 8, "%z", "expected end of input after the graph"),
    ('{sym_name = "main"}', '{sym_name = 3}', 7, "3", "sym_name must be a string"),
    ('"dfc.graph"', '"dfc.grph"', 1, '"dfc.grph"', 'the top-level op must be "dfc.graph"'),
]


@pytest.mark.parametrize("old, new, line, token, message", BAD, ids=[b[4][:40] for b in BAD])
def test_parse_errors_point_at_the_token(old, new, line, token, message):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    with pytest.raises(ParseError) as info:
        parse_graph(text, "bad.mlir")
    err = info.value
    col = text.splitlines()[line - 1].index(token) + 1
    assert message in err.message
    assert (err.file, err.line, err.col) == ("bad.mlir", line, col), str(err)
    assert str(err).startswith(f"bad.mlir:{line}:{col}: error: ")


HEAD = '"dfc.graph"() ({\n'


# (text after HEAD, the token the error points at (first occurrence in the text's last line), message part)
@pytest.mark.parametrize("body, token, message", [
    ('  %c = "dfc.constant"() {value = dense<[1.0, 2.0]> : tensor<3xf32>}', "[1.0",
     "dense literal has shape [2] but its type is tensor<3xf32>"),
    ('  %c = "dfc.constant"() {value = dense<[[1.0], [2.0, 3.0]]> : tensor<2x1xf32>}', "[2.0",
     "dense literal is not rectangular"),
    ('  %c = "dfc.constant"() {value = dense<"0x0000"> : tensor<3xf32>}', '"0x', "hex data has 2 bytes but 3 f32"),
    ('  %c = "dfc.constant"() {value = dense<300> : tensor<i8>}', "300", "300 does not fit in i8"),
    ('  %c = "dfc.constant"() {value = dense<1.5> : tensor<?xf32>}', "tensor", "a dense constant needs a static shape"),
    ('  %c = "dfc.constant"() {value = dense<1> : tensor<f32>} : () -> tensor<f32>\n', None,
     "expected '}' to close the region, found end of input"),
    ('  %c = "dfc.variable"() {name = "v"} : () -> tensor<*xq9>}', "q9", "unknown element type 'q9'"),
    ('  %c = "dfc.variable"() {name = "v"} : () -> !dfc.token}', "!", "unknown type '!dfc.token'"),
    ('  %c = "dfc.variable"() {name = "\\q"} : () -> tensor<f32>}', "\\", "bad escape"),
    ('  %c = "dfc.variable"() {name = "v"} : () -> f32}', "f32", "expected a tensor type or !dfc.control"),
    ('  %c = "dfc.cast"(%c) {dtype = f32} : (tensor<f32>) -> tensor<f32>}', "%c)", "use of undefined value %c"),
])
def test_more_parse_errors(body, token, message):
    text = HEAD + body
    with pytest.raises(ParseError) as info:
        parse_graph(text)
    lines = text.split("\n")
    line, col = (len(lines), len(lines[-1]) + 1) if token is None else (len(lines), lines[-1].index(token) + 1)
    assert message in info.value.message
    assert (info.value.line, info.value.col) == (line, col), str(info.value)


def test_empty_input():
    with pytest.raises(ParseError, match='^<string>:1:1: error: expected "dfc.graph", found end of input'):
        parse_graph("")
    with pytest.raises(ParseError, match="^<string>:2:1: error: expected"):
        parse_graph("  // nothing\n")


def test_no_traceback_escapes_on_damaged_input():
    base = print_graph(build_example("dfc.split"))
    for cut in range(len(base)):
        for damaged in (base[:cut], base[:cut] + base[cut + 1:], base[:cut] + "}" + base[cut:]):
            try:
                parse_graph(damaged)
            except ParseError:
                pass


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_random_damage_gives_parse_errors_only(data):
    base = print_graph(build_example(data.draw(st.sampled_from(["dfc.fused", "dfc.constant", "dfc.one_hot"]))))
    i = data.draw(st.integers(0, len(base)))
    junk = data.draw(st.text(alphabet='%#^"(){}[]<>:,=-x0123456789.eabf\\ \n', max_size=4))
    try:
        parse_graph(base[:i] + junk + base[i + data.draw(st.integers(0, 3)):])
    except ParseError:
        pass


# ---- the real MLIR parser agrees ---------------------------------------------------------------
MLIR_OPT = shutil.which("mlir-opt-19") or shutil.which("mlir-opt")


def _mlir_opt(text: str, *flags: str) -> str:
    proc = subprocess.run([MLIR_OPT, "--allow-unregistered-dialect", *flags], input=text, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _special_graphs() -> list[Graph]:
    graphs = []
    for arr in (np.arange(40, dtype=np.float32).reshape(5, 8), np.array([True, False] * 9),
                np.array([np.nan, np.inf, -0.0], np.float64), np.ones((2, 3), ml_dtypes.bfloat16),
                np.array([1.0, -2.0], np.float16), np.zeros((2, 0), np.int64), np.array(7, np.int8)):
        g = Graph()
        create_op(g, "dfc.constant", attrs={"value": arr}, name="const/0", loc=Location('a "b".py', 1, 2))
        graphs.append(g)
    g = Graph()
    x = create_op(g, "dfc.placeholder", name="x", result_types=[F(3)], device="/job:ps/task:0").result
    create_op(g, "dfc.fill_like", [x], {"value": float("nan"), "dtype": dt.f32}, name="nan")
    create_op(g, "dfc.fill_like", [x], {"value": float("-inf"), "dtype": dt.f32}, name="ninf")
    create_op(g, "dfc.variable", attrs={"name": 'we"ird\\\n é'}, name="v", result_types=[F()])
    graphs.append(g)
    return graphs


@pytest.mark.skipif(MLIR_OPT is None, reason="mlir-opt (Debian mlir-19-tools) is not installed")
def test_mlir_opt_parses_every_dump():
    graphs = [build_example(op) for op in sorted(EXAMPLES)] + _special_graphs()
    for i, g in enumerate(graphs):
        g.sym_name = f"g{i}"  # a sym_name makes the graph an MLIR symbol: one per module
    _mlir_opt("".join(print_graph(g) for g in graphs))


@pytest.mark.skipif(MLIR_OPT is None, reason="mlir-opt (Debian mlir-19-tools) is not installed")
@pytest.mark.parametrize("which", ["dfc.fused", "dfc.split", "dfc.one_hot", "dfc.slice", "special"])
def test_we_read_what_mlir_opt_writes(which):
    graphs = _special_graphs() if which == "special" else [build_example(which)]
    for g in graphs:
        generic = _mlir_opt(print_graph(g), "--mlir-print-op-generic")
        g2 = parse_graph(generic, "mlir-opt.out")
        verify(g2)
        for a in g.walk():
            a.loc = None  # mlir-opt drops locations unless asked for its alias syntax
        assert_same_graph(g, g2)
