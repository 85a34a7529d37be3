"""The specialize pass: give a step graph's arguments concrete shapes and re-infer every type.

Native code and autodiff want static shapes; a Session compiles one step per feed
signature, so the shapes of the fed arrays are known here. A fed shape that does not fit
the graph fails with the op and source line where it stops fitting.

Shape-valued tensors are resolved here too: `dfc.shape_of` of a now static operand, and
whatever computes on such shapes alone (slicing, arithmetic, stacking them with constants),
fold to constants, and each op whose result shape is an operand's value (`ir.ops.dynamic`)
becomes its static twin, so `tf.reshape(x, tf.shape(y))` and `tf.zeros(tf.shape(x))`
compile like their constant-shaped forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from dfc.ir.errors import InvalidArgumentError, ShapeError
from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.ops import get_op_def
from dfc.ir.ops.dynamic import MORE_SHAPE_OPERANDS, SHAPE_OPERAND, static_slice_bounds
from dfc.ir.ops.strings import COUNTED_OPS
from dfc.ir.ops.value_attrs import TWINS
from dfc.ir.dtypes import i64
from dfc.ir.types import TensorType

from .control_flow import CONTROL_OPS, reinfer_control
from .fold import constant_value, fold_op, remap_operands
from .passes import register_pass


class ShapeValuesNeeded(InvalidArgumentError):
    """A shape in the step depends on the values of tensors, not only on the fed shapes.

    `values` are the step-graph values whose arrays would settle it: a Session computes them
    (runtime/run_plan.py) and compiles the step again with them given as `arg_values`.
    """

    def __init__(self, message: str, op: Op, values: list[Value]):
        super().__init__(message, op)
        self.values = values


@register_pass("specialize", needs=("arg_shapes",))
def specialize(graph: Graph, arg_shapes: Sequence[tuple[int, ...]],
               arg_values: Mapping[int, np.ndarray] | None = None,
               keep_dynamic: bool | frozenset[str] = frozenset()) -> Graph:
    """In place: argument i gets shape arg_shapes[i]; result types are re-inferred.

    `arg_values` gives the arrays of arguments whose values decide shapes (a range's fed bound, the
    number of true entries of a mask): their uses read them as constants, and the step is compiled
    for those values. Ops of the types in `keep_dynamic` (every op, when it is True) whose shapes values no
    argument gives decide stay dynamic instead of raising ShapeValuesNeeded, their result shapes unknown: a
    backend that runs them on the host (runtime/host_strings.py) then runs one step for every value (a decoded
    image's size, a mask's count) rather than compiling one per value."""
    for arg, shape in zip(graph.arguments, arg_shapes):
        if isinstance(arg.type, TensorType):
            arg.type = arg.type.with_shape(shape)
    resolver = _Resolver(graph, keep_dynamic)
    for index, array in sorted((arg_values or {}).items()):
        arg = graph.arguments[index]
        value = np.asarray(array, dtype=arg.type.dtype.np).reshape(arg.type.shape)
        const = Op("dfc.constant", graph.reserve_name(f"{arg.name}/value"), [], {"value": value},
                   [TensorType(arg.type.dtype, value.shape)])
        const.block = graph.body
        graph.body.ops.insert(0, const)
        resolver.replaced[arg] = const.results[0]
    resolver.block(graph.body)
    graph.mark_changed()
    return graph


def _shape_computations(block: Block) -> set[Op]:
    """The ops that compute the shape operands of the block's dynamic-shape ops (only these fold here)."""
    stack = [v.op for op in block.walk() if (op.type in SHAPE_OPERAND or op.type in TWINS) and op.inputs
             for i, v in enumerate(op.inputs) if i in _value_operands(op)]
    found: set[Op] = set()
    while stack:
        op = stack.pop()
        if op is None or op in found:
            continue
        found.add(op)
        stack.extend(v.op for v in op.inputs)
    return found


def _value_operands(op: Op) -> tuple[int, ...]:
    """The operands whose values (not only shapes) an op's result type or attributes need."""
    if op.type in TWINS:
        return tuple(range(TWINS[op.type].values))
    return MORE_SHAPE_OPERANDS.get(op.type, (SHAPE_OPERAND[op.type],))


def reinfer_block(block: Block) -> None:
    for op in block.ops:
        reinfer_op(op)


class _Resolver:
    """Re-infers a block's ops in order, folding shape computations and making dynamic-shape ops static."""

    def __init__(self, graph: Graph, keep_dynamic: bool | frozenset[str] = frozenset()):
        self.graph = graph
        self.keep_all = keep_dynamic is True
        self.keep_dynamic = frozenset() if isinstance(keep_dynamic, bool) else keep_dynamic
        self.kept: set[Value] = set()  # values computed from an op kept dynamic: their shapes stay unknown too
        self.replaced: dict[Value, Value] = {}
        self.shape_ops = _shape_computations(graph.body)
        self.loop_depth = 0  # > 0 inside a dfc.while's regions

    def block(self, block: Block) -> None:
        if block is not self.graph.body:  # a loop re-inferred afresh has new copies of its regions' ops
            self.shape_ops |= _shape_computations(block)
        new_ops: list[Op] = []
        for op in block.ops:
            remap_operands(op, self.replaced)
            if op.type in CONTROL_OPS:
                looping = op.type == "dfc.while"
                self.loop_depth += looping
                try:
                    reinfer_control(op, self.block)
                finally:
                    self.loop_depth -= looping
            else:
                reinfer_op(op)
            new_ops.extend(self.resolve(op, block))
            if self.keep_dynamic and any(v in self.kept for v in op.operands):
                self.kept.update(op.results)
        block.ops[:] = new_ops

    def resolve(self, op: Op, block: Block) -> list[Op]:
        if (op.type in SHAPE_OPERAND or op.type in TWINS) and op.inputs:
            return self.make_static(op, block)
        if op not in self.shape_ops or len(op.results) != 1:
            return [op]
        arrays = fold_op(op)
        if arrays is None:
            return [op]
        const = Op("dfc.constant", op.name, [], {"value": arrays[0]}, [op.results[0].type], device=op.device,
                   loc=op.loc)
        const.block = block
        self.replaced[op.results[0]] = const.results[0]
        return [const]

    def make_static(self, op: Op, block: Block) -> list[Op]:
        unknown = [op.inputs[i] for i in _value_operands(op) if constant_value(op.inputs[i]) is None]
        if unknown and (self.loop_depth or self.keep_all or op.type in self.keep_dynamic
                        or any(v in self.kept for v in unknown)):
            # a shape an iteration computes (a growing TensorArray's rows, tf.range(i)): it differs across
            # iterations, no run ahead of the step can give it; the op stays dynamic and the step runs on the
            # interpreter (compiler/control_flow.py refuses such a loop natively with LoopShapesVary). So does
            # one of `keep_dynamic` and one sized by its result (a crop of a decoded image): the host runs them
            if op.type in self.keep_dynamic:
                self.kept.update(op.results)
            return [op]
        if op.type in TWINS:
            return [self.static_twin(op, block)]
        if op.type == "dfc.dynamic_range":
            return [self.static_range(op, block)]
        if op.type == "dfc.dynamic_slice":
            return [self.static_slice(op, block)]
        index = SHAPE_OPERAND[op.type]
        if op.type == "dfc.dynamic_nonzero" and constant_value(op.inputs[index]) is not None:
            return self.static_nonzero(op, block, int(constant_value(op.inputs[index])))
        shape_value = op.inputs[index]
        dims = constant_value(shape_value)
        if dims is None:
            where = f" (defined at {op.loc})" if op.loc else ""
            raise ShapeValuesNeeded(
                f"the shape operand {shape_value.describe()} of op '{op.name}' ({op.type}){where} depends on the "
                f"values of tensors, not only on shapes; dfc needs every shape known once the fed shapes are", op,
                [shape_value])
        dims = [int(d) for d in np.atleast_1d(dims)]
        others = [v for i, v in enumerate(op.inputs) if i != index]
        before: list[Op] = []
        if op.type == "dfc.dynamic_reshape":
            static = Op("dfc.reshape", op.name, others, {"shape": tuple(dims)}, [op.results[0].type])
        elif op.type == "dfc.dynamic_segment_sum":
            if dims[0] < 0:
                raise InvalidArgumentError(f"segment sum '{op.name}' got a negative num_segments {dims[0]}", op)
            static = Op("dfc.unsorted_segment_sum", op.name, others, {"num_segments": dims[0]}, [op.results[0].type])
        elif op.type == "dfc.dynamic_tile":
            for i, m in enumerate(dims):
                if m < 0:
                    raise InvalidArgumentError(f"tile '{op.name}': Expected multiples[{i}] >= 0, but got {m}", op)
            static = Op("dfc.tile", op.name, others, {"multiples": tuple(dims)}, [op.results[0].type])
        elif op.type == "dfc.dynamic_fill":
            value = others[0]
            if any(d < 0 for d in dims):
                raise InvalidArgumentError(f"fill '{op.name}' got negative dims {dims}", op)
            ones = Op("dfc.reshape", self.graph.reserve_name(f"{op.name}/scalar"), [value],
                      {"shape": (1,) * len(dims)}, [value.type.with_shape((1,) * len(dims))], device=op.device,
                      loc=op.loc)
            ones.block = block
            before.append(ones)
            static = Op("dfc.tile", op.name, [ones.results[0]], {"multiples": tuple(dims)}, [op.results[0].type])
        elif op.type in COUNTED_OPS:  # tf.string_split, a VarLenFeature: sized by how many values they make
            twin = COUNTED_OPS[op.type]  # a decoded image's twin takes its whole shape
            size = {"shape": tuple(dims)} if "shape" in get_op_def(twin).attrs else {"count": dims[0]}
            static = Op(twin, op.name, others, {**op.attrs, **size}, [r.type for r in op.results])
        else:  # a random draw: its name keys its per-session stream, so it is kept
            for d in dims:
                if d < 0:  # TF's kernels refuse a shape they are fed with a negative dim
                    where = f" (defined at {op.loc})" if op.loc else ""
                    raise InvalidArgumentError(f"op '{op.name}' ({op.type}){where}: Dimension {d} must be >= 0", op)
            static = Op(op.type, op.name, [], dict(op.attrs), [op.results[0].type.with_shape(tuple(dims))])
        static.operands += op.control_inputs
        static.device, static.loc, static.block = op.device, op.loc, block
        reinfer_op(static)
        for old, new in zip(op.results, static.results):
            self.replaced[old] = new
        return before + [static]


    def static_range(self, op: Op, block: Block) -> Op:
        """tf.range of tensors that fold once the fed shapes are known (tf.range(tf.shape(x)[0])): a constant."""
        bounds = [constant_value(v) for v in op.inputs[:3]]
        if any(b is None for b in bounds):
            where = f" (defined at {op.loc})" if op.loc else ""
            unknown = [v for v, b in zip(op.inputs, bounds) if b is None]
            raise ShapeValuesNeeded(
                f"range '{op.name}'{where}: its bounds {', '.join(v.describe() for v in unknown)} depend on the values "
                f"of tensors, not only on shapes; dfc needs every shape known once the fed shapes are", op, unknown)
        start, limit, delta = (np.asarray(b).item() for b in bounds)
        if delta == 0:
            raise InvalidArgumentError(f"range '{op.name}': Requires delta != 0: {delta}", op)
        if (delta > 0 and start > limit) or (delta < 0 and start < limit):
            relation = "start <= limit when delta > 0" if delta > 0 else "start >= limit when delta < 0"
            raise InvalidArgumentError(f"range '{op.name}': Requires {relation}: {start}/{limit}", op)
        value = np.arange(start, limit, delta).astype(op.attrs["dtype"].np)
        const = Op("dfc.constant", op.name, list(op.control_inputs), {"value": value},
                   [TensorType(op.attrs["dtype"], value.shape)], device=op.device, loc=op.loc)
        const.block = block
        self.replaced[op.results[0]] = const.results[0]
        return const


    def static_slice(self, op: Op, block: Block) -> Op:
        """x[i:j] or tf.slice with tensor bounds, once their values are known: a dfc.slice."""
        x, begin, end = op.inputs[:3]
        bounds = [constant_value(begin), constant_value(end)]
        if any(b is None for b in bounds):
            where = f" (defined at {op.loc})" if op.loc else ""
            unknown = [v for v, b in zip((begin, end), bounds) if b is None]
            raise ShapeValuesNeeded(
                f"slice '{op.name}'{where}: its bounds {', '.join(v.describe() for v in unknown)} depend on the "
                f"values of tensors, not only on shapes; dfc needs every shape known once the fed shapes are", op,
                unknown)
        try:
            starts, ends = static_slice_bounds(x.type.shape, bounds[0], bounds[1], op.attrs.get("shrink", ()),
                                               op.attrs.get("end_is_size", False))
        except ShapeError as e:
            raise InvalidArgumentError(f"slice '{op.name}': {e}", op) from None
        attrs = {"begin": tuple(starts), "end": tuple(ends), "strides": tuple(op.attrs["strides"])}
        if op.attrs.get("bounded"):
            attrs["bounded"] = True
        static = Op("dfc.slice", op.name, [x], attrs, [op.results[0].type])
        static.operands += op.control_inputs
        static.device, static.loc, static.block = op.device, op.loc, block
        reinfer_op(static)
        self.replaced[op.results[0]] = static.results[0]
        return static

    def static_twin(self, op: Op, block: Block) -> Op:
        """An op whose attributes fed or computed values give (tf.reduce_sum(x, axis) with a fed axis), once the
        values are known: its static op (ir/ops/value_attrs.py), with TF's error for a value out of range."""
        twin = TWINS[op.type]
        given = op.inputs[:twin.values]
        values = [constant_value(v) for v in given]
        if any(v is None for v in values):
            where = f" (defined at {op.loc})" if op.loc else ""
            unknown = [v for v, value in zip(given, values) if value is None]
            raise ShapeValuesNeeded(
                f"op '{op.name}'{where}: its attribute values {', '.join(v.describe() for v in unknown)} depend on "
                f"the values of tensors; the step is compiled for them", op, unknown)
        operands = op.inputs[twin.values:]
        ranks = [v.type.rank if isinstance(v.type, TensorType) else None for v in operands]
        try:
            attrs = twin.convert([np.asarray(v) for v in values], ranks, dict(op.attrs))
        except ShapeError as e:
            raise InvalidArgumentError(f"{op.name}: {e}", op) from None
        static = Op(twin.static, op.name, list(operands), attrs, [r.type for r in op.results])
        static.operands += op.control_inputs
        static.device, static.loc, static.block = op.device, op.loc, block
        reinfer_op(static)
        for old, new in zip(op.results, static.results):
            self.replaced[old] = new
        return static

    def static_nonzero(self, op: Op, block: Block, count: int) -> list[Op]:
        """The positions of a mask's `count` true entries with static shapes: each true entry's rank among them
        (an exclusive running count) is where its position goes, by a segment sum; the false ones go to an
        extra segment that is sliced off."""
        mask = op.inputs[0]
        size = mask.type.num_elements
        made: list[Op] = []

        def add(type_: str, operands: list[Value], attrs: dict, result: TensorType, suffix: str) -> Value:
            new = Op(type_, self.graph.reserve_name(f"{op.name}/{suffix}"), operands, attrs, [result],
                     device=op.device, loc=op.loc)
            new.block = block
            made.append(new)
            return new.results[0]

        vector = TensorType(i64, (size,))
        flat = add("dfc.reshape", [mask], {"shape": (size,)}, TensorType(mask.type.dtype, (size,)), "flat")
        ones = add("dfc.fill_like", [flat], {"value": 1.0, "dtype": i64}, vector, "ones")
        rank = add("dfc.cumsum", [add("dfc.cast", [flat], {"dtype": i64}, vector, "count")],
                   {"axis": 0, "exclusive": True, "reverse": False}, vector, "rank")
        position = add("dfc.cumsum", [ones], {"axis": 0, "exclusive": True, "reverse": False}, vector, "position")
        spare = add("dfc.constant", [], {"value": np.array(count, np.int64)}, TensorType(i64, ()), "spare")
        segment = add("dfc.select", [flat, rank, spare], {}, vector, "segment")
        placed = add("dfc.unsorted_segment_sum", [position, segment], {"num_segments": count + 1},
                     TensorType(i64, (count + 1,)), "placed")
        static = Op("dfc.slice", op.name, [placed], {"begin": (0,), "end": (count,), "strides": (1,),
                                                     "bounded": True}, [TensorType(i64, (count,))])
        static.operands += op.control_inputs
        static.device, static.loc, static.block = op.device, op.loc, block
        made.append(static)
        for new in made:
            reinfer_op(new)
        self.replaced[op.results[0]] = static.results[0]
        return made


def reinfer_op(op: Op) -> None:
    if op.type in CONTROL_OPS:
        reinfer_control(op, reinfer_block)
        return
    for region in op.regions:
        for arg, operand in zip(region.arguments, op.inputs):
            arg.type = operand.type
        reinfer_block(region)
    opdef = get_op_def(op.type)
    if opdef.infer is None:
        if op.type == "dfc.fused" and op.regions and op.regions[0].terminator is not None:
            for result, yielded in zip(op.results, op.regions[0].terminator.inputs):
                result.type = yielded.type
        return
    try:
        types = opdef.infer([v.type for v in op.inputs], op.attrs)
    except ShapeError as e:
        where = f" (defined at {op.loc})" if op.loc else ""
        raise InvalidArgumentError(f"the fed shapes do not fit op '{op.name}' ({op.type}){where}: {e}", op) from None
    for result, t in zip(op.results, types):
        result.type = t
