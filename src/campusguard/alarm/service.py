"""Incidents: intake of device events, the lifecycle, drills, and the scoped reads of the console."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.alarm import escalation, handoff, plans
from campusguard.alarm.events import TRANSITION_EVENTS, AlarmRaised, AlarmUpdated, DrillWindowChanged
from campusguard.alarm.models import (
    ALARM_TYPES,
    INCIDENT_TYPES,
    OUTCOMES,
    PRIORITY_OF,
    DeviceEvent,
    DrillWindow,
    Incident,
    IncidentStep,
)
from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, NotFound
from campusguard.core.pagination import PageParams, paginate
from campusguard.core.scope import check_school, scoped
from campusguard.device.models import Device
from campusguard.org.models import Area, School

log = structlog.get_logger(__name__)

TYPE_TITLES = {
    "panic": "一键报警",
    "duress": "胁迫报警",
    "intrusion": "周界入侵",
    "fire": "火警",
    "medical": "医疗急救",
    "tamper": "防拆报警",
    "test": "报警测试",
    "device_offline": "设备离线",
    "watchlist_hit": "重点人员预警",
}
MAX_CAMERAS = 8
DEDUP_WINDOW = timedelta(minutes=10)  # same device + seq with device times this close: one alarm

# action -> (statuses it may start from, status it leads to, timestamp column)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "ack": (("raised",), "acknowledged", "acknowledged_at"),
    "dispatch": (("acknowledged",), "dispatched", "dispatched_at"),
    "arrive": (("dispatched",), "on_scene", "on_scene_at"),
    "resolve": (("acknowledged", "dispatched", "on_scene"), "resolved", "resolved_at"),
}


@dataclass
class IngestResult:
    """What became of a device event: the incident it raised (if any) and whether it was a repeat."""

    incident_id: int | None
    duplicate: bool


# ---------------------------------------------------------------- intake


def ingest_device_event(
    session: Session,
    *,
    device_id: int,
    event_type: str,
    seq: int | None,
    occurred_at: datetime,
    source: str,
    detail: dict[str, Any],
    contexts: ContextCache | None = None,
    dedup_window: timedelta = DEDUP_WINDOW,
) -> IngestResult:
    """Store a device's event once and raise its incident; the caller commits before acknowledging.

    Duplicate = same device and seq with device timestamps within `dedup_window` (a redelivery carries
    the timestamp of the original, however late it arrives); the same seq far apart is a new alarm.
    """
    if event_type not in (*ALARM_TYPES, "test"):
        raise BadRequest(f"event type {event_type!r} does not raise incidents", code="not_an_alarm")
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"unknown device {device_id}", code="unknown_device")
    if seq is not None:
        prior = session.scalars(
            select(DeviceEvent).where(DeviceEvent.device_id == device_id, DeviceEvent.seq == seq)
        ).first()
        if prior is not None:
            if abs(occurred_at - prior.occurred_at) <= dedup_window:
                return IngestResult(prior.incident_id, True)
            earlier = session.scalars(
                select(DeviceEvent).where(
                    DeviceEvent.device_id == device_id,
                    DeviceEvent.retired_seq == seq,
                    DeviceEvent.occurred_at >= occurred_at - dedup_window,
                    DeviceEvent.occurred_at <= occurred_at + dedup_window,
                )
            ).first()
            if earlier is not None:  # a late copy of a message from before the device restarted
                return IngestResult(earlier.incident_id, True)
            # the same number far from the first one: the device restarted its count, a new alarm
            retired = session.execute(
                update(DeviceEvent)
                .where(DeviceEvent.id == prior.id, DeviceEvent.seq == seq)
                .values(seq=None, retired_seq=seq)
                .execution_options(synchronize_session=False)
            )
            log.info("alarm.seq_reused", device_id=device_id, seq=seq, prior_event=prior.id,
                     retired=bool(getattr(retired, "rowcount", 0)))
    row = DeviceEvent(
        device_id=device_id,
        seq=seq,
        event_type=event_type,
        occurred_at=occurred_at,
        source=source,
        detail=detail,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # a concurrent delivery of the same (device, seq) won the race
        prior = session.scalars(
            select(DeviceEvent).where(DeviceEvent.device_id == device_id, DeviceEvent.seq == seq)
        ).first()
        return IngestResult(prior.incident_id if prior else None, True)
    incident = raise_incident(
        session,
        school_id=device.school_id,
        alarm_type=event_type,
        device=device,
        area_id=device.area_id,
        occurred_at=occurred_at,
        source=source,
        detail=_safe_detail(detail),
        contexts=contexts,
    )
    row.incident_id = incident.id
    return IngestResult(incident.id, False)


def _safe_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """Keep small scalar device fields (battery, rssi, zone…) on the incident, drop anything bulky."""
    out: dict[str, Any] = {}
    for key, value in list(detail.items())[:20]:
        if isinstance(value, (str, int, float, bool)) and len(str(value)) <= 200:
            out[str(key)[:40]] = value
    return out


def nearest_cameras(session: Session, school_id: int, area_id: int | None) -> list[dict[str, Any]]:
    """Cameras of the alarm's area first, then of the neighbouring areas (both directions of `adjacent`)."""
    cams = list(
        session.scalars(
            select(Device).where(Device.school_id == school_id, Device.type == "camera").order_by(Device.id)
        ).all()
    )
    if not cams:
        return []
    order: dict[int | None, int] = {}
    if area_id is not None:
        order[area_id] = 0
        area = session.get(Area, area_id)
        neighbours = set(area.adjacent or []) if area else set()
        for other in session.scalars(select(Area).where(Area.school_id == school_id)).all():
            if area_id in (other.adjacent or []):
                neighbours.add(other.id)
        for n in neighbours:
            order.setdefault(n, 1)
    chosen = [c for c in cams if c.area_id in order] if area_id is not None else cams
    chosen.sort(key=lambda c: (order.get(c.area_id, 2), c.id))
    return [
        {
            "id": c.id,
            "code": c.code,
            "name": c.name,
            "area_id": c.area_id,
            "online": c.online,
            "same_area": c.area_id == area_id,
        }
        for c in chosen[:MAX_CAMERAS]
    ]


def active_drill_window(session: Session, school_id: int, at: datetime | None = None) -> DrillWindow | None:
    """The school's drill window covering `at`, if any."""
    at = at or utcnow()
    return session.scalars(
        select(DrillWindow)
        .where(
            DrillWindow.school_id == school_id,
            DrillWindow.stopped_at.is_(None),
            DrillWindow.started_at <= at,
            or_(DrillWindow.ends_at.is_(None), DrillWindow.ends_at > at),
        )
        .order_by(DrillWindow.id.desc())
    ).first()


@dataclass(frozen=True)
class RaiseContext:
    """What raising an incident reads besides the device (school, area, plan, cameras): cacheable for seconds."""

    school_id: int
    school_name: str
    school_code: str
    district_code: str | None
    area_id: int | None
    area_name: str | None
    lat: float | None
    lon: float | None
    plan_id: int | None
    cameras: list[dict[str, Any]]


def raise_context(session: Session, *, school_id: int, area_id: int | None, alarm_type: str) -> RaiseContext:
    """Read the school, area, current plan and nearest cameras of an alarm (404 for an unknown school)."""
    school = session.get(School, school_id)
    if school is None:
        raise NotFound(f"unknown school {school_id}", code="unknown_school")
    area = session.get(Area, area_id) if area_id is not None else None
    plan = plans.plan_for(session, alarm_type=alarm_type, school_type=school.type)
    return RaiseContext(
        school_id=school.id,
        school_name=school.name,
        school_code=school.code,
        district_code=school.district_code,
        area_id=area.id if area else None,
        area_name=area.name if area else None,
        lat=area.lat if area and area.lat is not None else school.lat,
        lon=area.lon if area and area.lon is not None else school.lon,
        plan_id=plan.id if plan else None,
        cameras=nearest_cameras(session, school.id, area.id if area else None),
    )


class ContextCache:
    """Raise contexts of the last few seconds, so a burst of alarms reads each school once (intake only)."""

    def __init__(self, ttl_s: float = 5.0, max_entries: int = 10_000) -> None:
        self._ttl_s = ttl_s
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, int | None, str], tuple[float, RaiseContext]] = {}

    def get(self, session: Session, *, school_id: int, area_id: int | None, alarm_type: str) -> RaiseContext:
        key = (school_id, area_id, alarm_type)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self._ttl_s:
            return hit[1]
        context = raise_context(session, school_id=school_id, area_id=area_id, alarm_type=alarm_type)
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (now, context)
        return context


def raise_incident(
    session: Session,
    *,
    school_id: int,
    alarm_type: str,
    device: Device | None = None,
    area_id: int | None = None,
    occurred_at: datetime | None = None,
    source: str = "device",
    detail: dict[str, Any] | None = None,
    title: str | None = None,
    contexts: ContextCache | None = None,
) -> Incident:
    """Create an incident and publish alarm.raised; only what must survive a crash is written here.

    The incident row, its first step, the outbox event, the escalation (row + first job) and one
    hand-off job commit together; the hand-off messages themselves are built by that job afterwards.
    """
    if alarm_type not in INCIDENT_TYPES:
        raise BadRequest(f"unknown incident type {alarm_type!r}", code="unknown_type")
    if contexts is not None:
        ctx = contexts.get(session, school_id=school_id, area_id=area_id, alarm_type=alarm_type)
    else:
        ctx = raise_context(session, school_id=school_id, area_id=area_id, alarm_type=alarm_type)
    now = utcnow()
    is_test = alarm_type == "test"
    window = active_drill_window(session, school_id, now) if alarm_type in ALARM_TYPES else None
    label = TYPE_TITLES.get(alarm_type, alarm_type)
    incident = Incident(
        school_id=ctx.school_id,
        district_code=ctx.district_code,
        area_id=ctx.area_id,
        device_id=device.id if device else None,
        type=alarm_type,
        priority=PRIORITY_OF[alarm_type],
        status="resolved" if is_test else "raised",
        outcome="test" if is_test else None,
        is_drill=window is not None,
        drill_window_id=window.id if window else None,
        source=source,
        title=title
        or ("【演练】" if window else "") + f"{ctx.school_name} {ctx.area_name or ''} {label}".strip(),
        lat=ctx.lat,
        lon=ctx.lon,
        cameras=list(ctx.cameras),
        plan_id=ctx.plan_id,
        occurred_at=occurred_at or now,
        raised_at=now,
        resolved_at=now if is_test else None,
        resolved_by="system" if is_test else None,
        detail=detail or {},
    )
    session.add(incident)
    session.flush()
    _step(
        session,
        incident,
        SYSTEM,
        "raised",
        None,
        "raised",
        {"source": source, "device": device.code if device else None, "drill": incident.is_drill},
    )
    if is_test:
        _step(session, incident, SYSTEM, "resolved", "raised", "resolved", {"outcome": "test"})
    publish(
        session,
        AlarmRaised(
            incident_id=incident.id,
            school_id=ctx.school_id,
            district_code=ctx.district_code,
            status=incident.status,
            is_drill=incident.is_drill,
            alarm_type=alarm_type,
            priority=incident.priority,
            title=incident.title,
            school_name=ctx.school_name,
            school_code=ctx.school_code,
            area_id=incident.area_id,
            area_name=ctx.area_name,
            device_id=incident.device_id,
            device_code=device.code if device else None,
            lat=ctx.lat,
            lon=ctx.lon,
            cameras=incident.cameras,
            plan_id=incident.plan_id,
            source=source,
            outcome=incident.outcome,
            raised_at=now,
            device_occurred_at=incident.occurred_at,
        ),
    )
    if not is_test and alarm_type != "device_offline":
        escalation.start(session, incident)
    handoff.schedule_raised(session, incident)
    log.info(
        "alarm.raised",
        incident_id=incident.id,
        school=ctx.school_code,
        type=alarm_type,
        drill=incident.is_drill,
        source=source,
    )
    return incident


# ---------------------------------------------------------------- lifecycle


def _step(
    session: Session,
    incident: Incident,
    principal: Principal,
    action: str,
    from_status: str | None,
    to_status: str | None,
    detail: dict[str, Any] | None = None,
) -> IncidentStep:
    step = IncidentStep(
        incident_id=incident.id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        at=utcnow(),
        actor=principal.label,
        actor_id=principal.id if principal.kind == "user" else None,
        actor_role=principal.role.value,
        detail=detail or {},
    )
    session.add(step)
    return step


def get_incident(session: Session, principal: Principal, incident_id: int) -> Incident:
    """Read one incident in the caller's scope (404 outside it: existence is not revealed)."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    check_school(session, principal, incident.school_id, write=False)
    return incident


def transition(
    session: Session,
    principal: Principal,
    incident_id: int,
    action: str,
    *,
    outcome: str | None = None,
    note: str | None = None,
) -> Incident:
    """Move an incident one step; concurrent or out-of-order moves get 409, never a double step."""
    if action not in TRANSITIONS:
        raise BadRequest(f"unknown action {action!r}")
    sources, target, column = TRANSITIONS[action]
    incident = get_incident(session, principal, incident_id)
    if incident.status not in sources:
        raise Conflict(
            f"incident {incident.id} is {incident.status}; cannot {action} "
            f"(allowed from {', '.join(sources)})",
            code="bad_transition",
            extra={"incident_status": incident.status},
        )
    if action == "resolve":
        outcome = outcome or ("drill" if incident.is_drill else None)
        if outcome not in OUTCOMES:
            raise BadRequest(f"outcome must be one of {', '.join(OUTCOMES)}", code="bad_outcome")
    now = utcnow()
    values: dict[str, Any] = {"status": target, column: now, "updated_at": now}
    if action == "ack":
        values["acknowledged_by"] = principal.label
    if action == "resolve":
        values.update(outcome=outcome, resolved_by=principal.label)
        if incident.acknowledged_at is None:
            values.update(acknowledged_at=now, acknowledged_by=principal.label)
    previous = incident.status
    result = session.execute(
        update(Incident)
        .where(Incident.id == incident.id, Incident.status.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        session.refresh(incident)
        raise Conflict(
            f"incident {incident.id} is {incident.status}; cannot {action} "
            f"(allowed from {', '.join(sources)})",
            code="bad_transition",
            extra={"incident_status": incident.status},
        )
    session.refresh(incident)
    _step(
        session,
        incident,
        principal,
        target,
        previous,
        target,
        {k: v for k, v in {"outcome": outcome, "note": note}.items() if v},
    )
    if action == "ack" or action == "resolve":
        escalation.stop(session, incident, reason=target)
    publish(
        session,
        TRANSITION_EVENTS[target](
            incident_id=incident.id,
            school_id=incident.school_id,
            district_code=incident.district_code,
            status=target,
            is_drill=incident.is_drill,
            actor=principal.label,
            at=now,
            outcome=incident.outcome,
            note=note,
            **({"alarm_type": incident.type} if target == "resolved" else {}),
        ),
    )
    audit.record(
        session,
        principal=principal,
        action=f"alarm.{action}",
        target_type="incident",
        target_id=incident.id,
        school_id=incident.school_id,
        district_code=incident.district_code,
        detail={"from": previous, "to": target, "outcome": outcome},
    )
    if target in ("acknowledged", "resolved"):
        handoff.enqueue(session, incident, event=target)
    log.info("alarm.transition", incident_id=incident.id, action=action, actor=principal.label)
    return incident


def system_resolve(session: Session, incident: Incident, *, outcome: str, note: str) -> None:
    """Close an incident on the platform's behalf (device back online)."""
    if incident.status == "resolved":
        return
    now = utcnow()
    previous = incident.status
    incident.status, incident.outcome, incident.resolved_at, incident.resolved_by = (
        "resolved",
        outcome,
        now,
        "system",
    )
    if incident.acknowledged_at is None:
        incident.acknowledged_at, incident.acknowledged_by = now, "system"
    _step(session, incident, SYSTEM, "resolved", previous, "resolved", {"outcome": outcome, "note": note})
    escalation.stop(session, incident, reason="resolved")
    publish(
        session,
        TRANSITION_EVENTS["resolved"](
            incident_id=incident.id,
            school_id=incident.school_id,
            district_code=incident.district_code,
            status="resolved",
            is_drill=incident.is_drill,
            actor=SYSTEM.label,
            at=now,
            outcome=outcome,
            note=note,
            alarm_type=incident.type,
        ),
    )


def record_update(
    session: Session, principal: Principal, incident: Incident, what: str, detail: dict[str, Any]
) -> None:
    """Timeline step + audit + console refresh for a note, photo or checklist tick."""
    _step(session, incident, principal, what, None, None, detail)
    audit.record(
        session,
        principal=principal,
        action=f"alarm.{what}",
        target_type="incident",
        target_id=incident.id,
        school_id=incident.school_id,
        district_code=incident.district_code,
        detail=detail,
    )
    publish(
        session,
        AlarmUpdated(
            incident_id=incident.id,
            school_id=incident.school_id,
            district_code=incident.district_code,
            status=incident.status,
            is_drill=incident.is_drill,
            what=what,
            actor=principal.label,
        ),
    )


# ---------------------------------------------------------------- reads


@dataclass
class IncidentFilter:
    status: list[str] | None = None
    school_id: int | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    is_drill: bool | None = None
    open_only: bool = False


def list_incidents(
    session: Session, principal: Principal, flt: IncidentFilter, params: PageParams
) -> tuple[list[Incident], int]:
    """The caller's incidents, newest first."""
    stmt: Select[Any] = scoped(select(Incident), Incident.school_id, session, principal)
    if flt.status:
        stmt = stmt.where(Incident.status.in_(flt.status))
    if flt.open_only:
        stmt = stmt.where(Incident.status != "resolved")
    if flt.school_id is not None:
        stmt = stmt.where(Incident.school_id == flt.school_id)
    if flt.type:
        stmt = stmt.where(Incident.type == flt.type)
    if flt.since:
        stmt = stmt.where(Incident.raised_at >= flt.since)
    if flt.until:
        stmt = stmt.where(Incident.raised_at < flt.until)
    if flt.is_drill is not None:
        stmt = stmt.where(Incident.is_drill.is_(flt.is_drill))
    return paginate(session, stmt.order_by(Incident.raised_at.desc(), Incident.id.desc()), params)


def timeline(session: Session, incident_id: int) -> list[IncidentStep]:
    return list(
        session.scalars(
            select(IncidentStep)
            .where(IncidentStep.incident_id == incident_id)
            .order_by(IncidentStep.at, IncidentStep.id)
        ).all()
    )


def real_incident_counts(
    session: Session, school_ids: list[int] | None, since: datetime, until: datetime
) -> dict[str, int]:
    """Counts for statistics: real alarms only (drills and tests excluded), by type."""
    stmt = (
        select(Incident.type, func.count())
        .where(
            Incident.is_drill.is_(False),
            Incident.type != "test",
            Incident.raised_at >= since,
            Incident.raised_at < until,
        )
        .group_by(Incident.type)
    )
    if school_ids is not None:
        stmt = stmt.where(Incident.school_id.in_(school_ids))
    return {t: int(n) for t, n in session.execute(stmt).all()}


# ---------------------------------------------------------------- drills


def start_drill_window(
    session: Session,
    principal: Principal,
    school_id: int,
    *,
    minutes: int | None = 60,
    title: str = "",
    drill_id: int | None = None,
) -> DrillWindow:
    """Open a drill window: presses at this school are drills until it is stopped or runs out."""
    check_school(session, principal, school_id)
    school = session.get(School, school_id)
    if school is None:
        raise NotFound(f"no school {school_id}")
    if active_drill_window(session, school_id) is not None:
        raise Conflict("a drill window is already open for this school", code="drill_open")
    now = utcnow()
    window = DrillWindow(
        school_id=school_id,
        started_at=now,
        started_by=principal.label,
        title=title,
        ends_at=now + timedelta(minutes=minutes) if minutes else None,
        drill_id=drill_id,
    )
    session.add(window)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="alarm.drill_start",
        target_type="school",
        target_id=school_id,
        school_id=school_id,
        district_code=school.district_code,
        detail={"window_id": window.id, "minutes": minutes, "title": title},
    )
    publish(
        session,
        DrillWindowChanged(
            school_id=school_id,
            district_code=school.district_code,
            window_id=window.id,
            active=True,
            actor=principal.label,
        ),
    )
    return window


def stop_drill_window(session: Session, principal: Principal, school_id: int) -> DrillWindow:
    """Close the school's open drill window."""
    check_school(session, principal, school_id)
    window = active_drill_window(session, school_id)
    if window is None:
        raise Conflict("no drill window is open for this school", code="no_drill_open")
    window.stopped_at = utcnow()
    school = session.get(School, school_id)
    district = school.district_code if school else None
    audit.record(
        session,
        principal=principal,
        action="alarm.drill_stop",
        target_type="school",
        target_id=school_id,
        school_id=school_id,
        district_code=district,
        detail={"window_id": window.id},
    )
    publish(
        session,
        DrillWindowChanged(
            school_id=school_id,
            district_code=district,
            window_id=window.id,
            active=False,
            actor=principal.label,
        ),
    )
    return window


# ---------------------------------------------------------------- device supervision


def device_offline(session: Session, *, device_id: int, reason: str = "heartbeat missed") -> Incident | None:
    """Open one low-priority device_offline incident per outage (repeats are ignored)."""
    device = session.get(Device, device_id)
    if device is None:
        return None
    open_one = session.scalars(
        select(Incident).where(
            Incident.device_id == device_id, Incident.type == "device_offline", Incident.status != "resolved"
        )
    ).first()
    if open_one is not None:
        return open_one
    return raise_incident(
        session,
        school_id=device.school_id,
        alarm_type="device_offline",
        device=device,
        area_id=device.area_id,
        source="supervision",
        detail={"reason": reason, "device_code": device.code},
        title=f"{device.name} 离线",
    )


def device_online(session: Session, *, device_id: int) -> int:
    """Resolve the device's open offline incidents; returns how many were closed."""
    rows = session.scalars(
        select(Incident).where(
            Incident.device_id == device_id, Incident.type == "device_offline", Incident.status != "resolved"
        )
    ).all()
    for incident in rows:
        system_resolve(session, incident, outcome="real", note="device back online")
    return len(rows)
