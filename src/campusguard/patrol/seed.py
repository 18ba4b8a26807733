"""Demo data for duty registration: checkpoints, a route and the demo guard's shift covering the demo start."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.accounts import service as accounts
from campusguard.core.auth import SYSTEM
from campusguard.core.db import utcnow
from campusguard.org.models import Area, School
from campusguard.patrol import service
from campusguard.patrol.schemas import CheckpointIn, RouteIn, ShiftIn, StopIn

log = structlog.get_logger(__name__)
# (area kind, checkpoint name, metres north, metres east) around the school's own position
LAYOUT = [("main_gate", "正门岗亭", 0, -60), ("playground", "户外活动场", 40, 10), ("kitchen", "厨房后门", -30, 40),
          ("perimeter", "东侧围墙", 10, 80)]
M_PER_DEG = 111_320.0


def seed_demo(session: Session) -> None:
    """Give the demo guard's school a walked route: 4 checkpoints, stops every 20 minutes, a shift from now."""
    guard = accounts.by_username(session, "guard")
    if guard is None or not guard.school_codes:
        return
    school = session.scalars(select(School).where(School.code == guard.school_codes[0])).one()
    lat0, lon0 = school.lat or 22.55, school.lon or 114.1
    areas = {a.kind: a for a in session.scalars(select(Area).where(Area.school_id == school.id))}
    stops = []
    for i, (kind, name, north, east) in enumerate(LAYOUT):
        area = areas.get(kind)
        cp = service.create_checkpoint(session, SYSTEM, CheckpointIn(
            school_id=school.id, area_id=area.id if area else None, name=name, radius_m=40,
            lat=round(lat0 + north / M_PER_DEG, 6), lon=round(lon0 + east / M_PER_DEG, 6)))
        stops.append(StopIn(checkpoint_id=cp.id, offset_min=i * 20, tolerance_min=30))
    route, _ = service.create_route(session, SYSTEM, RouteIn(school_id=school.id, name="日间巡逻路线", stops=stops))
    start = utcnow() - timedelta(minutes=10)
    service.create_shift(session, SYSTEM, ShiftIn(school_id=school.id, guard_user_id=guard.id, route_id=route.id,
                                                  post="patrol", starts_at=start, ends_at=start + timedelta(hours=10)))
    log.info("patrol.seeded", school=school.code, checkpoints=len(stops))
