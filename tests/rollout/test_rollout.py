"""Rollout checklists fill themselves from devices and test presses, gate the police sign-off and
roll up per district against the phase deadlines."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from campusguard.alarm.events import AlarmRaised
from campusguard.bus.outbox import publish
from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database
from campusguard.core.errors import Conflict
from campusguard.device import service as devices
from campusguard.device.schemas import DeviceIn
from campusguard.org.models import School
from campusguard.rollout import service
from campusguard.stats.democity import DEMO_USERS, make_city, make_users

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_autofill_signoff_and_district_progress(db: Database) -> None:
    with db.session() as s:
        ids = make_city(s, schools=4, districts=2)
        schools = list(s.scalars(select(School).where(School.id.in_(ids)).order_by(School.id)).all())
        first = schools[0]
        made = []
        for kind in ("alarm_button", "camera", "face_terminal"):
            made.append(
                devices.create_device(
                    s,
                    SYSTEM,
                    DeviceIn(code=f"{first.code}-{kind}", name=kind, type=kind, school_code=first.code),
                )
            )
        service.refresh(s, now=NOW)
        row = s.get(service.Checklist, first.id)
        assert row is not None and row.alarm_installed_at is not None
        assert row.alarm_networked_at is None and row.face_online_at is None  # never reported yet
        for d in made:
            devices.set_presence(s, device_id=d.id, online=True, last_seen=NOW)
        service.refresh(s, now=NOW)
        assert service.missing_items(row) == ["alarm_tested", "police_signed"]
        try:
            service.signoff(s, SYSTEM, first.id, "验收")
            raise AssertionError("sign-off must wait for the test press")
        except Conflict as exc:
            assert exc.extra["missing"] == ["alarm_tested"]
        service.record_test_press(s, school_id=first.id, at=NOW, incident_id=1, device_id=made[0].id)
        service.signoff(s, SYSTEM, first.id, "现场验收合格")
        assert service.missing_items(row) == []
        report = service.progress(s, SYSTEM, today=date(2026, 11, 23))
        district = next(d for d in report["districts"] if d["district_code"] == first.district_code)
        assert district["schools"] == 2 and district["complete"] == 1
        phase1, phase2 = district["phases"]
        assert (phase1["pct"], phase1["status"], phase1["gap"]) == (0.5, "in_progress", 1)
        assert phase2["target"] == 1.0 and phase2["schools_met"] == 1
        late = service.progress(s, SYSTEM, today=date(2027, 1, 5))
        assert late["districts"][0]["phases"][0]["status"] == "missed"
        assert report["total"]["schools"] == 4


def _wait(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_test_press_event_ticks_checklist_through_the_bus(
    client: TestClient, login, small_city, db: Database
) -> None:  # type: ignore[no-untyped-def]
    police = login("police")
    r = client.get("/api/v1/rollout", headers=police)
    assert r.status_code == 200
    body = r.json()
    assert len(body["districts"]) == 1 and body["total"]["schools"] == 4  # a district sees only itself
    school_id = client.get("/api/v1/rollout/schools", headers=police).json()["items"][0]["school_id"]
    with db.session() as s:
        school = s.get(School, school_id)
        assert school is not None
        at = datetime.now(UTC)
        publish(
            s,
            AlarmRaised(
                school_id=school.id,
                district_code=school.district_code,
                incident_id=4242,
                alarm_type="test",
                priority="low",
                title="测试按键",
                school_name=school.name,
                school_code=school.code,
                raised_at=at,
                device_occurred_at=at,
            ),
        )

    def ticked() -> bool:
        data = client.get(f"/api/v1/rollout/schools/{school_id}", headers=police).json()
        return next(i for i in data["items"] if i["key"] == "alarm_tested")["done"]

    assert _wait(ticked), "the test press did not reach the rollout checklist"
    r = client.post(f"/api/v1/rollout/schools/{school_id}/signoff", json={"note": "x"}, headers=police)
    assert r.status_code in (200, 409)
    if r.status_code == 409:
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "checklist_incomplete"
    other = login("police04")
    foreign = client.get(f"/api/v1/rollout/schools/{school_id}", headers=other)
    assert foreign.status_code == 404
    assert (
        client.put(
            "/api/v1/rollout/phases",
            headers=police,
            json=[{"name": "x", "deadline": "2027-01-01", "target": 0.9, "items": ["alarm_networked"]}],
        ).status_code
        == 403
    )


@pytest.fixture
def small_city(db: Database) -> dict[str, str]:
    """2 districts x 4 schools with city and district logins (faster than the full demo seed)."""
    with db.session() as s:
        make_city(s, schools=8, districts=2)
        make_users(s, "Demo-2026-cg")
    return {u: "Demo-2026-cg" for u, _, _ in DEMO_USERS}
