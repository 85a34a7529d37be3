"""TF1 programs over tf.contrib.image (rotate, translate, transform, compose_transforms, dense_image_warp), for
both TF and dfc (sparse_image_warp, whose float32 linear solve needs a looser tolerance, is in
tests/tf1_scripts_contrib.py).

Cases in the style of tests/tf1_op_cases.py (which adds them to its CASES). TF 2 has no contrib: on real
TensorFlow `image(tf)` is tests/contrib_image_reference.py (TF1's wrappers over TF's own kernel,
ImageProjectiveTransformV3, and its gradient); on dfc it is dfc's tf.contrib.image.
"""

from __future__ import annotations

import numpy as np

from tf1_op_cases import F32, Case, _rng


def image(tf):
    contrib = getattr(tf, "contrib", None)
    if contrib is not None and hasattr(contrib, "image"):
        return contrib.image
    from contrib_image_reference import ContribImageReference
    return ContribImageReference(tf)


_PROJECTIVE = np.array([[0.9, 0.2, -1.0, -0.1, 1.1, 0.5, 0.02, -0.03],
                        [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]], F32)


def _rotations(tf, img, u8, angles):
    ci = image(tf)
    return {
        "nearest": ci.rotate(img, angles), "bilinear": ci.rotate(img, angles, interpolation="BILINEAR"),
        "hwc": ci.rotate(img[1], 0.7), "hwc_bilinear": ci.rotate(img[0], -2.0, "bilinear"),
        "hw": ci.rotate(img[0, :, :, 1], 1.3, "BILINEAR"), "one_angle": ci.rotate(img, 0.4, "BILINEAR"),
        "u8_nearest": ci.rotate(u8, angles), "u8_bilinear": ci.rotate(u8, angles, "BILINEAR"),
        "u8_hwc": ci.rotate(u8[0], 2.5, "BILINEAR"),
        "transforms": ci.angles_to_projective_transforms(angles, 6.0, 7.0),
    }


def _transforms(tf, img, u8, shift):
    ci = image(tf)
    return {
        "translate": ci.translate(img, [1.5, -0.5]), "translate_each": ci.translate(img, shift, "BILINEAR"),
        "translate_hwc": ci.translate(img[0], [-2.25, 1.75], "BILINEAR"), "translate_u8": ci.translate(u8, [1.0, 2.0]),
        "projective": ci.transform(img, _PROJECTIVE, "BILINEAR"),
        "projective_nearest": ci.transform(img, _PROJECTIVE[0]),
        "bigger": ci.transform(img, _PROJECTIVE[:1], "BILINEAR", output_shape=[8, 9]),
        "smaller_u8": ci.transform(u8[1], _PROJECTIVE[0], "BILINEAR", output_shape=[4, 3]),
        "composed": ci.compose_transforms(_PROJECTIVE, ci.translations_to_projective_transforms(shift)),
        "composed_apply": ci.transform(
            img, ci.compose_transforms(ci.angles_to_projective_transforms([0.3, -0.4], 6.0, 7.0),
                                       ci.translations_to_projective_transforms(shift)), "BILINEAR"),
        "matrices": ci.flat_transforms_to_matrices(_PROJECTIVE),
        "flat": ci.matrices_to_flat_transforms(ci.flat_transforms_to_matrices(_PROJECTIVE) * 2.0),
    }


def _flow() -> np.ndarray:
    flow = _rng(82).uniform(-3.0, 3.0, (2, 5, 6, 2)).astype(F32)
    flow[0, 1:3] = np.round(flow[0, 1:3])  # whole-pixel moves: alpha at its clamp edge
    flow[1, 0, 0] = [6.0, -9.0]  # far outside: clamped to the border
    return flow


CASES: list[Case] = [
    Case("contrib_image_rotate",
         {"img": _rng(80).standard_normal((2, 6, 7, 3)).astype(F32),
          "u8": _rng(81).integers(0, 256, (2, 6, 7, 2)).astype(np.uint8),
          "angles": np.array([0.3, -1.1], F32)},
         _rotations, grad=("img",)),
    Case("contrib_image_transform",
         {"img": _rng(83).standard_normal((2, 6, 7, 3)).astype(F32),
          "u8": _rng(84).integers(0, 256, (2, 6, 7, 2)).astype(np.uint8),
          "shift": np.array([[1.0, -2.0], [0.5, 1.25]], F32)},
         _transforms, grad=("img",)),
    Case("contrib_dense_image_warp",
         {"picture": _rng(85).standard_normal((2, 5, 6, 3)).astype(F32), "flow": _flow()},
         lambda tf, picture, flow: {"warped": image(tf).dense_image_warp(picture, flow)}, grad=("picture", "flow")),
]
