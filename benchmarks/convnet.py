"""The conv net of TF's "Deep MNIST for experts" tutorial, one Adam training step, in dfc, TF1 and PyTorch.

28x28x1 images, batch 50: conv 5x5x32 + relu + 2x2 max pool, conv 5x5x64 + relu + 2x2 max
pool, dense 1024 + relu, dropout (keep 0.5), dense 10, softmax cross-entropy, Adam 1e-4.
The worker of `python -m benchmarks` imports this module beside numpy and one framework
only (no dfc in the TF and PyTorch workers).

`python -m benchmarks convnet` times this step alone, wall clock and CPU time (all of a
process's threads) side by side: every framework in its own process, the frameworks taking
turns for `--repeat` rounds, each round printed with the load average it ran under. On a
shared machine the CPU time is the steadier figure (wall time also counts the time other
processes held the cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

BATCH = 50


def data(seed: int = 0) -> dict[str, np.ndarray]:
    """One batch and the initial weights (as the tutorial draws them), shared by every framework."""
    rng = np.random.default_rng(seed)

    def weight(*shape):  # truncated normal, stddev 0.1
        return np.clip(rng.standard_normal(shape) * 0.1, -0.2, 0.2).astype(np.float32)

    return {"x": rng.random((BATCH, 784), dtype=np.float32),
            "y": np.eye(10, dtype=np.float32)[rng.integers(0, 10, BATCH)],
            "w1": weight(5, 5, 1, 32), "b1": np.full(32, 0.1, np.float32),
            "w2": weight(5, 5, 32, 64), "b2": np.full(64, 0.1, np.float32),
            "w3": weight(7 * 7 * 64, 1024), "b3": np.full(1024, 0.1, np.float32),
            "w4": weight(1024, 10), "b4": np.full(10, 0.1, np.float32)}


def graph_api(tf, session_kwargs: dict | None = None) -> Callable[[], object]:
    """The training step in the TF1 graph API (dfc or tf.compat.v1): a callable that runs one step."""
    d = data()
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y_ = tf.placeholder(tf.float32, [None, 10])
        keep_prob = tf.placeholder(tf.float32, [])
        image = tf.reshape(x, [-1, 28, 28, 1])

        def conv_pool(inp, w, b):
            h = tf.nn.relu(tf.nn.conv2d(inp, tf.Variable(w), strides=[1, 1, 1, 1], padding="SAME") + tf.Variable(b))
            return tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

        h_pool2 = conv_pool(conv_pool(image, d["w1"], d["b1"]), d["w2"], d["b2"])
        flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64])
        h_fc1 = tf.nn.relu(tf.matmul(flat, tf.Variable(d["w3"])) + tf.Variable(d["b3"]))
        dropout = getattr(tf.nn, "dropout", None)
        if dropout is not None:
            h_drop = dropout(h_fc1, keep_prob)
        else:  # TF1's own formula, until dfc has tf.nn.dropout
            mask = tf.floor(keep_prob + tf.random_uniform([BATCH, 1024]))
            h_drop = h_fc1 / keep_prob * mask
        logits = tf.matmul(h_drop, tf.Variable(d["w4"])) + tf.Variable(d["b4"])
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
        train = tf.train.AdamOptimizer(1e-4).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g, **(session_kwargs or {}))
    sess.run(init)
    feed = {x: d["x"], y_: d["y"], keep_prob: 0.5}
    return lambda: sess.run([train, loss], feed)


def torch_step() -> Callable[[], object]:
    """The same step in PyTorch (NCHW, as PyTorch's kernels want it)."""
    import torch
    import torch.nn.functional as F
    d = data()
    p = {k: torch.tensor(v, requires_grad=True) for k, v in d.items() if k not in ("x", "y")}
    w1 = torch.tensor(d["w1"].transpose(3, 2, 0, 1).copy(), requires_grad=True)
    w2 = torch.tensor(d["w2"].transpose(3, 2, 0, 1).copy(), requires_grad=True)
    params = [w1, p["b1"], w2, p["b2"], p["w3"], p["b3"], p["w4"], p["b4"]]
    adam = torch.optim.Adam(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    x = torch.from_numpy(d["x"]).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(d["y"])

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, p["b1"], padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w2, p["b2"], padding=2)), 2)
        h = F.relu(h.reshape(-1, 7 * 7 * 64) @ p["w3"] + p["b3"])
        logits = F.dropout(h, 0.5, training=True) @ p["w4"] + p["b4"]
        loss = (-(y * torch.log_softmax(logits, 1)).sum(1)).mean()
        adam.zero_grad()
        loss.backward()
        adam.step()
        return loss.item()
    return step


def make_step(framework: str) -> Callable[[], object]:
    """The training step in dfc, TF1 (tf.compat.v1 graph mode) or PyTorch."""
    if framework == "dfc":
        import dfc
        return graph_api(dfc)
    if framework == "tf":
        import tensorflow
        tf1 = tensorflow.compat.v1
        tf1.disable_eager_execution()
        return graph_api(tf1)
    if framework == "torch":
        return torch_step()
    raise ValueError(f"no conv-net step for {framework!r}")


def measure_step(framework: str, min_time: float) -> dict[str, float]:
    """Seconds per step, wall and CPU, over at least min_time after warm-up, and the load averages around it."""
    step = make_step(framework)
    for _ in range(3):
        step()
    load_before = os.getloadavg()[0]
    n = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while True:
        step()
        n += 1
        wall = time.perf_counter() - wall0
        if wall >= min_time and n >= 5:
            break
    cpu = time.process_time() - cpu0
    return {"wall": wall / n, "cpu": cpu / n, "steps": n, "load": (load_before + os.getloadavg()[0]) / 2}


def run_suite(python: dict[str, str], frameworks: list[str], repeats: int, min_time: float) -> str:
    """Every framework's step in its own process, taking turns for `repeats` rounds; the report's text."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rounds: list[dict[str, dict[str, float]]] = []
    for _ in range(repeats):
        results = {}
        for name in frameworks:
            done = subprocess.run([python.get(name, sys.executable), "-m", "benchmarks", "--convnet-worker", name,
                                   "--min-time", str(min_time)], capture_output=True, text=True, cwd=root)
            if done.returncode != 0:
                print(f"{name}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        rounds.append(results)
    return report(rounds)


def report(rounds: list[dict[str, dict[str, float]]]) -> str:
    names = list(dict.fromkeys(n for r in rounds for n in r))
    lines = [f"MNIST tutorial conv net, one Adam training step, batch {BATCH} ({os.cpu_count()} CPUs; each "
             f"framework in its own process, taking turns); ms per step, ratio = framework / dfc (above 1: dfc "
             f"is faster)",
             f"{'round':<7}" + "".join(f"{n + ' wall':>12}{n + ' cpu':>11}" for n in names)
             + "".join(f"{n + '/dfc wall':>15}{n + '/dfc cpu':>14}" for n in names if n != "dfc") + f"{'load':>7}"]

    def row(label: str, r: dict[str, dict[str, float]]) -> str:
        cells = "".join(f"{r[n]['wall'] * 1e3:>12.1f}{r[n]['cpu'] * 1e3:>11.1f}" if n in r else f"{'-':>23}"
                        for n in names)
        for n in names:
            if n == "dfc":
                continue
            if n in r and "dfc" in r:
                cells += f"{r[n]['wall'] / r['dfc']['wall']:>14.2f}x{r[n]['cpu'] / r['dfc']['cpu']:>13.2f}x"
            else:
                cells += f"{'-':>29}"
        loads = [v["load"] for v in r.values() if "load" in v]
        return f"{label:<7}{cells}{(sum(loads) / len(loads) if loads else 0):>7.2f}"

    for i, r in enumerate(rounds):
        lines.append(row(str(i + 1), r))
    best = {n: {"wall": min(r[n]["wall"] for r in rounds if n in r), "cpu": min(r[n]["cpu"] for r in rounds if n in r),
                "load": min(r[n]["load"] for r in rounds if n in r)} for n in names}
    lines.append(row("best", best))
    return "\n".join(lines)
