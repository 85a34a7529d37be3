"""Random tensors of the DSL: random_uniform, random_normal, truncated_normal (seeded as in TF1); random_crop is
tf.image's (dfc/image_color.py)."""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import as_dtype, f32
from dfc.ir.types import TensorType

from .framework import Tensor, get_seed, make, name_scope


def _draw(kind: str, shape, dtype, seed, name: str) -> Tensor:
    dtype = as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"{kind} draws floats; dtype {dtype.name} is not supported")
    from .array_ops import shape_argument
    from dfc.ir.ops.dynamic import hinted_shape
    static, dynamic, hint = shape_argument(shape)
    if static is not None and any(d < 0 for d in static):
        from .graph_builder import build_error
        raise build_error(f"dfc.{kind}", name, f"Invalid value in tensor used for shape: "
                                                f"{next(d for d in static if d < 0)} (shape {list(static)})")
    seed1, seed2 = get_seed(seed)
    if dynamic is not None:  # a shape tensor such as tf.shape(t): the draw is sized when the step is specialized
        rank = dynamic.shape.as_list()[0] if dynamic.shape.ndims == 1 else None
        return make(f"dfc.{kind}", [dynamic], {"seed": seed1, "seed2": seed2}, name=name,
                    result_types=[TensorType(dtype, hinted_shape(rank, hint))])
    return make(f"dfc.{kind}", [], {"seed": seed1, "seed2": seed2}, name=name,
                result_types=[TensorType(dtype, static)])


_UNIFORM_DTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64")


def random_uniform(shape, minval=0, maxval=None, dtype=f32, seed=None, name: str | None = None) -> Tensor:
    """Uniform in [minval, maxval); maxval defaults to 1 for floats and must be given for integers."""
    dtype = as_dtype(dtype)
    if dtype.name not in _UNIFORM_DTYPES:  # TF's first check, before maxval's (no unsigned or 8/16-bit integers)
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"({', '.join('tf.' + n for n in _UNIFORM_DTYPES)}).")
    if dtype.is_integer:
        return _random_integers(shape, minval, maxval, dtype, seed, name)
    with name_scope(name, "random_uniform"):
        unit = _draw("random_uniform", shape, dtype, seed, "RandomUniform")
        maxval = 1 if maxval is None else maxval
        return unit * (maxval - minval) + minval if (minval, maxval) != (0, 1) else unit


def _random_integers(shape, minval, maxval, dtype, seed, name: str | None) -> Tensor:
    """TF1's RandomUniformInt: integers in [minval, maxval) (bounds may be tensors; minval < maxval is checked
    when the step runs, as TF checks it). The draw is dfc's uniform float scaled to the range, exact for ranges
    up to 2**24."""
    from .debugging import Assert
    from .framework import control_dependencies, convert_to_tensor
    from .math_ops import cast, floor, less, minimum
    if maxval is None:
        raise ValueError(f"Must specify maxval for integer dtype {dtype.name}")
    if dtype.name not in ("int32", "int64"):
        raise TypeError(f"Value passed to parameter 'Tout' has DataType {dtype.name} not in list of allowed values: "
                        f"int32, int64")
    with name_scope(name, "random_uniform"):
        low, high = convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)
        check = Assert(less(low, high), ["Need minval < maxval: ", low, " >= ", high])
        unit = cast(_draw("random_uniform", shape, "float64", seed, "RandomUniformInt"), "float64")
        with control_dependencies([check]):
            span = cast(high - low, "float64")
        offset = minimum(floor(unit * span), span - 1.0)
        return cast(offset, dtype) + low


def random_normal(shape, mean=0.0, stddev=1.0, dtype=f32, seed=None, name: str | None = None) -> Tensor:
    with name_scope(name, "random_normal"):
        unit = _draw("random_normal", shape, dtype, seed, "RandomStandardNormal")
        return unit * stddev + mean if (mean, stddev) != (0.0, 1.0) else unit


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=f32, seed=None, name: str | None = None) -> Tensor:
    """Normal draws re-drawn until within two standard deviations of the mean."""
    with name_scope(name, "truncated_normal"):
        unit = _draw("truncated_normal", shape, dtype, seed, "TruncatedNormal")
        return unit * stddev + mean if (mean, stddev) != (0.0, 1.0) else unit


def multinomial(logits, num_samples, seed=None, name: str | None = None, output_dtype=None) -> Tensor:
    """num_samples class indices per row of `logits` [batch, classes], drawn with P(class) = softmax(logits)
    (the Gumbel-max trick: argmax of logits plus Gumbel noise; TF draws from the same distribution)."""
    from dfc.ir.dtypes import i64

    from .array_ops import expand_dims
    from .framework import build_error, convert_to_tensor, fed_axis
    from .math_ops import add, argmax, log, negative
    logits = convert_to_tensor(logits)
    label = name or "Multinomial"
    if logits.shape.ndims != 2 or not logits.dtype.is_floating:
        raise build_error("Multinomial", label, f"logits must be a 2-D float tensor [batch, classes], got "
                                                f"{logits.dtype.name} {logits.shape}")
    batch, classes = logits.shape.as_list()
    n = fed_axis(num_samples, "num_samples")  # a tensor: the draw is sized when the step runs
    with name_scope(name, "multinomial", [logits]):
        tiny = float(np.finfo(logits.dtype.np).tiny)
        if classes is None or batch is None or not isinstance(n, int):  # a fed batch (a policy over states)
            from .array_ops import shape, stack
            dims = shape(logits)
            draw_shape = stack([dims[0], n, dims[1]])
        else:
            draw_shape = [batch, n, classes]
        u = random_uniform(draw_shape, minval=tiny, maxval=1.0, dtype=logits.dtype, seed=seed)
        gumbel = negative(log(negative(log(u))))
        return argmax(add(expand_dims(logits, 1), gumbel), axis=-1, output_type=output_dtype or i64)


def categorical(logits, num_samples, dtype=None, seed=None, name: str | None = None) -> Tensor:
    return multinomial(logits, num_samples, seed=seed, name=name, output_dtype=dtype)


def random_shuffle(value, seed=None, name: str | None = None) -> Tensor:
    """`value` with its first dim in a uniformly random order (the order of n uniform draws)."""
    from .framework import build_error, convert_to_tensor
    from .array_ops import gather
    from .tensor_ops import argsort
    x = convert_to_tensor(value)
    if x.shape.ndims is None or x.shape.ndims < 1 or x.shape.as_list()[0] is None:
        if x.shape.ndims == 0:
            return x
        raise build_error("RandomShuffle", name or "RandomShuffle", f"random_shuffle needs the first dim of "
                                                                    f"{x.name}, got {x.shape}")
    with name_scope(name, "RandomShuffle", [x]):
        keys = random_uniform([x.shape.as_list()[0]], seed=seed)
        return gather(x, argsort(keys))
