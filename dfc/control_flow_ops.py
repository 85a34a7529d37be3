"""TF1's control flow: tf.cond, tf.case, tf.switch_case, tf.while_loop, map_fn, scan, foldl and foldr.

Each call traces the user's functions into the graph, then moves the ops they made into the
regions of one `dfc.if` or `dfc.while` op: values the functions use from outside become
operands (captures) bound to region arguments, so only the taken branch (or each iteration)
runs them. Variables a function creates (an RNN cell's weights) are lifted out of the region,
as TF's init_scope does, so their initializers run with the others. The tracing is
control_flow_regions.py; tf.while_loop is while_loop_ops.py (imported here as well).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dfc.ir.dtypes import bool_, i32
from dfc.ir.errors import DTypeError, InvalidArgumentError
from dfc.ir.graph import Op, Value
from dfc.ir.types import TensorType

from .control_flow_regions import (_append_region_op, _flatten, _label, _lift_variables, _make_region, _pack,
                                   _same_structure, _structure_text, _trace)
from .debugging import run_time_assert
from .framework import (Operation, Tensor, build_error, constant_value, control_dependencies, convert_to_tensor,
                        current_graph, get_default_graph, name_scope, wrap, wrap_op, tf_constant_value)
from .tensor_array_ops import TensorArray
from .while_loop_ops import while_loop

__all__ = ["case", "cond", "foldl", "foldr", "map_fn", "scan", "smart_cond", "switch_case", "while_loop"]


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
        # TF's TypeError (its Switch op refuses the dtype), named as our build errors are
        raise DTypeError(str(build_error(op_type, name, f"{what} {pred.name} must be a bool tensor, got "
                                                        f"{pred.dtype.name}")))
    if pred.shape.ndims not in (None, 0):
        raise build_error(op_type, name, f"{what} {pred.name} must be a scalar, got shape {pred.shape}")
    return pred


# ---- tf.cond ----------------------------------------------------------------------------------------
def smart_cond(pred, true_fn: Callable | None = None, false_fn: Callable | None = None, name: str | None = None):
    """true_fn() or false_fn() called at once when pred is a Python bool or a tensor of known value, tf.cond
    otherwise (TF's smart_cond, as layers and contrib use it for is_training)."""
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("smart_cond: true_fn and false_fn must be callable")
    known = pred if isinstance(pred, (bool, np.bool_)) else tf_constant_value(convert_to_tensor(pred))
    if known is not None:
        return true_fn() if bool(known) else false_fn()
    return cond(pred, true_fn, false_fn, name=name)


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
        if not types:  # only Operations: a flag result that control dependencies on the cond can wait on
            from .framework import constant
            flag = constant(True, name="branch_done")._dfc_ir()
            sources.append(flag)
            yields = [[flag], [flag]]
            types = [flag.type]
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
            pred = pair[0]
            raise TypeError(f"fn for pred {getattr(pred, 'name', pred)} must be callable, got {pair[1]!r}.")
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
    if not index.dtype.is_integer:
        raise TypeError(f"branch_index {index.name} must be an integer Tensor, got {index.dtype.name}")
    if index.shape.ndims not in (None, 0):  # TF's run-time InvalidArgumentError, found here from the static rank
        raise InvalidArgumentError(str(build_error("switch_case", name, f"branch_index {index.name} must be a "
                                                                        f"scalar, but it has shape {index.shape}")))
    from .math_ops import equal
    with name_scope(name, "switch_case"):
        pairs = [(equal(index, k), fn) for k, fn in fns]
        return case(pairs, default=default if default is not None else fns[-1][1], exclusive=False)


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
        elif len(out_types) == len(flat):
            # TF1 stores fn's results in TensorArrays of the elements' dtypes unless dtype says otherwise
            for k, (t, e) in enumerate(zip(out_types, flat)):
                if t.dtype is not e.dtype:
                    raise InvalidArgumentError(str(build_error(
                        "map_fn", name or "map", f"fn returns {t.dtype.name} for output #{k} where the elements "
                                                 f"{e.name} are {e.dtype.name}: TensorArray dtype is "
                                                 f"{e.dtype.name} but fn is trying to write dtype {t.dtype.name} "
                                                 f"(pass dtype= for another output dtype)")))
        if any(t.shape is None or None in t.shape for t in out_types):
            # shapes only the run knows: the rows go into TensorArrays (as TF1's map_fn does), stacked after
            return _map_into_arrays(fn, elems, flat, n, sample, out_types, back_prop, infer_shape)
        known = constant_value(n)
        # at least one row, so the loop body's write of a row fits even when no elements are fed; cut after
        rows = n if known is not None and int(known) > 0 else _at_least_one(n)
        accs = [zeros(_dims(rows, t.shape), t.dtype) for t in out_types]

        def body(i, *accs_):
            from .variables import AUTO_REUSE, get_variable_scope, variable_scope
            with variable_scope(get_variable_scope(), reuse=AUTO_REUSE):  # the variables the first call made
                out = fn(_pack(elems, _elem(flat, i)))
            outs = [convert_to_tensor(o) for o in _flatten(out)]
            return (i + 1,) + tuple(_stack_write(a, i, o) for a, o in zip(accs_, outs))
        from .math_ops import less
        final = while_loop(lambda i, *a: less(i, n), body, [convert_to_tensor(np.int32(0))] + accs,
                           back_prop=back_prop, name="while")
        outs = list(final[1:])
        if rows is not n:
            outs = [o[:n] for o in outs]
        return _pack(sample, outs)


def _at_least_one(n: Tensor) -> Tensor:
    from .math_ops import maximum
    return maximum(n, convert_to_tensor(np.int32(1)))


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
        known = constant_value(n)
        # at least one row, so the loop body's write of a row fits even when no elements are fed; cut after
        rows = n if known is not None and int(known) > 0 else _at_least_one(n)
        outs = [zeros(_dims(rows, a.shape.as_list()), a.dtype) for a in acc_flat]
        if initializer is None:
            row = n - 1 if reverse else first
            outs = [_stack_write(o, row, a) for o, a in zip(outs, acc_flat)]
        k = len(acc_flat)

        def body(i, *state):
            accs, stacked = list(state[:k]), list(state[k:])
            j = n - 1 - i if reverse else i
            new = fn(_pack(init, accs), _pack(elems, _elem(flat, j)))
            new_flat = [convert_to_tensor(v) for v in _flatten(new)]
            for m, (a, v) in enumerate(zip(accs, new_flat)):
                if a.dtype is not v.dtype:  # TF1's loop Merge refuses it when the graph runs: its class, found here
                    raise InvalidArgumentError(str(build_error(
                        "scan", name or "scan", f"fn returns {v.dtype.name} for accumulator #{m}, which enters as "
                                                f"{a.dtype.name} (initializer {acc_flat[m].name})")))
            written = tuple(_stack_write(s, j, v) for s, v in zip(stacked, new_flat))
            return (i + 1,) + tuple(new_flat) + written
        final = while_loop(lambda i, *s: less(i, n), body, [start] + acc_flat + outs, back_prop=back_prop,
                           name="while")
        stacked = list(final[1 + k:])
        return _pack(init, stacked if rows is n else [o[:n] for o in stacked])


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
