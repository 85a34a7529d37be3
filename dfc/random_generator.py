"""tf.random's seed utilities and stateful generators: Algorithm, create_rng_state, split, fold_in, Generator,
get_global_generator/set_global_generator (TF1 graph mode: a Generator's state is a variable each draw advances).

A Generator's state is [counter, 0, key] (Philox's layout, int64). Each draw op adds 1 to the counter
when it runs and draws the stateless numbers of seed (key, counter before the add), so every run of
every op gets fresh numbers and a generator made from the same seed repeats the sequence. TF's bits
come from Philox and are not reproduced; the stateless draws' hash (dfc/stateless_random.py) is used.
"""

from __future__ import annotations

import enum

import numpy as np

import dfc as tf
from dfc.ir.dtypes import f32, i64

from . import stateless_random as stateless
from .framework import Tensor, convert_to_tensor, name_scope

_STATE_SIZE = {1: 3, 2: 2}


class Algorithm(enum.IntEnum):
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _algorithm(alg) -> int:
    if alg is None:
        return Algorithm.PHILOX
    if isinstance(alg, str):
        names = {"philox": Algorithm.PHILOX, "threefry": Algorithm.THREEFRY, "auto_select": Algorithm.AUTO_SELECT}
        if alg.lower() not in names:
            raise ValueError(f"Unsupported algorithm id: {alg}")
        alg = names[alg.lower()]
    alg = Algorithm(int(alg)) if int(alg) in (1, 2, 3) else None
    if alg is None:
        raise ValueError(f"Unsupported algorithm id: {alg}")
    return Algorithm.PHILOX if alg == Algorithm.AUTO_SELECT else alg


def create_rng_state(seed, alg) -> Tensor:
    """The initial state of a generator of algorithm `alg` for an integer seed: the seed in the first word(s)."""
    size = _STATE_SIZE[_algorithm(alg)]
    value = np.atleast_1d(np.asarray(seed, dtype=np.int64)).reshape(-1)
    if value.size > size:
        raise ValueError(f"create_rng_state: seed {seed!r} has more than {size} words")
    return tf.constant(np.concatenate([value, np.zeros(size - value.size, np.int64)]))


def _seed_words(seed, what: str):
    seed = convert_to_tensor(seed, name="seed")
    if seed.dtype.name not in ("int32", "int64"):
        raise TypeError(f"{what}: seed {seed.name} must be int32 or int64, got {seed.dtype.name}")
    return seed


def split(seed, num: int = 2, alg="auto_select") -> Tensor:
    """`num` new seeds [num, 2] (seed's dtype) derived from `seed`, each drawing independent stateless numbers."""
    _algorithm(alg)
    seed = _seed_words(seed, "split")
    with name_scope(None, "split", [seed]):
        key = stateless._key(seed, "split")
        words = stateless._words(key, 7, 2 * int(num))
        return tf.cast(tf.reshape(words, [int(num), 2]), seed.dtype)


def fold_in(seed, data, alg="auto_select") -> Tensor:
    """A new seed [2] from `seed` and an integer `data` (different data, independent numbers)."""
    _algorithm(alg)
    seed = _seed_words(seed, "fold_in")
    with name_scope(None, "fold_in", [seed, data]):
        data = tf.cast(convert_to_tensor(data, name="data"), i64)
        mixed = tf.stack([tf.cast(seed[0], i64), tf.bitwise.bitwise_xor(tf.cast(seed[1], i64), data)])
        key = stateless._key(mixed, "fold_in")
        return tf.cast(stateless._words(key, 8, 2), seed.dtype)


class Generator:
    """A stateful random-number generator (TF's tf.random.Generator in graph mode): its draws advance its state."""

    def __init__(self, copy_from: Generator | None = None, state=None, alg=None):
        if copy_from is not None:
            state, alg = copy_from.state.read_value(), copy_from.algorithm
        self._alg = _algorithm(alg)
        if state is None:
            raise ValueError("Generator needs a state: use Generator.from_seed, from_state or "
                             "from_non_deterministic_state")
        with name_scope("random_generator"):
            initial = convert_to_tensor(state, dtype=i64) if not hasattr(state, "dtype") else tf.cast(state, i64)
            size = _STATE_SIZE[self._alg]
            if initial.shape.as_list() != [size]:
                raise ValueError(f"Generator: the state must have shape [{size}] for algorithm {self._alg.name}, "
                                 f"got {initial.shape}")
            self._state = tf.Variable(initial, trainable=False, name="StateVar")

    @classmethod
    def from_seed(cls, seed, alg=None) -> Generator:
        return cls(state=create_rng_state(seed, _algorithm(alg)), alg=alg)

    @classmethod
    def from_state(cls, state, alg) -> Generator:
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg) -> Generator:
        counter = np.asarray(counter, np.int64).reshape(-1)
        return cls(state=np.concatenate([counter, np.asarray(key, np.int64).reshape(-1)]), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> Generator:
        words = np.random.SeedSequence().generate_state(1, np.uint64).astype(np.int64)
        return cls.from_seed(int(words[0]), alg)

    @property
    def state(self):
        return self._state

    @property
    def algorithm(self) -> int:
        return int(self._alg)

    @property
    def key(self) -> Tensor:
        return self._state[-1]

    def _next_seed(self) -> Tensor:
        """The [2] seed of one draw op: (key, counter before this run's add of 1)."""
        step = np.zeros(_STATE_SIZE[self._alg], np.int64)
        step[0] = 1
        updated = tf.assign_add(self._state, tf.constant(step))
        return tf.stack([updated[-1], updated[0] - 1])

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=f32, name: str | None = None) -> Tensor:
        with name_scope(name, "stateful_normal"):
            return stateless.stateless_random_normal(shape, self._next_seed(), mean, stddev, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=f32, name: str | None = None) -> Tensor:
        with name_scope(name, "stateful_truncated_normal"):
            return stateless.stateless_truncated_normal(shape, self._next_seed(), mean, stddev, dtype)

    def uniform(self, shape, minval=0, maxval=None, dtype=f32, name: str | None = None) -> Tensor:
        with name_scope(name, "stateful_uniform"):
            return stateless.stateless_random_uniform(shape, self._next_seed(), minval, maxval, dtype)

    def uniform_full_int(self, shape, dtype=i64, name: str | None = None) -> Tensor:
        """Integers over dtype's whole range."""
        from dfc.ir.dtypes import as_dtype
        dtype = as_dtype(dtype)
        with name_scope(name, "stateful_uniform_full_int"):
            key = stateless._key(self._next_seed(), "uniform_full_int")
            count = stateless._count(stateless._shape_list(shape, "uniform_full_int"))
            shape_list = stateless._shape_list(shape, "uniform_full_int")
            low = stateless._words(key, 20, count)
            if dtype.np.itemsize <= 4:
                return tf.reshape(tf.cast(low, dtype), shape_list)
            high = stateless._words(key, 21, count)
            full = tf.bitwise.bitwise_or(tf.bitwise.left_shift(high, stateless._c(32)), low)
            return tf.reshape(tf.cast(full, dtype), shape_list)

    def binomial(self, shape, counts, probs, dtype=None, name: str | None = None) -> Tensor:
        from dfc.ir.dtypes import i32
        with name_scope(name, "binomial"):
            return stateless.stateless_binomial(shape, self._next_seed(), counts, probs,
                                                output_dtype=i32 if dtype is None else dtype)

    def make_seeds(self, count: int = 1) -> Tensor:
        """[2, count] int64 seeds for stateless ops (TF's layout: one seed per column)."""
        key = stateless._key(self._next_seed(), "make_seeds")
        return tf.transpose(tf.reshape(stateless._words(key, 9, 2 * int(count)), [int(count), 2]))

    def split(self, count: int = 1) -> list[Generator]:
        seeds = self.make_seeds(count)
        return [Generator(state=tf.stack([seeds[0, i], tf.constant(0, dtype=i64), seeds[1, i]]), alg=self._alg)
                for i in range(int(count))]

    def reset(self, state):
        return self._state.assign(tf.cast(convert_to_tensor(state), i64))

    def reset_from_seed(self, seed):
        return self._state.assign(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter):
        counter = np.asarray(counter, np.int64).reshape(-1)
        return self._state.assign(np.concatenate([counter, np.asarray(key, np.int64).reshape(-1)]))

    def skip(self, delta):
        step = tf.stack([tf.cast(convert_to_tensor(delta), i64), *[tf.constant(0, dtype=i64)] * 2])
        return self._state.assign_add(step)


_GLOBAL: dict[int, Generator] = {}


def get_global_generator() -> Generator:
    """The default graph's generator, made from a non-deterministic state when first asked for."""
    graph = tf.get_default_graph()
    if id(graph) not in _GLOBAL or _GLOBAL[id(graph)]._state.graph is not graph:
        _GLOBAL[id(graph)] = Generator.from_non_deterministic_state()
    return _GLOBAL[id(graph)]


def set_global_generator(generator: Generator) -> None:
    if not isinstance(generator, Generator):
        raise TypeError(f"set_global_generator takes a tf.random.Generator, got {type(generator).__name__}")
    _GLOBAL[id(tf.get_default_graph())] = generator
