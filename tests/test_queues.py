"""TF1's queues: scripts against TF's recordings, TF's errors, blocking and closing, per-session state, threads.

The recordings (tests/tf1_scripts_queue.py, recorded by tests/record_queue_scripts.py) hold what TF 2.21
computes in TF1 mode; the errors are TF's classes and messages (the queue and the component named).
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import dfc as tf

BACKENDS = ["interpreter", "cpu"]


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()
    yield


def _short(ms: int = 300):
    return tf.RunOptions(timeout_in_ms=ms)


def _until_waiting(queue, sess) -> None:
    """Until a run waits on `queue` (a busy machine may start the thread late)."""
    cond = queue._state(sess).cond
    for _ in range(1000):
        if cond._waiters:
            return
        time.sleep(0.01)
    raise AssertionError(f"no run waits on {queue.name}")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_queue_runner_pipeline_trains_as_in_tensorflow_until_out_of_range(backend):
    from recordings import assert_matches_recording
    from tf1_scripts_queue import queue_kinds_script, queue_runner_training_script
    actual = queue_runner_training_script(tf, lambda: tf.Session(backend=backend))
    assert_matches_recording(actual, "script_queue_runner_training", lambda key: {"rtol": 1e-5, "atol": 1e-6})
    tf.reset_default_graph()
    actual = queue_kinds_script(tf, lambda: tf.Session(backend=backend))
    assert_matches_recording(actual, "script_queue_kinds", lambda key: {"rtol": 0, "atol": 0})


def test_queue_properties_and_op_names_are_tfs():
    with tf.name_scope("input"):
        q = tf.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []], name="myq")
    assert q.name == "input/myq" and q.queue_ref.op.name == "input/myq"
    assert q.dtypes == [tf.float32, tf.int32] and [s.as_list() for s in q.shapes] == [[2], []] and q.names is None
    assert q.enqueue([[1.0, 2.0], 3]).name == "myq_enqueue"
    assert q.enqueue_many([[[1.0, 2.0]], [3]]).name == "myq_EnqueueMany"
    d = q.dequeue()
    assert d[0].op.name == "myq_Dequeue" and d[0].shape.as_list() == [2] and d[1].dtype == tf.int32
    assert [t.shape.as_list() for t in q.dequeue_many(4)] == [[4, 2], [4]]
    assert [t.shape.as_list() for t in q.dequeue_up_to(4)] == [[None, 2], [None]]
    assert q.size().op.name == "myq_Size" and q.size().dtype == tf.int32 and q.is_closed().dtype == tf.bool
    assert q.close().name == "myq_Close" and q.close(cancel_pending_enqueues=True).name == "myq_Close_1"
    named = tf.queue.FIFOQueue(4, [tf.float32, tf.int32], shapes=[[2], []], names=["x", "y"])
    assert sorted(named.dequeue()) == ["x", "y"] and named.dequeue_many(3)["x"].shape.as_list() == [3, 2]
    unknown = tf.FIFOQueue(5, tf.float32)
    assert unknown.shapes[0].ndims is None and unknown.dequeue_many(2).shape.ndims is None
    prio = tf.PriorityQueue(5, [tf.float32], shapes=[[]])
    assert prio.dtypes == [tf.int64, tf.float32]
    padded = tf.PaddingFIFOQueue(5, [tf.float32], shapes=[[None, 3]])
    assert padded.dequeue_many(2).shape.as_list() == [2, None, 3]


def test_bad_queues_and_enqueues_raise_tfs_errors_naming_the_queue():
    with pytest.raises(ValueError, match=r"Queue shapes must have the same length as dtypes"):
        tf.FIFOQueue(3, [tf.int32], shapes=[[1], [2]])
    with pytest.raises(ValueError, match="names must have the same length"):
        tf.FIFOQueue(3, [tf.int32], names=["a", "b"])
    with pytest.raises(ValueError, match="All shapes must be fully defined"):
        tf.FIFOQueue(3, [tf.int32], shapes=[[None]])
    with pytest.raises(ValueError, match="a list of shapes must be provided"):
        tf.PaddingFIFOQueue(3, [tf.int32], shapes=None)
    with pytest.raises(TypeError, match="Expected list for 'shapes'"):
        tf.PriorityQueue(3, [tf.float32])
    q = tf.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []], name="myq")
    with pytest.raises(ValueError, match=r"component_0 of the enqueue to queue 'myq'.*requested dtype float32"):
        q.enqueue([tf.constant([1, 2]), 3])
    with pytest.raises(ValueError, match=r"Shapes \(3,\) and \(2,\) are incompatible"):
        q.enqueue([[1.0, 2.0, 3.0], 3])
    with pytest.raises(ValueError, match="myq: expected 2 components to enqueue"):
        q.enqueue([[1.0, 2.0]])
    with pytest.raises(ValueError, match="Queue must have names to enqueue a dictionary"):
        q.enqueue({"a": [1.0, 2.0], "b": 3})
    named = tf.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []], names=["a", "b"])
    with pytest.raises(ValueError, match="You must enqueue a dictionary in a Queue with names"):
        named.enqueue([[1.0, 2.0], 3])
    with pytest.raises(ValueError, match=r"Keys in dictionary to enqueue do not match names of Queue.*\['a', 'c'\]"):
        named.enqueue({"a": [1.0, 2.0], "c": 3})
    fed = tf.placeholder(tf.float32, None, name="fed")
    enqueue = q.enqueue([fed, 1], name="enq")
    unshaped = tf.FIFOQueue(4, tf.int32, name="loose")
    many = unshaped.dequeue_many(2)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Shape mismatch in tuple component 0. Expected \[2\], got \[3\].*'myq'.*node enq"):
            sess.run(enqueue, {fed: [1.0, 2.0, 3.0]})
        sess.run(unshaped.enqueue_many([[1, 2]]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="DequeueMany and DequeueUpTo require the "
                                                                 "components to have specified shapes.*'loose'"):
            sess.run(many)


def test_a_full_queue_blocks_its_enqueuer_and_close_decides_what_pending_enqueues_do():
    q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    value = tf.placeholder(tf.int32, [])
    enqueue, dequeue, size = q.enqueue(value), q.dequeue(), q.size()
    with tf.Session() as sess:
        sess.run(q.enqueue_many([[1, 2]]))
        with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out"):
            sess.run(enqueue, {value: 3}, options=_short())
        outcome = []
        worker = threading.Thread(target=lambda: outcome.append(sess.run(enqueue, {value: 3})))
        worker.start()
        _until_waiting(q, sess)
        assert worker.is_alive() and sess.run(size) == 2  # waiting for room
        assert sess.run(dequeue) == 1
        worker.join(10)
        assert not worker.is_alive() and sess.run(size) == 2
        sess.run(q.close())
        with pytest.raises(tf.errors.CancelledError, match="is closed"):
            sess.run(enqueue, {value: 5})
        assert [sess.run(dequeue), sess.run(dequeue)] == [2, 3]
        with pytest.raises(tf.errors.OutOfRangeError, match=r"closed and has insufficient elements \(requested 1, "
                                                            r"current size 0\)"):
            sess.run(dequeue)
    q2 = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    fill = q2.enqueue(7)
    with tf.Session() as sess:
        sess.run(fill)
        errors = []

        def blocked():
            try:
                sess.run(fill)
            except tf.errors.CancelledError as e:
                errors.append(e)
        worker = threading.Thread(target=blocked)
        worker.start()
        _until_waiting(q2, sess)
        sess.run(q2.close(cancel_pending_enqueues=True))
        worker.join(10)
        assert len(errors) == 1 and "cancelled" in str(errors[0])
        assert sess.run(q2.dequeue()) == 7


def test_closing_the_session_cancels_a_waiting_dequeue():
    q = tf.FIFOQueue(2, tf.float32)
    d = q.dequeue()
    sess = tf.Session()
    errors = []
    worker = threading.Thread(target=lambda: errors.append(pytest.raises(tf.errors.CancelledError, sess.run, d)))
    worker.start()
    _until_waiting(q, sess)
    sess.close()
    worker.join(10)
    assert not worker.is_alive() and errors


def test_queues_live_per_session_shared_name_shares_them_and_runs_touch_only_what_they_need():
    a = tf.FIFOQueue(5, tf.int32, shapes=[[]], shared_name="shared")
    b = tf.FIFOQueue(5, tf.int32, shapes=[[]], shared_name="shared")
    c = tf.FIFOQueue(5, tf.int32, shapes=[[]])
    x = tf.Variable(1)
    put_a, put_c = a.enqueue(x + 10), c.enqueue(x)
    with tf.control_dependencies([put_a]):
        after_put = tf.identity(x * 2)
    with tf.Session() as one, tf.Session() as two:
        one.run(x.initializer)
        two.run(x.initializer)
        one.run(put_a)
        assert one.run(b.size()) == 1 and one.run(c.size()) == 0 and two.run(a.size()) == 0
        assert one.run(x) == 1 and one.run(b.size()) == 1  # a run that needs no queue op leaves queues alone
        assert one.run(after_put) == 2 and one.run(a.size()) == 2  # a control dependency runs the enqueue
        assert one.run(b.dequeue()) == 11
        one.run(put_c)
        assert one.run([a.size(), c.size()]) == [1, 1]


def test_dequeue_many_of_a_fed_count_and_a_queue_chosen_at_run_time():
    q0 = tf.FIFOQueue(10, tf.int32, shapes=[[]])
    q1 = tf.FIFOQueue(10, tf.int32, shapes=[[]])
    n = tf.placeholder(tf.int32, [])
    which = tf.placeholder(tf.int32, [])
    chosen = tf.QueueBase.from_list(which, [q0, q1])
    batch = q0.dequeue_many(n)
    assert batch.shape.as_list() == [None]
    with tf.Session() as sess:
        sess.run(q0.enqueue_many([tf.range(6)]))
        assert sess.run(batch, {n: 4}).tolist() == [0, 1, 2, 3]
        sess.run(chosen.enqueue(42), {which: 1})
        assert sess.run([q0.size(), q1.size()]) == [2, 1]
        assert sess.run(chosen.dequeue(), {which: 1}) == 42
        assert sess.run(chosen.dequeue_up_to(2), {which: 0}).tolist() == [4, 5]


def test_queue_ops_under_a_gpu_device_scope_run_on_the_cpu():
    with tf.device("/gpu:0"):
        q = tf.FIFOQueue(3, tf.float32, shapes=[[]])
        put, got = q.enqueue(1.5), q.dequeue()
    assert "GPU" not in put.device.upper() and "CPU" in got.op.device.upper()
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        sess.run(put)
        assert sess.run(got) == 1.5


def test_session_runs_from_several_threads_at_once_are_safe():
    """Four threads share one session: consumers of one queue get every element once; a locked counter counts."""
    q = tf.FIFOQueue(500, tf.int32, shapes=[[]])
    item = q.dequeue()
    counter = tf.Variable(0)
    bump = tf.assign_add(counter, 1, use_locking=True)
    square = tf.cast(item, tf.float32) ** 2
    with tf.Session() as sess:
        sess.run([counter.initializer, q.enqueue_many([tf.range(400)])])
        sess.run(q.close())
        got: list[list[int]] = [[] for _ in range(4)]
        failures = []

        def consume(mine: list) -> None:
            try:
                while True:
                    value, sq, _ = sess.run([item, square, bump])
                    assert sq == value * value
                    mine.append(int(value))
            except tf.errors.OutOfRangeError:
                pass
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(e)
        threads = [threading.Thread(target=consume, args=(mine,)) for mine in got]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not failures
        assert sorted(sum(got, [])) == list(range(400)) and sess.run(counter) == 400


def test_a_queue_runner_reports_an_enqueue_error_to_the_coordinator():
    q = tf.FIFOQueue(4, tf.float32, shapes=[[]])
    release = threading.Event()  # the enqueue fails only after the test has seen its thread running

    def bad(x):
        release.wait(10)
        raise ValueError("broken input")
    value = tf.py_func(bad, [tf.constant(1.0)], tf.float32)
    value.set_shape([])
    runner = tf.train.QueueRunner(q, [q.enqueue(value)])
    assert runner.name == q.name and runner.close_op is not None and runner.cancel_op is not None
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = runner.create_threads(sess, coord=coord, start=True)
        assert len(threads) == 2  # the enqueue thread and the one closing the queue on stop
        assert runner.create_threads(sess, coord=coord) == []  # already running in this session
        release.set()
        with pytest.raises(tf.errors.InvalidArgumentError, match="broken input"):
            coord.join(threads, stop_grace_period_secs=10)
        assert sess.run(q.is_closed())


def test_a_queue_feeding_gpu_ops_runs_under_the_gpu_placement(emulated_gpu):
    """On a machine with a GPU (here its CPU emulation) a default session places the model on it; the queue's
    ops, made under the same /gpu:0 scope, stay on the CPU and feed it."""
    with tf.device("/gpu:0"):
        q = tf.FIFOQueue(4, tf.float32, shapes=[[2, 2]])
        fill = q.enqueue_many([tf.reshape(tf.range(8, dtype=tf.float32), [2, 2, 2])])
        x = q.dequeue()
        y = tf.matmul(x, x)
        again = q.enqueue([y])
    with tf.Session() as sess:
        sess.run(fill)
        first = np.arange(4, dtype=np.float32).reshape(2, 2)
        np.testing.assert_allclose(sess.run(y), first @ first)
        sess.run(again)  # the second element squared, put back
        second = np.arange(4, 8, dtype=np.float32).reshape(2, 2)
        assert sess.run(q.size()) == 1
        np.testing.assert_allclose(sess.run(x), second @ second)


def test_slim_prefetch_queue_hands_each_tower_a_whole_batch():
    """cifar10_multi_gpu_train: batches from tf.train.batch prefetched into a FIFOQueue that each tower dequeues."""
    data = np.arange(12, dtype=np.float32).reshape(6, 2)
    row, label = tf.train.slice_input_producer([data, np.arange(6, dtype=np.int32)], shuffle=False)
    images, labels = tf.train.batch([row, label], batch_size=3)
    batch_queue = tf.contrib.slim.prefetch_queue.prefetch_queue([images, labels], capacity=4)
    towers = [batch_queue.dequeue() for _ in range(2)]
    assert towers[0][0].shape.as_list() == [3, 2] and towers[0][1].dtype == tf.int32
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        got = sess.run(towers)
        coord.request_stop()
        coord.join(threads)
    seen = sorted(int(v) for _, lab in got for v in lab)
    assert seen == list(range(6))
    for rows, lab in got:
        np.testing.assert_array_equal(rows, data[lab])


def test_range_input_producer_takes_a_limit_the_graph_fixes():
    """The PTB reader: range_input_producer(tf.identity(epoch_size)) under an assert_positive on epoch_size."""
    data = tf.constant(np.arange(11, dtype=np.int32))
    epoch_size = (tf.size(data) - 1) // 3
    with tf.control_dependencies([tf.assert_positive(epoch_size, message="epoch_size == 0")]):
        epoch_size = tf.identity(epoch_size, name="epoch_size")
    i = tf.train.range_input_producer(epoch_size, shuffle=False).dequeue()
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        assert [int(sess.run(i)) for _ in range(4)] == [0, 1, 2, 0]
        coord.request_stop()
        coord.join(threads)
    with pytest.raises(ValueError, match="range_input_producer: the limit fed:0 must have a value known"):
        tf.train.range_input_producer(tf.placeholder(tf.int32, [], name="fed"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="epoch_size == 0"):
        tiny = (tf.size(tf.constant([1])) - 1) // 3
        with tf.control_dependencies([tf.assert_positive(tiny, message="epoch_size == 0")]):
            tf.train.range_input_producer(tf.identity(tiny))


def test_config_operation_timeout_in_ms_is_the_deadline_of_each_runs_blocking_ops():
    # handson-ml ch12: ConfigProto.operation_timeout_in_ms=1000, then a dequeue from an empty queue raises
    # DeadlineExceededError (TF 2.21: "Timed out waiting for notification"); RunOptions.timeout_in_ms overrides it
    q = tf.FIFOQueue(capacity=10, dtypes=[tf.float32], shapes=[()])
    value = tf.placeholder(tf.float32)
    enqueue, output = q.enqueue([value]), q.dequeue() + 1
    config = tf.ConfigProto()
    config.operation_timeout_in_ms = 200
    with tf.Session(config=config) as sess:
        sess.run(enqueue, feed_dict={value: 1.0})
        assert sess.run(output) == 2.0
        with pytest.raises(tf.errors.DeadlineExceededError, match="Timed out waiting for notification"):
            sess.run(output)
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(output, options=_short(300))
