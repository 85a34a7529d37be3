"""dfc against TensorFlow on whole TF1 scripts over tf.nn's and tf.losses' newer names (tests/tf1_scripts_nn.py),
and TF1's errors for bad arguments to those names.

The scripts' answers were recorded with TensorFlow by tests/record_tf1_scripts_nn.py: variable names,
training losses step by step and the outputs after training, on both backends.
"""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf
from recordings import assert_matches_recording
from tf1_scripts_nn import SCRIPTS


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_matches_tensorflow(name, backend):
    tf.reset_default_graph()
    actual = SCRIPTS[name](tf, lambda: tf.Session(backend=backend))
    assert_matches_recording(actual, f"script_{name}", lambda key: {"rtol": 2e-4, "atol": 2e-5})


def _inputs():
    tf.reset_default_graph()
    return {"i": tf.placeholder(tf.int32, [3], name="ints"), "f": tf.placeholder(tf.float32, [2, 3], name="mat"),
            "img": tf.placeholder(tf.float32, [1, 4, 4, 2], name="img"),
            "seq": tf.placeholder(tf.float32, [1, 5, 2], name="seq"), "k": tf.placeholder(tf.float32, [2, 2, 3])}


# (what, TF1's exception class, a word the message must hold: the user's tensor or argument)
ERRORS = [
    (lambda t: tf.nn.elu(t["i"]), TypeError, "ints"),
    (lambda t: tf.nn.selu(t["i"]), TypeError, "ints"),
    (lambda t: tf.nn.swish(t["i"]), TypeError, "ints"),
    (lambda t: tf.nn.fused_batch_norm(t["img"], [1., 1.], [0., 0.], is_training=False), ValueError, "mean"),
    (lambda t: tf.nn.fused_batch_norm(t["seq"], [1., 1.], [0., 0.]), ValueError, "seq"),
    (lambda t: tf.nn.fused_batch_norm(t["img"], [1., 1., 1.], [0., 0.]), ValueError, "scale"),
    (lambda t: tf.nn.fused_batch_norm(t["img"], [1., 1.], [0., 0.], data_format="NCW"), ValueError, "NCW"),
    (lambda t: tf.nn.lrn(t["seq"]), ValueError, "seq"),
    (lambda t: tf.nn.conv1d(t["seq"], t["k"], 1, "SAME", data_format="NHCW"), ValueError, "NHCW"),
    (lambda t: tf.nn.conv1d(t["seq"], t["k"], [1, 1], "SAME"), ValueError, "stride"),
    (lambda t: tf.nn.pool(t["img"], [2, 2], "MAX", "SAME", dilation_rate=[2, 2]), ValueError, "dilation_rate"),
    (lambda t: tf.nn.pool(t["img"], [2, 2], "MAX", "VALID", strides=[3, 3]), ValueError, "strides"),
    (lambda t: tf.nn.pool(t["img"], [2, 2], "MIN", "VALID"), ValueError, "MIN"),
    (lambda t: tf.nn.max_pool_with_argmax(t["img"], [1, 2, 2, 1], [1, 2, 2, 1], "SAME", data_format="NCHW"),
     ValueError, "NCHW"),
    (lambda t: tf.nn.max_pool_with_argmax(t["img"], 2, [1, 2, 2, 1], "SAME"), TypeError, "ksize"),
    (lambda t: tf.nn.max_pool_v2(tf.zeros([1, 2, 2, 2, 2, 1]), 2, 2, "VALID"), ValueError, "rank"),
    (lambda t: tf.losses.huber_loss(None, t["f"]), ValueError, "labels"),
    (lambda t: tf.losses.huber_loss(tf.zeros([3, 2]), t["f"]), ValueError, "mat"),
    (lambda t: tf.losses.log_loss(t["f"], None), ValueError, "predictions"),
    (lambda t: tf.losses.cosine_distance(t["f"], t["f"]), ValueError, "axis"),
    (lambda t: tf.losses.hinge_loss(tf.zeros([2]), t["f"]), ValueError, "mat"),
    (lambda t: tf.losses.mean_pairwise_squared_error(tf.zeros([3, 2]), t["f"]), ValueError, "mat"),
    (lambda t: tf.losses.huber_loss(t["f"], t["f"], reduction="bogus"), ValueError, "bogus"),
    (lambda t: tf.losses.mean_squared_error(t["f"], t["f"], weights=[1.0, 2.0, 3.0]), ValueError, "broadcast"),
    (lambda t: tf.losses.absolute_difference(t["f"], t["f"], weights=tf.ones([2, 2])), ValueError, "dim 1"),
    (lambda t: tf.losses.softmax_cross_entropy(tf.zeros([2, 4]), t["f"]), ValueError, "mat"),
    (lambda t: tf.nn.weighted_cross_entropy_with_logits(labels=tf.zeros([3, 2]), logits=t["f"], pos_weight=1.0),
     ValueError, "mat"),
    (lambda t: tf.nn.log_poisson_loss(tf.zeros([3, 2]), t["f"]), ValueError, "mat"),
    (lambda t: tf.nn.dynamic_rnn(tf.nn.rnn_cell.ResidualWrapper(tf.nn.rnn_cell.BasicRNNCell(3)), t["seq"],
                                 dtype=tf.float32), ValueError, "shape"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_arguments_raise_tf1s_exception_naming_the_object(index):
    build, exception, word = ERRORS[index]
    with pytest.raises(exception, match=word):
        build(_inputs())


def test_new_names_and_dtypes_follow_tf1():
    t = _inputs()
    assert tf.nn.elu(t["f"]).name == "Elu:0" and tf.nn.leaky_relu(t["f"]).name == "LeakyRelu:0"
    assert tf.nn.selu(t["f"], name="act").name == "act:0"
    assert tf.nn.leaky_relu(t["i"]).dtype == tf.float32  # integer features become float32, as TF casts them
    w, b = tf.zeros([3, 4]), tf.zeros([4])
    assert tf.nn.xw_plus_b(t["f"], w, b).name == "xw_plus_b:0"
    assert tf.nn.relu_layer(t["f"], w, b, name="dense").name == "dense:0"
    value, argmax = tf.nn.max_pool_with_argmax(t["img"], [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert argmax.dtype == tf.int64 and argmax.shape.as_list() == [1, 2, 2, 2]
    y, mean, variance = tf.nn.fused_batch_norm(tf.cast(t["img"], tf.float16), [1., 1.], [0., 0.])
    assert y.dtype == tf.float16 and mean.dtype == variance.dtype == tf.float32  # statistics in float32, as TF
    assert tf.nn.conv1d(tf.zeros([2, 3, 5, 2]), tf.zeros([2, 2, 4]), 1, "SAME").shape.as_list() == [2, 3, 5, 4]
    f64 = tf.zeros([2, 3], tf.float64)
    assert tf.losses.huber_loss(f64, f64).dtype == tf.losses.mean_squared_error(f64, f64).dtype == tf.float32
    assert tf.losses.sigmoid_cross_entropy(f64, f64).dtype == tf.float64  # reduced in float32, cast back as TF
    assert tf.nn.depth_to_space is tf.depth_to_space and tf.nn.swish is tf.nn.silu
    t = _inputs()  # a fresh graph: the names below are the first of their kind
    assert tf.losses.mean_squared_error(t["f"], t["f"]).name == "mean_squared_error/value:0"
    assert tf.losses.huber_loss(t["f"], t["f"], scope="h").name == "h/value:0"
    assert tf.nn.lrn(t["img"]).name == "LRN:0" and tf.nn.crelu(t["f"]).name == "CRelu/Relu:0"
    assert tf.nn.fused_batch_norm(t["img"], [1.0, 1.0], [0.0, 0.0])[0].name == "FusedBatchNormV3:0"


def test_no_gradient_reaches_fused_batch_norms_statistics():
    """TF's FusedBatchNorm gradient has no terms for its mean and variance inputs or outputs."""
    t = _inputs()
    mean, variance = tf.constant([0.5, -1.0]), tf.constant([2.0, 0.5])
    y, batch_mean, batch_var = tf.nn.fused_batch_norm(t["img"], [1., 2.], [0., 0.], mean, variance,
                                                      is_training=False)
    assert tf.gradients(tf.reduce_sum(y), [mean, variance]) == [None, None]
    y, batch_mean, batch_var = tf.nn.fused_batch_norm(t["img"], [1., 2.], [0., 0.])
    assert tf.gradients(batch_mean + batch_var, t["img"]) == [None]


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_conv1d_ncw_and_dilations_match_their_nwc_and_conv2d_forms(backend):
    rng = np.random.default_rng(3)
    t = _inputs()
    k = rng.standard_normal((3, 2, 4)).astype(np.float32)
    ncw = tf.nn.conv1d(tf.transpose(t["seq"], [0, 2, 1]), k, 2, "SAME", data_format="NCW")
    nwc = tf.nn.conv1d(t["seq"], k, 2, "SAME")
    dilated = tf.nn.conv1d(t["seq"], k, 1, "SAME", dilations=2)
    as_2d = tf.squeeze(tf.nn.conv2d(t["seq"][:, None], k[None], [1, 1, 1, 1], "SAME", dilations=[1, 1, 2, 1]), 1)
    argmax_pool = tf.nn.max_pool1d(tf.transpose(t["seq"], [0, 2, 1]), 2, 1, "SAME", data_format="NCW")
    with tf.Session(backend=backend) as sess:
        a, b, c, d, e, f = sess.run([ncw, nwc, dilated, as_2d, argmax_pool, tf.nn.max_pool1d(t["seq"], 2, 1, "SAME")],
                                    {t["seq"]: rng.standard_normal((1, 5, 2)).astype(np.float32)})
    np.testing.assert_allclose(a.transpose(0, 2, 1), b, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(c, d, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(e.transpose(0, 2, 1), f)


GPU_CASES = ["nn_activations", "nn_fused_batch_norm", "nn_lrn", "nn_max_pool_with_argmax"]


@pytest.mark.parametrize("name", GPU_CASES)
def test_cases_on_the_emulated_gpu_match_tensorflow(name, emulated_gpu, monkeypatch):
    """The new names are compositions of ops with GPU kernels: the same recordings hold on backend='gpu'."""
    from test_tf1_ops_expectations import test_case_matches_tensorflow
    from tf1_op_cases import CASES

    from dfc.runtime import executors
    from dfc.runtime import gpu as gpu_runtime
    monkeypatch.setitem(executors.BACKENDS, "gpu", lambda step, session: gpu_runtime.GpuExecutable(step, session))
    test_case_matches_tensorflow(next(c for c in CASES if c.name == name), "gpu")


@pytest.mark.parametrize("time_major", [False, True])
def test_bidirectional_rnn_with_the_time_unknown_matches_the_unrolled_one(time_major):
    """An unknown time dim runs each direction as a tf.while_loop; the reversal of each row's first
    sequence_length steps is built from the shapes at run time. Same values and gradients as unrolled."""
    rng = np.random.default_rng(8)
    xs = rng.standard_normal((3, 5, 4)).astype(np.float32)
    lengths = np.array([5, 2, 0], np.int32)
    results = []
    for steps in (5, None):
        tf.reset_default_graph()
        shape = [steps, None, 4] if time_major else [None, steps, 4]
        x, n = tf.placeholder(tf.float32, shape), tf.placeholder(tf.int32, [None])
        init = tf.constant_initializer(0.3)
        with tf.variable_scope("m", initializer=tf.random_normal_initializer(seed=1)):
            (fw, bw), (sfw, sbw) = tf.nn.bidirectional_dynamic_rnn(
                tf.nn.rnn_cell.GRUCell(3, kernel_initializer=init), tf.nn.rnn_cell.BasicRNNCell(2), x,
                sequence_length=n, dtype=tf.float32, time_major=time_major)
        loss = tf.reduce_sum(fw * fw) + tf.reduce_sum(bw * tf.range(1.0, 3.0)) + tf.reduce_sum(sfw) + \
            tf.reduce_sum(sbw * sbw)
        grads = tf.gradients(loss, [x] + tf.trainable_variables())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i, v in enumerate(sorted(tf.trainable_variables(), key=lambda v: v.name)):
                sess.run(v.assign(np.full(v.shape.as_list(), 0.1 * (i + 1), np.float32) +
                                  np.linspace(-0.2, 0.2, int(np.prod(v.shape.as_list()))).reshape(
                                      v.shape.as_list()).astype(np.float32)))
            feed = {x: xs.transpose(1, 0, 2) if time_major else xs, n: lengths}
            results.append(sess.run([fw, bw, sfw, sbw] + grads, feed))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    fw, bw = results[0][:2]
    if time_major:
        fw, bw = fw.transpose(1, 0, 2), bw.transpose(1, 0, 2)
    assert not fw[1, 2:].any() and not bw[1, 2:].any() and not fw[2].any()  # past each row's length: zeros


def test_candidate_samplers_draw_their_distributions():
    """Sampled ids follow each sampler's probabilities (reserved and zero-count ids never drawn); unique draws
    are distinct; the expected counts of the sampled ids follow TF's formulas."""
    tf.reset_default_graph()
    t = tf.constant([[1, 4]], tf.int64)
    unigrams = [5.0, 1.0, 0.0, 3.0, 9.0]
    many, _, many_expected = tf.nn.fixed_unigram_candidate_sampler(t, 2, 4000, False, 6, distortion=0.5,
                                                                   num_reserved_ids=1, unigrams=unigrams, seed=4)
    distinct, true_expected, distinct_expected = tf.nn.fixed_unigram_candidate_sampler(
        t, 2, 3, True, 6, num_reserved_ids=1, unigrams=unigrams, seed=5)
    uniform, _, _ = tf.nn.uniform_candidate_sampler(t, 2, 3000, False, 5, seed=6)
    uniform_unique, _, uniform_expected = tf.nn.uniform_candidate_sampler(t, 2, 5, True, 5, seed=7)
    with tf.Session() as sess:
        ids, ids_expected, d, d_true, d_expected, u, uu, uu_expected = sess.run(
            [many, many_expected, distinct, true_expected, distinct_expected, uniform, uniform_unique,
             uniform_expected])
    p = np.array([0.0] + [c ** 0.5 for c in unigrams])
    p /= p.sum()
    np.testing.assert_allclose(np.bincount(ids, minlength=6) / 4000, p, atol=0.03)
    np.testing.assert_allclose(ids_expected, p[ids] * 4000, rtol=1e-6)
    assert len(set(d.tolist())) == 3 and not {0, 3} & set(d.tolist())
    assert ((d_expected > 0) & (d_expected <= 1.0 + 1e-6)).all() and d_true.shape == (1, 2)
    np.testing.assert_allclose(np.bincount(u, minlength=5) / 3000, np.full(5, 0.2), atol=0.03)
    assert sorted(uu.tolist()) == [0, 1, 2, 3, 4] and uu.dtype == np.int64
    assert (uu_expected <= 1.0 + 1e-6).all()


def test_candidate_samplers_refuse_bad_arguments_and_out_of_range_classes():
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="range_max"):
        tf.nn.fixed_unigram_candidate_sampler([[1]], 1, 2, False, 9, unigrams=[1.0, 2.0])
    with pytest.raises(ValueError, match="num_sampled"):
        tf.nn.uniform_candidate_sampler([[1]], 1, 8, True, 5)
    with pytest.raises(ValueError, match="non-zero"):
        tf.nn.fixed_unigram_candidate_sampler([[1]], 1, 3, True, 3, unigrams=[1.0, 0.0, 2.0])
    _, true_expected, _ = tf.nn.uniform_candidate_sampler(tf.constant([[7]], tf.int64), 1, 2, False, 5)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        sess.run(true_expected)


def test_tf_nn_dtype_and_axis_errors_are_tf1s_classes():
    """TF raises TypeError for an operand dtype an op does not take, InvalidArgumentError for softmax's axis."""
    t = _inputs()
    for build in (lambda: tf.nn.softmax(t["i"]), lambda: tf.nn.sigmoid(t["i"]),
                  lambda: tf.nn.avg_pool(tf.cast(t["img"], tf.int32), [1, 2, 2, 1], [1, 1, 1, 1], "SAME"),
                  lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([2]), logits=t["f"])):
        with pytest.raises(TypeError):
            build()
    with pytest.raises(tf.errors.InvalidArgumentError, match="mat"):
        tf.nn.softmax(t["f"], axis=2)
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2, 1]), logits=t["f"])


@pytest.mark.parametrize("backend", ["interpreter", "cpu"])
def test_compute_accidental_hits_matches_tensorflow(backend):
    """TF 2.21's answer for these inputs: (row, position) pairs in row then true-class order, a value sampled
    twice (2) matched at its last position. Fetched as a list: a dict fetch of value-shaped tensors retries
    its plan without end in runtime/session.py (plans of dict fetches are not cached; reported)."""
    tf.reset_default_graph()
    t, s = tf.placeholder(tf.int64, [4, 2]), tf.placeholder(tf.int64, [6])
    hits = tf.nn.compute_accidental_hits(t, s, 2)
    assert hits.indices.dtype == tf.int32 and hits.ids.dtype == tf.int64 and hits.weights.dtype == tf.float32
    with tf.Session(backend=backend) as sess:
        indices, ids, weights = sess.run(list(hits), {t: [[1, 2], [3, 9], [2, 2], [8, 8]], s: [2, 3, 1, 7, 2, 9]})
    np.testing.assert_array_equal(indices, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(ids, [2, 4, 1, 5, 4, 4])
    np.testing.assert_array_equal(weights, np.full(6, -np.finfo(np.float32).max, np.float32))
