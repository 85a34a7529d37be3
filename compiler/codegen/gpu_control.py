"""Branches and loops in the GPU host program: the control marks of dfc.if and dfc.while as host steps.

The CPU turns the marks into branches in dfc_main (codegen/control.py); the GPU's host program is a
list of steps the runtime replays, so the marks become two more kinds of step around the regions'
launches:

    if:       Branch(pred, else)              else:     copy then-yields to the results; Jump(end)
    endif:    copy else-yields                while:    copy initial values into the loop buffers
    test:     Branch(cond, end)               endwhile: copy the body's yields into the loop buffers; Jump(test)

A Branch makes the runtime wait for the stream and read the flag's byte back (and the error word,
so a failed kernel stops the loop it is in, as it stops dfc_main on the CPU). A random op inside a
loop advances its counter by a one-thread kernel after each draw, as the CPU's loop code does, so
each iteration draws anew and the same numbers as on the CPU.
"""

from __future__ import annotations

from collections.abc import Callable

from dfc.ir.graph import Op

from ..control_flow import ControlMark
from .control import _copy_into
from .gpu import Branch, GpuModuleBuilder, Jump
from .gpu_nn import grid_kernel
from .module import PARAM_RANDOM
from .rng import EXECUTION_STRIDE


def _branch_unless(mb: GpuModuleBuilder, flag) -> int:
    """Append a Branch on `flag` whose target is patched later; returns its step index."""
    mb.steps.append(Branch(mb.value_ptr(flag), -1))
    return len(mb.steps) - 1


def _land(mb: GpuModuleBuilder, at: int) -> None:
    """Point the Branch or Jump at step `at` to the next step appended."""
    step = mb.steps[at]
    mb.steps[at] = Branch(step.flag, len(mb.steps)) if isinstance(step, Branch) else Jump(len(mb.steps))


def lower_mark_gpu(mb: GpuModuleBuilder, mark: ControlMark) -> None:
    op = mark.op
    n = len(op.results)
    if mark.kind == "if":
        mb.open_regions.append([_branch_unless(mb, mark.inputs[0])])
    elif mark.kind == "else":
        pending = mb.open_regions[-1]
        _copy_into(mb, mark.inputs, list(op.results))
        mb.steps.append(Jump(-1))
        _land(mb, pending[0])
        pending[0] = len(mb.steps) - 1
    elif mark.kind == "endif":
        (jump,) = mb.open_regions.pop()
        _copy_into(mb, mark.inputs[:n], list(op.results))
        _land(mb, jump)
    elif mark.kind == "while":
        _copy_into(mb, mark.inputs, list(op.results))
        mb.open_regions.append([len(mb.steps)])  # the loop's head: the cond region's first step
        mb.loop_depth += 1
    elif mark.kind == "test":
        mb.open_regions[-1].append(_branch_unless(mb, mark.inputs[0]))
    elif mark.kind == "endwhile":
        head, exit_branch = mb.open_regions.pop()
        mb.loop_depth -= 1
        _copy_into(mb, mark.inputs[:n], list(op.results), mark.results)
        mb.steps.append(Jump(head))
        _land(mb, exit_branch)
    else:
        raise AssertionError(mark.kind)


def random_gpu(cpu_lowering: Callable[[GpuModuleBuilder, Op], None]) -> Callable[[GpuModuleBuilder, Op], None]:
    """A random op's GPU lowering: the CPU's kernel, and inside a loop a one-thread kernel after it that
    advances the op's counter (the CPU's loop code does it in dfc_main)."""
    def lower(mb: GpuModuleBuilder, op: Op) -> None:
        depth, mb.loop_depth = mb.loop_depth, 0
        try:
            cpu_lowering(mb, op)
        finally:
            mb.loop_depth = depth
        if depth and op in mb.random_ops:
            slot = PARAM_RANDOM + mb.random_ops.index(op)

            def advance(fn, params, _):
                counter = fn(f"getelementptr inbounds i64, ptr {params[0]}, i64 {slot}")
                current = fn(f"load i64, ptr {counter}")
                fn.emit(f"store i64 {fn(f'add i64 {current}, {EXECUTION_STRIDE}')}, ptr {counter}")
            grid_kernel(mb, [mb.params_ptr()], 1, advance, single=True)
    return lower
