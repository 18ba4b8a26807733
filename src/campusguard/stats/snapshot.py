"""Daily device snapshots: alarm points, cameras and face terminals per school, networked and online.

Counts come from the device service (the registry is the foundation's); we store them as snapshot series
so networking and online rates have a history and period averages without touching the device table.
"""

from __future__ import annotations

from datetime import date

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.core.auth import SYSTEM
from campusguard.device import service as devices
from campusguard.org import service as org
from campusguard.stats import metrics as M
from campusguard.stats import rollup
from campusguard.stats.periods import local_day

log = structlog.get_logger(__name__)

# device type -> (total, networked, online) series; None = not tracked
DEVICE_SERIES: dict[str, tuple[str, str | None, str]] = {
    "alarm_button": (M.S_ALARM_POINTS, M.S_ALARM_POINTS_NET, M.S_ALARM_POINTS_ON),
    "camera": (M.S_CAMERAS, M.S_CAMERAS_NET, M.S_CAMERAS_ON),
    "face_terminal": (M.S_FACE_TERM, None, M.S_FACE_TERM_ON),
}


def device_counts(session: Session, school_ids: set[int] | None,
                  type_: str) -> dict[int, tuple[int, int, int]]:
    """Per school: (registered, networked = ever reported, online now) devices of one type."""
    sub = devices.device_query(session, SYSTEM, type_=type_).order_by(None).subquery()
    stmt = select(sub.c.school_id, func.count(),
                  func.count().filter(sub.c.last_seen.is_not(None)),
                  func.count().filter(sub.c.online.is_(True))).group_by(sub.c.school_id)
    if school_ids is not None:
        stmt = stmt.where(sub.c.school_id.in_(sorted(school_ids)))
    return {int(sid): (int(t), int(n or 0), int(o or 0)) for sid, t, n, o in session.execute(stmt).all()}


def all_school_ids(session: Session) -> set[int]:
    """Every school of the city (through the org service)."""
    stmt = org.school_query(session, SYSTEM).order_by(None)
    return {s.id for s in session.scalars(stmt).all()}


def refresh_devices(session: Session, *, day: date | None = None, school_ids: set[int] | None = None) -> int:
    """Write today's (or `day`'s) device snapshot for the given schools (None = all); returns schools."""
    from campusguard.core.db import utcnow

    when = day or local_day(utcnow())
    targets = school_ids if school_ids is not None else all_school_ids(session)
    if not targets:
        return 0
    for type_, (s_total, s_net, s_on) in DEVICE_SERIES.items():
        counts = device_counts(session, targets, type_)
        for sid in targets:
            total, networked, online = counts.get(sid, (0, 0, 0))
            rollup.set_snapshot(session, school_id=sid, day=when, series=s_total, value=total)
            if s_net:
                rollup.set_snapshot(session, school_id=sid, day=when, series=s_net, value=networked)
            rollup.set_snapshot(session, school_id=sid, day=when, series=s_on, value=online)
        if counts:
            for series in (s_total, s_net, s_on):
                if series:
                    rollup.mark_source(session, series)
    log.info("stats.device_snapshot", day=str(when), schools=len(targets))
    return len(targets)


def refresh_staffing(session: Session, *, day: date | None = None) -> int:
    """Today's guard staffing compliance per school as snapshot series (dashboards read it, not patrol)."""
    from campusguard.core.db import utcnow
    from campusguard.stats.providers import guard_staffing

    now = utcnow()
    when = day or local_day(now)
    values = guard_staffing(session, None, now, now)
    for sid, ok in values.items():
        if ok is None:
            continue
        rollup.set_snapshot(session, school_id=sid, day=when, series=M.S_STAFFING_SCHOOLS, value=1.0)
        rollup.set_snapshot(session, school_id=sid, day=when, series=M.S_STAFFING_OK, value=ok)
    log.info("stats.staffing_snapshot", day=str(when), schools=len(values))
    return len(values)
