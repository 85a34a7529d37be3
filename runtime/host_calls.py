"""Functions of the host that native steps call: dfc_host_print (tf.Print and tf.print on the CPU backend)."""

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
