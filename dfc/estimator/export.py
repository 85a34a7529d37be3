"""tf.estimator.export: serving input receivers and export outputs, what Estimator.export_saved_model writes.

A serving_input_receiver_fn returns a ServingInputReceiver (the placeholders a server feeds,
and the features the model_fn gets); an EstimatorSpec's export_outputs (PredictOutput,
ClassificationOutput, RegressionOutput) become the SavedModel's signatures over them.
"""

from __future__ import annotations

import collections
import logging
import os
import time
from typing import Any

from ..saved_model import signature_constants as sc
from ..saved_model import signature_def_utils

_log = logging.getLogger("dfc")

SINGLE_FEATURE_DEFAULT_NAME = "feature"
SINGLE_RECEIVER_DEFAULT_NAME = "input"
SINGLE_LABEL_DEFAULT_NAME = "label"
_SINGLE_TENSOR_DEFAULT_NAMES = {"feature": SINGLE_FEATURE_DEFAULT_NAME, "label": SINGLE_LABEL_DEFAULT_NAME,
                                "receiver_tensor": SINGLE_RECEIVER_DEFAULT_NAME,
                                "receiver_tensors_alternative": SINGLE_RECEIVER_DEFAULT_NAME}


def _is_tensor(value: Any) -> bool:
    from ..graph_builder import Tensor
    return isinstance(value, Tensor)


def _check_tensor(tensor: Any, name: Any, error_label: str = "feature") -> None:
    from ..sparse.tensor import SparseTensor
    if not (_is_tensor(tensor) or isinstance(tensor, SparseTensor)):
        raise ValueError(f"{error_label}{f' {name}' if name else ''} must be a Tensor or SparseTensor.")


def wrap_and_check_input_tensors(tensors: Any, field_name: str, allow_int_keys: bool = False) -> dict:
    """`tensors` as a dict of name -> Tensor (a single tensor under its default name), each checked."""
    if tensors is None:
        raise ValueError(f"{field_name}s must be defined.")
    if not isinstance(tensors, dict):
        tensors = {_SINGLE_TENSOR_DEFAULT_NAMES[field_name]: tensors}
    for name, tensor in tensors.items():
        if not isinstance(name, str) and not (allow_int_keys and isinstance(name, int)):
            raise ValueError(f"{field_name} keys must be strings{' or ints' if allow_int_keys else ''}: {name}.")
        _check_tensor(tensor, name, error_label=field_name)
    return tensors


class ServingInputReceiver(collections.namedtuple("ServingInputReceiver",
                                                  ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """What a serving_input_receiver_fn returns: the model's features and the tensors a server feeds."""

    def __new__(cls, features: Any, receiver_tensors: Any, receiver_tensors_alternatives: Any = None):
        features = wrap_and_check_input_tensors(features, "feature", allow_int_keys=True)
        receiver_tensors = wrap_and_check_input_tensors(receiver_tensors, "receiver_tensor")
        if receiver_tensors_alternatives is not None:
            if not isinstance(receiver_tensors_alternatives, dict):
                raise ValueError(f"receiver_tensors_alternatives must be a dict: {receiver_tensors_alternatives}.")
            for name, alternative in list(receiver_tensors_alternatives.items()):
                receiver_tensors_alternatives[name] = wrap_and_check_input_tensors(alternative,
                                                                                   "receiver_tensors_alternative")
        return super().__new__(cls, features=features, receiver_tensors=receiver_tensors,
                               receiver_tensors_alternatives=receiver_tensors_alternatives)


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver", ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """A ServingInputReceiver whose model takes one feature tensor, not a dict."""

    def __new__(cls, features: Any, receiver_tensors: Any, receiver_tensors_alternatives: Any = None):
        if features is None:
            raise ValueError("features must be defined.")
        _check_tensor(features, None)
        receiver = ServingInputReceiver(features, receiver_tensors, receiver_tensors_alternatives)
        return super().__new__(cls, features=receiver.features[SINGLE_FEATURE_DEFAULT_NAME],
                               receiver_tensors=receiver.receiver_tensors,
                               receiver_tensors_alternatives=receiver.receiver_tensors_alternatives)


def _placeholder_like(tensor: Any, default_batch_size: int | None) -> Any:
    from ..array_ops import placeholder
    from ..tensor_shape import TensorShape
    shape = TensorShape([default_batch_size]).concatenate(tensor.get_shape()[1:])
    return placeholder(dtype=tensor.dtype, shape=shape, name=tensor.op.name)


def build_raw_serving_input_receiver_fn(features: dict, default_batch_size: int | None = None) -> Any:
    """A serving_input_receiver_fn whose placeholders, one per feature (its dtype, its shape past the batch
    dimension, its op's name), are fed directly and are the features."""

    def serving_input_receiver_fn() -> ServingInputReceiver:
        receiver_tensors = {name: _placeholder_like(t, default_batch_size) for name, t in features.items()}
        return ServingInputReceiver(receiver_tensors, receiver_tensors)

    return serving_input_receiver_fn


def build_parsing_serving_input_receiver_fn(feature_spec: dict, default_batch_size: int | None = None) -> Any:
    """A serving_input_receiver_fn that takes serialized tf.Examples (receiver tensor 'examples') and parses them
    with `feature_spec` (tf.feature_column.make_parse_example_spec's dict) into the features."""

    def serving_input_receiver_fn() -> ServingInputReceiver:
        from ..array_ops import placeholder
        from ..parsing_ops import parse_example
        serialized = placeholder(dtype="string", shape=[default_batch_size], name="input_example_tensor")
        return ServingInputReceiver(parse_example(serialized, feature_spec), {"examples": serialized})

    return serving_input_receiver_fn


# ---- export outputs --------------------------------------------------------------------------------------
class ExportOutput:
    """One output signature of an exported model (tf.estimator.export.ExportOutput)."""

    _SEPARATOR_CHAR = "/"

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        raise NotImplementedError

    def _check_output_key(self, key: Any, error_label: str) -> str:
        if isinstance(key, tuple):
            key = self._SEPARATOR_CHAR.join(key)
        if not isinstance(key, str):
            raise ValueError(f"{error_label} output key must be a string; got {key}.")
        return key

    def _wrap_and_check_outputs(self, outputs: Any, single_output_default_name: str,
                                error_label: str | None = None) -> dict:
        if not isinstance(outputs, dict):
            outputs = {single_output_default_name: outputs}
        result = {}
        for key, value in outputs.items():
            error_name = error_label or single_output_default_name
            key = self._check_output_key(key, error_name)
            if not _is_tensor(value):
                raise ValueError(f"{error_name} output value must be a Tensor; got {value}.")
            result[key] = value
        return result


def _single_string_input(receiver_tensors: dict, kind: str) -> Any:
    problem = (f"{kind} signatures can only accept a single tensor input of type tf.string. Please check to make "
               f"sure that you have structured the serving_input_receiver_fn so that it creates a single string "
               f"placeholder. If your model function expects multiple inputs, then use `tf.io.parse_example()` to "
               f"parse the string into multiple tensors.\n Received: {receiver_tensors}")
    if len(receiver_tensors) != 1:
        raise ValueError(problem)
    (_, examples), = receiver_tensors.items()
    if getattr(examples.dtype, "name", None) != "string":
        raise ValueError(problem)
    return examples


class ClassificationOutput(ExportOutput):
    """A classify signature: float scores and/or string classes of serialized tf.Examples."""

    def __init__(self, scores: Any = None, classes: Any = None):
        if scores is not None and not (_is_tensor(scores) and scores.dtype.is_floating):
            raise ValueError(f"Classification scores must be a float32 Tensor; got {scores}")
        if classes is not None and not (_is_tensor(classes) and getattr(classes.dtype, "name", None) == "string"):
            raise ValueError(f"Classification classes must be a string Tensor; got {classes}")
        if scores is None and classes is None:
            raise ValueError("Cannot create a ClassificationOutput with empty arguments. At least one of `scores` "
                             "and `classes` must be defined.")
        self._scores = scores
        self._classes = classes

    scores = property(lambda self: self._scores)
    classes = property(lambda self: self._classes)

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        examples = _single_string_input(receiver_tensors, "Classification")
        return signature_def_utils.classification_signature_def(examples, self.classes, self.scores)


class RegressionOutput(ExportOutput):
    """A regress signature: one float value per serialized tf.Example."""

    def __init__(self, value: Any):
        if not (_is_tensor(value) and value.dtype.is_floating):
            raise ValueError(f"Regression output value must be a float32 Tensor; got {value}")
        self._value = value

    value = property(lambda self: self._value)

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        examples = _single_string_input(receiver_tensors, "Regression")
        return signature_def_utils.regression_signature_def(examples, self.value)


class PredictOutput(ExportOutput):
    """A predict signature: any named output tensors of the receiver tensors."""

    _SINGLE_OUTPUT_DEFAULT_NAME = "output"

    def __init__(self, outputs: Any):
        self._outputs = self._wrap_and_check_outputs(outputs, self._SINGLE_OUTPUT_DEFAULT_NAME,
                                                     error_label="Prediction")

    outputs = property(lambda self: self._outputs)

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        return signature_def_utils.predict_signature_def(receiver_tensors, self.outputs)


class _SupervisedOutput(ExportOutput):
    """The outputs of a train or eval graph: loss, predictions and metrics under prefixed keys."""

    LOSS_NAME = "loss"
    PREDICTIONS_NAME = "predictions"
    METRICS_NAME = "metrics"
    METRIC_VALUE_SUFFIX = "value"
    METRIC_UPDATE_SUFFIX = "update_op"
    _signature_def_fn: Any = None

    def __init__(self, loss: Any = None, predictions: Any = None, metrics: Any = None):
        self._loss = self._prefixed(self._wrap_and_check_outputs(loss, self.LOSS_NAME), self.LOSS_NAME) \
            if loss is not None else None
        self._predictions = self._prefixed(self._wrap_and_check_outputs(predictions, self.PREDICTIONS_NAME),
                                           self.PREDICTIONS_NAME) if predictions is not None else None
        self._metrics = self._wrap_and_check_metrics(metrics) if metrics is not None else None

    def _prefix_key(self, key: str, output_name: str) -> str:
        return key if key.find(output_name) == 0 else output_name + self._SEPARATOR_CHAR + key

    def _prefixed(self, outputs: dict, output_name: str) -> dict:
        return {self._prefix_key(key, output_name): value for key, value in outputs.items()}

    def _wrap_and_check_metrics(self, metrics: Any) -> dict:
        from ..framework import control_dependencies
        from ..graph_builder import Operation
        if not isinstance(metrics, dict):
            metrics = {self.METRICS_NAME: metrics}
        outputs = {}
        for key, (value, update_op) in metrics.items():
            key = self._prefix_key(self._check_output_key(key, self.METRICS_NAME), self.METRICS_NAME)
            if not _is_tensor(value):
                raise ValueError(f"{key} output value must be a Tensor; got {value}.")
            if not (_is_tensor(update_op) or isinstance(update_op, Operation)):
                raise ValueError(f"{key} update_op must be a Tensor or Operation; got {update_op}.")
            if not _is_tensor(update_op):
                from ..array_ops import constant
                with control_dependencies([update_op]):
                    update_op = constant([], name="metric_op_wrapper")
            outputs[key + self._SEPARATOR_CHAR + self.METRIC_VALUE_SUFFIX] = value
            outputs[key + self._SEPARATOR_CHAR + self.METRIC_UPDATE_SUFFIX] = update_op
        return outputs

    loss = property(lambda self: self._loss)
    predictions = property(lambda self: self._predictions)
    metrics = property(lambda self: self._metrics)

    def as_signature_def(self, receiver_tensors: dict) -> Any:
        return type(self)._signature_def_fn(receiver_tensors, self.loss, self.predictions, self.metrics)


class TrainOutput(_SupervisedOutput):
    """The train graph's signature (tensorflow/supervised/training)."""

    _signature_def_fn = staticmethod(signature_def_utils.supervised_train_signature_def)


class EvalOutput(_SupervisedOutput):
    """The eval graph's signature (tensorflow/supervised/eval)."""

    _signature_def_fn = staticmethod(signature_def_utils.supervised_eval_signature_def)


def get_export_outputs(export_outputs: Any, predictions: Any) -> dict:
    """An EstimatorSpec's export outputs in PREDICT mode: a PredictOutput of the predictions by default, and
    the one output also under 'serving_default'."""
    if export_outputs is None:
        export_outputs = {sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY: PredictOutput(predictions)}
    if not isinstance(export_outputs, dict):
        raise TypeError(f"export_outputs must be dict, given: {export_outputs}")
    for value in export_outputs.values():
        if not isinstance(value, ExportOutput):
            raise TypeError(f"Values in export_outputs must be ExportOutput objects. Given: {export_outputs}")
    if len(export_outputs) == 1:
        (key, value), = export_outputs.items()
        if key != sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
            export_outputs[sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY] = value
    if len(export_outputs) > 1 and sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY not in export_outputs:
        raise ValueError("Multiple export_outputs were provided, but none of them is specified as the default.  Do "
                         "this by naming one of them with signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY.")
    return export_outputs


def _ensure_servable(input_tensors: list, outputs: Any) -> None:
    """ValueError when a signature's outputs depend on a placeholder that is not one of its inputs."""
    from ..saved_model.utils import get_tensor_from_tensor_info
    if not input_tensors:
        return
    graph = input_tensors[0].graph
    fed = {id(t._dfc_ir()) for t in input_tensors}
    stack = [get_tensor_from_tensor_info(info, graph)._dfc_ir() for info in outputs.values()]
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if id(value) in seen or id(value) in fed:
            continue
        seen.add(id(value))
        op = value.op
        if op is None:
            continue
        if op.type == "dfc.placeholder":
            raise ValueError(f"The signature's input tensors {[t.name for t in input_tensors]} are insufficient to "
                             f"compute its output keys {list(outputs.keys())} because of the dependency on "
                             f"`{op.name}` which is not given as a signature input.")
        stack.extend(op.operands)
        for region in op.regions:  # what a cond or while_loop reads from outside
            stack.extend(v for inner in region.walk() for v in inner.operands)


def build_all_signature_defs(receiver_tensors: Any, export_outputs: dict, receiver_tensors_alternatives: Any = None,
                             serving_only: bool = True) -> dict:
    """The SignatureDefs of every export output over the receiver tensors (and each alternative), those that
    cannot be served left out (with a log line)."""
    if not isinstance(receiver_tensors, dict):
        receiver_tensors = {SINGLE_RECEIVER_DEFAULT_NAME: receiver_tensors}
    if export_outputs is None or not isinstance(export_outputs, dict):
        raise ValueError(f"`export_outputs` must be a dict. Received {export_outputs} with type "
                         f"{type(export_outputs).__name__}.")
    signature_def_map: dict = {}
    excluded: dict = {}
    groups = [("", receiver_tensors)]
    for name, alternative in (receiver_tensors_alternatives or {}).items():
        groups.append((f"{name or 'None'}:", alternative if isinstance(alternative, dict)
                       else {SINGLE_RECEIVER_DEFAULT_NAME: alternative}))
    for prefix, tensors in groups:
        for output_key, export_output in export_outputs.items():
            signature_name = f"{prefix}{output_key or 'None'}"
            try:
                signature = export_output.as_signature_def(tensors)
                _ensure_servable(list(tensors.values()), signature.outputs)
                signature_def_map[signature_name] = signature
            except ValueError as e:
                excluded[signature_name] = str(e)
    for name, message in excluded.items():
        _log.info("Signature '%s' EXCLUDED from export because it cannot be served via TensorFlow Serving APIs: %s",
                  name, message)
    if not signature_def_map:
        _log.warning("Export includes no signatures!")
    elif sc.DEFAULT_SERVING_SIGNATURE_DEF_KEY not in signature_def_map:
        _log.warning("Export includes no default signature!")
    if serving_only:
        signature_def_map = {k: v for k, v in signature_def_map.items() if signature_def_utils.is_valid_signature(v)}
    return signature_def_map


MAX_DIRECTORY_CREATION_ATTEMPTS = 10


def get_timestamped_export_dir(export_dir_base: Any) -> bytes:
    """export_dir_base/<seconds since the epoch>, a name not taken yet (waiting a second at a time, as TF)."""
    base = os.fsdecode(os.fspath(export_dir_base))
    for attempt in range(1, MAX_DIRECTORY_CREATION_ATTEMPTS + 1):
        result = os.path.join(base, str(int(time.time())))
        if not os.path.exists(result):
            return os.fsencode(result)
        time.sleep(1)
        _log.warning("Directory %s already exists; retrying (attempt %d/%d)", result, attempt,
                     MAX_DIRECTORY_CREATION_ATTEMPTS)
    raise RuntimeError(f"Failed to obtain a unique export directory name after {MAX_DIRECTORY_CREATION_ATTEMPTS} "
                       f"attempts.")


def get_temp_export_dir(timestamped_export_dir: Any) -> bytes:
    """The sibling temp-<name> directory an export is written in before it is renamed into place."""
    dirname, basename = os.path.split(os.fsdecode(timestamped_export_dir))
    return os.fsencode(os.path.join(dirname, f"temp-{basename}"))


__all__ = ["ClassificationOutput", "EvalOutput", "ExportOutput", "PredictOutput", "RegressionOutput",
           "ServingInputReceiver", "TensorServingInputReceiver", "TrainOutput",
           "build_parsing_serving_input_receiver_fn", "build_raw_serving_input_receiver_fn"]
