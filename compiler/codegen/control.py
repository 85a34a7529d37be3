"""Branches and loops in the entry function: the CPU lowering of the control marks of dfc.if and dfc.while.

The planner put a region op's regions between marks (compiler/control_flow.py); each mark
becomes a few lines of dfc_main around the kernel calls of the regions' ops:

    if:       load pred; br then/else        else:     copy then-yields to the results; br end
    endif:    copy else-yields; br end       while:    copy initial values into the loop buffers; br head
    test:     load cond; br body/exit        endwhile: copy the body's yields into the loop buffers; br head
"""

from __future__ import annotations

from dfc.ir.graph import Value

from ..control_flow import ControlMark
from ..plan import Storage
from .module import ModuleBuilder, nbytes


def _load_flag(mb: ModuleBuilder, v: Value) -> str:
    e = mb.entry
    byte = e(f"load i8, ptr {mb.value_ptr(v)}")
    return e(f"icmp ne i8 {byte}, 0")


def _same(a: Storage, b: Storage) -> bool:
    return (a.slot, a.index, a.offset) == (b.slot, b.index, b.offset)


def _overlap(a: Storage, b: Storage) -> bool:
    return a.slot == b.slot and a.index == b.index and a.offset < b.offset + b.nbytes and b.offset < a.offset + a.nbytes


def _copy_into(mb: ModuleBuilder, sources: list[Value], targets: list[Value],
               staging: list[Value] | None = None) -> None:
    """targets[k] = sources[k] for all k at once: a source that shares memory with any target goes through staging."""
    plan = mb.plan
    where_src = [plan.where(v) for v in sources]
    where_dst = [plan.where(v) for v in targets]
    staged = []
    for k, (src, dst) in enumerate(zip(where_src, where_dst)):
        if _same(src, dst) or not nbytes(targets[k]):
            continue
        if staging is not None and any(_overlap(src, d) for d in where_dst):
            mb.memcpy(mb.value_ptr(staging[k]), mb.ptr(src), nbytes(targets[k]))
            staged.append(k)
    for k, (src, dst) in enumerate(zip(where_src, where_dst)):
        if k in staged or _same(src, dst):
            continue
        mb.memcpy(mb.ptr(dst), mb.ptr(src), nbytes(targets[k]))
    for k in staged:
        mb.memcpy(mb.ptr(where_dst[k]), mb.value_ptr(staging[k]), nbytes(targets[k]))


def lower_mark(mb: ModuleBuilder, mark: ControlMark) -> None:
    e = mb.entry
    op = mark.op
    if mark.kind == "if":
        then, other, end = e.label("then"), e.label("else"), e.label("endif")
        e.emit(f"br i1 {_load_flag(mb, mark.inputs[0])}, label %{then}, label %{other}")
        e.block(then)
        mb.open_regions.append((other, end))
    elif mark.kind == "else":
        other, end = mb.open_regions[-1]
        _copy_into(mb, mark.inputs, list(op.results))
        e.emit(f"br label %{end}")
        e.block(other)
    elif mark.kind == "endif":
        _, end = mb.open_regions.pop()
        _copy_into(mb, mark.inputs[:len(op.results)], list(op.results))
        e.emit(f"br label %{end}")
        e.block(end)
    elif mark.kind == "while":
        head, body, done = e.label("loop"), e.label("body"), e.label("endloop")
        _copy_into(mb, mark.inputs, list(op.results))
        e.emit(f"br label %{head}")
        e.block(head)
        mb.open_regions.append((head, body, done))
        mb.loop_depth += 1
    elif mark.kind == "test":
        _, body, done = mb.open_regions[-1]
        e.emit(f"br i1 {_load_flag(mb, mark.inputs[0])}, label %{body}, label %{done}")
        e.block(body)
    elif mark.kind == "endwhile":
        head, _, done = mb.open_regions.pop()
        mb.loop_depth -= 1
        n = len(op.results)
        _copy_into(mb, mark.inputs[:n], list(op.results), mark.results)
        e.emit(f"br label %{head}")
        e.block(done)
    else:
        raise AssertionError(mark.kind)
