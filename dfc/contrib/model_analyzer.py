"""tf.contrib.slim.model_analyzer: the sizes of a graph's operations and of a list of variables, as TF1 prints them.

GAN/VAE repositories call `slim.model_analyzer.analyze_vars(tf.trainable_variables(), print_info=True)` to show
their model before training; the totals are TF1's (an unknown dimension counts as size 0).
"""

from __future__ import annotations

from typing import Any


def tensor_description(var: Any) -> str:
    """'(float32 5x3)': a tensor's or variable's dtype and its dimensions joined by 'x' ('?' where unknown)."""
    dims = "x".join(str(d) for d in var.get_shape())
    return f"({var.dtype.name} {dims})"


def _num_elements(t: Any) -> int:
    shape = t.get_shape()
    if shape.ndims is None:
        return 0
    # an unknown dimension makes the whole size unknown, which TF1 counts as 0
    return shape.num_elements() or 0


def analyze_ops(graph: Any, print_info: bool = False) -> int:
    """The total number of output elements of `graph`'s operations (those of unknown size count 0); with
    print_info, one line per operation: name, its outputs' descriptions and their size."""
    if print_info:
        print("---------")
        print("Operations: name -> (type shapes) [size]")
        print("---------")
    total = 0
    for op in graph.get_operations():
        shapes = [tensor_description(out) for out in op.outputs if out.get_shape().ndims is not None]
        size = sum(_num_elements(out) for out in op.outputs)
        if print_info:
            print(op.name, "\t->", ", ".join(shapes), f"[{size}]")
        total += size
    return total


def analyze_vars(variables: Any, print_info: bool = False) -> tuple[int, int]:
    """(total elements, total bytes) of `variables`; with print_info, one line per variable and the totals."""
    if print_info:
        print("---------")
        print("Variables: name (type shape) [size]")
        print("---------")
    total_size = total_bytes = 0
    for var in variables:
        size = _num_elements(var)
        nbytes = size * var.dtype.size
        total_size += size
        total_bytes += nbytes
        if print_info:
            print(var.name, tensor_description(var), f"[{size}, bytes: {nbytes}]")
    if print_info:
        print(f"Total size of variables: {total_size}")
        print(f"Total bytes of variables: {total_bytes}")
    return total_size, total_bytes
