"""tf.keras.layers: every Keras layer class and merge function dfc provides, under TF1's names."""

from __future__ import annotations

from .engine import Input, InputLayer, InputSpec, Layer
from .layers_conv import (AveragePooling1D, AveragePooling2D, AveragePooling3D, Conv1D, Conv2D, Conv2DTranspose,
                          Conv3D, Cropping1D, Cropping2D, DepthwiseConv2D, GlobalAveragePooling1D,
                          GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D,
                          MaxPooling3D, SeparableConv2D, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D)
from .layers_core import (ELU, Activation, ActivityRegularization, BatchNormalization, Dense, Dropout, Embedding,
                          Flatten, GaussianNoise, Lambda, LeakyReLU, Permute, PReLU, ReLU, RepeatVector, Reshape,
                          Softmax, SpatialDropout1D, SpatialDropout2D, ThresholdedReLU)
from .layers_rnn import (GRU, LSTM, RNN, Bidirectional, GRUCell, LSTMCell, Masking, SimpleRNN, SimpleRNNCell,
                         TimeDistributed)
from .layers_attention import AdditiveAttention, Attention, LayerNormalization
from .layers_conv_lstm import ConvLSTM2D
from .layers_cudnn import CuDNNGRU, CuDNNLSTM
from .layers_merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average,
                           concatenate, dot, maximum, minimum, multiply, subtract)

Convolution1D, Convolution2D, Convolution3D, Convolution2DTranspose = Conv1D, Conv2D, Conv3D, Conv2DTranspose
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D = (GlobalAveragePooling1D, GlobalAveragePooling2D,
                                                                      GlobalMaxPooling1D, GlobalMaxPooling2D)

__all__ = ["AdditiveAttention", "Attention", "ConvLSTM2D", "CuDNNGRU", "CuDNNLSTM", "LayerNormalization",
           "GRU", "LSTM", "RNN", "Bidirectional", "GRUCell", "LSTMCell", "Masking", "SimpleRNN", "SimpleRNNCell",
           "TimeDistributed", "DepthwiseConv2D", "ELU",
           "Activation", "ActivityRegularization", "Add", "AveragePooling1D", "AveragePooling2D",
           "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "Average", "BatchNormalization", "Concatenate",
           "Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "Convolution1D", "Convolution2D",
           "Convolution2DTranspose", "Convolution3D", "Cropping1D", "Cropping2D", "Dense", "Dot", "Dropout",
           "Embedding", "Flatten", "GaussianNoise", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "Input", "InputLayer", "InputSpec", "Lambda", "Layer", "LeakyReLU", "MaxPool1D",
           "MaxPool2D", "MaxPool3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Maximum", "Minimum",
           "Multiply", "PReLU", "Permute", "ReLU", "RepeatVector", "Reshape", "SeparableConv2D", "Softmax",
           "SpatialDropout1D", "SpatialDropout2D", "Subtract", "ThresholdedReLU", "UpSampling1D", "UpSampling2D",
           "ZeroPadding1D", "ZeroPadding2D", "add", "average", "concatenate", "dot", "maximum", "minimum",
           "multiply", "subtract"]

# error messages name them as TF does (tf.keras.layers.Dense), not by the module that defines them
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type) or callable(_value):
        _value.__module__ = __name__
