"""Live photos for check-ins and roll-call answers: real images only, bounded size, stored with a hash."""

from __future__ import annotations

import hashlib
from io import BytesIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from campusguard.core.errors import PayloadTooLarge, ProblemError
from campusguard.patrol.models import Photo

MAX_PHOTO_BYTES = 5 * 1024 * 1024
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000


class UnsupportedMedia(ProblemError):
    status, title, code = 415, "Unsupported media type", "unsupported_media"


def inspect(data: bytes) -> tuple[str, int, int]:
    """Content type and size of an image, or a 413/415 refusal (the client's claim is not trusted)."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PayloadTooLarge(
            f"photo larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB", code="photo_too_large"
        )
    if not data:
        raise UnsupportedMedia("empty photo", code="not_an_image")
    try:
        with Image.open(BytesIO(data)) as img:
            fmt = img.format or ""
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise PayloadTooLarge("photo has too many pixels", code="photo_too_large")
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UnsupportedMedia("the photo is not a readable image", code="not_an_image") from exc
    if fmt not in FORMATS:
        raise UnsupportedMedia(
            f"photo format {fmt or 'unknown'} not accepted (JPEG, PNG, WebP)", code="not_an_image"
        )
    return FORMATS[fmt], width, height


def store(session: Session, *, data: bytes, user_id: int, school_id: int | None) -> Photo:
    """Check and keep a photo; returns the row (flushed, so it has an id)."""
    content_type, width, height = inspect(data)
    photo = Photo(
        school_id=school_id,
        user_id=user_id,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        data=data,
    )
    session.add(photo)
    session.flush()
    return photo
