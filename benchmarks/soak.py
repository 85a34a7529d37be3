"""Soak test: threads x runs of locked training steps, counter updates and reads on one Session; RSS flat, sums exact.

    python benchmarks/soak.py                          # 8 threads x 100,000 runs per thread (long)
    python benchmarks/soak.py --runs 2000 --backend interpreter

Every thread mixes three kinds of run on shared variables: a GradientDescent step (use_locking=True, which
also bumps global_step), an assign_add of ones on a 100k-element counter (use_locking=True) and a read of
both. At the end global_step must equal the number of training steps and every counter element the number
of increments. The process's resident memory is sampled after a warm-up and at the end; it must not grow by
more than --rss-slack MiB. Exits non-zero when any check fails.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

import numpy as np

import dfc as tf


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=100_000, help="runs per thread")
    parser.add_argument("--backend", default="cpu", choices=["cpu", "interpreter"])
    parser.add_argument("--size", type=int, default=100_000, help="elements of the shared counter")
    parser.add_argument("--rss-slack", type=float, default=32.0, help="MiB the RSS may grow after warm-up")
    args = parser.parse_args()

    w = tf.Variable(tf.zeros((64,)), name="w")
    counter = tf.Variable(tf.zeros((args.size,)), name="counter")
    step = tf.train.get_or_create_global_step()
    x = tf.placeholder(tf.float32, (64,), name="x")
    loss = tf.reduce_sum(tf.square(w - x))
    train = tf.train.GradientDescentOptimizer(0.001, use_locking=True).minimize(loss, global_step=step)
    bump = counter.assign_add(tf.ones((args.size,)), use_locking=True)
    read = [tf.reduce_sum(w), tf.reduce_min(counter)]
    sess = tf.Session(backend=args.backend)
    sess.run(tf.global_variables_initializer())
    feed = {x: np.ones(64, np.float32)}

    counts = [[0, 0, 0] for _ in range(args.threads)]
    errors: list[BaseException] = []
    warm = max(1, args.runs // 10)
    barrier = threading.Barrier(args.threads + 1)

    def work(k: int) -> None:
        try:
            for i in range(args.runs):
                if i == warm:
                    barrier.wait()
                kind = (i + k) % 3
                if kind == 0:
                    sess.run(train, feed)
                elif kind == 1:
                    sess.run(bump.op)
                else:
                    total, low = sess.run(read)
                    assert np.isfinite(total) and low >= 0
                counts[k][kind] += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
            barrier.abort()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(args.threads)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    rss_warm = rss_mib()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    rss_end = rss_mib()
    trains = sum(c[0] for c in counts)
    bumps = sum(c[1] for c in counts)
    got_step = int(sess.run(step))
    got_counter = sess.run(counter)
    runs = args.threads * args.runs
    print(f"soak: {args.threads} threads x {args.runs} runs on {args.backend} in {elapsed:.1f} s "
          f"({runs / elapsed:,.0f} runs/s)")
    print(f"  global_step {got_step} (expected {trains}); counter min {got_counter.min():.0f} max "
          f"{got_counter.max():.0f} (expected {bumps})")
    print(f"  RSS {rss_warm:.1f} MiB after warm-up, {rss_end:.1f} MiB at the end ({rss_end - rss_warm:+.1f} MiB)")
    ok = not errors and got_step == trains and got_counter.min() == got_counter.max() == bumps and \
        rss_end - rss_warm <= args.rss_slack
    for e in errors[:3]:
        print(f"  error: {type(e).__name__}: {e}")
    print("  OK" if ok else "  FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
