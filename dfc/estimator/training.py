"""tf.estimator.train_and_evaluate with TrainSpec and EvalSpec, for a single local task as TF 1.15 runs it."""

from __future__ import annotations

import logging
import time
from typing import Any

from ..basic_session_run_hooks import CheckpointSaverListener
from .estimator import Estimator, _check_hooks
from .exporters import Exporter

_log = logging.getLogger("dfc")


class TrainSpec:
    """What train_and_evaluate trains: input_fn, up to max_steps, with hooks."""

    def __init__(self, input_fn: Any, max_steps: int | None = None, hooks: Any = None):
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        self.input_fn = input_fn
        self.max_steps = max_steps
        self.hooks = tuple(_check_hooks(hooks))


class EvalSpec:
    """What train_and_evaluate evaluates: input_fn for steps (None: to the input's end), at most every throttle_secs."""

    def __init__(self, input_fn: Any, steps: int | None = 100, name: str | None = None, hooks: Any = None,
                 exporters: Any = None, start_delay_secs: float = 120, throttle_secs: float = 600):
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn}")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be string, given: {name}")
        if start_delay_secs < 0:
            raise ValueError(f"Must specify start_delay_secs >= 0, given: {start_delay_secs}")
        if throttle_secs < 0:
            raise ValueError(f"Must specify throttle_secs >= 0, given: {throttle_secs}")
        exporters = [] if exporters is None else (list(exporters) if isinstance(exporters, (list, tuple))
                                                  else [exporters])
        names = set()
        for exporter in exporters:
            if not isinstance(exporter, Exporter):
                raise TypeError(f"`exporters` must be an Exporter, an iterable of Exporter, or `None`, found "
                                f"{exporter}.")
            if not exporter.name or not exporter.name.strip():
                raise ValueError("An Exporter cannot have a name that is `None` or empty.")
            if exporter.name in names:
                raise ValueError(f"`exporters` must have unique names. Such a name cannot be `None`. "
                                 f"{[e.name for e in exporters]} was given.")
            names.add(exporter.name)
        self.input_fn = input_fn
        self.steps = steps
        self.name = name
        self.hooks = tuple(_check_hooks(hooks))
        self.exporters = tuple(exporters)
        self.start_delay_secs = start_delay_secs
        self.throttle_secs = throttle_secs


class _EvaluateAfterSave(CheckpointSaverListener):
    """Evaluates after a checkpoint is saved, at most every throttle_secs (TF's local executor)."""

    def __init__(self, estimator: Estimator, eval_spec: EvalSpec):
        self._estimator = estimator
        self._spec = eval_spec
        self._last_time: float | None = None
        self.last_result: dict | None = None
        self.last_step: int | None = None
        self.last_exports: list = []
        self.max_steps: int | None = None

    def begin(self) -> None:
        self._last_time = time.monotonic()  # the first save, right after the session starts, is skipped

    def after_save(self, session: Any, global_step_value: int) -> bool:
        now = time.monotonic()
        if self._last_time is not None and now - self._last_time < self._spec.throttle_secs:
            return False
        self._last_time = now
        self._evaluate(global_step_value)
        return False

    def _evaluate(self, step: int, is_the_final_export: bool = False) -> None:
        import os
        self.last_result = self._estimator.evaluate(self._spec.input_fn, steps=self._spec.steps,
                                                    hooks=self._spec.hooks, name=self._spec.name)
        self.last_step = int(self.last_result["global_step"])
        # TF's rule: the export of an evaluation at (or past) max_steps is the final one
        is_the_final_export = is_the_final_export or (self.max_steps is not None and self.last_step >= self.max_steps)
        checkpoint = self._estimator.latest_checkpoint()
        self.last_exports = []
        for exporter in self._spec.exporters:
            path = os.path.join(self._estimator.model_dir, "export", exporter.name)
            self.last_exports.append(exporter.export(self._estimator, path, checkpoint, self.last_result,
                                                     is_the_final_export))


def train_and_evaluate(estimator: Estimator, train_spec: TrainSpec, eval_spec: EvalSpec) -> tuple[dict | None, list]:
    """Train to train_spec.max_steps, evaluating after checkpoints (throttled) and once at the end.

    Returns (the last evaluation's metrics, the exporters' results) as TF 1.15's local run does.
    """
    if not isinstance(estimator, Estimator):
        raise TypeError(f"`estimator` must have type `tf.estimator.Estimator`, given {type(estimator)}")
    if not isinstance(train_spec, TrainSpec):
        raise TypeError(f"`train_spec` must have type `tf.estimator.TrainSpec`. Got: {type(train_spec)}")
    if not isinstance(eval_spec, EvalSpec):
        raise TypeError(f"`eval_spec` must have type `tf.estimator.EvalSpec`. Got: {type(eval_spec)}")
    config = estimator.config
    listener = _EvaluateAfterSave(estimator, eval_spec)
    listener.max_steps = train_spec.max_steps
    saving = config.save_checkpoints_secs or config.save_checkpoints_steps
    estimator.train(train_spec.input_fn, hooks=list(train_spec.hooks), max_steps=train_spec.max_steps,
                    saving_listeners=[listener] if saving else None)
    final_step = estimator.latest_checkpoint()
    if listener.last_result is None or final_step is None or \
            listener.last_step != int(estimator.get_variable_value("global_step")):
        listener._evaluate(0, is_the_final_export=True)
    return listener.last_result, [path for path in listener.last_exports if path is not None]


__all__ = ["EvalSpec", "TrainSpec", "train_and_evaluate"]
