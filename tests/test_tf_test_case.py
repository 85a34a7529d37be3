"""tf.test.TestCase as TF1 model repositories write their tests (BERT's modeling_test walks op inputs this way)."""

from __future__ import annotations

import io

import numpy as np

import dfc as tf


class ModelTest(tf.test.TestCase):
    def test_sessions_assertions_and_graph_introspection(self):
        x = tf.constant([[1.0, 2.0]])
        w = tf.Variable([[3.0], [4.0]], name="w")
        y = tf.matmul(x, w)
        init = tf.global_variables_initializer()
        with self.test_session() as sess:
            sess.run(init)
            self.assertAllClose(sess.run(y), [[11.0]])
            self.assertAllClose({"y": y, "pair": (x, [1.0])}, {"y": [[11.0]], "pair": ([[1.0, 2.0]], [1.0])})
            self.assertAllEqual(self.evaluate(tf.expand_dims(tf.constant([1, 2]), axis=[-1])), [[1], [2]])
        self.assertShapeEqual(np.zeros((1, 1)), y)
        self.assertAllInRange([0.5, 1.0], 0.0, 1.0)
        self.assertNear(1.0, 1.05, 0.1)
        with self.assertRaisesOpError("must feed a value for placeholder .needs_a_feed."):
            with self.session() as sess:
                sess.run(tf.placeholder(tf.float32, name="needs_a_feed"))
        # TF's graph: the initializer group's dependencies are control inputs, an Assign's inputs are (ref, value)
        self.assertEqual(init.inputs, [])
        self.assertEqual([op.name for op in init.control_inputs], ["w/Assign"])
        self.assertEqual([t.name for t in w.initializer.inputs][0], "w:0")
        self.assertEqual(len(w.initializer.inputs), 2)
        with self.assertRaises(AssertionError):
            self.assertAllClose([1.0, 2.0], [1.0, 2.1])
        self.assertAllCloseAccordingToType(np.float32([1.0]), [1.001], float_rtol=1e-2)
        with self.assertRaises(AssertionError):
            self.assertAllCloseAccordingToType(np.float64([1.0]), [1.001], float_rtol=1e-2)

    def test_each_test_starts_on_a_fresh_graph_with_tfs_seed(self):
        self.assertEqual(tf.get_default_graph().get_operations(), [])
        self.assertEqual(tf.get_default_graph().seed, 87654321)
        self.assertTrue(tf.test.get_temp_dir())
        self.assertIsInstance(tf.test.is_gpu_available(), bool)


def test_the_test_case_module_runs_under_unittest_as_tf_test_main_does():
    import unittest

    result = unittest.TextTestRunner(stream=io.StringIO(),
                                     verbosity=0).run(unittest.defaultTestLoader.loadTestsFromTestCase(ModelTest))
    assert result.wasSuccessful() and result.testsRun == 3 and len(result.skipped) == 1  # test_session: not a test


def test_benchmark_reports_and_mock_is_the_standard_librarys(capsys):
    import unittest.mock

    class AddBenchmark(tf.test.Benchmark):
        def benchmark_add(self):
            with tf.Graph().as_default(), tf.Session() as sess:
                return self.run_op_benchmark(sess, tf.constant(1.0) + 1, min_iters=3, name="add", mbs=1)

    entry = AddBenchmark().benchmark_add()
    assert entry["iters"] == 3 and entry["wall_time"] > 0 and entry["extras"]["throughput_mbs"] > 0
    assert "name: 'add'" in capsys.readouterr().out
    assert tf.test.mock is unittest.mock


def test_logging_log_if_and_flush():
    import logging
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("dfc").addHandler(handler)
    try:
        tf.logging.log_if(tf.logging.ERROR, "shown %d", True, 3)
        tf.logging.log_if(tf.logging.ERROR, "hidden", False)
        tf.logging.TaskLevelStatusMessage("status")
        tf.logging.flush()
    finally:
        logging.getLogger("dfc").removeHandler(handler)
    assert "shown 3" in stream.getvalue() and "status" in stream.getvalue() and "hidden" not in stream.getvalue()


class SetUpWithoutSuper(tf.test.TestCase):
    """tensorflow-wavenet's tests override setUp without calling TestCase.setUp, and still use test_session."""

    def setUp(self):
        self.value = tf.constant(2.0) * 3

    def test_sessions_work_without_the_base_set_up(self):
        with self.test_session() as sess:
            self.assertEqual(sess.run(self.value), 6.0)


def test_a_set_up_that_skips_the_base_class_still_gets_sessions():
    import unittest

    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(SetUpWithoutSuper))
    assert result.wasSuccessful() and result.testsRun == 2 and len(result.skipped) == 1  # test_session: not a test
