"""Hazard services: report, assign, rectify, verify/reject, photos, overdue sweep and statistics."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import structlog
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unprocessable
from campusguard.core.scope import check_school, scoped
from campusguard.hazard import events as ev
from campusguard.hazard.models import Hazard, HazardLog, HazardPhoto
from campusguard.hazard.photos import Photo, PhotoRejected, normalise
from campusguard.hazard.rules import (
    ESCALATION_LEVELS,
    OPEN_STATUSES,
    HazardPolicy,
    TransitionRefused,
    allowed_actions,
    next_status,
)
from campusguard.hazard.schemas import AssignIn, HazardIn
from campusguard.org.models import Area, Grid, School

log = structlog.get_logger(__name__)

# Permission each action needs (verify/reject also open to the grid's responsible person).
ACTION_PERMISSION = {"assign": "hazard.assign", "rectify": "hazard.rectify", "verify": "hazard.verify",
                     "reject": "hazard.verify"}
STAGE_BY_STATUS = {"reported": "report", "assigned": "rectification", "rejected": "rectification",
                   "rectified": "verification"}


@lru_cache
def policy() -> HazardPolicy:
    """Process-wide hazard policy (CG_HAZARD_* environment)."""
    return HazardPolicy()


# ---- helpers ------------------------------------------------------------------------------------

def _school(session: Session, school_id: int) -> School:
    school = session.get(School, school_id)
    if school is None:  # cascade deletes make this unreachable for stored hazards
        raise NotFound(f"school {school_id} not found")
    return school


def _school_by_code(session: Session, principal: Principal, code: str) -> School:
    school = session.scalars(select(School).where(School.code == code)).first()
    if school is None:
        raise NotFound(f"school {code} not found", code="unknown_school")
    check_school(session, principal, school.id, write=False)
    return school


def _grid(session: Session, school: School) -> Grid | None:
    return session.get(Grid, school.grid_id) if school.grid_id else None


def is_grid_owner(session: Session, principal: Principal, hazard: Hazard) -> bool:
    """The grid's responsible person may verify its schools' hazards whatever their role."""
    if principal.kind != "user":
        return False
    grid = _grid(session, _school(session, hazard.school_id))
    return grid is not None and grid.owner_user_id is not None and grid.owner_user_id == principal.id


def may(session: Session, principal: Principal, hazard: Hazard, action: str) -> bool:
    """Whether the caller holds the right to perform an action (state aside)."""
    if principal.can(ACTION_PERMISSION[action]):
        return True
    return action in ("verify", "reject") and is_grid_owner(session, principal, hazard)


def actions_for(session: Session, principal: Principal, hazard: Hazard) -> list[str]:
    """Actions the caller may take now: both the state and the permission allow them."""
    return [a for a in allowed_actions(hazard.status) if may(session, principal, hazard, a)]


def _log(session: Session, hazard: Hazard, principal: Principal, action: str, from_status: str | None,
         note: str | None = None, **detail: Any) -> None:
    session.add(HazardLog(hazard_id=hazard.id, at=utcnow(), action=action, from_status=from_status,
                          to_status=hazard.status, actor=principal.name,
                          actor_id=principal.id if principal.kind == "user" else None, note=note,
                          detail=detail))


def _audit(session: Session, principal: Principal, action: str, hazard: Hazard, school: School,
           **detail: Any) -> None:
    audit.record(session, principal=principal, action=f"hazard.{action}", target_type="hazard",
                 target_id=hazard.id, school_id=hazard.school_id, district_code=school.district_code,
                 detail=detail)


def _event_base(hazard: Hazard, school: School, principal: Principal) -> dict[str, Any]:
    return {"hazard_id": hazard.id, "status": hazard.status, "category": hazard.category,
            "severity": hazard.severity, "school_id": hazard.school_id, "district_code": school.district_code,
            "school_code": school.code, "school_name": school.name, "actor": principal.name}


# ---- reads --------------------------------------------------------------------------------------

def get(session: Session, principal: Principal, hazard_id: int, *, lock: bool = False) -> Hazard:
    """A hazard in the caller's scope, else 404 (existence is not revealed)."""
    hazard = session.get(Hazard, hazard_id, with_for_update=lock or None)
    if hazard is None:
        raise NotFound(f"hazard {hazard_id} not found")
    check_school(session, principal, hazard.school_id, write=False)
    return hazard


def query(session: Session, principal: Principal, *, school_id: int | None = None, status: str | None = None,
          severity: str | None = None, category: str | None = None, overdue: bool | None = None,
          grid_id: int | None = None, district_code: str | None = None, assignee_user_id: int | None = None,
          open_only: bool = False, q: str | None = None) -> Select[Any]:
    """The caller's hazards, newest first, with optional filters."""
    stmt = scoped(select(Hazard).order_by(Hazard.reported_at.desc(), Hazard.id.desc()), Hazard.school_id,
                  session, principal)
    if school_id is not None:
        stmt = stmt.where(Hazard.school_id == school_id)
    if status:
        stmt = stmt.where(Hazard.status.in_(status.split(",")))
    if open_only:
        stmt = stmt.where(Hazard.status.in_(sorted(OPEN_STATUSES | {"rectified"})))
    if severity:
        stmt = stmt.where(Hazard.severity == severity)
    if category:
        stmt = stmt.where(Hazard.category == category)
    if overdue is not None:
        stmt = stmt.where(Hazard.overdue.is_(overdue))
    if assignee_user_id is not None:
        stmt = stmt.where(Hazard.assignee_user_id == assignee_user_id)
    if grid_id is not None or district_code:
        sub = select(School.id)
        if grid_id is not None:
            sub = sub.where(School.grid_id == grid_id)
        if district_code:
            sub = sub.where(School.district_code == district_code)
        stmt = stmt.where(Hazard.school_id.in_(sub))
    if q:
        stmt = stmt.where(Hazard.description.ilike(f"%{q.strip()}%"))
    return stmt


def photos_of(session: Session, hazard_id: int) -> list[HazardPhoto]:
    return list(session.scalars(select(HazardPhoto).where(HazardPhoto.hazard_id == hazard_id)
                                .order_by(HazardPhoto.id)).all())


def history_of(session: Session, hazard_id: int) -> list[HazardLog]:
    return list(session.scalars(select(HazardLog).where(HazardLog.hazard_id == hazard_id)
                                .order_by(HazardLog.at, HazardLog.id)).all())


def photo_counts(session: Session, hazard_ids: list[int]) -> dict[int, int]:
    if not hazard_ids:
        return {}
    rows = session.execute(select(HazardPhoto.hazard_id, func.count()).where(
        HazardPhoto.hazard_id.in_(hazard_ids)).group_by(HazardPhoto.hazard_id)).tuples().all()
    return {int(k): int(v) for k, v in rows}


# ---- report -------------------------------------------------------------------------------------

def report(session: Session, principal: Principal, data: HazardIn, *, source: str | None = None,
           task_id: int | None = None, inspection_id: int | None = None) -> tuple[Hazard, bool]:
    """Open a hazard; with a client_id already seen, return that hazard instead (created=False)."""
    if data.client_id:
        existing = session.scalars(select(Hazard).where(Hazard.client_id == data.client_id)).first()
        if existing is not None:
            return _replayed(session, principal, existing, data), False
    school = _school_by_code(session, principal, data.school_code)
    check_school(session, principal, school.id, write=True)
    if data.area_id is not None:
        area = session.get(Area, data.area_id)
        if area is None or area.school_id != school.id:
            raise BadRequest(f"area {data.area_id} is not an area of school {school.code}",
                             code="unknown_area")
    now = utcnow()
    hazard = Hazard(school_id=school.id, area_id=data.area_id, category=data.category, severity=data.severity,
                    status="reported", description=data.description.strip(), location=data.location.strip(),
                    lat=data.lat, lon=data.lon, source=source or data.source, client_id=data.client_id,
                    reported_by_id=principal.id if principal.kind == "user" else None,
                    reported_by=principal.name, reported_at=now, task_id=task_id, inspection_id=inspection_id)
    try:
        with session.begin_nested():
            session.add(hazard)
            session.flush()
    except IntegrityError:
        # Two deliveries of the same offline report raced; the other one won.
        existing = session.scalars(select(Hazard).where(Hazard.client_id == data.client_id)).first()
        if existing is None or not data.client_id:
            raise
        return _replayed(session, principal, existing, data), False
    _log(session, hazard, principal, "report", None, source=hazard.source)
    _audit(session, principal, "report", hazard, school, category=hazard.category, severity=hazard.severity,
           source=hazard.source, client_id=hazard.client_id)
    publish(session, ev.HazardReported(**_event_base(hazard, school, principal),
                                       description=hazard.description[:200], source=hazard.source))
    log.info("hazard.reported", hazard_id=hazard.id, school=school.code, severity=hazard.severity)
    return hazard, True


def _replayed(session: Session, principal: Principal, existing: Hazard, data: HazardIn) -> Hazard:
    """A replayed offline report: same hazard, but only to someone who may see it and for the same school."""
    check_school(session, principal, existing.school_id, write=False)
    if _school(session, existing.school_id).code != data.school_code:
        raise Conflict("this client_id was already used for another school", code="client_id_reused")
    log.info("hazard.report_replayed", hazard_id=existing.id, client_id=data.client_id)
    return existing


# ---- transitions --------------------------------------------------------------------------------

def _transition(session: Session, principal: Principal, hazard_id: int,
                action: str) -> tuple[Hazard, School, str]:
    hazard = get(session, principal, hazard_id, lock=True)
    check_school(session, principal, hazard.school_id, write=True)
    if not may(session, principal, hazard, action):
        raise Forbidden(f"role {principal.role.value} may not {action} hazards", code="forbidden")
    before = hazard.status
    try:
        hazard.status = next_status(before, action)
    except TransitionRefused as exc:
        raise Conflict(str(exc), code="invalid_transition",
                       extra={"current_status": before, "allowed": allowed_actions(before)}) from exc
    return hazard, _school(session, hazard.school_id), before


def assign(session: Session, principal: Principal, hazard_id: int, data: AssignIn) -> Hazard:
    """Hand the hazard to someone with a deadline (by severity unless given)."""
    now = utcnow()
    hazard, school, before = _transition(session, principal, hazard_id, "assign")
    if data.due_at is not None:
        if data.due_at.tzinfo is None:
            raise BadRequest("due_at needs a time zone", code="naive_datetime")
        if data.due_at <= now:
            raise BadRequest("due_at must be in the future", code="due_in_past")
        hazard.due_at = data.due_at
    else:
        hazard.due_at = policy().deadline(hazard.severity, now)
    hazard.assignee_user_id = data.assignee_user_id
    hazard.assignee_name = data.assignee_name
    hazard.assigned_at = now
    # A fresh deadline clears the flag; the escalation already reported stays in the history.
    hazard.overdue = False
    hazard.escalation_level = 0
    session.flush()
    _log(session, hazard, principal, "assign", before, data.note, assignee=data.assignee_name,
         due_at=hazard.due_at.isoformat())
    _audit(session, principal, "assign", hazard, school, assignee_user_id=data.assignee_user_id,
           assignee_name=data.assignee_name, due_at=hazard.due_at.isoformat())
    publish(session, ev.HazardAssigned(**_event_base(hazard, school, principal),
                                       assignee_user_id=hazard.assignee_user_id,
                                       assignee_name=hazard.assignee_name, due_at=hazard.due_at))
    return hazard


def _evidence_since(session: Session, hazard: Hazard) -> datetime | None:
    last_reject = session.scalar(select(func.max(HazardLog.at)).where(HazardLog.hazard_id == hazard.id,
                                                                     HazardLog.action == "reject"))
    candidates = [t for t in (hazard.assigned_at, last_reject) if t is not None]
    return max(candidates) if candidates else None


def rectify(session: Session, principal: Principal, hazard_id: int, note: str) -> Hazard:
    """Hand in the rectification; photo evidence taken since the assignment (or rejection) is required."""
    hazard, school, before = _transition(session, principal, hazard_id, "rectify")
    if policy().require_rectify_photo:
        since = _evidence_since(session, hazard)
        stmt = select(func.count()).where(HazardPhoto.hazard_id == hazard.id,
                                          HazardPhoto.stage == "rectification")
        if since is not None:
            stmt = stmt.where(HazardPhoto.created_at >= since)
        if not session.scalar(stmt):
            raise Unprocessable("upload at least one photo of the rectified site first",
                                code="evidence_required")
    now = utcnow()
    hazard.rectified_at = now
    hazard.rectification_note = note.strip()
    session.flush()
    late = bool(hazard.due_at and now > hazard.due_at)
    _log(session, hazard, principal, "rectify", before, note, late=late)
    _audit(session, principal, "rectify", hazard, school, note=note[:200])
    publish(session, ev.HazardRectified(**_event_base(hazard, school, principal)))
    return hazard


def verify(session: Session, principal: Principal, hazard_id: int, note: str | None) -> Hazard:
    """Close the hazard: the grid owner or liaison officer accepts the rectification."""
    hazard, school, before = _transition(session, principal, hazard_id, "verify")
    hazard.verified_at = utcnow()
    hazard.verified_by = principal.name
    session.flush()
    _log(session, hazard, principal, "verify", before, note)
    _audit(session, principal, "verify", hazard, school, note=(note or "")[:200])
    publish(session, ev.HazardVerified(**_event_base(hazard, school, principal)))
    return hazard


def reject(session: Session, principal: Principal, hazard_id: int, reason: str) -> Hazard:
    """Send the rectification back; the original deadline still stands."""
    hazard, school, before = _transition(session, principal, hazard_id, "reject")
    hazard.reject_count += 1
    hazard.rectified_at = None
    session.flush()
    _log(session, hazard, principal, "reject", before, reason)
    _audit(session, principal, "reject", hazard, school, reason=reason[:200])
    publish(session, ev.HazardRejected(**_event_base(hazard, school, principal), reason=reason[:500]))
    return hazard


# ---- photos -------------------------------------------------------------------------------------

def normalise_photo(raw: bytes) -> Photo:
    """Validate and re-encode an upload (shared with the liaison-task domain); 4xx on bad input."""
    p = policy()
    try:
        return normalise(raw, max_bytes=p.photo_max_bytes, max_pixels=p.photo_max_pixels)
    except PhotoRejected as exc:
        log.info("hazard.photo_rejected", code=exc.code, size=len(raw))
        if exc.code == "photo_too_large":
            raise PayloadTooLarge(str(exc), code=exc.code) from exc
        raise Unprocessable(str(exc), code=exc.code) from exc


def add_photo(session: Session, principal: Principal, hazard_id: int, raw: bytes) -> tuple[HazardPhoto, bool]:
    """Attach a photo to the hazard's current stage; the same image sent twice is stored once."""
    hazard = get(session, principal, hazard_id)
    check_school(session, principal, hazard.school_id, write=True)
    if not any(principal.can(p) for p in ("hazard.report", "hazard.rectify", "hazard.verify")) \
            and not is_grid_owner(session, principal, hazard):
        raise Forbidden("you may not add photos to hazards", code="forbidden")
    stage = STAGE_BY_STATUS.get(hazard.status)
    if stage is None:
        raise Conflict(f"a {hazard.status} hazard takes no more photos", code="hazard_closed")
    photo = normalise_photo(raw)
    same = session.scalars(select(HazardPhoto).where(HazardPhoto.hazard_id == hazard.id,
                                                     HazardPhoto.sha256 == photo.sha256)).first()
    if same is not None:
        return same, False
    count = session.scalar(select(func.count()).where(HazardPhoto.hazard_id == hazard.id)) or 0
    if count >= policy().photos_per_hazard:
        raise Conflict(f"a hazard holds at most {policy().photos_per_hazard} photos", code="too_many_photos")
    row = HazardPhoto(hazard_id=hazard.id, stage=stage, content_type=photo.content_type, data=photo.data,
                      size=len(photo.data), width=photo.width, height=photo.height, sha256=photo.sha256,
                      uploaded_by=principal.name,
                      uploaded_by_id=principal.id if principal.kind == "user" else None,
                      created_at=utcnow())
    session.add(row)
    session.flush()
    school = _school(session, hazard.school_id)
    _audit(session, principal, "photo", hazard, school, photo_id=row.id, stage=stage, sha256=photo.sha256)
    return row, True


def get_photo(session: Session, principal: Principal, hazard_id: int, photo_id: int) -> HazardPhoto:
    get(session, principal, hazard_id)
    row = session.get(HazardPhoto, photo_id)
    if row is None or row.hazard_id != hazard_id:
        raise NotFound(f"photo {photo_id} not found")
    return row


# ---- overdue sweep ------------------------------------------------------------------------------

def sweep_overdue(session: Session, now: datetime | None = None, limit: int = 500) -> int:
    """Flag hazards past their deadline and climb the escalation ladder; returns how many changed."""
    from campusguard.core.auth import SYSTEM

    now = now or utcnow()
    p = policy()
    stmt = (select(Hazard).where(Hazard.status.in_(sorted(OPEN_STATUSES)), Hazard.due_at.is_not(None),
                                 Hazard.due_at < now, Hazard.escalation_level < len(ESCALATION_LEVELS) - 1)
            .order_by(Hazard.due_at).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    changed = 0
    for hazard in session.scalars(stmt).all():
        assert hazard.due_at is not None
        level = p.escalation_level(hazard.severity, hazard.due_at, now)
        if level <= hazard.escalation_level:
            continue
        first = not hazard.overdue
        reached = ESCALATION_LEVELS[hazard.escalation_level + 1:level + 1]
        hazard.overdue = True
        hazard.overdue_at = hazard.overdue_at or now
        hazard.escalation_level = level
        school = _school(session, hazard.school_id)
        grid = _grid(session, school)
        target = ESCALATION_LEVELS[level]
        _log(session, hazard, SYSTEM, "escalate" if not first else "overdue", hazard.status,
             f"overdue since {hazard.due_at.isoformat()}; escalated to {target}", level=level)
        _audit(session, SYSTEM, "escalate", hazard, school, level=level, escalated_to=target,
               due_at=hazard.due_at.isoformat())
        publish(session, ev.HazardOverdue(**_event_base(hazard, school, SYSTEM), due_at=hazard.due_at,
                                          escalation_level=level, escalated_to=target,
                                          grid_id=grid.id if grid else None,
                                          grid_owner_user_id=grid.owner_user_id if grid else None,
                                          assignee_user_id=hazard.assignee_user_id))
        _push_overdue(session, hazard, school, grid, reached, first)
        log.warning("hazard.overdue", hazard_id=hazard.id, level=level, escalated_to=target)
        changed += 1
    session.flush()
    return changed


SEVERITY_ZH = {"critical": "重大", "high": "较大", "medium": "一般", "low": "轻微"}
LEVEL_ZH = {"grid": "网格", "district": "区分局", "city": "市局"}


def _push_overdue(session: Session, hazard: Hazard, school: School, grid: Grid | None, reached: tuple[str, ...],
                  first: bool) -> None:
    """Web Push to who answers now: the assignee and school admins once, then each level newly reached."""
    from campusguard.hazard import overdue_push

    users: list[int] = []
    if first:
        users += [hazard.assignee_user_id] if hazard.assignee_user_id else []
        users += overdue_push.users_for_level(session, school, "school")
    for level in reached:
        if level == "grid":
            users += [grid.owner_user_id] if grid is not None and grid.owner_user_id else []
        else:
            users += overdue_push.users_for_level(session, school, level)
    target = reached[-1] if reached else "grid"
    text = hazard.description if len(hazard.description) <= 80 else hazard.description[:79] + "…"
    overdue_push.queue(session, subject="hazard", subject_id=hazard.id, school_id=school.id, user_ids=users,
                       title=f"隐患逾期未整改（{SEVERITY_ZH.get(hazard.severity, hazard.severity)}）",
                       body=f"{school.name}：{text}，已上报{LEVEL_ZH.get(target, target)}",
                       url=f"/m/hazards/{hazard.id}")
