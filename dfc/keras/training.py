"""Model.compile/fit/evaluate/predict and the *_on_batch calls with numpy data, as TF1's Keras runs them in a Session.

compile builds, once, a target and a sample-weight placeholder per output, the total loss (each
output's loss averaged over its elements, weighted by `loss_weights`, plus the model's `losses`),
the metric tensors and the train op (the optimizer's update and the layers' `updates`). fit feeds
mini-batches (shuffled with numpy's global generator, as Keras) with the learning phase on, and
reports each epoch's loss and metrics averaged over its samples in a History.
"""

from __future__ import annotations

import os

import time
from typing import Any

import numpy as np

from .. import array_ops as _array
from .. import math_ops as _math
from ..framework import name_scope
from . import backend as K
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from .callbacks import CallbackList, History

__all__ = ["TrainingMixin"]


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _batches(n: int, batch_size: int) -> list[tuple[int, int]]:
    return [(i, min(n, i + batch_size)) for i in range(0, n, batch_size)]


def _take(iterator, steps: int):
    """`steps` items of iterator (all of them when steps is -1)."""
    if steps < 0:
        yield from iterator
        return
    for _ in range(steps):
        yield next(iterator)


def _is_dataset(x) -> bool:
    from ..data.dataset_ops import Dataset
    return isinstance(x, Dataset)


def _is_generator(x) -> bool:
    """A keras Sequence, a generator or an iterator (ImageDataGenerator.flow's): the batches, not the data."""
    from .utils import Sequence
    return isinstance(x, Sequence) or (hasattr(x, "__next__") and not isinstance(x, (np.ndarray, list, tuple, dict)))


def _no_targets_with_generator(y) -> None:
    if y is not None:
        raise ValueError("`y` argument is not supported when data is a generator or Sequence instance. Instead pass "
                         "targets as the second element of the generator.")


class _DatasetBatches:
    """The (x, y[, sample_weight]) batches of a tf.data Dataset as numpy arrays, drawn with Keras's session:
    `steps` per pass, or (steps None) until the dataset ends, re-initialized for the next pass."""

    def __init__(self, dataset, steps):
        self.iterator = dataset.make_initializable_iterator()
        self.next_element = self.iterator.get_next()
        self.steps = steps
        self._ready = False

    def epoch(self):
        from ..errors import OutOfRangeError
        session = K.get_session()
        if self.steps is None or not self._ready:
            session.run(self.iterator.initializer)
            self._ready = True
        step = 0
        while self.steps is None or step < self.steps:
            try:
                batch = session.run(self.next_element)
            except OutOfRangeError:
                if self.steps is not None:
                    raise ValueError(f"The dataset ran out of data after {step} of steps={self.steps} steps; use "
                                     f"dataset.repeat() or fewer steps") from None
                return
            yield batch if isinstance(batch, (tuple, list)) else (batch,)
            step += 1


class TrainingMixin:
    """The training half of tf.keras.Model (graph mode, numpy inputs)."""

    def _init_training(self) -> None:
        self.optimizer = None
        self._compiled = False
        self._compile_args: dict | None = None
        self.history = None
        self.stop_training = False
        self.metrics_names = ["loss"]

    # ---- compile -----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, target_tensors=None, distribute=None, **kwargs) -> None:
        """Choose the optimizer, loss(es) and metrics; the training graph is built now (or at the first fit of a
        model whose input shape is not known yet)."""
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile`: {sorted(kwargs)}")
        self.optimizer = _optimizers.get(optimizer)
        self.loss = loss
        self._compile_args = {"loss": loss, "metrics": metrics or [], "loss_weights": loss_weights,
                              "target_tensors": target_tensors, "weighted_metrics": weighted_metrics or []}
        self._compiled = True
        if self._is_graph_network:
            self._build_training_graph()

    def _per_output(self, value, what: str) -> list:
        n = len(self.outputs)
        if isinstance(value, dict):
            for key in value:
                if key not in self.output_names:
                    raise ValueError(f"Unknown entry in {what} dictionary: \"{key}\". Only expected the following "
                                     f"keys: {self.output_names}")
            return [value.get(name) for name in self.output_names]
        if isinstance(value, (list, tuple)) and what != "metrics":
            if len(value) != n:
                raise ValueError(f"When passing a list as {what}, it should have one entry per model output. The "
                                 f"model has {n} outputs, but you passed {what}={value!r}")
            return list(value)
        return [value] * n

    def _metric_fn(self, metric, loss_fn) -> tuple[str, Any]:
        if metric in ("accuracy", "acc"):
            name = getattr(loss_fn, "__name__", getattr(getattr(loss_fn, "fn", None), "__name__", ""))
            if "sparse_categorical" in name:
                return "acc", _metrics.sparse_categorical_accuracy
            if "binary_crossentropy" in name:
                return "acc", _metrics.binary_accuracy
            return "acc", None  # settled by the output's shape below
        if metric in ("crossentropy", "ce"):
            return "ce", loss_fn
        fn = _metrics.get(metric)
        return getattr(fn, "__name__", type(fn).__name__), fn

    def _build_training_graph(self) -> None:
        args = self._compile_args
        if args["loss"] is None:
            raise ValueError("The model must be compiled with a loss (model.compile(optimizer, loss=...))")
        loss_fns = [_losses.get(x) for x in self._per_output(args["loss"], "loss")]
        weights = self._per_output(args["loss_weights"] if args["loss_weights"] is not None else 1.0, "loss_weights")
        def per_output(metrics) -> list:
            return self._per_output(metrics, "metrics") if isinstance(metrics, dict) else [metrics] * len(self.outputs)
        multi = len(self.outputs) > 1
        self._targets, self._sample_weights = [], []
        self._metric_tensors, names = [], ["loss"]
        total = None
        with name_scope("loss"):
            for i, (output, fn, weight) in enumerate(zip(self.outputs, loss_fns, weights)):
                out_name = self.output_names[i]
                given = args["target_tensors"]
                if given is not None:
                    target = _as_list(given)[i]
                else:
                    target = _array.placeholder(output.dtype, [None] * output.shape.ndims, name=f"{out_name}_target")
                # fit feeds the weights; where nothing does (an Estimator of the model), every sample weighs 1
                ones = _array.ones(_array.shape(output)[:1], dtype=output.dtype)
                sample_weight = _array.placeholder_with_default(ones, [None], name=f"{out_name}_sample_weights")
                self._targets.append(target)
                self._sample_weights.append(sample_weight)
                if fn is None:
                    continue
                with name_scope(f"{out_name}_loss"):
                    if isinstance(fn, _losses.Loss):
                        output_loss = fn(target, output, sample_weight=sample_weight)
                    else:
                        output_loss = _losses.compute_weighted_loss(fn(target, output), sample_weight)
                if multi:
                    self._metric_tensors.append(output_loss)
                    names.append(f"{out_name}_loss")
                term = output_loss if weight == 1.0 else weight * output_loss
                total = term if total is None else total + term
            regularization = self.losses
            if regularization:
                total = total + _math.add_n([_math.cast(x, total.dtype) for x in regularization])
        self.total_loss = total
        plain, weighted_metrics = per_output(args["metrics"]), per_output(args["weighted_metrics"])
        with name_scope("metrics"):  # `metrics` ignore the sample weights, `weighted_metrics` apply them (as TF)
            for i, output in enumerate(self.outputs):
                for weighted, metrics in ((False, plain[i]), (True, weighted_metrics[i])):
                    for metric in _as_list(metrics or []):
                        name, fn = self._metric_fn(metric, loss_fns[i])
                        if fn is None:
                            last = output.shape.as_list()[-1]
                            fn = _metrics.binary_accuracy if last == 1 else _metrics.categorical_accuracy
                        value = fn(self._targets[i], output)
                        weights = self._sample_weights[i] if weighted else None
                        self._metric_tensors.append(_losses.compute_weighted_loss(value, weights))
                        name = f"weighted_{name}" if weighted else name
                        names.append(f"{self.output_names[i]}_{name}" if multi else name)
        self.metrics_names = names
        with name_scope("training"):
            params = self.trainable_weights
            if isinstance(self.optimizer, _optimizers.Optimizer):
                updates = self.optimizer.get_updates(self.total_loss, params)
            else:
                updates = [self.optimizer.minimize(self.total_loss, var_list=params)]
            from ..variables import group
            self._train_op = group(*updates, *self.updates)
        self._graph_built = True

    # ---- data ---------------------------------------------------------------------------------
    def _ensure_built(self, x) -> None:
        if not self._is_graph_network and not self.inputs:
            arrays = self._standardize(x, None, "input")
            if hasattr(self, "_stack") and len(arrays) == 1:
                self.build((None,) + arrays[0].shape[1:])
            else:  # a subclassed model: called once on placeholders of the data's shapes, as TF's Keras does
                from .engine import Input
                holders = [Input(batch_shape=(None,) + a.shape[1:], dtype=K.floatx()) for a in arrays]
                outputs = self(holders[0] if len(holders) == 1 else holders)
                self.inputs, self.outputs = holders, _as_list(outputs)
                self.input_names = [h.op.name for h in holders]
                self.output_names = [f"output_{i + 1}" for i in range(len(self.outputs))]
        if self._compiled and not getattr(self, "_graph_built", False):
            self._build_training_graph()

    def _standardize(self, data, holders, what: str) -> list[np.ndarray]:
        names = self.input_names if what == "input" else getattr(self, "output_names", [])
        if isinstance(data, dict):
            missing = [n for n in names if n not in data]
            if missing:
                raise ValueError(f"No data provided for \"{missing[0]}\". Need data for each key in: {names}")
            data = [data[n] for n in names]
        arrays = [np.asarray(a) for a in _as_list(data)]
        if holders is not None:
            if len(arrays) != len(holders):
                raise ValueError(f"Error when checking model {what}: the list of Numpy arrays that you are passing to "
                                 f"your model is not the size the model expected. Expected to see {len(holders)} "
                                 f"array(s), but instead got {len(arrays)} array(s).")
            out = []
            for array, holder in zip(arrays, holders):
                rank = holder.shape.ndims
                if array.ndim == rank - 1:
                    array = array[..., None]
                dims = holder.shape.as_list()
                if rank is not None and (array.ndim != rank or any(d is not None and d != a for d, a in
                                                                   zip(dims[1:], array.shape[1:]))):
                    raise ValueError(f"Error when checking {what}: expected {holder.name.split(':')[0]} to have "
                                     + (f"shape {tuple(dims[1:])} but got array with shape {array.shape[1:]}"
                                        if array.ndim == rank else
                                        f"{rank} dimensions, but got array with shape {array.shape}"))
                out.append(array.astype(holder.dtype.np, copy=False))
            arrays = out
        lengths = {len(a) for a in arrays}
        if len(lengths) > 1:
            raise ValueError(f"All {what} arrays should have the same number of samples. Got array shapes: "
                             f"{[a.shape for a in arrays]}")
        return arrays

    @staticmethod
    def _check_samples(xs: list, ys: list) -> None:
        if xs and ys and len(xs[0]) != len(ys[0]):
            raise ValueError(f"Input arrays should have the same number of samples as target arrays. Found "
                             f"{len(xs[0])} input samples and {len(ys[0])} target samples.")

    def _sample_weight_arrays(self, n: int, sample_weight, class_weight, ys) -> list[np.ndarray]:
        out = []
        if sample_weight is not None and len(self._sample_weights) > 1:
            if isinstance(sample_weight, dict):
                sample_weight = [sample_weight.get(name) for name in self.output_names]
            elif not isinstance(sample_weight, (list, tuple)):
                raise TypeError(f"The model has multiple outputs, so `sample_weight` should be either a list or a "
                                f"dict. Provided `sample_weight` type not understood: {type(sample_weight).__name__}")
        for i, holder in enumerate(self._sample_weights):
            w = np.ones(n, holder.dtype.np)
            given = sample_weight[i] if isinstance(sample_weight, (list, tuple)) else sample_weight
            if given is not None:
                w = np.asarray(given, holder.dtype.np).reshape(-1)
                if len(w) != n:
                    raise ValueError(f"Found a sample_weight array with shape {np.shape(given)} for an input with "
                                     f"{n} samples (output {self.output_names[i]})")
            if class_weight is not None and ys is not None:
                y = ys[i]
                classes = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(n, -1)[:, 0]
                w = w * np.array([class_weight.get(int(c), 1.0) for c in classes], holder.dtype.np)
            out.append(w)
        return out

    def _feeds(self, xs, ys, ws, lo: int, hi: int, index, training: bool) -> dict:
        rows = index[lo:hi]
        feeds = {h: a[rows] for h, a in zip(self.inputs, xs)}
        if ys is not None:
            feeds.update({h: a[rows] for h, a in zip(self._targets, ys)})
            feeds.update({h: a[rows] for h, a in zip(self._sample_weights, ws)})
        phase = K._learning_phase_tensor(self.inputs[0].graph)
        if phase is not None:
            feeds[phase] = np.array(training)
        return feeds

    def _run_batches(self, fetches, xs, ys, ws, batch_size: int, index, training: bool, callbacks=None) -> list:
        """The sample-weighted means over the batches of `fetches` (the train op, when training, runs with them)."""
        session = K.get_session()
        n = len(index)
        totals = np.zeros(len(fetches))
        if training:
            fetches = fetches + [self._train_op]
        for step, (lo, hi) in enumerate(_batches(n, batch_size)):
            if callbacks is not None:
                callbacks.call("on_batch_begin", step, {"batch": step, "size": hi - lo})
            values = session.run(fetches, self._feeds(xs, ys, ws, lo, hi, index, training))
            totals += np.array([float(v) for v in values[:len(totals)]]) * (hi - lo)
            if callbacks is not None:
                logs = {"batch": step, "size": hi - lo}
                logs.update({k: float(v) for k, v in zip(self.metrics_names, values)})
                callbacks.call("on_batch_end", step, logs)
        return [float(v) for v in totals / max(n, 1)]

    # ---- fit / evaluate / predict ----------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs: int = 1, verbose: int = 1, callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch: int = 0, steps_per_epoch=None, validation_steps=None, validation_freq: int = 1,
            **kwargs) -> History:
        """Train for `epochs` passes over (x, y) in mini-batches of `batch_size` (32); returns the History."""
        if not self._compiled:
            raise RuntimeError("You must compile your model before training/testing. Use `model.compile(optimizer, "
                               "loss)`.")
        if _is_dataset(x):
            if y is not None:
                raise ValueError("`y` argument is not supported when using dataset as input.")
            return self._fit_batches(_DatasetBatches(x, steps_per_epoch), epochs, verbose, callbacks, validation_data,
                                     validation_steps, validation_freq, class_weight, initial_epoch)
        if _is_generator(x):  # TF1's fit passes a Sequence or generator to fit_generator
            _no_targets_with_generator(y)
            return self.fit_generator(x, steps_per_epoch, epochs, verbose, callbacks, validation_data,
                                      validation_steps, validation_freq, class_weight, shuffle=shuffle,
                                      initial_epoch=initial_epoch)
        if steps_per_epoch is not None:
            raise ValueError("steps_per_epoch needs dataset inputs; give numpy arrays and batch_size")
        self._ensure_built(x)
        batch_size = batch_size or 32
        xs = self._standardize(x, self.inputs, "input")
        ys = self._standardize(y, self._targets, "target")
        self._check_samples(xs, ys)
        ws = self._sample_weight_arrays(len(xs[0]), sample_weight, class_weight, ys)
        val = None
        if validation_data is not None:
            vx, vy = validation_data[0], validation_data[1]
            vw = validation_data[2] if len(validation_data) > 2 else None
            vxs, vys = self._standardize(vx, self.inputs, "input"), self._standardize(vy, self._targets, "target")
            val = (vxs, vys, self._sample_weight_arrays(len(vxs[0]), vw, None, vys))
        elif validation_split and 0.0 < validation_split < 1.0:
            split = int(len(xs[0]) * (1.0 - validation_split))
            val = ([a[split:] for a in xs], [a[split:] for a in ys], [a[split:] for a in ws])
            xs, ys, ws = [a[:split] for a in xs], [a[:split] for a in ys], [a[:split] for a in ws]
        n = len(xs[0])
        self.history = History()
        callback_list = CallbackList(list(callbacks or []) + [self.history], self,
                                     {"batch_size": batch_size, "epochs": epochs, "steps": None, "samples": n,
                                      "verbose": verbose, "do_validation": val is not None,
                                      "metrics": self.metrics_names + [f"val_{m}" for m in self.metrics_names]
                                      if val is not None else list(self.metrics_names)})
        fetches = [self.total_loss] + self._metric_tensors
        self.stop_training = False
        if verbose and val is not None:
            print(f"Train on {n} samples, validate on {len(val[0][0])} samples")
        elif verbose:
            print(f"Train on {n} samples")
        callback_list.call("on_train_begin", None)
        for epoch in range(initial_epoch, epochs):
            callback_list.call("on_epoch_begin", epoch, {})
            start = time.time()
            index = np.arange(n)
            if shuffle == "batch":
                batches = _batches(n, batch_size)
                order = np.random.permutation(len(batches))
                index = np.concatenate([index[batches[b][0]:batches[b][1]] for b in order])
            elif shuffle:
                np.random.shuffle(index)
            values = self._run_batches(fetches, xs, ys, ws, batch_size, index, True, callback_list)
            logs = dict(zip(self.metrics_names, values))
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_values = self._run_batches([self.total_loss] + self._metric_tensors, *val, batch_size,
                                               np.arange(len(val[0][0])), False)
                logs.update({f"val_{k}": v for k, v in zip(self.metrics_names, val_values)})
            if verbose:
                if verbose == 1:
                    print(f"Epoch {epoch + 1}/{epochs}")
                text = " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())
                print(f"{n}/{n} - {time.time() - start:.0f}s - {text}")
            callback_list.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        callback_list.call("on_train_end", None)
        return self.history

    def evaluate(self, x=None, y=None, batch_size=None, verbose: int = 1, sample_weight=None, steps=None,
                 callbacks=None, **kwargs):
        """The loss (and metrics) over (x, y), averaged over the samples: a scalar, or [loss, *metrics]."""
        if not self._compiled:
            raise RuntimeError("You must compile your model before training/testing. Use `model.compile(optimizer, "
                               "loss)`.")
        if _is_dataset(x):
            return self.evaluate_generator(_DatasetBatches(x, steps).epoch(), steps=steps if steps else -1)
        if _is_generator(x):
            _no_targets_with_generator(y)
            return self.evaluate_generator(x, steps=steps)
        self._ensure_built(x)
        xs = self._standardize(x, self.inputs, "input")
        ys = self._standardize(y, self._targets, "target")
        self._check_samples(xs, ys)
        ws = self._sample_weight_arrays(len(xs[0]), sample_weight, None, ys)
        values = self._run_batches([self.total_loss] + self._metric_tensors, xs, ys, ws, batch_size or 32,
                                   np.arange(len(xs[0])), False)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in zip(self.metrics_names, values)))
        values = [np.float32(v) for v in values]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose: int = 0, steps=None, callbacks=None, **kwargs):
        """The outputs for x, computed in batches of `batch_size` (32) with the learning phase off."""
        if _is_dataset(x):
            return self.predict_generator(_DatasetBatches(x, steps).epoch(), steps=steps if steps else -1)
        if _is_generator(x):
            return self.predict_generator(x, steps=steps)
        self._ensure_built(x)
        xs = self._standardize(x, self.inputs, "input")
        n = len(xs[0])
        session = K.get_session()
        parts: list[list[np.ndarray]] = [[] for _ in self.outputs]
        index = np.arange(n)
        for lo, hi in _batches(n, batch_size or 32):
            for part, value in zip(parts, session.run(self.outputs, self._feeds(xs, None, None, lo, hi, index,
                                                                                  False))):
                part.append(value)
        out = [np.concatenate(p) if p else np.zeros((0,)) for p in parts]
        return out[0] if len(out) == 1 else out

    def _on_batch(self, x, y, sample_weight, class_weight, training: bool):
        if not self._compiled:
            raise RuntimeError("You must compile your model before training/testing. Use `model.compile(optimizer, "
                               "loss)`.")
        self._ensure_built(x)
        xs = self._standardize(x, self.inputs, "input")
        ys = self._standardize(y, self._targets, "target")
        self._check_samples(xs, ys)
        ws = self._sample_weight_arrays(len(xs[0]), sample_weight, class_weight, ys)
        fetches = [self.total_loss] + self._metric_tensors + ([self._train_op] if training else [])
        index = np.arange(len(xs[0]))
        values = K.get_session().run(fetches, self._feeds(xs, ys, ws, 0, len(index), index, training))
        values = [np.float32(v) for v in values[:len(self.metrics_names)]]
        return values[0] if len(values) == 1 else values

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics: bool = True):
        """One update on the batch (x, y); returns its loss (and metrics) before the update."""
        return self._on_batch(x, y, sample_weight, class_weight, True)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics: bool = True):
        return self._on_batch(x, y, sample_weight, None, False)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=len(self._standardize(x, None, "input")[0]) or 1)

    # ---- generators ------------------------------------------------------------------------------
    def fit_generator(self, generator, steps_per_epoch=None, epochs: int = 1, verbose: int = 1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq: int = 1, class_weight=None,
                      max_queue_size: int = 10, workers: int = 1, use_multiprocessing: bool = False,
                      shuffle: bool = True, initial_epoch: int = 0) -> History:
        """Train on the (x, y[, sample_weight]) batches `generator` yields, steps_per_epoch of them per epoch."""
        if steps_per_epoch is None:
            steps_per_epoch = len(generator) if hasattr(generator, "__len__") else None
        if steps_per_epoch is None:
            raise ValueError("`steps_per_epoch=None` is only valid for a generator based on the `keras.utils.Sequence`"
                             " class. Please specify `steps_per_epoch` or use the `keras.utils.Sequence` class.")
        from .utils import Sequence
        if isinstance(generator, Sequence):  # by index: shuffled order per epoch if asked, on_epoch_end after
            class _Steps:
                def epoch(self):
                    order = np.random.permutation(len(generator)) if shuffle else np.arange(len(generator))
                    for i in order[:steps_per_epoch]:
                        yield generator[int(i)]
                    generator.on_epoch_end()
        else:
            iterator = iter(generator) if not hasattr(generator, "__next__") else generator

            class _Steps:
                def epoch(self):
                    for _ in range(steps_per_epoch):
                        yield next(iterator)
        return self._fit_batches(_Steps(), epochs, verbose, callbacks, validation_data, validation_steps,
                                 validation_freq, class_weight, initial_epoch)

    def _fit_batches(self, source, epochs, verbose, callbacks, validation_data, validation_steps, validation_freq,
                     class_weight, initial_epoch) -> History:
        """fit over the batches each `source.epoch()` yields: train_on_batch each, the epoch's means logged."""
        if not self._compiled:
            raise RuntimeError("You must compile your model before training/testing. Use `model.compile(optimizer, "
                               "loss)`.")
        self.history = History()
        callback_list = CallbackList(list(callbacks or []) + [self.history], self,
                                     {"epochs": epochs, "verbose": verbose,
                                      "do_validation": validation_data is not None, "metrics": self.metrics_names})
        callback_list.call("on_train_begin", None)
        self.stop_training = False
        for epoch in range(initial_epoch, epochs):
            callback_list.call("on_epoch_begin", epoch, {})
            totals, count = None, 0
            for step, batch in enumerate(source.epoch()):
                x, y = batch[0], batch[1]
                w = batch[2] if len(batch) > 2 else None
                values = np.atleast_1d(self.train_on_batch(x, y, sample_weight=w, class_weight=class_weight))
                n = len(_as_list(x)[0])
                totals = values * n if totals is None else totals + values * n
                count += n
                callback_list.call("on_batch_end", step, dict(zip(self.metrics_names, map(float, values))))
            logs = {k: float(v) for k, v in zip(self.metrics_names, totals / max(count, 1))}
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                if isinstance(validation_data, tuple):
                    val = np.atleast_1d(self.evaluate(*validation_data, verbose=0))
                elif _is_dataset(validation_data):
                    val = np.atleast_1d(self.evaluate(validation_data, steps=validation_steps, verbose=0))
                else:
                    val = np.atleast_1d(self.evaluate_generator(validation_data, validation_steps))
                logs.update({f"val_{k}": float(v) for k, v in zip(self.metrics_names, val)})
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
            callback_list.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        callback_list.call("on_train_end", None)
        return self.history

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size: int = 10, workers: int = 1,
                           use_multiprocessing: bool = False, verbose: int = 0):
        """The loss (and metrics) over `steps` batches of `generator`, averaged over their samples."""
        steps = steps if steps is not None else len(generator)
        iterator = iter(generator) if not hasattr(generator, "__next__") else generator
        totals, count = None, 0
        for batch in _take(iterator, steps):
            values = np.atleast_1d(self.test_on_batch(batch[0], batch[1],
                                                      sample_weight=batch[2] if len(batch) > 2 else None))
            n = len(_as_list(batch[0])[0])
            totals = values * n if totals is None else totals + values * n
            count += n
        out = [np.float32(v) for v in totals / max(count, 1)]
        return out[0] if len(out) == 1 else out

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size: int = 10, workers: int = 1,
                          use_multiprocessing: bool = False, verbose: int = 0):
        """The outputs for `steps` batches of `generator` (each an x, or an (x, ...) tuple), concatenated."""
        steps = steps if steps is not None else len(generator)
        iterator = iter(generator) if not hasattr(generator, "__next__") else generator
        parts = []
        for batch in _take(iterator, steps):
            x = batch[0] if isinstance(batch, tuple) else batch
            parts.append(_as_list(self.predict_on_batch(x)))
        out = [np.concatenate(p) for p in zip(*parts)]
        return out[0] if len(out) == 1 else out

    # ---- weights on disk ---------------------------------------------------------------------------
    def _checkpoint_map(self) -> dict:
        """Each weight under a key of its layer's position among the layers with weights (as Keras's TF format),
        so that another instance of the same architecture, differently named, loads it."""
        mapping, i = {}, 0
        for layer in self.layers:
            if not layer.weights:
                continue
            for j, w in enumerate(layer.weights):
                short = w.op.name.rsplit("/", 1)[-1]
                mapping[f"layer_with_weights-{i}/{j}_{short}/.ATTRIBUTES/VARIABLE_VALUE"] = w
            i += 1
        return mapping

    def save_weights(self, filepath: str, overwrite: bool = True, save_format=None) -> None:
        """Write the model's weights: HDF5 (TF's Keras layout) for a path ending .h5/.hdf5/.keras or
        save_format='h5', else a TF checkpoint at the `filepath` prefix."""
        if save_format in ("h5", "hdf5", "keras") or str(filepath).endswith((".h5", ".keras", ".hdf5")):
            from .hdf5_format import save_weights_to_hdf5
            save_weights_to_hdf5(self, filepath, overwrite)
            return
        if save_format not in (None, "tf"):
            raise ValueError(f"Unknown format \"{save_format}\". Was expecting one of {{\"tf\", \"h5\"}}.")
        from ..saver import Saver
        os.makedirs(os.path.dirname(os.path.abspath(str(filepath))), exist_ok=True)  # as Keras: the folder is made
        Saver(var_list=self._checkpoint_map()).save(K.get_session(), str(filepath), write_meta_graph=False)

    def load_weights(self, filepath: str, by_name: bool = False, skip_mismatch: bool = False):
        """Read weights saved by save_weights (or a whole-model HDF5 file's): HDF5 by position, or by layer name
        with by_name (skip_mismatch: layers whose weights differ in count or shape are skipped with a warning);
        a TF checkpoint by the position of the layers with weights."""
        from .hdf5_format import _h5py
        path = str(filepath)
        if path.endswith((".h5", ".keras", ".hdf5")) or (os.path.isfile(path) and _h5py().is_hdf5(path)):
            from .hdf5_format import load_weights_from_hdf5
            load_weights_from_hdf5(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)
            return
        if by_name:
            raise NotImplementedError("Weights may only be loaded based on topology into Models when loading "
                                      "TensorFlow-formatted weights (got by_name=True to load_weights).")
        from ..saver import Saver
        Saver(var_list=self._checkpoint_map()).restore(K.get_session(), path)
