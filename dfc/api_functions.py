"""Naming the functions that factories make for TF1's API: the name, qualified name and docstring a user sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def api_function(fn: F, name: str, doc: str) -> F:
    """`fn` (a closure a factory made) named `name` and documented by `doc`, as help() and tracebacks show it."""
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn
