"""Drill services: plan, conduct (opening the alarm module's drill window), evaluate, statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, NotFound, ProblemError
from campusguard.core.scope import check_school, scoped
from campusguard.drill import events as ev
from campusguard.drill.models import Drill
from campusguard.drill.rules import KINDS, DrillTransitionRefused, check_timings, next_status
from campusguard.drill.schemas import DrillIn, DrillStats, DrillStatsRow, EvaluateIn, StopIn
from campusguard.org.models import Region, School

log = structlog.get_logger(__name__)


def _alarm() -> Any | None:
    """The alarm service if it offers drill windows (it is another domain; degrade if absent)."""
    try:
        from campusguard.alarm import service as alarm_service
    except ImportError:
        return None
    if hasattr(alarm_service, "start_drill_window") and hasattr(alarm_service, "stop_drill_window"):
        return alarm_service
    return None


def _school(session: Session, school_id: int) -> School:
    school = session.get(School, school_id)
    if school is None:
        raise NotFound(f"school {school_id} not found")
    return school


def _audit(session: Session, principal: Principal, action: str, drill: Drill, **detail: Any) -> None:
    school = _school(session, drill.school_id)
    audit.record(session, principal=principal, action=f"drill.{action}", target_type="drill",
                 target_id=drill.id, school_id=drill.school_id, district_code=school.district_code,
                 detail=detail)


def _event(drill: Drill, school: School, principal: Principal) -> dict[str, Any]:
    return {"drill_id": drill.id, "kind": drill.kind, "status": drill.status, "title": drill.title,
            "school_id": drill.school_id, "district_code": school.district_code, "school_code": school.code,
            "actor": principal.name}


def _step(drill: Drill, action: str) -> str:
    before = drill.status
    try:
        drill.status = next_status(before, action)
    except DrillTransitionRefused as exc:
        raise Conflict(str(exc), code="invalid_transition", extra={"current_status": before}) from exc
    return before


def get(session: Session, principal: Principal, drill_id: int, *, lock: bool = False) -> Drill:
    drill = session.get(Drill, drill_id, with_for_update=lock or None)
    if drill is None:
        raise NotFound(f"drill {drill_id} not found")
    check_school(session, principal, drill.school_id, write=False)
    return drill


def _writable(session: Session, principal: Principal, drill_id: int) -> Drill:
    drill = get(session, principal, drill_id, lock=True)
    check_school(session, principal, drill.school_id, write=True)
    return drill


def query(session: Session, principal: Principal, *, school_id: int | None = None, status: str | None = None,
          kind: str | None = None) -> Select[Any]:
    stmt = scoped(select(Drill).order_by(Drill.scheduled_at.desc(), Drill.id.desc()), Drill.school_id,
                  session, principal)
    if school_id is not None:
        stmt = stmt.where(Drill.school_id == school_id)
    if status:
        stmt = stmt.where(Drill.status.in_(status.split(",")))
    if kind:
        stmt = stmt.where(Drill.kind == kind)
    return stmt


def plan(session: Session, principal: Principal, data: DrillIn) -> Drill:
    """A school schedules a drill."""
    school = session.scalars(select(School).where(School.code == data.school_code)).first()
    if school is None:
        raise NotFound(f"school {data.school_code} not found", code="unknown_school")
    check_school(session, principal, school.id, write=True)
    if data.scheduled_at.tzinfo is None:
        raise BadRequest("scheduled_at needs a time zone", code="naive_datetime")
    drill = Drill(school_id=school.id, kind=data.kind, title=data.title.strip(), scenario=data.scenario,
                  status="planned", scheduled_at=data.scheduled_at,
                  planned_participants=data.planned_participants, created_by=principal.name)
    session.add(drill)
    session.flush()
    _audit(session, principal, "plan", drill, kind=drill.kind, scheduled_at=data.scheduled_at.isoformat())
    return drill


def start(session: Session, principal: Principal, drill_id: int, window_minutes: int = 60) -> Drill:
    """Begin the drill now and open the alarm drill window so presses are tagged as drill."""
    drill = _writable(session, principal, drill_id)
    _step(drill, "start")
    school = _school(session, drill.school_id)
    drill.started_at = utcnow()
    drill.started_by = principal.name
    alarm = _alarm()
    if alarm is not None:
        try:
            window = alarm.start_drill_window(session, principal, drill.school_id, minutes=window_minutes,
                                              title=drill.title, drill_id=drill.id)
        except ProblemError as exc:
            if exc.code != "drill_open":
                raise
            window = alarm.active_drill_window(session, drill.school_id)  # opened from the alarm console
        drill.alarm_window_id = window.id if window is not None else None
    else:
        log.warning("drill.no_alarm_window", drill_id=drill.id)
    session.flush()
    _audit(session, principal, "start", drill, alarm_window_id=drill.alarm_window_id)
    publish(session, ev.DrillStarted(**_event(drill, school, principal),
                                     alarm_window_id=drill.alarm_window_id))
    return drill


def _presses(session: Session, window_id: int | None) -> int:
    """Alarm presses the alarm module tagged to this drill's window."""
    if window_id is None:
        return 0
    try:
        from campusguard.alarm.models import Incident
    except ImportError:
        return 0
    return int(session.scalar(select(func.count()).where(Incident.drill_window_id == window_id)) or 0)


def stop(session: Session, principal: Principal, drill_id: int, data: StopIn) -> Drill:
    """End the drill with its participants and timings; closes the alarm drill window."""
    drill = _writable(session, principal, drill_id)
    try:
        timings = check_timings(data.timings)
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_timings") from exc
    _step(drill, "stop")
    school = _school(session, drill.school_id)
    drill.ended_at = utcnow()
    drill.participants = data.participants
    drill.participant_groups = [g.strip()[:64] for g in data.participant_groups if g.strip()]
    if drill.started_at is not None:
        timings.setdefault("total_s", round((drill.ended_at - drill.started_at).total_seconds(), 1))
    drill.timings = timings
    alarm = _alarm()
    if alarm is not None and drill.alarm_window_id is not None:
        active = alarm.active_drill_window(session, drill.school_id)
        if active is not None and active.id == drill.alarm_window_id:
            alarm.stop_drill_window(session, principal, drill.school_id)
    drill.alarm_presses = _presses(session, drill.alarm_window_id)
    session.flush()
    _audit(session, principal, "stop", drill, participants=data.participants, timings=timings,
           alarm_presses=drill.alarm_presses)
    publish(session, ev.DrillCompleted(**_event(drill, school, principal), participants=data.participants,
                                       timings=timings))
    return drill


def evaluate(session: Session, principal: Principal, drill_id: int, data: EvaluateIn) -> Drill:
    drill = _writable(session, principal, drill_id)
    _step(drill, "evaluate")
    school = _school(session, drill.school_id)
    drill.score = data.score
    drill.notes = data.notes
    drill.evaluated_by = principal.name
    drill.evaluated_at = utcnow()
    session.flush()
    _audit(session, principal, "evaluate", drill, score=data.score)
    publish(session, ev.DrillEvaluated(**_event(drill, school, principal), score=data.score))
    return drill


def cancel(session: Session, principal: Principal, drill_id: int) -> Drill:
    drill = _writable(session, principal, drill_id)
    before = _step(drill, "cancel")
    session.flush()
    _audit(session, principal, "cancel", drill, from_status=before)
    return drill


def stats(session: Session, principal: Principal, *, by: str = "school", since: datetime | None = None,
          until: datetime | None = None) -> DrillStats:
    """Counts and results per school or district over drills scheduled in [since, until)."""
    key: Any = School.id if by == "school" else School.district_code
    evac = Drill.timings["evacuation_s"].as_float()
    stmt = (select(key, Drill.kind, Drill.status, func.count(), func.sum(Drill.score),
                   func.count(Drill.score), func.sum(evac), func.count(evac))
            .join(School, School.id == Drill.school_id).group_by(key, Drill.kind, Drill.status))
    stmt = scoped(stmt, Drill.school_id, session, principal)
    if since is not None:
        stmt = stmt.where(Drill.scheduled_at >= since)
    if until is not None:
        stmt = stmt.where(Drill.scheduled_at < until)
    acc: dict[str, dict[str, Any]] = {}

    def bucket(k: str) -> dict[str, Any]:
        return acc.setdefault(k, {"planned": 0, "conducted": 0, "evaluated": 0, "cancelled": 0, "score": 0.0,
                                  "scored": 0, "evac": 0.0, "evac_n": 0, "by_kind": {}})

    for k, kind, status, n, score_sum, score_n, evac_sum, evac_n in session.execute(stmt).tuples().all():
        for b in (bucket(str(k)), bucket("__total__")):
            b["planned"] += int(n)
            if status in ("completed", "evaluated"):
                b["conducted"] += int(n)
                b["by_kind"][kind] = b["by_kind"].get(kind, 0) + int(n)
            if status == "evaluated":
                b["evaluated"] += int(n)
            if status == "cancelled":
                b["cancelled"] += int(n)
            b["score"] += float(score_sum or 0)
            b["scored"] += int(score_n or 0)
            b["evac"] += float(evac_sum or 0)
            b["evac_n"] += int(evac_n or 0)
    total = acc.pop("__total__", None) or bucket("__total__")
    acc.pop("__total__", None)
    names = _names(session, by, list(acc))

    def row(k: str, name: str, b: dict[str, Any]) -> DrillStatsRow:
        return DrillStatsRow(key=k, name=name, planned=b["planned"], conducted=b["conducted"],
                             evaluated=b["evaluated"], cancelled=b["cancelled"],
                             avg_score=round(b["score"] / b["scored"], 1) if b["scored"] else None,
                             avg_evacuation_s=round(b["evac"] / b["evac_n"], 1) if b["evac_n"] else None,
                             by_kind={kd: b["by_kind"].get(kd, 0) for kd in KINDS})

    items = sorted((row(k, names.get(k, k), b) for k, b in acc.items()), key=lambda r: (-r.conducted, r.key))
    return DrillStats(by=by, since=since, until=until, items=items, total=row("total", "total", total))


def _names(session: Session, by: str, keys: list[str]) -> dict[str, str]:
    if not keys:
        return {}
    if by == "school":
        rows = session.execute(select(School.id, School.name).where(
            School.id.in_([int(k) for k in keys]))).tuples().all()
        return {str(k): v for k, v in rows}
    return dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(keys))).tuples().all())
