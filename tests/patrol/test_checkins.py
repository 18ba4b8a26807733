"""Check-ins: genuine scans accepted once; forged, replayed, far or mistimed scans refused AND recorded."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.patrol.conftest import Campus, jpeg

from campusguard.core.db import Database, utcnow
from campusguard.core.models import AuditLog
from campusguard.patrol import qrtoken


def _scan(client: TestClient, campus: Campus, token: str, lat: float, lon: float, **extra: object):  # type: ignore[no-untyped-def]
    body = {"token": token, "lat": lat, "lon": lon, "client_id": uuid.uuid4().hex, **extra}
    return client.post("/api/v1/patrol/checkins", headers=campus.guard, json=body)


def _anomalies(client: TestClient, campus: Campus) -> list[dict]:  # type: ignore[type-arg]
    r = client.get("/api/v1/patrol/anomalies", headers=campus.principal)
    assert r.status_code == 200
    return r.json()["items"]


def _genuine_checkin_is_idempotent(client: TestClient, campus: Campus) -> None:
    body = {"token": campus.tokens[0], "lat": campus.lat, "lon": campus.lon + 0.0001, "accuracy_m": 8,
            "client_id": "offline-queue-0001"}
    first = client.post("/api/v1/patrol/checkins", headers=campus.guard, json=body)
    assert first.status_code == 201, first.text
    assert first.json()["on_time"] is True and first.json()["shift_id"] == campus.shift_id
    assert 5 < first.json()["distance_m"] < 15
    again = client.post("/api/v1/patrol/checkins", headers=campus.guard, json=body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["duplicate"]
    listed = client.get("/api/v1/patrol/checkins", headers=campus.principal).json()
    assert listed["total"] == 1
    duty = client.get("/api/v1/patrol/duty", headers=campus.guard).json()
    assert [s["status"] for s in duty["stops"]] == ["done", "pending", "pending"]
    assert _anomalies(client, campus) == []


def _forged_token_refused_and_recorded(client: TestClient, campus: Campus) -> None:
    cp = campus.checkpoints[0]
    forged = qrtoken.issue("someone-elses-secret", checkpoint_id=cp["id"], version=1,
                           expires_at=utcnow() + timedelta(days=1))
    r = _scan(client, campus, forged, campus.lat, campus.lon)
    assert r.status_code == 403 and r.json()["code"] == "forged_token"
    assert r.headers["content-type"].startswith("application/problem+json")
    kinds = [(a["kind"], a["checkpoint_id"], a["school_id"]) for a in _anomalies(client, campus)]
    assert kinds == [("forged_token", cp["id"], campus.school_id)]
    r = _scan(client, campus, "photo-of-something-else", campus.lat, campus.lon)
    assert r.status_code == 422 and r.json()["code"] == "malformed_token"
    assert {a["kind"] for a in _anomalies(client, campus)} == {"forged_token", "malformed_token"}


def _rotated_code_is_a_replay(client: TestClient, campus: Campus) -> None:
    cp = campus.checkpoints[1]
    r = client.post(f"/api/v1/patrol/checkpoints/{cp['id']}/rotate", headers=campus.principal, json={})
    assert r.status_code == 200 and r.json()["qr_version"] == 2
    old = _scan(client, campus, campus.tokens[1], cp["lat"], cp["lon"])
    assert old.status_code == 410 and old.json()["code"] == "replayed_token"
    new_token = client.get(f"/api/v1/patrol/checkpoints/{cp['id']}/token", headers=campus.principal).json()
    assert _scan(client, campus, new_token["token"], cp["lat"], cp["lon"]).status_code == 201
    assert "replayed_token" in [a["kind"] for a in _anomalies(client, campus)]


def _far_away_and_clock_skew_refused(client: TestClient, campus: Campus) -> None:
    far = _scan(client, campus, campus.tokens[0], campus.lat + 0.01, campus.lon)  # ~1.1 km north
    assert far.status_code == 422 and far.json()["code"] == "too_far"
    # a generous GPS accuracy cannot stretch the radius by more than 100 m
    wide = _scan(client, campus, campus.tokens[0], campus.lat + 0.002, campus.lon, accuracy_m=5000)
    assert wide.status_code == 422
    future = _scan(client, campus, campus.tokens[0], campus.lat, campus.lon,
                   scanned_at=(utcnow() + timedelta(minutes=30)).isoformat())
    assert future.status_code == 422 and future.json()["code"] == "clock_skew"
    anomalies = [a for a in _anomalies(client, campus) if a["kind"] in ("clock_skew", "far_away")]
    assert sorted(a["kind"] for a in anomalies) == ["clock_skew", "far_away", "far_away"]
    far_row = next(a for a in anomalies if a["kind"] == "far_away" and a["detail"]["distance_m"] > 1000)
    assert far_row["guard_user_id"] == campus.guard_id
    assert client.get("/api/v1/patrol/checkins", headers=campus.principal).json()["total"] == 0


def _offline_scan_keeps_its_time(client: TestClient, campus: Campus) -> None:
    # queued offline two minutes into the shift, sent now: the scan keeps its own time
    on_time = _scan(client, campus, campus.tokens[0], campus.lat, campus.lon,
                    scanned_at=(campus.shift_start + timedelta(minutes=2)).isoformat())
    assert on_time.status_code == 201 and on_time.json()["on_time"]
    expected = (campus.shift_start + timedelta(minutes=2)).isoformat()[:16]
    assert on_time.json()["scanned_at"].startswith(expected)


def _photo_and_bad_photos(client: TestClient, campus: Campus, db: Database) -> None:
    ok = client.post("/api/v1/patrol/photos", headers=campus.guard,
                     files={"file": ("p.jpg", jpeg(), "image/jpeg")})
    assert ok.status_code == 201, ok.text
    assert ok.json()["content_type"] == "image/jpeg" and ok.json()["width"] == 64
    r = _scan(client, campus, campus.tokens[0], campus.lat, campus.lon, photo_id=ok.json()["id"])
    assert r.status_code == 201 and r.json()["photo_id"] == ok.json()["id"]
    img = client.get(f"/api/v1/patrol/photos/{ok.json()['id']}", headers=campus.principal)
    assert img.status_code == 200 and img.content[:2] == b"\xff\xd8"
    fake = client.post("/api/v1/patrol/photos", headers=campus.guard,
                       files={"file": ("p.jpg", b"<html>not an image</html>", "image/jpeg")})
    assert fake.status_code == 415 and fake.json()["code"] == "not_an_image"
    big = client.post("/api/v1/patrol/photos", headers=campus.guard,
                      files={"file": ("p.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10), "image/jpeg")})
    assert big.status_code == 413
    with db.session() as s:
        refused = s.scalars(select(AuditLog.detail).where(AuditLog.action == "patrol.photo.refused")).all()
    assert sorted(d["code"] for d in refused) == ["not_an_image", "photo_too_large"]


def _permissions_and_scope(client: TestClient, campus: Campus, login) -> None:  # type: ignore[no-untyped-def]
    parent = login("parent")
    assert client.post("/api/v1/patrol/checkins", headers=parent, json={}).status_code == 403
    police04 = login("police04")  # another district: cannot see this school's checkpoints
    r = client.get("/api/v1/patrol/checkpoints", headers=police04)
    assert r.status_code == 200 and r.json()["total"] == 0
    r = client.post("/api/v1/patrol/checkpoints", headers=campus.guard, json={
        "school_id": campus.school_id, "name": "x", "lat": 22.5, "lon": 114.0})
    assert r.status_code == 403
    r = client.post("/api/v1/patrol/checkins", headers=campus.guard, json={"token": "x", "lat": 1, "lon": 1,
                                                                          "client_id": "bad id with spaces"})
    assert r.status_code == 422


def _qr_sheet_pdf(client: TestClient, campus: Campus, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess

    r = client.get(f"/api/v1/patrol/schools/{campus.school_id}/qr-sheet.pdf", headers=campus.principal)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        pdf = tmp_path / "sheet.pdf"
        pdf.write_bytes(r.content)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "巡逻点二维码" in text and "正门" in text
        assert campus.tokens[0] in text.replace("\n", "")
    assert client.get(f"/api/v1/patrol/schools/{campus.school_id}/qr-sheet.pdf",
                      headers=campus.guard).status_code == 403


def test_scan_rules(client: TestClient, campus: Campus) -> None:
    """One campus, every rule in turn (each DB test costs a seeded city on two backends)."""
    _forged_token_refused_and_recorded(client, campus)
    _far_away_and_clock_skew_refused(client, campus)
    _rotated_code_is_a_replay(client, campus)
    kinds = sorted(a["kind"] for a in _anomalies(client, campus))
    assert kinds == ["clock_skew", "far_away", "far_away", "forged_token", "malformed_token",
                     "replayed_token"]


def test_genuine_scans_photos_sheet_and_scope(  # type: ignore[no-untyped-def]
        client: TestClient, campus: Campus, login, tmp_path, db: Database) -> None:
    _genuine_checkin_is_idempotent(client, campus)
    _offline_scan_keeps_its_time(client, campus)
    _photo_and_bad_photos(client, campus, db)
    _qr_sheet_pdf(client, campus, tmp_path)
    _permissions_and_scope(client, campus, login)


def test_typed_short_code_checks_in(client: TestClient, campus: Campus, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without a camera that reads QR codes the guard types the short code printed under it."""
    import shutil
    import subprocess

    cp = campus.checkpoints[0]
    issued = client.get(f"/api/v1/patrol/checkpoints/{cp['id']}/token", headers=campus.principal).json()
    short = issued["short_code"]
    assert short.startswith(f"{cp['id']}-") and len(short.split("-")[1]) == 6
    # a wrong code of the right shape is a forged code of that checkpoint, recorded
    digits = short.split("-")[1]
    wrong = f"{cp['id']}-{(int(digits) + 1) % 1_000_000:06d}"
    r = _scan(client, campus, wrong, campus.lat, campus.lon)
    assert r.status_code == 403 and r.json()["code"] == "forged_token"
    # typed with stray spaces and a full-width dash, as phones do
    typed = f" {cp['id']} － {digits[:3]} {digits[3:]} "
    r = _scan(client, campus, typed, campus.lat, campus.lon + 0.0001, accuracy_m=8)
    assert r.status_code == 201, r.text
    assert r.json()["checkpoint_id"] == cp["id"] and r.json()["on_time"] is True
    assert [a["kind"] for a in _anomalies(client, campus)] == ["forged_token"]
    # a new print run (rotation) retires the old short code
    client.post(f"/api/v1/patrol/checkpoints/{cp['id']}/rotate", headers=campus.principal, json={})
    r = _scan(client, campus, short, campus.lat, campus.lon)
    assert r.status_code == 403
    # guessing is capped: after five wrong codes in 15 minutes even a right one must wait (the QR still works)
    for n in range(3):
        assert _scan(client, campus, f"{cp['id']}-{n:06d}", campus.lat, campus.lon).status_code == 403
    fresh_short = client.get(f"/api/v1/patrol/checkpoints/{cp['id']}/token", headers=campus.principal).json()
    r = _scan(client, campus, fresh_short["short_code"], campus.lat, campus.lon)
    assert r.status_code == 429 and r.json()["code"] == "too_many_wrong_codes"
    r = _scan(client, campus, fresh_short["token"], campus.lat, campus.lon + 0.0001, accuracy_m=8)
    assert r.status_code in (200, 201), r.text
    if shutil.which("pdftotext"):
        r = client.get(f"/api/v1/patrol/schools/{campus.school_id}/qr-sheet.pdf", headers=campus.principal)
        pdf = tmp_path / "sheet.pdf"
        pdf.write_bytes(r.content)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        fresh = client.get(f"/api/v1/patrol/checkpoints/{cp['id']}/token", headers=campus.principal).json()
        assert fresh["short_code"] != short and fresh["short_code"] in text
