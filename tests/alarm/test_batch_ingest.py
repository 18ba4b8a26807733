"""Group ingest of a burst: the set-wise path gives what one-by-one ingest gives, and repeats still dedup."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from campusguard.alarm import batch, escalation, handoff, service
from campusguard.alarm.models import DeviceEvent, Escalation, Incident, IncidentStep
from campusguard.core.db import Database
from campusguard.core.models import Job, OutboxEvent


def _count(db: Database, model: Any, *where: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_burst_commits_each_alarm_with_its_durable_rows(db: Database, city: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    presses = [batch.Press(city["button"], "panic", 500 + i, now, "mqtt", {"battery": 90 - i}) for i in range(12)]
    cache = service.ContextCache()
    with db.session() as s:
        results = batch.ingest_many(s, presses, contexts=cache)
    ids = [r.incident_id for r in results]
    assert None not in ids and len(set(ids)) == 12 and not any(r.duplicate for r in results)
    with db.session() as s:
        incidents = s.scalars(select(Incident).where(Incident.id.in_(ids)).order_by(Incident.id)).all()
        assert [i.detail["battery"] for i in incidents] == [90 - i for i in range(12)]
        assert all(i.status == "raised" and i.school_id == city["kg"] and i.cameras for i in incidents)
        events = s.scalars(select(DeviceEvent).where(DeviceEvent.seq.between(500, 511))).all()
        assert sorted(e.incident_id for e in events) == sorted(ids)  # type: ignore[type-var]
        raised = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "alarm.raised")).all()
        assert sorted(r.payload["incident_id"] for r in raised) == sorted(ids)
    assert _count(db, IncidentStep, IncidentStep.incident_id.in_(ids), IncidentStep.action == "raised") == 12
    assert _count(db, Escalation, Escalation.incident_id.in_(ids), Escalation.status == "running") == 12
    assert _count(db, Job, Job.kind == escalation.JOB_KIND, Job.status == "pending") == 12
    assert _count(db, Job, Job.kind == handoff.RAISED_JOB_KIND) == 12

    # the broker redelivers part of the burst together with new presses: repeats dedup, new ones land
    again = [*presses[:3], batch.Press(city["button"], "fire", 600, now, "mqtt", {})]
    with db.session() as s:
        second = batch.ingest_many(s, again, contexts=cache)
    assert [r.duplicate for r in second] == [True, True, True, False]
    assert [r.incident_id for r in second[:3]] == ids[:3]
    assert _count(db, Incident) == 13


def test_a_group_with_an_unknown_device_fails_whole(db: Database, city: dict[str, Any]) -> None:
    """The intake isolates the failing submission; nothing of the group is half-written."""
    now = datetime.now(UTC)
    presses = [batch.Press(city["button"], "panic", 700, now, "mqtt", {}),
               batch.Press(999_999, "panic", 701, now, "mqtt", {})]
    try:
        with db.session() as s:
            batch.ingest_many(s, presses)
    except service.NotFound:
        pass
    else:
        raise AssertionError("an unknown device must fail the group")
    assert _count(db, Incident) == 0 and _count(db, DeviceEvent) == 0
