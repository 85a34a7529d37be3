"""`python -m benchmarks compile`: time to the first training step (cold and warm) and the steady step, side by side.

The workload is a training step of n layers on 64x64 float32 tensors: layer i applies the
(i mod 4)-th op of a cycle: matmul by one of 8 variables (in turn), tanh, a residual add of
the cycle's input, subtracting the row mean; the loss is the sum of squares, minimized by
Adam. Beside it, a chain of 3000 sin with its gradient. Every measurement runs in a fresh
process: "cold" with an empty compilation cache, "warm" in a second process that finds the
disk cache the cold one filled (dfc's object cache, JAX's persistent compilation cache;
TF1 has none, so its warm run is a second cold one). The first step counts from the start
of building the graph to the first step's result (graph construction, the variables'
initialization and compilation included, imports excluded: dfc's lazily loaded modules are
loaded before the clock starts, as `import tensorflow` and `import jax.numpy` load theirs); the
steady step is the median time of later steps in the cold process. A framework whose first
step takes longer than its time limit (`--budget`, or `--timeout-for NAME=SECONDS`) is reported
as "> T s" and skips its bigger cases.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

#: the layer counts of a default run; bigger ones (6400) on request (--sizes)
DEFAULT_SIZES = (100, 400, 1600)
#: seconds a first step may take before that framework's bigger cases are skipped
DEFAULT_BUDGET = 240.0
SIN_CHAIN = 3000
WIDTH = 64
NUM_WEIGHTS = 8


def _weights() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [(rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH)).astype(np.float32) for _ in range(NUM_WEIGHTS)]


def _input() -> np.ndarray:
    return np.random.default_rng(1).standard_normal((WIDTH, WIDTH)).astype(np.float32)


def layers_forward(h, n: int, weights, matmul, tanh, row_mean):
    """The n-layer cycle over any array library: `row_mean(h)` is the mean over axis 1, kept as a column."""
    skip = h
    for i in range(n):
        kind = i % 4
        if kind == 0:
            skip = h
            h = matmul(h, weights[(i // 4) % NUM_WEIGHTS])
        elif kind == 1:
            h = tanh(h)
        elif kind == 2:
            h = h + skip
        else:
            h = h - row_mean(h)
    return h


# ---- one framework's first step and steady step (runs in the worker process) -----------------

def _graph_api(tf, case: str, n: int):
    """(start the first step, run one more step) for dfc or TF1 (their graph API is the same)."""
    def build():
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [WIDTH, WIDTH])
            if case == "layers":
                ws = [tf.Variable(w) for w in _weights()]
                h = layers_forward(x, n, ws, tf.matmul, tf.tanh,
                                   lambda v: tf.reduce_mean(v, axis=1, keepdims=True))
                loss = tf.reduce_sum(h * h)
                fetches = [tf.train.AdamOptimizer(1e-3).minimize(loss), loss]
                init = tf.global_variables_initializer()
            else:
                y = x
                for _ in range(n):
                    y = tf.sin(y)
                fetches = [y, tf.gradients(tf.reduce_sum(y), x)[0]]
                init = None
        sess = tf.Session(graph=g)
        if init is not None:
            sess.run(init)
        feed = {x: _input()}
        return lambda: sess.run(fetches, feed)
    return build


def _jax(case: str, n: int, cache: str | None):
    import jax
    import jax.numpy as jnp
    if cache:
        jax.config.update("jax_compilation_cache_dir", cache)
        for option, value in (("jax_persistent_cache_min_compile_time_secs", 0.0),
                              ("jax_persistent_cache_min_entry_size_bytes", -1)):
            try:
                jax.config.update(option, value)
            except (AttributeError, KeyError, ValueError):
                pass

    def build():
        x = jnp.asarray(_input())
        if case == "sin":
            def chain(v):
                for _ in range(n):
                    v = jnp.sin(v)
                return v
            step = jax.jit(lambda v: (chain(v), jax.grad(lambda u: jnp.sum(chain(u)))(v)))
            return lambda: jax.block_until_ready(step(x))

        def loss_fn(ws, v):
            h = layers_forward(v, n, ws, jnp.matmul, jnp.tanh, lambda u: jnp.mean(u, axis=1, keepdims=True))
            return jnp.sum(h * h)

        @jax.jit
        def adam(ws, m, s, t, v):  # TF1's AdamOptimizer(1e-3): betas 0.9/0.999, epsilon 1e-8
            loss, g = jax.value_and_grad(loss_fn)(ws, v)
            t = t + 1
            m = [0.9 * a + 0.1 * b for a, b in zip(m, g)]
            s = [0.999 * a + 0.001 * b * b for a, b in zip(s, g)]
            lr = 1e-3 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            ws = [w - lr * a / (jnp.sqrt(b) + 1e-8) for w, a, b in zip(ws, m, s)]
            return ws, m, s, t, loss

        state = {"ws": [jnp.asarray(w) for w in _weights()]}
        state["m"] = [jnp.zeros_like(w) for w in state["ws"]]
        state["s"] = [jnp.zeros_like(w) for w in state["ws"]]
        state["t"] = jnp.float32(0)

        def run():
            state["ws"], state["m"], state["s"], state["t"], loss = adam(state["ws"], state["m"], state["s"],
                                                                         state["t"], x)
            return float(loss)  # TF1 and dfc fetch the loss each step
        return run
    return build


def measure_first_step(framework: str, case: str, n: int, steady: bool, cache: str | None,
                       min_time: float) -> dict[str, float | None]:
    """{"first": seconds from building the graph to the first step's result, "steady": seconds per later step}."""
    import numpy.random  # noqa: F401 - the weights' generator: an import, loaded before the clock like the others
    if framework == "dfc":
        import dfc
        # dfc loads its modules on first use; load them now, as `import tensorflow` and `import jax.numpy` do
        for name in ("Graph", "placeholder", "Variable", "matmul", "tanh", "sin", "reduce_mean", "reduce_sum",
                     "gradients", "train", "global_variables_initializer", "Session"):
            getattr(dfc, name)
        import dfc.runtime.executors  # noqa: F401 - the CPU backend (llvmlite)
        build = _graph_api(dfc, case, n)
    elif framework == "tf":
        import tensorflow
        tf1 = tensorflow.compat.v1
        tf1.disable_eager_execution()
        build = _graph_api(tf1, case, n)
    elif framework == "jax":
        build = _jax(case, n, cache)
    else:
        raise ValueError(framework)
    start = time.perf_counter()
    step = build()
    step()
    first = time.perf_counter() - start
    result: dict[str, float | None] = {"first": first, "steady": None}
    if steady:
        from .__main__ import timeit
        result["steady"] = timeit(step, min_time, repeats=3)
    return result


# ---- the driver ---------------------------------------------------------------------------------

FRAMEWORKS = ("dfc", "jax", "tf")


def _worker(python: str, framework: str, case: str, n: int, steady: bool, cache: str, budget: float,
            min_time: float) -> dict[str, float | None] | str:
    """One measurement in a fresh process: its result, or a word for why there is none ("> T s", "failed")."""
    env = dict(os.environ, DFC_CACHE_DIR=os.path.join(cache, "dfc"))
    args = [python, "-m", "benchmarks", "--compile-worker", framework, case, str(n), "--cache",
            os.path.join(cache, framework), "--min-time", str(min_time)] + (["--steady"] if steady else [])
    try:
        done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=budget + 30 + 20 * min_time,
                              cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    except subprocess.TimeoutExpired:
        return f"> {budget:.0f} s"
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["?"]
        print(f"{framework} {case} n={n}: failed: {tail[0][:200]}", file=sys.stderr)
        return "failed"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _have(python: str, framework: str) -> bool:
    module = {"tf": "tensorflow", "jax": "jax", "dfc": "dfc"}[framework]
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def run_suite(python: dict[str, str], only: set[str], sizes: list[int], budget: float, min_time: float,
              sin_chain: int = SIN_CHAIN, budgets: dict[str, float] | None = None,
              repeats: int = 1) -> dict[tuple[str, int], dict[str, dict]]:
    """{(case, n): {framework: {"cold", "warm", "steady"}}}; a framework past its budget skips its bigger cases.

    `budgets` gives some frameworks a time limit of their own instead of `budget`. With `repeats`,
    each case runs that many rounds, every framework once per round (so a change in the machine's
    load falls on all of them), and each figure is the median of its rounds.
    """
    wanted = [f for f in FRAMEWORKS if f == "dfc" or not only or f in only]
    wanted = [f for f in wanted if _have(python.get(f, sys.executable), f)]
    cases = [("layers", n) for n in sorted(sizes)] + ([("sin", sin_chain)] if sin_chain else [])
    results: dict[tuple[str, int], dict[str, dict]] = {}
    over: set[tuple[str, str]] = set()
    for case, n in cases:
        rounds: dict[str, list[dict]] = {f: [] for f in wanted}
        failed: dict[str, str] = {}
        for _ in range(max(1, repeats)):
            for framework in wanted:
                if (framework, case) in over:
                    failed.setdefault(framework, "skipped")
                    continue
                exe = python.get(framework, sys.executable)
                limit = (budgets or {}).get(framework, budget)
                with tempfile.TemporaryDirectory(prefix="dfc-bench-") as cache:
                    cold = _worker(exe, framework, case, n, True, cache, limit, min_time)
                    if isinstance(cold, str):
                        failed[framework] = cold
                        over.add((framework, case))
                        print(f"  {case} n={n} {framework}: {cold}", file=sys.stderr, flush=True)
                        continue
                    warm = _worker(exe, framework, case, n, False, cache, limit, min_time)
                rounds[framework].append({"cold": cold["first"], "steady": cold["steady"],
                                          "warm": warm if isinstance(warm, str) else warm["first"]})
                if cold["first"] > limit:
                    over.add((framework, case))
                print(f"  {case} n={n} {framework}: cold {cold['first']:.2f}s warm "
                      f"{_seconds(rounds[framework][-1]['warm'])}", file=sys.stderr, flush=True)
        row = results.setdefault((case, n), {})
        for framework in wanted:
            done = rounds[framework]
            if not done:
                row[framework] = {"cold": failed.get(framework, "failed")}
                continue
            row[framework] = {key: _median([r[key] for r in done]) for key in ("cold", "warm", "steady")}
    return results


def _median(values: list) -> float | str | None:
    numbers = sorted(v for v in values if isinstance(v, float))
    if not numbers:
        return next((v for v in values if isinstance(v, str)), None)
    return float(np.median(numbers))


def _seconds(v) -> str:
    if isinstance(v, str):
        return v
    if v is None:
        return "-"
    return f"{v * 1e3:.2f}ms" if v < 0.1 else f"{v:.2f}s"


def _ratio(a, b) -> str:
    return f"{a / b:.2f}x" if isinstance(a, float) and isinstance(b, float) and b > 0 else "-"


def report(results: dict[tuple[str, int], dict[str, dict]]) -> str:
    """The table: per case and framework, cold, warm and steady, and each one's ratio to dfc's."""
    lines = [f"compile-time suite ({os.cpu_count()} CPUs, every first step in a fresh process); ratio = framework "
             f"time / dfc time (above 1: dfc is faster)",
             f"{'case':<24}{'framework':<10}{'cold first':>12}{'warm first':>12}{'steady':>12}"
             f"{'cold/dfc':>10}{'warm/dfc':>10}{'steady/dfc':>11}"]
    for (case, n), row in results.items():
        label = f"{n}-layer train step" if case == "layers" else f"{n}-sin chain + grad"
        base = row.get("dfc", {})
        for k, (framework, r) in enumerate(row.items()):
            cells = "".join(f"{_seconds(r.get(key)):>12}" for key in ("cold", "warm", "steady"))
            ratios = "" if framework == "dfc" else "".join(
                f"{_ratio(r.get(key), base.get(key)):>{w}}" for key, w in (("cold", 10), ("warm", 10), ("steady", 11)))
            lines.append(f"{label if k == 0 else '':<24}{framework:<10}{cells}{ratios}")
    dfc_cold = {n: row.get("dfc", {}).get("cold") for (case, n), row in results.items() if case == "layers"}
    if isinstance(dfc_cold.get(400), float) and isinstance(dfc_cold.get(1600), float):
        lines.append(f"dfc cold growth from n=400 to n=1600: {dfc_cold[1600] / dfc_cold[400]:.2f}x")
    shares = [f"{case} n={n} {row['dfc']['warm'] / row['dfc']['cold']:.0%}" for (case, n), row in results.items()
              if isinstance(row.get("dfc", {}).get("warm"), float) and isinstance(row["dfc"].get("cold"), float)]
    if shares:
        lines.append("dfc warm / cold: " + ", ".join(shares))
    return "\n".join(lines)


def worker_main(framework: str, case: str, n: int, steady: bool, cache: str | None, min_time: float) -> None:
    print(json.dumps(measure_first_step(framework, case, n, steady, cache, min_time)))
