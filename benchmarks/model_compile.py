"""`python -m benchmarks models`: first-run (compile) and steady-step time of whole models' training steps.

Workloads: slim's ResNet-50 v1 (`resnet50`: batch 2, 224x224x3, 1000 classes, batch norm in training mode,
softmax cross-entropy, Momentum 0.9) and a mid-size model (`resnet_mid`: the same network with one unit per
block, 4 blocks, batch 2, 112x112, 100 classes). Each runs in a fresh process with an empty compilation cache
(a temporary DFC_CACHE_DIR), so "first" is a cold first `Session.run` of the training step (the initializer
run before it is timed apart as "init"). "cpu" is the CPU time of this process and of its compile workers
(closed after each of the two runs, so that their time is counted): on a loaded machine the steadier
figure; "steady" is the median of `--steps` later steps (wall and CPU time, all threads). `--profile FILE`
writes the first run's cProfile (of this process) to FILE. Figures move with the machine's load: compare runs
made one after the other. DFC_SHARE_KERNELS=0 DFC_KERNEL_UNROLL=all gives the compiler's behaviour before
kernel sharing and the unrolling policy (docs/targets.md), for before/after figures from one tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

#: workload -> (description, units per block, image size, classes)
WORKLOADS = {
    "resnet50": ("slim resnet_v1_50 training step, batch 2, 224x224", (3, 4, 6, 3), 224, 1000),
    "resnet_mid": ("slim resnet_v1 (1 unit per block) training step, batch 2, 112x112", (1, 1, 1, 1), 112, 100),
}
BATCH = 2


def build(tf, np, kind: str):
    """(loss, train op, feeds) of the workload, built with dfc."""
    from dfc.contrib.slim_nets import _resnet_common, resnet_v1
    _, units, size, classes = WORKLOADS[kind]
    blocks = [_resnet_common.block(resnet_v1.bottleneck, f"block{i + 1}", base, n, stride)
              for i, (base, n, stride) in enumerate(zip((64, 128, 256, 512), units, (2, 2, 2, 1)))]
    x = tf.placeholder(tf.float32, [BATCH, size, size, 3])
    y = tf.placeholder(tf.int32, [BATCH])
    slim = tf.contrib.slim
    with slim.arg_scope(resnet_v1.resnet_arg_scope()):
        logits, _ = resnet_v1.resnet_v1(x, blocks, num_classes=classes, is_training=True, scope="resnet")
    logits = tf.squeeze(logits, [1, 2])
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train = tf.train.MomentumOptimizer(0.01, 0.9).minimize(loss)
    rng = np.random.default_rng(0)
    feed = {x: rng.standard_normal((BATCH, size, size, 3)).astype(np.float32),
            y: rng.integers(0, classes, BATCH).astype(np.int32)}
    return loss, train, feed


def worker(kind: str, steps: int, profile: str | None) -> dict:
    import resource
    import statistics
    import time

    import numpy as np

    import dfc as tf
    from dfc.runtime import kernel_cache
    tf.constant  # noqa: B018 - load the lazily loaded DSL before the clock starts

    def cpu() -> float:
        return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                   for f in ("ru_utime", "ru_stime"))

    tf.set_random_seed(0)
    start = time.perf_counter()
    loss, train, feed = build(tf, np, kind)
    built = time.perf_counter()
    with tf.Session() as sess:
        init_cpu = cpu()
        sess.run(tf.global_variables_initializer())
        inited = time.perf_counter()
        kernel_cache._POOL.close()  # the compile workers exit, so their CPU time counts (RUSAGE_CHILDREN)
        init_cpu = cpu() - init_cpu
        first_cpu = cpu()
        if profile:
            import cProfile
            prof = cProfile.Profile()
            prof.enable()
        value = sess.run([loss, train], feed)[0]
        if profile:
            prof.disable()
            prof.dump_stats(profile)
        first = time.perf_counter()
        kernel_cache._POOL.close()
        first_cpu = cpu() - first_cpu
        times, cpus = [], []
        for _ in range(steps):
            t, c = time.perf_counter(), cpu()
            sess.run([loss, train], feed)
            times.append(time.perf_counter() - t)
            cpus.append(cpu() - c)
    stats = kernel_cache.STATS
    return {"build": built - start, "init": inited - built, "init_cpu": init_cpu, "first": first - inited,
            "first_cpu": first_cpu, "steady": statistics.median(times), "steady_cpu": statistics.median(cpus),
            "loss": float(value), "compiled": stats.compiled, "by_workers": stats.by_workers,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(kind: str, steps: int, profile: str | None = None, timeout: float = 1800) -> dict | str:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "DFC_CACHE_DIR": cache}
        args = [sys.executable, os.path.abspath(__file__), "--worker", kind, str(steps)]
        args += [profile] if profile else []
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return "timeout"
    if done.returncode != 0:
        return f"failed: {(done.stderr or done.stdout).strip().splitlines()[-3:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_suite(wanted: list[str] | None = None, steps: int = 5, profile: str | None = None) -> str:
    lines = [f"{'workload':<66} {'build s':>8} {'init s':>7} {'cpu s':>7} {'first s':>8} {'cpu s':>7} "
             f"{'steady s':>9} "
             f"{'cpu s':>7} {'compiled':>8} {'loss':>10}"]
    for kind in wanted or list(WORKLOADS):
        r = measure(kind, steps, profile)
        what = WORKLOADS[kind][0]
        if isinstance(r, str):
            lines.append(f"{what:<66} {r}")
            continue
        lines.append(f"{what:<66} {r['build']:>8.2f} {r['init']:>7.2f} {r['init_cpu']:>7.2f} {r['first']:>8.2f} "
                     f"{r['first_cpu']:>7.2f} {r['steady']:>9.3f} {r['steady_cpu']:>7.3f} {r['compiled']:>8} "
                     f"{r['loss']:>10.6f}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m benchmarks models")
    parser.add_argument("workloads", nargs="*", choices=[[], *WORKLOADS], default=None)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--profile", default=None, help="write the first run's cProfile to this file")
    args = parser.parse_args(argv)
    print(run_suite(args.workloads or None, args.steps, args.profile))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)))
    else:
        main(sys.argv[1:])
