"""tf.distributions (and tf.contrib.distributions): TF1's probability distributions, composed from the DSL's ops.

Normal, Laplace, Uniform, StudentT (normal.py); Bernoulli, Categorical, Multinomial,
DirichletMultinomial (discrete.py); Gamma, Exponential, Beta, Dirichlet (gamma.py); the Distribution
base, ReparameterizationType and the KL registry (distribution.py).
"""

from __future__ import annotations

from .discrete import Bernoulli, Categorical, DirichletMultinomial, Multinomial
from .distribution import (FULLY_REPARAMETERIZED, NOT_REPARAMETERIZED, Distribution, RegisterKL,
                           ReparameterizationType, kl_divergence)
from .gamma import Beta, Dirichlet, Exponential, Gamma
from .normal import Laplace, Normal, StudentT, Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "DirichletMultinomial", "Distribution", "Exponential",
           "FULLY_REPARAMETERIZED", "Gamma", "Laplace", "Multinomial", "NOT_REPARAMETERIZED", "Normal", "RegisterKL",
           "ReparameterizationType", "StudentT", "Uniform", "kl_divergence"]
