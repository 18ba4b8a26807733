"""Online roll call (在线点名): every guard on duty in a scope answers with a live photo and position."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campusguard.accounts import service as accounts
from campusguard.bus.outbox import publish
from campusguard.core import audit, jobs
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, NotFound
from campusguard.core.pagination import PageParams
from campusguard.core.scope import allowed_school_ids, check_school
from campusguard.org import service as org
from campusguard.org.models import School
from campusguard.patrol import photos
from campusguard.patrol.events import RollCallAnswered, RollCallCalled, RollCallClosed
from campusguard.patrol.geo import distance_m, valid_coords
from campusguard.patrol.models import RollCall, RollCallTarget, Shift
from campusguard.patrol.schemas import RollCallIn
from campusguard.patrol.service import RecordedRefusal, raise_anomaly

log = structlog.get_logger(__name__)
CLOSE_JOB = "patrol.rollcall.close"
FAR_FROM_SCHOOL_M = 1000.0


def _schools(session: Session, principal: Principal, data: RollCallIn) -> list[School]:
    stmt = org.school_query(session, principal)
    if data.school_codes:
        codes = sorted(set(data.school_codes))
        found = list(session.scalars(stmt.where(School.code.in_(codes))).all())
        missing = set(codes) - {s.code for s in found}
        if missing:
            raise NotFound(
                f"schools not found in your scope: {', '.join(sorted(missing)[:10])}", code="unknown_school"
            )
        return found
    if data.district_code:
        found = list(session.scalars(stmt.where(School.district_code == data.district_code)).all())
        if not found:
            raise NotFound(
                f"no school of district {data.district_code} in your scope", code="unknown_district"
            )
        return found
    return list(session.scalars(stmt).all())


def start(session: Session, principal: Principal, data: RollCallIn) -> RollCall:
    """Call every guard on duty now in the chosen schools; the deadline closes it by a durable job."""
    schools = _schools(session, principal, data)
    for school in schools:
        check_school(session, principal, school.id)
    now = utcnow()
    deadline = now + timedelta(seconds=data.answer_within_s)
    caller = principal.name
    if principal.kind == "user":
        caller = accounts.get_user(session, principal.id).display_name
    rc = RollCall(
        scope=data.model_dump(exclude_none=True),
        started_by=principal.id,
        started_by_name=caller,
        started_at=now,
        deadline_at=deadline,
        schools=[s.id for s in schools],
    )
    session.add(rc)
    session.flush()
    ids = [s.id for s in schools]
    on_duty = session.scalars(
        select(Shift)
        .where(Shift.school_id.in_(ids), Shift.starts_at <= now, Shift.ends_at > now)
        .order_by(Shift.id)
    ).all()
    by_school: dict[int, list[int]] = {}
    seen: set[int] = set()
    for shift in on_duty:
        if shift.guard_user_id in seen:
            continue
        seen.add(shift.guard_user_id)
        guard = accounts.get_user(session, shift.guard_user_id)
        session.add(
            RollCallTarget(
                rollcall_id=rc.id,
                school_id=shift.school_id,
                guard_user_id=guard.id,
                guard_name=guard.display_name,
                shift_id=shift.id,
            )
        )
        by_school.setdefault(shift.school_id, []).append(guard.id)
    session.flush()
    district = {s.id: s.district_code for s in schools}
    for school_id, guards in by_school.items():
        publish(
            session,
            RollCallCalled(
                school_id=school_id,
                district_code=district[school_id],
                rollcall_id=rc.id,
                deadline_at=deadline.isoformat(),
                guard_user_ids=guards,
                started_by_name=caller,
            ),
        )
    jobs.schedule(
        session,
        kind=CLOSE_JOB,
        run_at=deadline,
        payload={"rollcall_id": rc.id},
        key=f"rollcall-close:{rc.id}",
    )
    audit.record(
        session,
        principal=principal,
        action="rollcall.start",
        target_type="rollcall",
        target_id=rc.id,
        detail={
            "scope": rc.scope,
            "schools": len(schools),
            "guards": len(seen),
            "answer_within_s": data.answer_within_s,
        },
    )
    log.info("rollcall.started", id=rc.id, schools=len(schools), guards=len(seen))
    return rc


def _visible(session: Session, principal: Principal, rc: RollCall) -> bool:
    ids = allowed_school_ids(session, principal)
    if ids is None or rc.started_by == principal.id:
        return True
    return bool(ids & set(rc.schools))


def get(session: Session, principal: Principal, rollcall_id: int) -> RollCall:
    rc = session.get(RollCall, rollcall_id)
    if rc is None or not _visible(session, principal, rc):
        raise NotFound(f"roll call {rollcall_id} not found")
    return rc


def list_query(session: Session, principal: Principal) -> Select[Any]:
    stmt = select(RollCall).order_by(RollCall.id.desc())
    ids = allowed_school_ids(session, principal)
    if ids is None:
        return stmt
    mine = set(
        session.scalars(select(RollCallTarget.rollcall_id).where(RollCallTarget.school_id.in_(ids))).all()
    )
    return stmt.where((RollCall.id.in_(mine)) | (RollCall.started_by == principal.id))


def list_page(session: Session, principal: Principal, params: PageParams) -> tuple[list[RollCall], int]:
    rows = list(session.scalars(list_query(session, principal)).all())
    return rows[params.offset : params.offset + params.limit], len(rows)


def effective_status(rc: RollCall, target: RollCallTarget) -> str:
    if target.status == "pending" and utcnow() > rc.deadline_at:
        return "missing"
    return target.status


def result(session: Session, principal: Principal, rc: RollCall) -> dict[str, Any]:
    """The result table: one row per guard, and answered/late/missing per school (scoped)."""
    ids = allowed_school_ids(session, principal)
    targets = session.scalars(
        select(RollCallTarget)
        .where(RollCallTarget.rollcall_id == rc.id)
        .order_by(RollCallTarget.school_id, RollCallTarget.id)
    ).all()
    school_ids = [s for s in rc.schools if ids is None or s in ids]
    schools = {s.id: s for s in session.scalars(select(School).where(School.id.in_(school_ids)))}
    rows = []
    per_school: dict[int, Counter[str]] = {sid: Counter() for sid in school_ids}
    for t in targets:
        if t.school_id not in per_school:
            continue
        status = effective_status(rc, t)
        per_school[t.school_id][status] += 1
        school = schools.get(t.school_id)
        rows.append(
            {
                "guard_user_id": t.guard_user_id,
                "guard_name": t.guard_name,
                "school_id": t.school_id,
                "school_code": school.code if school else None,
                "status": status,
                "answered_at": t.answered_at,
                "lat": t.lat,
                "lon": t.lon,
                "distance_m": t.distance_m,
                "photo_id": t.photo_id,
            }
        )
    summary = []
    for sid in school_ids:
        c = per_school[sid]
        school = schools.get(sid)
        summary.append(
            {
                "school_id": sid,
                "school_code": school.code if school else None,
                "school_name": school.name if school else None,
                "on_duty": sum(c.values()),
                "answered": c["answered"],
                "late": c["late"],
                "missing": c["missing"],
                "pending": c["pending"],
            }
        )
    totals = Counter[str]()
    for c in per_school.values():
        totals.update(c)
    return {
        "id": rc.id,
        "scope": rc.scope,
        "started_by_name": rc.started_by_name,
        "started_at": rc.started_at,
        "deadline_at": rc.deadline_at,
        "closed": rc.closed_at is not None or utcnow() > rc.deadline_at,
        "totals": {k: totals[k] for k in ("answered", "late", "missing", "pending")},
        "schools": summary,
        "guards": rows,
    }


def pending_for(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Roll calls this guard still has to answer (the phone shows them even without the WebSocket)."""
    now = utcnow()
    rows = (
        session.execute(
            select(RollCall, RollCallTarget)
            .join(RollCallTarget, RollCallTarget.rollcall_id == RollCall.id)
            .where(
                RollCallTarget.guard_user_id == principal.id,
                RollCallTarget.status == "pending",
                RollCall.deadline_at > now,
            )
            .order_by(RollCall.deadline_at)
        )
        .tuples()
        .all()
    )
    return [
        {"rollcall_id": rc.id, "deadline_at": rc.deadline_at, "started_by_name": rc.started_by_name}
        for rc, _ in rows
    ]


def answer(
    session: Session, principal: Principal, rollcall_id: int, *, photo: bytes, lat: float, lon: float
) -> RollCallTarget:
    """Record the answer; after the deadline it is kept as late and refused (the caller returns a 4xx)."""
    rc = session.get(RollCall, rollcall_id)
    target = (
        None
        if rc is None
        else session.scalars(
            select(RollCallTarget).where(
                RollCallTarget.rollcall_id == rc.id, RollCallTarget.guard_user_id == principal.id
            )
        ).first()
    )
    if rc is None or target is None:
        raise NotFound(f"roll call {rollcall_id} was not addressed to you")
    if target.status in ("answered", "late"):
        raise Conflict("you already answered this roll call", code="already_answered")
    if not valid_coords(lat, lon):
        raise BadRequest("a live location is required", code="invalid_location")
    now = utcnow()
    stored = photos.store(session, data=photo, user_id=principal.id, school_id=target.school_id)
    school = session.get(School, target.school_id)
    if school is not None and school.lat is not None and school.lon is not None:
        target.distance_m = round(distance_m(school.lat, school.lon, lat, lon), 1)
    target.answered_at, target.lat, target.lon, target.photo_id = now, lat, lon, stored.id
    late = now > rc.deadline_at
    target.status = "late" if late else "answered"
    district = school.district_code if school else None
    publish(
        session,
        RollCallAnswered(
            school_id=target.school_id,
            district_code=district,
            rollcall_id=rc.id,
            guard_user_id=principal.id,
            status=target.status,
        ),
    )
    audit.record(
        session,
        principal=principal,
        action="rollcall.answer",
        target_type="rollcall",
        target_id=rc.id,
        school_id=target.school_id,
        detail={"status": target.status, "distance_m": target.distance_m},
    )
    if late:
        anomaly = raise_anomaly(
            session,
            kind="rollcall_late",
            school_id=target.school_id,
            guard_user_id=principal.id,
            shift_id=target.shift_id,
            key=f"rollcall-late:{rc.id}:{principal.id}",
            detail={
                "rollcall_id": rc.id,
                "deadline_at": rc.deadline_at.isoformat(),
                "answered_at": now.isoformat(),
            },
        )
        raise RecordedRefusal(
            f"the deadline passed at {rc.deadline_at.isoformat()}; recorded as late",
            code="rollcall_late",
            status=409,
            extra={"anomaly_id": anomaly.id if anomaly else None, "recorded_as": "late"},
        )
    if target.distance_m is not None and target.distance_m > FAR_FROM_SCHOOL_M:
        log.info("rollcall.answer_far", rollcall=rc.id, guard=principal.id, distance_m=target.distance_m)
    return target


def close(session: Session, rollcall_id: int) -> int:
    """At the deadline: pending guards become missing, each an anomaly; returns how many were missing."""
    rc = session.get(RollCall, rollcall_id)
    if rc is None or rc.closed_at is not None:
        return 0
    now = utcnow()
    if now < rc.deadline_at:
        raise RuntimeError("roll call closed before its deadline")  # the job retries later
    missing = session.scalars(
        select(RollCallTarget).where(RollCallTarget.rollcall_id == rc.id, RollCallTarget.status == "pending")
    ).all()
    for t in missing:
        t.status = "missing"
        raise_anomaly(
            session,
            kind="rollcall_missing",
            school_id=t.school_id,
            guard_user_id=t.guard_user_id,
            shift_id=t.shift_id,
            key=f"rollcall-missing:{rc.id}:{t.guard_user_id}",
            detail={"rollcall_id": rc.id, "deadline_at": rc.deadline_at.isoformat()},
        )
    rc.closed_at = now
    publish(session, RollCallClosed(rollcall_id=rc.id, missing=len(missing)))
    audit.record(
        session,
        principal=None,
        action="rollcall.close",
        target_type="rollcall",
        target_id=rc.id,
        detail={"missing": len(missing)},
    )
    log.info("rollcall.closed", id=rc.id, missing=len(missing))
    return len(missing)
