"""Tracing for TF1's control flow: nested structures of tensors, and a Python function's ops moved into a region.

tf.cond, tf.while_loop and tf.custom_gradient call the user's functions on stand-ins, then move
the ops they made into the regions of one `dfc.if` or `dfc.while` op: values the functions use
from outside become operands (captures) bound to region arguments. Variables a function creates
(an RNN cell's weights) are lifted out of the region, as TF's init_scope does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dfc.ir.builder import capture_location
from dfc.ir.graph import Block, Op, Value
from dfc.ir.types import TensorType

from .framework import Operation, convert_to_tensor, make_op, wrap
from .tensor_array_ops import TensorArray, Unallocated


# ---- nested structures (TF's nest, for lists, tuples, namedtuples and dicts) ------------------------
def _flatten(structure: Any) -> list[Any]:
    if isinstance(structure, TensorArray):  # its states and its buffer
        return structure.components()
    if isinstance(structure, Mapping):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def _pack(structure: Any, flat: Sequence[Any]) -> Any:
    leaves = iter(flat)

    def build(s):
        if isinstance(s, TensorArray):
            return s.rebuild(next(leaves), next(leaves))
        if isinstance(s, Mapping):
            return type(s)((k, build(s[k])) for k in sorted(s)) if not isinstance(s, dict) else \
                {k: build(s[k]) for k in sorted(s)}
        if isinstance(s, (list, tuple)):
            items = [build(x) for x in s]
            if hasattr(s, "_fields"):
                return type(s)(*items)
            return type(s)(items)
        return next(leaves)
    return build(structure)


def _same_structure(a: Any, b: Any) -> bool:
    if isinstance(a, TensorArray) or isinstance(b, TensorArray):
        return isinstance(a, TensorArray) and isinstance(b, TensorArray)
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        return isinstance(a, Mapping) and isinstance(b, Mapping) and sorted(a) == sorted(b) and all(
            _same_structure(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b) and all(
            _same_structure(x, y) for x, y in zip(a, b))
    return True


def _structure_text(s: Any) -> str:
    return str(_pack(s, ["."] * len(_flatten(s))))


# ---- tracing a function into a region ---------------------------------------------------------------
class _Trace:
    """The ops a Python function made, the values it returned, and what it read from outside."""

    def __init__(self, ops: list[Op], outputs: list[Value | Op], stand_ins: list[Value]):
        self.ops, self.outputs, self.stand_ins = ops, outputs, stand_ins
        defined = {r for op in ops for r in op.results} | set(stand_ins)
        self.captures: list[Value] = []
        self.control_captures: list[Value] = []
        for op in ops:
            for v in op.operands:
                if v in defined:
                    continue
                target = self.control_captures if v.is_control else self.captures
                if v not in target:
                    target.append(v)
        for v in outputs:
            if isinstance(v, Value) and v not in defined and v not in self.captures:
                self.captures.append(v)


def _trace(graph, fn: Callable, stand_in_types: Sequence[TensorType], names: Sequence[str],
           what: str) -> tuple[_Trace, Any, list]:
    """Call fn on stand-ins of the given types; returns the trace, fn's result structure and its leaves."""
    ir = graph._dfc_ir()
    start = len(ir.body.ops)
    variables_before = {id(v) for v in graph.collections.get("variables", [])}
    stand_ins = [wrap(make_op("dfc.placeholder", [], name=n, result_types=[t]).results[0])
                 for t, n in zip(stand_in_types, names)]
    try:
        result = fn(*stand_ins)
    except BaseException:
        del ir.body.ops[start:]
        ir.mark_changed()
        raise
    leaves = _flatten(result)
    outputs: list[Value | Op] = []
    for leaf in leaves:
        if isinstance(leaf, Operation):
            outputs.append(leaf._dfc_ir())
        elif leaf is None:
            raise ValueError(f"{what} returned None inside {_structure_text(result)}: every output must be a tensor")
        elif isinstance(leaf, Unallocated):
            del ir.body.ops[start:]
            ir.mark_changed()
            raise ValueError(f"{what} returns TensorArray {leaf.shared.name} unwritten, and its element shape is "
                             f"not known: give it a fully defined element_shape, or write it before")
        else:
            outputs.append(convert_to_tensor(leaf)._dfc_ir())
    made = ir.body.ops[start:]
    del ir.body.ops[start:]
    from .script_ops import refuse_in_control_flow
    try:
        refuse_in_control_flow(made, what)
    except NotImplementedError:
        ir.mark_changed()
        raise
    # variables the function created live outside the region (TF's init_scope): their reads and initializers
    lifted = _lift_variables(graph, made, variables_before)
    for op in lifted:
        ir.body.append(op)
    ir.mark_changed()
    kept = [op for op in made if op not in set(lifted) and not any(op.results and op.results[0] is s._dfc_ir()
                                                                    for s in stand_ins)]
    return _Trace(kept, outputs, [s._dfc_ir() for s in stand_ins]), result, leaves


def _lift_variables(graph, made: list[Op], before: set[int]) -> list[Op]:
    new_vars = [v for v in graph.collections.get("variables", []) if id(v) not in before]
    if not new_vars:
        return []
    inside = set(made)
    roots = [r for v in new_vars for r in (v._read._dfc_ir().op, v._initializer)]
    lifted: set[Op] = set()
    todo = [op for op in roots if op in inside]
    while todo:
        op = todo.pop()
        if op in lifted:
            continue
        if op.type == "dfc.placeholder" and op.name.endswith("_stand_in"):
            raise ValueError(f"the initial value of a variable made inside control flow depends on a loop "
                             f"variable ({op.name}): create the variable outside the loop")
        lifted.add(op)
        todo.extend(v.op for v in op.operands if v.op in inside)
    return [op for op in made if op in lifted]


def _make_region(trace: _Trace, arg_sources: list[Value], outputs: list[Value], graph, scope: str) -> Block:
    """A block whose arguments stand for arg_sources: trace's ops with their uses remapped, ending in dfc.yield."""
    region = Block([v.type for v in arg_sources], [None] * len(arg_sources))
    mapping = dict(zip(arg_sources, region.arguments))
    defined = {r for op in trace.ops for r in op.results}
    for op in trace.ops:
        op.operands = [mapping.get(v, v) for v in op.operands if not (v.is_control and v not in defined)]
        region.append(op)
    name = graph._dfc_ir().unique_name(f"{scope}yield")
    region.append(Op("dfc.yield", name, [mapping.get(v, v) for v in outputs], {}, []))
    return region


def _append_region_op(graph, type: str, operands: list[Value], attrs: dict, result_types: list[TensorType],
                      regions: list[Block], name: str, control: list[Value]) -> Op:
    op = make_op(type, operands + list(dict.fromkeys(control)), attrs, name=name, result_types=result_types,
                 exact_name=True)
    op.regions = regions
    for region in regions:
        region.parent = op
    return op


def _label(name: str) -> str:
    """An op's name and the user's source line, for build-time errors."""
    loc = capture_location()
    return f"'{name}'" + (f" at {loc}" if loc else "")
