"""Direct float32 NHWC convolution kernels: register-blocked vector FMA loops, no patch matrix.

The im2col path (conv.py) copies every window into a patch matrix and hands it to BLAS; for
the small-channel convolutions of a typical conv net (the MNIST tutorial's 5x5x1x32 and
5x5x32x64) the copy costs as much as the multiply and OpenBLAS runs its narrow GEMMs well
below peak. These kernels read the image in place instead, from a zero-padded copy of one
image at a time (so no tap needs a bounds check):

- forward: a tile of R output pixels of one row x V vectors of output channels lives in
  registers; each step of the reduction loads V filter vectors and broadcasts R input values
  (R*V fused multiply-adds). With no column dilation a filter row's taps and channels are one
  contiguous run in both the padded image and the filter, so the reduction is one loop.
- backward input (stride 1): the forward kernel on the padded output gradient with the
  filter flipped and its channel axes swapped (made once per call, before the threads start).
- backward filter: a tile of R (tap, input channel) rows x V vectors of output channels,
  reduced over every output pixel of a piece of the batch; the pieces' partial filters are
  summed at the end.

Tiles use 512-bit vectors where the target prefers them (else 256-bit) and as many
accumulators as the vector registers hold beside the operands (28 of 32, or 12 of 16).
"""

from __future__ import annotations

from collections.abc import Callable

from dfc.ir import dtypes as D
from dfc.ir.graph import Op

from .gemm import declare_externs, gep, memset0
from .loops import counted_loop
from .module import PARAM_NTHREADS, ModuleBuilder, where
from .scalar import Fn

#: direct kernels of at least this many multiply-adds split the batch across threads
PARALLEL_MIN_MACS = 1 << 22
#: at most this many partial filter gradients (one per piece of the batch) are summed
FILTER_PIECES = 8


def lanes(mb: ModuleBuilder) -> int:
    """float32 lanes of the vectors the kernels use: 16 where the target prefers 512-bit vectors, else 8."""
    return 16 if ("prefer-vector-width", "512") in tuple(getattr(mb.target, "attributes", ())) else 8


def _registers(vw: int) -> int:
    return 32 if vw == 16 else 16


def _vectors(channels: int, vw: int) -> int:
    """Vectors per tile along the channel axis: the largest of 4, 3, 2, 1 (2, 1 with 16 registers) that
    divides channels / vw."""
    n = channels // vw
    return next(v for v in ((4, 3, 2, 1) if vw == 16 else (2, 1)) if n % v == 0)


def _rows(v: int, vw: int, extent: int) -> tuple[int, int, int]:
    """(rows per tile, whole tiles, rows of the last tile) covering `extent` rows with tiles of equal size
    where possible. A tile's R*V accumulators leave room for the V operand vectors (AVX-512 broadcasts
    from memory inside the FMA; AVX2 needs a register for it): a 14-wide row in 7+7, not 6+6+2."""
    most = max(1, min(16, (_registers(vw) - v - (0 if vw == 16 else 1)) // v, extent))
    tiles = -(-extent // most)
    rows = -(-extent // tiles)
    full, tail = divmod(extent, rows)
    return rows, full, tail


class Geometry:
    """A stride/dilation/padding convolution of a padded [hp, wp, c] image by a [kh, kw, c, cout] filter."""

    def __init__(self, h, w, c, kh, kw, cout, rows, cols):
        self.h, self.w, self.c, self.kh, self.kw, self.cout = h, w, c, kh, kw, cout
        self.sh, self.sw, self.dh, self.dw = rows.stride, cols.stride, rows.dilation, cols.dilation
        self.pt, self.pl = rows.pad_before, cols.pad_before
        self.oh, self.ow = rows.out, cols.out
        self.hp = (self.oh - 1) * self.sh + (kh - 1) * self.dh + 1
        self.wp = (self.ow - 1) * self.sw + (kw - 1) * self.dw + 1
        # a filter row's taps and channels are one run when the columns are not dilated
        self.runs, self.run = (1, kw * c) if self.dw == 1 else (kw, c)

    @property
    def padded(self) -> int:
        return self.hp * self.wp * self.c

    def fits(self) -> bool:
        """The image lands inside the padded buffer's origin (no negative padding)."""
        return self.pt >= 0 and self.pl >= 0 and self.oh > 0 and self.ow > 0


def _pad_image(fn: Fn, g: Geometry, src: str, dst: str) -> None:
    """Copy one [h, w, c] image into the padded buffer's interior (the border stays as it is: zero)."""
    rows = max(0, min(g.h, g.hp - g.pt))
    width = max(0, min(g.w, g.wp - g.pl)) * g.c * 4
    if rows == 0 or width == 0:
        return
    with counted_loop(fn, "0", str(rows)) as ih:
        s = gep(fn, "float", src, _mul(fn, ih, g.w * g.c))
        d = gep(fn, "float", dst, _mul(fn, _add(fn, ih, g.pt), g.wp * g.c))
        d = gep(fn, "float", d, g.pl * g.c)
        fn.emit(f"call void @llvm.memcpy.p0.p0.i64(ptr {d}, ptr {s}, i64 {width}, i1 false)")


def _mul(fn: Fn, a, b) -> str:
    return fn(f"mul i64 {a}, {b}")


def _add(fn: Fn, a, b) -> str:
    return fn(f"add i64 {a}, {b}")


def _vec(vw: int) -> str:
    return f"<{vw} x float>"


def _splat(fn: Fn, vw: int, scalar: str) -> str:
    vt = _vec(vw)
    one = fn(f"insertelement {vt} poison, float {scalar}, i64 0")
    return fn(f"shufflevector {vt} {one}, {vt} poison, <{vw} x i32> zeroinitializer")


def _fma_step(fn: Fn, vw: int, accs, a_ptr: Callable[[int], str], b_ptr: Callable[[int], str]) -> None:
    """accs[r][v] += broadcast(*a_ptr(r)) * (*b_ptr(v)) for the whole tile."""
    vt = _vec(vw)
    bs = [fn(f"load {vt}, ptr {b_ptr(v)}, align 4") for v in range(len(accs[0]))]
    for r, row in enumerate(accs):
        a = _splat(fn, vw, fn(f"load float, ptr {a_ptr(r)}, align 4"))
        for acc, b in zip(row, bs):
            old = fn(f"load {vt}, ptr {acc}")
            total = fn(f"call {vt} @llvm.fmuladd.v{vw}f32({vt} {a}, {vt} {b}, {vt} {old})")
            fn.emit(f"store {vt} {total}, ptr {acc}")


def _tile_cells(fn: Fn, vw: int, r: int, v: int) -> list[list[str]]:
    return [[fn.alloca(_vec(vw), 1, 64) for _ in range(v)] for _ in range(r)]


def _move_tile(fn: Fn, vw: int, accs, base: str, row_stride: int, to_memory: bool) -> None:
    """Store the tile's accumulators to rows of `base` (row_stride floats apart), or load them from there."""
    vt = _vec(vw)
    for k, row in enumerate(accs):
        for m, acc in enumerate(row):
            at = gep(fn, "float", base, k * row_stride + m * vw)
            src, dst = (acc, at) if to_memory else (at, acc)
            fn.emit(f"store {vt} {fn(f'load {vt}, ptr {src}, align 4')}, ptr {dst}, align 4")


def _over_tiles(fn: Fn, extent: tuple[int, int, int], tile: Callable[[str, int], None]) -> None:
    """tile(first row, rows) over the whole tiles and the last one of _rows()."""
    rows, full, tail = extent
    if full:
        with counted_loop(fn, "0", str(full * rows), rows) as first:
            tile(first, rows)
    if tail:
        tile(str(full * rows), tail)


def sum_partials(fn: Fn, ty: str, out: str, scratch: str, size: int, pieces: int) -> None:
    """out[e] = the sum over pieces of scratch[piece * size + e] (partial filter gradients, one per piece)."""
    with counted_loop(fn, "0", str(size)) as e:
        total = fn(f"load {ty}, ptr {gep(fn, ty, scratch, e)}")
        for piece in range(1, pieces):
            more = fn(f"load {ty}, ptr {gep(fn, ty, scratch, _add(fn, e, piece * size))}")
            total = fn(f"fadd {ty} {total}, {more}")
        fn.emit(f"store {ty} {total}, ptr {gep(fn, ty, out, e)}")


def _forward_rows(fn: Fn, g: Geometry, vw: int, xp: str, w: str, out: str) -> None:
    """out[oh, ow, :] = the convolution of the padded image xp by w, for every output pixel of one image."""
    v = _vectors(g.cout, vw)
    extent = _rows(v, vw, g.ow)
    vt = _vec(vw)
    cells = {r: _tile_cells(fn, vw, r, v) for r in {extent[0], extent[2]} if r}
    with counted_loop(fn, "0", str(g.oh)) as oh:
        with counted_loop(fn, "0", str(g.cout // (v * vw))) as cb:
            co = fn(f"mul i64 {cb}, {v * vw}")

            def tile(ow0: str, r: int) -> None:
                accs = cells[r]
                for row in accs:
                    for acc in row:
                        fn.emit(f"store {vt} zeroinitializer, ptr {acc}")
                with counted_loop(fn, "0", str(g.kh)) as i:
                    x_row = _add(fn, _mul(fn, oh, g.sh), _mul(fn, i, g.dh))
                    x_at = _mul(fn, _add(fn, _mul(fn, x_row, g.wp), _mul(fn, ow0, g.sw)), g.c)
                    w_at = _add(fn, _mul(fn, i, g.kw * g.c * g.cout), co)
                    with counted_loop(fn, "0", str(g.runs)) as j:
                        xj = gep(fn, "float", xp, _add(fn, x_at, _mul(fn, j, g.dw * g.c)))
                        wj = gep(fn, "float", w, _add(fn, w_at, _mul(fn, j, g.c * g.cout)))
                        with counted_loop(fn, "0", str(g.run)) as q:
                            xq, wq = gep(fn, "float", xj, q), gep(fn, "float", wj, _mul(fn, q, g.cout))
                            _fma_step(fn, vw, accs, lambda k: gep(fn, "float", xq, k * g.sw * g.c),
                                      lambda k: gep(fn, "float", wq, k * vw))
                o = gep(fn, "float", out, _add(fn, _mul(fn, _add(fn, _mul(fn, oh, g.ow), ow0), g.cout), co))
                _move_tile(fn, vw, accs, o, g.cout, to_memory=True)
            _over_tiles(fn, extent, tile)


def _filter_rows(fn: Fn, g: Geometry, vw: int, xp: str, dy: str, part: str) -> None:
    """part[i, j, ci, :] += the padded image xp's windows times dy, summed over one image's output pixels."""
    v = _vectors(g.cout, vw)
    extent = _rows(v, vw, g.run)
    cells = {r: _tile_cells(fn, vw, r, v) for r in {extent[0], extent[2]} if r}
    with counted_loop(fn, "0", str(g.kh)) as i:
        with counted_loop(fn, "0", str(g.runs)) as j:
            x_at = _add(fn, _mul(fn, i, g.dh * g.wp * g.c), _mul(fn, j, g.dw * g.c))
            p_at = _mul(fn, _add(fn, _mul(fn, i, g.kw), j), g.c * g.cout)
            with counted_loop(fn, "0", str(g.cout // (v * vw))) as cb:
                co = fn(f"mul i64 {cb}, {v * vw}")

                def tile(q0: str, r: int) -> None:
                    accs = cells[r]
                    dst = gep(fn, "float", part, _add(fn, _add(fn, p_at, _mul(fn, q0, g.cout)), co))
                    _move_tile(fn, vw, accs, dst, g.cout, to_memory=False)
                    xq = gep(fn, "float", xp, _add(fn, x_at, q0))
                    with counted_loop(fn, "0", str(g.oh)) as oh:
                        x_row = gep(fn, "float", xq, _mul(fn, oh, g.sh * g.wp * g.c))
                        d_row = gep(fn, "float", dy, _add(fn, _mul(fn, oh, g.ow * g.cout), co))
                        with counted_loop(fn, "0", str(g.ow)) as ow:
                            xo = gep(fn, "float", x_row, _mul(fn, ow, g.sw * g.c))
                            do = gep(fn, "float", d_row, _mul(fn, ow, g.cout))
                            _fma_step(fn, vw, accs, lambda k: gep(fn, "float", xo, k),
                                      lambda m: gep(fn, "float", do, m * vw))
                    _move_tile(fn, vw, accs, dst, g.cout, to_memory=True)
                _over_tiles(fn, extent, tile)


def _driver(mb: ModuleBuilder, op: Op, operands, chunk, pieces: int, macs: int, scratch_floats: int,
            prologue=None, epilogue=None) -> None:
    """The op as a kernel that runs chunk(fn, out, srcs, scratch, lo, hi) over [0, pieces) (across threads when
    big), with a float scratch of its own: prologue(fn, out, srcs, scratch) runs before, epilogue after."""
    declare_externs(mb)
    nbufs = 2 + len(operands)
    cname = f"@k{mb.nk + 1}_chunk"
    cfn = Fn(f"define internal void {cname}(ptr %bufs, i64 %lo, i64 %hi)")
    views = [cfn(f"load ptr, ptr {gep(cfn, 'ptr', '%bufs', i)}") for i in range(nbufs)]
    chunk(cfn, views[0], views[1:-1], views[-1], "%lo", "%hi")
    cfn.emit("ret void")
    ptrs, which = mb.buffers([where(mb, op.result)] + [where(mb, v) for v in operands] + [mb.params_ptr()])
    name, fn = mb.new_kernel(len(ptrs), chunked=False)
    mb.kernels.append(cfn.text())
    params = [f"%p{i}" for i in which]
    scratch = fn(f"call ptr @malloc(i64 {max(scratch_floats, 1) * 4})")
    if prologue is not None:
        prologue(fn, params[0], params[1:-1], scratch)
    table = fn.alloca("ptr", nbufs)
    for i, b in enumerate(params[:-1] + [scratch]):
        fn.emit(f"store ptr {b}, ptr {gep(fn, 'ptr', table, i)}")
    if macs >= PARALLEL_MIN_MACS and pieces > 1:
        mb.needs.add("parallel")
        nt = fn(f"load i64, ptr {gep(fn, 'i64', params[-1], PARAM_NTHREADS)}")
        fn.emit(f"call void @dfc_parallel_for(ptr {cname}, ptr {table}, i64 {pieces}, i64 {nt})")
    else:
        fn.emit(f"call void {cname}(ptr {table}, i64 0, i64 {pieces})")
    if epilogue is not None:
        epilogue(fn, params[0], params[1:-1], scratch)
    fn.emit(f"call void @free(ptr {scratch})")
    mb.finish_kernel(fn)
    mb.entry.emit(f"call void {name}({', '.join(f'ptr {p}' for p in ptrs)})")


def _per_image(fn: Fn, g: Geometry, lo: str, hi: str, body) -> None:
    """body(padded image, image index) for images [lo, hi), each first copied into a zeroed padded buffer."""
    xp = fn(f"call ptr @malloc(i64 {g.padded * 4 + 64})")
    memset0(fn, xp, g.padded * 4)
    with counted_loop(fn, lo, hi) as img:
        body(xp, img)
    fn.emit(f"call void @free(ptr {xp})")


def usable(mb: ModuleBuilder, dt: D.DType, groups: int, cout: int, g: Geometry) -> bool:
    """Whether the direct kernels handle this convolution (else the im2col path does)."""
    return dt is D.f32 and groups == 1 and cout % lanes(mb) == 0 and g.fits() and g.c > 0


def lower_forward(mb: ModuleBuilder, op: Op, g: Geometry, n: int) -> None:
    """dfc.conv2d: one padded image at a time, each output row tiled."""
    vw = lanes(mb)
    image, out_image = g.h * g.w * g.c, g.oh * g.ow * g.cout

    def chunk(fn, out, srcs, scratch, lo, hi):
        x, w = srcs

        def body(xp, img):
            _pad_image(fn, g, gep(fn, "float", x, _mul(fn, img, image)), xp)
            _forward_rows(fn, g, vw, xp, w, gep(fn, "float", out, _mul(fn, img, out_image)))
        _per_image(fn, g, lo, hi, body)
    _driver(mb, op, list(op.inputs), chunk, n, n * out_image * g.kh * g.kw * g.c, 0)


def lower_backprop_input(mb: ModuleBuilder, op: Op, g: Geometry, n: int) -> None:
    """dfc.conv2d_backprop_input at stride 1: the forward kernel over the padded output gradient with the
    filter flipped in space and transposed in channels (g describes that convolution)."""
    vw = lanes(mb)
    image, out_image = g.h * g.w * g.c, g.oh * g.ow * g.cout
    kh, kw, cin, cout = g.kh, g.kw, g.cout, g.c  # the original filter's [kh, kw, cin, cout]

    def prologue(fn, out, srcs, scratch):
        _, w = srcs
        with counted_loop(fn, "0", str(kh * kw)) as tap:
            flipped = fn(f"sub i64 {kh * kw - 1}, {tap}")
            with counted_loop(fn, "0", str(cin)) as ci:
                src = gep(fn, "float", w, _add(fn, _mul(fn, tap, cin * cout), _mul(fn, ci, cout)))
                dst = gep(fn, "float", scratch, _add(fn, _mul(fn, flipped, cin * cout), ci))
                with counted_loop(fn, "0", str(cout)) as co:
                    value = fn(f"load float, ptr {gep(fn, 'float', src, co)}")
                    fn.emit(f"store float {value}, ptr {gep(fn, 'float', dst, _mul(fn, co, cin))}")

    def chunk(fn, out, srcs, scratch, lo, hi):
        dy, _ = srcs

        def body(xp, img):
            _pad_image(fn, g, gep(fn, "float", dy, _mul(fn, img, image)), xp)
            _forward_rows(fn, g, vw, xp, scratch, gep(fn, "float", out, _mul(fn, img, out_image)))
        _per_image(fn, g, lo, hi, body)
    _driver(mb, op, list(op.inputs), chunk, n, n * out_image * kh * kw * g.c, kh * kw * cin * cout,
            prologue=prologue)


def lower_backprop_filter(mb: ModuleBuilder, op: Op, g: Geometry, n: int) -> None:
    """dfc.conv2d_backprop_filter: pieces of the batch each sum into a partial filter, added up at the end."""
    vw = lanes(mb)
    image, out_image = g.h * g.w * g.c, g.oh * g.ow * g.cout
    size = g.kh * g.kw * g.c * g.cout
    pieces = max(1, min(FILTER_PIECES, n))

    def chunk(fn, out, srcs, scratch, lo, hi):
        x, dy = srcs
        with counted_loop(fn, lo, hi) as piece:
            part = gep(fn, "float", scratch, fn(f"mul i64 {piece}, {size}"))
            memset0(fn, part, size * 4)
            first = fn(f"sdiv i64 {_mul(fn, piece, n)}, {pieces}")
            last = fn(f"sdiv i64 {_add(fn, _mul(fn, piece, n), n)}, {pieces}")

            def body(xp, img):
                _pad_image(fn, g, gep(fn, "float", x, _mul(fn, img, image)), xp)
                _filter_rows(fn, g, vw, xp, gep(fn, "float", dy, _mul(fn, img, out_image)), part)
            _per_image(fn, g, first, last, body)

    def epilogue(fn, out, srcs, scratch):
        sum_partials(fn, "float", out, scratch, size, pieces)
    _driver(mb, op, list(op.inputs), chunk, pieces, n * out_image * g.kh * g.kw * g.c, pieces * size,
            epilogue=epilogue)
