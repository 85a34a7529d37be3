"""Record TensorFlow's values and gradients of tf.nn's convolutions and pools into conv_*.npz beside this file.

Run with a Python that has TensorFlow (not dfc): `python tests/data/tf_expectations/record_conv.py`.
Each file holds the inputs, a random projection r, TF's output y and the gradients of
sum(y * r) with respect to every input, and `spec`: the call (as JSON), which
tests/test_conv_tf_expectations.py replays through dfc without TensorFlow.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np

#: name -> (tf.nn function, {input name: shape}, keyword arguments; inputs are passed by keyword)
CASES = {
    "conv2d_same_tutorial": ("conv2d", {"input": (2, 28, 28, 1), "filter": (5, 5, 1, 4)},
                             {"strides": [1, 1, 1, 1], "padding": "SAME"}),
    "conv2d_valid_stride2": ("conv2d", {"input": (2, 9, 8, 3), "filter": (3, 2, 3, 5)},
                             {"strides": [1, 2, 2, 1], "padding": "VALID"}),
    "conv2d_same_stride_2x3": ("conv2d", {"input": (1, 10, 11, 2), "filter": (4, 3, 2, 3)},
                               {"strides": [1, 2, 3, 1], "padding": "SAME"}),
    "conv2d_dilated": ("conv2d", {"input": (2, 9, 9, 2), "filter": (3, 3, 2, 3)},
                       {"strides": [1, 1, 1, 1], "padding": "SAME", "dilations": [1, 2, 2, 1]}),
    "conv2d_explicit": ("conv2d", {"input": (1, 6, 7, 2), "filter": (3, 3, 2, 2)},
                        {"strides": [1, 1, 2, 1], "padding": [[0, 0], [2, 1], [0, 3], [0, 0]]}),
    "conv2d_transpose_same": ("conv2d_transpose", {"value": (2, 4, 4, 3), "filter": (3, 3, 2, 3)},
                              {"output_shape": [2, 8, 8, 2], "strides": [1, 2, 2, 1], "padding": "SAME"}),
    "conv2d_transpose_valid": ("conv2d_transpose", {"value": (1, 3, 4, 2), "filter": (2, 3, 4, 2)},
                               {"output_shape": [1, 7, 9, 4], "strides": [1, 2, 2, 1], "padding": "VALID"}),
    "depthwise_same": ("depthwise_conv2d", {"input": (2, 7, 7, 3), "filter": (3, 3, 3, 2)},
                       {"strides": [1, 1, 1, 1], "padding": "SAME"}),
    "depthwise_valid_stride2": ("depthwise_conv2d", {"input": (1, 9, 8, 4), "filter": (3, 2, 4, 1)},
                                {"strides": [1, 2, 2, 1], "padding": "VALID"}),
    "depthwise_rate2": ("depthwise_conv2d", {"input": (1, 8, 8, 2), "filter": (2, 2, 2, 3)},
                        {"strides": [1, 1, 1, 1], "padding": "SAME", "rate": [2, 2]}),
    "max_pool_tutorial": ("max_pool", {"value": (2, 28, 28, 4)},
                          {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME"}),
    "max_pool_overlapping_ties": ("max_pool", {"value": (2, 7, 6, 3)},
                                  {"ksize": [1, 3, 3, 1], "strides": [1, 2, 1, 1], "padding": "SAME"}),
    "max_pool_valid": ("max_pool", {"value": (1, 9, 7, 2)},
                       {"ksize": [1, 3, 2, 1], "strides": [1, 2, 2, 1], "padding": "VALID"}),
    "avg_pool_same": ("avg_pool", {"value": (2, 7, 7, 3)},
                      {"ksize": [1, 3, 3, 1], "strides": [1, 2, 2, 1], "padding": "SAME"}),
    "avg_pool_valid": ("avg_pool", {"value": (1, 8, 9, 2)},
                       {"ksize": [1, 2, 3, 1], "strides": [1, 2, 3, 1], "padding": "VALID"}),
    "bias_add": ("bias_add", {"value": (2, 3, 4, 5), "bias": (5,)}, {}),
    "atrous_conv2d_rate2": ("atrous_conv2d", {"value": (1, 9, 9, 2), "filters": (3, 3, 2, 3)},
                            {"rate": 2, "padding": "SAME"}),
    "convolution_dilated": ("convolution", {"input": (2, 8, 8, 2), "filter": (3, 3, 2, 2)},
                            {"padding": "VALID", "dilation_rate": [2, 1]}),
    "separable_conv2d": ("separable_conv2d", {"input": (1, 7, 7, 3), "depthwise_filter": (3, 3, 3, 2),
                                              "pointwise_filter": (1, 1, 6, 4)},
                         {"strides": [1, 1, 1, 1], "padding": "SAME"}),
}

#: inputs drawn from few distinct values, so windows hold ties (which maximum gets the gradient)
TIES = {"max_pool_overlapping_ties"}


def record(directory: pathlib.Path) -> list[pathlib.Path]:
    import tensorflow as tensorflow
    tf = tensorflow.compat.v1
    tf.disable_eager_execution()
    written = []
    for name, (fn, shapes, kwargs) in CASES.items():
        rng = np.random.default_rng(len(written) + 1)
        if name in TIES:
            inputs = {k: rng.integers(-2, 3, s).astype(np.float32) for k, s in shapes.items()}
        else:
            inputs = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
        graph = tf.Graph()
        with graph.as_default():
            tensors = {k: tf.constant(v) for k, v in inputs.items()}
            y = getattr(tf.nn, fn)(**tensors, **kwargs)
            r = rng.standard_normal(y.shape.as_list()).astype(np.float32)
            grads = tf.gradients(tf.reduce_sum(y * r), list(tensors.values()))
            with tf.Session() as sess:
                out, *gs = sess.run([y] + grads)
        arrays = {f"in_{k}": v for k, v in inputs.items()}
        arrays.update({f"grad_{k}": g for k, g in zip(tensors, gs)})
        spec = {"fn": fn, "inputs": list(shapes), "kwargs": kwargs, "tensorflow": tensorflow.__version__}
        path = directory / f"conv_{name}.npz"
        np.savez_compressed(path, proj=r, out=out, spec=np.array(json.dumps(spec)), **arrays)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in record(pathlib.Path(__file__).resolve().parent):
        print(p.name)
