"""tf.saved_model.signature_def_utils: SignatureDefs (a model's named inputs and outputs for serving) and checks."""

from __future__ import annotations

from typing import Any

from . import signature_constants as sc
from .protos import SignatureDef
from .utils import build_tensor_info, build_tensor_info_from_op

_DT_STRING, _DT_FLOAT = 7, 1  # TF's DataType enum (types.proto)


def _is_tensor(value: Any) -> bool:
    from ..graph_builder import Tensor
    return isinstance(value, Tensor)


def build_signature_def(inputs: dict | None = None, outputs: dict | None = None, method_name: str | None = None,
                        defaults: dict | None = None) -> Any:
    """A SignatureDef of TensorInfo maps `inputs` and `outputs` (key -> TensorInfo) and a method name."""
    signature_def = SignatureDef()
    for key in inputs or {}:
        signature_def.inputs[key].CopyFrom(inputs[key])
    for key in outputs or {}:
        signature_def.outputs[key].CopyFrom(outputs[key])
    if method_name is not None:
        signature_def.method_name = method_name
    for arg_name, default in (defaults or {}).items():
        signature_def.defaults[arg_name].CopyFrom(_constant_proto(default))
    return signature_def


def _constant_proto(default: Any) -> Any:
    import numpy as np
    from tensorboard.compat.proto import tensor_pb2

    from dfc.ir.types import TensorType

    from ..graph_def import _set_tensor
    from ..shape_ops import get_static_value

    if getattr(getattr(default, "op", None), "type", None) != "Const":
        raise ValueError(f"Unable to convert object {default} of type {type(default)} to TensorProto.")
    proto = tensor_pb2.TensorProto()
    value = np.asarray(get_static_value(default))
    _set_tensor(proto, value, TensorType(default.dtype, value.shape))
    return proto


def regression_signature_def(examples: Any, predictions: Any) -> Any:
    """A regress SignatureDef: serialized tf.Examples (a string tensor) in, float predictions out."""
    if examples is None:
        raise ValueError("Regression `examples` cannot be None.")
    if not _is_tensor(examples):
        raise ValueError(f"Expected regression `examples` to be of type Tensor. Found `examples` of type "
                         f"{type(examples)}.")
    if predictions is None:
        raise ValueError("Regression `predictions` cannot be None.")
    input_info = build_tensor_info(examples)
    if input_info.dtype != _DT_STRING:
        raise ValueError(f"Regression input tensors must be of type string. Found tensors with type "
                         f"{input_info.dtype} ('{examples.name}' is {examples.dtype.name}).")
    output_info = build_tensor_info(predictions)
    if output_info.dtype != _DT_FLOAT:
        raise ValueError(f"Regression output tensors must be of type float. Found tensors with type "
                         f"{output_info.dtype} ('{predictions.name}' is {predictions.dtype.name}).")
    return build_signature_def({sc.REGRESS_INPUTS: input_info}, {sc.REGRESS_OUTPUTS: output_info},
                               sc.REGRESS_METHOD_NAME)


def classification_signature_def(examples: Any, classes: Any, scores: Any) -> Any:
    """A classify SignatureDef: serialized tf.Examples in, string classes and/or float scores out."""
    if examples is None:
        raise ValueError("Classification `examples` cannot be None.")
    if not _is_tensor(examples):
        raise ValueError(f"Classification `examples` must be a string Tensor. Found `examples` of type "
                         f"{type(examples)}.")
    if classes is None and scores is None:
        raise ValueError("Classification `classes` and `scores` cannot both be None.")
    input_info = build_tensor_info(examples)
    if input_info.dtype != _DT_STRING:
        raise ValueError(f"Classification input tensors must be of type string. Found tensors of type "
                         f"{input_info.dtype} ('{examples.name}' is {examples.dtype.name})")
    outputs = {}
    if classes is not None:
        classes_info = build_tensor_info(classes)
        if classes_info.dtype != _DT_STRING:
            raise ValueError(f"Classification classes must be of type string Tensor. Found tensors of type "
                             f"{classes_info.dtype} ('{classes.name}' is {classes.dtype.name}).")
        outputs[sc.CLASSIFY_OUTPUT_CLASSES] = classes_info
    if scores is not None:
        scores_info = build_tensor_info(scores)
        if scores_info.dtype != _DT_FLOAT:
            raise ValueError(f"Classification scores must be a float Tensor ('{scores.name}' is "
                             f"{scores.dtype.name}).")
        outputs[sc.CLASSIFY_OUTPUT_SCORES] = scores_info
    return build_signature_def({sc.CLASSIFY_INPUTS: input_info}, outputs, sc.CLASSIFY_METHOD_NAME)


def predict_signature_def(inputs: dict, outputs: dict) -> Any:
    """A predict SignatureDef of the tensors `inputs` and `outputs` (key -> tensor)."""
    if inputs is None or not inputs:
        raise ValueError("Prediction `inputs` cannot be None or empty.")
    if outputs is None or not outputs:
        raise ValueError("Prediction `outputs` cannot be None or empty.")
    return build_signature_def({key: build_tensor_info(t) for key, t in inputs.items()},
                               {key: build_tensor_info(t) for key, t in outputs.items()}, sc.PREDICT_METHOD_NAME)


def _supervised_signature_def(method_name: str, inputs: dict, loss: dict | None = None,
                              predictions: dict | None = None, metrics: dict | None = None) -> Any:
    if inputs is None or not inputs:
        raise ValueError(f"{method_name} `inputs` cannot be None or empty.")
    signature_outputs = {}
    for output_set in (loss, predictions, metrics):
        if output_set is not None:
            signature_outputs.update({key: build_tensor_info(t) for key, t in output_set.items()})
    return build_signature_def({key: build_tensor_info(t) for key, t in inputs.items()}, signature_outputs,
                               method_name)


def supervised_train_signature_def(inputs: dict, loss: dict, predictions: dict | None = None,
                                   metrics: dict | None = None) -> Any:
    return _supervised_signature_def(sc.SUPERVISED_TRAIN_METHOD_NAME, inputs, loss, predictions, metrics)


def supervised_eval_signature_def(inputs: dict, loss: dict, predictions: dict | None = None,
                                  metrics: dict | None = None) -> Any:
    return _supervised_signature_def(sc.SUPERVISED_EVAL_METHOD_NAME, inputs, loss, predictions, metrics)


def is_valid_signature(signature_def: Any) -> bool:
    """Whether `signature_def` is one TF Serving can serve: a well-formed classify, regress or predict signature."""
    if signature_def is None:
        return False
    return (_is_valid_classification(signature_def) or _is_valid_regression(signature_def)
            or _is_valid_predict(signature_def))


def _is_valid_predict(signature_def: Any) -> bool:
    return (signature_def.method_name == sc.PREDICT_METHOD_NAME and bool(signature_def.inputs.keys())
            and bool(signature_def.outputs.keys()))


def _is_valid_regression(signature_def: Any) -> bool:
    if signature_def.method_name != sc.REGRESS_METHOD_NAME:
        return False
    if set(signature_def.inputs.keys()) != {sc.REGRESS_INPUTS}:
        return False
    if signature_def.inputs[sc.REGRESS_INPUTS].dtype != _DT_STRING:
        return False
    if set(signature_def.outputs.keys()) != {sc.REGRESS_OUTPUTS}:
        return False
    return signature_def.outputs[sc.REGRESS_OUTPUTS].dtype == _DT_FLOAT


def _is_valid_classification(signature_def: Any) -> bool:
    if signature_def.method_name != sc.CLASSIFY_METHOD_NAME:
        return False
    if set(signature_def.inputs.keys()) != {sc.CLASSIFY_INPUTS}:
        return False
    if signature_def.inputs[sc.CLASSIFY_INPUTS].dtype != _DT_STRING:
        return False
    outputs = signature_def.outputs
    if not outputs.keys() or set(outputs.keys()) - {sc.CLASSIFY_OUTPUT_CLASSES, sc.CLASSIFY_OUTPUT_SCORES}:
        return False
    if sc.CLASSIFY_OUTPUT_CLASSES in outputs and outputs[sc.CLASSIFY_OUTPUT_CLASSES].dtype != _DT_STRING:
        return False
    return not (sc.CLASSIFY_OUTPUT_SCORES in outputs and outputs[sc.CLASSIFY_OUTPUT_SCORES].dtype != _DT_FLOAT)


def op_signature_def(op: Any, key: str) -> Any:
    """The SignatureDef that names an op under `key` (TF's init and train op signatures)."""
    return build_signature_def(outputs={key: build_tensor_info_from_op(op)})


def load_op_from_signature_def(signature_def: Any, key: str, import_scope: str | None = None) -> Any:
    from dfc.ir.errors import NotFoundError

    from .utils import get_element_from_tensor_info
    try:
        return get_element_from_tensor_info(signature_def.outputs[key], import_scope=import_scope)
    except KeyError:
        raise NotFoundError(f'The key "{key}" could not be found in the graph. Please make sure the SavedModel was '
                            f'created by the internal _SavedModelBuilder. If you are using the public API, please '
                            f'make sure the SignatureDef in the SavedModel does not contain the key "{key}".') from None


class MethodNameUpdater:
    """Changes the method names of a SavedModel's signatures in place (tf.saved_model.signature_def_utils)."""

    def __init__(self, export_dir: str):
        from .loader import parse_saved_model
        self._export_dir = export_dir
        self._saved_model = parse_saved_model(export_dir)

    def replace_method_name(self, signature_key: str, method_name: str, tags: Any = None) -> None:
        if not signature_key:
            raise ValueError("`signature_key` must be defined.")
        if not method_name:
            raise ValueError("`method_name` must be defined.")
        if tags is not None and not isinstance(tags, list):
            tags = [tags]
        found = False
        for meta_graph in self._saved_model.meta_graphs:
            if tags is None or set(tags) == set(meta_graph.meta_info_def.tags):
                if signature_key not in meta_graph.signature_def:
                    raise ValueError(f"MetaGraphDef associated with tags {tags} does not have a signature_def with "
                                     f"key: '{signature_key}'. This means either you specified the wrong signature "
                                     f"key or forgot to put the signature_def with the corresponding key in your "
                                     f"SavedModel.")
                meta_graph.signature_def[signature_key].method_name = method_name
                found = True
        if not found:
            raise ValueError(f"MetaGraphDef associated with tags {tags} could not be found in SavedModel. This means "
                             f"either you specified invalid tags or your SavedModel does not have a MetaGraphDef with "
                             f"the specified tags.")

    def save(self, new_export_dir: str | None = None) -> None:
        from .loader import write_saved_model
        write_saved_model(self._saved_model, new_export_dir or self._export_dir, as_text=False)


__all__ = ["MethodNameUpdater", "build_signature_def", "classification_signature_def", "is_valid_signature",
           "predict_signature_def", "regression_signature_def"]
