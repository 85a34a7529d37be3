"""Random DSL programs with often-wrong arguments, feeds and fetches: the one rule for user-caused exceptions.

Every exception a program raises must be one of dfc's TF error classes (whose message names the op and the
program's source line), or a TypeError/ValueError that dfc raised on purpose (not one from numpy or Python's
internals) and that names the API call and the program's source line (dfc/user_errors.py); the native
backend and the interpreter must agree (same values, or the same error class).

    python tests/dsl_fuzz.py --examples 2000        # a long run; tests/test_dsl_fuzz.py runs a short one

Each program is written to DFC_FUZZ_LOG before it runs, so when the process dies (a crash in native code)
the parent test can print the program that killed it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dfc as tf
from dfc.ir.errors import OpError, ShapeError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUR_DIRS = tuple(os.path.join(ROOT, d) + os.sep for d in ("dfc", "ir", "compiler", "runtime", "tools"))
THIS_FILE = os.path.basename(__file__)

DTYPES = ["float32", "int32", "float64", "bool"]
UNARY = ["relu", "exp", "negative", "abs", "sqrt", "square", "sigmoid", "tanh", "floor", "logical_not", "log"]
BINARY = ["add", "subtract", "multiply", "div", "floordiv", "mod", "maximum", "minimum", "pow", "less", "equal"]
REDUCE = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"]

small = st.integers(-3, 4)
dims = st.lists(st.integers(0, 4), min_size=0, max_size=3)
maybe_bad_dims = st.lists(st.integers(-2, 4), min_size=0, max_size=3)


@st.composite
def programs(draw) -> dict:
    """A program as data: sources, a list of op steps over earlier values, feeds and fetches."""
    sources = []
    for _ in range(draw(st.integers(1, 3))):
        dtype = draw(st.sampled_from(DTYPES))
        shape = draw(dims)
        if draw(st.booleans()):
            declared = [None if draw(st.booleans()) else d for d in shape]
            sources.append({"kind": "placeholder", "dtype": dtype, "shape": declared})
        else:
            sources.append({"kind": "constant", "dtype": dtype, "shape": shape, "seed": draw(st.integers(0, 99))})
    steps = []
    for _ in range(draw(st.integers(1, 6))):
        n = len(sources) + len(steps)
        pick = st.integers(0, n - 1)
        kind = draw(st.sampled_from(["unary", "binary", "reduce", "reshape", "transpose", "expand_dims", "squeeze",
                                     "concat", "split", "tile", "slice", "gather", "one_hot", "cast", "index",
                                     "stack", "unstack", "argmax", "softmax", "matmul", "range", "zeros"]))
        step: dict[str, Any] = {"kind": kind, "x": draw(pick), "y": draw(pick)}
        if kind == "unary":
            step["fn"] = draw(st.sampled_from(UNARY))
        elif kind == "binary":
            step["fn"] = draw(st.sampled_from(BINARY))
        elif kind == "reduce":
            step["fn"] = draw(st.sampled_from(REDUCE))
            step["axis"] = draw(st.one_of(st.none(), small, st.lists(small, max_size=2)))
            step["keepdims"] = draw(st.booleans())
        elif kind in ("reshape", "tile", "zeros"):
            step["shape"] = draw(maybe_bad_dims)
        elif kind == "transpose":
            step["perm"] = draw(st.one_of(st.none(), st.lists(small, max_size=3)))
        elif kind in ("expand_dims", "squeeze", "concat", "stack", "unstack", "argmax", "softmax"):
            step["axis"] = draw(small)
        elif kind == "split":
            step["axis"] = draw(small)
            step["split"] = draw(st.one_of(st.integers(-1, 4), st.lists(st.integers(-2, 4), min_size=1,
                                                                         max_size=3)))
        elif kind == "slice":
            step["begin"] = draw(st.lists(st.integers(-2, 5), max_size=3))
            step["size"] = draw(st.lists(st.integers(-2, 5), max_size=3))
        elif kind == "gather":
            step["indices"] = draw(st.lists(st.integers(-2, 5), max_size=4))
            step["axis"] = draw(small)
        elif kind == "one_hot":
            step["depth"] = draw(st.integers(-2, 5))
        elif kind == "cast":
            step["dtype"] = draw(st.sampled_from(DTYPES + ["float16", "int64"]))
        elif kind == "index":
            step["index"] = draw(st.integers(-5, 5))
        elif kind == "range":
            step["args"] = draw(st.lists(st.integers(-3, 6), min_size=1, max_size=3))
        steps.append(step)
    feeds = []
    for i, s in enumerate(sources):
        if s["kind"] == "placeholder" and draw(st.integers(0, 9)) > 0:
            shape = [d if d is not None else draw(st.integers(0, 4)) for d in s["shape"]]
            if draw(st.integers(0, 4)) == 0:
                shape = draw(dims)  # often wrong
            dtype = s["dtype"] if draw(st.integers(0, 4)) else draw(st.sampled_from(DTYPES))
            feeds.append({"source": i, "shape": shape, "dtype": dtype, "seed": draw(st.integers(0, 99))})
    total = len(sources) + len(steps)
    fetches = draw(st.lists(st.one_of(st.integers(0, total - 1), st.sampled_from(["Const:7", "nothing", "x:y", 3])),
                            min_size=1, max_size=3))
    return {"sources": sources, "steps": steps, "feeds": feeds, "fetches": fetches}


def _array(dtype: str, shape, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("int"):
        return rng.integers(-4, 5, shape).astype(dtype)
    return (rng.standard_normal(shape) * 3).astype(dtype)


def _step(step: dict, values: list) -> list:
    """The tensors one step makes (none when its operands do not exist)."""
    x, y = values[step["x"]], values[step["y"]]
    kind = step["kind"]
    if kind == "unary":
        fn = tf.nn.relu if step["fn"] == "relu" else getattr(tf, step["fn"])
        return [fn(x)]
    if kind == "binary":
        return [getattr(tf, step["fn"])(x, y)]
    if kind == "reduce":
        return [getattr(tf, step["fn"])(x, axis=step["axis"], keepdims=step["keepdims"])]
    if kind == "reshape":
        return [tf.reshape(x, step["shape"])]
    if kind == "transpose":
        return [tf.transpose(x, step["perm"])]
    if kind == "expand_dims":
        return [tf.expand_dims(x, step["axis"])]
    if kind == "squeeze":
        return [tf.squeeze(x, [step["axis"]])]
    if kind == "concat":
        return [tf.concat([x, y], step["axis"])]
    if kind == "split":
        return list(tf.split(x, step["split"], axis=step["axis"]))
    if kind == "tile":
        return [tf.tile(x, step["shape"])]
    if kind == "slice":
        return [tf.slice(x, step["begin"], step["size"])]
    if kind == "gather":
        return [tf.gather(x, step["indices"], axis=step["axis"])]
    if kind == "one_hot":
        return [tf.one_hot(x, step["depth"])]
    if kind == "cast":
        return [tf.cast(x, getattr(tf, step["dtype"]))]
    if kind == "index":
        return [x[step["index"]]]
    if kind == "stack":
        return [tf.stack([x, y], axis=step["axis"])]
    if kind == "unstack":
        return list(tf.unstack(x, axis=step["axis"]))
    if kind == "argmax":
        return [tf.argmax(x, axis=step["axis"])]
    if kind == "softmax":
        return [tf.nn.softmax(x, axis=step["axis"])]
    if kind == "matmul":
        return [tf.matmul(x, y)]
    if kind == "range":
        return [tf.range(*step["args"])]
    if kind == "zeros":
        return [tf.zeros(step["shape"])]
    raise AssertionError(kind)


def check_exception(e: BaseException, stage: str) -> str:
    """The outcome of an allowed exception ("error:Class"); raises AssertionError for a forbidden one."""
    if isinstance(e, (OpError, ShapeError)):
        if isinstance(e, ShapeError) or getattr(e, "op", None) is not None:
            assert THIS_FILE in str(e), f"{stage}: {type(e).__name__} does not name the source line: {e}"
        return f"error:{type(e).__name__}"
    if type(e) in (TypeError, ValueError):
        frames = traceback.extract_tb(e.__traceback__)
        assert frames and frames[-1].filename.startswith(OUR_DIRS), \
            f"{stage}: {type(e).__name__} raised outside dfc's own checks: {e}\n" + "".join(traceback.format_tb(
                e.__traceback__))
        assert THIS_FILE in str(e), f"{stage}: {type(e).__name__} does not name the source line: {e}"
        return f"error:{type(e).__name__}"
    raise AssertionError(f"{stage}: forbidden exception {type(e).__name__}: {e}\n" +
                         "".join(traceback.format_exception(e)))


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        tol = 1e-2 if a.dtype == np.float16 else 1e-5
        return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=tol, atol=tol, equal_nan=True))
    return bool(np.array_equal(a, b))


def run_program(program: dict) -> None:
    """Build and run one program on both backends; AssertionError on a broken rule or a disagreement."""
    log = os.environ.get("DFC_FUZZ_LOG")
    if log:
        with open(log, "w") as f:
            json.dump(program, f)
    tf.reset_default_graph()
    values: list = []
    try:
        for s in program["sources"]:
            dtype = getattr(tf, s["dtype"])
            if s["kind"] == "placeholder":
                values.append(tf.placeholder(dtype, s["shape"]))
            else:
                values.append(tf.constant(_array(s["dtype"], s["shape"], s["seed"]), dtype=dtype))
        for step in program["steps"]:
            made = _step(step, values)
            values.append(made[0] if made else values[-1])  # one value per step keeps the indices valid
    except Exception as e:  # noqa: BLE001 - the rule is checked here
        check_exception(e, "build")
        return
    feed = {values[f["source"]]: _array(f["dtype"], f["shape"], f["seed"]) for f in program["feeds"]}
    fetches = [values[f] if isinstance(f, int) and f < len(values) else f for f in program["fetches"]]
    outcomes = []
    for backend in ("cpu", "interpreter"):
        try:
            outcomes.append(("ok", tf.Session(backend=backend).run(fetches, feed)))
        except Exception as e:  # noqa: BLE001 - the rule is checked here
            outcomes.append((check_exception(e, f"run on {backend}"), None))
    (native, native_values), (reference, reference_values) = outcomes
    assert native == reference, f"the backends disagree: native {native}, interpreter {reference}"
    if native == "ok":
        assert _same(native_values, reference_values), \
            f"the backends disagree:\nnative {native_values}\ninterpreter {reference_values}"


def fuzz(examples: int, seed: int | None = None) -> None:
    @settings(max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
              suppress_health_check=list(HealthCheck))
    @given(program=programs())
    def check(program):
        run_program(program)

    check()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--derandomize", action="store_true", help="the same examples every run (CI)")
    args = parser.parse_args()
    fuzz(args.examples, 0 if args.derandomize else None)
    print(f"dsl fuzz: {args.examples} programs, no broken rule", file=sys.stderr)


if __name__ == "__main__":
    main()
