"""PTX linked to a cubin (the GPU's machine code) offline by NVIDIA's nvJitLink, through ctypes; no GPU needed.

The GPU runtime loads a kernel from the cubin nvJitLink makes for the device's exact architecture (sm_80's
PTX becomes sm_86 or sm_90 machine code) when the library is there, and from PTX through the driver's JIT
otherwise. Cubins are kept in the kernel cache like the PTX they come from, keyed by the PTX, the architecture
and nvJitLink's version, so a new process neither runs LLVM nor links.

The library comes from the nvidia-nvjitlink wheels (nvidia-nvjitlink-cu12, nvidia-nvjitlink for CUDA 13), a
CUDA install ($CUDA_HOME, /usr/local/cuda) or the loader's path, the driver's CUDA version first.
`DFC_NVJITLINK=0` turns the cubin path off (the driver JITs the PTX); `DFC_NVJITLINK=/path/to/libnvJitLink.so`
names the library to use.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import hashlib
import os
import re
import struct

from . import kernel_cache

#: nvJitLinkInputType's NVJITLINK_INPUT_PTX
INPUT_PTX = 2
#: ELF's e_machine of NVIDIA GPU code
EM_CUDA = 190


class NvJitLinkError(RuntimeError):
    """nvJitLink is missing or refused to link: the message holds its error log."""


def _so_major(path: str) -> int | None:
    m = re.search(r"\.so\.(\d+)$", path)
    return int(m.group(1)) if m else None


def _candidates(driver_major: int | None) -> list[str]:
    """Where nvJitLink's library may be, the driver's CUDA version first: a driver refuses the cubins of a newer
    nvJitLink (CUDA 13's ELF ABI is not 12's), so an older one comes next and a newer one last."""
    names: list[str] = []
    try:
        import nvidia  # noqa: PLC0415 - the CUDA wheels' namespace package

        for base in nvidia.__path__:  # nvidia/nvjitlink/lib (the cu12 wheel), nvidia/cu13/lib (cu13)
            names += sorted(glob.glob(os.path.join(base, "*", "lib", "libnvJitLink.so*")), reverse=True)
    except ImportError:
        pass
    for root in filter(None, [os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"]):
        names += sorted(glob.glob(os.path.join(root, "lib64", "libnvJitLink.so*")), reverse=True)
    names += ["libnvJitLink.so.13", "libnvJitLink.so.12"]

    def rank(path: str) -> tuple[int, int]:
        major = _so_major(path) or 0
        if driver_major is None:
            return 0, -major
        return (0 if major == driver_major else 1 if major < driver_major else 2), -major
    return sorted(names, key=rank) + ["libnvJitLink.so"]


#: the CUDA major version of the process's driver (set by runtime/gpu.py's context): picks the library
DRIVER_MAJOR: list[int | None] = [None]


def _library() -> tuple[ctypes.CDLL | None, str]:
    """(nvJitLink's library, "") or (None, why there is none)."""
    return _load(os.environ.get("DFC_NVJITLINK", ""), DRIVER_MAJOR[0])


@functools.cache
def _load(setting: str, driver_major: int | None) -> tuple[ctypes.CDLL | None, str]:
    if setting == "0":
        return None, "DFC_NVJITLINK=0 turned nvJitLink off"
    tried = [setting] if setting else _candidates(driver_major)
    for name in tried:
        try:
            lib = ctypes.CDLL(name)
            lib.nvJitLinkCreate  # noqa: B018 - a library of that name without nvJitLink's API is not it
        except (OSError, AttributeError):
            continue
        vp = ctypes.POINTER(ctypes.c_void_p)
        lib.nvJitLinkCreate.argtypes = [vp, ctypes.c_uint32, ctypes.POINTER(ctypes.c_char_p)]
        lib.nvJitLinkAddData.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
                                         ctypes.c_char_p]
        for fn in ("nvJitLinkComplete",):
            getattr(lib, fn).argtypes = [ctypes.c_void_p]
        for fn in ("nvJitLinkGetLinkedCubinSize", "nvJitLinkGetErrorLogSize", "nvJitLinkGetInfoLogSize"):
            getattr(lib, fn).argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
        for fn in ("nvJitLinkGetLinkedCubin", "nvJitLinkGetErrorLog", "nvJitLinkGetInfoLog"):
            getattr(lib, fn).argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.nvJitLinkDestroy.argtypes = [vp]
        return lib, ""
    where = f"DFC_NVJITLINK={setting}" if setting else "the nvidia-nvjitlink wheel, $CUDA_HOME or the loader's path"
    return None, (f"nvJitLink's library was not found in {where}: pip install nvidia-nvjitlink-cu12 (CUDA 12) "
                  "or nvidia-nvjitlink (CUDA 13)")


def unavailable_reason() -> str:
    """Why PTX cannot be linked to cubins here ("" when it can)."""
    return _library()[1]


def version() -> tuple[int, int]:
    """nvJitLink's (major, minor) version."""
    lib = _require()
    major, minor = ctypes.c_uint(), ctypes.c_uint()
    if lib.nvJitLinkVersion(ctypes.byref(major), ctypes.byref(minor)):
        raise NvJitLinkError("nvJitLinkVersion failed")
    return major.value, minor.value


def _require() -> ctypes.CDLL:
    lib, why = _library()
    if lib is None:
        raise NvJitLinkError(why)
    return lib


def _log(lib: ctypes.CDLL, handle: ctypes.c_void_p, which: str) -> str:
    size = ctypes.c_size_t()
    if getattr(lib, f"nvJitLinkGet{which}LogSize")(handle, ctypes.byref(size)) or not size.value:
        return ""
    buf = ctypes.create_string_buffer(size.value)
    getattr(lib, f"nvJitLinkGet{which}Log")(handle, buf)
    return buf.value.decode(errors="replace").strip()


def link(ptx: str | list[str], arch: str) -> bytes:
    """The cubin (an ELF image) of one or more PTX modules for `arch` (sm_80, sm_86, sm_90, ...)."""
    lib = _require()
    modules = [ptx] if isinstance(ptx, str) else list(ptx)
    options = (ctypes.c_char_p * 2)(f"-arch={arch}".encode(), b"-O3")
    handle = ctypes.c_void_p()
    status = lib.nvJitLinkCreate(ctypes.byref(handle), 2, options)
    if status:
        raise NvJitLinkError(f"nvJitLink cannot link for {arch} (nvJitLinkCreate returned {status})")
    try:
        for k, text in enumerate(modules):
            data = text.encode()
            status = lib.nvJitLinkAddData(handle, INPUT_PTX, data, len(data), f"module{k}.ptx".encode())
            if status:
                raise NvJitLinkError(f"nvJitLink rejected PTX module {k} for {arch} (status {status}): "
                                     f"{_log(lib, handle, 'Error')}")
        status = lib.nvJitLinkComplete(handle)
        if status:
            raise NvJitLinkError(f"nvJitLink could not link the PTX for {arch} (status {status}): "
                                 f"{_log(lib, handle, 'Error')}")
        size = ctypes.c_size_t()
        lib.nvJitLinkGetLinkedCubinSize(handle, ctypes.byref(size))
        cubin = ctypes.create_string_buffer(size.value)
        lib.nvJitLinkGetLinkedCubin(handle, cubin)
        return cubin.raw
    finally:
        lib.nvJitLinkDestroy(ctypes.byref(handle))


def cubin_key(ptx: str, arch: str) -> bytes:
    """The kernel cache's key of the cubin linked from `ptx` for `arch` by this nvJitLink."""
    return hashlib.sha256(f"nvjitlink {version()}\0{arch}\0{ptx}".encode()).digest()


def cubins(ptx: dict[str, str], arch: str) -> dict[str, bytes]:
    """The cubin of each kernel (by symbol) for `arch`, from the kernel cache or linked now; {} without nvJitLink.
    A kernel nvJitLink refuses (an architecture this version does not know) is left out: it loads from PTX."""
    if _library()[0] is None:
        return {}
    out = {}
    for symbol, text in ptx.items():
        try:
            image = kernel_cache.derived(cubin_key(text, arch), lambda text=text: link(text, arch))
            if symbol in elf_kernels(image)[1]:
                out[symbol] = image
        except (NvJitLinkError, ValueError):  # refused, or not a cubin of the kernel: the PTX it is
            continue
    return out


def elf_kernels(image: bytes) -> tuple[str, set[str]]:
    """(the architecture, e.g. "sm_90", and the global functions) of a cubin; ValueError if it is not one."""
    if image[:4] != b"\x7fELF" or image[4] != 2 or len(image) < 64:
        raise ValueError("not a 64-bit ELF image")
    machine, = struct.unpack_from("<H", image, 18)
    flags, = struct.unpack_from("<I", image, 48)
    if machine != EM_CUDA:
        raise ValueError(f"an ELF image for machine {machine}, not a CUDA GPU ({EM_CUDA})")
    # CUDA's ELF ABI 7 (OSABI 0x33) keeps the SM number in e_flags' low byte, ABI 8 (OSABI 0x41, CUDA 13) in
    # the next one
    sm = (flags >> 8) & 0xFF if image[8] >= 8 else flags & 0xFF
    shoff, = struct.unpack_from("<Q", image, 40)
    entsize, count = struct.unpack_from("<HH", image, 58)
    sections = [struct.unpack_from("<IIQQQQIIQQ", image, shoff + k * entsize) for k in range(count)]
    names: set[str] = set()
    for _, kind, _, _, offset, size, link_to, _, _, symsize in sections:
        if kind != 2 or not symsize:  # SHT_SYMTAB
            continue
        strtab = sections[link_to][4]
        for at in range(offset, offset + size, symsize):
            name_at, info = struct.unpack_from("<IB", image, at)
            if info >> 4 == 1 and info & 0xF == 2:  # STB_GLOBAL, STT_FUNC
                end = image.index(b"\0", strtab + name_at)
                names.add(image[strtab + name_at:end].decode())
    return f"sm_{sm}", names
