"""The periodic anomaly job, online roll call (on time, late, missing) and the staffing check."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tests.patrol.conftest import KG, Campus, jpeg

from campusguard.core.db import Database, utcnow
from campusguard.core.models import Job, OutboxEvent
from campusguard.org.models import School
from campusguard.patrol.compliance import required_guards
from campusguard.patrol.models import Anomaly, RollCall, Shift


def _kinds(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(s.scalars(select(Anomaly.kind)).all())


def test_anomaly_job_finds_missed_stops_and_post_left(client: TestClient, app: FastAPI, campus: Campus,
                                                      db: Database, login) -> None:  # type: ignore[no-untyped-def]
    runner = app.state.runner
    assert "patrol.anomaly_scan" in runner.periodic
    ok = client.post("/api/v1/patrol/checkins", headers=campus.guard, json={
        "token": campus.tokens[0], "lat": campus.lat, "lon": campus.lon, "client_id": uuid.uuid4().hex})
    assert ok.status_code == 201
    runner.run_periodic_once(force=True)
    assert _kinds(db) == []  # five minutes in, first stop done: nothing wrong yet
    # the shift actually began 65 minutes ago: stop 2 (due +40) is missed, the guard silent for > 30 min
    with db.session() as s:
        s.execute(update(Shift).where(Shift.id == campus.shift_id).values(
            starts_at=utcnow() - timedelta(minutes=65), last_seen_at=utcnow() - timedelta(minutes=45)))
    runner.run_periodic_once(force=True)
    runner.run_periodic_once(force=True)  # idempotent: nothing twice
    assert _kinds(db) == ["missed_checkpoint", "post_left"]
    # a position far from the school is a post left too
    r = client.post("/api/v1/patrol/locations", headers=campus.guard,
                    json={"lat": campus.lat + 0.05, "lon": campus.lon})
    assert r.status_code == 200, r.text
    runner.run_periodic_once(force=True)
    assert _kinds(db) == ["missed_checkpoint", "post_left", "post_left"]
    with db.session() as s:
        events = s.scalars(select(OutboxEvent.payload).where(OutboxEvent.type == "patrol.anomaly")).all()
    assert {e["kind"] for e in events} == {"missed_checkpoint", "post_left"}
    assert all(e["school_id"] == campus.school_id and e["district_code"] == "440303" for e in events)
    # the liaison officer of the school sees them; another district's police does not
    liaison = client.get("/api/v1/patrol/anomalies", headers=login("liaison")).json()
    assert liaison["total"] == 3
    assert client.get("/api/v1/patrol/anomalies", headers=login("police04")).json()["total"] == 0
    first = liaison["items"][0]["id"]
    acked = client.post(f"/api/v1/patrol/anomalies/{first}/ack", headers=login("liaison"))
    assert acked.status_code == 200 and acked.json()["acknowledged_at"]
    assert client.post(f"/api/v1/patrol/anomalies/{first}/ack", headers=campus.guard).status_code == 403
    duty = client.get("/api/v1/patrol/duty", headers=campus.guard).json()
    assert [s["status"] for s in duty["stops"]] == ["done", "missed", "pending"]


def _answer(client: TestClient, campus: Campus, rc_id: int, photo: bytes | None = None):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/rollcalls/{rc_id}/answer", headers=campus.guard,
                       files={"photo": ("live.jpg", photo or jpeg(), "image/jpeg")},
                       data={"lat": str(campus.lat), "lon": str(campus.lon)})


def _expire(db: Database, rc_id: int, *, close_job_due: bool) -> None:
    """Move the deadline into the past (and, when asked, the closing job with it)."""
    past = utcnow() - timedelta(seconds=1)
    with db.session() as s:
        s.execute(update(RollCall).where(RollCall.id == rc_id).values(deadline_at=past))
        if close_job_due:
            s.execute(update(Job).where(Job.key == f"rollcall-close:{rc_id}").values(run_at=past))


def test_rollcall_on_time_late_missing(client: TestClient, app: FastAPI, campus: Campus, db: Database,
                                       login) -> None:  # type: ignore[no-untyped-def]
    liaison, police, admin = login("liaison"), login("police"), login("admin")
    assert client.post("/api/v1/rollcalls", headers=campus.guard, json={"all": True}).status_code == 403
    assert client.post("/api/v1/rollcalls", headers=campus.principal, json={"all": True}).status_code == 403
    bad = client.post("/api/v1/rollcalls", headers=liaison, json={"all": True, "district_code": "440303"})
    assert bad.status_code == 422
    assert client.post("/api/v1/rollcalls", headers=liaison,
                       json={"school_codes": ["440304001"]}).status_code == 404  # not the officer's school

    # 1. on time
    r = client.post("/api/v1/rollcalls", headers=liaison, json={"school_codes": [KG], "answer_within_s": 120})
    assert r.status_code == 201, r.text
    rc1 = r.json()
    assert rc1["totals"] == {"answered": 0, "late": 0, "missing": 0, "pending": 1}
    pending = client.get("/api/v1/rollcalls/pending", headers=campus.guard).json()["items"]
    assert [p["rollcall_id"] for p in pending] == [rc1["id"]]
    assert _answer(client, campus, rc1["id"], b"GIF89a not really").status_code == 415
    ans = _answer(client, campus, rc1["id"])
    assert ans.status_code == 200 and ans.json()["status"] == "answered", ans.text
    assert _answer(client, campus, rc1["id"]).status_code == 409
    table = client.get(f"/api/v1/rollcalls/{rc1['id']}", headers=liaison).json()
    assert table["totals"]["answered"] == 1 and table["guards"][0]["photo_id"]
    assert table["schools"][0]["school_code"] == KG and table["schools"][0]["answered"] == 1

    # 2. late: the answer is refused and kept as late
    rc2 = client.post("/api/v1/rollcalls", headers=police, json={"district_code": "440303"}).json()
    assert len(rc2["schools"]) == 4 and rc2["totals"]["pending"] == 1
    _expire(db, rc2["id"], close_job_due=False)
    late = _answer(client, campus, rc2["id"])
    assert late.status_code == 409 and late.json()["code"] == "rollcall_late"
    table = client.get(f"/api/v1/rollcalls/{rc2['id']}", headers=police).json()
    assert table["totals"] == {"answered": 0, "late": 1, "missing": 0, "pending": 0}
    assert sum(s["on_duty"] == 0 for s in table["schools"]) == 3  # schools with nobody on duty show up

    # 3. missing: nobody answers, the deadline job closes it
    rc3 = client.post("/api/v1/rollcalls", headers=admin, json={"all": True, "answer_within_s": 30}).json()
    _expire(db, rc3["id"], close_job_due=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        app.state.runner.run_due_once()
        with db.session() as s:
            if s.get(RollCall, rc3["id"]).closed_at is not None:  # type: ignore[union-attr]
                break
        time.sleep(0.1)
    table = client.get(f"/api/v1/rollcalls/{rc3['id']}", headers=admin).json()
    assert table["closed"] and table["totals"]["missing"] == 1
    assert _kinds(db) == ["rollcall_late", "rollcall_missing"]
    listed = client.get("/api/v1/rollcalls", headers=liaison).json()
    assert {r["id"] for r in listed["items"]} == {rc1["id"], rc2["id"], rc3["id"]}
    assert client.get(f"/api/v1/rollcalls/{rc1['id']}", headers=login("police04")).status_code == 404


def test_staffing_compliance(client: TestClient, campus: Campus, db: Database, login) -> None:  # type: ignore[no-untyped-def]
    police = login("police")
    made = client.post("/api/v1/users", headers=campus.principal, json={
        "username": "gate-guard", "display_name": "门卫", "password": "Gate-guard-2026", "role": "guard",
        "school_codes": [KG]})
    assert made.status_code == 201, made.text
    now = utcnow()
    for start, end in ((now - timedelta(hours=25), now - timedelta(hours=12)),
                       (now - timedelta(hours=12), now + timedelta(minutes=5))):
        r = client.post("/api/v1/patrol/shifts", headers=campus.principal, json={
            "school_id": campus.school_id, "guard_user_id": made.json()["id"], "post": "gatehouse",
            "starts_at": start.isoformat(), "ends_at": end.isoformat()})
        assert r.status_code == 201, r.text
    for _ in range(5):
        ok = client.post("/api/v1/patrol/checkins", headers=campus.guard, json={
            "token": campus.tokens[0], "lat": campus.lat, "lon": campus.lon, "client_id": uuid.uuid4().hex})
        assert ok.status_code == 201
    body = client.get("/api/v1/patrol/compliance", headers=police, params={"district_code": "440303"}).json()
    assert body["total"] == 4
    kg = next(i for i in body["items"] if i["school_code"] == KG)
    with db.session() as s:
        school = s.scalars(select(School).where(School.code == KG)).one()
        students, guards = school.students, school.guards
    checks = {c["code"]: c for c in kg["checks"]}
    assert checks["guard_headcount"]["required"] == required_guards(students)
    assert checks["guard_headcount"]["ok"] == (guards >= required_guards(students))
    assert checks["gatehouse_24h"]["ok"] and checks["gatehouse_24h"]["actual"] == 24
    assert checks["key_area_patrols"]["ok"] and checks["key_area_patrols"]["actual"] == 5
    others = [i for i in body["items"] if i["school_code"] != KG]
    assert all(not i["ok"] for i in others)  # no gatehouse shifts, no checkpoints
    assert client.get("/api/v1/patrol/compliance", headers=login("police04"),
                      params={"district_code": "440303"}).json()["total"] == 0
