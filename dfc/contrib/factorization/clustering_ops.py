"""tf.contrib.factorization's KMeans and KMeansClustering: TF1's k-means graph (Lloyd, mini-batch) from DSL ops.

TF1 keeps the cluster centers in a variable of unknown shape that grows as `init_op` chooses centers. dfc
knows the number of clusters and features when the graph is built, so the centers are a [k, d] variable and
a hidden count, `clusters_selected`, says how many rows `init_op` has filled: a run of `init_op` fills the
next rows, as TF's concatenation does, and sets `initialized` once all k are chosen. Training or inference
before that is an InvalidArgumentError naming the variable (TF's matmul fails on the empty variable).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import dfc as tf

__all__ = ["KMeans", "KMeansClustering", "SQUARED_EUCLIDEAN_DISTANCE", "COSINE_DISTANCE", "RANDOM_INIT",
           "KMEANS_PLUS_PLUS_INIT", "KMC2_INIT", "CLUSTERS_VAR_NAME"]

SQUARED_EUCLIDEAN_DISTANCE = "squared_euclidean"
COSINE_DISTANCE = "cosine"
RANDOM_INIT = "random"
KMEANS_PLUS_PLUS_INIT = "kmeans_plus_plus"
KMC2_INIT = "kmc2"
CLUSTERS_VAR_NAME = "clusters"
_INITS = [RANDOM_INIT, KMEANS_PLUS_PLUS_INIT, KMC2_INIT]
_METRICS = [SQUARED_EUCLIDEAN_DISTANCE, COSINE_DISTANCE]


def _static_int(value: Any, what: str) -> int:
    known = value if isinstance(value, (int, np.integer)) else tf.get_static_value(value)
    if known is None or np.ndim(known) != 0:
        raise ValueError(f"KMeans needs {what} known when the graph is built (a Python int or a constant), "
                         f"got {value!r}")
    return int(known)


def _uniform_indices(shape, count, seed) -> tf.Tensor:
    """Integers uniform in [0, count): TF's random_uniform of an integer dtype."""
    draw = tf.random_uniform(shape, seed=seed)
    top = tf.maximum(count - 1, 0)
    return tf.minimum(tf.cast(tf.floor(draw * tf.cast(count, tf.float32)), tf.int32), top)


def _squared_distances(points: tf.Tensor, centers: tf.Tensor) -> tf.Tensor:
    """[n, k] squared Euclidean distances, clamped at 0 as TF's nearest_neighbors kernel does."""
    cross = tf.matmul(points, centers, transpose_b=True)
    rows = tf.reduce_sum(tf.square(points), 1, keepdims=True)
    cols = tf.transpose(tf.reduce_sum(tf.square(centers), 1, keepdims=True))
    return tf.maximum(rows - 2 * cross + cols, 0)


class KMeans:
    """Creates the graph for k-means clustering (TF1's tf.contrib.factorization.KMeans)."""

    def __init__(self, inputs, num_clusters, initial_clusters=RANDOM_INIT, distance_metric=SQUARED_EUCLIDEAN_DISTANCE,
                 use_mini_batch: bool = False, mini_batch_steps_per_iteration: int = 1, random_seed: int = 0,
                 kmeans_plus_plus_num_retries: int = 2, kmc2_chain_length: int = 200):
        if isinstance(initial_clusters, str) and initial_clusters not in _INITS:
            raise ValueError(f"Unsupported initialization algorithm `{initial_clusters}`,must be one of `{_INITS}`.")
        if distance_metric not in _METRICS:
            raise ValueError(f"Unsupported distance metric `{distance_metric}`,must be one of `{_METRICS}`.")
        self._inputs = [tf.convert_to_tensor(x) for x in (inputs if isinstance(inputs, list) else [inputs])]
        self._num_clusters = num_clusters
        self._initial_clusters = initial_clusters
        self._distance_metric = distance_metric
        self._use_mini_batch = bool(use_mini_batch)
        self._mini_batch_steps_per_iteration = int(mini_batch_steps_per_iteration)
        self._random_seed = random_seed
        self._kmeans_plus_plus_num_retries = int(kmeans_plus_plus_num_retries)
        self._kmc2_chain_length = int(kmc2_chain_length)

    # ---- distances and assignment --------------------------------------------------------------------
    @classmethod
    def _distance_graph(cls, inputs, clusters, distance_metric) -> list:
        if distance_metric == SQUARED_EUCLIDEAN_DISTANCE:
            return cls._compute_euclidean_distance(inputs, clusters)
        return cls._compute_cosine_distance(inputs, clusters, inputs_normalized=True)

    @classmethod
    def _compute_euclidean_distance(cls, inputs, clusters) -> list:
        return [tf.reduce_sum(tf.square(inp), 1, keepdims=True) - 2 * tf.matmul(inp, clusters, transpose_b=True)
                + tf.transpose(tf.reduce_sum(tf.square(clusters), 1, keepdims=True)) for inp in inputs]

    @classmethod
    def _compute_cosine_distance(cls, inputs, clusters, inputs_normalized: bool = True) -> list:
        if not inputs_normalized:
            clusters = tf.nn.l2_normalize(clusters, dim=1)
            inputs = [tf.nn.l2_normalize(inp, dim=1) for inp in inputs]
        return [1 - tf.matmul(inp, clusters, transpose_b=True) for inp in inputs]

    def _clusters_l2_normalized(self) -> bool:
        return self._distance_metric == COSINE_DISTANCE and (
            not self._use_mini_batch or self._mini_batch_steps_per_iteration > 1)

    def _infer_graph(self, inputs, clusters):
        """(all_scores, scores, cluster_idx), each a tuple with one tensor per input."""
        all_scores = self._distance_graph(inputs, clusters, self._distance_metric)
        if self._distance_metric == COSINE_DISTANCE and not self._clusters_l2_normalized():
            clusters = tf.nn.l2_normalize(clusters, dim=1)
        scores, indices = [], []
        for inp in inputs:
            distances = _squared_distances(inp, clusters)
            best = tf.reduce_min(distances, 1)
            # cosine distance of unit vectors is half their squared Euclidean distance
            scores.append(best * 0.5 if self._distance_metric == COSINE_DISTANCE else best)
            indices.append(tf.argmin(distances, 1, output_type=tf.int64))
        return tuple(all_scores), tuple(scores), tuple(indices)

    # ---- the graph -----------------------------------------------------------------------------------
    def training_graph(self):
        """(all_scores, cluster_idx, scores, cluster_centers_initialized, init_op, training_op), as TF1 returns.

        Run init_op (until cluster_centers_initialized is true when one batch cannot supply every center),
        then training_op: one Lloyd iteration over the inputs, or one mini-batch step.
        """
        inputs = self._inputs
        dtype = inputs[0].dtype
        given = None
        if isinstance(self._initial_clusters, str) or callable(self._initial_clusters):
            k = _static_int(self._num_clusters, "num_clusters")
        else:
            given = tf.convert_to_tensor(self._initial_clusters, dtype=dtype)
            if given.shape.ndims != 2 or given.shape[0].value is None:
                raise ValueError(f"KMeans initial_clusters must be a [num_clusters, num_features] tensor of known "
                                 f"num_clusters, got shape {given.shape}")
            k = int(given.shape[0].value)
        if k < 1:
            raise ValueError(f"KMeans num_clusters must be positive, got {k}")
        d = self._num_features(given)
        state = self._create_variables(k, d, dtype)
        init_op = self._initialize_op(inputs, k, d, given, state)
        centers = self._initialized_centers(state, k)
        if self._distance_metric == COSINE_DISTANCE:
            inputs = [tf.nn.l2_normalize(inp, dim=1) for inp in inputs]
            if not self._clusters_l2_normalized():
                centers = tf.nn.l2_normalize(centers, dim=1)
        all_scores, scores, cluster_idx = self._infer_graph(inputs, centers)
        if self._use_mini_batch:
            training_op = self._mini_batch_training_op(inputs, cluster_idx, k, state)
        else:
            training_op = self._full_batch_training_op(inputs, k, cluster_idx, state["clusters"])
        return all_scores, cluster_idx, scores, state["initialized"], init_op, training_op

    def _num_features(self, given) -> int:
        for shape in [inp.shape for inp in self._inputs] + ([given.shape] if given is not None else []):
            if shape.ndims is not None and shape.ndims != 2:
                raise ValueError(f"KMeans inputs must be [num_points, num_features] matrices, got shape {shape}")
            if shape.ndims == 2 and shape[1].value is not None:
                return int(shape[1].value)
        raise ValueError(f"KMeans needs the number of features known when the graph is built: input "
                         f"'{self._inputs[0].name}' has shape {self._inputs[0].shape}")

    def _create_variables(self, k: int, d: int, dtype) -> dict:
        state = {"clusters": tf.Variable(tf.zeros([k, d], dtype), name=CLUSTERS_VAR_NAME),
                 "initialized": tf.Variable(False, dtype=tf.bool, name="initialized"),
                 "selected": tf.Variable(0, dtype=tf.int32, name="clusters_selected", trainable=False)}
        if self._use_mini_batch and self._mini_batch_steps_per_iteration > 1:
            # a copy updated every step, copied to `clusters` every mini_batch_steps_per_iteration steps
            state["updated"] = tf.Variable(tf.zeros([k, d], dtype), name="clusters_updated")
            state["update_in_steps"] = tf.Variable(self._mini_batch_steps_per_iteration, dtype=tf.int64,
                                                   name="update_in_steps")
            state["counts"] = tf.Variable(tf.zeros([k], dtype=tf.int64))
        else:
            state["updated"] = state["clusters"]
            state["update_in_steps"] = None
            state["counts"] = tf.Variable(tf.ones([k], dtype=tf.int64)) if self._use_mini_batch else None
        return state

    def _initialized_centers(self, state: dict, k: int) -> tf.Tensor:
        clusters = state["clusters"]
        check = tf.Assert(tf.equal(tf.convert_to_tensor(state["selected"]), k),
                          [f"KMeans cluster centers '{clusters.op.name}' are not initialized: run the init_op "
                           f"training_graph() returned until cluster_centers_initialized is true; centers chosen:",
                           state["selected"]])
        with tf.control_dependencies([check]):
            return tf.identity(clusters)

    # ---- training ops --------------------------------------------------------------------------------
    def _full_batch_training_op(self, inputs, k: int, cluster_idx_list, clusters) -> tf.Operation:
        """One Lloyd iteration: each center becomes the mean of the inputs assigned to it (0 when none are)."""
        sums, counts = [], []
        for inp, idx in zip(inputs, cluster_idx_list):
            sums.append(tf.unsorted_segment_sum(inp, idx, k))
            counts.append(tf.unsorted_segment_sum(tf.ones(tf.stack([tf.shape(inp)[0], 1])), idx, k))
        epsilon = tf.constant(1e-6, dtype=inputs[0].dtype)
        new_centers = tf.add_n(sums) / (tf.cast(tf.add_n(counts), sums[0].dtype) + epsilon)
        if self._clusters_l2_normalized():
            new_centers = tf.nn.l2_normalize(new_centers, dim=1)
        return tf.assign(clusters, new_centers).op

    def _mini_batch_training_op(self, inputs, cluster_idx_list, k: int, state: dict) -> tf.Operation:
        """TF1's mini-batch rule: a center x of count n with m new points d_i becomes x + (sum d_i - m x) / (n + m)."""
        updated, counts = state["updated"], tf.convert_to_tensor(state["counts"])
        writes = []
        if state["update_in_steps"] is not None:
            # every mini_batch_steps_per_iteration steps: `clusters` takes the updated copy, counts restart at 0
            steps = tf.convert_to_tensor(state["update_in_steps"])
            sync = steps <= 0
            synced = tf.nn.l2_normalize(updated, dim=1) if self._distance_metric == COSINE_DISTANCE else updated
            writes.append(tf.assign(state["update_in_steps"],
                                    tf.where(sync, tf.constant(self._mini_batch_steps_per_iteration - 1, tf.int64),
                                             steps - 1)))
            writes.append(tf.assign(state["clusters"], tf.where(sync, synced, state["clusters"])))
            counts = tf.where(sync, tf.zeros_like(counts), counts)
        centers = tf.convert_to_tensor(updated)
        dtype = centers.dtype
        new_points = tf.zeros([k], tf.int64)
        delta = tf.zeros_like(centers)
        for inp, idx in zip(inputs, cluster_idx_list):
            idx = tf.reshape(idx, [-1])
            assigned = tf.unsorted_segment_sum(tf.ones_like(idx, dtype=tf.int64), idx, k)
            change = tf.unsorted_segment_sum(inp, idx, k) - tf.expand_dims(tf.cast(assigned, dtype), 1) * centers
            # clusters no point joined change by 0; max(.., 1) keeps a cluster of count 0 from dividing 0 by 0
            rate = tf.reciprocal(tf.cast(tf.maximum(counts + assigned, 1), dtype))
            delta += change * tf.expand_dims(rate, 1)
            new_points += assigned
        writes.append(tf.assign(updated, centers + delta))
        writes.append(tf.assign(state["counts"], counts + new_points))
        return tf.group(*writes)

    # ---- choosing the initial centers ----------------------------------------------------------------
    def _initialize_op(self, inputs, k: int, d: int, given, state: dict) -> tf.Operation:
        """Fills the next rows of the centers from this run's inputs; sets `initialized` when all k are chosen."""
        with tf.name_scope("initialize_clusters"):
            selected = tf.convert_to_tensor(state["selected"])
            remaining = k - selected
            candidates, count = self._choose_initial_centers(inputs, k, d, remaining, given, state)
            if self._distance_metric == COSINE_DISTANCE:
                candidates = tf.nn.l2_normalize(candidates, dim=1)
            count = tf.minimum(tf.cast(count, tf.int32), remaining)
            slot = tf.range(k) - selected
            fill = tf.logical_and(slot >= 0, slot < count)
            rows = tf.gather(candidates, tf.clip_by_value(slot, 0, k - 1))
            centers = tf.where(fill, rows, state["clusters"])
            total = selected + count
            done = tf.Assert(tf.logical_or(remaining > 0, state["initialized"]),
                             [f"KMeans: all {k} cluster centers were chosen but '{state['initialized'].op.name}' "
                              f"is false"])
            with tf.control_dependencies([done]):
                writes = [tf.assign(state["clusters"], centers), tf.assign(state["selected"], total),
                          tf.assign(state["initialized"], tf.logical_or(state["initialized"], tf.equal(total, k)))]
                if state["updated"] is not state["clusters"]:
                    writes.append(tf.assign(state["updated"], centers))
                return tf.group(*writes, name="init_op")

    def _choose_initial_centers(self, inputs, k: int, d: int, remaining, given, state: dict):
        """[k, d] candidate centers and how many of them (the first ones) to take."""
        init = self._initial_clusters
        if isinstance(init, str) and init == RANDOM_INIT:
            return self._random_centers(inputs, k, d, remaining)
        if isinstance(init, str) and init == KMEANS_PLUS_PLUS_INIT:
            return self._kmeans_plus_plus(inputs, k, d, remaining)
        if isinstance(init, str):
            return self._kmc2(inputs, k, d, remaining, state)
        if callable(init):
            chosen = tf.convert_to_tensor(init(self._inputs, remaining), dtype=inputs[0].dtype)
            return _pad_rows(chosen, k, d), tf.shape(chosen)[0]
        check = tf.assert_equal(remaining, tf.shape(given)[0], message="KMeans initial_clusters: the centers still "
                                "to choose and the rows of the given tensor differ")
        with tf.control_dependencies([check]):
            return tf.identity(given), tf.shape(given)[0]

    def _random_centers(self, inputs, k: int, d: int, remaining):
        """Rows drawn uniformly from the inputs; the whole batch when it has no more rows than are needed."""
        data = tf.concat(inputs, 0) if len(inputs) > 1 else inputs[0]
        n = tf.shape(data)[0]
        drawn = _uniform_indices([k], n, self._random_seed)
        whole = n <= remaining
        source = tf.where(tf.fill([k], whole), tf.range(k), drawn)
        padded = tf.concat([data, tf.zeros([1, d], data.dtype)], 0)  # an empty batch still gathers
        rows = tf.gather(padded, tf.minimum(source, n))
        return rows, tf.where(whole, n, remaining)

    def _kmeans_plus_plus(self, inputs, k: int, d: int, remaining):
        """k-means++ over the first input: a uniform first center, then each next one drawn with probability
        proportional to the squared distance to the nearest chosen center, the best of 1 + retries draws (the
        one leaving the smallest total squared distance), as TF's kmeans_plus_plus_initialization kernel."""
        points = inputs[0]
        if self._distance_metric == COSINE_DISTANCE:
            points = tf.nn.l2_normalize(points, dim=1)
        retries = self._kmeans_plus_plus_num_retries
        draws = 1 + (retries if retries >= 0 else 2 + int(math.log(k)))
        n = tf.shape(points)[0]
        enough = tf.assert_greater_equal(tf.add_n([tf.shape(i)[0] for i in inputs]), remaining,
                                         message="KMeans kmeans_plus_plus initialization needs at least as many "
                                                 "points as centers to choose")
        seed = self._random_seed
        with tf.control_dependencies([enough]):
            first = tf.gather(points, _uniform_indices([], n, seed))
        slots = tf.range(k)

        def nearest(center):
            return tf.reduce_sum(tf.square(points - center), 1)

        def body(j, chosen, min_distances):
            cumulative = tf.cumsum(min_distances)
            targets = tf.random_uniform([draws], seed=seed) * cumulative[-1]
            picks = tf.reduce_sum(tf.cast(tf.expand_dims(cumulative, 0) <= tf.expand_dims(targets, 1), tf.int32), 1)
            candidates = tf.gather(points, tf.minimum(picks, n - 1))
            to_candidates = tf.reduce_sum(tf.square(tf.expand_dims(points, 0) - tf.expand_dims(candidates, 1)), 2)
            potentials = tf.reduce_sum(tf.minimum(tf.expand_dims(min_distances, 0), to_candidates), 1)
            best = tf.gather(candidates, tf.argmin(potentials, 0))
            chosen = tf.where(tf.equal(slots, j), tf.tile(tf.expand_dims(best, 0), [k, 1]), chosen)
            return j + 1, chosen, tf.minimum(min_distances, nearest(best))

        start = tf.where(tf.equal(slots, 0), tf.tile(tf.expand_dims(first, 0), [k, 1]), tf.zeros([k, d], points.dtype))
        _, chosen, _ = tf.while_loop(lambda j, c, m: j < remaining, body, [tf.constant(1), start, nearest(first)])
        return chosen, remaining

    def _kmc2(self, inputs, k: int, d: int, remaining, state: dict):
        """k-MC2 over the first input, as TF's: with no center chosen yet, its first row; else one new center per
        run of kmc2_chain_length rows (at least one, at most the centers remaining), each the end of a Markov
        chain over those rows that moves to a row of squared distance (to the nearest center) d_j from one of
        d_i with probability min(1, d_j / d_i)."""
        points = inputs[0]
        length = self._kmc2_chain_length
        n = tf.shape(points)[0]
        selected = tf.convert_to_tensor(state["selected"])
        to_sample = tf.maximum(tf.minimum(remaining, n // length), 1)
        to_sample = tf.where(tf.equal(selected, 0), 1, to_sample)
        slots = tf.range(k)
        seed = self._random_seed

        draws = tf.random_uniform([n], seed=seed)  # chains run over disjoint rows: one draw per row serves all

        def chain(distances, start, end):
            def step(j, best, best_distance):
                candidate = tf.gather(distances, j)
                move = candidate > tf.gather(draws, j) * best_distance
                return j + 1, tf.where(move, j, best), tf.where(move, candidate, best_distance)
            _, best, _ = tf.while_loop(lambda j, b, bd: j < end, step,
                                       [start + 1, start, tf.gather(distances, start)])
            return best

        def body(i, chosen):
            # every center chosen so far: the variable's rows, then this run's
            known = tf.where(slots < selected, tf.convert_to_tensor(state["clusters"]),
                             tf.gather(chosen, tf.clip_by_value(slots - selected, 0, k - 1)))
            unknown = tf.where(slots < selected + i, tf.zeros([k], points.dtype), tf.fill([k], np.inf))
            nearest = tf.reduce_min(_squared_distances(points, known) + unknown, 1)
            start = tf.minimum(i * length, n - 1)
            picked = tf.cond(tf.equal(selected, 0), lambda: tf.constant(0),
                             lambda: chain(nearest, start, tf.minimum(start + length, n)))
            center = tf.gather(points, picked)
            if self._distance_metric == COSINE_DISTANCE:
                center = tf.nn.l2_normalize(center, dim=0)
            return i + 1, tf.where(tf.equal(slots, i), tf.tile(tf.expand_dims(center, 0), [k, 1]), chosen)

        _, chosen = tf.while_loop(lambda i, c: i < to_sample, body, [tf.constant(0), tf.zeros([k, d], points.dtype)])
        return chosen, to_sample


def _pad_rows(rows: tf.Tensor, k: int, d: int) -> tf.Tensor:
    """The first k rows of `rows`, padded with zero rows to k."""
    padded = tf.concat([rows, tf.zeros([k, d], rows.dtype)], 0)
    return padded[:k]


class _InitializeClustersHook(tf.train.SessionRunHook):
    """Runs init_op (each run reads a batch) until the centers are initialized, once the session exists."""

    def __init__(self, init_op, is_initialized, is_chief: bool):
        self._init_op, self._is_initialized, self._is_chief = init_op, is_initialized, is_chief

    def after_create_session(self, session, coord) -> None:
        if not self._is_chief:
            return
        while not session.run(self._is_initialized):
            session.run(self._init_op)


class _LossRelativeChangeHook(tf.train.SessionRunHook):
    """Stops training once the loss changes by less than `tolerance`, relative to it, between two steps."""

    def __init__(self, loss, tolerance: float):
        self._loss, self._tolerance, self._prev = loss, tolerance, None

    def before_run(self, run_context):
        return tf.train.SessionRunArgs(self._loss)

    def after_run(self, run_context, run_values) -> None:
        loss = run_values.results
        if self._prev is not None and abs(loss - self._prev) / (1 + abs(self._prev)) < self._tolerance:
            run_context.request_stop()
        self._prev = loss


class KMeansClustering(tf.estimator.Estimator):
    """An Estimator for k-means (TF1's tf.contrib.factorization.KMeansClustering): train() runs the centers'
    initialization before its first step, then one KMeans training step per batch."""

    SQUARED_EUCLIDEAN_DISTANCE = SQUARED_EUCLIDEAN_DISTANCE
    COSINE_DISTANCE = COSINE_DISTANCE
    RANDOM_INIT = RANDOM_INIT
    KMEANS_PLUS_PLUS_INIT = KMEANS_PLUS_PLUS_INIT
    SCORE = "score"
    CLUSTER_CENTERS_VAR_NAME = CLUSTERS_VAR_NAME
    CLUSTER_INDEX = "cluster_index"
    ALL_DISTANCES = "all_distances"
    LOSS_OP_NAME = "kmeans_loss"

    def __init__(self, num_clusters, model_dir=None, initial_clusters=RANDOM_INIT,
                 distance_metric=SQUARED_EUCLIDEAN_DISTANCE, random_seed: int = 0, use_mini_batch: bool = True,
                 mini_batch_steps_per_iteration: int = 1, kmeans_plus_plus_num_retries: int = 2,
                 relative_tolerance=None, config=None, feature_columns=None):
        if isinstance(initial_clusters, str) and initial_clusters not in _INITS:
            raise ValueError(f"Unsupported initialization algorithm `{initial_clusters}`,must be one of `{_INITS}`.")
        if distance_metric not in _METRICS:
            raise ValueError(f"Unsupported distance metric `{distance_metric}`,must be one of `{_METRICS}`.")
        if relative_tolerance is not None and use_mini_batch:
            raise ValueError("relative_tolerance is only supported for full batch training (use_mini_batch=False)")
        self._kmeans_args = dict(num_clusters=num_clusters, initial_clusters=initial_clusters,
                                 distance_metric=distance_metric, use_mini_batch=use_mini_batch,
                                 mini_batch_steps_per_iteration=mini_batch_steps_per_iteration,
                                 random_seed=random_seed, kmeans_plus_plus_num_retries=kmeans_plus_plus_num_retries)
        self._relative_tolerance = relative_tolerance
        self._feature_columns = feature_columns
        super().__init__(model_fn=self._kmeans_model_fn, model_dir=model_dir, config=config)

    def _parse_features(self, features):
        if not isinstance(features, dict):
            return features
        if self._feature_columns:
            return tf.feature_column.input_layer(features, self._feature_columns)
        return tf.concat([features[k] for k in sorted(features)], 1)

    def _kmeans_model_fn(self, features, mode, config):
        (all_distances, model_predictions, losses, is_initialized, init_op,
         training_op) = KMeans(inputs=self._parse_features(features), **self._kmeans_args).training_graph()
        loss = tf.reduce_sum(losses, name=KMeansClustering.LOSS_OP_NAME)
        tf.summary.scalar("loss/raw", loss)
        incr_step = tf.assign_add(tf.train.get_global_step(), 1)
        with tf.control_dependencies([training_op, incr_step]):
            training_op = tf.identity(loss)
        hooks = [_InitializeClustersHook(init_op, is_initialized, config.is_chief)]
        if self._relative_tolerance is not None:
            hooks.append(_LossRelativeChangeHook(loss, self._relative_tolerance))
        predictions = {KMeansClustering.ALL_DISTANCES: all_distances[0],
                       KMeansClustering.CLUSTER_INDEX: model_predictions[0]}
        outputs = {KMeansClustering.ALL_DISTANCES: tf.estimator.export.PredictOutput(all_distances[0]),
                   KMeansClustering.CLUSTER_INDEX: tf.estimator.export.PredictOutput(model_predictions[0]),
                   tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                       tf.estimator.export.PredictOutput(model_predictions[0])}
        return tf.estimator.EstimatorSpec(mode=mode, predictions=predictions, loss=loss, train_op=training_op,
                                          eval_metric_ops={KMeansClustering.SCORE: tf.metrics.mean(loss)},
                                          training_hooks=hooks, export_outputs=outputs)

    def predict_cluster_index(self, input_fn):
        """The index of each input's nearest center."""
        for index in self.predict(input_fn=input_fn, predict_keys=[KMeansClustering.CLUSTER_INDEX]):
            yield index[KMeansClustering.CLUSTER_INDEX]

    def score(self, input_fn) -> float:
        """The sum of the inputs' distances to their nearest centers (one batch of input_fn)."""
        return self.evaluate(input_fn=input_fn, steps=1)[KMeansClustering.SCORE]

    def transform(self, input_fn):
        """Each input's distances to every center."""
        for distances in self.predict(input_fn=input_fn, predict_keys=[KMeansClustering.ALL_DISTANCES]):
            yield distances[KMeansClustering.ALL_DISTANCES]

    def cluster_centers(self) -> np.ndarray:
        """The centers, as the latest checkpoint holds them."""
        return self.get_variable_value(KMeansClustering.CLUSTER_CENTERS_VAR_NAME)
