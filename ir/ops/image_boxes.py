"""Box ops of TF1's detection and Inception input code: NMS variants, combined NMS, glimpses, distorted crops.

Each is a greedy or sampling loop over a few boxes, not a loop nest: the CPU code calls the numpy
reference on the host (compiler/codegen/lapack.py's host call; HOST_OPS in linalg.py lists them) and
the GPU places them on the CPU, as TF1 has CPU kernels only for most of them. None has a gradient.
Thresholds and ranges are operands (a host call carries int and bool attributes only).
sample_distorted_bounding_box follows TF's kernel step by step, with its uniform draws an operand
(dfc's random_uniform, seeded as TF1 seeds ops; TF's own Philox bits are not reproduced).
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from ..dtypes import f32, i8, i16, i32, i64, u8
from ..errors import InvalidArgumentError, ShapeError
from ..types import TensorType
from .registry import Attr, OpDef, register, require_dtype, tensor_operand


def box_iou(a, b) -> np.float32:
    """TF's IOU of two [y1, x1, y2, x2] boxes (corners in either order) in float32; 0 when either is empty."""
    ymin_a, ymax_a = min(a[0], a[2]), max(a[0], a[2])
    xmin_a, xmax_a = min(a[1], a[3]), max(a[1], a[3])
    ymin_b, ymax_b = min(b[0], b[2]), max(b[0], b[2])
    xmin_b, xmax_b = min(b[1], b[3]), max(b[1], b[3])
    area_a = (ymax_a - ymin_a) * (xmax_a - xmin_a)
    area_b = (ymax_b - ymin_b) * (xmax_b - xmin_b)
    if area_a <= 0 or area_b <= 0:
        return np.float32(0)
    iy = max(min(ymax_a, ymax_b) - max(ymin_a, ymin_b), np.float32(0))
    ix = max(min(xmax_a, xmax_b) - max(xmin_a, xmin_b), np.float32(0))
    inter = np.float32(iy * ix)
    return np.float32(inter / np.float32(area_a + area_b - inter))


def greedy_select(scores: np.ndarray, similarity, max_output: int, threshold: float, score_threshold: float,
                  soft_nms_sigma: float = 0.0) -> tuple[list[int], list[np.float32]]:
    """TF's NonMaxSuppressionV5 loop: candidates by score (ties: lower index first); a hard threshold on
    similarity, or soft-NMS's Gaussian decay exp(-sim^2 / (2 sigma)) re-queuing a candidate whose score fell."""
    scores = np.asarray(scores, np.float32)
    threshold, score_threshold = np.float32(threshold), np.float32(score_threshold)
    soft = soft_nms_sigma > 0
    scale = np.float32(-0.5) / np.float32(soft_nms_sigma) if soft else np.float32(0)
    queue = [(-scores[i], i, 0) for i in range(len(scores)) if scores[i] > score_threshold]
    heapq.heapify(queue)
    selected: list[int] = []
    selected_scores: list[np.float32] = []
    while len(selected) < max_output and queue:
        neg, index, begin = heapq.heappop(queue)
        original = score = np.float32(-neg)
        hard = False
        for j in range(len(selected) - 1, begin - 1, -1):
            sim = np.float32(similarity(index, selected[j]))
            weight = np.float32(math.exp(np.float32(scale * sim * sim)))
            score = np.float32(score * (weight if soft or sim <= threshold else np.float32(0)))
            if not soft and sim > threshold:
                hard = True
                break
            if score <= score_threshold:
                break
        if hard:
            continue
        if score == original:
            selected.append(index)
            selected_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(queue, (-score, index, len(selected)))
    return selected, selected_scores


def _scalar_f32(types, k: int, what: str) -> None:
    t = tensor_operand(types, k)
    require_dtype(t.dtype, (f32,), what)
    if t.rank not in (None, 0):
        raise ShapeError(f"{what} must be a scalar, got {t}")


def _nms_boxes_infer(types, attrs, square: bool = False):
    boxes, scores = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(boxes.dtype, (f32,), "overlaps" if square else "boxes")
    require_dtype(scores.dtype, (f32,), "scores")
    if not square and (boxes.rank != 2 or boxes.shape[1] not in (None, 4)):
        raise ShapeError(f"boxes must be 2-D [num_boxes, 4], got {boxes}")
    if square and (boxes.rank != 2 or None not in boxes.shape and boxes.shape[0] != boxes.shape[1]):
        raise ShapeError(f"overlaps must be square, got {boxes}")
    if scores.rank != 1:
        raise ShapeError(f"scores must be 1-D [num_boxes], got {scores}")
    if boxes.shape[0] is not None and scores.shape[0] is not None and boxes.shape[0] != scores.shape[0]:
        raise ShapeError(f"scores has incompatible shape {scores} for {'overlaps' if square else 'boxes'} {boxes}")
    for k in range(2, len(types)):
        _scalar_f32(types, k, ("iou_threshold", "score_threshold", "soft_nms_sigma")[k - 2])
    if attrs["max_output_size"] < 0:
        raise ShapeError(f"max_output_size must be non-negative, got {attrs['max_output_size']}")
    m = attrs["max_output_size"]
    return [TensorType(i32, (m,)), TensorType(f32, (m,)), TensorType(i32, ())]


def _check_threshold(value, what: str = "iou_threshold") -> None:
    if not 0.0 <= float(value) <= 1.0:
        raise InvalidArgumentError(f"{what} must be in [0, 1]")


def _padded(selected, selected_scores, m: int):
    indices, scores = np.zeros(m, np.int32), np.zeros(m, np.float32)
    indices[:len(selected)] = selected
    scores[:len(selected)] = selected_scores
    return indices, scores, np.asarray(len(selected), np.int32)


def _nms_v5(boxes, scores, iou_threshold, score_threshold, soft_nms_sigma, max_output_size):
    _check_threshold(iou_threshold)
    if float(soft_nms_sigma) < 0:
        raise InvalidArgumentError("soft_nms_sigma must be non-negative")
    boxes = np.asarray(boxes, np.float32)
    kept, kept_scores = greedy_select(scores, lambda i, j: box_iou(boxes[i], boxes[j]), max_output_size,
                                      float(iou_threshold), float(score_threshold), float(soft_nms_sigma))
    return _padded(kept, kept_scores, max_output_size)


def _nms_overlaps(overlaps, scores, overlap_threshold, score_threshold, max_output_size):
    overlaps = np.asarray(overlaps, np.float32)
    kept, kept_scores = greedy_select(scores, lambda i, j: overlaps[i, j], max_output_size,
                                      float(overlap_threshold), float(score_threshold))
    return _padded(kept, kept_scores, max_output_size)


def _op(name: str, infer, reference, operands, attrs: dict, doc: str, stateful: bool = False) -> OpDef:
    return register(OpDef(f"dfc.{name}", "image", infer, reference, operands, attrs, differentiable=False,
                          stateful=stateful, fusible_as=None, doc=doc))


_op("non_max_suppression_v5", _nms_boxes_infer, _nms_v5, 5, {"max_output_size": Attr("int")},
    "(indices, scores, count): TF's NonMaxSuppressionV5 of (boxes, scores, iou_threshold, score_threshold, "
    "soft_nms_sigma), padded with 0 to max_output_size")
_op("non_max_suppression_overlaps", lambda types, attrs: _nms_boxes_infer(types, attrs, square=True), _nms_overlaps,
    4, {"max_output_size": Attr("int")},
    "(indices, scores, count): greedy NMS of (overlaps, scores, overlap_threshold, score_threshold), padded")


# ---- batched NMS: non_max_suppression_padded and combined_non_max_suppression ---------------------
def _batched_infer(types, attrs):
    boxes, scores = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(boxes.dtype, (f32,), "boxes")
    require_dtype(scores.dtype, (f32,), "scores")
    if boxes.rank is None or boxes.rank < 2 or boxes.shape[-1] not in (None, 4) or scores.rank != boxes.rank - 1:
        raise ShapeError(f"boxes must be [..., num_boxes, 4] and scores [..., num_boxes], got {boxes} and {scores}")
    for k in (2, 3):
        _scalar_f32(types, k, ("iou_threshold", "score_threshold")[k - 2])
    batch = boxes.shape[:-2]
    return [TensorType(i32, (*batch, attrs["max_output_size"])), TensorType(i32, batch)]


def _nms_batched(boxes, scores, iou_threshold, score_threshold, max_output_size):
    _check_threshold(iou_threshold)
    batch = boxes.shape[:-2]
    flat_boxes, flat_scores = boxes.reshape(-1, *boxes.shape[-2:]), scores.reshape(-1, scores.shape[-1])
    indices = np.zeros((len(flat_boxes), max_output_size), np.int32)
    valid = np.zeros(len(flat_boxes), np.int32)
    for b, (bx, sc) in enumerate(zip(flat_boxes, flat_scores)):
        kept, _ = greedy_select(sc, lambda i, j, bx=bx: box_iou(bx[i], bx[j]), max_output_size,
                                float(iou_threshold), float(score_threshold))
        indices[b, :len(kept)] = kept
        valid[b] = len(kept)
    return indices.reshape(*batch, max_output_size), valid.reshape(batch)


_op("non_max_suppression_batched", _batched_infer, _nms_batched, 4, {"max_output_size": Attr("int")},
    "(indices [..., max_output_size] padded with 0, valid counts [...]): greedy NMS of each batch entry")


def _combined_detections(attrs, num_classes) -> int | None:
    if not attrs["pad_per_class"]:
        return attrs["max_total_size"]
    if num_classes is None:
        return None
    return min(attrs["max_output_size_per_class"] * num_classes, attrs["max_total_size"])


def _combined_infer(types, attrs):
    boxes, scores = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(boxes.dtype, (f32,), "boxes")
    require_dtype(scores.dtype, (f32,), "scores")
    if boxes.rank != 4 or boxes.shape[3] not in (None, 4):
        raise ShapeError(f"boxes must be 4-D [batch, num_boxes, q, 4], got {boxes}")
    if scores.rank != 3:
        raise ShapeError(f"scores must be 3-D [batch, num_boxes, num_classes], got {scores}")
    q, classes = boxes.shape[2], scores.shape[2]
    if q is not None and classes is not None and q not in (1, classes):
        raise ShapeError(f"third dimension of boxes must be either 1 or {classes}, got {q}")
    for k in (2, 3):
        _scalar_f32(types, k, ("iou_threshold", "score_threshold")[k - 2])
    batch, detections = boxes.shape[0], _combined_detections(attrs, classes)
    return [TensorType(f32, (batch, detections, 4)), TensorType(f32, (batch, detections)),
            TensorType(f32, (batch, detections)), TensorType(i32, (batch,))]


def _combined(boxes, scores, iou_threshold, score_threshold, max_output_size_per_class, max_total_size,
              pad_per_class, clip_boxes):
    _check_threshold(iou_threshold)
    batch, _, q, _ = boxes.shape
    classes = scores.shape[2]
    detections = _combined_detections({"pad_per_class": pad_per_class, "max_total_size": max_total_size,
                                       "max_output_size_per_class": max_output_size_per_class}, classes)
    out_boxes = np.zeros((batch, detections, 4), np.float32)
    out_scores = np.zeros((batch, detections), np.float32)
    out_classes = np.zeros((batch, detections), np.float32)
    valid = np.zeros(batch, np.int32)
    for b in range(batch):
        found = []
        for c in range(classes):
            bx = boxes[b, :, c if q > 1 else 0]
            kept, kept_scores = greedy_select(scores[b, :, c], lambda i, j, bx=bx: box_iou(bx[i], bx[j]),
                                              max_output_size_per_class, float(iou_threshold), float(score_threshold))
            found += [(s, c, i) for i, s in zip(kept, kept_scores)]
        found.sort(key=lambda t: -t[0])  # stable: ties keep class then selection order
        found = found[:detections]
        for k, (s, c, i) in enumerate(found):
            box = boxes[b, i, c if q > 1 else 0]
            out_boxes[b, k] = np.clip(box, 0, 1) if clip_boxes else box
            out_scores[b, k], out_classes[b, k] = s, c
        valid[b] = len(found)
    return out_boxes, out_scores, out_classes, valid


_op("combined_non_max_suppression", _combined_infer, _combined, 4,
    {"max_output_size_per_class": Attr("int"), "max_total_size": Attr("int"), "pad_per_class": Attr("bool", False),
     "clip_boxes": Attr("bool", True)},
    "(boxes, scores, classes, valid_detections): per-class greedy NMS, the best max_total_size over classes")


# ---- extract_glimpse ------------------------------------------------------------------------------
def _glimpse(images, offsets, noise, centered, normalized, uniform_noise):
    """TF1's ExtractGlimpse: windows of noise's size whose centers are `offsets` ([y, x] per image, relative to
    the center and in [-1, 1] when centered and normalized), the top-left corner truncated toward zero as the
    kernel casts it; pixels off the image are noise, drawn uniformly between the channel's min and max or from
    a Gaussian of its mean and deviation (`noise` holds the unit draws)."""
    batch, height, width, _ = images.shape
    h, w = noise.shape[1:3]
    out = np.empty(noise.shape, np.float32)
    for b in range(batch):
        image = images[b].reshape(-1, images.shape[3])
        if uniform_noise:
            low, high = image.min(0), image.max(0)
            out[b] = low + noise[b] * (high - low)
        else:
            out[b] = image.mean(0) + noise[b] * image.std(0)
        y, x = (float(v) for v in offsets[b])
        if normalized:
            y, x = y * height, x * width
        if centered:
            y, x = y / 2 + height / 2, x / 2 + width / 2
        top, left = int(np.float32(y - h / 2)), int(np.float32(x - w / 2))
        rows = slice(max(top, 0), min(top + h, height))
        cols = slice(max(left, 0), min(left + w, width))
        if rows.start < rows.stop and cols.start < cols.stop:
            out[b, rows.start - top:rows.stop - top, cols.start - left:cols.stop - left] = images[b, rows, cols]
    return out


def _glimpse_infer(types, attrs):
    images, offsets, noise = (tensor_operand(types, k) for k in range(3))
    require_dtype(images.dtype, (f32,), "input")
    if images.rank != 4:
        raise ShapeError(f"input must be 4-D [batch, height, width, channels], got {images}")
    require_dtype(offsets.dtype, (f32,), "offsets")
    if offsets.rank != 2 or offsets.shape[1] not in (None, 2):
        raise ShapeError(f"offsets must be 2-D [batch, 2], got {offsets}")
    if None not in (images.shape[0], offsets.shape[0]) and images.shape[0] != offsets.shape[0]:
        raise ShapeError(f"first dimension of input {images} and offsets {offsets} must be the same")
    return [noise]


_op("extract_glimpse", _glimpse_infer, _glimpse, 3,
    {"centered": Attr("bool", True), "normalized": Attr("bool", True), "uniform_noise": Attr("bool", True)},
    "windows of (input, offsets), noise [batch, h, w, channels] of unit draws filling what is off the image")


# ---- sample_distorted_bounding_box ----------------------------------------------------------------
_SIZE_DTYPES = (u8, i8, i16, i32, i64)


class _Draws:
    """The kernel's SimplePhilox calls answered from an operand of uniform floats in [0, 1)."""

    def __init__(self, uniforms: np.ndarray):
        self.values = iter(np.asarray(uniforms, np.float64).reshape(-1).tolist())

    def rand_float(self) -> float:
        return next(self.values, 0.0)

    def uniform(self, n: int) -> int:
        return min(int(self.rand_float() * n), n - 1)


def _lrint(x: float) -> int:
    return int(np.rint(np.float32(x)))


def _random_crop(width: int, height: int, min_area_rel: float, max_area_rel: float, aspect: float, draws: _Draws):
    """TF's GenerateRandomCrop: (x, y, w, h) or None."""
    if max_area_rel <= 0 or aspect <= 0 or width <= 0 or height <= 0 or min_area_rel > max_area_rel:
        return None
    min_area = np.float32(min_area_rel) * width * height
    max_area = np.float32(max_area_rel) * width * height
    h = _lrint(math.sqrt(np.float32(min_area / aspect)))
    max_h = _lrint(math.sqrt(np.float32(max_area / aspect)))
    if _lrint(max_h * aspect) > width:
        max_h = int((width + 0.5 - 0.0000001) / aspect)
        if _lrint(max_h * aspect) > width:
            max_h -= 1
    max_h = min(max_h, height)
    h = min(h, max_h)
    if h < max_h:
        h += draws.uniform(max_h - h + 1)
    w = _lrint(h * aspect)
    area = np.float32(w * h)
    if area < min_area:
        h += 1
        w = _lrint(h * aspect)
        area = np.float32(w * h)
    if area > max_area:
        h -= 1
        w = _lrint(h * aspect)
        area = np.float32(w * h)
    if area < min_area or area > max_area or w > width or h > height or w <= 0 or h <= 0:
        return None
    y = draws.uniform(height - h) if h < height else 0
    x = draws.uniform(width - w) if w < width else 0
    return x, y, w, h


def _covers(crop, boxes, min_covered: float) -> bool:
    """TF's SatisfiesOverlapConstraints over (x0, y0, x1, y1) integer rectangles."""
    x, y, w, h = crop
    if w * h < 1:
        return False
    for bx0, by0, bx1, by1 in boxes:
        area = (bx1 - bx0) * (by1 - by0)
        if area < 1:
            continue
        ix, iy = min(x + w, bx1) - max(x, bx0), min(y + h, by1) - max(y, by0)
        inter = ix * iy if ix > 0 and iy > 0 else 0
        if np.float32(inter) / np.float32(area) >= np.float32(min_covered):
            return True
    return False


def _sample_crop(image_size, bounding_boxes, min_object_covered, ranges, uniforms, use_image_if_no_bounding_boxes):
    size = np.asarray(image_size).reshape(-1)
    if size.size != 3:
        raise InvalidArgumentError(f"image_size must be 1-dimensional with 3 elements, got {list(size)}")
    height, width = int(size[0]), int(size[1])
    if height <= 0 or width <= 0:
        raise InvalidArgumentError(f"image height and width must be positive, got {height} and {width}")
    if float(min_object_covered) < 0:
        raise InvalidArgumentError(f"min_object_covered must be non-negative: {float(min_object_covered)}")
    boxes = []
    for ymin, xmin, ymax, xmax in np.asarray(bounding_boxes, np.float32).reshape(-1, 4):
        boxes.append((int(xmin * width), int(ymin * height), int(xmax * width), int(ymax * height)))
    if not boxes:
        if not use_image_if_no_bounding_boxes:
            raise InvalidArgumentError("No bounding boxes provided as input. One must enable "
                                       "use_image_if_no_bounding_boxes if you wish to not provide any bounding boxes.")
        boxes.append((0, 0, width, height))
    aspect_lo, aspect_hi, area_lo, area_hi = (float(v) for v in np.asarray(ranges, np.float32))
    draws = _Draws(uniforms)
    crop = (0, 0, width, height)
    for _ in range(np.asarray(uniforms).shape[0]):
        aspect = np.float32(draws.rand_float() * (aspect_hi - aspect_lo) + aspect_lo)
        candidate = _random_crop(width, height, area_lo, area_hi, float(aspect), draws)
        if candidate is not None and _covers(candidate, boxes, float(min_object_covered)):
            crop = candidate
            break
    x, y, w, h = crop
    dtype = np.asarray(image_size).dtype
    begin = np.array([y, x, 0], dtype)
    extent = np.array([h, w, -1], dtype)
    box = np.array([[[y / height, x / width, (y + h) / height, (x + w) / width]]], np.float32)
    return begin, extent, box


def _sample_infer(types, attrs):
    size, boxes = tensor_operand(types, 0), tensor_operand(types, 1)
    require_dtype(size.dtype, _SIZE_DTYPES, "image_size")
    if size.rank not in (None, 1) or size.rank == 1 and size.shape[0] not in (None, 3):
        raise ShapeError(f"image_size must be 1-D with 3 elements, got {size}")
    require_dtype(boxes.dtype, (f32,), "bounding_boxes")
    if boxes.rank not in (None, 3) or boxes.rank == 3 and boxes.shape[2] not in (None, 4):
        raise ShapeError(f"bounding_boxes must be 3-D [batch, N, 4], got {boxes}")
    _scalar_f32(types, 2, "min_object_covered")
    require_dtype(tensor_operand(types, 3).dtype, (f32,), "ranges")
    require_dtype(tensor_operand(types, 4).dtype, (f32,), "uniforms")
    return [TensorType(size.dtype, (3,)), TensorType(size.dtype, (3,)), TensorType(f32, (1, 1, 4))]


_op("sample_distorted_bounding_box", _sample_infer, _sample_crop, 5,
    {"use_image_if_no_bounding_boxes": Attr("bool", False)},
    "(begin, size, box): TF's random crop search of (image_size, bounding_boxes, min_object_covered, [aspect lo, "
    "hi, area lo, hi], uniforms [max_attempts, 4])")

__all__ = ["box_iou", "greedy_select"]
