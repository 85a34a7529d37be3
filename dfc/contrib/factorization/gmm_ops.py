"""tf.contrib.factorization's GMM: TF1's Gaussian mixture EM graph (GmmAlgorithm, gmm) and its Estimator.

Each training step is one EM iteration over the batch: the E-step from the parameters the step starts with, the
M-step's weights, means and covariances (each only if named in `params`: 'w', 'm', 'c'); the covariances use
the new means, as TF's read of the means after their assignment does. TF keeps means and covariances in
variables of unknown shape; dfc knows the number of components and features when the graph is built, so they
are [k, 1, d] and [k, d, d] (or [k, d] diagonal) variables, set by the init op until `initialized`.
"""

from __future__ import annotations

import numpy as np

import dfc as tf

from .clustering_ops import _InitializeClustersHook, _static_int

__all__ = ["GMM", "GmmAlgorithm", "gmm", "FULL_COVARIANCE", "DIAG_COVARIANCE"]

DIAG_COVARIANCE = "diag"
FULL_COVARIANCE = "full"
MEPS = np.finfo(float).eps


def _covariance(x, diag: bool):
    """The sample covariance of the rows of x (its diagonal, [1, d], when `diag`)."""
    num_points = tf.cast(tf.shape(x)[0], tf.float32)
    x -= tf.reduce_mean(x, 0, keepdims=True)
    if diag:
        return tf.reduce_sum(tf.square(x), 0, keepdims=True) / (num_points - 1)
    return tf.matmul(x, x, transpose_a=True) / (num_points - 1)


def _init_clusters_random(data: list, num_clusters: int, random_seed):
    """num_clusters rows drawn uniformly from the inputs (joined in order)."""
    num_data = tf.add_n([tf.shape(inp)[0] for inp in data])
    check = tf.assert_less_equal(num_clusters, num_data, message="GMM needs at least as many points as components")
    with tf.control_dependencies([check]):
        draw = tf.random_uniform([num_clusters], seed=random_seed)
        indices = tf.minimum(tf.cast(tf.floor(draw * tf.cast(num_data, tf.float32)), tf.int32), num_data - 1)
    joined = tf.concat(data, 0) if len(data) > 1 else data[0]
    return tf.gather(joined, indices)


class GmmAlgorithm:
    """TF1's GMM EM graph over a list of input shards."""

    CLUSTERS_WEIGHT = "alphas"
    CLUSTERS_VARIABLE = "clusters"
    CLUSTERS_COVS_VARIABLE = "clusters_covs"

    def __init__(self, data, num_classes, initial_means=None, params: str = "wmc",
                 covariance_type: str = FULL_COVARIANCE, random_seed: int = 0):
        self._params = params
        self._random_seed = random_seed
        self._covariance_type = covariance_type
        if covariance_type not in (DIAG_COVARIANCE, FULL_COVARIANCE):
            raise Exception(f"programmer error: Invalid covariance type: {covariance_type}")  # TF's class and words
        data = [tf.cast(tf.convert_to_tensor(d), tf.float32) for d in data]
        dims = data[0].shape[1].value if data[0].shape.ndims == 2 else None
        if dims is None:
            raise ValueError(f"GMM needs the number of features known when the graph is built: input "
                             f"'{data[0].name}' has shape {data[0].shape}")
        self._num_classes = _static_int(num_classes, "num_classes")
        self._dimensions = int(dims)
        self._min_var = tf.eye(self._dimensions) * 1e-3
        self._create_variables()
        self._initialize_variables(data, initial_means)
        self._define_graph(data)

    def _create_variables(self) -> None:
        k, d = self._num_classes, self._dimensions
        self._means = tf.Variable(tf.zeros([k, 1, d]), name=self.CLUSTERS_VARIABLE)
        cov_shape = [k, d, d] if self._covariance_type == FULL_COVARIANCE else [k, d]
        self._covs = tf.Variable(tf.zeros(cov_shape), name=self.CLUSTERS_COVS_VARIABLE)
        self._alpha = tf.Variable(tf.fill([k], 1.0 / k), name=self.CLUSTERS_WEIGHT)
        self._cluster_centers_initialized = tf.Variable(False, dtype=tf.bool, name="initialized")

    def _initialize_variables(self, data: list, initial_means) -> None:
        """The init op: means (given, or random rows) and every component's covariance that of the first shard."""
        if initial_means is not None:
            means = tf.expand_dims(tf.cast(initial_means, tf.float32), 1)
        else:
            means = tf.expand_dims(_init_clusters_random(data, self._num_classes, self._random_seed), 1)
        if self._covariance_type == FULL_COVARIANCE:
            covs = tf.tile(tf.expand_dims(_covariance(data[0], False) + self._min_var, 0), [self._num_classes, 1, 1])
        else:
            covs = tf.tile(tf.expand_dims(tf.diag_part(_covariance(data[0], True) + self._min_var), 0),
                           [self._num_classes, 1])
        done = tf.convert_to_tensor(self._cluster_centers_initialized)
        self._init_ops = [tf.assign(self._means, tf.where(done, tf.convert_to_tensor(self._means), means)),
                          tf.assign(self._covs, tf.where(done, tf.convert_to_tensor(self._covs), covs)),
                          tf.assign(self._cluster_centers_initialized, True)]

    def init_ops(self):
        return tf.group(*self._init_ops)

    def training_ops(self):
        return tf.group(*self._train_ops)

    def is_initialized(self):
        return self._cluster_centers_initialized

    def alphas(self):
        return self._alpha

    def clusters(self):
        """The means, [num_classes, 1, num_dimensions]."""
        return self._means

    def covariances(self):
        return self._covs

    def assignments(self) -> list:
        """Each shard's most likely component per example."""
        return [tf.argmax(w, 1) for w in self._w]

    def scores(self):
        return self._scores

    def log_likelihood_op(self):
        return self._log_likelihood_op

    def _define_graph(self, data: list) -> None:
        self._probs, self._prior_probs, self._w, self._points_in_k = [], [], [], []
        self._w_mul_x, self._w_mul_x2 = [], []
        for shard in data:
            self._define_log_prob_operation(shard)
            self._prior_probs.append(tf.reduce_logsumexp(self._probs[-1], axis=1, keepdims=True))
            self._w.append(tf.exp(self._probs[-1] - self._prior_probs[-1]))
            self._define_partial_maximization_operation(shard)
        self._define_maximization_operation(len(data))
        self._log_likelihood_op = tf.reduce_logsumexp([tf.reduce_logsumexp(p) for p in self._prior_probs])
        scored = [p + tf.log(w) for p, w in zip(self._prior_probs, self._w)]
        self._scores = tf.squeeze(tf.reduce_logsumexp(scored, axis=2, keepdims=True), axis=0)

    def _define_log_prob_operation(self, shard) -> None:
        """log(alpha_k N(x_i; mean_k, cov_k)) per example and component, [examples, components]."""
        means, covs = tf.convert_to_tensor(self._means), tf.convert_to_tensor(self._covs)
        d = float(self._dimensions)
        if self._covariance_type == FULL_COVARIANCE:
            diff = tf.expand_dims(shard, 0) - means
            cholesky = tf.cholesky(covs + self._min_var)
            log_det_covs = 2.0 * tf.reduce_sum(tf.log(tf.matrix_diag_part(cholesky)), 1)
            x_mu_cov = tf.square(tf.matrix_triangular_solve(cholesky, tf.transpose(diff, perm=[0, 2, 1]), lower=True))
            diag_m = tf.transpose(tf.reduce_sum(x_mu_cov, 1))
            probs = -0.5 * (diag_m + d * np.log(2 * np.pi) + log_det_covs)
        else:
            det_expanded = tf.reduce_sum(tf.log(covs + 1e-3), 1, keepdims=True)
            x2 = tf.squared_difference(tf.expand_dims(shard, 0), means)
            x2_cov = tf.matmul(x2, tf.expand_dims(1.0 / (covs + 1e-3), 2))
            x2_cov = tf.transpose(tf.squeeze(x2_cov, [2]))
            probs = -0.5 * (d * np.log(2.0 * np.pi) + tf.transpose(det_expanded) + x2_cov)
        self._probs.append(probs + tf.log(tf.convert_to_tensor(self._alpha)))

    def _define_partial_maximization_operation(self, shard) -> None:
        w = self._w[-1]
        self._points_in_k.append(tf.reduce_sum(w, 0, keepdims=True))
        self._w_mul_x.append(tf.expand_dims(tf.matmul(w, shard, transpose_a=True), 1))
        # sum_i w_ik x_i x_i^T for each component k: [k, d, d]
        weighted = tf.expand_dims(tf.transpose(shard), 0) * tf.expand_dims(tf.transpose(w), 1)
        self._w_mul_x2.append(tf.matmul(weighted, tf.tile(tf.expand_dims(shard, 0), [self._num_classes, 1, 1])))

    def _define_maximization_operation(self, num_batches: int) -> None:
        k = self._num_classes
        points_in_k = tf.squeeze(tf.add_n(self._points_in_k), axis=[0])
        self._train_ops = []
        if "w" in self._params:
            final_points_in_k = points_in_k / num_batches
            num_examples = tf.reduce_sum(final_points_in_k)
            self._train_ops.append(tf.assign(self._alpha, final_points_in_k / (num_examples + MEPS)))
        expanded = tf.reshape(points_in_k, [k, 1, 1])
        means = tf.convert_to_tensor(self._means)
        if "m" in self._params:
            means = tf.add_n(self._w_mul_x) / (expanded + MEPS)
            self._train_ops.append(tf.assign(self._means, means))
        if "c" in self._params:
            b = tf.add_n(self._w_mul_x2) / (expanded + MEPS)
            new_covs = b - tf.matmul(means, means, transpose_a=True) + self._min_var
            if self._covariance_type == DIAG_COVARIANCE:
                new_covs = tf.matrix_diag_part(new_covs)
            self._train_ops.append(tf.assign(self._covs, new_covs))


def gmm(inp, initial_clusters, num_clusters, random_seed, covariance_type: str = FULL_COVARIANCE,
        params: str = "wmc"):
    """(loss, scores, [assignments], training_op, init_op, is_initialized): TF1's GMM graph. initial_clusters:
    'random', or the means (a numpy array or list; TF draws random means for a tf.Tensor, and so does dfc)."""
    initial_means = None
    if not isinstance(initial_clusters, (str, tf.Tensor)):
        initial_means = tf.constant(initial_clusters, dtype=tf.float32)
    inp = inp if isinstance(inp, list) else [inp]
    tool = GmmAlgorithm(inp, num_clusters, initial_means, params, covariance_type, random_seed)
    return (tool.log_likelihood_op(), tool.scores(), [tool.assignments()], tool.training_ops(), tool.init_ops(),
            tool.is_initialized())


def _streaming_sum(value):
    total = tf.Variable(0.0, trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="streaming_sum")
    return tf.identity(total), tf.assign_add(total, tf.reduce_sum(value))


class GMM(tf.estimator.Estimator):
    """An Estimator for Gaussian mixtures (TF1's tf.contrib.factorization.GMM): one EM iteration per batch."""

    SCORES = "scores"
    LOG_LIKELIHOOD = "loss"
    ASSIGNMENTS = "assignments"

    def __init__(self, num_clusters, model_dir=None, random_seed: int = 0, params: str = "wmc",
                 initial_clusters="random", covariance_type: str = FULL_COVARIANCE, config=None):
        self._num_clusters = num_clusters
        self._gmm_params = params
        self._training_initial_clusters = initial_clusters
        self._covariance_type = covariance_type
        self._random_seed = random_seed
        super().__init__(model_fn=self._gmm_model_fn, model_dir=model_dir, config=config)

    def predict_assignments(self, input_fn):
        """The most likely component of each input."""
        for result in self.predict(input_fn=input_fn):
            yield result[GMM.ASSIGNMENTS]

    def score(self, input_fn, batch_size=None, steps=None) -> float:
        """The sum of the inputs' log-likelihoods."""
        return float(np.sum(self.evaluate(input_fn=input_fn, steps=steps)[GMM.SCORES]))

    def weights(self) -> np.ndarray:
        return self.get_variable_value(GmmAlgorithm.CLUSTERS_WEIGHT)

    def clusters(self) -> np.ndarray:
        """The means, [num_clusters, num_dimensions]."""
        return np.squeeze(self.get_variable_value(GmmAlgorithm.CLUSTERS_VARIABLE), 1)

    def covariances(self) -> np.ndarray:
        return self.get_variable_value(GmmAlgorithm.CLUSTERS_COVS_VARIABLE)

    def _gmm_model_fn(self, features, labels, mode, config):
        if isinstance(features, dict):
            features = tf.concat([features[k] for k in sorted(features)], 1)
        loss, scores, predictions, training_op, init_op, is_initialized = gmm(
            features, self._training_initial_clusters, self._num_clusters, self._random_seed,
            self._covariance_type, self._gmm_params)
        incr_step = tf.assign_add(tf.train.get_global_step(), 1)
        with tf.control_dependencies([training_op, incr_step]):
            training_op = tf.identity(loss)
        return tf.estimator.EstimatorSpec(
            mode=mode, predictions={GMM.ASSIGNMENTS: predictions[0][0]},
            eval_metric_ops={GMM.SCORES: _streaming_sum(scores), GMM.LOG_LIKELIHOOD: _streaming_sum(loss)},
            loss=loss, train_op=training_op,
            training_hooks=[_InitializeClustersHook(init_op, is_initialized, config.is_chief)])
