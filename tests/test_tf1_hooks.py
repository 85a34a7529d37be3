"""tf.train's hooks, Coordinator, SessionManager, Supervisor and basic_train_loop: behaviour TF1 defines."""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
import pytest

import dfc as tf


def _counter_model():
    tf.reset_default_graph()
    step = tf.train.get_or_create_global_step()
    loss = tf.placeholder_with_default(1.0, [], name="loss")
    train = tf.assign_add(step, 1)
    return step, loss, train


def test_nan_tensor_hook_raises_or_stops():
    step, loss, train = _counter_model()
    with tf.train.SingularMonitoredSession(hooks=[tf.train.NanTensorHook(loss)]) as sess:
        sess.run(train)
        with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss during training"):
            sess.run(train, {loss: float("nan")})
    with tf.train.SingularMonitoredSession(hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=False)]) as sess:
        sess.run(train, {loss: float("nan")})
        assert sess.should_stop()


def test_logging_tensor_hook_logs_every_n_iter(caplog):
    step, loss, train = _counter_model()
    hook = tf.train.LoggingTensorHook({"step": step, "loss": loss}, every_n_iter=2)
    with caplog.at_level(logging.INFO, logger="dfc"):
        with tf.train.SingularMonitoredSession(hooks=[hook]) as sess:
            for _ in range(5):
                sess.run(train)
    lines = [r.getMessage() for r in caplog.records if "step =" in r.getMessage()]
    # iterations 0, 2 and 4; a fetched variable has the value after the run's update, as in TF1
    assert [line.split(" (")[0] for line in lines] == ["loss = 1.0, step = 1", "loss = 1.0, step = 3",
                                                       "loss = 1.0, step = 5"]
    with pytest.raises(ValueError, match="exactly one of every_n_iter"):
        tf.train.LoggingTensorHook([loss])


def test_final_ops_feed_fn_and_listener_hooks(tmp_path):
    step, loss, train = _counter_model()
    fed = []
    final = tf.train.FinalOpsHook(step)

    class StopAfterSecondSave(tf.train.CheckpointSaverListener):
        def after_save(self, session, global_step_value):
            fed.append(("saved", global_step_value))
            return global_step_value >= 2
    hooks = [tf.train.FeedFnHook(lambda: {loss: 3.0}), final,
             tf.train.CheckpointSaverHook(str(tmp_path), save_steps=2, listeners=[StopAfterSecondSave()])]
    with tf.train.SingularMonitoredSession(hooks=hooks) as sess:
        values = []
        while not sess.should_stop():
            values.append(sess.run(loss))
            sess.run(train)
    assert values == [3.0, 3.0] and final.final_ops_values == 2
    assert fed == [("saved", 0), ("saved", 2)]
    with pytest.raises(RuntimeError, match="Same tensor is fed"):
        with tf.train.SingularMonitoredSession(hooks=[tf.train.FeedFnHook(lambda: {loss: 3.0})]) as sess:
            sess.run(train, {loss: 1.0})


def test_second_or_step_timer_and_global_step_helpers():
    timer = tf.train.SecondOrStepTimer(every_steps=3)
    assert timer.should_trigger_for_step(0)
    assert timer.update_last_triggered_step(0) == (None, None)
    assert not timer.should_trigger_for_step(2) and timer.should_trigger_for_step(3)
    with pytest.raises(ValueError):
        tf.train.SecondOrStepTimer()
    step, _, train = _counter_model()
    tf.train.assert_global_step(step)
    with pytest.raises(TypeError, match="integer"):
        tf.train.assert_global_step(tf.Variable(1.0))
    with tf.Session() as sess:
        sess.run(step.initializer)
        sess.run(train)
        assert tf.train.global_step(sess, step) == 1


def test_global_step_waiter_hook_waits_for_the_chief():
    step, loss, train = _counter_model()
    with tf.train.SingularMonitoredSession(hooks=[tf.train.GlobalStepWaiterHook(2)]) as sess:
        raw = sess.raw_session()
        threading.Timer(0.2, lambda: [raw.run(train) for _ in range(2)]).start()
        started = time.monotonic()
        sess.run(loss)
        assert raw.run(step) >= 2 and time.monotonic() - started >= 0.1


def test_coordinator_stops_threads_and_reraises():
    coord = tf.train.Coordinator()
    seen = []

    def worker(i):
        with coord.stop_on_exception():
            while not coord.should_stop():
                if i == 1:
                    raise RuntimeError("worker 1 failed")
                time.sleep(0.01)
            seen.append(i)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    with pytest.raises(RuntimeError, match="worker 1 failed"):
        coord.join(threads)
    assert sorted(seen) == [0, 2] and coord.joined
    coord.clear_stop()
    assert not coord.should_stop()
    ticks = []
    looper = tf.train.LooperThread.loop(coord, 0.01, ticks.append, args=(1,))
    time.sleep(0.1)
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "input done"))  # a clean stop: nothing re-raised
    coord.join([looper])
    assert len(ticks) >= 2
    with pytest.raises(ValueError, match="Coordinator"):
        tf.train.LooperThread("not a coordinator", 1)


def test_session_manager_and_supervisor(tmp_path):
    step, loss, train = _counter_model()
    v = tf.Variable(5.0, name="v")
    manager = tf.train.SessionManager(ready_op=tf.report_uninitialized_variables())
    with pytest.raises(RuntimeError, match="not initialized and no init_op"):
        manager.prepare_session("")
    with pytest.raises(RuntimeError, match="did not make model ready"):
        manager.prepare_session("", init_op=v.initializer)
    sess = manager.prepare_session("", init_op=tf.global_variables_initializer())
    assert sess.run(v) == 5.0
    saver = tf.train.Saver()
    sess.run(train)
    saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
    recovered, ok = manager.recover_session("", saver=saver, checkpoint_dir=str(tmp_path))
    assert ok and recovered.run(step) == 1
    _, ok = manager.recover_session("", saver=saver, checkpoint_dir=str(tmp_path / "empty"))
    assert not ok

    calls = []

    def train_step(session):
        calls.append(session.run(train))
        if len(calls) == 3:
            supervisor.request_stop()
    supervisor = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0, save_summaries_secs=0)
    tf.train.basic_train_loop(supervisor, train_step)
    assert calls == [2, 3, 4]  # restored step 1 from the logdir's checkpoint
    assert tf.get_default_graph().finalized
    with pytest.raises(ValueError, match="boom"):
        with supervisor.managed_session() as sess:
            raise ValueError("boom")


def test_monitored_training_session_writes_step_rate_summaries(tmp_path):
    step, loss, train = _counter_model()
    tf.summary.scalar("loss_value", loss)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_summaries_steps=2,
                                           log_step_count_steps=2, save_checkpoint_steps=100) as sess:
        for _ in range(5):
            sess.run(train)
    tags = set()
    import glob
    for path in glob.glob(str(tmp_path / "events.out.tfevents.*")):
        for event in tf.train.summary_iterator(path):
            tags.update(v.tag for v in event.summary.value)
    assert {"loss_value", "global_step/sec"} <= tags
    assert np.isfinite(tf.train.load_variable(str(tmp_path), "global_step"))


def test_noisy_linear_cosine_decay():
    tf.reset_default_graph()
    step = tf.placeholder(tf.int64, [])
    exact = tf.train.linear_cosine_decay(0.1, step, 100)
    quiet = tf.train.noisy_linear_cosine_decay(0.1, step, 100, initial_variance=0.0)
    noisy = tf.train.noisy_linear_cosine_decay(0.1, step, 100, initial_variance=1.0)
    with tf.Session() as sess:
        for s in (0, 10, 50, 150):
            a, b = sess.run([exact, quiet], {step: s})
            assert a == pytest.approx(b, rel=1e-6)
        draws = {float(sess.run(noisy, {step: 10})) for _ in range(5)}
        assert len(draws) > 1  # drawn anew each run
        # after decay_steps the cosine factor is zero at num_periods=0.5: only beta is left
        assert sess.run(noisy, {step: 100}) == pytest.approx(0.1 * 0.001, rel=1e-5)


def test_queue_runners_and_queue_input_errors():
    tf.reset_default_graph()
    counter = tf.Variable(0, name="counter")
    bump = tf.assign_add(counter, 1)
    runner = tf.train.QueueRunner(None, [bump])
    tf.train.add_queue_runner(runner)
    with pytest.raises(ValueError, match="No default session"):
        tf.train.start_queue_runners()
    with tf.Session() as sess:
        sess.run(counter.initializer)
        coord = tf.train.Coordinator()
        threads = tf.train.queue_runner.start_queue_runners(sess=sess, coord=coord)
        assert len(threads) == 1
        while sess.run(counter) < 5:
            time.sleep(0.01)
        coord.request_stop()
        coord.join(threads)
    with pytest.raises(ValueError, match="min_after_dequeue"):
        tf.train.shuffle_batch([tf.constant(1)], 2, capacity=4, min_after_dequeue=4)
    tf.reset_default_graph()
    (item,) = tf.train.slice_input_producer([np.arange(3)], num_epochs=1, shuffle=False)
    batch = tf.train.batch([item], batch_size=2)
    assert batch.shape.as_list() == [2] and batch.name == "batch:0"
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="local_variables_initializer"):
            sess.run(batch)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(batch).tolist() == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError, match="requested 2, current size 1"):
            sess.run(batch)
