"""tf.keras.preprocessing: TF1's Keras data utilities in numpy: sequence (pad_sequences, TimeseriesGenerator,
skipgrams), text (Tokenizer, one_hot, hashing_trick) and image (ImageDataGenerator, load_img)."""

from __future__ import annotations

from . import image, sequence, text

__all__ = ["image", "sequence", "text"]
