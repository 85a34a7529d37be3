"""tf.feature_column scripts written once for TensorFlow and dfc (TF 2.21 keeps TF1's columns in tf.compat.v1).

Each returns named arrays (outputs, variable names, gradients); tests/record_tf1_scripts_estimator.py records them
with TensorFlow and tests/test_tf1_estimator.py runs them with dfc on both backends.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

F32 = np.float32


BOTH: dict[str, Callable] = {}


def feature_columns(tf):
    """input_layer and linear_model over numeric, bucketized, embedded, indicator and identity columns; multi-id rows
    with -1 for 'no id'; the outputs, the variables' names and the gradients of both outputs."""
    rng = np.random.default_rng(9)
    fc = tf.feature_column
    features = {"price": tf.constant(rng.standard_normal((4, 2)).astype(F32) * 3),
                "age": tf.constant(np.array([3, 17, 40, 70], np.int64)),
                "tags": tf.constant(np.array([[1, 4, -1], [-1, -1, -1], [0, 0, 2], [5, -1, 3]], np.int64)),
                "color": tf.constant(np.array([7, 3, 9, 4], np.int64))}
    tags = fc.categorical_column_with_identity("tags", num_buckets=6)
    color = fc.categorical_column_with_vocabulary_list("color", [3, 9, 4], default_value=1)
    age = fc.numeric_column("age", dtype=tf.int64)
    table = (rng.standard_normal((6, 3)) * 0.5).astype(F32)
    dense_columns = [fc.numeric_column("price", shape=[2], normalizer_fn=lambda v: (v - 1.0) / 2.0),
                     fc.bucketized_column(age, [18, 30, 65]),
                     fc.embedding_column(tags, 3, combiner="mean", initializer=tf.constant_initializer(table)),
                     fc.indicator_column(color)]
    with tf.variable_scope("model"):
        dense = fc.input_layer(features, dense_columns)
        sqrtn = fc.input_layer(features, [fc.embedding_column(tags, 3, combiner="sqrtn",
                                                              initializer=tf.constant_initializer(table))])
        linear = fc.linear_model(features, [tags, color, fc.bucketized_column(age, [18, 30, 65]),
                                            fc.numeric_column("price", shape=[2])], units=2)
    variables = sorted(tf.global_variables(), key=lambda v: v.name)
    grads = tf.gradients(tf.reduce_sum(dense * dense) + tf.reduce_sum(sqrtn) + tf.reduce_sum(linear * linear),
                         variables)
    grads = [tf.convert_to_tensor(g) for g in grads]  # TF's embedding gradients come as IndexedSlices
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        rng2 = np.random.default_rng(10)
        for v in variables:
            if "linear_model" in v.name:
                sess.run(v.assign((rng2.standard_normal(v.shape.as_list()) * 0.5).astype(F32)))
        out = sess.run({"dense": dense, "sqrtn": sqrtn, "linear": linear,
                        **{f"grad_{i}": g for i, g in enumerate(grads)}})
    out["names"] = np.array([v.name for v in variables])
    out["dense_shape"] = np.array(dense.shape.as_list())
    return out


BOTH["feature_columns"] = feature_columns


def crossed_weighted_shared(tf):
    """crossed_column over ids, a bucketized column and a raw integer feature; weighted_categorical_column in an
    embedding (sqrtn), an indicator and linear_model (mean); shared_embedding_columns."""
    fc = tf.feature_column
    a = fc.categorical_column_with_identity("a", 5)
    b = fc.categorical_column_with_identity("b", 5)
    shared = fc.shared_embedding_columns([b, a], 2,
                                         initializer=tf.constant_initializer(np.arange(10).reshape(5, 2) / 7))
    weighted = fc.weighted_categorical_column(a, "aw")
    crossed = fc.crossed_column([a, "r", fc.bucketized_column(fc.numeric_column("z"), [0.0])], 7)
    features = {"a": tf.constant([[1, 2], [3, -1], [-1, -1], [4, 4]], tf.int64),
                "b": tf.constant([[0, 4], [2, 2], [1, 3], [3, -1]], tf.int64),
                "aw": tf.constant([[0.5, 2.0], [1.5, 0.0], [0.0, 0.0], [0.25, 1.0]]),
                "r": tf.constant([[5], [900000000000], [-3], [7]], tf.int64), "z": tf.constant([1.0, -1.0, 2.0, 0.0])}
    table = np.arange(15).reshape(5, 3) / 11
    with tf.variable_scope("m"):
        dense = fc.input_layer(features, shared + [
            fc.embedding_column(weighted, 3, combiner="sqrtn", initializer=tf.constant_initializer(table)),
            fc.indicator_column(weighted), fc.indicator_column(crossed)])
        linear = fc.linear_model(features, [crossed, weighted], sparse_combiner="mean")
    variables = sorted(tf.global_variables(), key=lambda v: v.name)
    grads = [tf.convert_to_tensor(g) for g in tf.gradients(tf.reduce_sum(dense * dense) + tf.reduce_sum(linear),
                                                           variables)]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for v in variables:
            if "linear_model" in v.name:
                count = int(np.prod(v.shape.as_list()))
                sess.run(v.assign((np.arange(count, dtype=F32) / 5 + 0.1).reshape(v.shape.as_list())))
        out = sess.run({"dense": dense, "linear": linear, **{f"grad_{i}": g for i, g in enumerate(grads)}})
    out["names"] = np.array([v.name for v in variables])
    return out


BOTH["crossed_weighted_shared"] = crossed_weighted_shared


def hashed_and_vocabulary_file(tf):
    """categorical_column_with_hash_bucket over int64 ids (TF's FarmHash of the digits), vocabulary list and file
    columns with out-of-vocabulary buckets, in an indicator, an embedding and linear_model."""
    import os
    import tempfile
    fc = tf.feature_column
    path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
    with open(path, "w") as f:
        f.write("40\n7\n123456789\n-5\n")
    users = fc.categorical_column_with_hash_bucket("user", 11, dtype=tf.int64)
    shops = fc.categorical_column_with_vocabulary_file("shop", path, vocabulary_size=3, num_oov_buckets=2,
                                                       dtype=tf.int64)
    kinds = fc.categorical_column_with_vocabulary_list("kind", [3, 1, 4], num_oov_buckets=3)
    features = {"user": tf.constant([[10, 99999999999], [-1, 5], [7, -1]], tf.int64),
                "shop": tf.constant([7, -5, 123456789], tf.int64), "kind": tf.constant([[4, 8], [1, 3], [2, -1]],
                                                                                       tf.int64)}
    table = (np.arange(33).reshape(11, 3) / 10).astype(F32)
    dense = fc.input_layer(features, [fc.indicator_column(users), fc.indicator_column(shops),
                                      fc.indicator_column(kinds),
                                      fc.embedding_column(users, 3, initializer=tf.constant_initializer(table))])
    linear = fc.linear_model(features, [users, shops, kinds], units=2)
    variables = sorted(tf.global_variables(), key=lambda v: v.name)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        for v in variables:
            if "linear_model" in v.name:
                count = int(np.prod(v.shape.as_list()))
                sess.run(v.assign((np.arange(count, dtype=F32) / 7 - 0.5).reshape(v.shape.as_list())))
        out = sess.run({"dense": dense, "linear": linear})
    out["names"] = np.array([v.name for v in variables])
    return out


BOTH["hashed_and_vocabulary_file"] = hashed_and_vocabulary_file


def _example(tf, **features) -> bytes:
    """One serialized tf.train.Example: floats, ints or bytes per key, as lists (an empty list: the key is absent)."""
    def feature(values):
        if values and isinstance(values[0], bytes):
            return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        if values and isinstance(values[0], float):
            return tf.train.Feature(float_list=tf.train.FloatList(value=values))
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(
        feature={k: feature(v) for k, v in features.items() if v})).SerializeToString()


def parsed_examples(tf):
    """make_parse_example_spec of every kind of column, then parse_example of serialized Examples: VarLenFeature
    categorical features arrive as SparseTensors (rows with several ids, or none) and feed input_layer and
    linear_model; the spec itself, the outputs and the gradients."""
    fc = tf.feature_column
    age = fc.numeric_column("age", shape=[2], default_value=[1.0, 2.0])
    color = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"], num_oov_buckets=1)
    word = fc.categorical_column_with_hash_bucket("word", 7)
    tag = fc.categorical_column_with_identity("tag", 5)
    weighted = fc.weighted_categorical_column(fc.categorical_column_with_identity("item", 4), "item_weight")
    crossed = fc.crossed_column([tag, fc.bucketized_column(age, [2.5])], 9)
    columns = [age, fc.indicator_column(color), fc.embedding_column(word, 2, initializer=tf.constant_initializer(
        (np.arange(14).reshape(7, 2) / 10).astype(F32))), fc.indicator_column(tag), fc.indicator_column(weighted),
        fc.indicator_column(crossed)]
    spec = fc.make_parse_example_spec(columns)
    described = [f"{key}:{type(f).__name__}:{tf.as_dtype(f.dtype).name}:"
                 f"{getattr(f, 'shape', '')}:{getattr(f, 'default_value', '')}" for key, f in sorted(spec.items())]
    examples = [_example(tf, age=[3.0, 1.0], color=[b"red", b"blue"], word=[b"ab", b"cd", b"ab"], tag=[1, 4],
                         item=[2, 3], item_weight=[0.5, 2.0]),
                _example(tf, color=[b"pink"], word=[], tag=[0], item=[1], item_weight=[3.0]),
                _example(tf, age=[0.5, 4.0], color=[], word=[b"zz"], tag=[], item=[], item_weight=[])]
    serialized = tf.placeholder(tf.string, [None])
    features = tf.parse_example(serialized, spec)
    dense = fc.input_layer(features, columns)
    linear = fc.linear_model(features, [color, word, tag, weighted, crossed, fc.crossed_column(["color", tag], 11)],
                             units=1)
    # dense string features crossed by key, as the census wide-and-deep model does
    dense_strings = {"edu": tf.constant([["phd"], ["hs"], ["ms"]]), "job": tf.constant([["x"], ["y"], ["x"]])}
    wide = fc.linear_model(dense_strings, [fc.crossed_column(["edu", "job"], 13)], units=1)
    variables = sorted(tf.global_variables(), key=lambda v: v.name)
    grads = [tf.convert_to_tensor(g) for g in tf.gradients(
        tf.reduce_sum(dense) + tf.reduce_sum(linear * linear) + tf.reduce_sum(wide), variables)]
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        for v in variables:
            if "linear_model" in v.name:
                count = int(np.prod(v.shape.as_list()))
                sess.run(v.assign((np.arange(count, dtype=F32) / 5 - 0.3).reshape(v.shape.as_list())))
        out = sess.run({"dense": dense, "linear": linear, "wide": wide,
                        **{f"grad_{i}": g for i, g in enumerate(grads)}}, {serialized: examples})
    out["spec"] = np.array(described)
    out["names"] = np.array([v.name for v in variables])
    return out


BOTH["parsed_examples"] = parsed_examples
