"""TF1 programs over tf.image's codecs (decode/encode JPEG, PNG, GIF, BMP), written once for TF and dfc.

The image files are tests/data/images/: JPEGs and PNGs TF encoded (4:2:0 and 4:4:4 chroma, progressive,
grayscale, RGBA, 16-bit), a palette PNG with transparency, an animated GIF, a BMP and a 16-bit gray PNG
Pillow wrote. Every pixel must equal TF's: both decode through libjpeg-turbo, and PNG is lossless.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tf1_op_cases import Case

IMAGES = Path(__file__).parent / "data" / "images"


def image_bytes(name: str) -> np.ndarray:
    """A file of tests/data/images as a scalar bytes array (the recorder's placeholder feeds it)."""
    return np.array((IMAGES / name).read_bytes(), dtype="S")


def _jpegs(tf, q90, q444, prog, gray):
    out = {}
    for key, data in (("q90", q90), ("q444", q444), ("prog", prog), ("gray", gray)):
        out[f"{key}"] = tf.image.decode_jpeg(data)
        out[f"{key}_shape"] = tf.image.extract_jpeg_shape(data)
    for key, data in (("q90", q90), ("gray", gray)):
        out[f"{key}_c1"] = tf.image.decode_jpeg(data, channels=1)
        out[f"{key}_c3"] = tf.io.decode_jpeg(data, channels=3)
    for key, data in (("q90", q90), ("prog", prog)):
        out[f"{key}_r2"] = tf.image.decode_jpeg(data, ratio=2)
        out[f"{key}_accurate"] = tf.image.decode_jpeg(data, dct_method="INTEGER_ACCURATE")
        out[f"{key}_nofancy"] = tf.image.decode_jpeg(data, channels=3, fancy_upscaling=False)
    out["q90_r4_accurate_nofancy"] = tf.image.decode_jpeg(q90, ratio=4, fancy_upscaling=False,
                                                          dct_method="INTEGER_ACCURATE")
    out["q90_r8"] = tf.image.decode_jpeg(q90, ratio=8, channels=1)
    out["q444_fast"] = tf.image.decode_jpeg(q444, dct_method="INTEGER_FAST")
    out["q90_shape64"] = tf.image.extract_jpeg_shape(q90, output_type=tf.int64)
    out["q90_crop"] = tf.image.decode_and_crop_jpeg(q90, [3, 5, 20, 16], channels=3)  # x + w odd: see decode
    out["prog_crop"] = tf.io.decode_and_crop_jpeg(prog, tf.constant([0, 0, 37, 53]))
    out["q90_is_jpeg"] = tf.image.is_jpeg(q90)
    out["q90_image_f32"] = tf.image.decode_image(q90, dtype=tf.float32)
    out["gray_image_c3"] = tf.image.decode_image(gray, channels=3, expand_animations=False)
    out["resized"] = tf.image.resize_images(tf.image.decode_jpeg(q90, channels=3), [16, 24])
    return out


def _others(tf, rgb, rgba, rgb16, gray, palette, gray16, gif, bmp):
    out = {}
    for key, data in (("rgb", rgb), ("rgba", rgba), ("rgb16", rgb16), ("gray", gray), ("palette", palette),
                      ("gray16", gray16)):
        out[key] = tf.image.decode_png(data)
        out[f"{key}_c1"] = tf.image.decode_png(data, channels=1)
        out[f"{key}_c3"] = tf.io.decode_png(data, channels=3)
        out[f"{key}_c4"] = tf.image.decode_png(data, channels=4)
    out["rgb16_f32"] = tf.image.decode_image(rgb16, dtype=tf.float32)
    out["gray16_f32"] = tf.image.decode_image(gray16, channels=1, dtype=tf.float32)
    out["rgb_is_jpeg"] = tf.io.is_jpeg(rgb)
    out["png_by_decode_jpeg"] = tf.image.decode_jpeg(rgba)  # TF 2's decoders read any format
    out["gif"] = tf.image.decode_gif(gif)
    out["gif_image"] = tf.image.decode_image(gif)
    out["gif_first"] = tf.image.decode_image(gif, expand_animations=False)
    out["bmp"] = tf.image.decode_bmp(bmp)
    out["bmp_c4"] = tf.image.decode_bmp(bmp, channels=4)
    out["bmp_image"] = tf.image.decode_image(bmp)
    return out


def _encoders(tf, img, gray, f):
    return {"jpeg": tf.image.encode_jpeg(img), "jpeg_q40": tf.image.encode_jpeg(img, quality=40),
            "jpeg_444_prog": tf.image.encode_jpeg(img, quality=80, chroma_downsampling=False, progressive=True),
            "jpeg_opt_cm": tf.image.encode_jpeg(img, optimize_size=True, density_unit="cm", x_density=72,
                                                y_density=96),
            "jpeg_gray": tf.image.encode_jpeg(gray, quality=70, format="grayscale"),
            "jpeg_back": tf.image.decode_jpeg(tf.image.encode_jpeg(img, quality=60)),
            "png_back": tf.image.decode_png(tf.image.encode_png(img)),
            "png_back_9": tf.image.decode_png(tf.image.encode_png(gray, compression=9)),
            "png_back_rgba": tf.image.decode_png(tf.image.encode_png(tf.concat([img, gray], -1), compression=0)),
            "adjust_u8": tf.image.adjust_jpeg_quality(img, 30),
            "adjust_f32": tf.image.adjust_jpeg_quality(f, tf.constant(75)),
            "adjust_flipped": tf.image.adjust_jpeg_quality(img[::-1], 50)}


def _u8(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    smooth = np.stack([x * 9 % 256, y * 13 % 256, (x + 2 * y) * 5 % 256], -1)[..., :shape[2]]
    noise = np.random.default_rng(seed).integers(-25, 25, shape)
    return np.clip(smooth + noise, 0, 255).astype(np.uint8)


CASES: list[Case] = [
    Case("image_decode_jpeg", {"q90": image_bytes("rgb_q90.jpg"), "q444": image_bytes("rgb_q50_444.jpg"),
                               "prog": image_bytes("rgb_progressive.jpg"), "gray": image_bytes("gray_q85.jpg")},
         _jpegs),
    Case("image_decode_png_gif_bmp", {k: image_bytes(f) for k, f in (
        ("rgb", "rgb.png"), ("rgba", "rgba.png"), ("rgb16", "rgb16.png"), ("gray", "gray.png"),
        ("palette", "palette.png"), ("gray16", "gray16.png"), ("gif", "anim.gif"), ("bmp", "rgb24.bmp"))},
         _others),
    Case("image_encode", {"img": _u8(60, (21, 34, 3)), "gray": _u8(61, (21, 34, 1)),
                          "f": (_u8(62, (13, 18, 3)) / np.float32(255)).astype(np.float32)}, _encoders),
]
