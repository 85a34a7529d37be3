"""Programs the tests run as users would, on any Session target: the seed programs, and an in-graph replicated model.

The seed programs (examples/seeds/) run as scripts with fixed seeds; the distributed tests train
`in_graph_model` on linear_batch's data in one process, on the embedded engine and on Ray.
"""

from __future__ import annotations

import pathlib
import runpy
from typing import Any

import numpy as np

import dfc as tf

SEEDS = pathlib.Path(__file__).resolve().parent.parent / "examples" / "seeds"


def run_seed_program(config: Any = None, target: str = "", name: str = "parameter_server.py") -> dict[str, Any]:
    """The globals of seed program `name` run as __main__ with fixed seeds, its Sessions made with `target` and
    `config` (where given) whatever the script passes."""
    import dfc.runtime.session as session_module
    tf.reset_default_graph()
    tf.set_random_seed(11)
    np.random.seed(5)
    original = session_module.Session.__init__

    def init(self, t="", graph=None, c=None, **kw):
        original(self, target or t, graph, config if config is not None else c, **kw)
    session_module.Session.__init__ = init
    try:
        return runpy.run_path(str(SEEDS / name), run_name="__main__")
    finally:
        session_module.Session.__init__ = original


def linear_batch(k: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Batch `k` (the same for the same k) of a linear model's data: x [rows, 3], y [rows, 1]."""
    rng = np.random.default_rng(k)
    x = rng.standard_normal((rows, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.25).astype(np.float32)


def in_graph_model(learning_rate: float = 0.05):
    """In-graph replication: one client, the batch of 16 split over two workers, variables on the ps.

    Returns x, y, the weights, the global step and the train op, in the default graph."""
    tf.set_random_seed(3)
    x = tf.placeholder(tf.float32, (16, 3))
    y = tf.placeholder(tf.float32, (16, 1))
    with tf.device("/job:ps/task:0"):
        w = tf.Variable(tf.random_normal((3, 1)), name="w")
        step = tf.train.get_or_create_global_step()
    xs, ys = tf.split(0, 2, x), tf.split(0, 2, y)
    losses = []
    for i in range(2):
        with tf.device(f"/job:worker/task:{i}"):
            losses.append(tf.reduce_mean(tf.square(tf.matmul(xs[i], w) - ys[i])))
    train = tf.train.MomentumOptimizer(learning_rate, 0.9).minimize(tf.add_n(losses) / 2.0, global_step=step)
    return x, y, w, step, train
