"""TF1's internal import paths (`from tensorflow.python... import ...`), tf.nest, and assign_moving_average."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_internal_paths_resolve_to_dfcs_objects():
    from dfc.python.client import device_lib
    from dfc.python.framework import dtypes, ops, tensor_shape, tensor_util
    from dfc.python.framework.graph_util import convert_variables_to_constants
    from dfc.python.layers.core import Dense
    from dfc.python.ops import array_ops, init_ops, math_ops, nn_ops, rnn_cell_impl, variable_scope
    from dfc.python.platform import gfile
    from dfc.python.util import nest

    assert ops.get_default_graph is tf.get_default_graph and ops.Graph is tf.Graph
    assert dtypes.float32 is tf.float32 and tensor_shape.TensorShape is tf.TensorShape
    assert tensor_util.constant_value(tf.constant([1, 2])).tolist() == [1, 2]
    assert convert_variables_to_constants is tf.graph_util.convert_variables_to_constants
    assert Dense is tf.layers.Dense and rnn_cell_impl.LSTMCell is tf.nn.rnn_cell.LSTMCell
    assert array_ops.reshape is tf.reshape and math_ops.matmul is tf.matmul and nn_ops.relu is tf.nn.relu
    assert variable_scope.get_variable is tf.get_variable and init_ops.zeros_initializer is tf.zeros_initializer
    assert gfile.Exists is tf.gfile.Exists and nest.flatten is tf.nest.flatten
    from dfc.python.ops import spectral_ops
    from dfc.python.ops.signal import fft_ops

    assert spectral_ops.rfft is tf.spectral.rfft and fft_ops.irfft2d is tf.signal.irfft2d
    devices = device_lib.list_local_devices()
    assert devices[0].name == "/device:CPU:0" and devices[0].device_type == "CPU"
    with pytest.raises(AttributeError, match="dfc.python.ops.array_ops.*_no_such_helper"):
        array_ops._no_such_helper  # noqa: B018
    with pytest.raises(ImportError):
        import dfc.python.no_such_module  # noqa: F401


def test_nest_as_tf():
    from collections import namedtuple

    pair = namedtuple("pair", "a b")
    structure = {"b": (1, pair(2, [3])), "a": None}
    flat = tf.nest.flatten(structure)
    assert flat == [None, 1, 2, 3]
    assert tf.nest.pack_sequence_as(structure, ["x", 10, 20, 30]) == {"b": (10, pair(20, [30])), "a": "x"}
    assert tf.nest.map_structure(lambda x, y: x + y, (1, [2]), (10, [20])) == (11, [22])
    assert tf.nest.is_nested([1]) and not tf.nest.is_nested(tf.constant(1))
    with pytest.raises(ValueError, match="Structure had 4 atoms, but flat_sequence had 2 items"):
        tf.nest.pack_sequence_as(structure, [1, 2])
    with pytest.raises(TypeError, match="same sequence type"):
        tf.nest.assert_same_structure((1, 2), [1, 2])
    tf.nest.assert_same_structure((1, 2), [1, 2], check_types=False)
    with pytest.raises(ValueError, match="same nested structure"):
        tf.nest.assert_same_structure((1, (2, 3)), (1, 2))
    assert tf.nest.flatten_with_joined_string_paths({"x": [5, 6]}) == [("x/0", 5), ("x/1", 6)]


def test_assign_moving_average_with_and_without_zero_debias_as_tf1():
    """Values TF 2.21's compat.v1 gives for this script (zero_debias divides by 1 - decay ** step)."""
    from dfc.python.training import moving_averages

    x = tf.placeholder(tf.float32, [3])
    with tf.variable_scope("bn"):
        mean = tf.get_variable("mean", [3], initializer=tf.zeros_initializer(), trainable=False)
        var = tf.get_variable("var", [3], initializer=tf.ones_initializer(), trainable=False)
    debiased = moving_averages.assign_moving_average(mean, x, 0.9)
    plain = moving_averages.assign_moving_average(var, x * 2, 0.99, zero_debias=False)
    assert sorted(v.op.name for v in tf.global_variables()) == ["bn/mean", "bn/mean/biased", "bn/mean/local_step",
                                                                "bn/var"]
    got = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(3):
            got.append(sess.run([debiased, plain], {x: np.array([1, 2, 3], np.float32) * (i + 1)}))
    want = [([1, 2, 3], [1.01, 1.03, 1.05]), ([1.5263153, 3.0526307, 4.578946], [1.0399, 1.0997, 1.1595]),
            ([2.07011, 4.14022, 6.2103305], [1.0895009, 1.2087029, 1.3279049])]
    for (d, p), (wd, wp) in zip(got, want):
        np.testing.assert_allclose(d, wd, rtol=1e-6)
        np.testing.assert_allclose(p, wp, rtol=1e-6)


def test_smart_cond_calls_a_branch_when_the_predicate_is_known():
    from dfc.python.framework.smart_cond import smart_cond
    from dfc.python.layers import utils

    assert utils.smart_cond(True, lambda: "t", lambda: "f") == "t"
    assert smart_cond(tf.constant(False), lambda: "t", lambda: "f") == "f"
    assert tf.contrib.framework.smart_cond(1 > 0, lambda: "t", lambda: "f") == "t"
    training = tf.placeholder(tf.bool, [], name="training")
    out = smart_cond(training, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    with tf.Session() as sess:
        assert sess.run(out, {training: True}) == 1.0 and sess.run(out, {training: False}) == 2.0


def test_tf_decorator_and_tf_contextlib_keep_the_decorated_functions_identity():
    # tflearn's vendored arg_scope decorates with these; the answers are TF 2.21's
    from dfc.python.util import tf_contextlib, tf_decorator

    def target(a, b=2):
        """Adds."""
        return a + b

    def wrapper(*args, **kwargs):
        return target(*args, **kwargs) * 10

    wrapped = tf_decorator.make_decorator(target, wrapper, "times_ten")
    assert wrapped is wrapper and wrapped(1) == 30
    assert (wrapped.__name__, wrapped.__doc__, wrapped.__wrapped__) == ("target", "Adds.", target)
    decorators, inner = tf_decorator.unwrap(wrapped)
    assert [d.decorator_name for d in decorators] == ["times_ten"] and inner is target
    assert decorators[0].decorated_target is target and tf_decorator.unwrap(target) == ([], target)
    assert tf_decorator.unwrap(tf_decorator.make_decorator(target, lambda: 0))[0][0].decorator_name == \
        "test_tf_decorator_and_tf_contextlib_keep_the_decorated_functions_identity"  # the caller's name

    @tf_contextlib.contextmanager
    def scope(x):
        """A scope."""
        yield x + 1

    with scope(1) as value:
        assert value == 2
    assert (scope.__name__, scope.__doc__) == ("scope", "A scope.")
    assert [d.decorator_name for d in tf_decorator.unwrap(scope)[0]] == ["contextmanager"]


def test_tensorflow_core_proto_paths_are_tensorboards_protos():
    # tflearn's summaries: from tensorflow.core.framework import summary_pb2; Summary.ParseFromString of a fetched
    # summary (the same tag and value TF 2.21 gives)
    from dfc.core.framework import summary_pb2
    from dfc.core.protobuf import config_pb2
    from dfc.core.util import event_pb2
    import dfc.core.framework.graph_pb2 as graph_pb2
    from tensorboard.compat.proto import summary_pb2 as tensorboards

    assert summary_pb2 is tensorboards and config_pb2.ConfigProto().operation_timeout_in_ms == 0
    assert event_pb2.Event(step=3).step == 3 and graph_pb2.GraphDef().versions.producer == 0
    parsed = summary_pb2.Summary()
    with tf.Session() as sess:
        parsed.ParseFromString(sess.run(tf.summary.scalar("acc", tf.constant(0.25))))
    assert (parsed.value[0].tag, parsed.value[0].simple_value) == ("acc", 0.25)
    with pytest.raises(ImportError):
        from dfc.core.framework import no_such_pb2  # noqa: F401
    with pytest.raises(AttributeError, match="tensorflow.core protos"):
        import dfc.core.framework as framework
        framework.no_such_pb2  # noqa: B018
