"""tf.image's box functions of detection and Inception input code: NMS variants, combined NMS, distorted crops.

The ops (ir/ops/image_boxes.py) run their greedy loops on the host, called from compiled code.
max_output_size (and max_total_size) must be known while building, as dfc gives the padded
selections a static length; an unpadded selection is that slice of it whose length the Session
learns before the step. Arguments, defaults and errors follow TF1; none has a gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfc.ir.dtypes import f32

from .framework import Tensor, constant_value, convert_to_tensor
from .graph_builder import make_op, wrap
from .math_ops import cast
from .scopes import name_scope


def _static_int(value: Any, what: str, op: str) -> int:
    known = constant_value(value) if isinstance(value, Tensor) else np.asarray(value)
    if known is None:
        raise ValueError(f"{op}: {what} must be a constant (dfc gives the padded selection a static length), "
                         f"got {value!r}")
    if int(known) < 0:
        raise ValueError(f"{op}: {what} must be non-negative, got {int(known)}")
    return int(known)


def _f32(value: Any, what: str) -> Tensor:
    return cast(convert_to_tensor(value, name=what), f32)


def _check_threshold(value: Any, what: str, op: str) -> None:
    known = constant_value(value) if isinstance(value, Tensor) else np.asarray(value)
    if known is not None and not 0.0 <= float(known) <= 1.0:
        raise ValueError(f"{op}: {what} must be in [0, 1], got {float(known)}")


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0,
                                    name: str | None = None) -> tuple[Tensor, Tensor]:
    """(indices, scores) of the greedy selection; soft_nms_sigma > 0 decays overlapping boxes' scores by
    exp(-iou^2 / (2 sigma)) instead of dropping them (Soft-NMS, TF's NonMaxSuppressionV5)."""
    with name_scope(name, "non_max_suppression_with_scores", [boxes, scores]):
        m = _static_int(max_output_size, "max_output_size", "NonMaxSuppressionV5")
        _check_threshold(iou_threshold, "iou_threshold", "NonMaxSuppressionV5")
        inputs = [_f32(boxes, "boxes"), _f32(scores, "scores"), _f32(iou_threshold, "iou_threshold"),
                  _f32(score_threshold, "score_threshold"), _f32(soft_nms_sigma, "soft_nms_sigma")]
        op = make_op("dfc.non_max_suppression_v5", inputs, {"max_output_size": m}, name="NonMaxSuppressionV5")
        indices, kept_scores, count = (wrap(r) for r in op.results)
        return indices[:count], kept_scores[:count]


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name: str | None = None) -> Tensor:
    """Indices of the greedy selection by a given [n, n] overlap matrix (suppressed above overlap_threshold)."""
    with name_scope(name, "non_max_suppression_overlaps", [overlaps, scores]):
        m = _static_int(max_output_size, "max_output_size", "NonMaxSuppressionWithOverlaps")
        inputs = [_f32(overlaps, "overlaps"), _f32(scores, "scores"), _f32(overlap_threshold, "overlap_threshold"),
                  _f32(score_threshold, "score_threshold")]
        op = make_op("dfc.non_max_suppression_overlaps", inputs, {"max_output_size": m},
                     name="NonMaxSuppressionWithOverlaps")
        indices, _, count = (wrap(r) for r in op.results)
        return indices[:count]


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                               pad_to_max_output_size: bool = False, name: str | None = None,
                               sorted_input: bool = False, canonicalized_coordinates: bool = False,
                               tile_size: int = 512) -> tuple[Tensor, Tensor]:
    """(indices, valid count): boxes [..., n, 4] and scores [..., n], each batch entry selected greedily; the
    indices padded with 0 to max_output_size when pad_to_max_output_size (required for batches)."""
    b = convert_to_tensor(boxes, name="boxes")
    if not pad_to_max_output_size and b.shape.ndims is not None and b.shape.ndims > 2:
        raise ValueError(f"'pad_to_max_output_size' (value {pad_to_max_output_size}) must be True for batched input")
    with name_scope(name, "non_max_suppression_padded", [boxes, scores]):
        m = _static_int(max_output_size, "max_output_size", "non_max_suppression_padded")
        _check_threshold(iou_threshold, "iou_threshold", "non_max_suppression_padded")
        inputs = [cast(b, f32), _f32(scores, "scores"), _f32(iou_threshold, "iou_threshold"),
                  _f32(score_threshold, "score_threshold")]
        op = make_op("dfc.non_max_suppression_batched", inputs, {"max_output_size": m}, name="NonMaxSuppressionPadded")
        indices, valid = (wrap(r) for r in op.results)
        if not pad_to_max_output_size:
            return indices[:valid], valid
        return indices, valid


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size, iou_threshold=0.5,
                                 score_threshold=float("-inf"), pad_per_class: bool = False, clip_boxes: bool = True,
                                 name: str | None = None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(nmsed_boxes, nmsed_scores, nmsed_classes, valid_detections): greedy NMS per class of boxes
    [batch, n, q, 4] (q 1: shared by the classes) and scores [batch, n, classes], the best max_total_size
    detections over the classes by score, zero-padded, boxes clipped to [0, 1] when clip_boxes."""
    with name_scope(name, "combined_non_max_suppression", [boxes, scores]):
        per_class = _static_int(max_output_size_per_class, "max_output_size_per_class",
                                "CombinedNonMaxSuppression")
        total = _static_int(max_total_size, "max_total_size", "CombinedNonMaxSuppression")
        _check_threshold(iou_threshold, "iou_threshold", "CombinedNonMaxSuppression")
        inputs = [_f32(boxes, "boxes"), _f32(scores, "scores"), _f32(iou_threshold, "iou_threshold"),
                  _f32(score_threshold, "score_threshold")]
        attrs = {"max_output_size_per_class": per_class, "max_total_size": total,
                 "pad_per_class": bool(pad_per_class), "clip_boxes": bool(clip_boxes)}
        op = make_op("dfc.combined_non_max_suppression", inputs, attrs, name="CombinedNonMaxSuppression")
        return tuple(wrap(r) for r in op.results)


def extract_glimpse(input, size, offsets, centered: bool = True, normalized: bool = True,  # noqa: A002 - TF's name
                    uniform_noise: bool = True, name: str | None = None) -> Tensor:
    """Windows of `size` [h, w] (constant) of input [batch, height, width, channels] centered at offsets
    [batch, 2] (y, x): relative to the image's center when centered, in [-1, 1] units when normalized. Pixels
    off the image are random: uniform between the channel's min and max, or Gaussian (uniform_noise=False)."""
    from .random_ops import random_normal, random_uniform
    with name_scope(name, "ExtractGlimpse", [input, offsets]):
        x = _f32(input, "input")
        known = constant_value(size) if isinstance(size, Tensor) else np.asarray(size)
        if known is None or np.asarray(known).shape != (2,):
            raise ValueError(f"ExtractGlimpse: size must be a constant [height, width], got {size!r}")
        h, w = (int(v) for v in np.asarray(known))
        if h <= 0 or w <= 0:
            raise ValueError(f"ExtractGlimpse: size must be positive, got [{h}, {w}]")
        if x.shape.ndims != 4 or x.shape.as_list()[0] is None or x.shape.as_list()[3] is None:
            raise ValueError(f"ExtractGlimpse: input must be 4-D with a known batch and depth, got {x.shape}")
        batch, _, _, depth = x.shape.as_list()
        draw = random_uniform if uniform_noise else random_normal
        noise = draw([batch, h, w, depth], name="noise")
        attrs = {"centered": bool(centered), "normalized": bool(normalized), "uniform_noise": bool(uniform_noise)}
        op = make_op("dfc.extract_glimpse", [x, _f32(offsets, "offsets"), noise], attrs, name="ExtractGlimpse")
        return wrap(op.results[0])


def _pair(value, default: tuple[float, float], what: str) -> tuple[float, float]:
    pair = default if value is None else tuple(float(v) for v in value)
    if len(pair) != 2:
        raise ValueError(f"{what} must have 2 elements, got {value!r}")
    return pair


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=None, seed2=None, min_object_covered=0.1,
                                  aspect_ratio_range=None, area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None,
                                  name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """(begin, size, bboxes) of a random crop of an image of image_size [h, w, c] (TF's kernel: up to max_attempts
    draws of an aspect ratio in aspect_ratio_range and an area fraction in area_range, kept once it covers at least
    min_object_covered of one of bounding_boxes [batch, n, 4]; the whole image when none does). Feed begin and
    size to tf.slice; bboxes [1, 1, 4] is the crop in relative coordinates, for draw_bounding_boxes."""
    from .random_ops import random_uniform
    aspect = _pair(aspect_ratio_range, (0.75, 1.33), "aspect_ratio_range")
    area = _pair(area_range, (0.05, 1.0), "area_range")
    attempts = 100 if max_attempts is None else int(max_attempts)
    if attempts <= 0:
        raise ValueError(f"max_attempts must be positive: {attempts}")
    if aspect[0] <= 0 or aspect[1] <= 0:
        raise ValueError(f"aspect_ratio_range must be positive: [{aspect[0]}, {aspect[1]}]")
    if area[0] <= 0 or area[1] <= 0 or area[0] > 1 or area[1] > 1:
        raise ValueError(f"area_range must be in (0, 1]: [{area[0]}, {area[1]}]")
    with name_scope(name, "sample_distorted_bounding_box", [image_size, bounding_boxes]):
        size = convert_to_tensor(image_size, name="image_size")
        boxes = convert_to_tensor(bounding_boxes, f32, name="bounding_boxes")
        draws = random_uniform([attempts, 4], seed=seed if seed or not seed2 else seed2, name="draws")
        ranges = convert_to_tensor(np.array([*aspect, *area], np.float32))
        op = make_op("dfc.sample_distorted_bounding_box",
                     [size, boxes, _f32(min_object_covered, "min_object_covered"), ranges, draws],
                     {"use_image_if_no_bounding_boxes": bool(use_image_if_no_bounding_boxes)},
                     name="SampleDistortedBoundingBoxV2")
        return tuple(wrap(r) for r in op.results)


__all__ = ["combined_non_max_suppression", "extract_glimpse", "non_max_suppression_overlaps",
           "non_max_suppression_padded", "non_max_suppression_with_scores", "sample_distorted_bounding_box"]
