"""Vectorizable float32 and float64 math (exp, log, tanh, sin, ...) written as LLVM IR.

Every float32 function here is straight-line IR (selects, no branches, no calls but
vectorizable intrinsics) marked `alwaysinline`, so after inlining into a kernel loop the
loop vectorizer turns it into packed AVX-512/AVX2 code. The algorithms are Cephes'
(Cody-Waite range reduction plus a minimax polynomial); the measured accuracy against
numpy is in docs/cpu_math.md (tests/test_cpu_backend.py re-measures it). float64 has
its own straight-line versions of exp, log, expm1, log1p, tanh and sigmoid (F64_FUNCTIONS,
`@dfc_<name>64`); float64 sin and cos still call libm (F64_LIBM), one scalar call each.
"""

from __future__ import annotations

import functools
import struct
from fractions import Fraction

#: float32 functions this module defines, as `@dfc_<name>f`
F32_FUNCTIONS = ("exp", "log", "expm1", "log1p", "tanh", "sigmoid", "sin", "cos")

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


class _Body:
    """Straight-line SSA text with fresh names."""

    def __init__(self):
        self.lines: list[str] = []
        self.n = 0

    def __call__(self, expr: str) -> str:
        self.n += 1
        name = f"%v{self.n}"
        self.lines.append(f"  {name} = {expr}")
        return name

    def horner(self, ty: str, x: str, coeffs: list[float]) -> str:
        lit = f32 if ty == "float" else f64
        acc = lit(coeffs[0])
        for c in coeffs[1:]:
            acc = self(f"call {ty} @llvm.fma.{'f32' if ty == 'float' else 'f64'}({ty} {acc}, {ty} {x}, {ty} {lit(c)})")
        return acc


def _define(name: str, body: _Body, result: str) -> str:
    return (f"define internal float @{name}(float %x) alwaysinline {{\n" + "\n".join(body.lines)
            + f"\n  ret float {result}\n}}\n")


def _exp_core(b: _Body, x: str) -> str:
    """exp(x) for float x: Cephes expf with a two-step 2^n scale so denormal results round once."""
    xc = b(f"call float @llvm.maxnum.f32(float {x}, float {f32(-104.0)})")
    xc = b(f"call float @llvm.minnum.f32(float {xc}, float {f32(89.0)})")
    n = b(f"fmul float {xc}, {f32(1.44269504088896341)}")
    n = b(f"call float @llvm.rint.f32(float {n})")
    r = b(f"call float @llvm.fma.f32(float {n}, float {f32(-0.693359375)}, float {xc})")
    r = b(f"call float @llvm.fma.f32(float {n}, float {f32(2.12194440e-4)}, float {r})")
    p = b.horner("float", r, [1.9875691500E-4, 1.3981999507E-3, 8.3334519073E-3, 4.1665795894E-2,
                              1.6666665459E-1, 5.0000001201E-1])
    z = b(f"fmul float {r}, {r}")
    y = b(f"call float @llvm.fma.f32(float {p}, float {z}, float {r})")
    y = b(f"fadd float {y}, {f32(1.0)}")
    ni = b(f"fptosi float {n} to i32")
    n1 = b(f"sdiv i32 {ni}, 2")
    n2 = b(f"sub i32 {ni}, {n1}")
    s1 = b(f"add i32 {n1}, 127")
    s1 = b(f"shl i32 {s1}, 23")
    s1 = b(f"bitcast i32 {s1} to float")
    s2 = b(f"add i32 {n2}, 127")
    s2 = b(f"shl i32 {s2}, 23")
    s2 = b(f"bitcast i32 {s2} to float")
    y = b(f"fmul float {y}, {s1}")
    y = b(f"fmul float {y}, {s2}")
    isnan = b(f"fcmp uno float {x}, {x}")
    return b(f"select i1 {isnan}, float {x}, float {y}")


def _log_core(b: _Body, x: str) -> str:
    """log(x) for float x: Cephes logf; denormals are scaled up first."""
    small = b(f"fcmp olt float {x}, {f32(1.1754943508222875e-38)}")
    xs = b(f"fmul float {x}, {f32(8388608.0)}")
    xs = b(f"select i1 {small}, float {xs}, float {x}")
    adj = b(f"select i1 {small}, i32 -23, i32 0")
    bits = b(f"bitcast float {xs} to i32")
    e = b(f"lshr i32 {bits}, 23")
    e = b(f"and i32 {e}, 255")
    e = b(f"sub i32 {e}, 127")
    e = b(f"add i32 {e}, {adj}")
    mb = b(f"and i32 {bits}, 8388607")
    mb = b(f"or i32 {mb}, 1065353216")
    m = b(f"bitcast i32 {mb} to float")
    big = b(f"fcmp ogt float {m}, {f32(1.41421356237)}")
    mh = b(f"fmul float {m}, {f32(0.5)}")
    m = b(f"select i1 {big}, float {mh}, float {m}")
    e1 = b(f"add i32 {e}, 1")
    e = b(f"select i1 {big}, i32 {e1}, i32 {e}")
    f = b(f"fsub float {m}, {f32(1.0)}")
    ef = b(f"sitofp i32 {e} to float")
    z = b(f"fmul float {f}, {f}")
    p = b.horner("float", f, [7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                              1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                              3.3333331174E-1])
    y = b(f"fmul float {f}, {z}")
    y = b(f"fmul float {y}, {p}")
    y = b(f"call float @llvm.fma.f32(float {ef}, float {f32(-2.12194440e-4)}, float {y})")
    y = b(f"call float @llvm.fma.f32(float {z}, float {f32(-0.5)}, float {y})")
    r = b(f"fadd float {f}, {y}")
    r = b(f"call float @llvm.fma.f32(float {ef}, float {f32(0.693359375)}, float {r})")
    neg = b(f"fcmp olt float {x}, {f32(0.0)}")
    zero = b(f"fcmp oeq float {x}, {f32(0.0)}")
    inf = b(f"fcmp oeq float {x}, {f32(float('inf'))}")
    nan = b(f"fcmp uno float {x}, {x}")
    r = b(f"select i1 {inf}, float {x}, float {r}")
    r = b(f"select i1 {zero}, float {f32(float('-inf'))}, float {r}")
    bad = b(f"or i1 {neg}, {nan}")
    return b(f"select i1 {bad}, float {f32(float('nan'))}, float {r}")


def _expm1_core(b: _Body, x: str) -> str:
    """Kahan's expm1: (u - 1) * x / log(u) with u = exp(x) corrects the cancellation of u - 1."""
    u = _exp_core(b, x)
    um1 = b(f"fsub float {u}, {f32(1.0)}")
    lu = _log_core(b, u)
    r = b(f"fdiv float {x}, {lu}")  # about 1: (u - 1) * (x / log u) cannot overflow where u does not
    r = b(f"fmul float {um1}, {r}")
    one = b(f"fcmp oeq float {u}, {f32(1.0)}")
    r = b(f"select i1 {one}, float {x}, float {r}")
    neg1 = b(f"fcmp oeq float {um1}, {f32(-1.0)}")
    r = b(f"select i1 {neg1}, float {f32(-1.0)}, float {r}")
    inf = b(f"fcmp oeq float {u}, {f32(float('inf'))}")
    return b(f"select i1 {inf}, float {u}, float {r}")


def _log1p_core(b: _Body, x: str) -> str:
    """Goldberg's log1p: log(u) * x / (u - 1) with u = 1 + x."""
    u = b(f"fadd float {x}, {f32(1.0)}")
    lu = _log_core(b, u)
    d = b(f"fsub float {u}, {f32(1.0)}")
    q = b(f"fdiv float {x}, {d}")
    r = b(f"fmul float {lu}, {q}")
    one = b(f"fcmp oeq float {u}, {f32(1.0)}")
    r = b(f"select i1 {one}, float {x}, float {r}")
    inf = b(f"fcmp oeq float {u}, {f32(float('inf'))}")
    return b(f"select i1 {inf}, float {lu}, float {r}")


def _tanh_core(b: _Body, x: str) -> str:
    """Cephes tanhf: an odd polynomial below 0.625, 1 - 2 / (exp(2|x|) + 1) above."""
    ax = b(f"call float @llvm.fabs.f32(float {x})")
    z = b(f"fmul float {x}, {x}")
    p = b.horner("float", z, [-5.70498872745E-3, 2.06390887954E-2, -5.37397155531E-2, 1.33314422036E-1,
                              -3.33332819422E-1])
    p = b(f"fmul float {p}, {z}")
    small = b(f"call float @llvm.fma.f32(float {p}, float {x}, float {x})")
    two = b(f"fmul float {ax}, {f32(2.0)}")
    e = _exp_core(b, two)
    e = b(f"fadd float {e}, {f32(1.0)}")
    q = b(f"fdiv float {f32(2.0)}, {e}")
    large = b(f"fsub float {f32(1.0)}, {q}")
    large = b(f"call float @llvm.copysign.f32(float {large}, float {x})")
    lt = b(f"fcmp olt float {ax}, {f32(0.625)}")
    return b(f"select i1 {lt}, float {small}, float {large}")


def _sigmoid_core(b: _Body, x: str) -> str:
    """The two overflow-free forms of 1 / (1 + exp(-x)), as the reference computes them."""
    ax = b(f"call float @llvm.fabs.f32(float {x})")
    nax = b(f"fneg float {ax}")
    e = _exp_core(b, nax)
    d = b(f"fadd float {e}, {f32(1.0)}")
    pos = b(f"fdiv float {f32(1.0)}, {d}")
    neg = b(f"fdiv float {e}, {d}")
    ge = b(f"fcmp oge float {x}, {f32(0.0)}")
    return b(f"select i1 {ge}, float {pos}, float {neg}")


def _sincos_core(b: _Body, x: str, want_cos: bool) -> str:
    """Cephes sinf/cosf on r = x - j*pi/2: Cody-Waite in double below 2^20, Payne-Hanek above."""
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
    qi = b(f"fptosi double {q} to i32")
    # |x| >= 2^20: Payne-Hanek (x * 2/pi mod 4 from three 32x32-bit products against a table of 2/pi bits)
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
    rbig = b(f"fmul double {fd}, {f64(float(_PI / 2 / 2**62))}")
    neg = b(f"icmp slt i32 {bits}, 0")
    nrbig = b(f"fneg double {rbig}")
    rbig = b(f"select i1 {neg}, double {nrbig}, double {rbig}")
    ni = b(f"trunc i64 {n} to i32")
    nneg = b(f"sub i32 0, {ni}")
    qbig = b(f"select i1 {neg}, i32 {nneg}, i32 {ni}")
    qbig = b(f"and i32 {qbig}, 3")
    ax0 = b(f"call float @llvm.fabs.f32(float {x})")
    big = b(f"fcmp oge float {ax0}, {f32(1048576.0)}")
    r = b(f"select i1 {big}, double {rbig}, double {r}")
    qi = b(f"select i1 {big}, i32 {qbig}, i32 {qi}")
    if want_cos:
        qi = b(f"add i32 {qi}, 1")
    rf = b(f"fptrunc double {r} to float")
    z = b(f"fmul float {rf}, {rf}")
    ps = b.horner("float", z, [-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1])
    ps = b(f"fmul float {ps}, {z}")
    s = b(f"call float @llvm.fma.f32(float {ps}, float {rf}, float {rf})")
    pc = b.horner("float", z, [2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002])
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


_CORES = {"exp": _exp_core, "log": _log_core, "expm1": _expm1_core, "log1p": _log1p_core, "tanh": _tanh_core,
          "sigmoid": _sigmoid_core, "sin": lambda b, x: _sincos_core(b, x, False),
          "cos": lambda b, x: _sincos_core(b, x, True)}


def f32_function(name: str) -> str:
    """The IR definition of `@dfc_<name>f(float) -> float`."""
    b = _Body()
    result = _CORES[name](b, "%x")
    return _define(f"dfc_{name}f", b, result)


# ---- float64 ----------------------------------------------------------------------------------
#
# The same structure in double: `@dfc_<name>64(double) -> double`, straight-line and `alwaysinline`.
# sin and cos stay on libm for float64 (a reduction exact over the whole double range needs a
# ~1100-bit table of 2/pi and multi-word products; see docs/cpu_math.md).

#: float64 functions this module defines, as `@dfc_<name>64` (module.py emits them for its `f64fn:<name>` needs)
F64_FUNCTIONS = ("exp", "log", "expm1", "log1p", "tanh", "sigmoid")

_LN2_HI = 6.93145751953125E-1          # 16 significant bits: n * _LN2_HI is exact for |n| < 2**37
_LN2_LO = 1.42860682030941723212E-6
# Cephes' Pade form of expm1 on |r| <= ln2/2: expm1(r) = 2 P / (Q - P), P = r p(r^2)
_EXP_P = [1.26177193074810590878E-4, 3.02994407707441961300E-2, 9.99999999999999999910E-1]
_EXP_Q = [3.00198505138664455042E-6, 2.52448340349684104192E-3, 2.27265548208155028766E-1,
          2.00000000000000000009E0]
# fdlibm's log: log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f)
_LG = [1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01, 2.222219843214978396e-01,
       2.857142874366239149e-01, 3.999999999940941908e-01, 6.666666666666735130e-01]
_LN2_HI_LOG = 6.93147180369123816490e-01
_LN2_LO_LOG = 1.90821492927058770002e-10


def _d(b: _Body, op: str, *args: str) -> str:
    """A call of a double intrinsic."""
    return b(f"call double @llvm.{op}.f64(" + ", ".join(f"double {a}" for a in args) + ")")


def _pow2_64(b: _Body, n: str) -> str:
    """2**n as a double for an i32 n in [-1022, 1023]."""
    e = b(f"add i32 {n}, 1023")
    e = b(f"zext i32 {e} to i64")
    e = b(f"shl i64 {e}, 52")
    return b(f"bitcast i64 {e} to double")


def _exp_reduce64(b: _Body, x: str, lo: float, hi: float) -> tuple[str, str]:
    """(n as i32, expm1(r)) with x clamped to [lo, hi] and x = n ln2 + r, |r| <= ln2/2."""
    xc = _d(b, "maxnum", x, f64(lo))
    xc = _d(b, "minnum", xc, f64(hi))
    n = b(f"fmul double {xc}, {f64(1.4426950408889634074)}")
    n = _d(b, "rint", n)
    r = _d(b, "fma", n, f64(-_LN2_HI), xc)
    r = _d(b, "fma", n, f64(-_LN2_LO), r)
    rr = b(f"fmul double {r}, {r}")
    p = b.horner("double", rr, _EXP_P)
    p = b(f"fmul double {p}, {r}")
    q = b.horner("double", rr, _EXP_Q)
    q = b(f"fsub double {q}, {p}")
    e = b(f"fdiv double {p}, {q}")
    e = b(f"fmul double {e}, {f64(2.0)}")
    ni = b(f"fptosi double {n} to i32")
    return ni, e


def _scale64(b: _Body, y: str, ni: str) -> str:
    """y * 2**n in two exact-or-once-rounded steps (|n| <= 2100)."""
    n1 = b(f"sdiv i32 {ni}, 2")
    n2 = b(f"sub i32 {ni}, {n1}")
    y = b(f"fmul double {y}, {_pow2_64(b, n1)}")
    return b(f"fmul double {y}, {_pow2_64(b, n2)}")


def _exp64(b: _Body, x: str) -> str:
    ni, e = _exp_reduce64(b, x, -746.0, 710.0)
    y = b(f"fadd double {e}, {f64(1.0)}")
    y = _scale64(b, y, ni)
    isnan = b(f"fcmp uno double {x}, {x}")
    return b(f"select i1 {isnan}, double {x}, double {y}")


def _expm1_64(b: _Body, x: str) -> str:
    """expm1(x) = (expm1(r) + (1 - 2**-n)) * 2**n, r = x - n ln2, with n = 0 below |x| = ln2:
    expm1(r) by its Taylor series to r**17 (no cancellation where the result is below 1/2)."""
    xc = _d(b, "maxnum", x, f64(-60.0))
    xc = _d(b, "minnum", xc, f64(710.0))
    n = b(f"fmul double {xc}, {f64(1.4426950408889634074)}")
    n = _d(b, "rint", n)
    ax = _d(b, "fabs", xc)
    near = b(f"fcmp olt double {ax}, {f64(0.6931471805599453)}")
    n = b(f"select i1 {near}, double {f64(0.0)}, double {n}")
    r = _d(b, "fma", n, f64(-_LN2_HI), xc)
    r = _d(b, "fma", n, f64(-_LN2_LO), r)
    fact = [1.0]
    for k in range(1, 18):
        fact.append(fact[-1] * k)
    q = b.horner("double", r, [float(Fraction(1, int(fact[k]))) for k in range(17, 1, -1)])
    rr = b(f"fmul double {r}, {r}")
    e = _d(b, "fma", rr, q, r)
    ni = b(f"fptosi double {n} to i32")
    nm = b(f"call i32 @llvm.smin.i32(i32 {ni}, i32 64)")
    nm = b(f"sub i32 0, {nm}")
    t = _pow2_64(b, nm)
    t = b(f"fsub double {f64(1.0)}, {t}")
    y = b(f"fadd double {e}, {t}")
    y = _scale64(b, y, ni)
    zero = b(f"icmp eq i32 {ni}, 0")
    y = b(f"select i1 {zero}, double {e}, double {y}")  # keeps -0 and tiny x exact
    isnan = b(f"fcmp uno double {x}, {x}")
    return b(f"select i1 {isnan}, double {x}, double {y}")


def _log64(b: _Body, x: str) -> str:
    """fdlibm's log on the significand in [sqrt(2)/2, sqrt(2)); denormals are scaled up first."""
    small = b(f"fcmp olt double {x}, {f64(2.2250738585072014e-308)}")
    xs = b(f"fmul double {x}, {f64(2.0 ** 54)}")
    xs = b(f"select i1 {small}, double {xs}, double {x}")
    adj = b(f"select i1 {small}, i64 -54, i64 0")
    bits = b(f"bitcast double {xs} to i64")
    e = b(f"lshr i64 {bits}, 52")
    e = b(f"and i64 {e}, 2047")
    e = b(f"sub i64 {e}, 1023")
    e = b(f"add i64 {e}, {adj}")
    mb = b(f"and i64 {bits}, 4503599627370495")
    mb = b(f"or i64 {mb}, 4607182418800017408")
    m = b(f"bitcast i64 {mb} to double")
    big = b(f"fcmp ogt double {m}, {f64(1.4142135623730951)}")
    mh = b(f"fmul double {m}, {f64(0.5)}")
    m = b(f"select i1 {big}, double {mh}, double {m}")
    e1 = b(f"add i64 {e}, 1")
    e = b(f"select i1 {big}, i64 {e1}, i64 {e}")
    e = b(f"trunc i64 {e} to i32")  # i32 -> double converts packed on AVX2 as well (i64 needs AVX-512DQ)
    dk = b(f"sitofp i32 {e} to double")
    f = b(f"fsub double {m}, {f64(1.0)}")
    hfsq = b(f"fmul double {f}, {f}")
    hfsq = b(f"fmul double {hfsq}, {f64(0.5)}")
    s = b(f"fadd double {f}, {f64(2.0)}")
    s = b(f"fdiv double {f}, {s}")
    z = b(f"fmul double {s}, {s}")
    rz = b.horner("double", z, _LG)
    rz = b(f"fmul double {rz}, {z}")
    t = b(f"fadd double {hfsq}, {rz}")
    t = b(f"fmul double {s}, {t}")
    t = _d(b, "fma", dk, f64(_LN2_LO_LOG), t)
    t = b(f"fsub double {t}, {hfsq}")
    t = b(f"fadd double {t}, {f}")
    r = _d(b, "fma", dk, f64(_LN2_HI_LOG), t)
    neg = b(f"fcmp olt double {x}, {f64(0.0)}")
    zero = b(f"fcmp oeq double {x}, {f64(0.0)}")
    inf = b(f"fcmp oeq double {x}, {f64(float('inf'))}")
    nan = b(f"fcmp uno double {x}, {x}")
    r = b(f"select i1 {inf}, double {x}, double {r}")
    r = b(f"select i1 {zero}, double {f64(float('-inf'))}, double {r}")
    bad = b(f"or i1 {neg}, {nan}")
    return b(f"select i1 {bad}, double {f64(float('nan'))}, double {r}")


def _log1p64(b: _Body, x: str) -> str:
    """Goldberg's log1p: log(u) * x / (u - 1) with u = 1 + x."""
    u = b(f"fadd double {x}, {f64(1.0)}")
    lu = _log64(b, u)
    d = b(f"fsub double {u}, {f64(1.0)}")
    q = b(f"fdiv double {x}, {d}")
    r = b(f"fmul double {lu}, {q}")
    one = b(f"fcmp oeq double {u}, {f64(1.0)}")
    r = b(f"select i1 {one}, double {x}, double {r}")
    inf = b(f"fcmp oeq double {u}, {f64(float('inf'))}")
    return b(f"select i1 {inf}, double {lu}, double {r}")


def _tanh64(b: _Body, x: str) -> str:
    """tanh|x| = expm1(2|x|) / (expm1(2|x|) + 2): no cancellation anywhere; 1 from |x| = 20 on."""
    ax = _d(b, "fabs", x)
    ax = _d(b, "minnum", ax, f64(20.0))
    two = b(f"fmul double {ax}, {f64(2.0)}")
    em = _expm1_64(b, two)
    d = b(f"fadd double {em}, {f64(2.0)}")
    t = b(f"fdiv double {em}, {d}")
    t = _d(b, "copysign", t, x)
    isnan = b(f"fcmp uno double {x}, {x}")
    return b(f"select i1 {isnan}, double {x}, double {t}")


def _sigmoid64(b: _Body, x: str) -> str:
    ax = _d(b, "fabs", x)
    nax = b(f"fneg double {ax}")
    e = _exp64(b, nax)
    d = b(f"fadd double {e}, {f64(1.0)}")
    pos = b(f"fdiv double {f64(1.0)}, {d}")
    neg = b(f"fdiv double {e}, {d}")
    ge = b(f"fcmp oge double {x}, {f64(0.0)}")
    return b(f"select i1 {ge}, double {pos}, double {neg}")


_CORES64 = {"exp": _exp64, "log": _log64, "expm1": _expm1_64, "log1p": _log1p64, "tanh": _tanh64,
            "sigmoid": _sigmoid64}


def f64_function(name: str) -> str:
    """The IR definition of `@dfc_<name>64(double) -> double`."""
    b = _Body()
    result = _CORES64[name](b, "%x")
    return (f"define internal double @dfc_{name}64(double %x) alwaysinline {{\n" + "\n".join(b.lines)
            + f"\n  ret double {result}\n}}\n")
