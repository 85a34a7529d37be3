"""A functional Model's config (its layers and how each call connects them), the model rebuilt from one, and
the graph-of-layers half of Keras's model serialization, in TF's JSON layout.

A config lists each layer with its `inbound_nodes`: per call, the [layer name, node index, tensor index,
call kwargs] of every input, the node index counting only the calls inside this model (as TF's Keras
re-indexes them, so a layer shared with another model gives the same file). Rebuilding calls the new
layers in an order where each call's inputs exist, as TF's `from_config` does.
"""

from __future__ import annotations

from typing import Any

from . import layer_config

__all__ = ["functional_config", "functional_from_config"]


def _json_kwargs(arguments: dict) -> dict:
    """The call's keyword arguments JSON can hold (tensors passed by keyword are not saved, as in TF 1's Keras)."""
    out = {}
    for key, value in arguments.items():
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
    return out


def _skips_first_node(layer) -> int:
    """1 for a functional or Sequential model used as a layer: TF's Keras counts its own construction as its
    node 0, so the first call in a config is node 1 (dfc's models record no construction node)."""
    return 1 if getattr(layer, "_is_graph_network", False) and hasattr(layer, "_nodes_order") else 0


def functional_config(model) -> dict[str, Any]:
    """{"name", "layers", "input_layers", "output_layers"} of a functional model, as TF's Keras writes it."""
    input_nodes = [t._keras_history[0]._inbound_nodes[t._keras_history[1]] for t in model.inputs]
    relevant = {id(node) for node in list(model._nodes_order) + input_nodes}
    index: dict[tuple[int, int], int] = {}  # (layer, its node index) -> the index among this model's calls
    for layer in model.layers:
        kept = _skips_first_node(layer)
        for i, node in enumerate(layer._inbound_nodes):
            if id(node) in relevant:
                index[(id(layer), i)] = kept
                kept += 1

    def ref(tensor) -> list:
        layer, node_index, tensor_index = tensor._keras_history
        return [layer.name, index.get((id(layer), node_index), node_index), tensor_index]

    layers = []
    for layer in model.layers:
        nodes = []
        for node in layer._inbound_nodes:
            if id(node) not in relevant or not node.input_tensors:
                continue
            kwargs = _json_kwargs(node.arguments)
            nodes.append([ref(t) + [kwargs] for t in node.input_tensors])
        layers.append({"class_name": type(layer).__name__, "config": layer.get_config(), "name": layer.name,
                       "inbound_nodes": nodes})
    return {"name": model.name, "layers": layers, "input_layers": [ref(t) for t in model.inputs],
            "output_layers": [ref(t) for t in model.outputs]}


def functional_from_config(cls, config: dict, custom_objects: dict | None = None):
    """The model a functional config describes: its layers made from their configs and called as recorded."""
    created: dict[str, Any] = {}
    pending: dict[str, list] = {}
    order: list[str] = []
    for entry in config["layers"]:
        layer = layer_config.deserialize({"class_name": entry["class_name"], "config": entry["config"]},
                                         custom_objects)
        created[entry["name"]] = layer
        pending[entry["name"]] = list(entry.get("inbound_nodes", []))
        order.append(entry["name"])

    def tensor_of(name: str, node_index: int, tensor_index: int):
        layer = created.get(name)
        if layer is None:
            raise ValueError(f"Model {config.get('name')}: a call takes an input from layer {name!r}, which the "
                             f"config does not list")
        node_index -= _skips_first_node(layer)
        if node_index >= len(layer._inbound_nodes):
            return None
        outputs = layer._inbound_nodes[node_index].output_tensors
        return outputs[tensor_index]

    progress = True
    while progress and any(pending.values()):
        progress = False
        for name in order:
            while pending[name]:
                node_data = pending[name][0]
                inputs = [tensor_of(*entry[:3]) for entry in node_data]
                if any(t is None for t in inputs):
                    break
                kwargs = dict(node_data[0][3]) if node_data and len(node_data[0]) > 3 else {}
                created[name](inputs[0] if len(inputs) == 1 else inputs, **kwargs)
                pending[name].pop(0)
                progress = True
    if any(pending.values()):
        stuck = sorted(name for name, nodes in pending.items() if nodes)
        raise ValueError(f"Model {config.get('name')}: the calls of layers {stuck} take inputs that no layer of the "
                         f"config makes")
    inputs = [tensor_of(*entry[:3]) for entry in config["input_layers"]]
    outputs = [tensor_of(*entry[:3]) for entry in config["output_layers"]]
    return cls(inputs=inputs[0] if len(inputs) == 1 else inputs,
               outputs=outputs[0] if len(outputs) == 1 else outputs, name=config.get("name"))
