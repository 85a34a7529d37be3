"""dfc: a dataflow-graph compiler for machine learning with TensorFlow 1's graph API (`import dfc as tf`).

The package's names load lazily (PEP 562), so that `import dfc.ir` or `import dfc.compiler`
pays only for what it uses: the DSL, the runtime and llvmlite load on the first `tf.<name>`.
"""

from __future__ import annotations

import importlib
import sys as _sys
import types as _types
from typing import Any

from dfc.ir import dtypes as _dtypes

#: each public name and the submodule of this package (or the installed package) that defines it
_EXPORTS: dict[str, tuple[str, ...]] = {
    ".array_ops": ("concat", "constant", "expand_dims", "fill", "gather", "identity", "one_hot", "ones", "ones_like",
                   "pack", "placeholder", "placeholder_with_default", "range", "rank", "reshape", "shape", "size",
                   "slice", "split", "squeeze", "stack", "tile", "transpose", "unstack", "zeros", "zeros_like"),
    ".framework": ("Dimension", "Operation", "Tensor", "TensorShape", "control_dependencies", "convert_to_tensor",
                   "device", "name_scope", "set_random_seed"),
    ".gradients_impl": ("gradients", "stop_gradient"),
    ".app": ("flags",),
    ".graph": ("Graph", "GraphKeys", "add_to_collection", "add_to_collections", "get_collection",
               "get_collection_ref", "get_default_graph", "reset_default_graph"),
    ".math_ops": ("abs", "add", "add_n", "argmax", "argmin", "cast", "ceil", "cos", "div", "divide", "equal", "exp",
                  "expm1", "floor", "floordiv", "floormod", "greater", "greater_equal", "less", "less_equal", "log",
                  "log1p", "logical_and", "logical_not", "logical_or", "logical_xor", "matmul", "maximum", "minimum",
                  "mod", "multiply", "neg", "negative", "not_equal", "pow", "reciprocal", "reduce_all", "reduce_any",
                  "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum", "round", "rsqrt",
                  "sigmoid", "sign", "sin", "sqrt", "square", "squared_difference", "subtract", "tanh", "to_double",
                  "to_float", "to_int32", "to_int64", "truediv", "unsorted_segment_sum", "where", "where_v2"),
    ".random_ops": ("random_normal", "random_uniform", "truncated_normal"),
    ".session": ("ConfigProto", "GPUOptions", "GraphOptions", "InteractiveSession", "OptimizerOptions", "Session"),
    ".summary": ("GraphDef", "NodeDef", "RunMetadata", "RunOptions"),
    "dfc.runtime": ("VariableStore", "get_default_session"),
    ".variables": ("AUTO_REUSE", "Variable", "VariableScope", "all_variables", "assign", "assign_add", "assign_sub",
                   "constant_initializer", "get_variable", "get_variable_scope", "global_variables",
                   "global_variables_initializer", "glorot_normal_initializer", "glorot_uniform_initializer",
                   "group", "initialize_all_variables", "local_variables", "local_variables_initializer", "no_op",
                   "ones_initializer", "random_normal_initializer", "random_uniform_initializer",
                   "trainable_variables", "truncated_normal_initializer", "variable_scope", "variables_initializer",
                   "zeros_initializer"),
}
#: TF1's names for objects that dfc's modules call otherwise: name -> (module, attribute)
_RENAMED = {"Summary": (".summary", "SummaryProto"), "SummaryMetadata": (".summary", "SummaryMetadataProto"),
            "Event": (".summary", "EventProto"), "SessionLog": (".summary", "SessionLogProto"),
            "arg_max": (".math_ops", "argmax"), "arg_min": (".math_ops", "argmin")}  # TF1's older names
_SUBMODULES = ("app", "contrib", "distribute", "errors", "gfile", "layers", "logging", "losses", "nn", "summary",
               "test", "train")
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

DType = _dtypes.DType
as_dtype = _dtypes.as_dtype
float16, bfloat16, float32, float64 = _dtypes.f16, _dtypes.bf16, _dtypes.f32, _dtypes.f64
int8, int16, int32, int64, bool = _dtypes.i8, _dtypes.i16, _dtypes.i32, _dtypes.i64, _dtypes.bool_  # noqa: A001
uint8 = _dtypes.u8
half, double = float16, float64

__version__ = "0.1.0"
__all__ = sorted([*_WHERE, *_RENAMED, *_SUBMODULES, "DType", "as_dtype", "float16", "bfloat16", "float32",
                  "float64", "int8", "int16", "int32", "int64", "uint8", "bool", "half", "double"])


def __getattr__(name: str) -> Any:
    importlib.import_module(".math_ops", __name__)  # defines the tensors' Python operators (with array_ops)
    importlib.import_module(".nn", __name__)  # before layers: nn's rnn_cell and layers.core import each other
    if name in _SUBMODULES:
        value: Any = importlib.import_module(f".{name}", __name__)
    elif name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    elif name in _RENAMED:
        module, attribute = _RENAMED[name]
        value = getattr(importlib.import_module(module, __name__), attribute)
    else:
        raise AttributeError(f"module 'dfc' has no attribute '{name}'")
    user_errors = importlib.import_module(".user_errors", __name__)
    user_errors.locate_builtin_classes()
    value = user_errors.locate_value(value, f"tf.{name}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(_types.ModuleType):
    """This package's module: a public submodule set on it (by any import of it) has its API located."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SUBMODULES and isinstance(value, _types.ModuleType):
            importlib.import_module(".user_errors", __name__).locate_module(value, f"tf.{name}")
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
