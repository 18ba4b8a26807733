"""Enrolment quality gate: a template is only as good as its photo, so refuse bad ones early."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from campusguard.face.engine import Detection


@dataclass(frozen=True, slots=True)
class QualityPolicy:
    """Thresholds calibrated on the test photos (frontal portraits pass, blurred/turned ones fail)."""

    min_face_px: int = 80
    min_blur: float = 30.0
    max_yaw: float = 0.35
    max_roll_deg: float = 25.0
    min_pitch: float = 0.35
    max_pitch: float = 1.25


@dataclass(frozen=True, slots=True)
class FaceQuality:
    """Measured quality of one face; ratios are relative to the distance between the eyes."""

    size_px: int
    blur: float
    yaw: float
    roll_deg: float
    pitch: float


class QualityRejected(ValueError):
    """Photo unusable for enrolment; `code` is the reason returned to the client."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def laplacian_variance(chip: np.ndarray) -> float:
    """Sharpness of the aligned chip: variance of the 4-neighbour Laplacian on grey levels."""
    grey = chip.astype(np.float32)
    if grey.ndim == 3:
        grey = grey @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    lap = (grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4.0 * grey[1:-1, 1:-1])
    return float(lap.var())


def pose(face: Detection) -> tuple[float, float, float]:
    """Yaw ratio, roll (degrees) and pitch ratio from dlib's 5 landmarks (eye corners + nose)."""
    pts = face.landmarks
    if len(pts) < 5:
        return 0.0, 0.0, 0.7
    eye_a = ((pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2)
    eye_b = ((pts[2][0] + pts[3][0]) / 2, (pts[2][1] + pts[3][1]) / 2)
    nose = pts[4]
    dx, dy = eye_a[0] - eye_b[0], eye_a[1] - eye_b[1]
    dist = math.hypot(dx, dy) or 1.0
    ux, uy = dx / dist, dy / dist
    mid = ((eye_a[0] + eye_b[0]) / 2, (eye_a[1] + eye_b[1]) / 2)
    vx, vy = nose[0] - mid[0], nose[1] - mid[1]
    yaw = (vx * ux + vy * uy) / dist
    pitch = (-vx * uy + vy * ux) / dist
    roll = math.degrees(math.atan2(dy, dx))
    if roll > 90:
        roll -= 180
    elif roll < -90:
        roll += 180
    return yaw, roll, pitch


def measure(face: Detection, chip: np.ndarray) -> FaceQuality:
    yaw, roll, pitch = pose(face)
    return FaceQuality(size_px=min(face.width, face.height), blur=laplacian_variance(chip),
                       yaw=yaw, roll_deg=roll, pitch=pitch)


def check(qualities: list[FaceQuality], policy: QualityPolicy | None = None) -> FaceQuality:
    """Return the single face's quality or raise QualityRejected with the first failing reason."""
    policy = policy or QualityPolicy()
    if not qualities:
        raise QualityRejected("no_face", "no face found in the photo")
    if len(qualities) > 1:
        raise QualityRejected("multiple_faces", f"{len(qualities)} faces found; enrol one person per photo")
    q = qualities[0]
    if q.size_px < policy.min_face_px:
        raise QualityRejected("face_too_small",
                              f"face is {q.size_px}px, at least {policy.min_face_px}px needed")
    if q.blur < policy.min_blur:
        raise QualityRejected("too_blurry", f"sharpness {q.blur:.0f} below {policy.min_blur:.0f}")
    if abs(q.yaw) > policy.max_yaw or abs(q.roll_deg) > policy.max_roll_deg \
            or not policy.min_pitch <= q.pitch <= policy.max_pitch:
        raise QualityRejected(
            "pose_not_frontal",
            f"head turned too far (yaw {q.yaw:.2f}, roll {q.roll_deg:.0f}°, pitch {q.pitch:.2f})",
        )
    return q
