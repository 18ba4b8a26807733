"""Escalation chains run by durable jobs: they survive a new runner (restart) and stop on acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from campusguard.accounts.models import User
from campusguard.alarm import escalation, service
from campusguard.alarm.chain import NotifyStep, Position, WaitStep, advance, parse_steps
from campusguard.alarm.models import Escalation, Incident, Notification
from campusguard.core.auth import Principal
from campusguard.core.db import Database, utcnow
from campusguard.core.models import Job, OutboxEvent
from campusguard.core.permissions import Role, permissions_for

from .conftest import run_jobs

CHAIN: list[dict[str, Any]] = [
    {"kind": "notify", "target": "school_operators", "channels": ["websocket"]},
    {"kind": "wait", "seconds": 60},
    {"kind": "notify", "target": "district_police", "channels": ["websocket"]},
    {"kind": "wait", "seconds": 60},
    {"kind": "notify", "target": "city_command", "channels": ["websocket"]},
]


def _principal(db: Database, username: str) -> Principal:
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        role = Role(user.role)
        return Principal(
            kind="user",
            id=user.id,
            name=user.username,
            role=role,
            region_code=user.region_code,
            school_codes=tuple(user.school_codes or ()),
            permissions=permissions_for(role),
        )


def _time_passes(db: Database) -> None:
    """Make the pending escalation step due now, as if its wait had elapsed while the node was down."""
    with db.session() as s:
        s.execute(
            update(Job)
            .where(Job.kind == escalation.JOB_KIND, Job.status == "pending")
            .values(run_at=utcnow() - timedelta(seconds=1))
        )


def _targets(db: Database, incident_id: int) -> list[str]:
    with db.session() as s:
        rows = s.scalars(
            select(Notification).where(Notification.incident_id == incident_id).order_by(Notification.id)
        ).all()
        return list(dict.fromkeys(r.target for r in rows))


def _press(db: Database, device_id: int, seq: int) -> int:
    with db.session() as s:
        res = service.ingest_device_event(
            s,
            device_id=device_id,
            event_type="intrusion",
            seq=seq,
            occurred_at=datetime.now(UTC),
            source="mqtt",
            detail={},
        )
    assert res.incident_id is not None
    return res.incident_id


def test_chain_walk_is_pure_and_repeats() -> None:
    steps = parse_steps(
        [
            {"kind": "notify", "target": "school_operators"},
            {"kind": "wait", "seconds": 5},
            {"kind": "repeat", "times": 1},
            {"kind": "notify", "target": "city_command"},
        ]
    )
    first = advance(steps, Position())
    assert [s.target for s in first.notify] == ["school_operators"] and first.wait_s == 5
    assert first.next == Position(2, 0)
    again = advance(steps, first.next)
    assert [s.target for s in again.notify] == ["school_operators"] and again.next == Position(2, 1)
    final = advance(steps, again.next)  # repeats exhausted: city command, end
    assert [s.target for s in final.notify] == ["city_command"] and final.next is None
    assert isinstance(steps[0], NotifyStep) and isinstance(steps[1], WaitStep)


def test_escalation_survives_restart_and_ack_stops_it(db: Database, city: dict[str, Any]) -> None:
    with db.session() as s:
        escalation.upsert_chain(s, district_code=None, name="test chain", steps=CHAIN)
    incident_id = _press(db, city["button"], 100)
    assert run_jobs(db) >= 1  # node A runs the first step
    assert _targets(db, incident_id) == ["school_operators"]
    with db.session() as s:
        esc = s.scalars(select(Escalation).where(Escalation.incident_id == incident_id)).one()
        assert (esc.status, esc.position) == ("running", 2)
        pending = s.scalars(select(Job).where(Job.kind == escalation.JOB_KIND, Job.status == "pending")).all()
        assert len(pending) == 1 and pending[0].run_at > utcnow() + timedelta(seconds=30)

    assert run_jobs(db) == 0  # nothing is due before the wait elapses
    _time_passes(db)
    assert run_jobs(db) >= 1  # a brand-new runner (restarted node) picks the chain up from the database
    assert _targets(db, incident_id) == ["school_operators", "district_police"]
    with db.session() as s:
        assert s.get(Incident, incident_id).escalation_level == 2  # type: ignore[union-attr]
        escalated = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "alarm.escalated")).all()
        assert [e.payload["target"] for e in escalated] == ["school_operators", "district_police"]
        assert escalated[1].payload["user_ids"]  # the district's duty police are named for the pop-up
        incident_priority = s.get(Incident, incident_id).priority  # type: ignore[union-attr]
        assert {e.payload["priority"] for e in escalated} == {incident_priority}  # pop-ups stick only if urgent

    police = _principal(db, "police")
    with db.session() as s:
        service.transition(s, police, incident_id, "ack")
    _time_passes(db)
    run_jobs(db)
    assert _targets(db, incident_id) == ["school_operators", "district_police"]  # city command never woken
    with db.session() as s:
        esc = s.scalars(select(Escalation).where(Escalation.incident_id == incident_id)).one()
        assert esc.status == "stopped" and esc.stopped_at is not None
        statuses = set(s.scalars(select(Job.status).where(Job.kind == escalation.JOB_KIND)).all())
        assert "pending" not in statuses and "cancelled" in statuses


def test_unacknowledged_chain_reaches_city_command_but_drills_do_not(
    db: Database,
    city: dict[str, Any],
) -> None:
    with db.session() as s:
        escalation.upsert_chain(s, district_code=city["district"], name="district chain", steps=CHAIN)
    real = _press(db, city["button"], 200)
    for _ in range(3):
        run_jobs(db)
        _time_passes(db)
    assert _targets(db, real) == ["school_operators", "district_police", "city_command"]
    principal = _principal(db, "principal")
    with db.session() as s:
        esc = s.scalars(select(Escalation).where(Escalation.incident_id == real)).one()
        assert esc.status == "finished"
        service.start_drill_window(s, principal, city["kg"], minutes=10)
    drill = _press(db, city["button"], 201)
    for _ in range(3):
        run_jobs(db)
        _time_passes(db)
    assert _targets(db, drill) == ["school_operators", "district_police"]


def test_other_district_chain_is_not_used(db: Database, city: dict[str, Any]) -> None:
    with db.session() as s:
        escalation.upsert_chain(
            s,
            district_code=city["other_district"],
            name="other",
            steps=[{"kind": "notify", "target": "city_command"}],
        )
    incident_id = _press(db, city["button"], 300)
    run_jobs(db)
    assert _targets(db, incident_id) == ["school_operators"]  # built-in default chain starts with the school
