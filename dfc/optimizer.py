"""tf.train.Optimizer: the base of the optimizers (compute_gradients, apply_gradients, minimize, slots).

An optimizer differentiates with tf.gradients (one `dfc.grad` op), keeps its state in slot
variables (real non-trainable Variables named like TF's: `W/Adam`, `W/Adam_1`, `beta1_power`),
and updates with assign ops whose formulas are those of TF1's dense training kernels. Every
variable read in a step sees the value the step started with, so the new slot values flow to
the variable update as the results of their assign ops.

A gradient that is an IndexedSlices (an embedding table's: tf.gradients of gathers) updates only
its rows, as TF1's sparse kernels do: duplicate indices are summed first, then the optimizer's own
formula runs on those rows of the variable and its slots (`_Rows`), so the rows no index names
keep their values and their slots' (a dense Momentum, RMSProp or FTRL update would move them).
Adam is TF1's exception: its sparse update decays m and v everywhere, which is the dense update
(`_SPARSE_UPDATES_EVERY_ROW`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from .framework import (Operation, Tensor, control_dependencies, convert_to_tensor, device, get_default_graph,
                        init_scope, make_op, name_scope, wrap_op)
from .array_ops import concat, gather, size, zeros_like
from .gradients_impl import gradients
from .graph_builder import _Operators
from .indexed_slices import IndexedSlices
from .math_ops import cast, cumsum, not_equal, where
from .sparse.core import segment_sum
from .state_ops import scatter_add, scatter_sub, scatter_update
from .tensor_ops import argsort
from .variables import Variable, group, trainable_variables, zeros_initializer

__all__ = ["Optimizer", "TRAIN_OP"]

TRAIN_OP = "train_op"


def _exact_group(inputs: list, name: str) -> Operation:
    """A group named exactly `name` (the optimizer's name scope, as TF names its train op)."""
    values = [x._dfc_ir() if isinstance(x, Operation) else x._dfc_ir().op for x in inputs]
    return wrap_op(make_op("dfc.group", [op.results[0] for op in values], name=name, exact_name=True))


class Optimizer:
    """The base of the optimizers: compute_gradients, apply_gradients, minimize and slots."""

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2
    #: whether TF's sparse update of this optimizer touches every row (Adam's moments decay everywhere): then an
    #: IndexedSlices gradient applies as its dense tensor
    _SPARSE_UPDATES_EVERY_ROW = False

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict[Variable, Variable]] = {}
        self._non_slots: dict[tuple[str, int], Variable] = {}

    def get_name(self) -> str:
        return self._name

    # ---- the public three -----------------------------------------------------------------------
    def minimize(self, loss, global_step: Variable | None = None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops: bool = False, name: str | None = None,
                 grad_loss=None) -> Operation:
        """compute_gradients then apply_gradients: the train op."""
        grads_and_vars = self.compute_gradients(loss, var_list=var_list, grad_loss=grad_loss)
        if not any(g is not None for g, _ in grads_and_vars):
            raise ValueError(f"No gradients provided for any variable, check your graph for ops that do not support "
                             f"gradients, between variables {[v.name for _, v in grads_and_vars]} and loss "
                             f"{convert_to_tensor(loss).name}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP, aggregation_method=None,
                          colocate_gradients_with_ops: bool = False, grad_loss=None) -> list[tuple[Tensor | None,
                                                                                                    Variable]]:
        """[(d loss / d var, var)] for the trainable variables (or var_list); the gradient is None if unconnected."""
        if callable(loss):
            raise TypeError("a callable loss is an eager-mode feature; pass the loss tensor")
        loss = convert_to_tensor(loss)
        if loss.dtype.name not in ("float16", "bfloat16", "float32", "float64"):  # TF1's Optimizer._valid_dtypes
            raise ValueError(f"Invalid type tf.{loss.dtype.name} for {loss.name}, expected: [tf.float32, tf.float64, "
                             f"tf.float16, tf.bfloat16].")
        var_list = list(trainable_variables() if var_list is None else var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:
            if not isinstance(v, Variable):
                raise TypeError(f"Argument is not a tf.Variable: {v!r}")
        grads = gradients(loss, var_list, grad_ys=None if grad_loss is None else [grad_loss])
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step: Variable | None = None,
                        name: str | None = None) -> Operation:
        """One op that updates every variable with a gradient (then increments global_step, if given)."""
        pairs = given = list(grads_and_vars)  # often a zip: read once
        if not pairs:
            raise ValueError("No variables provided.")
        graph = get_default_graph()
        for _, v in pairs:
            if isinstance(v, Tensor):  # TF1's _get_processor: a Tensor has no update
                raise NotImplementedError(f"Trying to update a Tensor {v.name}: apply_gradients updates Variables "
                                          f"(a tf.Variable, not a tensor computed from one)")
            if not isinstance(v, Variable):
                raise TypeError(f"apply_gradients needs (gradient, Variable) pairs, got {v!r}")
            if v.graph is not graph:  # its updates would join the default graph, which the variable is not in
                raise ValueError(f"Variable {v.name} is not an element of the default graph: build the optimizer's "
                                 f"update in the variable's graph (with its_graph.as_default():)")
        pairs = [(g if isinstance(g, IndexedSlices) else convert_to_tensor(g), v) for g, v in pairs if g is not None]
        if not pairs:
            raise ValueError(f"No gradients provided for any variable: {[v.name for _, v in given]}.")
        for g, v in pairs:
            if isinstance(g, IndexedSlices):
                _check_slices(g, v)
                continue
            if g.dtype is not v.dtype:  # TF's update op refuses its delta's dtype: a TypeError
                raise TypeError(f"gradient {g.name} is {g.dtype.name}, but variable {v.name} is {v.dtype.name}")
            if not g.shape.is_compatible_with(v.shape):
                raise ValueError(f"gradient {g.name} ({g.dtype.name}{g.shape}) does not match variable "
                                 f"{v.name} ({v.dtype.name}{v.shape})")
        with init_scope(graph):
            self._create_slots([v for _, v in pairs])
        with name_scope(name, self._name) as scope:
            self._prepare()
            updates = []
            for g, v in pairs:
                # the update runs where the variable lives (a parameter server applies its own updates)
                with name_scope("update_" + v.op.name), contextlib.ExitStack() as stack:
                    if v.device:
                        stack.enter_context(device(v.device))
                    if isinstance(g, IndexedSlices):
                        updates.append(self._apply_sparse_duplicate_indices(g, v))
                    else:
                        updates.append(self._apply_dense(g, v))
            updates += self._finish(updates)
            if global_step is None:
                train_op = updates
            else:
                with control_dependencies([group(*updates, name="update")]):
                    train_op = [global_step.assign_add(convert_to_tensor(1, dtype=global_step.dtype),
                                                        use_locking=self._use_locking)]
        # named as the scope, as TF names it ("Adam", "GradientDescent_1")
        op = _exact_group(train_op, scope[:-1])
        graph.collections.setdefault(TRAIN_OP, []).append(op)
        return op

    # ---- slots --------------------------------------------------------------------------------
    def get_slot_names(self) -> list[str]:
        return sorted(self._slots)

    def get_slot(self, var: Variable, name: str) -> Variable | None:
        if isinstance(var, _Rows):  # a sparse update: the same rows of the slot
            slot = self._slots.get(name, {}).get(var.variable)
            return None if slot is None else _Rows(slot, var.indices, var.first)
        return self._slots.get(name, {}).get(var)

    def variables(self) -> list[Variable]:
        """Every variable this optimizer made (slots and non-slot state like beta1_power)."""
        made = list(self._non_slots.values()) + [v for slots in self._slots.values() for v in slots.values()]
        return sorted(made, key=lambda v: v.name)

    def _slot(self, var: Variable, slot: str, initial, op_name: str | None = None) -> Variable:
        """The slot `slot` of `var`, made once: a Variable named `<var>/<op_name or optimizer name>` (uniquified)."""
        slots = self._slots.setdefault(slot, {})
        if var not in slots:
            with contextlib.ExitStack() as stack:
                if var.device:
                    stack.enter_context(device(var.device))
                slots[var] = Variable(lambda: initial(var.shape.as_list(), dtype=var.dtype), trainable=False,
                                      name=f"{var.op.name}/{op_name or self._name}", dtype=var.dtype)
                info = var._save_slice_info
                if info is not None:  # a shard's slot is a shard of the whole's slot (one checkpoint entry, as TF)
                    real = slots[var].op.name[len(var.op.name) + 1:]
                    slots[var]._save_slice_info = type(info)(f"{info.full_name}/{real}", info.full_shape,
                                                             info.var_offset, info.var_shape)
        return slots[var]

    def _zeros_slot(self, var: Variable, slot: str, op_name: str | None = None) -> Variable:
        return self._slot(var, slot, zeros_initializer(), op_name)

    def _non_slot(self, name: str, value: float, like: Variable) -> Variable:
        graph = like.graph
        key = (name, graph.id)
        if key not in self._non_slots:
            self._non_slots[key] = Variable(value, trainable=False, name=name, dtype=like.dtype)
        return self._non_slots[key]

    # ---- what each optimizer defines ----------------------------------------------------------
    def _create_slots(self, var_list: list[Variable]) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad: Tensor, var: Variable):
        raise NotImplementedError(f"{type(self).__name__} does not define _apply_dense")

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices, var: Variable):
        """_apply_sparse with each row's gradient summed over the repeats of its index (TF1 sums them first).

        The repeats stay (sorted by index, each with the sum; the first of them writes the row): the
        rows count stays the fed one, where TF's tf.unique would make it depend on the ids' values.
        Optimizers whose sparse update touches every row (Adam), and variables of unknown shape, apply
        the dense tensor instead.
        """
        if self._SPARSE_UPDATES_EVERY_ROW or not var.shape.is_fully_defined():
            return self._apply_dense(convert_to_tensor(grad), var)
        with name_scope("deduplicate"):
            order = argsort(grad.indices, stable=True)
            ids, rows = gather(grad.indices, order), gather(grad.values, order)
            before = concat([ids[:1] - 1, ids], 0)[:-1]  # each id's predecessor; the first's differs from it
            first = not_equal(ids, before)
            # the repeats of an index are neighbours now: segment k sums the k-th distinct index's rows, in
            # O(ids x row) (at most one segment per id, so the segments' count is known from the fed shapes)
            segment = cumsum(cast(first, "int32")) - 1
            values = gather(segment_sum(rows, segment, size(ids, out_type="int32")), segment)
        return self._apply_sparse(IndexedSlices(values, ids, grad.dense_shape), var, first)

    def _apply_sparse(self, grad: IndexedSlices, var: Variable, first: Tensor | None = None):
        """TF1's sparse kernels: the dense formula over the rows `grad.indices` of var and its slots.

        A repeated index comes with the same summed gradient each time, so its repeats compute the
        same row; `first` (bool per index) says which one writes it (None: the indices are distinct).
        """
        return self._apply_dense(grad.values, _Rows(var, grad.indices, first))

    def _finish(self, update_ops: list) -> list:
        """Ops to run after the variable updates (Adam's beta powers); they join the train op."""
        return []

    # ---- hyperparameters ----------------------------------------------------------------------
    def _hyper(self, value: Any, name: str) -> Tensor:
        value = value() if callable(value) else value
        return convert_to_tensor(value, name=name) if not isinstance(value, Tensor) else value

    @staticmethod
    def _as(t: Tensor, var: Variable) -> Tensor:
        return t if t.dtype is var.dtype else cast(t, var.dtype)


def _check_slices(grad: IndexedSlices, var: Variable) -> None:
    """TF's check of a sparse gradient: its dtype is the variable's and its rows have the variable's row shape."""
    rows, row = grad.values.shape, var.shape
    if grad.dtype is not var.dtype or not rows[1:].is_compatible_with(row[1:]):
        raise ValueError(f"gradient {grad.name} (IndexedSlices of {grad.dtype.name} rows {rows}) does not match "
                         f"variable {var.name} ({var.dtype.name}{var.shape})")


class _Rows(_Operators):
    """The rows `indices` of a variable, standing for it in an optimizer's formula during a sparse update.

    As a tensor it is those rows of the value the step started with; assign, assign_add and assign_sub
    write only those rows in place (dfc.assign_rows) and give the new rows, as a variable's do its new
    value. A repeated index adds its delta once, from the repeat that `first` marks (the repeats' values
    agree, so assign may write each of them).
    """

    def __init__(self, variable: Variable, indices: Tensor, first: Tensor | None = None):
        self.variable, self.indices, self.first = variable, indices, first
        self._rows: Tensor | None = None

    dtype = property(lambda self: self.variable.dtype)
    device = property(lambda self: self.variable.device)
    name = property(lambda self: self.variable.name)
    op = property(lambda self: self.variable.op)
    graph = property(lambda self: self.variable.graph)
    constraint = property(lambda self: getattr(self.variable, "constraint", None))

    @property
    def shape(self):
        return self._as_tensor().shape

    def _as_tensor(self) -> Tensor:
        if self._rows is None:
            self._rows = gather(self.variable, self.indices)
        return self._rows

    def _dfc_ir(self):
        return self._as_tensor()._dfc_ir()

    def read_value(self) -> Tensor:
        return gather(self.variable.read_value(), self.indices)

    def _written(self, full: Tensor) -> Tensor:
        return gather(full, self.indices)

    def assign(self, value, use_locking=None, name: str | None = None, read_value: bool = True) -> Tensor:
        # every repeat of an index writes the same row, so whichever write lands last is the right one
        return self._written(scatter_update(self.variable, self.indices, value, use_locking=bool(use_locking)))

    def assign_add(self, delta, use_locking=None, name: str | None = None, read_value: bool = True) -> Tensor:
        return self._written(scatter_add(self.variable, self.indices, self._once(delta), use_locking=bool(use_locking)))

    def assign_sub(self, delta, use_locking=None, name: str | None = None, read_value: bool = True) -> Tensor:
        return self._written(scatter_sub(self.variable, self.indices, self._once(delta), use_locking=bool(use_locking)))

    def _once(self, rows) -> Tensor:
        """The rows with each repeat of an index but its first zeroed: a scatter adds up repeats."""
        rows = convert_to_tensor(rows, dtype=self.dtype)
        return rows if self.first is None else where(self.first, rows, zeros_like(rows))
