"""tf.contrib.rnn's research cells (convolutional, independently recurrent, NAS, UGRNN, intersection, SRU,
coupled-gate, group, phased, layer- and weight-normalized LSTMs), gathered from the modules of each family:
rnn_cells_gated.py, rnn_cells_lstm.py and rnn_cells_conv_grid.py (their shared pieces in rnn_cell_parts.py)."""

from __future__ import annotations

from .rnn_cells_conv_grid import (BidirectionalGridLSTMCell, Conv1DLSTMCell, Conv2DLSTMCell, Conv3DLSTMCell,
                                  ConvLSTMCell, GridLSTMCell, TimeFreqLSTMCell)
from .rnn_cells_gated import IndRNNCell, IndyGRUCell, IndyLSTMCell, IntersectionRNNCell, NASCell, SRUCell, UGRNNCell
from .rnn_cells_lstm import (CoupledInputForgetGateLSTMCell, GLSTMCell, LayerNormLSTMCell, PhasedLSTMCell,
                             WeightNormLSTMCell)

__all__ = ["BidirectionalGridLSTMCell", "CoupledInputForgetGateLSTMCell", "Conv1DLSTMCell", "Conv2DLSTMCell",
           "Conv3DLSTMCell", "ConvLSTMCell", "GLSTMCell", "GridLSTMCell", "IndRNNCell", "IndyGRUCell", "IndyLSTMCell",
           "IntersectionRNNCell", "LayerNormLSTMCell", "NASCell", "PhasedLSTMCell", "SRUCell", "TimeFreqLSTMCell",
           "UGRNNCell", "WeightNormLSTMCell"]
