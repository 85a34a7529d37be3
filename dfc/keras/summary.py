"""Model.summary(): the table of a model's layers, output shapes and parameter counts, in TF1's Keras layout."""

from __future__ import annotations

__all__ = ["print_summary"]


def _shape_text(layer) -> str:
    try:
        shape = layer.output_shape
    except AttributeError:
        return "multiple"
    from .engine import InputLayer
    if isinstance(layer, InputLayer):
        return str([tuple(shape)])
    if isinstance(shape, list):
        return str([tuple(s) for s in shape]).replace("None", "None")
    return str(tuple(shape))


def _count(layer) -> int | str:
    if not layer.built:
        return 0
    return layer.count_params()


def print_summary(model, line_length=None, positions=None, print_fn=None) -> None:
    """Print (with print_fn, default print) each layer's name (type), output shape and parameters, then totals;
    a model whose layers take several inputs gets TF's fourth column, 'Connected to'."""
    print_fn = print_fn or print
    layers = model.layers
    sequential_like = all(len(n.input_tensors) <= 1 for layer in layers
                          for n in layer._inbound_nodes)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def row(fields) -> None:
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line += str(field)
            line = line[:positions[i]]
            line += " " * (positions[i] - len(line))
        print_fn(line)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    row(headers)
    print_fn("=" * line_length)
    for i, layer in enumerate(layers):
        fields = [f"{layer.name} ({type(layer).__name__})", _shape_text(layer), _count(layer)]
        if not sequential_like:
            sources = [f"{t._keras_history[0].name}[{t._keras_history[1]}][{t._keras_history[2]}]"
                       for n in layer._inbound_nodes[:1] for t in n.input_tensors if hasattr(t, "_keras_history")]
            fields.append(sources[0] if sources else "")
            row(fields)
            for extra in sources[1:]:
                row(["", "", "", extra])
        else:
            row(fields)
        print_fn("=" * line_length if i == len(layers) - 1 else "_" * line_length)
    if not layers:
        print_fn("=" * line_length)
    trainable = sum(_size(w) for w in model.trainable_weights)
    total = sum(_size(w) for w in model.weights)
    print_fn(f"Total params: {total:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {total - trainable:,}")
    print_fn("_" * line_length)


def _size(w) -> int:
    n = 1
    for d in w.shape.as_list():
        n *= d
    return n
