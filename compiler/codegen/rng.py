"""random_uniform, random_normal and truncated_normal: counter-based hashes of (seed, run, index).

The bits match the reference interpreter's: a murmur3-style finalizer over the op's seeds,
the run counter the runtime passes in params, the stream and the element index. The counter's
high word counts the op's executions within the run: inside a loop, the entry function adds
EXECUTION_STRIDE to it after each execution, so every iteration draws anew.
"""

from __future__ import annotations

import math

from dfc.ir import dtypes as D
from dfc.ir.graph import Op
from dfc.ir.interpreter import EXECUTION_STRIDE
from dfc.ir.ops.random import EXECUTION_MIX, TRUNCATED_TRIES

from .loops import View, elem_ptr, loop_nest
from .mathlib import f64 as lit_f64
from .module import PARAM_RANDOM, ModuleBuilder, where
from .scalar import Fn, convert, int_wrap, store

def _fmix(fn: Fn, h: str) -> str:
    for shift, mul in ((16, 0x85EBCA6B), (13, 0xC2B2AE35), (16, None)):
        s = fn(f"lshr i32 {h}, {shift}")
        h = fn(f"xor i32 {h}, {s}")
        if mul is not None:
            h = fn(f"mul i32 {h}, {int_wrap(mul, 32)}")
    return h


def _stream_keys(fn: Fn, params_ptr: str, slot: int, seed: int, seed2: int, nstreams: int) -> list[str]:
    """The key of each stream for this execution, from the op's seeds and its counter in params[slot]."""
    golden = int_wrap(0x9E3779B9, 32)
    sp = fn(f"getelementptr inbounds i64, ptr {params_ptr}, i64 {slot}")
    step = fn(f"load i64, ptr {sp}")
    step32 = fn(f"trunc i64 {step} to i32")
    # key = fmix(seed ^ fmix(seed2 + golden)); per stream: fmix(key ^ (step*C1 + stream*C2)), then, for an
    # execution after the first in this run (the counter's high word), one more round with that count
    s2 = fn(f"add i32 {int_wrap(seed2, 32)}, {golden}")
    s2 = _fmix(fn, s2)
    key = fn(f"xor i32 {int_wrap(seed, 32)}, {s2}")
    key = _fmix(fn, key)
    sm = fn(f"mul i32 {step32}, {int_wrap(0x27D4EB2F, 32)}")
    execution = fn(f"lshr i64 {step}, 32")
    execution = fn(f"trunc i64 {execution} to i32")
    again = fn(f"icmp ne i32 {execution}, 0")
    execution_word = fn(f"mul i32 {execution}, {int_wrap(EXECUTION_MIX, 32)}")
    keys = []
    for s in range(nstreams):
        t = fn(f"add i32 {sm}, {int_wrap(s * 0x165667B1, 32)}")
        t = fn(f"xor i32 {key}, {t}")
        t = _fmix(fn, t)
        mixed = _fmix(fn, fn(f"xor i32 {t}, {execution_word}"))
        keys.append(fn(f"select i1 {again}, i32 {mixed}, i32 {t}"))
    return keys


def lower_random(mb: ModuleBuilder, op: Op) -> None:
    r = op.result
    dt = r.type.dtype
    n = r.type.num_elements
    mb.random_ops.append(op)
    if n == 0:
        return
    slot = PARAM_RANDOM + len(mb.random_ops) - 1
    kind = op.short_type
    seed, seed2 = op.attrs["seed"] & 0xFFFFFFFF, op.attrs["seed2"] & 0xFFFFFFFF
    ptrs, which = mb.buffers([where(mb, r), mb.params_ptr()])
    params = [f"%p{i}" for i in range(len(ptrs))]
    name, fn = mb.new_kernel(len(ptrs))
    golden = int_wrap(0x9E3779B9, 32)
    nstreams = {"random_uniform": 1, "random_normal": 2, "truncated_normal": 2 * TRUNCATED_TRIES}[kind]
    keys = _stream_keys(fn, params[which[1]], slot, seed, seed2, nstreams)
    out = View(which[0], dt, 0, [1])

    def uniform(i32idx, key_):
        h = fn(f"mul i32 {i32idx}, {golden}")
        h = fn(f"xor i32 {h}, {key_}")
        h = _fmix(fn, h)
        h = fn(f"lshr i32 {h}, 8")
        d = fn(f"uitofp i32 {h} to double")
        return fn(f"fmul double {d}, {lit_f64(1.0 / (1 << 24))}")

    def normal(i32idx, stream):
        u1 = uniform(i32idx, keys[2 * stream])
        u1 = fn(f"fsub double {lit_f64(1.0)}, {u1}")
        u2 = uniform(i32idx, keys[2 * stream + 1])
        lg = fn(f"call double @llvm.log.f64(double {u1})")
        lg = fn(f"fmul double {lg}, {lit_f64(-2.0)}")
        sq = fn(f"call double @llvm.sqrt.f64(double {lg})")
        ang = fn(f"fmul double {u2}, {lit_f64(2.0 * math.pi)}")
        c = fn(f"call double @llvm.cos.f64(double {ang})")
        return fn(f"fmul double {sq}, {c}")

    def body(offs, idxs):
        i32idx = fn(f"trunc i64 {idxs[0]} to i32")
        if kind == "random_uniform":
            val = uniform(i32idx, keys[0])
        elif kind == "random_normal":
            val = normal(i32idx, 0)
        else:
            res = fn.alloca("double")
            fn.emit(f"store double {lit_f64(0.0)}, ptr {res}")
            done = fn.label("tn_done")
            for attempt in range(TRUNCATED_TRIES):
                z = normal(i32idx, attempt)
                az = fn(f"call double @llvm.fabs.f64(double {z})")
                ok = fn(f"fcmp olt double {az}, {lit_f64(2.0)}")
                take, nxt = fn.label("tn_take"), fn.label("tn_next")
                fn.emit(f"br i1 {ok}, label %{take}, label %{nxt}")
                fn.block(take)
                fn.emit(f"store double {z}, ptr {res}")
                fn.emit(f"br label %{done}")
                fn.block(nxt)
            fn.emit(f"br label %{done}")
            fn.block(done)
            val = fn(f"load double, ptr {res}")
        store(fn, convert(fn, val, D.f64, dt), elem_ptr(fn, params, out, offs[0]), dt)

    loop_nest(fn, [n], [out], params, body, "%lo", "%hi")
    mb.finish_kernel(fn)
    mb.call_loop_kernel(name, ptrs, n * (8 if kind != "random_uniform" else 1), n)
    if mb.loop_depth:  # the op's next execution in this run (the loop's next iteration) draws anew
        e = mb.entry
        counter = e(f"getelementptr inbounds i64, ptr {mb.params_ptr()}, i64 {slot}")
        current = e(f"load i64, ptr {counter}")
        e.emit(f"store i64 {e(f'add i64 {current}, {EXECUTION_STRIDE}')}, ptr {counter}")
