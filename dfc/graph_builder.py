"""tf.Graph, Tensor and Operation: the objects a TF1 script builds, and making ops into the graph from its calls.

A tf.Graph wraps an IR graph with the state of building it (scopes, devices, control dependencies,
collections, seed); each IR value and op has one Tensor and one Operation. `make_op` is the one
way the DSL makes an op: in the current scopes, on the graph of its inputs.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from dfc.ir import builder
from dfc.ir.dtypes import DType, as_dtype
from dfc.ir.errors import ShapeError
from dfc.ir.graph import Graph as IRGraph
from dfc.ir.graph import Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from .device_spec import format_device, parse_device
from .graph_def import graph_to_graph_def, node_def, tf_op_name
from .tensor_shape import TensorShape

builder.register_internal_dir(os.path.dirname(os.path.abspath(__file__)))


# ---- tensors and operations --------------------------------------------------------------------
#: what Python's operators on tensors call: "binary" (opname, x, y), "negative", "abs", "logical_not", the bitwise
#: functions and "getitem"; math_ops and array_ops define them (this module sits below both and imports neither)
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

    def _logical_or_bitwise(self, other, logical: str, bitwise: str, reverse: bool = False):
        """&, | and ^ are logical on bools and bitwise on integers, as TF's operators dispatch them."""
        dtype = getattr(self, "dtype", None)
        if dtype is not None and dtype.is_integer:
            function = _operator_function(bitwise)
            return function(other, self) if reverse else function(self, other)
        return self._binary(other, logical, reverse)

    def __and__(self, other):
        return self._logical_or_bitwise(other, "logical_and", "bitwise_and")

    def __rand__(self, other):
        return self._logical_or_bitwise(other, "logical_and", "bitwise_and", True)

    def __or__(self, other):
        return self._logical_or_bitwise(other, "logical_or", "bitwise_or")

    def __ror__(self, other):
        return self._logical_or_bitwise(other, "logical_or", "bitwise_or", True)

    def __xor__(self, other):
        return self._logical_or_bitwise(other, "logical_xor", "bitwise_xor")

    def __rxor__(self, other):
        return self._logical_or_bitwise(other, "logical_xor", "bitwise_xor", True)

    def __neg__(self):
        return _operator_function("negative")(self)

    def __abs__(self):
        return _operator_function("abs")(self)

    def __invert__(self):
        dtype = getattr(self, "dtype", None)
        if dtype is not None and dtype.is_integer:
            return _operator_function("invert")(self)
        return _operator_function("logical_not")(self)

    def __getitem__(self, key):
        return _operator_function("getitem")(self._as_tensor() if hasattr(self, "_as_tensor") else self, key)

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
        shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        if shape.ndims is None:
            return
        given = TensorType(self.dtype, tuple(None if d is None else int(d) for d in shape.as_list()))
        current = self._value.type
        if current.shape is None:  # unknown rank (a py_func's output): the given shape, as TF1 merges them
            self._value.type = given
            return
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
    def device(self) -> str:
        """The device its op was placed on; "" when none was named (TF's)."""
        return (self._value.op.device or "") if self._value.op is not None else ""

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


_ASSIGNS = frozenset({"dfc.assign", "dfc.assign_add", "dfc.assign_sub"})


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
        """TF's name for the op's kind ("MatMul", "Placeholder", "VariableV2"), as TF1 scripts compare it; dfc's own
        name where TF has no such op. The IR op's type is `_dfc_ir().type`."""
        return tf_op_name(self._op.type)

    @property
    def inputs(self) -> list[Tensor]:
        if self._op.type == "dfc.group":
            return []  # TF's group is a NoOp whose dependencies are all control inputs
        values = [self._graph.tensor(v) for v in self._op.inputs]
        if self._op.type in _ASSIGNS:
            # TF's Assign takes the variable's ref tensor first; dfc's names the variable in an attribute
            try:
                values.insert(0, self._graph.get_operation_by_name(self._op.attrs["variable"]).outputs[0])
            except (KeyError, ValueError, IndexError):
                pass
        return values

    @property
    def control_inputs(self) -> list[Operation]:
        """The ops this op runs after: for an op without a control result, the op itself, not the group
        that stands for it (scopes.control_token)."""
        tokens = self._graph.collections.get("__control_tokens", {})
        sources = {token: op for op, token in tokens.items()}
        deps = self._op.operands if self._op.type == "dfc.group" else self._op.control_inputs
        return [self._graph.operation(sources.get(v, v.op)) for v in deps]

    @property
    def outputs(self) -> list[Tensor]:
        return [self._graph.tensor(v) for v in self._op.results if not v.is_control]

    @property
    def device(self) -> str:
        """The device string it was placed on; "" when none was named (TF's)."""
        return self._op.device or ""

    def colocation_groups(self) -> list[bytes]:
        """TF's: [b"loc:@NAME"], NAME the op it was made colocated with (tf.colocate_with), else its own."""
        return [b"loc:@" + self._graph.colocation_groups.get(self.name, self.name).encode()]

    @property
    def graph(self) -> Graph:
        return self._graph

    def get_attr(self, name: str):
        return self._op.attrs[name]

    @property
    def node_def(self) -> Any:
        """This op as TF's NodeDef proto (name, op type, inputs, device, attrs)."""
        return node_def(self._op)

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
        #: tf.colocate_with: the op names whose colocation group new ops join (innermost last), and each op's
        #: group where it is not the op itself (TF's "loc:@name" of Operation.colocation_groups)
        self.colocation_stack: list[str] = []
        self.colocation_groups: dict[str, str] = {}
        self.control_stack: list[list[Value]] = []
        self.collections: dict[str, Any] = {}
        self.seed: int | None = None
        self.finalized = False
        #: variables made with validate_shape=False: their shape is the value they hold (runtime/dynamic_variables.py)
        self.dynamic_variables: set[str] = set()
        #: gradient_override_map's maps, innermost last: TF op type -> the name a gradient was registered under
        self.gradient_overrides: list[dict[str, str]] = []
        #: the dfc.gather ops that are TF's Gather (tf.gather, embedding lookups): tf.gradients gives IndexedSlices
        self.row_gathers: set[Op] = set()
        #: tf.data iterators by their string_handle() value, for Iterator.from_string_handle
        self.string_handles: dict[bytes, Any] = {}
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
            if d is not None:  # "" is tf.device(None)'s: no device, whatever the scopes around it name
                return d or None
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
        """A copy of collection `key`; with `scope`, the items whose name re.match-es it (TF1's filter: items
        without a name are left out)."""
        items = self.collections.get(key, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [x for x in items if isinstance(getattr(x, "name", None), str) and pattern.match(x.name)]

    def get_collection_ref(self, key: str) -> list[Any]:
        """The collection itself (a list changed in place changes the collection)."""
        return self.collections.setdefault(key, [])

    def add_to_collection(self, key: str, value: Any) -> None:
        self.collections.setdefault(key, []).append(value)

    def add_to_collections(self, names, value: Any) -> None:
        for key in [names] if isinstance(names, str) else names:
            self.add_to_collection(key, value)

    def get_all_collection_keys(self) -> list[str]:
        return [k for k in self.collections if isinstance(k, str) and not k.startswith("__")]

    def clear_collection(self, key: str) -> None:
        self.collections.pop(key, None)

    def get_name_scope(self) -> str:
        """The current name scope, without a trailing '/' ('' at the top)."""
        return self.name_scope_stack[-1] if self.name_scope_stack else ""

    # name_scope, device, control_dependencies and colocate_with on this graph: dfc/scopes.py defines them

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map: dict[str, str]):
        """Ops made inside whose TF type the map names get the gradient registered (tf.RegisterGradient) under
        the mapped name (dfc/custom_gradient_ops.py)."""
        if not isinstance(op_type_map, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                        for k, v in op_type_map.items()):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        self.gradient_overrides.append(dict(op_type_map))
        try:
            yield
        finally:
            self.gradient_overrides.pop()

    def finalize(self) -> None:
        self.finalized = True

    def prevent_feeding(self, tensor: Any) -> None:
        """Refuse `tensor` as a feed_dict key of every run of this graph (TF's ValueError 'may not be fed')."""
        self._ir.unfeedable.add(self._own_value(tensor))

    def is_feedable(self, tensor: Any) -> bool:
        return self._own_value(tensor) not in self._ir.unfeedable

    def prevent_fetching(self, op: Any) -> None:
        """Refuse `op` (and its tensors) as a fetch of every run of this graph."""
        self._ir.unfetchable.add(self._own_op(op))

    def is_fetchable(self, tensor_or_op: Any) -> bool:
        ir = tensor_or_op._dfc_ir()
        return (ir.op if isinstance(ir, Value) else ir) not in self._ir.unfetchable

    def _own_value(self, tensor: Any) -> Value:
        ir = tensor._dfc_ir() if hasattr(tensor, "_dfc_ir") else None
        if not isinstance(ir, Value):
            raise TypeError(f"expected a Tensor, got {tensor!r}")
        return ir

    def _own_op(self, op: Any) -> Op:
        ir = op._dfc_ir() if hasattr(op, "_dfc_ir") else None
        if isinstance(ir, Value):
            ir = ir.op
        if not isinstance(ir, Op):
            raise TypeError(f"expected an Operation, got {op!r}")
        return ir

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
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs (it was called inside a "
                             "`with graph.as_default()` block). If you need a cleared graph, exit the nesting and "
                             "create a new graph.")
    _global_default[0] = Graph()


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


def captured_inputs(inputs: Sequence[Any]) -> Sequence[Any]:
    """`inputs`, where the default graph captures tensors of other graphs (a tf.data function's graph takes the
    outer graph's tables and constants, as TF's function graphs do), with those tensors replaced by its captures."""
    default = get_default_graph()
    capture = getattr(default, "capture_outer", None)
    if capture is None or not any(isinstance(x, Tensor) and x._graph is not default for x in inputs):
        return inputs
    return [capture(x) if isinstance(x, Tensor) and x._graph is not default else x for x in inputs]


def make_op(type: str, inputs: Sequence[Any] = (), attrs: dict | None = None, name: str | None = None,
            result_types=None, graph: Graph | None = None, exact_name: bool = False) -> Op:
    """Build one op from Tensors (or IR values) in the current scopes and return the IR op."""
    inputs = captured_inputs(inputs)
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
    if graph.colocation_stack:
        target = graph.colocation_stack[-1]
        graph.colocation_groups[op.name] = graph.colocation_groups.get(target, target)
    if graph.device_functions:
        for choose in graph.device_functions:
            chosen = choose(graph.operation(op))
            if chosen:
                op.device = format_device(parse_device(chosen))
    if graph.gradient_overrides and gradient_override is not None:
        return gradient_override(graph, op)
    return op


#: make_op's hook under Graph.gradient_override_map (set by dfc/custom_gradient_ops.py, which imports this module):
#: (graph, op) -> the op to return, a dfc.custom_gradient over op's results when the map names op's TF type
gradient_override: Callable[[Graph, Op], Op] | None = None


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
    inputs = captured_inputs(inputs)
    graph = current_graph(inputs)
    return graph.tensor(make_op(type, inputs, attrs, name, result_types, graph).results[0])
