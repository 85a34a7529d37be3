"""tf.graph_util and tf.import_graph_def: freezing, pruning and re-importing GraphDefs.

The functions work on the GraphDef's nodes as TF's do (names, inputs, op types), so they
also take GraphDefs that TensorFlow wrote; a GraphDef dfc wrote carries its graph as dfc's
IR too (dfc/graph_def.py), which they keep in step, and which tf.import_graph_def rebuilds.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from dfc.ir.errors import UnimplementedError

from .graph_def import _set_tensor, data_type, embed_ir, embedded_ir

_log = logging.getLogger("dfc")

_VARIABLE_OPS = ("VariableV2", "Variable", "VarHandleOp", "dfc.variable")


def _node_name(name: str) -> str:
    """A node's name from an input string: '^x' and 'x:1' are node 'x'."""
    name = name[1:] if name.startswith("^") else name
    return name.split(":")[0]


def _check_graph_def(graph_def: Any, what: str) -> None:
    if not (hasattr(graph_def, "node") and hasattr(graph_def, "SerializeToString")):
        raise TypeError(f"{what} must be a GraphDef proto, got {type(graph_def).__name__}")


def _ir(graph_def: Any, what: str) -> Any | None:
    from .meta_graph import parse_ir
    payload = embedded_ir(graph_def)
    if payload is None:
        return None
    text, names = payload
    return parse_ir(text, names, what)


def _rebuilt(ir: Any, keep: set[str], replace: dict[str, Any] | None = None,
             splice: dict[str, str] | None = None) -> Any:
    """A new IR graph of `ir`'s top-level ops named in `keep` (in order): ops of `replace` become those ops,
    ops of `splice` are skipped with their users reading the op's first operand instead."""
    from dfc.ir.graph import Graph as IRGraph
    from dfc.ir.rewrite import clone_op

    out = IRGraph()
    value_map: dict = {}
    for op in ir.ops:
        if splice and op.name in splice and op.operands:
            source = op.operands[0]
            for result in op.results:
                value_map[result] = value_map.get(source, source)
            continue
        if op.name not in keep:
            continue
        if replace and op.name in replace:
            new = replace[op.name]
            for old, fresh in zip(op.results, new.results):
                value_map[old] = fresh
        else:
            new = clone_op(op, value_map)
        out.reserve_name(new.name)
        out.append(new)
    return out


def _with_ir(graph_def: Any, ir: Any | None) -> Any:
    if ir is not None:
        embed_ir(graph_def, ir)
    return graph_def


def extract_sub_graph(graph_def: Any, dest_nodes: Sequence[str]) -> Any:
    """The GraphDef of the nodes `dest_nodes` need (through data and control inputs), in their order."""
    _check_graph_def(graph_def, "graph_def")
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list.")
    by_name = {node.name: node for node in graph_def.node}
    for d in dest_nodes:
        if d not in by_name:
            raise AssertionError(f"{d} is not in graph")
    keep: set[str] = set()
    stack = list(dest_nodes)
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        node = by_name.get(name)
        if node is not None:
            stack.extend(_node_name(i) for i in node.input)
    out = type(graph_def)()
    out.versions.CopyFrom(graph_def.versions)
    out.library.CopyFrom(graph_def.library)
    out.node.extend(copy.deepcopy(node) for node in graph_def.node if node.name in keep)
    ir = _ir(graph_def, "GraphDef")
    if ir is not None:
        ir = _rebuilt(ir, keep | _region_needs(ir, keep))
    return _with_ir(out, ir)


def _region_needs(ir: Any, keep: set[str]) -> set[str]:
    """Names of top-level ops that kept ops' regions read (a cond branch reading an outer value)."""
    from dfc.ir.rewrite import free_values
    more: set[str] = set()
    stack = [op for op in ir.ops if op.name in keep]
    while stack:
        op = stack.pop()
        for value in free_values(op):
            producer = value.op
            if producer is not None and producer.block is ir.body and producer.name not in keep | more:
                more.add(producer.name)
                stack.append(producer)
    return more


def remove_training_nodes(input_graph: Any, protected_nodes: Sequence[str] | None = None) -> Any:
    """The GraphDef without CheckNumerics nodes and without Identity nodes (their users read the input instead);
    `protected_nodes` stay, as do Identity nodes with control inputs."""
    _check_graph_def(input_graph, "input_graph")
    protected = set(protected_nodes or [])
    splice: dict[str, str] = {}
    for node in input_graph.node:
        if node.name in protected or not node.input:
            continue
        if node.op == "CheckNumerics" or (node.op == "Identity"
                                          and not any(i.startswith("^") for i in node.input)):
            splice[node.name] = node.input[0]

    def resolve(name: str) -> str:
        control = name.startswith("^")
        base = name[1:] if control else name
        seen = set()
        while _node_name(base) in splice and _node_name(base) not in seen:
            seen.add(_node_name(base))
            base = splice[_node_name(base)]
        return ("^" + _node_name(base)) if control else base
    out = type(input_graph)()
    out.versions.CopyFrom(input_graph.versions)
    out.library.CopyFrom(input_graph.library)
    for node in input_graph.node:
        if node.name in splice:
            continue
        new = out.node.add()
        new.CopyFrom(node)
        del new.input[:]
        new.input.extend(dict.fromkeys(resolve(i) for i in node.input))
    ir = _ir(input_graph, "GraphDef")
    if ir is not None:
        names = {op.name for op in ir.ops} - set(splice)
        ir = _rebuilt(ir, names, splice=splice)
    return _with_ir(out, ir)


def convert_variables_to_constants(sess: Any, input_graph_def: Any, output_node_names: Sequence[str],
                                   variable_names_whitelist: Sequence[str] | None = None,
                                   variable_names_blacklist: Sequence[str] | None = None) -> Any:
    """The GraphDef that `output_node_names` need, with each variable replaced by a constant of its value in
    `sess` (a frozen graph: no variables left to initialize or restore)."""
    from dfc.ir.builder import create_op
    from dfc.ir.graph import Graph as IRGraph
    from dfc.ir.types import TensorType

    inference = extract_sub_graph(input_graph_def, output_node_names)
    allowed = set(variable_names_whitelist) if variable_names_whitelist is not None else None
    blocked = set(variable_names_blacklist or [])
    values: dict[str, np.ndarray] = {}
    for node in inference.node:
        if node.op in _VARIABLE_OPS and (allowed is None or node.name in allowed) and node.name not in blocked:
            values[node.name] = np.array(_variable_value(sess, node.name))
    out = type(inference)()
    out.versions.CopyFrom(inference.versions)
    out.library.CopyFrom(inference.library)
    for node in inference.node:
        new = out.node.add()
        if node.name in values:
            value = values[node.name]
            new.name, new.op, new.device = node.name, "Const", node.device
            dtype = node.attr["dtype"].type or data_type(getattr(value.dtype, "name", ""))
            new.attr["dtype"].type = dtype
            from dfc.ir.dtypes import as_dtype
            _set_tensor(new.attr["value"].tensor, value, TensorType(as_dtype(value.dtype), value.shape))
        else:
            new.CopyFrom(node)
    ir = _ir(inference, "GraphDef")
    if ir is not None:
        scratch = IRGraph()
        replace = {}
        from dfc.ir.dtypes import as_dtype
        for op in ir.ops:
            if op.type == "dfc.variable" and op.name in values:
                value = values[op.name]
                replace[op.name] = create_op(scratch, "dfc.constant", [], {"value": value}, name=op.name,
                                             result_types=[TensorType(as_dtype(value.dtype), value.shape)],
                                             device=op.device, loc=op.loc, exact_name=True)
        for op in list(scratch.ops):
            scratch.body.ops.remove(op)
        ir = _rebuilt(ir, {op.name for op in ir.ops}, replace=replace)
    _log.info("Froze %d variables.", len(values))
    _log.info("Converted %d variables to const ops.", len(values))
    return _with_ir(out, ir)


def _variable_value(sess: Any, name: str) -> np.ndarray:
    store = getattr(sess, "store", None)
    if store is None:
        raise TypeError(f"convert_variables_to_constants needs a dfc Session, got {type(sess).__name__}")
    if not store.is_initialized(name):
        from dfc.ir.errors import FailedPreconditionError
        raise FailedPreconditionError(f"Attempting to use uninitialized value {name}: initialize or restore it "
                                      f"before freezing the graph")
    return np.asarray(store.buffer(name)).copy()


def must_run_on_cpu(node: Any, pin_variables_on_cpu: bool = False) -> bool:
    """Whether a node (an Operation or NodeDef) must run on the CPU: string-typed ops, and variables when pinned."""
    op_type = getattr(node, "op", None) if not hasattr(node, "type") else node.type
    if isinstance(op_type, str) is False:
        op_type = str(op_type)
    if pin_variables_on_cpu and op_type in _VARIABLE_OPS:
        return True
    if op_type == "Const":
        attr = getattr(node, "attr", None)
        if attr is not None and "dtype" in attr and attr["dtype"].type == 7:  # DT_STRING
            return True
    return op_type in ("PyFunc", "PyFuncStateless", "EagerPyFunc")


def tensor_shape_from_node_def_name(graph: Any, input_name: str) -> Any:
    """The static shape of the tensor named 'op' or 'op:i' in `graph`."""
    name = input_name if ":" in input_name else input_name + ":0"
    return graph.get_tensor_by_name(name).get_shape()


def import_graph_def(graph_def: Any, input_map: dict | None = None, return_elements: Sequence[str] | None = None,
                     name: str | None = None, op_dict: Any = None, producer_op_list: Any = None) -> list | None:
    """Copy a GraphDef dfc wrote into the default graph, under the name scope `name` ('import' by default, ''
    for none); returns the tensors and ops named by `return_elements`."""
    from .framework import get_default_graph, name_scope
    from .meta_graph import clone_into

    _check_graph_def(graph_def, "graph_def")
    ir = _ir(graph_def, "GraphDef")
    if ir is None:
        raise UnimplementedError("this GraphDef was not written by dfc (its library has no '_dfc_ir' function): dfc "
                                 "imports GraphDefs from Graph.as_graph_def, tf.train.write_graph and "
                                 "tf.graph_util, not TensorFlow's own op kernels")
    input_map = dict(input_map or {})
    for key in input_map:
        if not isinstance(key, str):
            raise TypeError(f"input_map keys must be tensor names (strings), got {key!r}")
    keys = {(k if ":" in k or k.startswith("^") else k + ":0"): v for k, v in input_map.items()}
    graph = get_default_graph()
    if name == "":
        prefix = ""
    else:
        with graph.as_default(), name_scope(name, "import") as scope:
            prefix = scope[:-1]
    imported = clone_into(graph, ir, prefix, keys, clear_devices=False)
    if return_elements is None:
        return None
    out = []
    for element in return_elements:
        try:
            out.append(imported.element(element))
        except (ValueError, KeyError):
            raise ValueError(f"Requested return_element {element!r} not found in graph_def.") from None
    return out


__all__ = ["convert_variables_to_constants", "extract_sub_graph", "import_graph_def", "must_run_on_cpu",
           "remove_training_nodes", "tensor_shape_from_node_def_name"]
