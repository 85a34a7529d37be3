"""The one evaluator of a fused region at one index: every fused kernel (elementwise loops, reductions with
their producers, matmul epilogues; CPU and GPU) computes its region's elements through it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from dfc.ir.graph import Block, Op, Value

from .scalar import COMP, Fn, lit, scalar, typed_value

if TYPE_CHECKING:
    from .module import ModuleBuilder


def big_constants(body: Block, reads: Iterable[Value] | None = None) -> list[Op]:
    """The region's constants of more than one element (those `reads` names, if given): kernels read them
    like operands, from private globals; one-element constants become literals."""
    wanted = None if reads is None else set(reads)
    return [inner for inner in body.ops if inner.type == "dfc.constant"
            and np.asarray(inner.attrs["value"]).size != 1 and (wanted is None or inner.result in wanted)]


def eval_region(mb: ModuleBuilder, fn: Fn, op: Op, loaded: list[str | None], region_consts: list[Op],
                known: dict[Value, str] | None = None, outputs: list[Value] | None = None) -> list[str]:
    """The scalar values of `outputs` (by default what the fused region yields) at the current index.

    `loaded` holds the block arguments' values (None for one no op reads here), then the big
    constants'; `known` gives values computed elsewhere (a matmul's product): their ops are
    skipped. The ops run in region order until every output has its value, so a reduction's
    producers are evaluated without the reduction itself (outputs=[its operand]).
    """
    body = op.regions[0]
    env: dict[Value, str] = {arg: v for arg, v in zip(body.arguments, loaded)}
    for inner, v in zip(region_consts, loaded[len(body.arguments):]):
        env[inner.result] = v
    env.update(known or {})
    wanted = list(body.terminator.inputs if outputs is None else outputs)
    for inner in body.ops[:-1]:
        if all(v in env for v in wanted):
            break
        if inner in region_consts or all(r in env for r in inner.results):
            continue
        if inner.type == "dfc.constant":
            value = np.asarray(inner.attrs["value"])
            if value.size != 1:  # not among region_consts: only a skipped op (the matmul) reads it
                continue
            dt = inner.result.type.dtype
            item = value.reshape(()).item()
            env[inner.result] = lit(COMP[dt], bool(item) if dt.is_bool else typed_value(item, dt))
            continue
        args = [env[v] for v in inner.inputs]
        env[inner.result] = scalar(fn, inner, args, [v.type.dtype for v in inner.inputs], mb.needs)
    return [env[v] for v in wanted]
