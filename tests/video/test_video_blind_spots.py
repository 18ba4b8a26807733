"""Blind spots: key areas without an online camera become area issues, resolved when a camera comes back."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database
from campusguard.device.models import Device
from campusguard.org.models import Area, Region, School
from campusguard.video import blindspots, service
from campusguard.video.models import Issue


def _school(db: Database) -> tuple[int, dict[str, int]]:
    with db.session() as s:
        s.add(Region(code="449800", name="测试市", level="city", parent_code=None))
        s.add(Region(code="449801", name="测试区", level="district", parent_code="449800"))
        s.flush()
        school = School(code="B001", name="盲区测试学校", type="primary", district_code="449801")
        s.add(school)
        s.flush()
        areas = {name: Area(school_id=school.id, name=name, kind=kind, key_area=key)
                 for name, kind, key in (("gate", "gate", True), ("yard", "playground", True),
                                         ("corridor", "corridor", False))}
        s.add_all(areas.values())
        s.flush()
        return school.id, {name: a.id for name, a in areas.items()}


def _camera(db: Database, school_id: int, area_id: int, online: bool) -> int:
    with db.session() as s:
        dev = Device(code=f"B-{uuid.uuid4().hex[:8]}", name="cam", type="camera", school_id=school_id,
                     area_id=area_id, protocol="rtsp", settings={}, online=online)
        s.add(dev)
        s.flush()
        return dev.id


def _open(db: Database) -> dict[int, Issue]:
    with db.session() as s:
        rows = s.scalars(select(Issue).where(Issue.kind == "blind_spot", Issue.resolved_at.is_(None))).all()
        s.expunge_all()
        return {r.area_id: r for r in rows if r.area_id is not None}


def test_key_area_without_online_camera_is_a_blind_spot(db: Database) -> None:
    school_id, areas = _school(db)
    yard_cam = _camera(db, school_id, areas["yard"], online=True)
    _camera(db, school_id, areas["corridor"], online=False)  # not a key area: never an issue
    with db.session() as s:
        assert blindspots.check(s) == {"opened": 1, "resolved": 0, "key_areas": 2}
    issues = _open(db)
    assert set(issues) == {areas["gate"]}
    gate = issues[areas["gate"]]
    assert (gate.camera_id, gate.school_id, gate.severity) == (None, school_id, "critical")
    assert gate.detail == {"area": "gate", "area_kind": "gate", "cameras": 0, "online": 0}

    # The yard's only camera goes offline; a camera is installed at the gate and comes online.
    gate_cam = _camera(db, school_id, areas["gate"], online=False)
    with db.session() as s:
        s.get(Device, yard_cam).online = False  # type: ignore[union-attr]
        assert blindspots.check(s)["opened"] == 1
    issues = _open(db)
    assert set(issues) == {areas["gate"], areas["yard"]}
    assert issues[areas["gate"]].severity == "major" and issues[areas["gate"]].detail["cameras"] == 1
    assert issues[areas["yard"]].severity == "major"
    with db.session() as s:
        s.get(Device, gate_cam).online = True  # type: ignore[union-attr]
        s.get(Area, areas["yard"]).key_area = False  # type: ignore[union-attr]
        assert blindspots.check(s) == {"opened": 0, "resolved": 2, "key_areas": 1}
    assert _open(db) == {}
    with db.session() as s:
        rows, total = service.list_issues(s, SYSTEM, open_only=False, kind="blind_spot")
        assert total == 2 and all(r.resolved_at is not None for r in rows)
