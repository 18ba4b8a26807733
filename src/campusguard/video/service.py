"""Video services: cameras in scope, the segment index, timelines with gaps, view sessions, issues."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, NotFound
from campusguard.core.scope import check_school, scoped
from campusguard.device import service as devices
from campusguard.device.models import Device
from campusguard.device.schemas import DeviceIn
from campusguard.org import service as org
from campusguard.org.models import PRIVATE_AREA_KINDS, Area, School
from campusguard.video.models import Camera, ClassCamera, Gap, Issue, Segment, ViewSession
from campusguard.video.schemas import CameraIn, CameraOut, CameraPatch, GapOut

GAP_TOLERANCE_S = 1.5


def area_is_private(area: Area | None) -> bool:
    """Toilets, dormitories, changing rooms: never shared with parents, whatever the flag says."""
    return area is not None and (area.private or area.kind in PRIVATE_AREA_KINDS)


def _classes(session: Session, camera_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if camera_ids:
        for cid, name in session.execute(select(ClassCamera.camera_id, ClassCamera.class_name)
                                         .where(ClassCamera.camera_id.in_(camera_ids))
                                         .order_by(ClassCamera.class_name)).tuples():
            out.setdefault(cid, []).append(name)
    return out


def to_out(session: Session, rows: list[tuple[Camera, Device, School, Area | None]]) -> list[CameraOut]:
    classes = _classes(session, [c.id for c, *_ in rows])
    return [CameraOut(
        id=cam.id, device_id=dev.id, device_code=dev.code, name=dev.name, school_id=school.id,
        school_code=school.code, area_id=dev.area_id, area_private=area_is_private(area),
        rtsp_url=cam.rtsp_url,
        sub_url=cam.sub_url, has_credentials=bool(cam.username or cam.password), codec=cam.codec,
        width=cam.width, height=cam.height, fps=cam.fps, bitrate_kbps=cam.bitrate_kbps, status=cam.status,
        status_reason=cam.status_reason, online=dev.online, recording=cam.recording, worker=cam.worker,
        parent_viewer_cap=cam.parent_viewer_cap, last_segment_end=cam.last_segment_end,
        classes=classes.get(cam.id, []),
    ) for cam, dev, school, area in rows]


def camera_query() -> Select[tuple[Camera, Device, School, Area]]:
    return (select(Camera, Device, School, Area).join(Device, Device.id == Camera.device_id)
            .join(School, School.id == Camera.school_id).outerjoin(Area, Area.id == Device.area_id)
            .order_by(Camera.id))


def list_cameras(session: Session, principal: Principal, *, school_code: str | None = None,
                 status: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[CameraOut], int]:
    stmt = scoped(camera_query(), Camera.school_id, session, principal)
    if school_code:
        stmt = stmt.where(School.code == school_code)
    if status:
        stmt = stmt.where(Camera.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = [tuple(r) for r in session.execute(stmt.limit(limit).offset(offset)).all()]
    return to_out(session, rows), int(total)  # type: ignore[arg-type]


def get_camera(session: Session, principal: Principal, camera_id: int) -> Camera:
    """A camera in the caller's scope (404 otherwise: existence is not revealed)."""
    cam = session.get(Camera, camera_id)
    if cam is None:
        raise NotFound(f"camera {camera_id} not found")
    check_school(session, principal, cam.school_id, write=False)
    return cam


def camera_out(session: Session, cam: Camera) -> CameraOut:
    row = session.execute(camera_query().where(Camera.id == cam.id)).one()
    return to_out(session, [tuple(row)])[0]  # type: ignore[list-item]


def camera_device(session: Session, cam: Camera) -> Device:
    device = session.get(Device, cam.device_id)
    assert device is not None
    return device


def create_camera(session: Session, principal: Principal, data: CameraIn) -> Camera:
    """Register the device (type camera) through the device service, then the video side."""
    school = org.get_school_by_code(session, principal, data.school_code)
    check_school(session, principal, school.id, write=True)
    n = session.scalar(select(func.count()).select_from(Device).where(Device.school_id == school.id,
                                                                       Device.type == "camera")) or 0
    code = data.code or f"{school.code}-VC{n + 1:03d}"
    while devices.by_code(session, code) is not None and data.code is None:
        n += 1
        code = f"{school.code}-VC{n + 1:03d}"
    device = devices.create_device(session, principal, DeviceIn(
        code=code, name=data.name, type="camera", school_code=school.code, area_id=data.area_id,
        vendor=data.vendor, model=data.model, protocol="rtsp", settings={}, heartbeat_s=60))
    cam = Camera(device_id=device.id, school_id=school.id, rtsp_url=data.rtsp_url, sub_url=data.sub_url,
                 username=data.username, password=data.password, recording=data.recording,
                 parent_viewer_cap=data.parent_viewer_cap, status="unknown", onvif={})
    session.add(cam)
    session.flush()
    audit.record(session, principal=principal, action="video.camera.create", target_type="camera",
                 target_id=cam.id, school_id=school.id, district_code=school.district_code,
                 detail={"device_id": device.id, "rtsp_url": data.rtsp_url, "name": data.name})
    return cam


def update_camera(session: Session, principal: Principal, camera_id: int, data: CameraPatch) -> Camera:
    cam = get_camera(session, principal, camera_id)
    check_school(session, principal, cam.school_id, write=True)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        camera_device(session, cam).name = changes.pop("name")
    for key, value in changes.items():
        setattr(cam, key, value)
    session.flush()
    audit.record(session, principal=principal, action="video.camera.update", target_type="camera",
                 target_id=cam.id, school_id=cam.school_id,
                 detail={k: ("***" if k in ("username", "password") else v) for k, v in changes.items()})
    return cam


def stream_url(cam: Camera, sub: bool = False) -> str:
    """The URL ffmpeg opens, with the decrypted credentials put back in (never logged or returned)."""
    url = (cam.sub_url if sub and cam.sub_url else cam.rtsp_url)
    if not cam.username:
        return url
    parts = urlsplit(url)
    auth = quote(cam.username, safe="") + (":" + quote(cam.password or "", safe=""))
    host = parts.hostname or ""
    netloc = f"{auth}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def set_classes(session: Session, principal: Principal, camera_id: int, classes: list[str]) -> list[str]:
    """Map a camera to kindergarten classes; a camera of a private area can never be shared."""
    cam = get_camera(session, principal, camera_id)
    check_school(session, principal, cam.school_id, write=True)
    device = camera_device(session, cam)
    area = session.get(Area, device.area_id) if device.area_id else None
    names = sorted({c.strip() for c in classes if c.strip()})
    if names and area_is_private(area):
        raise Conflict("cameras of private areas (toilets, dormitories, changing rooms) cannot be shared "
                       "with parents", code="private_area")
    session.execute(delete(ClassCamera).where(ClassCamera.camera_id == cam.id))
    for name in names:
        session.add(ClassCamera(camera_id=cam.id, school_id=cam.school_id, class_name=name[:64]))
    session.flush()
    audit.record(session, principal=principal, action="video.camera.classes", target_type="camera",
                 target_id=cam.id, school_id=cam.school_id, detail={"classes": names})
    return names


# --- the segment index ---------------------------------------------------------------------------------

def index_segment(session: Session, *, camera_id: int, path: str, start: datetime, end: datetime,
                  size: int) -> Segment | None:
    """Store one finished segment (idempotent by path) and move the camera's recording tip."""
    if session.scalar(select(Segment.id).where(Segment.path == path)) is not None:
        return None
    seg = Segment(camera_id=camera_id, path=path, start=start, end=end, bytes=size)
    session.add(seg)
    cam = session.get(Camera, camera_id)
    if cam is not None and (cam.last_segment_end is None or end > cam.last_segment_end):
        cam.last_segment_end = end
    session.flush()
    return seg


def record_gap(session: Session, *, camera_id: int, start: datetime, end: datetime, reason: str) -> Gap:
    gap = Gap(camera_id=camera_id, start=start, end=end, reason=reason[:300])
    session.add(gap)
    session.flush()
    return gap


def segments_between(session: Session, camera_id: int, start: datetime, end: datetime) -> list[Segment]:
    return list(session.scalars(select(Segment).where(
        Segment.camera_id == camera_id, Segment.end > start, Segment.start < end
    ).order_by(Segment.start)).all())


def timeline_gaps(session: Session, camera_id: int, start: datetime, end: datetime,
                  segments: list[Segment], now: datetime | None = None) -> list[GapOut]:
    """Holes in [start, end) not covered by segments, with the recorder's reason where it noted one."""
    limit = min(end, now or utcnow())
    holes: list[tuple[datetime, datetime]] = []
    cursor = start
    for seg in segments:
        if (seg.start - cursor).total_seconds() > GAP_TOLERANCE_S:
            holes.append((cursor, seg.start))
        cursor = max(cursor, seg.end)
    if (limit - cursor).total_seconds() > GAP_TOLERANCE_S + 12:  # the open segment is not indexed yet
        holes.append((cursor, limit))
    if not holes:
        return []
    noted = list(session.scalars(select(Gap).where(Gap.camera_id == camera_id, Gap.end > start,
                                                   Gap.start < end)).all())
    out = []
    for a, b in holes:
        reason = next((g.reason for g in noted if g.start < b and g.end > a), "no recording")
        out.append(GapOut(start=a, end=b, reason=reason))
    return out


# --- view sessions -------------------------------------------------------------------------------------

def open_view(session: Session, principal: Principal, cam: Camera, *, kind: str,
              range_start: datetime | None = None, range_end: datetime | None = None,
              reuse_within_s: int | None = None) -> ViewSession:
    """Record who watches what (live renewals extend the same session); audited."""
    now = utcnow()
    view = None
    if reuse_within_s is not None:
        view = session.scalars(select(ViewSession).where(
            ViewSession.camera_id == cam.id, ViewSession.user_id == principal.id, ViewSession.kind == kind,
            ViewSession.last_seen > now - timedelta(seconds=reuse_within_s)).order_by(ViewSession.id.desc())
        ).first()
    if view is None:
        view = ViewSession(camera_id=cam.id, user_id=principal.id, user_name=principal.name,
                           role=principal.role.value, kind=kind, range_start=range_start, range_end=range_end,
                           started_at=now, last_seen=now, ip=principal.ip)
        session.add(view)
        session.flush()
        audit.record(session, principal=principal, action=f"video.{kind}", target_type="camera",
                     target_id=cam.id, school_id=cam.school_id,
                     detail={"session_id": view.id, "from": range_start or now, "to": range_end})
    else:
        view.last_seen = now
        session.flush()
    return view


def concurrent_viewers(session: Session, camera_id: int, *, window_s: int, role: str | None = None,
                       exclude_user: int | None = None) -> int:
    stmt = select(func.count(func.distinct(ViewSession.user_id))).where(
        ViewSession.camera_id == camera_id, ViewSession.kind == "live",
        ViewSession.last_seen > utcnow() - timedelta(seconds=window_s))
    if role:
        stmt = stmt.where(ViewSession.role == role)
    if exclude_user is not None:
        stmt = stmt.where(ViewSession.user_id != exclude_user)
    return int(session.scalar(stmt) or 0)


def list_viewers(session: Session, principal: Principal, camera_id: int, *, limit: int, offset: int
                 ) -> tuple[list[ViewSession], int]:
    get_camera(session, principal, camera_id)
    stmt = select(ViewSession).where(ViewSession.camera_id == camera_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(ViewSession.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), int(total)


# --- issues --------------------------------------------------------------------------------------------

def sync_issues(session: Session, cam: Camera, found: dict[str, tuple[str, dict[str, Any]]],
                checked: set[str], now: datetime | None = None) -> list[Issue]:
    """Open or refresh issues for kinds found; resolve open issues of the checked kinds no longer seen."""
    now = now or utcnow()
    open_rows = {i.kind: i for i in session.scalars(select(Issue).where(
        Issue.camera_id == cam.id, Issue.resolved_at.is_(None))).all()}
    for kind, (severity, detail) in found.items():
        row = open_rows.get(kind)
        if row is None:
            session.add(Issue(camera_id=cam.id, school_id=cam.school_id, kind=kind, severity=severity,
                              detail=detail, first_seen=now, last_seen=now))
        else:
            row.last_seen, row.severity, row.detail = now, severity, detail
    for kind, row in open_rows.items():
        if kind in checked and kind not in found:
            row.resolved_at = now
    session.flush()
    return list(session.scalars(select(Issue).where(Issue.camera_id == cam.id,
                                                    Issue.resolved_at.is_(None))).all())


def list_issues(session: Session, principal: Principal, *, school_code: str | None = None,
                open_only: bool = True, kind: str | None = None, limit: int = 50, offset: int = 0
                ) -> tuple[list[Issue], int]:
    stmt = scoped(select(Issue), Issue.school_id, session, principal)
    if school_code:
        stmt = stmt.join(School, School.id == Issue.school_id).where(School.code == school_code)
    if open_only:
        stmt = stmt.where(Issue.resolved_at.is_(None))
    if kind:
        stmt = stmt.where(Issue.kind == kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Issue.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def issue_summary(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Open issues per school and district, by severity (dashboards and assessment read this)."""
    stmt = (select(School.id, School.code, School.name, School.district_code, Issue.severity, func.count())
            .join(Issue, and_(Issue.school_id == School.id, Issue.resolved_at.is_(None)))
            .group_by(School.id, School.code, School.name, School.district_code, Issue.severity))
    stmt = scoped(stmt, School.id, session, principal)
    out: dict[int, dict[str, Any]] = {}
    for sid, code, name, district, severity, n in session.execute(stmt).tuples():
        row = out.setdefault(sid, {"school_id": sid, "school_code": code, "school_name": name,
                                   "district_code": district, "critical": 0, "major": 0, "minor": 0})
        row[severity] = row.get(severity, 0) + int(n)
    return sorted(out.values(), key=lambda r: (r["district_code"], r["school_code"]))


def parse_range(start: datetime, end: datetime, max_hours: int = 24) -> tuple[datetime, datetime]:
    """Validate a query range: aware, ordered, bounded."""
    if start.tzinfo is None or end.tzinfo is None:
        raise BadRequest("start and end need a timezone (ISO 8601 with Z or an offset)", code="naive_time")
    if end <= start:
        raise BadRequest("end must be after start", code="bad_range")
    if end - start > timedelta(hours=max_hours):
        raise BadRequest(f"range is limited to {max_hours} hours", code="range_too_long")
    return start, end


def attach_streams(session: Session, *, base: str, mounts: int, school_code: str | None = None,
                   limit: int = 8) -> list[int]:
    """Demo helper: camera devices without a video row get `<base>/cam<N>` (round robin over mounts)."""
    stmt = (select(Device).outerjoin(Camera, Camera.device_id == Device.id)
            .where(Device.type == "camera", Camera.id.is_(None)).order_by(Device.id).limit(limit))
    if school_code:
        stmt = stmt.join(School, School.id == Device.school_id).where(School.code == school_code)
    made = []
    for i, device in enumerate(session.scalars(stmt).all()):
        cam = Camera(device_id=device.id, school_id=device.school_id, rtsp_url=f"{base}/cam{i % mounts + 1}",
                     status="unknown", recording=True, onvif={})
        session.add(cam)
        session.flush()
        made.append(cam.id)
    return made
