"""Blind spots: a key area (gate, perimeter, ...) where no camera is online is an issue of that area."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.device.models import Device
from campusguard.org.models import Area
from campusguard.video.models import Issue

KIND = "blind_spot"


def check(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Open or refresh a blind-spot issue per key area without an online camera; resolve the others."""
    now = now or utcnow()
    areas = {a.id: a for a in session.scalars(select(Area).where(Area.key_area.is_(True))).all()}
    counts: dict[int, tuple[int, int]] = {}
    stmt = (select(Device.area_id, func.count(), func.sum(case((Device.online.is_(True), 1), else_=0)))
            .where(Device.type == "camera", Device.installed.is_(True), Device.area_id.in_(list(areas)))
            .group_by(Device.area_id))
    for area_id, total, online in session.execute(stmt).tuples():
        if area_id is not None:
            counts[area_id] = (int(total), int(online or 0))
    open_rows = {i.area_id: i for i in session.scalars(
        select(Issue).where(Issue.kind == KIND, Issue.resolved_at.is_(None))).all()}
    opened = resolved = 0
    for area_id, area in areas.items():
        total, online = counts.get(area_id, (0, 0))
        row = open_rows.get(area_id)
        if online:
            if row is not None:
                row.resolved_at = now
                resolved += 1
            continue
        detail = {"area": area.name, "area_kind": area.kind, "cameras": total, "online": 0}
        severity = "critical" if total == 0 else "major"  # never covered vs. every camera there down
        if row is None:
            session.add(Issue(camera_id=None, area_id=area_id, school_id=area.school_id, kind=KIND,
                              severity=severity, detail=detail, first_seen=now, last_seen=now))
            opened += 1
        else:
            row.last_seen, row.severity, row.detail = now, severity, detail
    for area_id, row in open_rows.items():
        if area_id not in areas:  # no longer a key area (or deleted)
            row.resolved_at = now
            resolved += 1
    session.flush()
    return {"opened": opened, "resolved": resolved, "key_areas": len(areas)}
