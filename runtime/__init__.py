"""The runtime: sessions, variable stores and the executors that run compiled steps."""

from .session import Session, get_default_session
from .store import VariableStore, aligned_empty

__all__ = ["Session", "VariableStore", "aligned_empty", "get_default_session"]
