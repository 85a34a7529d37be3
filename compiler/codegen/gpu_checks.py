"""GPU check_numerics and assert: grid-stride kernels over every element, errors as the CPU words them.

On the CPU each is one serial kernel returning an error code (codegen/debug.py); on the GPU one thread
walking a big tensor would take milliseconds. assert: every thread tests its elements and a false one
claims the step's error word (compare-and-swap from 0, so the step's first error wins). check_numerics:
every thread copies its elements to the result and ORs what it saw (bit 0: an inf, bit 1: a NaN) into a
params word; a one-thread report turns the bits into the CPU's message (inf, NaN, or both) and clears
the word (the runtime also zeroes the params words before each run).
"""

from __future__ import annotations

import math

import numpy as np

from dfc.ir.graph import Op

from .debug import assert_code, numerics_codes
from .gemm import gep
from .gpu import GpuModuleBuilder
from .gpu_nn import grid_kernel, when
from .gpu_sparse import _claim_error, _errors
from .module import PARAM_ERR, where
from .scalar import COMP, STORE, fsuffix, lit, load, store

#: the params word check_numerics' kernels OR their findings into (words 1 and 2 are the zero divisors' and gather's)
NUMERICS_WORD = PARAM_ERR + 3


def lower_assert_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    cond = op.inputs[0]
    code = assert_code(mb, op)
    count = int(np.prod(cond.type.shape, dtype=np.int64))

    def test(fn, params, e):
        flags, err = params
        ok = load(fn, gep(fn, STORE[cond.type.dtype], flags, e), cond.type.dtype)
        with when(fn, fn(f"xor i1 {ok}, true")):
            _claim_error(fn, err, code)
    grid_kernel(mb, [where(mb, cond), _errors()], count, test)


def lower_check_numerics_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    x = op.inputs[0]
    dt = x.type.dtype
    count = int(np.prod(x.type.shape, dtype=np.int64))
    codes = numerics_codes(mb, op)
    if not count:
        return
    st, ty = STORE[dt], COMP[dt]

    def scan(fn, params, e):
        out, src, info = params
        v = load(fn, gep(fn, st, src, e), dt)
        store(fn, v, gep(fn, st, out, e), dt)
        nan = fn(f"zext i1 {fn(f'fcmp uno {ty} {v}, {v}')} to i64")
        mag = fn(f"call {ty} @llvm.fabs.{fsuffix(ty)}({ty} {v})")
        inf = fn(f"zext i1 {fn(f'fcmp oeq {ty} {mag}, {lit(ty, math.inf)}')} to i64")
        bits = fn(f"or i64 {inf}, {fn(f'shl i64 {nan}, 1')}")
        with when(fn, fn(f"icmp ne i64 {bits}, 0")):
            fn.emit(f"atomicrmw or ptr {gep(fn, 'i64', info, str(NUMERICS_WORD))}, i64 {bits} monotonic, align 8")
    grid_kernel(mb, [where(mb, op.result), where(mb, x), mb.params_ptr()], count, scan)

    def report(fn, params, _):
        info, err = params
        word = gep(fn, "i64", info, str(NUMERICS_WORD))
        bits = fn(f"load i64, ptr {word}")
        with when(fn, fn(f"icmp ne i64 {bits}, 0")):
            fn.emit(f"store i64 0, ptr {word}")
            code = fn(f"select i1 {fn(f'icmp eq i64 {bits}, 2')}, i32 {codes[(False, True)]}, "
                      f"i32 {codes[(True, True)]}")
            code = fn(f"select i1 {fn(f'icmp eq i64 {bits}, 1')}, i32 {codes[(True, False)]}, i32 {code}")
            _claim_error(fn, err, code)
    grid_kernel(mb, [mb.params_ptr(), _errors()], 1, report, single=True, error_code=True)


GPU_CHECK_LOWERINGS = {"dfc.assert": lower_assert_gpu, "dfc.check_numerics": lower_check_numerics_gpu}
