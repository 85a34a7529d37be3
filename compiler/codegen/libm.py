"""Scalar lowerings that call C's libm in double precision: atan, asin, acos, erf, erfc and atan2.

TF's kernels compute these with the C library's functions; dfc calls the float64 ones for every
float dtype (float32 and the half types convert on the way in and round once on the way out), so
results are libm's, correctly rounded or within an ulp. On GPUs the same calls go to libdevice
(compiler/target.py maps each name to its __nv_ function).
"""

from __future__ import annotations

from dfc.ir import dtypes as D
from dfc.ir.graph import Op

from .scalar import COMP, Fn

#: op -> (libm function, number of arguments)
LIBM_OPS = {"dfc.atan": ("atan", 1), "dfc.asin": ("asin", 1), "dfc.acos": ("acos", 1), "dfc.erf": ("erf", 1),
            "dfc.erfc": ("erfc", 1), "dfc.atan2": ("atan2", 2)}


def libm_scalar(f: Fn, op: Op, args: list[str], dts: list[D.DType], needs: set[str]) -> str:
    """The compute value of one libm-backed op at one index (in the operands' compute type, not yet rounded)."""
    name, arity = LIBM_OPS[op.type]
    ty = COMP[dts[-1]]
    wide = [a if ty == "double" else f(f"fpext {ty} {a} to double") for a in args[:arity]]
    needs.add(f"{'f64' if arity == 1 else 'f64x2'}:{name}")
    v = f(f"call double @{name}({', '.join('double ' + a for a in wide)})")
    return v if ty == "double" else f(f"fptrunc double {v} to {ty}")
