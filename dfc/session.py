"""tf.Session over the default graph, InteractiveSession (the default session until closed), ConfigProto."""

from __future__ import annotations

import contextlib
from typing import Any
from collections.abc import Iterator

from dfc.ir.graph import Graph as IRGraph
from dfc.runtime import session as _runtime_session

from .framework import Graph, get_default_graph

__all__ = ["ConfigProto", "GPUOptions", "GraphOptions", "InteractiveSession", "OptimizerOptions", "Session"]


class Session(_runtime_session.Session):
    """TF1's Session: `run(fetches, feed_dict)` over one graph (the default graph unless given), which
    `with sess.as_default():` makes the default graph too."""

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


class _Options:
    """A protobuf-like options message: known fields with defaults, set by keyword or attribute."""

    _fields: dict[str, Any] = {}

    def __init__(self, **kwargs: Any):
        for name, default in self._fields.items():
            object.__setattr__(self, name, default() if callable(default) else default)
        for name, value in kwargs.items():
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._fields:
            raise AttributeError(f"{type(self).__name__} has no field '{name}' (fields: {', '.join(self._fields)})")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        changed = {k: getattr(self, k) for k, d in self._fields.items()
                   if not callable(d) and getattr(self, k) != d}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in changed.items())})"


class GPUOptions(_Options):
    _fields = {"allow_growth": False, "per_process_gpu_memory_fraction": 0.0, "visible_device_list": "",
               "allocator_type": "", "force_gpu_compatible": False, "polling_active_delay_usecs": 0,
               "deferred_deletion_bytes": 0}


class OptimizerOptions(_Options):
    L0, L1, DEFAULT = -1, 0, 0
    ON_1, OFF = 1, -1
    _fields = {"opt_level": 0, "do_common_subexpression_elimination": True, "do_constant_folding": True,
               "do_function_inlining": True, "global_jit_level": 0}


class GraphOptions(_Options):
    _fields = {"optimizer_options": OptimizerOptions, "enable_bfloat16_sendrecv": False, "infer_shapes": False,
               "place_pruned_graph": False, "build_cost_model": 0, "timeline_step": 0}


class ConfigProto(_Options):
    """Session options. dfc compiles every step itself, so these choose nothing yet: placement follows
    tf.device, threads are dfc's own pool; they are kept so scripts that set them run unchanged."""

    _fields = {"device_count": dict, "intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
               "use_per_session_threads": False, "allow_soft_placement": False, "log_device_placement": False,
               "gpu_options": GPUOptions, "graph_options": GraphOptions, "operation_timeout_in_ms": 0,
               "isolate_session_state": False, "experimental": dict, "cluster_def": None}


class InteractiveSession(Session):
    """A Session that makes itself the default session when made, so `t.eval()` and `op.run()` work
    without a `with` block (TF1's InteractiveSession); close() un-installs it."""

    def __init__(self, target: str = "", graph=None, config: Any = None, **kwargs: Any):
        super().__init__(target, graph, config, **kwargs)
        stack = _runtime_session._default_sessions.__dict__.setdefault("stack", [])
        stack.append(self)
        self._installed = True

    def close(self) -> None:
        if getattr(self, "_installed", False):
            stack = _runtime_session._default_sessions.__dict__.setdefault("stack", [])
            if self in stack:
                stack.remove(self)
            self._installed = False
        super().close()
