"""TF1 programs over tf.image's NMS variants (with scores, soft-NMS, overlaps, padded, combined), for TF and dfc."""

from __future__ import annotations

import numpy as np
from tf1_op_cases import Case

F32 = np.float32


def _boxes(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers, sizes = rng.uniform(0, 1, (n, 2)), rng.uniform(0.05, 0.4, (n, 2))
    return np.concatenate([centers - sizes / 2, centers + sizes / 2], 1).astype(F32)


def _nms(tf, boxes, scores, overlaps, batch_boxes, batch_scores, class_scores):
    with_scores = tf.image.non_max_suppression_with_scores(boxes, scores, 10, 0.4)
    soft = tf.image.non_max_suppression_with_scores(boxes, scores, 12, 0.5, score_threshold=0.1, soft_nms_sigma=0.3)
    padded = tf.image.non_max_suppression_padded(boxes, scores, 9, 0.45, pad_to_max_output_size=True)
    unpadded = tf.image.non_max_suppression_padded(boxes, scores, 9, 0.45, score_threshold=0.3)
    batched = tf.image.non_max_suppression_padded(batch_boxes, batch_scores, 6, 0.3, pad_to_max_output_size=True)
    per_class = tf.expand_dims(tf.stack([boxes * 1.1 - 0.05, boxes[::-1]]), 2)
    combined = tf.image.combined_non_max_suppression(per_class, class_scores, 4, 7, 0.5, 0.05)
    combined_pad = tf.image.combined_non_max_suppression(per_class, class_scores, 2, 50, 0.5, pad_per_class=True,
                                                         clip_boxes=False)
    out = {"ws_indices": with_scores[0], "ws_scores": with_scores[1], "soft_indices": soft[0], "soft_scores": soft[1],
           "overlaps": tf.image.non_max_suppression_overlaps(overlaps, scores, 8, 0.6, 0.2),
           "padded": padded[0], "padded_valid": padded[1], "unpadded": unpadded[0], "unpadded_valid": unpadded[1],
           "batched": batched[0], "batched_valid": batched[1]}
    for prefix, result in (("combined", combined), ("combined_pad", combined_pad)):
        for key, value in zip(("boxes", "scores", "classes", "valid"), result):
            out[f"{prefix}_{key}"] = value
    return out


_BATCH = np.random.default_rng(72).uniform(0, 1, (2, 30, 4)).astype(F32)
CASES: list[Case] = [
    Case("image_nms_variants", {
        "boxes": _boxes(70, 30), "scores": np.random.default_rng(71).uniform(0, 1, 30).astype(F32),
        "overlaps": np.random.default_rng(73).uniform(0, 1, (30, 30)).astype(F32),
        "batch_boxes": np.concatenate([np.minimum(_BATCH[..., :2], _BATCH[..., 2:]),
                                       np.maximum(_BATCH[..., :2], _BATCH[..., 2:])], -1),
        "batch_scores": np.random.default_rng(74).uniform(0, 1, (2, 30)).astype(F32),
        "class_scores": np.random.default_rng(75).uniform(0, 1, (2, 30, 3)).astype(F32)}, _nms),
]
