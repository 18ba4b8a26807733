"""Video metrics for stats: per school, the share of cameras that really keep their required days of recording.

Registered as the `video_retention_compliant` provider (see `campusguard.stats.providers`). "Kept" is
measured from the oldest segment still on record for the camera to the end of the period (or now),
against the camera's retention policy (area, else school, never below the 30-day minimum).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.device.models import Device
from campusguard.video.models import MIN_RETENTION_DAYS, Camera, RetentionPolicy, Segment

DAY_S = 86400.0


def required_days(policies: list[RetentionPolicy], school_id: int, area_id: int | None) -> int:
    """The area's policy, else the school's, else the minimum; never below the minimum (as retention does)."""
    area = next((p for p in policies if p.school_id == school_id and area_id is not None and p.area_id == area_id),
                None)
    school = next((p for p in policies if p.school_id == school_id and p.area_id is None), None)
    chosen = area or school
    return max(MIN_RETENTION_DAYS, chosen.days) if chosen else MIN_RETENTION_DAYS


def retention_compliance(session: Session, school_ids: set[int] | None, start: datetime, end: datetime
                         ) -> dict[int, float | None]:
    """{school_id: share of its cameras with kept days >= required days}; schools without cameras are absent."""
    at = min(end, utcnow())
    cams = select(Camera.id, Camera.school_id, Device.area_id).join(Device, Device.id == Camera.device_id)
    if school_ids is not None:
        if not school_ids:
            return {}
        cams = cams.where(Camera.school_id.in_(sorted(school_ids)))
    cameras = session.execute(cams).tuples().all()
    if not cameras:
        return {}
    schools = sorted({sid for _, sid, _ in cameras})
    policies = list(session.scalars(select(RetentionPolicy).where(RetentionPolicy.school_id.in_(schools))).all())
    oldest = dict(session.execute(
        select(Segment.camera_id, func.min(Segment.start))
        .join(Camera, Camera.id == Segment.camera_id)
        .where(Camera.school_id.in_(schools), Segment.start < at)
        .group_by(Segment.camera_id)).tuples().all())
    ok: dict[int, int] = {}
    total: dict[int, int] = {}
    for cam_id, sid, area_id in cameras:
        total[sid] = total.get(sid, 0) + 1
        first = oldest.get(cam_id)
        kept = (at - first).total_seconds() / DAY_S if first is not None else 0.0
        if kept >= required_days(policies, sid, area_id):
            ok[sid] = ok.get(sid, 0) + 1
    return {sid: ok.get(sid, 0) / n for sid, n in total.items()}
