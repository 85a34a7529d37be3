"""tf.linalg.LinearOperatorCirculant (and 2D, 3D): [nested block] circulant matrices given by their spectrum.

The operator is IDFT diag(spectrum) DFT over the last 1, 2 or 3 axes of the spectrum (its block shape;
N, the operator's size, is their product): matmul and solve are a Fourier multiplier (the FFTs of
dfc/spectral_ops.py, host ops on complex values), the determinant is the spectrum's product, the
diagonal its mean. As in TF the spectrum may be real (then the operator is self-adjoint) and the
operator's dtype is `input_output_dtype` (complex64 by default; a real one drops the imaginary part
of each result, right for a Hermitian spectrum).
"""

from __future__ import annotations

import numpy as np

from dfc.ir.dtypes import as_dtype, c64, c128

from . import array_ops as _ao
from . import math_ops as _mo
from .framework import Tensor, TensorShape, convert_to_tensor, name_scope
from .linear_operator import LinearOperator, adjoint
from .spectral_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d

_FFT = {1: fft, 2: fft2d, 3: fft3d}
_IFFT = {1: ifft, 2: ifft2d, 3: ifft3d}


def _to_complex(x: Tensor) -> Tensor:
    if x.dtype.is_complex:
        return x
    return _mo.cast(x, c128 if x.dtype.name == "float64" else c64)


class _BaseCirculant(LinearOperator):
    def __init__(self, spectrum, block_depth: int, input_output_dtype=c64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True, name: str = "LinearOperatorCirculant",
                 parameters: dict | None = None):
        self._block_depth = block_depth
        with name_scope(name):
            self._spectrum = convert_to_tensor(spectrum, name="spectrum")
            if self._spectrum.shape.ndims is not None and self._spectrum.shape.ndims < block_depth:
                raise ValueError(f"Argument `spectrum` must have at least {block_depth} dimensions. Received: "
                                 f"{self._spectrum}.")
        if not self._spectrum.dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A real spectrum always corresponds to a self-adjoint operator. Expected argument "
                                 f"`is_self_adjoint` to be True. Received: {is_self_adjoint}.")
            is_self_adjoint = True
        if is_square is False:
            raise ValueError("A [[nested] block] circulant operator is always square. Expected argument `is_square` "
                             f"to be True. Received: {is_square}.")
        super().__init__(as_dtype(input_output_dtype), [self._spectrum], is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, parameters)

    @property
    def spectrum(self) -> Tensor:
        return self._spectrum

    @property
    def block_depth(self) -> int:
        return self._block_depth

    @property
    def block_shape(self) -> TensorShape:
        return self._spectrum.shape[-self._block_depth:]

    def _size(self) -> int | None:
        dims = self.block_shape.as_list() if self._spectrum.shape.ndims is not None else [None]
        return None if None in dims else int(np.prod(dims))

    def _shape(self) -> TensorShape:
        if self._spectrum.shape.ndims is None:
            return TensorShape(None)
        n = self._size()
        return self._spectrum.shape[:-self._block_depth].concatenate([n, n])

    def _shape_tensor(self) -> Tensor:
        return _ao.constant(self._shape().as_list(), dtype="int32")

    def _multiplier(self, x: Tensor, spectrum: Tensor, solve: bool) -> Tensor:
        """IDFT(spectrum * DFT(x)) (or / spectrum) of each column of x [..., N, R], blocked as the spectrum."""
        rank = x.shape.ndims
        block = self.block_shape.as_list()
        columns = _ao.transpose(x, [rank - 1, *range(rank - 1)])  # [R, ..., N]: the spectrum's batch broadcasts
        blocks = _ao.reshape(columns, columns.shape.as_list()[:-1] + block)
        transformed = _FFT[self._block_depth](_mo.cast(blocks, spectrum.dtype))
        product = transformed / spectrum if solve else transformed * spectrum
        back = _IFFT[self._block_depth](product)
        flat = _ao.reshape(back, back.shape.as_list()[:-self._block_depth] + [int(np.prod(block))])
        return _mo.cast(_ao.transpose(flat, [*range(1, rank), 0]), self.dtype)

    def _apply(self, x: Tensor, adjoint_op: bool, adjoint_arg: bool, solve: bool) -> Tensor:
        x = adjoint(x) if adjoint_arg else x
        spectrum = _to_complex(self._spectrum)
        spectrum = _mo.conj(spectrum) if adjoint_op else spectrum
        return self._multiplier(x, spectrum, solve)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._apply(x, adjoint, adjoint_arg, False)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._apply(rhs, adjoint, adjoint_arg, True)

    def _axes(self) -> list[int]:
        return [-(i + 1) for i in range(self._block_depth)]

    def _determinant(self):
        return _mo.cast(_mo.reduce_prod(_to_complex(self._spectrum), axis=self._axes()), self.dtype)

    def _log_abs_determinant(self):
        total = _mo.reduce_sum(_mo.log(_mo.abs(self._spectrum)), axis=self._axes())
        return _mo.cast(total, self.dtype)

    def _diag_part(self):
        mean = _mo.reduce_mean(_to_complex(self._spectrum), axis=self._axes())
        ones = _ao.ones([self._size()], dtype=mean.dtype)
        return _mo.cast(_ao.expand_dims(mean, -1) * ones, self.dtype)

    def _eigvals(self):
        return _mo.cast(_ao.reshape(self._spectrum, self._shape().as_list()[:-1]), self.dtype)

    def convolution_kernel(self, name: str = "convolution_kernel") -> Tensor:
        """The IDFT of the spectrum: the first column of each (nested) block, in the operator's dtype."""
        with self._name_scope(name):
            return _mo.cast(_IFFT[self._block_depth](_to_complex(self._spectrum)), self.dtype)


def _circulant_class(depth: int, default_name: str) -> type:
    def __init__(self, spectrum, input_output_dtype=c64, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name: str = default_name):
        parameters = dict(spectrum=spectrum, input_output_dtype=input_output_dtype, is_non_singular=is_non_singular,
                          is_self_adjoint=is_self_adjoint, is_positive_definite=is_positive_definite,
                          is_square=is_square, name=name)
        _BaseCirculant.__init__(self, spectrum, depth, input_output_dtype, is_non_singular, is_self_adjoint,
                                is_positive_definite, is_square, name, parameters)
    doc = f"A batch of {'' if depth == 1 else f'{depth}-level nested block '}circulant matrices given by spectrum."
    return type(default_name, (_BaseCirculant,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


LinearOperatorCirculant = _circulant_class(1, "LinearOperatorCirculant")
LinearOperatorCirculant2D = _circulant_class(2, "LinearOperatorCirculant2D")
LinearOperatorCirculant3D = _circulant_class(3, "LinearOperatorCirculant3D")
