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
                   "slice", "split", "squeeze", "stack", "tile", "transpose", "unstack", "zeros", "zeros_like",
                   "strided_slice"),
    ".shape_ops": ("broadcast_dynamic_shape", "broadcast_static_shape", "ensure_shape", "get_static_value",
                   "identity_n", "is_tensor", "newaxis", "shape_n", "tuple", "parallel_stack", "dimension_value",
                   "dimension_at_index", "guarantee_const"),
    ".control_flow_ops": ("case", "cond", "foldl", "foldr", "map_fn", "scan", "switch_case", "while_loop"),
    ".tensor_array_ops": ("TensorArray",),
    ".queues": ("ConditionalAccumulator", "ConditionalAccumulatorBase", "FIFOQueue", "PaddingFIFOQueue",
                "PriorityQueue", "QueueBase", "RandomShuffleQueue"),
    ".script_ops": ("numpy_function", "py_func", "py_function"),
    ".parsing_ops": ("FixedLenFeature", "FixedLenSequenceFeature", "SparseFeature", "VarLenFeature", "decode_csv",
                     "decode_json_example", "parse_example", "parse_single_example", "parse_single_sequence_example"),
    ".lookup_ops": ("string_to_hash_bucket_fast",),
    ".string_hash_ops": ("string_to_hash_bucket", "string_to_hash_bucket_strong"),
    ".io_readers": ("FixedLengthRecordReader", "ReaderBase", "TFRecordReader", "TextLineReader", "WholeFileReader"),
    ".string_ops": ("as_string", "decode_base64", "decode_raw", "encode_base64", "read_file", "reduce_join",
                    "regex_replace", "string_join", "string_split", "string_strip", "string_to_number", "substr"),
    ".custom_gradient_ops": ("NoGradient", "NotDifferentiable", "RegisterGradient", "custom_gradient", "no_gradient"),
    ".framework": ("Dimension", "Operation", "Tensor", "TensorShape", "colocate_with", "control_dependencies",
                   "convert_to_tensor", "device", "name_scope", "set_random_seed"),
    ".gradients_impl": ("gradients", "stop_gradient"),
    ".file_ops": ("matching_files", "parse_tensor", "serialize_tensor", "write_file"),
    ".partitioned_variables": ("fixed_size_partitioner", "min_max_variable_partitioner",
                               "variable_axis_size_partitioner"),
    ".graph_util": ("import_graph_def",),
    ".graph": ("Graph", "GraphKeys", "add_to_collection", "add_to_collections", "get_collection",
               "get_collection_ref", "get_default_graph", "reset_default_graph"),
    ".math_ops": ("abs", "add", "add_n", "argmax", "argmin", "cast", "ceil", "cos", "div", "divide", "equal", "exp",
                  "expm1", "floor", "floordiv", "floormod", "greater", "greater_equal", "less", "less_equal", "log",
                  "log1p", "logical_and", "logical_not", "logical_or", "logical_xor", "matmul", "maximum", "minimum",
                  "mod", "multiply", "neg", "negative", "not_equal", "pow", "reciprocal", "reduce_all", "reduce_any",
                  "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum", "round", "rsqrt",
                  "sigmoid", "sign", "sin", "sqrt", "square", "squared_difference", "subtract", "tanh", "to_double",
                  "to_float", "to_int32", "to_int64", "truediv", "unsorted_segment_sum", "where", "where_v2",
                  # TF1's other math: composites of the ops above, scans, libm functions
                  "accumulate_n", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cosh", "count_nonzero",
                  "cumprod", "cumsum", "div_no_nan", "erf", "erfc", "floor_div", "is_finite", "is_inf", "is_nan",
                  "log_sigmoid", "realdiv", "reduce_logsumexp", "rint", "saturate_cast", "scalar_mul", "sinh", "tan",
                  "truncatediv", "truncatemod",
                  "to_bfloat16"),
    ".image": ("extract_image_patches", "random_crop"),
    ".complex_ops": ("angle", "complex", "conj", "imag", "real", "to_complex128", "to_complex64"),
    ".spectral_ops": ("fft", "fft2d", "fft3d", "ifft", "ifft2d", "ifft3d"),
    ".random_ops": ("multinomial", "random_normal", "random_shuffle", "random_uniform", "truncated_normal"),
    ".random_sampling": ("get_seed", "random_gamma", "random_poisson"),
    ".special_incomplete": ("betainc", "igamma", "igammac"),
    ".clip_ops": ("clip_by_average_norm", "clip_by_global_norm", "clip_by_norm", "clip_by_value", "global_norm",
                  "norm"),
    ".tensor_ops": ("argsort", "batch_gather", "boolean_mask", "broadcast_to", "depth_to_space", "gather_nd",
                    "invert_permutation", "lin_space", "linspace", "meshgrid", "pad", "repeat", "reverse",
                    "reverse_v2", "roll", "scatter_nd", "sequence_mask", "setdiff1d", "sort", "space_to_depth",
                    "tensor_scatter_add", "tensor_scatter_nd_add", "tensor_scatter_nd_sub", "tensor_scatter_nd_update",
                    "tensor_scatter_sub", "tensor_scatter_update", "unique",
                    "reverse_sequence"),
    ".initializers": ("initialize_all_tables", "tables_initializer"),
    ".variable_policy": ("VariableAggregation", "VariableSynchronization"),
    ".conversion": ("register_tensor_conversion_function",),
    ".clock_ops": ("timestamp",),
    ".special_zeta": ("polygamma", "zeta"),
    ".matrix_sqrt": ("matrix_square_root",),
    ".fake_quant": ("fake_quant_with_min_max_args", "fake_quant_with_min_max_args_gradient",
                    "fake_quant_with_min_max_vars", "fake_quant_with_min_max_vars_gradient",
                    "fake_quant_with_min_max_vars_per_channel", "fake_quant_with_min_max_vars_per_channel_gradient"),
    ".matrix_ops": ("cholesky", "cholesky_solve", "cross", "matrix_determinant", "matrix_inverse", "matrix_solve",
                    "matrix_solve_ls", "matrix_triangular_solve", "qr", "self_adjoint_eig", "self_adjoint_eigvals",
                    "svd"),
    ".special_ops": ("digamma", "lbeta", "lgamma"),
    ".batch_space_ops": ("batch_to_space", "batch_to_space_nd", "required_space_to_batch_paddings", "space_to_batch",
                         "space_to_batch_nd"),
    ".templates": ("make_template",),
    ".segment_ops": ("batch_scatter_update", "dynamic_partition", "dynamic_stitch", "scatter_div", "scatter_max",
                     "scatter_min", "scatter_mul", "segment_max", "segment_mean", "segment_min", "segment_prod",
                     "segment_sum", "tensor_scatter_nd_max", "tensor_scatter_nd_min", "unique_with_counts",
                     "unsorted_segment_max", "unsorted_segment_mean", "unsorted_segment_min", "unsorted_segment_prod",
                     "unsorted_segment_sqrt_n"),
    ".counting_ops": ("bincount", "confusion_matrix", "histogram_fixed_width", "histogram_fixed_width_bins",
                      "searchsorted", "unravel_index"),
    ".state_ops": ("scatter_add", "scatter_nd_add", "scatter_nd_sub", "scatter_nd_update", "scatter_sub",
                   "scatter_update"),
    ".debugging": ("Assert", "Print", "print", "assert_equal", "assert_greater", "assert_greater_equal",
                   "assert_integer", "assert_less", "assert_less_equal", "assert_near", "assert_negative",
                   "assert_non_negative", "assert_non_positive", "assert_none_equal", "assert_positive",
                   "assert_proper_iterable", "assert_rank", "assert_rank_at_least", "assert_rank_in",
                   "assert_same_float_dtype", "assert_scalar", "assert_type", "check_numerics", "is_non_decreasing",
                   "is_numeric_tensor", "is_strictly_increasing", "verify_tensor_all_finite"),
    ".linalg_ops": ("diag", "diag_part", "einsum", "eye", "matrix_band_part", "matrix_diag", "matrix_diag_part",
                    "matrix_set_diag", "matrix_transpose", "tensordot", "trace"),
    ".tf_behavior": ("AggregationMethod", "COMPILER_VERSION", "CXX11_ABI_FLAG", "CXX_VERSION", "GIT_VERSION",
                     "GRAPH_DEF_VERSION", "GRAPH_DEF_VERSION_MIN_CONSUMER", "GRAPH_DEF_VERSION_MIN_PRODUCER",
                     "MONOLITHIC_BUILD", "TensorSpec", "UnconnectedGradients", "VERSION", "add_check_numerics_ops",
                     "container", "control_flow_v2_enabled", "disable_control_flow_v2", "disable_eager_execution",
                     "disable_resource_variables", "disable_tensor_equality", "disable_v2_behavior",
                     "disable_v2_tensorshape", "enable_control_flow_v2", "enable_eager_execution",
                     "enable_resource_variables", "enable_tensor_equality", "enable_v2_behavior",
                     "enable_v2_tensorshape", "executing_eagerly", "executing_eagerly_outside_functions", "function",
                     "get_logger", "grad_pass_through", "hessians", "init_scope", "is_symbolic_tensor", "make_ndarray",
                     "make_tensor_proto", "no_regularizer", "op_scope", "recompute_grad", "resource_variables_enabled",
                     "variable_op_scope", "vectorized_map"),
    ".session": ("ConfigProto", "GPUOptions", "GraphOptions", "InteractiveSession", "OptimizerOptions", "Session"),
    ".summary": ("GraphDef", "NodeDef", "RunMetadata", "RunOptions"),
    "dfc.runtime": ("VariableStore", "get_default_session"),
    ".device_spec": ("DeviceSpec",),
    ".sparse.tensor": ("SparseTensor", "SparseTensorValue", "convert_to_tensor_or_sparse_tensor",
                       "sparse_placeholder"),
    ".sparse.ops": ("sparse_matmul", "sparse_add", "sparse_maximum", "sparse_minimum", "sparse_reduce_max",
                    "sparse_reduce_max_sparse", "sparse_reduce_sum", "sparse_reduce_sum_sparse", "sparse_softmax",
                    "sparse_tensor_dense_matmul",
                    "sparse_tensor_to_dense", "sparse_to_dense", "sparse_to_indicator"),
    ".sparse.structure": ("sparse_concat", "sparse_fill_empty_rows", "sparse_merge", "sparse_reorder",
                          "sparse_reset_shape", "sparse_reshape", "sparse_retain", "sparse_slice", "sparse_split",
                          "sparse_transpose"),
    ".sparse.edit_distance": ("edit_distance",),
    ".sparse.serialize": ("deserialize_many_sparse", "serialize_many_sparse", "serialize_sparse"),
    ".sparse.embedding": ("sparse_segment_mean", "sparse_segment_sqrt_n", "sparse_segment_sum"),
    ".indexed_slices": ("IndexedSlices", "IndexedSlicesValue", "convert_to_tensor_or_indexed_slices"),
    ".sparse.indexed_slices": ("sparse_mask",),
    ".variables": ("AUTO_REUSE", "Variable", "VariableScope", "all_variables", "assign", "assign_add", "assign_sub",
                   "constant_initializer", "get_variable", "get_variable_scope", "global_variables",
                   "global_variables_initializer", "glorot_normal_initializer", "glorot_uniform_initializer",
                   "group", "initialize_all_variables", "local_variables", "local_variables_initializer", "no_op",
                   "ones_initializer", "random_normal_initializer", "random_uniform_initializer",
                   "trainable_variables", "truncated_normal_initializer", "variable_scope", "variables_initializer",
                   "zeros_initializer",
                   # TF1's other variable utilities
                   "assert_variables_initialized", "count_up_to", "create_partitioned_variables",
                   "get_local_variable", "initialize_local_variables",
                   "initialize_variables", "is_variable_initialized", "model_variables",
                   "moving_average_variables", "report_uninitialized_variables", "variable_creator_scope"),
}
#: TF1's names for objects that dfc's modules call otherwise: name -> (module, attribute)
_RENAMED = {"Summary": (".summary", "SummaryProto"), "SummaryMetadata": (".summary", "SummaryMetadataProto"),
            "Event": (".summary", "EventProto"), "SessionLog": (".summary", "SessionLogProto"),
            "arg_max": (".math_ops", "argmax"), "arg_min": (".math_ops", "argmin"),  # TF1's older names
            "orthogonal_initializer": (".initializers", "orthogonal"),
            "MetaGraphDef": (".saved_model.protos", "MetaGraphDef"),
            "TensorInfo": (".saved_model.protos", "TensorInfo"),
            "variance_scaling_initializer": (".initializers", "variance_scaling"),
            "uniform_unit_scaling_initializer": (".initializers", "uniform_unit_scaling")}
_SUBMODULES = ("app", "bitwise", "compat", "contrib", "data", "debugging", "distribute", "distributions", "dtypes",
               "errors", "estimator", "feature_column", "gfile", "graph_util", "image", "initializers", "io", "keras",
               "layers", "linalg", "logging", "lookup", "losses", "manip", "math", "metrics", "nest", "nn", "python",
               "python_io", "config", "raw_ops", "flags", "quantization",
               "queue", "random", "saved_model", "sets", "signal", "sparse", "spectral", "strings",
               "summary", "test", "train")
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

DType = _dtypes.DType
as_dtype = _dtypes.as_dtype
float16, bfloat16, float32, float64 = _dtypes.f16, _dtypes.bf16, _dtypes.f32, _dtypes.f64
int8, int16, int32, int64, bool = _dtypes.i8, _dtypes.i16, _dtypes.i32, _dtypes.i64, _dtypes.bool_  # noqa: A001
uint8, uint16, uint32, uint64 = _dtypes.u8, _dtypes.u16, _dtypes.u32, _dtypes.u64
string = _dtypes.string
complex64, complex128 = _dtypes.c64, _dtypes.c128
# TF's dtypes without kernels here: spelled, refused with a TypeError naming them wherever a dtype is taken
qint8, quint8, qint16, quint16, qint32, resource, variant = (
    _dtypes.UnsupportedDType(n) for n in ("qint8", "quint8", "qint16", "quint16", "qint32", "resource", "variant"))
QUANTIZED_DTYPES = frozenset({qint8, quint8, qint16, quint16, qint32})
half, double = float16, float64

# TF1 scripts choose their code paths by tf.__version__ (`if tf.__version__ < "1.3.0"`): it is the TF API release dfc
# follows, as tf.VERSION is; dfc's own release is the distribution's (importlib.metadata.version("dfc"))
__version__ = "1.15.0"
__all__ = sorted([*_WHERE, *_RENAMED, *_SUBMODULES, "DType", "as_dtype", "float16", "bfloat16", "float32",
                  "float64", "int8", "int16", "int32", "int64", "uint8", "bool", "half", "double", "string",
                  "uint16", "uint32", "uint64", "complex64", "complex128", "qint8", "quint8", "qint16", "quint16",
                  "qint32", "resource", "variant", "QUANTIZED_DTYPES"])


def __getattr__(name: str) -> Any:
    if name not in _SUBMODULES and name not in _WHERE and name not in _RENAMED:
        # not ours to export (an import system probe such as `from . import random_ops` inside the package):
        # answering without loading the DSL keeps such imports free of cycles
        raise AttributeError(f"module 'dfc' has no attribute '{name}'")
    importlib.import_module(".math_ops", __name__)  # defines the tensors' Python operators (with array_ops)
    importlib.import_module(".nn", __name__)  # before layers: nn's rnn_cell and layers.core import each other
    importlib.import_module(".custom_gradient_ops", __name__)  # make_op's hook under gradient_override_map
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
