"""Records thin ResNet v1/v2 forward passes computed by TensorFlow's own ops (run with a TF interpreter:
`/path/to/tf/python tests/record_slim_nets.py`), for tests/test_slim_nets.py.

TF 2.x has no contrib.slim, so the nets are spelt out here in tf.nn ops, following TF1's contrib definitions
(conv2d_same's explicit padding, the bottleneck units, stack_blocks_dense's atrous rates, resnet_arg_scope's
batch norm in inference mode with epsilon 1e-5 and gamma); the weights are random, keyed by the variable
names TF1's nets give, and saved with the outputs.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow.compat.v1 as tf

OUT = os.path.join(os.path.dirname(__file__), "data", "slim_nets", "thin_resnets.npz")
EPSILON = 1e-5
BLOCKS = [("block1", 2, 2, 2), ("block2", 2, 1, 1)]  # (scope, base_depth, units, stride of the last unit)


class Weights:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.values: dict[str, np.ndarray] = {}

    def get(self, name: str, shape, kind: str = "weights") -> tf.Tensor:
        if name in self.values:  # a second build of the same net shares its variables
            return tf.constant(self.values[name])
        if kind == "weights":
            fan_in = int(np.prod(shape[:-1]))
            value = self.rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        elif kind == "variance":
            value = self.rng.uniform(0.5, 1.5, shape)
        elif kind == "gamma":
            value = self.rng.uniform(0.5, 1.5, shape)
        else:
            value = self.rng.standard_normal(shape) * 0.1
        self.values[name] = value.astype(np.float32)
        return tf.constant(self.values[name])


def batch_norm(w: Weights, x, scope: str):
    channels = int(x.shape[-1])
    beta = w.get(f"{scope}/beta", [channels], "beta")
    gamma = w.get(f"{scope}/gamma", [channels], "gamma")
    mean = w.get(f"{scope}/moving_mean", [channels], "mean")
    variance = w.get(f"{scope}/moving_variance", [channels], "variance")
    return (x - mean) * tf.rsqrt(variance + EPSILON) * gamma + beta


def conv(w: Weights, x, scope: str, depth: int, k: int, stride: int = 1, rate: int = 1, padding: str = "SAME",
         bn: bool = True, relu: bool = True):
    kernel = w.get(f"{scope}/weights", [k, k, int(x.shape[-1]), depth])
    y = tf.nn.conv2d(x, kernel, [1, stride, stride, 1], padding, dilations=[1, rate, rate, 1])
    y = batch_norm(w, y, f"{scope}/BatchNorm") if bn else y + w.get(f"{scope}/biases", [depth], "biases")
    return tf.nn.relu(y) if relu else y


def conv_same(w, x, scope, depth, k, stride, rate=1, **kwargs):
    if stride == 1:
        return conv(w, x, scope, depth, k, 1, rate, "SAME", **kwargs)
    total = k + (k - 1) * (rate - 1) - 1
    x = tf.pad(x, [[0, 0], [total // 2, total - total // 2], [total // 2, total - total // 2], [0, 0]])
    return conv(w, x, scope, depth, k, stride, rate, "VALID", **kwargs)


def subsample(x, factor):
    return x if factor == 1 else tf.nn.max_pool(x, [1, 1, 1, 1], [1, factor, factor, 1], "SAME")


def unit_v1(w, x, scope, depth, depth_bottleneck, stride, rate):
    if depth == int(x.shape[-1]):
        shortcut = subsample(x, stride)
    else:
        shortcut = conv(w, x, f"{scope}/shortcut", depth, 1, stride, relu=False)
    r = conv(w, x, f"{scope}/conv1", depth_bottleneck, 1)
    r = conv_same(w, r, f"{scope}/conv2", depth_bottleneck, 3, stride, rate)
    r = conv(w, r, f"{scope}/conv3", depth, 1, relu=False)
    return tf.nn.relu(shortcut + r)


def unit_v2(w, x, scope, depth, depth_bottleneck, stride, rate):
    preact = tf.nn.relu(batch_norm(w, x, f"{scope}/preact"))
    if depth == int(x.shape[-1]):
        shortcut = subsample(x, stride)
    else:
        shortcut = conv(w, preact, f"{scope}/shortcut", depth, 1, stride, bn=False, relu=False)
    r = conv(w, preact, f"{scope}/conv1", depth_bottleneck, 1)
    r = conv_same(w, r, f"{scope}/conv2", depth_bottleneck, 3, stride, rate)
    r = conv(w, r, f"{scope}/conv3", depth, 1, bn=False, relu=False)
    return shortcut + r


def resnet(w, x, version: int, scope: str, num_classes=None, global_pool=True, output_stride=None):
    unit = unit_v1 if version == 1 else unit_v2
    x = conv_same(w, x, f"{scope}/conv1", 64, 7, 2, bn=version == 1, relu=version == 1)
    x = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    target = None if output_stride is None else output_stride // 4
    current, rate = 1, 1
    for block, base, units, last_stride in BLOCKS:
        for i in range(units):
            stride = last_stride if i == units - 1 else 1
            name = f"{scope}/{block}/unit_{i + 1}/bottleneck_v{version}"
            if target is not None and current == target:
                x = unit(w, x, name, base * 4, base, 1, rate)
                rate *= stride
            else:
                x = unit(w, x, name, base * 4, base, stride, 1)
                current *= stride
    if version == 2:
        x = tf.nn.relu(batch_norm(w, x, f"{scope}/postnorm"))
    if global_pool:
        x = tf.reduce_mean(x, [1, 2], keepdims=True)
    if num_classes is not None:
        x = conv(w, x, f"{scope}/logits", num_classes, 1, bn=False, relu=False)
    return x


def main() -> None:
    tf.disable_v2_behavior()
    images = np.random.default_rng(7).standard_normal((2, 33, 33, 3)).astype(np.float32)
    record = {"images": images}
    for version in (1, 2):
        w = Weights(version)
        logits = resnet(w, tf.constant(images), version, f"thin_v{version}", num_classes=5)
        dense = resnet(w, tf.constant(images), version, f"thin_v{version}", global_pool=False, output_stride=4)
        with tf.Session() as sess:
            record[f"v{version}/logits"], record[f"v{version}/dense"] = sess.run([logits, dense])
        record.update({f"v{version}/w/{k}": v for k, v in w.values.items()})
    np.savez_compressed(OUT, **record)
    print(f"wrote {OUT}: {sorted(k for k in record if '/w/' not in k)}")


if __name__ == "__main__":
    main()
