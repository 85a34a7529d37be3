"""Record TF 2.21's answers for tests/test_tf1_names_extra.py: the probes of tests/tf1_names_extra_cases.py, the
tf.raw_ops calls of tests/raw_ops_cases.py, and tf.raw_ops' signatures (every op's keyword arguments, defaults and
named outputs).

Run with a Python that has tensorflow installed (not needed by the tests):

    python tests/record_tf1_names_extra.py [OUT_DIR]

writes OUT_DIR/tf1_names_extra.json, tf1_names_extra_values.npz, raw_ops_signatures.json.gz and
raw_ops_values.npz
(default tests/data/tf_expectations/).
"""

from __future__ import annotations

import gzip
import inspect
import json
import os
import sys

from raw_ops_cases import CASES, LIST_OUTPUTS
from tf1_names_extra_cases import PROBES, VALUE_PROBES
from tf_recording import out_dir, tf, write_npz

from tensorflow.python.framework import op_def_registry  # noqa: E402 - after tf_recording set TF up

OUT = out_dir(sys.argv)


def _default(value):
    if value is inspect.Parameter.empty:
        return ["required"]
    if isinstance(value, tf.DType):
        return ["dtype", value.name]
    return ["value", value]


def signatures() -> dict:
    """Each raw op: its Python function's name, its arguments ([name, default]) and its outputs' names."""
    table = {}
    for name in sorted(n for n in dir(tf.raw_ops) if not n.startswith("_")):
        fn = getattr(tf.raw_ops, name)
        params = [[p.name, _default(p.default)] for p in inspect.signature(fn).parameters.values()]
        op_def = op_def_registry.get(name)
        outputs = [a.name for a in op_def.output_arg] if op_def is not None else None
        table[name] = {"fn": fn.__name__, "params": params, "outputs": outputs}
    return table


def values() -> dict:
    arrays = {}
    for case, op, kwargs in CASES:
        tf.reset_default_graph()
        result = getattr(tf.raw_ops, op)(**kwargs)
        outputs = list(result) if isinstance(result, (list, tuple)) else [result]
        with tf.Session() as sess:
            got = sess.run(outputs)
        for i, value in enumerate(got):
            arrays[f"{case}/{i}"] = value
        assert (op in LIST_OUTPUTS) == isinstance(result, list), op
    return arrays


def main() -> None:
    answers = {}
    for name, fn in PROBES.items():
        answers[name] = fn(tf)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "tf1_names_extra.json"), "w") as f:
        json.dump(answers, f, indent=1, default=str)
    text = json.dumps(signatures(), separators=(",", ":"), default=str)
    with open(os.path.join(OUT, "raw_ops_signatures.json.gz"), "wb") as f:
        f.write(gzip.compress(text.encode(), mtime=0))  # no timestamp: a new recording of the same ops is the same file
    write_npz(OUT, "raw_ops_values", values())
    write_npz(OUT, "tf1_names_extra_values", {f"{name}/{key}": value for name, fn in VALUE_PROBES.items()
                                               for key, value in fn(tf).items()})
    print(f"{len(answers)} probes, {len(CASES)} raw op calls")


if __name__ == "__main__":
    main()
