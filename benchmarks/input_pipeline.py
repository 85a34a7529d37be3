"""`python -m benchmarks pipeline`: host image input pipelines (JPEG files of many sizes), dfc beside TF1.

Two pipelines over the same JPEG files (random sizes, 60..300 pixels a side): the queue one of
aymericdamien's build_an_image_dataset.py (slice_input_producer over file names, tf.read_file,
tf.image.decode_jpeg, tf.image.resize_images, tf.train.batch with num_threads) and its tf.data
equivalent (map(decode + resize, num_parallel_calls).batch().prefetch()). Each framework runs in a fresh
process (an empty dfc compilation cache); the table gives the first batch's seconds (compilation
included) and the steady milliseconds per example, and TF's steady time over dfc's (above 1: dfc is
faster). TF1 runs when `--python-for tf=PATH` or DFC_BENCH_PYTHON names an interpreter that has it.

The worker (this file run as a script with `--worker`) imports only numpy, Pillow (to write the images)
and the framework it times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

#: pipeline -> description
PIPELINES = {
    "queue": "slice_input_producer + decode_jpeg + resize + train.batch",
    "data": "tf.data map(decode_jpeg + resize).batch.prefetch",
}
IMAGES, BATCH, SIDE = 512, 128, 64


def write_images(directory: str, count: int = IMAGES) -> list[str]:
    """`count` JPEGs of random sizes (60..300 a side) under `directory`; their paths."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        h, w = (int(v) for v in rng.integers(60, 300, 2))
        path = os.path.join(directory, f"{i}.jpg")
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def build(tf, kind: str, paths: list[str]):
    """The batch tensor of pipeline `kind`, built with `tf` (dfc or tensorflow.compat.v1)."""
    def decode(path):
        image = tf.image.decode_jpeg(tf.read_file(path), channels=3)
        return tf.image.resize_images(image, [SIDE, SIDE]) * (1.0 / 127.5) - 1.0

    labels = list(range(len(paths)))
    if kind == "queue":
        path, label = tf.train.slice_input_producer([tf.convert_to_tensor(paths, tf.string),
                                                     tf.convert_to_tensor(labels, tf.int32)], shuffle=True)
        images, _ = tf.train.batch([decode(path), label], batch_size=BATCH, capacity=BATCH * 8, num_threads=4)
        return images
    if kind == "data":
        data = tf.data.Dataset.from_tensor_slices((paths, labels)).shuffle(len(paths)).repeat()
        data = data.map(lambda p, label: (decode(p), label), num_parallel_calls=4).batch(BATCH).prefetch(1)
        return data.make_one_shot_iterator().get_next()[0]
    raise ValueError(f"no pipeline {kind!r}")


def worker(framework: str, kind: str, directory: str, batches: int) -> dict:
    import time

    if framework == "tf":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
    else:
        import dfc as tf
        tf.constant  # noqa: B018 - load the lazily loaded DSL before the clock starts
    paths = sorted(os.path.join(directory, n) for n in os.listdir(directory) if n.endswith(".jpg"))
    images = build(tf, kind, paths)
    mean = tf.reduce_mean(images)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        start = time.perf_counter()
        sess.run(mean)
        first = time.perf_counter()
        for _ in range(batches):
            sess.run(mean)
        steady = (time.perf_counter() - first) / (batches * BATCH)
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    return {"first": first - start, "per_example": steady}


def measure(python: str, framework: str, kind: str, directory: str, batches: int,
            timeout: float = 900) -> dict | str:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "DFC_CACHE_DIR": cache}
        try:
            done = subprocess.run([python, os.path.abspath(__file__), "--worker", framework, kind, directory,
                                   str(batches)], capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return "timeout"
    if done.returncode != 0:
        return f"failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_suite(python: dict[str, str], batches: int = 3) -> str:
    """The table: per pipeline, dfc's first-batch seconds and steady ms per example, TF's steady over dfc's."""
    lines = [f"{'pipeline':<58} {'first s':>8} {'ms/example':>11} {'TF ms/example':>14} {'TF/dfc':>7}"]
    with tempfile.TemporaryDirectory() as directory:
        write_images(directory)
        for kind, what in PIPELINES.items():
            ours = measure(sys.executable, "dfc", kind, directory, batches)
            theirs = measure(python["tf"], "tf", kind, directory, batches) if "tf" in python else "-"
            if isinstance(ours, str):
                lines.append(f"{what:<58} {ours}")
                continue
            tf_ms = f"{theirs['per_example'] * 1e3:.2f}" if isinstance(theirs, dict) else theirs
            ratio = f"{theirs['per_example'] / ours['per_example']:.2f}" if isinstance(theirs, dict) else "-"
            lines.append(f"{what:<58} {ours['first']:>8.2f} {ours['per_example'] * 1e3:>11.2f} {tf_ms:>14} "
                         f"{ratio:>7}")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))))
    else:
        tf_python = os.environ.get("DFC_BENCH_PYTHON", "").removeprefix("tf=")
        print(run_suite({"tf": tf_python} if tf_python else {}))
