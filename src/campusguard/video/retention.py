"""Retention: days per school/area (>= 30), disk quota per school, emergency clean-up; holds are sacred."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.device.models import Device
from campusguard.video.models import MIN_RETENTION_DAYS, Camera, Hold, RetentionPolicy, Segment
from campusguard.video.schemas import RetentionRow

log = structlog.get_logger(__name__)
EMERGENCY_USED = 0.95  # start emergency clean-up above this disk usage
EMERGENCY_TARGET = 0.90
BATCH = 500


def policy_days(session: Session, cam: Camera) -> tuple[int, float | None]:
    """The area's policy, else the school's, else the minimum; never below the minimum."""
    area_id = session.scalar(select(Device.area_id).where(Device.id == cam.device_id))
    rows = session.scalars(select(RetentionPolicy).where(RetentionPolicy.school_id == cam.school_id)).all()
    area = next((p for p in rows if area_id is not None and p.area_id == area_id), None)
    school = next((p for p in rows if p.area_id is None), None)
    chosen = area or school
    days = max(MIN_RETENTION_DAYS, chosen.days) if chosen else MIN_RETENTION_DAYS
    quota = school.quota_gb if school else None
    return days, quota


def _unheld():  # type: ignore[no-untyped-def]
    """Segments not overlapping any hold of their camera (evidence clip or incident window)."""
    return ~exists().where(and_(Hold.camera_id == Segment.camera_id, Hold.start < Segment.end,
                                Hold.end > Segment.start))


def _delete(session: Session, segs: list[Segment]) -> int:
    freed = 0
    for seg in segs:
        Path(seg.path).unlink(missing_ok=True)
        freed += seg.bytes
        session.delete(seg)
    session.flush()
    return freed


def sweep_camera(session: Session, cam: Camera, now: datetime | None = None) -> int:
    """Delete this camera's unheld segments older than its policy; returns bytes freed."""
    days, _ = policy_days(session, cam)
    cutoff = (now or utcnow()) - timedelta(days=days)
    freed = 0
    while True:
        segs = list(session.scalars(select(Segment).where(Segment.camera_id == cam.id, Segment.end < cutoff,
                                                          _unheld()).order_by(Segment.start).limit(BATCH)))
        if not segs:
            return freed
        freed += _delete(session, segs)


def enforce_quota(session: Session, school_id: int, quota_gb: float) -> int:
    """Oldest unheld segments of the school first until it fits its quota."""
    used = int(session.scalar(select(func.coalesce(func.sum(Segment.bytes), 0)).join(
        Camera, Camera.id == Segment.camera_id).where(Camera.school_id == school_id)) or 0)
    limit = int(quota_gb * 1024**3)
    freed = 0
    while used - freed > limit:
        segs = list(session.scalars(select(Segment).join(Camera, Camera.id == Segment.camera_id)
                                    .where(Camera.school_id == school_id, _unheld())
                                    .order_by(Segment.start).limit(50)))
        if not segs:
            log.warning("quota exceeded but everything left is held", school_id=school_id)
            break
        for seg in segs:
            if used - freed <= limit:
                break
            freed += _delete(session, [seg])
    return freed


def emergency(session: Session, root: Path, used_ratio: float | None = None) -> int:
    """Disk nearly full: delete the oldest unheld segments across all cameras down to the target."""
    if not root.exists():
        return 0
    usage = shutil.disk_usage(root)
    ratio = used_ratio if used_ratio is not None else usage.used / usage.total
    if ratio < EMERGENCY_USED:
        return 0
    to_free = int((ratio - EMERGENCY_TARGET) * usage.total)
    log.warning("emergency retention", used=round(ratio, 3), to_free_mb=to_free // 2**20)
    freed = 0
    while freed < to_free:
        segs = list(session.scalars(select(Segment).where(_unheld()).order_by(Segment.start).limit(100)))
        if not segs:
            break
        freed += _delete(session, segs)
    return freed


def sweep(session: Session, root: Path, now: datetime | None = None) -> dict[str, int]:
    """The periodic retention pass: days, quotas, then the disk emergency check."""
    freed_days = sum(sweep_camera(session, cam, now) for cam in session.scalars(select(Camera)).all())
    freed_quota = 0
    for policy in session.scalars(select(RetentionPolicy).where(RetentionPolicy.area_id.is_(None),
                                                                RetentionPolicy.quota_gb.is_not(None))):
        assert policy.quota_gb is not None
        freed_quota += enforce_quota(session, policy.school_id, policy.quota_gb)
    freed_emergency = emergency(session, root)
    return {"freed_days": freed_days, "freed_quota": freed_quota, "freed_emergency": freed_emergency}


def report(session: Session, cameras: list[tuple[Camera, str]],
           now: datetime | None = None) -> list[RetentionRow]:
    """Per camera: how many days are actually kept (oldest segment to now) against the policy."""
    now = now or utcnow()
    ids = [c.id for c, _ in cameras]
    stats = {cid: (oldest, total) for cid, oldest, total in session.execute(
        select(Segment.camera_id, func.min(Segment.start), func.coalesce(func.sum(Segment.bytes), 0))
        .where(Segment.camera_id.in_(ids)).group_by(Segment.camera_id)).tuples()} if ids else {}
    rows = []
    for cam, name in cameras:
        days, _ = policy_days(session, cam)
        oldest, total = stats.get(cam.id, (None, 0))
        kept = round((now - oldest).total_seconds() / 86400, 2) if oldest else 0.0
        rows.append(RetentionRow(camera_id=cam.id, name=name, school_id=cam.school_id, policy_days=days,
                                 kept_days=kept, oldest=oldest, bytes=int(total or 0),
                                 below_minimum=kept < MIN_RETENTION_DAYS))
    return rows
