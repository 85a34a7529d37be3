"""Random sources: counter-based uniform, normal and truncated-normal draws, reproducible by seed.

Each draw is a pure function of (seed, seed2, step, element index): `step` counts how many
runs of this session included the op, so a re-run gives new numbers and a new session with
the same seeds gives the same sequence (TF1's promise); its high word counts the op's earlier
executions within the run, so each iteration of a loop body draws anew as in TF1. The hash is murmur3's 32-bit
finalizer, chosen because a native backend can compute the same bits in a few integer ops.
"""

from __future__ import annotations

import numpy as np

from .registry import Attr, OpDef, register

_M1 = np.uint32(0x85EBCA6B)
_M2 = np.uint32(0xC2B2AE35)
_GOLDEN = np.uint32(0x9E3779B9)


def fmix32(h: np.ndarray) -> np.ndarray:
    h = h.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= _M1
    h ^= h >> np.uint32(13)
    h *= _M2
    h ^= h >> np.uint32(16)
    return h


#: mixes the high word of a step (the execution of the op within its run: a loop's iteration) into the key
EXECUTION_MIX = 0xC2B2AE3D


def random_bits(seed: int, seed2: int, step: int, stream: int, n: int) -> np.ndarray:
    """n uint32 words for (seed, seed2, step, stream): element i hashes its index with the key.

    The step's low 32 bits are the run's counter; its high 32 bits, when not zero, count the op's
    earlier executions in the run (ir/interpreter.py's EXECUTION_STRIDE) and go through one more round.
    """
    with np.errstate(over="ignore"):
        key = fmix32(np.uint32(seed & 0xFFFFFFFF) ^ fmix32(np.uint32(seed2 & 0xFFFFFFFF) + _GOLDEN))
        key = fmix32(key ^ np.uint32((step * 0x27D4EB2F + stream * 0x165667B1) & 0xFFFFFFFF))
        execution = (step >> 32) & 0xFFFFFFFF
        if execution:
            key = fmix32(key ^ np.uint32((execution * EXECUTION_MIX) & 0xFFFFFFFF))
        return fmix32(np.arange(n, dtype=np.uint32) * _GOLDEN ^ key)


def uniform01(bits: np.ndarray) -> np.ndarray:
    """Floats in [0, 1) from the top 24 bits (exact in float32)."""
    return (bits >> np.uint32(8)).astype(np.float64) * (1.0 / (1 << 24))


def _normal(seed, seed2, step, stream, n):
    u1 = 1.0 - uniform01(random_bits(seed, seed2, step, 2 * stream, n))  # (0, 1]: log is finite
    u2 = uniform01(random_bits(seed, seed2, step, 2 * stream + 1, n))
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


TRUNCATED_TRIES = 8


def _truncated(seed, seed2, step, n):
    """Normal draws within two standard deviations: each element takes its first draw that fits."""
    out = np.zeros(n)
    todo = np.ones(n, dtype=bool)
    for attempt in range(TRUNCATED_TRIES):
        z = _normal(seed, seed2, step, attempt, n)
        take = todo & (np.abs(z) < 2.0)
        out[take] = z[take]
        todo &= ~take
    return out  # elements that missed every try (p ~ 1e-11) stay 0


def _random(kind):
    def reference(*shape, seed, seed2, ctx, op):
        rtype = op.results[0].type
        if shape:  # the shape operand of an op not yet made static (run unspecialized)
            rtype = rtype.with_shape(tuple(int(d) for d in shape[0]))
        step = ctx.random_step(op)
        n = int(np.prod(rtype.shape, dtype=np.int64))
        if kind == "uniform":
            flat = uniform01(random_bits(seed, seed2, step, 0, n))
        elif kind == "normal":
            flat = _normal(seed, seed2, step, 0, n)
        else:
            flat = _truncated(seed, seed2, step, n)
        return flat.reshape(rtype.shape).astype(rtype.dtype.np)
    return reference


for _kind, _name in (("uniform", "random_uniform"), ("normal", "random_normal"), ("truncated", "truncated_normal")):
    register(OpDef(f"dfc.{_name}", "random", None, _random(_kind), (0, 1), {"seed": Attr("int"), "seed2": Attr("int")},
                   differentiable=False, stateful=True, uses_context=True, fusible_as=None))
