"""tf.random: TF1's random namespace (normal, uniform, truncated_normal, categorical, ...)."""

from __future__ import annotations

from .framework import get_seed, set_random_seed  # noqa: F401 - re-exported TF1 names
from .candidate_sampling import log_uniform_candidate_sampler  # noqa: F401
from .random_ops import categorical, multinomial, truncated_normal  # noqa: F401
from .random_ops import random_shuffle as shuffle  # noqa: F401
from .random_ops import random_normal as normal  # noqa: F401
from .random_ops import random_uniform as uniform  # noqa: F401
