"""tf.Session over the default graph, InteractiveSession (the default session until closed), ConfigProto."""

from __future__ import annotations

import contextlib
from typing import Any
from collections.abc import Callable, Iterator, Mapping

from dfc.ir.graph import Graph as IRGraph
from dfc.runtime import session as _runtime_session
from dfc.runtime.fetches import as_ir as _as_ir

from . import nest as _nest
from .framework import Graph, get_default_graph
from .sparse.tensor import SparseTensor as _SparseTensor
from .sparse.tensor import expand_sparse_feeds as _expand_sparse_feeds

def flatten_feed_items(feed_dict: Any) -> dict:
    """TF's feeding of a nested tuple key (a cell's state of placeholders): each of its tensors gets the value at
    the same place in the fed structure."""
    flat: dict = {}
    for key, value in feed_dict.items():
        if not (isinstance(key, tuple) and _nest.is_nested(key)):
            pairs = [(key, value)]
        elif not _nest.is_nested(value):
            raise ValueError(f"Could not flatten dictionary: key {key!r} is a sequence but value {value!r} is not.")
        else:
            keys, values = _nest.flatten(key), _nest.flatten(value)
            if len(keys) != len(values):
                raise ValueError(f"Could not flatten dictionary. Key had {len(keys)} elements, but value had "
                                 f"{len(values)} elements. Key: {key!r}, value: {value!r}.")
            pairs = list(zip(keys, values))
        for k, v in pairs:
            if k in flat:
                raise ValueError(f"Could not flatten dictionary: key {k!r} is not unique.")
            flat[k] = v
    return flat


__all__ = ["ConfigProto", "GPUOptions", "GraphOptions", "InteractiveSession", "OptimizerOptions", "Session"]


class Session(_runtime_session.Session):
    """TF1's Session: `run(fetches, feed_dict)` over one graph (the default graph unless given), which
    `with sess.as_default():` makes the default graph too."""

    def __init__(self, target: str = "", graph: Graph | IRGraph | None = None, config: Any = None, **options: Any):
        if graph is None:
            graph = get_default_graph()
        elif isinstance(graph, IRGraph):
            graph = Graph.of(graph)
        if isinstance(config, (bool, int, float, str, bytes, list, tuple, dict)):  # a slip, not a ConfigProto
            raise TypeError(f"Argument `config` must be a tf.ConfigProto, but got \"{type(config).__name__}\"")
        super().__init__(target, graph, config, **options)

    def run(self, fetches: Any, feed_dict: Any = None, options: Any = None, run_metadata: Any = None) -> Any:
        if feed_dict is not None and type(feed_dict) is not dict and not isinstance(feed_dict, Mapping):
            raise TypeError(f"feed_dict must be a dict from tensors (or their names) to values, got a "
                            f"{type(feed_dict).__name__}")
        if feed_dict and any(isinstance(k, tuple) for k in feed_dict):
            feed_dict = flatten_feed_items(feed_dict)  # an LSTMStateTuple of placeholders fed its state value
        if feed_dict and _SparseTensor._made and any(type(k) is _SparseTensor for k in feed_dict):
            feed_dict = _expand_sparse_feeds(feed_dict)  # a SparseTensor key feeds its three tensors
        return super().run(fetches, feed_dict, options, run_metadata)

    @contextlib.contextmanager
    def as_default(self) -> Iterator[Session]:
        with super().as_default(), self.graph.as_default():
            yield self

    def make_callable(self, fetches: Any, feed_list: Any = None, accept_options: bool = False) -> Callable[..., Any]:
        """A function running `fetches` with its positional arguments fed to `feed_list`, in order (TF1's
        Session.make_callable); with accept_options, it takes `options=` and `run_metadata=` too."""
        feeds = list(feed_list or [])
        graph = self.graph
        for leaf in _nest.flatten(fetches):  # TF checks the fetches now: a bad name fails here, not when called
            if isinstance(leaf, str):
                _as_ir(leaf, graph._dfc_ir())
        for i, feed in enumerate(feeds):
            target = graph.get_tensor_by_name(feed) if isinstance(feed, str) else feed
            if getattr(target, "graph", graph) is not graph:
                raise ValueError(f"feed_list[{i}] ({target!r}) is not an element of this session's graph")
            feeds[i] = target

        def call(*values: Any, **options: Any) -> Any:
            if options and not accept_options:
                raise TypeError(f"this callable takes no keyword arguments (got {', '.join(options)}); "
                                f"make it with accept_options=True to pass options and run_metadata")
            if len(values) != len(feeds):
                raise TypeError(f"this callable takes {len(feeds)} argument(s) (its feed_list), got {len(values)}")
            return self.run(fetches, dict(zip(feeds, values)), **options)

        return call

    def list_devices(self) -> list[_DeviceAttributes]:
        """The devices this session can run ops on: the CPU, and each GPU this process can use."""
        devices = [_DeviceAttributes("/job:localhost/replica:0/task:0/device:CPU:0", "CPU", 268435456)]
        for i in range(self._gpus()):
            devices.append(_DeviceAttributes(f"/job:localhost/replica:0/task:0/device:GPU:{i}", "GPU", 0))
        return devices


class _DeviceAttributes:
    """One entry of Session.list_devices (TF's DeviceAttributes: name, device_type, memory_limit_bytes)."""

    def __init__(self, name: str, device_type: str, memory_limit_bytes: int):
        self.name, self.device_type, self.memory_limit_bytes = name, device_type, memory_limit_bytes
        self.incarnation = 0

    def __repr__(self) -> str:
        return f"_DeviceAttributes({self.name}, {self.device_type}, {self.memory_limit_bytes}, {self.incarnation})"


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
               "isolate_session_state": False, "experimental": dict, "cluster_def": None,
               # between-graph scripts restrict each worker's session to the ps tasks and its own task; a dfc
               # session reaches only the tasks its step's ops name anyway
               "device_filters": list, "placement_period": 0, "rpc_options": dict,
               "share_cluster_devices_in_session": False}


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
