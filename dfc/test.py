"""tf.test: TestCase and main (from test_case.py), and the gradient checker: autodiff against numeric Jacobians."""

from __future__ import annotations

import time
import unittest.mock as mock  # noqa: F401 - tf.test.mock: TF1 exposes the standard library's mock
from typing import Any

import numpy as np


from .array_ops import placeholder
from .framework import Tensor, convert_to_tensor
from .gradients_impl import gradients
from .test_case import (TestCase, get_temp_dir, gpu_device_name, is_built_with_cuda,  # noqa: F401
                        is_built_with_gpu_support, is_gpu_available, main,
                        disable_with_predicate, is_built_with_rocm, is_built_with_xla,
                        with_eager_op_as_function)


def _session(x: Tensor):
    from dfc.runtime import get_default_session

    from .session import Session
    session = get_default_session()
    if session is not None and session.graph is x.graph:
        return session, False
    return Session(graph=x.graph), True


def _theoretical(session, x: Tensor, x_shape, x_value: np.ndarray, y: Tensor, y_shape, feeds: dict) -> np.ndarray:
    """J[i, j] = d y_j / d x_i: one backward run per element of y, seeded with a one-hot grad_ys."""
    x_size, y_size = int(np.prod(x_shape, dtype=np.int64)), int(np.prod(y_shape, dtype=np.int64))
    jacobian = np.zeros((x_size, y_size), dtype=np.float64)
    with x.graph.as_default():
        seed = placeholder(y.dtype, y_shape, name="grad_check_seed")
        grad = gradients(y, x, grad_ys=seed)[0]
        if grad is not None and not isinstance(grad, Tensor):  # an IndexedSlices (a gather's): as TF, densely
            grad = convert_to_tensor(grad)
    if grad is None:
        return jacobian
    onehot = np.zeros(y_shape, dtype=y.dtype.np)
    for j in range(y_size):
        onehot.flat[j] = 1
        value = session.run(grad, {**feeds, x: x_value, seed: onehot})
        jacobian[:, j] = np.asarray(value, dtype=np.float64).reshape(x_size)
        onehot.flat[j] = 0
    return jacobian


def _numeric(session, x: Tensor, x_shape, x_value: np.ndarray, y: Tensor, y_shape, delta: float,
             feeds: dict) -> np.ndarray:
    """J[i, j] = (y_j(x + delta e_i) - y_j(x - delta e_i)) / (2 delta)."""
    x_size, y_size = int(np.prod(x_shape, dtype=np.int64)), int(np.prod(y_shape, dtype=np.int64))
    jacobian = np.zeros((x_size, y_size), dtype=np.float64)
    probe = x_value.copy()
    for i in range(x_size):
        old = probe.flat[i]
        probe.flat[i] = old + delta
        above = np.asarray(session.run(y, {**feeds, x: probe}), dtype=np.float64)
        probe.flat[i] = old - delta
        below = np.asarray(session.run(y, {**feeds, x: probe}), dtype=np.float64)
        probe.flat[i] = old
        jacobian[i, :] = ((above - below) / (2 * delta)).reshape(y_size)
    return jacobian


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta: float = 1e-3, init_targets=None,
                     extra_feed_dict: dict | None = None) -> Any:
    """(theoretical, numeric) Jacobians of y with respect to x, each of shape (x size, y size).

    With a list of xs (and of x_shapes, and of x_init_values) it returns one pair per x. x is
    fed with x_init_value (random in [0, 1) when None) in a default Session on x's graph, or a
    new one; init_targets run first (initializers of the variables y reads).
    """
    if isinstance(x, (list, tuple)):
        # every x is fed (with its init value) while the Jacobian of another one is taken
        xs = [convert_to_tensor(xi) for xi in x]
        inits = list(x_init_value) if x_init_value is not None else [None] * len(xs)
        values = [np.random.random_sample(tuple(s)).astype(xi.dtype.np) if v is None else
                  np.asarray(v, dtype=xi.dtype.np) for xi, s, v in zip(xs, x_shape, inits)]
        pairs = []
        for i, (xi, si, vi) in enumerate(zip(xs, x_shape, values)):
            others = {xj: vj for j, (xj, vj) in enumerate(zip(xs, values)) if j != i}
            pairs.append(compute_gradient(xi, si, y, y_shape, vi, delta, init_targets if i == 0 else None,
                                          {**(extra_feed_dict or {}), **others}))
        return pairs
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    x_shape, y_shape = tuple(int(d) for d in x_shape), tuple(int(d) for d in y_shape)
    if x_init_value is None:
        x_value = np.random.random_sample(x_shape).astype(x.dtype.np)
    else:
        x_value = np.asarray(x_init_value, dtype=x.dtype.np)
        if x_value.shape != x_shape:
            raise ValueError(f"x_init_value has shape {x_value.shape}, x_shape is {x_shape}")
    session, owned = _session(x)
    try:
        for target in init_targets or []:
            session.run(target)
        feeds = dict(extra_feed_dict or {})
        theoretical = _theoretical(session, x, x_shape, x_value, y, y_shape, feeds)
        numeric = _numeric(session, x, x_shape, x_value, y, y_shape, delta, feeds)
    finally:
        if owned:
            session.close()
    return theoretical, numeric


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta: float = 1e-3, init_targets=None,
                           extra_feed_dict: dict | None = None) -> float:
    """The largest absolute difference between the theoretical and numeric Jacobians (over all xs)."""
    pairs = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets, extra_feed_dict)
    if not isinstance(x, (list, tuple)):
        pairs = [pairs]
    return max((float(np.max(np.abs(t - n))) if t.size else 0.0) for t, n in pairs)


class Benchmark:
    """tf.test.Benchmark: a test class whose benchmark methods report their timings with report_benchmark."""

    def report_benchmark(self, iters: int | None = None, cpu_time: float | None = None,
                         wall_time: float | None = None, throughput: float | None = None, extras: dict | None = None,
                         name: str | None = None, metrics: list | None = None) -> dict:
        """Print the entry as TF's benchmark reporter does and return it."""
        entry = {"name": name or f"{type(self).__name__}.benchmark", "iters": iters, "cpu_time": cpu_time,
                 "wall_time": wall_time, "throughput": throughput, "extras": extras or {}, "metrics": metrics or []}
        print(f"entries {{ {', '.join(f'{k}: {v!r}' for k, v in entry.items() if v not in (None, {}, []))} }}")
        return entry

    def run_op_benchmark(self, sess, op_or_tensor, feed_dict=None, burn_iters: int = 2, min_iters: int = 10,
                         store_trace: bool = False, store_memory_usage: bool = True, name: str | None = None,
                         extras: dict | None = None, mbs: int = 0) -> dict:
        """Run `op_or_tensor` burn_iters times untimed, then min_iters times; report the median wall time."""
        for _ in range(burn_iters):
            sess.run(op_or_tensor, feed_dict=feed_dict)
        times = []
        for _ in range(min_iters):
            start = time.perf_counter()
            sess.run(op_or_tensor, feed_dict=feed_dict)
            times.append(time.perf_counter() - start)
        wall = float(np.median(times))
        extras = dict(extras or {})
        if mbs:
            extras["throughput_mbs"] = mbs / wall
        return self.report_benchmark(iters=min_iters, wall_time=wall, name=name, extras=extras)

    def evaluate(self, tensors: Any) -> Any:
        from .session import get_default_session
        return get_default_session().run(tensors)
