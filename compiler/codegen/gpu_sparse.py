"""GPU gather and unsorted_segment_sum: grid-stride kernels over every element, errors reported as on the CPU.

gather: one thread per output element copies its row's element; a thread whose index is out of range
writes 0 and records its position with an atomic max of (count - position) in the params word after the
bad index, so a one-thread report kernel afterwards finds the first bad index in index order, the one
the CPU reports (TF's `indices[1] = 7 is not in [0, 3)`).

unsorted_segment_sum: the output is zeroed, then one thread per data element adds it into its segment's
element with an atomic add (`atomicrmw add`/`fadd`); negative ids are dropped and an id past the end sets
the op's error code, as on the CPU. Integer sums are exact; float sums are added in whatever order the
threads reach the atomics, so they may differ from the CPU's in the last bits and from run to run, as
TF's GPU kernel does (a deterministic alternative, sorting the ids and summing each segment's run in
order, is not built).

The first error of a step wins: kernels claim the error word with a compare-and-swap from 0.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Op

from ..plan import Storage
from .gemm import gep
from .gpu import GpuModuleBuilder, _token
from .gpu_nn import grid_kernel, unravel, when
from .module import PARAM_ERR, ErrorSite, where
from .scalar import COMP, STORE, Fn, load, store
from .state import POSITION_WORD, copy_result_out, index_sites, row_geometry, slice_offset
from .shape import gather_geometry

#: the params word gather's kernels record (count - first bad position) in (word 0 gets the bad index, word 1
#: is the elementwise kernels' zero-divisor bits); its report clears it for the next gather
FIRST_BAD_WORD = PARAM_ERR + 2


def _errors() -> str:
    return _token("errors", 0, 0)


def _claim_error(fn: Fn, err: str, code: int | str) -> str:
    """Set the step's error word to `code` unless an earlier error holds it; i1: whether this one did."""
    pair = fn(f"cmpxchg ptr {err}, i32 0, i32 {code} monotonic monotonic, align 4")
    return fn(f"extractvalue {{ i32, i1 }} {pair}, 1")


def _index(fn: Fn, ptr: str, dt) -> str:
    i = load(fn, ptr, dt)
    return i if COMP[dt] == "i64" else fn(f"sext {COMP[dt]} {i} to i64")


def lower_gather_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    params_v, idx = op.inputs
    pre, n, post, nidx = gather_geometry(op)
    if nidx == 0:
        return
    st, idt = STORE[params_v.type.dtype], idx.type.dtype
    code = mb.error_code(ErrorSite(op, "gather_index", f"[0, {n})"))

    def note_bad(fn: Fn, info: str, position: str) -> None:
        word = gep(fn, "i64", info, str(FIRST_BAD_WORD))
        fn.emit(f"atomicrmw max ptr {word}, i64 {fn(f'sub i64 {nidx}, {position}')} monotonic, align 8")

    def copy(fn, params, e):
        out, src, ids, info = params
        a, b, c = unravel(fn, e, (pre, nidx, post))
        i = _index(fn, gep(fn, STORE[idt], ids, b), idt)
        bad = fn(f"icmp uge i64 {i}, {n}")
        row = fn(f"select i1 {bad}, i64 0, i64 {i}")
        line = fn(f"add i64 {fn(f'mul i64 {a}, {n}')}, {row}")
        at = fn(f"add i64 {fn(f'mul i64 {line}, {post}')}, {c}")
        v = fn(f"load {st}, ptr {gep(fn, st, src, at)}")
        fn.emit(f"store {st} {fn(f'select i1 {bad}, {st} zeroinitializer, {st} {v}')}, ptr {gep(fn, st, out, e)}")
        with when(fn, bad):
            note_bad(fn, info, b)

    def check(fn, params, b):
        ids, info = params
        with when(fn, fn(f"icmp uge i64 {_index(fn, gep(fn, STORE[idt], ids, b), idt)}, {n}")):
            note_bad(fn, info, b)

    if pre * post:
        grid_kernel(mb, [where(mb, op.result), where(mb, params_v), where(mb, idx), mb.params_ptr()],
                    pre * nidx * post, copy)
    else:  # nothing to copy, but TF still checks the indices
        grid_kernel(mb, [where(mb, idx), mb.params_ptr()], nidx, check)

    def report(fn, params, _):
        ids, info, err = params
        first = fn(f"load i64, ptr {gep(fn, 'i64', info, str(FIRST_BAD_WORD))}")
        with when(fn, fn(f"icmp ne i64 {first}, 0")):
            fn.emit(f"store i64 0, ptr {gep(fn, 'i64', info, str(FIRST_BAD_WORD))}")
            position = fn(f"sub i64 {nidx}, {first}")
            with when(fn, _claim_error(fn, err, code)):
                fn.emit(f"store i64 {_index(fn, gep(fn, STORE[idt], ids, position), idt)}, ptr {info}")
                fn.emit(f"store i64 {position}, ptr {gep(fn, 'i64', info, str(POSITION_WORD))}")
    grid_kernel(mb, [where(mb, idx), mb.params_ptr(), _errors()], 1, report, single=True, error_code=True)


def lower_unsorted_segment_sum_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    data, ids = op.inputs
    n = op.attrs["num_segments"]
    post = int(np.prod(data.type.shape[ids.type.rank:], dtype=np.int64))
    count = int(np.prod(ids.type.shape, dtype=np.int64))
    dt, idt = data.type.dtype, ids.type.dtype
    ty = COMP[dt]
    out: Storage = where(mb, op.result)
    code = mb.error_code(ErrorSite(op, "static", f"op {op.describe()} failed: a segment id is out of range "
                                                 f"[0, {n})"))

    def zero(fn, params, e):
        fn.emit(f"store {STORE[dt]} zeroinitializer, ptr {gep(fn, STORE[dt], params[0], e)}")
    grid_kernel(mb, [out], n * post, zero)

    def add(fn, params, e):
        res, src, segs, err = params
        r, j = (fn(f"udiv i64 {e}, {post}"), fn(f"urem i64 {e}, {post}")) if post else (e, "0")
        s = _index(fn, gep(fn, STORE[idt], segs, r), idt)
        with when(fn, fn(f"icmp sge i64 {s}, {n}")):
            _claim_error(fn, err, code)
        if not post:
            return
        with when(fn, fn(f"icmp ult i64 {s}, {n}")):
            dst = gep(fn, STORE[dt], res, fn(f"add i64 {fn(f'mul i64 {s}, {post}')}, {j}"))
            x = load(fn, gep(fn, STORE[dt], src, e), dt)
            fn.emit(_atomic_add(fn, dt, ty, dst, x))
    grid_kernel(mb, [out, where(mb, data), where(mb, ids), _errors()], count * post if post else count, add)


def _atomic_add(fn: Fn, dt, ty: str, dst: str, x: str) -> str:
    """`atomicrmw` adding x (a compute value) to the element at dst, in the element's own type."""
    if not dt.is_floating:
        return f"atomicrmw add ptr {dst}, {ty} {x} monotonic"
    if ty != "float" or STORE[dt] == "float":
        return f"atomicrmw fadd ptr {dst}, {ty} {x} monotonic"
    narrow = "half" if STORE[dt] == "half" else "bfloat"
    return f"atomicrmw fadd ptr {dst}, {narrow} {fn(f'fptrunc float {x} to {narrow}')} monotonic"


def lower_assign_rows_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    """dfc.assign_rows in three launches: every index tuple checked (the first bad one in index order noted as
    gather notes it), then one thread per element written, which writes nothing when a tuple was bad (the
    variable stays as it was, as on the CPU), adding or subtracting with atomics (repeated indices accumulate;
    for mode update one of the repeats wins, as TF leaves it unspecified), then a one-thread report."""
    indices, updates = op.inputs
    dims, post, count = row_geometry(op)
    depth = len(dims)
    dt, idt = updates.type.dtype, indices.type.dtype
    mode = op.attrs["mode"]
    var = Storage("variable", mb.plan.variables.index(op.attrs["variable"]), 0, 0)
    codes = index_sites(mb, op) if depth else []

    def components(fn: Fn, ids: str, position: str) -> list[str]:
        start = fn(f"mul i64 {position}, {depth}")
        return [_index(fn, gep(fn, STORE[idt], ids, fn(f"add i64 {start}, {k}")), idt) for k in range(depth)]

    def bad_components(fn: Fn, ids: str, position: str) -> list[tuple[str, str]]:
        return [(fn(f"icmp uge i64 {c}, {dims[k]}"), c) for k, c in enumerate(components(fn, ids, position))]

    def check(fn, params, b):
        ids, info = params
        bad = "false"
        for flag, _ in bad_components(fn, ids, b):
            bad = fn(f"or i1 {bad}, {flag}")
        with when(fn, bad):
            word = gep(fn, "i64", info, str(FIRST_BAD_WORD))
            fn.emit(f"atomicrmw max ptr {word}, i64 {fn(f'sub i64 {count}, {b}')} monotonic, align 8")

    if depth:
        grid_kernel(mb, [where(mb, indices), mb.params_ptr()], count, check)

    def write(fn, params, e):
        out, src, ids, info = params
        noted = fn(f"load i64, ptr {gep(fn, 'i64', info, str(FIRST_BAD_WORD))}")
        clean = fn(f"icmp eq i64 {noted}, 0")
        with when(fn, clean):
            r, j = (fn(f"udiv i64 {e}, {post}"), fn(f"urem i64 {e}, {post}"))
            at = slice_offset(fn, components(fn, ids, r), dims) if depth else "0"
            dst = gep(fn, STORE[dt], out, fn(f"add i64 {fn(f'mul i64 {at}, {post}')}, {j}"))
            x = load(fn, gep(fn, STORE[dt], src, e), dt)
            if mode == "update":
                store(fn, x, dst, dt)
                return
            if mode == "sub":
                x = fn(f"fneg {COMP[dt]} {x}") if dt.is_floating else fn(f"sub {COMP[dt]} 0, {x}")
            fn.emit(_atomic_add(fn, dt, COMP[dt], dst, x))

    grid_kernel(mb, [var, where(mb, updates), where(mb, indices), mb.params_ptr()], count * post, write)

    def report(fn, params, _):
        ids, info, err = params
        word = gep(fn, "i64", info, str(FIRST_BAD_WORD))
        first = fn(f"load i64, ptr {word}")
        with when(fn, fn(f"icmp ne i64 {first}, 0")):
            fn.emit(f"store i64 0, ptr {word}")
            position = fn(f"sub i64 {count}, {first}")
            code, value = "0", "0"
            for k, (flag, c) in reversed(list(enumerate(bad_components(fn, ids, position)))):
                code = fn(f"select i1 {flag}, i32 {codes[k]}, i32 {code}")  # the first bad dim's code
                value = fn(f"select i1 {flag}, i64 {c}, i64 {value}")
            pair = fn(f"cmpxchg ptr {err}, i32 0, i32 {code} monotonic monotonic, align 4")
            with when(fn, fn(f"extractvalue {{ i32, i1 }} {pair}, 1")):
                fn.emit(f"store i64 {value}, ptr {info}")
                fn.emit(f"store i64 {position}, ptr {gep(fn, 'i64', info, str(POSITION_WORD))}")

    if depth:
        grid_kernel(mb, [where(mb, indices), mb.params_ptr(), _errors()], 1, report, single=True, error_code=True)
    copy_result_out(mb, op, var)


GPU_SPARSE_LOWERINGS = {"dfc.gather": lower_gather_gpu, "dfc.unsorted_segment_sum": lower_unsorted_segment_sum_gpu,
                        "dfc.assign_rows": lower_assign_rows_gpu}
