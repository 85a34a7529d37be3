"""Element types of the IR: the ten numeric dtypes, complex64/128 and tf.string, their numpy twins and TF names.

`string` is TF's byte-string dtype: its values are numpy object arrays of `bytes` (what TF's
Session.run returns for a string fetch). It is a host dtype: only the interpreter computes on it,
never compiled code (runtime/host_strings.py runs a step's string ops on the host).

`c64` and `c128` are TF's complex64 and complex128 (MLIR's `complex<f32>`, `complex<f64>`). They are host
dtypes too (`DType.on_host`): the interpreter computes on them with numpy, and a compiled step runs the ops
that read or make a complex value on the host, the rest natively (runtime/host_strings.py), so a spectrogram
in the middle of a training step runs its FFT in numpy and its model as native code.
"""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np


class DType:
    """An element type. `mlir` is its IR spelling (f32), `name` its TF name (float32)."""

    __slots__ = ("mlir", "name", "np", "is_floating", "is_integer", "is_unsigned", "is_bool", "is_string", "is_complex",
                 "bits")

    def __init__(self, mlir: str, name: str, np_dtype, kind: str, bits: int):
        self.mlir = mlir
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating = kind == "float"
        self.is_integer = kind in ("int", "uint")
        self.is_unsigned = kind == "uint"
        self.is_bool = kind == "bool"
        self.is_string = kind == "string"
        self.is_complex = kind == "complex"
        self.bits = bits

    @property
    def as_numpy_dtype(self) -> type:
        return self.np.type

    @property
    def itemsize(self) -> int:
        return self.np.itemsize

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def on_host(self) -> bool:
        """A dtype no kernel compiles (strings, complex numbers): the ops that touch it run on the interpreter."""
        return self.is_string or self.is_complex

    @property
    def min(self) -> int | float | bool | np.floating:
        if self.is_string or self.is_complex:
            raise TypeError(f"Cannot find minimum value of {self}.")
        return np.finfo(self.np).min if self.is_floating else (False if self.is_bool else np.iinfo(self.np).min)

    @property
    def max(self) -> int | float | bool | np.floating:
        if self.is_string or self.is_complex:
            raise TypeError(f"Cannot find maximum value of {self}.")
        return np.finfo(self.np).max if self.is_floating else (True if self.is_bool else np.iinfo(self.np).max)

    @property
    def size(self) -> int:
        return self.np.itemsize

    @property
    def real_dtype(self) -> DType:
        """complex64's float32, complex128's float64; any other dtype itself."""
        return _REAL.get(self.mlir, self)

    @property
    def as_datatype_enum(self) -> int:
        """TF's DataType number (DT_FLOAT is 1)."""
        return _TF_ENUMS[self.name]

    @property
    def limits(self) -> tuple:
        return self.min, self.max

    is_quantized = False
    is_numpy_compatible = True

    def is_compatible_with(self, other: object) -> bool:
        return self == other

    def __eq__(self, other) -> bool:
        """As TF: a DType equals the dtypes, names and numpy types that convert to it (tf.float32 == np.float32)."""
        if other is self:
            return True
        if other is None or isinstance(other, DType):
            return False
        try:
            return as_dtype(other) is self
        except (TypeError, ValueError):
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.mlir)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return (from_mlir, (self.mlir,))


f16 = DType("f16", "float16", np.float16, "float", 16)
bf16 = DType("bf16", "bfloat16", ml_dtypes.bfloat16, "float", 16)
f32 = DType("f32", "float32", np.float32, "float", 32)
f64 = DType("f64", "float64", np.float64, "float", 64)
i8 = DType("i8", "int8", np.int8, "int", 8)
i16 = DType("i16", "int16", np.int16, "int", 16)
i32 = DType("i32", "int32", np.int32, "int", 32)
i64 = DType("i64", "int64", np.int64, "int", 64)
u8 = DType("ui8", "uint8", np.uint8, "uint", 8)  # image bytes: fed, cast, compared for equality, moved
u16 = DType("ui16", "uint16", np.uint16, "uint", 16)  # 16-bit PNGs
u32 = DType("ui32", "uint32", np.uint32, "uint", 32)
u64 = DType("ui64", "uint64", np.uint64, "uint", 64)  # fingerprints
bool_ = DType("i1", "bool", np.bool_, "bool", 1)
#: TF's complex dtypes: host values as strings are (DType.on_host), not in ALL: no compiled op takes them
c64 = DType("complex<f32>", "complex64", np.complex64, "complex", 64)
c128 = DType("complex<f64>", "complex128", np.complex128, "complex", 128)
COMPLEX: tuple[DType, ...] = (c64, c128)
_REAL = {"complex<f32>": f32, "complex<f64>": f64}
#: TF's DT_STRING, spelled as TF's MLIR dialect does; not in ALL: no compiled op takes it
string = DType("!tf_type.string", "string", object, "string", 0)

ALL: tuple[DType, ...] = (f16, bf16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64, bool_)
FLOATS: tuple[DType, ...] = (f16, bf16, f32, f64)
INTEGERS: tuple[DType, ...] = (i8, i16, i32, i64)  # signed: the arithmetic dtypes
#: the unsigned dtypes are storage: ops move, cast, compare for equality and bit-twiddle them; the DSL runs their
#: arithmetic and ordering in a signed dtype (dfc/unsigned.py), so no kernel needs unsigned division or compares
UNSIGNED: tuple[DType, ...] = (u8, u16, u32, u64)
NUMERIC: tuple[DType, ...] = FLOATS + INTEGERS

_BY_MLIR = {d.mlir: d for d in (*ALL, *COMPLEX, string)}
_TF_ENUMS = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "int64": 9, "bool": 10,
             "bfloat16": 14, "uint16": 17, "uint32": 22, "uint64": 23, "float16": 19, "string": 7, "complex64": 8,
             "complex128": 18}
_BY_NAME = {d.name: d for d in (*ALL, *COMPLEX, string)}
_BY_NP = {d.np: d for d in (*ALL, *COMPLEX)}

#: TF's other spellings of the dtypes dfc has (tf.as_dtype("float") is float32, as in TF)
TF_ALIASES = {"float": f32, "double": f64, "half": f16, "bool_": bool_,
              "float32_ref": f32, "float64_ref": f64, "float16_ref": f16, "bfloat16_ref": bf16, "int8_ref": i8,
              "int16_ref": i16, "int32_ref": i32, "int64_ref": i64, "bool_ref": bool_, "string_ref": string,
              "complex64_ref": c64, "complex128_ref": c128}
#: TF dtypes dfc has no kernels for: named in the error instead of a numpy misreading
UNSUPPORTED = ("qint8", "quint8",
               "qint16", "quint16", "qint32", "resource", "variant")


class UnsupportedDType(str):
    """tf.qint8 and the other TF dtypes dfc has no kernels for: a name a script may spell, which every op that
    takes a dtype refuses with a TypeError naming it (as_dtype reads it as its name)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"tf.{self}"


def from_mlir(spelling: str) -> DType:
    """The dtype spelled `spelling` in the IR (f32, i1, ...)."""
    try:
        return _BY_MLIR[spelling]
    except KeyError:
        raise ValueError(f"unknown element type '{spelling}'") from None


def as_dtype(value: Any) -> DType:
    """Coerce a DType, TF name, IR spelling, numpy dtype or Python type to a DType."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        if value in _BY_NAME:
            return _BY_NAME[value]
        if value in _BY_MLIR:
            return _BY_MLIR[value]
        if value in TF_ALIASES:
            return TF_ALIASES[value]
        if value in UNSUPPORTED:
            raise TypeError(f"dtype {value} is not supported (supported: {', '.join(d.name for d in ALL)})")
        raise TypeError(f"cannot interpret {value!r} as a dtype (TF's names: {', '.join(d.name for d in ALL)}, "
                        f"float, double, half)")
    if value is float:
        return f32
    if value is int:
        return i32
    if value is bool:
        return bool_
    if value is str or value is bytes:
        return string
    if value is complex:
        return c128
    try:
        npd = np.dtype(value)
    except TypeError:
        raise TypeError(f"cannot interpret {value!r} as a dfc dtype") from None
    if npd in _BY_NP:
        return _BY_NP[npd]
    if npd.kind in "OSU":  # numpy's strings and object arrays of bytes: TF's tf.string
        return string
    raise TypeError(f"dtype {npd} is not supported (supported: {', '.join(d.name for d in ALL)})")
