"""The periodic duty check: missed checkpoints and guards who left their post become anomalies."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.org.models import School
from campusguard.patrol.geo import distance_m
from campusguard.patrol.models import Checkin, Shift
from campusguard.patrol.service import raise_anomaly, route_stops

log = structlog.get_logger(__name__)

POST_LEFT_MIN = 30  # minutes without a sign of life (check-in or location) during a shift
SCHOOL_RADIUS_M = 500.0  # a guard reporting a position farther than this from the school has left it
LOOKBACK = timedelta(hours=24)


def _school_limits(school: School | None) -> tuple[int, float]:
    settings = (school.settings or {}) if school is not None else {}
    return int(settings.get("post_left_min", POST_LEFT_MIN)), float(settings.get("radius_m", SCHOOL_RADIUS_M))


def scan(session: Session, now: datetime | None = None) -> int:
    """Raise every anomaly that is due; idempotent (each carries a key), so running twice adds nothing."""
    now = now or utcnow()
    raised = 0
    shifts = session.scalars(
        select(Shift).where(Shift.starts_at <= now, Shift.ends_at > now - LOOKBACK)
    ).all()
    for shift in shifts:
        school = session.get(School, shift.school_id)
        raised += _missed_stops(session, shift, now)
        if shift.ends_at > now:
            raised += _post_left(session, shift, school, now)
    if raised:
        log.info("patrol.scan", raised=raised, shifts=len(shifts))
    return raised


def _missed_stops(session: Session, shift: Shift, now: datetime) -> int:
    if shift.route_id is None:
        return 0
    visited = set(session.scalars(select(Checkin.route_stop_id).where(Checkin.shift_id == shift.id)).all())
    raised = 0
    for stop in route_stops(session, shift.route_id):
        planned = shift.starts_at + timedelta(minutes=stop.offset_min)
        due = planned + timedelta(minutes=stop.tolerance_min)
        if due > now or planned >= shift.ends_at or stop.id in visited:
            continue
        if raise_anomaly(
            session,
            kind="missed_checkpoint",
            school_id=shift.school_id,
            guard_user_id=shift.guard_user_id,
            checkpoint_id=stop.checkpoint_id,
            shift_id=shift.id,
            key=f"missed:{shift.id}:{stop.id}",
            occurred_at=due,
            detail={"seq": stop.seq, "due_by": due.isoformat()},
        ):
            raised += 1
    return raised


def _post_left(session: Session, shift: Shift, school: School | None, now: datetime) -> int:
    limit_min, radius = _school_limits(school)
    last = shift.last_seen_at or shift.starts_at
    silent = now - last
    raised = 0
    if silent > timedelta(minutes=limit_min):
        if raise_anomaly(
            session,
            kind="post_left",
            school_id=shift.school_id,
            guard_user_id=shift.guard_user_id,
            shift_id=shift.id,
            key=f"silent:{shift.id}:{int(last.timestamp())}",
            detail={
                "reason": "no_sign_of_life",
                "last_seen_at": last.isoformat(),
                "minutes": int(silent.total_seconds() // 60),
            },
        ):
            raised += 1
    if (
        school is not None
        and school.lat is not None
        and school.lon is not None
        and shift.last_lat is not None
        and shift.last_lon is not None
        and shift.last_seen_at is not None
    ):
        away = distance_m(school.lat, school.lon, shift.last_lat, shift.last_lon)
        if away > radius and raise_anomaly(
            session,
            kind="post_left",
            school_id=shift.school_id,
            guard_user_id=shift.guard_user_id,
            shift_id=shift.id,
            key=f"away:{shift.id}:{int(shift.last_seen_at.timestamp())}",
            detail={"reason": "far_from_school", "distance_m": round(away), "radius_m": radius},
        ):
            raised += 1
    return raised
