"""Overdue escalation through the real job runner, and inspections whose failed items open hazards."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database, utcnow
from campusguard.core.jobs import JobRunner
from campusguard.core.models import OutboxEvent
from campusguard.hazard import jobs as hazard_jobs
from campusguard.hazard import service
from campusguard.hazard.models import Hazard, HazardLog
from campusguard.hazard.schemas import AssignIn, HazardIn

KG = "440303001"


def _assigned_hazard(db: Database, severity: str = "critical") -> int:
    with db.session() as s:
        data = HazardIn(school_code=KG, category="electrical", severity=severity, description="配电箱未上锁")
        h, created = service.report(s, SYSTEM, data)
        assert created
        service.assign(s, SYSTEM, h.id, AssignIn(assignee_name="后勤主任"))
        return h.id


def _age(db: Database, hazard_id: int, late: timedelta) -> None:
    """Move the deadline into the past, as if the assignee had let it slip."""
    with db.session() as s:
        s.execute(update(Hazard).where(Hazard.id == hazard_id).values(due_at=utcnow() - late))


def test_overdue_escalates_up_the_chain_via_job(db: Database) -> None:
    hid = _assigned_hazard(db)
    runner = JobRunner(db, "test-node")
    hazard_jobs.register(runner)
    assert "hazard.overdue" in runner.periodic

    runner.run_periodic_once(force=True)  # not yet due: nothing happens
    with db.session() as s:
        assert s.get(Hazard, hid).overdue is False  # type: ignore[union-attr]

    _age(db, hid, timedelta(minutes=5))
    runner.run_periodic_once(force=True)
    with db.session() as s:
        h = s.get(Hazard, hid)
        assert h is not None and h.overdue and h.escalation_level == 1 and h.overdue_at is not None
    runner.run_periodic_once(force=True)  # idempotent: same rung, no new event
    _age(db, hid, timedelta(hours=30))  # one more critical window (24 h) late: district
    runner.run_periodic_once(force=True)
    _age(db, hid, timedelta(days=10))
    runner.run_periodic_once(force=True)
    with db.session() as s:
        h = s.get(Hazard, hid)
        assert h is not None and h.escalation_level == 3
        stmt = select(OutboxEvent).where(OutboxEvent.type == "hazard.overdue").order_by(OutboxEvent.id)
        rows = s.scalars(stmt)
        events = [e.payload for e in rows]
        assert [e["escalated_to"] for e in events] == ["grid", "district", "city"]
        assert events[0]["school_id"] == h.school_id and events[0]["district_code"] == "440303"
        logs = s.scalars(select(HazardLog.action).where(HazardLog.hazard_id == hid)).all()
        assert list(logs).count("escalate") == 2 and "overdue" in logs


def test_verified_or_reassigned_hazards_are_not_escalated(db: Database) -> None:
    hid = _assigned_hazard(db, "low")
    _age(db, hid, timedelta(hours=1))
    with db.session() as s:
        assert service.sweep_overdue(s) == 1
    with db.session() as s:  # a new assignment gives a fresh deadline and clears the flag
        service.assign(s, SYSTEM, hid, AssignIn(assignee_name="新负责人"))
    with db.session() as s:
        h = s.get(Hazard, hid)
        assert h is not None and not h.overdue and h.escalation_level == 0
        assert service.sweep_overdue(s) == 0


def test_inspection_failed_items_open_hazards(client, login) -> None:
    lo = login("liaison")
    tpl = client.get("/api/v1/hazards/checklists", params={"school_type": "kindergarten"}, headers=lo).json()
    assert tpl["total"] >= 1
    items = tpl["items"][0]["items"]
    answers = {i["code"]: True for i in items}
    answers["FIRE-02"] = False
    answers["KG-02"] = False
    r = client.post("/api/v1/hazards/inspections", json={"school_code": KG, "answers": answers,
                                                        "notes": {"FIRE-02": "东侧楼梯堆放桌椅"}}, headers=lo)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["failed"] == 2 and run["passed"] == len(items) - 2 and len(run["hazard_ids"]) == 2
    h = client.get(f"/api/v1/hazards/{run['hazard_ids'][0]}", headers=lo).json()
    assert h["source"] == "inspection" and h["inspection_id"] == run["id"] and "东侧楼梯" in h["description"]
    # unanswered items are refused
    r = client.post("/api/v1/hazards/inspections", json={"school_code": KG, "answers": {"FIRE-02": False}},
                    headers=lo)
    assert r.status_code == 400 and r.json()["code"] == "bad_answers"
    listed = client.get("/api/v1/hazards/inspections", headers=lo).json()
    assert listed["total"] == 1
