"""tf.saved_model.tag_constants: the tags that name a SavedModel's meta graphs (serve, train, gpu, tpu)."""

SERVING = "serve"
TRAINING = "train"
EVAL = "eval"
GPU = "gpu"
TPU = "tpu"

__all__ = ["GPU", "SERVING", "TPU", "TRAINING"]
