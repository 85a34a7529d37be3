"""tf.contrib.distributions: tf.distributions' classes plus the contrib-only ones TF1 scripts use
(MultivariateNormalDiag, the *WithSoftplus* variants)."""

from __future__ import annotations

from ..distributions import *  # noqa: F403 - TF1's contrib module held every tf.distributions name
from ..distributions import __all__ as _CORE
from ..distributions.distribution import cross_entropy as _cross_entropy
from ..distributions.multivariate import (ExponentialWithSoftplusRate, GammaWithSoftplusConcentrationRate,
                                          LaplaceWithSoftplusScale, MultivariateNormalDiag, NormalWithSoftplusScale)

kl = kl_divergence  # noqa: F405 - TF1.4's older name
cross_entropy = _cross_entropy

__all__ = [*_CORE, "ExponentialWithSoftplusRate", "GammaWithSoftplusConcentrationRate", "LaplaceWithSoftplusScale",
           "MultivariateNormalDiag", "NormalWithSoftplusScale", "cross_entropy", "kl"]
