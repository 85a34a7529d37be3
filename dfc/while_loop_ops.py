"""TF1's tf.while_loop: the cond and body traced into the two regions of one `dfc.while` op.

Loop variables may be nested structures and TensorArrays (one entering unwritten gets its buffer
from the body's first write); shape invariants, maximum_iterations and back_prop as in TF1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from dfc.ir.dtypes import bool_, i32
from dfc.ir.errors import DTypeError, InvalidArgumentError
from dfc.ir.graph import Op, Value
from dfc.ir.ops.control import loop_type_accepts
from dfc.ir.types import TensorType

from .control_flow_regions import (_append_region_op, _flatten, _label, _make_region, _pack, _same_structure,
                                   _structure_text, _trace, _Trace)
from .framework import Tensor, TensorShape, build_error, convert_to_tensor, get_default_graph, name_scope, wrap
from .tensor_array_ops import TensorArray, Unallocated

__all__ = ["while_loop"]


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
            if not (limit.dtype.is_integer or limit.dtype.is_floating) or limit.shape.ndims not in (None, 0):
                raise ValueError(f"while_loop {label}: maximum_iterations must be a scalar number, got "
                                 f"{limit.dtype.name} of shape {limit.shape}")
            from .math_ops import cast, less, logical_and
            from .array_ops import zeros
            # TF1 counts in maximum_iterations' dtype: a float 2.5 allows 3 iterations (0, 1, 2 < 2.5)
            count_type = limit.dtype if limit.dtype.is_floating else i32
            limit = cast(limit, count_type)
            counter = zeros([], count_type, name="iteration_counter")
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
                # TF1 builds the loop and its Merge refuses the dtype when the graph runs: its class, found here
                raise InvalidArgumentError(f"while_loop {label}: loop variable #{k} enters as {t.dtype.name} but "
                                           f"the body returns {v.type.dtype.name}")
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
        error = build_error("dfc.while", label.split("'")[1], f"cond must return a scalar bool tensor, got {got}")
        if isinstance(got, TensorType) and got.dtype is not bool_:
            raise DTypeError(str(error))  # TF's TypeError: its LoopCond op refuses the dtype
        raise error
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
