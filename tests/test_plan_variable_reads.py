"""The plan's variables: a read is a copy only when an assign of the variable comes before the read's last use,
and a kernel writes a result the step assigns straight into the variable when no old value is used later."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from dfc.runtime.cpu import CpuExecutable


def _plans(monkeypatch) -> list:
    """The plan of every step compiled from now on, in order."""
    plans = []
    original = CpuExecutable.__init__

    def spy(self, step, *args, **kwargs):
        original(self, step, *args, **kwargs)
        plans.append(self.lowered.plan)
    monkeypatch.setattr(CpuExecutable, "__init__", spy)
    return plans


def test_reads_used_up_before_the_assign_alias_the_variable_and_later_uses_get_a_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    tf.reset_default_graph()
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    loss = tf.reduce_sum(tf.square(tf.reshape(w, [3, 2])))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)  # reads w, then assigns it
    plans = _plans(monkeypatch)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(w)
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), before - 0.1 * 2 * before, rtol=1e-6)
        assert not plans[-2].snapshot_reads  # the train step: every read of w is used up before the assign
        old, _ = sess.run([w + 0.0, train])  # a fetched read must see the old value
        np.testing.assert_allclose(old, before * 0.8, rtol=1e-6)
        assert plans[-1].snapshot_reads


# ---- kernels that write an assigned result straight into the variable (plan._find_direct_writes) ----

def _direct_variables(plan) -> set[str]:
    """The variables some kernel of the plan writes its result into directly."""
    found = set()
    for op in plan.items:
        if op.type.startswith("dfc.assign") or op.type == "dfc.variable":  # those name their variable anyway
            continue
        for r in op.results:
            st = plan.storage.get(plan.canonical.get(r, r))
            if st is not None and st.slot == "variable":
                found.add(plan.variables[st.index])
    return found


def _run_both(build, steps: int = 3):
    """The values of `steps` runs of build()'s fetches, on the native backend and on the interpreter, each
    followed by every variable's value (read in a run of its own)."""
    out = []
    for backend in ("cpu", "interpreter"):
        tf.reset_default_graph()
        fetches = build()
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            out.append([(sess.run(fetches), sess.run(tf.global_variables())) for _ in range(steps)])
    for (_, native_vars), (_, reference_vars) in zip(*out):
        for a, b in zip(native_vars, reference_vars):
            # Adam divides by sqrt(v): where a gradient is near 0, BLAS's and numpy's sums of the same products
            # round it differently and the step differs by up to 4e-4 (with or without in-place updates);
            # an update that read overwritten values would be off by a whole step (lr)
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-3)
    return [[values for values, _ in runs] for runs in out]


def _assert_same_runs(native: list, reference: list) -> None:
    """Every fetched value of every run bit-identical on both backends."""
    for a, b in zip(native, reference):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("batch,n_in,n_out", [(8, 5, 3), (16, 256, 512)])  # the second's GEMM runs in tiles
def test_adam_updates_its_variable_and_slots_in_place_and_matches_the_interpreter(tmp_path, monkeypatch, batch,
                                                                                  n_in, n_out):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    plans = _plans(monkeypatch)
    rng = np.random.default_rng(0)
    x_data = rng.standard_normal((batch, n_in)).astype(np.float32)
    w0 = (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)

    def build():
        x = tf.constant(x_data)
        w = tf.Variable(w0, name="w")
        loss = tf.reduce_sum(tf.square(tf.tanh(tf.matmul(x, w))))
        return [tf.train.AdamOptimizer(0.1).minimize(loss), loss]
    native, reference = _run_both(build)
    for a, b in zip(native, reference):
        np.testing.assert_allclose(a[1], b[1], rtol=1e-5)
    train_plan = max(plans, key=lambda p: len(p.items))
    assert {"w", "w/Adam", "w/Adam_1"} <= _direct_variables(train_plan)


def test_an_old_value_used_after_the_update_keeps_the_update_out_of_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    plans = _plans(monkeypatch)

    def build():
        v = tf.Variable(np.arange(6, dtype=np.float32), name="v")
        old = v.read_value()
        with tf.control_dependencies([old]):
            update = tf.assign(v, old * 2.0 + 1.0)
        with tf.control_dependencies([update]):
            later = old * 10.0  # the value before the update, used after it
        return [later, update]
    native, reference = _run_both(build)
    _assert_same_runs(native, reference)
    assert "v" not in _direct_variables(max(plans, key=lambda p: len(p.items)))


def test_a_gemm_that_reads_the_variable_does_not_write_its_update_into_it(tmp_path, monkeypatch):
    # w <- w - 0.1 * (x @ w): every output tile's GEMM reads all of w, so the epilogue must not overwrite w
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    plans = _plans(monkeypatch)
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((64, 64)).astype(np.float32)
    x_data = rng.standard_normal((64, 64)).astype(np.float32)

    def build():
        w = tf.Variable(w0, name="w")
        return tf.assign_sub(w, 0.1 * tf.matmul(tf.constant(x_data), w))
    native, reference = _run_both(build)
    for a, b in zip(native, reference):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    assert "w" not in _direct_variables(max(plans, key=lambda p: len(p.items)))


def test_an_update_that_only_reads_its_own_element_is_written_in_place(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    plans = _plans(monkeypatch)

    def build():
        v = tf.Variable(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), name="v")
        return tf.assign_add(v, tf.sin(v) * 0.5)
    native, reference = _run_both(build, steps=4)
    for a, b in zip(native, reference):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert "v" in _direct_variables(max(plans, key=lambda p: len(p.items)))


def test_use_locking_keeps_assign_sub_one_update():
    from dfc.compiler.simplify import simplify
    from dfc.ir.parser import parse_graph
    text = '''"dfc.graph"() ({
  %x = "dfc.constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<3xf32>
  %a = "dfc.assign_sub"(%x) {variable = "v", use_locking = true} : (tensor<3xf32>) -> tensor<3xf32>
  %b = "dfc.assign_add"(%x) {variable = "u"} : (tensor<3xf32>) -> tensor<3xf32>
  "dfc.fetch"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> ()
}) {sym_name = "main"} : () -> ()'''
    graph = simplify(parse_graph(text))
    kinds = [op.type for op in graph.ops]
    assert "dfc.assign_sub" in kinds and "dfc.assign_add" not in kinds and kinds.count("dfc.assign") == 1


def test_updates_inside_a_loop_and_a_branch_see_the_values_the_interpreter_sees(tmp_path, monkeypatch):
    """assign_add in a while body and assign_sub in a cond branch, beside a read of the old value used in both."""
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))

    def build():
        v = tf.Variable(np.arange(4, dtype=np.float32), name="v")
        old = v.read_value()

        def body(i, acc):
            with tf.control_dependencies([acc]):
                up = tf.assign_add(v, tf.ones([4]) * 0.5)
            return i + 1, acc + up + old
        _, acc = tf.while_loop(lambda i, a: i < 3, body, [tf.constant(0), tf.zeros([4])])
        branch = tf.cond(tf.reduce_sum(old) > 1.0, lambda: tf.assign_sub(v, old * 0.25), lambda: tf.identity(old))
        return [acc, branch, old]
    native, reference = _run_both(build)
    _assert_same_runs(native, reference)


@pytest.mark.parametrize("make", [
    lambda: tf.train.MomentumOptimizer(0.1, 0.9), lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    lambda: tf.train.AdagradOptimizer(0.1), lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5),
    lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True), lambda: tf.train.AdamOptimizer(0.1)],
    ids=["momentum", "nesterov", "adagrad", "rmsprop", "rmsprop_centered", "adam"])
def test_optimizers_update_their_variables_and_slots_in_place(make, tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))
    plans = _plans(monkeypatch)
    rng = np.random.default_rng(2)
    x_data = rng.standard_normal((6, 4)).astype(np.float32)
    w0 = rng.standard_normal((4, 3)).astype(np.float32)

    def build():
        w = tf.Variable(w0, name="w")
        loss = tf.reduce_sum(tf.square(tf.matmul(tf.constant(x_data), w)))
        return [make().minimize(loss), loss]
    native, reference = _run_both(build, steps=4)
    for a, b in zip(native, reference):
        np.testing.assert_allclose(a[1], b[1], rtol=1e-4)
    train_plan = max(plans, key=lambda p: len(p.items))
    slots = {name for name in train_plan.variables if name.startswith("w/")}
    assert slots and {"w"} | slots <= _direct_variables(train_plan)


def test_an_old_value_read_outside_a_loop_and_used_before_its_update_in_the_body_stays_old(tmp_path, monkeypatch):
    monkeypatch.setenv("DFC_CACHE_DIR", str(tmp_path))

    def build():
        v = tf.Variable(np.arange(4, dtype=np.float32), name="v")
        old = v.read_value()

        def body(i, acc):
            acc2 = acc + old * 2.0  # every iteration must see the value from before the loop
            with tf.control_dependencies([acc2]):
                up = tf.assign_add(v, tf.ones([4]) * 0.5)
            return i + 1, acc2 + up
        _, acc = tf.while_loop(lambda i, a: i < 3, body, [tf.constant(0), tf.zeros([4])])
        return [acc, old]
    native, reference = _run_both(build)
    _assert_same_runs(native, reference)
    np.testing.assert_array_equal(native[0][0], [3.0, 12.0, 21.0, 30.0])
