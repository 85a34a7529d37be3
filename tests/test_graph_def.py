"""GraphDef export: Graph.as_graph_def and tf.train.write_graph give protos TensorBoard's graph view reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dfc as tf
from dfc.graph_def import TF_OP_NAMES, tf_op_name

pytest.importorskip("tensorboard")
from google.protobuf import text_format  # noqa: E402
from tensorboard.compat.proto import graph_pb2, types_pb2  # noqa: E402

TF_OPS = {line for line in (Path(__file__).parent / "data" / "tf_expectations" / "tf_op_names.txt").read_text().split()
          if not line.startswith("#")}


pytestmark = pytest.mark.usefixtures("fresh_graph")


def build_training_graph():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.device("/cpu:0"), tf.variable_scope("dense"):
        w = tf.get_variable("kernel", [3, 2], initializer=tf.ones_initializer())
        logits = tf.matmul(x, w)
    loss = tf.reduce_mean(tf.square(logits), name="loss")
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    init = tf.global_variables_initializer()
    return loss, train, init


def test_every_mapped_op_is_a_tf_op() -> None:
    assert not {v for v in TF_OP_NAMES.values() if v not in TF_OPS}
    assert tf_op_name("dfc.matmul") == "MatMul"
    assert tf_op_name("dfc.grad") == "dfc.grad"  # no TF op of that meaning: the node keeps dfc's name


def test_graph_def_nodes_inputs_devices_and_attrs() -> None:
    build_training_graph()
    graph = tf.get_default_graph()
    graph_def = graph_pb2.GraphDef.FromString(graph.as_graph_def(add_shapes=True).SerializeToString())
    nodes = {n.name: n for n in graph_def.node}
    assert [n.name for n in graph_def.node] == [op.name for op in graph.get_operations()]
    for node in graph_def.node:  # every edge ends at a node: the graph view draws all of them
        assert node.op in TF_OPS or node.op.startswith("dfc."), node.op
        for name in node.input:
            assert name.lstrip("^").split(":")[0] in nodes, (node.name, name)
        assert "_output_shapes" in node.attr or node.op == "NoOp"

    placeholder = nodes["x"]
    assert placeholder.op == "Placeholder" and placeholder.attr["dtype"].type == types_pb2.DT_FLOAT
    assert [d.size for d in placeholder.attr["shape"].shape.dim] == [-1, 3]
    kernel = nodes["dense/kernel"]
    assert kernel.op == "VariableV2" and kernel.device == "/device:CPU:0"
    assert [d.size for d in kernel.attr["shape"].shape.dim] == [3, 2]
    matmul = nodes["dense/MatMul"]
    assert list(matmul.input) == ["x", "dense/kernel"] and matmul.attr["T"].type == types_pb2.DT_FLOAT
    assert matmul.attr["transpose_a"].b is False
    assert [d.size for d in matmul.attr["_output_shapes"].list.shape[0].dim] == [-1, 2]
    assert nodes["loss"].op == "Mean" and list(nodes["loss"].attr["axes"].list.i) == [0, 1]
    init = nodes["init"]
    assert init.op == "NoOp" and all(i.startswith("^") for i in init.input) and init.input
    assigns = [n for n in graph_def.node if n.op == "Assign"]
    assert assigns and all(nodes[n.input[0]].op == "VariableV2" for n in assigns)
    const = next(n for n in graph_def.node if n.op == "Const" and n.attr["value"].tensor.tensor_shape.dim)
    value = const.attr["value"].tensor
    array = np.frombuffer(value.tensor_content, np.float32).reshape([d.size for d in value.tensor_shape.dim])
    assert array.dtype == np.float32 and value.dtype == types_pb2.DT_FLOAT

    plain = graph.as_graph_def()
    assert all("_output_shapes" not in n.attr for n in plain.node)
    assert plain.versions.producer > 0


def test_write_graph_text_and_binary(tmp_path: Path) -> None:
    build_training_graph()
    graph = tf.get_default_graph()
    with tf.Session() as sess:
        session_def = sess.graph_def
    text_path = tf.train.write_graph(graph, str(tmp_path / "out"), "graph.pbtxt")
    assert text_path == str(tmp_path / "out" / "graph.pbtxt")
    parsed = text_format.Parse(Path(text_path).read_text(), graph_pb2.GraphDef())
    assert parsed == session_def
    binary_path = tf.train.write_graph(session_def, str(tmp_path), "graph.pb", as_text=False)
    assert graph_pb2.GraphDef.FromString(Path(binary_path).read_bytes()) == session_def
    with pytest.raises(TypeError, match="expected a dfc Graph or a GraphDef"):
        tf.train.write_graph("not a graph", str(tmp_path), "x.pb")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # html5lib, vendored by TensorBoard's plugin loader
def test_tensorboard_graph_plugin_serves_the_graph(tmp_path: Path) -> None:
    """What TensorBoard's graph dashboard requests: the run lists a graph and the plugin returns it."""
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.plugins import base_plugin
    from tensorboard.plugins.graph import graphs_plugin

    build_training_graph()
    with tf.summary.FileWriter(str(tmp_path), tf.get_default_graph()):
        pass
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(tmp_path))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(tmp_path))
    plugin = graphs_plugin.GraphsPlugin(base_plugin.TBContext(logdir=str(tmp_path), data_provider=provider,
                                                              multiplexer=multiplexer))
    request = context.RequestContext()
    assert plugin.info_impl(request, experiment="")["."]["run_graph"] is True
    body, mime = plugin.graph_impl(request, ".", None, False, "")
    assert mime == "text/x-protobuf"
    served = text_format.Parse(body, graph_pb2.GraphDef())
    assert {n.name for n in served.node} == {op.name for op in tf.get_default_graph().get_operations()}


def test_unknown_rank_and_unknown_dims_export_as_tf_writes_them() -> None:
    tf.placeholder(tf.float32, name="anything")
    tf.placeholder(tf.float32, [None, 4], name="batch")
    nodes = {n.name: n for n in tf.get_default_graph().as_graph_def(add_shapes=True).node}
    assert nodes["anything"].attr["shape"].shape.unknown_rank
    assert nodes["anything"].attr["_output_shapes"].list.shape[0].unknown_rank
    assert [d.size for d in nodes["batch"].attr["shape"].shape.dim] == [-1, 4]
