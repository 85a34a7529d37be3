"""tf.keras.callbacks: Callback, History (what fit returns), EarlyStopping, ModelCheckpoint, LearningRateScheduler,
ReduceLROnPlateau, CSVLogger, TensorBoard (epoch scalars) and LambdaCallback."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau", "TensorBoard"]


class Callback:
    """Hooks fit calls: on_train_begin/end, on_epoch_begin/end(epoch, logs), on_batch_begin/end(batch, logs)."""

    def __init__(self):
        self.model: Any = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...

    def on_train_end(self, logs=None): ...

    def on_epoch_begin(self, epoch, logs=None): ...

    def on_epoch_end(self, epoch, logs=None): ...

    def on_batch_begin(self, batch, logs=None): ...

    def on_batch_end(self, batch, logs=None): ...

    on_train_batch_begin = on_batch_begin
    on_train_batch_end = on_batch_end


class CallbackList:
    def __init__(self, callbacks: list, model, params: dict):
        self.callbacks = callbacks
        for c in callbacks:
            c.set_model(model)
            c.set_params(params)

    def call(self, hook: str, *args) -> None:
        for c in self.callbacks:
            getattr(c, hook)(*args)


class History(Callback):
    """history: each metric's value per epoch; epoch: the epochs run."""

    def on_train_begin(self, logs=None):
        self.epoch: list[int] = []
        self.history: dict[str, list] = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by min_delta for `patience` epochs."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline=None, restore_best_weights: bool = False):
        super().__init__()
        self.monitor, self.patience, self.verbose, self.baseline = monitor, patience, verbose, baseline
        self.restore_best_weights = restore_best_weights
        if mode not in ("auto", "min", "max"):
            mode = "auto"
        if mode == "min" or mode == "auto" and "acc" not in monitor:
            self.monitor_op, self.min_delta = np.less, -abs(min_delta)
        else:
            self.monitor_op, self.min_delta = np.greater, abs(min_delta)

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch = 0, 0
        self.best = self.baseline if self.baseline is not None else (np.inf if self.monitor_op is np.less
                                                                     else -np.inf)
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best, self.wait = current, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights and self.best_weights is not None:
                    self.model.set_weights(self.best_weights)


class LambdaCallback(Callback):
    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_batch_begin", on_batch_begin), ("on_batch_end", on_batch_end),
                         ("on_train_begin", on_train_begin), ("on_train_end", on_train_end)):
            if fn is not None:
                setattr(self, name, fn)


def _improved(mode: str, monitor: str):
    """np.less or np.greater: which way `monitor` improves (mode 'auto': accuracies up, the rest down)."""
    if mode == "max" or mode == "auto" and ("acc" in monitor or monitor.startswith("fmeasure")):
        return np.greater
    return np.less


class ModelCheckpoint(Callback):
    """Save the model (an HDF5 file, as TF 1's Keras) or its weights (HDF5 for a .h5/.hdf5/.keras path, else a TF
    checkpoint) to filepath formatted with the epoch and the logs ('weights.{epoch:02d}-{val_loss:.2f}.hdf5'),
    every `period` epochs or, with save_best_only, when `monitor` improves."""

    def __init__(self, filepath: str, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", period: int = 1, save_freq="epoch", **kwargs):
        super().__init__()
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only, self.period = save_best_only, save_weights_only, period
        self.monitor_op = _improved(mode, monitor)
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self._since_last = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._since_last += 1
        if self._since_last < self.period:
            return
        self._since_last = 0
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                import warnings
                warnings.warn(f"Can save best model only with {self.monitor} available, skipping.", stacklevel=2)
                return
            if not self.monitor_op(current, self.best):
                return
            if self.verbose:
                print(f"Epoch {epoch + 1:05d}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, saving "
                      f"model to {path}")
            self.best = current
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate to schedule(epoch) (or schedule(epoch, lr)) before each epoch."""

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        from . import backend as K
        if not hasattr(self.model.optimizer, "lr"):
            raise ValueError('Optimizer must have a "lr" attribute.')
        try:
            lr = self.schedule(epoch, float(K.get_value(self.model.optimizer.lr)))
        except TypeError:  # a schedule of the epoch alone
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.floating, int)):
            raise ValueError('The output of the "schedule" function should be float.')
        K.set_value(self.model.optimizer.lr, lr)
        if self.verbose:
            print(f"\nEpoch {epoch + 1:05d}: LearningRateScheduler reducing learning rate to {lr}.")


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` has not improved for `patience` epochs."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0, **kwargs):
        super().__init__()
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0.")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.monitor_op = _improved(mode, monitor)

    def on_train_begin(self, logs=None):
        self.wait = self.cooldown_counter = 0
        self.best = np.inf if self.monitor_op is np.less else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        from . import backend as K
        logs = logs or {}
        logs["lr"] = float(K.get_value(self.model.optimizer.lr))
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        delta = -self.min_delta if self.monitor_op is np.less else self.min_delta
        if self.monitor_op(current, self.best + delta):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(K.get_value(self.model.optimizer.lr))
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    K.set_value(self.model.optimizer.lr, new)
                    if self.verbose:
                        print(f"\nEpoch {epoch + 1:05d}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """Append each epoch's logs as a row of a CSV file (a header row first)."""

    def __init__(self, filename: str, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename, self.sep, self.append = str(filename), separator, append
        self._keys: list[str] | None = None

    def on_train_begin(self, logs=None):
        import os
        self._has_header = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w")  # noqa: SIM115 - open for the whole fit

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            if not self._has_header:
                self._file.write(self.sep.join(["epoch"] + self._keys) + "\n")
        self._file.write(self.sep.join([str(epoch)] + [str(logs.get(k, "NA")) for k in self._keys]) + "\n")
        self._file.flush()

    def on_train_end(self, logs=None):
        self._file.close()


class TensorBoard(Callback):
    """Write each epoch's logs as scalar summaries to an event file in log_dir (and the graph, if asked)."""

    def __init__(self, log_dir: str = "./logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, update_freq="epoch", **kwargs):
        super().__init__()
        self.log_dir, self.write_graph = str(log_dir), write_graph
        self.writer = None

    def on_train_begin(self, logs=None):
        from ..graph import get_default_graph
        from ..summary import FileWriter
        self.writer = FileWriter(self.log_dir, graph=get_default_graph() if self.write_graph else None)

    def on_epoch_end(self, epoch, logs=None):
        from ..summary import SummaryProto
        summary = SummaryProto()
        for name, value in (logs or {}).items():
            summary.value.add(tag=name, simple_value=float(value))
        self.writer.add_summary(summary, epoch)
        self.writer.flush()

    def on_train_end(self, logs=None):
        self.writer.close()
