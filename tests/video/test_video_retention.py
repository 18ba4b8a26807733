"""Retention: oldest first by days (>= 30) and quota, emergency clean-up; held recording is never removed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from campusguard.core.db import Database, utcnow
from campusguard.video import retention
from campusguard.video.models import Camera, Hold, RetentionPolicy, Segment


def _segments(db: Database, cam_id: int, tmp: Path, ages_days: list[float], size: int = 1000) -> None:
    now = utcnow()
    with db.session() as s:
        for age in ages_days:
            start = now - timedelta(days=age)
            path = tmp / f"c{cam_id}-{age}.mp4"
            path.write_bytes(b"x" * size)
            s.add(Segment(camera_id=cam_id, start=start, end=start + timedelta(seconds=10), path=str(path),
                          bytes=size))


def _left(db: Database, cam_id: int) -> list[float]:
    now = utcnow()
    with db.session() as s:
        segs = s.scalars(select(Segment).where(Segment.camera_id == cam_id).order_by(Segment.start)).all()
        return [round((now - seg.start).total_seconds() / 86400) for seg in segs]


def test_days_policy_minimum_and_holds(db: Database, tmp_path: Path, make_cameras) -> None:  # type: ignore[no-untyped-def]
    cam_id = make_cameras(db, 1)[0]
    _segments(db, cam_id, tmp_path, [45, 40, 35, 31, 20, 1])
    with db.session() as s:
        cam = s.get(Camera, cam_id)
        s.add(RetentionPolicy(school_id=cam.school_id, area_id=None, days=7))  # below the minimum: 30 applies
        held = utcnow() - timedelta(days=40)
        s.add(Hold(camera_id=cam_id, start=held - timedelta(minutes=1), end=held + timedelta(minutes=1),
                   reason="incident 9", incident_id=9, created_by="system", created_at=utcnow()))
    with db.session() as s:
        assert retention.policy_days(s, s.get(Camera, cam_id))[0] == 30
        freed = retention.sweep(s, tmp_path)
    assert freed["freed_days"] == 3000  # 45, 35, 31 days old; the 40-day segment is held
    assert _left(db, cam_id) == [40, 20, 1]
    assert not (tmp_path / f"c{cam_id}-45.mp4").exists() and (tmp_path / f"c{cam_id}-40.mp4").exists()
    with db.session() as s:
        row = retention.report(s, [(s.get(Camera, cam_id), "cam")])[0]
    assert row.policy_days == 30 and 39.9 < row.kept_days < 40.1 and not row.below_minimum


def test_quota_oldest_first_and_emergency(db: Database, tmp_path: Path, make_cameras) -> None:  # type: ignore[no-untyped-def]
    cam_id = make_cameras(db, 1)[0]
    _segments(db, cam_id, tmp_path, [5, 4, 3, 2, 1], size=1024**2)
    with db.session() as s:
        cam = s.get(Camera, cam_id)
        s.add(RetentionPolicy(school_id=cam.school_id, area_id=None, days=30, quota_gb=3 / 1024))
        held = utcnow() - timedelta(days=5)
        s.add(Hold(camera_id=cam_id, start=held, end=held + timedelta(seconds=5), reason="clip 1",
                   created_by="u", created_at=utcnow()))
    with db.session() as s:
        freed = retention.sweep(s, tmp_path)
    assert freed["freed_quota"] == 2 * 1024**2
    assert _left(db, cam_id) == [5, 2, 1]  # oldest unheld first; the held 5-day segment stays
    with db.session() as s:
        row = retention.report(s, [(s.get(Camera, cam_id), "cam")])[0]
        assert row.below_minimum  # the report says the quota cost the school its 30 days
        assert retention.emergency(s, tmp_path, used_ratio=0.5) == 0
        freed_now = retention.emergency(s, tmp_path, used_ratio=0.999)
    assert freed_now == 2 * 1024**2 and _left(db, cam_id) == [5]


def test_policy_is_validated() -> None:
    from pydantic import ValidationError

    from campusguard.video.schemas import RetentionIn

    with pytest.raises(ValidationError):
        RetentionIn(school_code="x", days=29)
    assert RetentionIn(school_code="x").days == 30


def test_clip_of_unrecorded_range_fails_with_reason(db: Database, tmp_path: Path, make_cameras) -> None:  # type: ignore[no-untyped-def]
    from campusguard.config import Settings
    from campusguard.core.auth import SYSTEM
    from campusguard.core.models import Job
    from campusguard.video import clips
    from campusguard.video.models import Clip

    cam_id = make_cameras(db, 1)[0]
    settings = Settings(data_dir=tmp_path, secret_key="k" * 40, database_url=db.url)
    start = utcnow() - timedelta(hours=2)
    with db.session() as s:
        s.get(Camera, cam_id).recording = False
        clip = clips.create_clip(s, SYSTEM, s.get(Camera, cam_id), start=start, end=start + timedelta(seconds=30),
                                 reason="test", settings=settings)
        clip_id = clip.id
        job = s.scalars(select(Job).where(Job.kind == "video.clip")).one()
        assert job.payload == {"clip_id": clip_id}
        held = s.scalars(select(Hold).where(Hold.clip_id == clip_id)).one()
        assert held.start == start
    with db.session() as s:
        clips._clip_job(s, {"clip_id": clip_id})
    with db.session() as s:
        row = s.get(Clip, clip_id)
        assert row.status == "failed" and "no recording" in (row.error or "")
