"""The specialize pass: give a step graph's arguments concrete shapes and re-infer every type.

Native code and autodiff want static shapes; a Session compiles one step per feed
signature, so the shapes of the fed arrays are known here. A fed shape that does not fit
the graph fails with the op and source line where it stops fitting.
"""

from __future__ import annotations

from collections.abc import Sequence

from dfc.ir.errors import InvalidArgumentError, ShapeError
from dfc.ir.graph import Block, Graph, Op
from dfc.ir.ops import get_op_def
from dfc.ir.types import TensorType

from .passes import register_pass


@register_pass("specialize", needs=("arg_shapes",))
def specialize(graph: Graph, arg_shapes: Sequence[tuple[int, ...]]) -> Graph:
    """In place: argument i gets shape arg_shapes[i]; result types are re-inferred."""
    for arg, shape in zip(graph.arguments, arg_shapes):
        if isinstance(arg.type, TensorType):
            arg.type = arg.type.with_shape(shape)
    reinfer_block(graph.body)
    graph.mark_changed()
    return graph


def reinfer_block(block: Block) -> None:
    for op in block.ops:
        reinfer_op(op)


def reinfer_op(op: Op) -> None:
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
