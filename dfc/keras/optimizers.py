"""tf.keras.optimizers: SGD (momentum, nesterov), Adam (amsgrad), RMSprop, Adagrad, Adadelta with Keras's update
rules, defaults and state (hyperparameters and `iterations` as variables), over tf.train.Optimizer's machinery.

Each also works as a tf.train optimizer (`minimize(loss, var_list=...)`) and gives Keras's
`get_updates(loss, params)`; `lr` / `learning_rate` is a variable that tf.keras.backend.set_value changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import math_ops as _math
from ..clip_ops import clip_by_norm, clip_by_value
from ..framework import Tensor, convert_to_tensor
from ..optimizer import Optimizer as _TFOptimizer
from ..variables import Variable, constant_initializer

__all__ = ["Adadelta", "Adagrad", "Adam", "Optimizer", "RMSprop", "SGD", "deserialize", "get", "serialize"]


class Optimizer(_TFOptimizer):
    """Keras's optimizer base: hyperparameters as variables made on first use, iterations, clipnorm/clipvalue."""

    _HYPER: tuple[str, ...] = ()

    def __init__(self, name: str, **kwargs):
        allowed = {"clipnorm", "clipvalue", "lr", "decay"}
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(f"Unexpected keyword argument passed to optimizer: {sorted(unknown)[0]}")
        super().__init__(False, name)
        self._hyper_values: dict[str, Any] = {"decay": float(kwargs.get("decay", 0.0))}
        self._hyper_vars: dict[str, Variable] = {}
        self.clipnorm, self.clipvalue = kwargs.get("clipnorm"), kwargs.get("clipvalue")
        self._iterations: Variable | None = None

    def _set_hyper(self, name: str, value) -> None:
        self._hyper_values[name] = value

    def _hyper_var(self, name: str) -> Variable:
        if name not in self._hyper_vars:
            value = self._hyper_values[name]
            if isinstance(value, (Tensor, Variable)):
                return value
            self._hyper_vars[name] = Variable(float(value), trainable=False, name=f"{self._name}/{name}",
                                              dtype="float32")
        return self._hyper_vars[name]

    def __getattr__(self, name: str):
        values = self.__dict__.get("_hyper_values", {})
        if name == "lr":
            name = "learning_rate"
        if name in values:
            return self._hyper_var(name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        values = self.__dict__.get("_hyper_values")
        key = "learning_rate" if name == "lr" else name
        if values is not None and key in values and key in self._HYPER + ("decay",):
            if key in self._hyper_vars:
                from . import backend as K
                K.set_value(self._hyper_vars[key], value)
            else:
                values[key] = value
            return
        super().__setattr__(name, value)

    @property
    def iterations(self) -> Variable:
        if self._iterations is None:
            self._iterations = Variable(0, trainable=False, name=f"{self._name}/iter", dtype="int64")
        return self._iterations

    # ---- tf.train.Optimizer's hooks ------------------------------------------------------------
    def _create_slots(self, var_list: list[Variable]) -> None:
        for name in self._HYPER + ("decay",):
            self._hyper_var(name)
        _ = self.iterations
        for var in var_list:
            self._make_slots(var)

    def _make_slots(self, var: Variable) -> None:
        pass

    def _slot_of(self, var: Variable, slot: str, initial: float = 0.0) -> Variable:
        return self._slot(var, slot, constant_initializer(initial), op_name=slot)

    def _lr(self, var: Variable) -> Tensor:
        lr = self._as(convert_to_tensor(self._hyper_var("learning_rate")), var)
        if self._hyper_values["decay"] > 0:
            step = _math.cast(convert_to_tensor(self.iterations), var.dtype)
            lr = lr * (1.0 / (1.0 + self._as(convert_to_tensor(self._hyper_var("decay")), var) * step))
        return lr

    def _h(self, name: str, var: Variable) -> Tensor:
        return self._as(convert_to_tensor(self._hyper_var(name)), var)

    def _apply_dense(self, grad: Tensor, var: Variable):
        """The optimizer's update, then the variable's constraint (Keras's projection) applied to the new value."""
        update = self._update(grad, var)
        constraint = getattr(var, "constraint", None)
        if constraint is None:
            return update
        from ..framework import control_dependencies
        with control_dependencies([update]):
            return var.assign(constraint(var.read_value()))

    def _update(self, grad: Tensor, var: Variable):
        raise NotImplementedError(f"{type(self).__name__} does not define _update")

    def _finish(self, update_ops: list) -> list:
        return [self.iterations.assign_add(convert_to_tensor(1, dtype="int64"))]

    def compute_gradients(self, loss, var_list=None, **kwargs):
        loss = loss() if callable(loss) else loss  # Keras's minimize takes the loss as a callable
        var_list = var_list() if callable(var_list) else var_list
        pairs = super().compute_gradients(loss, var_list=var_list, **kwargs)
        return [(self._clip(g), v) for g, v in pairs]

    def _clip(self, g):
        if g is None:
            return g
        if self.clipnorm is not None:
            g = clip_by_norm(g, self.clipnorm)
        if self.clipvalue is not None:
            g = clip_by_value(g, -self.clipvalue, self.clipvalue)
        return g

    # ---- Keras's interface ---------------------------------------------------------------------
    def get_gradients(self, loss, params) -> list:
        from ..gradients_impl import gradients
        grads = gradients(loss, params)
        if any(g is None for g in grads):
            raise ValueError("An operation has `None` for gradient. Please make sure that all of your ops have a "
                             "gradient defined (i.e. are differentiable).")
        return [self._clip(g) for g in grads]

    def get_updates(self, loss, params) -> list:
        return [self.apply_gradients(list(zip(self.get_gradients(loss, params), params)))]

    #: the constructor's arguments that are plain attributes (not hyperparameter variables), in TF's config order
    _CONFIG_ATTRS: tuple[str, ...] = ()

    def get_config(self) -> dict:
        """name, the hyperparameters (their current values: a learning rate set since is saved as set), decay, the
        other arguments, and clipnorm/clipvalue when given: what TF's Keras writes in a model file."""
        from . import backend as K
        config: dict[str, Any] = {"name": self._name}
        for key in ("learning_rate", "decay") + tuple(k for k in self._HYPER if k != "learning_rate"):
            value = self._hyper_values[key]
            if key in self._hyper_vars:
                value = float(K.get_value(self._hyper_vars[key]))
            if not isinstance(value, (Tensor, Variable)):
                config[key] = float(value)
        for key in self._CONFIG_ATTRS:
            config[key] = getattr(self, key)
        for key in ("clipnorm", "clipvalue"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        return cls(**config)

    @property
    def weights(self) -> list[Variable]:
        """The optimizer's state as TF's Keras orders it: `iterations`, then each slot (m, v, ...) of every
        variable in turn; empty until the updates are made."""
        if self._iterations is None:
            return []
        return [self._iterations] + [slot for slots in self._slots.values() for slot in slots.values()]

    def set_weights(self, weights) -> None:
        """Set the state (in the order of `weights`) from a list of arrays: TF's ValueError on a count or shape
        that differs."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"Length of the specified weight list ({len(weights)}) does not match the number of "
                             f"weights of the optimizer ({len(params)})")
        pairs = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(p.shape.as_list()) != w.shape:
                raise ValueError(f"Optimizer weight shape {tuple(p.shape.as_list())} not compatible with provided "
                                 f"weight shape {w.shape} (weight {p.name})")
            pairs.append((p, w))
        from . import backend as K
        K.batch_set_value(pairs)

    def variables(self) -> list[Variable]:
        return ([self._iterations] if self._iterations is not None else []) + list(self._hyper_vars.values()) + \
            super().variables()

    def get_weights(self) -> list:
        from . import backend as K
        return K.batch_get_value(self.weights)


class SGD(Optimizer):
    """var -= lr * g; with momentum, v = momentum * v - lr * g and var += v (nesterov: += momentum * v - lr * g)."""

    _HYPER = ("learning_rate", "momentum")
    _CONFIG_ATTRS = ("nesterov",)

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False, name: str = "SGD",
                 **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        if not isinstance(momentum, (Tensor, Variable)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")
        self._set_hyper("momentum", momentum)
        self._momentum = isinstance(momentum, (Tensor, Variable)) or momentum > 0
        self.nesterov = nesterov

    def _make_slots(self, var: Variable) -> None:
        if self._momentum:
            self._slot_of(var, "momentum")

    def _update(self, grad: Tensor, var: Variable):
        lr = self._lr(var)
        if not self._momentum:
            return var.assign_sub(lr * grad)
        accum = self.get_slot(var, "momentum")
        momentum = self._h("momentum", var)
        new_accum = accum.assign(momentum * accum - lr * grad)
        if self.nesterov:
            return var.assign_add(momentum * new_accum - lr * grad)
        return var.assign_add(new_accum)


class Adam(Optimizer):
    """m, v moving moments; var -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)."""

    _HYPER = ("learning_rate", "beta_1", "beta_2")
    _CONFIG_ATTRS = ("epsilon", "amsgrad")
    _SPARSE_UPDATES_EVERY_ROW = True  # Keras's sparse Adam scales all of m and v, then adds the rows

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, name: str = "Adam", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon if epsilon is not None else 1e-7
        self.amsgrad = amsgrad

    def _make_slots(self, var: Variable) -> None:
        self._slot_of(var, "m")
        self._slot_of(var, "v")
        if self.amsgrad:
            self._slot_of(var, "vhat")

    def _update(self, grad: Tensor, var: Variable):
        lr = self._lr(var)
        b1, b2 = self._h("beta_1", var), self._h("beta_2", var)
        step = _math.cast(convert_to_tensor(self.iterations) + 1, var.dtype)
        lr_t = lr * _math.sqrt(1.0 - _math.pow(b2, step)) / (1.0 - _math.pow(b1, step))
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = m.assign(b1 * m + (1.0 - b1) * grad)
        v_t = v.assign(b2 * v + (1.0 - b2) * _math.square(grad))
        if self.amsgrad:
            vhat = self.get_slot(var, "vhat")
            v_t = vhat.assign(_math.maximum(vhat, v_t))
        return var.assign_sub(lr_t * m_t / (_math.sqrt(v_t) + self.epsilon))


class RMSprop(Optimizer):
    """ms = rho * ms + (1 - rho) g^2; var -= lr * g / (sqrt(ms) + epsilon) (with momentum: TF's ApplyRMSProp)."""

    _HYPER = ("learning_rate", "rho", "momentum")
    _CONFIG_ATTRS = ("epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, name: str = "RMSprop", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("rho", rho)
        self._set_hyper("momentum", momentum)
        self._momentum = isinstance(momentum, (Tensor, Variable)) or momentum > 0
        self.epsilon = epsilon if epsilon is not None else 1e-7
        self.centered = centered
        # Keras's sparse update without momentum scales all of rms (and mg), then adds the rows; with momentum
        # it is TF's sparse RMSProp kernel, over the gradient's rows only
        self._SPARSE_UPDATES_EVERY_ROW = not self._momentum

    def _make_slots(self, var: Variable) -> None:
        self._slot_of(var, "rms")
        if self._momentum:
            self._slot_of(var, "momentum")
        if self.centered:
            self._slot_of(var, "mg")

    def _update(self, grad: Tensor, var: Variable):
        lr, rho = self._lr(var), self._h("rho", var)
        rms = self.get_slot(var, "rms")
        rms_t = rms.assign(rho * rms + (1.0 - rho) * _math.square(grad))
        denom = rms_t
        if self.centered:
            mg = self.get_slot(var, "mg")
            mg_t = mg.assign(rho * mg + (1.0 - rho) * grad)
            denom = rms_t - _math.square(mg_t)
        if self._momentum:
            mom = self.get_slot(var, "momentum")
            mom_t = mom.assign(self._h("momentum", var) * mom + lr * grad / _math.sqrt(denom + self.epsilon))
            return var.assign_sub(mom_t)
        return var.assign_sub(lr * grad / (_math.sqrt(denom) + self.epsilon))


class Adagrad(Optimizer):
    """acc += g^2; var -= lr * g / (sqrt(acc) + epsilon); acc starts at initial_accumulator_value."""

    _HYPER = ("learning_rate",)
    _CONFIG_ATTRS = ("initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 name: str = "Adagrad", **kwargs):
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value must be non-negative: {initial_accumulator_value}")
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon if epsilon is not None else 1e-7

    def _make_slots(self, var: Variable) -> None:
        self._slot_of(var, "accumulator", self.initial_accumulator_value)

    def _update(self, grad: Tensor, var: Variable):
        acc = self.get_slot(var, "accumulator")
        acc_t = acc.assign_add(_math.square(grad))
        return var.assign_sub(self._lr(var) * grad / (_math.sqrt(acc_t) + self.epsilon))


class Adadelta(Optimizer):
    """TF's ApplyAdadelta: accumulated squared gradients and updates, each decayed by rho."""

    _HYPER = ("learning_rate", "rho")
    _CONFIG_ATTRS = ("epsilon",)

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7, name: str = "Adadelta",
                 **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("rho", rho)
        self.epsilon = epsilon if epsilon is not None else 1e-7

    def _make_slots(self, var: Variable) -> None:
        self._slot_of(var, "accum_grad")
        self._slot_of(var, "accum_var")

    def _update(self, grad: Tensor, var: Variable):
        rho = self._h("rho", var)
        accum, accum_update = self.get_slot(var, "accum_grad"), self.get_slot(var, "accum_var")
        accum_t = accum.assign(rho * accum + (1.0 - rho) * _math.square(grad))
        update = _math.sqrt(accum_update + self.epsilon) / _math.sqrt(accum_t + self.epsilon) * grad
        from ..variables import group
        return group(accum_update.assign(rho * accum_update + (1.0 - rho) * _math.square(update)),
                     var.assign_sub(self._lr(var) * update))


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta}


def serialize(optimizer) -> dict:
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None):
    from .utils import custom_objects_in_scope
    name = config if isinstance(config, str) else config["class_name"]
    kwargs = {} if isinstance(config, str) else dict(config.get("config", {}))
    custom = {**custom_objects_in_scope(), **(custom_objects or {})}
    if name in custom:
        cls = custom[name]
        return cls.from_config(kwargs) if hasattr(cls, "from_config") else cls(**kwargs)
    if name.lower() not in _BY_NAME:
        raise ValueError(f"Unknown optimizer: {name}")
    return _BY_NAME[name.lower()].from_config(kwargs)


def get(identifier):
    """A Keras optimizer for a name ('adam'), a config, or an optimizer (Keras's or tf.train's, as given)."""
    if isinstance(identifier, _TFOptimizer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
