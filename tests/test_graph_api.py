"""TF1's tf.Graph and tf.Session methods beyond run: scopes on a graph that is not the default, collections,
colocation, NodeDefs, make_callable, list_devices."""

from __future__ import annotations

import numpy as np
import pytest

import dfc as tf


def test_graph_scopes_act_on_that_graph_not_the_default():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0, name="a")
        first = tf.constant(0.0, name="first")
    with g.name_scope("outer") as scope, g.device("/cpu:0"), g.control_dependencies([first]):
        assert scope == "outer/"
        assert g.get_name_scope() == "outer"
        with g.as_default():
            b = tf.identity(a, name="b")
    assert b.name == "outer/b:0" and b.device == "/device:CPU:0"
    assert [op.name for op in b.op.control_inputs] == ["first"]
    with g.name_scope("outer"):  # a second scope of the same name is made unique, as in TF1
        assert g.get_name_scope() == "outer_1"
    other = tf.Graph()
    with other.as_default(), g.name_scope("elsewhere"):
        c = tf.constant(2.0, name="c")  # made in the default graph, outside g's scope
    assert c.name == "c:0" and c.graph is other


def test_colocate_with_places_ops_with_the_variable_and_sets_device_scopes_aside():
    g = tf.Graph()
    with g.as_default():
        with tf.device("/job:ps/task:0/cpu:0"):
            v = tf.Variable(1.0, name="v")
        with tf.device("/job:worker/task:1"):
            with tf.colocate_with(v):
                near = tf.identity(v, name="near")
            with g.colocate_with(v.op):
                also = tf.identity(v, name="also")
            away = tf.identity(v, name="away")
        assert near.device == also.device == v.device
        assert away.device == "/job:worker/task:1"
        with pytest.raises(ValueError, match="ignore_existing"):
            with tf.colocate_with(None):
                pass
        with pytest.raises(TypeError, match="colocate_with needs"):
            with tf.colocate_with(3):
                pass


def test_collections_filter_by_regex_match_and_can_be_listed_and_cleared():
    g = tf.Graph()
    with g.as_default():
        tf.Variable(1.0, name="layer1/w")
        tf.Variable(1.0, name="layer2/w")
        tf.Variable(1.0, name="xlayer1/w")
        tf.add_to_collection("mine", 3)  # no name: never matched by a scope
    names = [v.name for v in g.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="layer1")]
    assert names == ["layer1/w:0"]  # re.match: anchored at the start, unlike a substring search
    assert len(g.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="layer[12]")) == 2
    assert g.get_collection("mine") == [3] and g.get_collection("mine", scope=".*") == []
    assert {"variables", "trainable_variables", "mine"} <= set(g.get_all_collection_keys())
    g.get_collection_ref("mine").append(4)
    assert g.get_collection("mine") == [3, 4]
    g.clear_collection("mine")
    assert g.get_collection("mine") == [] and "mine" not in g.get_all_collection_keys()


def test_node_def_is_the_ops_graph_def_node():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(tf.zeros([3, 2]), name="w")
        y = tf.matmul(x, w, name="y")
    node = y.op.node_def
    assert node.name == "y" and node.op == "MatMul" and list(node.input) == ["x", "w"]
    assert node.attr["transpose_a"].b is False
    assert x.op.node_def.op == "Placeholder"
    graph_nodes = {n.name: n for n in g.as_graph_def().node}
    assert graph_nodes["y"] == node


def test_make_callable_feeds_its_arguments_in_feed_list_order():
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [None], name="a")
        b = tf.placeholder(tf.float32, [], name="b")
        c = a * b - 1.0
    with tf.Session(graph=g) as sess:
        run = sess.make_callable([c, a], [a, "b:0"])
        out = run(np.arange(3, dtype=np.float32), 2.0)
        np.testing.assert_allclose(out[0], [-1, 1, 3])
        assert sess.make_callable(c, [b, a])(3.0, [1.0])[0] == 2.0
        with pytest.raises(TypeError, match="takes 2 argument"):
            run(1.0)
        with pytest.raises(TypeError, match="accept_options"):
            run(1.0, 2.0, options=tf.RunOptions())
        assert sess.make_callable(c, [a, b], accept_options=True)([1.0], 1.0, options=tf.RunOptions())[0] == 0.0
        other = tf.Graph()
        with other.as_default():
            stranger = tf.placeholder(tf.float32, [])
        with pytest.raises(ValueError, match="not an element of this session's graph"):
            sess.make_callable(c, [stranger])


def test_list_devices_names_the_cpu_as_tf_does():
    with tf.Session(graph=tf.Graph()) as sess:
        devices = sess.list_devices()
    assert devices[0].name == "/job:localhost/replica:0/task:0/device:CPU:0" and devices[0].device_type == "CPU"
    assert all(d.device_type == "GPU" for d in devices[1:])


def test_operation_type_is_tfs_op_name():
    """Scripts list placeholders or variables by TF's op type; dfc's own name stays on the IR op."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(tf.zeros([3, 2]), name="w")
        y = tf.nn.relu(tf.matmul(x, w))
    assert [op.name for op in g.get_operations() if op.type == "Placeholder"] == ["x"]
    assert w.op.type == "VariableV2" and y.op.type == "Relu" and y.op.inputs[0].op.type == "MatMul"
    assert y.op._dfc_ir().type == "dfc.relu" and y.op.node_def.op == y.op.type


def test_function_forms_of_the_operators_name_their_ops_as_tf():
    """tf.add(a, b) makes 'Add' where a + b makes 'add' (TF 2.21's tf.compat.v1 names)."""
    with tf.Graph().as_default():
        a, b, i = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0]), tf.constant([3, 4])
        made = [tf.add(a, b), a + b, tf.subtract(a, b), a - b, tf.multiply(a, b), a * b, tf.pow(a, b), a ** b,
                tf.mod(i, i), i % i, tf.add_n([a, b]), tf.scalar_mul(2.0, a), tf.floormod(a, b), tf.add_n([a]),
                tf.add_n([a], name="single")]
        assert [t.name for t in made] == ["Add:0", "add_1:0", "Sub:0", "sub_1:0", "Mul:0", "mul_1:0", "Pow:0",
                                          "pow_1:0", "FloorMod:0", "mod:0", "AddN:0", "Mul_2:0", "FloorMod_1:0",
                                          "Const:0", "single:0"]  # TF's names are unique regardless of case


def test_assign_to_the_tensor_a_variables_name_looks_up_as_tf1_refs():
    # handson-ml ch11's max-norm clipping: tf.assign(graph.get_tensor_by_name("hidden1/kernel:0"), clipped);
    # values are TF 2.21 tf.compat.v1's
    tf.reset_default_graph()
    with tf.variable_scope("hidden1"):
        tf.get_variable("kernel", initializer=tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2)))
    tf.Variable([1.0, 2.0], name="counter", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    graph = tf.get_default_graph()
    weights = graph.get_tensor_by_name("hidden1/kernel:0")
    clip = tf.assign(weights, tf.clip_by_norm(weights, clip_norm=1.0, axes=1))
    bump = tf.assign_add(graph.get_tensor_by_name("counter:0"), [1.0, 1.0])
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        sess.run(clip)
        np.testing.assert_allclose(sess.run(weights), [[0.0, 1.0], [0.5547000169754028, 0.8320500254631042],
                                                       [0.6246950030326843, 0.7808690071105957]], rtol=1e-6)
        assert sess.run(bump).tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match="assign needs a Variable"):
        tf.assign(tf.constant(1.0), 2.0)


def test_a_variable_is_true_to_if_as_tf1s_ref_variable_and_a_resource_one_raises():
    # tflearn's optimizers test `if not step_tensor:` on a tf.Variable (TF 2.21 compat.v1: bool(RefVariable) is True)
    tf.reset_default_graph()
    step = tf.Variable(0.0, name="Training_step", trainable=False)
    assert bool(step) and not (not step)
    with pytest.raises(TypeError, match="as a Python `bool` is not allowed"):
        bool(tf.Variable(0.0, use_resource=True))
    with pytest.raises(TypeError, match="as a Python `bool` is not allowed"):
        bool(step + 1)
