"""`python -m benchmarks.distributed`: steps/s of parameter-server programs on one process, the embedded engine and Ray.

Workloads: the seed's program (variables on a ps, a 100x784 batch split over N workers,
one matmul each; a forward step) and an MLP training step (784-256-10, batch 256, split over
N workers, gradient descent applied on the ps), each with N = 1, 2, 4 workers; plus the
per-step overhead of each engine on a trivial step (one scalar add on a worker reading a ps
variable). Each row prints steps/s and the ratio to one process (above 1: faster than one
process).

What a 2-core machine can show, honestly: the engines' overhead (per-step cost of staging,
hand-offs and, on Ray, actor calls and object-store transfers) and that the numbers agree;
not speed-up. With 2 cores, 4 worker tasks compete for the same cores as the one-process
run, whose kernels already use both; more workers cost more there. A real speed-up needs
tasks on separate machines (docs/distributed.md), where each worker's matmuls get their own
cores and the ps traffic goes over the network.

Ray listens on all interfaces; on a shared machine run it in a private network namespace:
    unshare -n sh -c 'ip link set lo up; python -m benchmarks.distributed --ray'
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

from .__main__ import timeit


def seed_program(workers: int):
    """The seed's parameter-server graph with `workers` worker tasks: (fetches, feeds) of its forward step."""
    import dfc as tf
    tf.reset_default_graph()
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, (100, 784))
    with tf.device("/job:ps/task:0/cpu:0"):
        W = tf.Variable(tf.random_uniform((784, 100), -1, 1))
        b = tf.Variable(tf.zeros((100,)))
    parts = tf.split(0, workers, x)
    outputs = []
    for i in range(workers):
        with tf.device(f"/job:worker/task:{i}"):
            outputs.append(tf.matmul(parts[i], W) + b)
    batch = np.random.default_rng(0).random((100, 784)).astype(np.float32)
    return outputs, {x: batch}


def mlp_training(workers: int):
    import dfc as tf
    tf.reset_default_graph()
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, (256, 784))
    labels = tf.placeholder(tf.float32, (256, 10))
    with tf.device("/job:ps/task:0"):
        w1 = tf.Variable(tf.random_normal((784, 256), stddev=0.05))
        b1 = tf.Variable(tf.zeros((256,)))
        w2 = tf.Variable(tf.random_normal((256, 10), stddev=0.05))
        b2 = tf.Variable(tf.zeros((10,)))
    xs, ys = tf.split(0, workers, x), tf.split(0, workers, labels)
    losses = []
    for i in range(workers):
        with tf.device(f"/job:worker/task:{i}"):
            h = tf.nn.relu(tf.matmul(xs[i], w1) + b1)
            losses.append(tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=ys[i],
                                                                                 logits=tf.matmul(h, w2) + b2)))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.add_n(losses) / float(workers))
    rng = np.random.default_rng(0)
    feeds = {x: rng.random((256, 784)).astype(np.float32),
             labels: np.eye(10, dtype=np.float32)[rng.integers(0, 10, 256)]}
    return train, feeds


def trivial(workers: int):
    import dfc as tf
    tf.reset_default_graph()
    with tf.device("/job:ps/task:0"):
        v = tf.Variable(1.0)
    with tf.device("/job:worker/task:0"):
        y = v + 1.0
    return y, {}


WORKLOADS = {"seed program (forward)": seed_program, "MLP training step": mlp_training,
             "trivial step (overhead)": trivial}


def measure(build: Callable, workers: int, engine: str, ray_clusters: dict) -> float:
    import dfc as tf
    fetches, feeds = build(workers)
    if engine == "one process":
        sess = tf.Session(config=tf.ConfigProto(allow_soft_placement=True))
    elif engine == "embedded":
        sess = tf.Session()
    else:
        if workers not in ray_clusters:
            ray_clusters[workers] = tf.distribute.ray_cluster({"ps": 1, "worker": workers}, timeout=120)
        sess = tf.Session(ray_clusters[workers].target)
    with sess:
        sess.run(tf.global_variables_initializer())
        return timeit(lambda: sess.run(fetches, feeds), min_time=0.5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ray", action="store_true", help="also measure the Ray engine (run inside unshare -n)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    args = parser.parse_args(argv)
    engines = ["one process", "embedded"] + (["ray"] if args.ray else [])
    counts = [int(w) for w in args.workers.split(",")]
    ray_clusters: dict = {}
    if args.ray:
        import ray
        ray.init(address="local", include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    print(f"{'workload':<26}{'workers':>8}" + "".join(f"{e + ' steps/s':>22}" for e in engines)
          + "".join(f"{e + ' / one':>16}" for e in engines[1:]))
    overhead = {}
    for name, build in WORKLOADS.items():
        for workers in ([1] if build is trivial else counts):
            rates = [1.0 / measure(build, workers, e, ray_clusters) for e in engines]
            print(f"{name:<26}{workers:>8}" + "".join(f"{r:>22.1f}" for r in rates)
                  + "".join(f"{r / rates[0]:>16.2f}" for r in rates[1:]), flush=True)
            if build is trivial:
                overhead = {e: 1e3 / r - 1e3 / rates[0] for e, r in zip(engines[1:], rates[1:])}
    for engine, ms in overhead.items():
        print(f"per-step overhead of the {engine} engine over one process: {ms:.2f} ms")
    for c in ray_clusters.values():
        c.shutdown()


if __name__ == "__main__":
    main()
