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
  rng.py          the random ops; state.py: assign, assign_add, assign_sub
  scalar.py, loops.py, mathlib.py: per-element semantics, loop nests, float32 math
"""

from __future__ import annotations

from collections.abc import Callable

from dfc.ir.graph import Graph, Op
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from ..plan import ALIAS_OPS, Plan, Storage, plan_step
from .conv import LOWERINGS as CONV_LOWERINGS
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
from .shape import (lower_broadcast_like, lower_concat, lower_fill_like, lower_gather, lower_one_hot, lower_shape_of,
                    lower_slice, lower_split, lower_tile, lower_transpose)
from .sparse import lower_unsorted_segment_sum
from .state import lower_assign

# ---- lowering of each op ------------------------------------------------------------------------

LOWERINGS: dict[str, Callable[[ModuleBuilder, Op], None]] = {
    "dfc.transpose": lower_transpose, "dfc.slice": lower_slice, "dfc.tile": lower_tile,
    "dfc.broadcast_like": lower_broadcast_like, "dfc.concat": lower_concat, "dfc.split": lower_split,
    "dfc.fill_like": lower_fill_like, "dfc.shape_of": lower_shape_of, "dfc.one_hot": lower_one_hot,
    "dfc.gather": lower_gather, "dfc.matmul": lower_matmul, "dfc.argmax": lower_arg, "dfc.argmin": lower_arg,
    "dfc.softmax": lower_softmax, "dfc.log_softmax": lower_softmax,
    "dfc.random_uniform": lower_random, "dfc.random_normal": lower_random, "dfc.truncated_normal": lower_random,
    **{f"dfc.reduce_{k}": lower_reduce for k in ("sum", "mean", "max", "min", "prod", "any", "all")},
    "dfc.unsorted_segment_sum": lower_unsorted_segment_sum,
    "dfc.cumsum": lower_scan, "dfc.cumprod": lower_scan,
    "dfc.assert": lower_assert, "dfc.check_numerics": lower_check_numerics, "dfc.print": lower_print,
    **CONV_LOWERINGS,
}


def lower_op(mb: ModuleBuilder, op: Op) -> None:
    kind = op.type
    plan = mb.plan
    for r in op.results:
        if isinstance(r.type, TensorType) and not r.type.is_static:
            raise CodegenError(f"op {op.describe()} has a result of unknown shape {r.type}: specialize the step first")
    if kind in ALIAS_OPS or kind == "dfc.constant":
        return
    if kind == "dfc.variable":
        if op in plan.snapshot_reads:
            mb.memcpy(mb.value_ptr(op.result), mb.ptr(Storage("variable", plan.variables.index(op.attrs["name"]),
                                                              0, 0)), nbytes(op.result))
        return
    if kind in ("dfc.assign", "dfc.assign_add", "dfc.assign_sub"):
        lower_assign(mb, op)
        return
    if kind == "dfc.fused":
        if op.attrs.get("kind") == "reduction":
            lower_fused_reduction(mb, op)
        elif op.attrs.get("kind") == "matmul":
            lower_fused_matmul(mb, op)
        else:
            lower_elementwise(mb, op)
        return
    if kind == "dfc.placeholder":
        mb.static_error(op, f"You must feed a value for placeholder {op.describe()}")
        return
    if kind == "dfc.grad":
        mb.static_error(op, f"op {op.describe()} failed: dfc.grad must be expanded by the autodiff pass before it runs")
        return
    lowering = LOWERINGS.get(kind)
    if lowering is not None:
        lowering(mb, op)
        return
    if get_op_def(kind).elementwise:
        lower_elementwise(mb, op)
        return
    raise CodegenError(f"no CPU lowering for {op.type}")


# ---- entry points ---------------------------------------------------------------------------------

#: the optimization level of the kernels, and of the entry module (which only sequences calls: at O0 its
#: compile time is linear in the number of calls, and nothing can be inlined into it)
KERNEL_OPT_LEVEL = 3
MAIN_OPT_LEVEL = 0


def lower(step: Graph, plan: Plan | None = None, blas_int_bits: int = 32, blas_threads: bool = False,
          target: Target | None = None) -> Lowered:
    """The LLVM modules of a specialized step graph (planned here unless a plan is given).

    `blas_int_bits` is the integer width of the BLAS the runtime binds to dfc_sgemm/dfc_dgemm;
    `blas_threads` says it also binds dfc_blas_set_threads (OpenBLAS's thread count) and the
    int dfc_blas_threads (the count to set back), so small matmuls can run on one thread.
    """
    plan = plan or getattr(step, "plan", None) or plan_step(step)
    mb = ModuleBuilder(plan, target or cpu_target())
    mb.blas_int = f"i{blas_int_bits}"
    mb.blas_threads = blas_threads
    return mb.build(lower_op)


def compile_units(lowered: Lowered) -> list[tuple[str, str, int]]:
    """(name, text, optimization level) of every module of a lowered step: its kernels, then the entry."""
    units = [(k.symbol, k.text, KERNEL_OPT_LEVEL) for k in lowered.kernels]
    units += [(p.symbol, p.text, MAIN_OPT_LEVEL) for p in lowered.parts]
    return units + [("dfc_main", lowered.main, MAIN_OPT_LEVEL)]


def target_machine():
    """The chosen CPU target's target machine (see compiler/target.py)."""
    return cpu_target().target_machine(3)


def target_id() -> str:
    """What object code depends on besides the module: the chosen target's identity."""
    return cpu_target().identity


def optimize(text: str, level: int = KERNEL_OPT_LEVEL):
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


__all__ = ["KERNEL_OPT_LEVEL", "LOWERINGS", "MAIN_OPT_LEVEL", "PARAM_ERR", "PARAM_NTHREADS", "PARAM_RANDOM",
           "CodegenError", "CpuTarget", "ErrorSite", "KernelUnit", "Lowered", "assembly", "compile_object",
           "compile_units", "emit_asm", "emit_llvm", "lower", "lower_op", "optimize", "split_modules", "target_id",
           "target_machine"]
