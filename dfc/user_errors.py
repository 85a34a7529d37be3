"""User-facing API calls: a TypeError or ValueError that dfc raises names the call and the user's source line.

TF1 raises plain TypeError/ValueError for some bad arguments while building a graph (a bad dtype name, a
`num_or_size_splits` that does not divide the axis, no gradients for `minimize`). dfc keeps those classes
where TF has them, and adds where the user called it: the API function (`tf.split`), the op name the user
gave, and the file:line:col of the call in the user's program. The TF error classes (InvalidArgumentError,
ShapeError, ...) carry their own location already; a TypeError/ValueError raised by the user's own code (a
function passed to dfc) is left as it is.

Public functions and the methods of public classes are wrapped once, in place, when the package first hands
them out (dfc/__init__.py calls `locate_module` / `located`); a wrapper costs one call frame.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import sys
import types
from typing import Any

import os

import dfc
from dfc.ir import builder

def _package_dirs() -> tuple[str, ...]:
    """The source directories of dfc and its subpackages, wherever the install put them."""
    dirs = [os.path.abspath(d) + os.sep for d in dfc.__path__]
    for sub in ("ir", "compiler", "runtime", "tools"):
        spec = importlib.util.find_spec(f"dfc.{sub}")
        dirs += [os.path.abspath(d) + os.sep for d in (spec.submodule_search_locations or [])] if spec else []
    return tuple(dirs)


_OUR_DIRS = _package_dirs()


def _is_ours(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_OUR_DIRS)

#: dunder methods through which user code calls dfc (operators, indexing, construction, iteration)
_USER_DUNDERS = frozenset(
    f"__{name}__" for name in (
        "init", "call", "getitem", "setitem", "iter", "bool", "len", "index", "int", "float", "neg", "pos", "abs",
        "invert", "lt", "le", "gt", "ge", "enter",
        *(f"{r}{op}" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
                                "xor", "lshift", "rshift", "div") for r in ("", "r"))))
_LOCATED = "_dfc_located"
_wrapped_modules: set[str] = set()
_wrapped_classes: set[type] = set()
_builtin_classes_done: list[bool] = []
_wrappers: dict[Any, Any] = {}


def _raised_inside_dfc(error: BaseException) -> bool:
    """Whether the innermost frame of the error's traceback is dfc's code (not a function the user passed in)."""
    tb = error.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return _is_ours(tb.tb_frame.f_code.co_filename)


def add_location(error: BaseException, api: str, op_name: Any = None) -> None:
    """Append `[in API 'name' at file:line:col]` to a plain TypeError/ValueError raised by dfc, once."""
    if type(error) not in (TypeError, ValueError) or getattr(error, _LOCATED, False):
        return
    if not _raised_inside_dfc(error):
        return
    loc = builder.capture_location()
    named = f" '{op_name}'" if isinstance(op_name, str) and op_name else ""
    where = f" at {loc}" if loc is not None else ""
    message = str(error.args[0]) if len(error.args) == 1 else str(error)
    error.args = (f"{message} [in {api}{named}{where}]",)
    setattr(error, _LOCATED, True)


def located(function: Any, api: str) -> Any:
    """`function` wrapped so that a TypeError/ValueError it raises names `api`, the op name and the user's line."""
    if getattr(function, _LOCATED, False) or not callable(function):
        return function

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (TypeError, ValueError) as error:
            # only the outermost dfc call locates the error: the one the user's own code made
            if not _is_ours(sys._getframe(1).f_code.co_filename):
                add_location(error, api, kwargs.get("name"))
            raise

    setattr(wrapper, _LOCATED, True)
    return wrapper


def _ours(obj: Any) -> bool:
    return (getattr(obj, "__module__", None) or "").startswith("dfc.")


def locate_class(cls: type, api: str) -> type:
    """Wrap, in place, the public methods and user-facing dunders that `cls` itself defines (once per class)."""
    if cls in _wrapped_classes or not _ours(cls):
        return cls
    _wrapped_classes.add(cls)
    for base in cls.__mro__[1:]:
        if _ours(base):  # a private base (the tensors' operators) is named after the public class
            locate_class(base, api if base.__name__.startswith("_") else f"{api.rsplit('.', 1)[0]}.{base.__name__}")
    for attr, member in list(vars(cls).items()):
        if attr.startswith("_") and attr not in _USER_DUNDERS:
            continue
        qualified = api if attr == "__init__" else f"{api}.{attr}"
        if isinstance(member, (staticmethod, classmethod)):
            setattr(cls, attr, type(member)(located(member.__func__, qualified)))
        elif isinstance(member, types.FunctionType):
            setattr(cls, attr, located(member, qualified))
    return cls


def locate_value(value: Any, api: str) -> Any:
    """The object to hand out for the public name `api`: functions wrapped, classes and modules wrapped in place."""
    if isinstance(value, types.ModuleType):
        locate_module(value, api)
        return value
    if inspect.isclass(value):
        return locate_class(value, api)
    if isinstance(value, types.FunctionType) and _ours(value):
        return _located_function(value, api)
    return value


def _located_function(function: types.FunctionType, api: str) -> Any:
    """One wrapper per function, also set on the module that defines it (so that pickle finds it there)."""
    wrapper = _wrappers.get(function)
    if wrapper is None:
        wrapper = _wrappers[function] = located(function, _top_level_name(function, api.rsplit(".", 1)[-1]) or api)
        home = sys.modules.get(function.__module__)
        if home is not None and getattr(home, function.__name__, None) is function:
            setattr(home, function.__name__, wrapper)
    return wrapper


def _top_level_name(function: types.FunctionType, attr: str) -> str | None:
    """`tf.<attr>` when the package exports `function` as `attr` (whichever module re-exporting it is located
    first: tf.sparse's use of reduce_sum must not name tf.reduce_sum's errors)."""
    home = getattr(dfc, "_WHERE", {}).get(attr)
    module = sys.modules.get(f"dfc{home}") if home else None
    found = vars(module).get(attr) if module is not None else None
    return f"tf.{attr}" if found is function or getattr(found, "__wrapped__", None) is function else None


def locate_module(module: types.ModuleType, api: str) -> None:
    """Wrap the public functions and classes of a dfc module (and of its public dfc submodules), once."""
    if module.__name__ in _wrapped_modules or not module.__name__.startswith("dfc."):
        return
    _wrapped_modules.add(module.__name__)
    public = [(attr, value) for attr, value in vars(module).items() if not attr.startswith("_")]
    # the module's own names first: a function it re-exports from a submodule is named as the module has it
    for attr, value in public:
        if isinstance(value, types.ModuleType):
            continue
        defined_here = getattr(value, "__module__", None) == module.__name__
        name = f"{api}.{attr}" if defined_here or not inspect.isclass(value) else f"tf.{value.__name__}"
        wrapped = locate_value(value, name)
        if wrapped is not value:
            setattr(module, attr, wrapped)
    for attr, value in public:
        if isinstance(value, types.ModuleType) and value.__name__.startswith(module.__name__ + "."):
            locate_module(value, f"{api}.{attr}")


def locate_builtin_classes() -> None:
    """The classes whose objects user code holds without naming them: tensors, ops, variables, sessions."""
    if _builtin_classes_done:
        return
    _builtin_classes_done.append(True)
    for module, name in (("framework", "Tensor"), ("framework", "Operation"), ("variables", "Variable"),
                         ("session", "Session")):
        locate_class(getattr(importlib.import_module(f"dfc.{module}"), name), f"tf.{name}")
