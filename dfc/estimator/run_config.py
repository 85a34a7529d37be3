"""tf.estimator.RunConfig: where an Estimator keeps its checkpoints and how often it saves, logs and summarizes."""

from __future__ import annotations

import copy
from typing import Any

_USE_DEFAULT = object()
_REPLACEABLE = ("model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps",
                "save_checkpoints_secs", "session_config", "keep_checkpoint_max", "keep_checkpoint_every_n_hours",
                "log_step_count_steps", "train_distribute", "device_fn", "protocol", "eval_distribute",
                "experimental_distribute", "experimental_max_worker_delay_secs", "session_creation_timeout_secs")
_BOTH = "`save_checkpoints_steps` and `save_checkpoints_secs` cannot be both set."


def _is_config_proto(value: Any) -> bool:
    from ..session import ConfigProto
    return isinstance(value, ConfigProto)


class TaskType:
    MASTER = "master"
    PS = "ps"
    WORKER = "worker"
    CHIEF = "chief"
    EVALUATOR = "evaluator"


class RunConfig:
    """An Estimator's run settings, with TF 1.15's defaults (checkpoints every 600 s, 5 kept, logs every 100 steps)."""

    def __init__(self, model_dir: str | None = None, tf_random_seed: int | None = None, save_summary_steps: int = 100,
                 save_checkpoints_steps: Any = _USE_DEFAULT, save_checkpoints_secs: Any = _USE_DEFAULT,
                 session_config: Any = None, keep_checkpoint_max: int = 5,
                 keep_checkpoint_every_n_hours: float = 10000, log_step_count_steps: int = 100,
                 train_distribute: Any = None, device_fn: Any = None, protocol: str | None = None,
                 eval_distribute: Any = None, experimental_distribute: Any = None,
                 experimental_max_worker_delay_secs: int | None = None,
                 session_creation_timeout_secs: float = 7200):
        if save_checkpoints_steps is _USE_DEFAULT and save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_steps, save_checkpoints_secs = None, 600
        elif save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_secs = None
        elif save_checkpoints_steps is _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError(_BOTH)
        self._model_dir = None if model_dir is None else str(model_dir)
        self._tf_random_seed = tf_random_seed
        self._save_summary_steps = save_summary_steps
        self._save_checkpoints_steps = save_checkpoints_steps
        self._save_checkpoints_secs = save_checkpoints_secs
        self._session_config = session_config
        self._keep_checkpoint_max = keep_checkpoint_max
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._log_step_count_steps = log_step_count_steps
        self._train_distribute = train_distribute
        self._device_fn = device_fn
        self._protocol = protocol
        self._eval_distribute = eval_distribute
        self._experimental_distribute = experimental_distribute
        self._experimental_max_worker_delay_secs = experimental_max_worker_delay_secs
        self._session_creation_timeout_secs = session_creation_timeout_secs
        self._validate()

    def _validate(self) -> None:
        checks = [("model_dir", lambda d: d, "model_dir should be non-empty"),
                  ("save_summary_steps", lambda s: s >= 0, "save_summary_steps should be >= 0"),
                  ("save_checkpoints_steps", lambda s: s >= 0, "save_checkpoints_steps should be >= 0"),
                  ("save_checkpoints_secs", lambda s: s >= 0, "save_checkpoints_secs should be >= 0"),
                  ("keep_checkpoint_max", lambda k: k >= 0, "keep_checkpoint_max should be >= 0"),
                  ("keep_checkpoint_every_n_hours", lambda h: h > 0, "keep_checkpoint_every_n_hours should be > 0"),
                  ("log_step_count_steps", lambda n: n > 0, "log_step_count_steps should be > 0"),
                  ("tf_random_seed", lambda s: isinstance(s, int) and not isinstance(s, bool),
                   "tf_random_seed must be integer."),
                  ("session_creation_timeout_secs", lambda t: t > 0, "session_creation_timeout_secs should be > 0"),
                  ("device_fn", callable, 'device_fn must be callable with exactly one argument "op".'),
                  ("session_config", _is_config_proto, "session_config must be instance of ConfigProto"),
                  ("protocol", lambda p: p in (None, "grpc", "grpc+verbs"), "protocol should be grpc or grpc+verbs")]
        for name, ok, message in checks:
            value = getattr(self, "_" + name)
            if value is not None and not ok(value):
                raise ValueError(message)

    def replace(self, **kwargs: Any) -> RunConfig:
        """A copy with the given properties changed (only TF's replaceable ones)."""
        for key in kwargs:
            if key not in _REPLACEABLE:
                raise ValueError(f"{key} is not supported by RunConfig.replace. Allowed properties: "
                                 f"{sorted(_REPLACEABLE)}")
        steps_given, secs_given = "save_checkpoints_steps" in kwargs, "save_checkpoints_secs" in kwargs
        new = copy.copy(self)
        for key, value in kwargs.items():
            setattr(new, "_" + key, None if key == "model_dir" and value is None else value)
        if steps_given and secs_given and kwargs["save_checkpoints_steps"] is not None \
                and kwargs["save_checkpoints_secs"] is not None:
            raise ValueError(_BOTH)
        if steps_given and not secs_given and new._save_checkpoints_steps is not None:
            new._save_checkpoints_secs = None
        if secs_given and not steps_given and new._save_checkpoints_secs is not None:
            new._save_checkpoints_steps = None
        new._validate()
        return new

    # TF's read-only properties
    model_dir = property(lambda self: self._model_dir)
    tf_random_seed = property(lambda self: self._tf_random_seed)
    save_summary_steps = property(lambda self: self._save_summary_steps)
    save_checkpoints_steps = property(lambda self: self._save_checkpoints_steps)
    save_checkpoints_secs = property(lambda self: self._save_checkpoints_secs)
    session_config = property(lambda self: self._session_config)
    keep_checkpoint_max = property(lambda self: self._keep_checkpoint_max)
    keep_checkpoint_every_n_hours = property(lambda self: self._keep_checkpoint_every_n_hours)
    log_step_count_steps = property(lambda self: self._log_step_count_steps)
    train_distribute = property(lambda self: self._train_distribute)
    eval_distribute = property(lambda self: self._eval_distribute)
    device_fn = property(lambda self: self._device_fn)
    protocol = property(lambda self: self._protocol)
    session_creation_timeout_secs = property(lambda self: self._session_creation_timeout_secs)
    # a single local task: the chief of no cluster
    cluster_spec = property(lambda self: None)
    task_type = property(lambda self: TaskType.WORKER)
    task_id = property(lambda self: 0)
    is_chief = property(lambda self: True)
    master = property(lambda self: "")
    evaluation_master = property(lambda self: "")
    num_ps_replicas = property(lambda self: 0)
    num_worker_replicas = property(lambda self: 1)
    global_id_in_cluster = property(lambda self: 0)
    service = property(lambda self: None)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, '_' + k)!r}" for k in _REPLACEABLE if getattr(self, "_" + k) is not None)
        return f"RunConfig({shown})"


__all__ = ["RunConfig", "TaskType"]
