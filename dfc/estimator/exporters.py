"""tf.estimator's exporters (Latest, Final, Best) for EvalSpec, and tf.estimator.experimental's early-stopping hooks.

An exporter writes a SavedModel under model_dir/export/<name>/<timestamp> after an evaluation of
train_and_evaluate. The early-stopping hooks read the evaluations that Estimator.evaluate wrote to its eval
directory (event files) and stop training as TF 1.15's do.
"""

from __future__ import annotations

import collections
import glob
import logging
import operator
import os
import shutil
from collections.abc import Callable
from typing import Any

from ..basic_session_run_hooks import SecondOrStepTimer
from ..session_run_hook import SessionRunArgs, SessionRunHook

_log = logging.getLogger("dfc")


class Exporter:
    """What EvalSpec's exporters are: a name and export(estimator, export_path, checkpoint_path, eval_result,
    is_the_final_export) -> the export's path or None."""

    @property
    def name(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def export(self, estimator: Any, export_path: str, checkpoint_path: str | None, eval_result: dict,
               is_the_final_export: bool) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class _SavedModelExporter(Exporter):
    def __init__(self, name: str, serving_input_receiver_fn: Callable, assets_extra: Any = None,
                 as_text: bool = False):
        if not name:
            raise ValueError("`name` must be a non-empty string.")
        self._name, self._receiver_fn = name, serving_input_receiver_fn
        self._assets_extra, self._as_text = assets_extra, as_text

    @property
    def name(self) -> str:
        return self._name

    def _save(self, estimator: Any, export_path: str, checkpoint_path: str | None) -> bytes:
        return estimator.export_saved_model(export_path, self._receiver_fn, assets_extra=self._assets_extra,
                                            as_text=self._as_text, checkpoint_path=checkpoint_path)


def _keep_newest(export_path: str, exports_to_keep: int | None) -> None:
    """Delete all but the newest exports_to_keep timestamped exports under export_path."""
    if exports_to_keep is None or not os.path.isdir(export_path):
        return
    stamps = sorted((int(d) for d in os.listdir(export_path) if d.isdigit()), reverse=True)
    for stamp in stamps[exports_to_keep:]:
        shutil.rmtree(os.path.join(export_path, str(stamp)), ignore_errors=True)


def _check_keep(exports_to_keep: Any) -> None:
    if exports_to_keep is not None and exports_to_keep <= 0:
        raise ValueError(f"`exports_to_keep`, if provided, must be a positive number. Got {exports_to_keep}")


class FinalExporter(_SavedModelExporter):
    """Exports once, after the final evaluation."""

    def export(self, estimator: Any, export_path: str, checkpoint_path: str | None, eval_result: dict,
               is_the_final_export: bool) -> Any:
        if not is_the_final_export:
            return None
        _log.info("Performing the final export in the end of training.")
        return self._save(estimator, export_path, checkpoint_path)


class LatestExporter(_SavedModelExporter):
    """Exports after every evaluation, keeping the newest exports_to_keep."""

    def __init__(self, name: str, serving_input_receiver_fn: Callable, assets_extra: Any = None,
                 as_text: bool = False, exports_to_keep: int | None = 5):
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        _check_keep(exports_to_keep)
        self._exports_to_keep = exports_to_keep

    def export(self, estimator: Any, export_path: str, checkpoint_path: str | None, eval_result: dict,
               is_the_final_export: bool) -> Any:
        path = self._save(estimator, export_path, checkpoint_path)
        _keep_newest(export_path, self._exports_to_keep)
        return path


def _loss_smaller(best_eval_result: dict, current_eval_result: dict) -> bool:
    """TF's default compare_fn: the current evaluation is better when its loss is smaller."""
    key = "loss"
    if not best_eval_result or key not in best_eval_result:
        raise ValueError("best_eval_result cannot be empty or no loss is found in it.")
    if not current_eval_result or key not in current_eval_result:
        raise ValueError("current_eval_result cannot be empty or no loss is found in it.")
    return best_eval_result[key] > current_eval_result[key]


class BestExporter(_SavedModelExporter):
    """Exports when an evaluation is better (compare_fn) than the best so far, which it first reads from the
    evaluations already written under model_dir (event_file_pattern), so a restarted job keeps its best."""

    def __init__(self, name: str = "best_exporter", serving_input_receiver_fn: Callable | None = None,
                 event_file_pattern: str | None = "eval/*.tfevents.*", compare_fn: Callable = _loss_smaller,
                 assets_extra: Any = None, as_text: bool = False, exports_to_keep: int | None = 5):
        super().__init__(name, serving_input_receiver_fn, assets_extra, as_text)
        if not callable(compare_fn):
            raise ValueError("`compare_fn` must be callable.")
        _check_keep(exports_to_keep)
        self._compare_fn, self._pattern, self._exports_to_keep = compare_fn, event_file_pattern, exports_to_keep
        self._model_dir: str | None = None
        self._best: dict | None = None

    def export(self, estimator: Any, export_path: str, checkpoint_path: str | None, eval_result: dict,
               is_the_final_export: bool) -> Any:
        if self._model_dir != estimator.model_dir and self._pattern:
            self._model_dir = estimator.model_dir
            self._best = _best_logged(os.path.join(estimator.model_dir, self._pattern), self._compare_fn)
        if self._best is None or self._compare_fn(best_eval_result=self._best, current_eval_result=eval_result):
            _log.info("Exporting a better model (%s instead of %s)...", eval_result, self._best)
            self._best = eval_result
            path = self._save(estimator, export_path, checkpoint_path)
            _keep_newest(export_path, self._exports_to_keep)
            return path
        return None


def _best_logged(pattern: str, compare_fn: Callable) -> dict | None:
    best = None
    for metrics in read_eval_metrics_from(glob.glob(pattern)).values():
        if "loss" not in metrics and compare_fn is _loss_smaller:
            continue
        if best is None or compare_fn(best_eval_result=best, current_eval_result=metrics):
            best = metrics
    return best


# ---- early stopping -----------------------------------------------------------------------------------------
def read_eval_metrics_from(paths: list[str]) -> collections.OrderedDict:
    """{step: {tag: value}} of the scalar summaries in the event files, by step."""
    from ..summary import summary_iterator
    found: dict[int, dict] = collections.defaultdict(dict)
    for path in paths:
        for event in summary_iterator(path):
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    found[event.step][value.tag] = value.simple_value
    return collections.OrderedDict(sorted(found.items()))


def read_eval_metrics(eval_dir: str) -> collections.OrderedDict:
    """The evaluations Estimator.evaluate wrote to eval_dir, {global step: {metric: value}}."""
    return read_eval_metrics_from(glob.glob(os.path.join(eval_dir, "*.tfevents.*")))


class _EarlyStoppingHook(SessionRunHook):
    def __init__(self, should_stop_fn: Callable[[], bool], run_every_secs: float | None, run_every_steps: int | None):
        if not callable(should_stop_fn):
            raise TypeError(f"`should_stop_fn` must be callable, got {should_stop_fn!r}")
        self._should_stop_fn = should_stop_fn
        self._timer = SecondOrStepTimer(every_secs=run_every_secs, every_steps=run_every_steps)

    def begin(self) -> None:
        from ..training_util import get_global_step
        self._global_step = get_global_step()
        if self._global_step is None:
            raise RuntimeError("Global step should be created to use early stopping hooks.")

    def before_run(self, run_context: Any) -> Any:
        return SessionRunArgs(self._global_step)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        step = int(run_values.results)
        if self._timer.should_trigger_for_step(step):
            self._timer.update_last_triggered_step(step)
            if self._should_stop_fn():
                _log.info("Requesting early stopping at global step %d", step)
                run_context.request_stop()


def make_early_stopping_hook(estimator: Any, should_stop_fn: Callable[[], bool], run_every_secs: float | None = 60,
                             run_every_steps: int | None = None) -> SessionRunHook:
    """A hook that stops training once should_stop_fn() is true (checked every run_every_secs or _steps)."""
    if run_every_secs is not None and run_every_steps is not None:
        raise ValueError("Only one of `run_every_secs` and `run_every_steps` can be specified.")
    return _EarlyStoppingHook(should_stop_fn, run_every_secs, run_every_steps)


def _metric_hook(estimator: Any, metric_name: str, eval_dir: str | None, min_steps: int, run_every_secs: Any,
                 run_every_steps: Any, stop: Callable[[collections.OrderedDict], bool]) -> SessionRunHook:
    eval_dir = eval_dir or estimator.eval_dir()

    def should_stop() -> bool:
        metrics = collections.OrderedDict((step, m) for step, m in read_eval_metrics(eval_dir).items()
                                          if step >= min_steps)
        for step, values in metrics.items():
            if metric_name not in values:
                raise ValueError(f"metric_name {metric_name} not found in eval metrics for step {step}.")
        return stop(metrics)
    return make_early_stopping_hook(estimator, should_stop, run_every_secs, run_every_steps)


def _threshold_hook(relation: Callable[[float, float], bool]) -> Callable:
    def hook(estimator: Any, metric_name: str, threshold: float, eval_dir: str | None = None, min_steps: int = 0,
             run_every_secs: float | None = 60, run_every_steps: int | None = None) -> SessionRunHook:
        return _metric_hook(estimator, metric_name, eval_dir, min_steps, run_every_secs, run_every_steps,
                            lambda metrics: any(relation(m[metric_name], threshold) for m in metrics.values()))
    return hook


stop_if_higher_hook = _threshold_hook(operator.gt)
stop_if_lower_hook = _threshold_hook(operator.lt)


def _no_progress_hook(better: Callable[[float, float], bool]) -> Callable:
    def hook(estimator: Any, metric_name: str, max_steps_without_progress: int, eval_dir: str | None = None,
             min_steps: int = 0, run_every_secs: float | None = 60, run_every_steps: int | None = None
             ) -> SessionRunHook:
        def stale(metrics: collections.OrderedDict) -> bool:
            best, best_step = None, None
            for step, values in metrics.items():
                value = values[metric_name]
                if best is None or better(value, best):
                    best, best_step = value, step
                if step - best_step >= max_steps_without_progress:
                    return True
            return False
        return _metric_hook(estimator, metric_name, eval_dir, min_steps, run_every_secs, run_every_steps, stale)
    return hook


stop_if_no_decrease_hook = _no_progress_hook(operator.lt)
stop_if_no_increase_hook = _no_progress_hook(operator.gt)

__all__ = ["BestExporter", "Exporter", "FinalExporter", "LatestExporter", "make_early_stopping_hook",
           "read_eval_metrics", "stop_if_higher_hook", "stop_if_lower_hook", "stop_if_no_decrease_hook",
           "stop_if_no_increase_hook"]
