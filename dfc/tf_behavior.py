"""TF1's switches between its own and TF2's behaviour, its version constants and its smaller framework helpers.

dfc builds graphs and runs them in a tf.Session, which is TF1's behaviour: the calls that TF1 scripts
make to keep it (tf.disable_v2_behavior(), tf.compat.v1.disable_eager_execution()) are accepted, and
the ones that ask for eager execution raise, since a script that asked for it expects values where
dfc gives symbolic tensors.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect
import logging as _logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import tensor_shape as _tensor_shape
from .framework import Tensor, convert_to_tensor, get_default_graph, name_scope
from .scopes import without_control_dependencies

#: the TF1 release whose API dfc follows (TF1's tf.VERSION is the installed TensorFlow's version)
VERSION = "1.15.0"
GIT_VERSION = "dfc"
COMPILER_VERSION = "dfc (llvmlite)"
CXX_VERSION = 201703
CXX11_ABI_FLAG = 0
MONOLITHIC_BUILD = 0
#: GraphDef versions as TF 1.15 writes and reads them
GRAPH_DEF_VERSION = 134
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0

_EAGER_REFUSED = ("dfc builds TF1 graphs and runs them in a tf.Session; eager execution ({call}) is not provided. "
                  "Build the graph and evaluate tensors with sess.run(...)")

_switches = {"resource_variables": False, "control_flow_v2": False, "tensor_equality": False}


def disable_v2_behavior() -> None:
    """TF1's behaviour throughout (graphs, TF1 TensorShape, identity ==): what dfc does unless told otherwise."""
    disable_v2_tensorshape()
    disable_tensor_equality()
    disable_resource_variables()
    disable_control_flow_v2()


def enable_v2_behavior() -> None:
    """TF2's behaviour starts with eager execution, which dfc does not provide: raises NotImplementedError."""
    raise NotImplementedError(_EAGER_REFUSED.format(call="tf.enable_v2_behavior()"))


def disable_eager_execution() -> None:
    """Graph mode, which is the only mode dfc has."""


def enable_eager_execution(config: Any = None, device_policy: Any = None, execution_mode: Any = None) -> None:
    """Eager execution is not provided: raises NotImplementedError saying so."""
    raise NotImplementedError(_EAGER_REFUSED.format(call="tf.enable_eager_execution()"))


def executing_eagerly() -> bool:
    """False: ops build graph nodes (TF1's graph mode)."""
    return False


def executing_eagerly_outside_functions() -> bool:
    return False


def enable_resource_variables() -> None:
    """Recorded only: dfc's variables already read in program order within a step (TF's resource semantics)."""
    _switches["resource_variables"] = True


def disable_resource_variables() -> None:
    _switches["resource_variables"] = False


def resource_variables_enabled() -> bool:
    return _switches["resource_variables"]


def enable_control_flow_v2() -> None:
    """Recorded only: dfc's tf.cond and tf.while_loop are functional regions in either case."""
    _switches["control_flow_v2"] = True


def disable_control_flow_v2() -> None:
    _switches["control_flow_v2"] = False


def control_flow_v2_enabled() -> bool:
    return _switches["control_flow_v2"]


def enable_tensor_equality() -> None:
    """Recorded only: TF compares tensors elementwise with == only when executing eagerly, never in a graph."""
    _switches["tensor_equality"] = True


def disable_tensor_equality() -> None:
    _switches["tensor_equality"] = False


def enable_v2_tensorshape() -> None:
    """TensorShape indexing and iteration give ints (None for unknown) instead of tf.Dimension, as TF2's."""
    _tensor_shape.set_v2_behavior(True)


def disable_v2_tensorshape() -> None:
    _tensor_shape.set_v2_behavior(False)


def get_logger() -> _logging.Logger:
    """The logger that tf.logging writes to."""
    return _logging.getLogger("dfc")


class AggregationMethod:
    """How tf.gradients sums the gradients reaching one tensor; dfc sums them with add_n in every case."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class UnconnectedGradients(enum.Enum):
    """What tf.gradients returns for an x that the ys do not depend on: None or zeros."""

    NONE = "none"
    ZERO = "zero"


@contextlib.contextmanager
def init_scope() -> Iterator[None]:
    """Ops made inside wait on no enclosing control dependencies (variables made in a loop body live outside it)."""
    with without_control_dependencies(get_default_graph()):
        yield


@contextlib.contextmanager
def container(container_name: str) -> Iterator[str]:
    """TF's resource container for the stateful ops made inside; one session holds all of dfc's state."""
    if not isinstance(container_name, str):
        raise TypeError(f"container_name must be a string, got {container_name!r}")
    yield container_name


def no_regularizer(_: Any) -> None:
    """The regularizer that adds no loss (variable_scope(regularizer=tf.no_regularizer) turns one off)."""
    return None


def op_scope(values: Any, name: str | None, default_name: str | None = None) -> Any:
    """TF1's deprecated op_scope: tf.name_scope(name, default_name, values)."""
    return name_scope(name, default_name, values)


def variable_op_scope(values: Any, name_or_scope: Any, default_name: str | None = None, **kwargs: Any) -> Any:
    """TF1's deprecated variable_op_scope: tf.variable_scope(name_or_scope, default_name, values, ...)."""
    from .variables import variable_scope
    return variable_scope(name_or_scope, default_name, values, **kwargs)


def hessians(ys: Any, xs: Any, name: str = "hessians", colocate_gradients_with_ops: bool = False,
             gate_gradients: bool = False, aggregation_method: Any = None) -> list[Tensor | None]:
    """For each x, the second derivatives of sum(ys) with respect to x: a tensor of shape x.shape + x.shape."""
    from .array_ops import reshape, stack
    from .gradients_impl import gradients
    xs_list = list(xs) if isinstance(xs, (list, tuple)) else [xs]
    with name_scope(name):
        first = gradients(ys, xs_list, aggregation_method=aggregation_method)
        results: list[Tensor | None] = []
        for x, grad in zip(xs_list, first):
            x = convert_to_tensor(x)
            if grad is None:
                results.append(None)
                continue
            n = x.shape.num_elements()
            if n is None:
                raise ValueError(f"tf.hessians needs the shape of {x.name} fully defined, got {x.shape}: the Hessian "
                                 f"has x.shape + x.shape elements")
            flat = reshape(grad, [n])
            rows = []
            for i in range(n):
                row = gradients(flat[i], x, aggregation_method=aggregation_method)[0]
                rows.append(row if row is not None else x * 0)
            dims = x.shape.as_list()
            results.append(reshape(stack(rows), dims + dims))
        return results


def function(func: Callable | None = None, input_signature: Sequence[Any] | None = None, autograph: bool = True,
             experimental_autograph_options: Any = None, experimental_relax_shapes: bool = False,
             experimental_compile: Any = None, **kwargs: Any) -> Any:
    """tf.function in a TF1 graph: each call adds the function's ops to the graph where it is called.

    TF1 in graph mode inlines a tf.function's graph at the call site, so the values and gradients are
    the function body's; an input_signature is checked against the arguments as TF checks it.
    """
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def call(*args: Any, **kw: Any) -> Any:
            if input_signature is not None:
                _check_signature(fn, input_signature, args, kw)
            return fn(*args, **kw)
        call.python_function = fn  # type: ignore[attr-defined]
        call.input_signature = input_signature  # type: ignore[attr-defined]
        return call
    return decorate if func is None else decorate(func)


def _check_signature(fn: Callable, signature: Sequence[Any], args: tuple, kwargs: dict) -> None:
    bound = inspect.signature(fn).bind(*args, **kwargs)
    for (name, value), spec in zip(bound.arguments.items(), signature):
        shape = getattr(spec, "shape", None)
        dtype = getattr(spec, "dtype", None)
        tensor = convert_to_tensor(value, dtype=dtype) if not isinstance(value, Tensor) else value
        if dtype is not None and tensor.dtype != dtype:
            raise TypeError(f"{getattr(fn, '__name__', 'function')}: argument {name} has dtype {tensor.dtype.name}, "
                            f"its input_signature says {dtype.name}")
        if shape is not None and not _tensor_shape.TensorShape(shape).is_compatible_with(tensor.shape):
            raise ValueError(f"{getattr(fn, '__name__', 'function')}: argument {name} has shape {tensor.shape}, "
                             f"incompatible with its input_signature's {_tensor_shape.TensorShape(shape)}")


class TensorSpec:
    """The shape, dtype and name a tensor must have (tf.function's input_signature, tf.TensorSpec)."""

    def __init__(self, shape: Any, dtype: Any = None, name: str | None = None):
        from dfc.ir.dtypes import as_dtype, f32
        self.shape = _tensor_shape.TensorShape(shape)
        self.dtype = f32 if dtype is None else as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor: Any, name: str | None = None) -> TensorSpec:
        tensor = convert_to_tensor(tensor)
        return cls(tensor.shape, tensor.dtype, name if name is not None else tensor.op.name)

    def is_compatible_with(self, other: Any) -> bool:
        other_dtype = getattr(other, "dtype", None)
        return (other_dtype is None or other_dtype == self.dtype) and self.shape.is_compatible_with(
            getattr(other, "shape", other))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TensorSpec) and self.shape == other.shape and self.dtype == other.dtype
                and self.name == other.name)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype=tf.{self.dtype.name}, name={self.name!r})"


def recompute_grad(f: Callable) -> Callable:
    """f itself: TF recomputes f's activations in the backward pass to save memory; values and gradients are f's."""
    return f


def grad_pass_through(f: Callable) -> Callable:
    """f in the forward pass, and the identity's gradient in the backward pass (a straight-through estimator)."""
    from .custom_gradient_ops import custom_gradient

    @functools.wraps(f)
    def passed(x: Any) -> Any:
        @custom_gradient
        def straight_through(value):
            return f(value), lambda dy: dy
        return straight_through(convert_to_tensor(x))
    return passed


def vectorized_map(fn: Callable, elems: Any, fallback_to_while_loop: bool = True) -> Any:
    """fn over the first dimension of elems, stacked: TF's pfor computes what tf.map_fn does."""
    from .control_flow_ops import map_fn
    return map_fn(fn, elems)


def is_symbolic_tensor(tensor: Any) -> bool:
    """True for a graph tensor (all of dfc's tensors are)."""
    return isinstance(tensor, Tensor)


def add_check_numerics_ops() -> Any:
    """One op that runs tf.check_numerics on every floating-point tensor of the default graph made so far."""
    from .debugging import check_numerics
    from .variables import group
    graph = get_default_graph()
    checks = []
    for op in list(graph.get_operations()):
        for output in op.outputs:
            if output.dtype.is_floating:
                with name_scope(None):
                    checks.append(check_numerics(output, f"{op.name}:{output.value_index}").op)
    return group(*checks, name="CheckNumerics")


def make_tensor_proto(values: Any, dtype: Any = None, shape: Any = None, verify_shape: bool = False,
                      allow_broadcast: bool = False) -> Any:
    """A TensorProto (TensorBoard's protobuf, TF's own message) holding values, as tf.make_tensor_proto."""
    from tensorboard.compat.proto import tensor_pb2

    from dfc.ir.dtypes import as_dtype
    from dfc.ir.types import TensorType

    from .graph_def import _set_tensor
    array = np.asarray(values)
    if dtype is not None:
        array = array.astype(as_dtype(dtype).np)
    elif array.dtype == np.float64 and not isinstance(values, (np.ndarray, np.generic)):
        array = array.astype(np.float32)  # Python floats become float32, as TF converts them
    elif array.dtype == np.int64 and not isinstance(values, (np.ndarray, np.generic)):
        array = array.astype(np.int32)
    if shape is not None:
        shape = [int(d) for d in shape]
        if verify_shape and list(array.shape) != shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {array.shape}.")
        if array.size == 1 and int(np.prod(shape)) != 1:
            array = np.broadcast_to(array.reshape(()), shape)
        elif array.size != int(np.prod(shape)):
            raise ValueError(f"Too many elements provided. Needed at most {int(np.prod(shape))}, but received "
                             f"{array.size}" if array.size > int(np.prod(shape)) else
                             f"Expected {int(np.prod(shape))} elements for shape {tuple(shape)}, got {array.size}")
        array = array.reshape(shape)
    proto = tensor_pb2.TensorProto()
    _set_tensor(proto, np.array(array, order="C"), TensorType(as_dtype(array.dtype), array.shape))
    return proto


def make_ndarray(tensor: Any) -> np.ndarray:
    """The numpy array a TensorProto holds (tf.make_ndarray)."""
    from dfc.ir.dtypes import as_dtype

    from .graph_def import _DATA_TYPES

    names = {number: name for name, number in _DATA_TYPES.items()}
    if tensor.dtype not in names:
        raise TypeError(f"make_ndarray: TensorProto dtype {tensor.dtype} has no dfc dtype")
    shape = [d.size for d in tensor.tensor_shape.dim]
    dtype = as_dtype(names[tensor.dtype])
    count = int(np.prod(shape))
    if tensor.tensor_content:
        return np.frombuffer(tensor.tensor_content, dtype=dtype.np).copy().reshape(shape)
    for field in ("float_val", "double_val", "int_val", "int64_val", "bool_val", "half_val"):
        values = list(getattr(tensor, field))
        if values:
            if field == "half_val":
                array = np.array(values, dtype=np.uint16).view(np.float16)
            else:
                array = np.array(values, dtype=dtype.np)
            if array.size < count:  # TF stores a repeated last value once
                array = np.concatenate([array, np.full(count - array.size, array[-1], dtype=array.dtype)])
            return array.astype(dtype.np).reshape(shape)
    return np.zeros(shape, dtype=dtype.np)
