"""Login, TOTP, refresh, rate limiting, and who may create whom."""

from __future__ import annotations

import pyotp
from fastapi.testclient import TestClient

from campusguard.config import Settings


def test_login_me_and_refresh(client: TestClient, seeded, login) -> None:
    r = client.post("/api/v1/auth/token", data={"username": "police", "password": "Demo-2026-cg"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] <= 900
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert me["role"] == "district_police" and me["region_code"] == "440303"
    assert "org.read" in me["permissions"] and "integrator.admin" not in me["permissions"]
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert r.status_code == 200 and r.json()["access_token"]
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": body["access_token"]})
    assert r.status_code == 401


def test_bad_password_and_rate_limit(client: TestClient, seeded) -> None:
    for _ in range(5):
        r = client.post("/api/v1/auth/token", data={"username": "edu", "password": "wrong-password"})
        assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
    r = client.post("/api/v1/auth/token", data={"username": "edu", "password": "Demo-2026-cg"})
    assert r.status_code == 429 and "retry-after" in r.headers


def test_totp_enrol_and_required(client: TestClient, seeded, login, app) -> None:
    h = login("police")
    setup = client.post("/api/v1/me/totp", headers=h).json()
    totp = pyotp.TOTP(setup["secret"])
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and setup["secret"] in setup["otpauth_uri"]
    assert setup["qr_svg"].startswith("data:image/svg+xml") and "path" in setup["qr_svg"]  # scannable enrolment
    assert client.post("/api/v1/me/totp/confirm", headers=h, json={"code": "000000"}).status_code in (400, 204)
    assert client.post("/api/v1/me/totp/confirm", headers=h, json={"code": totp.now()}).status_code == 204
    r = client.post("/api/v1/auth/token", data={"username": "police", "password": "Demo-2026-cg"})
    assert r.status_code == 401 and r.json()["code"] == "mfa_required"
    r = client.post("/api/v1/auth/token", data={"username": "police", "password": "Demo-2026-cg", "otp": "123456"})
    assert r.status_code == 401
    assert login("police", otp=totp.now())


def test_mfa_mandatory_for_role(client: TestClient, seeded, app) -> None:
    settings: Settings = app.state.settings
    settings.mfa_required_roles = ["district_police"]
    r = client.post("/api/v1/auth/token", data={"username": "police04", "password": "Demo-2026-cg"})
    assert r.status_code == 403 and r.json()["code"] == "mfa_enrollment_required"
    r = client.post("/api/v1/auth/token", data={"username": "principal", "password": "Demo-2026-cg"})
    assert r.status_code == 200


def test_user_creation_reach(client: TestClient, seeded, login) -> None:
    principal = login("principal")
    ok = client.post("/api/v1/users", headers=principal, json={
        "username": "guard2", "display_name": "新保安", "password": "Guard-pass-123", "role": "guard",
        "school_codes": ["440303001"]})
    assert ok.status_code == 201, ok.text
    r = client.post("/api/v1/users", headers=principal, json={
        "username": "guard3", "display_name": "越权", "password": "Guard-pass-123", "role": "guard",
        "school_codes": ["440303002"]})
    assert r.status_code == 403
    r = client.post("/api/v1/users", headers=principal, json={
        "username": "boss", "display_name": "x", "password": "Guard-pass-123", "role": "city_admin",
        "region_code": "440300"})
    assert r.status_code == 403
    r = client.post("/api/v1/users", headers=login("police"), json={
        "username": "p2", "display_name": "x", "password": "short", "role": "guard", "school_codes": ["440303001"]})
    assert r.status_code == 422
    users = client.get("/api/v1/users", headers=principal).json()
    assert {u["username"] for u in users["items"]} >= {"guard2", "principal", "operator"}
    assert "police" not in {u["username"] for u in users["items"]}
