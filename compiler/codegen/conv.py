"""Convolutions (im2col + BLAS GEMM, chunked over the batch) and pooling (direct loops) for the CPU backend.

conv2d copies each chunk of images into a patch matrix (im2col: one row per output
position, one column per window tap and input channel of a group) and multiplies it by
the filter with sgemm/dgemm; conv2d_backprop_filter multiplies the transposed patch
matrix by the output gradient; conv2d_backprop_input multiplies the output gradient by
the transposed filter and scatters the rows back (col2im). A chunk's patch matrix stays
near CHUNK_BYTES so it is still in cache when the GEMM reads it. A 1x1 stride-1 unpadded
convolution is a plain GEMM on the image itself. float16 and bfloat16 widen to float32
around the same kernels. float32 convolutions whose output channels (for the input gradient:
input channels, at stride 1) fill whole vectors run as direct kernels instead (conv_direct.py).

Pooling runs one loop nest per image (split across threads when big), with the channel
loop innermost so it vectorizes; max_pool_grad keeps each channel's best value and its
position in a scratch row, so the gradient goes to the first maximum of each window.
"""

from __future__ import annotations

from dfc.ir import dtypes as D
from dfc.ir.graph import Op
from dfc.ir.ops.nn import Axis, window_geometry

from . import conv_direct
from .gemm import Gemm, declare_externs, gep, memset0, pooled_kernel
from .loops import counted_loop
from .module import ModuleBuilder, where
from .scalar import COMP, STORE, Fn, lit, load, store

#: bytes of patch matrix per chunk of images (at least one image per chunk)
CHUNK_BYTES = 1 << 21
def _mul_add(fn: Fn, a, b, c) -> str:
    """a * b + c in i64 (operands are SSA names or ints)."""
    return fn(f"add i64 {fn(f'mul i64 {a}, {b}')}, {c}")


class ConvShape:
    """The static sizes of one convolution: input [n, h, w, c], filter [kh, kw, c/g, cout], output [n, oh, ow, cout]."""

    def __init__(self, x_shape, w_shape, attrs):
        self.n, self.h, self.w, self.c = x_shape
        self.kh, self.kw, self.cg, self.cout = w_shape
        self.groups = attrs["groups"]
        self.cog = self.cout // self.groups
        self.rows, self.cols = window_geometry((self.h, self.w), attrs, (self.kh, self.kw))
        self.oh, self.ow = self.rows.out, self.cols.out
        self.k = self.kh * self.kw * self.cg  # patch-matrix columns per group

    @property
    def pointwise(self) -> bool:
        """A 1x1, stride-1, unpadded, ungrouped convolution: the image is the patch matrix."""
        r, c = self.rows, self.cols
        return (self.kh == self.kw == 1 and self.groups == 1 and r.stride == c.stride == 1
                and r.pad_before == r.pad_after == c.pad_before == c.pad_after == 0)

    def chunk(self, itemsize: int) -> int:
        per_image = self.oh * self.ow * self.k * itemsize
        return max(1, min(self.n, CHUNK_BYTES // max(per_image, 1)))


def _patch_rows(fn: Fn, s: ConvShape, n0: str, count: str, grp, visit) -> None:
    """For every patch-matrix row of images [n0, n0 + count) and its window taps: visit(row index within
    the chunk, first tap, input element offset of that tap's channel group, number of taps), the taps
    being consecutive in both the patch row and the input; taps in the padding get offset None.

    With one group and no column dilation a window row inside the image is one run of kw taps."""
    r, c = s.rows, s.cols
    runs = s.groups == 1 and c.dilation == 1 and s.kw > 1
    with counted_loop(fn, "0", count) as n:
        img = fn(f"add i64 {n0}, {n}")
        with counted_loop(fn, "0", str(s.oh)) as oh:
            ih0 = fn(f"sub i64 {fn(f'mul i64 {oh}, {r.stride}')}, {r.pad_before}")
            with counted_loop(fn, "0", str(s.ow)) as ow:
                iw0 = fn(f"sub i64 {fn(f'mul i64 {ow}, {c.stride}')}, {c.pad_before}")
                row = _mul_add(fn, _mul_add(fn, n, s.oh, oh), s.ow, ow)
                if runs:
                    cols_in = fn(f"and i1 {fn(f'icmp sge i64 {iw0}, 0')}, "
                                 f"{fn(f'icmp sle i64 {iw0}, {s.w - s.kw}')}")
                with counted_loop(fn, "0", str(s.kh)) as i:
                    ih = _mul_add(fn, i, r.dilation, ih0)
                    h_in = fn(f"icmp ult i64 {ih}, {s.h}")
                    if runs:
                        whole, taps, after = fn.label("row_in"), fn.label("row_taps"), fn.label("row_done")
                        fn.emit(f"br i1 {fn(f'and i1 {h_in}, {cols_in}')}, label %{whole}, label %{taps}")
                        fn.block(whole)
                        pixel = _mul_add(fn, _mul_add(fn, img, s.h, ih), s.w, iw0)
                        visit(row, fn(f"mul i64 {i}, {s.kw}"), fn(f"mul i64 {pixel}, {s.c}"), s.kw)
                        fn.emit(f"br label %{after}")
                        fn.block(taps)
                    with counted_loop(fn, "0", str(s.kw)) as j:
                        iw = _mul_add(fn, j, c.dilation, iw0)
                        inside = fn(f"and i1 {h_in}, {fn(f'icmp ult i64 {iw}, {s.w}')}")
                        tap = _mul_add(fn, i, s.kw, j)
                        yes, no, done = fn.label("tap_in"), fn.label("tap_pad"), fn.label("tap_done")
                        fn.emit(f"br i1 {inside}, label %{yes}, label %{no}")
                        fn.block(yes)
                        pixel = _mul_add(fn, _mul_add(fn, img, s.h, ih), s.w, iw)
                        visit(row, tap, _mul_add(fn, pixel, s.c, fn(f"mul i64 {grp}, {s.cg}")), 1)
                        fn.emit(f"br label %{done}")
                        fn.block(no)
                        visit(row, tap, None, 1)
                        fn.emit(f"br label %{done}")
                        fn.block(done)
                    if runs:
                        fn.emit(f"br label %{after}")
                        fn.block(after)


def _im2col(fn: Fn, s: ConvShape, dt: D.DType, x: str, cols: str, n0: str, count: str, grp) -> None:
    ty, size = STORE[dt], dt.itemsize

    def visit(row, tap, src, taps):
        dst = gep(fn, ty, cols, _mul_add(fn, row, s.k, fn(f"mul i64 {tap}, {s.cg}")))
        if src is None:
            memset0(fn, dst, taps * s.cg * size)
        else:
            fn.emit(f"call void @llvm.memcpy.p0.p0.i64(ptr {dst}, ptr {gep(fn, ty, x, src)}, "
                    f"i64 {taps * s.cg * size}, i1 false)")
    _patch_rows(fn, s, n0, count, grp, visit)


def _col2im(fn: Fn, s: ConvShape, dt: D.DType, cols: str, dx: str, n0: str, count: str, grp) -> None:
    ty = COMP[dt]

    def visit(row, tap, dst, taps):
        if dst is None:
            return
        src = gep(fn, ty, cols, _mul_add(fn, row, s.k, fn(f"mul i64 {tap}, {s.cg}")))
        out = gep(fn, ty, dx, dst)
        with counted_loop(fn, "0", str(taps * s.cg)) as ch:
            pd = gep(fn, ty, out, ch)
            total = fn(f"fadd {ty} {fn(f'load {ty}, ptr {pd}')}, {fn(f'load {ty}, ptr {gep(fn, ty, src, ch)}')}")
            fn.emit(f"store {ty} {total}, ptr {pd}")
    _patch_rows(fn, s, n0, count, grp, visit)




def _image_chunks(fn: Fn, s: ConvShape, dt: D.DType, lo: str, hi: str, body) -> None:
    """body(cols, first image, image count) per chunk of images of [lo, hi), with a patch matrix of its own."""
    nb = s.chunk(dt.itemsize)
    cols = fn(f"call ptr @malloc(i64 {nb * s.oh * s.ow * s.k * dt.itemsize})")
    with counted_loop(fn, lo, hi, nb) as n0:
        left = fn(f"sub i64 {hi}, {n0}")
        body(cols, n0, fn(f"call i64 @llvm.smin.i64(i64 {left}, i64 {nb})"))
    fn.emit(f"call void @free(ptr {cols})")


def _image_range(fn: Fn, s: ConvShape, lo: str, hi: str, nb: int) -> tuple[str, str]:
    """The images [first, last) of pieces [lo, hi) of nb images; empty when lo >= hi (the pool may ask so)."""
    last = fn(f"call i64 @llvm.smin.i64(i64 {fn(f'mul i64 {hi}, {nb}')}, i64 {s.n})")
    return fn(f"call i64 @llvm.smin.i64(i64 {fn(f'mul i64 {lo}, {nb}')}, i64 {last})"), last


def _pieces(s: ConvShape, dt: D.DType) -> int:
    """How many pieces a convolution's batch is cut into: chunks of the patch-matrix size, whole images."""
    return -(-s.n // s.chunk(dt.itemsize)) if s.n else 0


def _direct_geometry(mb: ModuleBuilder, op: Op, s: ConvShape) -> conv_direct.Geometry | None:
    """The geometry of a convolution (or its filter gradient) for the direct kernels, or None when they do not
    serve it (another dtype, groups, a pointwise convolution: the GEMM path does)."""
    direct = conv_direct.Geometry(s.h, s.w, s.c, s.kh, s.kw, s.cout, s.rows, s.cols)
    usable = conv_direct.usable(mb, op.result.type.dtype, s.groups, s.cout, direct) and not s.pointwise
    return direct if usable else None


def lower_conv2d(mb: ModuleBuilder, op: Op) -> None:
    x, w = op.inputs
    s = ConvShape(x.type.shape, w.type.shape, op.attrs)
    if op.result.type.num_elements == 0:
        return
    direct = _direct_geometry(mb, op, s)
    if direct is not None:
        conv_direct.lower_forward(mb, op, direct, s.n)
        return
    declare_externs(mb)
    m_img = s.oh * s.ow
    nb = s.chunk(op.result.type.dtype.itemsize)

    def emit(fn, out, srcs, scratch, lo, hi, dt):
        xp, wp = srcs
        ty = STORE[dt]
        gemm = Gemm(mb, fn, dt)
        first, last = _image_range(fn, s, lo, hi, nb)
        if s.k == 0:
            memset0(fn, gep(fn, ty, out, fn(f"mul i64 {first}, {m_img * s.cout}")),
                     fn(f"mul i64 {fn(f'sub i64 {last}, {first}')}, {m_img * s.cout * dt.itemsize}"))
            return
        if s.pointwise:
            rows = fn(f"mul i64 {fn(f'sub i64 {last}, {first}')}, {m_img}")
            at = fn(f"mul i64 {first}, {m_img}")
            gemm(False, False, rows, s.cout, s.c, gep(fn, ty, xp, fn(f"mul i64 {at}, {s.c}")), s.c, wp, s.cout,
                 gep(fn, ty, out, fn(f"mul i64 {at}, {s.cout}")), s.cout)
            return

        def chunk(cols, n0, count):
            rows = fn(f"mul i64 {count}, {m_img}")
            with counted_loop(fn, "0", str(s.groups)) as grp:
                col = fn(f"mul i64 {grp}, {s.cog}")
                _im2col(fn, s, dt, xp, cols, n0, count, grp)
                c = gep(fn, ty, out, _mul_add(fn, n0, m_img * s.cout, col))
                gemm(False, False, rows, s.cog, s.k, cols, s.k, gep(fn, ty, wp, col), s.cout, c, s.cout)
        _image_chunks(fn, s, dt, first, last, chunk)
    pooled_kernel(mb, op, [x, w], emit, _pieces(s, op.result.type.dtype), _macs(s))


def _transposed_geometry(s: ConvShape) -> conv_direct.Geometry | None:
    """A stride-1 convolution's input gradient as a convolution of its output gradient (the filter flipped,
    its channel axes swapped, padded by span - 1 - pad_before); None for other strides."""
    if s.rows.stride != 1 or s.cols.stride != 1 or s.pointwise:
        return None

    def axis(a: Axis) -> Axis:
        return Axis(a.out, a.k, 1, a.dilation, a.span - 1 - a.pad_before, a.span - 1 - a.pad_after, a.size)
    return conv_direct.Geometry(s.oh, s.ow, s.cout, s.kh, s.kw, s.c, axis(s.rows), axis(s.cols))


def lower_conv2d_backprop_input(mb: ModuleBuilder, op: Op) -> None:
    dy, w = op.inputs
    s = ConvShape(op.result.type.shape, w.type.shape, op.attrs)
    if op.result.type.num_elements == 0:
        return
    direct = _transposed_geometry(s)
    if direct is not None and conv_direct.usable(mb, op.result.type.dtype, s.groups, s.c, direct):
        conv_direct.lower_backprop_input(mb, op, direct, s.n)
        return
    declare_externs(mb)
    m_img = s.oh * s.ow
    nb = s.chunk(op.result.type.dtype.itemsize)
    image = s.h * s.w * s.c

    def emit(fn, out, srcs, scratch, lo, hi, dt):
        gp, wp = srcs
        ty = STORE[dt]
        gemm = Gemm(mb, fn, dt)
        first, last = _image_range(fn, s, lo, hi, nb)
        if s.pointwise:
            rows = fn(f"mul i64 {fn(f'sub i64 {last}, {first}')}, {m_img}")
            at = fn(f"mul i64 {first}, {m_img}")
            gemm(False, True, rows, s.c, s.cout, gep(fn, ty, gp, fn(f"mul i64 {at}, {s.cout}")), s.cout, wp, s.cout,
                 gep(fn, ty, out, fn(f"mul i64 {at}, {s.c}")), s.c)
            return
        memset0(fn, gep(fn, ty, out, fn(f"mul i64 {first}, {image}")),
                 fn(f"mul i64 {fn(f'sub i64 {last}, {first}')}, {image * dt.itemsize}"))
        if s.k == 0 or m_img == 0:
            return

        def chunk(cols, n0, count):
            rows = fn(f"mul i64 {count}, {m_img}")
            with counted_loop(fn, "0", str(s.groups)) as grp:
                col = fn(f"mul i64 {grp}, {s.cog}")
                g = gep(fn, ty, gp, _mul_add(fn, n0, m_img * s.cout, col))
                gemm(False, True, rows, s.k, s.cog, g, s.cout, gep(fn, ty, wp, col), s.cout, cols, s.k)
                _col2im(fn, s, dt, cols, out, n0, count, grp)
        _image_chunks(fn, s, dt, first, last, chunk)
    pooled_kernel(mb, op, [dy, w], emit, _pieces(s, op.result.type.dtype), _macs(s))


#: at most this many partial filter gradients are summed (each piece of the batch makes one)
FILTER_PIECES = 8


def lower_conv2d_backprop_filter(mb: ModuleBuilder, op: Op) -> None:
    x, dy = op.inputs
    s = ConvShape(x.type.shape, op.result.type.shape, op.attrs)
    size = op.result.type.num_elements
    if size == 0:
        return
    direct = _direct_geometry(mb, op, s)
    if direct is not None:
        conv_direct.lower_backprop_filter(mb, op, direct, s.n)
        return
    declare_externs(mb)
    m_img = s.oh * s.ow
    pieces = max(1, min(FILTER_PIECES, _pieces(s, op.result.type.dtype)))

    def emit(fn, out, srcs, scratch, lo, hi, dt):
        xp, gp = srcs
        ty = STORE[dt]
        gemm = Gemm(mb, fn, dt)
        with counted_loop(fn, lo, hi) as piece:
            part = gep(fn, ty, scratch, fn(f"mul i64 {piece}, {size}"))
            memset0(fn, part, size * dt.itemsize)
            first = fn(f"sdiv i64 {fn(f'mul i64 {piece}, {s.n}')}, {pieces}")
            last = fn(f"sdiv i64 {_mul_add(fn, piece, s.n, s.n)}, {pieces}")
            if s.pointwise:
                rows = fn(f"mul i64 {fn(f'sub i64 {last}, {first}')}, {m_img}")
                at = fn(f"mul i64 {first}, {m_img}")
                gemm(True, False, s.c, s.cout, rows, gep(fn, ty, xp, fn(f"mul i64 {at}, {s.c}")), s.c,
                     gep(fn, ty, gp, fn(f"mul i64 {at}, {s.cout}")), s.cout, part, s.cout)
            elif m_img:
                def chunk(cols, n0, count):
                    rows = fn(f"mul i64 {count}, {m_img}")
                    with counted_loop(fn, "0", str(s.groups)) as grp:
                        _im2col(fn, s, dt, xp, cols, n0, count, grp)
                        col = fn(f"mul i64 {grp}, {s.cog}")
                        g = gep(fn, ty, gp, _mul_add(fn, n0, m_img * s.cout, col))
                        gemm(True, False, s.k, s.cog, rows, cols, s.k, g, s.cout, gep(fn, ty, part, col), s.cout,
                             accumulate=True)
                _image_chunks(fn, s, dt, first, last, chunk)

    def reduce(fn, out, scratch, dt):
        conv_direct.sum_partials(fn, COMP[dt], out, scratch, size, pieces)
    pooled_kernel(mb, op, [x, dy], emit, pieces, _macs(s), partials=pieces * size, reduce=reduce)


def _macs(s: ConvShape) -> int:
    return s.n * s.oh * s.ow * s.k * s.cout


# ---- pooling ------------------------------------------------------------------------------------------

def _window(fn: Fn, axis: Axis, o: str) -> tuple[str, str]:
    """[lo, hi): the input rows (or cols) output position o's window covers inside the image."""
    start = fn(f"sub i64 {fn(f'mul i64 {o}, {axis.stride}')}, {axis.pad_before}")
    lo = fn(f"call i64 @llvm.smax.i64(i64 {start}, i64 0)")
    hi = fn(f"call i64 @llvm.smin.i64(i64 {fn(f'add i64 {start}, {axis.k}')}, i64 {axis.size})")
    return lo, hi


def _pool_kernel(mb: ModuleBuilder, op: Op, image_shape, operands, body) -> None:
    """A kernel over images [lo, hi) of the pooled input's shape (threads split the batch when big);
    body(fn, params, image index, row geometry, col geometry)."""
    n, h, w, c = image_shape
    attrs = op.attrs
    rows, cols = window_geometry((h, w), attrs, tuple(attrs["ksize"]))
    ptrs, which = mb.buffers([where(mb, op.result)] + [where(mb, v) for v in operands])
    name, fn = mb.new_kernel(len(ptrs))
    params = [f"%p{i}" for i in which]
    with counted_loop(fn, "%lo", "%hi") as img:
        body(fn, params, img, rows, cols)
    mb.finish_kernel(fn)
    work = n * max(rows.out * cols.out * rows.k * cols.k, h * w) * c
    mb.call_loop_kernel(name, ptrs, work, n)


def _positions(fn: Fn, rows: Axis, cols: Axis, visit) -> None:
    with counted_loop(fn, "0", str(rows.out)) as oh:
        h0, h1 = _window(fn, rows, oh)
        with counted_loop(fn, "0", str(cols.out)) as ow:
            w0, w1 = _window(fn, cols, ow)
            visit(oh, ow, h0, h1, w0, w1)


def _taps(fn: Fn, h0, h1, w0, w1, visit) -> None:
    with counted_loop(fn, h0, h1) as ih:
        with counted_loop(fn, w0, w1) as iw:
            visit(ih, iw)


def _channels(fn: Fn, c: int, visit) -> None:
    with counted_loop(fn, "0", str(c)) as ch:
        visit(ch)


def _greater(fn: Fn, dt: D.DType, a: str, b: str) -> str:
    ty = COMP[dt]
    return fn(f"fcmp ogt {ty} {a}, {b}") if dt.is_floating else fn(f"icmp sgt {ty} {a}, {b}")


def lower_max_pool(mb: ModuleBuilder, op: Op) -> None:
    (x,) = op.inputs
    n, h, w, c = x.type.shape
    dt = x.type.dtype
    ty, st = COMP[dt], STORE[dt]
    if op.result.type.num_elements == 0:
        return
    lowest = lit(ty, float("-inf")) if dt.is_floating else str(dt.min)

    def body(fn, params, img, rows, cols):
        out, xp = params

        def position(oh, ow, h0, h1, w0, w1):
            o = gep(fn, st, out, fn(f"mul i64 {_mul_add(fn, _mul_add(fn, img, rows.out, oh), cols.out, ow)}, {c}"))
            _channels(fn, c, lambda ch: store(fn, lowest, gep(fn, st, o, ch), dt))

            def tap(ih, iw):
                src = gep(fn, st, xp, fn(f"mul i64 {_mul_add(fn, _mul_add(fn, img, h, ih), w, iw)}, {c}"))

                def channel(ch):
                    po = gep(fn, st, o, ch)
                    v, best = load(fn, gep(fn, st, src, ch), dt), load(fn, po, dt)
                    # a NaN wins, as numpy's max lets it through
                    take = _greater(fn, dt, v, best)
                    if dt.is_floating:
                        take = fn(f"or i1 {take}, {fn(f'fcmp uno {ty} {v}, {v}')}")
                    store(fn, fn(f"select i1 {take}, {ty} {v}, {ty} {best}"), po, dt)
                _channels(fn, c, channel)
            _taps(fn, h0, h1, w0, w1, tap)
        _positions(fn, rows, cols, position)
    _pool_kernel(mb, op, x.type.shape, [x], body)


def lower_max_pool_grad(mb: ModuleBuilder, op: Op) -> None:
    x, dy = op.inputs
    n, h, w, c = x.type.shape
    dt = x.type.dtype
    ty, st = COMP[dt], STORE[dt]
    if op.result.type.num_elements == 0:
        return
    declare_externs(mb)

    def body(fn, params, img, rows, cols):
        out, xp, gp = params
        best = fn.alloca(ty, c)
        where_ = fn.alloca("i64", c)
        image = fn(f"mul i64 {img}, {h * w * c}")
        memset0(fn, gep(fn, st, out, image), h * w * c * dt.itemsize)

        def position(oh, ow, h0, h1, w0, w1):
            empty = fn(f"or i1 {fn(f'icmp sge i64 {h0}, {h1}')}, {fn(f'icmp sge i64 {w0}, {w1}')}")
            go, skip = fn.label("window"), fn.label("no_window")
            fn.emit(f"br i1 {empty}, label %{skip}, label %{go}")
            fn.block(go)
            first = fn(f"mul i64 {_mul_add(fn, h0, w, w0)}, {c}")

            def init(ch):
                at = fn(f"add i64 {first}, {ch}")
                v = load(fn, gep(fn, st, xp, fn(f"add i64 {image}, {at}")), dt)
                fn.emit(f"store {ty} {v}, ptr {gep(fn, ty, best, ch)}")
                fn.emit(f"store i64 {first}, ptr {gep(fn, 'i64', where_, ch)}")
            _channels(fn, c, init)

            def tap(ih, iw):
                at = fn(f"mul i64 {_mul_add(fn, ih, w, iw)}, {c}")
                src = gep(fn, st, xp, fn(f"add i64 {image}, {at}"))

                def channel(ch):
                    pb, pw = gep(fn, ty, best, ch), gep(fn, "i64", where_, ch)
                    v, b = load(fn, gep(fn, st, src, ch), dt), fn(f"load {ty}, ptr {pb}")
                    take = _greater(fn, dt, v, b)  # strictly greater: the first maximum keeps the gradient
                    fn.emit(f"store {ty} {fn(f'select i1 {take}, {ty} {v}, {ty} {b}')}, ptr {pb}")
                    old = fn(f"load i64, ptr {pw}")
                    fn.emit(f"store i64 {fn(f'select i1 {take}, i64 {at}, i64 {old}')}, ptr {pw}")
                _channels(fn, c, channel)
            _taps(fn, h0, h1, w0, w1, tap)
            g = gep(fn, st, gp, fn(f"mul i64 {_mul_add(fn, _mul_add(fn, img, rows.out, oh), cols.out, ow)}, {c}"))

            def route(ch):
                at = fn(f"load i64, ptr {gep(fn, 'i64', where_, ch)}")
                pd = gep(fn, st, out, fn(f"add i64 {image}, {fn(f'add i64 {at}, {ch}')}"))
                total = fn(f"fadd {ty} {load(fn, pd, dt)}, {load(fn, gep(fn, st, g, ch), dt)}")
                store(fn, total, pd, dt)
            _channels(fn, c, route)
            fn.emit(f"br label %{skip}")
            fn.block(skip)
        _positions(fn, rows, cols, position)
    _pool_kernel(mb, op, x.type.shape, [x, dy], body)


def _count(fn: Fn, ty: str, h0: str, h1: str, w0: str, w1: str) -> str:
    """The number of taps of a window inside the image, as a float (avg_pool's divisor)."""
    taps = fn(f"mul i64 {fn(f'sub i64 {h1}, {h0}')}, {fn(f'sub i64 {w1}, {w0}')}")
    return fn(f"sitofp i64 {taps} to {ty}")


def lower_avg_pool(mb: ModuleBuilder, op: Op) -> None:
    (x,) = op.inputs
    n, h, w, c = x.type.shape
    dt = x.type.dtype
    ty, st = COMP[dt], STORE[dt]
    if op.result.type.num_elements == 0:
        return

    def body(fn, params, img, rows, cols):
        out, xp = params
        acc = fn.alloca(ty, c)

        def position(oh, ow, h0, h1, w0, w1):
            _channels(fn, c, lambda ch: fn.emit(f"store {ty} {lit(ty, 0.0)}, ptr {gep(fn, ty, acc, ch)}"))

            def tap(ih, iw):
                src = gep(fn, st, xp, fn(f"mul i64 {_mul_add(fn, _mul_add(fn, img, h, ih), w, iw)}, {c}"))

                def channel(ch):
                    pa = gep(fn, ty, acc, ch)
                    total = fn(f"fadd {ty} {fn(f'load {ty}, ptr {pa}')}, {load(fn, gep(fn, st, src, ch), dt)}")
                    fn.emit(f"store {ty} {total}, ptr {pa}")
                _channels(fn, c, channel)
            _taps(fn, h0, h1, w0, w1, tap)
            count = _count(fn, ty, h0, h1, w0, w1)
            o = gep(fn, st, out, fn(f"mul i64 {_mul_add(fn, _mul_add(fn, img, rows.out, oh), cols.out, ow)}, {c}"))

            def finish(ch):
                mean = fn(f"fdiv {ty} {fn(f'load {ty}, ptr {gep(fn, ty, acc, ch)}')}, {count}")
                store(fn, mean, gep(fn, st, o, ch), dt)
            _channels(fn, c, finish)
        _positions(fn, rows, cols, position)
    _pool_kernel(mb, op, x.type.shape, [x], body)


def lower_avg_pool_grad(mb: ModuleBuilder, op: Op) -> None:
    (dy,) = op.inputs
    n, h, w, c = op.result.type.shape
    dt = dy.type.dtype
    ty, st = COMP[dt], STORE[dt]
    if op.result.type.num_elements == 0:
        return
    declare_externs(mb)
    wide = dt in (D.f16, D.bf16)

    def body(fn, params, img, rows, cols):
        out, gp = params
        image = fn(f"mul i64 {img}, {h * w * c}")
        # sums in the compute type (a float32 row per image for the half types), rounded once at the end
        acc = fn(f"call ptr @malloc(i64 {max(h * w * c, 1) * 4})") if wide else gep(fn, st, out, image)
        memset0(fn, acc, h * w * c * (4 if wide else dt.itemsize))

        def position(oh, ow, h0, h1, w0, w1):
            count = _count(fn, ty, h0, h1, w0, w1)
            g = gep(fn, st, gp, fn(f"mul i64 {_mul_add(fn, _mul_add(fn, img, rows.out, oh), cols.out, ow)}, {c}"))

            def tap(ih, iw):
                dst = gep(fn, ty, acc, fn(f"mul i64 {_mul_add(fn, ih, w, iw)}, {c}"))

                def channel(ch):
                    share = fn(f"fdiv {ty} {load(fn, gep(fn, st, g, ch), dt)}, {count}")
                    pd = gep(fn, ty, dst, ch)
                    total = fn(f"fadd {ty} {fn(f'load {ty}, ptr {pd}')}, {share}")
                    fn.emit(f"store {ty} {total}, ptr {pd}")
                _channels(fn, c, channel)
            _taps(fn, h0, h1, w0, w1, tap)
        _positions(fn, rows, cols, position)
        if wide:
            with counted_loop(fn, "0", str(h * w * c)) as e:
                store(fn, fn(f"load float, ptr {gep(fn, 'float', acc, e)}"),
                      gep(fn, st, out, fn(f"add i64 {image}, {e}")), dt)
            fn.emit(f"call void @free(ptr {acc})")
    _pool_kernel(mb, op, op.result.type.shape, [dy], body)


LOWERINGS = {
    "dfc.conv2d": lower_conv2d, "dfc.conv2d_backprop_input": lower_conv2d_backprop_input,
    "dfc.conv2d_backprop_filter": lower_conv2d_backprop_filter, "dfc.max_pool": lower_max_pool,
    "dfc.max_pool_grad": lower_max_pool_grad, "dfc.avg_pool": lower_avg_pool,
    "dfc.avg_pool_grad": lower_avg_pool_grad,
}
