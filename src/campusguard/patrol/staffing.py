"""Measured facts for the staffing check: guards, gatehouse hours and key-area patrols of the last 24 h."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.org import service as org
from campusguard.org.models import Area
from campusguard.patrol.compliance import evaluate
from campusguard.patrol.models import Checkin, Checkpoint, Shift

WINDOW = timedelta(hours=24)


def covered_hours(intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    """Hours of [start, end) covered by the union of the intervals (overlapping shifts count once)."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end)
    total = 0.0
    cur_a: datetime | None = None
    cur_b: datetime | None = None
    for a, b in clipped:
        if cur_b is None or a > cur_b:
            if cur_a is not None and cur_b is not None:
                total += (cur_b - cur_a).total_seconds()
            cur_a, cur_b = a, b
        elif b > cur_b:
            cur_b = b
    if cur_a is not None and cur_b is not None:
        total += (cur_b - cur_a).total_seconds()
    return total / 3600


def compliance(
    session: Session, principal: Principal, *, district_code: str | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """One compliance record per school in scope: the rolling window is the 24 h before `now`."""
    now = now or utcnow()
    start = now - WINDOW
    schools = list(session.scalars(org.school_query(session, principal, district_code=district_code)).all())
    ids = [s.id for s in schools]
    if not ids:
        return []
    gate_shifts: dict[int, list[tuple[datetime, datetime]]] = {}
    for sh in session.scalars(
        select(Shift).where(
            Shift.school_id.in_(ids), Shift.post == "gatehouse", Shift.ends_at > start, Shift.starts_at < now
        )
    ):
        gate_shifts.setdefault(sh.school_id, []).append((sh.starts_at, sh.ends_at))
    key_cps = (
        session.execute(
            select(Checkpoint.id, Checkpoint.school_id, Area.name)
            .join(Area, Area.id == Checkpoint.area_id)
            .where(Checkpoint.school_id.in_(ids), Checkpoint.active.is_(True), Area.key_area.is_(True))
        )
        .tuples()
        .all()
    )
    area_of = {cp_id: (school_id, area) for cp_id, school_id, area in key_cps}
    counts: dict[int, Counter[str]] = {sid: Counter() for sid in ids}
    for _cp_id, school_id, area in key_cps:
        counts[school_id][area] += 0
    if area_of:
        for (cp_id,) in session.execute(
            select(Checkin.checkpoint_id).where(
                Checkin.checkpoint_id.in_(list(area_of)),
                Checkin.scanned_at >= start,
                Checkin.scanned_at < now,
            )
        ).tuples():
            school_id, area = area_of[cp_id]
            counts[school_id][area] += 1
    out = []
    for s in schools:
        record = evaluate(
            school_id=s.id,
            school_code=s.code,
            school_name=s.name,
            students=s.students,
            guards=s.guards,
            gatehouse_hours=covered_hours(gate_shifts.get(s.id, []), start, now),
            key_area_patrols=dict(counts[s.id]),
        )
        out.append({**record.as_dict(), "district_code": s.district_code, "school_type": s.type})
    return out
