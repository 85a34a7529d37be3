"""Python values as tensors: convert_to_tensor, constants, and the static ints and shapes ops take as arguments."""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from dfc.ir import builder
from dfc.ir.dtypes import DType, as_dtype, bool_, c128, f32, i32, i64, string
from dfc.ir.ops.strings import bytes_array
from dfc.ir.errors import DfcError
from dfc.ir.graph import Value
from dfc.ir.interpreter import StatelessContext, evaluate_op
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from .graph_builder import Operation, Tensor, build_error, make, out_of_memory, wrap
from .tensor_shape import Dimension, TensorShape


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
    if _CONVERSIONS:
        converted = _registered_conversion(value, want, name)
        if converted is not None:
            return converted
    if isinstance(value, (list, tuple)) and _holds_tensor(value):
        return _auto_packed(value, want, name or "packed")
    return constant(value, dtype=want, name=name or "Const")


#: tf.register_tensor_conversion_function's entries: (priority, order registered, base type(s), function)
_CONVERSIONS: list[tuple[int, int, Any, Any]] = []


def register_tensor_conversion_function(base_type: Any, conversion_func: Any, priority: int = 100) -> None:
    """Make convert_to_tensor (and so every op's argument) turn instances of `base_type` into tensors with
    `conversion_func(value, dtype=None, name=None, as_ref=False)`; lower priorities are tried first."""
    base_types = base_type if isinstance(base_type, tuple) else (base_type,)
    if any(not isinstance(x, type) for x in base_types):
        raise TypeError(f"Argument `base_type` must be a type or a tuple of types. Obtained: {base_type}")
    if any(issubclass(x, (int, float, np.generic, np.ndarray)) for x in base_types):
        raise TypeError("Cannot register conversions for Python numeric types and NumPy scalars and arrays.")
    if not callable(conversion_func):
        raise TypeError(f"Argument `conversion_func` must be callable. Received {conversion_func}.")
    _CONVERSIONS.append((priority, len(_CONVERSIONS), base_type, conversion_func))
    _CONVERSIONS.sort(key=lambda entry: entry[:2])


def _registered_conversion(value: Any, want: DType | None, name: str | None) -> Tensor | None:
    """The tensor a registered conversion function makes of `value` (None when none applies), checked as TF does."""
    prefix = f"{name}: " if name is not None else ""
    for _, _, base_type, fn in _CONVERSIONS:
        if not isinstance(value, base_type):
            continue
        result = fn(value, dtype=want, name=name, as_ref=False)
        if result is NotImplemented:
            continue
        if hasattr(result, "_as_tensor") and not isinstance(result, Tensor):
            result = result._as_tensor()
        if not isinstance(result, Tensor):
            raise RuntimeError(f"{prefix}Conversion function {fn!r} for type {base_type} returned non-Tensor: "
                               f"{result!r}")
        if want is not None and result.dtype.base_dtype is not want.base_dtype:
            raise RuntimeError(f"{prefix}Conversion function {fn} for type {base_type} returned incompatible dtype: "
                               f"requested = {want.name}, actual = {result.dtype.name}")
        return result
    return None


def _holds_tensor(value: list | tuple) -> bool:
    return any(is_tensor_like(v) or (isinstance(v, (list, tuple)) and _holds_tensor(v)) for v in value)


def _first_tensor_dtype(value: list | tuple) -> DType | None:
    for v in value:
        if is_tensor_like(v):
            return convert_to_tensor(v).dtype
        if isinstance(v, (list, tuple)) and (found := _first_tensor_dtype(v)) is not None:
            return found
    return None


def _auto_packed(value: list | tuple, dtype: DType | None, name: str) -> Tensor:
    """TF's auto-packing: a (nested) list holding tensors is their stack, its other entries constants of the
    first tensor's dtype (`tf.reduce_sum([t, 1.0])`, `tf.stop_gradient([labels])`)."""
    inferred = _first_tensor_dtype(value)
    dtype = dtype or inferred
    rows = []
    for v in value:
        if is_tensor_like(v):
            t = convert_to_tensor(v)
            if t.dtype is not dtype:
                raise TypeError(f"Cannot convert a list containing a tensor of dtype {t.dtype!r} to {dtype!r} "
                                f"(Tensor is: {t!r})")
        elif isinstance(v, (list, tuple)) and _holds_tensor(v):
            t = _auto_packed(v, dtype, name)
        else:
            t = constant(v, dtype=dtype, name=f"{name}/Const")
        rows.append(make("dfc.expand_dims", [t], {"axis": 0}, name=f"{name}/ExpandDims"))
    if len(rows) == 1:
        return make("dfc.identity", rows, name=name)
    return make("dfc.concat", rows, {"axis": 0}, name=name)


def infer_constant_dtype(value: Any) -> DType:
    """TF's rule: Python floats become float32 and ints int32; numpy arrays keep their dtype."""
    if value is None:
        raise ValueError("None values not supported.")
    if isinstance(value, (np.ndarray, np.generic)):
        return as_dtype(value.dtype)
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return f32
    if array.dtype.kind in "iu":
        return i32 if array.size == 0 or (array.min() >= -2**31 and array.max() < 2**31) else i64
    if array.dtype.kind == "b":
        return bool_
    if array.dtype.kind == "c":  # Python complex numbers are complex128, as in TF
        return c128
    if array.dtype.kind in "SU" or (array.dtype.kind == "O" and array.size and
                                    all(isinstance(v, (str, bytes)) for v in array.reshape(-1))):
        return string
    raise TypeError(f"cannot make a tensor of {value!r} (numpy dtype {array.dtype})")


def _first_python_float(value: Any) -> Any:
    """The first Python float in a (nested) list, what TF's error about it names."""
    if isinstance(value, (list, tuple)):
        return next((f for f in map(_first_python_float, value) if f is not None), None)
    return value if isinstance(value, float) else None


def constant_array(value: Any, dtype: DType, python_strict: bool = True) -> np.ndarray:
    """`value` as an array of `dtype`; refuses conversions that change the value's kind lossily.

    TF's rule for integer dtypes: a numpy array of floats is cast (truncated, as numpy's astype), but Python
    floats are refused even when whole (`tf.constant([1, 2.0], tf.int32)`, `int_tensor * 2.0` are TypeErrors);
    `python_strict=False` treats Python values as numpy ones (what tf.py_func and Dataset.from_generator do).
    """
    if value is None:
        raise ValueError("None values not supported.")
    if dtype.is_string:
        return bytes_array(value)
    array = np.asarray(value)
    if array.dtype.kind in "OSUV" or (array.dtype.kind == "c" and not dtype.is_complex):
        raise TypeError(f"cannot convert {value!r} to a tensor of {dtype.name}")
    if dtype.is_integer and array.dtype.kind == "f":
        first = _first_python_float(value) if python_strict and not isinstance(value, (np.ndarray, np.generic)) \
            else None
        if first is not None:  # (an empty list is float64 to numpy, and fine for TF)
            raise TypeError(f"Expected {dtype.name}, got {first!r} of type 'float' instead.")
        if not np.all(np.isfinite(array)):
            raise TypeError(f"Expected {dtype.name}, got {value!r} of type {type(value).__name__} instead.")
        array = np.trunc(array)
    if dtype.is_bool and array.dtype.kind != "b":
        raise TypeError(f"Expected bool, got {value!r} of type {type(value).__name__} instead.")
    with np.errstate(over="ignore"):
        out = array.astype(dtype.np)
    if dtype.is_integer and array.dtype.kind in "iu" and array.size:
        info = np.iinfo(dtype.np)  # compared as Python ints: uint64's top half is past int64 and float64's precision
        if int(array.min()) < info.min or int(array.max()) > info.max:
            raise TypeError(f"value {value!r} does not fit in {dtype.name}")
    return out


def constant(value: Any, dtype=None, shape=None, name: str = "Const", verify_shape: bool = False) -> Tensor:
    """A constant tensor; `shape` broadcasts a scalar, reshapes the value, or fills it out with its last element."""
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
        elif verify_shape and tuple(array.shape) != tuple(shape):
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {tuple(array.shape)}.")
        elif array.size == int(np.prod(shape, dtype=np.int64)):
            array = array.reshape(shape)
        elif 0 < array.size < int(np.prod(shape, dtype=np.int64)):
            # TF1 fills the elements after the given ones with the last given value
            flat = array.reshape(-1)
            count = int(np.prod(shape, dtype=np.int64))
            array = np.concatenate([flat, np.full(count - flat.size, flat[-1], dtype=flat.dtype)]).reshape(shape)
        else:
            raise build_error("dfc.constant", name, f"Too many elements provided. Takes at most "
                                                    f"{int(np.prod(shape, dtype=np.int64))}, but got {array.size}: "
                                                    f"a constant of shape {list(array.shape)} does not fit the "
                                                    f"requested shape {list(shape)}")
    return make("dfc.constant", [], {"value": np.require(array, requirements="C")}, name=name)


#: a value this small, computed by pure ops from constants and known shapes, is known while the graph is built
MAX_STATIC_ELEMENTS = 1 << 12
#: how deep constant_value follows a chain of such ops (deeper chains are computed when the step runs)
MAX_STATIC_DEPTH = 64
_static_values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_tf_static_values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: the ops TF's own tensor_util.constant_value sees through (tf.get_static_value, static assertions, smart_cond)
TF_STATIC_OPS = frozenset({"dfc.shape_of", "dfc.cast", "dfc.concat", "dfc.expand_dims", "dfc.reshape", "dfc.tile",
                           "dfc.equal", "dfc.not_equal", "dfc.identity", "dfc.stop_gradient"})


def constant_value(tensor: Any) -> np.ndarray | None:
    """The value of a tensor known while the graph is built, else None: a constant, the shape of a tensor whose
    shape is known, or a small result of pure ops on such values (tf.concat([[0], tf.range(2, 0, -1)], 0),
    tf.shape(x)[1] * 2 for a known dim), computed with the ops' reference semantics. DSL functions take ints,
    shapes and axes through it."""
    if isinstance(tensor, Tensor):
        return _static_value(tensor._dfc_ir(), 0)
    return np.asarray(tensor)


def tf_constant_value(tensor: Any) -> np.ndarray | None:
    """What TF1's tensor_util.constant_value knows (constants through casts, concats, packs, fills, identities and
    fully known shapes), for what TF decides by it while building: tf.get_static_value, an assertion that fails
    before the step runs, smart_cond's choice. Wider knowledge there would move TF's run-time errors to build time."""
    if isinstance(tensor, Tensor):
        return _static_value(tensor._dfc_ir(), 0, TF_STATIC_OPS)
    return np.asarray(tensor)


def _static_value(value: Value, depth: int, only: frozenset | None = None) -> np.ndarray | None:
    op = value.op
    if op is None:
        return None
    if op.type == "dfc.constant":
        return op.attrs["value"]
    t = value.type
    if not isinstance(t, TensorType) or not t.is_static or t.num_elements > MAX_STATIC_ELEMENTS:
        return None
    if only is not None and op.type not in only:
        return None
    cache = _static_values if only is None else _tf_static_values
    if value in cache:
        return cache[value]
    if depth > MAX_STATIC_DEPTH:
        return None  # not remembered: a call starting nearer may still reach the constants
    known = _computed_value(op, value.index, depth, only)
    cache[value] = known
    return known


#: ops that only select or move elements: they pick the known dims out of a partly known tf.shape(x)
SELECTION_OPS = frozenset({"dfc.slice", "dfc.squeeze", "dfc.reshape", "dfc.expand_dims", "dfc.gather",
                           "dfc.identity", "dfc.concat"})


def _partial_value(value: Value, depth: int) -> np.ndarray | None:
    """Like _static_value, but tf.shape(x) of a tensor of known rank gives its known dims and the dtype's lowest
    number (never a dim) for the unknown ones, followed through SELECTION_OPS only."""
    known = _static_value(value, depth)
    if known is not None or depth > MAX_STATIC_DEPTH:
        return known
    op = value.op
    if op is None:
        return None
    if op.type == "dfc.shape_of":
        source, dtype = op.inputs[0].type, op.results[0].type.dtype.np
        if isinstance(source, TensorType) and source.shape is not None:
            unknown = np.iinfo(dtype).min
            return np.asarray([unknown if d is None else d for d in source.shape], dtype=dtype)
        return None
    if op.type in SELECTION_OPS and not op.control_inputs:
        return _evaluated(op, value.index, [_partial_value(v, depth + 1) for v in op.inputs])
    return None


def _evaluated(op, index: int, inputs: list) -> np.ndarray | None:
    if any(x is None for x in inputs):
        return None
    try:
        with np.errstate(all="ignore"):
            results = evaluate_op(op, inputs, StatelessContext())
    except (DfcError, ArithmeticError, ValueError, TypeError, IndexError):
        return None  # the run reports it, naming the op
    return np.require(results[index], requirements="C")


def _computed_value(op, index: int, depth: int, only: frozenset | None) -> np.ndarray | None:
    if op.type == "dfc.shape_of":
        source = op.inputs[0].type
        if isinstance(source, TensorType) and source.is_static:
            return np.asarray(source.shape, dtype=op.results[0].type.dtype.np)
        return None
    if op.regions or op.control_inputs:
        return None
    if op.type in SELECTION_OPS and only is None:  # the known dims of a partly known shape
        result = _evaluated(op, index, [_partial_value(v, depth + 1) for v in op.inputs])
        if result is None or (result.dtype.kind == "i" and result.size and
                              result.min() == np.iinfo(result.dtype).min):
            return None
        return result
    opdef = get_op_def(op.type)
    if not opdef.pure or opdef.meta or opdef.reference is None:
        return None
    if any(not isinstance(r.type, TensorType) or not r.type.is_static for r in op.results):
        return None
    inputs = []
    for v in op.inputs:
        known = _static_value(v, depth + 1, only)
        if known is None:
            return None
        inputs.append(known)
    return _evaluated(op, index, inputs)


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
        if isinstance(d, (float, np.floating)):  # TF converts a shape to int32: a float is its TypeError
            raise TypeError(f"{_user_line()}Expected int32, but got {d!r} of type '{type(d).__name__}' in shape "
                            f"{dims}.")
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


def fed_axis(x: Any, what: str) -> int | Tensor:
    """An int argument TF reads when the step runs (an axis, a count): its int when the graph knows it, else the
    integer tensor itself, which the op reads by value (ir/ops/value_attrs.py)."""
    if isinstance(x, Tensor) and constant_value(x) is None:
        if x.dtype.name not in ("int32", "int64"):
            raise TypeError(f"{_user_line()}Value passed to parameter '{what}' has DataType {x.dtype.name} not in "
                            f"list of allowed values: int32, int64")
        return x
    return check_int(x, what)


def _user_line() -> str:
    """'file:line:col: ' of the user's call, for errors raised before any op exists."""
    loc = builder.capture_location()
    return f"{loc}: " if loc else ""
