"""tf.contrib.seq2seq's helpers: what a BasicDecoder feeds its cell at each step and when a row has finished."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ... import array_ops as A
from ... import math_ops as M
from ... import nn
from ...framework import Tensor, TensorShape, convert_to_tensor, name_scope
from . import _nest as nest

__all__ = ["CustomHelper", "GreedyEmbeddingHelper", "Helper", "InferenceHelper", "SampleEmbeddingHelper",
           "ScheduledEmbeddingTrainingHelper", "ScheduledOutputTrainingHelper", "TrainingHelper"]


def _int32(x, name: str) -> Tensor:
    from dfc.ir.dtypes import i32
    return convert_to_tensor(x, dtype=i32, name=name)


def transpose_batch_time(x: Tensor) -> Tensor:
    """x with its first two dims swapped (batch-major <-> time-major)."""
    x = convert_to_tensor(x)
    rank = x.shape.ndims
    if rank is None or rank < 2:
        raise ValueError(f"Expected input tensor {x.name} to be at least rank 2 (batch and time), got shape {x.shape}")
    return A.transpose(x, [1, 0] + list(range(2, rank)))


def select_rows(condition: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """TF1's tf.where with a condition of lower rank than x: whole rows (trailing dims) of x where it holds."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    cond = condition
    for _ in range((x.shape.ndims or 0) - (condition.shape.ndims or 0)):
        cond = A.expand_dims(cond, -1)
    return M.where(cond, x, y)


def embedding_fn(embedding) -> Callable:
    if callable(embedding):
        return embedding
    params = embedding
    return lambda ids: nn.embedding_lookup(params, ids)


class Helper:
    """The interface of a decoding helper: initialize, sample and next_inputs (TF1's abstract Helper)."""

    @property
    def batch_size(self):
        raise NotImplementedError

    @property
    def sample_ids_shape(self) -> TensorShape:
        raise NotImplementedError

    @property
    def sample_ids_dtype(self):
        raise NotImplementedError

    def initialize(self, name=None):
        raise NotImplementedError

    def sample(self, time, outputs, state, name=None):
        raise NotImplementedError

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        raise NotImplementedError

    def _decode_length(self):
        """The number of decoding steps when it is known without running the cell (training), else None."""
        return None


class CustomHelper(Helper):
    """A helper made of the user's three functions."""

    def __init__(self, initialize_fn: Callable, sample_fn: Callable, next_inputs_fn: Callable, sample_ids_shape=None,
                 sample_ids_dtype=None):
        self._initialize_fn, self._sample_fn, self._next_inputs_fn = initialize_fn, sample_fn, next_inputs_fn
        self._batch_size = None
        self._sample_ids_shape = TensorShape(sample_ids_shape or [])
        from dfc.ir.dtypes import as_dtype, i32
        self._sample_ids_dtype = as_dtype(sample_ids_dtype) if sample_ids_dtype is not None else i32

    @property
    def batch_size(self):
        if self._batch_size is None:
            raise ValueError("batch_size accessed before initialize was called")
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_ids_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_ids_dtype

    def initialize(self, name=None):
        with name_scope(name, f"{type(self).__name__}Initialize"):
            finished, next_inputs = self._initialize_fn()
            finished = convert_to_tensor(finished)
            if self._batch_size is None:
                self._batch_size = A.size(finished)
        return finished, next_inputs

    def sample(self, time, outputs, state, name=None):
        with name_scope(name, f"{type(self).__name__}Sample", (time, outputs)):
            return self._sample_fn(time=time, outputs=outputs, state=state)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, f"{type(self).__name__}NextInputs", (time, outputs)):
            return self._next_inputs_fn(time=time, outputs=outputs, state=state, sample_ids=sample_ids)


class _ScalarIdsHelper(Helper):
    """A helper whose samples are one int32 id per batch row and whose batch size its constructor found."""

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return TensorShape([])

    @property
    def sample_ids_dtype(self):
        from dfc.ir.dtypes import i32
        return i32


class TrainingHelper(_ScalarIdsHelper):
    """Teacher forcing: step t reads inputs[:, t] (time-major: inputs[t]); row b finishes after sequence_length[b]
    steps. Samples are the argmax of the outputs."""

    def __init__(self, inputs, sequence_length, time_major: bool = False, name: str | None = None):
        with name_scope(name, "TrainingHelper", [inputs, sequence_length]):
            inputs = nest.map_structure(lambda x: convert_to_tensor(x, name="inputs"), inputs)
            self._inputs = inputs
            if not time_major:
                inputs = nest.map_structure(transpose_batch_time, inputs)
            self._time_major_inputs = inputs
            lengths = convert_to_tensor(sequence_length, name="sequence_length")
            if lengths.shape.ndims != 1:
                raise ValueError(f"Expected sequence_length to be a vector, but received shape: {lengths.shape} "
                                 f"({lengths.name})")
            if not lengths.dtype.is_integer:
                raise TypeError(f"TrainingHelper: sequence_length {lengths.name} must be integers, got "
                                f"{lengths.dtype.name}")
            self._sequence_length = M.cast(lengths, "int32")
            self._zero_inputs = nest.map_structure(lambda x: A.zeros_like(A.gather(x, 0)), inputs)
            known = self._sequence_length.shape.as_list()[0]
            self._batch_size = known if known is not None else A.size(self._sequence_length)

    @property
    def inputs(self):
        return self._inputs

    @property
    def sequence_length(self):
        return self._sequence_length


    def _read(self, time, all_finished):
        """inputs at `time`, zeros once every row has finished (the index clamped: no read past the end)."""
        def read(x):
            steps = x.shape.as_list()[0]
            last = (steps if steps is not None else A.shape(x)[0]) - 1
            row = A.gather(x, M.maximum(M.minimum(time, last), 0))
            return M.where(all_finished, A.zeros_like(row), row)
        return nest.map_structure(read, self._time_major_inputs)

    def initialize(self, name=None):
        with name_scope(name, "TrainingHelperInitialize"):
            finished = M.equal(0, self._sequence_length)
            return finished, self._read(0, M.reduce_all(finished))

    def sample(self, time, outputs, name=None, **unused):
        with name_scope(name, "TrainingHelperSample", [time, outputs]):
            return M.cast(M.argmax(outputs, axis=-1), "int32")

    def next_inputs(self, time, outputs, state, name=None, **unused):
        with name_scope(name, "TrainingHelperNextInputs", [time, outputs]):
            next_time = time + 1
            finished = M.greater_equal(next_time, self._sequence_length)
            return finished, self._read(next_time, M.reduce_all(finished)), state

    def _next_inputs_sampling(self, time, outputs, state, name, sampled_rows: Callable) -> tuple:
        """The teacher-forced next inputs with the rows `sampled_rows()` picks (a bool per row, and what they get)
        fed instead, until every row has finished."""
        finished, base, state = TrainingHelper.next_inputs(self, time, outputs, state, name=name)
        picked, sampled = sampled_rows()
        return finished, select_rows(M.logical_and(picked, M.logical_not(M.reduce_all(finished))), sampled,
                                     base), state

    def _decode_length(self):
        return M.maximum(M.reduce_max(A.concat([self._sequence_length, [0]], 0)), 0)


class ScheduledEmbeddingTrainingHelper(TrainingHelper):
    """Teacher forcing where each row, with probability sampling_probability, is fed instead the embedding of an
    id sampled from its outputs (scheduled sampling, Bengio et al. 2015)."""

    def __init__(self, inputs, sequence_length, embedding, sampling_probability, time_major: bool = False,
                 seed=None, scheduling_seed=None, name: str | None = None):
        with name_scope(name, "ScheduledEmbeddingSamplingWrapper", [embedding, sampling_probability]):
            self._embedding_fn = embedding_fn(embedding)
            self._sampling_probability = convert_to_tensor(sampling_probability, name="sampling_probability")
            if self._sampling_probability.shape.ndims not in (0, 1):
                raise ValueError(f"sampling_probability must be either a scalar or a vector. saw shape: "
                                 f"{self._sampling_probability.shape} ({self._sampling_probability.name})")
            self._seed, self._scheduling_seed = seed, scheduling_seed
            super().__init__(inputs, sequence_length, time_major, name)

    def initialize(self, name=None):
        return super().initialize(name=name)

    def sample(self, time, outputs, state, name=None):
        from ... import random_ops
        with name_scope(name, "ScheduledEmbeddingTrainingHelperSample", [time, outputs, state]):
            batch = self.batch_size
            draw = random_ops.random_uniform(A.stack([batch]) if isinstance(batch, Tensor) else [batch],
                                             seed=self._scheduling_seed)
            select = M.less(draw, M.cast(self._sampling_probability, draw.dtype))
            ids = M.cast(A.reshape(random_ops.multinomial(outputs, 1, seed=self._seed), [-1]), "int32")
            return M.where(select, ids, A.fill(A.stack([batch]) if isinstance(batch, Tensor) else [batch], -1))

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "ScheduledEmbeddingTrainingHelperNextInputs", [time, outputs, state, sample_ids]):
            return self._next_inputs_sampling(time, outputs, state, name, lambda: (
                M.greater(sample_ids, -1), self._embedding_fn(M.maximum(sample_ids, 0))))


class ScheduledOutputTrainingHelper(TrainingHelper):
    """Teacher forcing where each row, with probability sampling_probability, is fed instead the cell's outputs
    (passed through next_inputs_fn when given, concatenated with auxiliary_inputs when given)."""

    def __init__(self, inputs, sequence_length, sampling_probability, time_major: bool = False, seed=None,
                 next_inputs_fn=None, auxiliary_inputs=None, name: str | None = None):
        with name_scope(name, "ScheduledOutputTrainingHelper", [inputs, auxiliary_inputs, sampling_probability]):
            self._sampling_probability = convert_to_tensor(sampling_probability, name="sampling_probability")
            if self._sampling_probability.shape.ndims not in (0, 1):
                raise ValueError(f"sampling_probability must be either a scalar or a vector. saw shape: "
                                 f"{self._sampling_probability.shape} ({self._sampling_probability.name})")
            if auxiliary_inputs is None:
                maybe_concatenated = inputs
            else:
                inputs, auxiliary_inputs = convert_to_tensor(inputs), convert_to_tensor(auxiliary_inputs)
                maybe_concatenated = A.concat([inputs, auxiliary_inputs], -1)
                aux = auxiliary_inputs if time_major else transpose_batch_time(auxiliary_inputs)
                self._auxiliary = aux
            self._has_aux = auxiliary_inputs is not None
            self._seed, self._next_inputs_fn = seed, next_inputs_fn
            super().__init__(maybe_concatenated, sequence_length, time_major, name)

    def sample(self, time, outputs, state, name=None):
        from ... import random_ops
        with name_scope(name, "ScheduledOutputTrainingHelperSample", [time, outputs, state]):
            batch = self.batch_size
            draw = random_ops.random_uniform(A.stack([batch]) if isinstance(batch, Tensor) else [batch],
                                             seed=self._seed)
            return M.less(draw, M.cast(self._sampling_probability, draw.dtype))

    @property
    def sample_ids_dtype(self):
        from dfc.ir.dtypes import bool_
        return bool_

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with name_scope(name, "ScheduledOutputTrainingHelperNextInputs", [time, outputs, state, sample_ids]):
            def sampled_rows():
                sampled = outputs if self._next_inputs_fn is None else self._next_inputs_fn(outputs)
                if self._has_aux:
                    aux = self._auxiliary
                    last = (aux.shape.as_list()[0] or A.shape(aux)[0]) - 1
                    sampled = A.concat([sampled, A.gather(aux, M.minimum(time + 1, last))], -1)
                return sample_ids, sampled
            return self._next_inputs_sampling(time, outputs, state, name, sampled_rows)


class GreedyEmbeddingHelper(_ScalarIdsHelper):
    """Inference: each step feeds the embedding of the argmax of the outputs; a row finishes at end_token."""

    def __init__(self, embedding, start_tokens, end_token):
        self._embedding_fn = embedding_fn(embedding)
        self._start_tokens = _int32(start_tokens, "start_tokens")
        self._end_token = _int32(end_token, "end_token")
        if self._start_tokens.shape.ndims != 1:
            raise ValueError(f"start_tokens must be a vector, got {self._start_tokens.name} of shape "
                             f"{self._start_tokens.shape}")
        known = self._start_tokens.shape.as_list()[0]
        self._batch_size = known if known is not None else A.size(self._start_tokens)
        if self._end_token.shape.ndims != 0:
            raise ValueError(f"end_token must be a scalar, got {self._end_token.name} of shape "
                             f"{self._end_token.shape}")
        self._start_inputs = self._embedding_fn(self._start_tokens)


    def initialize(self, name=None):
        finished = M.equal(A.zeros_like(self._start_tokens), 1)
        return finished, self._start_inputs

    def _check_outputs(self, outputs) -> None:
        if not isinstance(outputs, Tensor):
            raise TypeError(f"Expected outputs to be a single Tensor, got: {type(outputs)}")

    def sample(self, time, outputs, state, name=None):
        self._check_outputs(outputs)
        return M.argmax(outputs, axis=-1, output_type="int32")

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        finished = M.equal(sample_ids, self._end_token)
        all_finished = M.reduce_all(finished)
        embedded = self._embedding_fn(sample_ids)
        start = self._start_inputs
        return finished, M.where(all_finished, start + A.zeros_like(embedded), embedded), state


class SampleEmbeddingHelper(GreedyEmbeddingHelper):
    """Inference that samples each step's id from softmax(outputs / softmax_temperature) instead of the argmax."""

    def __init__(self, embedding, start_tokens, end_token, softmax_temperature=None, seed=None):
        super().__init__(embedding, start_tokens, end_token)
        self._softmax_temperature = softmax_temperature
        self._seed = seed

    def sample(self, time, outputs, state, name=None):
        from ... import random_ops
        self._check_outputs(outputs)
        logits = outputs if self._softmax_temperature is None else outputs / self._softmax_temperature
        return M.cast(A.reshape(random_ops.multinomial(logits, 1, seed=self._seed), [-1]), "int32")


class InferenceHelper(Helper):
    """Inference over the user's functions: sample_fn(outputs) gives the samples, end_fn(samples) the finished
    rows, next_inputs_fn(samples) (else the samples themselves) the next inputs."""

    def __init__(self, sample_fn: Callable, sample_shape, sample_dtype, start_inputs, end_fn: Callable,
                 next_inputs_fn: Callable | None = None):
        from dfc.ir.dtypes import as_dtype
        self._sample_fn, self._end_fn, self._next_inputs_fn = sample_fn, end_fn, next_inputs_fn
        self._sample_shape = TensorShape(sample_shape)
        self._sample_dtype = as_dtype(sample_dtype)
        self._start_inputs = convert_to_tensor(start_inputs, name="start_inputs")
        known = self._start_inputs.shape.as_list()[0] if self._start_inputs.shape.ndims else None
        self._batch_size = known if known is not None else A.shape(self._start_inputs)[0]

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_dtype

    def initialize(self, name=None):
        batch = self._batch_size
        finished = A.fill([batch] if not isinstance(batch, Tensor) else A.stack([batch]), np.bool_(False))
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        return self._sample_fn(outputs)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        next_inputs = sample_ids if self._next_inputs_fn is None else self._next_inputs_fn(sample_ids)
        return self._end_fn(sample_ids), next_inputs, state
