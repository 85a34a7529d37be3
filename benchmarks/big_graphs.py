"""`python -m benchmarks big`: big graphs (chains, deep MLPs, many constants, long loops, big feeds), dfc beside TF1.

Each workload is built at size n and 2n in a fresh process (an empty dfc compilation cache) and timed in
three parts: building the graph, the first `Session.run` (compilation included) and a second run; the
process's peak resident memory is reported beside them. "growth" is the first run's CPU time (the process's,
without compile workers still running) at 2n over that at n: about 2 for work linear in the graph's size, about 4 for
quadratic work. TF1 (tensorflow.compat.v1, when
importable by the interpreter given with `--python-for tf=PATH` or DFC_BENCH_PYTHON) runs the same script;
its column shows its times over dfc's (above 1: dfc is faster).

The worker (this file run as a script with `--worker`) imports only numpy and the framework it times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

#: workload -> (description, n); each also runs at 2n
WORKLOADS = {
    "chain": ("elementwise chain of n ops on 1000 floats", 2000),
    "mlp": ("n-layer MLP (dense 64, relu) training step", 200),
    "consts": ("n products of two constants, summed", 5000),
    "while": ("tf.while_loop of n iterations", 100_000),
    "feed": ("a feed of n MB, summed", 100),
    "slices": ("generated code: n slice+add+concat steps", 1000),
    "fetches": ("a dict of n fetches reduce_sum(x * c_i)", 100),
    "lstm": ("static_rnn LSTM(32), n steps, Momentum step", 100),
}


def build(tf, np, kind: str, n: int):
    """The workload's fetches and feeds, built with `tf` (dfc or tensorflow.compat.v1)."""
    if kind == "chain":
        x = tf.placeholder(tf.float32, [1000])
        y = x
        for i in range(n):
            y = y * 1.0001 + 0.001 if i % 2 == 0 else tf.tanh(y)
        return tf.reduce_sum(y), {x: np.ones(1000, np.float32)}
    if kind == "mlp":
        x = tf.placeholder(tf.float32, [32, 64])
        h = x
        for _ in range(n):
            h = tf.layers.dense(h, 64, activation=tf.nn.relu)
        loss = tf.reduce_mean(tf.square(h))
        return [loss, tf.train.GradientDescentOptimizer(0.01).minimize(loss)], {x: np.ones((32, 64), np.float32)}
    if kind == "consts":
        return tf.add_n([tf.constant(float(i)) * tf.constant(np.full(4, i, np.float32)) for i in range(n)]), {}
    if kind == "while":
        _, total = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + tf.cast(i, tf.float32) * 1e-6),
                                 [tf.constant(0), tf.constant(0.0)])
        return total, {}
    if kind == "slices":  # code generators' long chains of small slices and concats
        x = tf.placeholder(tf.float32, [64])
        y = x
        for i in range(n):
            y = tf.concat([tf.slice(y, [i % 8], [32]) + tf.slice(y, [0], [32]), y[32:] * 1.0001], 0)
        return tf.reduce_sum(y), {x: np.ones(64, np.float32)}
    if kind == "fetches":
        x = tf.placeholder(tf.float32, [10])
        return {f"t{i}": tf.reduce_sum(x * (i + 0.5)) for i in range(n)}, {x: np.ones(10, np.float32)}
    if kind == "lstm":
        xs = [tf.placeholder(tf.float32, [8, 16]) for _ in range(n)]
        outputs, _ = tf.nn.static_rnn(tf.nn.rnn_cell.BasicLSTMCell(32), xs, dtype=tf.float32)
        loss = tf.reduce_mean(tf.square(tf.add_n(outputs)))
        return [loss, tf.train.MomentumOptimizer(0.01, 0.9).minimize(loss)], {x: np.ones((8, 16), np.float32)
                                                                               for x in xs}
    if kind == "feed":
        x = tf.placeholder(tf.float32, [None])
        return tf.reduce_sum(x * 2.0), {x: np.ones(n * (1 << 20) // 4, np.float32)}
    raise ValueError(f"no workload {kind!r}")


def worker(framework: str, kind: str, n: int) -> dict:
    import resource
    import time

    import numpy as np
    if framework == "tf":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.layers as TF1's (tf-keras)
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
    else:
        import dfc as tf
        tf.constant  # noqa: B018 - load the lazily loaded DSL before the clock starts
    def cpu() -> float:  # CPU seconds of this process (and of compile workers that exited): steadier than wall
        # time on a busy machine
        return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                   for f in ("ru_utime", "ru_stime"))

    start = time.perf_counter()
    fetches, feed = build(tf, np, kind, n)
    built = time.perf_counter()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first_start, first_cpu = time.perf_counter(), cpu()
        sess.run(fetches, feed)
        first, first_cpu = time.perf_counter(), cpu() - first_cpu
        sess.run(fetches, feed)
        again = time.perf_counter()
    return {"build": built - start, "first": first - first_start, "first_cpu": first_cpu, "again": again - first,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(python: str, framework: str, kind: str, n: int, timeout: float = 900) -> dict | str:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "DFC_CACHE_DIR": cache}
        try:
            done = subprocess.run([python, os.path.abspath(__file__), "--worker", framework, kind, str(n)],
                                  capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return "timeout"
    if done.returncode != 0:
        return f"failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_suite(python: dict[str, str], wanted: list[str] | None = None) -> str:
    """The table: for each workload at n and 2n, dfc's build/first/again seconds and peak MB, TF's over dfc's."""
    lines = [f"{'workload':<48} {'n':>7} {'build s':>8} {'first s':>8} {'cpu s':>7} {'again s':>8} {'peak MB':>8}"
             f"  {'growth (cpu)':>12}  {'TF first/dfc':>12}"]
    for kind in wanted or list(WORKLOADS):
        what, n = WORKLOADS[kind]
        previous = None
        for size in (n, 2 * n):
            ours = measure(sys.executable, "dfc", kind, size)
            theirs = measure(python["tf"], "tf", kind, size) if "tf" in python else None
            if isinstance(ours, str):
                lines.append(f"{what:<48} {size:>7} {ours}")
                continue
            growth = f"{ours['first_cpu'] / previous['first_cpu']:.2f}x" if previous else ""
            ratio = f"{theirs['first'] / ours['first']:.2f}" if isinstance(theirs, dict) else (theirs or "-")
            lines.append(f"{what:<48} {size:>7} {ours['build']:>8.2f} {ours['first']:>8.2f} {ours['first_cpu']:>7.2f} "
                         f"{ours['again']:>8.3f} {ours['rss_mb']:>8.0f}  {growth:>12}  {ratio:>12}")
            previous = ours
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    else:
        tf_python = os.environ.get("DFC_BENCH_PYTHON", "").removeprefix("tf=")
        print(run_suite({"tf": tf_python} if tf_python else {}, sys.argv[1:] or None))
