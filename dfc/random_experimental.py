"""tf.random.experimental: the generator API and the stateless seed utilities under their experimental names."""

from __future__ import annotations

from .random_generator import (Algorithm, Generator, create_rng_state, get_global_generator,  # noqa: F401
                               set_global_generator)
from .random_generator import fold_in as stateless_fold_in  # noqa: F401
from .random_generator import split as stateless_split  # noqa: F401
