"""tf.saved_model's and Estimator export's answers to bad input, as TF 2.21 (tf.compat.v1) gives them: the same
exception classes and messages (checked by hand against TF), each naming the user's directory, tag or tensor."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

import dfc as tf


def _session() -> tf.Session:
    return tf.Session(backend="interpreter")


@pytest.fixture
def model(tmp_path):
    """A graph x -> y = x * v with v initialized in an open session, and a directory for exports."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    v = tf.Variable([1.5, -2.0], name="v")
    y = tf.multiply(x, v, name="y")
    sess = _session()
    sess.run(tf.global_variables_initializer())
    yield sess, x, y, tmp_path
    sess.close()


def test_builder_refuses_what_tf_refuses(model):
    sess, x, y, root = model
    tf.saved_model.simple_save(sess, str(root / "m"), {"x": x}, {"y": y})
    with pytest.raises(AssertionError, match=f"Export directory {root / 'm'} already exists, and isn't empty"):
        tf.saved_model.simple_save(sess, str(root / "m"), {"x": x}, {"y": y})
    (root / "afile").write_text("not a directory")
    with pytest.raises(tf.errors.NotFoundError, match="Could not find directory .*afile"):
        tf.saved_model.builder.SavedModelBuilder(str(root / "afile"))
    builder = tf.saved_model.Builder(str(root / "b"))
    with pytest.raises(AssertionError, match="has not been saved yet. Please invoke `add_meta_graph_and_variables"):
        builder.add_meta_graph(["x"])
    with pytest.raises(TypeError, match="Expected init to be an Operation but got type <class 'str'>"):
        builder.add_meta_graph_and_variables(sess, ["a"], main_op="init")
    reserved = {"__saved_model_init_op": tf.saved_model.predict_signature_def({"x": x}, {"y": y})}
    with pytest.raises(KeyError, match='"__saved_model_init_op" is reserved for initialization'):
        builder.add_meta_graph_and_variables(sess, ["a"], signature_def_map=reserved)
    no_dtype = tf.saved_model.build_signature_def({"x": tf.TensorInfo(name="x:0")}, {}, "m")
    with pytest.raises(AssertionError, match="signature 'k', input 'x'.*must have the dtype field set"):
        builder.add_meta_graph_and_variables(sess, ["a"], signature_def_map={"k": no_dtype})
    with pytest.raises(TypeError, match="Asset path tensor <dfc.Tensor 'x:0'.* must be of type constant"):
        builder.add_meta_graph_and_variables(sess, ["a"], assets_collection=[x])
    assert not os.listdir(root / "b")  # nothing written by the refused calls
    builder.add_meta_graph_and_variables(sess, "serve")  # as TF's: a string of tags is its characters
    with pytest.raises(AssertionError, match="has already been saved. Please invoke `add_meta_graph"):
        builder.add_meta_graph_and_variables(sess, ["b"])
    path = builder.save()
    assert path == os.fsencode(root / "b" / "saved_model.pb")
    saved = tf.saved_model.loader.SavedModelLoader(str(root / "b")).saved_model
    assert list(saved.meta_graphs[0].meta_info_def.tags) == ["s", "e", "r", "v", "e"]

    init = tf.no_op(name="my_init")
    tf.saved_model.simple_save(sess, str(root / "c"), {"x": x}, {"y": y}, legacy_init_op=init)
    with pytest.raises(ValueError, match="Graph already contains one or more main ops under the collection "
                                         "saved_model_main_op"):
        tf.saved_model.simple_save(sess, str(root / "d"), {"x": x}, {"y": y}, legacy_init_op=tf.no_op())
    with pytest.raises(ValueError, match="Expected an object of type `Trackable`.*Got 3"):
        tf.saved_model.save(3, str(root / "e"))


def test_signature_utilities_check_as_tf(model):
    _, x, y, _ = model
    with pytest.raises(ValueError, match="Prediction `inputs` cannot be None or empty"):
        tf.saved_model.predict_signature_def({}, {"y": y})
    with pytest.raises(ValueError, match="Prediction `outputs` cannot be None or empty"):
        tf.saved_model.signature_def_utils.predict_signature_def({"x": x}, None)
    with pytest.raises(AttributeError, match="'int' object has no attribute 'dtype'"):
        tf.saved_model.predict_signature_def({"x": 3}, {"y": y})
    with pytest.raises(ValueError, match=r"Classification input tensors must be of type string.*'x:0' is float32"):
        tf.saved_model.classification_signature_def(x, None, y)
    with pytest.raises(ValueError, match="`classes` and `scores` cannot both be None"):
        tf.saved_model.classification_signature_def(x, None, None)
    with pytest.raises(ValueError, match="Regression input tensors must be of type string"):
        tf.saved_model.regression_signature_def(x, y)
    with pytest.raises(ValueError, match="Found `examples` of type <class 'list'>"):
        tf.saved_model.regression_signature_def([1], y)
    with pytest.raises(ValueError, match="Unable to convert object .*'y:0'.* to TensorProto"):
        tf.saved_model.build_signature_def(defaults={"x": y})
    signature = tf.saved_model.build_signature_def({"x": tf.saved_model.build_tensor_info(x)}, None, "m",
                                                   defaults={"x": tf.constant([1.0, 2.0])})
    assert tf.make_ndarray(signature.defaults["x"]).tolist() == [1.0, 2.0]
    info = tf.saved_model.utils.build_tensor_info(y)
    assert (info.name, info.dtype, [d.size for d in info.tensor_shape.dim]) == ("y:0", 1, [-1, 2])
    assert tf.saved_model.is_valid_signature(tf.saved_model.predict_signature_def({"x": x}, {"y": y}))
    assert not tf.saved_model.is_valid_signature(
        tf.saved_model.build_signature_def({"x": info}, {}, tf.saved_model.PREDICT_METHOD_NAME))
    assert not tf.saved_model.is_valid_signature(None)
    classify = tf.saved_model.build_signature_def({"inputs": tf.TensorInfo(name="a:0", dtype=7)},
                                                  {"scores": tf.TensorInfo(name="b:0", dtype=1)},
                                                  tf.saved_model.CLASSIFY_METHOD_NAME)
    assert tf.saved_model.signature_def_utils.is_valid_signature(classify)
    classify.outputs["scores"].dtype = 2  # float64 scores: not servable
    assert not tf.saved_model.signature_def_utils.is_valid_signature(classify)


def test_loader_errors_and_a_model_without_variables(model, caplog):
    sess, x, y, root = model
    tf.saved_model.simple_save(sess, str(root / "m"), {"x": x}, {"y": y})
    with pytest.raises(OSError, match=r"SavedModel file does not exist at: .*nowhere/\{saved_model.pbtxt\|"
                                      r"saved_model.pb\}"):
        tf.saved_model.loader.load(_session(), ["serve"], str(root / "nowhere"))
    with pytest.raises(RuntimeError, match=r"MetaGraphDef associated with tags 'train' could not be found in "
                                           r"SavedModel, with available tags '\[\{'serve'\}\]'"):
        tf.saved_model.loader.load(_session(), ["train"], str(root / "m"))
    shutil.copytree(root / "m", root / "broken")
    (root / "broken" / "saved_model.pb").write_bytes(b"\xff\xff\xff")
    with pytest.raises(OSError, match="Cannot parse file .*broken/saved_model.pb"):
        tf.saved_model.load(_session(), ["serve"], str(root / "broken"))
    shutil.copytree(root / "m", root / "lost")
    shutil.rmtree(root / "lost" / "variables")
    with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint: .*lost/variables/variables"):
        tf.saved_model.load(_session(), ["serve"], str(root / "lost"))
    foreign = tf.saved_model.loader.SavedModelLoader(str(root / "m")).saved_model
    del foreign.meta_graphs[0].collection_def["dfc_ir"]  # what TensorFlow writes: its GraphDef alone
    os.makedirs(root / "foreign")
    (root / "foreign" / "saved_model.pb").write_bytes(foreign.SerializeToString())
    with pytest.raises(tf.errors.UnimplementedError, match=r"meta graph tagged \['serve'\] of the SavedModel in "
                                                           r".*foreign: this meta graph was not written by dfc"):
        tf.saved_model.load(_session(), ["serve"], str(root / "foreign"))
    assert tf.saved_model.contains_saved_model(root / "m")
    assert not tf.saved_model.maybe_saved_model_directory(str(root))
    assert tf.saved_model.loader.maybe_saved_model_directory(str(root / "broken"))

    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [None, 2], name="a")
        tripled = tf.multiply(a, 3.0, name="tripled")
        with _session() as plain:
            tf.saved_model.simple_save(plain, str(root / "novars"), {"a": a}, {"tripled": tripled},
                                       legacy_init_op=tf.no_op(name="my_init"))
    assert os.listdir(root / "novars" / "variables") == []  # as TF's: no variables, no checkpoint
    with tf.Session(graph=tf.Graph(), backend="interpreter") as fresh:
        meta = tf.saved_model.loader.load(fresh, {"serve"}, str(root / "novars"), import_scope="served")
        signature = meta.signature_def[tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        assert signature.inputs["a"].name == "a:0"  # the proto keeps the saved names; the graph has the scope
        with pytest.raises(KeyError, match="The name 'a:0' refers to a Tensor which does not exist"):
            tf.saved_model.get_tensor_from_tensor_info(signature.inputs["a"])
        served = tf.saved_model.get_tensor_from_tensor_info(signature.inputs["a"], import_scope="served")
        out = tf.saved_model.utils.get_tensor_from_tensor_info(signature.outputs["tripled"], fresh.graph, "served")
        assert (served.name, out.name) == ("served/a:0", "served/tripled:0")
        np.testing.assert_allclose(fresh.run(out, {served: [[1.0, 2.0]]}), [[3.0, 6.0]])
        assert fresh.graph.get_collection(tf.saved_model.MAIN_OP_KEY)[0].name == "served/my_init"


def test_estimator_export_errors(tmp_path):
    tf.reset_default_graph()
    with pytest.raises(ValueError, match="feature x must be a Tensor or SparseTensor"):
        tf.estimator.export.ServingInputReceiver({"x": [1.0]}, tf.placeholder(tf.float32))
    with pytest.raises(ValueError, match="receiver_tensor keys must be strings: 3"):
        tf.estimator.export.ServingInputReceiver(tf.placeholder(tf.float32), {3: tf.placeholder(tf.float32)})
    receiver = tf.estimator.export.TensorServingInputReceiver(tf.placeholder(tf.float32, name="p"),
                                                              tf.placeholder(tf.float32, name="q"))
    assert receiver.features.name == "p:0" and list(receiver.receiver_tensors) == ["input"]
    with pytest.raises(ValueError, match="Prediction output value must be a Tensor; got 3"):
        tf.estimator.export.PredictOutput({"y": 3})
    with pytest.raises(ValueError, match="Classification scores must be a float32 Tensor"):
        tf.estimator.export.ClassificationOutput(scores=tf.constant([1, 2]))
    with pytest.raises(ValueError, match="Regression output value must be a float32 Tensor"):
        tf.estimator.export.RegressionOutput(tf.constant([1, 2]))
    prediction = tf.constant([1.0])
    with pytest.raises(TypeError, match="export_outputs must be dict"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT, predictions=prediction, export_outputs=[1])
    with pytest.raises(TypeError, match="Values in export_outputs must be ExportOutput objects"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT, predictions=prediction, export_outputs={"a": 1})
    two = {"a": tf.estimator.export.PredictOutput(prediction), "b": tf.estimator.export.PredictOutput(prediction)}
    with pytest.raises(ValueError, match="Multiple export_outputs were provided, but none of them is specified"):
        tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT, predictions=prediction, export_outputs=two)
    spec = tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT, predictions={"p": prediction})
    assert sorted(spec.export_outputs) == ["serving_default"]
    assert spec.export_outputs["serving_default"].outputs == {"p": prediction}

    estimator = tf.estimator.Estimator(lambda features, mode: None, model_dir=str(tmp_path / "empty"))
    receiver_fn = tf.estimator.export.build_raw_serving_input_receiver_fn({"x": tf.placeholder(tf.float32, [None])})
    with pytest.raises(ValueError, match="Couldn't find trained model at .*empty"):
        estimator.export_saved_model(str(tmp_path / "export"), receiver_fn)
    with pytest.raises(ValueError, match="An input_receiver_fn must be defined"):
        estimator.export_savedmodel(str(tmp_path / "export"), None)


def test_contrib_predictor_and_a_frozen_loaded_model(model, monkeypatch):
    from dfc.runtime import executors
    monkeypatch.setattr(executors, "DEFAULT_BACKEND", "interpreter")
    sess, x, y, root = model
    tf.saved_model.simple_save(sess, str(root / "m"), {"x": x}, {"y": y})
    predictor = tf.contrib.predictor.from_saved_model(str(root / "m"))
    np.testing.assert_allclose(predictor({"x": [[1.0, 1.0]]})["y"], [[1.5, -2.0]])
    assert "SavedModelPredictor with feed tensors {'x'" in repr(predictor)
    with pytest.raises(ValueError, match=r"Unexpected key in input_dict: z\nExpected keys: \['x'\]"):
        predictor({"z": 1.0})
    by_names = tf.contrib.predictor.from_saved_model(str(root / "m"), input_names={"a": "x:0"},
                                                     output_names={"b": "y:0"})
    np.testing.assert_allclose(by_names({"a": [[2.0, 0.0]]})["b"], [[3.0, 0.0]])
    with pytest.raises(ValueError, match="Got signature_def_key \"nope\". Available signatures are "
                                         r"\['serving_default'\]"):
        tf.contrib.predictor.from_saved_model(str(root / "m"), signature_def_key="nope")
    with pytest.raises(RuntimeError, match="MetaGraphDef associated with tag-set train could not be found"):
        tf.contrib.predictor.from_saved_model(str(root / "m"), tags="train")
    with pytest.raises(ValueError, match="input_names and output_names must both be specified"):
        tf.contrib.predictor.from_saved_model(str(root / "m"), input_names={"a": "x:0"})
    with pytest.raises(ValueError, match="at most one of signature_def_key OR signature_def"):
        tf.contrib.predictor.from_saved_model(str(root / "m"), signature_def_key="a", input_names={},
                                              output_names={})

    with tf.Session(graph=tf.Graph()) as loaded:  # the freezing script: load, fold the variables in, import
        tf.saved_model.loader.load(loaded, ["serve"], str(root / "m"))
        frozen = tf.graph_util.convert_variables_to_constants(loaded, loaded.graph.as_graph_def(), ["y"])
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(frozen, return_elements=["y:0"], name="")
        assert not tf.global_variables()
        with tf.Session() as fresh:
            np.testing.assert_allclose(fresh.run(out, {"x:0": [[1.0, 1.0]]}), [[1.5, -2.0]])
