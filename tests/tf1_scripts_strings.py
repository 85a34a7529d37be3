"""Whole TF1 scripts over text, written once for real TF and for dfc.

Each script takes a TF1-style module (`tensorflow.compat.v1` with tf.contrib.lookup set to TF's lookup_ops,
or `dfc`), a Session factory and a scratch folder; it reads CSV or words the way a user's script does
(TextLineDataset + decode_csv, vocabulary tables, feature columns over strings), trains a small model
with fixed initial values and returns named arrays. tests/record_tf1_scripts_strings.py records them with
TensorFlow; tests/test_strings.py runs them with dfc and compares.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

SCRIPTS: dict[str, Callable] = {}
F32 = np.float32
SPECIES = ["setosa", "versicolor", "virginica"]


def script(fn: Callable) -> Callable:
    SCRIPTS[fn.__name__] = fn
    return fn


def _set_variables(tf, sess, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for v in sorted(tf.trainable_variables(), key=lambda v: v.name):
        sess.run(v.assign((rng.standard_normal(v.shape.as_list()) * 0.3).astype(F32)))


def _iris_csv(folder: str) -> str:
    rng = np.random.default_rng(3)
    path = os.path.join(folder, "iris_training.csv")
    with open(path, "w") as f:
        f.write("12,4,setosa,versicolor,virginica\n")  # the tutorial's header line, skipped
        for i in range(12):
            label = i % 3
            row = rng.normal(loc=[5.0 + label, 3.0, 1.5 + 2 * label, 0.3 + label], scale=0.3)
            f.write(",".join(f"{v:.1f}" for v in row) + f",{label}\n")
    return path


@script
def iris_csv_pipeline(tf, Session, folder):
    """The premade-estimator tutorial's input: TextLineDataset(...).skip(1).map(decode_csv), batched and
    repeated; a softmax regression trained with SGD; predictions turned back into species names."""
    path = _iris_csv(folder)
    columns = ["SepalLength", "SepalWidth", "PetalLength", "PetalWidth", "Species"]

    def parse_line(line):
        fields = tf.decode_csv(line, record_defaults=[[0.0], [0.0], [0.0], [0.0], [0]])
        features = dict(zip(columns, fields))
        label = features.pop("Species")
        return features, label

    dataset = tf.data.TextLineDataset(path).skip(1).map(parse_line).batch(4).repeat(2)
    features, labels = dataset.make_one_shot_iterator().get_next()
    x = tf.stack([features[c] for c in columns[:4]], axis=1)
    with tf.variable_scope("softmax"):
        w = tf.get_variable("w", [4, 3])
        b = tf.get_variable("b", [3], initializer=tf.zeros_initializer())
    logits = tf.matmul(x, w) + b
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    names = tf.contrib.lookup.index_to_string_table_from_tensor(SPECIES, default_value="?")
    predicted = names.lookup(tf.argmax(logits, 1))
    losses, predictions = [], []
    with Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        _set_variables(tf, sess, 1)
        while True:
            try:
                value, _, names_now = sess.run([loss, train, predicted])
            except tf.errors.OutOfRangeError:
                break
            losses.append(value)
            predictions.append(names_now)
        final_w = sess.run(w)
    return {"losses": np.array(losses, F32), "predictions": np.concatenate(predictions).astype("S"),
            "w": final_w}


@script
def vocabulary_text_classifier(tf, Session, folder):
    """Words fed as strings: a vocabulary file with OOV buckets, an embedding bag, a logistic output, Adam;
    labels fed as strings and looked up in a second table; a string report of the step."""
    vocab_path = os.path.join(folder, "vocab.txt")
    with open(vocab_path, "w") as f:
        f.write("\n".join(["the", "movie", "was", "great", "awful", "plot"]) + "\n")
    words = tf.placeholder(tf.string, [None, 4], name="words")
    label_names = tf.placeholder(tf.string, [None], name="labels")
    table = tf.contrib.lookup.index_table_from_file(vocab_path, num_oov_buckets=2)
    label_table = tf.contrib.lookup.index_table_from_tensor(["neg", "pos"])
    ids = table.lookup(words)
    labels = tf.cast(label_table.lookup(label_names), tf.float32)
    with tf.variable_scope("model"):
        embedding = tf.get_variable("embedding", [8, 3])
        out = tf.get_variable("out", [3, 1])
    mask = tf.cast(tf.not_equal(words, ""), tf.float32)
    bag = tf.reduce_sum(tf.nn.embedding_lookup(embedding, ids) * tf.expand_dims(mask, -1), 1)
    logits = tf.squeeze(tf.matmul(bag, out), 1)
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    report = tf.strings.format("loss={} ids={}", [tf.round(loss * 100.0) / 100.0, ids[0]])
    batches = [([["the", "movie", "was", "great"], ["awful", "plot", "", ""]], ["pos", "neg"]),
               ([["great", "great", "zombie", ""], ["the", "plot", "was", "awful"], ["meh", "", "", ""]],
                ["pos", "neg", "neg"])]
    out_losses, out_ids = [], []
    with Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        _set_variables(tf, sess, 2)
        for step in range(3):
            for batch_words, batch_labels in batches:
                feed = {words: batch_words, label_names: batch_labels}
                value, _, got = sess.run([loss, train, ids], feed)
                out_losses.append(value)
                if step == 0:
                    out_ids.append(got.reshape(-1))
        text = sess.run(report, {words: batches[0][0], label_names: batches[0][1]})
    return {"losses": np.array(out_losses, F32), "ids": np.concatenate(out_ids), "report": np.array(text, "S")}


@script
def string_feature_columns(tf, Session, folder):
    """tf.feature_column over string features: a vocabulary list with an OOV bucket, a hash bucket column,
    both embedded and one-hot into input_layer, a linear head trained with SGD."""
    fc = tf.feature_column
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"], num_oov_buckets=1)
    city = fc.categorical_column_with_hash_bucket("city", 5)
    columns = [fc.indicator_column(color), fc.embedding_column(city, 2), fc.numeric_column("size")]
    features = {"color": tf.placeholder(tf.string, [None, 1], name="color"),
                "city": tf.placeholder(tf.string, [None, 1], name="city"),
                "size": tf.placeholder(tf.float32, [None, 1], name="size")}
    net = fc.input_layer(features, columns)
    with tf.variable_scope("head"):
        w = tf.get_variable("w", [net.shape[1], 1])
    target = tf.placeholder(tf.float32, [None, 1], name="target")
    loss = tf.reduce_mean(tf.square(tf.matmul(net, w) - target))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed_values = {"color": [["red"], ["pink"], ["blue"], [""]], "city": [["Paris"], ["Lima"], ["Oslo"], ["Paris"]],
                   "size": [[1.0], [2.0], [0.5], [1.5]]}
    feed = {features[k]: v for k, v in feed_values.items()}
    feed[target] = [[1.0], [0.0], [2.0], [1.0]]
    with Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        _set_variables(tf, sess, 3)
        first = sess.run(net, feed)
        losses = [sess.run([loss, train], feed)[0] for _ in range(4)]
    return {"net": first, "losses": np.array(losses, F32)}
