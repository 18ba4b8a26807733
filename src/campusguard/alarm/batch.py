"""Group ingest: a burst of device alarms commits with a few set-wise statements instead of ~15 per alarm.

The intake's group commit hands whole groups here. Each statement (device lookup, duplicate check, drill
windows, the inserts of events, incidents, steps, outbox rows, escalations and jobs) runs once per group,
so a burst costs round trips per group, not per alarm. Anything unusual (a repeat, a reused sequence
number, a concurrent delivery winning the race) falls back to the one-by-one path with its own rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.alarm import escalation, handoff, service
from campusguard.alarm.chain import Position
from campusguard.alarm.events import AlarmRaised
from campusguard.alarm.models import (
    ALARM_TYPES,
    PRIORITY_OF,
    DeviceEvent,
    DrillWindow,
    Escalation,
    Incident,
    IncidentStep,
)
from campusguard.bus.outbox import publish
from campusguard.core.auth import SYSTEM
from campusguard.core.db import utcnow
from campusguard.core.errors import NotFound
from campusguard.core.models import Job
from campusguard.device.models import Device

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Press:
    """One device alarm of a group."""

    device_id: int
    event_type: str
    seq: int | None
    occurred_at: datetime
    source: str
    detail: dict[str, Any]


def ingest_many(
    session: Session,
    presses: Sequence[Press],
    *,
    contexts: service.ContextCache | None = None,
    dedup_window: timedelta = service.DEDUP_WINDOW,
) -> list[service.IngestResult]:
    """Ingest a group in the caller's transaction; same results as `service.ingest_device_event` one by one."""
    if len(presses) > 1 and all(p.event_type in ALARM_TYPES and p.seq is not None for p in presses):
        try:
            with session.begin_nested():
                done = _together(session, presses, contexts)
            if done is not None:
                return done
        except IntegrityError:
            log.info("alarm.group_ingest_race", alarms=len(presses))  # another delivery won: one by one
    return [
        service.ingest_device_event(
            session, device_id=p.device_id, event_type=p.event_type, seq=p.seq, occurred_at=p.occurred_at,
            source=p.source, detail=p.detail, contexts=contexts, dedup_window=dedup_window,
        )
        for p in presses
    ]


def _together(
    session: Session, presses: Sequence[Press], contexts: service.ContextCache | None
) -> list[service.IngestResult] | None:
    """The set-wise path; None when some press needs the one-by-one rules (a repeat of a known seq)."""
    keys = [(p.device_id, p.seq) for p in presses]
    if len(set(keys)) != len(keys):
        return None
    device_ids = sorted({p.device_id for p in presses})
    devices = {d.id: d for d in session.scalars(select(Device).where(Device.id.in_(device_ids))).all()}
    for p in presses:
        if p.device_id not in devices:
            raise NotFound(f"unknown device {p.device_id}", code="unknown_device")
    seqs = sorted({p.seq for p in presses if p.seq is not None})
    known = session.execute(
        select(DeviceEvent.device_id, DeviceEvent.seq, DeviceEvent.retired_seq).where(
            DeviceEvent.device_id.in_(device_ids),
            or_(DeviceEvent.seq.in_(seqs), DeviceEvent.retired_seq.in_(seqs)),
        )
    ).tuples().all()
    wanted = set(keys)
    if any((dev, seq) in wanted or (dev, retired) in wanted for dev, seq, retired in known):
        return None  # a repeat or a reused number: the dedup-window rules decide one by one

    now = utcnow()
    school_ids = sorted({devices[p.device_id].school_id for p in presses})
    windows = _drill_windows(session, school_ids, now)
    rows = [
        DeviceEvent(device_id=p.device_id, seq=p.seq, event_type=p.event_type, occurred_at=p.occurred_at,
                    source=p.source, detail=p.detail)
        for p in presses
    ]
    session.add_all(rows)
    session.flush()

    incidents: list[tuple[Incident, service.RaiseContext, Device]] = []
    for p, row in zip(presses, rows, strict=True):
        device = devices[p.device_id]
        if contexts is not None:
            ctx = contexts.get(session, school_id=device.school_id, area_id=device.area_id, alarm_type=p.event_type)
        else:
            ctx = service.raise_context(session, school_id=device.school_id, area_id=device.area_id,
                                        alarm_type=p.event_type)
        window = windows.get(ctx.school_id)
        label = service.TYPE_TITLES.get(p.event_type, p.event_type)
        incident = Incident(
            school_id=ctx.school_id, district_code=ctx.district_code, area_id=ctx.area_id, device_id=device.id,
            type=p.event_type, priority=PRIORITY_OF[p.event_type], status="raised", outcome=None,
            is_drill=window is not None, drill_window_id=window.id if window else None, source=p.source,
            title=("【演练】" if window else "") + f"{ctx.school_name} {ctx.area_name or ''} {label}".strip(),
            lat=ctx.lat, lon=ctx.lon, cameras=list(ctx.cameras), plan_id=ctx.plan_id,
            occurred_at=p.occurred_at, raised_at=now,
            detail={"device_event_id": row.id, **service._safe_detail(p.detail)},  # noqa: SLF001
        )
        incidents.append((incident, ctx, device))
    session.add_all([i for i, _, _ in incidents])
    session.flush()

    chains: dict[str | None, tuple[int | None, list[dict[str, Any]]]] = {}
    steps_rows: list[dict[str, Any]] = []
    escalations: list[dict[str, Any]] = []
    job_rows: list[dict[str, Any]] = []
    for row, (incident, ctx, device) in zip(rows, incidents, strict=True):
        row.incident_id = incident.id
        steps_rows.append({
            "incident_id": incident.id, "action": "raised", "from_status": None, "to_status": "raised", "at": now,
            "actor": SYSTEM.label, "actor_id": None, "actor_role": SYSTEM.role.value,
            "detail": {"source": incident.source, "device": device.code, "drill": incident.is_drill},
        })
        publish(session, AlarmRaised(
            incident_id=incident.id, school_id=ctx.school_id, district_code=ctx.district_code,
            status=incident.status, is_drill=incident.is_drill, alarm_type=incident.type,
            priority=incident.priority, title=incident.title, school_name=ctx.school_name,
            school_code=ctx.school_code, area_id=incident.area_id, area_name=ctx.area_name,
            device_id=device.id, device_code=device.code, lat=ctx.lat, lon=ctx.lon, cameras=incident.cameras,
            plan_id=incident.plan_id, source=incident.source, outcome=None, raised_at=now,
            device_occurred_at=incident.occurred_at,
        ))
        if ctx.district_code not in chains:
            chain, steps = escalation.chain_for(session, ctx.district_code)
            chains[ctx.district_code] = (chain.id if chain else None, steps)
        chain_id, steps = chains[ctx.district_code]
        escalations.append({"incident_id": incident.id, "chain_id": chain_id, "steps": steps, "status": "running",
                            "position": 0, "round": 0, "next_at": now})
        # the same durable rows escalation.start and handoff.schedule_raised write, without a lookup each
        job_rows.append({"kind": escalation.JOB_KIND, "key": escalation._key(incident.id, Position()),  # noqa: SLF001
                         "payload": {"incident_id": incident.id, "index": 0, "round": 0}, "run_at": now,
                         "max_attempts": 10})
        job_rows.append({"kind": handoff.RAISED_JOB_KIND, "key": None, "payload": {"incident_id": incident.id},
                         "run_at": now, "max_attempts": 10})
        log.info("alarm.raised", incident_id=incident.id, school=ctx.school_code, type=incident.type,
                 drill=incident.is_drill, source=incident.source)
    session.flush()
    # rows nobody needs back as objects: one executemany each
    session.execute(insert(IncidentStep), steps_rows)
    session.execute(insert(Escalation), escalations)
    session.execute(insert(Job).values(job_rows))  # one multi-row INSERT (executemany goes row by row on jobs)
    session.info["wake_jobs"] = True
    return [service.IngestResult(incident.id, False) for incident, _, _ in incidents]


def _drill_windows(session: Session, school_ids: list[int], at: datetime) -> dict[int, DrillWindow]:
    """The active drill window of each school (the newest when several overlap), in one query."""
    rows = session.scalars(
        select(DrillWindow).where(
            DrillWindow.school_id.in_(school_ids),
            DrillWindow.stopped_at.is_(None),
            DrillWindow.started_at <= at,
            or_(DrillWindow.ends_at.is_(None), DrillWindow.ends_at > at),
        ).order_by(DrillWindow.id)
    ).all()
    return {w.school_id: w for w in rows}
