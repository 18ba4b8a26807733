"""Device supervision through the real bus: an offline alarm point opens a low-priority incident."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from campusguard.alarm.models import Incident
from campusguard.core.db import Database
from campusguard.device import service as devices
from campusguard.device.models import Device


def _wait(db: Database, predicate: Any, timeout_s: float = 20.0) -> list[Incident]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with db.session() as s:
            rows = list(s.scalars(select(Incident).where(Incident.type == "device_offline")).all())
        if predicate(rows):
            return rows
        time.sleep(0.1)
    raise AssertionError("supervision did not react")


def test_offline_then_online(client: TestClient, db: Database, city: dict[str, Any], login: Any) -> None:
    with db.session() as s:
        s.get(Device, city["button"]).online = True  # type: ignore[union-attr]
        camera = s.scalars(
            select(Device).where(Device.school_id == city["kg"], Device.type == "camera")
        ).first()
        assert camera is not None
        camera.online = True
        camera_id = camera.id
    with db.session() as s:
        devices.set_presence(s, device_id=city["button"], online=False, reason="heartbeat missed")
        devices.set_presence(s, device_id=camera_id, online=False, reason="no signal")  # video's concern
    [incident] = _wait(db, lambda rows: len(rows) >= 1)
    assert (incident.status, incident.priority, incident.device_id) == ("raised", "low", city["button"])
    assert incident.source == "supervision"
    board = client.get(
        "/api/v1/incidents", headers=login("operator"), params={"type": "device_offline"}
    ).json()
    assert [i["id"] for i in board["items"]] == [incident.id]

    with db.session() as s:
        devices.set_presence(s, device_id=city["button"], online=True)
    [closed] = _wait(db, lambda rows: rows and rows[0].status == "resolved")
    assert closed.resolved_by == "system" and closed.id == incident.id
    time.sleep(0.3)
    with db.session() as s:  # the camera never opened an alarm incident
        assert s.scalars(select(Incident).where(Incident.device_id == camera_id)).all() == []
