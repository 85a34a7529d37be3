"""tf.make_template: a function whose variables are made on its first call and shared by every later call."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .framework import get_default_graph
from .variables import (Variable, VariableScope, get_variable_scope, global_variables, local_variables,
                        trainable_variables, variable_scope)


class Template:
    """A function whose variables are made on its first call and shared by every later call (tf.make_template)."""

    def __init__(self, name: str, func, create_scope_now: bool = False, unique_name: str | None = None,
                 custom_getter=None, **kwargs):
        if not name:
            raise ValueError("name cannot be None.")
        self._name = name
        self._func = (lambda *a, **k: func(*a, **{**kwargs, **k})) if kwargs else func
        self._unique_name = unique_name
        self._variable_scope: VariableScope | None = None
        self._variables_created = False
        if create_scope_now:
            with self._first_scope() as scope:
                self._variable_scope = scope

    @contextlib.contextmanager
    def _first_scope(self) -> Iterator[VariableScope]:
        if self._unique_name is not None:
            with variable_scope(self._unique_name) as scope:
                yield scope
            return
        # TF's variable_scope(None, default_name=name): a fresh scope name per template ('t', 't_1', ...)
        graph = get_default_graph()
        outer = get_variable_scope().name
        taken = graph.collections.setdefault("__template_scope_names", set())
        base = f"{outer}/{self._name}" if outer else self._name
        full, k = base, 0
        while full in taken:
            k += 1
            full = f"{base}_{k}"
        taken.add(full)
        with variable_scope(full.rsplit("/", 1)[-1]) as scope:
            yield scope

    def __call__(self, *args, **kwargs):
        if self._variables_created:
            trainable_before = len(trainable_variables())
            with variable_scope(self._variable_scope, reuse=True):
                result = self._func(*args, **kwargs)
            if len(trainable_variables()) != trainable_before:
                raise ValueError(f"Trainable variable created when calling a template after the first time, perhaps "
                                 f"you used tf.Variable when you meant tf.get_variable (template '{self._name}')")
            return result
        if self._variable_scope is not None:
            with variable_scope(self._variable_scope) as scope:
                result = self._func(*args, **kwargs)
        else:
            with self._first_scope() as scope:
                self._variable_scope = scope
                result = self._func(*args, **kwargs)
        self._variables_created = True
        return result

    @property
    def name(self) -> str:
        return self._name

    @property
    def func(self):
        return self._func

    @property
    def variable_scope(self) -> VariableScope | None:
        return self._variable_scope

    @property
    def variable_scope_name(self) -> str | None:
        """The scope's name with a trailing '/', as TF's."""
        return self._variable_scope.original_name_scope if self._variable_scope is not None else None

    var_scope = variable_scope

    def _scoped(self, variables: list[Variable]) -> list[Variable]:
        if self._variable_scope is None:
            return []
        prefix = self._variable_scope.name + "/"
        return [v for v in variables if v.op.name.startswith(prefix)]

    @property
    def variables(self) -> list[Variable]:
        return self._scoped(global_variables() + local_variables())

    @property
    def global_variables(self) -> list[Variable]:
        return self._scoped(global_variables())

    @property
    def trainable_variables(self) -> list[Variable]:
        return self._scoped(trainable_variables())

    @property
    def non_trainable_variables(self) -> list[Variable]:
        trainable = set(map(id, trainable_variables()))
        return [v for v in self.global_variables if id(v) not in trainable]

    @property
    def local_variables(self) -> list[Variable]:
        return self._scoped(local_variables())


def make_template(name_: str, func_, create_scope_now_: bool = False, unique_name_: str | None = None,
                  custom_getter_=None, **kwargs) -> Template:
    """Wrap `func_` so that all its calls share the variables its first call makes (under scope `name_`)."""
    return Template(name_, func_, create_scope_now=create_scope_now_, unique_name=unique_name_,
                    custom_getter=custom_getter_, **kwargs)
