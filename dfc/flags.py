"""tf.flags (tf.app.flags): absl's flags, as TF routes them, with TF's two differences.

TF1's tf.flags is absl.flags itself (the same FLAGS registry, so flags a script defines with absl are tf.flags' too),
except that (1) reading a flag before the command line is parsed parses sys.argv first instead of raising
UnparsedFlagAccessError, and (2) DEFINE_string/boolean/float/integer still take TF's older keyword names
(flag_name, default_value, docstring).
"""

import functools as _functools
import logging as _logging
import sys as _sys
import typing as _t

from absl import flags as _absl
from absl.flags import *  # noqa: F403 - tf.flags is absl.flags' whole API  # pylint: disable=wildcard-import
from absl.flags import __all__ as _absl_names

__all__ = list(_absl_names)  # the module's other names are private: dir(tf.flags) is absl's API

# absl names the module that defined a flag (in help and errors) by the first caller outside its disclaimed
# modules: this one's DEFINE wrappers are not that module, the user's script is
_absl.disclaim_key_flags()

#: TF's older keyword names of the DEFINE functions -> absl's
_RENAMED_ARGUMENTS = {"flag_name": "name", "default_value": "default", "docstring": "help"}


def _accept_old_names(define: _t.Callable[..., _t.Any]) -> _t.Callable[..., _t.Any]:
    @_functools.wraps(define)
    def wrapper(*args: _t.Any, **kwargs: _t.Any) -> _t.Any:
        old = [key for key in _RENAMED_ARGUMENTS if key in kwargs]
        for key in old:
            kwargs[_RENAMED_ARGUMENTS[key]] = kwargs.pop(key)
        if old:
            _logging.getLogger("dfc").warning(
                "Use of the keyword argument names (flag_name, default_value, docstring) is deprecated, please use "
                "(name, default, help) instead.")
        return define(*args, **kwargs)
    return wrapper


DEFINE_string = _accept_old_names(_absl.DEFINE_string)
DEFINE_boolean = _accept_old_names(_absl.DEFINE_boolean)
DEFINE_bool = DEFINE_boolean
DEFINE_float = _accept_old_names(_absl.DEFINE_float)
DEFINE_integer = _accept_old_names(_absl.DEFINE_integer)


class _ParsingFlagValues:
    """absl's FLAGS, except that the first read of a flag before parsing parses sys.argv (as TF1 scripts expect)."""

    def __init__(self, wrapped: _absl.FlagValues):
        self.__dict__["__wrapped"] = wrapped

    def __getattribute__(self, name: str) -> _t.Any:
        if name == "__dict__":
            return super().__getattribute__(name)
        return self.__dict__["__wrapped"].__getattribute__(name)

    def __getattr__(self, name: str) -> _t.Any:
        wrapped = self.__dict__["__wrapped"]
        if not wrapped.is_parsed():
            wrapped(_sys.argv)
        return wrapped.__getattr__(name)

    def __setattr__(self, name: str, value: _t.Any) -> None:
        self.__dict__["__wrapped"].__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        self.__dict__["__wrapped"].__delattr__(name)

    def __dir__(self) -> list[str]:
        return self.__dict__["__wrapped"].__dir__()

    def __getitem__(self, name: str) -> _t.Any:
        return self.__dict__["__wrapped"].__getitem__(name)

    def __setitem__(self, name: str, flag: _t.Any) -> None:
        self.__dict__["__wrapped"].__setitem__(name, flag)

    def __len__(self) -> int:
        return self.__dict__["__wrapped"].__len__()

    def __iter__(self):
        return self.__dict__["__wrapped"].__iter__()

    def __str__(self) -> str:
        return self.__dict__["__wrapped"].__str__()

    def __call__(self, *args: _t.Any, **kwargs: _t.Any) -> _t.Any:
        return self.__dict__["__wrapped"].__call__(*args, **kwargs)


FLAGS = _ParsingFlagValues(_absl.FLAGS)
