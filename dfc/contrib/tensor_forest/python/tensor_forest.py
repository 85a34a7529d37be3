"""tf.contrib.tensor_forest's tensor_forest: TF1's online extremely randomized forests (RandomForestGraphs).

Each tree grows from the training batches as TF's V4 trees do (ir/ops/forest.py says how): its state lives in
variables (TF: a C++ resource), so a Saver checkpoints it and `initialize_resources(shared_resources())`, which
TF1 scripts run beside `global_variables_initializer()`, creates it. Inference walks each tree in a while loop of
gathers and returns TF's (probabilities averaged over the trees, tree paths, variance). TF draws its split
candidates from its own C++ generator; dfc draws them with random_uniform, so a forest is the same kind of
forest, not TF's very trees.
"""

from __future__ import annotations

import math
import numbers
import random

import numpy as np

import dfc as tf
from dfc import resources
from dfc.graph_builder import make_op, wrap
from dfc.ir.ops.forest import STATE

__all__ = ["ForestHParams", "RandomForestGraphs", "RandomTreeGraphs", "TreeVariables", "ForestVariables",
           "get_epoch_variable"]

_MODELS = ("all_dense", "all_sparse", "sparse_then_dense")
_FINISH = ("basic", "hoeffding", "bootstrap")
_PRUNING = ("none", "half", "quarter", "10_percent", "hoeffding")
_SPLITS = ("less_or_equal", "less")


class ForestHParams:
    """A forest's hyperparameters; `fill()` computes the defaults TF1 derives from them."""

    def __init__(self, num_trees=100, max_nodes=10000, bagging_fraction=1.0, num_splits_to_consider=0,
                 feature_bagging_fraction=1.0, max_fertile_nodes=0, split_after_samples=250, valid_leaf_threshold=1,
                 dominate_method="bootstrap", dominate_fraction=0.99, model_name="all_dense",
                 split_finish_name="basic", split_pruning_name="none", prune_every_samples=0,
                 early_finish_check_every_samples=0, collate_examples=False, checkpoint_stats=False,
                 use_running_stats_method=False, initialize_average_splits=False, inference_tree_paths=False,
                 param_file=None, split_name="less_or_equal", **kwargs):
        self.num_trees = num_trees
        self.max_nodes = max_nodes
        self.bagging_fraction = bagging_fraction
        self.feature_bagging_fraction = feature_bagging_fraction
        self.num_splits_to_consider = num_splits_to_consider
        self.max_fertile_nodes = max_fertile_nodes
        self.split_after_samples = split_after_samples
        self.valid_leaf_threshold = valid_leaf_threshold
        self.dominate_method = dominate_method
        self.dominate_fraction = dominate_fraction
        self.model_name = model_name
        self.split_finish_name = split_finish_name
        self.split_pruning_name = split_pruning_name
        self.collate_examples = collate_examples
        self.checkpoint_stats = checkpoint_stats
        self.use_running_stats_method = use_running_stats_method
        self.initialize_average_splits = initialize_average_splits
        self.inference_tree_paths = inference_tree_paths
        self.param_file = param_file
        self.split_name = split_name
        self.early_finish_check_every_samples = early_finish_check_every_samples
        self.prune_every_samples = prune_every_samples
        for name, value in kwargs.items():
            setattr(self, name, value)

    def values(self) -> dict:
        return self.__dict__

    def fill(self) -> ForestHParams:
        """Sets the parameters left to their defaults (num_classes and num_features must be given)."""
        _ = self.num_classes, self.num_features  # AttributeError when missing, as in TF
        self.bagged_num_features = int(self.feature_bagging_fraction * self.num_features)
        self.bagged_features = None
        if self.feature_bagging_fraction < 1.0:
            self.bagged_features = [random.sample(range(self.num_features), self.bagged_num_features)
                                    for _ in range(self.num_trees)]
        self.regression = getattr(self, "regression", False)
        self.num_outputs = self.num_classes if self.regression else 1
        self.num_output_columns = self.num_classes + 1
        self.num_splits_to_consider = self.num_splits_to_consider or min(
            max(10, math.floor(math.sqrt(self.num_features))), 1000)
        self.base_random_seed = getattr(self, "base_random_seed", 0)
        for value, names, what in [(self.model_name, _MODELS, "model_name"),
                                   (self.split_finish_name, _FINISH, "split_finish_name"),
                                   (self.split_pruning_name, _PRUNING, "split_pruning_name"),
                                   (self.split_name, _SPLITS, "split_name")]:
            if value not in names:
                raise KeyError(f"{what} {value!r} is not one of {list(names)}")
        if self.split_pruning_name == "none":
            self.prune_every_samples = 0
        else:
            self.prune_every_samples = self.prune_every_samples or int(self.split_after_samples) / 2
        if self.split_finish_name == "basic" or self.regression:
            self.early_finish_check_every_samples = 0
        else:
            self.early_finish_check_every_samples = (self.early_finish_check_every_samples
                                                     or int(self.split_after_samples) / 4)
        return self


def get_epoch_variable():
    """The epoch variable of tf.train.limit_epochs, or [0] if there is none."""
    for v in tf.local_variables():
        if "limit_epochs/epoch" in v.op.name:
            return tf.reshape(v, [1])
    return [0]


def _check_supported(params: ForestHParams) -> None:
    if getattr(params, "regression", False):
        raise NotImplementedError("dfc's tensor_forest grows classification forests; regression=True is not "
                                  "supported")
    if params.split_finish_name != "basic" or params.split_pruning_name != "none":
        raise NotImplementedError(f"dfc's tensor_forest splits a leaf once it has seen split_after_samples examples "
                                  f"(split_finish_name='basic', split_pruning_name='none'); got "
                                  f"{params.split_finish_name!r} and {params.split_pruning_name!r}")
    if not isinstance(params.split_after_samples, numbers.Integral) and not str(params.split_after_samples).isdigit():
        raise NotImplementedError(f"split_after_samples must be a number of examples, got "
                                  f"{params.split_after_samples!r} (depth-dependent values are not supported)")


class TreeVariables:
    """One tree's state: its nodes (`tree-<i>`) and its fertile leaves' statistics (`stats-<i>`), as variables
    registered as one shared resource."""

    def __init__(self, params, tree_num: int, training: bool, tree_config="", tree_stat=""):
        nodes, classes, slots = int(params.max_nodes), int(params.num_classes), int(params.num_splits_to_consider)
        if nodes < 1:
            raise ValueError(f"max_nodes must be positive, got {params.max_nodes}")
        initial = {"node_count": np.int32(1), "children": np.full(nodes, -1, np.int32),
                   "features": np.full(nodes, -1, np.int32), "thresholds": np.zeros(nodes, np.float32),
                   "leaf_counts": np.zeros((nodes, classes), np.float32),
                   "split_features": np.zeros((nodes, slots), np.int32),
                   "split_thresholds": np.zeros((nodes, slots), np.float32),
                   "split_count": np.zeros(nodes, np.int32),
                   "left_counts": np.zeros((nodes, slots, classes), np.float32),
                   "total_counts": np.zeros((nodes, classes), np.float32)}
        self.variables: dict[str, tf.Variable] = {}
        for part, names in (("tree", STATE[:5]), ("stats", STATE[5:] if training else ())):
            if not names:
                continue
            with tf.name_scope(self.get_tree_name(part, tree_num)):
                for name in names:
                    self.variables[name] = tf.Variable(initial[name], trainable=False, name=name)
        count = self.variables["node_count"]
        self.tree = count  # what TF calls the tree's resource handle
        self.stats = self.variables.get("split_count") if training else None
        resources.register_resource(count.value(), tf.group(*[v.initializer for v in self.variables.values()]),
                                    tf.is_variable_initialized(count))

    def get_tree_name(self, name: str, num: int) -> str:
        return f"{name}-{num}"


class ForestVariables:
    """The trees' TreeVariables, indexed by tree number, and TF's per-tree device placeholders."""

    def __init__(self, params, device_assigner=None, training: bool = True, tree_variables_class=TreeVariables,
                 tree_configs=None, tree_stats=None):
        self.variables = []
        self.device_dummies = [tf.get_variable(f"device_dummy_{i}", shape=[0], initializer=tf.zeros_initializer())
                               for i in range(params.num_trees)]
        for i in range(params.num_trees):
            kwargs = {}
            if tree_configs is not None:
                kwargs["tree_config"] = tree_configs[i]
            if tree_stats is not None:
                kwargs["tree_stat"] = tree_stats[i]
            self.variables.append(tree_variables_class(params, i, training, **kwargs))

    def __setitem__(self, t: int, val) -> None:
        self.variables[t] = val

    def __getitem__(self, t: int):
        return self.variables[t]


def _dense_features(input_data) -> tf.Tensor:
    """A [batch, features] float32 matrix from a tensor or a dict of columns (joined in key order, as TF's
    data spec orders them)."""
    if isinstance(input_data, dict):
        columns = [tf.cast(tf.reshape(input_data[k], [tf.shape(input_data[k])[0], -1]), tf.float32)
                   for k in sorted(input_data)]
        return tf.concat(columns, 1) if len(columns) > 1 else columns[0]
    data = tf.convert_to_tensor(input_data)
    if data.shape.ndims == 1:
        data = tf.expand_dims(data, 1)
    if data.shape.ndims not in (None, 2):
        raise ValueError(f"tensor_forest input_data must be [batch, features], got '{data.name}' of shape "
                         f"{data.shape}")
    return tf.cast(data, tf.float32) if data.dtype != tf.float32 else data


class RandomForestGraphs:
    """Builds the graphs that train a random forest and infer with it."""

    def __init__(self, params, tree_configs=None, tree_stats=None, device_assigner=None, variables=None,
                 tree_variables_class=TreeVariables, tree_graphs=None, training: bool = True):
        _check_supported(params)
        self.params = params
        self.device_assigner = device_assigner
        self.variables = variables or ForestVariables(params, device_assigner, training, tree_variables_class,
                                                      tree_configs, tree_stats)
        tree_graph_class = tree_graphs or RandomTreeGraphs
        self.trees = [tree_graph_class(self.variables[i], params, i) for i in range(params.num_trees)]

    def _bag_features(self, tree_num: int, input_data):
        return tf.gather(input_data, self.params.bagged_features[tree_num], axis=1)

    def get_all_resource_handles(self) -> list:
        return ([self.variables[i].tree for i in range(len(self.trees))]
                + [self.variables[i].stats for i in range(len(self.trees))])

    def training_graph(self, input_data, input_labels, num_trainers: int = 1, trainer_id: int = 0,
                       **tree_kwargs) -> tf.Operation:
        """One op that grows every tree (of this trainer's share) from the batch."""
        data = _dense_features(input_data)
        labels = tf.reshape(tf.cast(input_labels, tf.int32), [-1])
        per_trainer = self.params.num_trees / num_trainers
        ops = []
        for i in range(int(trainer_id * per_trainer), int((trainer_id + 1) * per_trainer)):
            seed = self.params.base_random_seed
            seed = seed + i if seed != 0 else None
            tree_data, weights = data, tree_kwargs.get("input_weights")
            if self.params.bagging_fraction < 1.0:
                # TF keeps the rows a uniform draw puts under the fraction: the others weigh 0
                kept = tf.cast(tf.random_uniform(tf.shape(data)[:1], seed=seed) < self.params.bagging_fraction,
                               tf.float32)
                weights = kept if weights is None else weights * kept
            if self.params.bagged_features:
                tree_data = self._bag_features(i, tree_data)
            ops.append(self.trees[i].training_graph(tree_data, labels, seed, data_spec=None, input_weights=weights))
        return tf.group(*ops, name="train")

    def inference_graph(self, input_data, **inference_args):
        """(probabilities [batch, classes] averaged over the trees, tree_paths, variance)."""
        data = _dense_features(input_data)
        probabilities, paths = [], []
        for i in range(self.params.num_trees):
            tree_data = self._bag_features(i, data) if self.params.bagged_features else data
            probs, path = self.trees[i].inference_graph(tree_data, None, **inference_args)
            probabilities.append(probs)
            paths.append(path)
        all_predict = tf.stack(probabilities, axis=1)
        average_values = tf.div(tf.reduce_sum(all_predict, 1), float(self.params.num_trees), name="probabilities")
        tree_paths = tf.stack(paths, axis=1)
        expected_squares = tf.div(tf.reduce_sum(all_predict * all_predict, 1), float(self.params.num_trees))
        regression_variance = tf.maximum(0.0, expected_squares - average_values * average_values)
        return average_values, tree_paths, regression_variance

    def average_size(self) -> tf.Tensor:
        """The mean number of nodes over the trees."""
        return tf.reduce_mean(tf.cast(tf.stack([tree.size() for tree in self.trees]), tf.float32))

    def training_loss(self, features, labels, name: str = "training_loss") -> tf.Tensor:
        """TF's: minus the average tree size (a forest 'improves' as it grows)."""
        return tf.negative(self.average_size(), name=name)

    def validation_loss(self, features, labels) -> tf.Tensor:
        return tf.negative(self.average_size())

    def feature_importances(self) -> tf.Tensor:
        """How often each feature splits a node, over all trees, as a fraction of all splits."""
        counts = tf.reduce_sum(tf.stack([tree.feature_usage_counts() for tree in self.trees], 0), 0)
        return counts / tf.reduce_sum(counts)


class RandomTreeGraphs:
    """Builds the graphs that train one tree and infer with it."""

    def __init__(self, variables: TreeVariables, params, tree_num: int):
        self.variables = variables
        self.params = params
        self.tree_num = tree_num

    def _state(self) -> list:
        return [self.variables.variables[name] for name in STATE]

    def training_graph(self, input_data, input_labels, random_seed, data_spec, sparse_features=None,
                       input_weights=None) -> tf.Operation:
        """Grows this tree from the batch (ir/ops/forest.py's dfc.forest_grow) and stores its new state."""
        if sparse_features is not None:
            raise NotImplementedError("dfc's tensor_forest takes dense features only")
        if self.variables.stats is None:
            raise ValueError(f"tree {self.tree_num} was made for inference (training=False): it has no statistics "
                             f"to grow from")
        data = _dense_features(input_data)
        labels = tf.reshape(tf.cast(input_labels, tf.int32), [-1])
        num_classes = int(self.params.num_classes)
        with tf.name_scope(f"tree_{self.tree_num}_train"):
            weights = (tf.ones(tf.shape(labels), tf.float32) if input_weights is None
                       else tf.cast(tf.reshape(input_weights, [-1]), tf.float32))
            uniforms = tf.random_uniform(tf.shape(labels), seed=random_seed or None)
            valid = tf.Assert(tf.reduce_all(tf.logical_and(labels >= 0, labels < num_classes)),
                              [f"tensor_forest labels '{labels.name}' must be class indices in [0, {num_classes}); "
                               f"got", labels])
            state = self._state()
            with tf.control_dependencies([valid]):
                op = make_op("dfc.forest_grow", [data, labels, weights, uniforms, *[v.value() for v in state]],
                             {"split_after_samples": int(self.params.split_after_samples),
                              "strict": self.params.split_name == "less"}, name="GrowTree")
            return tf.group(*[tf.assign(v, wrap(r)) for v, r in zip(state, op.results)])

    def _leaves(self, data: tf.Tensor) -> tf.Tensor:
        """Each row's leaf, walking down from the root one level per iteration."""
        children = self.variables.variables["children"].value()
        features = self.variables.variables["features"].value()
        thresholds = self.variables.variables["thresholds"].value()
        strict = self.params.split_name == "less"

        def descend(node):
            child = tf.gather(children, node)
            value = tf.squeeze(tf.batch_gather(data, tf.expand_dims(tf.maximum(tf.gather(features, node), 0), 1)), 1)
            limit = tf.gather(thresholds, node)
            right = tf.cast(value >= limit if strict else value > limit, tf.int32)
            return tf.where(child >= 0, child + right, node)

        start = tf.zeros(tf.shape(data)[:1], tf.int32)
        return tf.while_loop(lambda node: tf.reduce_any(tf.gather(children, node) >= 0), descend, [start])

    def inference_graph(self, input_data, data_spec, sparse_features=None):
        """(class probabilities [batch, classes]: the leaf's counts normalized, tree paths)."""
        if sparse_features is not None:
            raise NotImplementedError("dfc's tensor_forest takes dense features only")
        if self.params.inference_tree_paths:
            raise NotImplementedError("inference_tree_paths: dfc does not serialize TF's TreePath protos")
        data = _dense_features(input_data)
        with tf.name_scope(f"tree_{self.tree_num}_infer"):
            counts = tf.gather(self.variables.variables["leaf_counts"].value(), self._leaves(data))
            total = tf.reduce_sum(counts, 1, keepdims=True)
            probabilities = counts / tf.where(total > 0, total, tf.ones_like(total))
            return probabilities, tf.fill([0], "")

    def size(self) -> tf.Tensor:
        """The tree's number of nodes."""
        return tf.identity(self.variables.variables["node_count"].value())

    def feature_usage_counts(self) -> tf.Tensor:
        features = self.variables.variables["features"].value()
        num_features = int(getattr(self.params, "bagged_num_features", None) or self.params.num_features)
        used = tf.cast(features >= 0, tf.int32)
        return tf.unsorted_segment_sum(used, tf.maximum(features, 0), num_features)
