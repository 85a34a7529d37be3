"""tf.app and tf.flags: `tf.app.run(main)` and command-line flags defined with DEFINE_* (TF1's absl wrapper)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["flags", "run"]


class _FlagValues:
    """FLAGS: defined flags as attributes; the first read parses sys.argv, ignoring arguments it does not know."""

    def __init__(self) -> None:
        object.__setattr__(self, "_defs", {})
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_parsed", False)

    def _define(self, name: str, default: Any, help: str | None, kind: str, **extra) -> None:
        if name in self._defs:
            raise DuplicateFlagError(f"The flag '{name}' is defined twice.")
        self._defs[name] = (kind, default, help, extra)
        self._values[name] = default

    def __call__(self, argv: Sequence[str], known_only: bool = True) -> list[str]:
        """Parse argv (argv[0] is the program); returns argv[0] and the arguments that are not flags."""
        parser = argparse.ArgumentParser(prog=argv[0] if argv else None, add_help=False, allow_abbrev=False)
        for name, (kind, _, help, _) in self._defs.items():
            if kind == "bool":
                parser.add_argument(f"--{name}", nargs="?", const="true", default=None, help=help)
                parser.add_argument(f"--no{name}", dest=f"__no_{name}", action="store_true", help=argparse.SUPPRESS)
            else:
                parser.add_argument(f"--{name}", default=None, help=help)
        known, rest = parser.parse_known_args(list(argv[1:]))
        for name, (kind, _, _, extra) in self._defs.items():
            raw = getattr(known, name)
            if kind == "bool" and getattr(known, f"__no_{name}"):
                self._values[name] = False
            elif raw is not None:
                self._values[name] = _convert(name, kind, raw, extra)
        object.__setattr__(self, "_parsed", True)
        unknown = [a for a in rest if a.startswith("--")]
        if unknown and not known_only:
            raise UnrecognizedFlagError(f"Unknown command line flag(s): {' '.join(unknown)}")
        return list(argv[:1]) + rest

    def _ensure_parsed(self) -> None:
        if not self._parsed:
            self(sys.argv)

    def __getattr__(self, name: str) -> Any:
        if name == "__flags":  # absl keeps its Flag objects under this name; TF1 scripts iterate it to log flags
            self._ensure_parsed()
            return {n: self[n] for n in self._defs}
        if name.startswith("__") or name not in self._defs:
            raise AttributeError(name)
        self._ensure_parsed()
        return self._values[name]

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._defs:
            raise AttributeError(f"no flag named '{name}' is defined")
        self._values[name] = value

    def __contains__(self, name: str) -> bool:
        return name in self._defs

    def __iter__(self):
        """The defined flags' names, in definition order (`{k: FLAGS[k].value for k in FLAGS}` logs them all);
        absl's own logging flags are not among them, dfc defines none of those."""
        return iter(list(self._defs))

    def __len__(self) -> int:
        return len(self._defs)

    def __getitem__(self, name: str) -> Flag:
        """absl's FLAGS['name']: the flag itself (its .value, .default, .help)."""
        if name not in self._defs:
            raise KeyError(name)
        kind, default, help, _ = self._defs[name]
        return Flag(self, name, kind, default, help)

    def is_parsed(self) -> bool:
        return self._parsed

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    def flag_values_dict(self) -> dict[str, Any]:
        self._ensure_parsed()
        return dict(self._values)

    def reset(self) -> None:
        """Forget every flag (for tests that define flags more than once)."""
        self._defs.clear()
        self._values.clear()
        object.__setattr__(self, "_parsed", False)


class Flag:
    """One defined flag as absl presents it: its name, kind, default, help and current value."""

    def __init__(self, values: _FlagValues, name: str, kind: str, default: Any, help: str | None):
        self._owner, self.name, self.flag_type, self.default, self.help = values, name, kind, default, help

    @property
    def value(self) -> Any:
        return getattr(self._owner, self.name)

    @value.setter
    def value(self, new: Any) -> None:
        setattr(self._owner, self.name, new)

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return f"<Flag {self.name}={self.value!r}>"


class DuplicateFlagError(Exception):
    pass


class UnrecognizedFlagError(Exception):
    pass


class IllegalFlagValueError(ValueError):
    pass


def _convert(name: str, kind: str, raw: Any, extra: dict) -> Any:
    if not isinstance(raw, str):
        return raw
    try:
        if kind == "integer":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            low = raw.lower()
            if low in ("true", "t", "1", "yes"):
                return True
            if low in ("false", "f", "0", "no"):
                return False
            raise ValueError(raw)
        if kind == "list":
            return [p for p in raw.split(",") if p]
        if kind == "enum" and raw not in extra["enum_values"]:
            raise ValueError(raw)
    except ValueError:
        raise IllegalFlagValueError(f"flag --{name}={raw}: not a valid {kind}") from None
    return raw


class _Flags:
    """The tf.app.flags module: DEFINE_string, DEFINE_integer, ... and FLAGS."""

    def __init__(self) -> None:
        self.FLAGS = _FlagValues()
        self.DuplicateFlagError = DuplicateFlagError
        self.UnrecognizedFlagError = UnrecognizedFlagError
        self.IllegalFlagValueError = IllegalFlagValueError

    def _definer(kind: str):  # noqa: N805 - a factory run in the class body
        def define(self, name: str, default: Any, help: str | None = None, flag_values=None, **extra) -> None:
            target = flag_values if flag_values is not None else self.FLAGS
            if kind != "string" and isinstance(default, str):
                default = _convert(name, kind, default, extra)
            target._define(name, default, help, kind, **extra)
        define.__name__ = f"DEFINE_{kind}"
        return define

    DEFINE_string = _definer("string")
    DEFINE_integer = _definer("integer")
    DEFINE_float = _definer("float")
    DEFINE_boolean = _definer("bool")
    DEFINE_bool = DEFINE_boolean
    DEFINE_list = _definer("list")

    def DEFINE_enum(self, name: str, default: str, enum_values: Sequence[str], help: str | None = None,  # noqa: N802
                    flag_values=None) -> None:
        (flag_values or self.FLAGS)._define(name, default, help, "enum", enum_values=tuple(enum_values))

    def mark_flag_as_required(self, name: str, flag_values=None) -> None:
        values = flag_values or self.FLAGS
        if values.__getattr__(name) is None:
            raise IllegalFlagValueError(f"flag --{name} must be given")


flags = _Flags()


def run(main: Callable[[list[str]], Any] | None = None, argv: Sequence[str] | None = None) -> None:
    """Parse the flags out of argv (sys.argv by default), call main(remaining argv) and exit with its result."""
    args = flags.FLAGS(list(sys.argv if argv is None else argv), known_only=True)
    if main is None:
        main = sys.modules["__main__"].main
    sys.exit(main(args))
