"""tf.gfile: TF1's file-system functions over local paths (Exists, MakeDirs, GFile, Glob, ...)."""

from __future__ import annotations

import glob as _glob
import os
import shutil
from collections.abc import Iterator

from dfc.ir.errors import DfcError

__all__ = ["Copy", "DeleteRecursively", "Exists", "FastGFile", "GFile", "Glob", "IsDirectory", "ListDirectory",
           "MakeDirs", "MkDir", "Open", "Remove", "Rename", "Stat", "Walk"]


class NotFoundError(DfcError):
    pass


def _exists_or_raise(path: str) -> None:
    if not os.path.exists(path):
        raise NotFoundError(f"{path}; No such file or directory")


class GFile:
    """A file object (TF1's tf.gfile.GFile); mode as for open(), text or binary."""

    def __init__(self, name: str, mode: str = "r"):
        if "r" in mode:
            _exists_or_raise(name)
        self.name = name
        self.mode = mode
        self._f = open(name, mode)  # noqa: SIM115 - closed by close()/__exit__

    def __enter__(self) -> GFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator:
        return iter(self._f)

    def read(self, n: int = -1):
        return self._f.read(n)

    def readline(self):
        return self._f.readline()

    def readlines(self):
        return self._f.readlines()

    def write(self, data) -> None:
        self._f.write(data)

    def flush(self) -> None:
        self._f.flush()

    def seek(self, offset: int, whence: int = 0) -> None:
        self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def size(self) -> int:
        return os.path.getsize(self.name)

    def close(self) -> None:
        self._f.close()


Open = GFile
FastGFile = GFile


def Exists(filename: str) -> bool:  # noqa: N802 - TF's names
    return os.path.exists(filename)


def IsDirectory(dirname: str) -> bool:  # noqa: N802
    return os.path.isdir(dirname)


def MakeDirs(dirname: str) -> None:  # noqa: N802
    os.makedirs(dirname, exist_ok=True)


def MkDir(dirname: str) -> None:  # noqa: N802
    if os.path.isdir(dirname):
        return
    os.mkdir(dirname)


def ListDirectory(dirname: str) -> list[str]:  # noqa: N802
    _exists_or_raise(dirname)
    return sorted(os.listdir(dirname))


def Glob(filename: str) -> list[str]:  # noqa: N802
    return sorted(_glob.glob(filename))


def Remove(filename: str) -> None:  # noqa: N802
    _exists_or_raise(filename)
    os.remove(filename)


def DeleteRecursively(dirname: str) -> None:  # noqa: N802
    _exists_or_raise(dirname)
    if os.path.isdir(dirname):
        shutil.rmtree(dirname)
    else:
        os.remove(dirname)


def Copy(oldpath: str, newpath: str, overwrite: bool = False) -> None:  # noqa: N802
    _exists_or_raise(oldpath)
    if os.path.exists(newpath) and not overwrite:
        raise FileExistsError(f"{newpath} exists; pass overwrite=True")
    shutil.copyfile(oldpath, newpath)


def Rename(oldname: str, newname: str, overwrite: bool = False) -> None:  # noqa: N802
    _exists_or_raise(oldname)
    if os.path.exists(newname) and not overwrite:
        raise FileExistsError(f"{newname} exists; pass overwrite=True")
    os.replace(oldname, newname)


class FileStatistics:
    def __init__(self, path: str):
        st = os.stat(path)
        self.length = st.st_size
        self.mtime_nsec = st.st_mtime_ns
        self.is_directory = os.path.isdir(path)


def Stat(filename: str) -> FileStatistics:  # noqa: N802
    _exists_or_raise(filename)
    return FileStatistics(filename)


def Walk(top: str, in_order: bool = True) -> Iterator[tuple[str, list[str], list[str]]]:  # noqa: N802
    yield from os.walk(top, topdown=in_order)
