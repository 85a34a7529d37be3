"""CPU code of the host ops (inverse, determinants, Cholesky, solves, QR, SVD, eigh, argsort): one host call each.

These are LAPACK's work, not loop nests: the step calls `dfc_host_linalg(desc, table)`, which the
runtime binds to a function (runtime/host_calls.py) that runs the op's numpy reference (numpy's
and scipy's LAPACK) on the step's buffers. `desc` is an i64 array built in the entry function,
so the call carries everything it needs and a cached step runs in any process: the op's index
in HOST_OPS, the operand and result counts, each one's dtype index (DTYPES) and dims, then the
op's bool and int attributes in sorted order. A failure (a singular matrix, Cholesky of a matrix that
is not positive definite) returns 1 and fails the step with the op's error, as the interpreter
words it. The GPU has no kernels for these: placement runs them on the CPU, as TF1 does for an
op without a GPU kernel.
"""

from __future__ import annotations

from dfc.ir import dtypes as D
from dfc.ir.graph import Op
from dfc.ir.ops.linalg import HOST_OPS

from .module import ErrorSite, ModuleBuilder

#: the dtypes a descriptor names, by index
DTYPES = (D.f32, D.f64, D.i32, D.i64, D.bool_, D.f16, D.i8, D.u8, D.i16, D.u16, D.u32, D.u64)

#: what a failed call means, per op (the reference raises the same words)
FAILURES = {"dfc.matrix_inverse": "Input is not invertible.",
            "dfc.cholesky": "Cholesky decomposition was not successful. The input might not be valid.",
            "dfc.matrix_solve": "Input matrix is not invertible.",
            "dfc.matrix_triangular_solve": "Input matrix is not invertible.",
            "dfc.non_max_suppression": "iou_threshold must be in [0, 1].",
            "dfc.non_max_suppression_v5": "iou_threshold must be in [0, 1] and soft_nms_sigma non-negative.",
            "dfc.non_max_suppression_batched": "iou_threshold must be in [0, 1].",
            "dfc.combined_non_max_suppression": "iou_threshold must be in [0, 1].",
            "dfc.sample_distorted_bounding_box": "No bounding boxes provided as input (enable "
                                                 "use_image_if_no_bounding_boxes), or image_size or "
                                                 "min_object_covered is invalid."}


def descriptor(op: Op) -> list[int]:
    """The integers dfc_host_linalg reads to rebuild the call (see the module docstring)."""
    desc = [HOST_OPS.index(op.type), len(op.inputs), len(op.results)]
    for v in (*op.inputs, *op.results):
        desc += [DTYPES.index(v.type.dtype), len(v.type.shape), *v.type.shape]
    desc += [int(op.attrs[k]) for k in sorted(op.attrs)]  # bool and int attributes
    return desc


def lower_lapack(mb: ModuleBuilder, op: Op) -> None:
    code = mb.error_code(ErrorSite(op, "static", f"op {op.describe()} failed: "
                                                 f"{FAILURES.get(op.type, 'the LAPACK call failed')}"))
    e = mb.entry
    desc = descriptor(op)
    words = e.alloca("i64", len(desc))
    for i, word in enumerate(desc):
        slot = e(f"getelementptr inbounds i64, ptr {words}, i64 {i}")
        e.emit(f"store i64 {word}, ptr {slot}")
    values = [*op.inputs, *op.results]
    table = e.alloca("ptr", len(values))
    for i, v in enumerate(values):
        slot = e(f"getelementptr inbounds ptr, ptr {table}, i64 {i}")
        e.emit(f"store ptr {mb.value_ptr(v)}, ptr {slot}")
    mb.needs.add("hostrc:dfc_host_linalg")
    failed = e(f"call i32 @dfc_host_linalg(ptr {words}, ptr {table})")
    bad = e(f"icmp ne i32 {failed}, 0")
    mb.check(e(f"select i1 {bad}, i32 {code}, i32 0"))


LAPACK_LOWERINGS = {name: lower_lapack for name in HOST_OPS}
