"""TF1's control flow: tf.cond, tf.case, tf.switch_case, tf.while_loop, map_fn, scan, foldl and foldr.

Each call traces the user's functions into the graph, then moves the ops they made into the
regions of one `dfc.if` or `dfc.while` op: values the functions use from outside become
operands (captures) bound to region arguments, so only the taken branch (or each iteration)
runs them. Variables a function creates (an RNN cell's weights) are lifted out of the region,
as TF's init_scope does, so their initializers run with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dfc.ir.builder import capture_location
from dfc.ir.dtypes import bool_, i32
from dfc.ir.graph import Block, Op, Value
from dfc.ir.ops.control import loop_type_accepts
from dfc.ir.types import TensorType

from .debugging import run_time_assert
from .tensor_array_ops import TensorArray, Unallocated
from .framework import (Operation, Tensor, TensorShape, build_error, constant_value, control_dependencies,
                        convert_to_tensor, current_graph, get_default_graph, make_op, name_scope, wrap, wrap_op)

__all__ = ["case", "cond", "foldl", "foldr", "map_fn", "scan", "switch_case", "while_loop"]


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


def _join(a: TensorType, b: TensorType) -> TensorType:
    """The most specific type both fit (TF's most_specific_compatible_shape)."""
    if a.shape is None or b.shape is None or len(a.shape) != len(b.shape):
        return TensorType(a.dtype, None)
    return a.with_shape(tuple(x if x == y else None for x, y in zip(a.shape, b.shape)))


def _pred_tensor(pred, op_type: str, name: str, what: str = "pred") -> Tensor:
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError(f"{what} must not be a Python bool")
    pred = convert_to_tensor(pred)
    if pred.dtype is not bool_:
        raise build_error(op_type, name, f"{what} {pred.name} must be a bool tensor, got {pred.dtype.name}")
    if pred.shape.ndims not in (None, 0):
        raise build_error(op_type, name, f"{what} {pred.name} must be a scalar, got shape {pred.shape}")
    return pred


# ---- tf.cond ----------------------------------------------------------------------------------------
def cond(pred, true_fn: Callable | None = None, false_fn: Callable | None = None, strict: bool = False,
         name: str | None = None, fn1: Callable | None = None, fn2: Callable | None = None):
    """true_fn() if pred else false_fn(): only the taken branch runs (TF1's tf.cond)."""
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    graph = current_graph([pred]) if isinstance(pred, Tensor) else get_default_graph()
    with name_scope(name, "cond") as scope:
        op_name = scope[:-1]
        label = _label(op_name)
        pred = _pred_tensor(pred, "dfc.if", op_name)
        traces, results, leaves = [], [], []
        for fn, branch in ((true_fn, "true"), (false_fn, "false")):
            trace, result, flat = _trace(graph, fn, [], [], f"cond {label}: {branch}_fn")
            traces.append(trace)
            results.append(result)
            leaves.append(flat)
        if not _same_structure(results[0], results[1]) or len(leaves[0]) != len(leaves[1]):
            raise ValueError(f"cond {label}: true_fn and false_fn must have the same type of return values "
                             f"(same structure); got {_structure_text(results[0])} and {_structure_text(results[1])}")
        # an Operation output (tf.group, an assign's op) yields nothing: it runs in its region when the branch
        # is taken, and the cond's Operation stands for it
        yields: list[list[Value]] = [[], []]
        slots: list[int | None] = []
        types: list[TensorType] = []
        for i, (a, b) in enumerate(zip(traces[0].outputs, traces[1].outputs)):
            if isinstance(a, Op) or isinstance(b, Op):
                if not (isinstance(a, Op) and isinstance(b, Op)):
                    raise ValueError(f"cond {label}: output #{i} is an Operation in one branch and a tensor in "
                                     f"the other")
                slots.append(None)
                continue
            if a.type.dtype != b.type.dtype:
                raise ValueError(f"cond {label}: output #{i} of true_fn is {a.type.dtype.name} but false_fn's "
                                 f"is {b.type.dtype.name}")
            slots.append(len(types))
            types.append(_join(a.type, b.type))
            yields[0].append(a)
            yields[1].append(b)
        captures = list(dict.fromkeys(traces[0].captures + traces[1].captures))
        sources = [pred._dfc_ir()] + [c for c in captures if c is not pred._dfc_ir()]
        regions = [_make_region(trace, sources, yields[k], graph, scope) for k, trace in enumerate(traces)]
        control = traces[0].control_captures + traces[1].control_captures
        op = _append_region_op(graph, "dfc.if", sources, {}, types, regions, op_name, control)
    outputs = [wrap(op.results[s]) if s is not None else wrap_op(op) for s in slots]
    result = _pack(results[0], outputs)
    if not strict and isinstance(result, (list, tuple)) and not hasattr(result, "_fields") and len(result) == 1:
        return result[0]
    return result


def _assert_at_most_n_true(preds: list[Tensor], n: int, message: str) -> Operation:
    """TF1's check of tf.case(exclusive=True): at most n of the predicates hold, else InvalidArgumentError naming
    them and showing their values."""
    from .array_ops import stack
    from .math_ops import cast, less_equal, reduce_sum
    stacked = stack(preds, name="preds_c")
    count = reduce_sum(cast(stacked, i32), name="num_true_conds")
    names = ", ".join(p.name for p in preds)
    return run_time_assert(less_equal(count, n),
                            [f"{message}: more than {n} conditions ({names}) evaluated as True:", stacked], len(preds))


def case(pred_fn_pairs, default: Callable | None = None, exclusive: bool = False, strict: bool = False,
         name: str = "case"):
    """The fn of the first pred that holds (TF1's tf.case), else default's.

    As in TF1: without a default the last pair's fn is the default, and running it when its own
    predicate is false fails the run ("Input error: None of conditions evaluated as True");
    `exclusive=True` fails the run when more than one predicate holds (of the pairs before the
    default, as TF1 counts them). Both are InvalidArgumentErrors at run time naming the case's
    assert op and the line that made the case.
    """
    if isinstance(pred_fn_pairs, Mapping):
        pairs = list(pred_fn_pairs.items())
    else:
        pairs = list(pred_fn_pairs)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple, got {pair!r}")
        if not callable(pair[1]):
            raise TypeError("fn for pred must be callable.")
    if not pairs and default is None:
        raise ValueError("case: pred_fn_pairs is empty and there is no default")
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    with name_scope(name, "case"):
        preds = [_pred_tensor(p, "dfc.if", name, "case predicate") for p, _ in pairs]
        if default is None:
            from .array_ops import stack
            every, fallback = preds, pairs[-1][1]
            preds, fns = preds[:-1], [f for _, f in pairs[:-1]]

            def last():
                run_time_assert(every[-1], ["Input error: None of conditions evaluated as True:",
                                             stack(every, name="preds_c")], 3)
                return fallback()
        else:
            last, fns = default, [f for _, f in pairs]

        def chain(k: int):
            if k == len(preds):
                return last()
            return cond(preds[k], fns[k], lambda: chain(k + 1), strict=strict, name=f"If_{k}")
        if exclusive and len(preds) > 1:
            with control_dependencies([_assert_at_most_n_true(preds, 1, "Input error: exclusive=True")]):
                return chain(0)
        return chain(0)


def switch_case(branch_index, branch_fns, default: Callable | None = None, name: str = "switch_case"):
    """branch_fns[branch_index]() (TF's tf.switch_case); default (else the last branch) when out of range."""
    fns = sorted(branch_fns.items()) if isinstance(branch_fns, Mapping) else list(enumerate(branch_fns))
    if isinstance(branch_fns, (list, tuple)) and branch_fns and isinstance(branch_fns[0], tuple):
        fns = list(branch_fns)
    if not fns:
        raise ValueError("switch_case: branch_fns must not be empty")
    index = convert_to_tensor(branch_index)
    if not index.dtype.is_integer or index.shape.ndims not in (None, 0):
        raise TypeError(f"branch_index {index.name} must be a scalar int32 tensor, got {index.dtype.name} "
                        f"of shape {index.shape}")
    from .math_ops import equal
    with name_scope(name, "switch_case"):
        pairs = [(equal(index, k), fn) for k, fn in fns]
        return case(pairs, default=default if default is not None else fns[-1][1], exclusive=False)


# ---- tf.while_loop ----------------------------------------------------------------------------------
#: the shape invariant of a growing TensorArray's states and buffer: their own shape, dim 0 unknown
GROWS = "grows"


def _invariant_type(value: Value, invariant, label: str, i: int) -> TensorType:
    t = value.type
    if invariant is None:
        return t
    if invariant is GROWS:
        return t if t.shape is None or not t.shape else t.with_shape((None,) + tuple(t.shape[1:]))
    shape = invariant if isinstance(invariant, TensorShape) else TensorShape(invariant)
    if shape.ndims is None:
        return TensorType(t.dtype, None)
    declared = TensorType(t.dtype, tuple(shape.as_list()))
    if not loop_type_accepts(declared, t):
        raise ValueError(f"while_loop {label}: the shape invariant {shape} of loop variable #{i} is not compatible "
                         f"with its initial value {value.name} of shape {TensorShape(t.shape)}")
    return declared


def while_loop(cond: Callable, body: Callable, loop_vars, shape_invariants=None, parallel_iterations: int = 10,
               back_prop: bool = True, swap_memory: bool = False, name: str | None = None,
               maximum_iterations=None, return_same_structure: bool = False):
    """Repeat body while cond holds (TF1's tf.while_loop); returns the final loop variables."""
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    flat_in = _flatten(loop_vars)
    if not flat_in:
        raise ValueError("No loop variables provided")
    graph = get_default_graph()
    with name_scope(name, "while") as scope:
        loop = scope[:-1]
        label = _label(loop)
        flat_in = _allocate_known_buffers(flat_in)
        inits = [v if isinstance(v, Unallocated) else convert_to_tensor(v) for v in flat_in]
        invariants = _invariant_leaves(loop_vars, shape_invariants, label)
        if len(invariants) != len(inits):
            raise ValueError(f"while_loop {label}: shape_invariants {shape_invariants!r} must have the structure of "
                             f"loop_vars")
        if maximum_iterations is not None:
            limit = convert_to_tensor(maximum_iterations)
            if not limit.dtype.is_integer or limit.shape.ndims not in (None, 0):
                raise ValueError(f"while_loop {label}: maximum_iterations must be a scalar integer, got "
                                 f"{limit.dtype.name} of shape {limit.shape}")
            from .math_ops import cast, less, logical_and
            from .array_ops import zeros
            limit = cast(limit, i32)
            counter = zeros([], i32, name="iteration_counter")
            user_cond, user_body = cond, body
            returned = []  # the body's result: TF1 returns the loop variables in its structure

            def cond(i, *vs):
                return logical_and(less(i, limit), user_cond(*_as_args(loop_vars, vs)))

            def body(i, *vs):
                out = _wrap_single(loop_vars, user_body(*_as_args(loop_vars, vs)))
                returned.append(out)
                return (i + 1,) + tuple(_flatten(out))
            declared = [None if isinstance(v, Unallocated) else _invariant_type(v._dfc_ir(), s, label, k)
                        for k, (v, s) in enumerate(zip(inits, invariants))]
            inner = while_loop(cond, body, [counter] + inits, [TensorShape([])] + [
                TensorShape(None) if t is None or t.shape is None else TensorShape(list(t.shape)) for t in declared],
                parallel_iterations, back_prop, swap_memory, name="loop")
            # TF1 wraps the loop variables as (counter, loop_vars) and returns the second, unwrapped only when it
            # is one loop variable (TF1 then packs it alone)
            result = _pack(returned[-1] if _same_structure(loop_vars, returned[-1]) else loop_vars, inner[1:])
            if not return_same_structure and isinstance(result, (list, tuple)) and len(result) == 1:
                return result[0]
            return result
        deferred = {k: v.shared for k, v in enumerate(inits) if isinstance(v, Unallocated)}
        for k, shared in deferred.items():  # the body's first write tells the buffer's shape (see below)
            shared.first_written = None
            inits[k] = convert_to_tensor(np.zeros((), shared.dtype.np), name="unallocated")
        types = [TensorType(deferred[k].dtype, None) if k in deferred else _invariant_type(v._dfc_ir(), s, label, k)
                 for k, (v, s) in enumerate(zip(inits, invariants))]
        names = [f"stand_in_{k}_stand_in" for k in range(len(types))]

        def as_args(*vs):
            return _as_args(loop_vars, vs)
        cond_trace, cond_result, cond_leaves, body_trace, body_result = _trace_cond_and_body(
            graph, cond, body, as_args, types, names, label)
        body_result = _wrap_single(loop_vars, body_result)
        body_leaves = _flatten(body_result)
        if not _same_structure(loop_vars, body_result) or len(body_leaves) != len(types):
            raise ValueError(f"while_loop {label}: body must return the structure of loop_vars "
                             f"{_structure_text(loop_vars)}, got {_structure_text(body_result)}")
        if deferred:
            _allocate_deferred(graph, deferred, inits, types, cond_trace, body_trace, label)
        body_out = [v for v in body_trace.outputs]
        for k, (t, v) in enumerate(zip(types, body_out)):
            if isinstance(v, Op):
                raise TypeError(f"while_loop {label}: body output #{k} is an Operation, not a tensor")
            if v.type.dtype != t.dtype:
                raise ValueError(f"while_loop {label}: loop variable #{k} enters as {t.dtype.name} but the body "
                                 f"returns {v.type.dtype.name}")
            if not loop_type_accepts(t, v.type):
                raise ValueError(
                    f"while_loop {label}: the shape of loop variable #{k} ({inits[k].name}) changes across "
                    f"iterations: it enters with shape {TensorShape(t.shape)} and has shape "
                    f"{TensorShape(v.type.shape)} after one iteration. Provide shape invariants using either the "
                    f"`shape_invariants` argument of tf.while_loop or set_shape() on the loop variables.")
        captures = list(dict.fromkeys(cond_trace.captures + body_trace.captures))
        n = len(types)
        regions = []
        for trace, outs in ((cond_trace, cond_trace.outputs), (body_trace, body_out)):
            sources = list(trace.stand_ins) + captures
            region = _make_region(trace, sources, outs, graph, scope)
            regions.append(region)
        for region in regions:  # the loop variables' arguments take the declared (invariant) types
            for arg, t in zip(region.arguments[:n], types):
                arg.type = t
        control = cond_trace.control_captures + body_trace.control_captures
        operands = [v._dfc_ir() for v in inits] + captures
        op = _append_region_op(graph, "dfc.while", operands, {"num_vars": n}, types, regions, loop, control)
    outputs = [wrap(r) for r in op.results]
    if not back_prop:  # TF1: no gradient flows back through the loop
        from .gradients_impl import stop_gradient
        outputs = [stop_gradient(o) if o.dtype.is_floating else o for o in outputs]
    result = _pack(body_result, outputs)
    return _unwrap_single(loop_vars, result, return_same_structure)


def _trace_cond_and_body(graph, cond, body, as_args, types, names, label):
    cond_trace, cond_result, cond_leaves = _trace(graph, lambda *vs: cond(*as_args(*vs)), types, names,
                                                  f"while_loop {label}: cond")
    if len(cond_leaves) != 1 or not isinstance(cond_trace.outputs[0], Value) \
            or cond_trace.outputs[0].type.dtype is not bool_ or cond_trace.outputs[0].type.rank not in (None, 0):
        got = cond_trace.outputs[0].type if len(cond_leaves) == 1 and isinstance(cond_trace.outputs[0], Value) \
            else _structure_text(cond_result)
        raise build_error("dfc.while", label.split("'")[1], f"cond must return a scalar bool tensor, got {got}")
    body_trace, body_result, _ = _trace(graph, lambda *vs: body(*as_args(*vs)), types, names,
                                        f"while_loop {label}: body")
    return cond_trace, cond_result, cond_leaves, body_trace, body_result


def _arrays(structure) -> list:
    """The TensorArrays in a structure of loop variables."""
    if isinstance(structure, TensorArray):
        return [structure]
    if isinstance(structure, Mapping):
        return [a for k in structure for a in _arrays(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [a for x in structure for a in _arrays(x)]
    return []


def _allocate_known_buffers(flat: list) -> list:
    """Loop variables with each unallocated TensorArray buffer of a known element shape made zeros."""
    out = list(flat)
    for k, v in enumerate(out):
        if isinstance(v, Unallocated) and v.shared.element_shape.is_fully_defined():
            out[k] = TensorArray(None, _state=(v.shared, out[k - 1], v))._buffer_like(out[k - 1], None)
    return out


def _invariant_leaves(loop_vars, shape_invariants, label: str) -> list:
    """One shape invariant per flat loop variable: a TensorArray's two (GROWS for a dynamic_size one's: they grow
    in dim 0)."""
    def walk(var, inv) -> list:
        if isinstance(var, TensorArray):
            return [GROWS, GROWS] if var.dynamic_size else [None, None]
        if isinstance(var, Mapping):
            if not isinstance(inv, Mapping) or sorted(inv) != sorted(var):
                raise ValueError(f"while_loop {label}: shape_invariants {shape_invariants!r} must have the "
                                 f"structure of loop_vars")
            return [leaf for key in sorted(var) for leaf in walk(var[key], inv[key])]
        if isinstance(var, (list, tuple)):
            if not isinstance(inv, (list, tuple)) or len(inv) != len(var):
                raise ValueError(f"while_loop {label}: shape_invariants {shape_invariants!r} must have the "
                                 f"structure of loop_vars")
            return [leaf for v, i in zip(var, inv) for leaf in walk(v, i)]
        return [inv]

    if shape_invariants is None:
        return walk(loop_vars, _nones(loop_vars))
    return walk(loop_vars, shape_invariants)


def _nones(structure):
    """structure with every leaf (a TensorArray counts as one) None."""
    if isinstance(structure, TensorArray):
        return None
    if isinstance(structure, Mapping):
        return {k: _nones(structure[k]) for k in structure}
    if isinstance(structure, (list, tuple)):
        return [_nones(x) for x in structure]
    return None


def _allocate_deferred(graph, deferred: dict, inits: list, types: list, cond_trace: _Trace, body_trace: _Trace,
                       label: str) -> None:
    """The initial buffers of TensorArrays that entered the loop unwritten, now that the body's first write into
    each shows the element's shape: zeros of [size, *element], their unknown dims computed outside the loop from
    a copy of the ops the written value depends on (fed shapes fix them; the copy folds away when compiled)."""
    from .tensor_array_ops import allocate_for_loop
    stand_ins = body_trace.stand_ins
    outer = dict(zip(stand_ins, [v._dfc_ir() for v in inits]))

    def clone_shape(first: Tensor) -> Tensor:
        from dfc.ir.rewrite import clone_op
        from .array_ops import shape
        made = {r: op for op in body_trace.ops for r in op.results}
        needed: list[Op] = []
        todo, seen = [first._dfc_ir()], set()
        while todo:
            v = todo.pop()
            if v in seen:
                continue
            seen.add(v)
            if any(v is stand_ins[k] for k in deferred):
                raise ValueError(f"while_loop {label}: the shape of the first value written into a TensorArray "
                                 f"depends on that TensorArray's unwritten buffer; give it an element_shape")
            op = made.get(v)
            if op is not None and op not in needed:
                needed.append(op)
                todo.extend(u for u in op.operands if not u.is_control)
        ir = graph._dfc_ir()
        mapping = dict(outer)
        for op in [op for op in body_trace.ops if op in needed]:
            new = clone_op(op, mapping, name=ir.unique_name(f"{op.name}_shape"))
            new.operands = [u for u in new.operands if not u.is_control]
            ir.body.append(new)
        ir.mark_changed()
        outside = mapping.get(first._dfc_ir(), first._dfc_ir())
        if outside.op is not None and outside.op not in made.values() and any(
                outside.op in region.walk() for op in body_trace.ops for region in op.regions):
            raise ValueError(f"while_loop {label}: the first write into a TensorArray that enters the loop unwritten "
                             f"is inside a tf.cond, and the shape of the written element ({first.shape}) is not "
                             f"known outside it: give the TensorArray a fully defined element_shape")
        return shape(wrap(outside), out_type=i32)

    for k, shared in deferred.items():
        buffer = allocate_for_loop(shared, inits[k - 1], clone_shape)
        if buffer is None:
            raise ValueError(f"while_loop {label}: TensorArray {shared.name} enters the loop unwritten and the body "
                             f"writes nothing into it: give it an element_shape, or write it before the loop")
        first = shared.first_written.shape
        rows = inits[k - 1]._dfc_ir().type
        lead = rows.shape[0] if rows.shape and not shared.dynamic_size else None
        types[k] = TensorType(shared.dtype, (lead,) + tuple(
            first.as_list()) if first.ndims is not None else None)
        buffer._dfc_ir().type = _more_specific(buffer._dfc_ir().type, types[k])
        inits[k] = buffer
        for trace in (cond_trace, body_trace):
            trace.stand_ins[k].type = types[k]
    for trace in (cond_trace, body_trace):
        _reinfer(trace.ops)


def _reinfer(ops: list[Op]) -> None:
    """Re-infer the result types of ops after some operand types became more specific (keeping dims they knew)."""
    from dfc.compiler.specialize import reinfer_op
    from dfc.ir.ops import get_op_def
    for op in ops:
        old = [r.type for r in op.results]
        if op.regions or get_op_def(op.type).infer is None:
            if op.regions:
                reinfer_op(op)
            continue
        reinfer_op(op)
        for r, before in zip(op.results, old):
            r.type = _more_specific(r.type, before)


def _more_specific(new, old):
    if not isinstance(new, TensorType) or not isinstance(old, TensorType) or old.shape is None:
        return new
    if new.shape is None or len(new.shape) != len(old.shape):
        return old
    return new.with_shape(tuple(o if o is not None else n for n, o in zip(new.shape, old.shape)))


def _as_args(loop_vars, flat) -> list:
    """How the user's cond and body receive the loop variables: one argument per top-level entry of a list or
    tuple (a namedtuple's fields too, as TF1 calls cond(*loop_vars)), else the structure whole."""
    packed = _pack(loop_vars, [wrap(v) if isinstance(v, Value) else v for v in flat])
    if isinstance(loop_vars, (list, tuple)):
        return list(packed)
    return [packed]


def _wrap_single(loop_vars, out):
    """The body's result as TF1 reads it: a bare result of a body over a list of loop variables is a list of it;
    a one-element list from a body over one bare loop variable is that element."""
    sequence = isinstance(out, (list, tuple))
    if isinstance(loop_vars, (list, tuple)) and not sequence:
        return [out]
    if not isinstance(loop_vars, (list, tuple)) and sequence and not hasattr(out, "_fields") and len(out) == 1:
        return out[0]
    return out


def _unwrap_single(loop_vars, result, same_structure: bool):
    """TF1 returns the body's structure, or its one loop variable alone unless return_same_structure."""
    if not same_structure and isinstance(result, (list, tuple)) and len(_flatten_tf(result)) == 1:
        return result[0]
    return result


def _flatten_tf(structure) -> list:
    """The leaves as TF1 counts them (a TensorArray is one: its flow)."""
    if isinstance(structure, TensorArray):
        return [structure]
    if isinstance(structure, Mapping):
        return [leaf for key in sorted(structure) for leaf in _flatten_tf(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten_tf(item)]
    return [structure]


# ---- map_fn, scan, foldl, foldr -----------------------------------------------------------------------
def _leading(elems_flat: list[Tensor], what: str) -> Tensor:
    from .array_ops import shape
    first = elems_flat[0]
    if first.shape.ndims == 0:
        raise ValueError(f"{what}: elements {first.name} must have rank at least 1 (the dim to iterate over)")
    known = first.shape.as_list()[0] if first.shape.ndims is not None else None
    return convert_to_tensor(np.int32(known)) if known is not None else shape(first, out_type=i32)[0]


def _elem(xs: list[Tensor], i) -> list[Tensor]:
    from .array_ops import gather
    return [gather(x, i) for x in xs]


def _stack_write(acc: Tensor, i, value: Tensor) -> Tensor:
    """acc with row i replaced by value, in place in the loop (dfc.dynamic_update_slice): O(row) per write."""
    from .array_ops import expand_dims
    from .tensor_array_ops import _update_rows
    return _update_rows(acc, expand_dims(value, 0), i)


def map_fn(fn: Callable, elems, dtype=None, parallel_iterations=None, back_prop: bool = True,
           swap_memory: bool = False, infer_shape: bool = True, name: str | None = None):
    """[fn(e) for e in elems unstacked on dim 0], stacked (TF1's tf.map_fn), as a while_loop."""
    from .array_ops import zeros
    flat = [convert_to_tensor(e) for e in _flatten(elems)]
    if not flat:
        raise ValueError("map_fn: elems must not be empty")
    with name_scope(name, "map"):
        n = _leading(flat, "map_fn")
        # one call outside the loop tells the output structure, dtypes and shapes
        graph = get_default_graph()
        probe_graph = graph._dfc_ir()
        start = len(probe_graph.body.ops)
        variables_before = {id(v) for v in graph.collections.get("variables", [])}
        sample = fn(_pack(elems, _elem(flat, 0)))
        sample_flat = [convert_to_tensor(s) for s in _flatten(sample)]
        out_types = [s._dfc_ir().type for s in sample_flat]
        made = probe_graph.body.ops[start:]
        del probe_graph.body.ops[start:]
        for op in _lift_variables(graph, made, variables_before):  # variables fn made stay (the loop reuses them)
            probe_graph.body.append(op)
        probe_graph.mark_changed()
        if dtype is not None:
            wanted = _flatten(dtype)
            if len(wanted) != len(out_types):
                raise ValueError(f"map_fn: dtype {dtype!r} does not have the structure of fn's output "
                                 f"{_structure_text(sample)}")
        if any(t.shape is None or None in t.shape for t in out_types):
            # shapes only the run knows: the rows go into TensorArrays (as TF1's map_fn does), stacked after
            return _map_into_arrays(fn, elems, flat, n, sample, out_types, back_prop, infer_shape)
        accs = [zeros(_dims(n, t.shape), t.dtype) for t in out_types]

        def body(i, *accs_):
            from .variables import AUTO_REUSE, get_variable_scope, variable_scope
            with variable_scope(get_variable_scope(), reuse=AUTO_REUSE):  # the variables the first call made
                out = fn(_pack(elems, _elem(flat, i)))
            outs = [convert_to_tensor(o) for o in _flatten(out)]
            return (i + 1,) + tuple(_stack_write(a, i, o) for a, o in zip(accs_, outs))
        from .math_ops import less
        final = while_loop(lambda i, *a: less(i, n), body, [convert_to_tensor(np.int32(0))] + accs,
                           back_prop=back_prop, name="while")
        return _pack(sample, list(final[1:]))


def _map_into_arrays(fn, elems, flat: list[Tensor], n: Tensor, sample, out_types: list, back_prop: bool,
                     infer_shape: bool):
    from .math_ops import less
    from .variables import AUTO_REUSE, get_variable_scope, variable_scope
    arrays = [TensorArray(t.dtype, size=n, infer_shape=infer_shape) for t in out_types]

    def body(i, *arrays_):
        with variable_scope(get_variable_scope(), reuse=AUTO_REUSE):  # the variables the first call made
            out = fn(_pack(elems, _elem(flat, i)))
        outs = [convert_to_tensor(o) for o in _flatten(out)]
        return (i + 1,) + tuple(a.write(i, o) for a, o in zip(arrays_, outs))
    final = while_loop(lambda i, *a: less(i, n), body, [convert_to_tensor(np.int32(0))] + arrays,
                       back_prop=back_prop, name="while")
    return _pack(sample, [a.stack() for a in final[1:]])


def _dims(n, shape) -> Any:
    known = constant_value(n)
    if known is not None:
        return [int(known)] + list(shape)
    from .array_ops import stack
    return stack([n] + [np.int32(d) for d in shape])


def scan(fn: Callable, elems, initializer=None, parallel_iterations=None, back_prop: bool = True,
         swap_memory: bool = False, infer_shape: bool = True, reverse: bool = False, name: str | None = None):
    """Every accumulator of acc = fn(acc, e) over elems' dim 0, stacked (TF1's tf.scan)."""
    from .array_ops import zeros
    from .math_ops import less
    flat = [convert_to_tensor(e) for e in _flatten(elems)]
    with name_scope(name, "scan"):
        n = _leading(flat, "scan")
        first = convert_to_tensor(np.int32(0))
        if initializer is None:
            init = _pack(elems, _elem(flat, n - 1 if reverse else 0))
            start = convert_to_tensor(np.int32(1))
        else:
            init, start = initializer, first
        acc_flat = [convert_to_tensor(a) for a in _flatten(init)]
        for a in acc_flat:
            if a.shape.ndims is None or None in a.shape.as_list():
                raise ValueError(f"scan: the accumulator {a.name} needs a known shape, got {a.shape}")
        outs = [zeros(_dims(n, a.shape.as_list()), a.dtype) for a in acc_flat]
        if initializer is None:
            row = n - 1 if reverse else first
            outs = [_stack_write(o, row, a) for o, a in zip(outs, acc_flat)]
        k = len(acc_flat)

        def body(i, *state):
            accs, stacked = list(state[:k]), list(state[k:])
            j = n - 1 - i if reverse else i
            new = fn(_pack(init, accs), _pack(elems, _elem(flat, j)))
            new_flat = [convert_to_tensor(v) for v in _flatten(new)]
            written = tuple(_stack_write(s, j, v) for s, v in zip(stacked, new_flat))
            return (i + 1,) + tuple(new_flat) + written
        final = while_loop(lambda i, *s: less(i, n), body, [start] + acc_flat + outs, back_prop=back_prop,
                           name="while")
        return _pack(init, list(final[1 + k:]))


def _fold(fn, elems, initializer, reverse: bool, name, default: str, back_prop: bool):
    from .math_ops import less
    flat = [convert_to_tensor(e) for e in _flatten(elems)]
    with name_scope(name, default):
        n = _leading(flat, default)
        if initializer is None:
            init = _pack(elems, _elem(flat, n - 1 if reverse else 0))
            start = convert_to_tensor(np.int32(1))
        else:
            init, start = initializer, convert_to_tensor(np.int32(0))
        acc_flat = [convert_to_tensor(a) for a in _flatten(init)]

        def body(i, *accs):
            j = n - 1 - i if reverse else i
            new = fn(_pack(init, list(accs)), _pack(elems, _elem(flat, j)))
            return (i + 1,) + tuple(convert_to_tensor(v) for v in _flatten(new))
        final = while_loop(lambda i, *a: less(i, n), body, [start] + acc_flat, back_prop=back_prop, name="while")
        return _pack(init, list(final[1:]))


def foldl(fn: Callable, elems, initializer=None, parallel_iterations: int = 10, back_prop: bool = True,
          swap_memory: bool = False, name: str | None = None):
    """fn(...fn(fn(init, e0), e1)..., en) over elems' dim 0 (TF1's tf.foldl)."""
    return _fold(fn, elems, initializer, False, name, "foldl", back_prop)


def foldr(fn: Callable, elems, initializer=None, parallel_iterations: int = 10, back_prop: bool = True,
          swap_memory: bool = False, name: str | None = None):
    """fn(...fn(fn(init, en), en-1)..., e0) over elems' dim 0 (TF1's tf.foldr)."""
    return _fold(fn, elems, initializer, True, name, "foldr", back_prop)

