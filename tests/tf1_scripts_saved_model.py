"""SavedModel scripts as users write them, run under real TensorFlow (tests/record_saved_model_scripts.py) and dfc.

Each SAVERS entry trains a small model and exports it (simple_save, or a SavedModelBuilder with
two tagged meta graphs); `serve` is the other script, which loads an export into a fresh Session
and runs a signature. Both return named arrays; the tests run `serve` in a fresh process.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

F32 = np.float32


def _data(seed: int, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, cols)).astype(F32)
    y = (np.tanh(x @ rng.standard_normal((cols, 1))) + 0.1 * x[:, :1]).astype(F32)
    return x, y


def _init(seed: int, shape: tuple) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * 0.5).astype(F32)


#: the rows each served signature is fed
SERVE_ROWS = _data(9, 5, 4)[0]


def simple_save_mlp(tf, export_dir: str) -> dict:
    """A regression MLP trained with Adam, exported with tf.saved_model.simple_save."""
    x_data, y_data = _data(1, 32, 4)
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    with tf.variable_scope("mlp"):
        hidden = tf.layers.dense(x, 8, activation=tf.nn.tanh, name="hidden",
                                 kernel_initializer=tf.constant_initializer(_init(2, (4, 8))))
        prediction = tf.layers.dense(hidden, 1, name="out",
                                     kernel_initializer=tf.constant_initializer(_init(3, (8, 1))))
    loss = tf.reduce_mean(tf.square(prediction - y))
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(15):
            value, _ = sess.run([loss, train_op], {x: x_data, y: y_data})
            losses.append(value)
        before = sess.run(prediction, {x: SERVE_ROWS})
        tf.saved_model.simple_save(sess, export_dir, inputs={"x": x}, outputs={"prediction": prediction})
    return {"losses": np.array(losses), "before": before}


def builder_two_meta_graphs(tf, export_dir: str) -> dict:
    """A softmax classifier exported by a SavedModelBuilder: a serving meta graph with two signatures and a legacy
    init op (which resets a local variable), and a training meta graph tagged [train, gpu], written as text."""
    x_data, y_data = _data(4, 24, 4)
    labels_data = (y_data[:, 0] > 0).astype(np.int64)
    images = tf.placeholder(tf.float32, [None, 4], name="images")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    weights = tf.get_variable("weights", initializer=_init(5, (4, 3)))
    bias = tf.get_variable("bias", initializer=np.zeros(3, F32))
    offset = tf.Variable(2.5, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="offset")
    logits = tf.nn.xw_plus_b(images, weights, bias, name="logits")
    scores = tf.nn.softmax(logits, name="scores")
    shifted = tf.add(logits, offset, name="shifted")
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss, global_step=global_step)
    builder = tf.saved_model.builder.SavedModelBuilder(export_dir)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        for _ in range(5):
            sess.run(train_op, {images: x_data, labels: labels_data})
        sess.run(tf.assign(offset, -7.0))  # a local variable: not saved, the legacy init op sets it again
        before = sess.run({"scores": scores, "shifted": shifted}, {images: SERVE_ROWS})
        predict = tf.saved_model.signature_def_utils.predict_signature_def(inputs={"images": images},
                                                                          outputs={"scores": scores,
                                                                                   "shifted": shifted})
        info = tf.saved_model.utils.build_tensor_info
        train_signature = tf.saved_model.signature_def_utils.build_signature_def(
            inputs={"images": info(images), "labels": info(labels)}, outputs={"loss": info(loss)},
            method_name="custom/train")
        legacy_init_op = tf.group(tf.tables_initializer(), tf.local_variables_initializer(), name="legacy_init_op")
        builder.add_meta_graph_and_variables(
            sess, [tf.saved_model.tag_constants.SERVING],
            signature_def_map={"predict_images": predict,
                               tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY: predict},
            legacy_init_op=legacy_init_op, strip_default_attrs=True)
        builder.add_meta_graph([tf.saved_model.tag_constants.TRAINING, tf.saved_model.tag_constants.GPU],
                               signature_def_map={"train": train_signature}, clear_devices=True)
        builder.save(as_text=True)
    return {f"before_{k}": v for k, v in before.items()}


SAVERS: dict[str, Callable] = {"simple_save_mlp": simple_save_mlp, "builder_two_meta_graphs": builder_two_meta_graphs}

#: (saver, tags, signature key, import scope, feeds) of each served signature
SERVINGS = {
    "simple_save_mlp": ("simple_save_mlp", ["serve"], "serving_default", None, {"x": SERVE_ROWS}),
    "builder_predict": ("builder_two_meta_graphs", ["serve"], "predict_images", "model", {"images": SERVE_ROWS}),
    "builder_train": ("builder_two_meta_graphs", ["gpu", "train"], "train", None,
                      {"images": SERVE_ROWS, "labels": np.array([0, 1, 2, 1, 0], np.int64)}),
}


def serve(tf, export_dir: str, tags: list, key: str, import_scope: str | None, feeds: dict) -> dict:
    """Load the export into a fresh graph and Session and run signature `key` on `feeds`."""
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, tags, export_dir, import_scope=import_scope)
        signature = meta.signature_def[key]
        tensor = tf.saved_model.utils.get_tensor_from_tensor_info
        feed = {tensor(signature.inputs[k], sess.graph, import_scope): v for k, v in feeds.items()}
        names = sorted(signature.outputs)
        values = sess.run([tensor(signature.outputs[k], sess.graph, import_scope) for k in names], feed)
        result = {f"out_{k}": v for k, v in zip(names, values)}
        result["method_name"] = np.array(signature.method_name)
        result["inputs"] = np.array(sorted(f"{k}={signature.inputs[k].name}:{signature.inputs[k].dtype}"
                                           for k in signature.inputs))
        result["outputs"] = np.array(sorted(f"{k}={signature.outputs[k].name}:{signature.outputs[k].dtype}"
                                            for k in signature.outputs))
        result["signature_keys"] = np.array(sorted(meta.signature_def))
        result["tags"] = np.array(sorted(meta.meta_info_def.tags))
        result["has_saved_model"] = np.array(tf.saved_model.contains_saved_model(export_dir))
    return result
