"""Functions of the host that native steps call: dfc_host_print (tf.Print and tf.print on the CPU backend) and
dfc_host_linalg (the LAPACK ops: inverse, determinants, Cholesky, solves, QR, SVD, eigh)."""

from __future__ import annotations

import ctypes
import sys

import numpy as np

from dfc.compiler.codegen.debug import HOST_PRINTS
from dfc.ir.ops.debug import print_text, should_print

_PRINT_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.POINTER(ctypes.c_void_p))


def _host_print(key: int, table) -> None:
    try:
        layouts, attrs = HOST_PRINTS[key]
        if not should_print(attrs["site"], attrs["first_n"]):
            return
        values = []
        for i, (dtype, shape) in enumerate(layouts):
            count = int(np.prod(shape, dtype=np.int64))
            raw = (ctypes.c_char * (count * dtype.itemsize)).from_address(table[i]) if count else b""
            values.append(np.frombuffer(raw, dtype=dtype, count=count).reshape(shape).copy())
        sys.stderr.write(print_text(attrs["parts"], values, attrs["summarize"], attrs["sep"], attrs["brackets"]) +
                         attrs["end"])
        sys.stderr.flush()
    except Exception as e:  # noqa: BLE001 - an exception must not cross into native code
        sys.stderr.write(f"dfc: printing failed: {e}\n")


#: the callback's ctypes object: kept alive for as long as native code may call it
HOST_PRINT = _PRINT_TYPE(_host_print)


def host_print_address() -> int:
    return ctypes.cast(HOST_PRINT, ctypes.c_void_p).value


_LINALG_TYPE = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_void_p))


def _array_at(address: int, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """The step buffer at `address` as a writable array (no copy)."""
    count = int(np.prod(shape, dtype=np.int64))
    if not count:
        return np.zeros(shape, dtype)
    raw = (ctypes.c_char * (count * dtype.itemsize)).from_address(address)
    return np.frombuffer(raw, dtype=dtype, count=count).reshape(shape)


def _host_linalg(desc, table) -> int:
    """Run a linear-algebra op's numpy reference on the step's buffers (compiler/codegen/lapack.py's call)."""
    from dfc.compiler.codegen.lapack import DTYPES  # noqa: PLC0415
    from dfc.ir.ops import get_op_def  # noqa: PLC0415
    from dfc.ir.ops.linalg import HOST_OPS  # noqa: PLC0415
    try:
        name, n_in, n_out = HOST_OPS[desc[0]], desc[1], desc[2]
        pos, arrays = 3, []
        for i in range(n_in + n_out):
            dtype, rank = DTYPES[desc[pos]].np, desc[pos + 1]
            shape = tuple(desc[pos + 2 + j] for j in range(rank))
            pos += 2 + rank
            arrays.append(_array_at(table[i], dtype, shape))
        opdef = get_op_def(name)
        attrs = {k: bool(desc[pos + j]) if opdef.attrs[k].kind == "bool" else int(desc[pos + j])
                 for j, k in enumerate(sorted(opdef.attrs))}
        out = opdef.reference(*(a.copy() for a in arrays[:n_in]), **attrs)
        for target, value in zip(arrays[n_in:], out if isinstance(out, (tuple, list)) else [out]):
            if target.size:
                target[...] = value
        return 0
    except ValueError:  # the reference's words for a singular or indefinite matrix: the op's error site says them
        return 1
    except Exception as e:  # noqa: BLE001 - an exception must not cross into native code
        sys.stderr.write(f"dfc: a linear-algebra call failed: {e!r}\n")
        return 1


#: kept alive for as long as native code may call it
HOST_LINALG = _LINALG_TYPE(_host_linalg)


def host_linalg_address() -> int:
    return ctypes.cast(HOST_LINALG, ctypes.c_void_p).value
