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


SCRIPTS = {"queue_runner_training": queue_runner_training_script, "queue_kinds": queue_kinds_script}
