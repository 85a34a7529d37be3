"""Realistic TF1 scripts over tf.image and tf.contrib.layers, written as users write them, run by TF and by dfc.

Each script takes a TF1-style module and returns named arrays. Run this file with a Python that has
tensorflow to record them (tests/data/tf_expectations/script_<name>.npz):

    python tests/tf1_scripts_image.py

TF 2.x has no tf.contrib, so the contrib script is recorded through its TF1 equivalents with the same
formulas (tf.layers with the same initializers, tf.nn.moments batch norm, the same regularizer sums);
the variable names and collections it checks are those TF1's contrib documents.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (4, 10, 9, 3)).astype(np.uint8)
    labels = rng.integers(0, 3, 4).astype(np.int64)
    return images, labels


@script
def augment_and_train_cnn(tf) -> dict[str, np.ndarray]:
    """An input pipeline of tf.image color and geometry ops feeding a small tf.layers CNN trained with Adam."""
    images_np, labels_np = _data(0)
    rng = np.random.default_rng(1)
    images = tf.placeholder(tf.uint8, [4, 10, 9, 3], name="images")
    labels = tf.placeholder(tf.int64, [4], name="labels")
    boxes = tf.placeholder(tf.float32, [4, 4], name="boxes")
    with tf.name_scope("preprocess"):
        x = tf.image.convert_image_dtype(images, tf.float32)
        x = tf.image.adjust_brightness(x, 0.05)
        x = tf.image.adjust_contrast(x, 1.3)
        x = tf.image.adjust_saturation(x, 0.8)
        x = tf.image.adjust_hue(x, 0.1)
        x = tf.clip_by_value(x, 0.0, 1.0)
        crops = tf.image.crop_and_resize(x, boxes, tf.range(4), [8, 8])
        x = tf.image.resize_bicubic(x, [8, 8])
        x = tf.concat([x, crops], axis=-1)
        x = tf.image.per_image_standardization(x)
    with tf.variable_scope("net"):
        h = tf.layers.conv2d(x, 5, 3, activation=tf.nn.relu,
                             kernel_initializer=tf.constant_initializer(rng.normal(0, 0.2, (3, 3, 6, 5))))
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.flatten(h)
        logits = tf.layers.dense(h, 3, kernel_initializer=tf.constant_initializer(rng.normal(0, 0.2, (45, 3))))
    xent = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    smooth = tf.reduce_mean(tf.image.total_variation(tf.reshape(h, [4, 3, 3, 5])))
    loss = xent + 1e-3 * smooth
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    feed = {images: images_np, labels: labels_np,
            boxes: np.array([[0.1, 0.1, 0.9, 0.8], [0.0, 0.2, 0.6, 1.0], [0.3, 0.0, 1.0, 0.7], [0.2, 0.2, 0.8, 0.8]],
                            F32)}
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(x, feed)
        for _ in range(6):
            losses.append(sess.run([loss, train], feed)[0])
        kernel = sess.run(tf.trainable_variables()[0])
    return {"losses": np.asarray(losses, F32), "preprocessed": first, "kernel": kernel,
            "variables": np.array(sorted(v.name for v in tf.trainable_variables()))}


def _weights(seed: int, *shapes) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.3, s).astype(F32) for s in shapes]


@script
def contrib_layers_train(tf) -> dict[str, np.ndarray]:
    """A slim-style CNN: arg_scope'd contrib conv2d with batch_norm, max_pool2d, flatten, fully_connected,
    layer_norm; l2 weight decay through the regularization losses; the batch-norm updates run with the train op;
    then the same net rebuilt for evaluation with reuse=True and is_training=False."""
    layers, framework = tf.contrib.layers, tf.contrib.framework
    w_conv, w_fc, w_out = _weights(5, (3, 3, 2, 4), (36, 6), (6, 3))
    rng = np.random.default_rng(6)
    images_np = rng.normal(0.5, 1.0, (8, 6, 6, 2)).astype(F32)
    labels_np = rng.integers(0, 3, 8).astype(np.int64)

    def net(images, is_training, reuse=None):
        with framework.arg_scope([layers.conv2d, layers.fully_connected],
                                 weights_regularizer=layers.l2_regularizer(0.01), reuse=reuse):
            h = layers.conv2d(images, 4, 3, weights_initializer=tf.constant_initializer(w_conv),
                              normalizer_fn=layers.batch_norm, scope="conv1",
                              normalizer_params={"is_training": is_training, "decay": 0.9, "scale": True})
            h = layers.max_pool2d(h, 2)
            h = layers.flatten(h)
            h = layers.fully_connected(h, 6, weights_initializer=tf.constant_initializer(w_fc), scope="fc1")
            h = layers.layer_norm(h, scope="norm", reuse=reuse)
            return layers.fully_connected(h, 3, activation_fn=None, scope="logits",
                                          weights_initializer=tf.constant_initializer(w_out))

    images = tf.placeholder(tf.float32, [8, 6, 6, 2])
    labels = tf.placeholder(tf.int64, [8])
    logits = net(images, True)
    xent = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    loss = xent + tf.losses.get_regularization_loss()
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    eval_logits = net(images, False, reuse=True)
    feed = {images: images_np, labels: labels_np}
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            losses.append(sess.run([loss, train], feed)[0])
        stats = sess.run({v.op.name: v for v in tf.global_variables() if "BatchNorm/moving" in v.name})
        evaluated = sess.run(eval_logits, feed)
    return {"losses": np.asarray(losses, F32), "eval_logits": evaluated, **{k: v for k, v in stats.items()}}


class _ContribShim:
    """TF1's contrib.layers formulas written with TF's core ops, to record the contrib script under TF 2.x."""

    def __init__(self, tf):
        import contextlib
        self.tf = tf
        shim = self
        self._defaults: dict = {}

        class _Layers:
            l2_regularizer = staticmethod(lambda scale: (lambda w: scale * tf.nn.l2_loss(w)))

            @staticmethod
            def conv2d(x, n, k, **kw):
                return shim._layer("Conv", x, n, k, kw, conv=True)

            @staticmethod
            def fully_connected(x, n, **kw):
                return shim._layer("fully_connected", x, n, None, kw, conv=False)

            @staticmethod
            def max_pool2d(x, k, stride=2, padding="VALID"):
                return tf.nn.max_pool(x, [1, k, k, 1], [1, stride, stride, 1], padding)

            @staticmethod
            def flatten(x):
                return tf.reshape(x, [x.shape.as_list()[0], -1])

            @staticmethod
            def batch_norm(x, is_training=True, decay=0.999, scale=False, epsilon=0.001):
                with tf.variable_scope("BatchNorm"):
                    c = x.shape.as_list()[-1]
                    beta = tf.get_variable("beta", [c], initializer=tf.zeros_initializer())
                    gamma = tf.get_variable("gamma", [c], initializer=tf.ones_initializer()) if scale else \
                        tf.ones([c])
                    mm = tf.get_variable("moving_mean", [c], initializer=tf.zeros_initializer(), trainable=False)
                    mv = tf.get_variable("moving_variance", [c], initializer=tf.ones_initializer(), trainable=False)
                    if not is_training:
                        return tf.nn.fused_batch_norm(x, gamma, beta, mm, mv, epsilon, is_training=False)[0]
                    y, mean, var = tf.nn.fused_batch_norm(x, gamma, beta, epsilon=epsilon)
                    for v, value in ((mm, mean), (mv, var)):
                        tf.add_to_collection(tf.GraphKeys.UPDATE_OPS,
                                             tf.assign_sub(v, (v - value) * tf.convert_to_tensor(1.0 - decay)))
                    return y

            @staticmethod
            def layer_norm(x, scope=None, reuse=None):
                with tf.variable_scope(scope, "LayerNorm", reuse=reuse):
                    shape = x.shape.as_list()[-1:]
                    beta = tf.get_variable("beta", shape, initializer=tf.zeros_initializer())
                    gamma = tf.get_variable("gamma", shape, initializer=tf.ones_initializer())
                    mean, var = tf.nn.moments(x, [1], keep_dims=True)
                    return tf.nn.batch_normalization(x, mean, var, beta, gamma, 1e-12)

        class _Framework:
            @staticmethod
            @contextlib.contextmanager
            def arg_scope(ops, **kw):
                saved = dict(shim._defaults)
                shim._defaults.update(kw)
                try:
                    yield
                finally:
                    shim._defaults = saved

        self.layers, self.framework = _Layers, _Framework

    def _layer(self, default, x, n, k, kw, conv):
        tf = self.tf
        kw = {**self._defaults, **kw}
        act = kw.get("activation_fn", tf.nn.relu)
        with tf.variable_scope(kw.get("scope"), default, reuse=kw.get("reuse")):
            fan_in = x.shape.as_list()[-1]
            shape = [k, k, fan_in, n] if conv else [fan_in, n]
            w = tf.get_variable("weights", shape, initializer=kw["weights_initializer"],
                                regularizer=kw.get("weights_regularizer"))
            y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME") if conv else tf.matmul(x, w)
            if kw.get("normalizer_fn") is None:
                y = tf.nn.bias_add(y, tf.get_variable("biases", [n], initializer=tf.zeros_initializer()))
            else:
                y = kw["normalizer_fn"](y, **kw.get("normalizer_params", {}))
            return act(y) if act is not None else y


def _legacy_layers(tf) -> None:
    """tf.layers under TF 2.x (Keras 3 took the name): TF's own legacy tf.layers modules."""
    import types

    from tensorflow.python.keras.legacy_tf_layers import convolutional, core, pooling
    tf.layers = types.SimpleNamespace(conv2d=convolutional.conv2d, max_pooling2d=pooling.max_pooling2d,
                                      flatten=core.flatten, dense=core.dense, dropout=core.dropout)


def record() -> None:
    from tf_recording import out_dir, tf, write_npz
    _legacy_layers(tf)
    shim = _ContribShim(tf)
    tf.contrib = type("contrib", (), {"layers": shim.layers, "framework": shim.framework})
    for name, fn in SCRIPTS.items():
        tf.reset_default_graph()
        arrays = fn(tf)
        write_npz(out_dir(sys.argv), f"script_{name}", arrays)
        print(f"{name}: {', '.join(sorted(arrays))}")


if __name__ == "__main__":
    record()
