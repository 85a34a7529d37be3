"""tf.ConditionalAccumulator: gradients of one variable gathered from workers until enough arrived, then averaged.

As TF's: apply_grad adds a gradient unless its local_step is older than the accumulator's
global step (a stale gradient is dropped); take_grad waits until `num_required` gradients have
arrived, returns their mean (or sum, reduction_type="SUM"), empties the accumulator and
advances its global step by one; set_global_step moves it. Like the queues (dfc/queues/
data_flow.py), its ops run on the host around the step: apply_grad and set_global_step are
sinks (their values computed by the step), take_grad and num_accumulated host-fed sources;
the state lives per session, or per cluster with a shared_name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import as_dtype, i32, i64
from dfc.ir.types import TensorType
from dfc.runtime.host_feeds import register_sink, register_source

from ..framework import Tensor, TensorShape, constant_value, convert_to_tensor, get_default_graph, make_op, \
    name_scope, wrap, wrap_op
from .data_flow import _assert_compatible, _host_device, _shape
from .state import resource

__all__ = ["ConditionalAccumulator", "ConditionalAccumulatorBase"]


class ConditionalAccumulatorBase:
    """What TF1's accumulators share: dtype, shape, name, the accumulator's handle and num_accumulated."""

    def __init__(self, dtype: Any, shape: Any, accumulator_ref: Tensor):
        self._dtype = as_dtype(dtype)
        self._shape = _shape(shape) if shape is not None else TensorShape(None)
        self._accumulator_ref = accumulator_ref
        self._name = accumulator_ref.op.name.split("/")[-1]
        self._graph = get_default_graph()

    @property
    def accumulator_ref(self) -> Tensor:
        return self._accumulator_ref

    @property
    def name(self) -> str:
        return self._accumulator_ref.op.name

    @property
    def dtype(self) -> Any:
        return self._dtype

    def num_accumulated(self, name: str | None = None) -> Tensor:
        """How many gradients the accumulator holds when a run reads it (int32)."""
        op = make_op("dfc.placeholder", [], name=name or f"{self._name}_NumAccumulated",
                     result_types=[TensorType(i32, ())])
        _host_device(op)
        register_source(self._graph._dfc_ir(), [op.results[0]],
                        lambda session: [np.array(self._state(session).count, np.int32)])
        return wrap(op.results[0])

    def set_global_step(self, new_global_step: Any, name: str | None = None) -> Any:
        """An op setting the accumulator's global step (gradients older than it are dropped)."""
        with name_scope(name, "ResourceAccumulatorSetGlobalStep") as scope:
            step = convert_to_tensor(new_global_step)
            if step.dtype != i64:
                from ..math_ops import cast
                step = cast(step, i64)
            op = make_op("dfc.group", [step], name=scope[:-1], exact_name=True)
            _host_device(op)
        register_sink(self._graph._dfc_ir(), op, [step._dfc_ir()],
                      lambda session, arrays: self._state(session).set_global_step(int(arrays[0])))
        return wrap_op(op)

    def _state(self, session: Any) -> Any:
        raise NotImplementedError


class ConditionalAccumulator(ConditionalAccumulatorBase):
    """Gradients of one dense tensor: apply_grad from workers, take_grad their mean once enough arrived."""

    def __init__(self, dtype: Any, shape: Any = None, shared_name: str | None = None,
                 name: str = "conditional_accumulator", reduction_type: str = "MEAN"):
        if reduction_type not in ("MEAN", "SUM"):
            raise ValueError(f"Attr 'reduction_type' of 'ResourceConditionalAccumulator' Op passed string "
                             f"'{reduction_type}' not in: \"MEAN\", \"SUM\".")
        ref = convert_to_tensor(np.int32(0), name=name)  # the accumulator's handle: its op carries the name
        _host_device(ref.op._dfc_ir())
        super().__init__(dtype, shape, ref)
        self._shared_name = shared_name or None
        self._reduction_type = reduction_type

    def _state(self, session: Any) -> Any:
        key = ("accumulator", self._shared_name) if self._shared_name else ("accumulator", self.name, id(self))
        shape = None if self._shape.ndims is None else self._shape.as_list()
        return resource(session, key, "accumulator", (f"ConditionalAccumulator '{self.name}'", shape,
                                                      self._dtype.np.str, self._reduction_type),
                        self._accumulator_ref.op.device)

    def apply_grad(self, grad: Any, local_step: Any = 0, name: str | None = None) -> Any:
        """An op adding `grad` unless `local_step` is older than the accumulator's global step."""
        with name_scope(name, "ResourceAccumulatorApplyGradient") as scope:
            grad = convert_to_tensor(grad, dtype=self._dtype)
            _assert_compatible(grad.shape, self._shape)
            step = convert_to_tensor(local_step)
            if step.dtype != i64:
                from ..math_ops import cast
                step = cast(step, i64)
            op = make_op("dfc.group", [grad, step], name=scope[:-1], exact_name=True)
            _host_device(op)
        op_name = op.name
        register_sink(self._graph._dfc_ir(), op, [grad._dfc_ir(), step._dfc_ir()],
                      lambda session, arrays: self._state(session).apply(np.asarray(arrays[0], self._dtype.np),
                                                                         int(arrays[1]), op_name))
        return wrap_op(op)

    def take_grad(self, num_required: Any, name: str | None = None) -> Tensor:
        """The mean (or sum) of the gradients once `num_required` arrived; then empties the accumulator."""
        known = constant_value(num_required) if isinstance(num_required, Tensor) else np.asarray(num_required)
        count = convert_to_tensor(num_required, dtype=i32) if known is None else None
        dims = None if self._shape.ndims is None else tuple(self._shape.as_list())
        op = make_op("dfc.placeholder", [], name=name or "ResourceAccumulatorTakeGradient",
                     result_types=[TensorType(self._dtype, dims)])
        _host_device(op)
        op_name = op.name
        graph = self._graph._dfc_ir()
        if count is None:
            register_source(graph, [op.results[0]],
                            lambda session: [self._state(session).take(int(known), session, op_name)])
        else:
            register_source(graph, [op.results[0]], lambda session, feeds: [
                self._state(session).take(int(session.run(count, feeds)), session, op_name)], with_feeds=True)
        return wrap(op.results[0])
