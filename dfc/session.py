"""tf.Session: the runtime's Session over the default graph, which it makes the default while it is."""

from __future__ import annotations

import contextlib
from typing import Any
from collections.abc import Iterator

from dfc.ir.graph import Graph as IRGraph
from dfc.runtime import session as runtime_session

from .framework import Graph, get_default_graph


class Session(runtime_session.Session):
    """TF1's Session: `run(fetches, feed_dict)` over one graph (the default graph unless given)."""

    def __init__(self, target: str = "", graph: Graph | IRGraph | None = None, config: Any = None, **options: Any):
        if graph is None:
            graph = get_default_graph()
        elif isinstance(graph, IRGraph):
            graph = Graph.of(graph)
        super().__init__(target, graph, config, **options)

    @contextlib.contextmanager
    def as_default(self) -> Iterator[Session]:
        with super().as_default(), self.graph.as_default():
            yield self


InteractiveSession = Session
