"""tf.logging: TF1's logging functions and verbosity levels, on the standard library's 'dfc' logger."""

from __future__ import annotations

import logging as _logging
import sys

__all__ = ["DEBUG", "ERROR", "FATAL", "INFO", "TaskLevelStatusMessage", "WARN", "debug", "error", "fatal", "flush",
           "get_verbosity", "info", "log", "log_every_n", "log_first_n", "log_if", "set_verbosity", "vlog", "warn",
           "warning"]

DEBUG, INFO, WARN, ERROR, FATAL = _logging.DEBUG, _logging.INFO, _logging.WARN, _logging.ERROR, _logging.FATAL

_logger = _logging.getLogger("dfc")
if not _logger.handlers:
    _handler = _logging.StreamHandler(sys.stderr)
    _handler.setFormatter(_logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
    _logger.addHandler(_handler)
    _logger.setLevel(WARN)  # TF1's default verbosity
    _logger.propagate = False


def set_verbosity(v: int) -> None:
    _logger.setLevel(v)


def get_verbosity() -> int:
    return _logger.getEffectiveLevel()


def log(level: int, msg, *args, **kwargs) -> None:
    _logger.log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs) -> None:
    _logger.debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs) -> None:
    _logger.info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs) -> None:
    _logger.warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs) -> None:
    _logger.error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs) -> None:
    _logger.fatal(msg, *args, **kwargs)


def vlog(level: int, msg, *args, **kwargs) -> None:
    _logger.log(level, msg, *args, **kwargs)


_counts: dict[tuple[str, int], int] = {}


def _caller_key() -> tuple[str, int]:
    frame = sys._getframe(2)
    return frame.f_code.co_filename, frame.f_lineno


def log_every_n(level: int, msg, n: int, *args) -> None:
    """Log on the 1st, (n+1)th, ... call from one source line."""
    key = _caller_key()
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    if count % max(n, 1) == 0:
        _logger.log(level, msg, *args)


def log_first_n(level: int, msg, n: int, *args) -> None:
    key = _caller_key()
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    if count < n:
        _logger.log(level, msg, *args)


def log_if(level: int, msg, condition: bool, *args) -> None:
    """Log only when `condition` holds."""
    if condition:
        _logger.log(level, msg, *args)


def flush() -> None:
    """Write out what the log handlers hold."""
    for handler in _logger.handlers:
        handler.flush()


def TaskLevelStatusMessage(msg) -> None:  # noqa: N802 - TF's name
    """TF1 logs a task's status message as an error-level line."""
    _logger.error(msg)
