"""dfc against what real TensorFlow computed for the same TF1 programs (tests/record_tf_expectations.py).

The arrays were recorded once with TensorFlow; these tests need no TensorFlow. Each program
runs on the reference interpreter and on the native CPU backend.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import load_recording

BACKENDS = ["interpreter", "cpu"]
TOL = {"rtol": 2e-5, "atol": 2e-6}


pytestmark = pytest.mark.usefixtures("fresh_graph")


def close(actual, expected, **tol):
    np.testing.assert_allclose(np.asarray(actual), expected, **(tol or TOL))


@pytest.mark.parametrize("backend", BACKENDS)
def test_logistic_regression_with_float_placeholders(backend):
    r = load_recording("logistic_regression")
    x, y = tf.placeholder("float", [None, 4]), tf.placeholder("float", [None, 3])
    assert x.dtype.name == str(r["placeholder_dtype"])
    w, b = tf.Variable(r["w0"]), tf.Variable(r["b0"])
    pred = tf.nn.softmax(tf.matmul(x, w) + b)
    cost = tf.reduce_mean(-tf.reduce_sum(y * tf.log(pred), reduction_indices=1))
    grads = tf.gradients(cost, [w, b])
    train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        feeds = {x: r["x"], y: r["y"]}
        c, (dw, db) = sess.run([cost, grads], feeds)
        close(c, r["cost"])
        close(dw, r["dw"])
        close(db, r["db"])
        for _ in range(5):
            sess.run(train, feeds)
        close(sess.run(w), r["w5"])
        close(sess.run(b), r["b5"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_mlp_with_a_keep_prob_placeholder_and_int_labels(backend):
    r = load_recording("mlp_dropout")
    x, y, keep = tf.placeholder(tf.float32, [None, 5]), tf.placeholder(tf.int32, [None, 3]), tf.placeholder("float")
    vs = [tf.Variable(r[k]) for k in ("w1", "b1", "w2", "b2")]
    h = tf.nn.dropout(tf.nn.relu(tf.matmul(x, vs[0]) + vs[1]), keep)
    logits = tf.matmul(h, vs[2]) + vs[3]
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))  # int labels: cast
    loss_v2 = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), "float"))
    grads = tf.gradients(loss, vs)
    sess = tf.Session(backend=backend)
    sess.run(tf.global_variables_initializer())
    feeds = {x: r["x"], y: r["y"], keep: 1.0}
    out = sess.run([loss, loss_v2, accuracy, tf.arg_max(logits, 1), tf.arg_min(logits, 1)] + grads, feeds)
    close(out[0], r["loss"])
    close(out[1], r["loss_int"])
    assert out[2] == pytest.approx(float(r["accuracy"]))
    np.testing.assert_array_equal(out[3], r["arg_max"])
    np.testing.assert_array_equal(out[4], r["arg_min"])
    for got, key in zip(out[5:], ("dw1", "db1", "dw2", "db2")):
        close(got, r[key])
    # keep_prob 0.5: each unit is dropped or doubled, about half of them dropped
    dropped = sess.run(h, {x: np.repeat(r["x"], 50, axis=0), keep: 0.5})
    kept = sess.run(h, {x: np.repeat(r["x"], 50, axis=0), keep: 1.0})
    live = kept > 0
    assert np.allclose(dropped[live][dropped[live] != 0], 2 * kept[live][dropped[live] != 0], rtol=1e-6)
    assert 0.4 < np.mean(dropped[live] == 0) < 0.6


@pytest.mark.parametrize("backend", BACKENDS)
def test_shape_tensors(backend):
    r = load_recording("dynamic_shapes")
    x, y = tf.placeholder(tf.float32), tf.placeholder(tf.float32, [None, None])
    assert x.get_shape().ndims is None and int(r["x_rank"]) == -1
    reshaped = tf.reshape(x, tf.shape(y))
    mixed = tf.reshape(x, [-1, tf.shape(x)[2]])
    assert [-1 if d is None else d for d in mixed.get_shape().as_list()] == r["mixed_static"].tolist()
    packed = tf.stack([tf.shape(x)[0] * 2, tf.size(y) // 4])
    z = tf.zeros(tf.shape(x)) + 1.5
    loss = tf.reduce_sum(reshaped * r["y"]) + tf.reduce_sum(mixed * mixed)
    gx = tf.gradients(loss, x)[0]
    out = tf.Session(backend=backend).run([tf.shape(x), tf.size(x), tf.rank(x), reshaped, mixed, packed, z, gx],
                                          {x: r["x"], y: r["y"]})
    for got, key in zip(out, ("shape", "size", "rank", "reshaped", "mixed", "packed", "filled", "dx")):
        close(got, r[key])


@pytest.mark.parametrize("backend", BACKENDS)
def test_embeddings_sampled_losses_and_top_k(backend):
    r = load_recording("embeddings_and_sampled_losses")
    vocab, num_sampled = r["emb"].shape[0], len(r["sampled"])
    emb, nce_w, nce_b = tf.Variable(r["emb"]), tf.Variable(r["nce_w"]), tf.Variable(r["nce_b"])
    ids, labels = tf.placeholder(tf.int32, [4]), tf.placeholder(tf.int64, [4, 1])
    embed = tf.nn.embedding_lookup(emb, ids)
    values = (tf.constant(r["sampled"]), tf.constant(r["true_expected"]), tf.constant(r["sampled_expected"]))
    nce = tf.reduce_mean(tf.nn.nce_loss(nce_w, nce_b, labels, embed, num_sampled, vocab, sampled_values=values))
    ssm = tf.reduce_mean(tf.nn.sampled_softmax_loss(nce_w, nce_b, labels, embed, num_sampled, vocab,
                                                    sampled_values=values))
    e = r["emb"]
    shards_mod = tf.nn.embedding_lookup([tf.constant(e[i::3]) for i in range(3)], r["mod_ids"])
    shards_div = tf.nn.embedding_lookup([tf.constant(e[:7]), tf.constant(e[7:14]), tf.constant(e[14:])],
                                        r["mod_ids"], partition_strategy="div")
    preds = tf.constant([[0.1, 0.5, 0.5, 0.2], [3.0, 2.0, 1.0, 0.0], [0.3, 0.3, 0.3, 0.3]])
    top_values, top_indices = tf.nn.top_k(preds, 3)
    in_top = [tf.nn.in_top_k(preds, tf.constant([2, 3, 1]), k) for k in (1, 2, 3)]
    grads = tf.gradients(nce + ssm, [emb, nce_w, nce_b])
    assert all(isinstance(g, tf.IndexedSlices) for g in grads)  # TF1's gradients of embedding lookups
    grads = [tf.convert_to_tensor(g) for g in grads]
    sess = tf.Session(backend=backend)
    sess.run(tf.global_variables_initializer())
    out = sess.run([nce, ssm, embed, shards_mod, shards_div, top_values, top_indices] + in_top + grads,
                   {ids: r["ids"], labels: r["labels"]})
    keys = ("nce", "sampled_softmax", "embed", "shards_mod", "shards_div", "top_values", "top_indices", "in_top_1",
            "in_top_2", "in_top_3", "d_emb", "d_nce_w", "d_nce_b")
    for got, key in zip(out, keys):
        close(got, r[key], rtol=1e-5, atol=1e-5)


def test_embedding_gradient_is_a_segment_sum_not_a_one_hot_matmul():
    emb = tf.Variable(np.ones((1000, 8), np.float32))
    ids = tf.placeholder(tf.int32, [None])
    g = tf.gradients(tf.reduce_sum(tf.nn.embedding_lookup(emb, ids)), emb)[0]
    assert isinstance(g, tf.IndexedSlices)
    g = tf.convert_to_tensor(g)  # its dense form
    from dfc.compiler import compile_step
    step = compile_step(tf.get_default_graph(), [g._dfc_ir()], feeds=[ids._dfc_ir()], feed_shapes=[(5,)])
    types = {op.type for op in step.walk()}
    assert "dfc.unsorted_segment_sum" in types and "dfc.one_hot" not in types and "dfc.matmul" not in types
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    out = sess.run(g, {ids: [3, 3, 999, 0, 3]})
    assert out[3].tolist() == [3.0] * 8 and out[999].tolist() == [1.0] * 8 and out.sum() == 40


def _flatten(state) -> list:
    return [t for part in state for t in _flatten(part)] if isinstance(state, tuple) else [state]


def _tf_unique_log_uniform(rng, num_sampled, range_max, runs):
    """TF's LogUniformSampler with unique=True, in numpy: draw until num_sampled distinct ids; its expected
    count for id 0 (p * num_sampled when no draw repeated, else 1 - (1 - p) ** tries)."""
    log_range = np.log(range_max + 1)
    p0 = np.log(2.0) / log_range
    inclusion, expected = np.zeros(range_max), 0.0
    for _ in range(runs):
        seen, tries = set(), 0
        while len(seen) < num_sampled:
            tries += 1
            seen.add(int(np.exp(rng.random() * log_range)) - 1)
        inclusion[list(seen)] += 1
        expected += p0 * num_sampled if tries == num_sampled else -np.expm1(tries * np.log1p(-p0))
    return inclusion / runs, expected / runs


def test_the_unique_sampler_follows_tfs_algorithm_in_distribution():
    labels = tf.constant([[0], [3]], tf.int64)
    sampled, true_expected, sampled_expected = tf.nn.log_uniform_candidate_sampler(labels, 1, 10, True, 40, seed=3)
    sess = tf.Session()
    hits, expected = np.zeros(40), 0.0
    runs = 400
    for _ in range(runs):
        ids, te, se = sess.run([sampled, true_expected, sampled_expected])
        assert len(set(ids.tolist())) == 10 and ids.min() >= 0 and ids.max() < 40
        assert te.shape == (2, 1) and se.shape == (10,)
        hits[ids] += 1
        expected += te[0, 0]
    reference, reference_expected = _tf_unique_log_uniform(np.random.default_rng(0), 10, 40, 4000)
    np.testing.assert_allclose(hits / runs, reference, atol=0.08)
    assert expected / runs == pytest.approx(reference_expected, abs=0.06)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["basic_lstm", "lstm_peephole_proj", "gru", "multi"])
def test_rnn_cells_match_tf(backend, kind):
    r = load_recording("recurrent_cells")
    cells = {
        "basic_lstm": lambda: tf.nn.rnn_cell.BasicLSTMCell(5),
        "lstm_peephole_proj": lambda: tf.nn.rnn_cell.LSTMCell(5, use_peepholes=True, num_proj=3, cell_clip=0.8),
        "gru": lambda: tf.nn.rnn_cell.GRUCell(4),
        "multi": lambda: tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(4), tf.nn.rnn_cell.GRUCell(3)]),
    }
    x = tf.placeholder(tf.float32, [2, 3, 4])
    outputs, state = tf.nn.static_rnn(cells[kind](), tf.unstack(x, 3, 1), dtype=tf.float32)
    flat_state = _flatten(state)
    weights = tf.global_variables()
    names = sorted(k[len(f"{kind}/w/"):] for k in r if k.startswith(f"{kind}/w/"))
    assert sorted(v.op.name for v in weights) == names  # TF1's variable names
    loss = tf.reduce_sum(outputs[-1] * outputs[-1]) + tf.add_n([tf.reduce_sum(s) for s in flat_state]) + \
        tf.reduce_sum(outputs[0])
    grads = tf.gradients(loss, weights + [x])
    sess = tf.Session(backend=backend)
    for v in weights:
        sess.run(v.assign(r[f"{kind}/w/{v.op.name}"]))
    out = sess.run([tf.stack(outputs)] + flat_state + grads, {x: r["x"]})
    close(out[0], r[f"{kind}/outputs"], rtol=1e-5, atol=1e-5)
    for i, s in enumerate(out[1:1 + len(flat_state)]):
        close(s, r[f"{kind}/state{i}"], rtol=1e-5, atol=1e-5)
    for v, g in zip(weights, out[1 + len(flat_state):]):
        close(g, r[f"{kind}/grad/{v.op.name}"], rtol=1e-4, atol=1e-5)
    close(out[-1], r[f"{kind}/grad/x"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_dense_and_flatten_layers(backend):
    r = load_recording("layers_and_batch_norm")
    x = tf.placeholder(tf.float32, [None, 2, 4])
    y = tf.layers.dense(x, 3, activation=tf.nn.relu)
    z = tf.layers.dense(tf.layers.flatten(y), 2)
    weights = tf.global_variables()
    assert [v.op.name for v in weights] == r["names"].tolist()
    grads = tf.gradients(tf.reduce_sum(z * z), weights + [x])
    sess = tf.Session(backend=backend)
    for v in weights:
        sess.run(v.assign(r[f"w/{v.op.name}"]))
    out = sess.run([y, z] + grads, {x: r["x"]})
    close(out[0], r["dense3d"])
    close(out[1], r["out"], rtol=1e-5)
    for v, g in zip(weights, out[2:-1]):
        close(g, r[f"grad/{v.op.name}"], rtol=1e-4, atol=1e-5)
    close(out[-1], r["dx"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key", ["bn2d", "bn4d"])
def test_batch_normalization_matches_tf(backend, key):
    r = load_recording("layers_and_batch_norm")
    xv = r[f"{key}/x"]
    x = tf.constant(xv)
    out = tf.layers.batch_normalization(x, momentum=0.9, training=True,
                                        gamma_initializer=tf.constant_initializer(r[f"{key}/gamma"]),
                                        beta_initializer=tf.constant_initializer(r[f"{key}/beta"]))
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    variables = {v.op.name.split("/")[-1]: v for v in tf.global_variables()}
    grads = tf.gradients(tf.reduce_sum(out * r[f"{key}/probe"]), [x, variables["gamma"], variables["beta"]])
    sess = tf.Session(backend=backend)
    sess.run(tf.global_variables_initializer())
    with tf.control_dependencies(updates):
        step = tf.identity(out)
    values = sess.run([step] + grads)
    close(values[0], r[f"{key}/out"], rtol=1e-4, atol=1e-5)
    close(values[1], r[f"{key}/dx"], rtol=1e-4, atol=1e-4)
    close(values[2], r[f"{key}/dgamma"], rtol=1e-4, atol=1e-4)
    close(values[3], r[f"{key}/dbeta"], rtol=1e-4, atol=1e-4)
    close(sess.run(variables["moving_mean"]), r[f"{key}/moving_mean"], rtol=1e-5, atol=1e-6)
    close(sess.run(variables["moving_variance"]), r[f"{key}/moving_var"], rtol=1e-5, atol=1e-6)
    inference = tf.layers.batch_normalization(x, training=False, name="batch_normalization", reuse=True)
    mean, var = sess.run([variables["moving_mean"], variables["moving_variance"]])
    expected = (xv - mean) / np.sqrt(var + 1e-3) * r[f"{key}/gamma"] + r[f"{key}/beta"]
    close(sess.run(inference), expected, rtol=1e-5, atol=1e-5)


def test_dtype_names_match_tf():
    r = load_recording("dtype_names")
    for name, tf_name in zip(r["names"].tolist(), r["tf_names"].tolist()):
        assert tf.as_dtype(name).name == tf_name, name
