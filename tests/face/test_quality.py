"""Enrolment quality gate: each failure has its own reason code."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from campusguard.face import imaging, quality
from campusguard.face.engine import Detection


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    return buf.getvalue()


def test_frontal_portrait_passes(analysed) -> None:
    q = quality.check([f.quality for f in analysed("obama/1.jpg").faces])
    assert q.size_px >= 80


def test_reasons(analysed, face_pool, photo) -> None:
    with pytest.raises(quality.QualityRejected) as exc:
        quality.check([f.quality for f in analysed("_groups/kit_with_rose.jpg").faces])
    assert exc.value.code == "multiple_faces"
    with pytest.raises(quality.QualityRejected) as exc:
        quality.check([])
    assert exc.value.code == "no_face"
    src = Image.open(io.BytesIO(photo("obama/1.jpg")))
    blurred = face_pool.analyse(_jpeg(src.filter(ImageFilter.GaussianBlur(3))))
    with pytest.raises(quality.QualityRejected) as exc:
        quality.check([f.quality for f in blurred.faces])
    assert exc.value.code == "too_blurry"
    small = src.copy()
    small.thumbnail((300, 300))
    tiny = face_pool.analyse(_jpeg(small), upsample=1)
    with pytest.raises(quality.QualityRejected) as exc:
        quality.check([f.quality for f in tiny.faces])
    assert exc.value.code == "face_too_small"


def test_pose_from_landmarks() -> None:
    eyes = ((70.0, 40.0), (60.0, 40.0), (30.0, 40.0), (40.0, 40.0))
    frontal = Detection(box=(0, 0, 100, 100), landmarks=(*eyes, (50.0, 70.0)), score=1)
    turned = Detection(box=(0, 0, 100, 100), landmarks=(*eyes, (68.0, 70.0)), score=1)
    assert abs(quality.pose(frontal)[0]) < 0.01
    chip = np.full((150, 150, 3), 128, np.uint8)
    chip[::2] = 0
    q = quality.measure(turned, chip)
    with pytest.raises(quality.QualityRejected) as exc:
        quality.check([q])
    assert exc.value.code == "pose_not_frontal"


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty_image"),
    (b"%PDF-1.7 not an image", "not_an_image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "corrupt_image"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage", "corrupt_image"),
])
def test_not_an_image(data: bytes, code: str) -> None:
    with pytest.raises(imaging.ImageRejected) as exc:
        imaging.validate(data)
    assert exc.value.code == code


def test_size_limit(photo) -> None:
    data = photo("obama/1.jpg")
    assert imaging.validate(data).format == "JPEG"
    with pytest.raises(imaging.ImageRejected) as exc:
        imaging.validate(data, max_bytes=1000)
    assert exc.value.code == "image_too_large"
