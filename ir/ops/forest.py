"""The online random-forest op of tf.contrib.tensor_forest: one training step of one extremely randomized tree.

A tree is a set of arrays (TF keeps it in a C++ resource): `node_count`, and per node its left child (-1 at a
leaf; the right child follows it), its split feature and threshold, its class counts (the leaf model), and,
for the fertile leaves, up to S split candidates (feature, threshold, class counts of the examples that went
left) with the leaf's class totals. A step routes the batch to the leaves, adds each example to its leaf's
counts, lets each new example at a fertile leaf propose a candidate (a random feature, that example's value as
threshold) until the leaf has S, counts the examples (up to the one that finishes the leaf: split_after_samples
weight and two classes seen) into the candidates, then splits each finished leaf on the candidate of lowest
smoothed Gini impurity while the tree has room. It is a loop over a batch's examples, not a loop nest: the CPU
calls this numpy reference on the host (HOST_OPS in linalg.py), the GPU places it on the CPU. The candidates'
random features come from an operand of uniform draws (dfc's random_uniform, seeded as TF1 seeds ops).
"""

from __future__ import annotations

import numpy as np

from ..dtypes import f32, i32
from ..errors import ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, tensor_operand

#: the operands after (data, labels, weights, uniforms): the tree's state, which the op returns updated
STATE = ("node_count", "children", "features", "thresholds", "leaf_counts", "split_features", "split_thresholds",
         "split_count", "left_counts", "total_counts")


def traverse(data: np.ndarray, children: np.ndarray, features: np.ndarray, thresholds: np.ndarray,
             strict: bool = False) -> np.ndarray:
    """Each row's leaf: from the root, left where value <= threshold (< when `strict`), else right."""
    node = np.zeros(len(data), np.int64)
    rows = np.arange(len(data))
    while True:
        inner = children[node] >= 0
        if not inner.any():
            return node
        value = data[rows, np.maximum(features[node], 0)]
        left = value < thresholds[node] if strict else value <= thresholds[node]
        node = np.where(inner, children[node] + np.where(left, 0, 1), node)


def smoothed_gini(counts: np.ndarray) -> np.ndarray:
    """TF's weighted smoothed Gini impurity of class counts [..., C]: n * (1 - sum((c + 1)^2) / (n + C)^2)."""
    total = counts.sum(-1)
    smoothed = total + counts.shape[-1]
    return total * (1.0 - ((counts + 1.0) ** 2).sum(-1) / (smoothed * smoothed))


def _add_examples(state: dict, leaf: int, x, y, w, u, split_after: int, strict: bool) -> bool:
    """Counts one leaf's examples (in order) into its candidates; True when the leaf finished."""
    num_classes = state["leaf_counts"].shape[1]
    slots = state["split_features"].shape[1]
    onehot = np.eye(num_classes, dtype=np.float32)[y] * w[:, None]
    seen = np.maximum.accumulate(np.vstack([state["total_counts"][leaf][None] > 0, onehot > 0]), axis=0)[1:]
    weight = state["total_counts"][leaf].sum() + np.cumsum(w)
    done = np.nonzero((weight >= split_after) & (seen.sum(1) >= 2))[0]
    take = int(done[0]) + 1 if len(done) else len(y)
    x, onehot = x[:take], onehot[:take]
    have = int(state["split_count"][leaf])
    new = min(slots - have, take)
    created = np.full(have + new, -1)
    for j in range(new):  # each new example proposes one candidate until the leaf has them all
        feature = min(int(u[j] * x.shape[1]), x.shape[1] - 1)
        state["split_features"][leaf, have + j] = feature
        state["split_thresholds"][leaf, have + j] = x[j, feature]
        created[have + j] = j
    count = have + new
    chosen = x[:, state["split_features"][leaf, :count]]
    limits = state["split_thresholds"][leaf, :count]
    left = (chosen < limits) if strict else (chosen <= limits)
    left &= np.arange(take)[:, None] >= created[None, :]  # a candidate counts the examples from its own on
    state["left_counts"][leaf, :count] += left.T.astype(np.float32) @ onehot
    state["total_counts"][leaf] += onehot.sum(0)
    state["split_count"][leaf] = count
    return bool(len(done))


def _split(state: dict, leaf: int) -> None:
    """Splits a finished leaf on its best candidate (if one sends examples both ways); clears its statistics."""
    count = int(state["split_count"][leaf])
    left = state["left_counts"][leaf, :count].astype(np.float64)
    right = state["total_counts"][leaf][None].astype(np.float64) - left
    usable = (left.sum(1) > 0) & (right.sum(1) > 0)
    if usable.any():
        best = int(np.argmin(np.where(usable, smoothed_gini(left) + smoothed_gini(right), np.inf)))
        child = int(state["node_count"])
        state["children"][leaf] = child
        state["features"][leaf] = state["split_features"][leaf, best]
        state["thresholds"][leaf] = state["split_thresholds"][leaf, best]
        state["leaf_counts"][child] = left[best]
        state["leaf_counts"][child + 1] = right[best]
        state["node_count"] = np.int32(child + 2)
    for name in ("split_features", "split_thresholds", "split_count", "left_counts", "total_counts"):
        state[name][leaf] = 0


def _grow(data, labels, weights, uniforms, *arrays, split_after_samples: int, strict: bool = False):
    state = {name: np.array(a, copy=True) for name, a in zip(STATE, arrays)}
    num_nodes, num_classes = state["leaf_counts"].shape
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be class indices in [0, {num_classes}), got {labels.min()}..{labels.max()}")
    leaves = traverse(data, state["children"], state["features"], state["thresholds"], strict)
    np.add.at(state["leaf_counts"], (leaves, labels), weights.astype(np.float32))
    finished = []
    if int(state["node_count"]) + 2 <= num_nodes:  # a tree without room for two children keeps no statistics
        for leaf in np.unique(leaves):
            rows = np.nonzero(leaves == leaf)[0]
            if _add_examples(state, int(leaf), data[rows], labels[rows], weights[rows].astype(np.float32),
                             uniforms[rows], split_after_samples, strict):
                finished.append(int(leaf))
    for leaf in finished:
        if int(state["node_count"]) + 2 > num_nodes:
            break
        _split(state, leaf)
    return tuple(state[name] for name in STATE)


def _grow_infer(types, attrs):
    data, labels = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(data.dtype, (f32,), "input_data")
    require_dtype(labels.dtype, (i32,), "labels")
    require_dtype(tensor_operand(types, 2).dtype, (f32,), "weights")
    require_dtype(tensor_operand(types, 3).dtype, (f32,), "uniforms")
    state = [tensor_operand(types, 4 + i) for i in range(len(STATE))]
    if data.rank not in (None, 2):
        raise ShapeError(f"input_data must be a [batch, features] matrix, got {data}")
    for t, name in zip(state, STATE):
        if t.shape is None or any(d is None for d in t.shape):
            raise ShapeError(f"the tree's {name} must have a known shape, got {t}")
    return [TensorType(t.dtype, t.shape) for t in state]


register(OpDef("dfc.forest_grow", "forest", _grow_infer, _grow, 4 + len(STATE),
               {"split_after_samples": Attr("int"), "strict": Attr("bool", False)}, differentiable=False,
               fusible_as=None,
               doc="one training step of one tensor_forest tree: (input_data, labels, weights, uniforms, "
                   + ", ".join(STATE) + ") -> the state updated"))
