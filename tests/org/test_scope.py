"""Scope: a district sees only its schools; parents and guards cannot reach admin routes."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _schools(client: TestClient, headers: dict[str, str]) -> list[dict]:
    r = client.get("/api/v1/schools?limit=100", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_district_cannot_read_list_or_change_other_district(client: TestClient, seeded, login) -> None:
    own = login("police")  # 440303
    other = login("police04")  # 440304
    mine = _schools(client, own)
    theirs = _schools(client, other)
    assert mine and theirs
    assert {s["district_code"] for s in mine} == {"440303"}
    assert {s["district_code"] for s in theirs} == {"440304"}
    target = theirs[0]["id"]
    assert client.get(f"/api/v1/schools/{target}", headers=own).status_code == 404
    r = client.patch(f"/api/v1/schools/{target}", json={"name": "hijacked"}, headers=own)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/schools/{target}/areas", headers=own).status_code == 404
    devices = client.get(f"/api/v1/devices?school_id={target}", headers=own).json()
    assert devices["total"] == 0
    people = client.get(f"/api/v1/people?school_id={target}", headers=own).json()
    assert people["total"] == 0
    r = client.post("/api/v1/schools", headers=own, json={
        "code": "X1", "name": "越权学校", "type": "primary", "district_code": "440304"})
    assert r.status_code == 403
    assert client.get(f"/api/v1/schools/{target}", headers=login("admin")).status_code == 200


def test_school_roles_see_only_their_school(client: TestClient, seeded, login) -> None:
    principal = login("principal")
    schools = _schools(client, principal)
    assert [s["code"] for s in schools] == ["440303001"]
    devices = client.get("/api/v1/devices?limit=500", headers=principal).json()["items"]
    assert devices and {d["school_code"] for d in devices} == {"440303001"}


def test_parent_and_guard_cannot_reach_admin_routes(client: TestClient, seeded, login) -> None:
    for user in ("parent", "guard"):
        headers = login(user)
        assert client.get("/api/v1/users", headers=headers).status_code == 403
        assert client.get("/api/v1/audit", headers=headers).status_code == 403
        assert client.post("/api/v1/devices/440303001-AB01/token", headers=headers).status_code == 403
        r = client.post("/api/v1/schools", headers=headers, json={
            "code": "X2", "name": "x", "type": "primary", "district_code": "440303"})
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden"
    assert client.get("/api/v1/schools", headers=login("parent")).status_code == 403


def test_audit_is_scoped(client: TestClient, seeded, login) -> None:
    admin = login("admin")
    r = client.post("/api/v1/schools", headers=admin, json={
        "code": "440304999", "name": "福田区新学校", "type": "middle", "district_code": "440304"})
    assert r.status_code == 201
    rows = client.get("/api/v1/audit?action=school.create", headers=login("police")).json()
    assert rows["total"] == 0
    rows = client.get("/api/v1/audit?action=school.create", headers=login("police04")).json()
    assert rows["total"] == 1 and rows["items"][0]["actor"] == "admin"
