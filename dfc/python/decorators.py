"""tf.python.util.tf_decorator and tf_contextlib: decorators that keep the decorated function's identity.

Libraries built on TF1 (tflearn's arg_scope, contrib's add_arg_scope) wrap functions with make_decorator so the
wrapper still carries the target's name, docstring and module, and can be unwrapped to reach the target.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any


class TFDecorator:
    """What make_decorator records on a wrapper: the decorator's name and doc, and the function it wraps."""

    def __init__(self, decorator_name: str, target: Callable, decorator_doc: str = "",
                 decorator_argspec: Any = None):
        self.decorator_name = decorator_name
        self.decorated_target = target
        self.decorator_doc = decorator_doc
        self.decorator_argspec = decorator_argspec


def make_decorator(target: Callable, decorator_func: Callable, decorator_name: str | None = None,
                   decorator_doc: str = "", decorator_argspec: Any = None) -> Callable:
    """`decorator_func` made to look like `target` (name, qualname, module, doc, __wrapped__), with a
    `_tf_decorator` record that unwrap reads; the name defaults to the caller's function name, as TF's does."""
    if decorator_name is None:
        import inspect
        decorator_name = inspect.currentframe().f_back.f_code.co_name
    record = TFDecorator(decorator_name, target, decorator_doc, decorator_argspec)
    for attr in ("__name__", "__qualname__", "__module__"):
        if hasattr(target, attr):
            try:
                setattr(decorator_func, attr, getattr(target, attr))
            except (AttributeError, TypeError):  # a bound method or builtin keeps its own
                pass
    if hasattr(target, "__dict__") and hasattr(decorator_func, "__dict__"):
        for key, value in target.__dict__.items():
            if key not in ("_tf_decorator", "__wrapped__"):
                decorator_func.__dict__.setdefault(key, value)
    try:
        decorator_func.__doc__ = target.__doc__ if not decorator_doc else \
            f"{target.__doc__ or ''}\n\n{decorator_doc}".strip()
        decorator_func._tf_decorator = record
        decorator_func.__wrapped__ = target
    except AttributeError:
        pass
    return decorator_func


def unwrap(maybe_tf_decorator: Any) -> tuple[list[TFDecorator], Any]:
    """(the TFDecorator records outermost first, the innermost target), following `_tf_decorator` links (a
    functools.partial is a target of its own, as in TF)."""
    decorators: list[TFDecorator] = []
    target = maybe_tf_decorator
    while True:
        if isinstance(target, TFDecorator):
            record = target
        elif isinstance(getattr(target, "_tf_decorator", None), TFDecorator):
            record = target._tf_decorator
        else:
            break
        decorators.append(record)
        target = record.decorated_target
    return decorators, target


def contextmanager(target: Callable) -> Callable:
    """contextlib.contextmanager(target) that keeps target's name and doc (TF's tf_contextlib.contextmanager)."""
    return make_decorator(target, contextlib.contextmanager(target), "contextmanager")
