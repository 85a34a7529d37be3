"""tf.nn.learned_unigram_candidate_sampler: candidates drawn by how often each id has been a true class so far.

TF keeps the counts in the sampler op's kernel: every id starts at 1, each run samples from the counts and then
adds 1 for each true class it was given; they live as long as the session and are not saved. dfc keeps them on
the host per session the same way: before a step that needs the sampler, the host draws the candidates from the
counts (TF's rejection of repeats when unique) and feeds them with their expected counts and the counts; after the
step, the true classes the step computed are added to the counts.
"""

from __future__ import annotations

import weakref

import numpy as np

from dfc.ir.dtypes import f32, f64, i64

from .array_ops import placeholder, reshape
from .candidate_sampling import _checked_ids, _counts
from .framework import Tensor, convert_to_tensor, get_default_graph, name_scope
from .math_ops import cast, equal, expm1, log1p, reduce_sum, where


def _expected(p, tries, num_sampled: int, unique: bool):
    """TF's ExpectedCountHelper: p * num_sampled when every try was kept, else 1 - (1 - p) ** tries."""
    if not unique:
        return p * num_sampled
    return np.where(tries == num_sampled, p * num_sampled, -np.expm1(tries * np.log1p(-p)))


class _Counts:
    """The per-session counts of one sampler, its draws from them and their update."""

    def __init__(self, range_max: int, num_sampled: int, unique: bool, seed: tuple[int, int]):
        self.range_max, self.num_sampled, self.unique, self.seed = range_max, num_sampled, unique, seed
        self.sessions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _state(self, session) -> dict:
        return self.sessions.setdefault(session, {"counts": np.ones(self.range_max),
                                                  "rng": np.random.default_rng(list(self.seed))})

    def draw(self, session) -> list[np.ndarray]:
        state = self._state(session)
        counts, rng = state["counts"], state["rng"]
        p = counts / counts.sum()
        cdf = np.cumsum(p)
        picks: list[int] = []
        seen: set[int] = set()
        tries = 0
        while len(picks) < self.num_sampled:
            for value in np.minimum(np.searchsorted(cdf, rng.random(self.num_sampled), side="right"),
                                    self.range_max - 1):
                if len(picks) == self.num_sampled:
                    break
                tries += 1
                if not self.unique or int(value) not in seen:
                    seen.add(int(value))
                    picks.append(int(value))
        sampled = np.asarray(picks, np.int64)
        expected = _expected(p[sampled], float(tries), self.num_sampled, self.unique).astype(np.float32)
        return [sampled, expected, counts.copy(), np.asarray(float(tries))]

    def update(self, session, values: list[np.ndarray]) -> None:
        counts = self._state(session)["counts"]
        np.add.at(counts, np.asarray(values[0], np.int64).ravel(), 1.0)


def learned_unigram_candidate_sampler(true_classes, num_true: int, num_sampled: int, unique: bool, range_max: int,
                                      seed=None, name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """(sampled_candidates [num_sampled] int64, true_expected_count [batch, num_true], sampled_expected_count):
    ids drawn with probability proportional to 1 + how often each was a true class in earlier runs."""
    from dfc.runtime.host_feeds import register_sink, register_source

    from .scopes import get_seed
    fn = "learned_unigram_candidate_sampler"
    num_true, num_sampled, range_max = _counts(fn, num_true, num_sampled, range_max)
    if unique and num_sampled > range_max:
        raise ValueError(f"{fn}: num_sampled ({num_sampled}) exceeds range_max ({range_max}) with unique=True")
    true_classes = convert_to_tensor(true_classes)
    if not true_classes.dtype.is_integer:
        raise TypeError(f"{fn}: true_classes {true_classes.name} must be int64, got {true_classes.dtype.name}")
    if true_classes.shape.ndims is not None and (true_classes.shape.ndims != 2 or
                                                 true_classes.shape.as_list()[1] not in (None, num_true)):
        raise ValueError(f"{fn}: true_classes {true_classes.name} must be [batch_size, num_true={num_true}], got "
                         f"{true_classes.shape}")
    graph = get_default_graph()
    state = _Counts(range_max, num_sampled, unique, get_seed(seed))
    with name_scope(name, "LearnedUnigramCandidateSampler"):
        checked = _checked_ids(cast(true_classes, i64), range_max)
        sampled = placeholder(i64, [num_sampled], name="sampled_candidates")
        sampled_expected = placeholder(f32, [num_sampled], name="sampled_expected_count")
        counts = placeholder(f64, [range_max], name="counts")
        tries = placeholder(f64, [], name="num_tries")
        outputs = [sampled, sampled_expected, counts, tries]
        register_source(graph._dfc_ir(), [t._dfc_ir() for t in outputs], state.draw)
        from .array_ops import identity
        from .framework import control_dependencies
        from .gather_scatter_ops import gather
        # every result depends on this op (a fed placeholder is not part of the step the host plans for), so a
        # step using any of them counts its true classes once, afterwards
        sampled = identity(sampled, name="sampled")
        register_sink(graph._dfc_ir(), sampled.op._dfc_ir(), [checked._dfc_ir()], state.update)
        with control_dependencies([sampled]):
            sampled_expected = identity(sampled_expected)
            counts, tries = identity(counts), identity(tries)
        p = gather(counts, reshape(checked, [-1])) / reduce_sum(counts)
        if unique:
            expected = where(equal(tries, float(num_sampled)), p * float(num_sampled), -expm1(tries * log1p(-p)))
        else:
            expected = p * float(num_sampled)
        true_expected = reshape(cast(expected, f32), [-1, num_true])
        return sampled, true_expected, sampled_expected


__all__ = ["learned_unigram_candidate_sampler"]
