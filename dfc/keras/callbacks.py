"""tf.keras.callbacks: Callback, History (what fit returns), EarlyStopping and LambdaCallback."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback"]


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
