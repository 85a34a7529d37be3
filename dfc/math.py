"""tf.math: TF1's math namespace, the DSL's math functions under their tf.math names."""

from __future__ import annotations

from .array_ops import one_hot
from .complex_ops import angle, conj, imag, real
from .clip_ops import l2_normalize
from .math_ops import (abs, accumulate_n, acos, acosh, add, add_n, argmax, argmin, asin, asinh, atan, atan2, atanh,
                       ceil, cos, cosh, count_nonzero, cumprod, cumsum, div_no_nan, divide, equal, erf, erfc, exp,
                       expm1, floor, floordiv, floormod, greater, greater_equal, is_finite, is_inf, is_nan, less,
                       less_equal, log, log1p, log_sigmoid, logical_and, logical_not, logical_or, logical_xor,
                       maximum, minimum, mod, multiply, multiply_no_nan, negative, not_equal, polyval, pow,
                       reciprocal, reciprocal_no_nan, reduce_all, reduce_any, reduce_euclidean_norm, reduce_logsumexp,
                       reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_std, reduce_sum, reduce_variance,
                       rint, round, rsqrt, scalar_mul, sigmoid, sign, sin, sinh, softplus, softsign, sqrt, square,
                       squared_difference, subtract, tan, tanh, truediv, unsorted_segment_sum, xdivy, xlog1py, xlogy,
                       zero_fraction)
from .nn import in_top_k, log_softmax, softmax, top_k
from .counting_ops import bincount, confusion_matrix
from .segment_ops import (cumulative_logsumexp, segment_max, segment_mean, segment_min, segment_prod, segment_sum,
                          unsorted_segment_max, unsorted_segment_mean, unsorted_segment_min, unsorted_segment_prod,
                          unsorted_segment_sqrt_n)
from .debugging import is_non_decreasing, is_strictly_increasing
from .special_ops import (bessel_i0, bessel_i0e, bessel_i1, bessel_i1e, digamma, erfcinv, erfinv, lbeta, lgamma,
                          ndtri)
from .special_incomplete import betainc, igamma, igammac
from .special_zeta import polygamma, zeta
from .tensor_ops import invert_permutation

divide_no_nan = div_no_nan

__all__ = ["abs", "accumulate_n", "angle", "conj", "imag", "real",
           "acos", "acosh", "add", "add_n", "argmax", "argmin", "asin", "asinh", "atan",
           "atan2", "atanh", "ceil", "cos", "cosh", "count_nonzero", "cumprod", "cumsum", "div_no_nan", "divide",
           "divide_no_nan", "equal", "erf", "erfc", "exp", "expm1", "floor", "floordiv", "floormod", "greater",
           "greater_equal", "in_top_k", "invert_permutation", "is_finite", "is_inf", "is_nan", "l2_normalize", "less",
           "less_equal", "log", "log1p", "log_sigmoid", "log_softmax", "logical_and", "logical_not", "logical_or",
           "logical_xor", "maximum", "minimum", "mod", "multiply", "multiply_no_nan", "negative", "not_equal",
           "one_hot", "polyval", "pow", "reciprocal", "reciprocal_no_nan", "reduce_all", "reduce_any",
           "reduce_euclidean_norm", "reduce_logsumexp", "reduce_max", "reduce_mean", "reduce_min", "reduce_prod",
           "reduce_std", "reduce_sum", "reduce_variance", "rint", "round", "rsqrt", "scalar_mul", "sigmoid", "sign",
           "sin", "sinh", "softmax", "softplus", "softsign", "sqrt", "square", "squared_difference", "subtract",
           "tan", "tanh", "top_k", "truediv", "unsorted_segment_sum", "xdivy", "xlog1py", "xlogy", "zero_fraction",
           "bincount", "confusion_matrix", "cumulative_logsumexp", "segment_max", "segment_mean", "segment_min",
           "segment_prod", "segment_sum", "unsorted_segment_max", "unsorted_segment_mean", "unsorted_segment_min",
           "unsorted_segment_prod", "unsorted_segment_sqrt_n", "digamma", "erfinv", "lbeta", "lgamma", "ndtri",
           "erfcinv", "is_non_decreasing", "is_strictly_increasing", "bessel_i0", "bessel_i0e", "bessel_i1",
           "bessel_i1e", "betainc", "igamma", "igammac", "polygamma", "zeta"]
