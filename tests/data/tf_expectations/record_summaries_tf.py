"""Records what real TF1 summary ops return (serialized Summary protos) into summaries_tf.json.

Also writes tf_op_names.txt, TF's op names (dir(tf.raw_ops)), which GraphDef export maps to.

Run under TensorFlow: `python tests/data/tf_expectations/record_summaries_tf.py`. The inputs are fixed arrays
(tests/summary_inputs.py), so dfc's summaries of the same inputs must parse to the same protos.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import tensorflow.compat.v1 as tf

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for the inputs the test uses too
from summary_inputs import summary_inputs  # noqa: E402

tf.disable_eager_execution()


def main() -> None:
    data = summary_inputs()
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
