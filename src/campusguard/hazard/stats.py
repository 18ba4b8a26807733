"""Found/rectified/overdue figures per school, grid or district, counted in SQL (scales to a city)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal
from campusguard.core.scope import scoped
from campusguard.hazard.models import Hazard
from campusguard.hazard.rules import Tally
from campusguard.hazard.schemas import StatsOut, StatsRow
from campusguard.org.models import Grid, Region, School

GROUPS = ("school", "grid", "district")


def _row(t: Tally, name: str) -> StatsRow:
    return StatsRow(key=t.key, name=name, found=t.found, open=t.open, rectified=t.rectified,
                    verified=t.verified, overdue=t.overdue, rectification_rate=t.rectification_rate,
                    by_severity=t.by_severity)


def _names(session: Session, by: str, keys: list[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows: Sequence[tuple[Any, str]]
    if by == "school":
        rows = session.execute(select(School.id, School.name).where(
            School.id.in_([int(k) for k in keys]))).tuples().all()
    elif by == "grid":
        rows = session.execute(select(Grid.id, Grid.name).where(
            Grid.id.in_([int(k) for k in keys if k != "none"]))).tuples().all()
    else:
        rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(keys))).tuples().all()
    return {str(k): str(v) for k, v in rows}


def hazard_stats(session: Session, principal: Principal, *, by: str = "school", since: datetime | None = None,
                 until: datetime | None = None, school_id: int | None = None) -> StatsOut:
    """Counts of hazards reported in [since, until) within the caller's scope, grouped by `by`."""
    if by not in GROUPS:
        raise ValueError(f"group by one of {', '.join(GROUPS)}")
    key: Any = {"school": School.id, "grid": School.grid_id, "district": School.district_code}[by]
    stmt = (select(key, Hazard.status, Hazard.severity, Hazard.overdue, func.count())
            .join(School, School.id == Hazard.school_id)
            .group_by(key, Hazard.status, Hazard.severity, Hazard.overdue))
    stmt = scoped(stmt, Hazard.school_id, session, principal)
    if since is not None:
        stmt = stmt.where(Hazard.reported_at >= since)
    if until is not None:
        stmt = stmt.where(Hazard.reported_at < until)
    if school_id is not None:
        stmt = stmt.where(Hazard.school_id == school_id)
    tallies: dict[str, Tally] = {}
    total = Tally("total")
    for group, status, severity, overdue, count in session.execute(stmt).tuples().all():
        k = "none" if group is None else str(group)
        t = tallies.setdefault(k, Tally(k))
        t.add(status, severity, bool(overdue), int(count))
        total.add(status, severity, bool(overdue), int(count))
    names = _names(session, by, list(tallies))
    rows = [_row(t, names.get(k, "—" if k == "none" else k)) for k, t in tallies.items()]
    rows.sort(key=lambda r: (-r.found, r.key))
    return StatsOut(by=by, since=since, until=until, items=rows, total=_row(total, "total"))
