"""tf.contrib.tpu's Estimator pieces for running TPU-written programs on the CPU (use_tpu=False), as TF1 runs them.

BERT's run_classifier and other TPU-era scripts build a TPUEstimator with use_tpu=False off a TPU: it is then an
Estimator whose model_fn and input_fn receive params["batch_size"] (the mode's batch size) and whose model_fn
returns a TPUEstimatorSpec (eval metrics as (metric_fn, tensors), the scaffold made by scaffold_fn). dfc has no TPU:
use_tpu=True is refused when the Estimator is built, naming the setting.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ..estimator.estimator import Estimator
from ..estimator.model_fn import EstimatorSpec, ModeKeys
from ..estimator.run_config import RunConfig as _RunConfig

__all__ = ["InputPipelineConfig", "RunConfig", "TPUConfig", "TPUEstimator", "TPUEstimatorSpec"]


class InputPipelineConfig:
    """How TPU input pipelines are replicated (TF's enum values); on the CPU there is one pipeline."""
    PER_SHARD_V1 = 1
    PER_HOST_V1 = 2
    PER_HOST_V2 = 3
    BROADCAST = 4
    SLICED = 5


class TPUConfig:
    """A TPU run's settings (iterations per loop, shards); kept for scripts that read them back."""

    def __init__(self, iterations_per_loop: int = 2, num_shards: int | None = None, num_cores_per_replica=None,
                 per_host_input_for_training: Any = True, tpu_job_name: str | None = None,
                 initial_infeed_sleep_secs=None, input_partition_dims=None, eval_training_input_configuration=None,
                 experimental_host_call_every_n_steps: int = 1):
        if iterations_per_loop < 1:
            raise ValueError(f"iterations_per_loop must be positive, got {iterations_per_loop}")
        if num_shards is not None and num_shards < 1:
            raise ValueError(f"num_shards must be positive, got {num_shards}")
        self.iterations_per_loop = iterations_per_loop
        self.num_shards = num_shards
        self.num_cores_per_replica = num_cores_per_replica
        self.per_host_input_for_training = per_host_input_for_training
        self.tpu_job_name = tpu_job_name
        self.initial_infeed_sleep_secs = initial_infeed_sleep_secs
        self.input_partition_dims = input_partition_dims
        self.eval_training_input_configuration = eval_training_input_configuration
        self.experimental_host_call_every_n_steps = experimental_host_call_every_n_steps


class RunConfig(_RunConfig):
    """tf.contrib.tpu.RunConfig: an Estimator RunConfig that also holds a TPUConfig, a master and a cluster."""

    def __init__(self, tpu_config: TPUConfig | None = None, evaluation_master: str | None = None,
                 master: str | None = None, cluster: Any = None, **kwargs):
        super().__init__(**kwargs)
        self.tpu_config = tpu_config or TPUConfig()
        self._tpu_master = master or ""
        self._tpu_evaluation_master = evaluation_master if evaluation_master is not None else self._tpu_master
        self.cluster = cluster

    master = property(lambda self: self._tpu_master)
    evaluation_master = property(lambda self: self._tpu_evaluation_master)


class TPUEstimatorSpec:
    """What a TPUEstimator's model_fn returns; as_estimator_spec() is the EstimatorSpec the CPU runs."""

    def __init__(self, mode: str, predictions: Any = None, loss: Any = None, train_op: Any = None,
                 eval_metrics: tuple | None = None, export_outputs: Any = None, scaffold_fn: Callable | None = None,
                 host_call: tuple | None = None, training_hooks: Any = None, evaluation_hooks: Any = None,
                 prediction_hooks: Any = None):
        for what, pair in (("eval_metrics", eval_metrics), ("host_call", host_call)):
            if pair is not None and (not isinstance(pair, (tuple, list)) or len(pair) != 2 or not callable(pair[0])):
                raise ValueError(f"{what} should be a tuple of (fn, tensors), got {pair!r}")
        self.mode, self.predictions, self.loss, self.train_op = mode, predictions, loss, train_op
        self.eval_metrics, self.export_outputs, self.scaffold_fn = eval_metrics, export_outputs, scaffold_fn
        self.host_call = host_call
        self.training_hooks, self.evaluation_hooks = training_hooks, evaluation_hooks
        self.prediction_hooks = prediction_hooks

    def as_estimator_spec(self) -> EstimatorSpec:
        """The EstimatorSpec: metric_fn called on its tensors (a list positionally, a dict by name), the
        scaffold made by scaffold_fn; a host_call runs with the training op."""
        eval_metric_ops = _call_with(*self.eval_metrics) if self.eval_metrics is not None else None
        scaffold = self.scaffold_fn() if self.scaffold_fn is not None else None
        train_op = self.train_op
        if self.host_call is not None and train_op is not None:
            from ..control_flow_ops import group
            host_ops = _call_with(*self.host_call)
            train_op = group(train_op, *(host_ops if isinstance(host_ops, (list, tuple)) else [host_ops]))
        return EstimatorSpec(mode=self.mode, predictions=self.predictions, loss=self.loss, train_op=train_op,
                             eval_metric_ops=eval_metric_ops, export_outputs=self.export_outputs, scaffold=scaffold,
                             training_hooks=self.training_hooks, evaluation_hooks=self.evaluation_hooks,
                             prediction_hooks=self.prediction_hooks)


def _call_with(fn: Callable, tensors: Any) -> Any:
    if isinstance(tensors, dict):
        return fn(**tensors)
    return fn(*tensors)


class TPUEstimator(Estimator):
    """tf.contrib.tpu.TPUEstimator with use_tpu=False: an Estimator that hands model_fn and input_fn
    params["batch_size"] (train_batch_size in training, eval_batch_size in evaluation, predict_batch_size in
    prediction) and accepts a TPUEstimatorSpec (or an EstimatorSpec) from model_fn."""

    def __init__(self, model_fn: Callable | None = None, model_dir: Any = None, config: RunConfig | None = None,
                 params: dict | None = None, use_tpu: bool = True, train_batch_size: int | None = None,
                 eval_batch_size: int | None = None, predict_batch_size: int | None = None,
                 batch_axis: Any = None, eval_on_tpu: bool = True, export_to_tpu: bool = True,
                 export_to_cpu: bool = True, warm_start_from: Any = None, embedding_config_spec: Any = None,
                 export_saved_model_api_version: Any = None):
        if use_tpu:
            raise ValueError("TPUEstimator(use_tpu=True) needs a TPU; dfc runs TPUEstimator on the CPU only: "
                             "pass use_tpu=False")
        if config is not None and not isinstance(config, RunConfig):
            raise ValueError("`config` must be provided with type `tpu_config.RunConfig`")
        if params is not None and "batch_size" in params:
            raise ValueError("params cannot include batch_size: it is reserved for TPUEstimator's batch sizes")
        for what, size in (("train_batch_size", train_batch_size), ("eval_batch_size", eval_batch_size),
                           ("predict_batch_size", predict_batch_size)):
            if size is not None and (not isinstance(size, int) or size < 1):
                raise ValueError(f"{what} must be a positive int, got {size!r}")
        super().__init__(model_fn, model_dir=model_dir, config=config or RunConfig(), params=params or {},
                         warm_start_from=warm_start_from)
        self._batch_sizes = {ModeKeys.TRAIN: train_batch_size, ModeKeys.EVAL: eval_batch_size,
                             ModeKeys.PREDICT: predict_batch_size}
        self._mode_params: dict | None = None

    @property
    def params(self) -> dict:
        params = copy.deepcopy(self._params)
        if self._mode_params is not None:
            params.update(self._mode_params)
        return params

    def _with_batch_size(self, mode: str) -> None:
        size = self._batch_sizes.get(mode)
        if size is None and mode == ModeKeys.TRAIN:
            raise ValueError("train_batch_size must be set for TPUEstimator to train")
        if size is None and mode == ModeKeys.EVAL:
            raise ValueError("eval_batch_size must be set for TPUEstimator to evaluate")
        self._mode_params = {"batch_size": size, "use_tpu": False} if size is not None else {"use_tpu": False}

    def _call_input_fn(self, input_fn: Callable, mode: str) -> Any:
        self._with_batch_size(mode)
        return super()._call_input_fn(input_fn, mode)

    def _call_model_fn(self, features: Any, labels: Any, mode: str, config: Any) -> EstimatorSpec:
        self._with_batch_size(mode)
        original = self._model_fn

        def as_estimator_spec(**kwargs):
            spec = original(**kwargs)
            return spec.as_estimator_spec() if isinstance(spec, TPUEstimatorSpec) else spec

        self._model_fn = _same_args(as_estimator_spec, original)
        try:
            return super()._call_model_fn(features, labels, mode, config)
        finally:
            self._model_fn = original


def _same_args(wrapper: Callable, fn: Callable) -> Callable:
    """`wrapper` presenting `fn`'s signature, so the Estimator passes the same arguments it would pass fn."""
    import functools
    import inspect
    wrapped = functools.wraps(fn)(wrapper)
    wrapped.__signature__ = inspect.signature(fn)
    return wrapped
