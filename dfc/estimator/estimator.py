"""tf.estimator.Estimator: train, evaluate and predict a model_fn over an input_fn, with checkpoints in model_dir.

Each call builds a fresh graph (global step, input_fn, model_fn in its mode) and runs it in a
monitored session as TF 1.15's Estimator does: train() restores the latest checkpoint of
model_dir and continues from its global step, saving per RunConfig; evaluate() restores it,
runs the metrics' update ops until steps or the end of the input, and returns their values
with `loss` (the mean of the per-batch loss) and `global_step`; predict() yields predictions.
"""

from __future__ import annotations

import copy
import inspect
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..basic_session_run_hooks import FinalOpsHook, LoggingTensorHook, NanTensorHook
from ..checkpoint_utils import list_variables, load_variable
from ..framework import Graph, set_random_seed
from ..graph import GraphKeys, get_collection
from ..saver import Saver, latest_checkpoint
from ..session_run_hook import SessionRunHook
from ..train_cluster import (CheckpointSaverHook, ChiefSessionCreator, MonitoredSession, MonitoredTrainingSession,
                             StopAtStepHook)
from ..training_util import create_global_step, get_global_step
from .model_fn import EstimatorSpec, ModeKeys
from .run_config import RunConfig

_log = logging.getLogger("dfc")
_MODEL_FN_ARGS = {"features", "labels", "mode", "params", "self", "config"}


class WarmStartSettings:
    """Where (and which variables) an Estimator starts from when model_dir has no checkpoint yet."""

    def __init__(self, ckpt_to_initialize_from: str, vars_to_warm_start: Any = ".*",
                 var_name_to_vocab_info: dict | None = None, var_name_to_prev_var_name: dict | None = None):
        if not ckpt_to_initialize_from:
            raise ValueError("`ckpt_to_initialize_from` MUST be set in WarmStartSettings")
        self.ckpt_to_initialize_from = str(ckpt_to_initialize_from)
        self.vars_to_warm_start = vars_to_warm_start
        self.var_name_to_vocab_info = var_name_to_vocab_info or {}
        self.var_name_to_prev_var_name = var_name_to_prev_var_name or {}

    def __repr__(self) -> str:
        return (f"WarmStartSettings(ckpt_to_initialize_from={self.ckpt_to_initialize_from!r}, "
                f"vars_to_warm_start={self.vars_to_warm_start!r})")


def _fn_args(fn: Callable) -> set[str]:
    """The argument names an Estimator may pass fn by keyword (TF's function_utils.fn_args)."""
    import functools
    if isinstance(fn, functools.partial):  # as TF's: what the partial already binds is not fn's to receive
        inner = [n for n in _ordered_args(fn.func)][len(fn.args):]
        return {n for n in inner if n not in (fn.keywords or {})}
    return set(_ordered_args(fn))


def _ordered_args(fn: Callable) -> list[str]:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return []
    return [name for name, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _verify_model_fn_args(model_fn: Callable, params: Any) -> None:
    args = _fn_args(model_fn)
    if "features" not in args:
        raise ValueError(f"model_fn ({model_fn}) must include features argument.")
    if params is not None and "params" not in args:
        raise ValueError(f"model_fn ({model_fn}) does not include params argument, but params ({params}) is passed "
                         f"to Estimator.")
    if params is None and "params" in args:
        _log.warning("Estimator's model_fn (%s) includes params argument, but params are not passed to Estimator.",
                     model_fn)
    unexpected = sorted(args - _MODEL_FN_ARGS)
    if unexpected:
        raise ValueError(f"model_fn ({model_fn}) has following not expected args: {unexpected}")


def _config_with_model_dir(config: RunConfig | None, model_dir: Any) -> RunConfig:
    if config is None:
        config = RunConfig()
    if not isinstance(config, RunConfig):
        raise ValueError(f"config must be an instance of `RunConfig`, but provided {config}.")
    model_dir = os.fspath(model_dir) if model_dir is not None else None
    if model_dir is not None and config.model_dir is not None and config.model_dir != model_dir:
        raise ValueError(f"`model_dir` are set both in constructor and `RunConfig`, but with different values. In "
                         f"constructor: '{model_dir}', in `RunConfig`: '{config.model_dir}' ")
    if model_dir:
        return config.replace(model_dir=model_dir)
    if config.model_dir is None:
        model_dir = tempfile.mkdtemp()
        _log.warning("Using temporary folder as model directory: %s", model_dir)
        return config.replace(model_dir=model_dir)
    return config


def _check_hooks(hooks: Any) -> list:
    hooks = list(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"Hooks must be a SessionRunHook, given: {hook}")
    return hooks


class _IteratorInitializerHook(SessionRunHook):
    """Runs a tf.data iterator's initializer once the session exists (an input_fn returned a Dataset)."""

    def __init__(self, iterator: Any):
        self._iterator = iterator

    def begin(self) -> None:
        self._initializer = self._iterator.initializer

    def after_create_session(self, session: Any, coord: Any) -> None:
        session.run(self._initializer)


class _StopAfterNEvalsHook(SessionRunHook):
    """Requests a stop after num_evals runs of the evaluation's update op."""

    def __init__(self, num_evals: int):
        self._num_evals = num_evals
        self._done = 0

    def after_run(self, run_context: Any, run_values: Any) -> None:
        self._done += 1
        if self._done >= self._num_evals:
            run_context.request_stop()


def _parse_input_fn_result(result: Any) -> tuple[Any, Any, list]:
    """(features, labels, input hooks) from what an input_fn returned: a Dataset, a pair or features alone."""
    from ..data.dataset_ops import Dataset
    hooks = []
    if isinstance(result, Dataset):
        iterator = result.make_initializable_iterator()
        hooks.append(_IteratorInitializerHook(iterator))
        result = iterator.get_next()
    if isinstance(result, (tuple, list)):
        if len(result) == 2:
            return result[0], result[1], hooks
        if len(result) == 1:
            return result[0], None, hooks
        raise ValueError(f"input_fn should return (features, labels) as a len 2 tuple, got {len(result)} elements")
    return result, None, hooks


def _load_global_step(model_dir: str) -> int:
    path = latest_checkpoint(model_dir)
    if path is None:
        return 0
    try:
        return int(load_variable(path, GraphKeys.GLOBAL_STEP))
    except Exception:  # noqa: BLE001 - as TF's: a checkpoint without a global step counts as step 0
        return 0


class Estimator:
    """Trains, evaluates and predicts with a model_fn (tf.estimator.Estimator, TF 1.15)."""

    def __init__(self, model_fn: Callable, model_dir: Any = None, config: RunConfig | None = None,
                 params: dict | None = None, warm_start_from: Any = None):
        if model_fn is None:
            raise ValueError("model_fn must be provided to Estimator.")
        _verify_model_fn_args(model_fn, params)
        self._config = _config_with_model_dir(config, model_dir)
        self._model_dir = self._config.model_dir
        self._model_fn = model_fn
        self._params = copy.deepcopy(params or {})
        if warm_start_from is None or isinstance(warm_start_from, WarmStartSettings):
            self._warm_start_settings = warm_start_from
        elif isinstance(warm_start_from, (str, os.PathLike)):
            self._warm_start_settings = WarmStartSettings(os.fspath(warm_start_from))
        else:
            raise ValueError("warm_start_from must be a string or a WarmStartSettings, instead got "
                             f"{type(warm_start_from)}")

    model_dir = property(lambda self: self._model_dir)
    config = property(lambda self: copy.deepcopy(self._config))
    params = property(lambda self: copy.deepcopy(self._params))
    model_fn = property(lambda self: self._call_model_fn_with)

    def _call_model_fn_with(self, features: Any, labels: Any, mode: str, config: RunConfig) -> EstimatorSpec:
        return self._call_model_fn(features, labels, mode, config)

    # ---- checkpoints --------------------------------------------------------------------------------
    def latest_checkpoint(self) -> str | None:
        return latest_checkpoint(self._model_dir)

    def _checkpoint(self) -> str:
        path = latest_checkpoint(self._model_dir)
        if not path:
            raise ValueError(f"Couldn't find trained model at {self._model_dir}.")
        return path

    def get_variable_names(self) -> list[str]:
        return [name for name, _ in list_variables(self._checkpoint())]

    def get_variable_value(self, name: str) -> np.ndarray:
        return load_variable(self._checkpoint(), name)

    def eval_dir(self, name: str | None = None) -> str:
        return os.path.join(self._model_dir, "eval" if not name else "eval_" + name)

    # ---- calling the user's functions -----------------------------------------------------------------
    def _call_input_fn(self, input_fn: Callable, mode: str) -> Any:
        args = _fn_args(input_fn)
        kwargs = {}
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = self.config
        return input_fn(**kwargs)

    def _call_model_fn(self, features: Any, labels: Any, mode: str, config: RunConfig) -> EstimatorSpec:
        args = _fn_args(self._model_fn)
        kwargs: dict[str, Any] = {}
        if "labels" in args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError("model_fn does not take labels, but input_fn returns labels.")
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = config
        spec = self._model_fn(features=features, **kwargs)
        if not isinstance(spec, EstimatorSpec):
            raise ValueError("model_fn should return an EstimatorSpec.")
        return spec

    def _new_graph(self) -> Graph:
        graph = Graph()
        with graph.as_default():
            if self._config.tf_random_seed is not None:
                set_random_seed(self._config.tf_random_seed)
            create_global_step(graph)
        return graph

    def _maybe_warm_start(self, checkpoint_path: str | None) -> None:
        settings = self._warm_start_settings
        if checkpoint_path or settings is None:
            return
        from .warm_start import warm_start
        warm_start(settings)

    @staticmethod
    def _finish_scaffold(spec: EstimatorSpec, saver: Saver | None = None) -> Any:
        from ..initializers import tables_initializer
        from ..variables import group, local_variables_initializer
        scaffold = spec.scaffold
        if scaffold.saver is None:
            scaffold.saver = saver or (get_collection(GraphKeys.SAVERS) or [None])[0] or Saver(allow_empty=True)
        if scaffold.local_init_op is None:
            scaffold.local_init_op = group(local_variables_initializer(), tables_initializer())
        return scaffold

    # ---- train ----------------------------------------------------------------------------------------
    def train(self, input_fn: Callable, hooks: Any = None, steps: int | None = None, max_steps: int | None = None,
              saving_listeners: Any = None) -> Estimator:
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        if max_steps is not None and max_steps <= _load_global_step(self._model_dir):
            _log.info("Skipping training since max_steps has already saved.")
            return self
        hooks = _check_hooks(hooks)
        if steps is not None or max_steps is not None:
            hooks.append(StopAtStepHook(num_steps=steps, last_step=max_steps))
        listeners = list(saving_listeners or [])
        loss = self._train_model(input_fn, hooks, listeners)
        _log.info("Loss for final step: %s.", loss)
        return self

    def _train_model(self, input_fn: Callable, hooks: list, listeners: list) -> Any:
        graph = self._new_graph()
        with graph.as_default():
            features, labels, input_hooks = _parse_input_fn_result(self._call_input_fn(input_fn, ModeKeys.TRAIN))
            spec = self._call_model_fn(features, labels, ModeKeys.TRAIN, self.config)
            self._maybe_warm_start(latest_checkpoint(self._model_dir))
            config = self._config
            worker_hooks = list(input_hooks) + list(hooks) + [NanTensorHook(spec.loss)]
            if config.log_step_count_steps is not None:
                worker_hooks.append(LoggingTensorHook({"loss": spec.loss, "step": get_global_step(graph)},
                                                      every_n_iter=config.log_step_count_steps))
            worker_hooks += list(spec.training_hooks)
            saver = None
            if spec.scaffold.saver is None and not get_collection(GraphKeys.SAVERS):
                saver = Saver(sharded=True, max_to_keep=config.keep_checkpoint_max,
                              keep_checkpoint_every_n_hours=config.keep_checkpoint_every_n_hours,
                              defer_build=True, save_relative_paths=True)
            scaffold = self._finish_scaffold(spec, saver)
            chief_hooks: list = []
            saver_hooks = [h for h in worker_hooks + list(spec.training_chief_hooks)
                           if isinstance(h, CheckpointSaverHook)]
            if (config.save_checkpoints_secs or config.save_checkpoints_steps) and not saver_hooks:
                chief_hooks = [CheckpointSaverHook(self._model_dir, save_secs=config.save_checkpoints_secs,
                                                   save_steps=config.save_checkpoints_steps, scaffold=scaffold)]
                saver_hooks = chief_hooks
            if listeners:
                if not saver_hooks:
                    raise ValueError("There should be a CheckpointSaverHook to use saving_listeners. Please set one "
                                     "of the RunConfig.save_checkpoints_steps or RunConfig.save_checkpoints_secs.")
                for listener in listeners:
                    if listener not in saver_hooks[0]._listeners:
                        saver_hooks[0]._listeners.append(listener)
            loss, any_step = None, False
            with MonitoredTrainingSession(checkpoint_dir=self._model_dir, scaffold=scaffold, hooks=worker_hooks,
                                          chief_only_hooks=tuple(chief_hooks) + tuple(spec.training_chief_hooks),
                                          save_checkpoint_secs=0, save_summaries_steps=config.save_summary_steps,
                                          config=config.session_config,
                                          log_step_count_steps=config.log_step_count_steps) as session:
                while not session.should_stop():
                    _, loss = session.run([spec.train_op, spec.loss])
                    any_step = True
            if not any_step:
                _log.warning("Training with estimator made no steps. Perhaps input is empty or misspecified.")
            return loss

    # ---- evaluate -------------------------------------------------------------------------------------
    def evaluate(self, input_fn: Callable, steps: int | None = None, hooks: Any = None,
                 checkpoint_path: str | None = None, name: str | None = None) -> dict[str, Any]:
        hooks = _check_hooks(hooks)
        if steps is not None:
            if steps <= 0:
                raise ValueError(f"Must specify steps > 0, given: {steps}")
            hooks.append(_StopAfterNEvalsHook(steps))
        if not checkpoint_path:
            checkpoint_path = latest_checkpoint(self._model_dir)
            if not checkpoint_path:
                _log.info("Could not find trained model in model_dir: %s, running initialization to evaluate.",
                          self._model_dir)
        from .. import metrics
        from ..variables import group
        graph = self._new_graph()
        with graph.as_default():
            features, labels, input_hooks = _parse_input_fn_result(self._call_input_fn(input_fn, ModeKeys.EVAL))
            spec = self._call_model_fn(features, labels, ModeKeys.EVAL, self.config)
            metric_ops = dict(spec.eval_metric_ops)
            if "loss" in metric_ops:
                raise ValueError('Metric with name "loss" is not allowed, because Estimator already defines a '
                                 "default metric with the same name.")
            metric_ops["loss"] = metrics.mean(spec.loss)
            update_op = group(*[metric_ops[k][1] for k in sorted(metric_ops)])
            eval_dict = {k: metric_ops[k][0] for k in sorted(metric_ops)}
            self._maybe_warm_start(checkpoint_path)
            if GraphKeys.GLOBAL_STEP in eval_dict:
                raise ValueError("Metric with name `global_step` is not allowed, because Estimator already defines a "
                                 "default metric with the same name.")
            eval_dict[GraphKeys.GLOBAL_STEP] = get_global_step(graph)
            scaffold = self._finish_scaffold(spec)
            final = FinalOpsHook(eval_dict)
            all_hooks = list(input_hooks) + hooks + list(spec.evaluation_hooks) + [final]
            creator = ChiefSessionCreator(scaffold=scaffold, config=self._config.session_config,
                                          checkpoint_filename_with_path=checkpoint_path)
            with MonitoredSession(creator, all_hooks, max_recoveries=0) as session:
                while not session.should_stop():
                    session.run(update_op)
            results = final.final_ops_values
        _write_eval_summary(self.eval_dir(name), results, int(results[GraphKeys.GLOBAL_STEP]), graph)
        return results

    # ---- predict --------------------------------------------------------------------------------------
    def predict(self, input_fn: Callable, predict_keys: Any = None, hooks: Any = None,
                checkpoint_path: str | None = None, yield_single_examples: bool = True) -> Iterator[Any]:
        hooks = _check_hooks(hooks)
        if not checkpoint_path:
            checkpoint_path = latest_checkpoint(self._model_dir)
        if not checkpoint_path:
            _log.info("Could not find trained model in model_dir: %s, running initialization to predict.",
                      self._model_dir)
        graph = self._new_graph()
        with graph.as_default():
            features, _, input_hooks = _parse_input_fn_result(self._call_input_fn(input_fn, ModeKeys.PREDICT))
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT, self.config)
            self._maybe_warm_start(checkpoint_path)
            if isinstance(predict_keys, str):
                predict_keys = [predict_keys]
            predictions = _extract_keys(spec.predictions, self._graph_keys(predict_keys))
            scaffold = self._finish_scaffold(spec)
            creator = ChiefSessionCreator(scaffold=scaffold, config=self._config.session_config,
                                          checkpoint_filename_with_path=checkpoint_path)
            all_hooks = list(input_hooks) + hooks + list(spec.prediction_hooks)
            with MonitoredSession(creator, all_hooks, max_recoveries=0) as session:
                while not session.should_stop():
                    values = session.run(predictions)
                    values = self._host_predictions(values)
                    if predict_keys and isinstance(values, dict):
                        values = {k: v for k, v in values.items() if k in predict_keys}
                    if not yield_single_examples:
                        yield values
                    elif not isinstance(values, dict):
                        yield from values
                    else:
                        for i in range(_batch_length(values)):
                            yield {key: value[i] for key, value in values.items()}

    def export_saved_model(self, export_dir_base: Any, serving_input_receiver_fn: Callable, assets_extra: Any = None,
                           as_text: bool = False, checkpoint_path: str | None = None,
                           experimental_mode: str = ModeKeys.PREDICT) -> bytes:
        """Write the model, restored from checkpoint_path (the latest checkpoint), as a SavedModel in a new
        export_dir_base/<timestamp> directory and return its path (bytes, as TF's): the model_fn's graph in
        `experimental_mode` over the receiver's features, with the export outputs as signatures."""
        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        return self._export_all_saved_models(export_dir_base, {experimental_mode: serving_input_receiver_fn},
                                             assets_extra, as_text, checkpoint_path, strip_default_attrs=True)

    def export_savedmodel(self, export_dir_base: Any, serving_input_receiver_fn: Callable, assets_extra: Any = None,
                          as_text: bool = False, checkpoint_path: str | None = None,
                          strip_default_attrs: bool = False) -> bytes:
        """TF 1.x's older name of export_saved_model (serving only)."""
        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        return self._export_all_saved_models(export_dir_base, {ModeKeys.PREDICT: serving_input_receiver_fn},
                                             assets_extra, as_text, checkpoint_path, strip_default_attrs)

    def _export_all_saved_models(self, export_dir_base: Any, input_receiver_fn_map: dict, assets_extra: Any,
                                 as_text: bool, checkpoint_path: str | None, strip_default_attrs: bool) -> bytes:
        import shutil

        from ..saved_model.builder import SavedModelBuilder
        from .export import get_temp_export_dir, get_timestamped_export_dir
        if not checkpoint_path:
            checkpoint_path = latest_checkpoint(self._model_dir)
        if not checkpoint_path:
            raise ValueError(f"Couldn't find trained model at {self._model_dir}.")
        export_dir = get_timestamped_export_dir(export_dir_base)
        temp_export_dir = get_temp_export_dir(export_dir)
        builder = SavedModelBuilder(temp_export_dir)
        save_variables = True
        for mode in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):  # TF's order: the first mode saves variables
            if input_receiver_fn_map.get(mode):
                self._add_meta_graph_for_mode(builder, input_receiver_fn_map[mode], checkpoint_path,
                                              strip_default_attrs, save_variables, mode)
                save_variables = False
        if save_variables:
            raise ValueError(f"No valid modes for exporting found. Got {input_receiver_fn_map.keys()}.")
        builder.save(as_text)
        if assets_extra:
            extra = os.path.join(os.fsdecode(temp_export_dir), "assets.extra")
            for dest_relative, source in assets_extra.items():
                destination = os.path.join(extra, os.fsdecode(dest_relative))
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                shutil.copyfile(os.fsdecode(source), destination)
        os.rename(temp_export_dir, export_dir)
        return export_dir

    def _add_meta_graph_for_mode(self, builder: Any, input_receiver_fn: Callable, checkpoint_path: str,
                                 strip_default_attrs: bool, save_variables: bool, mode: str) -> None:
        from dfc.ir.errors import NotFoundError

        from ..saved_model import tag_constants
        from ..initializers import tables_initializer
        from ..session import Session
        from ..variables import group, local_variables_initializer
        from .export import EvalOutput, TrainOutput, build_all_signature_defs
        tags = {ModeKeys.PREDICT: [tag_constants.SERVING], ModeKeys.TRAIN: [tag_constants.TRAINING],
                ModeKeys.EVAL: [tag_constants.EVAL]}[mode]
        graph = self._new_graph()
        with graph.as_default():
            receiver = input_receiver_fn()
            spec = self._call_model_fn(receiver.features, getattr(receiver, "labels", None), mode, self.config)
            if mode == ModeKeys.PREDICT:
                export_outputs = spec.export_outputs
            else:
                output_class = TrainOutput if mode == ModeKeys.TRAIN else EvalOutput
                export_outputs = {mode: output_class(loss=spec.loss, predictions=spec.predictions,
                                                     metrics=spec.eval_metric_ops)}
            signature_def_map = build_all_signature_defs(receiver.receiver_tensors, export_outputs,
                                                         getattr(receiver, "receiver_tensors_alternatives", None),
                                                         serving_only=(mode == ModeKeys.PREDICT))
            with Session(config=self._config.session_config) as session:
                local_init_op = spec.scaffold.local_init_op or group(local_variables_initializer(),
                                                                     tables_initializer())
                saver = spec.scaffold.saver or Saver(sharded=True)
                try:
                    saver.restore(session, checkpoint_path)
                except NotFoundError as e:
                    raise ValueError(f"Could not load all requested variables from the checkpoint. Please make sure "
                                     f"your model_fn does not expect variables that were not saved in the "
                                     f"checkpoint.\n\nEncountered error with mode `{mode}` while restoring "
                                     f"checkpoint from: `{checkpoint_path}`. Full Traceback:\n\n{e}") from None
                builder._add_train_op(spec.train_op)
                kwargs = dict(tags=tags, signature_def_map=signature_def_map,
                              assets_collection=get_collection(GraphKeys.ASSET_FILEPATHS),
                              strip_default_attrs=strip_default_attrs, legacy_init_op=local_init_op)
                if save_variables:
                    builder.add_meta_graph_and_variables(session, **kwargs)
                else:
                    builder.add_meta_graph(**kwargs)

    def _graph_keys(self, predict_keys: Any) -> Any:
        """The graph's predictions that predict_keys need (a canned estimator's host ones need class ids)."""
        return predict_keys

    def _host_predictions(self, values: Any) -> Any:
        """Predictions a canned estimator adds on the host (TF's string tensors); the values themselves here."""
        return values


def _extract_keys(predictions: Any, predict_keys: Any) -> Any:
    if not predict_keys:
        return predictions
    if not isinstance(predictions, dict):
        raise ValueError("predict_keys argument is not valid in case of non-dict predictions.")
    if isinstance(predict_keys, str):
        predict_keys = [predict_keys]
    chosen = {k: v for k, v in predictions.items() if k in predict_keys}
    if not chosen:
        raise ValueError(f"Expected to run at least one output from {predictions.keys()}, provided {predict_keys}.")
    return chosen


def _batch_length(values: dict) -> int:
    length = None
    for key, value in values.items():
        value = np.asarray(value)
        if value.ndim == 0:
            raise ValueError(f"Prediction {key!r} is a scalar: with yield_single_examples=True each prediction needs "
                             f"a batch dimension")
        length = length or value.shape[0]
        if value.shape[0] != length:
            raise ValueError(f"Batch length of predictions should be same. {key} has different batch length than "
                             f"others.")
    return length or 0


def _write_eval_summary(output_dir: str, results: dict, step: int, graph: Graph) -> None:
    from ..summary import FileWriterCache, SummaryProto
    _log.info("Saving dict for global step %d: %s", step,
              ", ".join(f"{k} = {v}" for k, v in sorted(results.items())))
    proto = SummaryProto()
    for key, value in results.items():
        if key == GraphKeys.GLOBAL_STEP or value is None:
            continue
        array = np.asarray(value)
        if array.ndim == 0 and array.dtype.kind in "fiub":
            proto.value.add(tag=key, simple_value=float(array))
    with graph.as_default():
        writer = FileWriterCache.get(output_dir)
    writer.add_summary(proto, step)
    writer.flush()


__all__ = ["Estimator", "WarmStartSettings"]
