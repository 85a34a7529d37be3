"""tf.gfile and tf.io.gfile: TF's file-system functions over local paths, with TF's errors (NotFoundError, ...).

tf.gfile has TF1's names (Exists, MakeDirs, GFile, Glob, ...); dfc/io.py exposes the same functions
under tf.io.gfile's names (exists, makedirs, glob, ...).
"""

from __future__ import annotations

import glob as _glob
import os
import shutil
from collections.abc import Iterator
from typing import Any

from dfc.ir.errors import AlreadyExistsError, FailedPreconditionError, NotFoundError, PermissionDeniedError

__all__ = ["Copy", "DeleteRecursively", "Exists", "FastGFile", "GFile", "Glob", "IsDirectory", "ListDirectory",
           "MakeDirs", "MkDir", "Open", "Remove", "Rename", "Stat", "Walk"]


def _exists_or_raise(path: str) -> None:
    if not os.path.exists(path):
        raise NotFoundError(f"{path}; No such file or directory")


def _os_error(error: OSError, path: str) -> Exception:
    """TF's error class for an OSError on `path` (the message names the path)."""
    if isinstance(error, FileNotFoundError):
        return NotFoundError(f"{path}; No such file or directory")
    if isinstance(error, FileExistsError):
        return AlreadyExistsError(f"{path}; File exists")
    if isinstance(error, PermissionError):
        return PermissionDeniedError(f"{path}; Permission denied")
    if isinstance(error, (IsADirectoryError, NotADirectoryError)):
        return FailedPreconditionError(f"{path}; {error.strerror}")
    return FailedPreconditionError(f"{path}; {error}")


class GFile:
    """A file object (TF's tf.io.gfile.GFile); mode as for open(), text or binary.

    A file for reading must exist when made (NotFoundError); one for writing is opened at its
    first write, as TF's: a missing directory is an error then.
    """

    def __init__(self, name: Any, mode: str = "r"):
        self.name = os.fspath(name)
        self.mode = mode
        self._f: Any = None
        if "r" in mode:
            self._open()

    def _open(self) -> Any:
        if self._f is None:
            if os.path.isdir(self.name):
                raise FailedPreconditionError(f"{self.name}; Is a directory")
            try:
                self._f = open(self.name, self.mode)  # noqa: SIM115 - closed by close()/__exit__
            except OSError as e:
                raise _os_error(e, self.name) from None
        return self._f

    def _readable(self) -> Any:
        if "r" not in self.mode and "+" not in self.mode:
            raise PermissionDeniedError(f"File isn't open for reading: {self.name}")
        return self._open()

    def _writable(self) -> Any:
        if "r" in self.mode and "+" not in self.mode:
            raise PermissionDeniedError(f"File isn't open for writing: {self.name}")
        return self._open()

    def __enter__(self) -> GFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator:
        return iter(self._readable())

    def __next__(self):
        return next(self._readable())

    def next(self):
        return next(self._readable())

    def read(self, n: int = -1):
        return self._readable().read(n)

    def readline(self):
        return self._readable().readline()

    def readlines(self):
        return self._readable().readlines()

    def write(self, data) -> None:
        """TF1 writes str or bytes whatever the mode (it appends compat.as_bytes(data)): text files take bytes as
        UTF-8, binary files take str as its UTF-8 encoding."""
        f = self._writable()
        if "b" in self.mode and isinstance(data, str):
            data = data.encode("utf-8")
        elif "b" not in self.mode and isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode("utf-8")
        f.write(data)

    def flush(self) -> None:
        if self._f is not None:
            self._f.flush()

    def seek(self, offset: int | None = None, whence: int = 0, position: int | None = None) -> None:
        self._open().seek(position if offset is None else offset, whence)

    def tell(self) -> int:
        return self._open().tell()

    def seekable(self) -> bool:
        return True

    def size(self) -> int:
        if self._f is not None:
            self._f.flush()
        return os.path.getsize(self.name)

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None

    @property
    def closed(self) -> bool:
        return self._f is None


Open = GFile
FastGFile = GFile


def Exists(filename: str) -> bool:  # noqa: N802 - TF's names
    return os.path.exists(filename)


def IsDirectory(dirname: str) -> bool:  # noqa: N802
    return os.path.isdir(dirname)


def MakeDirs(dirname: str) -> None:  # noqa: N802
    try:
        os.makedirs(dirname, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise FailedPreconditionError(f"{dirname} is not a directory (a file is in its path)") from None


def MkDir(dirname: str) -> None:  # noqa: N802
    if os.path.isdir(dirname):
        return
    try:
        os.mkdir(dirname)
    except OSError as e:
        raise _os_error(e, dirname) from None


def ListDirectory(dirname: str) -> list[str]:  # noqa: N802
    if not os.path.isdir(dirname):
        raise NotFoundError(f"Could not find directory {dirname}")
    return sorted(os.listdir(dirname))


def Glob(filename: str | list[str]) -> list[str]:  # noqa: N802
    """The paths matching a pattern (or any of a list of patterns); TF writes a bare pattern's matches as './x'."""
    patterns = [filename] if isinstance(filename, (str, bytes, os.PathLike)) else list(filename)
    found: list[str] = []
    for pattern in patterns:
        pattern = os.fsdecode(pattern)
        matches = sorted(_glob.glob(pattern))
        if not os.path.dirname(pattern) and not os.path.isabs(pattern):
            matches = [os.path.join(".", m) for m in matches]
        found.extend(matches)
    return found


def Remove(filename: str) -> None:  # noqa: N802
    _exists_or_raise(filename)
    if os.path.isdir(filename):
        raise FailedPreconditionError(f"{filename}; Is a directory")
    os.remove(filename)


def DeleteRecursively(dirname: str) -> None:  # noqa: N802
    if not os.path.exists(dirname):
        raise NotFoundError(f"{dirname} not found")
    if os.path.isdir(dirname):
        shutil.rmtree(dirname)
    else:
        os.remove(dirname)


def Copy(oldpath: str, newpath: str, overwrite: bool = False) -> None:  # noqa: N802
    _exists_or_raise(oldpath)
    if os.path.exists(newpath) and not overwrite:
        raise AlreadyExistsError(f"file already exists: {newpath}")
    try:
        shutil.copyfile(oldpath, newpath)
    except OSError as e:
        raise _os_error(e, newpath) from None


def Rename(oldname: str, newname: str, overwrite: bool = False) -> None:  # noqa: N802
    _exists_or_raise(oldname)
    if os.path.exists(newname) and not overwrite:
        raise AlreadyExistsError(f"file already exists: {newname}")
    try:
        os.replace(oldname, newname)
    except OSError as e:
        raise _os_error(e, newname) from None


class FileStatistics:
    """What stat says of a file: length in bytes, mtime_nsec, is_directory (TF's FileStatistics)."""

    def __init__(self, path: str):
        st = os.stat(path)
        self.length = st.st_size
        self.mtime_nsec = st.st_mtime_ns
        self.is_directory = os.path.isdir(path)

    def __repr__(self) -> str:
        return f"FileStatistics(length={self.length}, mtime_nsec={self.mtime_nsec}, is_directory={self.is_directory})"


def Stat(filename: str) -> FileStatistics:  # noqa: N802
    _exists_or_raise(filename)
    return FileStatistics(filename)


def Walk(top: str, in_order: bool = True) -> Iterator[tuple[str, list[str], list[str]]]:  # noqa: N802
    """(directory, subdirectories, files) for `top` and each directory under it; nothing for a missing `top`."""
    for directory, subdirs, files in os.walk(top, topdown=in_order):
        subdirs.sort()
        yield directory, subdirs, sorted(files)
