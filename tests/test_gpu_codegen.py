"""The GPU backend without a GPU: PTX for every golden case, every op and random graphs, assembled by ptxas."""

from __future__ import annotations

import pathlib
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from cpu_backend_support import accepted, arg_graph, random_graph

from dfc.compiler import compile_step
from dfc.compiler.codegen import gpu
from dfc.compiler.target import NVPTX_ARCHS, TargetError, check_nvptx_intrinsics, libdevice_path, nvptx_target
from dfc.ir import dtypes as D
from dfc.ir.builder import create_op
from dfc.ir.graph import Graph
from dfc.ir.ops import REGISTRY
from dfc.ir.ops.value_attrs import TWINS
from dfc.ir.parser import parse_graph
from dfc.ir.types import TensorType

GOLDEN = pathlib.Path(__file__).parent / "golden"
PTXAS = shutil.which("ptxas")
needs_ptxas = pytest.mark.skipif(PTXAS is None, reason="ptxas (CUDA's PTX assembler) is not installed")

#: registry ops the GPU cannot run yet: shrink it as lowerings land (a new op without one fails the test below)
WITHOUT_GPU_LOWERING = {
    "dfc.dynamic_fill", "dfc.dynamic_nonzero", "dfc.dynamic_range", "dfc.dynamic_reshape", "dfc.dynamic_slice",
    "dfc.dynamic_segment_sum", "dfc.dynamic_tile",
    *TWINS,  # ops whose attributes fed values give (ir/ops/value_attrs.py)
    # specialized away before any backend (the CPU has none either)
    "dfc.send", "dfc.recv",  # the partition pass's ops between processes: the runtime moves them
    # LAPACK's work and numpy's sort, a host call on the CPU: placement runs them there, as TF1 an op without a GPU
    # kernel
    "dfc.matrix_inverse", "dfc.matrix_determinant", "dfc.log_matrix_determinant", "dfc.cholesky", "dfc.matrix_solve",
    "dfc.matrix_triangular_solve", "dfc.qr", "dfc.svd", "dfc.self_adjoint_eig", "dfc.argsort",
    "dfc.non_max_suppression",
    # the box ops' greedy and sampling loops (ir/ops/image_boxes.py), host calls as NMS
    "dfc.non_max_suppression_v5", "dfc.non_max_suppression_overlaps", "dfc.non_max_suppression_batched",
    "dfc.combined_non_max_suppression", "dfc.sample_distorted_bounding_box", "dfc.extract_glimpse",
    "dfc.forest_grow",  # tensor_forest's tree growing (ir/ops/forest.py), a host call as NMS
    "dfc.ctc_beam_search",  # the CTC beam search (ir/ops/ctc.py), a host call as NMS
    # tf.string ops: host values, run by the interpreter (runtime/host_strings.py)
    *(name for name, opdef in REGISTRY.items() if opdef.family == "strings"),
    # complex numbers and FFTs: host values as strings are (ir/ops/spectral.py)
    *(name for name, opdef in REGISTRY.items() if opdef.family == "complex"),
}


def _has_libdevice() -> bool:
    try:
        libdevice_path()
        return True
    except TargetError:
        return False


needs_libdevice = pytest.mark.skipif(not _has_libdevice(), reason="CUDA's libdevice.10.bc is not installed")


def assemble(step: Graph, archs=NVPTX_ARCHS) -> gpu.GpuProgram:
    """Lower a step for the GPU, emit each arch's PTX and assemble every kernel with ptxas."""
    program = gpu.lower(step)
    for arch in archs:
        for name, ptx in gpu.split_ptx(gpu.emit_ptx(step, arch)).items():
            assert f".target {arch}" in ptx, name
            gpu.ptxas(ptx, arch, PTXAS)
    return program


def test_every_registry_op_has_a_gpu_lowering_or_is_listed():
    missing = {name for name in REGISTRY if not gpu.has_gpu_lowering(name)}
    assert missing == WITHOUT_GPU_LOWERING, ("ops without a GPU lowering that the list does not name: "
                                             f"{sorted(missing - WITHOUT_GPU_LOWERING)}; listed ops that now have "
                                             f"one (drop them): {sorted(WITHOUT_GPU_LOWERING - missing)}")


def test_nvptx_target_is_a_second_target():
    target = nvptx_target("sm_90")
    assert target.triple == "nvptx64-nvidia-cuda" and target.cpu == "sm_90" and target.kind == "cuda"
    assert target.identity != nvptx_target("sm_80").identity
    assert "e-p6:32:32-i64:64" in target.header()
    with pytest.raises(TargetError, match="sm_70"):
        nvptx_target("sm_70")


def test_math_nvptx_cannot_select_is_refused_before_llvm_aborts():
    with pytest.raises(TargetError, match="llvm.exp.f32"):
        check_nvptx_intrinsics("%1 = call float @llvm.exp.f32(float %0)")
    check_nvptx_intrinsics("%1 = call float @llvm.fma.f32(float %0, float %0, float %0)")


@needs_ptxas
@needs_libdevice
@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if (p / "08-fuse.mlir").exists()))
def test_golden_case_ptx_assembles(case):
    step = parse_graph((GOLDEN / case / "08-fuse.mlir").read_text(), case)
    assemble(step)


def _step(types, build) -> Graph:
    g, args = arg_graph(types)
    results = build(g, args)
    return compile_step(g, results, [], list(args), [a.type.shape for a in args])


ELEMENTWISE = sorted(n for n, d in REGISTRY.items() if d.elementwise and n not in ("dfc.cast", "dfc.select"))
#: the dtypes each elementwise op is assembled for (each code path of scalar.py; all dtypes took ~1 min on 2 cores)
DTYPES = (D.f16, D.bf16, D.f32, D.f64, D.i8, D.i64, D.bool_)


@needs_ptxas
@needs_libdevice
@pytest.mark.parametrize("opname", ELEMENTWISE)
def test_elementwise_op_ptx_assembles_for_every_dtype(opname):
    k = REGISTRY[opname].num_operands
    for dt in [d for d in accepted(opname, lambda dt: [TensorType(dt, (4, 3))] * k) if d in DTYPES]:
        step = _step([(dt, (4, 3))] * k, lambda g, a: [create_op(g, opname, list(a)).result])
        assemble(step, ("sm_80",))


def _shape_ops(g, a):
    x, idx = a
    c = create_op(g, "dfc.constant", [], {"value": np.array([3, 5], np.int32)}).result
    return [
        create_op(g, "dfc.transpose", [x], {"perm": [2, 0, 1]}).result,
        create_op(g, "dfc.slice", [x], {"begin": [0, 1, 0], "end": [2, 4, 7], "strides": [1, 2, 3]}).result,
        create_op(g, "dfc.concat", [x, x], {"axis": 1}).result,
        create_op(g, "dfc.tile", [x], {"multiples": [1, 2, 1]}).result,
        create_op(g, "dfc.gather", [x, idx], {"axis": 1}).result,
        create_op(g, "dfc.one_hot", [idx], {"depth": 6, "dtype": D.f32}).result,
        create_op(g, "dfc.argmax", [x], {"axis": 2}).result,
        create_op(g, "dfc.softmax", [x], {"axis": -1}).result,
        create_op(g, "dfc.log_softmax", [x], {"axis": 1}).result,
        create_op(g, "dfc.reduce_mean", [x], {"axes": [0, 2], "keepdims": False}).result,
        create_op(g, "dfc.reduce_max", [x], {"axes": [1], "keepdims": True}).result,
        create_op(g, "dfc.unsorted_segment_sum", [x, idx], {"num_segments": 4}).result,
        *[create_op(g, f"dfc.{r}", [c], {"seed": 3, "seed2": 4}, result_types=[TensorType(D.f32, (3, 5))]).result
          for r in ("random_uniform", "random_normal", "truncated_normal")],
    ]


#: window geometries of the conv/pool tests: strides, SAME/VALID/EXPLICIT padding, dilations, groups
CONV_CASES = [
    dict(strides=[1, 1], padding="VALID"),
    dict(strides=[2, 1], padding="SAME", dilations=[1, 2]),
    dict(strides=[1, 2], padding="EXPLICIT", explicit_paddings=[1, 2, 0, 1], groups=2),
]
POOL_CASES = [
    dict(ksize=[2, 2], strides=[2, 2], padding="VALID"),
    dict(ksize=[3, 2], strides=[2, 1], padding="SAME"),
    dict(ksize=[2, 3], strides=[1, 2], padding="EXPLICIT", explicit_paddings=[1, 0, 2, 1]),
]


def nn_ops(conv: dict, pool: dict, x_shape=(2, 7, 6, 4), cout=6):
    """conv2d, its two gradients and the four pool ops on an NHWC image, a filter and nothing else."""
    def build(g, a):
        x, w = a
        y = create_op(g, "dfc.conv2d", [x, w], conv).result
        mp = create_op(g, "dfc.max_pool", [x], pool).result
        return [y, mp,
                create_op(g, "dfc.conv2d_backprop_input", [y, w], {"input_shape": list(x_shape), **conv}).result,
                create_op(g, "dfc.conv2d_backprop_filter", [x, y],
                          {"filter_shape": list(w.type.shape), **conv}).result,
                create_op(g, "dfc.max_pool_grad", [x, mp], pool).result,
                create_op(g, "dfc.avg_pool", [x], pool).result,
                create_op(g, "dfc.avg_pool_grad", [mp], {"input_shape": list(x_shape), **pool}).result]
    return build


def nn_types(dt, conv: dict, x_shape=(2, 7, 6, 4), cout=6):
    return [(dt, x_shape), (dt, (3, 3, x_shape[3] // conv.get("groups", 1), cout))]


@needs_ptxas
@pytest.mark.parametrize("case", range(len(CONV_CASES)))
def test_conv_and_pool_ops_ptx_assembles(case):
    """conv2d and its gradients (a thread per output element; a block per filter element for the filter
    gradient) and the pool ops (a thread per output element), no BLAS, no host code."""
    conv, pool = CONV_CASES[case], POOL_CASES[case]
    for dt in (D.f32, D.f16) if case else (D.f32, D.bf16, D.f64):
        step = _step(nn_types(dt, conv), nn_ops(conv, pool))
        program = assemble(step, NVPTX_ARCHS if dt is D.f32 else ("sm_80",))
        launches = [s for s in program.steps if isinstance(s, gpu.Launch)]
        assert len(launches) == len(program.steps) == 7 and not any(s.single for s in launches)
        assert sum(s.blocks for s in launches) == 1, "the filter gradient runs a block per filter element"


@needs_ptxas
def test_integer_max_pool_ptx_assembles():
    pool = POOL_CASES[1]
    for dt in (D.i32, D.i8):
        assemble(_step([(dt, (2, 5, 5, 3))], lambda g, a: [create_op(g, "dfc.max_pool", [a[0]], pool).result]),
                 ("sm_90",))


def _sparse_ops(g, a):
    x, idx = a
    return [create_op(g, "dfc.gather", [x, idx], {"axis": 1}).result,
            create_op(g, "dfc.gather", [x, idx], {"axis": 0}).result,
            create_op(g, "dfc.unsorted_segment_sum", [x, idx], {"num_segments": 4}).result]


@needs_ptxas
@pytest.mark.parametrize("dt", [D.f16, D.bf16, D.f32, D.f64, D.i8, D.i16, D.i32, D.i64], ids=str)
def test_gather_and_segment_sum_ptx_assembles_with_atomics(dt):
    """gather and unsorted_segment_sum are grid-stride kernels (no one-thread loop over the data): the sums
    are atomic adds in the data's own type, a bad index sets the error word by compare-and-swap."""
    for idt, arch in ((D.i32, "sm_80"), (D.i64, "sm_90")):
        step = _step([(dt, (3, 5, 2)), (idt, (3,))], _sparse_ops)
        program = assemble(step, (arch,))
        ptx = "".join(gpu.split_ptx(gpu.emit_ptx(step, arch)).values())
        assert "atom.global.max.s64" in ptx and "global.cas.b32" in ptx  # the first bad index; the error word
        if dt in (D.f16, D.f32, D.f64, D.i32, D.i64):  # the others add in a compare-and-swap loop
            assert "atom.global.add." in ptx
        launches = [s for s in program.steps if isinstance(s, gpu.Launch)]
        singles = [s for s in launches if s.single]
        assert len(singles) == 2 and all(s.n == 1 and s.error_code for s in singles), \
            "only the report of each gather's first bad index runs on one thread"
        # a thread per element: two gathers' outputs (3x3x2, 3x5x2), the sum's zeroed output (4x5x2), its data
        assert sorted(s.n for s in launches if not s.single) == [18, 30, 30, 40]


def _tf1_ops(g, a):
    x, flags = a
    return [
        create_op(g, "dfc.cumsum", [x], {"axis": 1, "exclusive": True}).result,
        create_op(g, "dfc.cumprod", [x], {"axis": -1, "reverse": True}).result,
        create_op(g, "dfc.check_numerics", [x], {"message": "x"}).result,
        create_op(g, "dfc.identity", [x], control_inputs=[
            create_op(g, "dfc.assert", [flags, x], {"parts": ["bad", "%t"]}).result]).result,
    ]


@needs_ptxas
@needs_libdevice
def test_scan_and_check_ops_ptx_assembles():
    assemble(_step([(D.f32, (2, 5, 7)), (D.bool_, ())], _tf1_ops))


@needs_ptxas
@needs_libdevice
def test_shape_reduction_and_random_ops_ptx_assembles():
    step = _step([(D.f32, (2, 5, 7)), (D.i32, (2,))], _shape_ops)
    program = assemble(step)
    launches = [s for s in program.steps if isinstance(s, gpu.Launch)]
    assert any(s.blocks for s in launches), "reductions run a block per output element"
    assert any(s.single and s.error_code for s in launches), "gather reports a bad index through the error word"


@needs_ptxas
def test_reductions_use_warp_shuffles_and_shared_memory():
    step = _step([(D.f32, (64, 1000))], lambda g, a: [
        create_op(g, "dfc.reduce_sum", [a[0]], {"axes": [1], "keepdims": False}).result])
    ptx = "".join(gpu.split_ptx(gpu.emit_ptx(step, "sm_90")).values())
    assert "shfl.sync.down" in ptx and ".shared" in ptx and "bar.sync" in ptx
    assemble(step)


@needs_ptxas
def test_matmul_is_a_cublas_call_and_its_epilogue_a_kernel():
    def build(g, a):
        mm = create_op(g, "dfc.matmul", [a[0], a[1]]).result
        return [create_op(g, "dfc.relu", [create_op(g, "dfc.add", [mm, a[2]]).result]).result]

    step = _step([(D.f32, (8, 16)), (D.f32, (16, 4)), (D.f32, (4,))], build)
    program = assemble(step)
    gemms = [s for s in program.steps if isinstance(s, gpu.GemmCall)]
    assert len(gemms) == 1 and (gemms[0].m, gemms[0].n, gemms[0].k) == (8, 4, 16)
    assert any(isinstance(s, gpu.Launch) and gemms[0].c in s.args for s in program.steps)


@needs_ptxas
@needs_libdevice
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_graphs_ptx_assembles(data):
    """The CPU backend's random graphs (test_cpu_backend.py), lowered for the GPU and assembled."""
    g, args, fetches = random_graph(data)
    step = compile_step(g, fetches, [], list(args), [a.type.shape for a in args])
    assemble(step, (data.draw(st.sampled_from(NVPTX_ARCHS), label="arch"),))


@needs_ptxas
@needs_libdevice
@pytest.mark.parametrize("source", ["program.py", "08-fuse.mlir"])
def test_cli_prints_ptx_for_a_script_or_an_ir_file(source, tmp_path):
    from typer.testing import CliRunner

    from dfc.tools.cli import app

    path = GOLDEN / "softmax_cross_entropy" / source
    result = CliRunner().invoke(app, ["compile", str(path), "--target", "cuda:sm_90", "--stage", "ptx"])
    assert result.exit_code == 0, result.output
    modules = gpu.split_ptx(result.stdout)
    assert modules and all(".target sm_90" in m for m in modules.values())
    for ptx in modules.values():
        gpu.ptxas(ptx, "sm_90", PTXAS)
    refused = CliRunner().invoke(app, ["compile", str(path), "--stage", "ptx"])
    assert refused.exit_code != 0 and "--target cuda" in refused.output


def _control_step(random=False):
    import dfc as tf
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [4])

        def body(i, z):
            z = tf.cond(tf.reduce_sum(z) > 2.0, lambda: z - 1.0, lambda: z * 2.0)
            return i + 1, z + tf.random_uniform([4], seed=7) if random else z
        _, z = tf.while_loop(lambda i, z: i < 5, body, [tf.constant(0), x])
        return compile_step(g, [z._dfc_ir()], feeds=[x._dfc_ir()], feed_shapes=[(4,)])


@needs_ptxas
def test_cond_and_while_are_branches_and_jumps_in_the_host_program():
    """A dfc.while around a dfc.if: the loop's test and the if's predicate are Branches (the runtime reads the
    flag back), the else and the loop's back edge Jumps; every target lands inside the program."""
    program = assemble(_control_step())
    steps = program.steps
    branches = [k for k, s in enumerate(steps) if isinstance(s, gpu.Branch)]
    jumps = [k for k, s in enumerate(steps) if isinstance(s, gpu.Jump)]
    assert len(branches) == 2 and len(jumps) == 2
    loop_test, if_pred = branches
    back = jumps[-1]
    assert steps[back].target < loop_test < if_pred < back, "the back edge returns to the cond region's first step"
    assert steps[loop_test].target == back + 1, "the loop's test leaves past the back edge"
    assert loop_test < steps[if_pred].target <= jumps[0] + 1 < back, "a false predicate skips the then-branch"
    assert all(0 <= s.target <= len(steps) for s in steps if isinstance(s, (gpu.Branch, gpu.Jump)))


@needs_ptxas
def test_a_random_op_in_a_loop_advances_its_counter_on_the_device():
    program = assemble(_control_step(random=True))
    singles = [s for s in program.steps if isinstance(s, gpu.Launch) and s.single]
    assert len(singles) == 1 and singles[0].args == ("params:0:0",), "one kernel per draw adds to its counter"


def test_tf_print_is_a_host_step_that_reads_its_tensors_back():
    import dfc as tf
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [3])
        y = tf.Print(x * 2.0, [x], "x: ") + 1.0
        step = compile_step(g, [y._dfc_ir()], feeds=[x._dfc_ir()], feed_shapes=[(3,)])
    steps = gpu.lower(step).steps
    (k,) = [k for k, s in enumerate(steps) if isinstance(s, gpu.HostPrint)]
    assert steps[k].data == ("input:0:0",) and isinstance(steps[k - 1], gpu.Copy), "x goes on after the print"


@needs_ptxas
def test_integer_division_reports_a_zero_divisor_through_the_params_word():
    step = _step([(D.i32, (4, 3)), (D.i32, (3,))], lambda g, a: [create_op(g, "dfc.floordiv", list(a)).result])
    program = assemble(step)
    ptx = "".join(gpu.split_ptx(gpu.emit_ptx(step, "sm_80")).values())
    assert "atom.global.or.b64" in ptx, "each thread ORs its division's bit into the params word"
    (report,) = [s for s in program.steps if isinstance(s, gpu.Launch) and s.single]
    assert report.error_code and report.args == ("params:0:0", "errors:0:0")
    assert "Integer division by zero" in program.errors[0].message


@needs_ptxas
@needs_libdevice
@pytest.mark.parametrize("op_type", sorted(n for n, d in REGISTRY.items() if n not in WITHOUT_GPU_LOWERING
                                           and not d.elementwise and n != "dfc.fetch"))
def test_every_ops_example_lowers_for_the_gpu_and_assembles(op_type):
    """test_ir_text.py's example of every op that is not elementwise (those are assembled for every dtype
    above), compiled and lowered for the GPU: a lowering that emits host code or calls BLAS fails here."""
    from test_ir_text import build_example

    g = build_example(op_type)
    feeds = [op.result for op in g.ops if op.type == "dfc.placeholder"]
    fetch = next(op for op in g.ops if op.type == "dfc.fetch")
    shapes = [tuple(2 if d is None else d for d in v.type.shape) for v in feeds]
    assemble(compile_step(g, list(fetch.inputs), [], feeds, shapes), ("sm_80",))


def test_ptx_is_kept_in_the_kernel_cache_like_cpu_object_code(tmp_path, monkeypatch):
    from dfc.runtime import kernel_cache

    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    kernel_cache.clear_memory()
    step = _step([(D.f32, (64, 3))] * 2, lambda g, a: [create_op(g, "dfc.tanh", [create_op(
        g, "dfc.add", list(a)).result]).result, create_op(g, "dfc.reduce_sum", [a[0]], {"axes": [1]}).result])
    program = gpu.lower(step, target=nvptx_target("sm_80"))
    target = program.target
    units = [(k.symbol, k.text, 3) for k in program.kernels]
    compiled, cached = kernel_cache.objects(target, units)
    assert not cached and [p.decode() for p in compiled] == list(program.ptx().values())
    kernel_cache.clear_memory()  # a new process: the PTX comes from disk, LLVM does not run
    monkeypatch.setattr(type(target), "emit_object", lambda *a: pytest.fail("compiled again"))
    again, cached = kernel_cache.objects(target, units)
    assert cached and again == compiled
    assert all(".target sm_80" in p.decode() for p in again)
