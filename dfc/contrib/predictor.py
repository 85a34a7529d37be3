"""tf.contrib.predictor: callables that run a SavedModel's (or an Estimator's) signature on a dict of inputs.

A predictor holds its own graph and Session: `predictor({"x": rows})` feeds the signature's
input tensors by key and returns its outputs by key.
"""

from __future__ import annotations

from typing import Any

from ..saved_model import signature_constants

DEFAULT_TAGS = "serve"
_DEFAULT_INPUT_ALTERNATIVE_FORMAT = "default_input_alternative:{}"


class Predictor:
    """Runs fetch_tensors of its session's graph, fed feed_tensors by the keys of the input dict."""

    _graph: Any
    _session: Any
    _feed_tensors: dict
    _fetch_tensors: dict

    def __call__(self, input_dict: dict) -> dict:
        for key in input_dict:
            if key not in self._feed_tensors:
                raise ValueError(f"Unexpected key in input_dict: {key}\nExpected keys: {list(self._feed_tensors)}")
        feed_dict = {self._feed_tensors[key]: value for key, value in input_dict.items()}
        return self._session.run(fetches=self._fetch_tensors, feed_dict=feed_dict)

    graph = property(lambda self: self._graph)
    session = property(lambda self: self._session)
    feed_tensors = property(lambda self: self._feed_tensors)
    fetch_tensors = property(lambda self: self._fetch_tensors)

    def __repr__(self) -> str:
        return f"{type(self).__name__} with feed tensors {self._feed_tensors} and fetch_tensors {self._fetch_tensors}"


def _check_signature_arguments(signature_def_key: Any, signature_def: Any, input_names: Any,
                               output_names: Any) -> None:
    if (input_names is None) != (output_names is None):
        raise ValueError("input_names and output_names must both be specified or both be unspecified.")
    if (signature_def_key is not None) + (signature_def is not None) + (input_names is not None) > 1:
        raise ValueError("You must specify at most one of signature_def_key OR signature_def OR (input_names AND "
                         "output_names).")


def _signature_by_key(meta_graph_def: Any, key: str) -> Any:
    if key not in meta_graph_def.signature_def:
        raise ValueError(f"No SignatureDef with key '{key}' found in MetaGraphDef.")
    return meta_graph_def.signature_def[key]


class SavedModelPredictor(Predictor):
    """A Predictor of the SavedModel in export_dir: the meta graph of `tags` (comma-separated, 'serve' by default)
    and one of its signatures (by key, 'serving_default' by default), or tensors named by input/output_names."""

    def __init__(self, export_dir: Any, signature_def_key: str | None = None, signature_def: Any = None,
                 input_names: dict | None = None, output_names: dict | None = None, tags: str | None = None,
                 graph: Any = None, config: Any = None):
        from ..framework import Graph
        from ..saved_model.loader import load
        from ..session import Session
        _check_signature_arguments(signature_def_key, signature_def, input_names, output_names)
        tags = tags or DEFAULT_TAGS
        self._graph = graph or Graph()
        with self._graph.as_default():
            self._session = Session(config=config)
            try:
                meta_graph_def = load(self._session, tags.split(","), export_dir)
            except RuntimeError:
                raise RuntimeError(f"MetaGraphDef associated with tag-set {tags} could not be found in SavedModel") \
                    from None
        if input_names is None:
            if signature_def is None:
                key = signature_def_key or signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
                try:
                    signature_def = _signature_by_key(meta_graph_def, key)
                except ValueError as e:
                    alternative = _DEFAULT_INPUT_ALTERNATIVE_FORMAT.format(key)
                    if alternative not in meta_graph_def.signature_def:
                        raise ValueError(f'Got signature_def_key "{key}". Available signatures are '
                                         f"{list(meta_graph_def.signature_def)}. Original error:\n{e}") from None
                    signature_def = meta_graph_def.signature_def[alternative]
            input_names = {k: v.name for k, v in signature_def.inputs.items()}
            output_names = {k: v.name for k, v in signature_def.outputs.items()}
        self._feed_tensors = {k: self._graph.get_tensor_by_name(v) for k, v in input_names.items()}
        self._fetch_tensors = {k: self._graph.get_tensor_by_name(v) for k, v in output_names.items()}


class CoreEstimatorPredictor(Predictor):
    """A Predictor of an Estimator's PREDICT graph over serving_input_receiver_fn's receiver, restored from the
    latest checkpoint of its model_dir; the signature of export output `output_key` ('serving_default')."""

    def __init__(self, estimator: Any, serving_input_receiver_fn: Any, output_key: str | None = None,
                 graph: Any = None, config: Any = None):
        from ..estimator.export import build_all_signature_defs
        from ..estimator.model_fn import ModeKeys
        from ..framework import Graph
        from ..train_cluster import ChiefSessionCreator, MonitoredSession
        from ..training_util import get_or_create_global_step
        self._graph = graph or Graph()
        with self._graph.as_default():
            get_or_create_global_step()
            receiver = serving_input_receiver_fn()
            spec = estimator.model_fn(receiver.features, None, ModeKeys.PREDICT, estimator.config)
            signature_defs = build_all_signature_defs(receiver.receiver_tensors, spec.export_outputs)
            key = output_key or signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
            if key not in signature_defs:
                raise KeyError(key)
            signature_def = signature_defs[key]
            creator = ChiefSessionCreator(checkpoint_dir=estimator.model_dir, config=config)
            self._session = MonitoredSession(session_creator=creator)
        self._feed_tensors = {k: self._graph.get_tensor_by_name(v.name) for k, v in signature_def.inputs.items()}
        self._fetch_tensors = {k: self._graph.get_tensor_by_name(v.name) for k, v in signature_def.outputs.items()}


def from_saved_model(export_dir: Any, signature_def_key: str | None = None, signature_def: Any = None,
                     input_names: dict | None = None, output_names: dict | None = None, tags: str | None = None,
                     graph: Any = None, config: Any = None) -> SavedModelPredictor:
    """A Predictor running a signature of the SavedModel in export_dir."""
    return SavedModelPredictor(export_dir, signature_def_key=signature_def_key, signature_def=signature_def,
                               input_names=input_names, output_names=output_names, tags=tags, graph=graph,
                               config=config)


def from_estimator(estimator: Any, serving_input_receiver_fn: Any, output_key: str | None = None,
                   graph: Any = None, config: Any = None) -> CoreEstimatorPredictor:
    """A Predictor running a trained Estimator's model_fn over a serving input receiver."""
    from ..estimator import Estimator
    if not isinstance(estimator, Estimator):
        raise TypeError("Expected estimator to be of type tf.estimator.Estimator, but got type "
                        f"{type(estimator)}.")
    return CoreEstimatorPredictor(estimator, serving_input_receiver_fn, output_key=output_key, graph=graph,
                                  config=config)


__all__ = ["Predictor", "from_estimator", "from_saved_model"]
