"""The front end's core objects: Graph, Tensor, Operation, TensorShape, scopes, and making ops from user calls."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import weakref
from typing import Any
from collections.abc import Iterator, Sequence

import numpy as np

from dfc.ir import builder
from dfc.ir.dtypes import DType, as_dtype, bool_, f32, i32, i64
from dfc.ir.errors import ShapeError
from dfc.ir.graph import Graph as IRGraph
from dfc.ir.graph import Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from .graph_def import graph_to_graph_def

builder.register_internal_dir(os.path.dirname(os.path.abspath(__file__)))

DEFAULT_GRAPH_SEED = 87654321


# ---- shapes ------------------------------------------------------------------------------------
class Dimension:
    """One dim of a TensorShape; `.value` is an int or None (TF1's Dimension)."""

    __slots__ = ("value",)

    def __init__(self, value: int | None):
        self.value = None if value is None else int(value)

    def __int__(self) -> int:
        if self.value is None:
            raise ValueError("cannot convert an unknown Dimension to an int")
        return self.value

    __index__ = __int__

    def __eq__(self, other) -> bool:
        other = other.value if isinstance(other, Dimension) else other
        return self.value == other

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Dimension({self.value})"

    def __str__(self) -> str:
        return "?" if self.value is None else str(self.value)

    def _arith(self, other, fn):
        other = other.value if isinstance(other, Dimension) else other
        return Dimension(None if self.value is None or other is None else fn(self.value, other))

    def __mul__(self, other):
        return self._arith(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __add__(self, other):
        return self._arith(other, lambda a, b: a + b)

    __radd__ = __add__

    def __floordiv__(self, other):
        return self._arith(other, lambda a, b: a // b)


class TensorShape:
    """A static shape with possibly unknown dims: `as_list()`, `ndims`, indexing gives Dimensions."""

    def __init__(self, dims: Sequence[int | None] | None):
        self._dims = None if dims is None else tuple(None if d is None else int(d) for d in dims)

    @property
    def dims(self) -> list[Dimension] | None:
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    @property
    def ndims(self) -> int | None:
        return None if self._dims is None else len(self._dims)

    rank = ndims

    def as_list(self) -> list[int | None]:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape")
        return list(self._dims)

    def as_tuple(self) -> tuple[int | None, ...]:
        return tuple(self.as_list())

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d is not None for d in self._dims)

    def num_elements(self) -> int | None:
        return int(np.prod(self._dims)) if self.is_fully_defined() else None

    def __len__(self) -> int:
        return len(self.as_list())

    def __iter__(self):
        return iter(Dimension(d) for d in self.as_list())

    def __getitem__(self, key):
        if isinstance(key, slice):
            return TensorShape(self.as_list()[key])
        return Dimension(self.as_list()[key])

    def __eq__(self, other) -> bool:
        if isinstance(other, TensorShape):
            return self._dims == other._dims
        try:
            return self._dims == tuple(other)
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self._dims)

    def __repr__(self) -> str:
        return f"TensorShape({list(self._dims) if self._dims is not None else None})"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        return "(" + ", ".join("?" if d is None else str(d) for d in self._dims) + \
            ("," if len(self._dims) == 1 else "") + ")"


# ---- tensors and operations --------------------------------------------------------------------
#: what Python's operators on tensors call: "binary" (opname, x, y), "negative", "abs", "logical_not" and
#: "getitem"; math_ops and array_ops define them (this module sits below both and imports neither)
_OPERATOR_FUNCTIONS: dict[str, Any] = {}


def define_tensor_operators(**functions: Any) -> None:
    _OPERATOR_FUNCTIONS.update(functions)


def _operator_function(kind: str):
    try:
        return _OPERATOR_FUNCTIONS[kind]
    except KeyError:
        raise RuntimeError(f"tensor operator '{kind}' is not defined yet: import dfc (or dfc.math_ops and "
                           f"dfc.array_ops) first") from None


class _Operators:
    """Python operators on anything that converts to a Tensor (Tensors and Variables)."""

    __array_priority__ = 100
    __array_ufunc__ = None  # numpy defers to our reflected operators: np.float32(2) * x builds an op

    def _binary(self, other, opname, reverse=False):
        binary = _operator_function("binary")
        return binary(opname, other, self) if reverse else binary(opname, self, other)

    def __add__(self, other):
        return self._binary(other, "add")

    def __radd__(self, other):
        return self._binary(other, "add", True)

    def __sub__(self, other):
        return self._binary(other, "sub")

    def __rsub__(self, other):
        return self._binary(other, "sub", True)

    def __mul__(self, other):
        return self._binary(other, "mul")

    def __rmul__(self, other):
        return self._binary(other, "mul", True)

    def __truediv__(self, other):
        return self._binary(other, "truediv")

    def __rtruediv__(self, other):
        return self._binary(other, "truediv", True)

    def __floordiv__(self, other):
        return self._binary(other, "floordiv")

    def __rfloordiv__(self, other):
        return self._binary(other, "floordiv", True)

    def __mod__(self, other):
        return self._binary(other, "mod")

    def __rmod__(self, other):
        return self._binary(other, "mod", True)

    def __pow__(self, other):
        return self._binary(other, "pow")

    def __rpow__(self, other):
        return self._binary(other, "pow", True)

    def __matmul__(self, other):
        return self._binary(other, "matmul")

    def __rmatmul__(self, other):
        return self._binary(other, "matmul", True)

    def __lt__(self, other):
        return self._binary(other, "less")

    def __le__(self, other):
        return self._binary(other, "less_equal")

    def __gt__(self, other):
        return self._binary(other, "greater")

    def __ge__(self, other):
        return self._binary(other, "greater_equal")

    def __and__(self, other):
        return self._binary(other, "logical_and")

    def __rand__(self, other):
        return self._binary(other, "logical_and", True)

    def __or__(self, other):
        return self._binary(other, "logical_or")

    def __ror__(self, other):
        return self._binary(other, "logical_or", True)

    def __xor__(self, other):
        return self._binary(other, "logical_xor")

    def __rxor__(self, other):
        return self._binary(other, "logical_xor", True)

    def __neg__(self):
        return _operator_function("negative")(self)

    def __abs__(self):
        return _operator_function("abs")(self)

    def __invert__(self):
        return _operator_function("logical_not")(self)

    def __getitem__(self, key):
        return _operator_function("getitem")(convert_to_tensor(self), key)

    def __bool__(self):
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed: its value is only known when the "
                        "graph runs. Use `if t is not None:` instead of `if t:` to test if a tensor is defined, and "
                        "use ops such as tf.cond or tf.where to execute subgraphs conditioned on the value of a "
                        "tensor.")

    def __iter__(self):
        raise TypeError("A dfc Tensor is not iterable in graph mode; use tf.unstack or slicing with indices.")

    __hash__ = object.__hash__


class Tensor(_Operators):
    """A symbolic value of the graph: one result of an Operation (TF1's tf.Tensor)."""

    def __init__(self, value: Value, graph: Graph | None = None):
        self._value = value
        self._graph = graph if graph is not None else Graph.of(builder.graph_of(value))
        self._graph._tensors[value] = self

    def _dfc_ir(self) -> Value:
        return self._value

    @property
    def op(self) -> Operation:
        return self._graph.operation(self._value.op)

    @property
    def dtype(self) -> DType:
        return self._value.type.dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.type.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape) -> None:
        given = TensorType(self.dtype, tuple(None if d is None else int(d) for d in TensorShape(shape).as_list()))
        current = self._value.type
        if given.rank != current.rank or any(a is not None and b is not None and a != b
                                             for a, b in zip(given.shape, current.shape)):
            raise ValueError(f"Shapes {self.shape} and {TensorShape(given.shape)} are incompatible")
        merged = tuple(a if a is not None else b for a, b in zip(current.shape, given.shape))
        self._value.type = current.with_shape(merged)

    @property
    def name(self) -> str:
        return self._value.name

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def device(self) -> str | None:
        return self._value.op.device if self._value.op is not None else None

    @property
    def value_index(self) -> int:
        return self._value.index

    def consumers(self) -> list[Operation]:
        return [self._graph.operation(op) for op in self._graph.ops if self._value in op.operands]

    def eval(self, feed_dict=None, session=None):
        return _session_for(session, self).run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<dfc.Tensor '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    __eq__ = object.__eq__
    __hash__ = object.__hash__


class Operation:
    """A node of the graph (TF1's tf.Operation); running it returns None."""

    def __init__(self, op: Op, graph: Graph | None = None):
        self._op = op
        self._graph = graph if graph is not None else Graph.of(builder.graph_of(op))
        self._graph._operations[op] = self

    def _dfc_ir(self) -> Op:
        return self._op

    @property
    def name(self) -> str:
        return self._op.name

    @property
    def type(self) -> str:
        return self._op.type

    @property
    def inputs(self) -> list[Tensor]:
        return [self._graph.tensor(v) for v in self._op.inputs]

    @property
    def control_inputs(self) -> list[Operation]:
        return [self._graph.operation(v.op) for v in self._op.control_inputs]

    @property
    def outputs(self) -> list[Tensor]:
        return [self._graph.tensor(v) for v in self._op.results if not v.is_control]

    @property
    def device(self) -> str | None:
        return self._op.device

    @property
    def graph(self) -> Graph:
        return self._graph

    def get_attr(self, name: str):
        return self._op.attrs[name]

    def run(self, feed_dict=None, session=None) -> None:
        _session_for(session, self).run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<dfc.Operation '{self.name}' type={self.type}>"


def wrap(value: Value) -> Tensor:
    """The Tensor for an IR value (one per value, so identity comparisons work)."""
    return Graph.of(builder.graph_of(value)).tensor(value)


def wrap_op(op: Op) -> Operation:
    """The Operation for an IR op (one per op)."""
    return Graph.of(builder.graph_of(op)).operation(op)


def _session_for(session, item):
    from dfc.runtime import get_default_session
    session = session or get_default_session()
    if session is None:
        raise ValueError(f"Cannot evaluate {item!r}: no default session is registered. Use `with sess.as_default()` "
                         f"or pass eval(session=sess).")
    return session


# ---- graphs ------------------------------------------------------------------------------------
_DSL_GRAPHS: weakref.WeakValueDictionary[int, Graph] = weakref.WeakValueDictionary()


class Graph:
    """TF1's tf.Graph: an IR graph plus the state of building it from Python.

    The IR graph (`_dfc_ir()`) holds the ops; this object holds what only the TF1 front
    end knows: the name-scope, device and control-dependency stacks, collections, the
    graph-level seed, and the one Tensor and Operation object of each IR value and op.
    `with g.as_default():` makes new ops go to it.
    """

    def __init__(self, ir_graph: IRGraph | None = None):
        self._ir = ir_graph if ir_graph is not None else IRGraph()
        self.name_scope_stack: list[str] = []  # full scope paths, innermost last
        self.device_stack: list[str | None] = []
        self.device_functions: list[Any] = []  # tf.device(function): op -> device string, outermost first
        self.control_stack: list[list[Value]] = []
        self.collections: dict[str, Any] = {}
        self.seed: int | None = None
        self.finalized = False
        #: variables made with validate_shape=False: their shape is the value they hold (runtime/dynamic_variables.py)
        self.dynamic_variables: set[str] = set()
        self._tensors: dict[Value, Tensor] = {}
        self._operations: dict[Op, Operation] = {}
        _DSL_GRAPHS[self._ir.id] = self

    @classmethod
    def of(cls, ir_graph: IRGraph | None) -> Graph:
        """The front-end graph of an IR graph (made on first ask for one built without the DSL)."""
        if ir_graph is None:
            raise ValueError("the IR object belongs to no graph")
        found = _DSL_GRAPHS.get(ir_graph.id)
        return found if found is not None and found._ir is ir_graph else cls(ir_graph)

    def _dfc_ir(self) -> IRGraph:
        return self._ir

    # ---- the IR graph's contents -------------------------------------------------------
    @property
    def ops(self) -> list[Op]:
        return self._ir.ops

    @property
    def body(self):
        return self._ir.body

    @property
    def version(self) -> int:
        return self._ir.version

    @property
    def id(self) -> int:
        return self._ir.id

    graph_def_versions = version

    def mark_changed(self) -> None:
        self._ir.mark_changed()

    def op_by_name(self, name: str) -> Op:
        return self._ir.op_by_name(name)

    def tensor(self, value: Value) -> Tensor:
        """The Tensor of an IR value of this graph (one per value, so identity comparisons work)."""
        found = self._tensors.get(value)
        return found if found is not None else Tensor(value, self)

    def operation(self, op: Op) -> Operation:
        found = self._operations.get(op)
        return found if found is not None else Operation(op, self)

    # ---- names, devices and control dependencies of new ops ------------------------------
    def unique_name(self, name: str, mark_used: bool = True) -> str:
        """TF's uniquifier: `add`, then `add_1`, `add_2` ... within the current name scope."""
        scope = self.name_scope_stack[-1] if self.name_scope_stack else ""
        return self._ir.unique_name(f"{scope}/{name}" if scope else name, mark_used)

    def current_device(self) -> str | None:
        for d in reversed(self.device_stack):
            if d:
                return d
        return None

    def current_control_inputs(self) -> list[Value]:
        return [c for frame in self.control_stack for c in frame]

    # ---- TF1's Graph API ---------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self) -> Iterator[Graph]:
        _default_graphs.stack.append(self)
        try:
            yield self
        finally:
            _default_graphs.stack.pop()

    def get_operations(self) -> list[Operation]:
        return [self.operation(op) for op in self._ir.ops]

    def get_operation_by_name(self, name: str) -> Operation:
        return self.operation(self._ir.op_by_name(name))

    def get_tensor_by_name(self, name: str) -> Tensor:
        op_name, sep, index = name.rpartition(":")
        if not sep:
            raise ValueError(f"tensor names look like 'op:0', got '{name}'")
        op = self._ir.op_by_name(op_name)
        try:
            return self.tensor(op.results[int(index)])
        except (IndexError, ValueError):
            raise KeyError(f"op '{op_name}' has no output {index}") from None

    def get_collection(self, key: str, scope: str | None = None) -> list[Any]:
        items = self.collections.get(key, [])
        return [x for x in items if scope is None or getattr(x, "name", "").startswith(scope)]

    def add_to_collection(self, key: str, value: Any) -> None:
        self.collections.setdefault(key, []).append(value)

    def finalize(self) -> None:
        self.finalized = True

    def as_graph_def(self, from_version: int | None = None, add_shapes: bool = False) -> Any:
        """This graph as TF's GraphDef proto (see dfc.graph_def); `_output_shapes` attrs with add_shapes."""
        return graph_to_graph_def(self._ir, add_shapes=add_shapes)


class _DefaultGraphStack(threading.local):
    def __init__(self):
        self.stack: list[Graph] = []


_default_graphs = _DefaultGraphStack()
_global_default: list[Graph] = [Graph()]


def get_default_graph() -> Graph:
    return _default_graphs.stack[-1] if _default_graphs.stack else _global_default[0]


def reset_default_graph() -> None:
    if _default_graphs.stack:
        raise AssertionError("reset_default_graph called inside a `with graph.as_default()` block")
    _global_default[0] = Graph()


# ---- conversion --------------------------------------------------------------------------------
def is_tensor_like(x: Any) -> bool:
    return isinstance(x, (Tensor, Value)) or hasattr(x, "_as_tensor")


def convert_to_tensor(value: Any, dtype: DType | Any = None, name: str | None = None) -> Tensor:
    """A Tensor for `value`: Tensors pass through (their dtype must match), anything else becomes a constant."""
    want = as_dtype(dtype) if dtype is not None else None
    if isinstance(value, Value):
        value = wrap(value)
    if hasattr(value, "_as_tensor"):
        value = value._as_tensor()
    if isinstance(value, Tensor):
        if want is not None and value.dtype is not want:
            raise ValueError(f"Tensor conversion requested dtype {want.name} for Tensor {value.name!r} with dtype "
                             f"{value.dtype.name}")
        return value
    if isinstance(value, Operation):
        raise TypeError(f"cannot use Operation '{value.name}' as a tensor; use one of its outputs")
    return constant(value, dtype=want, name=name or "Const")


def infer_constant_dtype(value: Any) -> DType:
    """TF's rule: Python floats become float32 and ints int32; numpy arrays keep their dtype."""
    if isinstance(value, (np.ndarray, np.generic)):
        return as_dtype(value.dtype)
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return f32
    if array.dtype.kind in "iu":
        return i32 if array.size == 0 or (array.min() >= -2**31 and array.max() < 2**31) else i64
    if array.dtype.kind == "b":
        return bool_
    raise TypeError(f"cannot make a tensor of {value!r} (numpy dtype {array.dtype})")


def constant_array(value: Any, dtype: DType) -> np.ndarray:
    """`value` as an array of `dtype`; refuses conversions that change the value's kind lossily."""
    array = np.asarray(value)
    if array.dtype.kind in "OSUVc":
        raise TypeError(f"cannot convert {value!r} to a tensor of {dtype.name}")
    if dtype.is_integer and array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(np.trunc(array) != array):
            raise TypeError(f"Expected {dtype.name}, got {value!r} of type {type(value).__name__} instead.")
    if dtype.is_bool and array.dtype.kind != "b":
        raise TypeError(f"Expected bool, got {value!r} of type {type(value).__name__} instead.")
    with np.errstate(over="ignore"):
        out = array.astype(dtype.np)
    if dtype.is_integer and array.dtype.kind in "iu" and np.any(out.astype(np.int64) != array):
        raise TypeError(f"value {value!r} does not fit in {dtype.name}")
    return out


# ---- constants ---------------------------------------------------------------------------------
def constant(value: Any, dtype=None, shape=None, name: str = "Const", verify_shape: bool = False) -> Tensor:
    """A constant tensor; `shape` broadcasts a scalar or reshapes a value with as many elements."""
    dtype = as_dtype(dtype) if dtype is not None else infer_constant_dtype(value)
    array = constant_array(value, dtype)
    if shape is not None:
        shape = static_shape(shape)
        if any(d < 0 for d in shape):
            raise build_error("dfc.constant", name, f"shape {list(shape)} has a negative dim")
        if array.size == 1:
            try:
                array = np.full(shape, array.reshape(()), dtype=dtype.np)
            except (MemoryError, ValueError) as e:
                raise out_of_memory("dfc.constant", name, shape, dtype, e) from None
        elif array.size == int(np.prod(shape, dtype=np.int64)) and not verify_shape:
            array = array.reshape(shape)
        else:
            raise build_error("dfc.constant", name, f"constant of shape {list(array.shape)} does not fit the "
                                                    f"requested shape {list(shape)}")
    return make("dfc.constant", [], {"value": np.require(array, requirements="C")}, name=name)


def constant_value(tensor: Any) -> np.ndarray | None:
    """The value of a tensor made by dfc.constant (TF's tf.get_static_value), else None."""
    if isinstance(tensor, Tensor) and tensor.op.type == "dfc.constant":
        return tensor.op.get_attr("value")
    if not isinstance(tensor, Tensor):
        return np.asarray(tensor)
    return None


# ---- making ops -------------------------------------------------------------------------------
def out_of_memory(op_type: str, name: str, shape, dtype, error: Exception) -> Exception:
    """TF's ResourceExhaustedError for a tensor too big to allocate, naming the op and the user's line."""
    from dfc.ir.builder import capture_location
    from dfc.ir.errors import ResourceExhaustedError
    loc = capture_location()
    return ResourceExhaustedError(f"OOM when allocating tensor with shape {list(shape)} and type "
                                  f"{as_dtype(dtype).name} for {op_type} '{name}'{f' at {loc}' if loc else ''}: "
                                  f"{error}")


def build_error(op_type: str, name: str, message: str) -> ShapeError:
    """A build-time error found before an op exists, worded as create_op words its own: op, name, user's line."""
    loc = builder.capture_location()
    where = f" at {loc}" if loc else ""
    return ShapeError(f"{op_type} '{name}'{where}: {message}")


def current_graph(inputs: Sequence[Any] = ()) -> Graph:
    """The graph new ops go to: that of the tensor inputs, which must agree, else the default graph."""
    graph = None
    for x in inputs:
        if isinstance(x, Tensor):
            v, g = x._value, x._graph
        elif isinstance(x, Value):
            v, g = x, Graph.of(builder.graph_of(x))
        else:
            continue
        if graph is not None and g is not graph:
            raise ValueError(f"Tensor {v.describe()} must be from the same graph as the other inputs")
        graph = g
    return graph if graph is not None else get_default_graph()


def make_op(type: str, inputs: Sequence[Any] = (), attrs: dict | None = None, name: str | None = None,
            result_types=None, graph: Graph | None = None, exact_name: bool = False) -> Op:
    """Build one op from Tensors (or IR values) in the current scopes and return the IR op."""
    graph = graph or current_graph(inputs)
    values = [x._dfc_ir() if isinstance(x, Tensor) else x for x in inputs]
    for v in values:
        _check_visible(v, type, name)
    if graph.finalized:
        raise RuntimeError("Graph is finalized and cannot be modified")
    device = None
    if attrs and "device" in attrs:
        attrs = dict(attrs)
        device = attrs.pop("device")
    if not (exact_name and name):
        name = graph.unique_name(name or get_op_def(type).short)
    op = builder.create_op(graph._ir, type, values, attrs, name=name, result_types=result_types,
                           device=device if device is not None else graph.current_device(),
                           control_inputs=graph.current_control_inputs() if graph.control_stack else (),
                           exact_name=True)
    if graph.device_functions:
        for choose in graph.device_functions:
            chosen = choose(graph.operation(op))
            if chosen:
                op.device = format_device(parse_device(chosen))
    return op


def _check_visible(value: Value, type: str, name: str | None) -> None:
    """TF1: a tensor made inside a tf.cond branch or a tf.while_loop body cannot be used outside it."""
    owner = value.owner
    block = owner.block if isinstance(owner, Op) else owner
    if block is None or isinstance(block.parent, IRGraph):
        return
    inside = block.parent
    raise ValueError(f"Cannot use '{value.name}' as input to '{name or get_op_def(type).short}' because "
                     f"'{value.name}' was made inside {inside.type} '{inside.name}'"
                     f"{f' at {inside.loc}' if inside.loc else ''} (a tf.cond branch or tf.while_loop body); return "
                     f"it from the branch or body instead")


def make(type: str, inputs: Sequence[Any] = (), attrs: dict | None = None, name: str | None = None,
         result_types=None) -> Tensor:
    """Build a single-result op and return its Tensor."""
    graph = current_graph(inputs)
    return graph.tensor(make_op(type, inputs, attrs, name, result_types, graph).results[0])


# ---- scopes -----------------------------------------------------------------------------------
_VALID_SCOPE = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


@contextlib.contextmanager
def name_scope(name: str | None, default_name: str | None = None, values=None) -> Iterator[str]:
    """Prefix the names of ops made inside; yields the scope string ending in '/' (TF1 semantics)."""
    graph = current_graph(values or [])
    name = name if name is not None else default_name
    if name is None or name == "":
        graph.name_scope_stack.append("")
        try:
            yield ""
        finally:
            graph.name_scope_stack.pop()
        return
    if not _VALID_SCOPE.match(name):
        raise ValueError(f"'{name}' is not a valid scope name")
    if name.endswith("/"):
        full = name[:-1]  # an absolute scope, re-entered as is
    else:
        full = graph.unique_name(name)
    graph.name_scope_stack.append(full)
    try:
        yield full + "/"
    finally:
        graph.name_scope_stack.pop()


_DEVICE_FIELDS = ("job", "replica", "task", "device")


def parse_device(spec: str) -> dict[str, str]:
    """'/job:ps/task:0/cpu:0' -> {job: ps, task: 0, device: CPU:0}; unknown fields are an error."""
    out: dict[str, str] = {}
    for part in (p for p in spec.split("/") if p):
        key, _, value = part.partition(":")
        low = key.lower()
        if low in ("job", "replica", "task"):
            out[low] = value
        elif low in ("cpu", "gpu", "device"):
            out["device"] = value.upper() if low == "device" else f"{low.upper()}:{value or '0'}"
        else:
            hint = " (did you mean 'job'?)" if low.startswith("job") else ""
            raise ValueError(f"unknown field '{key}' in device string '{spec}'{hint}; expected "
                             f"/job:NAME/replica:N/task:N/(cpu|gpu):N")
    return out


def format_device(fields: dict[str, str]) -> str:
    parts = []
    for key in ("job", "replica", "task"):
        if key in fields:
            parts.append(f"/{key}:{fields[key]}")
    if "device" in fields:
        parts.append("/device:" + fields["device"])
    return "".join(parts)


def merge_device(outer: str | None, inner: str) -> str:
    merged = parse_device(outer) if outer else {}
    merged.update(parse_device(inner))
    return format_device(merged)


@contextlib.contextmanager
def device(spec: str | None) -> Iterator[None]:
    """Place ops made inside on `spec` (merged field by field with enclosing device scopes).

    `spec` may be a device function (op -> device string, e.g. tf.train.replica_device_setter),
    called with each op made inside, after the device strings of the scopes are applied.
    """
    graph = get_default_graph()
    if callable(spec):
        with _device_function(graph, spec):
            yield
        return
    outer = next((d for d in reversed(graph.device_stack) if d is not None), None)
    graph.device_stack.append(None if spec is None else merge_device(outer, spec))
    if spec is None:
        graph.device_stack[-1] = ""
    try:
        yield
    finally:
        graph.device_stack.pop()


@contextlib.contextmanager
def _device_function(graph: Graph, choose) -> Iterator[None]:
    """Inside, every op made in `graph` takes the device `choose(op)` names (the innermost function last)."""
    graph.device_functions.append(choose)
    try:
        yield
    finally:
        graph.device_functions.pop()


@contextlib.contextmanager
def control_dependencies(control_inputs) -> Iterator[None]:
    """Ops made inside run after `control_inputs` (ops or tensors); None clears enclosing ones."""
    graph = get_default_graph()
    if control_inputs is None:
        with without_control_dependencies(graph):
            yield
        return
    tokens = [control_token(c) for c in control_inputs]
    graph.control_stack.append(tokens)
    try:
        yield
    finally:
        graph.control_stack.pop()


def control_token(item) -> Value:
    """A `!dfc.control` value that `item`'s op produces or a group made once to wait on it."""
    if hasattr(item, "_as_tensor"):
        item = item._as_tensor()
    if isinstance(item, Tensor):
        item = item.op
    if not isinstance(item, Operation):
        raise TypeError(f"control inputs must be Operations or Tensors, got {item!r}")
    op = item._dfc_ir()
    if op.results and op.results[0].is_control:
        return op.results[0]
    graph = item.graph
    tokens = graph.collections.setdefault("__control_tokens", {})
    if op not in tokens:
        with without_control_dependencies(graph):
            tokens[op] = make_op("dfc.group", [op.results[0]], name=f"{op.name}/done", graph=graph).results[0]
    return tokens[op]


@contextlib.contextmanager
def init_scope(graph: Graph) -> Iterator[None]:
    """TF's init_scope: no name scope and no control dependencies (slots and steps belong to no step)."""
    names, controls = graph.name_scope_stack, graph.control_stack
    graph.name_scope_stack, graph.control_stack = [], []
    try:
        yield
    finally:
        graph.name_scope_stack, graph.control_stack = names, controls


@contextlib.contextmanager
def without_control_dependencies(graph: Graph) -> Iterator[None]:
    saved, graph.control_stack = graph.control_stack, []
    try:
        yield
    finally:
        graph.control_stack = saved


# ---- seeds -------------------------------------------------------------------------------------
def set_random_seed(seed: int | None) -> None:
    """The graph-level seed; None clears it (TF1: ops without their own seed draw differently each time)."""
    get_default_graph().seed = None if seed is None else int(seed)


def get_seed(op_seed: int | None) -> tuple[int, int]:
    """TF1's (graph seed, op seed) rule: deterministic when either is set."""
    graph = get_default_graph()
    if graph.seed is not None:
        return graph.seed, (len(graph.ops) if op_seed is None else int(op_seed))
    if op_seed is not None:
        return DEFAULT_GRAPH_SEED, int(op_seed)
    seed, seed2 = np.random.SeedSequence().generate_state(2)
    return int(seed), int(seed2)


def static_shape(shape: Any) -> tuple[int, ...]:
    """A shape argument (list, tuple, TensorShape, int, constant tensor) as a tuple of ints."""
    if isinstance(shape, TensorShape):
        dims = shape.as_list()
    elif isinstance(shape, Tensor):
        dims = constant_value(shape)
        if dims is None:
            raise ValueError(f"shape tensor {shape.name} must be a constant")
        dims = list(np.atleast_1d(dims))
    elif isinstance(shape, (int, np.integer)):
        dims = [shape]
    else:
        dims = list(shape)
    out = []
    for d in dims:
        d = d.value if isinstance(d, Dimension) else d
        if d is None:
            raise ValueError(f"{_user_line()}shape {dims} must be fully defined here")
        try:
            out.append(int(d))
        except (TypeError, ValueError, OverflowError):
            raise TypeError(f"{_user_line()}shape {dims} must hold ints, got {d!r}") from None
    return tuple(out)


def check_int(x: Any, what: str) -> int:
    if isinstance(x, Tensor):
        value = constant_value(x)
        if value is None:
            raise ValueError(f"{what} must be a constant, got the tensor {x.name}")
        x = value
    if isinstance(x, (float, np.floating)) and not float(x).is_integer():
        raise TypeError(f"{_user_line()}{what} must be an int, got {x!r}")
    try:
        return int(x)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{_user_line()}{what} must be an int, got {x!r}") from None


def _user_line() -> str:
    """'file:line:col: ' of the user's call, for errors raised before any op exists."""
    loc = builder.capture_location()
    return f"{loc}: " if loc else ""

