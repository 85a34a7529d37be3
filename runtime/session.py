"""Session: runs the part of a graph that the fetches need, with feeds, against a VariableStore."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib.util
import logging
import os
import reprlib
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dfc.compiler import compile_step
from dfc.compiler.specialize import ShapeValuesNeeded
from dfc.ir.errors import InvalidArgumentError, OpError, ResourceExhaustedError
from dfc.ir.graph import Graph, Op, Value

from . import executors, host_strings
from .executors import Executable
from .feeds import convert_feed  # noqa: F401 - importable from here, as before the split
from .fetches import as_ir  # noqa: F401 - importable from here, as before the split
from .host_feeds import reset_run_deadline, set_run_deadline
from .run_plan import RunPlan, plan_key
from .store import VariableStore
from .tracing import record_step_stats


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

class _NoDynamicStep(Exception):
    """No step can serve every value of a plan's value-dependent shapes (Session._dynamic_executable)."""


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
            raise TypeError(f"Argument `graph` must be a tf.Graph, but got \"{type(graph).__name__}\"")
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
        # ConfigProto.operation_timeout_in_ms: the deadline of every run's blocking ops unless RunOptions gives one
        self._operation_timeout_ms = int(getattr(config, "operation_timeout_in_ms", 0) or 0)
        if self._cluster is not None and self._cluster.owned:  # its task threads end with an unclosed session too
            weakref.finalize(self, self._cluster.close)
        if store is None:
            store = self._cluster.store if self._cluster is not None else VariableStore()
        self.store = store
        self._closed = False
        # compiled steps, least recently used first; a run plan's per-shape table holds weak references
        self._cache: OrderedDict[tuple, Executable] = OrderedDict()
        self._plans: dict[tuple, RunPlan] = {}
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
        timeout_ms = (getattr(options, "timeout_in_ms", 0) if options is not None else 0) or self._operation_timeout_ms
        token = set_run_deadline(time.monotonic() + timeout_ms / 1000) if timeout_ms and timeout_ms > 0 else None
        traced = run_metadata is not None and getattr(options, "trace_level", 0)
        try:
            if traced:  # RunOptions(trace_level=...): the run's StepStats (runtime/tracing.py)
                start = time.time_ns()
                result = self._run(fetches, feed_dict)
                record_step_stats(run_metadata, self._last_run, start, time.time_ns(),
                                  getattr(self._last_run, "last_stage_times", None))
                return result
            return self._run(fetches, feed_dict)
        except MemoryError as e:
            if isinstance(e, OpError):
                raise
            raise ResourceExhaustedError(f"OOM while running {reprlib.repr(fetches)}: {e}") from None
        finally:
            if token is not None:
                reset_run_deadline(token)

    def _run(self, fetches: Any, feed_dict: Mapping | None, learned: RunPlan | None = None) -> Any:
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
        keep_dynamic = plan.values_vary and self._cluster is None and not (self._places_on_gpus and self._gpus())
        if keep_dynamic:  # one step for every value: the value-dependent ops run on the host (RunPlan.values_vary)
            shapes = (*shapes, "dynamic")
        elif plan.value_args:  # shapes that depend on values: compute them, and key the step by them too
            if plan.probe_values:  # with the random draws and writes of their cones (RunPlan._split_ahead)
                probed = [np.asarray(a) for a in self._run(plan.probe_values, feed_dict)]
                arrays = arrays + probed
                feed_values = plan.feed_values + plan.probe_values
                shapes = (*shapes, *[a.shape for a in probed])
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
                executable = self._compiled(plan.fetch_values, plan.targets, feed_values, arrays,
                                            () if keep_dynamic else plan.value_args, keep_dynamic)
            except ShapeValuesNeeded as need:
                plan.learn(self, need)
                return self._run(fetches, feed_dict, plan)
            except _NoDynamicStep:  # the plan keeps compiling a step per value
                plan.values_vary, plan.dynamic_refused = False, True
                return self._run(fetches, feed_dict, plan)
            plan.compiled_for_values(keep_dynamic)
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

    def _plan(self, fetches: Any, feed_dict: Mapping) -> RunPlan:
        """What this call's fetches and feed keys mean, cached for calls with the same objects."""
        key = plan_key(fetches, feed_dict, self.ir_graph.version)
        plan = self._plans.get(key) if key is not None else None
        if plan is None:
            if not self.ir_graph.ops:
                raise RuntimeError("The Session graph is empty. Add operations to the graph before calling run().")
            plan = RunPlan(self, fetches, feed_dict)
            if key is not None:
                if len(self._plans) >= _MAX_PLANS:
                    self._plans.clear()
                self._plans[key] = plan
        return plan

    def _compiled(self, fetches: list[Value], targets: list[Op], feeds: list[Value],
                  arrays: list[np.ndarray], value_args: tuple[int, ...] = (), keep_dynamic: bool = False) -> Executable:
        """The compiled step for these fetches, targets and fed arrays; `value_args` index the feeds whose values
        (not only shapes) the step is specialized for; `keep_dynamic`: shapes that depend on values stay unknown,
        their ops run on the host (the CPU backend and the interpreter)."""
        key = (self.ir_graph.version, tuple(map(id, fetches)), tuple(map(id, targets)), tuple(map(id, feeds)),
               tuple((a.shape, a.dtype.str) for a in arrays), tuple(arrays[i].tobytes() for i in value_args),
               keep_dynamic)
        executable = self._cache.get(key)
        if executable is None and keep_dynamic:
            executable = self._dynamic_executable(fetches, targets, feeds, arrays)
            if executable is None:
                raise _NoDynamicStep
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
                else:  # the interpreter needs no shapes: a decoded image's stays unknown (one step for all sizes)
                    keep = host_strings.HOST_DYNAMIC if factory is executors.BACKENDS["interpreter"] else frozenset()
                    step = compile_step(self.ir_graph, fetches, targets, feeds, [a.shape for a in arrays],
                                        arg_values=arg_values, keep_dynamic=keep)
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

    def _dynamic_executable(self, fetches: list[Value], targets: list[Op], feeds: list[Value],
                            arrays: list[np.ndarray]) -> Executable | None:
        """A step whose value-dependent shapes stay unknown (runtime/host_strings.py runs their ops on the host),
        for the CPU backend and the interpreter; None for other backends (they compile per value)."""
        factory = executors.BACKENDS[self.backend]
        self._check_placement(fetches, targets, feeds)
        if self.backend != "interpreter" and factory is not executors.CpuExecutable:
            return None
        try:
            if self.backend == "interpreter":
                return factory(compile_step(self.ir_graph, fetches, targets, feeds, [a.shape for a in arrays],
                                            pipeline=["autodiff"], keep_dynamic=True), self)
            return host_strings.host_string_executable(self.ir_graph, fetches, targets, feeds, arrays,
                                                       executors._native_or_interpreted, keep_dynamic=True)
        except Exception as e:  # a shape rule or pass that needs known shapes: per-value steps still serve
            logging.getLogger("dfc").debug("no step for every value (%s: %s); compiling per value",
                                           type(e).__name__, e)
            return None

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
