"""tf.contrib.keras: TF 1.x's early home of Keras, the same API as tf.keras (layers, models, backend, ...)."""

from __future__ import annotations

from ..keras import *  # noqa: F403 - the same names as tf.keras
from ..keras import __all__  # noqa: F401
