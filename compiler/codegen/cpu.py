"""The CPU code generator: a planned step graph becomes one LLVM module per distinct kernel and an entry module.

Each op (or fused elementwise region) becomes a kernel: a loop nest over its output with
constant strides per operand, so broadcasting, transposes, slices, tiles and concats are
all the same loop with different strides; LLVM's loop vectorizer turns the inner loop into
packed code. Each kernel is a module of its own, named by a hash of its canonical text and
the target, compiled at O3; the entry module `dfc_main` only calls kernels and is compiled
without optimization. This file is the driver: the op -> lowering table, `lower`, and the
text outputs through the target (compiler/target.py). Beside it:

  module.py       kernel units, the entry function `dfc_main`, its pointer-array ABI
  parallel.py     `dfc_parallel_for`: big kernels split across pthreads
  elementwise.py  elementwise ops and fused elementwise regions (streaming stores when big)
  shape.py        transpose/slice/tile/broadcast/concat/split as strided copies, fills, gather
  reduce.py       reductions (fused with their producers), argmax/argmin, softmax
  matmul.py       BLAS (sgemm/dgemm through dfc_sgemm/dfc_dgemm) or a loop nest
  rng.py          the random ops; state.py: assign, assign_add, assign_sub, assign_rows
  scalar.py       SCALAR: one element of each elementwise op, the table every fused loop reads
  region.py       a fused region's values at one index (elementwise, reduction, matmul epilogue)
  lapack.py       inverse, determinants, Cholesky, solves, QR, SVD, eigh: one host call each (numpy's LAPACK)
  loops.py, mathlib.py: loop nests; float32 and float64 math from one generator
"""

from __future__ import annotations

import os

from collections.abc import Callable
from typing import TYPE_CHECKING

from dfc.ir.graph import Graph, Op
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from ..plan import ALIAS_OPS, Plan, Storage, plan_step
from ..control_flow import ControlMark
from .control import lower_mark
from .conv import LOWERINGS as CONV_LOWERINGS
from .update import lower_dynamic_update_slice
from .elementwise import lower_elementwise
from ..target import CpuTarget, Target, cpu_target
from .matmul import lower_fused_matmul, lower_matmul
from .module import (PARAM_ERR, PARAM_NTHREADS, PARAM_RANDOM, ErrorSite, KernelUnit, Lowered, ModuleBuilder, nbytes,
                     split_modules)
from .reduce import lower_arg, lower_fused_reduction, lower_reduce, lower_softmax
from .rng import lower_random
from .debug import lower_assert, lower_check_numerics, lower_print
from .scalar import CodegenError
from .scan import lower_scan
from .share import share_kernels
from .shape import (lower_broadcast_like, lower_concat, lower_fill_like, lower_gather, lower_one_hot, lower_shape_of,
                    lower_slice, lower_split, lower_tile, lower_transpose)
from .sparse import lower_unsorted_segment_sum
from .lapack import LAPACK_LOWERINGS
from .state import lower_assign, lower_assign_rows

if TYPE_CHECKING:
    import llvmlite.binding as llvm

# ---- lowering of each op ------------------------------------------------------------------------

def lower_nothing(mb: ModuleBuilder, op: Op) -> None:
    """Views (planned as their source's buffer) and constants (planned as data) run no code."""


def lower_variable_read(mb: ModuleBuilder, op: Op) -> None:
    """A variable read runs no code, unless the plan snapshots it (an assign that follows would change it)."""
    if op in mb.plan.snapshot_reads:
        slot = Storage("variable", mb.plan.variables.index(op.attrs["name"]), 0, 0)
        mb.memcpy(mb.value_ptr(op.result), mb.ptr(slot), nbytes(op.result))


def lower_unfed_placeholder(mb: ModuleBuilder, op: Op) -> None:
    mb.static_error(op, f"You must feed a value for placeholder {op.describe()}")


def lower_unexpanded_grad(mb: ModuleBuilder, op: Op) -> None:
    mb.static_error(op, f"op {op.describe()} failed: dfc.grad must be expanded by the autodiff pass before it runs")


def lower_unstripped_custom_gradient(mb: ModuleBuilder, op: Op) -> None:
    mb.static_error(op, f"op {op.describe()} failed: dfc.custom_gradient must be removed by the autodiff pass "
                        f"before it runs")


#: a dfc.fused op's lowering by its `kind` (an elementwise region when the kind is not listed)
FUSED_LOWERINGS: dict[str, Callable[[ModuleBuilder, Op], None]] = {
    "reduction": lower_fused_reduction, "matmul": lower_fused_matmul, "elementwise": lower_elementwise}


def lower_fused(mb: ModuleBuilder, op: Op) -> None:
    FUSED_LOWERINGS.get(op.attrs.get("kind"), lower_elementwise)(mb, op)


#: op name -> CPU lowering; an op without a row that writes a variable (OpDef trait) is lowered as an
#: assign, an elementwise one as one loop over its scalar lowering (scalar.py)
LOWERINGS: dict[str, Callable[[ModuleBuilder, Op], None]] = {
    "dfc.transpose": lower_transpose, "dfc.slice": lower_slice, "dfc.tile": lower_tile,
    "dfc.broadcast_like": lower_broadcast_like, "dfc.concat": lower_concat, "dfc.split": lower_split,
    "dfc.fill_like": lower_fill_like, "dfc.shape_of": lower_shape_of, "dfc.one_hot": lower_one_hot,
    "dfc.gather": lower_gather, "dfc.matmul": lower_matmul, "dfc.argmax": lower_arg, "dfc.argmin": lower_arg,
    "dfc.softmax": lower_softmax, "dfc.log_softmax": lower_softmax,
    "dfc.random_uniform": lower_random, "dfc.random_normal": lower_random, "dfc.truncated_normal": lower_random,
    **{f"dfc.reduce_{k}": lower_reduce for k in ("sum", "mean", "max", "min", "prod", "any", "all")},
    "dfc.unsorted_segment_sum": lower_unsorted_segment_sum, "dfc.dynamic_update_slice": lower_dynamic_update_slice,
    "dfc.cumsum": lower_scan, "dfc.cumprod": lower_scan,
    "dfc.assert": lower_assert, "dfc.check_numerics": lower_check_numerics, "dfc.print": lower_print,
    **CONV_LOWERINGS,
    **LAPACK_LOWERINGS,
    # state, structure and the ops that only fail
    "dfc.variable": lower_variable_read, "dfc.assign": lower_assign, "dfc.assign_add": lower_assign,
    "dfc.assign_sub": lower_assign,
    "dfc.assign_rows": lower_assign_rows, "dfc.fused": lower_fused, "dfc.constant": lower_nothing,
    **{name: lower_nothing for name in ALIAS_OPS},
    "dfc.placeholder": lower_unfed_placeholder, "dfc.grad": lower_unexpanded_grad,
    "dfc.custom_gradient": lower_unstripped_custom_gradient,
}


def lower_op(mb: ModuleBuilder, op: Op) -> None:
    if isinstance(op, ControlMark):
        lower_mark(mb, op)
        return
    for r in op.results:
        if isinstance(r.type, TensorType) and not r.type.is_static:
            raise CodegenError(f"op {op.describe()} has a result of unknown shape {r.type}: specialize the step first")
    lowering = LOWERINGS.get(op.type)
    if lowering is None and get_op_def(op.type).writes_variable:
        lowering = lower_assign
    if lowering is None and get_op_def(op.type).elementwise:
        lowering = lower_elementwise
    if lowering is None:
        raise CodegenError(f"no CPU lowering for {op.type}")
    lowering(mb, op)


# ---- entry points ---------------------------------------------------------------------------------

#: the optimization level of the kernels, and of the entry module (which only sequences calls: at O0 its
#: compile time is linear in the number of calls, and nothing can be inlined into it)
KERNEL_OPT_LEVEL = 3
MAIN_OPT_LEVEL = 0


def lower(step: Graph, plan: Plan | None = None, blas_int_bits: int = 32, blas_threads: bool = False,
          target: Target | None = None, threads: int | None = None,
          blas_small: Callable[[str, bool, bool, int, int, int], bool] | None = None) -> Lowered:
    """The LLVM modules of a specialized step graph (planned here unless a plan is given).

    `blas_int_bits` is the integer width of the BLAS the runtime binds to dfc_sgemm/dfc_dgemm;
    `blas_threads` says it also binds dfc_blas_set_threads (OpenBLAS's thread count) and the
    int dfc_blas_threads (the count to set back), so small matmuls can run on one thread.
    `threads` is how many threads the runtime's pool runs kernels on (default: the CPUs this
    process may use); GEMMs cut their rows into tiles for that many. `blas_small(dtype, transa, transb,
    m, n, k)` says whether the BLAS runs a column-major GEMM on an unpacked small-matrix kernel
    (see matmul.transposes_b_first); without it no GEMM is rearranged for the BLAS.
    """
    plan = plan or getattr(step, "plan", None) or plan_step(step)
    target = target or cpu_target()
    mb = ModuleBuilder(plan, target)
    mb.blas_int = f"i{blas_int_bits}"
    mb.blas_threads = blas_threads
    mb.blas_small = blas_small
    mb.threads = threads or usable_cpus()
    return share_kernels(mb.build(lower_op), target)  # one module for kernels that differ only in shapes


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def compile_units(lowered: Lowered) -> list[tuple[str, str, int]]:
    """(name, text, optimization level) of every module of a lowered step: its kernels, then the entry."""
    units = [(k.symbol, k.text, KERNEL_OPT_LEVEL) for k in lowered.kernels]
    units += [(p.symbol, p.text, MAIN_OPT_LEVEL) for p in lowered.parts]
    return units + [("dfc_main", lowered.main, MAIN_OPT_LEVEL)]


def target_machine() -> llvm.TargetMachine:
    """The chosen CPU target's target machine (see compiler/target.py)."""
    return cpu_target().target_machine(3)


def target_id() -> str:
    """What object code depends on besides the module: the chosen target's identity."""
    return cpu_target().identity


def optimize(text: str, level: int = KERNEL_OPT_LEVEL) -> llvm.ModuleRef:
    """Parse and optimize (O3, vectorizers on) a module's text; returns the llvmlite ModuleRef."""
    return cpu_target().optimize(text, level)


def emit_llvm(step_graph: Graph) -> str:
    """The LLVM IR of a specialized step graph (before optimization): every kernel module, then the entry."""
    return lower(step_graph).text


def emit_asm(step_graph: Graph) -> str:
    """The assembly of a specialized step graph for the chosen CPU: every kernel (O3), then the entry."""
    target = cpu_target()
    return assembly(lower(step_graph, target=target), target)


def assembly(lowered: Lowered, target: Target | None = None) -> str:
    """The assembly of every module of a lowered step, each after a `# ---- module NAME` line."""
    target = target or cpu_target()
    return "\n".join(f"# ---- module {name}\n{target.emit_assembly(text, level)}"
                     for name, text, level in compile_units(lowered))


def compile_object(text: str, level: int = KERNEL_OPT_LEVEL) -> bytes:
    """Object code for a module's text (what the disk cache stores)."""
    return cpu_target().emit_object(text, level)


__all__ = ["FUSED_LOWERINGS", "KERNEL_OPT_LEVEL", "LOWERINGS", "MAIN_OPT_LEVEL", "PARAM_ERR", "PARAM_NTHREADS",
           "PARAM_RANDOM", "CodegenError", "CpuTarget", "ErrorSite", "KernelUnit", "Lowered", "assembly",
           "compile_object", "compile_units", "emit_asm", "emit_llvm", "lower", "lower_op", "optimize",
           "split_modules", "target_id", "target_machine"]
