"""Duty registration: checkpoints and their codes, routes, shifts, check-ins and the anomalies they raise."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from campusguard.accounts import service as accounts
from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, Forbidden, NotFound, ProblemError, TooManyRequests
from campusguard.core.scope import allowed_school_ids, check_school, scoped
from campusguard.org import service as org
from campusguard.patrol import qrtoken
from campusguard.patrol.events import PatrolAnomaly, PatrolCheckin
from campusguard.patrol.geo import distance_m, valid_coords
from campusguard.patrol.models import Anomaly, Checkin, Checkpoint, Photo, Route, RouteStop, Shift
from campusguard.patrol.schemas import CheckinIn, CheckpointIn, RouteIn, ShiftIn

log = structlog.get_logger(__name__)

MAX_CLOCK_AHEAD = timedelta(minutes=2)
MAX_OFFLINE_AGE = timedelta(hours=12)
GPS_SLACK_MAX_M = 100.0  # a reported accuracy widens the radius, but never by more than this
TOKEN_STATUS = {
    "malformed": (422, "malformed_token"),
    "forged": (403, "forged_token"),
    "expired": (410, "expired_token"),
    "rotated": (410, "replayed_token"),
}


class RecordedRefusal(ProblemError):
    """A refusal whose anomaly must be committed: the route returns it instead of raising it."""


# ---- anomalies -------------------------------------------------------------------------------


def raise_anomaly(
    session: Session,
    *,
    kind: str,
    school_id: int | None,
    guard_user_id: int | None = None,
    checkpoint_id: int | None = None,
    shift_id: int | None = None,
    detail: dict[str, Any] | None = None,
    key: str | None = None,
    occurred_at: datetime | None = None,
) -> Anomaly | None:
    """Record an anomaly once (by key) and push it to the school and its liaison officers."""
    if key is not None and session.scalar(select(Anomaly.id).where(Anomaly.key == key)) is not None:
        return None
    row = Anomaly(
        key=key,
        school_id=school_id,
        kind=kind,
        guard_user_id=guard_user_id,
        checkpoint_id=checkpoint_id,
        shift_id=shift_id,
        detail=detail or {},
        occurred_at=occurred_at or utcnow(),
    )
    session.add(row)
    session.flush()
    district = org.district_of(session, school_id) if school_id else None
    publish(
        session,
        PatrolAnomaly(
            school_id=school_id,
            district_code=district,
            anomaly_id=row.id,
            kind=kind,
            guard_user_id=guard_user_id,
            checkpoint_id=checkpoint_id,
            shift_id=shift_id,
            detail=row.detail,
        ),
    )
    log.info("patrol.anomaly", kind=kind, school_id=school_id, guard=guard_user_id, checkpoint=checkpoint_id)
    return row


def list_anomalies(
    session: Session,
    principal: Principal,
    *,
    school_id: int | None = None,
    kind: str | None = None,
    since: datetime | None = None,
) -> Select[Any]:
    stmt = scoped(select(Anomaly), Anomaly.school_id, session, principal).order_by(Anomaly.id.desc())
    if principal.role.value == "guard":
        stmt = stmt.where(Anomaly.guard_user_id == principal.id)
    if school_id:
        stmt = stmt.where(Anomaly.school_id == school_id)
    if kind:
        stmt = stmt.where(Anomaly.kind == kind)
    if since:
        stmt = stmt.where(Anomaly.occurred_at >= since)
    return stmt


def acknowledge(session: Session, principal: Principal, anomaly_id: int) -> Anomaly:
    row = session.get(Anomaly, anomaly_id)
    if row is None:
        raise NotFound(f"anomaly {anomaly_id} not found")
    check_school(session, principal, row.school_id, write=False)
    check_school(session, principal, row.school_id)
    if row.acknowledged_at is None:
        row.acknowledged_at, row.acknowledged_by = utcnow(), principal.id
        audit.record(
            session,
            principal=principal,
            action="patrol.anomaly.ack",
            target_type="patrol_anomaly",
            target_id=row.id,
            school_id=row.school_id,
        )
    return row


# ---- checkpoints -----------------------------------------------------------------------------


def create_checkpoint(session: Session, principal: Principal, data: CheckpointIn) -> Checkpoint:
    school = org.get_school(session, principal, data.school_id)
    check_school(session, principal, school.id)
    if data.area_id is not None and org.get_area(session, principal, data.area_id).school_id != school.id:
        raise BadRequest("the area belongs to another school", code="area_mismatch")
    if not valid_coords(data.lat, data.lon):
        raise BadRequest("invalid coordinates", code="invalid_coords")
    if (
        session.scalar(
            select(Checkpoint.id).where(Checkpoint.school_id == school.id, Checkpoint.name == data.name)
        )
        is not None
    ):
        raise Conflict(f"checkpoint {data.name!r} exists", code="duplicate")
    cp = Checkpoint(
        school_id=school.id,
        area_id=data.area_id,
        name=data.name,
        lat=data.lat,
        lon=data.lon,
        radius_m=data.radius_m,
        qr_version=1,
        qr_expires_at=utcnow() + timedelta(days=data.valid_days),
    )
    session.add(cp)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="patrol.checkpoint.create",
        target_type="patrol_checkpoint",
        target_id=cp.id,
        school_id=school.id,
        detail=data.model_dump(),
    )
    return cp


def get_checkpoint(session: Session, principal: Principal, checkpoint_id: int) -> Checkpoint:
    cp = session.get(Checkpoint, checkpoint_id)
    if cp is None:
        raise NotFound(f"checkpoint {checkpoint_id} not found")
    check_school(session, principal, cp.school_id, write=False)
    return cp


def checkpoint_query(session: Session, principal: Principal, school_id: int | None = None) -> Select[Any]:
    stmt = scoped(select(Checkpoint), Checkpoint.school_id, session, principal).order_by(Checkpoint.id)
    if school_id:
        stmt = stmt.where(Checkpoint.school_id == school_id)
    return stmt


def token_for(secret: str, cp: Checkpoint) -> str:
    return qrtoken.issue(secret, checkpoint_id=cp.id, version=cp.qr_version, expires_at=cp.qr_expires_at)


def short_code_for(secret: str, cp: Checkpoint) -> str:
    return qrtoken.short_code(secret, checkpoint_id=cp.id, version=cp.qr_version, expires_at=cp.qr_expires_at)


SHORT_CODE_MAX_WRONG = 5
SHORT_CODE_WINDOW = timedelta(minutes=15)


def _expand_short(session: Session, principal: Principal, secret: str, text: str) -> str:
    """A typed short code stands for the checkpoint's current token when it matches; else refused as usual.

    Six digits are guessable, so a guard with several wrong codes lately must wait (every try is on record).
    """
    checkpoint_id = qrtoken.parse_short(text)
    if checkpoint_id is None:
        return text
    wrong = session.scalar(select(func.count()).select_from(Anomaly).where(
        Anomaly.guard_user_id == principal.id, Anomaly.kind == "forged_token",
        Anomaly.occurred_at >= utcnow() - SHORT_CODE_WINDOW))
    if (wrong or 0) >= SHORT_CODE_MAX_WRONG:
        raise TooManyRequests(f"{wrong} wrong codes in {SHORT_CODE_WINDOW.seconds // 60} minutes: scan the QR code "
                              "or wait before typing again", code="too_many_wrong_codes")
    cp = session.get(Checkpoint, checkpoint_id)
    if cp is not None and hmac.compare_digest(short_code_for(secret, cp), qrtoken.normalise_short(text)):
        return token_for(secret, cp)
    # Same shape as a token with a bad signature: recorded as a forged code of that checkpoint.
    return f"{qrtoken.PREFIX}.{checkpoint_id}.0.0.{'0' * qrtoken.SIG_HEX}"


def rotate(session: Session, principal: Principal, checkpoint_id: int, valid_days: int) -> Checkpoint:
    """New print run: the old sheet's codes stop working at once (a photo of them is a replay)."""
    cp = get_checkpoint(session, principal, checkpoint_id)
    check_school(session, principal, cp.school_id)
    cp.qr_version += 1
    cp.qr_expires_at = utcnow() + timedelta(days=valid_days)
    audit.record(
        session,
        principal=principal,
        action="patrol.checkpoint.rotate",
        target_type="patrol_checkpoint",
        target_id=cp.id,
        school_id=cp.school_id,
        detail={"version": cp.qr_version},
    )
    return cp


# ---- routes and shifts -----------------------------------------------------------------------


def create_route(session: Session, principal: Principal, data: RouteIn) -> tuple[Route, list[RouteStop]]:
    school = org.get_school(session, principal, data.school_id)
    check_school(session, principal, school.id)
    ids = {s.checkpoint_id for s in data.stops}
    found = set(
        session.scalars(
            select(Checkpoint.id).where(Checkpoint.id.in_(ids), Checkpoint.school_id == school.id)
        ).all()
    )
    if found != ids:
        raise BadRequest(
            f"checkpoints {sorted(ids - found)} are not at this school", code="unknown_checkpoint"
        )
    if session.scalar(select(Route.id).where(Route.school_id == school.id, Route.name == data.name)):
        raise Conflict(f"route {data.name!r} exists", code="duplicate")
    route = Route(school_id=school.id, name=data.name)
    session.add(route)
    session.flush()
    stops = [
        RouteStop(
            route_id=route.id,
            seq=i + 1,
            checkpoint_id=s.checkpoint_id,
            offset_min=s.offset_min,
            tolerance_min=s.tolerance_min,
        )
        for i, s in enumerate(data.stops)
    ]
    session.add_all(stops)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="patrol.route.create",
        target_type="patrol_route",
        target_id=route.id,
        school_id=school.id,
        detail=data.model_dump(),
    )
    return route, stops


def route_stops(session: Session, route_id: int) -> list[RouteStop]:
    return list(
        session.scalars(select(RouteStop).where(RouteStop.route_id == route_id).order_by(RouteStop.seq)).all()
    )


def get_route(session: Session, principal: Principal, route_id: int) -> Route:
    route = session.get(Route, route_id)
    if route is None:
        raise NotFound(f"route {route_id} not found")
    check_school(session, principal, route.school_id, write=False)
    return route


def create_shift(session: Session, principal: Principal, data: ShiftIn) -> Shift:
    school = org.get_school(session, principal, data.school_id)
    check_school(session, principal, school.id)
    guard = accounts.get_user(session, data.guard_user_id)
    if guard.role != "guard" or school.code not in (guard.school_codes or []) or not guard.active:
        raise BadRequest("the user is not an active guard of this school", code="not_a_guard")
    if data.route_id is not None and get_route(session, principal, data.route_id).school_id != school.id:
        raise BadRequest("the route belongs to another school", code="route_mismatch")
    overlap = session.scalar(
        select(Shift.id).where(
            Shift.guard_user_id == guard.id, Shift.starts_at < data.ends_at, Shift.ends_at > data.starts_at
        )
    )
    if overlap is not None:
        raise Conflict(f"the guard already has shift {overlap} in that window", code="shift_overlap")
    shift = Shift(
        school_id=school.id,
        guard_user_id=guard.id,
        route_id=data.route_id,
        post=data.post,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
    )
    session.add(shift)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="patrol.shift.create",
        target_type="patrol_shift",
        target_id=shift.id,
        school_id=school.id,
        detail=data.model_dump(mode="json"),
    )
    return shift


def shift_query(
    session: Session, principal: Principal, *, school_id: int | None = None, active_at: datetime | None = None
) -> Select[Any]:
    stmt = scoped(select(Shift), Shift.school_id, session, principal).order_by(Shift.starts_at.desc())
    if principal.role.value == "guard":
        stmt = stmt.where(Shift.guard_user_id == principal.id)
    if school_id:
        stmt = stmt.where(Shift.school_id == school_id)
    if active_at is not None:
        stmt = stmt.where(Shift.starts_at <= active_at, Shift.ends_at > active_at)
    return stmt


def active_shift(session: Session, guard_user_id: int, at: datetime) -> Shift | None:
    return session.scalars(
        select(Shift)
        .where(Shift.guard_user_id == guard_user_id, Shift.starts_at <= at, Shift.ends_at > at)
        .order_by(Shift.starts_at)
    ).first()


# ---- check-ins -------------------------------------------------------------------------------


@dataclass
class CheckinResult:
    checkin: Checkin
    duplicate: bool


def _guard_school(session: Session, principal: Principal) -> int | None:
    ids = allowed_school_ids(session, principal)
    return min(ids) if ids else None


def _refuse(
    session: Session,
    principal: Principal,
    *,
    status: int,
    code: str,
    detail: str,
    kind: str,
    school_id: int | None,
    checkpoint_id: int | None = None,
    facts: dict[str, Any] | None = None,
) -> RecordedRefusal:
    anomaly = raise_anomaly(
        session,
        kind=kind,
        school_id=school_id,
        guard_user_id=principal.id,
        checkpoint_id=checkpoint_id,
        detail={"reason": detail, **(facts or {})},
    )
    audit.record(
        session,
        principal=principal,
        action="patrol.checkin.refused",
        target_type="patrol_checkpoint",
        target_id=checkpoint_id,
        school_id=school_id,
        detail={"code": code, **(facts or {})},
    )
    return RecordedRefusal(
        detail, code=code, status=status, extra={"anomaly_id": anomaly.id if anomaly else None}
    )


def checkin(session: Session, principal: Principal, secret: str, data: CheckinIn) -> CheckinResult:
    """Accept a scan only with a genuine current code, a position at the checkpoint and a sane time."""
    existing = session.scalars(
        select(Checkin).where(Checkin.guard_user_id == principal.id, Checkin.client_id == data.client_id)
    ).first()
    if existing is not None:
        return CheckinResult(existing, True)
    now = utcnow()
    scanned_at = data.scanned_at or now
    home = _guard_school(session, principal)
    token = _expand_short(session, principal, secret, data.token)
    try:
        checkpoint_id = qrtoken.parse(token)[0]
    except qrtoken.TokenError as exc:
        raise _refuse(
            session,
            principal,
            status=422,
            code="malformed_token",
            detail=exc.detail,
            kind="malformed_token",
            school_id=home,
        ) from exc
    cp = session.get(Checkpoint, checkpoint_id)
    school_id = cp.school_id if cp is not None else home
    try:
        qrtoken.verify(secret, token, now=now, current_version=cp.qr_version if cp else None)
    except qrtoken.TokenError as exc:
        status, code = TOKEN_STATUS[exc.reason]
        raise _refuse(
            session,
            principal,
            status=status,
            code=code,
            detail=exc.detail,
            kind=code,
            school_id=school_id,
            checkpoint_id=cp.id if cp else None,
        ) from exc
    if cp is None or not cp.active:
        raise _refuse(
            session,
            principal,
            status=410,
            code="replayed_token",
            kind="replayed_token",
            detail="this checkpoint no longer exists",
            school_id=home,
        )
    ids = allowed_school_ids(session, principal)
    if ids is not None and cp.school_id not in ids:
        raise _refuse(
            session,
            principal,
            status=403,
            code="wrong_school",
            kind="wrong_school",
            detail="this checkpoint belongs to another school",
            school_id=cp.school_id,
            checkpoint_id=cp.id,
        )
    if scanned_at.tzinfo is None:
        raise BadRequest("scanned_at needs a timezone", code="naive_time")
    if scanned_at > now + MAX_CLOCK_AHEAD or scanned_at < now - MAX_OFFLINE_AGE:
        raise _refuse(
            session,
            principal,
            status=422,
            code="clock_skew",
            kind="clock_skew",
            detail="the scan time is in the future or older than 12 h",
            school_id=cp.school_id,
            checkpoint_id=cp.id,
            facts={"scanned_at": scanned_at.isoformat(), "now": now.isoformat()},
        )
    if not valid_coords(data.lat, data.lon):
        raise _refuse(
            session,
            principal,
            status=422,
            code="invalid_location",
            kind="far_away",
            detail="no usable GPS position",
            school_id=cp.school_id,
            checkpoint_id=cp.id,
        )
    dist = distance_m(cp.lat, cp.lon, data.lat, data.lon)
    allowed = cp.radius_m + min(data.accuracy_m or 0.0, GPS_SLACK_MAX_M)
    if dist > allowed:
        raise _refuse(
            session,
            principal,
            status=422,
            code="too_far",
            kind="far_away",
            detail=f"you are {dist:.0f} m from the checkpoint (allowed {allowed:.0f} m)",
            school_id=cp.school_id,
            checkpoint_id=cp.id,
            facts={
                "distance_m": round(dist, 1),
                "allowed_m": round(allowed, 1),
                "lat": data.lat,
                "lon": data.lon,
            },
        )
    if data.photo_id is not None:
        photo = session.get(Photo, data.photo_id)
        if photo is None or photo.user_id != principal.id:
            raise BadRequest("unknown photo", code="unknown_photo")
    shift = active_shift(session, principal.id, scanned_at)
    stop, on_time = _match_stop(session, shift, cp.id, scanned_at)
    row = Checkin(
        school_id=cp.school_id,
        checkpoint_id=cp.id,
        guard_user_id=principal.id,
        shift_id=shift.id if shift else None,
        route_stop_id=stop.id if stop else None,
        client_id=data.client_id,
        scanned_at=scanned_at,
        received_at=now,
        lat=data.lat,
        lon=data.lon,
        accuracy_m=data.accuracy_m,
        distance_m=round(dist, 1),
        photo_id=data.photo_id,
        on_time=on_time,
    )
    session.add(row)
    session.flush()
    if shift is not None and (shift.last_seen_at is None or scanned_at >= shift.last_seen_at):
        shift.last_seen_at, shift.last_lat, shift.last_lon = scanned_at, data.lat, data.lon
    if stop is not None and shift is not None and not on_time:
        raise_anomaly(
            session,
            kind="late_checkpoint",
            school_id=cp.school_id,
            guard_user_id=principal.id,
            checkpoint_id=cp.id,
            shift_id=shift.id,
            key=f"late:{shift.id}:{stop.id}",
            detail={
                "planned_at": (shift.starts_at + timedelta(minutes=stop.offset_min)).isoformat(),
                "scanned_at": scanned_at.isoformat(),
            },
        )
    audit.record(
        session,
        principal=principal,
        action="patrol.checkin",
        target_type="patrol_checkin",
        target_id=row.id,
        school_id=cp.school_id,
        detail={"checkpoint_id": cp.id, "distance_m": row.distance_m, "on_time": on_time},
    )
    publish(
        session,
        PatrolCheckin(
            school_id=cp.school_id,
            checkin_id=row.id,
            checkpoint_id=cp.id,
            guard_user_id=principal.id,
            on_time=on_time,
        ),
    )
    return CheckinResult(row, False)


def _match_stop(
    session: Session, shift: Shift | None, checkpoint_id: int, at: datetime
) -> tuple[RouteStop | None, bool]:
    """The first not-yet-visited stop of the shift's route at this checkpoint, and whether it is on time."""
    if shift is None or shift.route_id is None:
        return None, True
    done = set(
        session.scalars(
            select(Checkin.route_stop_id).where(
                Checkin.shift_id == shift.id, Checkin.route_stop_id.is_not(None)
            )
        ).all()
    )
    for stop in route_stops(session, shift.route_id):
        if stop.checkpoint_id == checkpoint_id and stop.id not in done:
            due = shift.starts_at + timedelta(minutes=stop.offset_min + stop.tolerance_min)
            return stop, at <= due
    return None, True


def report_location(session: Session, principal: Principal, lat: float, lon: float) -> Shift:
    """The duty screen's heartbeat: proves the guard is still at the post."""
    if not valid_coords(lat, lon):
        raise BadRequest("invalid coordinates", code="invalid_coords")
    now = utcnow()
    shift = active_shift(session, principal.id, now)
    if shift is None:
        raise Conflict("you have no shift now", code="no_shift")
    shift.last_seen_at, shift.last_lat, shift.last_lon = now, lat, lon
    return shift


def guard_only(principal: Principal) -> None:
    if principal.kind != "user":
        raise Forbidden("only a person can check in", code="forbidden")


# ---- the guard's duty screen -----------------------------------------------------------------


def duty(session: Session, principal: Principal) -> dict[str, Any]:
    """Current (or next today) shift with each stop's status."""
    now = utcnow()
    shift = active_shift(session, principal.id, now)
    if shift is None:
        shift = session.scalars(
            select(Shift)
            .where(
                Shift.guard_user_id == principal.id,
                Shift.starts_at > now,
                Shift.starts_at < now + timedelta(hours=24),
            )
            .order_by(Shift.starts_at)
        ).first()
    stops: list[dict[str, Any]] = []
    route_name = None
    if shift is not None and shift.route_id is not None:
        route = session.get(Route, shift.route_id)
        route_name = route.name if route else None
        visits = {
            c.route_stop_id: c for c in session.scalars(select(Checkin).where(Checkin.shift_id == shift.id))
        }
        names = dict(
            session.execute(
                select(Checkpoint.id, Checkpoint.name).where(Checkpoint.school_id == shift.school_id)
            )
            .tuples()
            .all()
        )
        for stop in route_stops(session, shift.route_id):
            planned = shift.starts_at + timedelta(minutes=stop.offset_min)
            due = planned + timedelta(minutes=stop.tolerance_min)
            visit = visits.get(stop.id)
            if visit is not None:
                status = "done" if visit.on_time else "late"
            else:
                status = "missed" if now > due else "pending"
            stops.append(
                {
                    "stop_id": stop.id,
                    "seq": stop.seq,
                    "checkpoint_id": stop.checkpoint_id,
                    "checkpoint_name": names.get(stop.checkpoint_id, "?"),
                    "planned_at": planned,
                    "due_by": due,
                    "status": status,
                    "checked_at": visit.scanned_at if visit else None,
                }
            )
    return {"shift": shift, "route_name": route_name, "stops": stops}
