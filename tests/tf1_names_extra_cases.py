"""Probes of TF1 names that dfc added late (variable policies, tf.config, tf.test, tf.flags, ...): each is a function
of the `tf` module giving a JSON-able answer. tests/record_tf1_names_extra.py records TF 2.21's answers, and
tests/test_tf1_names_extra.py checks that dfc gives the same. An exception is answered as [class name, message].

The probes run in this order in one process, tf.config's first: its settings change until the context is
initialized (by `list_logical_devices`; in TF also by other first uses), as TF's do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

PROBES: dict[str, Callable[[Any], Any]] = {}
#: probes whose answer is a dict of arrays, compared within float tolerance (tf1_names_extra_values.npz)
VALUE_PROBES: dict[str, Callable[[Any], dict]] = {}


def probe(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    PROBES[fn.__name__] = fn
    return fn


def value_probe(fn: Callable[[Any], dict]) -> Callable[[Any], dict]:
    VALUE_PROBES[fn.__name__] = fn
    return fn


def answer(fn: Callable[[], Any]) -> Any:
    """fn()'s result, or [error class, message] (without dfc's '[in tf.X at file:line]' suffix)."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the error is the answer
        message = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
        return [type(e).__name__, message.split(" [in tf.")[0]]


# ---- tf.config ----------------------------------------------------------------------------------------------------
@probe
def config_devices(tf):
    c = tf.config
    cpu = c.list_physical_devices("CPU")[0]
    calls = [
        lambda: [list(d) for d in c.list_physical_devices("CPU")],
        lambda: c.list_physical_devices("GPU"),
        lambda: c.experimental.list_physical_devices("GPU"),
        lambda: [list(d) for d in c.get_visible_devices()],
        lambda: c.set_visible_devices([], "GPU"),
        lambda: c.set_visible_devices([cpu], "XYZ"),
        lambda: c.experimental.set_memory_growth(cpu, True),
        lambda: c.experimental.set_memory_growth("x", True),
        lambda: c.experimental.get_memory_growth(cpu),
        lambda: c.experimental.get_device_details(cpu),
        lambda: c.get_logical_device_configuration(cpu),
        lambda: c.threading.get_inter_op_parallelism_threads(),
        lambda: c.threading.set_inter_op_parallelism_threads(2),
        lambda: c.threading.get_inter_op_parallelism_threads(),
        lambda: c.threading.set_intra_op_parallelism_threads(3),
        lambda: c.threading.get_intra_op_parallelism_threads(),
        lambda: c.get_soft_device_placement(),
        lambda: c.set_soft_device_placement(True),
        lambda: c.get_soft_device_placement(),
        lambda: c.set_visible_devices([], "CPU"),
        lambda: [list(d) for d in c.get_visible_devices()],
        lambda: c.set_visible_devices(c.list_physical_devices("CPU")),
        # each initializes the context: the settings are fixed from here on
        lambda: c.experimental.get_memory_info("CPU:0"),
        lambda: [list(d) for d in c.list_logical_devices()],
        lambda: c.threading.set_inter_op_parallelism_threads(4),
        lambda: c.threading.set_intra_op_parallelism_threads(3),
        lambda: c.set_visible_devices([], "GPU"),
        lambda: c.set_visible_devices([], "CPU"),
        lambda: c.experimental.set_virtual_device_configuration(
            cpu, [c.experimental.VirtualDeviceConfiguration()]),
        lambda: [list(d) for d in c.experimental.list_logical_devices("CPU")],
    ]
    return [answer(call) for call in calls]


# ---- tf.VariableAggregation / tf.VariableSynchronization --------------------------------------------------------
@probe
def aggregation_members(tf):
    return [[name, member.value] for name, member in tf.VariableAggregation.__members__.items()]


@probe
def synchronization_members(tf):
    return [[name, member.value] for name, member in tf.VariableSynchronization.__members__.items()]


@probe
def variable_policies(tf):
    tf.reset_default_graph()
    out = []
    calls = [
        lambda: tf.get_variable("a", [2], aggregation=tf.VariableAggregation.MEAN).aggregation.name,
        lambda: tf.get_variable("b", [2], synchronization=tf.VariableSynchronization.ON_READ).synchronization.name,
        lambda: tf.get_variable("c", [2], synchronization=tf.VariableSynchronization.ON_READ).trainable,
        lambda: tf.get_variable("d", [2], synchronization=tf.VariableSynchronization.ON_READ, trainable=True).trainable,
        lambda: tf.get_variable("e", [2], aggregation="sum"),
        lambda: tf.get_variable("f", [2], aggregation=7),
        lambda: tf.get_variable("g", [2], aggregation=2).aggregation.name,
        lambda: tf.get_variable("h", [2], synchronization="auto"),
        lambda: tf.get_variable("i", [2], aggregation=tf.VariableAggregation.SUM, synchronization=5),
        lambda: tf.Variable(1.0, aggregation="mean"),
        lambda: tf.Variable(1.0, name="v", synchronization="x"),
        lambda: tf.Variable(1.0).aggregation.name,
        lambda: tf.Variable(1.0).synchronization.name,
        lambda: tf.Variable(1.0, synchronization=tf.VariableSynchronization.ON_READ).trainable,
        lambda: tf.Variable(1.0, aggregation=tf.VariableAggregation.ONLY_FIRST_TOWER).aggregation.name,
        lambda: tf.get_local_variable("j", [2], aggregation=tf.VariableAggregation.SUM).aggregation.name,
        lambda: sorted(v.op.name for v in tf.trainable_variables()),
    ]
    with tf.variable_scope("s"):
        calls.append(lambda: tf.get_variable("k", [2], aggregation="sum"))
        for call in calls:
            out.append(answer(call))
    return out


@probe
def initialize_all_tables(tf):
    tf.reset_default_graph()
    return [tf.initialize_all_tables().name, tf.initialize_all_tables(name="x").name]


# ---- tf.raw_ops' calling convention ----------------------------------------------------------------------------
@probe
def raw_ops_calls(tf):
    tf.reset_default_graph()
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    calls = [
        lambda: tf.raw_ops.MatMul(a, a),
        lambda: tf.raw_ops.MatMul(a=a),
        lambda: tf.raw_ops.Conv2D(input=a),
        lambda: tf.raw_ops.MatMul(a=a, b=a, foo=1),
        lambda: tf.raw_ops.Relu(features=a, name="r").name,
        lambda: tf.raw_ops.Relu(features=a).op.type,
        lambda: list(tf.raw_ops.TopKV2(input=a, k=1)._fields),
        lambda: list(tf.raw_ops.Unique(x=[1, 2])._fields),
        lambda: hasattr(tf.raw_ops, "NoSuchOp"),
    ]
    return [answer(call) for call in calls]


# ---- tf.test ------------------------------------------------------------------------------------------------------
@probe
def test_module(tf):
    import unittest

    class T(tf.test.TestCase):
        @tf.test.disable_with_predicate(lambda: True, "off here")
        def test_a(self):
            pass

        @tf.test.disable_with_predicate(lambda: False, "on here")
        def test_b(self):
            pass

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(tf.test.with_eager_op_as_function(T)).run(result)
    return [tf.test.is_built_with_rocm(), [[t.id().rsplit(".", 1)[1], why] for t, why in result.skipped],
            result.testsRun, len(result.failures) + len(result.errors)]


@probe
def test_assertions(tf):
    case = tf.test.TestCase()
    calls = [
        lambda: case.assertAllClose([1.0, 2.0], [1.0, 2.0 + 1e-7]),
        lambda: case.assertAllEqual(np.array([1, 2]), [1, 2]),
        lambda: case.assertAllClose({"a": [1.0]}, {"a": [1.0]}),
        lambda: case.assertAllClose([1.0, 2.0], [1.0, 3.0]),
        lambda: case.assertAllEqual([1, 2], [1, 3]),
        lambda: case.assertAllClose([1.0, 2.0], [1.0, 2.0, 3.0]),
    ]
    # a failed assertion's message is TF's long report: its class is the answer
    return [answer(call) if i < 3 else answer(call)[:1] for i, call in enumerate(calls)]


# ---- tf.flags ---------------------------------------------------------------------------------------------------
@probe
def flags_behaviour(tf):
    import enum
    import sys

    class Color(enum.Enum):
        RED = 1
        BLUE = 2

    F = tf.flags  # noqa: N806 - TF's module
    F.DEFINE_string(flag_name="x_str", default_value="a", docstring="TF's older keyword names")
    F.DEFINE_multi_integer("x_multi", [1], "m")
    F.DEFINE_enum("x_enum", "a", ["a", "b"], "e")
    F.DEFINE_enum_class("x_color", "RED", Color, "c")
    F.DEFINE_spaceseplist("x_space", "p q", "s")
    F.DEFINE_list("x_list", "1,2", "l")
    F.DEFINE_multi_string("x_ms", None, "ms")
    F.DEFINE_bool("x_b1", False, "b")
    F.DEFINE_bool("x_b2", False, "b")
    F.DEFINE_alias("x_alias", "x_str")
    F.register_validator("x_multi", lambda v: all(i > 0 for i in v), message="all positive")
    F.mark_bool_flags_as_mutual_exclusive(["x_b1", "x_b2"])
    names = ["x_str", "x_multi", "x_enum", "x_color", "x_space", "x_list", "x_ms", "x_b1", "x_b2", "x_alias"]
    saved, out = sys.argv, []
    sys.argv = ["prog", "--x_str=b", "--x_multi=3", "--x_multi=4", "--x_color=blue", "--x_space=u v w", "--x_ms=k"]
    try:
        out.append(F.FLAGS.x_str)  # the first read parses sys.argv
        out += [F.FLAGS.x_multi, F.FLAGS.x_color.name, F.FLAGS.x_space, F.FLAGS.x_list, F.FLAGS.x_ms,
                F.FLAGS.x_alias, F.FLAGS.x_enum, F.FLAGS.is_parsed(), F.FLAGS["x_str"].default]
        out.append(answer(lambda: F.FLAGS(["prog", "--x_multi=-1"])))
        out.append(answer(lambda: F.FLAGS(["prog", "--x_enum=c"])))
        out.append(answer(lambda: F.FLAGS(["prog", "--nosuch=1"])))
        out.append(answer(lambda: F.FLAGS(["prog", "--x_b1", "--x_b2"])))
        out.append(answer(lambda: F.FLAGS(["prog", "--nosuch=1", "rest"], known_only=True)))
        out.append(answer(lambda: F.DEFINE_string("x_str", "z", "again")))
        F.FLAGS.x_str = "set"
        out.append(F.FLAGS["x_str"].value)
        out.append(sorted(F.flag_dict_to_args({"a": 1, "b": True, "c": [1, 2], "d": False})))
        out.append(F.text_wrap("aaa bbb ccc ddd", length=8))
        out.append(F.doc_to_help("  A doc.\n\n  More."))
        out.append(sorted(n for n in dir(F) if not n.startswith("_") and n not in ("sys", "tf_decorator")))
    finally:
        sys.argv = saved
        for name in names:
            delattr(F.FLAGS, name)
        F.FLAGS.unparse_flags()
    return out


# ---- tf.variable_creator_scope, tf.register_tensor_conversion_function --------------------------------------------
@probe
def variable_creators(tf):
    tf.reset_default_graph()
    seen = []

    def creator(next_creator, **kwargs):
        seen.append(sorted(kwargs))
        seen.append([kwargs["name"], kwargs["trainable"], kwargs["synchronization"].name, kwargs["aggregation"].name])
        kwargs["trainable"] = False
        return next_creator(**kwargs)

    def outer(next_creator, **kwargs):
        seen.append("outer " + str(kwargs.get("name")))
        return next_creator(**kwargs)

    with tf.variable_creator_scope(outer):
        with tf.variable_creator_scope(creator):
            v = tf.Variable(1.0, name="v")
            w = tf.get_variable("w", [2])
    u = tf.Variable(2.0, name="u")
    with tf.variable_creator_scope(lambda next_creator, **kwargs: 5):
        five = tf.Variable(1.0)
    return [seen, v.trainable, w.trainable, u.trainable, [x.op.name for x in tf.trainable_variables()], five]


@probe
def tensor_conversion_functions(tf):
    tf.reset_default_graph()

    class Meters:
        def __init__(self, v):
            self.v = v

    class Broken:
        pass

    tf.register_tensor_conversion_function(
        Meters, lambda value, dtype=None, name=None, as_ref=False: tf.constant(value.v, dtype=dtype or tf.float32))
    tf.register_tensor_conversion_function(Broken, lambda value, dtype=None, name=None, as_ref=False: 3)
    out = []
    with tf.Session() as sess:
        out.append(float(sess.run(tf.add(Meters(2.0), 1.0))))
        out.append(sess.run(tf.convert_to_tensor(Meters(3), dtype=tf.float64)).dtype.name)
    out.append(answer(lambda: tf.convert_to_tensor(Meters(3), dtype=tf.int32).dtype.name))
    kind, message = answer(lambda: tf.convert_to_tensor(Broken(), name="b"))
    out.append([kind, message[:3], message.split(" returned ")[1]])  # the function's repr holds its address
    out.append(answer(lambda: tf.register_tensor_conversion_function(int, lambda *a, **k: None)))
    out.append(answer(lambda: tf.register_tensor_conversion_function("int", lambda *a, **k: None)))
    out.append(answer(lambda: tf.register_tensor_conversion_function(Meters, 3)))
    return out


# ---- fake quantization ------------------------------------------------------------------------------------------
@value_probe
def fake_quant(tf):
    tf.reset_default_graph()
    rng = np.random.default_rng(7)
    edges = [-6.0, 6.0, 0.0, 0.0235, -0.0235, 5.97, -5.99]
    x_value = np.concatenate([rng.uniform(-8, 8, 40), edges]).astype(np.float32)
    x = tf.placeholder(tf.float32, [None])
    lo, hi = tf.Variable(-1.3), tf.Variable(2.7)
    x2 = tf.placeholder(tf.float32, [None, 3])
    lo3, hi3 = tf.Variable([-1.0, -0.3, -2.5]), tf.Variable([1.0, 0.9, 3.1])
    g = tf.constant(np.linspace(0.5, 2.0, 47).astype(np.float32))
    outs = {
        "args": tf.fake_quant_with_min_max_args(x),
        "args_narrow4": tf.fake_quant_with_min_max_args(x, min=-2.1, max=5.3, num_bits=4, narrow_range=True),
        "args_shifted": tf.fake_quant_with_min_max_args(x, min=0.5, max=2.0),
        "vars": tf.fake_quant_with_min_max_vars(x, lo, hi),
        "vars_narrow": tf.fake_quant_with_min_max_vars(x, lo, hi, num_bits=5, narrow_range=True),
        "per_channel": tf.fake_quant_with_min_max_vars_per_channel(x2, lo3, hi3),
        "args_gradient": tf.fake_quant_with_min_max_args_gradient(g, x, min=-2.0, max=3.0),
    }
    outs.update({f"vars_gradient_{i}": t for i, t in enumerate(tf.fake_quant_with_min_max_vars_gradient(g, x, lo, hi))})
    g2 = tf.reshape(g[:45], [15, 3])
    outs.update({f"per_channel_gradient_{i}": t for i, t in
                 enumerate(tf.fake_quant_with_min_max_vars_per_channel_gradient(g2, x2, lo3, hi3))})
    loss = tf.reduce_sum(outs["vars"] * g) + tf.reduce_sum(outs["per_channel"] * g2) + tf.reduce_sum(outs["args"] * g)
    grads = tf.gradients(loss, [x, lo, hi, x2, lo3, hi3])
    outs.update({f"grad_{i}": t for i, t in enumerate(grads)})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(outs, {x: x_value, x2: x_value[:45].reshape(15, 3)})


@probe
def fake_quant_errors(tf):
    tf.reset_default_graph()
    x = tf.constant([0.5, -7.0])

    def run(build, phrase):
        def go():
            with tf.Session() as sess:
                return sess.run(build()).tolist()
        got = answer(go)
        # TF's message for a kernel's error starts with where it was detected: the phrase is what it says
        return [got[0], phrase in got[1]] if isinstance(got, list) and len(got) == 2 and isinstance(got[0], str) \
            else got
    return [
        run(lambda: tf.fake_quant_with_min_max_args(x, min=1.0, max=-1.0),
            "min has to be smaller than max, was: 1 >= -1"),
        run(lambda: tf.fake_quant_with_min_max_args(x, num_bits=1), "num_bits must be between 2 and 16, inclusive"),
        run(lambda: tf.fake_quant_with_min_max_vars(x, -1.0, 1.0, num_bits=17), "num_bits must be between 2 and 16"),
        run(lambda: tf.fake_quant_with_min_max_args(tf.constant([1, 2])),
            "Input 'inputs' of 'FakeQuantWithMinMaxArgs' Op has type int32 that does not match expected type of "
            "float32."),
        run(lambda: tf.fake_quant_with_min_max_vars(x, [-1.0], [1.0]), "Shape must be rank 0 but is rank 1"),
        run(lambda: tf.fake_quant_with_min_max_vars_per_channel(tf.ones([2, 3]), [-1.0, -2], [1.0, 2]),
            "Dimensions must be equal, but are 3 and 2"),
    ]


# ---- zeta, polygamma, timestamp -----------------------------------------------------------------------------------
@value_probe
def zeta_polygamma(tf):
    tf.reset_default_graph()
    x_value = np.array([1.5, 2.0, 3.0, 7.5, 1.0, 0.5, 2.0, 4.0, 3.0, 2.5, 1.01, 30.0, 2.0], np.float32)
    q_value = np.array([0.3, 1.0, 2.5, 0.1, 1.0, 1.0, -1.0, -2.0, 0.0, -1.5, 4.0, 1.5, 1e-3], np.float32)
    x = tf.placeholder(tf.float32, [None])
    q = tf.placeholder(tf.float32, [None])
    z = tf.zeta(x, q)
    z64 = tf.math.zeta(tf.cast(x, tf.float64), tf.cast(q, tf.float64) + 0.25)
    n = tf.constant([0.0, 1.0, 2.0, 3.0, 1.5, -1.0, 4.0, 0.0])
    v = tf.constant([0.7, 2.0, 3.5, 0.2, 1.0, 1.0, 10.0, -2.5])
    p = tf.math.polygamma(n, v)
    good = [0, 1, 2, 3, 10, 11, 12]
    gz = tf.gradients(tf.reduce_sum(tf.gather(z, good)), q)[0]
    gp = tf.gradients(tf.reduce_sum(tf.gather(p, [0, 1, 2, 3, 6])), v)[0]
    grads_x = [g is None for g in tf.gradients(tf.reduce_sum(z), x) + tf.gradients(tf.reduce_sum(p), n)]
    with tf.Session() as sess:
        out = sess.run({"zeta": z, "zeta64": z64, "polygamma": p, "grad_q": gz, "grad_v": gp},
                       {x: x_value, q: q_value})
    out["grad_q"] = out["grad_q"][good]
    out["no_grad_to_x_or_n"] = np.array(grads_x)
    return out


@probe
def timestamp_op(tf):
    tf.reset_default_graph()
    t = tf.timestamp()
    with tf.Session() as sess:
        first = sess.run(t)
        second = sess.run(t)
    return [t.dtype.name, t.shape.as_list(), bool(second >= first), bool(abs(first - __import__("time").time()) < 60)]


@probe
def misc_names(tf):
    out = [tf.debugging.get_log_device_placement()]
    tf.debugging.set_log_device_placement(True)
    out.append(tf.debugging.get_log_device_placement())
    tf.debugging.set_log_device_placement(False)
    out.append(sorted({d.name.replace("_ref", "") for d in tf.dtypes.QUANTIZED_DTYPES}))
    out.append([d.name for d in (tf.qint8, tf.quint8, tf.qint16, tf.quint16, tf.qint32, tf.resource, tf.variant)])
    out.append(sorted(n for n in dir(tf.quantization) if n.startswith("fake_quant")))
    tf.reset_default_graph()
    with tf.Session() as sess:
        out.append(sess.run(tf.dtypes.as_string(tf.constant([1.5, 2.0]), precision=2)).tolist())
    return out


@probe
def keras_weight_policies(tf):
    tf.reset_default_graph()
    layer = tf.keras.layers.Layer()
    out = []
    calls = [
        lambda: layer.add_weight("a", [2], synchronization=tf.VariableSynchronization.ON_READ).trainable,
        lambda: layer.add_weight("b", [2], synchronization=tf.VariableSynchronization.ON_READ, trainable=True),
        lambda: layer.add_weight("c", [2], aggregation=tf.VariableAggregation.MEAN).aggregation.name,
        lambda: layer.add_weight("d", [2], aggregation="x"),
        lambda: [len(layer.trainable_weights), len(layer.non_trainable_weights)],
    ]
    for call in calls:
        out.append(answer(call))
    return out


@value_probe
def matrix_square_root(tf):
    tf.reset_default_graph()
    rng = np.random.default_rng(3)
    m = rng.standard_normal((2, 3, 3))
    spd = m @ m.transpose(0, 2, 1) + np.eye(3)
    general = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    x = tf.placeholder(tf.float64, [2, 3, 3])
    y = tf.linalg.sqrtm(x)
    z = tf.matrix_square_root(tf.constant(general.astype(np.float32)))
    w = tf.constant(rng.standard_normal((2, 3, 3)))
    g = tf.gradients(tf.reduce_sum(y * w), x)[0]
    with tf.Session() as sess:
        return sess.run({"spd": y, "general32": z, "grad": g}, {x: spd})


@probe
def matrix_square_root_errors(tf):
    tf.reset_default_graph()
    calls = [lambda: tf.linalg.sqrtm(tf.constant([[1, 2], [3, 4]])),
             lambda: tf.linalg.sqrtm(tf.constant([1.0, 2.0])),
             lambda: tf.linalg.sqrtm(tf.zeros([2, 3]))]
    # the class, and the message's first words (TF's node spelling follows)
    return [[got[0], got[1].split(" for ")[0]] if isinstance(got, list) else "no error"
            for got in (answer(call) for call in calls)]
