"""TF1's other optimizers (Adadelta, FTRL, proximal gradient descent and Adagrad, Adagrad dual averaging)
and tf.train.ExponentialMovingAverage.

Each update is the formula of TF1's dense training kernel (ApplyAdadelta, ApplyFtrl/ApplyFtrlV2,
ApplyProximalGradientDescent, ApplyProximalAdagrad, ApplyAdagradDA), written with the DSL's ops
over the optimizer's slot variables, named and initialized as TF1 names and initializes them.
"""

from __future__ import annotations

from .framework import Tensor, convert_to_tensor, get_default_graph, name_scope
from .math_ops import abs, cast, maximum, minimum, pow, rsqrt, sign, sqrt, square
from .optimizer import Optimizer
from .variables import Variable, constant_initializer, group

__all__ = ["AdadeltaOptimizer", "AdagradDAOptimizer", "ExponentialMovingAverage", "FtrlOptimizer",
           "ProximalAdagradOptimizer", "ProximalGradientDescentOptimizer"]


def _proximal(prox_v: Tensor, lr: Tensor, l1: Tensor, l2: Tensor, has_l1: bool) -> Tensor:
    """The proximal step of an l1/l2-regularized update: soft-threshold by lr*l1, shrink by 1 + lr*l2."""
    if has_l1:
        return sign(prox_v) * maximum(abs(prox_v) - lr * l1, 0.0) / (1.0 + lr * l2)
    return prox_v / (1.0 + lr * l2)


class AdadeltaOptimizer(Optimizer):
    """accum = rho*accum + (1-rho)*g^2; update = sqrt(accum_update + eps) / sqrt(accum + eps) * g;
    accum_update = rho*accum_update + (1-rho)*update^2; var -= lr * update."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking: bool = False,
                 name: str = "Adadelta"):
        super().__init__(use_locking, name)
        self._learning_rate, self._rho, self._epsilon = learning_rate, rho, epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum")
            self._zeros_slot(v, "accum_update")

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "lr")
        self._rho_t = self._hyper(self._rho, "rho")
        self._eps = self._hyper(self._epsilon, "epsilon")

    def _apply_dense(self, grad, var):
        lr, rho, eps = (self._as(t, var) for t in (self._lr, self._rho_t, self._eps))
        accum, accum_update = self.get_slot(var, "accum"), self.get_slot(var, "accum_update")
        accum_t = accum.assign(accum * rho + square(grad) * (1.0 - rho), use_locking=self._use_locking)
        update = sqrt(accum_update + eps) * rsqrt(accum_t + eps) * grad
        accum_update_t = accum_update.assign(accum_update * rho + square(update) * (1.0 - rho),
                                             use_locking=self._use_locking)
        return group(var.assign_sub(update * lr, use_locking=self._use_locking), accum_t, accum_update_t)


class ProximalGradientDescentOptimizer(Optimizer):
    """prox_v = var - lr*g; var = sign(prox_v) * max(|prox_v| - lr*l1, 0) / (1 + lr*l2)."""

    def __init__(self, learning_rate, l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking: bool = False, name: str = "ProximalGradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate, self._l1, self._l2 = learning_rate, l1_regularization_strength, l2_regularization_strength

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")
        self._l1_t = self._hyper(self._l1, "l1_regularization_strength")
        self._l2_t = self._hyper(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        lr, l1, l2 = (self._as(t, var) for t in (self._lr, self._l1_t, self._l2_t))
        has_l1 = not (isinstance(self._l1, (int, float)) and self._l1 <= 0)
        return var.assign(_proximal(var - lr * grad, lr, l1, l2, has_l1), use_locking=self._use_locking)


class ProximalAdagradOptimizer(Optimizer):
    """accum += g^2; lr_t = lr / sqrt(accum); then the proximal step of ProximalGradientDescent with lr_t."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking: bool = False, name: str = "ProximalAdagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: {initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._initial = learning_rate, initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "accumulator", constant_initializer(self._initial, dtype=v.dtype))

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")
        self._l1_t = self._hyper(self._l1, "l1_regularization_strength")
        self._l2_t = self._hyper(self._l2, "l2_regularization_strength")

    def _apply_dense(self, grad, var):
        lr, l1, l2 = (self._as(t, var) for t in (self._lr, self._l1_t, self._l2_t))
        accum_t = self.get_slot(var, "accumulator").assign_add(square(grad), use_locking=self._use_locking)
        lr_t = lr * rsqrt(accum_t)
        has_l1 = not (isinstance(self._l1, (int, float)) and self._l1 <= 0)
        update = var.assign(_proximal(var - lr_t * grad, lr_t, l1, l2, has_l1), use_locking=self._use_locking)
        return group(update, accum_t)


class FtrlOptimizer(Optimizer):
    """Follow-the-regularized-leader (McMahan et al.): slots accum (initial_accumulator_value) and linear."""

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking: bool = False,
                 name: str = "Ftrl", accum_name: str | None = None, linear_name: str | None = None,
                 l2_shrinkage_regularization_strength=0.0, beta=None):
        super().__init__(use_locking, name)
        checks = [(initial_accumulator_value < 0.0, f"initial_accumulator_value {initial_accumulator_value:f} needs "
                                                     f"to be positive or zero"),
                  (learning_rate_power > 0.0, f"learning_rate_power {learning_rate_power:f} needs to be negative "
                                              f"or zero"),
                  (l1_regularization_strength < 0.0, f"l1_regularization_strength {l1_regularization_strength:f} "
                                                     f"needs to be positive or zero"),
                  (l2_regularization_strength < 0.0, f"l2_regularization_strength {l2_regularization_strength:f} "
                                                     f"needs to be positive or zero"),
                  (l2_shrinkage_regularization_strength < 0.0,
                   f"l2_shrinkage_regularization_strength {l2_shrinkage_regularization_strength:f} needs to be "
                   f"positive or zero")]
        for failed, message in checks:
            if failed:
                raise ValueError(message)
        self._learning_rate, self._power, self._initial = learning_rate, learning_rate_power, initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength
        self._shrinkage, self._beta = l2_shrinkage_regularization_strength, 0.0 if beta is None else beta
        self._accum_name, self._linear_name = accum_name, linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "accum", constant_initializer(self._initial, dtype=v.dtype), self._accum_name)
            self._zeros_slot(v, "linear", self._linear_name)

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")
        self._l1_t = self._hyper(self._l1, "l1_regularization_strength")
        self._l2_t = self._hyper(self._l2, "l2_regularization_strength")
        if self._beta:
            self._l2_t = self._l2_t + self._beta / (2.0 * maximum(self._lr, 1e-36))
        self._shrinkage_t = self._hyper(self._shrinkage, "l2_shrinkage_regularization_strength")
        self._power_t = self._hyper(self._power, "learning_rate_power")

    def _apply_dense(self, grad, var):
        lr, l1, l2, shrinkage, power = (self._as(t, var) for t in (self._lr, self._l1_t, self._l2_t,
                                                                    self._shrinkage_t, self._power_t))
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        accum_new = accum + square(grad)
        if self._power == -0.5:
            sigma = (sqrt(accum_new) - sqrt(accum)) / lr
            y = sqrt(accum_new) / lr + 2.0 * l2
        else:
            sigma = (pow(accum_new, -power) - pow(accum, -power)) / lr
            y = pow(accum_new, -power) / lr + 2.0 * l2
        shrunk = grad + 2.0 * shrinkage * var if self._shrinkage > 0.0 else grad
        linear_t = linear.assign_add(shrunk - sigma * var, use_locking=self._use_locking)
        x = maximum(minimum(linear_t, l1), -l1) - linear_t  # 0 where |linear| <= l1
        update = var.assign(x / y, use_locking=self._use_locking)
        return group(update, linear_t, accum.assign(accum_new, use_locking=self._use_locking))


class AdagradDAOptimizer(Optimizer):
    """Adagrad dual averaging: the variable is recomputed from the gradient sums at step global_step + 1."""

    def __init__(self, learning_rate, global_step, initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking: bool = False,
                 name: str = "AdagradDA"):
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError(f"initial_gradient_squared_accumulator_value must be positive: "
                             f"{initial_gradient_squared_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate, self._global_step = learning_rate, global_step
        self._initial = initial_gradient_squared_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "gradient_accumulator")
            self._slot(v, "gradient_squared_accumulator", constant_initializer(self._initial, dtype=v.dtype))

    def _prepare(self) -> None:
        self._lr = self._hyper(self._learning_rate, "learning_rate")
        self._step = convert_to_tensor(self._global_step) + 1

    def _apply_dense(self, grad, var):
        lr, l1, l2 = (self._as(t, var) for t in (self._lr, self._hyper(self._l1, "l1"), self._hyper(self._l2, "l2")))
        step = cast(self._step, var.dtype)
        g_acc = self.get_slot(var, "gradient_accumulator").assign_add(grad, use_locking=self._use_locking)
        gg_acc = self.get_slot(var, "gradient_squared_accumulator").assign_add(square(grad),
                                                                              use_locking=self._use_locking)
        denominator = l2 * step * lr + sqrt(gg_acc)
        if isinstance(self._l1, (int, float)) and self._l1 <= 0:
            value = -g_acc * lr / denominator
        else:
            value = sign(-g_acc) * maximum(abs(g_acc) - l1 * step, 0.0) * lr / denominator
        return group(var.assign(value, use_locking=self._use_locking), g_acc, gg_acc)


class ExponentialMovingAverage:
    """Shadow variables that track averages: shadow -= (1 - decay) * (shadow - value) on each apply().

    With num_updates, the decay is min(decay, (1 + num_updates) / (10 + num_updates)), as in TF1.
    Shadows are named `<variable>/<name>` ("W/ExponentialMovingAverage") and are not trainable.
    """

    def __init__(self, decay, num_updates=None, zero_debias: bool = False, name: str = "ExponentialMovingAverage"):
        if zero_debias:
            raise NotImplementedError("ExponentialMovingAverage(zero_debias=True) is not supported by dfc")
        self._decay, self._num_updates, self._name = decay, num_updates, name
        self._averages: dict[Variable | Tensor, Variable] = {}

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None):
        """Make the shadows of var_list (default: the trainable variables) and return the op updating them."""
        from .framework import init_scope
        from .variables import trainable_variables
        var_list = list(trainable_variables() if var_list is None else var_list)
        for v in var_list:
            if not v.dtype.is_floating:
                raise TypeError(f"The variables must be half, float, or double: {v.name}")
        graph = get_default_graph()
        for v in var_list:
            if v in self._averages:
                continue
            with init_scope(graph):
                if isinstance(v, Variable):
                    shadow = Variable(v.initialized_value(), trainable=False, name=f"{v.op.name}/{self._name}")
                    graph.collections.setdefault("moving_average_variables", []).append(v)
                else:
                    t = convert_to_tensor(v)
                    shadow = Variable(lambda t=t: _zeros_of(t), trainable=False, name=f"{t.op.name}/{self._name}")
            self._averages[v] = shadow
        with name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                # a fresh read of a step variable: under the caller's control dependencies it is the updated step
                steps = self._num_updates
                steps = steps.read_value() if isinstance(steps, Variable) else convert_to_tensor(steps)
                n = cast(steps, "float32", name="num_updates")
                decay = minimum(decay, (1.0 + n) / (10.0 + n))
            updates = []
            for v in var_list:
                shadow = self._averages[v]
                with name_scope("AssignMovingAvg"):
                    # a fresh read: under the caller's control dependencies it sees the train op's update
                    value = v.read_value() if isinstance(v, Variable) else convert_to_tensor(v)
                    delta = (shadow - value) * (1.0 - cast(decay, shadow.dtype))
                    updates.append(shadow.assign_sub(delta))
            return group(*updates, name=scope[:-1].rsplit("/", 1)[-1])

    def average(self, var) -> Variable | None:
        """The shadow variable of `var` (None if apply() did not average it)."""
        return self._averages.get(var)

    def average_name(self, var) -> str:
        """The name of the shadow of `var`: what a Saver restoring averages maps to `var`."""
        if var in self._averages:
            return self._averages[var].op.name
        return f"{convert_to_tensor(var).op.name}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """{checkpoint name: variable}: each averaged variable read from its shadow's name, the others by their own."""
        from .variables import global_variables, trainable_variables
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + get_default_graph().collections.get(
                "moving_average_variables", [])
        name_map = {}
        for v in moving_avg_variables:
            name_map[self.average_name(v)] = v
        averaged_names = {v.name for v in moving_avg_variables}
        for v in global_variables():
            if v.name not in averaged_names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map


def _zeros_of(t: Tensor) -> Tensor:
    from .array_ops import zeros
    return zeros(t.shape.as_list(), t.dtype)
