"""Device registry: scoped CRUD, credentials encrypted at rest, device tokens stored hashed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from campusguard.core.db import Database


def test_device_crud_and_encrypted_secret(client: TestClient, seeded, login, db: Database) -> None:
    h = login("principal")
    r = client.post("/api/v1/devices", headers=h, json={
        "code": "440303001-CAM99", "name": "新摄像机", "type": "camera", "school_code": "440303001",
        "protocol": "rtsp", "secret": "admin:Hik12345"})
    assert r.status_code == 201, r.text
    assert r.json()["has_secret"] is True and "secret" not in r.json()
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT secret FROM devices WHERE code='440303001-CAM99'")).scalar()
    assert stored and "Hik12345" not in stored
    assert client.post("/api/v1/devices", headers=h, json={
        "code": "440303001-CAM99", "name": "dup", "type": "camera", "school_code": "440303001"}).status_code == 409
    r = client.get("/api/v1/devices?type=alarm_button", headers=h)
    assert r.status_code == 200 and all(d["type"] == "alarm_button" for d in r.json()["items"])
    assert client.post("/api/v1/devices", headers=h, json={
        "code": "x-1", "name": "x", "type": "camera", "school_code": "440303002"}).status_code == 404


def test_device_token_shown_once_and_hashed(client: TestClient, seeded, login, db: Database) -> None:
    h = login("principal")
    r = client.post("/api/v1/devices/440303001-AB01/token", headers=h)
    assert r.status_code == 201
    token = r.json()["token"]
    with db.engine.connect() as conn:
        hashes = [row[0] for row in conn.execute(text("SELECT token_hash FROM api_tokens"))]
    assert token not in hashes and len(hashes) == 1
    dev = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=dev).status_code == 403
    assert client.get("/api/v1/schools", headers=dev).status_code == 403
    again = client.post("/api/v1/devices/440303001-AB01/token", headers=h).json()["token"]
    assert client.get("/api/v1/me", headers=dev).json()["code"] == "token_invalid"  # old one revoked
    assert again != token
