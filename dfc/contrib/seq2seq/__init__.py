"""tf.contrib.seq2seq: TF 1.15's sequence-to-sequence library (helpers, decoders, attention, beam search, loss)."""

from .decoder import BasicDecoder, BasicDecoderOutput, Decoder, dynamic_decode
from .helper import (CustomHelper, GreedyEmbeddingHelper, Helper, InferenceHelper, SampleEmbeddingHelper,
                     ScheduledEmbeddingTrainingHelper, ScheduledOutputTrainingHelper, TrainingHelper)
from .loss import sequence_loss

__all__ = ["BasicDecoder", "BasicDecoderOutput", "CustomHelper", "Decoder", "GreedyEmbeddingHelper", "Helper",
           "InferenceHelper", "SampleEmbeddingHelper", "ScheduledEmbeddingTrainingHelper",
           "ScheduledOutputTrainingHelper", "TrainingHelper", "dynamic_decode", "sequence_loss"]
