"""Untrusted image bytes in, RGB arrays and JPEG crops out; refuse anything that is not a photo."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAGIC: dict[str, tuple[bytes, ...]] = {
    "JPEG": (b"\xff\xd8\xff",),
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "WEBP": (b"RIFF",),
    "BMP": (b"BM",),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600


class ImageRejected(ValueError):
    """Input refused before any model runs; `code` is stable for clients and translations."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: str
    width: int
    height: int
    size: int


def sniff(data: bytes) -> str | None:
    """Format from magic bytes (never trust the client's content type or file name)."""
    for fmt, prefixes in MAGIC.items():
        if any(data.startswith(p) for p in prefixes):
            if fmt == "WEBP" and data[8:12] != b"WEBP":
                continue
            return fmt
    return None


def validate(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ImageInfo:
    """Check size, magic bytes and Pillow's structural verify; raise ImageRejected otherwise."""
    if not data:
        raise ImageRejected("empty_image", "the upload is empty")
    if len(data) > max_bytes:
        raise ImageRejected("image_too_large", f"image is {len(data)} bytes, limit {max_bytes}")
    fmt = sniff(data)
    if fmt is None:
        raise ImageRejected("not_an_image", "content is not a JPEG, PNG, WebP or BMP image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != fmt:
                    raise ImageRejected("not_an_image", f"declared {fmt} but decoded as {img.format}")
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise ImageRejected("image_too_large", f"{width}x{height} exceeds {MAX_PIXELS} pixels")
                img.verify()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("corrupt_image", f"image cannot be decoded: {exc}") from exc
    return ImageInfo(format=fmt, width=width, height=height, size=len(data))


def decode_rgb(data: bytes, *, max_side: int = MAX_SIDE) -> np.ndarray:
    """Decode (EXIF orientation applied), shrink to max_side and return RGB uint8 (H, W, 3)."""
    try:
        with Image.open(io.BytesIO(data)) as src:
            img = ImageOps.exif_transpose(src).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected("corrupt_image", f"image cannot be decoded: {exc}") from exc
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return np.asarray(img, dtype=np.uint8)


def to_jpeg(image: np.ndarray, *, quality: int = 85, max_side: int | None = None) -> bytes:
    """Encode an RGB array as JPEG (stored thumbnails, face crops, scene images)."""
    img = Image.fromarray(image)
    if max_side and max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def crop(image: np.ndarray, box: tuple[int, int, int, int], *, margin: float = 0.3) -> np.ndarray:
    """Face crop with a margin around the detector box, clipped to the image."""
    h, w = image.shape[:2]
    left, top, right, bottom = box
    mx, my = int((right - left) * margin), int((bottom - top) * margin)
    return image[max(0, top - my):min(h, bottom + my), max(0, left - mx):min(w, right + mx)]
