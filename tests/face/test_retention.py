"""Retention of matched pass records: purged after the configured period, never when tied to an incident."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from campusguard.core.db import utcnow
from campusguard.core.models import AuditLog
from campusguard.face import privacy, runtime
from campusguard.face.models import Alert, Capture


def _capture(client, kg, photo, rel):  # type: ignore[no-untyped-def]
    r = client.post(f"/api/v1/gates/{kg['device']}/captures", files={"image": (rel, photo(rel), "image/jpeg")},
                    headers=kg["device_auth"])
    assert r.status_code == 200, r.text
    return r.json()["faces"][0]


def _age(db, capture_id: int, days: int) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        cap = s.get(Capture, capture_id)
        cap.captured_at = cap.last_seen_at = utcnow() - timedelta(days=days)


def _world(client, login, kg, photo):  # type: ignore[no-untyped-def]
    """A staff member on the school's roster (plain pass records) and a key person (incident)."""
    principal, police = login("principal"), login("police")
    roster = client.post("/api/v1/watchlists", json={"name": "教职工", "kind": "roster", "school_id": kg["school_id"]},
                         headers=principal).json()["id"]
    r = client.post(f"/api/v1/watchlists/{roster}/persons", headers=principal,
                    data={"name": "Kit", "category": "staff"},
                    files=[("photo", ("k.jpg", photo("kit_harington/1.jpg"), "image/jpeg"))])
    assert r.status_code == 201, r.text
    key = client.post("/api/v1/watchlists", json={"name": "k", "kind": "key_person"}, headers=police).json()["id"]
    r = client.post(f"/api/v1/watchlists/{key}/persons", headers=police,
                    data={"name": "B", "category": "wanted", "legal_basis": "协查通报"},
                    files=[("photo", ("o.jpg", photo("obama/1.jpg"), "image/jpeg"))])
    assert r.status_code == 201, r.text
    staff = _capture(client, kg, photo, "kit_harington/2.jpg")
    hit = _capture(client, kg, photo, "obama/2.jpg")
    assert staff["status"] == "matched" and not staff["incident_id"]
    assert hit["status"] == "matched" and hit["incident_id"]
    return staff, hit


def test_matched_pass_records_expire_after_the_configured_days(client, login, kg, photo, db, face_pool) -> None:
    assert runtime.face_settings().matched_retention_days == 180
    staff, hit = _world(client, login, kg, photo)
    _age(db, staff["capture_id"], 179)
    _age(db, hit["capture_id"], 400)
    with db.session() as s:
        assert privacy.purge(s)["matched_captures"] == 0  # 179 days: still within the default 180
    _age(db, staff["capture_id"], 181)
    with db.session() as s:
        counts = privacy.purge(s)
    assert counts["matched_captures"] == 1 and counts["captures"] == 0
    with db.session() as s:
        assert s.get(Capture, staff["capture_id"]) is None
        assert s.get(Capture, hit["capture_id"]) is not None  # tied to an incident: kept
        detail = s.scalars(select(AuditLog.detail).where(AuditLog.action == "face.purge")).one()
        assert detail["matched_captures"] == 1 and detail["matched_retention_days"] == 180


def test_capture_of_an_incident_alert_is_kept_even_without_its_flags(client, login, kg, photo, db, face_pool) -> None:
    _, hit = _world(client, login, kg, photo)
    with db.session() as s:  # only the alert still ties this capture to the incident
        cap = s.get(Capture, hit["capture_id"])
        cap.incident_id, cap.retain = None, False
        assert s.scalars(select(Alert.incident_id).where(Alert.capture_id == cap.id)).one() == hit["incident_id"]
    _age(db, hit["capture_id"], 400)
    with db.session() as s:
        assert privacy.purge(s, matched_retention_days=30)["matched_captures"] == 0
    with db.session() as s:
        assert s.get(Capture, hit["capture_id"]) is not None


def test_manual_purge_takes_a_shorter_matched_period(client, login, kg, photo, db, face_pool) -> None:
    staff, _ = _world(client, login, kg, photo)
    _age(db, staff["capture_id"], 40)
    admin = login("admin")
    r = client.post("/api/v1/face/purge", params={"matched_retention_days": 60}, headers=admin)
    assert r.status_code == 200 and r.json()["matched_captures"] == 0
    r = client.post("/api/v1/face/purge", params={"matched_retention_days": 30}, headers=admin)
    assert r.status_code == 200 and r.json()["matched_captures"] == 1
    bad = client.post("/api/v1/face/purge", params={"matched_retention_days": 0}, headers=admin)
    assert bad.status_code == 422
    assert client.post("/api/v1/face/purge", headers=login("police")).status_code == 403
    rows = client.get("/api/v1/face/captures", params={"status": "matched"}, headers=login("operator")).json()
    assert staff["capture_id"] not in [c["id"] for c in rows["items"]]
