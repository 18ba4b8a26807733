"""Diagnostics job against the simulator → video issues (opened, resolved), summary per school/district."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database
from campusguard.video import service
from campusguard.video.jobs import diagnose_camera
from campusguard.video.models import Camera, Issue

pytestmark = pytest.mark.ffmpeg


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the DB adds nothing here
def test_diagnostics_open_and_resolve_issues(db: Database, make_cameras, sim) -> None:  # type: ignore[no-untyped-def]
    cam_id = make_cameras(db, 1)[0]
    with db.session() as s:
        s.get(Camera, cam_id).rtsp_url = sim.url(6)
    sim.scene(6, "black")
    time.sleep(1.1)
    try:
        with db.session() as s:
            found = diagnose_camera(s, cam_id)
    finally:
        sim.scene(6, "normal")
    assert set(found) == {"black", "low_resolution"}  # 360p is below the 720p default standard
    time.sleep(1.1)
    with db.session() as s:
        found = diagnose_camera(s, cam_id)
    assert set(found) == {"low_resolution"}
    with db.session() as s:
        issues = {i.kind: i for i in s.scalars(select(Issue).where(Issue.camera_id == cam_id)).all()}
        assert issues["black"].resolved_at is not None and issues["black"].severity == "major"
        assert issues["low_resolution"].resolved_at is None
        assert issues["low_resolution"].detail["height"] == 360
        rows, total = service.list_issues(s, SYSTEM)
        assert total == 1 and rows[0].kind == "low_resolution"
        summary = service.issue_summary(s, SYSTEM)
        assert summary[0]["minor"] == 1 and summary[0]["district_code"] == "449901"
