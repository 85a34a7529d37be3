"""tf.contrib.rnn: the rnn_cell classes, contrib's own cells and wrappers, and the static and stacked
bidirectional RNNs under their contrib names."""

from __future__ import annotations

from ..rnn import static_bidirectional_rnn, static_rnn
from ..rnn_cell import (BasicLSTMCell, BasicRNNCell, DeviceWrapper, DropoutWrapper, GRUCell, LSTMCell, LSTMStateTuple,
                        MultiRNNCell, ResidualWrapper, RNNCell)
from .rnn_cells import (AttentionCellWrapper, EmbeddingWrapper, GRUBlockCell, GRUBlockCellV2, HighwayWrapper,
                        InputProjectionWrapper, LayerNormBasicLSTMCell, LSTMBlockCell, LSTMBlockFusedCell,
                        OutputProjectionWrapper)
from .rnn_fused import (CompiledWrapper, FusedRNNCell, FusedRNNCellAdaptor, LayerRNNCell, LSTMBlockWrapper,
                        TimeReversedFusedRNN, best_effort_input_batch_size, transpose_batch_time)
from .rnn_cells_extra import (BidirectionalGridLSTMCell, CoupledInputForgetGateLSTMCell, Conv1DLSTMCell, Conv2DLSTMCell,
                              Conv3DLSTMCell, ConvLSTMCell, GLSTMCell, GridLSTMCell, IndRNNCell, IndyGRUCell,
                              IndyLSTMCell, IntersectionRNNCell, LayerNormLSTMCell, NASCell, PhasedLSTMCell, SRUCell,
                              TimeFreqLSTMCell, UGRNNCell, WeightNormLSTMCell)

__all__ = ["AttentionCellWrapper", "BasicLSTMCell", "BasicRNNCell", "BidirectionalGridLSTMCell", "CompiledWrapper",
           "Conv1DLSTMCell", "Conv2DLSTMCell", "Conv3DLSTMCell", "ConvLSTMCell", "CoupledInputForgetGateLSTMCell",
           "DeviceWrapper", "DropoutWrapper", "EmbeddingWrapper", "FusedRNNCell", "FusedRNNCellAdaptor", "GLSTMCell",
           "GRUBlockCell", "GRUBlockCellV2", "GRUCell", "GridLSTMCell", "HighwayWrapper", "IndRNNCell", "IndyGRUCell",
           "IndyLSTMCell", "InputProjectionWrapper", "IntersectionRNNCell", "LSTMBlockCell", "LSTMBlockFusedCell",
           "LSTMBlockWrapper", "LSTMCell", "LSTMStateTuple", "LayerNormBasicLSTMCell", "LayerNormLSTMCell",
           "LayerRNNCell", "MultiRNNCell", "NASCell", "OutputProjectionWrapper", "PhasedLSTMCell", "RNNCell",
           "ResidualWrapper", "SRUCell", "TimeFreqLSTMCell", "TimeReversedFusedRNN", "UGRNNCell", "WeightNormLSTMCell",
           "best_effort_input_batch_size", "stack_bidirectional_dynamic_rnn", "stack_bidirectional_rnn",
           "static_bidirectional_rnn", "static_rnn", "transpose_batch_time"]


def _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw) -> None:
    if not cells_fw:
        raise ValueError("Must specify at least one fw cell for BidirectionalRNN.")
    if not cells_bw:
        raise ValueError("Must specify at least one bw cell for BidirectionalRNN.")
    if not isinstance(cells_fw, list):
        raise ValueError("cells_fw must be a list of RNNCells (one per layer).")
    if not isinstance(cells_bw, list):
        raise ValueError("cells_bw must be a list of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise ValueError(f"Forward and Backward cells must have the same depth ({len(cells_fw)} vs. {len(cells_bw)}).")
    for states, what in ((initial_states_fw, "fw"), (initial_states_bw, "bw")):
        if states is not None and (not isinstance(states, list) or len(states) != len(cells_fw)):
            raise ValueError(f"initial_states_{what} must be a list of state tensors (one per layer).")


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None,
                                    dtype=None, sequence_length=None, parallel_iterations=None,
                                    time_major: bool = False, scope=None, swap_memory: bool = False):
    """(outputs, states_fw, states_bw): layers of bidirectional_dynamic_rnn, each layer's input the previous
    layer's [forward, backward] outputs concatenated (variables under stack_bidirectional_rnn/cell_<i>/)."""
    from ..array_ops import concat
    from ..rnn import bidirectional_dynamic_rnn
    from ..variables import variable_scope
    _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw, layer = [], [], inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with variable_scope(f"cell_{i}"):
                outputs, (state_fw, state_bw) = bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, layer, initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                    initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                    sequence_length=sequence_length, parallel_iterations=parallel_iterations, dtype=dtype,
                    swap_memory=swap_memory, time_major=time_major)
                layer = concat(outputs, 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None, dtype=None,
                            sequence_length=None, scope=None):
    """(outputs, states_fw, states_bw): layers of static_bidirectional_rnn over the list of inputs."""
    from ..variables import variable_scope
    _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    if not inputs:
        raise ValueError("inputs must not be empty")
    states_fw, states_bw, layer = [], [], inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with variable_scope(f"cell_{i}"):
                layer, state_fw, state_bw = static_bidirectional_rnn(
                    cell_fw, cell_bw, layer, initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                    initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                    sequence_length=sequence_length, dtype=dtype)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer, tuple(states_fw), tuple(states_bw)
