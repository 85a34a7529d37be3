"""Variables of the DSL: Variable, get_variable with variable_scope, collections and state updates (the initializer
classes are in init_ops.py, tf.make_template in templates.py)."""

from __future__ import annotations

import contextlib
import functools
import sys
from typing import Any
from collections.abc import Iterator

import numpy as np

from dfc.ir.dtypes import as_dtype, f32
from dfc.ir.types import TensorType

from .array_ops import constant
from .framework import (Graph, Operation, Tensor, TensorShape, build_error, convert_to_tensor, current_graph,
                        get_default_graph, make, make_op, name_scope, static_shape, without_control_dependencies, wrap,
                        wrap_op)
from .graph_builder import _Operators, _session_for
from .partitioned_variables import SaveSliceInfo
from .variable_policy import VariableAggregation, VariableSynchronization, validate_policy  # noqa: F401
from .init_ops import (Initializer, constant_initializer, glorot_normal_initializer,  # noqa: F401 - their tf.* home
                       glorot_uniform_initializer, ones_initializer, random_normal_initializer,
                       random_uniform_initializer, truncated_normal_initializer, xavier_initializer, zeros_initializer)

GLOBAL_VARIABLES = "variables"
TRAINABLE_VARIABLES = "trainable_variables"


#: the arguments a variable creator receives (TF1's, in tf.Variable's order), with their defaults
_CREATOR_ARGS = {"initial_value": None, "trainable": None, "collections": None, "validate_shape": True,
                 "caching_device": None, "name": None, "variable_def": None, "dtype": None, "expected_shape": None,
                 "import_scope": None, "constraint": None, "use_resource": None, "synchronization": None,
                 "aggregation": None, "shape": None, "experimental_enable_variable_lifting": None}


class _VariableCreation(type):
    """tf.Variable(...) goes through the graph's variable creators (tf.variable_creator_scope), innermost first."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return cls._create(*args, **kwargs)
        except (TypeError, ValueError) as error:
            # __init__ is called from here, not from the user's line: name the call and that line here
            from .user_errors import add_location, _is_ours
            if not _is_ours(sys._getframe(1).f_code.co_filename):
                add_location(error, f"tf.{cls.__name__}", kwargs.get("name"))
            raise

    def _create(cls, *args: Any, **kwargs: Any) -> Any:
        stack = getattr(get_default_graph(), "_variable_creator_stack", None)
        if not stack:
            return super().__call__(*args, **kwargs)
        given = {**dict(zip(_CREATOR_ARGS, args)), **kwargs}
        arguments = {key: given.pop(key, default) for key, default in _CREATOR_ARGS.items()}
        arguments.update(given)
        arguments["synchronization"] = arguments["synchronization"] or VariableSynchronization.AUTO
        arguments["aggregation"] = arguments["aggregation"] or VariableAggregation.NONE

        def make(**kw: Any) -> Any:
            if kw.get("variable_def") is not None:
                raise NotImplementedError("dfc makes no Variable from a VariableDef proto; import the meta graph "
                                          "(tf.train.import_meta_graph) instead")
            return type.__call__(cls, **kw)
        getter = make
        for creator in stack:  # outermost first: the innermost creator is called first
            getter = functools.partial(_call_creator, creator, getter)
        return getter(**arguments)


def _call_creator(creator: Any, next_creator: Any, **kwargs: Any) -> Any:
    return creator(next_creator, **kwargs)


@contextlib.contextmanager
def variable_creator_scope(variable_creator: Any) -> Iterator[None]:
    """Inside, every tf.Variable (and tf.get_variable's new variables) is made by
    `variable_creator(next_creator, **kwargs)`, which may change the arguments or return a variable of its own."""
    graph = get_default_graph()
    if not hasattr(graph, "_variable_creator_stack"):
        graph._variable_creator_stack = []
    graph._variable_creator_stack.append(variable_creator)
    try:
        yield
    finally:
        graph._variable_creator_stack.remove(variable_creator)


class Variable(_Operators, metaclass=_VariableCreation):
    """A named buffer whose value persists across Session.run calls (TF1's tf.Variable)."""

    SaveSliceInfo = SaveSliceInfo
    _save_slice_info = None  # a shard of a PartitionedVariable: its place in the whole (partitioned_variables.py)

    _synchronization = VariableSynchronization.AUTO  # a variable of an imported meta graph: TF's defaults
    _aggregation = VariableAggregation.NONE

    def __init__(self, initial_value: Any = None, trainable: bool | None = None, collections=None,
                 validate_shape: bool = True, caching_device=None, name: str | None = None, dtype=None,
                 expected_shape=None, import_scope=None, constraint=None, synchronization=None, aggregation=None,
                 shape=None, **_ignored):
        self._synchronization, self._aggregation, trainable = validate_policy(synchronization, aggregation,
                                                                              trainable, name)
        if initial_value is None:
            raise ValueError("initial_value must be specified")
        self._use_resource = bool(_ignored.get("use_resource"))
        graph = get_default_graph()
        with without_control_dependencies(graph), name_scope(name, "Variable") as scope:
            self._name = scope[:-1]
            with name_scope("Initializer"):
                value = initial_value() if callable(initial_value) else initial_value
                initial = convert_to_tensor(value, dtype=dtype) if not isinstance(value, Tensor) else value
                if dtype is not None and initial.dtype is not as_dtype(dtype):
                    from .math_ops import cast
                    initial = cast(initial, dtype)
            declared = TensorShape(shape) if shape is not None else None
            if declared is not None and validate_shape and not declared.is_compatible_with(initial.shape):
                raise build_error("dfc.variable", self._name, f"variable '{self._name}' of shape {declared} cannot "
                                                              f"hold its initial value {initial.name} of shape "
                                                              f"{initial.shape}")
            if not initial.shape.is_fully_defined() and validate_shape and \
                    (declared is None or declared.is_fully_defined()):
                raise build_error("dfc.variable", self._name, f"initial value of variable '{self._name}' must "
                                                              f"have a fully defined shape, got {initial.shape}")
            self._initial_value = initial
            read_type = initial._dfc_ir().type
            if not validate_shape:  # TF1: the variable's shape is unknown; it is that of the value it holds
                read_type = TensorType(read_type.dtype, None)
                graph.dynamic_variables.add(self._name)
            elif declared is not None and not declared.is_fully_defined():  # shape=[None, 3]: what it holds
                read_type = TensorType(read_type.dtype, None if declared.ndims is None else tuple(declared.as_list()))
                graph.dynamic_variables.add(self._name)
            read_op = make_op("dfc.variable", [], {"name": self._name}, name=self._name,
                              result_types=[read_type], exact_name=True)
            self._read = wrap(read_op.results[0])
            self._initializer = make_op("dfc.assign", [initial], {"variable": self._name}, name="Assign")
        self._trainable = trainable
        self._graph = graph
        collections = list(collections) if collections is not None else [GLOBAL_VARIABLES]
        if trainable and TRAINABLE_VARIABLES not in collections:
            collections.append(TRAINABLE_VARIABLES)
        for key in collections:
            graph.collections.setdefault(key, []).append(self)

    # ---- as a tensor ---------------------------------------------------------------------------
    def _as_tensor(self) -> Tensor:
        return self._read

    def _dfc_ir(self):
        return self._read._dfc_ir()

    def value(self) -> Tensor:
        return self._read

    def read_value(self) -> Tensor:
        """A fresh read: inside control_dependencies it sees the effect of those ops."""
        return wrap(make_op("dfc.variable", [], {"name": self._name}, name=f"{self._name}/read",
                            result_types=[self._read._dfc_ir().type]).results[0])

    def initialized_value(self) -> Tensor:
        from .framework import control_dependencies
        with control_dependencies([wrap(self._initializer.results[0])]):
            return self.read_value()

    # ---- properties ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"{self._name}:0"

    @property
    def op(self) -> Operation:
        return self._read.op

    @property
    def dtype(self):
        return self._read.dtype

    @property
    def shape(self) -> TensorShape:
        return self._read.shape

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def device(self) -> str:
        return self._read.device

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def synchronization(self) -> VariableSynchronization:
        return self._synchronization

    @property
    def aggregation(self) -> VariableAggregation:
        return self._aggregation

    @property
    def initializer(self) -> Operation:
        return wrap_op(self._initializer)

    @property
    def initial_value(self) -> Tensor:
        return self._initial_value

    def _initialize_from(self, value: np.ndarray, source: str) -> None:
        """Make the initializer assign `value` (a checkpoint's tensor, tf.train.init_from_checkpoint)."""
        graph = self._graph
        with graph.as_default(), without_control_dependencies(graph), name_scope(self._name + "/"):
            initial = constant(np.asarray(value), dtype=self.dtype, name="checkpoint_initializer")
            self._initializer = make_op("dfc.assign", [initial], {"variable": self._name}, name="Assign")
        self._initial_value = initial

    @classmethod
    def _from_graph(cls, read: Tensor, initializer: Operation, initial_value: Tensor, trainable: bool) -> Variable:
        """The Variable of ops already in a graph (a meta graph imported by tf.train.import_meta_graph)."""
        var = cls.__new__(cls)
        var._name = read.op.name
        var._read = read
        var._initializer = initializer._dfc_ir()
        var._initial_value = initial_value
        var._trainable = trainable
        var._graph = read.graph
        return var

    def count_up_to(self, limit: int) -> Tensor:
        """See tf.count_up_to."""
        return count_up_to(self, limit)

    # ---- updates ------------------------------------------------------------------------------
    def _update(self, kind: str, value, name: str | None, use_locking=None, validate_shape: bool = True) -> Tensor:
        default = {"dfc.assign": "Assign", "dfc.assign_add": "AssignAdd", "dfc.assign_sub": "AssignSub"}[kind]
        try:
            value = convert_to_tensor(value, dtype=self.dtype)
        except ValueError as e:  # a tensor of another dtype: TF's TypeError naming the op's inputs
            if not isinstance(value, Tensor):
                raise
            raise TypeError(f"Input 'value' of '{default}' Op has type {value.dtype.name} that does not match type "
                            f"{self.dtype.name} of variable '{self._name}'") from e
        # TF's Assign/AssignAdd/AssignSub: the value has the variable's shape (no broadcasting); a variable of
        # unknown shape (validate_shape=False) takes any (runtime/dynamic_variables.py)
        known = self.shape.ndims is not None and value.shape.ndims is not None
        mine, given = (self.shape.as_list(), value.shape.as_list()) if known else ([], [])
        if len(mine) != len(given) or any(a is not None and b is not None and a != b for a, b in zip(mine, given)):
            verb = "assign" if kind == "dfc.assign" else "update"
            raise build_error(kind, name or default, f"cannot {verb} variable '{self._name}' of shape {self.shape} "
                                                      f"with a value of shape {value.shape}")
        attrs = {"variable": self._name}
        if use_locking:
            attrs["use_locking"] = True
        if validate_shape and self.shape.is_fully_defined() and not value.shape.is_fully_defined():  # checked in a run
            attrs["shape"] = tuple(self.shape.as_list())
        return make(kind, [value], attrs, name=name or default)

    # use_locking=True: a run containing the update holds the variable's lock throughout, so concurrent
    # runs never lose an update. Without it, as in TF, concurrent updates of one variable may interleave
    # (each element is still written whole: no torn values, no crash).
    def assign(self, value, use_locking=None, name: str | None = None, read_value: bool = True) -> Tensor:
        return self._update("dfc.assign", value, name, use_locking)

    def assign_add(self, delta, use_locking=None, name: str | None = None, read_value: bool = True) -> Tensor:
        return self._update("dfc.assign_add", delta, name, use_locking)

    def assign_sub(self, delta, use_locking=None, name: str | None = None, read_value: bool = True) -> Tensor:
        return self._update("dfc.assign_sub", delta, name, use_locking)

    def eval(self, session=None):
        return _session_for(session, self).run(self._read)

    def load(self, value, session=None) -> None:
        """Write `value` into the variable's buffer directly (no graph op)."""
        session = _session_for(session, self)
        array = np.asarray(value, dtype=self.dtype.np)
        if self.shape.ndims is not None and list(array.shape) != self.shape.as_list():
            raise ValueError(f"cannot load a value of shape {list(array.shape)} into variable '{self._name}' of "
                             f"shape {self.shape}")
        session.store.write(self._name, array)

    def __repr__(self) -> str:
        return f"<dfc.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    def __bool__(self) -> bool:
        # TF1's (ref) Variable is a plain object to `if v:` (tflearn's `if not step_tensor:`); a resource variable
        # reads its value, which a graph does not know, and raises as a tensor does
        if getattr(self, "_use_resource", False):
            return super().__bool__()
        return True


def assign(ref: Variable, value, validate_shape=None, use_locking=None, name: str | None = None) -> Tensor:
    return _as_variable(ref, "assign")._update("dfc.assign", value, name, use_locking,
                                               validate_shape=validate_shape is not False)


def assign_add(ref: Variable, value, use_locking=None, name: str | None = None) -> Tensor:
    return _as_variable(ref, "assign_add").assign_add(value, use_locking=use_locking, name=name)


def assign_sub(ref: Variable, value, use_locking=None, name: str | None = None) -> Tensor:
    return _as_variable(ref, "assign_sub").assign_sub(value, use_locking=use_locking, name=name)


def _as_variable(ref, what: str) -> Variable:
    if isinstance(ref, Tensor):
        found = _variable_read_by(ref)
        if found is not None:  # graph.get_tensor_by_name("w:0"): TF1's ref tensor of the variable
            return found
    if not isinstance(ref, Variable):
        raise TypeError(f"{what} needs a Variable, got {ref!r}")
    return ref


def _variable_read_by(tensor: Tensor) -> Variable | None:
    """The variable whose own output `tensor` is (the tensor a graph lookup by the variable's name gives)."""
    collections = getattr(tensor.graph, "collections", {})
    candidates = list(collections.get("__variables_by_name", {}).values())
    for key in (GLOBAL_VARIABLES, LOCAL_VARIABLES, "model_variables"):
        candidates += collections.get(key, [])
    return next((v for v in candidates if isinstance(v, Variable) and getattr(v, "_read", None) is tensor), None)


# ---- collections and initializers ---------------------------------------------------------------
def global_variables(scope: str | None = None) -> list[Variable]:
    return _collection(GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope: str | None = None) -> list[Variable]:
    return _collection(TRAINABLE_VARIABLES, scope)


def local_variables(scope: str | None = None) -> list[Variable]:
    return _collection("local_variables", scope)


def _collection(key: str, scope: str | None) -> list[Variable]:
    items = get_default_graph().collections.get(key, [])
    return [v for v in items if scope is None or v._name.startswith(scope)]


def group(*inputs, name: str | None = None) -> Operation:
    """One op that runs after all of `inputs` (ops, tensors or variables, possibly nested in lists)."""
    flat: list[Any] = []

    def collect(x):
        if isinstance(x, (list, tuple)):
            for y in x:
                collect(y)
        elif x is not None:
            flat.append(x)
    collect(inputs)
    values = []
    for x in flat:
        if isinstance(x, Variable):
            x = x._as_tensor()
        op = x._dfc_ir() if isinstance(x, Operation) else x._dfc_ir().op if isinstance(x, Tensor) else None
        if op is None:
            raise TypeError(f"group takes ops and tensors, got {x!r}")
        values.append(op.results[0])
    graph = current_graph(values)
    with graph.as_default():
        return wrap_op(make_op("dfc.group", values, name=name or "group_deps", graph=graph))


def no_op(name: str | None = None) -> Operation:
    return wrap_op(make_op("dfc.no_op", [], name=name or "NoOp"))


def variables_initializer(var_list, name: str = "init") -> Operation:
    var_list = list(var_list)
    if not var_list:
        return no_op(name)
    return group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer() -> Operation:
    return variables_initializer(global_variables(), name="init")


initialize_all_variables = global_variables_initializer


def local_variables_initializer() -> Operation:
    return variables_initializer(local_variables(), name="init_1")


# ---- variable_scope / get_variable -------------------------------------------------------------
AUTO_REUSE = "auto_reuse"


class VariableScope:
    def __init__(self, name: str, reuse: Any, initializer: Initializer | None, partitioner=None, dtype=None):
        self.name = name
        self.reuse = reuse
        self.initializer = initializer
        self.partitioner = partitioner
        # TF1: the default dtype of get_variable in this scope (float32 unless variable_scope(dtype=) says)
        self.dtype = as_dtype(dtype) if dtype is not None else f32

    def set_dtype(self, dtype) -> None:
        self.dtype = as_dtype(dtype)

    def set_partitioner(self, partitioner) -> None:
        self.partitioner = partitioner

    def set_initializer(self, initializer) -> None:
        self.initializer = initializer

    @property
    def original_name_scope(self) -> str:
        return self.name + "/" if self.name else ""

    def reuse_variables(self) -> None:
        self.reuse = True


def _scope_stack(graph: Graph) -> list[VariableScope]:
    return graph.collections.setdefault("__variable_scopes", [])


def get_variable_scope() -> VariableScope:
    stack = _scope_stack(get_default_graph())
    return stack[-1] if stack else VariableScope("", False, None)


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name: str | None = None, values=None, initializer=None,
                   reuse=None, partitioner=None, dtype=None, **_ignored) -> Iterator[VariableScope]:
    """Prefix get_variable names; `reuse=True` shares existing variables, AUTO_REUSE makes or shares; `dtype` is
    the scope's default variable dtype (scope.dtype), inherited by nested scopes."""
    if not (reuse is None or reuse == AUTO_REUSE or (isinstance(reuse, (bool, int, np.bool_)) and reuse in (0, 1))):
        raise ValueError(f"The reuse parameter must be True or False or None (variable_scope {name_or_scope!r} was "
                         f"given reuse={reuse!r}).")
    graph = get_default_graph()
    stack = _scope_stack(graph)
    outer = stack[-1] if stack else VariableScope("", False, None)
    if isinstance(name_or_scope, VariableScope):
        full = name_or_scope.name
        reuse = name_or_scope.reuse if reuse is None else reuse
        partitioner = name_or_scope.partitioner if partitioner is None else partitioner
        initializer = name_or_scope.initializer if initializer is None else initializer
        dtype = name_or_scope.dtype if dtype is None else dtype
    else:
        name = name_or_scope if name_or_scope is not None else default_name
        if name is None:
            raise ValueError("variable_scope needs a name or a default_name")
        if name_or_scope is None:  # TF1: a default name is made unique among the scopes entered here
            if reuse is True:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            name = _unique_scope_name(graph, outer.name, name)
        full = f"{outer.name}/{name}" if outer.name else name
    _count_scope(graph, full)
    # TF1: inside a reusing scope every nested scope reuses; reuse=None inherits
    inherited = True if outer.reuse is True else (outer.reuse if reuse is None else reuse)
    scope = VariableScope(full, inherited or False, initializer or outer.initializer,
                          partitioner if partitioner is not None else outer.partitioner,
                          dtype if dtype is not None else outer.dtype)
    # TF1 restarts the default layer names inside a scope entered again ('disc/dense' once more), so a
    # model built twice under the same scope with reuse=True finds its variables
    counts = graph.collections.get("__layer_name_counts")
    if counts:
        for key in [k for k in counts if k[0] == full or k[0].startswith(full + "/")]:
            del counts[key]
    stack.append(scope)
    try:
        with name_scope(full.rsplit("/", 1)[-1]):
            yield scope
    finally:
        stack.pop()


def _unique_scope_name(graph, outer: str, name: str) -> str:
    counts = graph.collections.setdefault("__variable_scope_counts", {})
    prefix = f"{outer}/{name}" if outer else name
    if not counts.get(prefix):
        return name
    index = 1
    while counts.get(f"{prefix}_{index}"):
        index += 1
    return f"{name}_{index}"


def _count_scope(graph, full: str) -> None:
    """Count `full` as entered and forget the scopes under it (TF1's variable-scope store)."""
    counts = graph.collections.setdefault("__variable_scope_counts", {})
    for key in [k for k in counts if k.startswith(full + "/")]:
        del counts[key]
    counts[full] = counts.get(full, 0) + 1


def get_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None, trainable: bool | None = None,
                 collections=None, partitioner=None, synchronization=None, aggregation=None,
                 **_ignored) -> Variable:
    """The variable `scope/name`: made on first use; reused only when the scope allows it. With a partitioner (or
    the scope's) a PartitionedVariable of shards `scope/name/part_i` (partitioned_variables.py)."""
    graph = get_default_graph()
    scope = get_variable_scope()
    full = f"{scope.name}/{name}" if scope.name else name
    synchronization, aggregation, trainable = validate_policy(synchronization, aggregation, trainable, full)
    policy = {"synchronization": synchronization, "aggregation": aggregation}
    if dtype is not None and initializer is not None and not callable(initializer):
        # TF's check, before any default replaces them: the initial value's dtype is the variable's, never cast
        given = convert_to_tensor(initializer).dtype.base_dtype
        if given is not as_dtype(dtype).base_dtype:
            raise ValueError(f"Initializer type '{given!r}' and explicit dtype '{as_dtype(dtype)!r}' don't match "
                             f"(variable {full}).")
    if dtype is None and scope.dtype is not f32:  # variable_scope(dtype=float16/64): its variables' default
        dtype = scope.dtype
    partitioner = partitioner if partitioner is not None else scope.partitioner
    scalar = shape is not None and len(static_shape(shape)) == 0
    if partitioner is not None and not scalar:  # TF1 leaves a scalar whole
        return _get_partitioned(full, scope.reuse, shape, dtype, initializer, regularizer, trainable, collections,
                                partitioner, policy)
    partitioned = graph.collections.get("__partitioned_variables_by_name", {})
    if full in partitioned:
        if scope.reuse is False:
            raise ValueError(f"No partitioner was provided, but a partitioned version of the variable was found: "
                             f"{full}/part_0. Perhaps a variable of the same name was already created with "
                             f"partitioning?")
        return partitioned[full]
    return _get_single(full, scope.reuse, shape, dtype, initializer if initializer is not None else scope.initializer,
                       regularizer, trainable, collections, policy=policy)


def _get_partitioned(full: str, reuse, shape, dtype, initializer, regularizer, trainable, collections, partitioner,
                     policy: dict | None = None):
    from .partitioned_variables import get_partitioned_variable
    scope_initializer = get_variable_scope().initializer

    def make_shard(leaf: str, part_shape, part_initializer, partition_info):
        chosen = part_initializer if part_initializer is not None else scope_initializer
        return _get_single(f"{full}/{leaf}", reuse, part_shape, dtype, chosen,
                           regularizer, trainable, collections, partition_info, policy=policy)
    return get_partitioned_variable(make_shard, full, reuse, shape, dtype, initializer, partitioner,
                                    get_default_graph())


def _get_single(full: str, reuse, shape, dtype, initializer, regularizer, trainable, collections,
                partition_info=None, policy: dict | None = None) -> Variable:
    graph = get_default_graph()
    existing: dict[str, Variable] = graph.collections.setdefault("__variables_by_name", {})
    if full in existing:
        if reuse is False:
            raise ValueError(f"Variable {full} already exists, disallowed. Did you mean to set reuse=True or "
                             f"reuse=tf.AUTO_REUSE in VarScope?")
        var = existing[full]
        if shape is not None and list(static_shape(shape)) != var.shape.as_list():
            raise ValueError(f"Trying to share variable {full}, but specified shape {TensorShape(static_shape(shape))}"
                             f" and found shape {var.shape}.")
        if dtype is not None and as_dtype(dtype).base_dtype != var.dtype.base_dtype:
            raise ValueError(f"Trying to share variable {full}, but specified dtype {as_dtype(dtype).name} and found "
                             f"dtype {var.dtype.base_dtype.name}.")
        return var
    if reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with tf.get_variable(). Did you mean "
                         f"to set reuse=tf.AUTO_REUSE in VarScope?")
    constant_initial = initializer is not None and not callable(initializer)
    # a variable made from a value takes the value's dtype (from tf.constant([1, 2]) an int32 one, as in TF)
    dtype = as_dtype(dtype) if dtype is not None else None if constant_initial else f32
    if initializer is None:  # TF1's defaults: Glorot for floats, zeros for integers and bools
        initializer = glorot_uniform_initializer() if dtype.is_floating else zeros_initializer(dtype)
    if constant_initial:
        if shape is not None:
            raise ValueError(f"If initializer is a constant, do not specify shape (variable {full}: the initial "
                             f"value sets its shape).")
        value = initializer
    else:
        if shape is None:
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but instead was None.")
        if partition_info is not None:  # the shard's initial value: initializers may scale by the full shape
            value = lambda: initializer(static_shape(shape), dtype=dtype,  # noqa: E731
                                        partition_info=partition_info)
        else:
            value = lambda: initializer(static_shape(shape), dtype=dtype)  # noqa: E731 - built in the var's scope
    parent, _, name = full.rpartition("/")
    saved = list(graph.name_scope_stack)
    graph.name_scope_stack[:] = [parent] if parent else []
    try:
        var = Variable(value, trainable=trainable, collections=collections, name=name, dtype=dtype, **(policy or {}))
    finally:
        graph.name_scope_stack[:] = saved
    # a name taken by another op (a tf.Variable named alike) is uniquified, as TF does: 'x' becomes 'x_1'
    existing[full] = var
    if regularizer is not None:  # TF1: the penalty of a new variable, under '<name>/Regularizer/'
        with name_scope(f"{var.op.name}/Regularizer/"):
            penalty = regularizer(var)
        if penalty is not None:
            graph.collections.setdefault("regularization_losses", []).append(penalty)
    return var


def create_partitioned_variables(shape, slicing, initializer, dtype=None, trainable: bool = True,
                                 collections=None, name: str | None = None, reuse=None) -> list:
    """The shards of a new partitioned variable (TF1's deprecated helper): a list of Variables `name/part_i`."""
    shape, slicing = list(shape), list(slicing)
    if len(shape) != len(slicing):
        raise ValueError(f"The 'shape' and 'slicing' of a partitioned Variable must have the length: shape: "
                         f"{shape}, slicing: {slicing}")
    if len(shape) < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1: shape: {shape}")
    with variable_scope(name, "PartitionedVariable", reuse=reuse) as scope:
        # TF's variable is the scope itself: its shards are 'name/part_i'
        variable = _get_partitioned(scope.name, scope.reuse, shape, dtype or "float32", initializer, None, trainable,
                                    collections, lambda **_unused: slicing)
    return list(variable)


# ---- TF1's other variable utilities ------------------------------------------------------------
LOCAL_VARIABLES = "local_variables"
MODEL_VARIABLES = "model_variables"
MOVING_AVERAGE_VARIABLES = "moving_average_variables"


def model_variables(scope: str | None = None) -> list[Variable]:
    """The variables of the model's forward pass (tf.GraphKeys.MODEL_VARIABLES)."""
    return _collection(MODEL_VARIABLES, scope)


def moving_average_variables(scope: str | None = None) -> list[Variable]:
    """The variables an ExponentialMovingAverage keeps averages of (tf.GraphKeys.MOVING_AVERAGE_VARIABLES)."""
    return _collection(MOVING_AVERAGE_VARIABLES, scope)


def get_local_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None, trainable: bool = False,
                       collections=None, **kwargs) -> Variable:
    """tf.get_variable for a local variable: in LOCAL_VARIABLES (not GLOBAL_VARIABLES), never trainable."""
    collections = list(collections or []) + [LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
                        trainable=False, collections=collections, **kwargs)


def initialize_variables(var_list, name: str = "init") -> Operation:
    """TF1's older name of variables_initializer."""
    return variables_initializer(var_list, name=name)


def initialize_local_variables() -> Operation:
    """TF1's older name of local_variables_initializer."""
    return local_variables_initializer()


def _initialized_flag(var: Variable) -> Tensor:
    """A bool scalar the session fills before the step: whether `var` holds a value in that session."""
    from dfc.runtime.host_feeds import register_source

    from .array_ops import placeholder
    name = var.op.name
    flag = placeholder(np.bool_, [], name="IsVariableInitialized")
    register_source(var.graph._dfc_ir(), [flag._dfc_ir()],
                    lambda session: [np.array(session.store.is_initialized(name))])
    return flag


def is_variable_initialized(variable: Variable) -> Tensor:
    """A bool scalar tensor: whether the variable was initialized (in the session that runs it)."""
    variable = _as_variable(variable, "is_variable_initialized")
    with variable.graph.as_default():
        return _initialized_flag(variable)


class _NamesTensor:
    """A 1-D string tensor computed on the host after the step (report_uninitialized_variables' result)."""

    def __init__(self, name: str, graph: Graph, names: list[str], flags: list[Tensor]):
        from .summary_ops import STRING
        self._name, self._graph, self._names, self._flags = f"{name}:0", graph, names, flags
        self.dtype = STRING
        self.shape = TensorShape([None])

    def _dfc_host_fetch(self):
        def compute(values):
            return np.array([n.encode() for n, ok in zip(self._names, values) if not ok], dtype=object)
        return list(self._flags), compute

    @property
    def name(self) -> str:
        return self._name

    @property
    def graph(self) -> Graph:
        return self._graph

    def get_shape(self) -> TensorShape:
        return self.shape

    def eval(self, feed_dict=None, session=None):
        from dfc.runtime import get_default_session
        session = session or get_default_session()
        if session is None:
            raise ValueError(f"Cannot evaluate tensor '{self.name}': no default session is registered.")
        return session.run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<dfc.Tensor '{self.name}' shape=(?,) dtype=string>"


def report_uninitialized_variables(var_list=None, name: str = "report_uninitialized_variables") -> _NamesTensor:
    """A 1-D string tensor of the names of the variables (global and local by default) not yet initialized."""
    graph = get_default_graph()
    if var_list is None:
        var_list = global_variables() + local_variables()
    var_list = [_as_variable(v, "report_uninitialized_variables") for v in var_list]
    with graph.as_default(), name_scope(name) as scope:
        flags = [_initialized_flag(v) for v in var_list]
    return _NamesTensor(scope[:-1], graph, [v.op.name for v in var_list], flags)


def assert_variables_initialized(var_list=None) -> Tensor | None:
    """An op whose run fails with FailedPreconditionError, naming the variable, while one is uninitialized."""
    from .array_ops import identity, rank, stack
    from .framework import control_dependencies
    if var_list is None:
        var_list = global_variables() + local_variables()
    var_list = [_as_variable(v, "assert_variables_initialized") for v in var_list]
    if not var_list:
        return None
    # reading each variable is what fails (TF takes their ranks): each rank waits on a read of its variable
    ranks = []
    for v in var_list:
        with control_dependencies([v.read_value()]):
            ranks.append(identity(rank(v)))
    return ranks[0] if len(ranks) == 1 else stack(ranks)


def count_up_to(ref: Variable, limit: int, name: str | None = None) -> Tensor:
    """Increment an int variable and return its value before; OutOfRangeError once it has reached `limit`."""
    from dfc.ir.errors import OutOfRangeError
    from dfc.runtime.host_feeds import register_source

    from .array_ops import placeholder
    from .framework import control_dependencies
    ref = _as_variable(ref, "count_up_to")
    if ref.dtype.name not in ("int32", "int64"):
        raise TypeError(f"Value passed to parameter 'ref' has DataType {ref.dtype.name} not in list of allowed "
                        f"values: int32, int64 (count_up_to of variable '{ref.op.name}')")
    limit = int(limit)
    graph = ref.graph
    var_name = ref.op.name
    with graph.as_default():
        op_name = graph.unique_name(name or "CountUpTo")
        with name_scope(op_name + "/"):
            before = placeholder(ref.dtype, ref.shape, name="value")

            def pull(session):
                value = np.asarray(session.store.read(var_name, None))  # FailedPreconditionError if uninitialized
                if value.size and int(value.reshape(-1)[0]) >= limit:
                    raise OutOfRangeError(f"Reached limit of {limit} (count_up_to '{op_name}' of variable "
                                          f"'{var_name}')")
                return [value.astype(ref.dtype.np)]
            register_source(graph._dfc_ir(), [before._dfc_ir()], pull)
            increment = ref.assign_add(np.ones([], ref.dtype.np) if ref.shape.ndims == 0 else 1, name="increment")
        with control_dependencies([increment]):
            return wrap(make_op("dfc.identity", [before], name=op_name, exact_name=True).results[0])
