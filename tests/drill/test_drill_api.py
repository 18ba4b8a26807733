"""Drills end to end on SQLite and PostgreSQL: plan → start (alarm drill window) → stop → evaluate, stats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campusguard.core.db import utcnow
from campusguard.org.models import School

KG = "440303001"


@pytest.fixture
def users(seeded, login):
    return {n: login(n) for n in ("principal", "guard", "police", "police04", "edu", "liaison")}


def plan(client, headers, **over):
    body = {"school_code": KG, "kind": "fire", "title": "秋季消防疏散演练",
            "scheduled_at": (utcnow() + timedelta(days=1)).isoformat(), "planned_participants": 320} | over
    return client.post("/api/v1/drills", json=body, headers=headers)


def test_drill_lifecycle_tags_alarm_presses(client, users, db):
    p = users["principal"]
    r = plan(client, p)
    assert r.status_code == 201, r.text
    did = r.json()["id"]
    assert r.json()["status"] == "planned"
    # out of order: stop or evaluate before start
    assert client.post(f"/api/v1/drills/{did}/stop", json={"participants": 1}, headers=p).status_code == 409
    assert client.post(f"/api/v1/drills/{did}/evaluate", json={"score": 90}, headers=p).status_code == 409

    r = client.post(f"/api/v1/drills/{did}/start", json={"window_minutes": 30}, headers=p)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress" and r.json()["alarm_window_id"] is not None

    # a button pressed during the drill is tagged as a drill by the alarm module
    with db.session() as s:
        school_id = s.scalars(select(School.id).where(School.code == KG)).one()
    r = client.post("/api/v1/incidents", json={"school_id": school_id, "type": "fire"}, headers=p)
    assert r.status_code == 201, r.text
    assert r.json()["is_drill"] is True

    bad = client.post(f"/api/v1/drills/{did}/stop", json={"participants": 300, "timings": {"nap_s": 3}},
                      headers=p)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_timings"
    r = client.post(f"/api/v1/drills/{did}/stop", headers=p, json={
        "participants": 305, "participant_groups": ["小一班", "大一班"], "timings": {"evacuation_s": 184}})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "completed" and d["alarm_presses"] == 1 and d["timings"]["evacuation_s"] == 184
    assert "total_s" in d["timings"] and d["duration_s"] is not None
    # the window is closed: the next press is real again
    r = client.post("/api/v1/incidents", json={"school_id": school_id, "type": "medical"}, headers=p)
    assert r.json()["is_drill"] is False

    r = client.post(f"/api/v1/drills/{did}/evaluate", json={"score": 88.5, "notes": "疏散有序"}, headers=p)
    assert r.status_code == 200 and r.json()["status"] == "evaluated" and r.json()["score"] == 88.5
    assert client.post(f"/api/v1/drills/{did}/evaluate", json={"score": 101}, headers=p).status_code == 422


def test_drill_stats_scope_and_permissions(client, users):
    p = users["principal"]
    a = plan(client, p).json()["id"]
    b = plan(client, p, kind="earthquake").json()["id"]
    c = plan(client, p, kind="intruder").json()["id"]
    for did, score, evac in ((a, 80, 200), (b, 90, 100)):
        client.post(f"/api/v1/drills/{did}/start", headers=p)
        body = {"participants": 100, "timings": {"evacuation_s": evac}}
        client.post(f"/api/v1/drills/{did}/stop", json=body, headers=p)
        client.post(f"/api/v1/drills/{did}/evaluate", json={"score": score}, headers=p)
    assert client.post(f"/api/v1/drills/{c}/cancel", headers=p).json()["status"] == "cancelled"
    for who in ("police", "edu", "principal"):
        r = client.get("/api/v1/drills/stats", params={"by": "district"}, headers=users[who])
        assert r.status_code == 200, r.text
        t = r.json()["total"]
        assert (t["planned"], t["conducted"], t["evaluated"], t["cancelled"]) == (3, 2, 2, 1)
        assert t["avg_score"] == 85.0 and t["avg_evacuation_s"] == 150.0
        assert t["by_kind"]["fire"] == 1 and t["by_kind"]["earthquake"] == 1 and t["by_kind"]["intruder"] == 0
    other = client.get("/api/v1/drills/stats", headers=users["police04"]).json()
    assert other["total"]["planned"] == 0 and other["items"] == []
    assert client.get(f"/api/v1/drills/{a}", headers=users["police04"]).status_code == 404
    # only the school (drill.manage) plans and runs drills
    assert plan(client, users["guard"]).status_code == 403
    assert plan(client, users["police"]).status_code == 403
    assert plan(client, p, kind="flood").status_code == 422
    assert plan(client, p, scheduled_at="2026-12-01T09:00:00").status_code == 400
    listed = client.get("/api/v1/drills", params={"status": "evaluated"}, headers=users["liaison"]).json()
    assert listed["total"] == 2
