"""Photo intake: only real images pass, re-encoded as JPEG so EXIF (GPS, device ids) never leaks."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO", "HEIF", "HEIC"})
MAX_EDGE = 1920
JPEG_QUALITY = 82


class PhotoRejected(ValueError):
    """The upload is not an acceptable photo; `code` tells the UI why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Photo:
    """A normalised photo ready to store."""

    data: bytes
    width: int
    height: int
    sha256: str
    source_format: str
    content_type: str = "image/jpeg"


def normalise(raw: bytes, *, max_bytes: int, max_pixels: int) -> Photo:
    """Decode, check and re-encode an uploaded image; raises PhotoRejected on anything else."""
    if not raw:
        raise PhotoRejected("the photo is empty", "empty_photo")
    if len(raw) > max_bytes:
        raise PhotoRejected(f"the photo is {len(raw)} bytes; the limit is {max_bytes}", "photo_too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw))
            fmt = (probe.format or "").upper()
            if fmt not in ACCEPTED_FORMATS:
                raise PhotoRejected(f"image format {fmt or 'unknown'} is not accepted", "not_an_image")
            if probe.width * probe.height > max_pixels:
                raise PhotoRejected("the image has too many pixels", "photo_too_large")
            probe.verify()  # structural check; the object is unusable afterwards
            img: Image.Image = Image.open(io.BytesIO(raw))
            img.load()
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise PhotoRejected("the upload is not a readable image", "not_an_image") from exc
    img = ImageOps.exif_transpose(img) or img
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.thumbnail((MAX_EDGE, MAX_EDGE))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    data = out.getvalue()
    return Photo(data=data, width=img.width, height=img.height, sha256=hashlib.sha256(data).hexdigest(),
                 source_format=fmt)
