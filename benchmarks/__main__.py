"""`python -m benchmarks`: dfc beside numpy (and TF1 sessions, JAX jit, PyTorch when importable), with ratios.

Each row times one workload in every framework present and prints milliseconds (or
microseconds) and each one's time divided by dfc's (above 1: dfc is faster). Every
framework runs in its own process, by default under this interpreter; `--python-for
tf=/other/venv/bin/python` (or DFC_BENCH_PYTHON="tf=...,jax=..."; a bare path means every
framework but dfc) measures a framework installed in another environment, which needs only
numpy and that framework (the worker imports nothing of dfc). Cold and warm first-run
latency run in fresh subprocesses: cold with an empty disk cache, warm with the cache the
cold run filled. `python -m benchmarks compile` runs the compile-time suite instead
(benchmarks/compile_time.py: first training step cold and warm, and steady step, at growing
graph sizes); `all` runs both. `python -m benchmarks convnet` times the MNIST tutorial's conv
net training step alone, wall and CPU time side by side, for `--repeat` rounds
(benchmarks/convnet.py). `python -m benchmarks big` builds and runs big graphs (benchmarks/big_graphs.py);
`python -m benchmarks models` times ResNet training steps' first run and steady step (benchmarks/model_compile.py);
`python -m benchmarks pipeline` times image input pipelines (benchmarks/input_pipeline.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable

import numpy as np

from benchmarks import big_graphs, compile_time, convnet, input_pipeline, model_compile

#: the seed's linear regression trains this many minibatch steps (one row times all of them)
LINREG_STEPS = 500


def timeit(fn: Callable[[], object], min_time: float = 0.3, repeats: int = 5) -> float:
    """Seconds per call: the median over `repeats` batches sized to run about min_time/repeats each."""
    fn()
    fn()
    n, t = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - start
        if t >= min_time / repeats / 4 or n >= 1 << 20:
            break
        n *= 4
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples)


# ---- the frameworks ----------------------------------------------------------------------------

def have(module: str) -> bool:
    try:
        __import__(module)
        return True
    except Exception:  # noqa: BLE001 - any import failure means "not here"
        return False


class Workloads:
    """Each workload as a zero-argument callable per framework (None where a framework is absent)."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.x4m = rng.standard_normal(1 << 22).astype(np.float32)
        self.a = rng.standard_normal((1024, 1024)).astype(np.float32)
        self.b = rng.standard_normal((1024, 1024)).astype(np.float32)
        self.x = rng.standard_normal((100, 784)).astype(np.float32)
        self.w = (rng.standard_normal((784, 100)) * 0.05).astype(np.float32)
        self.bias = rng.standard_normal(100).astype(np.float32)
        self.logits = rng.standard_normal((256, 1000)).astype(np.float32)
        self.labels = np.eye(1000, dtype=np.float32)[rng.integers(0, 1000, 256)]
        # the seed's MLP: x[100,784] -> relu 100 -> softmax 10, one-hot labels, plain SGD at 0.5
        self.mlp_x = rng.random((100, 784), dtype=np.float32)
        self.mlp_y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 100)]
        self.mlp_w1 = rng.uniform(-0.05, 0.05, (784, 100)).astype(np.float32)
        self.mlp_b1 = np.zeros(100, np.float32)
        self.mlp_w2 = rng.uniform(-0.05, 0.05, (100, 10)).astype(np.float32)
        self.mlp_b2 = np.zeros(10, np.float32)
        # the seed's linear regression: y = X + 20 sin(X/10), 500 Adam steps on batches of 100
        xs = np.arange(100, step=.1)
        ys = xs + 20 * np.sin(xs / 10)
        picks = rng.integers(0, 1000, (LINREG_STEPS, 100))
        self.lr_batches = [(xs[i].reshape(100, 1).astype(np.float32), ys[i].reshape(100, 1).astype(np.float32))
                           for i in picks]
        self.lr_w0 = np.float32(rng.standard_normal())
        self.map_rows = rng.standard_normal((2000, 256)).astype(np.float32)
        self.rnn_seq = rng.standard_normal((100, 16, 32)).astype(np.float32)
        self.rnn_w = (rng.standard_normal((32, 32)) * 0.2).astype(np.float32)

    # dfc and TF share the TF1 graph API
    def graph_api(self, tf, session_kwargs=None):
        s = {}
        g = tf.Graph()
        with g.as_default():
            p = tf.placeholder(tf.float32, [])
            tiny = p + 4.0
            x = tf.placeholder(tf.float32, [None])
            chain = tf.nn.relu(x * 1.5 + 0.25) * 0.5 - 0.125
            a = tf.placeholder(tf.float32, [1024, 1024])
            b = tf.placeholder(tf.float32, [1024, 1024])
            mm = tf.matmul(a, b)
            lx = tf.placeholder(tf.float32, [None, 784])
            w = tf.constant(self.w)
            bias = tf.constant(self.bias)
            layer = tf.nn.relu(tf.matmul(lx, w) + bias)
            logits = tf.placeholder(tf.float32, [None, 1000])
            labels = tf.placeholder(tf.float32, [None, 1000])
            xent = tf.reduce_mean(-tf.reduce_sum(labels * tf.nn.log_softmax(logits), axis=1))
            # the seed's MLP, one training step
            mx = tf.placeholder(tf.float32, [100, 784])
            label = tf.placeholder(tf.float32, [100, 10])
            w1, b1 = tf.Variable(self.mlp_w1), tf.Variable(self.mlp_b1)
            w2, b2 = tf.Variable(self.mlp_w2), tf.Variable(self.mlp_b2)
            hidden = tf.nn.relu(tf.matmul(mx, w1) + b1)
            prediction = tf.nn.softmax(tf.matmul(hidden, w2) + b2)
            cross_entropy = tf.reduce_mean(-tf.reduce_sum(label * tf.log(prediction), reduction_indices=[1]))
            mlp_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
            # the seed's linear regression
            rx = tf.placeholder(tf.float32, [100, 1])
            ry = tf.placeholder(tf.float32, [100, 1])
            rw = tf.Variable(np.full((1, 1), self.lr_w0, np.float32))
            rb = tf.Variable(np.zeros((1,), np.float32))
            rloss = tf.reduce_sum((ry - (tf.matmul(rx, rw) + rb)) ** 2 / 1000)
            adam = tf.train.AdamOptimizer().minimize(rloss)
            # map_fn stacking 2000 rows of 256 (row writes in a loop), a TensorArray RNN of 100 steps and its
            # gradient (a hand-written dynamic RNN)
            mrows = tf.placeholder(tf.float32, [2000, 256])
            mapped = tf.map_fn(lambda r: r * 2.0 + 1.0, mrows)
            seq = tf.placeholder(tf.float32, [100, 16, 32])
            rnn_w = tf.constant(self.rnn_w)
            seq_ta = tf.TensorArray(tf.float32, size=100).unstack(seq)

            def rnn_body(t, h, out):
                h = tf.tanh(tf.matmul(seq_ta.read(t) + h, rnn_w))
                return t + 1, h, out.write(t, h)
            _, _, rnn_ta = tf.while_loop(lambda t, *_: t < 100, rnn_body,
                                         [tf.constant(0), tf.zeros([16, 32]), tf.TensorArray(tf.float32, size=100)])
            rnn_out = rnn_ta.stack()
            rnn_grad = tf.gradients(tf.reduce_sum(rnn_out), seq)[0]
            # a dynamic_rnn LSTM over a fed number of steps (a tf.while_loop), one GradientDescent step
            lstm_seq = tf.placeholder(tf.float32, [None, 16, 32])
            with tf.variable_scope("lstm_bench"):
                lstm_out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.LSTMCell(64), lstm_seq, dtype=tf.float32,
                                                time_major=True)
            lstm_step = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_mean(lstm_out[-1] ** 2))
            init = tf.global_variables_initializer()
        sess = tf.Session(graph=g, **(session_kwargs or {}))
        sess.run(init)

        def linreg():
            for bx, by in self.lr_batches:
                sess.run([adam, rloss], {rx: bx, ry: by})
        s["overhead"] = lambda: sess.run(tiny, {p: 3.0})
        s["chain"] = lambda: sess.run(chain, {x: self.x4m})
        s["matmul"] = lambda: sess.run(mm, {a: self.a, b: self.b})
        s["layer"] = lambda: sess.run(layer, {lx: self.x})
        s["xent"] = lambda: sess.run(xent, {logits: self.logits, labels: self.labels})
        s["mlp_step"] = lambda: sess.run(mlp_step, {mx: self.mlp_x, label: self.mlp_y})
        s["linreg"] = linreg
        s["map_fn_rows"] = lambda: sess.run(mapped, {mrows: self.map_rows})
        s["ta_rnn"] = lambda: sess.run(rnn_out, {seq: self.rnn_seq})
        s["ta_rnn_grad"] = lambda: sess.run(rnn_grad, {seq: self.rnn_seq})
        s["lstm_step"] = lambda: sess.run(lstm_step, {lstm_seq: self.rnn_seq[:50]})
        s["convnet_step"] = convnet.graph_api(tf, session_kwargs)
        s["word2vec_step"] = word2vec_step(tf, session_kwargs)
        return s

    def numpy(self):
        def xent():
            z = self.logits - self.logits.max(axis=1, keepdims=True)
            ls = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            return np.mean(-(self.labels * ls).sum(axis=1))
        three = np.float32(3.0)
        return {"overhead": lambda: three + np.float32(4.0),
                "chain": lambda: np.maximum(self.x4m * np.float32(1.5) + np.float32(0.25), 0) * np.float32(0.5)
                - np.float32(0.125),
                "matmul": lambda: self.a @ self.b,
                "layer": lambda: np.maximum(self.x @ self.w + self.bias, 0),
                "xent": xent, "map_fn_rows": lambda: np.stack([r * np.float32(2.0) + np.float32(1.0)
                                                                  for r in self.map_rows]),
                "ta_rnn": self._numpy_rnn}

    def _numpy_rnn(self):
        h, out = np.zeros((16, 32), np.float32), []
        for t in range(100):
            h = np.tanh((self.rnn_seq[t] + h) @ self.rnn_w)
            out.append(h)
        return np.stack(out)

    def jax(self):
        import jax
        import jax.numpy as jnp
        tiny = jax.jit(lambda p: p + 4.0)
        chain = jax.jit(lambda x: jax.nn.relu(x * 1.5 + 0.25) * 0.5 - 0.125)
        mm = jax.jit(lambda a, b: a @ b)
        layer = jax.jit(lambda x, w, b: jax.nn.relu(x @ w + b))
        xent = jax.jit(lambda lg, lb: jnp.mean(-(lb * jax.nn.log_softmax(lg)).sum(axis=1)))
        d = {k: jnp.asarray(v) for k, v in (("x4m", self.x4m), ("a", self.a), ("b", self.b), ("x", self.x),
                                            ("w", self.w), ("bias", self.bias), ("lg", self.logits),
                                            ("lb", self.labels))}

        def mlp_loss(p, x, y):
            h = jax.nn.relu(x @ p[0] + p[1])
            prediction = jax.nn.softmax(h @ p[2] + p[3])
            return jnp.mean(-jnp.sum(y * jnp.log(prediction), axis=1))

        @jax.jit
        def mlp_step(p, x, y):
            loss, g = jax.value_and_grad(mlp_loss)(p, x, y)
            return [w - 0.5 * gw for w, gw in zip(p, g)], loss

        mlp = {"p": [jnp.asarray(v) for v in (self.mlp_w1, self.mlp_b1, self.mlp_w2, self.mlp_b2)],
               "x": jnp.asarray(self.mlp_x), "y": jnp.asarray(self.mlp_y)}

        def run_mlp():
            mlp["p"], loss = mlp_step(mlp["p"], mlp["x"], mlp["y"])
            loss.block_until_ready()

        def lr_loss(p, x, y):
            return jnp.sum((y - (x @ p[0] + p[1])) ** 2 / 1000)

        @jax.jit
        def adam_step(p, m, v, t, x, y):  # TF1's AdamOptimizer: lr 0.001, betas 0.9/0.999, epsilon 1e-8
            loss, g = jax.value_and_grad(lr_loss)(p, x, y)
            t = t + 1
            m = [0.9 * mi + 0.1 * gi for mi, gi in zip(m, g)]
            v = [0.999 * vi + 0.001 * gi * gi for vi, gi in zip(v, g)]
            lr = 0.001 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            p = [pi - lr * mi / (jnp.sqrt(vi) + 1e-8) for pi, mi, vi in zip(p, m, v)]
            return p, m, v, t, loss

        def linreg():
            p = [jnp.full((1, 1), self.lr_w0), jnp.zeros((1,), jnp.float32)]
            m = [jnp.zeros_like(q) for q in p]
            v = [jnp.zeros_like(q) for q in p]
            t = jnp.float32(0)
            for bx, by in self.lr_batches:
                p, m, v, t, loss = adam_step(p, m, v, t, bx, by)
                float(loss)  # the seed fetches the loss every step
        return {"overhead": lambda: tiny(3.0).block_until_ready(),
                "chain": lambda: chain(d["x4m"]).block_until_ready(),
                "matmul": lambda: mm(d["a"], d["b"]).block_until_ready(),
                "layer": lambda: layer(d["x"], d["w"], d["bias"]).block_until_ready(),
                "xent": lambda: xent(d["lg"], d["lb"]).block_until_ready(),
                "mlp_step": run_mlp, "linreg": linreg}

    def torch(self):
        import torch
        t = {k: torch.from_numpy(v) for k, v in (("x4m", self.x4m), ("a", self.a), ("b", self.b), ("x", self.x),
                                                 ("w", self.w), ("bias", self.bias), ("lg", self.logits),
                                                 ("lb", self.labels))}
        three = torch.tensor(3.0)

        def run(fn):
            def wrapped():
                with torch.no_grad():
                    return fn()
            return wrapped
        mlp = [torch.tensor(v, requires_grad=True) for v in (self.mlp_w1, self.mlp_b1, self.mlp_w2, self.mlp_b2)]
        sgd = torch.optim.SGD(mlp, lr=0.5)
        mx, my = torch.from_numpy(self.mlp_x), torch.from_numpy(self.mlp_y)

        def mlp_step():
            w1, b1, w2, b2 = mlp
            prediction = torch.softmax(torch.relu(mx @ w1 + b1) @ w2 + b2, 1)
            loss = (-(my * torch.log(prediction)).sum(1)).mean()
            sgd.zero_grad()
            loss.backward()
            sgd.step()

        def linreg():
            p = [torch.full((1, 1), float(self.lr_w0), requires_grad=True), torch.zeros(1, requires_grad=True)]
            adam = torch.optim.Adam(p, lr=0.001, betas=(0.9, 0.999), eps=1e-8)
            for bx, by in self.lr_batches:
                loss = ((torch.from_numpy(by) - (torch.from_numpy(bx) @ p[0] + p[1])) ** 2 / 1000).sum()
                adam.zero_grad()
                loss.backward()
                adam.step()
                loss.item()  # the seed fetches the loss every step
        return {"overhead": run(lambda: three + 4.0),
                "chain": run(lambda: torch.relu(t["x4m"] * 1.5 + 0.25) * 0.5 - 0.125),
                "matmul": run(lambda: t["a"] @ t["b"]),
                "layer": run(lambda: torch.relu(t["x"] @ t["w"] + t["bias"])),
                "xent": run(lambda: (-(t["lb"] * torch.log_softmax(t["lg"], 1)).sum(1)).mean()),
                "mlp_step": mlp_step, "linreg": linreg, "convnet_step": convnet.torch_step()}


#: the word2vec tutorial's skip-gram model: a 50000 x 128 embedding, NCE with 64 sampled classes, batch 128
WORD2VEC = {"vocabulary": 50000, "size": 128, "batch": 128, "sampled": 64}


def word2vec_step(tf, session_kwargs: dict | None = None) -> Callable[[], object]:
    """One GradientDescent step of TF's word2vec_basic.py (graph API: dfc or tf.compat.v1): a sparse update of
    the batch's embedding rows and of the sampled NCE weight rows, each table 50000 rows."""
    v, d, n = WORD2VEC["vocabulary"], WORD2VEC["size"], WORD2VEC["batch"]
    rng = np.random.default_rng(1)
    inputs, labels = rng.integers(0, v, n).astype(np.int32), rng.integers(0, v, (n, 1)).astype(np.int64)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        words = tf.placeholder(tf.int32, [n])
        targets = tf.placeholder(tf.int64, [n, 1])
        embeddings = tf.Variable(rng.uniform(-1, 1, (v, d)).astype(np.float32))
        nce_weights = tf.Variable((rng.standard_normal((v, d)) / np.sqrt(d)).astype(np.float32))
        nce_biases = tf.Variable(np.zeros(v, np.float32))
        embed = tf.nn.embedding_lookup(embeddings, words)
        loss = tf.reduce_mean(tf.nn.nce_loss(weights=nce_weights, biases=nce_biases, labels=targets, inputs=embed,
                                             num_sampled=WORD2VEC["sampled"], num_classes=v))
        train = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g, **(session_kwargs or {}))
    sess.run(init)
    return lambda: sess.run([train, loss], {words: inputs, targets: labels})


ROWS = [("overhead", "per-run overhead: p + 4 (p fed)", "us"),
        ("chain", "relu(x*1.5+0.25)*0.5-0.125, 4M f32", "ms"),
        ("matmul", "matmul 1024x1024 f32", "ms"),
        ("layer", "relu(x[100x784] @ W[784x100] + b)", "ms"),
        ("xent", "softmax cross-entropy fwd 256x1000", "ms"),
        ("mlp_step", "seed MLP 784-100-10 train step, GD 0.5", "ms"),
        ("linreg", f"seed linear regression, {LINREG_STEPS} Adam steps", "ms"),
        ("convnet_step", f"MNIST tutorial conv net step, batch {convnet.BATCH}", "ms"),
        ("word2vec_step", "word2vec skip-gram step: 50000x128 embedding, NCE 64 sampled, GD (sparse rows)", "ms"),
        ("map_fn_rows", "tf.map_fn over 2000 rows of 256, stacked", "ms"),
        ("ta_rnn", "TensorArray RNN in tf.while_loop, 100 steps of 16x32", "ms"),
        ("ta_rnn_grad", "its gradient (per-iteration stacks, as TF)", "ms"),
        ("lstm_step", "dynamic_rnn LSTM(64) step, 50 steps of 16x32, GD", "ms")]


FIRST_RUN = textwrap.dedent("""
    import time
    begin = time.perf_counter()
    import numpy as np
    import dfc as tf
    imported = time.perf_counter() - begin
    x = tf.placeholder(tf.float32, [None, 16])
    w = tf.constant(np.ones((16, 8), np.float32))
    y = tf.reduce_sum(tf.nn.relu(tf.matmul(x, w) * 0.5 + 1.0), axis=1)
    start = time.perf_counter()
    with tf.Session() as sess:
        sess.run(y, {x: np.ones((4, 16), np.float32)})
    print(imported, time.perf_counter() - start)
""")


def first_run_latency() -> list[tuple[float, float]]:
    """[(import seconds, seconds from Session() to the first result)] cold then warm, each in a fresh process."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, DFC_CACHE_DIR=cache)
        out = []
        for _ in range(2):
            done = subprocess.run([sys.executable, "-c", FIRST_RUN], env=env, capture_output=True, text=True,
                                  check=True)
            out.append(tuple(float(v) for v in done.stdout.strip().splitlines()[-1].split()))
        return out


def measure(framework: str, min_time: float, keys: list[str] | None = None) -> dict[str, float] | None:
    """Seconds per run of every workload (or of `keys`) in one framework (None if it is not importable)."""
    w = Workloads()
    if framework == "dfc":
        import dfc
        runs = w.graph_api(dfc)
    elif framework == "numpy":
        runs = w.numpy()
    elif framework == "tf":
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.nn.rnn_cell is TF1's Keras (tf-keras) in TF 2.16+
        if not have("tensorflow"):
            return None
        import tensorflow
        tf1 = tensorflow.compat.v1
        tf1.disable_eager_execution()
        runs = w.graph_api(tf1)
    elif framework in ("jax", "torch"):
        if not have(framework):
            return None
        runs = getattr(w, framework)()
    else:
        raise ValueError(framework)
    return {key: timeit(runs[key], min_time) for key, _, _ in ROWS if key in runs and (not keys or key in keys)}


FRAMEWORKS = ("dfc", "numpy", "tf", "jax", "torch")
ALIASES = {"tensorflow": "tf", "pytorch": "torch"}


def interpreters(pairs: list[str], env: str | None) -> dict[str, str]:
    """{framework: python executable} from `--python-for NAME=PATH` options and DFC_BENCH_PYTHON.

    DFC_BENCH_PYTHON holds comma-separated NAME=PATH pairs, or one bare PATH for every framework
    but dfc (which always runs under this interpreter, the one that has it installed). The
    options win over the variable.
    """
    chosen: dict[str, str] = {}
    items = [item.strip() for item in (env or "").split(",") if item.strip()]
    if len(items) == 1 and "=" not in items[0]:
        chosen = {name: items[0] for name in FRAMEWORKS[1:]}
        items = []
    for item in items + list(pairs):
        name, sep, path = item.partition("=")
        name = ALIASES.get(name.strip(), name.strip())
        if not sep or not path or name not in FRAMEWORKS[1:]:
            raise SystemExit(f"--python-for wants NAME=PATH with NAME one of {', '.join(FRAMEWORKS[1:])}; got {item!r}")
        chosen[name] = path
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds of timing per workload")
    parser.add_argument("--only", nargs="*", help="frameworks to compare with (numpy tf jax torch)")
    parser.add_argument("--python-for", action="append", default=[], metavar="NAME=PATH",
                        help="run framework NAME's worker under another interpreter (repeatable; "
                             "also DFC_BENCH_PYTHON)")
    parser.add_argument("suite", nargs="?", default="runtime", choices=("runtime", "compile", "all", "convnet", "big",
                                                                  "pipeline", "models"),
                        help="runtime: the workloads' steady times (default); compile: time to the first "
                             "training step, cold and warm, at growing graph sizes (benchmarks/compile_time.py)")
    parser.add_argument("--sizes", default=",".join(map(str, compile_time.DEFAULT_SIZES)),
                        help="compile suite: the layer counts, comma-separated (6400 is opt-in)")
    parser.add_argument("--budget", type=float, default=compile_time.DEFAULT_BUDGET,
                        help="compile suite: seconds a first step may take before that framework's bigger "
                             "cases are skipped")
    parser.add_argument("--timeout-for", action="append", default=[], metavar="NAME=SECONDS",
                        help="compile suite: framework NAME's own time limit instead of --budget (repeatable)")
    parser.add_argument("--sin-chain", type=int, default=compile_time.SIN_CHAIN,
                        help="compile suite: the length of the sin chain timed with its gradient (0: none)")
    parser.add_argument("--rounds", "--repeat", dest="rounds", type=int, default=None,
                        help="rounds, every framework once a round, in turn (on a shared machine the load moves "
                             "between rounds): the runtime suite keeps each workload's best round (default 1), the "
                             "compile suite reports medians (default 1), the convnet suite every round (default 3)")
    parser.add_argument("--workloads", default="",
                        help=f"runtime suite: comma-separated workloads to time (default all: "
                             f"{', '.join(key for key, _, _ in ROWS)})")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # measure one framework, print JSON
    parser.add_argument("--convnet-worker", help=argparse.SUPPRESS)  # time one framework's conv-net step
    parser.add_argument("--compile-worker", nargs=3, help=argparse.SUPPRESS)  # FRAMEWORK CASE N
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--steady", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker, args.min_time, _workloads(args.workloads))))
        return
    if args.convnet_worker:
        print(json.dumps(convnet.measure_step(args.convnet_worker, args.min_time)))
        return
    if args.compile_worker:
        framework, case, n = args.compile_worker
        compile_time.worker_main(framework, case, int(n), args.steady, args.cache, args.min_time)
        return
    python = interpreters(args.python_for, os.environ.get("DFC_BENCH_PYTHON"))
    only = {ALIASES.get(f, f) for f in args.only or ()}
    if args.suite == "big":  # benchmarks/big_graphs.py: big graphs, built and run once each
        print(big_graphs.run_suite(python))
        return
    if args.suite == "models":  # benchmarks/model_compile.py: ResNet training steps, first run and steady step
        print(model_compile.run_suite())
        return
    if args.suite == "pipeline":  # benchmarks/input_pipeline.py: image files decoded, resized and batched
        print(input_pipeline.run_suite(python))
        return
    if args.suite == "convnet":
        wanted = ["dfc"] + [f for f in ("tf", "torch") if not only or f in only]
        print(convnet.run_suite(python, wanted, args.rounds or 3, args.min_time))
        return
    if args.suite in ("runtime", "all"):
        runtime_suite(python, only, args.min_time, args.rounds or 1, _workloads(args.workloads))
    if args.suite in ("compile", "all"):
        try:
            sizes = [int(v) for v in args.sizes.split(",") if v.strip()]
        except ValueError:
            raise SystemExit(f"--sizes wants comma-separated layer counts; got {args.sizes!r}") from None
        budgets = {}
        for item in args.timeout_for:
            name, _, seconds = item.partition("=")
            try:
                budgets[ALIASES.get(name.strip(), name.strip())] = float(seconds)
            except ValueError:
                raise SystemExit(f"--timeout-for wants NAME=SECONDS; got {item!r}") from None
        results = compile_time.run_suite(python, only, sizes, args.budget, args.min_time, args.sin_chain, budgets,
                                         args.rounds or 1)
        print(compile_time.report(results))


def _workloads(text: str) -> list[str]:
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in {key for key, _, _ in ROWS}]
    if unknown:
        raise SystemExit(f"--workloads: unknown {', '.join(unknown)} (known: {', '.join(k for k, _, _ in ROWS)})")
    return keys


def runtime_suite(python: dict[str, str], only: set[str], min_time: float, rounds: int = 1,
                  workloads: list[str] | None = None) -> None:
    """Every workload in dfc and each wanted framework, one process each, printed with ratios.

    With rounds > 1 the frameworks' workers run in turn that many times and each workload keeps
    its best round, so a burst of load from elsewhere hits one round of one framework, not the ratio.
    """
    wanted = ["dfc"] + [f for f in FRAMEWORKS[1:] if not only or f in only]
    # one process per framework: thread pools that spin after each op (OpenMP, OpenBLAS) would
    # otherwise slow down whichever framework runs next
    times: dict[str, dict[str, float]] = {}
    load_before = _load_average()
    extra = ["--workloads", ",".join(workloads)] if workloads else []
    for _ in range(max(1, rounds)):
        for name in wanted:
            done = subprocess.run([python.get(name, sys.executable), "-m", "benchmarks", "--worker", name,
                                   "--min-time", str(min_time)] + extra, capture_output=True, text=True,
                                  cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            if done.returncode != 0:
                print(f"{name}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            if result is not None:
                best = times.setdefault(name, {})
                for key, value in result.items():
                    best[key] = min(value, best.get(key, value))
    if "dfc" not in times:
        raise SystemExit("the dfc worker failed")
    names = list(times)
    rounds_note = f", best of {rounds} rounds" if rounds > 1 else ""
    print(f"dfc benchmarks ({os.cpu_count()} CPUs, each framework in its own process{rounds_note}; load average "
          f"{load_before} before, {_load_average()} after); times per run, ratio = framework time / dfc time "
          f"(above 1: dfc is faster)")
    header = f"{'workload':<40}" + "".join(f"{n:>12}" for n in names) + "".join(f"{n + '/dfc':>12}" for n in names[1:])
    print(header)
    for key, label, unit in ROWS:
        if key not in times["dfc"]:
            continue
        scale = 1e6 if unit == "us" else 1e3
        cells = "".join(f"{times[n][key] * scale:>10.3f}{unit}" if key in times[n] else f"{'-':>12}"
                        for n in names)
        ratios = "".join(f"{times[n][key] / times['dfc'][key]:>11.2f}x" if key in times[n] else f"{'-':>12}"
                         for n in names[1:])
        print(f"{label:<40}{cells}{ratios}")
    if workloads:
        return
    (cold_import, cold), (warm_import, warm) = first_run_latency()
    print(f"{'first run, small graph (subprocess)':<40}   cold {cold * 1e3:.1f}ms   warm (disk cache) "
          f"{warm * 1e3:.1f}ms   (import dfc: {cold_import * 1e3:.0f}ms / {warm_import * 1e3:.0f}ms, not included)")


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
