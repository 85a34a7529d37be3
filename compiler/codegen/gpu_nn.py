"""GPU convolutions and pooling: direct kernels, one GPU thread per output element (a block per filter element
for the filter gradient), over NHWC images with the CPU's geometry (ir/ops/nn.py's window_geometry).

  - conv2d: each output element sums its window's taps times the filter (groups, strides, dilations,
    SAME/VALID/EXPLICIT padding), in the compute type (float for the half types);
  - conv2d_backprop_input: each input-gradient element gathers the output-gradient elements whose windows
    read it (no atomics, so the sum is the same every run);
  - conv2d_backprop_filter: a block per filter element; its threads share the batch's output positions and
    combine their sums with warp shuffles and shared memory (gpu_reduce.py's block reduction);
  - max_pool / avg_pool: each output element scans its window inside the image;
  - max_pool_grad / avg_pool_grad: each input-gradient element visits the windows that cover it in row-major
    order, as the CPU's kernels add them. max_pool_grad recomputes each window's first maximum (strictly
    greater wins, as on the CPU and in TF), so ties route the gradient to the same element.

NCHW models reach these ops through transposes the DSL inserts, so the kernels only know NHWC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from dfc.ir import dtypes as D
from dfc.ir.graph import Op
from dfc.ir.ops.nn import Axis, window_geometry

from .gpu import GpuModuleBuilder, grid_index_lines
from .gemm import gep
from .gpu_elementwise import finish_grid_kernel
from .loops import counted_loop
from .module import where
from .scalar import COMP, STORE, Fn, lit, load, store


# ---- kernel scaffolding -------------------------------------------------------------------------------

def open_grid_kernel(mb: GpuModuleBuilder, storages: list) -> tuple[str, Fn, list[str], list[str]]:
    """A ptx_kernel over these buffers (deduplicated): (name, fn, the launch's pointers, each storage's param)."""
    ptrs, which = mb.buffers(storages)
    name, fn = mb.new_kernel(len(ptrs), chunked=False)
    fn.header = f"define ptx_kernel void @dfc_kernel({', '.join(f'ptr noalias %p{i}' for i in range(len(ptrs)))})"
    fn.lines += grid_index_lines()
    return name, fn, ptrs, [f"%p{k}" for k in which]


def grid_kernel(mb: GpuModuleBuilder, storages: list, total: int,
                body: Callable[[Fn, list[str], str], None], **launch) -> None:
    """body(fn, params, i) for every i in [0, total), i over the grid's threads (a grid-stride loop)."""
    if total <= 0:
        return
    name, fn, ptrs, params = open_grid_kernel(mb, storages)
    with counted_loop(fn, "%first", str(total), "%stride", ("gs_head", "gs_body", "gs_done")) as i:  # type: ignore[arg-type]
        body(fn, params, i)
    finish_grid_kernel(mb, name, fn, ptrs, total, **launch)


def unravel(fn: Fn, i: str, shape: tuple[int, ...]) -> list[str]:
    """The row-major multi-index of flat index i in `shape`."""
    idx = []
    rem = i
    for d in range(len(shape) - 1, 0, -1):
        idx.append(fn(f"urem i64 {rem}, {shape[d]}"))
        rem = fn(f"udiv i64 {rem}, {shape[d]}")
    idx.append(rem)
    return idx[::-1]


def flat(fn: Fn, idx: list, shape: tuple[int, ...]) -> str:
    """The row-major flat index of a multi-index (SSA names or ints) in `shape`."""
    at = str(idx[0])
    for d in range(1, len(shape)):
        at = fn(f"add i64 {fn(f'mul i64 {at}, {shape[d]}')}, {idx[d]}")
    return at


@contextmanager
def when(fn: Fn, cond: str) -> Iterator[None]:
    """What the with-block emits runs only where cond (an i1) holds."""
    yes, done = fn.label("then"), fn.label("endif")
    fn.emit(f"br i1 {cond}, label %{yes}, label %{done}")
    fn.block(yes)
    yield
    fn.emit(f"br label %{done}")
    fn.block(done)


def _inside(fn: Fn, v: str, size: int) -> str:
    """0 <= v < size (v an i64 that may be negative)."""
    return fn(f"icmp ult i64 {v}, {size}")


def _accumulator(fn: Fn, ty: str) -> str:
    acc = fn.alloca(ty)
    fn.emit(f"store {ty} {lit(ty, 0.0)}, ptr {acc}")
    return acc


def _add_to(fn: Fn, ty: str, acc: str, v: str) -> None:
    old = fn(f"load {ty}, ptr {acc}")
    fn.emit(f"store {ty} {fn(f'fadd {ty} {old}, {v}')}, ptr {acc}")


# ---- convolutions -------------------------------------------------------------------------------------

class _Conv:
    """One convolution's sizes: input [n, h, w, c], filter [kh, kw, c/g, cout], output [n, oh, ow, cout]."""

    def __init__(self, x_shape, w_shape, attrs):
        self.x_shape, self.w_shape = tuple(x_shape), tuple(w_shape)
        self.n, self.h, self.w, self.c = x_shape
        self.kh, self.kw, self.cg, self.cout = w_shape
        self.cog = self.cout // attrs["groups"]
        self.rows, self.cols = window_geometry((self.h, self.w), attrs, (self.kh, self.kw))
        self.y_shape = (self.n, self.rows.out, self.cols.out, self.cout)


def _tap(fn: Fn, axis: Axis, o: str, i: str) -> str:
    """The input row (or col) tap i of output position o reads: o * stride - pad_before + i * dilation."""
    start = fn(f"sub i64 {fn(f'mul i64 {o}, {axis.stride}')}, {axis.pad_before}")
    return fn(f"add i64 {start}, {fn(f'mul i64 {i}, {axis.dilation}')}")


def lower_conv2d_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    x, w = op.inputs
    s = _Conv(x.type.shape, w.type.shape, op.attrs)
    dt = x.type.dtype
    ty = COMP[dt]

    def body(fn, params, i):
        out, xp, wp = params
        n, oh, ow, co = unravel(fn, i, s.y_shape)
        c0 = fn(f"mul i64 {fn(f'udiv i64 {co}, {s.cog}')}, {s.cg}")
        acc = _accumulator(fn, ty)
        with counted_loop(fn, "0", str(s.kh)) as ki:
            ih = _tap(fn, s.rows, oh, ki)
            with when(fn, _inside(fn, ih, s.h)), counted_loop(fn, "0", str(s.kw)) as kj:
                iw = _tap(fn, s.cols, ow, kj)
                with when(fn, _inside(fn, iw, s.w)):
                    xrow = fn(f"add i64 {flat(fn, [n, ih, iw, 0], s.x_shape)}, {c0}")
                    wrow = fn(f"add i64 {flat(fn, [ki, kj, 0, 0], s.w_shape)}, {co}")
                    with counted_loop(fn, "0", str(s.cg)) as ci:
                        xv = load(fn, gep(fn, STORE[dt], xp, fn(f"add i64 {xrow}, {ci}")), dt)
                        wat = fn(f"add i64 {wrow}, {fn(f'mul i64 {ci}, {s.cout}')}")
                        wv = load(fn, gep(fn, STORE[dt], wp, wat), dt)
                        _add_to(fn, ty, acc, fn(f"fmul {ty} {xv}, {wv}"))
        store(fn, fn(f"load {ty}, ptr {acc}"), gep(fn, STORE[dt], out, i), dt)
    grid_kernel(mb, [where(mb, op.result), where(mb, x), where(mb, w)], op.result.type.num_elements, body)


def _covering(fn: Fn, axis: Axis, pos: str, tap: str) -> tuple[str, str]:
    """(whether, output position): the output position whose tap `tap` reads input position `pos`, if any."""
    t = fn(f"sub i64 {fn(f'add i64 {pos}, {axis.pad_before}')}, {fn(f'mul i64 {tap}, {axis.dilation}')}")
    o = fn(f"sdiv i64 {t}, {axis.stride}")
    exact = fn(f"icmp eq i64 {fn(f'mul i64 {o}, {axis.stride}')}, {t}")
    reached = fn(f"and i1 {fn(f'icmp sge i64 {t}, 0')}, {_inside(fn, o, axis.out)}")
    return fn(f"and i1 {exact}, {reached}"), o


def lower_conv2d_backprop_input_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    dy, w = op.inputs
    s = _Conv(op.result.type.shape, w.type.shape, op.attrs)
    dt = dy.type.dtype
    ty = COMP[dt]

    def body(fn, params, i):
        out, gp, wp = params
        n, ih, iw, c = unravel(fn, i, s.x_shape)
        grp = fn(f"udiv i64 {c}, {s.cg}")
        ci = fn(f"urem i64 {c}, {s.cg}")
        o0 = fn(f"mul i64 {grp}, {s.cog}")
        acc = _accumulator(fn, ty)
        with counted_loop(fn, "0", str(s.kh)) as ki:
            ok_h, oh = _covering(fn, s.rows, ih, ki)
            with when(fn, ok_h), counted_loop(fn, "0", str(s.kw)) as kj:
                ok_w, ow = _covering(fn, s.cols, iw, kj)
                with when(fn, ok_w):
                    grow = fn(f"add i64 {flat(fn, [n, oh, ow, 0], s.y_shape)}, {o0}")
                    wrow = fn(f"add i64 {flat(fn, [ki, kj, ci, 0], s.w_shape)}, {o0}")
                    with counted_loop(fn, "0", str(s.cog)) as o:
                        gv = load(fn, gep(fn, STORE[dt], gp, fn(f"add i64 {grow}, {o}")), dt)
                        wv = load(fn, gep(fn, STORE[dt], wp, fn(f"add i64 {wrow}, {o}")), dt)
                        _add_to(fn, ty, acc, fn(f"fmul {ty} {gv}, {wv}"))
        store(fn, fn(f"load {ty}, ptr {acc}"), gep(fn, STORE[dt], out, i), dt)
    grid_kernel(mb, [where(mb, op.result), where(mb, dy), where(mb, w)], op.result.type.num_elements, body)


def lower_conv2d_backprop_filter_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    """A block per filter element [ki, kj, ci, co]: its threads stride over the batch's output positions."""
    from .gpu_reduce import WARP, _block_reduce, _launch_block_kernel  # noqa: PLC0415

    x, dy = op.inputs
    s = _Conv(x.type.shape, op.result.type.shape, op.attrs)
    dt = x.type.dtype
    ty = COMP[dt]
    nout = int(op.result.type.num_elements)
    positions = s.n * s.rows.out * s.cols.out
    if nout == 0:
        return
    _, fn, ptrs, (out, xp, gp) = open_grid_kernel(mb, [where(mb, op.result), where(mb, x), where(mb, dy)])
    lane = fn(f"and i64 %tid64, {WARP - 1}")
    warp = fn("lshr i64 %tid64, 5")
    nwarps = fn("lshr i64 %ntid64, 5")
    acc = fn.alloca(ty)
    with counted_loop(fn, "%cta64", str(nout), "%ncta64", ("out_head", "out_body", "out_done")) as e:  # type: ignore[arg-type]
        ki, kj, ci, co = unravel(fn, e, s.w_shape)
        grp = fn(f"udiv i64 {co}, {s.cog}")
        c = fn(f"add i64 {fn(f'mul i64 {grp}, {s.cg}')}, {ci}")
        fn.emit(f"store {ty} {lit(ty, 0.0)}, ptr {acc}")
        with counted_loop(fn, "%tid64", str(positions), "%ntid64", ("red_head", "red_body", "red_done")) as p:  # type: ignore[arg-type]
            n, oh, ow = unravel(fn, p, s.y_shape[:3])
            ih, iw = _tap(fn, s.rows, oh, ki), _tap(fn, s.cols, ow, kj)
            with when(fn, fn(f"and i1 {_inside(fn, ih, s.h)}, {_inside(fn, iw, s.w)}")):
                xv = load(fn, gep(fn, STORE[dt], xp, flat(fn, [n, ih, iw, c], s.x_shape)), dt)
                gv = load(fn, gep(fn, STORE[dt], gp, flat(fn, [n, oh, ow, co], s.y_shape)), dt)
                _add_to(fn, ty, acc, fn(f"fmul {ty} {xv}, {gv}"))
        total, first_warp_done = _block_reduce(fn, "reduce_sum", ty, fn(f"load {ty}, ptr {acc}"), True, lit(ty, 0.0),
                                               lane, warp, nwarps)
        with when(fn, fn("icmp eq i64 %tid64, 0")):
            store(fn, total, gep(fn, STORE[dt], out, e), dt)
        fn.emit(f"br label %{first_warp_done}")
        fn.block(first_warp_done)
        fn.emit("call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)")  # partials read before reuse
    _launch_block_kernel(mb, fn, ptrs, nout)


# ---- pooling ------------------------------------------------------------------------------------------

def _pool_geometry(op: Op, image_shape) -> tuple[Axis, Axis]:
    return window_geometry(tuple(image_shape[1:3]), op.attrs, tuple(op.attrs["ksize"]))


def _window(fn: Fn, axis: Axis, o: str) -> tuple[str, str]:
    """[lo, hi): the input rows (or cols) output position o's window covers inside the image."""
    start = fn(f"sub i64 {fn(f'mul i64 {o}, {axis.stride}')}, {axis.pad_before}")
    lo = fn(f"call i64 @llvm.smax.i64(i64 {start}, i64 0)")
    hi = fn(f"call i64 @llvm.smin.i64(i64 {fn(f'add i64 {start}, {axis.k}')}, i64 {axis.size})")
    return lo, hi


def _windows_over(fn: Fn, axis: Axis, pos: str) -> tuple[str, str]:
    """[lo, hi): the output positions whose windows cover input position pos."""
    first = fn(f"call i64 @llvm.smax.i64(i64 {fn(f'add i64 {pos}, {axis.pad_before - axis.k + 1}')}, i64 0)")
    lo = fn(f"udiv i64 {fn(f'add i64 {first}, {axis.stride - 1}')}, {axis.stride}")
    last = fn(f"udiv i64 {fn(f'add i64 {pos}, {axis.pad_before}')}, {axis.stride}")
    hi = fn(f"call i64 @llvm.smin.i64(i64 {fn(f'add i64 {last}, 1')}, i64 {axis.out})")
    return lo, hi


def _pool_kernel(mb: GpuModuleBuilder, op: Op, storages: list, shape, body) -> None:
    """body(fn, params, multi-index, flat index) for every element of `shape` (the op's result)."""
    def wrapped(fn, params, i):
        body(fn, params, unravel(fn, i, shape), i)
    grid_kernel(mb, storages, int(np.prod(shape, dtype=np.int64)), wrapped)


def _greater(fn: Fn, dt: D.DType, a: str, b: str) -> str:
    ty = COMP[dt]
    if dt.is_floating:
        return fn(f"fcmp ogt {ty} {a}, {b}")
    return fn(f"icmp {'ugt' if dt.is_unsigned else 'sgt'} {ty} {a}, {b}")


def _lowest(dt: D.DType) -> str:
    if dt.is_floating:
        return lit(COMP[dt], float("-inf"))
    return "0" if dt.is_unsigned else str(int(np.iinfo(dt.np).min))


def lower_max_pool_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    (x,) = op.inputs
    dt = x.type.dtype
    ty, st = COMP[dt], STORE[dt]
    rows, cols = _pool_geometry(op, x.type.shape)
    shape = tuple(op.result.type.shape)

    def body(fn, params, idx, i):
        out, xp = params
        n, oh, ow, c = idx
        best = fn.alloca(ty)
        fn.emit(f"store {ty} {_lowest(dt)}, ptr {best}")
        (h0, h1), (w0, w1) = _window(fn, rows, oh), _window(fn, cols, ow)
        with counted_loop(fn, h0, h1) as ih, counted_loop(fn, w0, w1) as iw:
            v = load(fn, gep(fn, st, xp, flat(fn, [n, ih, iw, c], x.type.shape)), dt)
            b = fn(f"load {ty}, ptr {best}")
            take = _greater(fn, dt, v, b)
            if dt.is_floating:  # a NaN wins, as numpy's max lets it through
                take = fn(f"or i1 {take}, {fn(f'fcmp uno {ty} {v}, {v}')}")
            fn.emit(f"store {ty} {fn(f'select i1 {take}, {ty} {v}, {ty} {b}')}, ptr {best}")
        store(fn, fn(f"load {ty}, ptr {best}"), gep(fn, st, out, i), dt)
    _pool_kernel(mb, op, [where(mb, op.result), where(mb, x)], shape, body)


def _first_maximum(fn: Fn, dt: D.DType, xp: str, shape, n: str, c: str, h0, h1, w0, w1) -> str:
    """The flat (row * width + col) position of the window's first maximum (a later tap wins only when
    strictly greater, as on the CPU and in TF)."""
    ty, st, w = COMP[dt], STORE[dt], shape[2]
    best, at = fn.alloca(ty), fn.alloca("i64")
    first = fn(f"add i64 {fn(f'mul i64 {h0}, {w}')}, {w0}")
    fn.emit(f"store {ty} {load(fn, gep(fn, st, xp, flat(fn, [n, h0, w0, c], shape)), dt)}, ptr {best}")
    fn.emit(f"store i64 {first}, ptr {at}")
    with counted_loop(fn, h0, h1) as ih, counted_loop(fn, w0, w1) as iw:
        v = load(fn, gep(fn, st, xp, flat(fn, [n, ih, iw, c], shape)), dt)
        b = fn(f"load {ty}, ptr {best}")
        take = _greater(fn, dt, v, b)
        fn.emit(f"store {ty} {fn(f'select i1 {take}, {ty} {v}, {ty} {b}')}, ptr {best}")
        here = fn(f"add i64 {fn(f'mul i64 {ih}, {w}')}, {iw}")
        old = fn(f"load i64, ptr {at}")
        fn.emit(f"store i64 {fn(f'select i1 {take}, i64 {here}, i64 {old}')}, ptr {at}")
    return fn(f"load i64, ptr {at}")


def lower_max_pool_grad_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    x, dy = op.inputs
    dt = x.type.dtype
    ty, st = COMP[dt], STORE[dt]
    xs = tuple(x.type.shape)
    rows, cols = _pool_geometry(op, xs)
    ys = (xs[0], rows.out, cols.out, xs[3])

    def body(fn, params, idx, i):
        out, xp, gp = params
        n, ih, iw, c = idx
        me = fn(f"add i64 {fn(f'mul i64 {ih}, {xs[2]}')}, {iw}")
        acc = _accumulator(fn, ty)
        (oh0, oh1), (ow0, ow1) = _windows_over(fn, rows, ih), _windows_over(fn, cols, iw)
        with counted_loop(fn, oh0, oh1) as oh, counted_loop(fn, ow0, ow1) as ow:
            (h0, h1), (w0, w1) = _window(fn, rows, oh), _window(fn, cols, ow)
            with when(fn, fn(f"icmp eq i64 {_first_maximum(fn, dt, xp, xs, n, c, h0, h1, w0, w1)}, {me}")):
                _add_to(fn, ty, acc, load(fn, gep(fn, st, gp, flat(fn, [n, oh, ow, c], ys)), dt))
        store(fn, fn(f"load {ty}, ptr {acc}"), gep(fn, st, out, i), dt)
    _pool_kernel(mb, op, [where(mb, op.result), where(mb, x), where(mb, dy)], xs, body)


def _count(fn: Fn, ty: str, h0: str, h1: str, w0: str, w1: str) -> str:
    """The number of taps of a window inside the image, as a float (avg_pool's divisor)."""
    taps = fn(f"mul i64 {fn(f'sub i64 {h1}, {h0}')}, {fn(f'sub i64 {w1}, {w0}')}")
    return fn(f"sitofp i64 {taps} to {ty}")


def lower_avg_pool_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    (x,) = op.inputs
    dt = x.type.dtype
    ty, st = COMP[dt], STORE[dt]
    rows, cols = _pool_geometry(op, x.type.shape)

    def body(fn, params, idx, i):
        out, xp = params
        n, oh, ow, c = idx
        acc = _accumulator(fn, ty)
        (h0, h1), (w0, w1) = _window(fn, rows, oh), _window(fn, cols, ow)
        with counted_loop(fn, h0, h1) as ih, counted_loop(fn, w0, w1) as iw:
            _add_to(fn, ty, acc, load(fn, gep(fn, st, xp, flat(fn, [n, ih, iw, c], x.type.shape)), dt))
        mean = fn(f"fdiv {ty} {fn(f'load {ty}, ptr {acc}')}, {_count(fn, ty, h0, h1, w0, w1)}")
        store(fn, mean, gep(fn, st, out, i), dt)
    _pool_kernel(mb, op, [where(mb, op.result), where(mb, x)], tuple(op.result.type.shape), body)


def lower_avg_pool_grad_gpu(mb: GpuModuleBuilder, op: Op) -> None:
    (dy,) = op.inputs
    dt = dy.type.dtype
    ty, st = COMP[dt], STORE[dt]
    xs = tuple(op.result.type.shape)
    rows, cols = _pool_geometry(op, xs)
    ys = tuple(dy.type.shape)

    def body(fn, params, idx, i):
        out, gp = params
        n, ih, iw, c = idx
        acc = _accumulator(fn, ty)
        (oh0, oh1), (ow0, ow1) = _windows_over(fn, rows, ih), _windows_over(fn, cols, iw)
        with counted_loop(fn, oh0, oh1) as oh, counted_loop(fn, ow0, ow1) as ow:
            (h0, h1), (w0, w1) = _window(fn, rows, oh), _window(fn, cols, ow)
            g = load(fn, gep(fn, st, gp, flat(fn, [n, oh, ow, c], ys)), dt)
            _add_to(fn, ty, acc, fn(f"fdiv {ty} {g}, {_count(fn, ty, h0, h1, w0, w1)}"))
        store(fn, fn(f"load {ty}, ptr {acc}"), gep(fn, st, out, i), dt)
    _pool_kernel(mb, op, [where(mb, op.result), where(mb, dy)], xs, body)


GPU_NN_LOWERINGS: dict[str, Callable[[GpuModuleBuilder, Op], None]] = {
    "dfc.conv2d": lower_conv2d_gpu, "dfc.conv2d_backprop_input": lower_conv2d_backprop_input_gpu,
    "dfc.conv2d_backprop_filter": lower_conv2d_backprop_filter_gpu, "dfc.max_pool": lower_max_pool_gpu,
    "dfc.max_pool_grad": lower_max_pool_grad_gpu, "dfc.avg_pool": lower_avg_pool_gpu,
    "dfc.avg_pool_grad": lower_avg_pool_grad_gpu,
}
