"""TF1 programs over tf.image's color, resize and measure ops, written once for real TF and dfc (see tf1_op_cases).

Gradients are recorded only where TF1 defines them: AdjustHue, AdjustSaturation, AdjustContrastv2,
HSVToRGB and ResizeArea have none, so their cases record values alone.
"""

from __future__ import annotations

import numpy as np
from tf1_op_cases import Case

F32 = np.float32


def _image(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.0, 1.0, shape).astype(F32)


def _u8(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)


def _ties(seed: int) -> np.ndarray:
    """Pixels with every channel order, equal channels (grays, r == g, g == b, r == b), black and white."""
    img = _image(seed, (8, 8, 3))
    img[0] = img[0, :, :1]
    img[1, :, 1] = img[1, :, 0]
    img[2, :, 2] = img[2, :, 1]
    img[3, :, 2] = img[3, :, 0]
    img[4, :4] = 0.0
    img[4, 4:] = 1.0
    return img


_BOXES = np.array([[0.1, 0.2, 0.7, 0.9], [-0.2, 0.3, 0.5, 1.3], [0.6, 0.6, 0.2, 0.1], [0.33, 0.1, 0.33, 0.8]], F32)

CASES: list[Case] = [
    Case("image_adjust_color", {"img": _image(40, (2, 4, 5, 3)), "u8": _u8(41, (4, 5, 3))},
         lambda tf, img, u8: {
             "hue": tf.image.adjust_hue(img, 0.3), "hue_neg": tf.image.adjust_hue(img, -0.7),
             "hue_u8": tf.image.adjust_hue(u8, 0.45), "sat": tf.image.adjust_saturation(img, 1.7),
             "sat_low": tf.image.adjust_saturation(img[0], 0.3), "sat_u8": tf.image.adjust_saturation(u8, 1.3),
             "contrast": tf.image.adjust_contrast(img, 1.5), "contrast_u8": tf.image.adjust_contrast(u8, 0.6),
             "hsv_to_rgb": tf.image.hsv_to_rgb(img)}),
    Case("image_brightness_gamma_hsv", {"img": _image(42, (2, 4, 5, 3)), "u8": _u8(43, (3, 4, 3))},
         lambda tf, img, u8: {
             "bright": tf.image.adjust_brightness(img, 0.2), "bright_u8": tf.image.adjust_brightness(u8, -0.3),
             "gamma": tf.image.adjust_gamma(img, 0.5, 1.2), "gamma_u8": tf.image.adjust_gamma(u8, 2.0),
             "rgb_to_hsv": tf.image.rgb_to_hsv(img), "yiq": tf.image.rgb_to_yiq(img),
             "yiq_back": tf.image.yiq_to_rgb(img),
             "yuv": tf.image.rgb_to_yuv(img[1]), "yuv_back": tf.image.yuv_to_rgb(img),
             "transpose": tf.image.transpose(img), "transpose3": tf.image.transpose(img[0])},
         grad=("img",)),
    Case("image_resize_bicubic_pad", {"img": _image(44, (2, 5, 7, 3)), "u8": _u8(45, (6, 4, 2))},
         lambda tf, img, u8: {
             "bicubic": tf.image.resize_bicubic(img, [8, 11]),
             "bicubic_corners": tf.image.resize_bicubic(img, [3, 4], align_corners=True),
             "bicubic_half": tf.image.resize_bicubic(img, [9, 5], half_pixel_centers=True),
             "bicubic_3d": tf.image.resize_images(img[0], [4, 13], method=tf.image.ResizeMethod.BICUBIC),
             "bicubic_u8": tf.image.resize_bicubic(tf.expand_dims(u8, 0), [3, 7]),
             "with_pad": tf.image.resize_image_with_pad(img, 9, 9),
             "with_pad_nearest": tf.image.resize_image_with_pad(img[0], 4, 12, method=1),
             "aspect": tf.image.resize_images(img, [10, 10], preserve_aspect_ratio=True)},
         grad=("img",)),
    Case("image_resize_area", {"img": _image(46, (2, 5, 7, 3)), "u8": _u8(47, (6, 4, 2))},
         lambda tf, img, u8: {
             "area_down": tf.image.resize_area(img, [3, 4]), "area_up": tf.image.resize_area(img, [8, 10]),
             "area_corners": tf.image.resize_area(img, [4, 5], align_corners=True),
             "area_3d": tf.image.resize_images(img[1], [2, 3], method=tf.image.ResizeMethod.AREA),
             "area_u8": tf.image.resize_area(tf.expand_dims(u8, 0), [4, 3])}),
    Case("image_crop_and_resize", {"img": _image(48, (2, 5, 7, 3)), "boxes": _BOXES,
                                   "box_ind": np.array([0, 1, 1, 0], np.int32)},
         lambda tf, img, boxes, box_ind: {
             "bilinear": tf.image.crop_and_resize(img, boxes, box_ind, [3, 4]),
             "one_row": tf.image.crop_and_resize(img, boxes, box_ind, [1, 5], extrapolation_value=-1.0),
             "nearest": tf.image.crop_and_resize(img, boxes, box_ind, [4, 3], method="nearest")},
         grad=("img", "boxes")),
    Case("image_measures", {"x": _image(49, (2, 13, 15, 3)),
                            "y": np.clip(_image(49, (2, 13, 15, 3)) + _image(50, (2, 13, 15, 3)) * 0.2 - 0.1, 0,
                                         1).astype(F32)},
         lambda tf, x, y: {
             "tv": tf.image.total_variation(x), "tv_3d": tf.image.total_variation(x[0]),
             "dy": tf.image.image_gradients(x)[0], "dx": tf.image.image_gradients(x)[1],
             "sobel": tf.image.sobel_edges(x), "psnr": tf.image.psnr(x, y, 1.0),
             "ssim": tf.image.ssim(x, y, 1.0),
             "ssim_7": tf.image.ssim(x[0], y[0], 1.0, filter_size=7, filter_sigma=1.0),
             "ssim_map": tf.image.ssim(x, y, 2.0, filter_size=5, return_index_map=True),
             "ms_ssim": tf.image.ssim_multiscale(x, y, 1.0, power_factors=(0.3, 0.3, 0.4), filter_size=3)},
         grad=("x", "y")),
    Case("image_measures_uint8", {"a": _u8(51, (2, 12, 12, 3)), "b": _u8(52, (2, 12, 12, 3))},
         lambda tf, a, b: {"psnr": tf.image.psnr(a, b, 255), "ssim": tf.image.ssim(a, b, 255),
                           "tv": tf.image.total_variation(tf.cast(a, tf.int32))}),
    Case("image_nms_constant", {},
         lambda tf: {
             "nms": tf.image.non_max_suppression(
                 tf.constant([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11], [0, 10.1, 1, 11.1],
                              [0, 100, 1, 101]], tf.float32),
                 tf.constant([0.9, 0.75, 0.6, 0.95, 0.5, 0.3]), 3, iou_threshold=0.5),
             "nms_score": tf.image.non_max_suppression(
                 tf.constant([[0, 0, 1, 1], [1, 1, 0, 0], [0, 0.5, 1, 1.5], [0, 2, 1, 3]], tf.float32),
                 tf.constant([0.2, 0.9, 0.5, 0.05]), 10, iou_threshold=0.3, score_threshold=0.1),
             "nms_at_threshold": tf.image.non_max_suppression(  # IOU exactly at the threshold keeps the box
                 tf.constant([[0, 0, 1, 1], [0, 0, 1, 0.5], [0, 0, -1, -1]], tf.float32),
                 tf.constant([0.9, 0.8, 0.7]), 3, 0.5),
             "nms_score_at_threshold": tf.image.non_max_suppression(
                 tf.constant([[0, 0, 1, 1], [0, 0, 1, 0.5], [0, 0, -1, -1]], tf.float32),
                 tf.constant([0.9, 0.8, 0.7]), 3, 0.5, score_threshold=0.8)}),
    Case("image_draw_bounding_boxes", {"img": _image(53, (2, 6, 7, 3)), "gray": _image(54, (1, 5, 5, 1)),
                                       "boxes": np.array([[[0.1, 0.2, 0.8, 0.9], [-0.3, 0.5, 0.4, 1.4],
                                                           [0.5, 0.5, 0.5, 0.5]],
                                                          [[0.9, 0.1, 0.2, 0.8], [0.0, 0.0, 1.0, 1.0],
                                                           [1.2, 0.1, 1.5, 0.9]]], F32)},
         lambda tf, img, gray, boxes: {
             "drawn": tf.image.draw_bounding_boxes(img, boxes),
             "gray": tf.image.draw_bounding_boxes(gray, boxes[:1, :2]),
             "colors": tf.image.draw_bounding_boxes(img, boxes, colors=np.array([[0.2, 0.4, 0.6], [0.9, 0.8, 0.7]],
                                                                                 F32))}),
    Case("image_extract_patches", {"img": _image(55, (2, 7, 6, 3))},
         lambda tf, img: {
             "valid": tf.image.extract_image_patches(img, [1, 3, 2, 1], [1, 2, 1, 1], [1, 1, 1, 1], "VALID"),
             "same": tf.extract_image_patches(img, ksizes=[1, 3, 3, 1], strides=[1, 2, 2, 1], rates=[1, 1, 1, 1],
                                              padding="SAME"),
             "dilated": tf.image.extract_image_patches(img, [1, 2, 2, 1], [1, 3, 2, 1], [1, 2, 3, 1], "SAME"),
             "v2": tf.image.extract_patches(img, sizes=[1, 2, 3, 1], strides=[1, 1, 1, 1], rates=[1, 1, 1, 1],
                                            padding="VALID")},
         grad=("img",)),
    Case("image_hue_saturation_ties", {"img": _ties(56), "u8": (_ties(57) * 255).astype(np.uint8)},
         lambda tf, img, u8: {
             **{f"hue_{i}": tf.image.adjust_hue(img, d) for i, d in enumerate([0.3, -0.7, 0.5, -1.0, 1.0])},
             **{f"hue_u8_{i}": tf.image.adjust_hue(u8, d) for i, d in enumerate([0.05, -0.45])},
             **{f"sat_{i}": tf.image.adjust_saturation(img, f) for i, f in enumerate([0.0, 0.3, 1.7, 5.0])},
             "sat_u8": tf.image.adjust_saturation(u8, 2.5), "hsv": tf.image.rgb_to_hsv(img),
             "round_trip": tf.image.hsv_to_rgb(tf.image.rgb_to_hsv(img))}),
    Case("image_boxes_fed_offsets", {"img": _image(58, (2, 6, 7, 2)), "top": np.array(2, np.int32),
                                     "left": np.array(3, np.int32)},
         lambda tf, img, top, left: {
             "crop": tf.image.crop_to_bounding_box(img, top, left, 3, 4),
             "crop_3d": tf.image.crop_to_bounding_box(img[0], 1, left, 5, 2),
             "pad": tf.image.pad_to_bounding_box(img, top, left, 9, 10),
             "pad_3d": tf.image.pad_to_bounding_box(img[1], top, 0, 8, 7)},
         grad=("img",)),
]
