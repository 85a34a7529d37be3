"""The seed programs (examples/seeds/) run from the tests as scripts, with fixed seeds and a chosen Session."""

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
