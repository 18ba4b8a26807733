"""HTTP device intake: 202 after commit, dedup, refusals audited as security events; the online rate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from campusguard.alarm.models import Incident
from campusguard.core.db import Database
from campusguard.core.models import AuditLog
from campusguard.device.models import Device


def _device(db: Database, protocol: str = "mqtt") -> tuple[str, int]:
    with db.session() as s:
        device = s.scalars(select(Device).where(Device.type == "alarm_button", Device.protocol == protocol)
                           .order_by(Device.id)).first()
        assert device is not None
        return device.code, device.school_id


def _event(kind: str = "panic", seq: int = 1, ts: datetime | None = None) -> dict[str, object]:
    return {"type": kind, "seq": seq, "ts": (ts or datetime.now(UTC)).isoformat(), "battery": 88}


def _refusals(db: Database) -> list[dict[str, object]]:
    with db.session() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action == "security.device_refused")).all()
        return [dict(r.detail, target=r.target_id) for r in rows]


def test_device_event_over_http(client: TestClient, seeded: dict[str, str], db: Database,
                                login: Callable[..., dict[str, str]]) -> None:
    code, school_id = _device(db)
    other, _ = _device(db, "dc09")
    admin = login("admin")
    token = client.post(f"/api/v1/devices/{code}/token", headers=admin).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}

    started = datetime.now(UTC)
    r = client.post(f"/api/v1/devices/{code}/events", json=_event("panic", 7), headers=auth)
    assert r.status_code == 202, r.text
    incident_id = r.json()["incident_id"]
    assert incident_id and r.json()["duplicate"] is False
    with db.session() as s:  # committed before the 202 left
        incident = s.get(Incident, incident_id)
        assert incident is not None and incident.school_id == school_id and incident.type == "panic"

    again = client.post(f"/api/v1/devices/{code}/events", json=_event("panic", 7), headers=auth)
    assert again.status_code == 202 and again.json() == {**r.json(), "duplicate": True}
    beat = client.post(f"/api/v1/devices/{code}/events", json=_event("heartbeat", 8), headers=auth)
    assert beat.status_code == 202 and beat.json()["incident_id"] is None

    refused = {
        "bad_token": client.post(f"/api/v1/devices/{code}/events", json=_event(),
                                 headers={"Authorization": "Bearer cgd_forged"}),
        "user_token": client.post(f"/api/v1/devices/{code}/events", json=_event(), headers=admin),
        "other_device": client.post(f"/api/v1/devices/{other}/events", json=_event(), headers=auth),
        "stale": client.post(f"/api/v1/devices/{code}/events", headers=auth,
                             json=_event(ts=datetime.now(UTC) - timedelta(days=2))),
        "future": client.post(f"/api/v1/devices/{code}/events", headers=auth,
                              json=_event(ts=datetime.now(UTC) + timedelta(hours=1))),
        "schema": client.post(f"/api/v1/devices/{code}/events", json={"type": "party"}, headers=auth),
        "not_json": client.post(f"/api/v1/devices/{code}/events", content=b"\x00garbage", headers=auth),
    }
    statuses = {name: resp.status_code for name, resp in refused.items()}
    assert statuses == {"bad_token": 401, "user_token": 403, "other_device": 403, "stale": 422,
                        "future": 422, "schema": 422, "not_json": 422}
    for resp in refused.values():
        assert resp.headers["content-type"].startswith("application/problem+json")
    reasons = {str(r["reason"]) for r in _refusals(db)}
    assert reasons >= {"token_invalid", "not_a_device_token", "token_device_mismatch", "stale_timestamp",
                       "future_timestamp", "schema"}
    with db.session() as s:
        # refusals never raise incidents: the device has exactly the one from seq 7
        assert s.scalar(select(func.count()).select_from(Incident).where(
            Incident.source == "http", Incident.raised_at >= started)) == 1
    _check_online_rate(client, db, admin, login("principal"))


def _check_online_rate(client: TestClient, db: Database, admin: dict[str, str],
                       principal: dict[str, str]) -> None:
    """Online rate per school and district, within the caller's scope."""
    city = client.get("/api/v1/devices/online-rate", params={"type": "alarm_button"}, headers=admin)
    assert city.status_code == 200, city.text
    body = city.json()
    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(Device).where(Device.type == "alarm_button")) or 0
        online = s.scalar(select(func.count()).select_from(Device).where(
            Device.type == "alarm_button", Device.online.is_(True))) or 0
    assert (body["devices"], body["online"]) == (total, online)
    assert body["rate"] == round(online / total, 4) and len(body["districts"]) == 2
    district = body["districts"][0]["district_code"]
    one = client.get("/api/v1/devices/online-rate", params={"district_code": district}, headers=admin)
    assert {i["district_code"] for i in one.json()["items"]} == {district}
    school = client.get("/api/v1/devices/online-rate", headers=principal).json()
    assert school["total"] == 1  # a school officer sees only the school
    outside = body["items"][-1]["school_id"]
    denied = client.get("/api/v1/devices/online-rate", params={"school_id": outside}, headers=principal)
    assert denied.status_code == 404
    assert client.get("/api/v1/devices/online-rate").status_code == 401
