"""tf.random: TF1's random namespace (normal, uniform, truncated_normal, categorical, gamma, poisson, stateless_*)."""

from __future__ import annotations

from .framework import set_random_seed  # noqa: F401 - re-exported TF1 names
from .candidate_sampling import (all_candidate_sampler, fixed_unigram_candidate_sampler,  # noqa: F401
                                 log_uniform_candidate_sampler, uniform_candidate_sampler)
from .random_ops import categorical, multinomial, truncated_normal  # noqa: F401
from .random_ops import random_shuffle as shuffle  # noqa: F401
from .random_ops import random_normal as normal  # noqa: F401
from .random_ops import random_uniform as uniform  # noqa: F401
from .random_sampling import get_seed  # noqa: F401
from .random_sampling import random_gamma as gamma  # noqa: F401
from .random_sampling import random_poisson as poisson  # noqa: F401
from .stateless_random import stateless_categorical, stateless_multinomial  # noqa: F401
from .stateless_random import stateless_random_gamma as stateless_gamma  # noqa: F401
from .stateless_random import stateless_random_normal as stateless_normal  # noqa: F401
from .stateless_random import stateless_random_poisson as stateless_poisson  # noqa: F401
from .stateless_random import stateless_random_uniform as stateless_uniform  # noqa: F401
from .stateless_random import stateless_truncated_normal  # noqa: F401
from .stateless_random import stateless_binomial, stateless_parameterized_truncated_normal  # noqa: F401
from .random_generator import (Algorithm, Generator, create_rng_state, fold_in,  # noqa: F401
                               get_global_generator, set_global_generator, split)
from . import random_experimental as experimental  # noqa: F401, E402
