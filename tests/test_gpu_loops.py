"""tf.cond and tf.while_loop on the GPU: loop bodies run as kernels on device-resident values, the host reads one flag.

A default Session on a machine with a GPU places a dfc.if / dfc.while on the device when every op of its regions
has a GPU kernel (runtime/gpu_placement.py). The GPU program then holds Branch and Jump host steps around the
regions' launches (compiler/codegen/gpu_control.py): each branch or loop test waits for the stream and downloads
one 16-byte word (the flag and the error word), and nothing the loop carries leaves the device. These tests run
TF1's loop idioms (dynamic_rnn's LSTM training step, while_loop with maximum_iterations, a cond inside a while,
scan and map_fn with their gradients) on the GPU where there is one and on the emulated driver everywhere, against
the CPU backend and the interpreter, and assemble the loop step's PTX with ptxas for sm_80 and sm_90.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_gpu_codegen import PTXAS, needs_ptxas
from test_gpu_runtime import _placed, gpu

import dfc as tf
from dfc.compiler import compile_step
from dfc.compiler.codegen import gpu as codegen
from dfc.compiler.target import NVPTX_ARCHS, nvptx_target
from dfc.runtime.gpu_placement import choose_devices, gpu_capable

GPU0 = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU0 = "/job:localhost/replica:0/task:0/device:CPU:0"


@pytest.fixture(params=[pytest.param("cuda", marks=[gpu, pytest.mark.gpu]), "emulator"])
def gpu_device(request: pytest.FixtureRequest) -> str:
    """On the GPU where there is one (`python -m dfc.tools.gpu_check`), and always on its emulation."""
    if request.param == "emulator":
        request.getfixturevalue("emulated_gpu")
    return request.param


STEPS, BATCH, FEATURES, UNITS, ROWS = 3, 2, 3, 4, 3


def _loops():
    """One graph with every idiom, so one compile covers them: (graph, feeds, fetches, train op, init)."""
    rng = np.random.default_rng(0)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        x = tf.placeholder(tf.float32, [BATCH, None, FEATURES], name="x")  # unknown time: a while loop
        e = tf.placeholder(tf.float32, [ROWS, FEATURES], name="e")
        with tf.variable_scope("rnn_model"):
            cell = tf.nn.rnn_cell.LSTMCell(UNITS)
            out, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
            loss = tf.reduce_mean(tf.square(out - 0.5)) + tf.reduce_mean(state.c)
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        i, grown = tf.while_loop(lambda i, a: i < 100, lambda i, a: (i + 1, a * 1.5 + e[0]),
                                 [tf.constant(0), e[1]], maximum_iterations=3, name="bounded")

        def body(k, a):
            a = tf.cond(tf.equal(k % 2, 0), lambda: a * 2.0, lambda: a - 1.0, name="parity")
            return k + 1, a
        _, flipped = tf.while_loop(lambda k, a: k < 2, body, [tf.constant(0), e[2]], name="flips")
        scanned = tf.scan(lambda acc, row: acc * 0.5 + tf.tanh(row), e, name="scanned")
        mapped = tf.map_fn(lambda row: tf.reduce_sum(row * row), e, name="mapped")
        d_e = tf.gradients(tf.reduce_sum(scanned * scanned) + tf.reduce_sum(mapped), e)[0]
        init = tf.global_variables_initializer()
    feeds = {x: rng.standard_normal((BATCH, STEPS, FEATURES)).astype(np.float32),
             e: rng.standard_normal((ROWS, FEATURES)).astype(np.float32)}
    return g, feeds, [loss, i, grown, flipped, scanned, mapped, d_e], train, init


def test_loops_run_on_the_gpu_as_on_the_cpu_and_the_interpreter(gpu_device, request):
    """A training step (the LSTM's forward and backward loops, its variables updated on the device) and the loop
    idioms' values and gradients match the CPU backend and the interpreter; every loop and cond is placed on the
    GPU; on the emulated driver the run's downloads are one per flag read (a branch or a loop's test) plus the
    fetched values and the updated variables (no loop-carried value goes to the host), and each iteration's kernels
    are one CUDA graph launch."""
    g, feeds, fetches, train, init = _loops()
    emulator = request.getfixturevalue("emulated_gpu") if gpu_device == "emulator" else None
    results, trained = {}, {}
    for backend in ("interpreter", "cpu", None):
        with tf.Session(graph=g, backend=backend) as sess:
            sess.run(init)
            before = dict(emulator.driver.calls) if emulator else {}
            results[backend] = sess.run(fetches + [train], feeds)[:-1]
            after = dict(emulator.driver.calls) if emulator else {}
            if backend is None:
                placed = _placed(sess)
            trained[backend] = sess.run(g.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES))
    assert set(placed.devices.values()) == {GPU0}, placed.devices
    (executable,) = placed.executables
    assert type(executable).__name__ == "GpuExecutable" and not executable._use_graph
    region_ops = [op for op in executable.step.walk() if op.type in ("dfc.while", "dfc.if")]
    assert len(region_ops) >= 9, [op.name for op in region_ops]  # 8 loops (forward, gradient) and the cond
    # each loop's test reads a flag per iteration and once more to leave; each cond once: at least these many
    flags = executable.branches_read
    assert flags >= (STEPS + 1) * 2 + (3 + 1) + (2 + 1) + 2 + (ROWS + 1) * 2, flags
    if emulator:
        downloads = sum(after.get(k, 0) - before.get(k, 0) for k in ("cuMemcpyDtoH", "cuMemcpyDtoHAsync"))
        expected = flags + len(executable.plan.outputs) + len(executable.assigned) + 1  # + the error word
        assert downloads == expected, (downloads, expected)
        # each run of kernels between host steps is a CUDA graph, captured once and launched every iteration
        captures, launches = (after[k] - before.get(k, 0) for k in ("cuStreamBeginCapture", "cuGraphLaunch"))
        assert 0 < captures == executable.graph_captures < launches, (captures, launches)
    for backend in ("cpu", None):
        for fetch, r, o in zip(fetches, results["interpreter"], results[backend]):
            np.testing.assert_allclose(o, r, rtol=2e-5, atol=2e-6, err_msg=f"{fetch.name} on {backend}")
        for r, o in zip(trained["interpreter"], trained[backend]):
            np.testing.assert_allclose(o, r, rtol=2e-5, atol=2e-6, err_msg=f"trained variables on {backend}")


def _idioms():
    """More of TF1's loop idioms, in one graph: a bidirectional GRU over padded sequences with its gradients, a
    user TensorArray filled by nested loops, tf.case, foldl, a tuple-valued cond on a fed flag, tf.Print in a
    loop: (graph, feeds, fetches, init)."""
    rng = np.random.default_rng(2)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, None, 3], name="x")
        lengths = tf.placeholder(tf.int32, [2], name="lengths")
        flag = tf.placeholder(tf.bool, [], name="flag")
        e = tf.placeholder(tf.float32, [3, 4], name="e")
        (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), tf.nn.rnn_cell.GRUCell(4), x,
                                                      sequence_length=lengths, dtype=tf.float32)
        grads = tf.gradients(tf.reduce_sum(fw * fw) + tf.reduce_sum(bw), tf.trainable_variables())
        table = tf.TensorArray(tf.float32, size=3)

        def outer(i, table):
            _, s = tf.while_loop(lambda j, a: j < i + 1, lambda j, a: (j + 1, a * 0.5 + e[i]), [0, tf.zeros([4])])
            return i + 1, table.write(i, tf.Print(s, [i], "row "))
        _, table = tf.while_loop(lambda i, t: i < 3, outer, [0, table])
        total = tf.reduce_sum(e)
        cased = tf.case([(total > 100.0, lambda: e * 3.0), (total > -100.0, lambda: e * 2.0)], default=lambda: e)
        folded = tf.foldl(lambda a, row: a + row * row, e)
        picked, which = tf.cond(flag, lambda: (e[0] * 2.0, tf.constant(1)), lambda: (e[1] - 1.0, tf.constant(2)))
        stacked = table.stack()
        init = tf.global_variables_initializer()
    feeds = {x: rng.standard_normal((2, 4, 3)).astype(np.float32), lengths: np.array([4, 2], np.int32),
             flag: False, e: rng.standard_normal((3, 4)).astype(np.float32)}
    return g, feeds, [fw, bw, *grads, stacked, cased, folded, picked, which], init


@gpu
@pytest.mark.gpu
def test_more_loop_idioms_on_the_gpu_match_the_interpreter():
    """On a GPU only (`python -m dfc.tools.gpu_check`; the emulated driver gives the same values, too slowly for
    the default suite): every loop and cond of these idioms runs on the device, with the interpreter's values."""
    g, feeds, fetches, init = _idioms()
    results = {}
    for backend in ("interpreter", None):
        with tf.Session(graph=g, backend=backend) as sess:
            sess.run(init)
            results[backend] = sess.run(fetches, feeds)
            if backend is None:
                placed = _placed(sess)
    assert set(placed.devices.values()) == {GPU0}, placed.devices
    for fetch, r, o in zip(fetches, results["interpreter"], results[None]):
        np.testing.assert_allclose(o, r, rtol=2e-5, atol=2e-6, err_msg=fetch.name)


def test_region_ops_go_to_the_gpu_only_when_all_their_ops_have_gpu_kernels():
    """A cond whose branch holds an op without a GPU kernel (LAPACK's matrix_inverse, a host call) runs on the
    CPU, as TF1 places an op without a GPU kernel; a loop whose body pins an op to the CPU runs there; the plain
    loop beside them stays on the GPU."""
    g = tf.Graph()
    with g.as_default():
        m = tf.placeholder(tf.float32, [2, 2], name="m")
        host = tf.cond(m[0, 0] > 0.0, lambda: tf.matrix_inverse(m), lambda: m, name="host_cond")
        _, device = tf.while_loop(lambda k, a: k < 3, lambda k, a: (k + 1, a * 2.0), [0, m], name="device_loop")

        def pinned_body(k, a):
            with tf.device("/cpu:0"):
                return k + 1, a - 1.0
        _, pinned = tf.while_loop(lambda k, a: k < 3, pinned_body, [0, m], name="pinned_loop")
    step = compile_step(g, [v._dfc_ir() for v in (host, device, pinned)], feeds=[m._dfc_ir()],
                        feed_shapes=[(2, 2)], pipeline=["autodiff"])
    chosen = {op.name: d for op, d in choose_devices(step, 1).items() if op.regions}
    assert chosen == {"host_cond": "/device:CPU:0", "device_loop": "/device:GPU:0",
                      "pinned_loop": "/device:CPU:0"}, chosen
    assert all(gpu_capable(op) == (op.name != "host_cond") for op in step.ops if op.regions)


def test_a_loop_whose_variables_change_shape_runs_on_the_cpus_interpreter(gpu_device):
    """TF1's concat-in-a-loop under shape invariants and a TensorArray of dynamic size have no one buffer per loop
    variable: their stage leaves the GPU for the interpreter (as on the CPU backend), and so does what reads
    their results (no static shape either); TF's values."""
    g = tf.Graph()
    with g.as_default():
        v = tf.placeholder(tf.float32, [2], name="v")
        _, grown = tf.while_loop(lambda k, a: k < 2, lambda k, a: (k + 1, tf.concat([a, a * 2.0], 0)), [0, v],
                                 shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])], name="grows")
        rows = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        _, rows = tf.while_loop(lambda k, t: k < 3, lambda k, t: (k + 1, t.write(k, v * tf.cast(k, tf.float32))),
                                [0, rows], name="appends")
        stacked = rows.stack() + 1.0
    with tf.Session(graph=g) as sess:
        got, table = sess.run([grown, stacked], {v: np.array([1.0, 3.0], np.float32)})
        devices = _placed(sess).devices
    assert devices["grows"] == CPU0 and devices["appends"] == CPU0, devices
    np.testing.assert_array_equal(got, [1, 3, 2, 6, 2, 6, 4, 12])
    np.testing.assert_array_equal(table, [[1, 1], [2, 4], [3, 7]])


@needs_ptxas
def test_the_loop_steps_ptx_assembles_for_sm_80_and_sm_90():
    """The LSTM training step and the loop idioms as one GPU program: each arch's kernels assemble with ptxas (one
    run per arch; the sm_90 PTX is the kernel cache's, which the emulated run above filled), and the host
    program's branches and jumps land inside it."""
    from dfc.runtime.gpu import _cached_ptx

    g, feeds, fetches, train, _ = _loops()
    keys = list(feeds)
    step = compile_step(g, [f._dfc_ir() for f in fetches], [train._dfc_ir()], [k._dfc_ir() for k in keys],
                        [feeds[k].shape for k in keys])
    for arch in NVPTX_ARCHS:
        program = codegen.lower(step, target=nvptx_target(arch))
        ptx = program.ptx(_cached_ptx)
        assert all(f".target {arch}" in text for text in ptx.values())
        codegen.ptxas(list(ptx.values()), arch, PTXAS)
    control = [s for s in program.steps if isinstance(s, (codegen.Branch, codegen.Jump))]
    regions = [op for op in step.walk() if op.type in ("dfc.while", "dfc.if")]
    assert len([s for s in control if isinstance(s, codegen.Branch)]) == len(regions), "a loop's test, a cond"
    assert all(0 <= s.target <= len(program.steps) for s in control)
