"""Aging diagnostics: a camera past the school's service-life standard is an issue until it is replaced."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from campusguard.core.db import Database
from campusguard.device.models import Device
from campusguard.org.models import School
from campusguard.video.jobs import record_findings
from campusguard.video.models import Camera, Issue

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _install(db: Database, cam_id: int, installed_on: str | None, max_years: int | None = None) -> None:
    with db.session() as s:
        cam = s.get(Camera, cam_id)
        assert cam is not None
        dev = s.get(Device, cam.device_id)
        assert dev is not None
        dev.settings = {**(dev.settings or {}), "installed_on": installed_on}
        school = s.get(School, cam.school_id)
        assert school is not None
        school.settings = {**(school.settings or {}), "video_max_age_years": max_years}


def _diagnose(db: Database, cam_id: int) -> dict[str, tuple[str, dict[str, object]]]:
    with db.session() as s:
        cam = s.get(Camera, cam_id)
        assert cam is not None
        return record_findings(s, cam, [], now=NOW)


def test_camera_past_service_life_is_an_issue_until_replaced(db: Database, make_cameras) -> None:  # type: ignore[no-untyped-def]
    cam_id = make_cameras(db, 1)[0]
    _install(db, cam_id, "2019-06-01")  # 7.5 years in service, default standard 6 years
    found = _diagnose(db, cam_id)
    assert found["aging"] == ("minor", {"in_service_since": "2019-06-01", "years": 7.5, "max_years": 6})

    _install(db, cam_id, "2019-06-01", max_years=8)  # the school's own standard allows it
    assert "aging" not in _diagnose(db, cam_id)
    with db.session() as s:
        rows = s.scalars(select(Issue).where(Issue.camera_id == cam_id, Issue.kind == "aging")).all()
        assert len(rows) == 1 and rows[0].resolved_at is not None

    _install(db, cam_id, "not a date")  # unreadable register entry: the camera's own age counts (new)
    assert "aging" not in _diagnose(db, cam_id)
    _install(db, cam_id, "2014-01-01T00:00:00")
    assert _diagnose(db, cam_id)["aging"][1]["years"] == 12.9
    with db.session() as s:
        open_rows = s.scalars(select(Issue).where(Issue.camera_id == cam_id, Issue.resolved_at.is_(None))).all()
        assert [r.kind for r in open_rows] == ["aging"]
