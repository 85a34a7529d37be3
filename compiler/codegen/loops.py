"""Strided views and loop nests: the one loop shape every CPU kernel is built from."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dfc.ir import dtypes as D

from .scalar import STORE, Fn

def contiguous_strides(shape: tuple[int, ...]) -> list[int]:
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return strides[::-1]


def broadcast_strides(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> list[int]:
    """Element strides of a contiguous `shape` read at the indices of `out_shape` (numpy broadcasting)."""
    lead = len(out_shape) - len(shape)
    own = contiguous_strides(shape)
    return [0] * lead + [0 if d == 1 and o != 1 else s for d, o, s in zip(shape, out_shape[lead:], own)]


@dataclass
class View:
    """Elements of buffer parameter `param` at offset + sum(index[d] * strides[d])."""

    param: int
    dtype: D.DType
    offset: int
    strides: list[int]


def coalesce(dims: list[int], views: list[View], keep: set[int] = frozenset()) -> tuple[list[int], list[View]]:
    """Drop size-1 dims and merge neighbours every view walks as one (fewer, longer loops)."""
    idx = [d for d in range(len(dims)) if dims[d] != 1 or d in keep]
    out_dims = [dims[d] for d in idx]
    strides = [[v.strides[d] for d in idx] for v in views]
    k = len(out_dims) - 2
    while k >= 0:
        if idx[k] not in keep and idx[k + 1] not in keep and all(
                s[k] == s[k + 1] * out_dims[k + 1] for s in strides):
            out_dims[k] *= out_dims[k + 1]
            del out_dims[k + 1]
            del idx[k + 1]
            for s in strides:
                s[k] = s[k + 1]
                del s[k + 1]
        k -= 1
    return out_dims, [View(v.param, v.dtype, v.offset, s) for v, s in zip(views, strides)]


@contextlib.contextmanager
def counted_loop(f: Fn, start: str, stop: str, step: int = 1,
                 names: tuple[str, str, str] = ("head", "body", "done"), unroll: bool = True) -> Iterator[str]:
    """for (i = start; i < stop; i += step): yields i; what the with-block emits is the loop body.

    `unroll=False` keeps LLVM from unrolling the loop (it may still vectorize it)."""
    ctr = f.alloca("i64")
    f.emit(f"store i64 {start}, ptr {ctr}")
    head, inner, done = (f.label(n) for n in names)
    f.emit(f"br label %{head}")
    f.block(head)
    i = f(f"load i64, ptr {ctr}")
    c = f(f"icmp slt i64 {i}, {stop}")
    f.emit(f"br i1 {c}, label %{inner}, label %{done}")
    f.block(inner)
    yield i
    nxt = f(f"add i64 {i}, {step}")
    f.emit(f"store i64 {nxt}, ptr {ctr}")
    f.emit(f"br label %{head}" + ("" if unroll else ", " + f.loop_properties("llvm.loop.unroll.disable")))
    f.block(done)


def loop_nest(f: Fn, dims: list[int], views: list[View], params: list[str],
              body: Callable[[list[str], list[str]], None], lo: str | None = None, hi: str | None = None,
              unroll_innermost: bool = True) -> None:
    """Nested counted loops over `dims`; body(element offsets per view, loop indices) emits the inside.

    The outermost loop runs [lo, hi) when given (a thread's chunk), else the whole dim.
    `unroll_innermost=False` keeps the innermost loop a loop (see counted_loop).
    """
    offs = [str(v.offset) for v in views]

    def level(d: int, offs: list[str], idxs: list[str]) -> None:
        if d == len(dims):
            body(offs, idxs)
            return
        start = lo if (d == 0 and lo is not None) else "0"
        stop = hi if (d == 0 and hi is not None) else str(dims[d])
        with counted_loop(f, start, stop, unroll=unroll_innermost or d < len(dims) - 1) as i:
            new = []
            for v, o in zip(views, offs):
                s = v.strides[d]
                if s == 0:
                    new.append(o)
                else:
                    m = f(f"mul i64 {i}, {s}")
                    new.append(f(f"add i64 {o}, {m}"))
            level(d + 1, new, idxs + [i])

    level(0, offs, [])


def elem_ptr(f: Fn, params: list[str], view: View, off: str) -> str:
    return f(f"getelementptr inbounds {STORE[view.dtype]}, ptr {params[view.param]}, i64 {off}")
