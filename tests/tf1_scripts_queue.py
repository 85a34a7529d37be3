"""Whole TF1 scripts over queues (tf.FIFOQueue and friends, QueueRunners), written once for real TF and dfc.

tests/record_queue_scripts.py records what TensorFlow computes (tests/data/tf_expectations/script_<name>.npz);
tests/test_queues.py runs them with dfc and compares. Only values TF makes deterministic are recorded: a
RandomShuffleQueue's order is its own random stream, so of it only what every order shares is kept.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32


def queue_runner_training_script(tf, Session) -> dict[str, np.ndarray]:
    """The classic TF1 input pipeline: slice_input_producer -> a FIFOQueue filled by a QueueRunner thread ->
    dequeue_many batches -> a linear classifier trained with SGD until OutOfRangeError after num_epochs."""
    rng = np.random.default_rng(11)
    features = rng.standard_normal((12, 3)).astype(F32)
    labels = (features @ np.array([1.0, -2.0, 0.5], F32) > 0).astype(np.int32)
    with tf.name_scope("input"):
        x1, y1 = tf.train.slice_input_producer([features, labels], num_epochs=2, shuffle=False)
        queue = tf.FIFOQueue(capacity=6, dtypes=[tf.float32, tf.int32], shapes=[[3], []], name="examples")
        enqueue = queue.enqueue([x1 * 2.0, y1])
        tf.train.add_queue_runner(tf.train.QueueRunner(queue, [enqueue]))
        xb, yb = queue.dequeue_many(5)
    with tf.variable_scope("model"):
        w = tf.get_variable("w", [3, 2], initializer=tf.constant_initializer(
            rng.standard_normal((3, 2)).astype(F32) * 0.3))
        b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
    logits = tf.matmul(xb, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
    global_step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.2).minimize(loss, global_step=global_step)
    losses, batches = [], []
    with Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        try:
            while not coord.should_stop():
                _, value, got = sess.run([train, loss, yb])
                losses.append(value)
                batches.append(got)
        except tf.errors.OutOfRangeError:
            ended = 1
        finally:
            coord.request_stop()
        coord.join(threads)
        final = sess.run({"w": w, "b": b, "step": global_step})
        closed = sess.run(queue.is_closed())
        left = sess.run(queue.size())
    return {"losses": np.array(losses), "labels": np.array(batches), "ended": np.array(ended), "w": final["w"],
            "b": final["b"], "step": final["step"], "closed": closed, "left": left}


def queue_kinds_script(tf, Session) -> dict[str, np.ndarray]:
    """Each kind of queue in one session: FIFO order with enqueue_many/dequeue_up_to and close, a
    PaddingFIFOQueue's padded batches, a PriorityQueue's order, a RandomShuffleQueue's elements (as a set)
    and the queue-as-counter idiom of TF's own tutorial (dequeue, add one, enqueue)."""
    fifo = tf.FIFOQueue(10, [tf.int32, tf.float32], shapes=[[], [2]], name="fifo")
    fill = fifo.enqueue_many([tf.range(4), tf.reshape(tf.range(8, dtype=tf.float32), [4, 2])])
    pair = fifo.dequeue()
    first_two = fifo.dequeue_many(2)
    rest = fifo.dequeue_up_to(5)
    close = fifo.close()
    lengths = tf.placeholder(tf.float32, [None])
    padding = tf.PaddingFIFOQueue(5, [tf.float32, tf.int32], shapes=[[None], []])
    pad_in = padding.enqueue([lengths, tf.size(lengths)])
    padded = padding.dequeue_many(3)
    priority = tf.PriorityQueue(8, [tf.float32], shapes=[[]])
    by_priority = priority.enqueue_many([tf.constant([5, 1, 3, 2], tf.int64), tf.constant([50., 10., 30., 20.])])
    ordered = priority.dequeue_many(4)
    shuffled = tf.RandomShuffleQueue(20, 3, tf.int32, shapes=[[]], seed=5)
    shuffle_in = shuffled.enqueue_many([tf.range(10)])
    drawn = shuffled.dequeue_many(7)
    counter = tf.FIFOQueue(3, "float")
    counter_init = counter.enqueue_many(([0.0, 0.0, 0.0],))
    bumped = counter.dequeue() + 1
    bump = counter.enqueue([bumped])
    out = {}
    with Session() as sess:
        sess.run(fill)
        out["size_full"] = sess.run(fifo.size())
        out["pair_i"], out["pair_f"] = sess.run(pair)
        out["two_i"], out["two_f"] = sess.run(first_two)
        sess.run(close)
        out["rest_i"], out["rest_f"] = sess.run(rest)
        try:
            sess.run(pair)
        except tf.errors.OutOfRangeError:
            out["drained"] = np.array(1)
        try:
            sess.run(fill)
        except tf.errors.CancelledError:
            out["refused"] = np.array(1)
        for n in ([1.0], [1.0, 2.0, 3.0], [4.0, 5.0]):
            sess.run(pad_in, {lengths: n})
        out["padded"], out["padded_n"] = sess.run(padded)
        sess.run(by_priority)
        out["priorities"], out["prioritized"] = sess.run(ordered)
        sess.run(shuffle_in)
        got = sess.run(drawn)
        out["drawn_sorted_size"] = np.array([len(set(got.tolist())), sess.run(shuffled.size())])
        sess.run(shuffled.close())
        left = sess.run(shuffled.dequeue_up_to(10))
        out["all_drawn"] = np.sort(np.concatenate([got, left]))
        sess.run(counter_init)
        for _ in range(5):
            sess.run(bump)
        out["counter"] = np.array([sess.run(counter.dequeue()) for _ in range(3)])
    return out


def sync_replicas_script(tf, Session) -> dict[str, np.ndarray]:
    """SyncReplicasOptimizer with one replica in one process, as a chief runs it by hand: chief_init_op, the
    init tokens, the chief's queue runner; its losses and weights step by step (TF's second gradient is stale:
    the first token carries global step 0, so it is dropped and that run changes nothing). A
    ConditionalAccumulator on its own: the mean of the gradients, stale ones dropped, set_global_step."""
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[1.0], [2.0]])
    w = tf.get_variable("w", [2, 1], initializer=tf.constant_initializer(0.1))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    global_step = tf.train.get_or_create_global_step()
    opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.05), replicas_to_aggregate=1,
                                         total_num_replicas=1)
    train = opt.minimize(loss, global_step=global_step)
    accumulator = tf.ConditionalAccumulator(tf.float32, shape=[2], name="acc")
    grad = tf.placeholder(tf.float32, [2])
    local_step = tf.placeholder(tf.int64, [])
    apply = accumulator.apply_grad(grad, local_step=local_step)
    mean = accumulator.take_grad(2)
    out = {"losses": [], "weights": []}
    with Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        sess.run(opt.chief_init_op)
        sess.run(opt.get_init_tokens_op())
        opt.get_chief_queue_runner().create_threads(sess, coord=coord, daemon=True, start=True)
        for _ in range(6):
            out["losses"].append(sess.run([train, loss])[1])
            out["weights"].append(sess.run(w))
        coord.request_stop()  # its runner waits in take_grad for a gradient no one sends: not joined
        sess.run(apply, {grad: [1.0, 2.0], local_step: 0})
        sess.run(apply, {grad: [3.0, 5.0], local_step: 0})
        out["count"] = sess.run(accumulator.num_accumulated())
        out["mean"] = sess.run(mean)
        sess.run(apply, {grad: [9.0, 9.0], local_step: 0})  # older than the accumulator's step 1: dropped
        out["stale_count"] = sess.run(accumulator.num_accumulated())
        sess.run(accumulator.set_global_step(5))
        sess.run(apply, {grad: [1.0, 1.0], local_step: 5})
        sess.run(apply, {grad: [2.0, 4.0], local_step: 6})
        out["mean_after_set"] = sess.run(mean)
    return {k: np.array(v) for k, v in out.items()}


def maybe_batch_script(tf, Session) -> dict[str, np.ndarray]:
    """tf.train.maybe_batch keeping the multiples of 3 of a producer's elements, until OutOfRangeError; and with
    enqueue_many, a keep flag per example."""
    (item,) = tf.train.slice_input_producer([np.arange(10, dtype=np.int32)], num_epochs=1, shuffle=False)
    kept = tf.train.maybe_batch([item], tf.equal(item % 3, 0), batch_size=2)
    many = tf.train.maybe_batch([tf.constant([1, 2, 3, 4])], tf.constant([True, False, True, True]), 2,
                                enqueue_many=True)
    with Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        batches = [sess.run(kept), sess.run(kept)]
        try:
            sess.run(kept)
            ended = 0
        except tf.errors.OutOfRangeError:
            ended = 1
        flagged = [sess.run(many), sess.run(many)]
        coord.request_stop()
        coord.join(threads)
    return {"batches": np.array(batches), "ended": np.array(ended), "flagged": np.array(flagged)}


SCRIPTS = {"queue_runner_training": queue_runner_training_script, "queue_kinds": queue_kinds_script,
           "sync_replicas": sync_replicas_script, "maybe_batch": maybe_batch_script}
