"""Record TensorFlow's answers for uint8/16/32/64 (tests/unsigned_dtype_cases.py, feeds, checkpoints, images) into
tests/data/unsigned_dtypes_tf.json, which tests/test_unsigned_dtypes.py checks dfc against.

Run with a Python that has TensorFlow: /work/bench-venv/bin/python tests/record_unsigned_dtypes.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

import numpy as np
import tf_recording  # noqa: F401 - sets TF up as every recording does
import unsigned_dtype_cases as cases
from unsigned_dtype_cases import PNG_CASES

import tensorflow.compat.v1 as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "unsigned_dtypes_tf.json")


def outcome(build) -> dict:
    """{'dtype', 'value'} of what build() computes in a session, or {'error', 'message'} of what TF raises."""
    graph = tf.Graph()
    with graph.as_default():
        try:
            out, feed = build()
        except Exception as e:  # noqa: BLE001 - recording whatever TF raises
            return {"error": type(e).__name__, "message": str(e).splitlines()[0][:300], "when": "build"}
        with tf.Session() as sess:
            try:
                value = np.asarray(sess.run(out, feed))
            except Exception as e:  # noqa: BLE001
                return {"error": type(e).__name__, "message": _kernel_line(str(e)), "when": "run"}
    if value.dtype.kind == "O":  # tf.string: JSON holds the bytes as text
        return {"dtype": "string", "value": np.vectorize(bytes.decode, otypes=[object])(value).tolist()}
    return {"dtype": value.dtype.name, "value": value.tolist()}


def _kernel_line(message: str) -> str:
    """The line of TF's run-time message that says why (not its 'Graph execution error' header)."""
    lines = [ln for ln in message.splitlines() if ln.strip() and not ln.startswith(("Graph execution", "Detected",
                                                                                    "  ", "Node:"))]
    return (lines[0] if lines else message)[:300]


def case_outcomes() -> dict:
    found = {}
    for dtype in cases.DTYPES:
        values = cases.feeds(dtype)
        for name, fn in {**cases.VALUES, **cases.ERRORS}.items():
            def build(fn=fn, values=values, dtype=dtype):
                phs = {k: tf.placeholder(dtype, v.shape, name=k) for k, v in values.items()}
                return fn(tf, phs["x"], phs["y"], phs["s"]), {phs[k]: v for k, v in values.items()}
            found[f"{dtype}:{name}"] = outcome(build)
    return found


def feed_outcomes() -> dict:
    """Feeding an array of one integer dtype to a placeholder of another (its top value too: TF's feed converts
    with numpy, which wraps)."""
    found = {}
    for have in ("uint16", "uint32", "uint64", "int32", "int64", "uint8"):
        for want in ("int32", "int64", "uint32", "uint64", "uint8", "float32"):
            if have == want:
                continue

            def build(have=have, want=want):
                p = tf.placeholder(want, [2], name="p")
                return tf.identity(p), {p: np.array([1, np.iinfo(have).max], have)}
            found[f"{have}->{want}"] = outcome(build)
    return found


def checkpoint_outcomes() -> dict:
    """Variables of each unsigned dtype saved by a Saver and restored; the dtype codes TF's bundle holds."""
    found = {}
    for dtype in cases.DTYPES:
        top = int(np.iinfo(dtype).max)
        with tf.Graph().as_default():
            v = tf.Variable(np.array([top, 1, top // 2 + 1], dtype), name="v")
            saver = tf.train.Saver()
            with tf.Session() as sess, tempfile.TemporaryDirectory() as tmp:
                sess.run(tf.global_variables_initializer())
                path = saver.save(sess, os.path.join(tmp, "model"))
                sess.run(v.assign(np.array([0, 0, 0], dtype)))
                saver.restore(sess, path)
                restored = sess.run(v)
                reader = tf.train.NewCheckpointReader(path)
                found[dtype] = {"value": restored.tolist(), "dtype_map": reader.get_variable_to_dtype_map()["v"].name}
    return found


CHECKPOINT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tf_checkpoint_unsigned")


def write_tf_checkpoint() -> None:
    """A bundle TF's Saver writes with one variable of each unsigned dtype (DT_UINT8/16/32/64: codes 4, 17, 22, 23)
    for dfc to read: tests/data/tf_checkpoint_unsigned/model.ckpt."""
    os.makedirs(CHECKPOINT_DIR, exist_ok=True)
    with tf.Graph().as_default():
        for dtype in cases.DTYPES:
            top = int(np.iinfo(dtype).max)
            tf.Variable(np.array([[top, 0], [top // 2 + 1, 7]], dtype), name=f"v_{dtype}")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, os.path.join(CHECKPOINT_DIR, "model.ckpt"), write_meta_graph=False,
                                  write_state=False)


def image_outcomes() -> dict:
    """np.uint16 images through tf.image.convert_image_dtype, both ways, and a 16-bit PNG decoded."""
    found = {}
    pixels = np.array([[[0], [1], [257], [32768], [65535]]], np.uint16)
    floats = np.array([[[0.0], [0.25], [0.5], [0.9999], [1.0]]], np.float32)
    for target in ("float32", "uint8", "uint32", "int32"):
        def build(target=target):
            p = tf.placeholder(tf.uint16, [1, 5, 1])
            return tf.image.convert_image_dtype(p, target), {p: pixels}
        found[f"uint16->{target}"] = outcome(build)
    for source, array in (("float32", floats), ("uint8", np.array([[[0], [1], [128], [254], [255]]], np.uint8))):
        def build(source=source, array=array):
            p = tf.placeholder(source, [1, 5, 1])
            return tf.image.convert_image_dtype(p, tf.uint16), {p: array}
        found[f"{source}->uint16"] = outcome(build)

    for name, (image, decoder) in PNG_CASES.items():
        def decode(image=image, decoder=decoder):
            return decoder(tf, tf.image.encode_png(tf.constant(image))), None
        found[name] = outcome(decode)
    return found


def main() -> None:
    write_tf_checkpoint()
    record = {"cases": case_outcomes(), "feeds": feed_outcomes(), "checkpoints": checkpoint_outcomes(),
              "images": image_outcomes()}
    with open(sys.argv[1] if len(sys.argv) > 1 else OUT, "w") as f:
        json.dump(record, f, indent=0, sort_keys=True)
    print(f"{len(record['cases'])} cases, {len(record['feeds'])} feeds written")


if __name__ == "__main__":
    main()
