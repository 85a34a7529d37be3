"""tf.contrib.training: HParams (typed hyperparameters parsed from flags), the ps load-balancing strategies, and
the queue-based bucket, bucket_by_sequence_length and stratified_sample (contrib/bucketing.py).

GreedyLoadBalancingStrategy with byte_size_load_fn is the `ps_strategy` TF1's distributed
scripts give tf.train.replica_device_setter to spread variables over parameter servers by size.
"""

from __future__ import annotations

import json
import numbers
import re
from typing import Any

#: one clause of HParams.parse: `name=value`, `name=[v1, v2]` or `name[index]=value`
_CLAUSE = re.compile(r"""
  (?P<name>[a-zA-Z][\w.]*)
  (\[\s*(?P<index>\d+)\s*\])?
  \s*=\s*
  ((?P<val>[^,\[]*) | \[(?P<vals>[^\]]*)\])
  ($|,\s*)""", re.VERBOSE)


def _cast(name: str, param_type: type, value: Any) -> Any:
    """value as param_type when TF allows it: ints widen to floats, nothing else changes kind."""
    if type(value) is param_type or param_type is type(None):
        return value
    fail = f"Could not cast hparam '{name}' of type '{param_type}' from value {value!r}"
    if issubclass(param_type, (str, bytes)) and not isinstance(value, (str, bytes)):
        raise ValueError(fail)
    if issubclass(param_type, bool) != isinstance(value, bool):
        raise ValueError(fail)
    if issubclass(param_type, numbers.Integral) and not isinstance(value, numbers.Integral):
        raise ValueError(fail)
    if issubclass(param_type, numbers.Number) and not isinstance(value, numbers.Number):
        raise ValueError(fail)
    return param_type(value)


def _parse_bool(text: str) -> bool:
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    return bool(int(text))


class HParams:
    """Named hyperparameters with the type of their first value (a list keeps its elements' type)."""

    _HAS_DYNAMIC_ATTRIBUTES = True

    def __init__(self, hparam_def: Any = None, model_structure: Any = None, **kwargs: Any):
        self._hparam_types: dict[str, tuple[type, bool]] = {}
        self._model_structure = model_structure
        if hparam_def is not None:
            raise NotImplementedError("HParams(hparam_def=...) (an HParamDef proto) is not supported by dfc")
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name: str, value: Any) -> None:
        if getattr(self, name, None) is not None:
            raise ValueError(f"Hyperparameter name is reserved: {name}")
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(f"Multi-valued hyperparameters cannot be empty: {name}")
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name: str, value: Any) -> None:
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, list):
            if not is_list:
                raise ValueError(f"Must not pass a list for single-valued parameter: {name}")
            setattr(self, name, [_cast(name, param_type, v) for v in value])
        else:
            if is_list:
                raise ValueError(f"Must pass a list for multi-valued parameter: {name}.")
            setattr(self, name, _cast(name, param_type, value))

    def del_hparam(self, name: str) -> None:
        if hasattr(self, name):
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values: str) -> HParams:
        """Override from "name=value,list=[1,2],list[0]=5" (each value parsed as its hyperparameter's type)."""
        parsed: dict[str, Any] = {}
        indexed: dict[str, dict[int, Any]] = {}
        pos = 0
        while pos < len(values):
            m = _CLAUSE.match(values, pos)
            if not m:
                raise ValueError(f"Malformed hyperparameter value: {values[pos:]}")
            pos = m.end()
            name, index, val, vals = m.group("name", "index", "val", "vals")
            if name not in self._hparam_types:
                raise ValueError(f"Unknown hyperparameter type for {name}")
            param_type, _ = self._hparam_types[name]
            parse = _parse_bool if param_type is bool else param_type
            if name in parsed or (index is None and name in indexed):
                raise ValueError(f"Multiple assignments to variable '{name}' in {values}")
            try:
                if vals is not None:
                    if index is not None:
                        raise ValueError("Assignment of a list to a list index.")
                    parsed[name] = [parse(e) for e in re.split("[ ,]", vals) if e]
                elif index is not None:
                    indexed.setdefault(name, {})[int(index)] = parse(val)
                else:
                    parsed[name] = parse(val)
            except ValueError as e:
                if "list index" in str(e):
                    raise
                raise ValueError(f"Could not parse hparam '{name}' of type '{param_type.__name__}' with value "
                                 f"'{vals if vals is not None else val}' in {values}") from None
        for name, entries in indexed.items():
            current = list(getattr(self, name))
            for i, v in entries.items():
                current[i] = v
            parsed[name] = current
        return self.override_from_dict(parsed)

    def override_from_dict(self, values_dict: dict[str, Any]) -> HParams:
        for name, value in values_dict.items():
            self.set_hparam(name, value)
        return self

    def set_model_structure(self, model_structure: Any) -> None:
        self._model_structure = model_structure

    def get_model_structure(self) -> Any:
        return self._model_structure

    def to_json(self, indent: int | None = None, separators: Any = None, sort_keys: bool = False) -> str:
        return json.dumps(self.values(), indent=indent, separators=separators, sort_keys=sort_keys)

    def parse_json(self, values_json: str) -> HParams:
        return self.override_from_dict(json.loads(values_json))

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._hparam_types}

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._hparam_types:
            return default
        if default is not None:
            param_type, is_list = self._hparam_types[key]
            compatible = isinstance(default, list) if is_list else not isinstance(default, list)
            try:
                if compatible:
                    for v in (default if is_list else [default]):
                        _cast(key, param_type, v)
            except ValueError:
                compatible = False
            if not compatible:
                raise ValueError(f"Hparam '{key}' of type '{param_type}' is incompatible with default={default}")
        return getattr(self, key)

    def __contains__(self, key: str) -> bool:
        return key in self._hparam_types

    def __str__(self) -> str:
        return str(sorted(self.values().items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"


class GreedyLoadBalancingStrategy:
    """A replica_device_setter ps_strategy: each op goes to the ps task with the least load so far (the first such
    task on ties), whose load then grows by load_fn(op)."""

    def __init__(self, num_tasks: int, load_fn: Any):
        self._num_tasks = int(num_tasks)
        self._load_fn = load_fn
        self._ps_loads = [0] * self._num_tasks

    def __call__(self, op: Any) -> int:
        task = min(range(self._num_tasks), key=lambda t: self._ps_loads[t])
        self._ps_loads[task] += self._load_fn(op)
        return task


def byte_size_load_fn(op: Any) -> int:
    """The bytes of an op's single output (a variable's size): a load function for GreedyLoadBalancingStrategy."""
    outputs = list(op.outputs)
    if len(outputs) != 1:
        raise ValueError(f"Op {op.name} must have a single output")
    output = outputs[0]
    shape = output.shape
    if shape.dims is None or any(d is None for d in shape.as_list()):
        raise ValueError(f"Op {op.name}'s output {output.name} has a shape that is not fully defined: {shape}")
    elements = 1
    for dim in shape.as_list():
        elements *= dim
    return elements * output.dtype.size


from .bucketing import bucket, bucket_by_sequence_length, stratified_sample  # noqa: E402 - the queue-based ones
from .training_loops import *  # noqa: E402,F403 - contrib.training's loops live in training_loops.py
from .training_loops import __all__ as _loops_all  # noqa: E402

__all__ = [
    "GreedyLoadBalancingStrategy", "HParams", "byte_size_load_fn",
    "bucket", "bucket_by_sequence_length", "stratified_sample", *_loops_all,
]
