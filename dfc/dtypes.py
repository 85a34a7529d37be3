"""tf.dtypes: TF1's dtype namespace: the DType objects, as_dtype, cast and saturate_cast."""

from __future__ import annotations

from dfc.ir.dtypes import DType, UnsupportedDType, as_dtype  # noqa: F401 - re-exported TF1 names
from dfc.ir.dtypes import bf16 as bfloat16  # noqa: F401
from dfc.ir.dtypes import bool_ as bool  # noqa: F401, A004
from dfc.ir.dtypes import c64 as complex64  # noqa: F401
from dfc.ir.dtypes import c128 as complex128  # noqa: F401
from dfc.ir.dtypes import f16 as float16  # noqa: F401
from dfc.ir.dtypes import f32 as float32  # noqa: F401
from dfc.ir.dtypes import f64 as float64  # noqa: F401
from dfc.ir.dtypes import i8 as int8  # noqa: F401
from dfc.ir.dtypes import i16 as int16  # noqa: F401
from dfc.ir.dtypes import i32 as int32  # noqa: F401
from dfc.ir.dtypes import i64 as int64  # noqa: F401
from dfc.ir.dtypes import string  # noqa: F401
from dfc.ir.dtypes import u8 as uint8  # noqa: F401
from dfc.ir.dtypes import u16 as uint16  # noqa: F401
from dfc.ir.dtypes import u32 as uint32  # noqa: F401
from dfc.ir.dtypes import u64 as uint64  # noqa: F401

from .complex_ops import complex  # noqa: F401, A004 - tf.dtypes.complex
from .math_ops import cast, saturate_cast  # noqa: F401
from .string_ops import as_string  # noqa: F401 - tf.dtypes.as_string

half, double = float16, float64
# TF's dtypes without kernels here: spelled, refused with a TypeError naming them wherever a dtype is taken
qint8, quint8, qint16, quint16, qint32, resource, variant = (
    UnsupportedDType(n) for n in ("qint8", "quint8", "qint16", "quint16", "qint32", "resource", "variant"))
#: TF's quantized dtypes (each with its reference-type twin there; dfc has neither)
QUANTIZED_DTYPES = frozenset({qint8, quint8, qint16, quint16, qint32})
