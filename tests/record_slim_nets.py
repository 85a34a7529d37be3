"""Records thin ResNet v1/v2 and Inception v3 base forward passes computed by TensorFlow's own ops, for
tests/test_slim_nets.py (run with a TF interpreter: `/path/to/tf/python tests/record_slim_nets.py`).

TF 2.x has no contrib.slim, so the nets are spelt out here in tf.nn ops, following TF1's contrib definitions
(conv2d_same's explicit padding, the bottleneck units, stack_blocks_dense's atrous rates, resnet_arg_scope's
batch norm in inference mode with epsilon 1e-5 and gamma; inception_v3_base's modules); the weights are
random functions of the variable names TF1's nets give (slim_nets_weights), saved as those names.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow.compat.v1 as tf

from slim_nets_weights import images as make_images
from slim_nets_weights import weight_value

OUT = os.path.join(os.path.dirname(__file__), "data", "slim_nets", "thin_nets.npz")
EPSILON = 1e-5
BLOCKS = [("block1", 2, 2, 2), ("block2", 2, 1, 1)]  # (scope, base_depth, units, stride of the last unit)


class Weights:
    """The variables a net reads, by TF1 name: their values (slim_nets_weights) as constants, recorded in order."""

    def __init__(self):
        self.names: list[str] = []

    def get(self, name: str, shape, kind: str = "") -> tf.Tensor:
        if name not in self.names:
            self.names.append(name)
        return tf.constant(weight_value(name, list(shape)))


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


def inception_v3_base(w: Weights, x, depth_multiplier: float, scope: str = "InceptionV3"):
    """TF1's inception_v3_base in inference mode (batch norm with beta only, epsilon 0.001): its end_points."""
    def depth(d):
        return max(int(d * depth_multiplier), 16)

    def c(x, name, d, kernel, stride=1, padding="SAME"):
        kh, kw = kernel
        y = tf.nn.conv2d(x, w.get(f"{name}/weights", [kh, kw, int(x.shape[-1]), depth(d)]), [1, stride, stride, 1],
                         padding)
        channels = depth(d)
        beta = w.get(f"{name}/BatchNorm/beta", [channels], "beta")
        mean = w.get(f"{name}/BatchNorm/moving_mean", [channels], "mean")
        variance = w.get(f"{name}/BatchNorm/moving_variance", [channels], "variance")
        return tf.nn.relu((y - mean) * tf.rsqrt(variance + 0.001) + beta)

    def avg(x):
        return tf.nn.avg_pool(x, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")

    def max_pool(x, padding="VALID"):
        return tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], padding)

    ends = {}
    s = scope
    x = c(x, f"{s}/Conv2d_1a_3x3", 32, (3, 3), 2, "VALID")
    x = c(x, f"{s}/Conv2d_2a_3x3", 32, (3, 3), 1, "VALID")
    x = c(x, f"{s}/Conv2d_2b_3x3", 64, (3, 3))
    x = max_pool(x)
    x = c(x, f"{s}/Conv2d_3b_1x1", 80, (1, 1), 1, "VALID")
    x = c(x, f"{s}/Conv2d_4a_3x3", 192, (3, 3), 1, "VALID")
    x = max_pool(x)
    for name, pool_depth, b1 in (("Mixed_5b", 32, ("Conv2d_0a_1x1", "Conv2d_0b_5x5")),
                                 ("Mixed_5c", 64, ("Conv2d_0b_1x1", "Conv_1_0c_5x5")),
                                 ("Mixed_5d", 64, ("Conv2d_0a_1x1", "Conv2d_0b_5x5"))):
        m = f"{s}/{name}"
        b0 = c(x, f"{m}/Branch_0/Conv2d_0a_1x1", 64, (1, 1))
        b1x = c(c(x, f"{m}/Branch_1/{b1[0]}", 48, (1, 1)), f"{m}/Branch_1/{b1[1]}", 64, (5, 5))
        b2 = c(x, f"{m}/Branch_2/Conv2d_0a_1x1", 64, (1, 1))
        b2 = c(c(b2, f"{m}/Branch_2/Conv2d_0b_3x3", 96, (3, 3)), f"{m}/Branch_2/Conv2d_0c_3x3", 96, (3, 3))
        b3 = c(avg(x), f"{m}/Branch_3/Conv2d_0b_1x1", pool_depth, (1, 1))
        x = ends[name] = tf.concat([b0, b1x, b2, b3], 3)
    m = f"{s}/Mixed_6a"
    b0 = c(x, f"{m}/Branch_0/Conv2d_1a_1x1", 384, (3, 3), 2, "VALID")
    b1 = c(c(x, f"{m}/Branch_1/Conv2d_0a_1x1", 64, (1, 1)), f"{m}/Branch_1/Conv2d_0b_3x3", 96, (3, 3))
    b1 = c(b1, f"{m}/Branch_1/Conv2d_1a_1x1", 96, (3, 3), 2, "VALID")
    x = ends["Mixed_6a"] = tf.concat([b0, b1, max_pool(x)], 3)
    for name, c7 in (("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)):
        m = f"{s}/{name}"
        b0 = c(x, f"{m}/Branch_0/Conv2d_0a_1x1", 192, (1, 1))
        b1 = c(x, f"{m}/Branch_1/Conv2d_0a_1x1", c7, (1, 1))
        b1 = c(c(b1, f"{m}/Branch_1/Conv2d_0b_1x7", c7, (1, 7)), f"{m}/Branch_1/Conv2d_0c_7x1", 192, (7, 1))
        b2 = c(x, f"{m}/Branch_2/Conv2d_0a_1x1", c7, (1, 1))
        b2 = c(c(b2, f"{m}/Branch_2/Conv2d_0b_7x1", c7, (7, 1)), f"{m}/Branch_2/Conv2d_0c_1x7", c7, (1, 7))
        b2 = c(c(b2, f"{m}/Branch_2/Conv2d_0d_7x1", c7, (7, 1)), f"{m}/Branch_2/Conv2d_0e_1x7", 192, (1, 7))
        b3 = c(avg(x), f"{m}/Branch_3/Conv2d_0b_1x1", 192, (1, 1))
        x = ends[name] = tf.concat([b0, b1, b2, b3], 3)
    m = f"{s}/Mixed_7a"
    b0 = c(c(x, f"{m}/Branch_0/Conv2d_0a_1x1", 192, (1, 1)), f"{m}/Branch_0/Conv2d_1a_3x3", 320, (3, 3), 2, "VALID")
    b1 = c(x, f"{m}/Branch_1/Conv2d_0a_1x1", 192, (1, 1))
    b1 = c(c(b1, f"{m}/Branch_1/Conv2d_0b_1x7", 192, (1, 7)), f"{m}/Branch_1/Conv2d_0c_7x1", 192, (7, 1))
    b1 = c(b1, f"{m}/Branch_1/Conv2d_1a_3x3", 192, (3, 3), 2, "VALID")
    x = ends["Mixed_7a"] = tf.concat([b0, b1, max_pool(x)], 3)
    for name, second in (("Mixed_7b", "Conv2d_0b_3x1"), ("Mixed_7c", "Conv2d_0c_3x1")):
        m = f"{s}/{name}"
        b0 = c(x, f"{m}/Branch_0/Conv2d_0a_1x1", 320, (1, 1))
        b1 = c(x, f"{m}/Branch_1/Conv2d_0a_1x1", 384, (1, 1))
        b1 = tf.concat([c(b1, f"{m}/Branch_1/Conv2d_0b_1x3", 384, (1, 3)),
                        c(b1, f"{m}/Branch_1/{second}", 384, (3, 1))], 3)
        b2 = c(c(x, f"{m}/Branch_2/Conv2d_0a_1x1", 448, (1, 1)), f"{m}/Branch_2/Conv2d_0b_3x3", 384, (3, 3))
        b2 = tf.concat([c(b2, f"{m}/Branch_2/Conv2d_0c_1x3", 384, (1, 3)),
                        c(b2, f"{m}/Branch_2/Conv2d_0d_3x1", 384, (3, 1))], 3)
        b3 = c(avg(x), f"{m}/Branch_3/Conv2d_0b_1x1", 192, (1, 1))
        x = ends[name] = tf.concat([b0, b1, b2, b3], 3)
    return ends


def main() -> None:
    tf.disable_v2_behavior()
    images = make_images((2, 33, 33, 3), 7)
    record = {}
    for version in (1, 2):
        w = Weights()
        logits = resnet(w, tf.constant(images), version, f"thin_v{version}", num_classes=5)
        dense = resnet(w, tf.constant(images), version, f"thin_v{version}", global_pool=False, output_stride=4)
        with tf.Session() as sess:
            record[f"v{version}/logits"], record[f"v{version}/dense"] = sess.run([logits, dense])
        record[f"v{version}/variables"] = np.array(w.names)
    w = Weights()
    inception_images = make_images((2, 75, 75, 3), 8)
    ends = inception_v3_base(w, tf.constant(inception_images), depth_multiplier=0.1)
    with tf.Session() as sess:
        record.update({f"v3/{k}": v for k, v in sess.run(ends).items()})
    for name in ("Mixed_5b", "Mixed_5c", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_7b"):  # the others suffice
        del record[f"v3/{name}"]
    record["v3/variables"] = np.array(w.names)
    np.savez_compressed(OUT, **record)
    print(f"wrote {OUT}: {sorted(k for k in record if '/w/' not in k)}")


if __name__ == "__main__":
    main()
