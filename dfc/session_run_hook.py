"""tf.train.SessionRunHook and what it exchanges with a monitored session (SessionRunArgs, -Context, -Values)."""

from __future__ import annotations

from typing import Any

from .session import Session
from .training_util import get_global_step


class SessionRunArgs:
    def __init__(self, fetches: Any, feed_dict: dict | None = None, options: Any = None):
        self.fetches = fetches
        self.feed_dict = feed_dict
        self.options = options


class SessionRunValues:
    def __init__(self, results: Any, options: Any = None, run_metadata: Any = None):
        self.results = results
        self.options = options
        self.run_metadata = run_metadata


class SessionRunContext:
    def __init__(self, original_args: SessionRunArgs, session: Session):
        self.original_args = original_args
        self.session = session
        self._stop_requested = False

    def request_stop(self) -> None:
        self._stop_requested = True

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested


class SessionRunHook:
    """tf.train.SessionRunHook: called around session creation and every run."""

    def begin(self) -> None: ...

    def after_create_session(self, session: Session, coord: Any) -> None: ...

    def before_run(self, run_context: SessionRunContext) -> SessionRunArgs | None:
        return None

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None: ...

    def end(self, session: Session) -> None: ...


def _global_step_tensor():
    step = get_global_step()
    if step is None:
        raise RuntimeError("this hook needs a global step: create one with tf.train.get_or_create_global_step()")
    return step


__all__ = ["SessionRunArgs", "SessionRunContext", "SessionRunHook", "SessionRunValues"]
