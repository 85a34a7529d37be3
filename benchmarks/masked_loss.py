"""A language model's masked loss, whose count of kept tokens changes every batch, in dfc and TF1.

An embedding + LSTM (dynamic_rnn over 20 steps, batch 32, 64 units, 50 words) whose per-token
losses go through `tf.boolean_mask(losses, tf.sequence_mask(lengths))` with random lengths, trained
with Adam: every batch keeps a different number of tokens. dfc compiles a step per count for the
first counts, then one step whose masked ops run on the host (runtime/run_plan.py, values_vary).

`python -m benchmarks.masked_loss` times it in dfc and, when importable (or given with
`--python-for tf=/path/to/python`), in TF1's Session, each in its own process: the first step, the
median step over the rest, and TF's time over dfc's (above 1: dfc is faster).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

BATCH, STEPS_IN, WORDS, UNITS = 32, 20, 50, 64


def run(tf, steps: int) -> dict:
    """Train `steps` batches; the first step's seconds and the median of the others."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        ids = tf.placeholder(tf.int32, [BATCH, STEPS_IN])
        lengths = tf.placeholder(tf.int32, [BATCH])
        embedding = tf.get_variable("embedding", [WORDS, UNITS])
        cell = tf.nn.rnn_cell.LSTMCell(UNITS)
        outputs, _ = tf.nn.dynamic_rnn(cell, tf.nn.embedding_lookup(embedding, ids), sequence_length=lengths,
                                       dtype=tf.float32)
        logits = tf.layers.dense(outputs, WORDS)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=logits)
        loss = tf.reduce_mean(tf.boolean_mask(losses, tf.sequence_mask(lengths, STEPS_IN)))
        train = tf.train.AdamOptimizer(1e-3).minimize(loss)
        init = tf.global_variables_initializer()
    rng = np.random.default_rng(0)
    times = []
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        for _ in range(steps):
            feed = {ids: rng.integers(0, WORDS, (BATCH, STEPS_IN)), lengths: rng.integers(1, STEPS_IN + 1, BATCH)}
            start = time.perf_counter()
            sess.run([loss, train], feed)
            times.append(time.perf_counter() - start)
    return {"first_s": times[0], "median_s": float(np.median(times[1:]))}


def _worker(framework: str, steps: int) -> None:
    if framework == "dfc":
        import dfc as tf
    else:
        import os
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
    print(json.dumps(run(tf, steps)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--python-for", action="append", default=[], help="tf=/path/to/python")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.steps)
        return
    pythons = {"dfc": sys.executable, "tf": sys.executable}
    pythons.update(dict(spec.split("=", 1) for spec in args.python_for))
    results = {}
    for framework, python in pythons.items():
        done = subprocess.run([python, "-m", "benchmarks.masked_loss", "--worker", framework, "--steps",
                               str(args.steps)], capture_output=True, text=True)
        lines = done.stdout.strip().splitlines()
        if done.returncode == 0 and lines:
            results[framework] = json.loads(lines[-1])
        else:
            print(f"{framework}: not measured ({(done.stderr.strip().splitlines() or ['failed'])[-1]})")
    base = results.get("dfc")
    for framework, r in results.items():
        ratio = f"  {r['median_s'] / base['median_s']:.2f}x dfc's" if base and framework != "dfc" else ""
        print(f"{framework:4s} first step {r['first_s'] * 1e3:8.1f} ms   "
              f"median step {r['median_s'] * 1e3:7.2f} ms{ratio}")


if __name__ == "__main__":
    main()
