"""The DSL's framework in one import: tf.Graph, Tensor and Operation, conversion, constants, scopes and seeds.

The DSL's modules and tests import these names from here; each is defined in the module that
says what it is for:

- `graph_builder`: tf.Graph, Tensor, Operation, the default graph, and `make_op`/`make`, which build ops;
- `conversion`: convert_to_tensor, constants, and the static ints and shapes ops take as arguments;
- `scopes`: name scopes, devices, control dependencies and the graph seed around the ops a script makes;
- `tensor_shape`: TensorShape and Dimension;
- `device_spec`: device strings, parsed and merged field by field.
"""

from __future__ import annotations

from .tensor_shape import Dimension, TensorShape
from .device_spec import format_device, merge_device, parse_device
from .graph_builder import (Graph, Operation, Tensor, build_error, current_graph, define_tensor_operators,
                            get_default_graph, make, make_op, out_of_memory, reset_default_graph, wrap, wrap_op)
from .conversion import (check_int, constant, constant_array, constant_value, convert_to_tensor, fed_axis,
                         infer_constant_dtype, is_tensor_like, static_shape, tf_constant_value)
from .scopes import (DEFAULT_GRAPH_SEED, colocate_with, control_dependencies, control_token, device, get_seed,
                     init_scope, name_scope, set_random_seed, without_control_dependencies)

__all__ = ["DEFAULT_GRAPH_SEED", "Dimension", "Graph", "Operation", "Tensor", "TensorShape", "build_error",
           "check_int", "colocate_with", "constant", "constant_array", "constant_value", "control_dependencies",
           "control_token", "convert_to_tensor", "current_graph", "define_tensor_operators", "device", "fed_axis",
           "format_device",
           "get_default_graph", "get_seed", "infer_constant_dtype", "init_scope", "is_tensor_like", "make", "make_op",
           "merge_device", "name_scope", "out_of_memory", "parse_device", "reset_default_graph", "set_random_seed",
           "static_shape", "tf_constant_value", "without_control_dependencies", "wrap", "wrap_op"]
