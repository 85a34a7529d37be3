"""tf.compat: `tf.compat.v1` is dfc itself (dfc's API is TF1's)."""

from __future__ import annotations

import dfc as v1

__all__ = ["v1"]
