"""Recurring liaison-task rules from the console: list with school names, edit, pause and resume, scope, audit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from tests.seeded_world import user_id

from campusguard.core.db import utcnow
from campusguard.core.models import AuditLog
from campusguard.task import service
from campusguard.task.models import Task, TaskRule

KG = "440303001"


def _rule(client, headers, db, **over):
    body = {"school_code": KG, "kind": "inspection", "title": "每月安全检查", "frequency": "monthly",
            "officer_user_id": user_id(db, "liaison"), "start_at": (utcnow() + timedelta(days=30)).isoformat(),
            "due_hours": 72} | over
    return client.post("/api/v1/tasks/rules", json=body, headers=headers)


def test_rule_edit_pause_resume(client, db, seeded, login) -> None:
    police, police04, liaison = login("police"), login("police04"), login("liaison")
    r = _rule(client, police, db)
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["school_code"] == KG and rule["school_name"] and rule["officer_name"] and rule["active"]
    url = f"/api/v1/tasks/rules/{rule['id']}"

    # edit what, how often and when next; a naive time and a non-officer are refused
    soon = utcnow() + timedelta(hours=1)
    r = client.patch(url, json={"title": "每周护学岗督导", "kind": "patrol_supervision", "frequency": "weekly",
                                "interval": 2, "next_at": soon.isoformat()}, headers=police)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["title"], got["kind"], got["frequency"], got["interval"]) == \
        ("每周护学岗督导", "patrol_supervision", "weekly", 2)
    assert client.patch(url, json={"next_at": "2026-12-01T08:00:00"}, headers=police).status_code == 400
    r = client.patch(url, json={"officer_user_id": user_id(db, "guard")}, headers=police)
    assert r.status_code == 400 and r.json()["code"] == "not_an_officer"
    assert client.patch(url, json={"title": None}, headers=police).json()["code"] == "null_field"
    assert client.patch(url, json={"frequency": "hourly"}, headers=police).status_code == 422

    # other district: not seen, not edited; the officer reads but may not manage
    assert client.get(url, headers=police04).status_code == 404
    assert client.patch(url, json={"active": False}, headers=police04).status_code == 404
    assert client.patch(url, json={"active": False}, headers=liaison).status_code == 403
    assert client.get("/api/v1/tasks/rules", headers=liaison).json()["total"] == 1

    # paused: the job makes no tasks; resumed: it makes this week's, not the missed ones
    assert client.patch(url, json={"active": False}, headers=police).json()["active"] is False
    assert client.get("/api/v1/tasks/rules", params={"active": True}, headers=police).json()["total"] == 0
    with db.session() as s:
        assert service.materialise(s) == 0
        s.get(TaskRule, rule["id"]).next_at = utcnow() - timedelta(days=40)  # type: ignore[union-attr]
    r = client.patch(url, json={"active": True}, headers=police)
    assert r.status_code == 200 and r.json()["active"]
    with db.session() as s:
        made = service.materialise(s)
        tasks = s.scalars(select(Task).where(Task.rule_id == rule["id"])).all()
        assert made == len(tasks) >= 1 and all(t.due_at > utcnow() for t in tasks)
        assert all(t.kind == "patrol_supervision" and t.title == "每周护学岗督导" for t in tasks)
        audit = s.scalars(select(AuditLog).where(AuditLog.target_type == "task_rule",
                                                 AuditLog.target_id == str(rule["id"])).order_by(AuditLog.seq)).all()
        actions = [a.action for a in audit]
        assert actions[0] == "task.rule_create" and actions.count("task.rule_update") == 3
        assert audit[1].detail["before"]["title"] == "每月安全检查"
        assert audit[1].detail["after"]["title"] == "每周护学岗督导"
