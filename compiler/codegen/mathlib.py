"""Vectorizable float32 and float64 math (exp, log, expm1, log1p, tanh, sigmoid; sin and cos in float32) as LLVM IR.

One generator writes every function for both float types: `math_function(name, fmt)` with
`fmt` a `FloatFormat` (F32, F64) that holds the type's LLVM spelling and bit layout and its
constants, clamps and polynomials (and, where float32 and float64 keep different
approximations because each is the cheaper one at its precision, which kernel to use).
Every function is straight-line IR (selects, no branches, no calls but vectorizable
intrinsics) marked `alwaysinline`, so after inlining into a kernel loop the loop vectorizer
turns it into packed AVX-512/AVX2 code; float32 sin and cos branch to a call for large
arguments only, a call with masked vector variants (trig_support). The algorithms are Cephes' and fdlibm's (Cody-Waite
range reduction plus a minimax polynomial); the measured accuracy against numpy is in
docs/cpu_math.md (tests/test_cpu_backend.py re-measures it). float64 sin and cos call libm
(F64_LIBM), one scalar call each.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

#: float64 functions left to libm: the symbol each one calls (see F64_FUNCTIONS for the others)
F64_LIBM = {"sin": "llvm.sin.f64", "cos": "llvm.cos.f64"}


def f32(value: float) -> str:
    """A float literal as LLVM spells an exactly representable float: the double hex of its f32 rounding."""
    rounded = struct.unpack("<f", struct.pack("<f", value))[0]
    return f"0x{struct.unpack('<Q', struct.pack('<d', rounded))[0]:016X}"


def f64(value: float) -> str:
    return f"0x{struct.unpack('<Q', struct.pack('<d', value))[0]:016X}"


def _pi(bits: int = 640) -> Fraction:
    """pi to `bits` bits (Machin's formula in integers): the large-argument tables need about 400."""
    one = 1 << (bits + 16)

    def atan_inv(n: int) -> int:
        total, term, k, sign = 0, one // n, 1, 1
        while term:
            total += sign * (term // k)
            term //= n * n
            k += 2
            sign = -sign
        return total
    return Fraction(16 * atan_inv(5) - 4 * atan_inv(239), one)


_PI = _pi()


def _pio2_parts(count: int, bits: int) -> list[float]:
    """pi/2 split into doubles of `bits` significant bits: j * part is exact for j < 2**(53 - bits)."""
    rest = _PI / 2
    parts = []
    for _ in range(count):
        if rest == 0:
            parts.append(0.0)
            continue
        exp = rest.numerator.bit_length() - rest.denominator.bit_length()
        scale = Fraction(2) ** (bits - 1 - exp)
        part = Fraction(int(rest * scale)) / scale
        parts.append(float(part))
        rest -= part
    return parts


_PIO2 = _pio2_parts(4, 27)


def _two_over_pi_words() -> list[list[int]]:
    """Per float32 biased exponent E: floor(2/pi * 2**(E - 150 + 94)) mod 2**96 as three 32-bit words.

    With x = m * 2**(E - 150) (m the 24-bit significand), the top 64 bits of m * that (mod 2**96)
    are (x * 2/pi mod 4) * 2**62: Payne and Hanek's exact reduction in three integer products.
    """
    two_over_pi = 2 / _PI
    words: list[list[int]] = [[], [], []]
    for e in range(256):
        scaled = two_over_pi * Fraction(2) ** (e - 150 + 94)
        p = (scaled.numerator // scaled.denominator) % (1 << 96)
        for k in range(3):
            words[k].append((p >> (32 * k)) & 0xFFFFFFFF)
    return words


@functools.cache
def tables() -> str:
    """Global tables the float32 functions read (emitted once per module that uses sin or cos).

    Cached: exact arithmetic on Fractions makes them take ~10 ms, and every kernel using sin or cos needs them.
    """
    out = []
    for k, ws in enumerate(_two_over_pi_words()):
        body = ", ".join(f"i32 {w - (1 << 32) if w >> 31 else w}" for w in ws)
        out.append(f"@dfc_2opi_{k} = private unnamed_addr constant [256 x i32] [{body}], align 64")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class FloatFormat:
    """A float type for the generator: its LLVM spelling and bit layout, and its math functions' parameters."""

    ty: str  # the LLVM type: float, double
    sfx: str  # intrinsics' suffix: f32, f64
    suffix: str  # the functions' names: @dfc_<name><suffix>
    bits: int
    mant: int  # stored significand bits
    lit: Callable[[float], str]
    functions: tuple[str, ...]  # what this module defines for the type
    exp_clamp: tuple[float, float]  # exp's argument range: 0 below, inf above
    exp_ln2: tuple[float, float]  # ln2 = hi + lo, hi short enough that n * hi is exact
    exp_kernel: Callable[[_Body, str], str]  # expm1(r) on |r| <= ln2/2
    log_ln2: tuple[float, float]
    log_kernel: Callable[[_Body, str, str], str]  # log1p(f) - f + f^2/2 on the reduced significand (f, f^2)
    expm1: Callable[[_Body, str], str]
    tanh: Callable[[_Body, str], str]

    @property
    def itype(self) -> str:
        return f"i{self.bits}"

    @property
    def bias(self) -> int:
        return (1 << (self.bits - 2 - self.mant)) - 1

    @property
    def min_normal(self) -> float:
        return 2.0 ** (1 - self.bias)


class _Body:
    """Straight-line SSA text with fresh names, in one float format."""

    def __init__(self, fmt: FloatFormat):
        self.fmt = fmt
        self.lines: list[str] = []
        self.n = 0

    def __call__(self, expr: str) -> str:
        self.n += 1
        name = f"%v{self.n}"
        self.lines.append(f"  {name} = {expr}")
        return name

    def c(self, value: float) -> str:
        """A literal of the format."""
        return self.fmt.lit(value)

    def op(self, opcode: str, a: str, b: str) -> str:
        """A binary instruction (fadd, fmul, fcmp olt, ...) on two values of the format."""
        return self(f"{opcode} {self.fmt.ty} {a}, {b}")

    def call(self, intrinsic: str, *args: str) -> str:
        """A call of the format's overload of an LLVM intrinsic (fma, rint, maxnum, ...)."""
        ty = self.fmt.ty
        return self(f"call {ty} @llvm.{intrinsic}.{self.fmt.sfx}(" + ", ".join(f"{ty} {a}" for a in args) + ")")

    def select(self, cond: str, a: str, b: str) -> str:
        return self(f"select i1 {cond}, {self.fmt.ty} {a}, {self.fmt.ty} {b}")

    def horner(self, x: str, coeffs: list[float]) -> str:
        acc = self.c(coeffs[0])
        for c in coeffs[1:]:
            acc = self.call("fma", acc, x, self.c(c))
        return acc

    def pow2(self, n: str) -> str:
        """2**n for an i32 n in the format's normal exponent range."""
        e = self(f"add i32 {n}, {self.fmt.bias}")
        if self.fmt.itype != "i32":
            e = self(f"zext i32 {e} to {self.fmt.itype}")
        e = self(f"shl {self.fmt.itype} {e}, {self.fmt.mant}")
        return self(f"bitcast {self.fmt.itype} {e} to {self.fmt.ty}")


def math_function(name: str, fmt: FloatFormat) -> str:
    """The IR definition of `@dfc_<name><fmt.suffix>(x) -> x` in the format's type."""
    b = _Body(fmt)
    result = _FUNCTIONS[name](b, "%x")
    return (f"define internal {fmt.ty} @dfc_{name}{fmt.suffix}({fmt.ty} %x) alwaysinline {{\n" + "\n".join(b.lines)
            + f"\n  ret {fmt.ty} {result}\n}}\n")


# ---- the functions, once for both formats --------------------------------------------------------

def _reduce_ln2(b: _Body, x: str, clamp: tuple[float, float], ln2: tuple[float, float],
                near: float | None = None) -> tuple[str, str]:
    """(n, r) with x clamped to `clamp` and x = n ln2 + r, |r| <= ln2/2 (Cody-Waite in two parts);
    n = 0 where |x| < `near`, if given."""
    xc = b.call("maxnum", x, b.c(clamp[0]))
    xc = b.call("minnum", xc, b.c(clamp[1]))
    n = b.op("fmul", xc, b.c(1.4426950408889634074))
    n = b.call("rint", n)
    if near is not None:
        ax = b.call("fabs", xc)
        close = b.op("fcmp olt", ax, b.c(near))
        n = b.select(close, b.c(0.0), n)
    r = b.call("fma", n, b.c(-ln2[0]), xc)
    return n, b.call("fma", n, b.c(-ln2[1]), r)


def _scale(b: _Body, y: str, ni: str) -> str:
    """y * 2**n in two halves, so a result that ends up denormal rounds once."""
    n1 = b(f"sdiv i32 {ni}, 2")
    n2 = b(f"sub i32 {ni}, {n1}")
    y = b.op("fmul", y, b.pow2(n1))
    return b.op("fmul", y, b.pow2(n2))


def _exp(b: _Body, x: str) -> str:
    """exp(x) = (1 + expm1(r)) 2**n; NaN passes through, the clamp gives 0 and inf beyond the range."""
    n, r = _reduce_ln2(b, x, b.fmt.exp_clamp, b.fmt.exp_ln2)
    y = b.op("fadd", b.fmt.exp_kernel(b, r), b.c(1.0))
    y = _scale(b, y, b(f"fptosi {b.fmt.ty} {n} to i32"))
    isnan = b.op("fcmp uno", x, x)
    return b.select(isnan, x, y)


def _log(b: _Body, x: str) -> str:
    """log(x) = k ln2 + log1p(f) with the significand 1 + f in [sqrt(2)/2, sqrt(2)); denormals are scaled up
    first; the kernel gives log1p(f) - f + f^2/2, and k ln2 is added in two parts."""
    fmt = b.fmt
    it = fmt.itype
    up = fmt.mant + 2
    small = b.op("fcmp olt", x, b.c(fmt.min_normal))
    xs = b.op("fmul", x, b.c(2.0 ** up))
    xs = b.select(small, xs, x)
    adj = b(f"select i1 {small}, {it} {-up}, {it} 0")
    bits = b(f"bitcast {fmt.ty} {xs} to {it}")
    e = b(f"lshr {it} {bits}, {fmt.mant}")
    e = b(f"and {it} {e}, {2 * fmt.bias + 1}")
    e = b(f"sub {it} {e}, {fmt.bias}")
    e = b(f"add {it} {e}, {adj}")
    mb = b(f"and {it} {bits}, {(1 << fmt.mant) - 1}")
    mb = b(f"or {it} {mb}, {fmt.bias << fmt.mant}")
    m = b(f"bitcast {it} {mb} to {fmt.ty}")
    big = b.op("fcmp ogt", m, b.c(math.sqrt(2.0)))
    m = b.select(big, b.op("fmul", m, b.c(0.5)), m)
    e1 = b(f"add {it} {e}, 1")
    e = b(f"select i1 {big}, {it} {e1}, {it} {e}")
    if it != "i32":
        e = b(f"trunc {it} {e} to i32")  # i32 -> double converts packed on AVX2 as well (i64 needs AVX-512DQ)
    k = b(f"sitofp i32 {e} to {fmt.ty}")
    f = b.op("fsub", m, b.c(1.0))
    z = b.op("fmul", f, f)
    t = b.call("fma", k, b.c(fmt.log_ln2[1]), fmt.log_kernel(b, f, z))
    t = b.call("fma", z, b.c(-0.5), t)
    r = b.op("fadd", f, t)
    r = b.call("fma", k, b.c(fmt.log_ln2[0]), r)
    neg = b.op("fcmp olt", x, b.c(0.0))
    zero = b.op("fcmp oeq", x, b.c(0.0))
    inf = b.op("fcmp oeq", x, b.c(math.inf))
    nan = b.op("fcmp uno", x, x)
    r = b.select(inf, x, r)
    r = b.select(zero, b.c(-math.inf), r)
    bad = b(f"or i1 {neg}, {nan}")
    return b.select(bad, b.c(math.nan), r)


def _log1p(b: _Body, x: str) -> str:
    """Goldberg's log1p: log(u) * x / (u - 1) with u = 1 + x."""
    u = b.op("fadd", x, b.c(1.0))
    lu = _log(b, u)
    d = b.op("fsub", u, b.c(1.0))
    q = b.op("fdiv", x, d)
    r = b.op("fmul", lu, q)
    one = b.op("fcmp oeq", u, b.c(1.0))
    r = b.select(one, x, r)
    inf = b.op("fcmp oeq", u, b.c(math.inf))
    return b.select(inf, lu, r)


def _sigmoid(b: _Body, x: str) -> str:
    """The two overflow-free forms of 1 / (1 + exp(-x)), as the reference computes them."""
    ax = b.call("fabs", x)
    nax = b(f"fneg {b.fmt.ty} {ax}")
    e = _exp(b, nax)
    d = b.op("fadd", e, b.c(1.0))
    pos = b.op("fdiv", b.c(1.0), d)
    neg = b.op("fdiv", e, d)
    ge = b.op("fcmp oge", x, b.c(0.0))
    return b.select(ge, pos, neg)


def _expm1(b: _Body, x: str) -> str:
    return b.fmt.expm1(b, x)


def _tanh(b: _Body, x: str) -> str:
    return b.fmt.tanh(b, x)


# ---- the kernels each format picks -----------------------------------------------------------------

def _expm1_polynomial(coeffs: list[float]) -> Callable[[_Body, str], str]:
    """Cephes expf's: expm1(r) = r + r^2 p(r) (no division: float32 needs only a degree-7 polynomial)."""
    def kernel(b: _Body, r: str) -> str:
        p = b.horner(r, coeffs)
        z = b.op("fmul", r, r)
        return b.call("fma", p, z, r)
    return kernel


def _expm1_pade(ps: list[float], qs: list[float]) -> Callable[[_Body, str], str]:
    """Cephes exp's Pade form: expm1(r) = 2 P / (Q - P), P = r p(r^2), Q = q(r^2)."""
    def kernel(b: _Body, r: str) -> str:
        rr = b.op("fmul", r, r)
        p = b.op("fmul", b.horner(rr, ps), r)
        q = b.op("fsub", b.horner(rr, qs), p)
        return b.op("fmul", b.op("fdiv", p, q), b.c(2.0))
    return kernel


def _log_polynomial(coeffs: list[float]) -> Callable[[_Body, str, str], str]:
    """Cephes logf's: log1p(f) - f + f^2/2 = f^3 p(f) (no division)."""
    def kernel(b: _Body, f: str, z: str) -> str:
        p = b.horner(f, coeffs)
        return b.op("fmul", b.op("fmul", f, z), p)
    return kernel


def _log_atanh(coeffs: list[float]) -> Callable[[_Body, str, str], str]:
    """fdlibm's: with s = f / (2 + f), log1p(f) - f + f^2/2 = s (f^2/2 + R(s^2)), R of degree 7 in s^2."""
    def kernel(b: _Body, f: str, z: str) -> str:
        hfsq = b.op("fmul", z, b.c(0.5))
        s = b.op("fdiv", f, b.op("fadd", f, b.c(2.0)))
        ss = b.op("fmul", s, s)
        rz = b.op("fmul", b.horner(ss, coeffs), ss)
        return b.op("fmul", s, b.op("fadd", hfsq, rz))
    return kernel


def _expm1_kahan(b: _Body, x: str) -> str:
    """Kahan's expm1: (u - 1) * x / log(u) with u = exp(x) corrects the cancellation of u - 1 (float32: the
    format's exp and log are cheap and accurate enough)."""
    u = _exp(b, x)
    um1 = b.op("fsub", u, b.c(1.0))
    lu = _log(b, u)
    r = b.op("fdiv", x, lu)  # about 1: (u - 1) * (x / log u) cannot overflow where u does not
    r = b.op("fmul", um1, r)
    one = b.op("fcmp oeq", u, b.c(1.0))
    r = b.select(one, x, r)
    neg1 = b.op("fcmp oeq", um1, b.c(-1.0))
    r = b.select(neg1, b.c(-1.0), r)
    inf = b.op("fcmp oeq", u, b.c(math.inf))
    return b.select(inf, u, r)


def _expm1_taylor(degree: int, clamp: tuple[float, float]) -> Callable[[_Body, str], str]:
    """expm1(x) = (expm1(r) + (1 - 2**-n)) * 2**n, r = x - n ln2, with n = 0 below |x| = ln2: expm1(r) by its
    Taylor series to r**degree (no cancellation where the result is below 1/2; float64 needs the accuracy)."""
    coeffs = [float(Fraction(1, math.factorial(k))) for k in range(degree, 1, -1)]

    def kernel(b: _Body, x: str) -> str:
        n, r = _reduce_ln2(b, x, clamp, b.fmt.exp_ln2, near=0.6931471805599453)
        q = b.horner(r, coeffs)
        e = b.call("fma", b.op("fmul", r, r), q, r)
        ni = b(f"fptosi {b.fmt.ty} {n} to i32")
        nm = b(f"call i32 @llvm.smin.i32(i32 {ni}, i32 64)")
        t = b.pow2(b(f"sub i32 0, {nm}"))
        y = b.op("fadd", e, b.op("fsub", b.c(1.0), t))
        y = _scale(b, y, ni)
        zero = b(f"icmp eq i32 {ni}, 0")
        y = b.select(zero, e, y)  # keeps -0 and tiny x exact
        isnan = b.op("fcmp uno", x, x)
        return b.select(isnan, x, y)
    return kernel


def _tanh_cephes(coeffs: list[float]) -> Callable[[_Body, str], str]:
    """Cephes tanhf: an odd polynomial below 0.625, 1 - 2 / (exp(2|x|) + 1) above."""
    def kernel(b: _Body, x: str) -> str:
        ax = b.call("fabs", x)
        z = b.op("fmul", x, x)
        p = b.op("fmul", b.horner(z, coeffs), z)
        small = b.call("fma", p, x, x)
        e = _exp(b, b.op("fmul", ax, b.c(2.0)))
        q = b.op("fdiv", b.c(2.0), b.op("fadd", e, b.c(1.0)))
        large = b.call("copysign", b.op("fsub", b.c(1.0), q), x)
        lt = b.op("fcmp olt", ax, b.c(0.625))
        return b.select(lt, small, large)
    return kernel


def _tanh_expm1(b: _Body, x: str) -> str:
    """tanh|x| = expm1(2|x|) / (expm1(2|x|) + 2): no cancellation anywhere; 1 from |x| = 20 on."""
    ax = b.call("minnum", b.call("fabs", x), b.c(20.0))
    em = _expm1(b, b.op("fmul", ax, b.c(2.0)))
    t = b.op("fdiv", em, b.op("fadd", em, b.c(2.0)))
    t = b.call("copysign", t, x)
    isnan = b.op("fcmp uno", x, x)
    return b.select(isnan, x, t)


# ---- float32 sin and cos ---------------------------------------------------------------------------
#
# float64 sin and cos stay on libm: a reduction exact over the whole double range needs a ~1100-bit
# table of 2/pi and multi-word products (see docs/cpu_math.md).

def _cody_waite(b: _Body, x: str) -> tuple[str, str]:
    """(r, q) with x = (4k + q) pi/2 + r in double: exact enough below |x| = 2^20 (pi/2 in four 27-bit parts)."""
    xd = b(f"fpext float {x} to double")
    j = b(f"fmul double {xd}, {f64(0.63661977236758134308)}")
    j = b(f"call double @llvm.rint.f64(double {j})")
    r = xd
    for part in _PIO2:
        r = b(f"call double @llvm.fma.f64(double {j}, double {f64(-part)}, double {r})")
    quarter = b(f"fmul double {j}, {f64(0.25)}")
    quarter = b(f"call double @llvm.floor.f64(double {quarter})")
    q = b(f"call double @llvm.fma.f64(double {quarter}, double {f64(-4.0)}, double {j})")
    ok = b(f"fcmp ord double {q}, {f64(0.0)}")
    q = b(f"select i1 {ok}, double {q}, double {f64(0.0)}")
    return r, b(f"fptosi double {q} to i32")


def _payne_hanek(b: _Body, x: str) -> tuple[str, str]:
    """(r, q) for |x| >= 2^20: x * 2/pi mod 4 from three 32x32-bit products against a table of 2/pi bits."""
    bits = b(f"bitcast float {x} to i32")
    e = b(f"lshr i32 {bits}, 23")
    e = b(f"and i32 {e}, 255")
    ez = b(f"zext i32 {e} to i64")
    m = b(f"and i32 {bits}, 8388607")
    m = b(f"or i32 {m}, 8388608")
    m = b(f"zext i32 {m} to i64")
    prods = []
    for k in range(3):
        ptr = b(f"getelementptr inbounds [256 x i32], ptr @dfc_2opi_{k}, i64 0, i64 {ez}")
        w = b(f"load i32, ptr {ptr}")
        w = b(f"zext i32 {w} to i64")
        prods.append(b(f"mul i64 {m}, {w}"))
    top = b(f"shl i64 {prods[2]}, 32")
    top = b(f"add i64 {top}, {prods[1]}")
    low = b(f"lshr i64 {prods[0]}, 32")
    top = b(f"add i64 {top}, {low}")
    rounded = b(f"add i64 {top}, {1 << 61}")
    n = b(f"lshr i64 {rounded}, 62")
    nb = b(f"shl i64 {n}, 62")
    frac = b(f"sub i64 {top}, {nb}")
    fd = b(f"sitofp i64 {frac} to double")
    r = b(f"fmul double {fd}, {f64(float(_PI / 2 / 2**62))}")
    neg = b(f"icmp slt i32 {bits}, 0")
    nr = b(f"fneg double {r}")
    r = b(f"select i1 {neg}, double {nr}, double {r}")
    ni = b(f"trunc i64 {n} to i32")
    nneg = b(f"sub i32 0, {ni}")
    q = b(f"select i1 {neg}, i32 {nneg}, i32 {ni}")
    return r, b(f"and i32 {q}, 3")


def _sincos_kernel(b: _Body, x: str, r: str, qi: str, want_cos: bool) -> str:
    """Cephes sinf/cosf of x from its reduction r (double) and quadrant qi; NaN for inf and NaN."""
    if want_cos:
        qi = b(f"add i32 {qi}, 1")
    rf = b(f"fptrunc double {r} to float")
    z = b(f"fmul float {rf}, {rf}")
    ps = b.horner(z, [-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1])
    ps = b(f"fmul float {ps}, {z}")
    s = b(f"call float @llvm.fma.f32(float {ps}, float {rf}, float {rf})")
    pc = b.horner(z, [2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002])
    pc = b(f"fmul float {pc}, {z}")
    pc = b(f"fmul float {pc}, {z}")
    hz = b(f"fmul float {z}, {f32(0.5)}")
    c = b(f"fsub float {f32(1.0)}, {hz}")
    c = b(f"fadd float {c}, {pc}")
    odd = b(f"and i32 {qi}, 1")
    odd = b(f"icmp ne i32 {odd}, 0")
    v = b(f"select i1 {odd}, float {c}, float {s}")
    flip = b(f"and i32 {qi}, 2")
    flip = b(f"icmp ne i32 {flip}, 0")
    nv = b(f"fneg float {v}")
    v = b(f"select i1 {flip}, float {nv}, float {v}")
    ax = b(f"call float @llvm.fabs.f32(float {x})")
    bad = b(f"fcmp ueq float {ax}, {f32(float('inf'))}")  # inf or nan
    return b(f"select i1 {bad}, float {f32(float('nan'))}, float {v}")


#: |x| from which sin and cos reduce by Payne-Hanek (Cody-Waite in double is exact enough below)
_BIG_ARGUMENT = 1048576.0


def _sincos(b: _Body, x: str, want_cos: bool) -> str:
    """Cephes sinf/cosf on r = x - j*pi/2: Cody-Waite in double below 2^20, Payne-Hanek above (both, selected)."""
    r, qi = _cody_waite(b, x)
    rbig, qbig = _payne_hanek(b, x)
    ax0 = b(f"call float @llvm.fabs.f32(float {x})")
    big = b(f"fcmp oge float {ax0}, {f32(_BIG_ARGUMENT)}")
    r = b(f"select i1 {big}, double {rbig}, double {r}")
    qi = b(f"select i1 {big}, i32 {qbig}, i32 {qi}")
    return _sincos_kernel(b, x, r, qi, want_cos)


#: vector widths (lanes) of the masked variants of the large-argument sin and cos (the loop vectorizer picks one)
TRIG_VECTOR_WIDTHS = (2, 4, 8, 16, 32, 64)


def _trig_function(name: str) -> str:
    """`@dfc_sinf`/`@dfc_cosf`: Cody-Waite inline, and a call of the Payne-Hanek version for |x| >= 2^20.

    Computing both reductions for every element (selects, as the loop vectorizer needs) made the
    table gathers and 64-bit products of Payne-Hanek most of the cost of every sin. The call is
    rare and carries masked vector variants (`vector-function-abi-variant`): the vectorized loop
    calls the variant of its width with the mask of its big lanes, and the variant returns at
    once when no lane is big (trig_support).
    """
    b = _Body(F32)
    r, qi = _cody_waite(b, "%x")
    fast = _sincos_kernel(b, "%x", r, qi, name == "cos")
    ax = b("call float @llvm.fabs.f32(float %x)")
    big = b(f"fcmp oge float {ax}, {f32(_BIG_ARGUMENT)}")
    variants = ",".join(f"_ZGV_LLVM_M{n}v_dfc_{name}f_big(dfc_{name}f_big_m{n})" for n in TRIG_VECTOR_WIDTHS)
    return (f"define internal float @dfc_{name}f(float %x) alwaysinline {{\nentry:\n" + "\n".join(b.lines)
            + f"\n  br i1 {big}, label %big, label %done\nbig:\n"
            f"  %slow = call float @dfc_{name}f_big(float %x) memory(none) \"vector-function-abi-variant\"="
            f"\"{variants}\"\n  br label %done\ndone:\n"
            f"  %r = phi float [ {fast}, %entry ], [ %slow, %big ]\n  ret float %r\n}}\n")


@functools.cache
def trig_support(names: tuple[str, ...]) -> str:
    """What `@dfc_sinf`/`@dfc_cosf` (`names`: "sin", "cos") call: the 2/pi tables, the whole-range versions
    and their masked vector variants, which run the scalar version over the lanes when any lane is big."""
    out = [tables()]
    used = []
    for name in names:
        b = _Body(F32)
        result = _sincos(b, "%x", name == "cos")
        big = f"@dfc_{name}f_big"
        out.append(f"define internal float {big}(float %x) noinline memory(none) {{\n"
                   + "\n".join(b.lines) + f"\n  ret float {result}\n}}\n")
        for n in TRIG_VECTOR_WIDTHS:
            fn = f"@dfc_{name}f_big_m{n}"
            used.append(f"ptr {fn}")
            signature = f"<{n} x float> {fn}(<{n} x float> %x, <{n} x i1> %m) memory(none) minsize optsize"
            out.append(f"""define internal {signature} {{
entry:
  %bits = bitcast <{n} x i1> %m to i{n}
  %any = icmp ne i{n} %bits, 0
  br i1 %any, label %lanes, label %none
none:
  ret <{n} x float> zeroinitializer
lanes:
  %buf = alloca <{n} x float>
  store <{n} x float> %x, ptr %buf
  br label %lane
lane:
  %i = phi i32 [ 0, %lanes ], [ %next, %lane ]
  %at = getelementptr float, ptr %buf, i32 %i
  %e = load float, ptr %at
  %r = call float {big}(float %e)
  store float %r, ptr %at
  %next = add i32 %i, 1
  %more = icmp ult i32 %next, {n}
  br i1 %more, label %lane, label %out
out:
  %v = load <{n} x float>, ptr %buf
  ret <{n} x float> %v
}}
""")
    out.append(f"@llvm.compiler.used = appending global [{len(used)} x ptr] [{', '.join(used)}], "
               f"section \"llvm.metadata\"")
    return "\n".join(out) + "\n"


_FUNCTIONS: dict[str, Callable[[_Body, str], str]] = {
    "exp": _exp, "log": _log, "expm1": _expm1, "log1p": _log1p, "tanh": _tanh, "sigmoid": _sigmoid,
    "sin": lambda b, x: _sincos(b, x, False), "cos": lambda b, x: _sincos(b, x, True)}

F32 = FloatFormat(
    ty="float", sfx="f32", suffix="f", bits=32, mant=23, lit=f32,
    functions=("exp", "log", "expm1", "log1p", "tanh", "sigmoid", "sin", "cos"),
    exp_clamp=(-104.0, 89.0), exp_ln2=(0.693359375, -2.12194440e-4),
    exp_kernel=_expm1_polynomial([1.9875691500E-4, 1.3981999507E-3, 8.3334519073E-3, 4.1665795894E-2,
                                  1.6666665459E-1, 5.0000001201E-1]),
    log_ln2=(0.693359375, -2.12194440e-4),
    log_kernel=_log_polynomial([7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                                1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                                3.3333331174E-1]),
    expm1=_expm1_kahan,
    tanh=_tanh_cephes([-5.70498872745E-3, 2.06390887954E-2, -5.37397155531E-2, 1.33314422036E-1,
                       -3.33332819422E-1]),
)

F64 = FloatFormat(
    ty="double", sfx="f64", suffix="64", bits=64, mant=52, lit=f64,
    functions=("exp", "log", "expm1", "log1p", "tanh", "sigmoid"),
    exp_clamp=(-746.0, 710.0), exp_ln2=(6.93145751953125E-1, 1.42860682030941723212E-6),
    exp_kernel=_expm1_pade([1.26177193074810590878E-4, 3.02994407707441961300E-2, 9.99999999999999999910E-1],
                           [3.00198505138664455042E-6, 2.52448340349684104192E-3, 2.27265548208155028766E-1,
                            2.00000000000000000009E0]),
    log_ln2=(6.93147180369123816490e-01, 1.90821492927058770002e-10),
    log_kernel=_log_atanh([1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01,
                           2.222219843214978396e-01, 2.857142874366239149e-01, 3.999999999940941908e-01,
                           6.666666666666735130e-01]),
    expm1=_expm1_taylor(17, (-60.0, 710.0)),
    tanh=_tanh_expm1,
)

#: float32 functions this module defines, as `@dfc_<name>f`
F32_FUNCTIONS = F32.functions
#: float64 functions this module defines, as `@dfc_<name>64` (module.py emits them for its `f64fn:<name>` needs)
F64_FUNCTIONS = F64.functions


def f32_function(name: str) -> str:
    """The IR definition of `@dfc_<name>f(float) -> float` (sin and cos also need trig_support())."""
    if name in ("sin", "cos"):
        return _trig_function(name)
    return math_function(name, F32)


def f64_function(name: str) -> str:
    """The IR definition of `@dfc_<name>64(double) -> double`."""
    return math_function(name, F64)
