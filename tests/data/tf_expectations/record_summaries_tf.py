"""Records what real TF1 summary ops return (serialized Summary protos) into summaries_tf.json.

Also writes tf_op_names.txt, TF's op names (dir(tf.raw_ops)), which GraphDef export maps to.

Run under TensorFlow: `python tests/data/tf_expectations/record_summaries_tf.py`. The inputs are fixed arrays,
so dfc's summaries of the same inputs must parse to the same protos.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def inputs() -> dict[str, np.ndarray]:
    rng = np.random.RandomState(7)
    return {
        "loss": np.float32(0.25),
        "weights": rng.normal(0, 2, size=(50, 3)).astype(np.float32),
        "counts": np.array([[0, 1, 1, 5], [-3, 0, 2, 100]], np.int32),
        "signed_images": rng.normal(0, 1, size=(2, 4, 5, 1)).astype(np.float32),
        "positive_images": rng.uniform(0, 3, size=(4, 3, 2, 3)).astype(np.float32),
        "byte_images": rng.randint(0, 256, size=(1, 2, 3, 4)).astype(np.uint8),
        "nonfinite_images": np.array([[[[1.0], [np.nan]], [[-2.0], [np.inf]]]], np.float32),
        "stereo": np.clip(rng.normal(0, 0.6, size=(3, 50, 2)), -1.5, 1.5).astype(np.float32),
        "mono": np.sin(np.arange(40, dtype=np.float32) / 3)[None, :].repeat(2, axis=0),
    }


def main() -> None:
    data = inputs()
    g = tf.Graph()
    cases = {}
    with g.as_default():
        ph = {k: tf.placeholder(tf.as_dtype(v.dtype), v.shape, name=k) for k, v in data.items()}
        cases["scalar"] = tf.summary.scalar("loss", ph["loss"])
        cases["scalar_again"] = tf.summary.scalar("loss", ph["loss"] * 2)
        cases["scalar_family"] = tf.summary.scalar("acc", ph["loss"], family="train")
        with tf.name_scope("layer1"):
            cases["scalar_scoped"] = tf.summary.scalar("bad name!", ph["loss"])
        cases["histogram"] = tf.summary.histogram("weights", ph["weights"])
        cases["histogram_int"] = tf.summary.histogram("counts", ph["counts"])
        cases["image_signed"] = tf.summary.image("signed", ph["signed_images"])
        cases["image_one"] = tf.summary.image("one", ph["signed_images"], max_outputs=1)
        cases["image_positive"] = tf.summary.image("positive", ph["positive_images"], max_outputs=2)
        cases["image_bytes"] = tf.summary.image("bytes", ph["byte_images"])
        cases["image_nonfinite"] = tf.summary.image("nonfinite", ph["nonfinite_images"])
        cases["audio_stereo"] = tf.summary.audio("stereo", ph["stereo"], 8000.0, max_outputs=2)
        cases["audio_mono"] = tf.summary.audio("mono", ph["mono"], 22050.4, max_outputs=1)
        cases["text"] = tf.summary.text("notes", tf.constant("hello *world*"))
        cases["text_table"] = tf.summary.text("table", tf.constant([["a", "b"], ["c", "d"]]))
        cases["merged"] = tf.summary.merge([cases["scalar"], cases["histogram"]])
        collected = [t.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)]
        with tf.Session() as sess:
            values = sess.run(cases, {ph[k]: v for k, v in data.items()})
    out = {
        "tensorflow": tf.__version__,
        "collection": collected,
        "names": {k: t.name for k, t in cases.items()},
        "summaries": {k: base64.b64encode(v).decode() for k, v in values.items()},
    }
    path = Path(__file__).with_name("summaries_tf.json")
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")
    import tensorflow
    names = sorted(n for n in dir(tensorflow.raw_ops) if not n.startswith("_"))
    ops_path = Path(__file__).with_name("tf_op_names.txt")
    ops_path.write_text(f"# TF op names (dir(tf.raw_ops)), tensorflow {tf.__version__}\n" + "\n".join(names) + "\n")


if __name__ == "__main__":
    main()
