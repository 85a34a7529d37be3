"""dfc: a dataflow-graph compiler for machine learning with TensorFlow 1's graph API (`import dfc as tf`)."""

from dfc.ir import dtypes as _dtypes
from dfc.ir.builder import get_default_graph, reset_default_graph
from dfc.runtime import Session, VariableStore, get_default_session

from . import app, contrib, distribute, errors, gfile, layers, logging, losses, nn, summary, test, train
from .app import flags
from .array_ops import (concat, constant, expand_dims, fill, gather, identity, one_hot, ones, ones_like, pack,
                        placeholder, placeholder_with_default, range, rank, reshape, shape, size, slice, split,
                        squeeze, stack, tile, transpose, unstack, zeros, zeros_like)
from .gradients import gradients, stop_gradient
from .graph import Graph, GraphKeys, add_to_collection, add_to_collections, get_collection, get_collection_ref
from .framework import (Dimension, Operation, Tensor, TensorShape, control_dependencies, convert_to_tensor, device,
                        name_scope, set_random_seed)
from .math_ops import (abs, add, add_n, argmax, argmin, cast, ceil, cos, div, divide, equal, exp, expm1, floor,
                       floordiv, floormod, greater, greater_equal, less, less_equal, log, log1p, logical_and,
                       logical_not, logical_or, logical_xor, matmul, maximum, minimum, mod, multiply, neg, negative,
                       not_equal, pow, reciprocal, reduce_all, reduce_any, reduce_max, reduce_mean, reduce_min,
                       reduce_prod, reduce_sum, round, rsqrt, sigmoid, sign, sin, sqrt, square, squared_difference,
                       subtract, tanh, to_double, to_float, to_int32, to_int64, truediv, unsorted_segment_sum, where,
                       where_v2)
from .session import ConfigProto, GPUOptions, GraphOptions, InteractiveSession, OptimizerOptions
from .random_ops import random_normal, random_uniform, truncated_normal
from .variables import (AUTO_REUSE, Variable, VariableScope, all_variables, assign, assign_add, assign_sub,
                        constant_initializer, get_variable, get_variable_scope, global_variables,
                        global_variables_initializer, glorot_normal_initializer, glorot_uniform_initializer, group,
                        initialize_all_variables, local_variables, local_variables_initializer, no_op,
                        ones_initializer, random_normal_initializer, random_uniform_initializer,
                        trainable_variables, truncated_normal_initializer, variable_scope, variables_initializer,
                        zeros_initializer)

DType = _dtypes.DType
as_dtype = _dtypes.as_dtype
float16, bfloat16, float32, float64 = _dtypes.f16, _dtypes.bf16, _dtypes.f32, _dtypes.f64
int8, int16, int32, int64, bool = _dtypes.i8, _dtypes.i16, _dtypes.i32, _dtypes.i64, _dtypes.bool_  # noqa: A001
uint8 = _dtypes.u8
half, double = float16, float64

arg_max, arg_min = argmax, argmin  # TF1's older names

from .summary import GraphDef, NodeDef, RunMetadata, RunOptions  # noqa: E402 - TF1's proto classes, loaded lazily
Summary, SummaryMetadata, Event, SessionLog = (summary.SummaryProto, summary.SummaryMetadataProto, summary.EventProto,
                                               summary.SessionLogProto)

__version__ = "0.1.0"
