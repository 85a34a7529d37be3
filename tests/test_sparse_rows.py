"""dfc.assign_rows, the in-place sparse write behind tf.scatter_* on variables and the optimizers' sparse updates:
values against numpy on the interpreter, the CPU and the emulated GPU, TF's index errors, and plans that touch
only the rows written (no copy of the table, no read of it after the write)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from test_gpu_runtime import gpu_device, gpu_sessions  # noqa: F401 - fixtures: each GPU test runs on the emulator

import dfc as tf
from dfc.errors import InvalidArgumentError
from dfc.ir import dtypes as D
from dfc.runtime.cpu import CpuExecutable

pytestmark = pytest.mark.usefixtures("fresh_graph")

START = np.arange(18, dtype=np.float32).reshape(6, 3)


def _updates_and_expected():
    """A sequence of sparse updates of one variable, each fetched in turn, and what numpy says each leaves."""
    v = tf.Variable(START, name="table")
    i = tf.placeholder(tf.int32, [None], name="i")
    rows = tf.placeholder(tf.float32, [None, 3], name="rows")
    steps = [(tf.scatter_add(v, i, rows), {i: [4, 1, 4, 4], rows: np.arange(12, dtype=np.float32).reshape(4, 3)}),
             (tf.scatter_sub(v, tf.constant([[5], [0]]), tf.ones([2, 1, 3]) * 0.5), {}),
             (tf.scatter_update(v, i, rows), {i: [2, 3], rows: [[-1, -2, -3], [7, 8, 9]]}),
             (tf.scatter_nd_update(v, [[0, 2], [5, 1]], [100.0, 200.0]), {}),
             (tf.scatter_nd_add(v, [[1], [1]], [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]), {}),
             (tf.scatter_nd_sub(v, [[3, 0], [3, 0]], [5.0, 6.0]), {}),
             (tf.scatter_update(v, 2, 9.5), {})]  # a scalar index and a scalar for the whole row
    want, expected = START.copy(), []
    np.add.at(want, [4, 1, 4, 4], np.arange(12, dtype=np.float32).reshape(4, 3))
    expected.append(want.copy())
    want[[5, 0]] -= 0.5
    expected.append(want.copy())
    want[[2, 3]] = [[-1, -2, -3], [7, 8, 9]]
    expected.append(want.copy())
    want[0, 2], want[5, 1] = 100, 200
    expected.append(want.copy())
    want[1] += 3
    expected.append(want.copy())
    want[3, 0] -= 11
    expected.append(want.copy())
    want[2] = 9.5
    expected.append(want.copy())
    return v, steps, expected


@pytest.mark.parametrize("backend", ["cpu", "interpreter"])
def test_scatter_updates_of_a_variable_match_numpy(backend):
    v, steps, expected = _updates_and_expected()
    counter = tf.Variable(np.zeros((4, 2), np.int32), name="counter")
    bumped = tf.scatter_add(counter, [3, 0, 3], np.array([[1, 2], [3, 4], [5, 6]], np.int32))
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for (op, feed), want in zip(steps, expected):
            np.testing.assert_array_equal(sess.run(op, feed), want)
        np.testing.assert_array_equal(sess.run(v), expected[-1])
        np.testing.assert_array_equal(sess.run(bumped), [[3, 4], [0, 0], [0, 0], [6, 8]])


@pytest.mark.parametrize("backend", ["cpu", "interpreter"])
def test_an_index_out_of_range_is_tfs_error_and_writes_nothing(backend):
    v = tf.Variable(START, name="table")
    i = tf.placeholder(tf.int64, [None], name="i")
    added = tf.scatter_add(v, i, tf.ones([3, 3]))
    pairs = tf.placeholder(tf.int32, [None, 2], name="pairs")
    nd = tf.scatter_nd_update(v, pairs, [1.0, 2.0])
    with tf.Session(backend=backend) as sess:
        sess.run(v.initializer)
        for bad, position, value in (([0, 6, 1], 1, 6), ([2, 3, -1], 2, -1)):
            with pytest.raises(InvalidArgumentError, match=rf"'ScatterAdd'.*indices\[{position}\] = {value} is not "
                                                            rf"in \[0, 6\) \(the rows of variable 'table'\)"):
                sess.run(added, {i: bad})
        with pytest.raises(InvalidArgumentError, match=r"'ScatterNdUpdate'.*indices\[1\] = .*3.* does not index "
                                                       r"into shape \[6, 3\] of variable 'table'"):
            sess.run(nd, {pairs: [[0, 0], [1, 3]]})
        np.testing.assert_array_equal(sess.run(v), START)  # the good rows before the bad one were not written


def test_bad_updates_are_refused_when_the_graph_is_built():
    v = tf.Variable(START, name="table")
    with pytest.raises(ValueError, match=r"indices.shape\[:-1\] \+ variable.shape\[1:\] = \[2, 3\].*'table'"):
        tf.scatter_update(v, [0, 1], tf.ones([2, 4]))
    with pytest.raises(TypeError, match="indices dtype float32"):
        tf.scatter_add(v, tf.constant([0.0]), tf.ones([1, 3]))
    with pytest.raises(TypeError, match="Variable"):
        tf.scatter_sub(tf.constant(START), [0], tf.ones([1, 3]))


def _spying(init, made: list):
    """An executable's __init__ that also appends the executable to `made`."""
    def spy(self, step, *args, **kwargs):
        init(self, step, *args, **kwargs)
        made.append(self)
    return spy


def test_a_sparse_training_step_writes_rows_in_place_without_copying_the_table(monkeypatch):
    """The plan of an embedding's GradientDescent and Momentum steps: assign_rows into the variables' own buffers,
    no snapshot of any table and no buffer of a table's size in the arena: O(rows touched) per step."""
    made = []
    monkeypatch.setattr(CpuExecutable, "__init__", _spying(CpuExecutable.__init__, made))
    table = tf.Variable(np.random.default_rng(0).standard_normal((5000, 16)).astype(np.float32), name="emb")
    ids = tf.placeholder(tf.int32, [None], name="ids")
    loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, ids)))
    for optimizer in (tf.train.GradientDescentOptimizer(0.1), tf.train.MomentumOptimizer(0.1, 0.9)):
        train = optimizer.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(table)
            compiled = len(made)
            sess.run(train, {ids: [3, 7, 3]})
            assert len(made) == compiled + 1
            plan = made[-1].lowered.plan
            after = sess.run(table)
        kinds = [op.type for op in plan.items]
        assert "dfc.assign_rows" in kinds and "dfc.assign" not in kinds, kinds
        assert not plan.snapshot_reads
        assert plan.arena_size < table.shape.num_elements() * 4 // 10, plan.report()
        changed = np.flatnonzero((after != before).any(axis=1))
        np.testing.assert_array_equal(changed, [3, 7])


def test_scatter_updates_on_the_gpu_match_the_cpu_backend(gpu_sessions, monkeypatch):  # noqa: F811 - the fixture
    """Repeated indices add up through atomics; a bad index fails as on the CPU and leaves the variable as it was."""
    from dfc.runtime import gpu as gpu_runtime
    made = []
    monkeypatch.setattr(gpu_runtime.GpuExecutable, "__init__", _spying(gpu_runtime.GpuExecutable.__init__, made))
    results = {}
    for backend in ("cpu", "gpu"):
        tf.reset_default_graph()
        v, steps, expected = _updates_and_expected()
        half = tf.Variable(np.zeros((3, 2), np.float16), name="half")
        halves = tf.scatter_sub(half, [1, 1, 2], np.full((3, 2), 0.25, np.float16))
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            results[backend] = [sess.run(op, feed) for op, feed in steps] + [sess.run(halves)]
            i, rows = list(steps[0][1])
            with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = 9 is not in \[0, 6\)"):
                sess.run(steps[0][0], {i: [1, 9, 1, 1], rows: np.ones((4, 3), np.float32)})
            np.testing.assert_array_equal(sess.run(v), expected[-1])
    for got, want in zip(results["gpu"], results["cpu"]):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(results["gpu"][-1], [[0, 0], [-0.5, -0.5], [-0.25, -0.25]])
    assert any(op.type == "dfc.assign_rows" for step in made for op in step.plan.items)


def _row_writes(dt):
    """A step writing rows of one variable in every mode, by rows and by (row, column) pairs; half and byte types
    add in compare-and-swap loops."""
    from dfc.ir.builder import create_op
    from dfc.ir.types import TensorType

    def build(g, a):
        rows, pairs, updates, elements = a
        table = {"variable": "table", "type": TensorType(dt, (6, 3))}
        return [create_op(g, "dfc.assign_rows", [rows, updates], {**table, "mode": "add"}).result,
                create_op(g, "dfc.assign_rows", [rows, updates], {**table, "mode": "sub"}).result,
                create_op(g, "dfc.assign_rows", [pairs, elements], {**table, "mode": "update"}).result]
    return build


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="ptxas (CUDA's PTX assembler) is not installed")
@pytest.mark.parametrize("dt", [D.f16, D.bf16, D.i8], ids=str)
def test_row_write_kernels_assemble_with_atomics_for_narrow_dtypes(dt):
    from test_gpu_codegen import _step, assemble

    from dfc.compiler.codegen import gpu
    step = _step([(D.i32, (4, 1)), (D.i64, (2, 2)), (dt, (4, 3)), (dt, (2,))], _row_writes(dt))
    program = assemble(step, ("sm_80",))
    ptx = "".join(gpu.split_ptx(gpu.emit_ptx(step, "sm_80")).values())
    assert "atom.global.max.s64" in ptx and "global.cas.b32" in ptx  # the first bad index; the error word
    launches = [s for s in program.steps if isinstance(s, gpu.Launch)]
    # per write: the check of its tuples, a thread per element written, the one-thread report
    assert sorted(s.n for s in launches) == [1, 1, 1, 2, 2, 4, 4, 12, 12]


def test_scatter_nd_refuses_a_scalar_update_as_tf_does():
    v = tf.Variable(START, name="table")
    with pytest.raises(ValueError, match="updates"):
        tf.scatter_nd_update(v, [[0, 0]], 3.0)
