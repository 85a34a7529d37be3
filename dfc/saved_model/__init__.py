"""tf.saved_model (TF1's compat.v1 API): export a model for serving and load it back in another Session.

SavedModelBuilder / simple_save write the directory, loader.load reads it; signature_def_utils
and utils build the SignatureDefs that name a model's inputs and outputs.
"""

from __future__ import annotations

from typing import Any

from . import (builder, constants, loader, main_op, signature_constants, signature_def_utils, tag_constants,
               utils)
from .builder import Builder, SavedModelBuilder, simple_save
from .constants import (ASSETS_DIRECTORY, ASSETS_KEY, DEBUG_DIRECTORY, DEBUG_INFO_FILENAME_PB, LEGACY_INIT_OP_KEY,
                        MAIN_OP_KEY, SAVED_MODEL_FILENAME_PB, SAVED_MODEL_FILENAME_PBTXT, SAVED_MODEL_SCHEMA_VERSION,
                        VARIABLES_DIRECTORY, VARIABLES_FILENAME)
from .loader import contains_saved_model, load, maybe_saved_model_directory
from .main_op import main_op_with_restore
from .signature_constants import (CLASSIFY_INPUTS, CLASSIFY_METHOD_NAME, CLASSIFY_OUTPUT_CLASSES,
                                  CLASSIFY_OUTPUT_SCORES, DEFAULT_SERVING_SIGNATURE_DEF_KEY, PREDICT_INPUTS,
                                  PREDICT_METHOD_NAME, PREDICT_OUTPUTS, REGRESS_INPUTS, REGRESS_METHOD_NAME,
                                  REGRESS_OUTPUTS)
from .signature_def_utils import (build_signature_def, classification_signature_def, is_valid_signature,
                                  predict_signature_def, regression_signature_def)
from .tag_constants import GPU, SERVING, TPU, TRAINING
from .utils import build_tensor_info, get_tensor_from_tensor_info


def save(obj: Any, export_dir: Any, signatures: Any = None, options: Any = None) -> None:
    """TF2's object-based export (tf.compat.v1.saved_model.save): it takes a Trackable (tf.Module), which dfc's
    graphs do not have; TF1 graphs export with simple_save or SavedModelBuilder."""
    raise ValueError(f"Expected an object of type `Trackable`, such as `tf.Module` or a subclass of the `Trackable` "
                     f"class, for export. Got {obj} with type {type(obj)}. (dfc has no Trackable objects: export a "
                     f"TF1 graph with tf.saved_model.simple_save or tf.saved_model.builder.SavedModelBuilder.)")


__all__ = ["ASSETS_DIRECTORY", "ASSETS_KEY", "Builder", "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME",
           "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES", "DEBUG_DIRECTORY", "DEBUG_INFO_FILENAME_PB",
           "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "GPU", "LEGACY_INIT_OP_KEY", "MAIN_OP_KEY", "PREDICT_INPUTS",
           "PREDICT_METHOD_NAME", "PREDICT_OUTPUTS", "REGRESS_INPUTS", "REGRESS_METHOD_NAME", "REGRESS_OUTPUTS",
           "SAVED_MODEL_FILENAME_PB", "SAVED_MODEL_FILENAME_PBTXT", "SAVED_MODEL_SCHEMA_VERSION", "SERVING",
           "SavedModelBuilder", "TPU", "TRAINING", "VARIABLES_DIRECTORY", "VARIABLES_FILENAME",
           "build_signature_def", "build_tensor_info", "builder", "classification_signature_def", "constants",
           "contains_saved_model", "get_tensor_from_tensor_info", "is_valid_signature", "load", "loader", "main_op",
           "main_op_with_restore", "maybe_saved_model_directory", "predict_signature_def",
           "regression_signature_def", "save", "signature_constants", "signature_def_utils", "simple_save",
           "tag_constants", "utils"]
