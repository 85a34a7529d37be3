"""LLVM IR text for one element: each dtype's storage and compute types, conversions, and the
scalar semantics of every elementwise op (the numpy reference's, edge cases included).

float16 and bfloat16 compute in float and round after every op, as numpy does; bool is
an i8 in memory and an i1 in registers. Integer division, modulo and power follow the
reference's wrapping and zero-divisor conventions without ever trapping.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op

from . import mathlib
from .mathlib import f32 as lit_f32
from .mathlib import f64 as lit_f64

STORE = {D.f16: "half", D.bf16: "i16", D.f32: "float", D.f64: "double", D.i8: "i8", D.i16: "i16",
         D.i32: "i32", D.i64: "i64", D.u8: "i8", D.u16: "i16", D.u32: "i32", D.u64: "i64", D.bool_: "i8"}
COMP = {D.f16: "float", D.bf16: "float", D.f32: "float", D.f64: "double", D.i8: "i8", D.i16: "i16",
        D.i32: "i32", D.i64: "i64", D.u8: "i8", D.u16: "i16", D.u32: "i32", D.u64: "i64", D.bool_: "i1"}
BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "i1": 1}


class CodegenError(Exception):
    """The step cannot be lowered (e.g. a shape is still unknown)."""


def lit(ty: str, value: float | int | bool) -> str:
    """A literal of LLVM type `ty`."""
    if ty == "float":
        return lit_f32(float(value))
    if ty == "double":
        return lit_f64(float(value))
    if ty == "i1":
        return "true" if value else "false"
    return str(int_wrap(int(value), BITS[ty]))  # an unsigned value past the signed range as its two's complement


def int_wrap(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


# ---- function text ----------------------------------------------------------------------------

class Fn:
    """One LLVM function's text: fresh SSA names, labels and allocas hoisted to the entry block."""

    def __init__(self, header: str):
        self.header = header
        self.allocas: list[str] = []
        self.lines: list[str] = []
        self.n = 0
        self.metadata: list[str] = []  # module-level metadata nodes its instructions name (loop properties)

    def __call__(self, expr: str) -> str:
        self.n += 1
        name = f"%t{self.n}"
        self.lines.append(f"  {name} = {expr}")
        return name

    def emit(self, line: str) -> None:
        self.lines.append(f"  {line}")

    def label(self, hint: str = "L") -> str:
        self.n += 1
        return f"{hint}{self.n}"

    def block(self, label: str) -> None:
        self.lines.append(f"{label}:")

    def alloca(self, ty: str, count: int = 1, align: int = 16) -> str:
        self.n += 1
        name = f"%a{self.n}"
        self.allocas.append(f"  {name} = alloca {ty}, i64 {count}, align {align}")
        return name

    def loop_properties(self, *properties: str) -> str:
        """`!llvm.loop !N` for a loop's back edge: a distinct loop id with these properties
        (e.g. "llvm.loop.unroll.disable")."""
        self.n += 1
        node = LOOP_METADATA_BASE + self.n
        props = [f"!{node + LOOP_METADATA_SPAN * (k + 1)}" for k in range(len(properties))]
        self.metadata.append(f"!{node} = distinct !{{!{node}{''.join(', ' + p for p in props)}}}")
        self.metadata += [f'{p} = !{{!"{name}"}}' for p, name in zip(props, properties)]
        return f"!llvm.loop !{node}"

    def entry_flag(self) -> str:
        """An i1 slot that starts false when the function is entered."""
        name = self.alloca("i1")
        self.allocas.append(f"  store i1 false, ptr {name}")
        return name

    def text(self) -> str:
        return "\n".join([self.header + " {", "entry:"] + self.allocas + self.lines + ["}", ""])


#: loop metadata node numbers: a function's loop ids from here (below the module's own nodes never reach),
#: each property of a loop LOOP_METADATA_SPAN further on
LOOP_METADATA_BASE = 1 << 20
LOOP_METADATA_SPAN = 1 << 20


# ---- loads, stores, conversions ---------------------------------------------------------------

def from_storage(f: Fn, raw: str, dt: D.DType) -> str:
    if dt is D.f16:
        return f(f"fpext half {raw} to float")
    if dt is D.bf16:
        w = f(f"zext i16 {raw} to i32")
        w = f(f"shl i32 {w}, 16")
        return f(f"bitcast i32 {w} to float")
    if dt is D.bool_:
        return f(f"icmp ne i8 {raw}, 0")
    return raw


def to_storage(f: Fn, v: str, dt: D.DType) -> str:
    if dt is D.f16:
        return f(f"fptrunc float {v} to half")
    if dt is D.bf16:
        # round to nearest even on the top 16 bits, NaN stays a quiet NaN (as ml_dtypes does)
        bits = f(f"bitcast float {v} to i32")
        hi = f(f"lshr i32 {bits}, 16")
        lsb = f(f"and i32 {hi}, 1")
        bias = f(f"add i32 {lsb}, 32767")
        r = f(f"add i32 {bits}, {bias}")
        r = f(f"lshr i32 {r}, 16")
        q = f(f"or i32 {hi}, 64")
        nan = f(f"fcmp uno float {v}, {v}")
        r = f(f"select i1 {nan}, i32 {q}, i32 {r}")
        return f(f"trunc i32 {r} to i16")
    if dt is D.bool_:
        return f(f"zext i1 {v} to i8")
    return v


def load(f: Fn, ptr: str, dt: D.DType) -> str:
    return from_storage(f, f(f"load {STORE[dt]}, ptr {ptr}"), dt)


def store(f: Fn, v: str, ptr: str, dt: D.DType) -> None:
    f.emit(f"store {STORE[dt]} {to_storage(f, v, dt)}, ptr {ptr}")


def round_to(f: Fn, v: str, dt: D.DType) -> str:
    """A compute value rounded to dt's precision (half types compute in float, round per op)."""
    if dt in (D.f16, D.bf16):
        return from_storage(f, to_storage(f, v, dt), dt)
    return v


def convert(f: Fn, v: str, src: D.DType, dst: D.DType) -> str:
    """A compute value of dtype src as dtype dst, with the reference's cast semantics."""
    s, d = COMP[src], COMP[dst]
    if dst.is_bool:
        if src.is_bool:
            return v
        if src.is_floating:
            return f(f"fcmp une {s} {v}, {lit(s, 0)}")
        return f(f"icmp ne {s} {v}, 0")
    if src.is_bool:
        return f(f"uitofp i1 {v} to {d}") if dst.is_floating else f(f"zext i1 {v} to {d}")
    if src.is_floating and dst.is_floating:
        if s == d:
            out = v
        elif s == "float":
            out = f(f"fpext float {v} to double")
        elif dst in (D.f16, D.bf16):
            out = _to_float_round_to_odd(f, v)
        else:
            out = f(f"fptrunc double {v} to float")
        return round_to(f, out, dst)
    if src.is_integer and dst.is_floating:
        return round_to(f, f(f"{'uitofp' if src.is_unsigned else 'sitofp'} {s} {v} to {d}"), dst)
    if src.is_integer and dst.is_integer:
        bs, bd = BITS[s], BITS[d]
        if bs == bd:
            return v
        if bs > bd:
            return f(f"trunc {s} {v} to {d}")
        return f(f"{'zext' if src.is_unsigned else 'sext'} {s} {v} to {d}")
    if dst.is_unsigned:
        return _float_to_unsigned(f, v, s, dst)
    # float -> int: truncate toward zero, clip to the int range (in the float type, as numpy's clip
    # does), NaN/inf -> 0; a clipped value of 2**63 becomes INT64_MIN as the hardware conversion does
    info = np.iinfo(dst.np)
    lo = float(np.asarray(info.min).astype(src.np if src not in (D.f16, D.bf16) else np.float32))
    with np.errstate(over="ignore"):  # numpy's clip bound overflows to inf in float16, as it does there
        hi = float(np.asarray(info.max, dtype=np.float64).astype(src.np))
    t = f(f"call {s} @llvm.trunc.{'f32' if s == 'float' else 'f64'}({s} {v})")
    t = f(f"call {s} @llvm.maxnum.{'f32' if s == 'float' else 'f64'}({s} {t}, {s} {lit(s, lo)})")
    t = f(f"call {s} @llvm.minnum.{'f32' if s == 'float' else 'f64'}({s} {t}, {s} {lit(s, hi)})")
    big = f(f"fcmp oge {s} {t}, {lit(s, 2.0 ** 63)}")
    tt = f(f"select i1 {big}, {s} {lit(s, 0)}, {s} {t}")
    i = f(f"fptosi {s} {tt} to i64")
    i = f(f"select i1 {big}, i64 {-(2 ** 63)}, i64 {i}")
    ax = f(f"call {s} @llvm.fabs.{'f32' if s == 'float' else 'f64'}({s} {v})")
    finite = f(f"fcmp olt {s} {ax}, {lit(s, math.inf)}")
    i = f(f"select i1 {finite}, i64 {i}, i64 0")
    return i if d == "i64" else f(f"trunc i64 {i} to {d}")


def _float_to_signed(f: Fn, t: str, s: str, bits: int) -> str:
    """Whole float t as a signed `bits` integer the way x86's cvttss2si converts: out of range or NaN gives the
    integer's minimum (the reference's _float_to_signed)."""
    ty = f"i{bits}"
    bound = lit(s, 2.0 ** (bits - 1))
    inside = f(f"and i1 {f(f'fcmp oge {s} {t}, {lit(s, -(2.0 ** (bits - 1)))}')}, {f(f'fcmp olt {s} {t}, {bound}')}")
    i = f(f"fptosi {s} {f(f'select i1 {inside}, {s} {t}, {s} {lit(s, 0)}')} to {ty}")
    return f(f"select i1 {inside}, {ty} {i}, {ty} {-(2 ** (bits - 1))}")


def _float_to_unsigned(f: Fn, v: str, s: str, dst: D.DType) -> str:
    """TF's float -> unsigned cast (the reference's _float_to_unsigned): uint8/16 through i32, uint32 through
    i64, low bits kept; uint64 converts [2**63, 2**64) by its offset from 2**63 and sets the top bit."""
    t = f(f"call {s} @llvm.trunc.{'f32' if s == 'float' else 'f64'}({s} {v})")
    if dst.bits == 64:
        high = f(f"fcmp oge {s} {t}, {lit(s, 2.0 ** 63)}")
        offset = f(f"fsub {s} {t}, {lit(s, 2.0 ** 63)}")
        low = _float_to_signed(f, f(f"select i1 {high}, {s} {offset}, {s} {t}"), s, 64)
        return f(f"select i1 {high}, i64 {f(f'or i64 {low}, {-(2 ** 63)}')}, i64 {low}")
    wide = 32 if dst.bits <= 16 else 64
    return f(f"trunc i{wide} {_float_to_signed(f, t, s, wide)} to {COMP[dst]}")


def _to_float_round_to_odd(f: Fn, v: str) -> str:
    """double -> float rounded to odd: an inexact result gets its last bit set, so rounding it again to a
    format at least 2 bits narrower (half, bfloat16) rounds once, as the direct conversion would."""
    r = f(f"fptrunc double {v} to float")
    back = f(f"fpext float {r} to double")
    inexact = f(f"fcmp one double {back}, {v}")  # false for NaN
    bits = f(f"bitcast float {r} to i32")
    abs_back = f(f"call double @llvm.fabs.f64(double {back})")
    abs_v = f(f"call double @llvm.fabs.f64(double {v})")
    away = f(f"fcmp ogt double {abs_back}, {abs_v}")
    toward = f(f"sub i32 {bits}, 1")  # sign-magnitude: one step toward zero
    bits2 = f(f"select i1 {away}, i32 {toward}, i32 {bits}")
    odd = f(f"or i32 {bits2}, 1")
    bits3 = f(f"select i1 {inexact}, i32 {odd}, i32 {bits}")
    return f(f"bitcast i32 {bits3} to float")


# ---- scalar semantics of the elementwise ops --------------------------------------------------

def fsuffix(ty: str) -> str:
    return "f32" if ty == "float" else "f64"


def int_floordiv(f: Fn, ty: str, a: str, b: str) -> str:
    """Python's floor division for a non-zero b with b != -1 or a != MIN (callers guarantee)."""
    q = f(f"sdiv {ty} {a}, {b}")
    r = f(f"srem {ty} {a}, {b}")
    nz = f(f"icmp ne {ty} {r}, 0")
    x = f(f"xor {ty} {r}, {b}")
    neg = f(f"icmp slt {ty} {x}, 0")
    adj = f(f"and i1 {nz}, {neg}")
    q1 = f(f"sub {ty} {q}, 1")
    return f(f"select i1 {adj}, {ty} {q1}, {ty} {q}")


def _safe_divisor(f: Fn, ty: str, b: str, op: Op | None = None) -> tuple[str, str, str]:
    """(b==0, b==-1, a divisor that never traps); b==0 is noted in the kernel's flag for `op`, if it has one."""
    zero = f(f"icmp eq {ty} {b}, 0")
    flag = getattr(f, "zero_divisor_flags", {}).get(op)
    if flag is not None:  # TF fails an integer division by zero: the kernel reports it (elementwise.py)
        seen = f(f"load i1, ptr {flag}")
        f.emit(f"store i1 {f(f'or i1 {seen}, {zero}')}, ptr {flag}")
    minus1 = f(f"icmp eq {ty} {b}, -1")
    bad = f(f"or i1 {zero}, {minus1}")
    return zero, minus1, f(f"select i1 {bad}, {ty} 1, {ty} {b}")


def _float_divmod(f: Fn, ty: str, a: str, b: str) -> tuple[str, str]:
    """numpy's npy_divmod: (floor_divide, mod) for floats."""
    sfx = fsuffix(ty)
    mod = f(f"frem {ty} {a}, {b}")
    am = f(f"fsub {ty} {a}, {mod}")
    div = f(f"fdiv {ty} {am}, {b}")
    modnz = f(f"fcmp une {ty} {mod}, {lit(ty, 0)}")
    bneg = f(f"fcmp olt {ty} {b}, {lit(ty, 0)}")
    mneg = f(f"fcmp olt {ty} {mod}, {lit(ty, 0)}")
    differ = f(f"xor i1 {bneg}, {mneg}")
    fix = f(f"and i1 {modnz}, {differ}")
    mod_fixed = f(f"fadd {ty} {mod}, {b}")
    div_fixed = f(f"fsub {ty} {div}, {lit(ty, 1)}")
    mod2 = f(f"select i1 {fix}, {ty} {mod_fixed}, {ty} {mod}")
    div2 = f(f"select i1 {fix}, {ty} {div_fixed}, {ty} {div}")
    zmod = f(f"call {ty} @llvm.copysign.{sfx}({ty} {lit(ty, 0)}, {ty} {b})")
    mod3 = f(f"select i1 {modnz}, {ty} {mod2}, {ty} {zmod}")
    fl = f(f"call {ty} @llvm.floor.{sfx}({ty} {div2})")
    diff = f(f"fsub {ty} {div2}, {fl}")
    up = f(f"fcmp ogt {ty} {diff}, {lit(ty, 0.5)}")
    fl1 = f(f"fadd {ty} {fl}, {lit(ty, 1)}")
    fl = f(f"select i1 {up}, {ty} {fl1}, {ty} {fl}")
    divnz = f(f"fcmp une {ty} {div2}, {lit(ty, 0)}")
    zdiv = f(f"fdiv {ty} {a}, {b}")
    zdiv = f(f"fmul {ty} {zdiv}, {lit(ty, 0)}")  # a signed zero like a/b
    q = f(f"select i1 {divnz}, {ty} {fl}, {ty} {zdiv}")
    bz = f(f"fcmp oeq {ty} {b}, {lit(ty, 0)}")
    qz = f(f"fdiv {ty} {a}, {b}")
    q = f(f"select i1 {bz}, {ty} {qz}, {ty} {q}")
    # mod by zero is NaN (frem gives that already)
    return q, mod3


def math_call(f: Fn, name: str, x: str, ty: str, needs: set[str]) -> str:
    if ty == "float":
        needs.add(f"f32:{name}")
        return f(f"call float @dfc_{name}f(float {x})")
    if name in mathlib.F64_FUNCTIONS:
        needs.add(f"f64fn:{name}")  # module.py emits its definition (mathlib.f64_function)
        return f(f"call double @dfc_{name}64(double {x})")
    sym = mathlib.F64_LIBM[name]
    needs.add(f"f64:{sym}")
    return f(f"call double @{sym}(double {x})")


@dataclass
class Element:
    """One elementwise op at one index: the compute values of its operands and where its code goes."""

    f: Fn
    op: Op
    args: list[str]
    dts: list[D.DType]
    needs: set[str]

    @property
    def out(self) -> D.DType:
        return self.op.results[0].type.dtype

    @property
    def dt(self) -> D.DType:
        """The dtype the op computes in: its last operand's (its result's when it has none)."""
        return self.dts[-1] if self.dts else self.out

    @property
    def ty(self) -> str:
        return COMP[self.dt]

    @property
    def fl(self) -> bool:
        return self.dt.is_floating

    @property
    def sfx(self) -> str:
        return fsuffix(self.ty) if self.fl else ""

    @property
    def a(self) -> str:
        return self.args[0]

    @property
    def b(self) -> str:
        return self.args[1]


ScalarRule = Callable[[Element], str]


@dataclass(frozen=True)
class ScalarLowering:
    """A row of SCALAR: the rule, and whether its value is rounded to the result dtype afterwards
    (float16/bfloat16 compute in float; rules that produce the result dtype themselves skip it)."""

    rule: ScalarRule
    rounded: bool = True


#: op name -> scalar lowering: the LLVM IR of one element of every elementwise op (and of the
#: broadcast ops a fused region holds). Every fused loop, CPU and GPU, reads it through `scalar`;
#: a test (tests/test_op_traits.py) fails for an elementwise op without a row.
SCALAR: dict[str, ScalarLowering] = {}


def scalar_rule(*names: str, rounded: bool = True) -> Callable[[ScalarRule], ScalarRule]:
    """Register `rule` as the scalar lowering of the ops `names` (one family's rows of SCALAR)."""
    def register(rule: ScalarRule) -> ScalarRule:
        for name in names:
            if name in SCALAR:
                raise ValueError(f"{name} has two scalar lowerings")
            SCALAR[name] = ScalarLowering(rule, rounded)
        return rule
    return register


def scalar(f: Fn, op: Op, args: list[str], dts: list[D.DType], needs: set[str]) -> str:
    """The compute value of one elementwise op at one index, rounded to its result dtype."""
    row = SCALAR.get(op.type)
    if row is None:
        raise CodegenError(f"no scalar lowering for {op.type}")
    e = Element(f, op, args, dts, needs)
    v = row.rule(e)
    return round_to(f, v, e.out) if row.rounded else v


# -- structure: values that pass through, fills, casts, selects

@scalar_rule("dfc.identity", "dfc.stop_gradient", "dfc.broadcast_like", rounded=False)
def _pass_through(e: Element) -> str:
    return e.a


@scalar_rule("dfc.fill_like", rounded=False)
def _fill_like(e: Element) -> str:
    dtype = e.op.attrs["dtype"]
    return lit(COMP[dtype], typed_value(e.op.attrs["value"], dtype))


@scalar_rule("dfc.cast", rounded=False)
def _cast(e: Element) -> str:
    return convert(e.f, e.a, e.dts[0], e.op.attrs["dtype"])


@scalar_rule("dfc.select", rounded=False)
def _select(e: Element) -> str:
    ty = COMP[e.dts[1]]
    return e.f(f"select i1 {e.a}, {ty} {e.b}, {ty} {e.args[2]}")


# -- unary arithmetic

@scalar_rule("dfc.neg")
def _neg(e: Element) -> str:
    return e.f(f"fneg {e.ty} {e.a}") if e.fl else e.f(f"sub {e.ty} 0, {e.a}")


@scalar_rule("dfc.abs")
def _abs(e: Element) -> str:
    f, ty, a = e.f, e.ty, e.a
    if e.fl:
        return f(f"call {ty} @llvm.fabs.{e.sfx}({ty} {a})")
    return f(f"call {ty} @llvm.abs.i{BITS[ty]}({ty} {a}, i1 false)")


@scalar_rule("dfc.sign")
def _sign(e: Element) -> str:
    f, ty, a = e.f, e.ty, e.a
    if e.fl:
        pos = f(f"fcmp ogt {ty} {a}, {lit(ty, 0)}")
        neg = f(f"fcmp olt {ty} {a}, {lit(ty, 0)}")
        v = f(f"select i1 {neg}, {ty} {lit(ty, -1)}, {ty} {a}")
        v = f(f"select i1 {pos}, {ty} {lit(ty, 1)}, {ty} {v}")
        zero = f(f"fcmp oeq {ty} {a}, {lit(ty, 0)}")
        return f(f"select i1 {zero}, {ty} {lit(ty, 0)}, {ty} {v}")
    pos = f(f"icmp sgt {ty} {a}, 0")
    neg = f(f"icmp slt {ty} {a}, 0")
    p = f(f"zext i1 {pos} to {ty}")
    n = f(f"zext i1 {neg} to {ty}")
    return f(f"sub {ty} {p}, {n}")


@scalar_rule("dfc.square")
def _square(e: Element) -> str:
    return e.f(f"fmul {e.ty} {e.a}, {e.a}") if e.fl else e.f(f"mul {e.ty} {e.a}, {e.a}")


@scalar_rule("dfc.relu")
def _relu(e: Element) -> str:
    f, ty, a = e.f, e.ty, e.a
    if e.fl:
        neg = f(f"fcmp olt {ty} {a}, {lit(ty, 0)}")
        return f(f"select i1 {neg}, {ty} {lit(ty, 0)}, {ty} {a}")
    return f(f"call {ty} @llvm.smax.i{BITS[ty]}({ty} {a}, {ty} 0)")


# -- float functions: mathlib's (exp, log, ...) and LLVM's intrinsics

@scalar_rule("dfc.exp", "dfc.log", "dfc.expm1", "dfc.log1p", "dfc.sin", "dfc.cos", "dfc.tanh", "dfc.sigmoid")
def _math_function(e: Element) -> str:
    return math_call(e.f, e.op.short_type, e.a, e.ty, e.needs)


@scalar_rule("dfc.sqrt")
def _sqrt(e: Element) -> str:
    return e.f(f"call {e.ty} @llvm.sqrt.{e.sfx}({e.ty} {e.a})")


@scalar_rule("dfc.rsqrt")
def _rsqrt(e: Element) -> str:
    s = e.f(f"call {e.ty} @llvm.sqrt.{e.sfx}({e.ty} {e.a})")
    return e.f(f"fdiv {e.ty} {lit(e.ty, 1)}, {s}")


@scalar_rule("dfc.reciprocal")
def _reciprocal(e: Element) -> str:
    return e.f(f"fdiv {e.ty} {lit(e.ty, 1)}, {e.a}")


@scalar_rule("dfc.floor", "dfc.ceil")
def _floor_ceil(e: Element) -> str:
    return e.f(f"call {e.ty} @llvm.{e.op.short_type}.{e.sfx}({e.ty} {e.a})")


@scalar_rule("dfc.round")
def _round(e: Element) -> str:
    return e.f(f"call {e.ty} @llvm.roundeven.{e.sfx}({e.ty} {e.a})")


# -- binary arithmetic

@scalar_rule("dfc.add", "dfc.sub", "dfc.mul")
def _add_sub_mul(e: Element) -> str:
    return e.f(f"{'f' if e.fl else ''}{e.op.short_type} {e.ty} {e.a}, {e.b}")


@scalar_rule("dfc.div")
def _div(e: Element) -> str:
    if e.fl:
        return e.f(f"fdiv {e.ty} {e.a}, {e.b}")
    f, ty, a, b = e.f, e.ty, e.a, e.b
    # the reference: |a| // |b| * sign(a) * sign(b), 0 for b == 0, all wrapping
    zero, _, safe = _safe_divisor(f, ty, b, e.op)
    aa = f(f"call {ty} @llvm.abs.i{BITS[ty]}({ty} {a}, i1 false)")
    ab = f(f"call {ty} @llvm.abs.i{BITS[ty]}({ty} {safe}, i1 false)")
    q = int_floordiv(f, ty, aa, ab)
    for s in (a, safe):
        pos = f(f"icmp sgt {ty} {s}, 0")
        neg = f(f"icmp slt {ty} {s}, 0")
        sg = f(f"select i1 {neg}, {ty} -1, {ty} 0")
        sg = f(f"select i1 {pos}, {ty} 1, {ty} {sg}")
        q = f(f"mul {ty} {q}, {sg}")
    minus1 = f(f"icmp eq {ty} {b}, -1")
    na = f(f"sub {ty} 0, {a}")
    q = f(f"select i1 {minus1}, {ty} {na}, {ty} {q}")
    return f(f"select i1 {zero}, {ty} 0, {ty} {q}")


@scalar_rule("dfc.floordiv", "dfc.mod")
def _floordiv_mod(e: Element) -> str:
    f, ty, a = e.f, e.ty, e.a
    floordiv = e.op.short_type == "floordiv"
    if e.fl:
        q, m = _float_divmod(f, ty, a, e.b)
        return q if floordiv else m
    zero, minus1, safe = _safe_divisor(f, ty, e.b, e.op)
    if floordiv:
        q = int_floordiv(f, ty, a, safe)
        na = f(f"sub {ty} 0, {a}")
        q = f(f"select i1 {minus1}, {ty} {na}, {ty} {q}")
    else:
        r = f(f"srem {ty} {a}, {safe}")
        nz = f(f"icmp ne {ty} {r}, 0")
        x = f(f"xor {ty} {r}, {safe}")
        neg = f(f"icmp slt {ty} {x}, 0")
        adj = f(f"and i1 {nz}, {neg}")
        r1 = f(f"add {ty} {r}, {safe}")
        q = f(f"select i1 {adj}, {ty} {r1}, {ty} {r}")
        q = f(f"select i1 {minus1}, {ty} 0, {ty} {q}")
    return f(f"select i1 {zero}, {ty} 0, {ty} {q}")


@scalar_rule("dfc.pow")
def _pow(e: Element) -> str:
    f, ty, a, b = e.f, e.ty, e.a, e.b
    if e.fl:
        return f(f"call {ty} @llvm.pow.{e.sfx}({ty} {a}, {ty} {b})")
    # square-and-multiply over every exponent bit: wrapping products equal numpy's
    r, base, exp = "1", a, b
    for _ in range(BITS[ty] - 1):
        bit = f(f"and {ty} {exp}, 1")
        odd = f(f"icmp ne {ty} {bit}, 0")
        rm = f(f"mul {ty} {r}, {base}")
        r = f(f"select i1 {odd}, {ty} {rm}, {ty} {r}")
        base = f(f"mul {ty} {base}, {base}")
        exp = f(f"lshr {ty} {exp}, 1")
    negexp = f(f"icmp slt {ty} {b}, 0")
    is1 = f(f"icmp eq {ty} {a}, 1")
    ism1 = f(f"icmp eq {ty} {a}, -1")
    bodd = f(f"and {ty} {b}, 1")
    bodd = f(f"icmp ne {ty} {bodd}, 0")
    m1 = f(f"select i1 {bodd}, {ty} -1, {ty} 1")
    neg = f(f"select i1 {ism1}, {ty} {m1}, {ty} 0")
    neg = f(f"select i1 {is1}, {ty} 1, {ty} {neg}")
    return f(f"select i1 {negexp}, {ty} {neg}, {ty} {r}")


@scalar_rule("dfc.maximum", "dfc.minimum")
def _extreme(e: Element) -> str:
    f, ty, a, b = e.f, e.ty, e.a, e.b
    kind = e.op.short_type
    if not e.fl:
        return f(f"call {ty} @llvm.s{kind[:3]}.i{BITS[ty]}({ty} {a}, {ty} {b})")
    # TF's (std::max's) rule: ties keep the first operand (max(-0., 0.) is -0.); NaN propagates
    smaller = f(f"fcmp olt {ty} {a}, {b}") if kind == "maximum" else f(f"fcmp olt {ty} {b}, {a}")
    v = f(f"select i1 {smaller}, {ty} {b}, {ty} {a}")
    nan = f(f"fcmp uno {ty} {b}, {b}")
    return f(f"select i1 {nan}, {ty} {b}, {ty} {v}")


# -- comparisons and logic (bool results)

_CMP = {"equal": ("oeq", "eq"), "not_equal": ("une", "ne"), "less": ("olt", "slt"), "less_equal": ("ole", "sle"),
        "greater": ("ogt", "sgt"), "greater_equal": ("oge", "sge")}


@scalar_rule(*(f"dfc.{name}" for name in _CMP), rounded=False)
def _compare(e: Element) -> str:
    fop, iop = _CMP[e.op.short_type]
    return e.f(f"fcmp {fop} {e.ty} {e.a}, {e.b}") if e.fl else e.f(f"icmp {iop} {e.ty} {e.a}, {e.b}")


@scalar_rule("dfc.logical_not")
def _logical_not(e: Element) -> str:
    return e.f(f"xor i1 {e.a}, true")


@scalar_rule("dfc.logical_and", "dfc.logical_or", "dfc.logical_xor", rounded=False)
def _logical(e: Element) -> str:
    return e.f(f"{e.op.short_type[8:]} i1 {e.a}, {e.b}")


@scalar_rule("dfc.bitwise_and", "dfc.bitwise_or", "dfc.bitwise_xor", rounded=False)
def _bitwise(e: Element) -> str:
    return e.f(f"{e.op.short_type[8:]} {e.ty} {e.a}, {e.b}")


@scalar_rule("dfc.invert", rounded=False)
def _invert(e: Element) -> str:
    return e.f(f"xor {e.ty} {e.a}, -1")


@scalar_rule("dfc.left_shift", "dfc.right_shift", rounded=False)
def _shift(e: Element) -> str:
    """x << y and x >> y (arithmetic for signed x) with y clamped to [0, bits - 1], as TF's kernels do."""
    f, ty = e.f, e.ty
    bits = BITS[ty]
    y = f(f"select i1 {f(f'icmp slt {ty} {e.b}, 0')}, {ty} 0, {ty} {e.b}") if not e.dt.is_unsigned else e.b
    wide = f(f"icmp {'ugt' if e.dt.is_unsigned else 'sgt'} {ty} {y}, {bits - 1}")
    y = f(f"select i1 {wide}, {ty} {bits - 1}, {ty} {y}")
    if e.op.type == "dfc.left_shift":
        return f(f"shl {ty} {e.a}, {y}")
    return f(f"{'lshr' if e.dt.is_unsigned else 'ashr'} {ty} {e.a}, {y}")


def typed_value(value: float, dt: D.DType) -> int | float | bool:
    """A Python number as the reference stores it in dt (wrapping and rounding included)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and np.issubdtype(dt.np, np.integer):
        # exactly, not through float64: int64's largest values (2**63 - 1, a slice's open end) do not survive it
        bits = dt.np.itemsize * 8
        wrapped = int(value) & ((1 << bits) - 1)
        return wrapped - (1 << bits) if np.issubdtype(dt.np, np.signedinteger) and wrapped >> (bits - 1) else wrapped
    with np.errstate(all="ignore"):
        arr = np.asarray(value, dtype=np.float64).astype(dt.np)
        if dt in (D.f16, D.bf16):
            return float(arr.astype(np.float32))
        return arr.item()


from .libm import LIBM_OPS, libm_scalar  # noqa: E402 - libm.py builds on this module's types


@scalar_rule(*LIBM_OPS)
def _libm(e: Element) -> str:
    return libm_scalar(e.f, e.op, e.args, e.dts, e.needs)
