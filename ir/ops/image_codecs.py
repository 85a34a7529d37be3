"""Image codec ops: JPEG, PNG, GIF and BMP bytes decoded to pixels and pixels encoded to bytes, on the host.

TF's decoders give pixels equal to libjpeg-turbo's and libpng's; so do these. JPEG goes through
libjpeg-turbo itself (simplejpeg for decoding: TF's default is the fast integer DCT with fancy
upsampling, a pair Pillow cannot ask for; Pillow for encoding, whose bytes equal TF's EncodeJpeg's),
PNG through zlib and the PNG filters here (with libpng's fixed-point RGB -> gray), GIF and BMP
through Pillow. The ops read or make tf.string values, so they run on the interpreter
(runtime/host_strings.py) and none is differentiable, as in TF. A decoded image's shape is known
only from its bytes: `dfc.image_decoded_shape` computes it before the step and specialize turns
`dfc.dynamic_decode_image` into `dfc.decode_image` of that shape (as decode_raw's width).
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np

from ..dtypes import bool_, f32, i32, i64, string, u8, u16
from ..errors import InvalidArgumentError, ShapeError
from ..types import TensorType
from .dynamic import SHAPE_OPERAND
from .registry import Attr, OpDef, register, require_dtype, tensor_operand
from .strings import COUNTED_OPS

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_UNKNOWN = "Unknown image file format. One of JPEG, PNG, GIF, BMP required."
_JPEG_FAILED = "jpeg::Uncompress failed. Invalid JPEG data or crop window."


def image_format(data: bytes) -> str | None:
    """'jpeg', 'png', 'gif' or 'bmp' by the magic bytes TF's decoders look for; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:3] == _PNG_MAGIC[:3]:
        return "png"
    if data[:3] == b"GIF":
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    return None


def _scalar_bytes(x: np.ndarray) -> bytes:
    value = np.asarray(x, dtype=object).reshape(-1)[0]
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


# ---- JPEG ---------------------------------------------------------------------------------------
def jpeg_header(data: bytes, what: str = "") -> tuple[int, int, int]:
    """(height, width, components) of a JPEG's frame header (its SOF marker); TF's message for bytes without one."""
    pos = 2 if data[:2] == b"\xff\xd8" else len(data)
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 10 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            components = data[pos + 9]
            if height and width and components in (1, 3, 4):
                return height, width, components
            break
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before them
            break
        pos += 2 + length
    raise InvalidArgumentError(what or f"Invalid JPEG data, size {len(data)}")


def decode_jpeg_pixels(data: bytes, channels: int = 0, ratio: int = 1, fancy_upscaling: bool = True,
                       try_recover_truncated: bool = False, acceptable_fraction: float = 1.0,
                       dct_method: str = "") -> np.ndarray:
    """libjpeg-turbo's pixels as TF's DecodeJpeg asks for them: [H / ratio, W / ratio, channels] uint8.

    TF's default DCT ("" or INTEGER_FAST) is libjpeg's JDCT_IFAST; INTEGER_ACCURATE is JDCT_ISLOW.
    Data that ends early fails unless try_recover_truncated (libjpeg then fills what is missing)."""
    import simplejpeg
    height, width, components = jpeg_header(data, _JPEG_FAILED)
    want = channels or (1 if components == 1 else components)
    if want == 4 and components != 4:
        raise InvalidArgumentError(f"DecodeJpeg: cannot give 4 channels of a JPEG with {components}")
    min_h, min_w = -(-height // ratio), -(-width // ratio)
    colorspace = {1: "GRAY", 3: "RGB", 4: "CMYK"}[want]
    try:
        pixels = simplejpeg.decode_jpeg(data, colorspace=colorspace, fastdct=dct_method != "INTEGER_ACCURATE",
                                        fastupsample=not fancy_upscaling, min_height=min_h, min_width=min_w,
                                        strict=not try_recover_truncated)
    except Exception:  # noqa: BLE001 - simplejpeg raises ValueError, KeyError, RuntimeError on bad bytes
        raise InvalidArgumentError(_JPEG_FAILED) from None
    if pixels.shape[:2] != (min_h, min_w):
        raise InvalidArgumentError(f"DecodeJpeg: libjpeg-turbo cannot scale a {height}x{width} image by 1/{ratio}")
    return np.ascontiguousarray(pixels.reshape(min_h, min_w, want))


def encode_jpeg_bytes(image: np.ndarray, fmt: str = "", quality: int = 95, progressive: bool = False,
                      optimize_size: bool = False, chroma_downsampling: bool = True, density_unit: str = "in",
                      x_density: int = 300, y_density: int = 300, xmp_metadata: str = "") -> bytes:
    """TF's EncodeJpeg through libjpeg-turbo (Pillow): the same markers, tables and entropy coding and bytes."""
    from PIL import Image
    image = np.asarray(image)
    if image.ndim != 3:
        raise InvalidArgumentError(f"image must be 3-dimensional[{','.join(map(str, image.shape))}]")
    channels = image.shape[2]
    if fmt == "grayscale":
        channels_wanted = 1
    elif fmt == "rgb":
        channels_wanted = 3
    else:
        channels_wanted = channels
    if channels_wanted != channels or channels not in (1, 3):
        raise InvalidArgumentError(f"image must have 1 or 3 channels, got {image.shape}" if not fmt else
                                   f"format '{fmt}' wants {channels_wanted} channels, got {image.shape}")
    if image.shape[0] * image.shape[1] == 0:
        raise InvalidArgumentError(f"Invalid image size {image.shape[1]}x{image.shape[0]}")
    picture = Image.fromarray(np.ascontiguousarray(image[..., 0] if channels == 1 else image))
    out = io.BytesIO()
    options = {"quality": int(min(max(quality, 0), 100)), "progressive": progressive, "optimize": optimize_size,
               "dpi": (x_density, y_density)}
    if channels == 3:  # a gray JPEG's one component is sampled 1x1 whatever the chroma setting
        options["subsampling"] = 2 if chroma_downsampling else 0
    if xmp_metadata:
        options["xmp"] = xmp_metadata.encode("utf-8")
    picture.save(out, "JPEG", **options)
    data = bytearray(out.getvalue())
    if data[6:11] == b"JFIF\x00":
        data[13] = {"in": 1, "cm": 2}[density_unit]  # Pillow writes dpi as dots per inch
        data[14:18] = struct.pack(">HH", x_density, y_density)
    return bytes(data)


# ---- PNG ----------------------------------------------------------------------------------------
def _png_chunks(data: bytes):
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length or pos + 12 + length > len(data):
            raise ValueError("truncated chunk")
        yield kind, body
        pos += 12 + length


def _unfilter(raw: bytes, height: int, row_bytes: int, pixel_bytes: int) -> np.ndarray:
    """The PNG filters (None, Sub, Up, Average, Paeth) undone, row by row (Python ints: the filters run along
    each row, one byte after the other)."""
    if len(raw) < height * (row_bytes + 1):
        raise ValueError("image data too short")
    out = bytearray(height * row_bytes)
    prior = bytearray(row_bytes)
    for y in range(height):
        start = y * (row_bytes + 1)
        kind, cur = raw[start], bytearray(raw[start + 1:start + 1 + row_bytes])
        if kind == 1:
            for x in range(pixel_bytes, row_bytes):
                cur[x] = (cur[x] + cur[x - pixel_bytes]) & 255
        elif kind == 2:
            cur = bytearray(((np.frombuffer(cur, np.uint8).astype(np.int32) + np.frombuffer(prior, np.uint8))
                             & 255).astype(np.uint8).tobytes())
        elif kind == 3:
            for x in range(row_bytes):
                left = cur[x - pixel_bytes] if x >= pixel_bytes else 0
                cur[x] = (cur[x] + ((left + prior[x]) >> 1)) & 255
        elif kind == 4:
            for x in range(row_bytes):
                if x >= pixel_bytes:
                    left, up, upleft = cur[x - pixel_bytes], prior[x], prior[x - pixel_bytes]
                    p = left + up - upleft
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else upleft)
                else:
                    pred = prior[x]
                cur[x] = (cur[x] + pred) & 255
        elif kind != 0:
            raise ValueError(f"bad filter {kind}")
        out[y * row_bytes:(y + 1) * row_bytes] = cur
        prior = cur
    return np.frombuffer(bytes(out), np.uint8).reshape(height, row_bytes)


def _png_native(data: bytes) -> tuple[np.ndarray, int]:
    """(pixels [H, W, C] as uint8 or uint16, C) with palettes and transparency expanded, as libpng's
    png_set_expand and png_set_tRNS_to_alpha give them; bit depths under 8 scaled up to 8."""
    chunks = list(_png_chunks(data))
    if not chunks or chunks[0][0] != b"IHDR":
        raise ValueError("no IHDR")
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if depth == 16 and not interlace and color in (0, 2, 4, 6):
        channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
        raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
        rows = _unfilter(raw, height, width * channels * 2, channels * 2)
        pixels = rows.view(">u2").astype(np.uint16).reshape(height, width, channels)
        trns = dict(chunks).get(b"tRNS")
        if trns and color in (0, 2):  # a transparent color becomes an alpha channel
            key = np.frombuffer(trns, ">u2")[:channels]
            alpha = np.where((pixels == key).all(-1), 0, 65535).astype(np.uint16)[..., None]
            pixels, channels = np.concatenate([pixels, alpha], -1), channels + 1
        return pixels, channels
    from PIL import Image
    picture = Image.open(io.BytesIO(data))
    picture.load()
    mode = picture.mode
    transparent = "transparency" in picture.info
    if mode == "P":
        picture = picture.convert("RGBA" if transparent else "RGB")
    elif mode == "1":
        picture = picture.convert("L")
    elif mode in ("L", "RGB") and transparent:
        picture = picture.convert("LA" if mode == "L" else "RGBA")
    elif mode in ("I;16", "I;16B", "I"):
        pixels = np.asarray(picture).astype(np.uint16)
        return pixels[..., None], 1
    pixels = np.asarray(picture)
    pixels = pixels[..., None] if pixels.ndim == 2 else pixels
    return np.ascontiguousarray(pixels), pixels.shape[2]


def _rgb_to_gray(rgb: np.ndarray) -> np.ndarray:
    """libpng's png_do_rgb_to_gray with TF's coefficients 0.299 and 0.587 (fixed point, /32768)."""
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    rounding = 16384 if rgb.dtype == np.uint16 else 0
    return ((9797 * r + 19234 * g + 3737 * b + rounding) >> 15).astype(rgb.dtype)[..., None]


def convert_channels(pixels: np.ndarray, have: int, want: int) -> np.ndarray:
    """Gray, gray+alpha, RGB and RGBA pixels as `want` channels, in libpng's order of transformations."""
    if want == have:
        return pixels
    top = np.iinfo(pixels.dtype).max
    color = pixels[..., :3] if have >= 3 else pixels[..., :1]
    alpha = pixels[..., -1:] if have in (2, 4) else np.full(pixels.shape[:2] + (1,), top, pixels.dtype)
    if want == 1:
        return color if have <= 2 else _rgb_to_gray(color)
    if want == 3:
        return np.repeat(color, 3, -1) if have <= 2 else color
    if want == 4:
        return np.concatenate([np.repeat(color, 3, -1) if have <= 2 else color, alpha], -1)
    return np.concatenate([color if have <= 2 else _rgb_to_gray(color), alpha], -1)  # want == 2


def decode_png_pixels(data: bytes, channels: int = 0, dtype=u8) -> np.ndarray:
    """TF's DecodePng: [H, W, channels] of `dtype` (uint8, uint16, or float32 in [0, 1] as convert_image_dtype
    scales)."""
    try:
        pixels, have = _png_native(data)
    except Exception:  # noqa: BLE001 - zlib, struct and Pillow each fail their own way on bad bytes
        raise InvalidArgumentError(f"Invalid PNG data, size {len(data)}") from None
    want = channels or have
    if pixels.dtype == np.uint16 and want == 1 and have >= 3:
        pixels, have = convert_channels(pixels, have, want), want
    if pixels.dtype == np.uint16:
        if dtype is f32:
            return (convert_channels(pixels, have, want).astype(np.float32) * np.float32(1 / 65535)).astype(
                np.float32)
        if dtype is not u16:
            pixels = (pixels >> 8).astype(np.uint8)  # png_set_strip_16
    elif dtype is u16:  # an 8-bit PNG read as 16 bits: v * 257 (0xAB -> 0xABAB), as libpng's png_set_expand_16
        pixels = pixels.astype(np.uint16) * np.uint16(257)
    return convert_channels(pixels, have, want)


def encode_png_bytes(image: np.ndarray, compression: int = -1) -> bytes:
    """A PNG of `image` [H, W, 1-4] (uint8, or uint16: 16 bits a sample), each row unfiltered, the zlib stream
    at `compression` (-1: zlib's default level)."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] not in (1, 2, 3, 4):
        raise InvalidArgumentError(f"image must be 3-dimensional with 1-4 channels, got shape {list(image.shape)}")
    if not -1 <= compression <= 9:
        raise InvalidArgumentError(f"compression should be in [-1,9], got {compression}")
    height, width, channels = image.shape
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    depth = 16 if image.dtype == np.uint16 else 8  # a uint16 image is a 16-bit PNG, big-endian samples
    samples = image.reshape(height, -1).astype(">u2").view(np.uint8) if depth == 16 else \
        image.reshape(height, -1).astype(np.uint8)
    rows = np.concatenate([np.zeros((height, 1), np.uint8), samples], 1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    return (_PNG_MAGIC + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), compression))
            + chunk(b"IEND", b""))


# ---- GIF and BMP --------------------------------------------------------------------------------
def decode_gif_frames(data: bytes) -> np.ndarray:
    """Every frame of a GIF drawn over the ones before it, [frames, H, W, 3] uint8, as TF's DecodeGif."""
    from PIL import Image, ImageSequence
    try:
        picture = Image.open(io.BytesIO(data))
        frames = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(picture)]
    except Exception:  # noqa: BLE001 - Pillow raises several kinds on bad bytes
        raise InvalidArgumentError(f"Failed to decode gif image, size {len(data)}") from None
    return np.ascontiguousarray(np.stack(frames))


def decode_bmp_pixels(data: bytes, channels: int = 0) -> np.ndarray:
    from PIL import Image
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except Exception:  # noqa: BLE001
        raise InvalidArgumentError(f"Invalid BMP data, size {len(data)}") from None
    if picture.mode not in ("L", "RGB", "RGBA"):
        picture = picture.convert("RGB")
    pixels = np.asarray(picture)
    pixels = pixels[..., None] if pixels.ndim == 2 else pixels
    return convert_channels(np.ascontiguousarray(pixels), pixels.shape[2], channels or pixels.shape[2])


# ---- the ops ------------------------------------------------------------------------------------
_OP_NAMES = {"jpeg": "DecodeJpeg", "png": "DecodePng", "gif": "DecodeGif", "bmp": "DecodeBmp", "image": "DecodeImage",
             "crop": "DecodeAndCropJpeg"}
_DECODER_FOR = {"jpeg": "decode_jpeg", "png": "decode_png", "gif": "decode_gif"}


def decode(data: bytes, kind: str, channels: int = 0, dtype=u8, ratio: int = 1, fancy_upscaling: bool = True,
           try_recover_truncated: bool = False, acceptable_fraction: float = 1.0, dct_method: str = "",
           expand_animations: bool = True, crop_window=None) -> np.ndarray:
    """The pixels TF's decode op of `kind` gives for `data` (TF 2's decoders read any of the formats, but
    DecodeBmp only BMP)."""
    if not data:
        raise InvalidArgumentError("Input is empty.")
    fmt = image_format(data)
    if fmt is None:
        raise InvalidArgumentError(_UNKNOWN)
    if kind == "bmp" and fmt != "bmp":
        raise InvalidArgumentError(f"Trying to decode {fmt.upper()} format using DecodeBmp op. Use "
                                   f"`{_DECODER_FOR[fmt]}` or `decode_image` instead.")
    if kind == "crop" and fmt != "jpeg":
        raise InvalidArgumentError(f"DecodeAndCropJpeg: the contents are {fmt.upper()}, not JPEG")
    if fmt == "jpeg":
        pixels = decode_jpeg_pixels(data, channels, ratio, fancy_upscaling, try_recover_truncated,
                                    acceptable_fraction, dct_method)
    elif fmt == "png":
        return decode_png_pixels(data, channels, dtype)
    elif fmt == "gif":
        pixels = decode_gif_frames(data)
        if kind == "jpeg" or kind == "png" or (kind == "image" and not expand_animations):
            pixels = pixels[0]
    else:
        pixels = decode_bmp_pixels(data, channels)
    if kind == "gif" and pixels.ndim == 3:
        pixels = pixels[None]
    if crop_window is not None:
        y, x, h, w = (int(v) for v in np.asarray(crop_window).reshape(-1))
        if y < 0 or x < 0 or h <= 0 or w <= 0 or y + h > pixels.shape[0] or x + w > pixels.shape[1]:
            raise InvalidArgumentError(_JPEG_FAILED)
        pixels = np.ascontiguousarray(pixels[y:y + h, x:x + w])
    if dtype is f32:
        return (pixels.astype(np.float32) * np.float32(1 / 255)).astype(np.float32)
    if dtype is u16:  # decode_image's uint16 of 8-bit pixels: convert_image_dtype's v * 257
        return pixels.astype(np.uint16) * np.uint16(257)
    return pixels


_DECODE_ATTRS = {"kind": Attr("str"), "channels": Attr("int", 0), "dtype": Attr("dtype", u8), "ratio": Attr("int", 1),
                 "fancy_upscaling": Attr("bool", True), "try_recover_truncated": Attr("bool", False),
                 "acceptable_fraction": Attr("float", 1.0), "dct_method": Attr("str", ""),
                 "expand_animations": Attr("bool", True)}
_RECENT: list = []  # recent decodes, newest first: a step's shape op and decode op read the same bytes
_RECENT_BYTES = 64 << 20


def _decoded(contents, *crop, **attrs) -> np.ndarray:
    data = _scalar_bytes(contents)
    window = tuple(int(v) for v in np.asarray(crop[0]).reshape(-1)) if crop else None
    key = (data, window, tuple(sorted((k, str(v)) for k, v in attrs.items())))
    for i, (k, pixels) in enumerate(_RECENT):
        if k == key:
            _RECENT.insert(0, _RECENT.pop(i))
            return pixels
    pixels = decode(data, crop_window=window, **attrs)
    pixels.setflags(write=False)
    _RECENT.insert(0, (key, pixels))
    total = 0
    for i, (_, kept) in enumerate(_RECENT):
        total += kept.nbytes + len(data)
        if total > _RECENT_BYTES and i:
            del _RECENT[i:]
            break
    return pixels


def decoded_rank(attrs: dict) -> int | None:
    kind = attrs["kind"]
    if kind == "gif":
        return 4
    if kind == "image" and attrs["expand_animations"]:
        return None
    return 3


def _check_decode(types, attrs, with_crop: bool) -> None:
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (string,), "contents")
    if t.shape is not None and t.shape != ():
        raise ShapeError(f"contents must be a scalar string, got shape {list(t.shape)}")
    if attrs["channels"] not in (0, 1, 3, 4):
        raise ShapeError(f"channels must be 0, 1, 3 or 4, got {attrs['channels']}")
    if attrs["ratio"] not in (1, 2, 4, 8):
        raise ShapeError(f"ratio must be 1, 2, 4 or 8, got {attrs['ratio']}")
    if with_crop:
        w = tensor_operand(types, 1)
        require_dtype(w.dtype, (i32,), "crop_window")
        if w.shape is not None and w.shape != (4,):
            raise ShapeError(f"crop_window must be 1-D of 4 elements, got shape {list(w.shape)}")


def _decoded_type(attrs, shape=None) -> TensorType:
    if shape is not None:
        return TensorType(attrs["dtype"], tuple(shape))
    rank = decoded_rank(attrs)
    if rank is None:
        return TensorType(attrs["dtype"], None)
    last = 3 if attrs["kind"] == "gif" else (attrs["channels"] or None)
    return TensorType(attrs["dtype"], (None,) * (rank - 1) + (last,))


def _shape_infer(types, attrs):
    _check_decode(types, attrs, len(types) == 2)
    return [TensorType(i64, (decoded_rank(attrs),))]


def _dynamic_infer(types, attrs):
    _check_decode([types[0], *types[2:]], attrs, len(types) == 3)
    return [_decoded_type(attrs)]


def _static_infer(types, attrs):
    _check_decode(types, attrs, len(types) == 2)
    return [_decoded_type(attrs, attrs["shape"])]


def _naming_the_op(reference):
    """`reference` whose errors name the user's op, as TF's do (the codecs know only the bytes)."""
    def run(*arrays, ctx=None, op=None, **attrs):
        try:
            return reference(*arrays, **attrs)
        except InvalidArgumentError as e:
            raise InvalidArgumentError(f"{e.message} (op {op.describe()})" if op is not None else e.message,
                                       op) from None
    return run


#: the codec ops: they take the interpreter's context only for their op's name, so they may run ahead of a step
CODEC_OPS: list[str] = []


def _codec_op(name, infer, reference, operands, attrs, doc):
    CODEC_OPS.append(f"dfc.{name}")
    return register(OpDef(f"dfc.{name}", "strings", infer, _naming_the_op(reference), operands, attrs,
                          differentiable=False, uses_context=True, fusible_as=None, doc=doc))


_codec_op("image_decoded_shape", _shape_infer,
          lambda contents, *crop, **attrs: np.array(_decoded(contents, *crop, **attrs).shape, np.int64), (1, 2),
          dict(_DECODE_ATTRS), "the shape of the pixels an image's bytes decode to (found before the step)")
_codec_op("dynamic_decode_image", _dynamic_infer,
          lambda contents, shape, *crop, **attrs: _decoded(contents, *crop, **attrs), (2, 3), dict(_DECODE_ATTRS),
          "an image's bytes as pixels, given their shape; specialize makes it a dfc.decode_image")
_codec_op("decode_image", _static_infer,
          lambda contents, *crop, shape, **attrs: _decoded(contents, *crop, **attrs), (1, 2),
          {**_DECODE_ATTRS, "shape": Attr("ints")}, "an image's bytes as pixels of a known shape")
SHAPE_OPERAND["dfc.dynamic_decode_image"] = 1
COUNTED_OPS["dfc.dynamic_decode_image"] = "dfc.decode_image"


def _is_jpeg(contents):
    return np.array(image_format(_scalar_bytes(contents)) == "jpeg", np.bool_)


def _scalar_string(types, what="contents") -> None:
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (string,), what)
    if t.shape is not None and t.shape != ():
        raise ShapeError(f"{what} must be a scalar string, got shape {list(t.shape)}")


def _is_jpeg_infer(types, attrs):
    _scalar_string(types)
    return [TensorType(bool_, ())]


def _jpeg_shape_infer(types, attrs):
    _scalar_string(types)
    return [TensorType(attrs["output_type"], (3,))]


_codec_op("is_jpeg", _is_jpeg_infer, _is_jpeg, 1, {}, "whether a string starts as a JPEG does")
_codec_op("extract_jpeg_shape", _jpeg_shape_infer,
          lambda contents, output_type: np.array(jpeg_header(_scalar_bytes(contents)), output_type.np), 1,
          {"output_type": Attr("dtype", i32)}, "[height, width, channels] of a JPEG, from its header")


def _encode_infer(types, attrs, dtypes=(u8,)):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, dtypes, "image")
    if t.shape is not None and len(t.shape) != 3:
        raise ShapeError(f"image must be 3-dimensional, got shape {list(t.shape)}")
    if len(types) > 1:
        require_dtype(tensor_operand(types, 1).dtype, (i32,), "quality")
    return [TensorType(string, ())]


_ENCODE_JPEG_ATTRS = {"format": Attr("str", ""), "progressive": Attr("bool", False),
                      "optimize_size": Attr("bool", False), "chroma_downsampling": Attr("bool", True),
                      "density_unit": Attr("str", "in"), "x_density": Attr("int", 300),
                      "y_density": Attr("int", 300), "xmp_metadata": Attr("str", "")}


def _encode_jpeg(image, quality, format, **attrs):  # noqa: A002 - TF's attribute name
    return np.array(encode_jpeg_bytes(image, format, int(quality), **attrs), dtype=object)


_codec_op("encode_jpeg", _encode_infer, _encode_jpeg, 2, dict(_ENCODE_JPEG_ATTRS),
          "a uint8 image [H, W, 1 or 3] as JPEG bytes at a quality in [0, 100]")
_codec_op("encode_png", lambda types, attrs: _encode_infer(types, attrs, (u8, u16)),
          lambda image, compression: np.array(encode_png_bytes(image, compression), dtype=object), 1,
          {"compression": Attr("int", -1)}, "a uint8 or uint16 image [H, W, 1-4] as PNG bytes")


def _jpeg_roundtrip(images, quality, dct_method):
    """An [H, W, C] image encoded as JPEG at `quality` and decoded again (TF's adjust_jpeg_quality)."""
    data = encode_jpeg_bytes(images, "", int(quality))
    return decode_jpeg_pixels(data, images.shape[-1], dct_method=dct_method)


def _roundtrip_infer(types, attrs):
    t = tensor_operand(types, 0)
    require_dtype(t.dtype, (u8,), "image")
    if t.shape is not None and (len(t.shape) != 3 or t.shape[-1] not in (None, 1, 3)):
        raise ShapeError(f"Shape must be rank 3 with 1 or 3 channels, got shape {list(t.shape)}")
    require_dtype(tensor_operand(types, 1).dtype, (i32,), "jpeg_quality")
    return [t]


# a round trip of its own: the pixels keep their shape, so no step waits for a decoded shape
_codec_op("jpeg_roundtrip", _roundtrip_infer, _jpeg_roundtrip, 2, {"dct_method": Attr("str", "")},
          "a uint8 image through JPEG at a quality and back")
