"""GraphDef export: a dfc graph as TensorFlow's GraphDef proto (TensorBoard's graph view, tf.train.write_graph).

Nodes keep the graph's op names, devices and operands; op types become TF's op names where TF
has the op (`dfc.matmul` -> MatMul), and stay dfc's own (`dfc.grad`) where it does not. Attrs
carry the dtype (`T`, `dtype`), shapes, constant values and each op's own attributes. The protos
are TensorBoard's (`tensorboard.compat.proto`), the same messages TensorFlow writes.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from dfc.ir.dtypes import DType
from dfc.ir.graph import Graph, Op, Value
from dfc.ir.types import TensorType

#: GraphDef producer version written in `versions` (TF 1.15's GRAPH_DEF_VERSION)
PRODUCER_VERSION = 119

#: dfc op -> TF op of the same meaning; ops missing here keep their dfc name.
TF_OP_NAMES = {
    "abs": "Abs", "add": "AddV2", "argmax": "ArgMax", "argmin": "ArgMin", "assign": "Assign",
    "assign_add": "AssignAdd", "assign_sub": "AssignSub", "avg_pool": "AvgPool", "avg_pool_grad": "AvgPoolGrad",
    "bias_add": "BiasAdd", "cast": "Cast", "ceil": "Ceil", "check_numerics": "CheckNumerics", "concat": "ConcatV2",
    "constant": "Const",
    "conv2d": "Conv2D", "conv2d_backprop_filter": "Conv2DBackpropFilter",
    "conv2d_backprop_input": "Conv2DBackpropInput", "cos": "Cos", "depthwise_conv2d": "DepthwiseConv2dNative",
    "div": "RealDiv", "equal": "Equal", "exp": "Exp", "expand_dims": "ExpandDims", "expm1": "Expm1",
    "floor": "Floor", "floordiv": "FloorDiv", "gather": "GatherV2", "greater": "Greater",
    "greater_equal": "GreaterEqual", "group": "NoOp", "identity": "Identity", "if": "If", "less": "Less",
    "less_equal": "LessEqual", "log": "Log", "log1p": "Log1p", "log_softmax": "LogSoftmax",
    "logical_and": "LogicalAnd", "logical_not": "LogicalNot", "logical_or": "LogicalOr", "matmul": "MatMul",
    "max_pool": "MaxPool", "max_pool_grad": "MaxPoolGrad", "maximum": "Maximum", "minimum": "Minimum",
    "mod": "FloorMod", "mul": "Mul", "neg": "Neg", "no_op": "NoOp", "not_equal": "NotEqual", "one_hot": "OneHot",
    "placeholder": "Placeholder", "pow": "Pow", "random_normal": "RandomStandardNormal",
    "random_uniform": "RandomUniform", "reciprocal": "Reciprocal", "reduce_all": "All", "reduce_any": "Any",
    "reduce_max": "Max", "reduce_mean": "Mean", "reduce_min": "Min", "reduce_prod": "Prod", "reduce_sum": "Sum",
    "relu": "Relu", "reshape": "Reshape", "round": "Round", "rsqrt": "Rsqrt", "select": "SelectV2",
    "shape_of": "Shape", "sigmoid": "Sigmoid", "sign": "Sign", "sin": "Sin", "slice": "StridedSlice",
    "softmax": "Softmax", "split": "SplitV", "sqrt": "Sqrt", "square": "Square", "squeeze": "Squeeze",
    "stop_gradient": "StopGradient", "sub": "Sub", "tanh": "Tanh", "tile": "Tile", "transpose": "Transpose",
    "truncated_normal": "TruncatedNormal", "variable": "VariableV2", "while": "While",
}

#: TF's DataType enum values (types.proto), by dtype name
_DATA_TYPES = {
    "float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7, "complex64": 8,
    "int64": 9, "bool": 10, "bfloat16": 14, "uint16": 17, "complex128": 18, "float16": 19, "uint32": 22,
    "uint64": 23,
}

_ASSIGNS = ("dfc.assign", "dfc.assign_add", "dfc.assign_sub", "dfc.assign_rows")

#: dfc.assign_rows by mode and whether its index tuples are single rows: TF's scatter op
_ROW_WRITES = {("update", True): "ScatterUpdate", ("add", True): "ScatterAdd", ("sub", True): "ScatterSub",
               ("update", False): "ScatterNdUpdate", ("add", False): "ScatterNdAdd", ("sub", False): "ScatterNdSub"}


def tf_op_name(op_type: str) -> str:
    """TF's name for a dfc op type, or the dfc type itself when TF has no such op."""
    short = op_type.split(".", 1)[1] if op_type.startswith("dfc.") else op_type
    return TF_OP_NAMES.get(short, op_type)


def data_type(dtype: DType | Any) -> int:
    """TF's DataType enum for a dtype (DT_INVALID, 0, for one TF does not have)."""
    return _DATA_TYPES.get(getattr(dtype, "name", str(dtype)), 0)


def graph_to_graph_def(graph: Graph, add_shapes: bool = False, with_ir: bool = True) -> Any:
    """The GraphDef proto of `graph`'s top-level ops, in the graph's order.

    With `with_ir`, the graph's library also holds a function `_dfc_ir` whose attrs carry the
    graph as dfc's IR text and its op names: what tf.import_graph_def and tf.graph_util rebuild
    (TensorFlow ignores the function's underscore attrs).
    """
    from tensorboard.compat.proto import graph_pb2

    graph_def = graph_pb2.GraphDef()
    graph_def.versions.producer = PRODUCER_VERSION
    variables = {op.attrs.get("name"): op for op in graph.ops if op.type == "dfc.variable"}
    for op in graph.ops:
        if op.type in ("dfc.fetch", "dfc.yield"):
            continue
        _add_node(graph_def.node.add(), op, variables, add_shapes)
    if with_ir:
        embed_ir(graph_def, graph)
    return graph_def


#: the library function of a GraphDef that carries dfc's IR
IR_FUNCTION = "_dfc_ir"


def embed_ir(graph_def: Any, graph: Graph) -> None:
    """Put `graph` as IR text and op names into graph_def's library (replacing what was there)."""
    import json

    from dfc.ir.printer import print_graph
    for i, function in enumerate(graph_def.library.function):
        if function.signature.name == IR_FUNCTION:
            del graph_def.library.function[i]
            break
    function = graph_def.library.function.add()
    function.signature.name = IR_FUNCTION
    function.attr["_dfc_ir"].s = print_graph(graph).encode()
    function.attr["_dfc_op_names"].s = json.dumps([op.name for op in graph.walk()]).encode()


def embedded_ir(graph_def: Any) -> tuple[bytes, list[str]] | None:
    """(IR text, op names) embedded in a GraphDef by embed_ir, or None."""
    import json
    for function in graph_def.library.function:
        if function.signature.name == IR_FUNCTION and "_dfc_ir" in function.attr:
            try:
                names = json.loads(function.attr["_dfc_op_names"].s)
            except ValueError:
                names = []
            return function.attr["_dfc_ir"].s, names
    return None



def node_def(op: Op) -> Any:
    """One op as TF's NodeDef proto (tf.Operation.node_def), as graph_to_graph_def writes it."""
    from tensorboard.compat.proto import node_def_pb2

    from dfc.ir.builder import graph_of

    graph = graph_of(op)
    variables = {o.attrs.get("name"): o for o in graph.ops if o.type == "dfc.variable"} if graph is not None else {}
    node = node_def_pb2.NodeDef()
    _add_node(node, op, variables, add_shapes=False)
    return node

def _add_node(node: Any, op: Op, variables: dict[str, Op], add_shapes: bool) -> None:
    node.name = op.name
    node.op = tf_op_name(op.type)
    if op.type == "dfc.assign_rows":
        node.op = _ROW_WRITES.get((op.attrs["mode"], op.inputs[0].type.shape[-1:] == (1,)), node.op)
    node.device = op.device or ""
    inputs: list[str] = []
    if op.type in _ASSIGNS and op.attrs.get("variable") in variables:
        inputs.append(variables[op.attrs["variable"]].name)  # TF's Assign takes the variable as its first input
    as_control = op.type in ("dfc.group", "dfc.no_op")  # TF groups are NoOps waiting on their inputs
    for value in op.operands:
        inputs.append(_input_name(value, control=as_control or value.is_control))
    node.input.extend(dict.fromkeys(inputs))  # TF lists a control input once
    results = [r for r in op.results if isinstance(r.type, TensorType)]
    data_inputs = [v for v in op.inputs if isinstance(v.type, TensorType)][(op.type == "dfc.assign_rows"):]
    attr = node.attr
    if op.type == "dfc.placeholder" or op.type == "dfc.variable":
        attr["dtype"].type = data_type(results[0].type.dtype)
        _set_shape(attr["shape"].shape, results[0].type)
        if op.type == "dfc.variable":
            attr["container"].s = b""
            attr["shared_name"].s = b""
    elif op.type == "dfc.constant":
        attr["dtype"].type = data_type(results[0].type.dtype)
        _set_tensor(attr["value"].tensor, np.asarray(op.attrs["value"]), results[0].type)
    elif data_inputs and not as_control:
        attr["T"].type = data_type(data_inputs[0].type.dtype)
    for key, value in op.attrs.items():
        if op.type == "dfc.constant" and key == "value":
            continue
        if op.type == "dfc.variable" and key == "name":
            continue
        _set_attr(attr[key], value)
    if add_shapes and results:
        for result in results:
            _set_shape(attr["_output_shapes"].list.shape.add(), result.type)


def _input_name(value: Value, control: bool) -> str:
    op = value.op
    if op is None:
        return value.name
    if control:
        return "^" + op.name
    return op.name if value.index == 0 else f"{op.name}:{value.index}"


def _set_shape(proto: Any, ttype: TensorType) -> None:
    shape = getattr(ttype, "shape", None)
    if shape is None:
        proto.unknown_rank = True
        return
    for d in shape:
        proto.dim.add().size = -1 if d is None else int(d)


def _set_tensor(proto: Any, array: np.ndarray, ttype: TensorType) -> None:
    proto.dtype = data_type(ttype.dtype)
    _set_shape(proto.tensor_shape, TensorType(ttype.dtype, array.shape))
    if array.dtype.kind in "US":
        proto.string_val.extend(s.encode() if isinstance(s, str) else bytes(s) for s in array.ravel())
    else:
        proto.tensor_content = np.ascontiguousarray(array, dtype=ttype.dtype.np).tobytes()


def _set_attr(proto: Any, value: Any) -> None:
    if isinstance(value, DType):
        proto.type = data_type(value)
    elif isinstance(value, (bool, np.bool_)):
        proto.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        proto.i = int(value)
    elif isinstance(value, (float, np.floating)):
        proto.f = float(value)
    elif isinstance(value, str):
        proto.s = value.encode()
    elif isinstance(value, bytes):
        proto.s = value
    elif isinstance(value, np.ndarray):
        from dfc.ir.dtypes import as_dtype
        _set_tensor(proto.tensor, value, TensorType(as_dtype(value.dtype), value.shape))
    elif isinstance(value, (list, tuple)):
        items = list(value)
        field = proto.list
        field.SetInParent()
        if all(isinstance(v, DType) for v in items):
            field.type.extend(data_type(v) for v in items)
        elif all(isinstance(v, (bool, np.bool_)) for v in items):
            field.b.extend(bool(v) for v in items)
        elif all(isinstance(v, (int, np.integer)) for v in items):
            field.i.extend(int(v) for v in items)
        elif all(isinstance(v, (int, float, np.integer, np.floating)) for v in items):
            field.f.extend(float(v) for v in items)
        else:
            field.s.extend(str(v).encode() for v in items)
    else:
        proto.s = str(value).encode()


def as_graph_def(graph_or_graph_def: Any, add_shapes: bool = False, with_ir: bool = True) -> Any:
    """A GraphDef from a dfc Graph (exported) or a GraphDef proto (as is)."""
    if hasattr(graph_or_graph_def, "node") and hasattr(graph_or_graph_def, "SerializeToString"):
        return graph_or_graph_def
    to_ir = getattr(graph_or_graph_def, "_dfc_ir", None)  # a tf.Graph stands for its IR graph
    graph = to_ir() if to_ir is not None else graph_or_graph_def
    if not isinstance(graph, Graph):
        raise TypeError(f"expected a dfc Graph or a GraphDef proto, got {type(graph_or_graph_def).__name__}")
    return graph_to_graph_def(graph, add_shapes=add_shapes, with_ir=with_ir)


def write_graph(graph_or_graph_def: Any, logdir: str, name: str, as_text: bool = True) -> str:
    """tf.train.write_graph: the GraphDef as text (pbtxt) or binary under logdir/name; returns the path."""
    from google.protobuf import text_format

    graph_def = as_graph_def(graph_or_graph_def)
    path = os.path.join(logdir, name)
    if logdir:
        os.makedirs(logdir, exist_ok=True)
    data = text_format.MessageToString(graph_def).encode() if as_text else graph_def.SerializeToString()
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:  # written whole, then renamed: a reader never sees half a graph
        f.write(data)
    os.replace(tmp, path)
    return path
