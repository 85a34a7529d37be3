"""tf.saved_model.utils: TensorInfo protos that name a graph's tensors in signatures, and the tensors they name."""

from __future__ import annotations

from typing import Any

from .protos import TensorInfo


def _prepend_scope(name: str, import_scope: str | None) -> str:
    if not import_scope:
        return name
    return f"^{import_scope}/{name[1:]}" if name.startswith("^") else f"{import_scope}/{name}"


def build_tensor_info(tensor: Any) -> Any:
    """The TensorInfo of `tensor` (a Tensor, a Variable or a SparseTensor): its name, dtype and static shape."""
    from ..graph_def import data_type
    from ..sparse.tensor import SparseTensor

    if isinstance(tensor, SparseTensor):
        info = TensorInfo(dtype=data_type(tensor.dtype), tensor_shape=tensor.get_shape().as_proto())
        info.coo_sparse.values_tensor_name = tensor.values.name
        info.coo_sparse.indices_tensor_name = tensor.indices.name
        info.coo_sparse.dense_shape_tensor_name = tensor.dense_shape.name
        return info
    if hasattr(tensor, "_as_tensor"):  # a Variable: its value
        tensor = tensor._as_tensor()
    if not (hasattr(tensor, "dtype") and hasattr(tensor, "get_shape") and hasattr(tensor, "name")):
        raise AttributeError(f"'{type(tensor).__name__}' object has no attribute 'dtype' (build_tensor_info takes a "
                             f"Tensor or SparseTensor, got {tensor!r})")
    return TensorInfo(name=tensor.name, dtype=data_type(tensor.dtype), tensor_shape=tensor.get_shape().as_proto())


def build_tensor_info_from_op(op: Any) -> Any:
    """The TensorInfo naming an op (TF's init and train op signatures): its name, no dtype, unknown shape."""
    from ..tensor_shape import TensorShape
    return TensorInfo(dtype=0, tensor_shape=TensorShape(None).as_proto(), name=op.name)


def get_tensor_from_tensor_info(tensor_info: Any, graph: Any = None, import_scope: str | None = None) -> Any:
    """The tensor (or SparseTensor) of `graph` (the default graph) that `tensor_info` names, under `import_scope`."""
    from ..framework import get_default_graph
    from ..sparse.tensor import SparseTensor

    graph = graph if graph is not None else get_default_graph()

    def tensor(name: str) -> Any:
        return _tensor_by_name(graph, _prepend_scope(name, import_scope))

    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "name":
        return tensor(tensor_info.name)
    if encoding == "coo_sparse":
        sparse = tensor_info.coo_sparse
        return SparseTensor(tensor(sparse.indices_tensor_name), tensor(sparse.values_tensor_name),
                            tensor(sparse.dense_shape_tensor_name))
    raise ValueError(f"Invalid TensorInfo.encoding: {encoding}. Expected `coo_sparse`, `composite_tensor`, or "
                     f"`name` for a dense tensor.")


def get_element_from_tensor_info(tensor_info: Any, graph: Any = None, import_scope: str | None = None) -> Any:
    """The tensor or op of `graph` that `tensor_info` names (an op's name has no ':N')."""
    from ..framework import get_default_graph
    graph = graph if graph is not None else get_default_graph()
    name = _prepend_scope(tensor_info.name, import_scope)
    if ":" in name:
        return _tensor_by_name(graph, name)
    try:
        return graph.get_operation_by_name(name)
    except KeyError:
        raise KeyError(f"The name '{name}' refers to an Operation not in the graph.") from None


def _tensor_by_name(graph: Any, name: str) -> Any:
    try:
        return graph.get_tensor_by_name(name)
    except KeyError:
        op_name = name.rpartition(":")[0]
        raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The operation, '{op_name}', "
                       f"does not exist in the graph.") from None


__all__ = ["build_tensor_info", "get_tensor_from_tensor_info"]
