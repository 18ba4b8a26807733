"""Liaison tasks end to end on SQLite and PostgreSQL: GPS check-in, findings → hazards, rules, overdue."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, update
from tests.seeded_world import user_id

from campusguard.core.db import utcnow
from campusguard.core.jobs import JobRunner
from campusguard.core.models import OutboxEvent
from campusguard.org.models import School
from campusguard.task import jobs as task_jobs
from campusguard.task.models import Task, TaskCheckin

KG = "440303001"


@pytest.fixture
def users(seeded, login):
    return {n: login(n) for n in ("guard", "principal", "liaison", "police", "police04")}


@pytest.fixture
def kg_location(db):
    with db.session() as s:
        school = s.scalars(select(School).where(School.code == KG)).one()
        return school.lat, school.lon


def new_task(client, users, db, **over):
    body = {"school_code": KG, "kind": "inspection", "title": "开学安全检查",
            "officer_user_id": user_id(db, "liaison")} | over
    return client.post("/api/v1/tasks", json=body, headers=users["police"])


def test_task_checkin_complete_with_findings(client, users, db, kg_location):
    lo = users["liaison"]
    r = new_task(client, users, db)
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    assert r.json()["status"] == "open" and r.json()["officer_name"]
    mine = client.get("/api/v1/tasks", params={"mine": True}, headers=lo).json()
    assert [t["id"] for t in mine["items"]] == [tid]

    # completing before being on site is out of order
    r = client.post(f"/api/v1/tasks/{tid}/complete", json={"findings": "ok"}, headers=lo)
    assert r.status_code == 409

    # 5 km away: refused with the distance, but the attempt is recorded
    lat, lon = kg_location
    r = client.post(f"/api/v1/tasks/{tid}/checkin", json={"lat": lat + 0.045, "lon": lon, "accuracy_m": 10},
                    headers=lo)
    assert r.status_code == 422 and r.json()["code"] == "too_far"
    assert 4800 < r.json()["distance_m"] < 5200
    with db.session() as s:
        rows = s.scalars(select(TaskCheckin).where(TaskCheckin.task_id == tid)).all()
        assert len(rows) == 1 and rows[0].accepted is False
        assert s.get(Task, tid).status == "open"  # type: ignore[union-attr]

    # at the gate (~30 m): accepted, distance reported
    r = client.post(f"/api/v1/tasks/{tid}/checkin", json={"lat": lat + 0.0003, "lon": lon, "accuracy_m": 12},
                    headers=lo)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "checked_in" and 20 < d["checkin_distance_m"] < 45 and len(d["checkins"]) == 2

    buf = io.BytesIO()
    Image.new("RGB", (200, 150), (90, 90, 90)).save(buf, "JPEG")
    r = client.post(f"/api/v1/tasks/{tid}/photos", files={"file": ("s.jpg", buf.getvalue(), "image/jpeg")},
                    headers=lo)
    assert r.status_code == 201
    files = {"file": ("s.txt", b"hello", "text/plain")}
    r = client.post(f"/api/v1/tasks/{tid}/photos", files=files, headers=lo)
    assert r.status_code == 422

    finding = {"category": "perimeter", "severity": "high", "description": "北侧围墙有缺口"}
    r = client.post(f"/api/v1/tasks/{tid}/complete", json={"findings": "围墙需修补", "hazards": [finding]},
                    headers=lo)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "done" and len(d["hazard_ids"]) == 1 and d["photo_count"] == 1
    h = client.get(f"/api/v1/hazards/{d['hazard_ids'][0]}", headers=users["principal"]).json()
    assert h["source"] == "task" and h["task_id"] == tid and h["status"] == "reported"
    r = client.post(f"/api/v1/tasks/{tid}/checkin", json={"lat": lat, "lon": lon}, headers=lo)
    assert r.status_code == 409


def test_permissions_scope_and_bad_input(client, users, db):
    assert new_task(client, users, db, kind="coffee").status_code == 422
    assert new_task(client, users, db, school_code="NOPE").status_code == 404
    assert new_task(client, users, db, officer_user_id=user_id(db, "guard")).status_code == 400
    assert new_task(client, users, db, due_at="2020-01-01T00:00:00Z").status_code == 400
    body = {"school_code": KG, "kind": "inspection", "title": "x"}
    assert client.post("/api/v1/tasks", json=body, headers=users["liaison"]).status_code == 403
    assert client.post("/api/v1/tasks", json=body, headers=users["guard"]).status_code == 403
    # the liaison officer does not cover the other district's schools
    r = new_task(client, users, db, school_code="440304001")
    assert r.status_code == 403  # police of 440303 cannot write there
    tid = new_task(client, users, db).json()["id"]
    assert client.get(f"/api/v1/tasks/{tid}", headers=users["police04"]).status_code == 404
    assert client.get("/api/v1/tasks", headers=users["police04"]).json()["total"] == 0
    r = client.post(f"/api/v1/tasks/{tid}/checkin", json={"lat": 95, "lon": 0}, headers=users["liaison"])
    assert r.status_code == 422


def test_recurring_rules_and_overdue_via_jobs(client, users, db):
    r = client.post("/api/v1/tasks/rules", headers=users["police"], json={
        "school_code": KG, "kind": "patrol_supervision", "title": "每周护学岗督导", "frequency": "weekly",
        "officer_user_id": user_id(db, "liaison"), "start_at": utcnow().isoformat(), "due_hours": 48})
    assert r.status_code == 201, r.text
    runner = JobRunner(db, "test-node")
    task_jobs.register(runner)
    runner.run_periodic_once(force=True)
    runner.run_periodic_once(force=True)  # twice: occurrences are made once
    params = {"kind": "patrol_supervision"}
    tasks = client.get("/api/v1/tasks", params=params, headers=users["liaison"]).json()
    assert tasks["total"] == 2  # now and in 7 days (horizon 7 days inclusive)
    assert all(t["rule_id"] == r.json()["id"] for t in tasks["items"])

    first = tasks["items"][0]["id"]
    with db.session() as s:
        s.execute(update(Task).where(Task.id == first).values(due_at=utcnow() - timedelta(hours=1)))
    runner.run_periodic_once(force=True)
    late = client.get("/api/v1/tasks", params={"overdue": True}, headers=users["police"]).json()
    assert [t["id"] for t in late["items"]] == [first]
    with db.session() as s:
        types = s.scalars(select(OutboxEvent.type).where(OutboxEvent.type.like("task.%"))).all()
        assert types.count("task.overdue") == 1 and types.count("task.assigned") == 2
    stats = client.get("/api/v1/tasks/stats", headers=users["police"]).json()
    assert stats["items"][0]["overdue"] == 1 and stats["items"][0]["total"] == 2
