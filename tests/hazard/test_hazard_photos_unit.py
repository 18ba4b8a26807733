"""Photo intake accepts real images only and strips metadata (pure, real Pillow)."""

import io

import pytest
from PIL import Image

from campusguard.hazard.photos import PhotoRejected, normalise


def _jpeg(w=640, h=480, exif=False) -> bytes:
    img = Image.new("RGB", (w, h), (200, 30, 30))
    buf = io.BytesIO()
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "SecretPhoneMaker"
        img.save(buf, "JPEG", exif=ex)
    else:
        img.save(buf, "JPEG")
    return buf.getvalue()


def test_jpeg_is_reencoded_without_exif():
    raw = _jpeg(exif=True)
    assert b"SecretPhoneMaker" in raw
    photo = normalise(raw, max_bytes=10_000_000, max_pixels=50_000_000)
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (640, 480)
    assert b"SecretPhoneMaker" not in photo.data
    assert len(photo.sha256) == 64


def test_png_with_alpha_accepted_and_large_downscaled():
    img = Image.new("RGBA", (4000, 1000), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    photo = normalise(buf.getvalue(), max_bytes=10_000_000, max_pixels=50_000_000)
    assert photo.width == 1920 and photo.source_format == "PNG"


@pytest.mark.parametrize(("raw", "code"), [
    (b"", "empty_photo"),
    (b"%PDF-1.4 not an image", "not_an_image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "not_an_image"),  # JPEG magic, garbage body
])
def test_non_images_refused(raw, code):
    with pytest.raises(PhotoRejected) as exc:
        normalise(raw, max_bytes=10_000_000, max_pixels=50_000_000)
    assert exc.value.code == code


def test_size_and_pixel_limits():
    raw = _jpeg()
    with pytest.raises(PhotoRejected) as exc:
        normalise(raw, max_bytes=100, max_pixels=50_000_000)
    assert exc.value.code == "photo_too_large"
    with pytest.raises(PhotoRejected) as exc:
        normalise(raw, max_bytes=10_000_000, max_pixels=1000)
    assert exc.value.code == "photo_too_large"
