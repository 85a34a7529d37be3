"""Unchanged TF1 scripts on dfc: `import tensorflow as tf` and `tensorflow.X` imports served by dfc's modules.

`install()` puts a finder first on `sys.meta_path` that answers every `tensorflow` import in this process:

    tensorflow                      -> dfc
    tensorflow.compat.v1            -> dfc (dfc's API is TF1's)
    tensorflow.X.Y                  -> dfc.X.Y where dfc has that module (tensorflow.python.* through
                                       dfc.python's aliases, tensorflow.contrib.slim, tensorflow.keras.layers)
                                    -> else the module dfc's attribute path names (tensorflow.nn.rnn_cell)

A path dfc does not provide raises ModuleNotFoundError naming the TensorFlow path, as a missing module does;
the real TensorFlow, when installed, is never half-imported under dfc. `dfc exec train.py ARGS` (and
`run_script`) runs a script so, as `python train.py ARGS` would; `uninstall()` takes the finder away again.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import os
import runpy
import sys
import types
from collections.abc import Iterator, Sequence

__all__ = ["install", "installed", "run_script", "uninstall"]

_ROOT = "tensorflow"
#: TF paths that are dfc itself
_SAME_AS_ROOT = frozenset({"compat.v1"})
#: TF paths dfc deliberately lacks, with why
_NOT_PROVIDED = {"compat.v2": "it is TF2's API (eager execution); dfc provides TF1's, tensorflow.compat.v1"}


def _dfc_module_for(tf_name: str) -> types.ModuleType:
    """The dfc module that TF module path `tf_name` stands for; ModuleNotFoundError when dfc has none."""
    if tf_name == _ROOT:
        return importlib.import_module("dfc")
    rest = tf_name[len(_ROOT) + 1:]
    if rest in _SAME_AS_ROOT:
        return importlib.import_module("dfc")
    if rest in _NOT_PROVIDED:
        raise ModuleNotFoundError(f"No module named {tf_name!r}: {_NOT_PROVIDED[rest]}", name=tf_name)
    try:
        return importlib.import_module(f"dfc.{rest}")
    except ModuleNotFoundError as e:
        if e.name is None or not f"dfc.{rest}".startswith(e.name):
            raise  # dfc's module exists but an import inside it failed: that error is the one to see
    value: object = importlib.import_module("dfc")
    for part in rest.split("."):
        value = getattr(value, part, None)
    if isinstance(value, types.ModuleType):
        return value
    raise ModuleNotFoundError(f"No module named {tf_name!r}: dfc (serving `tensorflow` imports) provides no "
                              f"module dfc.{rest}", name=tf_name)


class _TensorFlowFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `tensorflow[.X]` as the dfc module it stands for, keeping that module's own identity and spec."""

    def __init__(self) -> None:
        self.served: dict[str, types.ModuleType] = {}
        self._specs: dict[int, object] = {}

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != _ROOT and not fullname.startswith(_ROOT + "."):
            return None
        module = _dfc_module_for(fullname)
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        spec.loader_state = module
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = spec.loader_state
        # the import system overwrites __spec__ with the tensorflow one: keep dfc's to put back
        self._specs[id(module)] = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        own_spec = self._specs.pop(id(module), None)
        if own_spec is not None:
            module.__spec__ = own_spec
        if not hasattr(module, "__path__"):
            # TF's modules are packages (`import tensorflow.nn.rnn_cell` works): a plain dfc module needs a
            # __path__ for the import system to look for submodules, which this finder then serves
            module.__path__ = []
        self.served[module.__spec__.name if module.__spec__ else module.__name__] = module


def _finder() -> _TensorFlowFinder | None:
    return next((f for f in sys.meta_path if isinstance(f, _TensorFlowFinder)), None)


def install() -> None:
    """Serve `tensorflow` imports from dfc in this process (idempotent)."""
    if _finder() is not None:
        return
    already = sys.modules.get(_ROOT)
    if already is not None:
        raise RuntimeError(f"tensorflow is already imported in this process (from "
                           f"{getattr(already, '__file__', already)}): install dfc's alias before the first "
                           f"`import tensorflow`")
    sys.meta_path.insert(0, _TensorFlowFinder())


def uninstall() -> None:
    """Stop serving `tensorflow` imports from dfc and forget the `tensorflow` modules served so far."""
    finder = _finder()
    if finder is None:
        return
    sys.meta_path.remove(finder)
    for name in [n for n in sys.modules if n == _ROOT or n.startswith(_ROOT + ".")]:
        del sys.modules[name]


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """`install()` for the duration of a with block, unless it was installed already."""
    was_installed = _finder() is not None
    install()
    try:
        yield
    finally:
        if not was_installed:
            uninstall()


def run_script(path: str | os.PathLike, argv: Sequence[str] = ()) -> None:
    """Run a Python script as `python path argv...` would, with its `tensorflow` imports served by dfc."""
    script = os.fspath(path)
    if not os.path.isfile(script):
        raise FileNotFoundError(f"{script}: no such script")
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [script, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        with installed():
            runpy.run_path(script, run_name="__main__")
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
