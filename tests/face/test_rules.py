"""Configurable gate rules on real captures: stranger after hours at a kindergarten, student leaving."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from campusguard.core.db import utcnow

TZ = ZoneInfo("Asia/Shanghai")


def _recent_local(hour: int, minute: int = 0, weekday_ok: bool = False) -> datetime:
    """The latest past moment (within a day) at this local wall-clock time, as UTC."""
    now = utcnow().astimezone(TZ)
    at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if at > now:
        at -= timedelta(days=1)
    return at


def _capture(client, kg, photo, rel, at, direction="in"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/gates/{kg['device']}/captures", headers=kg["device_auth"],
                       data={"captured_at": at.isoformat(), "direction": direction},
                       files={"image": (rel, photo(rel), "image/jpeg")})


def test_stranger_after_hours_at_kindergarten(client, login, kg, photo, face_pool) -> None:
    r = _capture(client, kg, photo, "lin_manuel_miranda/1.jpg", _recent_local(22, 30))
    assert r.status_code == 200, r.text
    face = r.json()["faces"][0]
    assert face["status"] == "unknown" and len(face["alert_ids"]) == 1
    alerts = client.get("/api/v1/face/alerts", params={"kind": "stranger_after_hours"},
                        headers=login("operator")).json()
    assert alerts["total"] == 1 and alerts["items"][0]["detail"]["local_time"] == "22:30"


def test_rule_can_be_disabled_per_school(client, login, kg, photo, face_pool) -> None:
    r = client.put("/api/v1/face/rules", json={"kind": "stranger_after_hours", "school_id": kg["school_id"],
                                               "enabled": False}, headers=login("principal"))
    assert r.status_code == 200, r.text
    face = _capture(client, kg, photo, "lin_manuel_miranda/1.jpg", _recent_local(22, 30)).json()["faces"][0]
    assert face["alert_ids"] == []
    bad = client.put("/api/v1/face/rules", json={"kind": "stranger_after_hours", "school_id": kg["school_id"],
                                                 "params": {"open": "7h"}}, headers=login("principal"))
    assert bad.status_code == 400 and bad.json()["code"] == "bad_time"
    bad = client.put("/api/v1/face/rules", json={"kind": "unknown_adult_pickup", "school_id": kg["school_id"],
                                                 "params": {"windows": [1]}}, headers=login("principal"))
    assert bad.status_code == 400 and bad.json()["code"] == "bad_params"
    naive = client.get("/api/v1/face/captures", params={"since": "2026-11-23T08:00:00"}, headers=login("operator"))
    assert naive.status_code == 400 and naive.json()["code"] == "naive_datetime"
    assert client.put("/api/v1/face/rules", json={"kind": "stranger_after_hours", "enabled": False},
                      headers=login("principal")).status_code == 403


def test_roster_student_leaving_in_class_hours(client, login, kg, photo, face_pool) -> None:
    principal = login("principal")
    wid = client.post("/api/v1/watchlists", json={"name": "学生", "kind": "roster", "school_id": kg["school_id"]},
                      headers=principal).json()["id"]
    r = client.post(f"/api/v1/watchlists/{wid}/persons", headers=principal,
                    data={"name": "Kit", "category": "student", "minor": "true", "guardian_consent": "true"},
                    files=[("photo", ("k.jpg", photo("kit_harington/1.jpg"), "image/jpeg"))])
    assert r.status_code == 201, r.text
    at = _recent_local(9, 30)
    while at.astimezone(TZ).weekday() >= 5:  # class hours are on weekdays
        at -= timedelta(days=1)
    if (utcnow() - at).total_seconds() > 86000:  # captures must be within a day: skip the weekend case
        return
    face = _capture(client, kg, photo, "kit_harington/2.jpg", at, direction="out").json()["faces"][0]
    assert face["status"] == "matched" and face["watchlist_kind"] == "roster"
    alerts = client.get("/api/v1/face/alerts", params={"kind": "student_leaving_class_hours"},
                        headers=principal).json()
    assert alerts["total"] == 1


def test_stats_counts_faces(client, login, kg, photo, face_pool) -> None:
    police = login("police")
    wid = client.post("/api/v1/watchlists", json={"name": "k", "kind": "key_person"}, headers=police).json()["id"]
    client.post(f"/api/v1/watchlists/{wid}/persons", headers=police,
                data={"name": "B", "category": "other", "legal_basis": "x"},
                files=[("photo", ("o.jpg", photo("obama/1.jpg"), "image/jpeg")),
                       ("photo", ("o2.jpg", photo("obama/2.jpg"), "image/jpeg"))])
    s = client.get("/api/v1/face/stats", headers=police).json()
    assert s["templates"] == 2 and s["warning_threshold"] == 100_000 and s["warning"] is None
    assert client.get("/api/v1/face/stats", headers=login("principal")).status_code == 403
