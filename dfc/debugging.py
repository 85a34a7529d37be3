"""tf.debugging: run-time assertions (tf.Assert, assert_equal, assert_less, ...), check_numerics, dtype checks.

As in TF1, an assertion whose operands are constants is decided when the graph is built (raising
InvalidArgumentError then, or returning a no-op); otherwise it is an op that fails the run with
TF's message, and ops run after it through tf.control_dependencies.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import numpy as np

from dfc.ir.dtypes import as_dtype, bool_
from dfc.ir.errors import InvalidArgumentError
from dfc.ir.ops.debug import TENSOR_PART, assert_message

from .conversion import _user_line
from .framework import (Operation, Tensor, constant, constant_value, convert_to_tensor, is_tensor_like, make, make_op,
                        name_scope, wrap_op, tf_constant_value)
from .math_ops import (abs, equal, greater, greater_equal, is_finite, is_inf, is_nan, less, less_equal,
                       not_equal, reduce_all, subtract)


def _no_op(name: str) -> Operation:
    return wrap_op(make_op("dfc.no_op", [], name=name))


def Assert(condition, data, summarize=None, name: str | None = None) -> Operation:  # noqa: N802 - TF's name
    """An op that fails the run with the data (strings and tensors) unless `condition` holds."""
    condition = convert_to_tensor(condition)
    if condition.dtype is not bool_:
        raise TypeError(f"{_user_line()}Assert's condition must be bool, got {condition.dtype.name}")
    if condition.shape.ndims not in (None, 0):
        raise ValueError(f"{_user_line()}Assert's condition must be a scalar, got shape {condition.shape}")
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    parts, tensors = [], []
    for item in items:
        if is_tensor_like(item) or isinstance(item, np.ndarray):
            parts.append(TENSOR_PART)
            tensors.append(convert_to_tensor(item))
        else:
            parts.append(str(item.decode() if isinstance(item, bytes) else item).replace("%", "%%"))
    count = 3 if summarize is None else int(summarize)
    known = tf_constant_value(condition)
    values = [tf_constant_value(t) for t in tensors]
    if known is not None and all(v is not None for v in values):
        if not np.all(known):
            raise InvalidArgumentError(f"{_user_line()}{assert_message(parts, values, count)}")
        return _no_op(name or "Assert")
    return wrap_op(make_op("dfc.assert", [condition, *tensors], {"parts": parts, "summarize": count},
                           name=name or "Assert"))


def _static(test, *tensors: Tensor) -> bool | None:
    """Whether the assertion holds, when all its operands are constants (TF decides those at build time)."""
    values = [tf_constant_value(t) for t in tensors]
    if any(v is None for v in values):
        return None
    with np.errstate(all="ignore"):
        return bool(np.all(test(*values)))


def _decided(holds: bool | None, data: list, summarize, name: str) -> Operation | None:
    if holds is None:
        return None
    if not holds:
        parts = [TENSOR_PART if isinstance(d, Tensor) else str(d).replace("%", "%%") for d in data]
        values = [tf_constant_value(d) for d in data if isinstance(d, Tensor)]
        count = 3 if summarize is None else summarize
        raise InvalidArgumentError(f"{_user_line()}{assert_message(parts, values, count)}")
    return _no_op(name)


def _binary_assert(relation: str, test, check, default: str):
    def fn(x, y, data=None, summarize=None, message=None, name: str | None = None) -> Operation:
        x = convert_to_tensor(x) if is_tensor_like(x) else x
        y = convert_to_tensor(y, dtype=x.dtype) if isinstance(x, Tensor) and not is_tensor_like(y) else \
            convert_to_tensor(y)
        x = convert_to_tensor(x, dtype=y.dtype) if not isinstance(x, Tensor) else x
        with name_scope(name, default, [x, y]):
            if data is None:
                data = [f"Condition x {relation} y did not hold element-wise:", f"x ({x.name}) = ", x,
                        f"y ({y.name}) = ", y]
            if message is not None:
                data = [message, *data]
            decided = _decided(_static(check, x, y), data, summarize, "Assert")
            return decided or Assert(reduce_all(test(x, y)), data, summarize=summarize)
    fn.__name__ = default
    fn.__doc__ = f"An op that fails the run unless x {relation} y everywhere (broadcasting)."
    return fn


assert_equal = _binary_assert("==", equal, np.equal, "assert_equal")
assert_none_equal = _binary_assert("!=", not_equal, np.not_equal, "assert_none_equal")
assert_less = _binary_assert("<", less, np.less, "assert_less")
assert_less_equal = _binary_assert("<=", less_equal, np.less_equal, "assert_less_equal")
assert_greater = _binary_assert(">", greater, np.greater, "assert_greater")
assert_greater_equal = _binary_assert(">=", greater_equal, np.greater_equal, "assert_greater_equal")


def _sign_assert(relation: str, test, check, default: str):
    def fn(x, data=None, summarize=None, message=None, name: str | None = None) -> Operation:
        x = convert_to_tensor(x)
        with name_scope(name, default, [x]):
            zero = constant(np.zeros((), x.dtype.np))
            if data is None:
                data = [f"Condition x {relation} 0 did not hold element-wise:", f"x ({x.name}) = ", x]
            if message is not None:
                data = [message, *data]
            decided = _decided(_static(check, x, zero), data, summarize, "Assert")
            return decided or Assert(reduce_all(test(x, zero)), data, summarize=summarize)
    fn.__name__ = default
    return fn


assert_positive = _sign_assert(">", greater, np.greater, "assert_positive")
assert_negative = _sign_assert("<", less, np.less, "assert_negative")
assert_non_negative = _sign_assert(">=", greater_equal, np.greater_equal, "assert_non_negative")
assert_non_positive = _sign_assert("<=", less_equal, np.less_equal, "assert_non_positive")


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None,
                name: str | None = None) -> Operation:
    """Fails the run unless |x - y| <= atol + rtol * |y| everywhere (10 eps of the dtype by default)."""
    x = convert_to_tensor(x)
    y = convert_to_tensor(y, dtype=x.dtype) if not is_tensor_like(y) else convert_to_tensor(y)
    with name_scope(name, "assert_near", [x, y]):
        eps = float(np.finfo(x.dtype.np).eps)
        rtol = constant(10 * eps if rtol is None else rtol, dtype=x.dtype)
        atol = constant(10 * eps if atol is None else atol, dtype=x.dtype)
        tol = atol + rtol * abs(y)
        if data is None:
            data = ["x and y not equal to tolerance rtol = ", rtol, ", atol = ", atol, f"x ({x.name}) = ", x,
                    f"y ({y.name}) = ", y]
        if message is not None:
            data = [message, *data]
        return Assert(reduce_all(less_equal(abs(subtract(x, y)), tol)), data, summarize=summarize)


def assert_rank(x, rank, data=None, summarize=None, message=None, name: str | None = None) -> Operation:
    return _assert_rank(x, rank, data, summarize, message, name, "assert_rank", "", int.__eq__, assert_equal)


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name: str | None = None) -> Operation:
    return _assert_rank(x, rank, data, summarize, message, name, "assert_rank_at_least", "at least ", int.__ge__,
                        assert_greater_equal)


def _assert_rank(x, rank, data, summarize, message, name: str | None, default: str, relation: str,
                 holds: Callable[[int, int], bool], run_time_check: Callable) -> Operation:
    """TF1's rank assertions: a ValueError now when x's rank is known (a no-op when it holds), else a run-time
    check of tf.rank(x) against `rank`."""
    x = convert_to_tensor(x)
    rank = int(constant_value(rank) if isinstance(rank, Tensor) else rank)
    if x.shape.ndims is not None:
        if not holds(x.shape.ndims, rank):
            raise ValueError(f"{_user_line()}{message + ' ' if message else ''}Tensor {x.name} must have rank "
                             f"{relation}{rank}.  Received rank {x.shape.ndims}, shape {x.shape}")
        return _no_op(name or default)
    from .array_ops import rank as rank_of
    return run_time_check(rank_of(x), rank, data=data, summarize=summarize, message=message, name=name)


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name: str | None = None) -> Operation:
    x = convert_to_tensor(x)
    ranks = tuple(int(r) for r in ranks)
    if x.shape.ndims is None:  # checked when the step runs, as TF does
        from .array_ops import rank as rank_of
        from .math_ops import reduce_any
        actual = rank_of(x)
        holds = reduce_any(equal(actual, convert_to_tensor(list(ranks), dtype=actual.dtype)))
        parts = [f"{message + ' ' if message else ''}Tensor {x.name} must have rank in {ranks}.  Received rank ",
                 actual] + list(data or [])
        return Assert(holds, parts, summarize=summarize, name=name or "assert_rank_in")
    if x.shape.ndims not in ranks:
        raise ValueError(f"{_user_line()}{message + ' ' if message else ''}Tensor {x.name} must have rank in "
                         f"{ranks}.  Received rank {x.shape.ndims}, shape {x.shape}")
    return _no_op(name or "assert_rank_in")


def _dimension_size(x: Tensor, dim: int) -> tuple[int | None, Tensor | None]:
    """x's size along `dim` (from the end when negative), statically when known; a scalar is a size-1 vector."""
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims == []:
        return 1, None
    if dims is not None and dims[dim] is not None:
        return dims[dim], None
    from .array_ops import shape as shape_of
    return None, shape_of(x)[dim]


def assert_shapes(shapes, data=None, summarize=None, message=None, name: str | None = None) -> Operation:
    """Each tensor has its shape spec (sizes, shared symbols, None or '.' for any, a leading '*' or ... for any
    leading dims): violations known now raise ValueError, the rest are checked when the step runs."""
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    prefix = f"{message}.  " if message else ""
    checks: list = []
    specified: dict = {}
    with name_scope(name, "assert_shapes"):
        for tensor, spec in pairs:
            if spec is None:
                continue
            x = convert_to_tensor(tensor)
            if not (hasattr(spec, "__iter__") or hasattr(spec, "__getitem__")):
                raise ValueError(f"{_user_line()}{prefix}Tensor {x.name}.  Specified shape must be an iterable.  "
                                 f"An iterable has the attribute `__iter__` or `__getitem__`.  Received specified "
                                 f"shape: {spec}")
            spec = tuple(spec)
            for i, symbol in enumerate(spec):
                if (symbol is Ellipsis or symbol == "*") and i != 0:
                    raise ValueError(f"{_user_line()}{prefix}Tensor {x.name} specified shape index {i}.  Symbol "
                                     f"`...` or `*` for a variable number of unspecified dimensions is only allowed "
                                     f"as the first entry")
            leading = bool(spec) and (spec[0] is Ellipsis or spec[0] == "*")
            sizes = spec[1:] if leading else spec
            if leading and len(sizes) > 1:
                checks.append(assert_rank_at_least(x, len(sizes), data=data, summarize=summarize, message=message))
            elif not leading and len(sizes) <= 1:
                checks.append(assert_rank_in(x, (0, 1), data=data, summarize=summarize, message=message))
            elif not leading:
                checks.append(assert_rank(x, len(sizes), data=data, summarize=summarize, message=message))
            for i, symbol in enumerate(sizes):
                if symbol is None or symbol == ".":
                    continue
                dim = i - len(sizes) if leading else i
                checks += _size_check(x, dim, symbol, specified, prefix, data, summarize)
        return _group(checks, name or "assert_shapes")


def _size_check(x: Tensor, dim: int, symbol, specified: dict, prefix: str, data, summarize) -> list:
    """The check of x's size along `dim` against an explicit size or the size a symbol took first."""
    try:
        explicit = int(symbol)
    except (TypeError, ValueError):
        explicit = None
    static, dynamic = _dimension_size(x, dim)
    if explicit is None and symbol not in specified:
        specified[symbol] = (static, dynamic, x, dim)
        return []
    if explicit is not None:
        want_static, want_dynamic, why = explicit, None, "Specified explicitly"
    else:
        want_static, want_dynamic, by, at = specified[symbol]
        why = f"Specified by tensor {by.name} dimension {at}"
    text = f"{prefix}{why}.  Tensor {x.name} dimension {dim} must have size"
    if static is not None and want_static is not None:
        if static != want_static:
            raise ValueError(f"{_user_line()}{text} {want_static}.  Received size {static}, shape {x.shape}")
        return []
    actual = dynamic if dynamic is not None else convert_to_tensor(static)
    want = want_dynamic if want_dynamic is not None else convert_to_tensor(want_static, dtype=actual.dtype)
    return [Assert(equal(actual, want), [f"{text} ", want, ".  Received size ", actual] + list(data or []),
                   summarize=summarize)]


def _group(ops: list, name: str) -> Operation:
    """A no-op that runs after `ops` (tf.group's op; debugging.py cannot import variables.py, which imports it)."""
    from .framework import control_dependencies
    with control_dependencies(ops):
        return _no_op(name)


def assert_integer(x, message=None, name: str | None = None) -> Operation:
    x = convert_to_tensor(x)
    if not x.dtype.is_integer:
        raise TypeError(f"{_user_line()}{message + ' ' if message else ''}Expected integer type for {x.name}, got "
                        f"{x.dtype.name}")
    return _no_op(name or "assert_integer")


def assert_type(tensor, tf_type, message=None, name: str | None = None) -> Operation:
    x = convert_to_tensor(tensor)
    if x.dtype is not as_dtype(tf_type):
        raise TypeError(f"{_user_line()}{message + ' ' if message else ''}{x.name} must be of type "
                        f"{as_dtype(tf_type).name}; got {x.dtype.name}")
    return _no_op(name or "assert_type")


def assert_scalar(tensor, name: str | None = None, message=None) -> Tensor:
    x = convert_to_tensor(tensor)
    if x.shape.ndims != 0:
        raise ValueError(f"{_user_line()}{message + ' ' if message else ''}Expected scalar shape for {x.name}, saw "
                         f"shape: {x.shape}.")
    return x


def assert_same_float_dtype(tensors=None, dtype=None):
    """The one float dtype of `tensors` (and `dtype`), else ValueError; float32 when there are none."""
    dtypes = {convert_to_tensor(t).dtype for t in (tensors or [])} | ({as_dtype(dtype)} if dtype else set())
    if len(dtypes) > 1:
        raise ValueError(f"{_user_line()}Expected one float dtype, got {sorted(d.name for d in dtypes)}")
    found = next(iter(dtypes), as_dtype("float32"))
    if not found.is_floating:
        raise ValueError(f"{_user_line()}Expected floating point type, got {found.name}")
    return found


def assert_proper_iterable(values) -> None:
    if isinstance(values, (str, bytes, np.ndarray, Tensor)) or not isinstance(values, Iterable):
        raise TypeError(f"{_user_line()}Expected argument 'values' to be a \"proper\" iterable, got {values!r}")


def check_numerics(tensor, message: str, name: str | None = None) -> Tensor:
    """tensor, after failing the run with `message` if it holds an inf or a NaN."""
    x = convert_to_tensor(tensor)
    if not x.dtype.is_floating:
        raise TypeError(f"{_user_line()}CheckNumerics needs a float tensor, got {x.dtype.name}")
    return make("dfc.check_numerics", [x], {"message": str(message)}, name=name or "CheckNumerics")


def verify_tensor_all_finite(t=None, msg=None, name: str | None = None, x=None, message=None) -> Tensor:
    """t (or x), checked for infs and NaNs (TF1's verify_tensor_all_finite)."""
    value = t if t is not None else x
    text = msg if msg is not None else message
    with name_scope(name, "VerifyFinite", [value]):
        return check_numerics(value, text or "")


assert_all_finite = verify_tensor_all_finite


_PRINT_SITES = itertools.count(1)


def _print_op(passthrough: Tensor, items, summarize, first_n, sep: str, end: str, brackets: bool,
              name: str) -> Tensor:
    parts, tensors = [], []
    for item in items:
        if is_tensor_like(item) or isinstance(item, np.ndarray):
            parts.append(TENSOR_PART)
            tensors.append(convert_to_tensor(item))
        else:
            parts.append(str(item).replace("%", "%%"))
    attrs = {"parts": parts, "summarize": 3 if summarize is None else int(summarize),
             "first_n": -1 if first_n is None else int(first_n), "site": next(_PRINT_SITES), "sep": sep, "end": end,
             "brackets": brackets}
    return make("dfc.print", [passthrough, *tensors], attrs, name=name)


def Print(input_, data, message=None, first_n=None, summarize=None, name: str | None = None) -> Tensor:  # noqa: N802
    """input_, after writing `message` and each tensor of `data` (its first `summarize` entries) to stderr
    each time it runs (only the first `first_n` times when given): TF1's tf.Print."""
    x = convert_to_tensor(input_)
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    return _print_op(x, [message or "", *items], summarize, first_n, "", "\n", True, name or "Print")


def print(*inputs, **kwargs) -> Operation:  # noqa: A001 - TF's name
    """An op that writes its inputs (text and tensors, separated by `sep`) to stderr when it runs: tf.print.

    In a TF1 graph it prints only when run: fetch it, or make other ops depend on it with
    tf.control_dependencies. output_stream may be sys.stderr (the default) only.
    """
    import sys
    stream = kwargs.pop("output_stream", sys.stderr)
    if stream is not sys.stderr:
        raise NotImplementedError(f"{_user_line()}tf.print writes to sys.stderr only, got output_stream={stream!r}")
    summarize = kwargs.pop("summarize", 3)
    sep, end, name = kwargs.pop("sep", " "), kwargs.pop("end", "\n"), kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"{_user_line()}print() got unexpected keyword arguments {sorted(kwargs)}")
    token = constant(np.zeros((), np.int32), name="print_token")
    tensor = _print_op(token, list(inputs), summarize, None, sep, end, False, name or "PrintV2")
    return tensor.op


def is_numeric_tensor(tensor) -> bool:
    return isinstance(tensor, Tensor) and (tensor.dtype.is_floating or tensor.dtype.is_integer)


def _monotone(x, test, name: str, default: str) -> Tensor:
    from .array_ops import reshape
    x = convert_to_tensor(x)
    with name_scope(name, default, [x]):
        flat = reshape(x, [-1])
        n = flat.shape.as_list()[0]
        if n is not None and n < 2:
            return constant(True)
        return reduce_all(test(flat[1:], flat[:-1]))


def is_non_decreasing(x, name: str | None = None) -> Tensor:
    return _monotone(x, greater_equal, name, "is_non_decreasing")


def is_strictly_increasing(x, name: str | None = None) -> Tensor:
    return _monotone(x, greater, name, "is_strictly_increasing")


def run_time_assert(condition: Tensor, parts: list, summarize: int) -> Operation:
    """A dfc.assert that is always checked when it runs (tf.Assert decides constant conditions when built, but
    a check inside a branch must only fail if that branch is taken, and TF1's case and TensorArray check at run
    time)."""
    tensors = [p for p in parts if isinstance(p, Tensor)]
    texts = [TENSOR_PART if isinstance(p, Tensor) else p.replace("%", "%%") for p in parts]
    return wrap_op(make_op("dfc.assert", [condition, *tensors], {"parts": texts, "summarize": summarize},
                           name="Assert"))


def set_log_device_placement(enabled: bool) -> None:
    """TF's eager-op placement logging switch (tf.config's context); a TF1 Session logs by its ConfigProto's
    log_device_placement instead, as in TF."""
    from .config import _CONTEXT
    _CONTEXT.log_device_placement = bool(enabled)


def get_log_device_placement() -> bool:
    from .config import _CONTEXT
    return _CONTEXT.log_device_placement


__all__ = ["get_log_device_placement", "set_log_device_placement",
           "Assert", "Print", "assert_all_finite", "assert_equal", "assert_greater", "assert_greater_equal",
           "assert_integer", "assert_less", "assert_less_equal", "assert_near", "assert_negative",
           "assert_non_negative", "assert_non_positive", "assert_none_equal", "assert_positive",
           "assert_proper_iterable", "assert_rank", "assert_rank_at_least", "assert_rank_in", "assert_shapes",
           "assert_same_float_dtype", "assert_scalar", "assert_type", "check_numerics", "is_finite", "is_inf",
           "is_nan", "is_non_decreasing", "is_numeric_tensor", "is_strictly_increasing", "print",
           "verify_tensor_all_finite"]

