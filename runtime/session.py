"""Session: runs the part of a graph that the fetches need, with feeds, against a VariableStore."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib.util
import os
import reprlib
import sys
import threading
import time
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Iterator

import numpy as np

from dfc.compiler import compile_step
from dfc.compiler.specialize import ShapeValuesNeeded
from dfc.ir import builder
from dfc.ir.errors import InvalidArgumentError, OpError, ResourceExhaustedError
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.ops.image_codecs import CODEC_OPS
from dfc.ir.ops.strings import bytes_array
from dfc.ir.types import TensorType

from . import executors, host_strings
from .dynamic_variables import DynamicVariableRun
from .executors import Executable
from .host_feeds import host_plan, reset_run_deadline, set_run_deadline
from .store import VariableStore


def as_ir(obj: Any, graph: Graph) -> Value | Op:
    """The IR object behind a fetch or feed key: a Value, an Op, a front-end handle or a name."""
    if isinstance(obj, (Value, Op)):
        return obj
    to_ir = getattr(obj, "_dfc_ir", None)
    if to_ir is not None:
        return to_ir()
    if isinstance(obj, str):
        name, colon, index = obj.partition(":")
        try:
            op = graph.op_by_name(name)
        except KeyError:
            raise InvalidArgumentError(f"the graph has no tensor or op named '{obj}'") from None
        if not colon:
            return op
        if not index.isdigit():
            raise InvalidArgumentError(f"The name '{obj}' looks like a Tensor name, but is not a valid one: Tensor "
                                       f"names have the form '<op_name>:<output_index>'", op)
        outputs = [r for r in op.results if not r.is_control]
        if int(index) >= len(outputs):
            raise InvalidArgumentError(f"The name '{obj}' refers to a Tensor which does not exist: the operation "
                                       f"{op.describe()} has {len(outputs)} output(s)", op)
        return outputs[int(index)]
    raise TypeError(f"cannot fetch or feed {reprlib.repr(obj)} (type {type(obj).__name__}): expected a Tensor, an "
                    f"Operation, a Variable or a name")


class _FetchStructure:
    """The nested list/tuple/dict structure of `fetches`, flattened to IR leaves and rebuilt."""

    def __init__(self, fetches: Any, graph: Graph):
        self.leaves: list[Value | Op] = []
        self.template = self._flatten(fetches, graph)

    def _flatten(self, obj, graph):
        host_fetch = getattr(obj, "_dfc_host_fetch", None)
        if host_fetch is not None:
            inputs, compute = host_fetch()
            return _HostNode(compute, self._flatten(inputs, graph))
        if isinstance(obj, Mapping):
            return (type(obj), [(k, self._flatten(v, graph)) for k, v in obj.items()])
        if isinstance(obj, (list, tuple)) and not hasattr(obj, "_dfc_ir"):
            kind = type(obj)
            return (kind, [self._flatten(v, graph) for v in obj])
        self.leaves.append(as_ir(obj, graph))
        return len(self.leaves) - 1

    def build(self, values: list) -> Any:
        return self._build(self.template, values)

    def _build(self, node, values):
        if isinstance(node, int):
            return values[node]
        if isinstance(node, _HostNode):
            return node.compute(self._build(node.inputs, values))
        kind, items = node
        if issubclass(kind, Mapping):
            out = {k: self._build(v, values) for k, v in items}
            return out if kind is dict else kind(out)
        built = [self._build(v, values) for v in items]
        if kind is list or kind is tuple:
            return kind(built)
        return kind(*built) if hasattr(kind, "_fields") else kind(built)


class _HostNode:
    """A fetch computed in Python from other fetches after the step (a summary's serialized proto).

    Objects with `_dfc_host_fetch() -> (inputs, compute)` are fetched this way: `inputs` (any
    fetch structure) run in the same step, then `compute(fetched inputs)` is the fetched value.
    """

    __slots__ = ("compute", "inputs")

    def __init__(self, compute: Callable[[Any], Any], inputs: Any):
        self.compute = compute
        self.inputs = inputs


class _RunContext:
    """What the interpreter reaches during one run: this session's store and RNG counters."""

    def __init__(self, session: Session):
        self.session = session

    def feed(self, op: Op) -> np.ndarray:
        raise InvalidArgumentError(f"You must feed a value for placeholder {op.describe()}", op)

    def read_variable(self, name: str, op: Op) -> np.ndarray:
        return self.session.store.read(name, op)

    def write_variable(self, name: str, value: np.ndarray, op: Op) -> np.ndarray:
        return self.session.store.write(name, value, op)

    def update_variable(self, name: str, combine: Callable[[np.ndarray], np.ndarray], op: Op) -> np.ndarray:
        return self.session.store.update(name, combine, op)

    def random_step(self, op: Op) -> int:
        return self.session._next_random_step(op)


_default_sessions = threading.local()


def get_default_session() -> Session | None:
    stack = getattr(_default_sessions, "stack", [])
    return stack[-1] if stack else None


@dataclass(frozen=True)
class StepRequest:
    """What one Session.run asks for: compile_step's arguments for the step it runs."""

    graph: Graph
    fetches: list[Value]
    targets: list[Op]
    feeds: list[Value]
    feed_shapes: list[tuple[int, ...]]


#: an observer of the Session.run calls made in this context: called with each call's StepRequest before the
#: step is compiled or run (whether or not it is cached); it may raise to stop the call. `dfc compile --run N`
#: captures a script's N-th step through it.
step_observer: contextvars.ContextVar[Callable[[StepRequest], None] | None] = contextvars.ContextVar(
    "dfc_step_observer", default=None)


@contextlib.contextmanager
def observing_steps(observer: Callable[[StepRequest], None]) -> Iterator[None]:
    """Within the block, every Session.run of this context first calls `observer`."""
    token = step_observer.set(observer)
    try:
        yield
    finally:
        step_observer.reset(token)



@functools.cache
def _cuda_installed() -> bool:
    """Whether a CUDA driver binding (cuda-bindings, or cuda-python before it) is installed."""
    return importlib.util.find_spec("cuda") is not None

class Session:
    """TF1's Session: `run(fetches, feed_dict)` over one graph, with variables in a VariableStore.

    A new session owns a new store (variables start uninitialized, as in TF1); pass
    `store=other.store` to share the buffers of another session. With a `target` (a
    cluster's or a server's `.target`), or a graph that places ops on `/job:` devices, steps
    run partitioned over the cluster's tasks and `store` reads and writes the variables there
    (see dfc.runtime.distribute).
    """

    def __init__(self, target: str = "", graph: Any = None, config: Any = None, *,
                 store: VariableStore | None = None, backend: str | None = None):
        # a front end's graph stands for its IR graph through `_dfc_ir()`, as its tensors do for values
        to_ir = getattr(graph, "_dfc_ir", None)
        ir_graph = to_ir() if to_ir is not None else graph
        if not isinstance(ir_graph, Graph):
            raise TypeError(f"graph must be a dfc Graph, got {type(graph).__name__}")
        self._places_on_gpus = backend is None  # TF1's placement when a GPU is present; a named backend runs all
        backend = backend or executors.DEFAULT_BACKEND
        if backend not in executors.BACKENDS:
            raise ValueError(f"unknown backend '{backend}' (known: {', '.join(executors.BACKENDS)})")
        self.graph = graph
        self.ir_graph: Graph = ir_graph
        self.target = target
        self.backend = backend
        from .distribute import attach
        self._cluster = attach(ir_graph, target, config, backend)
        self._allow_soft_placement = bool(getattr(config, "allow_soft_placement", False))
        if self._cluster is not None and self._cluster.owned:  # its task threads end with an unclosed session too
            weakref.finalize(self, self._cluster.close)
        if store is None:
            store = self._cluster.store if self._cluster is not None else VariableStore()
        self.store = store
        self._closed = False
        # compiled steps, least recently used first; a run plan's per-shape table holds weak references
        self._cache: OrderedDict[tuple, Executable] = OrderedDict()
        self._plans: dict[tuple, _RunPlan] = {}
        self._run_context = _RunContext(self)
        self._last_run: Executable | None = None  # the step run last: already the LRU's most recent
        self._random_steps: dict[str, int] = {}
        self._lock = threading.Lock()

    # ---- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        if self._cluster is not None and not self._closed:
            self._cluster.close()
        self._closed = True
        self._cache.clear()
        self._plans.clear()
        self._last_run = None

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Session:
        self._context = self.as_default()
        self._context.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._context.__exit__(*exc)
        self.close()

    @contextlib.contextmanager
    def as_default(self) -> Iterator[Session]:
        stack = _default_sessions.__dict__.setdefault("stack", [])
        stack.append(self)
        try:
            yield self
        finally:
            stack.pop()

    # ---- running ---------------------------------------------------------------------------
    def run(self, fetches: Any, feed_dict: Mapping | None = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        """Fetch `fetches` (a tensor, an op, or a nested list/tuple/dict of them) with `feed_dict` fed."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        timeout_ms = getattr(options, "timeout_in_ms", 0) if options is not None else 0
        token = set_run_deadline(time.monotonic() + timeout_ms / 1000) if timeout_ms and timeout_ms > 0 else None
        try:
            return self._run(fetches, feed_dict)
        except MemoryError as e:
            if isinstance(e, OpError):
                raise
            raise ResourceExhaustedError(f"OOM while running {reprlib.repr(fetches)}: {e}") from None
        finally:
            if token is not None:
                reset_run_deadline(token)

    def _run(self, fetches: Any, feed_dict: Mapping | None, learned: _RunPlan | None = None) -> Any:
        # the per-run path (the seed's p + 4 with a feed spends about 1.5 us here): type checks by identity
        # first, one lookup for the plan and one for the compiled step
        if feed_dict is None:
            feed_dict = _NO_FEEDS
        elif type(feed_dict) is not dict and not isinstance(feed_dict, Mapping):
            raise TypeError(f"feed_dict must be a dict from tensors (or their names) to values, got a "
                            f"{type(feed_dict).__name__}")
        # `learned`: the plan a compile just taught which values its shapes need (fetches too nested to key a
        # cached plan, a dict, would otherwise get a fresh plan that learns the same again, forever)
        plan = learned if learned is not None else self._plan(fetches, feed_dict)
        if plan.host is not None and learned is None:  # input pipelines: run their actions, feed their next elements
            feed_dict = plan.host.fill(self, feed_dict)
            plan = self._plan(fetches, feed_dict)
        if plan.one_feed is not None:  # one feed: the commonest call, without the lists' loops
            array = plan.one_feed(next(iter(feed_dict.values())))
            arrays = [array]
            shapes: tuple = (array.shape,)
        else:
            arrays = [check(given) for check, given in zip(plan.feed_checks, feed_dict.values())]
            shapes = tuple([a.shape for a in arrays])
        if plan.dynamic is not None:  # variables of unknown shape: fed in, fetched out (dynamic_variables.py)
            return plan.outputs(plan.pushed(self, plan.dynamic.run(self, plan.feed_values, arrays)))
        feed_values = plan.feed_values
        if plan.value_args:  # shapes that depend on values: compute them, and key the step by them too
            if plan.probe_values:
                arrays = arrays + [np.asarray(a) for a in self._run(plan.probe_values, feed_dict)]
                feed_values = plan.feed_values + plan.probe_values
            shapes = (*shapes, *[(arrays[i].dtype.str, arrays[i].shape, arrays[i].tobytes())
                                 for i in plan.value_args])
        observer = step_observer.get()
        if observer is not None:
            observer(StepRequest(self.ir_graph, list(plan.fetch_values), list(plan.targets), list(feed_values),
                                 [a.shape for a in arrays]))
        ref = plan.executables.get(shapes)
        executable = ref() if ref is not None else None
        if executable is None:
            try:
                executable = self._compiled(plan.fetch_values, plan.targets, feed_values, arrays, plan.value_args)
            except ShapeValuesNeeded as need:
                plan.learn(self, need)
                return self._run(fetches, feed_dict, plan)
            if len(plan.executables) >= _MAX_PLANS:
                plan.executables.clear()
            plan.executables[shapes] = weakref.ref(executable)
        elif executable is not self._last_run:
            self._touch(executable)
        self._last_run = executable
        locked = getattr(executable, "locked_variables", None)
        if locked is None:
            locked = executable.locked_variables = locked_variables(executable.step)
        if locked:
            with self.store.locked(locked):
                results = executable(arrays, self._run_context)
        else:
            results = executable(arrays, self._run_context)
        if plan.sinks:  # a queue's enqueue: its values go to the queue once the step has computed them
            plan.pushed(self, results)
        return plan.outputs(results)

    @staticmethod
    def _gpus() -> int:
        """GPUs this process can use (0 without cuda-bindings, a driver or a device: every step runs on the CPU).

        Without cuda-bindings the GPU runtime is not even imported: it loads the GPU code generator, ~20 ms
        of every CPU process's first step.
        """
        gpu = sys.modules.get("dfc.runtime.gpu")
        if gpu is None:
            if not _cuda_installed():
                return 0
            from . import gpu
        return gpu.device_count()

    def _check_placement(self, fetches: list[Value], targets: list[Op], feeds: list[Value]) -> set[Op]:
        """TF1's placement errors for ops pinned to a GPU this process lacks (compiler/partition.py).

        On a machine with a GPU, a Session without a named backend places ops on it (runtime/gpu_placement.py);
        ops soft placement moves run on the CPU. Returns the ops the step needs.
        """
        from dfc.compiler.partition import check_placement, gpu_pinned_ops
        from dfc.compiler.prune import needed_ops

        ops = needed_ops(self.ir_graph, fetches, targets, set(feeds))
        if gpu_pinned_ops(ops):
            from . import gpu

            check_placement(ops, gpu.device_count(), self._allow_soft_placement)
        return ops

    def _plan(self, fetches: Any, feed_dict: Mapping) -> _RunPlan:
        """What this call's fetches and feed keys mean, cached for calls with the same objects."""
        key = _plan_key(fetches, feed_dict, self.ir_graph.version)
        plan = self._plans.get(key) if key is not None else None
        if plan is None:
            if not self.ir_graph.ops:
                raise RuntimeError("The Session graph is empty. Add operations to the graph before calling run().")
            plan = _RunPlan(self, fetches, feed_dict)
            if key is not None:
                if len(self._plans) >= _MAX_PLANS:
                    self._plans.clear()
                self._plans[key] = plan
        return plan

    def _compiled(self, fetches: list[Value], targets: list[Op], feeds: list[Value],
                  arrays: list[np.ndarray], value_args: tuple[int, ...] = ()) -> Executable:
        """The compiled step for these fetches, targets and fed arrays; `value_args` index the feeds whose values
        (not only shapes) the step is specialized for."""
        key = (self.ir_graph.version, tuple(map(id, fetches)), tuple(map(id, targets)), tuple(map(id, feeds)),
               tuple((a.shape, a.dtype.str) for a in arrays), tuple(arrays[i].tobytes() for i in value_args))
        executable = self._cache.get(key)
        if executable is None:
            arg_values = {i: arrays[i] for i in value_args}
            if self._cluster is not None:  # the tasks run the pipeline after autodiff on their own parts
                step = compile_step(self.ir_graph, fetches, targets, feeds, [a.shape for a in arrays],
                                    pipeline=["autodiff"], arg_values=arg_values)
                executable = self._cluster.executable(step)
            else:
                needed = self._check_placement(fetches, targets, feeds)
                factory = executors.BACKENDS[self.backend]
                gpus = self._gpus() if self._places_on_gpus else 0
                if self.backend != "interpreter" and host_strings.needs_host_strings(needed, feeds):
                    # string ops on the host, the numeric rest native (runtime/host_strings.py)
                    native = executors._native_or_interpreted if factory is executors.CpuExecutable else \
                        (lambda step: factory(step, self))
                    executable = host_strings.host_string_executable(self.ir_graph, fetches, targets, feeds, arrays,
                                                                     native, arg_values)
                elif gpus:  # ops with a GPU kernel run on /gpu:0 (runtime/gpu_placement.py)
                    from .gpu_placement import placed_executable

                    executable = placed_executable(self.ir_graph, fetches, targets, feeds, arrays, self, arg_values)
                elif factory is executors.CpuExecutable:  # compiled steps are cached whole (runtime/step_cache.py)
                    executable = executors.compile_cpu_step(self.ir_graph, fetches, targets, feeds, arrays, needed,
                                                            arg_values)
                else:
                    step = compile_step(self.ir_graph, fetches, targets, feeds, [a.shape for a in arrays],
                                        arg_values=arg_values)
                    executable = factory(step, self)
            try:
                executable._session_key = key
            except AttributeError:
                pass  # a backend's executable without a __dict__: it is kept, just never moved up the LRU
            with self._lock:
                self._cache[key] = executable
                while len(self._cache) > max_executables():
                    self._cache.popitem(last=False)
        else:
            self._touch(executable)
        return executable

    def _touch(self, executable: Executable) -> None:
        """Mark a compiled step as just used (the LRU drops the least recently used)."""
        try:
            self._cache.move_to_end(executable._session_key)
        except (KeyError, AttributeError):
            pass  # evicted by another thread meanwhile: it still runs, and is recompiled when needed again

    def _next_random_step(self, op: Op) -> int:
        with self._lock:
            step = self._random_steps.get(op.name, 0)
            self._random_steps[op.name] = step + 1
        return step

    # TF1 spells a few things this way
    @property
    def sess_str(self) -> str:
        return self.target

    @property
    def graph_def(self) -> Any:
        """The session graph's GraphDef proto (front-end graphs provide `as_graph_def`)."""
        return self.graph.as_graph_def()


_MAX_PLANS = 256
#: the feeds of a run without feed_dict (never changed)
_NO_FEEDS: Mapping = {}


def max_executables() -> int:
    """How many compiled steps a session keeps (DFC_MAX_EXECUTABLES, default 64), dropping the least recently used.

    A session fed batches of ever new shapes would otherwise keep native code for each one forever.
    """
    return max(1, int(os.environ.get("DFC_MAX_EXECUTABLES", "64")))


def locked_variables(step: Graph) -> tuple[str, ...]:
    """The variables a step updates with use_locking=True: the run holds their locks throughout."""
    names: set[str] = set()
    pending = [step.body]
    while pending:
        for op in pending.pop().ops:
            if op.attrs.get("use_locking") and "variable" in op.attrs:
                names.add(op.attrs["variable"])
            pending.extend(op.regions)
    return tuple(sorted(names))


def _plan_key(fetches: Any, feed_dict: Mapping, version: int) -> tuple | None:
    """A key for the plan cache, or None when the fetches are too nested to key cheaply.

    Keys use object ids; the plan holds the objects themselves, so an id cannot be
    reused by another object while its plan is cached.
    """
    kind = type(fetches)
    if kind in _LEAF_TYPES:  # one tensor or op: the commonest fetch, keyed without the isinstance checks
        return version, id(fetches), *map(id, feed_dict)
    if isinstance(fetches, (list, tuple)):
        if any(isinstance(f, (list, tuple, Mapping)) for f in fetches):
            return None
        fetch_key = (kind, *map(id, fetches))
    elif isinstance(fetches, Mapping):
        return None
    else:
        _LEAF_TYPES.add(kind)
        fetch_key = id(fetches)
    return version, fetch_key, *map(id, feed_dict)


#: fetch types seen to be neither sequences nor mappings (tensor and op handles)
_LEAF_TYPES: set[type] = set()


class _RunPlan:
    """Everything Session.run derives from one call's fetches and feed keys, kept for identical calls."""

    def __init__(self, session: Session, fetches: Any, feed_dict: Mapping):
        graph = session.ir_graph
        self.anchors = (fetches, list(feed_dict))  # keeps the keyed objects (and so their ids) alive
        self.structure = _FetchStructure(fetches, graph)
        self.fetch_values: list[Value] = []
        self.targets: list[Op] = []
        for leaf in self.structure.leaves:
            if builder.graph_of(leaf) is not graph:
                raise ValueError(f"Fetch argument {leaf.describe()} is not an element of this session's graph.")
            if isinstance(leaf, Value) and not leaf.is_control:
                if leaf not in self.fetch_values:
                    self.fetch_values.append(leaf)
            else:
                self.targets.append(leaf.op if isinstance(leaf, Value) else leaf)
        self.feed_values = [_feed_target(key, graph) for key in feed_dict]
        self.feed_checks = [_feed_checker(v) for v in self.feed_values]
        self.one_feed = self.feed_checks[0] if len(self.feed_checks) == 1 else None
        position = {v: i for i, v in enumerate(self.fetch_values)}
        self.slots = [position[leaf] if isinstance(leaf, Value) and not leaf.is_control else None
                      for leaf in self.structure.leaves]
        self.single = len(self.slots) == 1 and isinstance(self.structure.template, int)
        self.single_slot = self.slots[0] if self.single else None
        self.executables: dict[tuple, weakref.ref] = {}  # feed shapes -> the session's compiled step
        #: values whose arrays decide shapes in the step (a range's bound, a mask's count of true entries): the
        #: ones not fed are computed by a run of their own first; value_args index them in feeds + probe_values
        self.probe_values: list[Value] = []
        self.value_args: tuple[int, ...] = ()
        self.host = host_plan(graph, self.fetch_values, self.targets, self.feed_values)
        #: the sinks (queues' enqueues) the step feeds: (their values' positions among the fetches, push)
        self.sinks: list[tuple[list[int], Callable]] = []
        for values, push in (self.host.sinks if self.host is not None else ()):
            for v in values:
                if v not in self.fetch_values:
                    self.fetch_values.append(v)
            self.sinks.append(([self.fetch_values.index(v) for v in values], push))
        self.dynamic = DynamicVariableRun.of(graph, session.graph, self.fetch_values, self.targets, self.feed_values)

    def learn(self, session: Session, need: ShapeValuesNeeded) -> None:
        """Note the values a compile found its shapes depend on; raise `need` when they cannot be computed
        apart (they are made by ops that draw random numbers or change state: a second run would differ)."""
        added = False
        for value in need.values:
            if value.op is None:  # a step argument: a fed tensor or a value probed already
                index = value.index
                if index >= len(self.feed_values) + len(self.probe_values) or index in self.value_args:
                    raise need
                self.value_args = (*self.value_args, index)
                added = True
                continue
            try:
                source = session.ir_graph.op_by_name(value.op.name).results[value.index]
            except (KeyError, IndexError):
                raise need from None
            from dfc.compiler.prune import needed_ops

            for op in needed_ops(session.ir_graph, [source], [], set(self.feed_values)):
                if not _repeatable(op):
                    raise InvalidArgumentError(
                        f"{need.message}; its value comes from {op.describe()}, which draws random numbers or "
                        f"changes state, so it cannot be computed ahead of the step", need.op) from None
            if source in self.probe_values:
                raise need
            self.probe_values.append(source)
            self.value_args = (*self.value_args, len(self.feed_values) + len(self.probe_values) - 1)
            added = True
        if not added:
            raise need

    def pushed(self, session: Session, results: list[np.ndarray]) -> list[np.ndarray]:
        """Hand each sink its values of `results` (in the order the sinks were met); returns `results`."""
        for slots, push in self.sinks:
            push(session, [results[i] for i in slots])
        return results

    def outputs(self, results: list[np.ndarray]) -> Any:
        if self.single_slot is not None:  # one tensor fetched: the commonest call, kept short
            result = results[self.single_slot]
            return result[()] if result.ndim == 0 else result
        values = [None if slot is None else _as_fetched(results[slot]) for slot in self.slots]
        return values[0] if self.single else self.structure.build(values)


_REPEATABLE = ("dfc.placeholder", "dfc.variable", "dfc.assert", "dfc.check_numerics", "dfc.read_file",
               *CODEC_OPS)  # the image codecs take their op only to name it in errors


def _repeatable(op) -> bool:
    """Whether running op ahead of the step gives what the step will compute: no random draws, no writes; a
    tf.cond or tf.while_loop (a decoding loop whose trip count sizes its outputs) when every op inside is."""
    from dfc.ir.ops import get_op_def

    if op.regions:
        return all(inner.regions or _repeatable(inner) for region in op.regions for inner in region.walk())
    opdef = get_op_def(op.type)
    return not (opdef.stateful or opdef.uses_context) or op.type in _REPEATABLE


def _as_fetched(array: np.ndarray):
    return array[()] if array.ndim == 0 else array


def _feed_target(key: Any, graph: Graph) -> Value:
    try:
        target = as_ir(key, graph)
    except InvalidArgumentError as e:  # a name the graph lacks: TF's TypeError for a feed key
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
    if isinstance(key, str) and isinstance(target, Op):
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: The name '{key}' refers to an Operation, not a "
                        f"Tensor. Tensor names must be of the form \"<op_name>:<output_index>\" (feed '{key}:0')")
    if isinstance(target, Op):
        if len(target.results) != 1:
            raise TypeError(f"cannot feed op '{target.name}': feed one of its tensors")
        target = target.results[0]
    if not isinstance(target.type, TensorType):
        raise TypeError(f"cannot feed {target.describe()}: it is not a tensor")
    if builder.graph_of(target) is not graph:
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: Tensor {target.describe()} is not an element "
                        f"of this graph.")
    return target


def _feed_checker(target: Value) -> Callable[[Any], np.ndarray]:
    """A function that accepts a feed for `target` as is when it already fits, else converts or refuses it."""
    dtype = target.type.dtype.np
    shape = target.type.shape
    if target.type.dtype.is_string:  # str and bytes alike become bytes (runtime/host_strings.py)
        return lambda given: convert_feed(target, given)
    if shape is None:
        def check_any(given: Any) -> np.ndarray:
            if type(given) is np.ndarray and given.dtype == dtype:
                return given
            return convert_feed(target, given)
        return check_any
    if shape == () and target.type.dtype.is_floating:
        # a Python number fed to a float scalar, the commonest feed of all: what convert_feed does with it,
        # in one step (integers beyond int64 take convert_feed, which refuses them as numpy does)
        def check_scalar(given: Any) -> np.ndarray:
            kind = type(given)
            if kind is np.ndarray and given.dtype == dtype and given.shape == ():
                return given
            if kind is float or (kind is int and -_INT64_LIMIT <= given < _INT64_LIMIT):
                return np.array(given, dtype)
            return convert_feed(target, given)
        return check_scalar
    if target.type.is_static:
        def check(given: Any) -> np.ndarray:
            if type(given) is np.ndarray and given.dtype == dtype and given.shape == shape:
                return given
            return convert_feed(target, given)
        return check
    ndim = len(shape)
    known = [(i, d) for i, d in enumerate(shape) if d is not None]

    def check_partial(given: Any) -> np.ndarray:
        if type(given) is np.ndarray and given.dtype == dtype and given.ndim == ndim and \
                all(given.shape[i] == d for i, d in known):
            return given
        return convert_feed(target, given)
    return check_partial


_INT64_LIMIT = 1 << 63


def convert_feed(target: Value, given: Any) -> np.ndarray:
    """The fed value as an array of the tensor's dtype, converted as TF converts feeds (numpy's casts: 1.5 fed
    to an int32 placeholder is 1, "2.5" to a float one is 2.5); a value numpy cannot convert or a wrong shape is
    an error naming the tensor."""
    ttype: TensorType = target.type
    dtype = ttype.dtype
    label = f"placeholder '{target.op.name}'" if target.op is not None and target.op.type == "dfc.placeholder" \
        else f"tensor '{target.name}'"
    if hasattr(given, "_dfc_ir"):
        raise TypeError(f"The value of a feed cannot be a tf.Tensor object. Acceptable feed values include Python "
                        f"scalars, strings, lists, numpy ndarrays. The value fed to {label} was {given!r}; fetch it "
                        f"first, or feed the graph its inputs instead")
    try:
        array = np.asarray(given) if not dtype.is_string else bytes_array(given)
    except TypeError as e:
        raise InvalidArgumentError(f"cannot feed {label} of dtype string: {e}") from None
    except Exception as e:  # noqa: BLE001 - anything numpy cannot read is the caller's error
        raise InvalidArgumentError(f"cannot feed {label}: {e}") from None
    if array.dtype.kind in "iuO" and dtype.np.kind in "iu" and not isinstance(given, np.ndarray):
        _check_python_ints_fit(given, array, dtype.np, label)
    if array.dtype.kind in "SU" and not dtype.is_string:
        try:  # TF converts fed text with numpy: "2.5" feeds a float 2.5, "abc" is numpy's ValueError
            array = array.astype(dtype.np)
        except ValueError as e:
            raise ValueError(f"{label} of dtype {dtype.name} cannot take the fed value: {e}") from None
    if array.dtype.kind in "OSUVc" and array.dtype != dtype.np:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                converted = array.astype(dtype.np) if array.dtype.kind != "c" else None
        except (TypeError, ValueError) as e:
            converted, reason, kind = None, str(e), type(e)
        else:
            reason, kind = ("complex values" if converted is None else ""), ValueError
        if converted is None:
            # TF's classes: numpy's TypeError (a None among numbers) stays one, the rest are InvalidArgumentError
            error = TypeError if kind is TypeError else InvalidArgumentError
            raise error(f"cannot feed {label} of dtype {dtype.name} with a value of dtype {array.dtype}: {reason}")
        array = converted
    if not ttype.accepts_shape(array.shape):
        raise InvalidArgumentError(
            f"Cannot feed value of shape {_fmt_shape(array.shape)} for {label}, which has shape "
            f"{_fmt_shape(ttype.shape)}" + (f" (defined at {target.op.loc})" if target.op is not None and target.op.loc
                                            else ""))
    if array.dtype != dtype.np:
        with np.errstate(all="ignore"):
            array = array.astype(dtype.np)
    return np.require(array, requirements="C")


def _check_python_ints_fit(given: Any, array: np.ndarray, dtype: np.dtype, label: str) -> None:
    """Python integers fed to a narrower integer tensor are TF's TypeError, not values wrapped around."""
    limits = np.iinfo(dtype)
    if array.size == 0:
        return
    if array.dtype.kind in "iu":
        low, high = array.min(), array.max()
        too_big = high if high > limits.max else low if low < limits.min else None
    else:
        too_big = next((v for v in array.ravel() if isinstance(v, int) and not limits.min <= v <= limits.max), None)
    if too_big is not None:
        raise TypeError(f"Type of feed value {too_big} with type {type(too_big).__name__} is not compatible with "
                        f"{label} of type {dtype}. Try explicitly setting the type of the feed tensor to a larger "
                        f"type (e.g. int64).")


def _fmt_shape(shape) -> str:
    if shape is None:
        return "<unknown>"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
