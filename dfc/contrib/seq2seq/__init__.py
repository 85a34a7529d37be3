"""tf.contrib.seq2seq: TF 1.15's sequence-to-sequence library (helpers, decoders, attention, beam search, loss)."""

from .attention_mechanism import (AttentionMechanism, BahdanauAttention, BahdanauMonotonicAttention, LuongAttention,
                                  LuongMonotonicAttention, hardmax, monotonic_attention, safe_cumprod)
from .attention_wrapper import AttentionWrapper, AttentionWrapperState
from .beam_search import (BeamSearchDecoder, BeamSearchDecoderOutput, BeamSearchDecoderState,
                          FinalBeamSearchDecoderOutput, gather_tree, tile_batch)
from .decoder import BasicDecoder, BasicDecoderOutput, Decoder, dynamic_decode
from .helper import (CustomHelper, GreedyEmbeddingHelper, Helper, InferenceHelper, SampleEmbeddingHelper,
                     ScheduledEmbeddingTrainingHelper, ScheduledOutputTrainingHelper, TrainingHelper)
from .loss import SequenceLoss, sequence_loss

__all__ = ["AttentionMechanism", "AttentionWrapper", "AttentionWrapperState", "BahdanauAttention",
           "BahdanauMonotonicAttention", "BasicDecoder", "BasicDecoderOutput", "BeamSearchDecoder",
           "BeamSearchDecoderOutput", "BeamSearchDecoderState", "CustomHelper", "Decoder",
           "FinalBeamSearchDecoderOutput", "GreedyEmbeddingHelper", "Helper", "InferenceHelper", "LuongAttention",
           "LuongMonotonicAttention", "SampleEmbeddingHelper", "ScheduledEmbeddingTrainingHelper",
           "ScheduledOutputTrainingHelper", "SequenceLoss", "TrainingHelper", "dynamic_decode", "gather_tree",
           "hardmax",
           "monotonic_attention", "safe_cumprod", "sequence_loss", "tile_batch"]
