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
from typing import Any, cast

import structlog
from sqlalchemy import Table, or_, select
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
from campusguard.bus import outbox
from campusguard.core import bulk
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
    quiet: bool = False,
) -> list[service.IngestResult]:
    """Ingest a group in the caller's transaction; same results as `service.ingest_device_event` one by one.

    `quiet` leaves out the log line (the start-up warm-up, which is rolled back).
    """
    if presses and all(p.event_type in ALARM_TYPES and p.seq is not None for p in presses):
        registered: list[tuple[int, dict[str, Any]]] = []
        try:
            with session.begin_nested():
                done = _together(session, presses, contexts, registered, quiet=quiet)
            if done is not None:
                return done
        except IntegrityError:
            outbox.forget(session, registered)
            log.info("alarm.group_ingest_race", alarms=len(presses))  # another delivery won: one by one
    return [
        service.ingest_device_event(
            session, device_id=p.device_id, event_type=p.event_type, seq=p.seq, occurred_at=p.occurred_at,
            source=p.source, detail=p.detail, contexts=contexts, dedup_window=dedup_window,
        )
        for p in presses
    ]


def _together(
    session: Session, presses: Sequence[Press], contexts: service.ContextCache | None,
    registered: list[tuple[int, dict[str, Any]]], *, quiet: bool = False,
) -> list[service.IngestResult] | None:
    """The set-wise path; None when some press needs the one-by-one rules (a repeat of a known seq).

    Plain executemany inserts (no ORM objects): a burst's commit costs a few statements and little
    Python per alarm, so the next group of alarms is not kept waiting.
    """
    keys = [(p.device_id, p.seq) for p in presses]
    if len(set(keys)) != len(keys):
        return None
    device_ids = sorted({p.device_id for p in presses})
    devices = {
        row.id: row for row in session.execute(
            select(Device.id, Device.code, Device.school_id, Device.area_id).where(Device.id.in_(device_ids))
        ).all()
    }
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
    contexts_of: list[service.RaiseContext] = []
    incident_rows: list[dict[str, Any]] = []
    for p in presses:
        device = devices[p.device_id]
        if contexts is not None:
            ctx = contexts.get(session, school_id=device.school_id, area_id=device.area_id, alarm_type=p.event_type)
        else:
            ctx = service.raise_context(session, school_id=device.school_id, area_id=device.area_id,
                                        alarm_type=p.event_type)
        window = windows.get(ctx.school_id)
        label = service.TYPE_TITLES.get(p.event_type, p.event_type)
        contexts_of.append(ctx)
        incident_rows.append({
            "school_id": ctx.school_id, "district_code": ctx.district_code, "area_id": ctx.area_id,
            "device_id": device.id, "type": p.event_type, "priority": PRIORITY_OF[p.event_type],
            "status": "raised", "outcome": None, "is_drill": window is not None,
            "drill_window_id": window.id if window else None, "source": p.source,
            "title": ("【演练】" if window else "") + f"{ctx.school_name} {ctx.area_name or ''} {label}".strip(),
            "lat": ctx.lat, "lon": ctx.lon, "cameras": list(ctx.cameras), "plan_id": ctx.plan_id,
            "occurred_at": p.occurred_at, "raised_at": now, "escalation_level": 0, "created_at": now,
            "updated_at": now,
            "detail": service._safe_detail(p.detail),  # noqa: SLF001
        })
    incident_ids = bulk.allocate_ids(session, _INCIDENTS, len(incident_rows))
    for incident_id, row in zip(incident_ids, incident_rows, strict=True):
        row["id"] = incident_id
    bulk.insert_rows(session, _INCIDENTS, incident_rows)
    bulk.insert_rows(session, _EVENTS, [
        {"device_id": p.device_id, "seq": p.seq, "retired_seq": None, "event_type": p.event_type,
         "occurred_at": p.occurred_at, "received_at": now, "source": p.source, "detail": p.detail,
         "incident_id": incident_id} for p, incident_id in zip(presses, incident_ids, strict=True)
    ])

    chains: dict[str | None, tuple[int | None, list[dict[str, Any]]]] = {}
    steps_rows: list[dict[str, Any]] = []
    escalations: list[dict[str, Any]] = []
    job_rows: list[dict[str, Any]] = []
    events: list[AlarmRaised] = []
    for p, incident_id, row, ctx in zip(presses, incident_ids, incident_rows, contexts_of, strict=True):
        device = devices[p.device_id]
        steps_rows.append({
            "incident_id": incident_id, "action": "raised", "from_status": None, "to_status": "raised", "at": now,
            "actor": SYSTEM.label, "actor_id": None, "actor_role": SYSTEM.role.value,
            "detail": {"source": p.source, "device": device.code, "drill": row["is_drill"]},
        })
        events.append(AlarmRaised(
            incident_id=incident_id, school_id=ctx.school_id, district_code=ctx.district_code,
            status="raised", is_drill=row["is_drill"], alarm_type=p.event_type,
            priority=row["priority"], title=row["title"], school_name=ctx.school_name,
            school_code=ctx.school_code, area_id=row["area_id"], area_name=ctx.area_name,
            device_id=device.id, device_code=device.code, lat=ctx.lat, lon=ctx.lon, cameras=row["cameras"],
            plan_id=row["plan_id"], source=p.source, outcome=None, raised_at=now,
            device_occurred_at=p.occurred_at,
        ))
        if ctx.district_code not in chains:
            chain, steps = escalation.chain_for(session, ctx.district_code)
            chains[ctx.district_code] = (chain.id if chain else None, steps)
        chain_id, steps = chains[ctx.district_code]
        escalations.append({"incident_id": incident_id, "chain_id": chain_id, "steps": steps, "status": "running",
                            "position": 0, "round": 0, "next_at": now, "started_at": now, "stopped_at": None})
        # the same durable rows escalation.start and handoff.schedule_raised write, without a lookup each
        job_rows.append(_job(escalation.JOB_KIND, escalation._key(incident_id, Position()),  # noqa: SLF001
                             {"incident_id": incident_id, "index": 0, "round": 0}, now))
        job_rows.append(_job(handoff.RAISED_JOB_KIND, None, {"incident_id": incident_id}, now))
    bulk.insert_rows(session, _STEPS, steps_rows)
    bulk.insert_rows(session, _ESCALATIONS, escalations)
    bulk.insert_rows(session, _JOBS, job_rows)
    registered.extend(outbox.publish_many(session, events))  # last: nothing after it can roll it back
    session.info["wake_jobs"] = True
    if quiet:
        return [service.IngestResult(int(i), False) for i in incident_ids]
    log.info("alarm.raised", incidents=list(incident_ids), schools=sorted({c.school_code for c in contexts_of}),
             types=sorted({p.event_type for p in presses}), drills=sum(1 for r in incident_rows if r["is_drill"]),
             source=presses[0].source, count=len(presses))
    return [service.IngestResult(int(i), False) for i in incident_ids]


_EVENTS = cast(Table, DeviceEvent.__table__)
_INCIDENTS = cast(Table, Incident.__table__)
_STEPS = cast(Table, IncidentStep.__table__)
_ESCALATIONS = cast(Table, Escalation.__table__)
_JOBS = cast(Table, Job.__table__)


def _job(kind: str, key: str | None, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"kind": kind, "key": key, "payload": payload, "run_at": now, "status": "pending", "attempts": 0,
            "max_attempts": 10, "locked_by": None, "locked_until": None, "last_error": None, "created_at": now,
            "finished_at": None}


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
