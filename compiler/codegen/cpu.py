"""The CPU code generator: a planned step graph becomes one LLVM module with one entry function.

Each op (or fused elementwise region) becomes a kernel: a loop nest over its output with
constant strides per operand, so broadcasting, transposes, slices, tiles and concats are
all the same loop with different strides; LLVM's loop vectorizer turns the inner loop into
packed code. This file is the driver: the op -> lowering table, `lower`, and the host
target machine (`optimize`, `emit_llvm`, `emit_asm`, `compile_object`). Beside it:

  module.py       the entry function `dfc_main`, its pointer-array ABI, kernel calls
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

import llvmlite
import llvmlite.binding as llvm

from dfc.ir.graph import Graph, Op
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from ..plan import ALIAS_OPS, Plan, Storage, plan_step
from .conv import LOWERINGS as CONV_LOWERINGS
from .elementwise import lower_elementwise
from .matmul import lower_fused_matmul, lower_matmul
from .module import PARAM_ERR, PARAM_NTHREADS, PARAM_RANDOM, ErrorSite, Lowered, ModuleBuilder, nbytes
from .reduce import lower_arg, lower_fused_reduction, lower_reduce, lower_softmax
from .rng import lower_random
from .scalar import CodegenError
from .shape import (lower_broadcast_like, lower_concat, lower_fill_like, lower_gather, lower_one_hot, lower_shape_of,
                    lower_slice, lower_split, lower_tile, lower_transpose)
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

def lower(step: Graph, plan: Plan | None = None, blas_int_bits: int = 32, blas_threads: bool = False) -> Lowered:
    """The LLVM module of a specialized step graph (planned here unless a plan is given).

    `blas_int_bits` is the integer width of the BLAS the runtime binds to dfc_sgemm/dfc_dgemm;
    `blas_threads` says it also binds dfc_blas_set_threads (OpenBLAS's thread count) and the
    int dfc_blas_threads (the count to set back), so small matmuls can run on one thread.
    """
    plan = plan or getattr(step, "plan", None) or plan_step(step)
    mb = ModuleBuilder(plan)
    mb.blas_int = f"i{blas_int_bits}"
    mb.blas_threads = blas_threads
    text = mb.build(lower_op).replace("{TRIPLE}", _triple())
    return Lowered(text, plan, mb.errors, mb.random_ops, mb.blas)


def _triple() -> str:
    return llvm.get_process_triple()


_TM = None


def target_machine():
    """The host's target machine (CPU name and features), made once."""
    global _TM
    if _TM is None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_default_triple()
        _TM = target.create_target_machine(cpu=llvm.get_host_cpu_name(),
                                           features=llvm.get_host_cpu_features().flatten(), opt=3,
                                           reloc="pic", codemodel="default")
    return _TM


def target_id() -> str:
    """What object code depends on besides the module: triple, CPU, features and llvmlite version."""
    return "|".join([llvm.get_process_triple(), llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten(),
                     llvmlite.__version__])


def optimize(text: str):
    """Parse and optimize (O3, vectorizers on) a module's text; returns the llvmlite ModuleRef."""
    tm = target_machine()
    mod = llvm.parse_assembly(text)
    mod.verify()
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)
    return mod


def emit_llvm(step_graph: Graph) -> str:
    """The LLVM IR text of a specialized step graph (before optimization)."""
    return lower(step_graph).text


def emit_asm(step_graph: Graph) -> str:
    """The host assembly of a specialized step graph (optimized at O3)."""
    return target_machine().emit_assembly(optimize(emit_llvm(step_graph)))


def compile_object(text: str) -> bytes:
    """Object code for a module's text (what the disk cache stores)."""
    return target_machine().emit_object(optimize(text))


__all__ = ["LOWERINGS", "PARAM_ERR", "PARAM_NTHREADS", "PARAM_RANDOM", "CodegenError", "ErrorSite", "Lowered",
           "compile_object", "emit_asm", "emit_llvm", "lower", "lower_op", "optimize", "target_id", "target_machine"]
