"""TF1's tf.py_func, tf.numpy_function and tf.py_function: Python functions a Session.run calls on the host.

A py_func's outputs have the dtypes of Tout and shapes known only once the function returns (TF1:
unknown unless set_shape). dfc compiles each step for static shapes, so a run that needs a
py_func's outputs computes them first, on the host, as it does an input pipeline's elements
(runtime/host_feeds.py): it runs the function's inputs with the run's feeds, calls the function,
checks what it returned as TF1 does (the number of values, each one's dtype, a shape set with
set_shape) and feeds the arrays to the step, which is compiled for their shapes. The function runs
once per Session.run that needs it, as TF1's PyFunc kernel does. Gradients stop at a py_func (TF1
declares PyFunc not differentiable). An exception the function raises fails the run with TF1's class
for it (ValueError and TypeError: InvalidArgumentError; others UnknownError ...) and the exception's
text, naming the op. py_function's function gets arrays with a `.numpy()` method, as TF's eager
tensors have; TF ops inside it (eager execution) are not supported.

A py_func inside tf.while_loop or tf.cond would need a call in the middle of compiled code for every
iteration, with shapes fixed when the step is compiled; that is refused with the reason.
"""

from __future__ import annotations

import traceback
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dfc.ir.builder import capture_location
from dfc.ir.dtypes import as_dtype
from dfc.ir.errors import (InvalidArgumentError, OutOfRangeError, ResourceExhaustedError, UnimplementedError,
                           UnknownError)
from dfc.ir.ops.strings import bytes_array
from dfc.ir.types import TensorType

from .framework import Operation, Tensor, convert_to_tensor, get_default_graph, make_op, name_scope, wrap, wrap_op

__all__ = ["numpy_function", "py_func", "py_function"]

#: the ops standing for host functions' outputs: a region op must not capture them (see the module's docstring)
HOST_FUNCTION_OPS: weakref.WeakSet = weakref.WeakSet()

#: TF's names of dtypes in its kernels' messages ("... is double, but expects float")
_TF_NAMES = {"float32": "float", "float64": "double", "float16": "half"}

#: the OpError class TF1 raises for each Python exception a py_func raises (others: UnknownError)
PY_FUNC_ERRORS = ((ValueError, InvalidArgumentError), (TypeError, InvalidArgumentError),
              (StopIteration, OutOfRangeError), (IndexError, OutOfRangeError),
              (MemoryError, ResourceExhaustedError), (NotImplementedError, UnimplementedError))


class EagerArray(np.ndarray):
    """An input of a py_function's function: a numpy array with TF's eager-tensor `.numpy()`."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self)


def _tf_name(dtype) -> str:
    return _TF_NAMES.get(dtype.name, dtype.name)


class _HostFunction:
    """One py_func: its function, inputs and output placeholders, and what a run checks of its results."""

    def __init__(self, func: Callable, inputs: list[Tensor], dtypes: list, outputs: list[Tensor], label: str,
                 kind: str, eager: bool):
        self.func, self.inputs, self.dtypes, self.outputs = func, inputs, dtypes, outputs
        self.label, self.kind, self.eager = label, kind, eager

    def compute(self, session: Any, feed_dict: dict) -> list[np.ndarray]:
        arrays = session.run(self.inputs, feed_dict) if self.inputs else []
        if self.eager:
            arrays = [np.asarray(a).view(EagerArray) for a in arrays]
        try:
            result = self.func(*arrays)
        except Exception as e:  # noqa: BLE001 - the function's own exception becomes the run's error
            cls = next((err for py, err in PY_FUNC_ERRORS if isinstance(e, py)), UnknownError)
            text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
            raise cls(f"{type(e).__name__}: {e}\n{text}\t[[{self.label}]]") from e
        return self._check(result)

    def _check(self, result) -> list[np.ndarray]:
        n = len(self.dtypes)
        values = list(result) if isinstance(result, (list, tuple)) and not (n == 1 and _is_array_like(result)) \
            else [result]
        if n == 0 and result is None:
            return []
        if len(values) != n:
            raise InvalidArgumentError(f"{self.label}: {self.kind} returns {len(values)} values, but expects to see "
                                       f"{n} values.")
        out = []
        for k, (v, dtype, t) in enumerate(zip(values, self.dtypes, self.outputs)):
            if isinstance(v, Tensor):
                raise InvalidArgumentError(f"{self.label}: value {k} returned by {self.kind} is a graph tensor "
                                           f"({v.name}); dfc runs the function on numpy arrays, not eagerly")
            if dtype.is_string:  # str and bytes alike, as TF converts a py_func's strings
                try:
                    array = bytes_array(v)
                except TypeError as e:
                    raise InvalidArgumentError(f"{self.label}: {k}-th value returned by {self.kind} is not "
                                               f"strings: {e}") from None
            else:
                array = np.asarray(v, dtype=dtype.np) if self.eager and not isinstance(v, np.ndarray) \
                    else np.asarray(v)
            if array.dtype != dtype.np:
                got = as_dtype(array.dtype).name if array.dtype.kind in "biuf" else str(array.dtype)
                raise InvalidArgumentError(f"{self.label}: {k}-th value returned by {self.kind} is "
                                           f"{_TF_NAMES.get(got, got)}, but expects {_tf_name(dtype)}")
            declared = t.shape
            if declared.ndims is not None and (array.ndim != declared.ndims or any(
                    d is not None and d != s for d, s in zip(declared.as_list(), array.shape))):
                raise InvalidArgumentError(f"{self.label}: {k}-th value returned by {self.kind} has shape "
                                           f"{list(array.shape)}, but its shape was set to {declared}")
            out.append(array if array.flags.c_contiguous else array.copy(order="C"))
        return out


def _is_array_like(v) -> bool:
    """A list that is one value (a row of numbers), not a list of values: TF converts it as one."""
    return bool(v) and all(isinstance(x, (int, float, bool, str, bytes, np.generic)) for x in v)


def _host_function(func: Callable, inp, Tout, stateful: bool, name: str | None, default: str, eager: bool):
    if not callable(func):
        raise TypeError(f"{default}: func must be callable, got {func!r}")
    single = not isinstance(Tout, (list, tuple))
    dtypes = [as_dtype(t) for t in ([Tout] if single else list(Tout))]
    inputs = [convert_to_tensor(x) for x in (inp if isinstance(inp, (list, tuple)) else [inp])]
    graph = get_default_graph()
    with name_scope(name, default, inputs) as scope:
        op_name = scope[:-1]
        loc = capture_location()
        label = f"op '{op_name}' ({default})" + (f" at {loc}" if loc else "")
        if not dtypes:  # nothing returned: an op that calls the function when it runs (a host action)
            op = make_op("dfc.no_op", [], name=op_name, exact_name=True)
            entry = _HostFunction(func, inputs, [], [], label, "pyfunc", eager)
            from dfc.runtime.host_feeds import register_action
            register_action(graph._dfc_ir(), op, lambda session, feeds: entry.compute(session, dict(feeds)))
            HOST_FUNCTION_OPS.add(op)
            return wrap_op(op)
        outputs = []
        for k, dtype in enumerate(dtypes):
            op = make_op("dfc.placeholder", [], name=op_name if k == 0 else f"{op_name}_{k}", exact_name=k == 0,
                         result_types=[TensorType(dtype, None)])
            HOST_FUNCTION_OPS.add(op)
            outputs.append(wrap(op.results[0]))
    entry = _HostFunction(func, inputs, dtypes, outputs, label, "pyfunc", eager)
    from dfc.runtime.host_feeds import register_source
    register_source(graph._dfc_ir(), [t._dfc_ir() for t in outputs], entry.compute, with_feeds=True)
    return outputs[0] if single else outputs


def py_func(func: Callable, inp, Tout, stateful: bool = True,
            name: str | None = None) -> Tensor | list[Tensor] | Operation:
    """func(*inputs as numpy arrays), run on the host when a step needs its outputs (TF1's tf.py_func)."""
    return _host_function(func, inp, Tout, stateful, name, "PyFunc", eager=False)


def numpy_function(func: Callable, inp, Tout, stateful: bool = True,
                   name: str | None = None) -> Tensor | list[Tensor] | Operation:
    """tf.numpy_function: tf.py_func under its TF2 name."""
    return _host_function(func, inp, Tout, stateful, name, "PyFunc", eager=False)


def py_function(func: Callable, inp, Tout, name: str | None = None) -> Tensor | list[Tensor] | Operation:
    """tf.py_function: func gets arrays with `.numpy()` (TF's eager tensors); Python numbers it returns take Tout's
    dtypes."""
    return _host_function(func, inp, Tout, True, name, "EagerPyFunc", eager=True)


def refuse_in_control_flow(ops: Sequence, what: str) -> None:
    """A py_func traced into a tf.while_loop or tf.cond: refused (see the module's docstring)."""
    for op in ops:
        if op in HOST_FUNCTION_OPS:
            raise NotImplementedError(
                f"{what} calls a Python function ({op.name}, tf.py_func): dfc runs py_funcs on the host before a "
                f"step, not inside compiled loops and branches; call it outside the loop or cond and pass its "
                f"result in")
