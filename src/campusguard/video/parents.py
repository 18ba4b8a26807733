"""Kindergarten parents: their child's class cameras only, in the school's windows, capped, never private."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import Forbidden, NotFound, ProblemError
from campusguard.device.models import Device
from campusguard.org import service as org
from campusguard.org.models import Area, School
from campusguard.video.models import Camera, ClassCamera
from campusguard.video.service import area_is_private, concurrent_viewers

DEFAULT_TZ = "Asia/Shanghai"


class ViewerCapReached(ProblemError):
    status, title, code = 429, "Too many viewers", "viewer_cap"


def _parse_hhmm(value: str) -> time:
    hh, mm = value.split(":")
    return time(int(hh), int(mm))


def in_window(school: School, now: datetime, tz: str = DEFAULT_TZ) -> bool:
    """School settings: live_view_windows [["08:30","11:30"], ...] in local time, live_view_days [1..7]."""
    settings: dict[str, Any] = school.settings or {}
    windows = settings.get("live_view_windows") or []
    local = now.astimezone(ZoneInfo(settings.get("timezone") or tz))
    days = settings.get("live_view_days")
    if days and local.isoweekday() not in days:
        return False
    for window in windows:
        try:
            start, end = _parse_hhmm(window[0]), _parse_hhmm(window[1])
        except (ValueError, IndexError, TypeError):
            continue
        if start <= local.time() < end:
            return True
    return False


def parent_classes(session: Session, principal: Principal) -> set[tuple[int, str]]:
    """(school_id, class_name) of the parent's linked children."""
    if principal.person_id is None:
        return set()
    return {(child.school_id, child.class_name) for child in org.children_of(session, principal.person_id)
            if child.class_name}


def parent_cameras(session: Session, principal: Principal) -> list[tuple[Camera, Device, School, str]]:
    """Every camera the parent could watch in a window (class mapping, no private area)."""
    classes = parent_classes(session, principal)
    if not classes:
        return []
    out = []
    rows = session.execute(select(Camera, Device, School, ClassCamera.class_name)
                           .join(ClassCamera, ClassCamera.camera_id == Camera.id)
                           .join(Device, Device.id == Camera.device_id)
                           .join(School, School.id == Camera.school_id).order_by(Camera.id)).tuples().all()
    for cam, dev, school, class_name in rows:
        if (cam.school_id, class_name) not in classes:
            continue
        area = session.get(Area, dev.area_id) if dev.area_id else None
        if area_is_private(area):
            continue
        out.append((cam, dev, school, class_name))
    return out


def check_parent_view(session: Session, principal: Principal, camera_id: int, *, window_s: int,
                      now: datetime | None = None) -> Camera:
    """Every rule a parent's live view must pass; raises the refusal the parent should see."""
    allowed = {cam.id: (cam, school) for cam, _dev, school, _c in parent_cameras(session, principal)}
    if camera_id not in allowed:
        raise NotFound(f"camera {camera_id} not found")
    cam, school = allowed[camera_id]
    if not in_window(school, now or utcnow()):
        raise Forbidden("live view is only open in the school's viewing hours", code="outside_window",
                        extra={"windows": (school.settings or {}).get("live_view_windows", [])})
    if concurrent_viewers(session, cam.id, window_s=window_s, role="parent",
                          exclude_user=principal.id) >= cam.parent_viewer_cap:
        raise ViewerCapReached(f"this camera already has {cam.parent_viewer_cap} parent viewers; "
                               "try again shortly")
    return cam
