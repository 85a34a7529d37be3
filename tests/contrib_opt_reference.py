"""TF 1.15's tf.contrib.opt optimizers over real TensorFlow 2's compat.v1 optimizers and training kernels.

TF 2 has no contrib; its tf.compat.v1.train.Optimizer, AdamOptimizer and MomentumOptimizer and the raw
training kernels (ApplyAdam with use_nesterov, ApplyPowerSign, ApplyAddSign) are TF1's. The classes below
put TF 1.15's contrib definitions (dense and sparse paths) on top of them, for tests/record_contrib_scripts.py.
"""

from __future__ import annotations

import math


def contrib_opt(tf):
    """A namespace of the contrib optimizers written over `tf` (tensorflow.compat.v1)."""
    import types

    train = tf.train

    class LazyAdamOptimizer(train.AdamOptimizer):
        def _apply_sparse(self, grad, var):
            b1p, b2p = (tf.cast(p, var.dtype.base_dtype) for p in self._get_beta_accumulators())
            lr_t, b1, b2, eps = (tf.cast(t, var.dtype.base_dtype)
                                 for t in (self._lr_t, self._beta1_t, self._beta2_t, self._epsilon_t))
            lr = lr_t * tf.sqrt(1 - b2p) / (1 - b1p)
            m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
            m_t = tf.scatter_update(m, grad.indices, b1 * tf.gather(m, grad.indices) + (1 - b1) * grad.values)
            v_t = tf.scatter_update(v, grad.indices,
                                    b2 * tf.gather(v, grad.indices) + (1 - b2) * tf.square(grad.values))
            m_rows, v_rows = tf.gather(m_t, grad.indices), tf.gather(v_t, grad.indices)
            update = tf.scatter_sub(var, grad.indices, lr * m_rows / (tf.sqrt(v_rows) + eps))
            return tf.group(update, m_t, v_t)

    class DecoupledWeightDecayExtension:
        def __init__(self, weight_decay, **kwargs):
            self._decay_var_list = None
            self._weight_decay = weight_decay
            super().__init__(**kwargs)

        def minimize(self, loss, global_step=None, var_list=None, name=None, decay_var_list=None):
            self._decay_var_list = set(decay_var_list) if decay_var_list else False
            return super().minimize(loss, global_step=global_step, var_list=var_list, name=name)

        def apply_gradients(self, grads_and_vars, global_step=None, name=None, decay_var_list=None):
            self._decay_var_list = set(decay_var_list) if decay_var_list else False
            return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

        def _decays(self, var):
            return not self._decay_var_list or var in self._decay_var_list

        def _apply_dense(self, grad, var):
            decay = var.assign_sub(self._weight_decay * var) if self._decays(var) else tf.no_op()
            with tf.control_dependencies([decay]):
                return super()._apply_dense(grad, var)

        def _apply_sparse(self, grad, var):
            decay = (tf.scatter_add(var, grad.indices, -self._weight_decay * tf.gather(var, grad.indices))
                     if self._decays(var) else tf.no_op())
            with tf.control_dependencies([decay]):
                return super()._apply_sparse(grad, var)

    class AdamWOptimizer(DecoupledWeightDecayExtension, train.AdamOptimizer):
        def __init__(self, weight_decay, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, name="AdamW"):
            super().__init__(weight_decay, learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon,
                             name=name)

    class MomentumWOptimizer(DecoupledWeightDecayExtension, train.MomentumOptimizer):
        def __init__(self, weight_decay, learning_rate, momentum, name="MomentumW", use_nesterov=False):
            super().__init__(weight_decay, learning_rate=learning_rate, momentum=momentum, name=name,
                             use_nesterov=use_nesterov)

    class NadamOptimizer(train.AdamOptimizer):
        def _apply_dense(self, grad, var):
            b1p, b2p = self._get_beta_accumulators()
            cast = lambda t: tf.cast(t, var.dtype.base_dtype)  # noqa: E731
            return tf.raw_ops.ApplyAdam(var=var, m=self.get_slot(var, "m"), v=self.get_slot(var, "v"),
                                        beta1_power=cast(b1p), beta2_power=cast(b2p), lr=cast(self._lr_t),
                                        beta1=cast(self._beta1_t), beta2=cast(self._beta2_t),
                                        epsilon=cast(self._epsilon_t), grad=grad, use_nesterov=True).op

        def _apply_sparse(self, grad, var):
            b1p, b2p = (tf.cast(p, var.dtype.base_dtype) for p in self._get_beta_accumulators())
            lr_t, b1, b2, eps = (tf.cast(t, var.dtype.base_dtype)
                                 for t in (self._lr_t, self._beta1_t, self._beta2_t, self._epsilon_t))
            lr = lr_t * tf.sqrt(1 - b2p) / (1 - b1p)
            m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
            m_g = grad.values * (1 - b1)
            m_t = tf.assign(m, m * b1)
            with tf.control_dependencies([m_t]):
                m_t = tf.scatter_add(m, grad.indices, m_g)
                m_bar = m_g + b1 * tf.gather(m_t, grad.indices)
            v_t = tf.assign(v, v * b2)
            with tf.control_dependencies([v_t]):
                v_t = tf.scatter_add(v, grad.indices, grad.values * grad.values * (1 - b2))
            update = tf.scatter_add(var, grad.indices, -lr * m_bar / (tf.sqrt(tf.gather(v_t, grad.indices)) + eps))
            return tf.group(update, m_bar, v_t)

    class AdaMaxOptimizer(train.AdamOptimizer):
        def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, name="AdaMax"):
            super().__init__(learning_rate, beta1, beta2, epsilon, False, name)

        def _apply_dense(self, grad, var):
            b1p, b2p = self._get_beta_accumulators()
            cast = lambda t: tf.cast(t, var.dtype.base_dtype)  # noqa: E731
            return tf.raw_ops.ApplyAdaMax(var=var, m=self.get_slot(var, "m"), v=self.get_slot(var, "v"),
                                          beta1_power=cast(b1p), lr=cast(self._lr_t), beta1=cast(self._beta1_t),
                                          beta2=cast(self._beta2_t), epsilon=cast(self._epsilon_t), grad=grad).op

        def _apply_sparse(self, grad, var):
            b1p = tf.cast(self._get_beta_accumulators()[0], var.dtype.base_dtype)
            lr, b1, b2, eps = (tf.cast(t, var.dtype.base_dtype)
                               for t in (self._lr_t, self._beta1_t, self._beta2_t, self._epsilon_t))
            m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
            m_rows = tf.gather(m, grad.indices) * b1 + grad.values * (1 - b1)
            with tf.control_dependencies([m_rows]):
                m_t = tf.scatter_update(m, grad.indices, m_rows)
            v_rows = tf.maximum(tf.gather(v, grad.indices) * b2, tf.abs(grad.values))
            with tf.control_dependencies([v_rows]):
                v_t = tf.scatter_update(v, grad.indices, v_rows)
            delta = -lr / (1 - b1p) * (m_rows / (v_rows + eps))
            with tf.control_dependencies([delta]):
                update = tf.scatter_add(var, grad.indices, delta)
            return tf.group(update, m_t, v_t)

    class _Sign(train.Optimizer):
        def __init__(self, learning_rate, beta, sign_decay_fn, name):
            super().__init__(False, name)
            self._lr, self._beta, self._sign_decay_fn = learning_rate, beta, sign_decay_fn

        def apply_gradients(self, grads_and_vars, global_step=None, name=None):
            if self._sign_decay_fn is not None:
                self._sign_decay_t = tf.convert_to_tensor(self._sign_decay_fn(global_step), name="sign_decay")
            return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

        def _create_slots(self, var_list):
            for v in var_list:
                self._zeros_slot(v, "m", self._name)

        def _prepare(self):
            self._lr_t = tf.convert_to_tensor(self._lr, name="learning_rate")
            self._beta_t = tf.convert_to_tensor(self._beta, name="beta")
            if self._sign_decay_fn is None:
                self._sign_decay_t = tf.convert_to_tensor(1.0, name="sign_decay")

        def _apply_sparse(self, grad, var):
            cast = lambda t: tf.cast(t, var.dtype.base_dtype)  # noqa: E731
            lr, beta = cast(self._lr_t), cast(self._beta_t)
            m = self.get_slot(var, "m")
            m_t = tf.assign(m, m * beta + tf.convert_to_tensor(grad) * (1 - beta))
            sign_gm = tf.gather(tf.sign(m_t), grad.indices) * tf.sign(grad.values)
            update = tf.scatter_sub(var, grad.indices, lr * self._multiplier(sign_gm, var) * grad.values)
            return tf.group(update, m_t)

    class PowerSignOptimizer(_Sign):
        def __init__(self, learning_rate=0.1, base=math.e, beta=0.9, sign_decay_fn=None, name="PowerSignOptimizer"):
            super().__init__(learning_rate, beta, sign_decay_fn, name)
            self._logbase = math.log(base)

        def _apply_dense(self, grad, var):
            cast = lambda t: tf.cast(t, var.dtype.base_dtype)  # noqa: E731
            return tf.raw_ops.ApplyPowerSign(var=var, m=self.get_slot(var, "m"), lr=cast(self._lr_t),
                                             logbase=cast(self._logbase), sign_decay=cast(self._sign_decay_t),
                                             beta=cast(self._beta_t), grad=grad).op

        def _multiplier(self, sign_gm, var):
            cast = lambda t: tf.cast(t, var.dtype.base_dtype)  # noqa: E731
            return tf.pow(cast(math.e), cast(self._logbase) * cast(self._sign_decay_t) * sign_gm)

    class AddSignOptimizer(_Sign):
        def __init__(self, learning_rate=0.1, alpha=1.0, beta=0.9, sign_decay_fn=None, name="AddSignOptimizer"):
            super().__init__(learning_rate, beta, sign_decay_fn, name)
            self._alpha = alpha

        def _apply_dense(self, grad, var):
            cast = lambda t: tf.cast(t, var.dtype.base_dtype)  # noqa: E731
            return tf.raw_ops.ApplyAddSign(var=var, m=self.get_slot(var, "m"), lr=cast(self._lr_t),
                                           alpha=cast(self._alpha), sign_decay=cast(self._sign_decay_t),
                                           beta=cast(self._beta_t), grad=grad).op

        def _multiplier(self, sign_gm, var):
            return tf.cast(self._alpha, var.dtype.base_dtype) + tf.cast(self._sign_decay_t,
                                                                        var.dtype.base_dtype) * sign_gm

    class MovingAverageOptimizer(train.Optimizer):
        def __init__(self, opt, average_decay=0.9999, num_updates=None, sequential_update=True):
            self._optimizer = opt
            self._ema = train.ExponentialMovingAverage(average_decay, num_updates=num_updates)
            self._variable_map = None
            self._sequential_update = sequential_update

        def apply_gradients(self, grads_and_vars, global_step=None, name=None):
            grads_and_vars = list(grads_and_vars)
            train_op = self._optimizer.apply_gradients(grads_and_vars, global_step=global_step, name=name)
            var_list = [v for g, v in grads_and_vars if g is not None]
            if self._sequential_update:
                with tf.control_dependencies([train_op]):
                    average_op = self._ema.apply(var_list)
            else:
                average_op = self._ema.apply(var_list)
            self._variable_map = {}
            for v in var_list:
                self._variable_map[v.op.name] = self._ema.average(v)
                self._variable_map[self._ema.average(v).op.name] = v
            return tf.group(train_op, average_op, name="train_with_avg")

        def swapping_saver(self, var_list=None, name="swapping_saver", **kwargs):
            var_list = {v.op.name: v for v in (var_list or tf.global_variables())}
            return train.Saver({k: self._variable_map.get(v.op.name, v) for k, v in var_list.items()}, name=name,
                               **kwargs)

    class LARSOptimizer(train.Optimizer):
        def __init__(self, learning_rate, momentum=0.9, weight_decay=0.0001, eeta=0.001, epsilon=0.0,
                     name="LARSOptimizer", skip_list=None, use_nesterov=False):
            super().__init__(False, name)
            self._lr, self._momentum, self._weight_decay = learning_rate, momentum, weight_decay
            self._eeta, self._epsilon, self._skip_list, self._nesterov = eeta, epsilon, skip_list, use_nesterov

        def _create_slots(self, var_list):
            for v in var_list:
                self._zeros_slot(v, "momentum", self._name)

        def _prepare(self):
            self._lr_t = tf.convert_to_tensor(self._lr, name="learning_rate")
            self._momentum_t = tf.convert_to_tensor(self._momentum, name="momentum")

        def _scaled_lr(self, grad, var):
            if self._skip_list is not None and any(s in var.name for s in self._skip_list):
                return self._lr
            w_norm, g_norm = tf.norm(var, ord=2), tf.norm(grad, ord=2)
            ratio = tf.where(tf.greater(w_norm, 0), tf.where(
                tf.greater(g_norm, 0), self._eeta * w_norm / (g_norm + self._weight_decay * w_norm + self._epsilon),
                1.0), 1.0)
            return self._lr * ratio

        def _apply_dense(self, grad, var):
            return tf.raw_ops.ApplyMomentum(var=var, accum=self.get_slot(var, "momentum"),
                                            lr=tf.cast(self._scaled_lr(grad, var), var.dtype.base_dtype), grad=grad,
                                            momentum=tf.cast(self._momentum, var.dtype.base_dtype),
                                            use_nesterov=self._nesterov).op

        def _apply_sparse(self, grad, var):
            return tf.raw_ops.SparseApplyMomentum(var=var, accum=self.get_slot(var, "momentum"),
                                                  lr=tf.cast(self._lr_t, var.dtype.base_dtype), grad=grad.values,
                                                  indices=grad.indices,
                                                  momentum=tf.cast(self._momentum_t, var.dtype.base_dtype),
                                                  use_nesterov=self._nesterov).op

    class MultitaskOptimizerWrapper:
        def __init__(self, opt):
            self._opt = opt
            for name in ("_apply_dense", "_apply_sparse"):
                method = getattr(opt, name)

                def wrapper(self_, grad, *args, method=method, **kwargs):
                    return tf.cond(tf.equal(tf.count_nonzero(grad), 0), tf.no_op,
                                   lambda: method(grad, *args, **kwargs))
                setattr(opt, name, types.MethodType(wrapper, opt))

        def __getattr__(self, name):
            return getattr(self._opt, name)

    def extend_with_decoupled_weight_decay(base):
        class OptimizerWithDecoupledWeightDecay(DecoupledWeightDecayExtension, base):
            def __init__(self, weight_decay, *args, **kwargs):
                super().__init__(weight_decay, *args, **kwargs)
        return OptimizerWithDecoupledWeightDecay

    def get_linear_decay_fn(decay_steps):
        def linear(step):
            step = tf.minimum(step, decay_steps)
            remaining = tf.cast(decay_steps, tf.int32) - tf.cast(step, tf.int32)
            return tf.maximum(0.0, tf.cast(remaining, tf.float32) / tf.cast(decay_steps, tf.float32))
        return linear

    def get_cosine_decay_fn(decay_steps, num_periods=0.5, zero_after=None):
        def cosine(step):
            step = tf.minimum(step, decay_steps)
            fraction = 2.0 * num_periods * (tf.cast(step, tf.float32) / tf.cast(decay_steps, tf.float32))
            decayed = 0.5 * (1.0 + tf.cos(tf.constant(math.pi) * fraction))
            if zero_after is not None:
                decayed = tf.where(tf.greater_equal(fraction, 2 * zero_after), 0.0, decayed)
            return decayed
        return cosine

    def get_restart_decay_fn(decay_steps, num_periods=1, zero_after=None):
        def restart(step):
            step = tf.minimum(step, decay_steps)
            num = tf.mod(num_periods * tf.cast(step, tf.float32), decay_steps)
            decayed = 0.5 * (1.0 + tf.cos(tf.constant(math.pi) * (num / tf.cast(decay_steps, tf.float32))))
            if zero_after is not None:
                periods = tf.cast(num_periods * step, tf.float32) / tf.cast(decay_steps, tf.float32)
                decayed = tf.where(tf.greater_equal(periods, zero_after), 0.0, decayed)
            return decayed
        return restart

    return types.SimpleNamespace(extend_with_decoupled_weight_decay=extend_with_decoupled_weight_decay,
                                 get_linear_decay_fn=get_linear_decay_fn, get_cosine_decay_fn=get_cosine_decay_fn,
                                 get_restart_decay_fn=get_restart_decay_fn, **{
        c.__name__: c for c in (
        LazyAdamOptimizer, MovingAverageOptimizer, LARSOptimizer, MultitaskOptimizerWrapper, AdaMaxOptimizer,
        AdamWOptimizer, MomentumWOptimizer, NadamOptimizer,
        PowerSignOptimizer, AddSignOptimizer)})
