"""HTTP routes of the video domain: cameras, live, playback, clips, viewers, issues, retention, media."""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import anyio
import anyio.from_thread
import structlog
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from sqlalchemy import func, select
from starlette.background import BackgroundTask

from campusguard.adapters.ffmpeg.clip import ClipError, cut
from campusguard.adapters.ffmpeg.probe import ProbeError, probe
from campusguard.adapters.ffmpeg.segments import SegmentInfo
from campusguard.adapters.onvif.discovery import discover
from campusguard.adapters.onvif.profiles import OnvifError, read_device
from campusguard.config import Settings
from campusguard.core import audit
from campusguard.core.auth import Principal, current_principal, require
from campusguard.core.db import SessionDep, utcnow
from campusguard.core.errors import BadRequest, Forbidden, NotFound, ProblemError
from campusguard.core.pagination import Page
from campusguard.core.scope import check_school, scoped
from campusguard.device.models import Device
from campusguard.org import service as org
from campusguard.org.models import School
from campusguard.video import clips, parents, retention, service
from campusguard.video.models import Camera, Clip, RetentionPolicy
from campusguard.video.onvif import DiscoverIn, OnvifImportIn, import_camera
from campusguard.video.playlist import vod_playlist
from campusguard.video.schemas import (
    CameraIn,
    CameraOut,
    CameraPatch,
    ClassCamerasIn,
    ClipIn,
    ClipOut,
    IssueOut,
    LiveOut,
    RecordingsOut,
    RetentionIn,
    RetentionRow,
    SegmentOut,
    ViewerOut,
)
from campusguard.video.signing import check_media, check_query, media_secret, media_url, sign_query
from campusguard.video.storage import inside, live_root, rec_dir, video_root
from campusguard.video.workers import assign

log = structlog.get_logger(__name__)
router = APIRouter(tags=["video"])

Admin = Annotated[Principal, Depends(require("video.admin"))]
Playback = Annotated[Principal, Depends(require("video.playback"))]
Clipper = Annotated[Principal, Depends(require("video.clip"))]
Viewers = Annotated[Principal, Depends(require("video.viewers"))]
Anyone = Annotated[Principal, Depends(current_principal)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]

LIVE_TTL_S = 300  # a live URL lives 5 minutes; the player renews it, which also counts the viewer
VOD_TTL_S = 4 * 3600
PLAYLIST = "application/vnd.apple.mpegurl"
CONTENT_TYPES = {".m3u8": PLAYLIST, ".ts": "video/mp2t", ".mp4": "video/mp4", ".m4s": "video/iso.segment"}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def _from_iso(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise BadRequest("bad time in signed URL", code="bad_signature") from exc


# --- cameras -------------------------------------------------------------------------------------------

@router.post("/cameras", response_model=CameraOut, status_code=201)
def create_camera(data: CameraIn, session: SessionDep, principal: Admin) -> CameraOut:
    cam = service.create_camera(session, principal, data)
    assign(session)  # a live worker starts recording as soon as this commits
    return service.camera_out(session, cam)


@router.get("/cameras", response_model=Page[CameraOut])
def list_cameras(session: SessionDep, principal: Anyone, limit: Limit = 50, offset: Offset = 0,
                 school_code: str | None = None, status: str | None = None) -> Page[CameraOut]:
    if not (principal.can("video.live") or principal.can("video.admin") or principal.can("device.read")):
        raise Forbidden(f"role {principal.role.value} cannot list cameras", code="forbidden")
    items, total = service.list_cameras(session, principal, school_code=school_code, status=status,
                                        limit=limit, offset=offset)
    return Page(items=items, total=total)


@router.get("/cameras/{camera_id:int}", response_model=CameraOut)
def get_camera(camera_id: int, session: SessionDep, principal: Anyone) -> CameraOut:
    if not (principal.can("video.live") or principal.can("device.read")):
        raise Forbidden(f"role {principal.role.value} cannot read cameras", code="forbidden")
    return service.camera_out(session, service.get_camera(session, principal, camera_id))


@router.patch("/cameras/{camera_id:int}", response_model=CameraOut)
def update_camera(camera_id: int, data: CameraPatch, session: SessionDep, principal: Admin) -> CameraOut:
    cam = service.update_camera(session, principal, camera_id, data)
    assign(session)
    return service.camera_out(session, cam)


@router.put("/cameras/{camera_id:int}/classes", response_model=list[str])
def set_classes(camera_id: int, data: ClassCamerasIn, session: SessionDep, principal: Admin) -> list[str]:
    return service.set_classes(session, principal, camera_id, data.classes)


@router.post("/cameras/{camera_id:int}/probe", response_model=CameraOut)
def probe_camera(camera_id: int, session: SessionDep, principal: Admin) -> CameraOut:
    """Read codec, resolution, fps and bitrate from the camera's stream now."""
    cam = service.get_camera(session, principal, camera_id)
    try:
        info = anyio.from_thread.run(probe, service.stream_url(cam), 8.0)
    except ProbeError as exc:
        cam.status, cam.status_reason = "offline", str(exc)[:300]
        raise ProblemError(f"camera did not answer: {exc}", status=502, code="camera_unreachable") from exc
    cam.codec, cam.width, cam.height, cam.fps = info.codec, info.width, info.height, info.fps
    cam.bitrate_kbps = info.bitrate_kbps or cam.bitrate_kbps
    session.flush()
    return service.camera_out(session, cam)


@router.post("/video/onvif/discover")
async def onvif_discover(data: DiscoverIn, principal: Admin) -> dict[str, object]:
    """WS-Discovery on the platform's network segment: cameras that answer, with their addresses."""
    found = await discover(data.timeout_s)
    items = [{"endpoint": d.endpoint, "xaddrs": d.xaddrs, "name": d.name, "hardware": d.hardware} for d in found]
    return {"items": items, "total": len(items)}


@router.post("/video/onvif/import", response_model=CameraOut, status_code=201)
def onvif_import(data: OnvifImportIn, session: SessionDep, principal: Admin) -> CameraOut:
    """Read the device's profiles over ONVIF and register it (main stream recorded, sub stream for live)."""
    school = org.get_school_by_code(session, principal, data.school_code)
    check_school(session, principal, school.id, write=True)
    try:
        info = anyio.from_thread.run(read_device, data.host, data.port, data.username, data.password)
    except OnvifError as exc:
        raise ProblemError(f"ONVIF import failed: {exc}", status=502, code="onvif_failed") from exc
    cam = import_camera(session, principal, data, info)
    assign(session)
    return service.camera_out(session, cam)


# --- live ----------------------------------------------------------------------------------------------

@router.get("/cameras/{camera_id:int}/live", response_model=LiveOut)
def live(camera_id: int, request: Request, session: SessionDep, principal: Anyone) -> LiveOut:
    """A short-lived signed HLS URL; parents pass the class, window, privacy and viewer-cap rules."""
    if principal.can("video.live"):
        cam = service.get_camera(session, principal, camera_id)
    elif principal.can("video.parent"):
        cam = parents.check_parent_view(session, principal, camera_id, window_s=LIVE_TTL_S)
    else:
        raise Forbidden(f"role {principal.role.value} cannot watch live video", code="forbidden")
    view = service.open_view(session, principal, cam, kind="live", reuse_within_s=LIVE_TTL_S)
    settings = _settings(request)
    url, expires = media_url(media_secret(settings), f"live/cam{cam.id}", "index.m3u8", LIVE_TTL_S)
    node = getattr(request.app.state, "video_node", None)
    if node is not None:
        anyio.from_thread.run_sync(node.touch_live, cam)
    return LiveOut(hls_url=url, expires_at=datetime.fromtimestamp(expires, UTC), session_id=view.id,
                   watermark=f"{principal.name} · {utcnow():%Y-%m-%d %H:%M}")


@router.get("/video/parent/cameras")
def parent_cameras(session: SessionDep,
                   principal: Annotated[Principal, Depends(require("video.parent"))]) -> dict[str, object]:
    """The cameras of the parent's child's class and whether viewing is open right now."""
    now = utcnow()
    items = [{"id": cam.id, "name": dev.name, "class_name": cls, "school_name": school.name,
              "open_now": parents.in_window(school, now),
              "windows": (school.settings or {}).get("live_view_windows", [])}
             for cam, dev, school, cls in parents.parent_cameras(session, principal)]
    return {"items": items, "total": len(items)}


# --- playback ------------------------------------------------------------------------------------------

@router.get("/cameras/{camera_id:int}/recordings", response_model=RecordingsOut)
def recordings(camera_id: int, start: datetime, end: datetime, request: Request, session: SessionDep,
               principal: Playback) -> RecordingsOut:
    """The timeline of a range: segments, gaps and a signed VOD playlist (and MP4 download)."""
    start, end = service.parse_range(start, end)
    cam = service.get_camera(session, principal, camera_id)
    segs = service.segments_between(session, cam.id, start, end)
    gaps = service.timeline_gaps(session, cam.id, start, end, segs)
    service.open_view(session, principal, cam, kind="playback", range_start=start, range_end=end)
    settings = _settings(request)
    playlist = download = None
    if segs:
        exp = int(time.time()) + VOD_TTL_S
        q = f"{cam.id}|{_iso(start)}|{_iso(end)}|{exp}|{principal.id}|{principal.name}"
        params = urlencode({"start": _iso(start), "end": _iso(end), "exp": exp, "u": principal.id,
                            "n": principal.name, "sig": sign_query(settings, q)})
        playlist = f"/api/v1/cameras/{cam.id}/vod.m3u8?{params}"
        download = f"/api/v1/cameras/{cam.id}/download.mp4?{params}"
    recorded = sum((min(s.end, end) - max(s.start, start)).total_seconds() for s in segs)
    return RecordingsOut(camera_id=cam.id, start=start, end=end, recorded_s=round(recorded, 3),
                         segments=[SegmentOut(id=s.id, start=s.start, end=s.end, bytes=s.bytes)
                                   for s in segs],
                         gaps=gaps, playlist_url=playlist, download_url=download)


def _check_signed(settings: Settings, camera_id: int, start: str, end: str, exp: int, u: int, n: str,
                  sig: str) -> tuple[datetime, datetime]:
    if not check_query(settings, f"{camera_id}|{start}|{end}|{exp}|{u}|{n}", sig):
        raise Forbidden("bad signature", code="bad_signature")
    if exp < time.time():
        raise ProblemError("link expired; ask for a new one", status=410, code="expired")
    return _from_iso(start), _from_iso(end)


@router.get("/cameras/{camera_id:int}/vod.m3u8", include_in_schema=False)
def vod(camera_id: int, start: str, end: str, exp: int, u: int, n: str, sig: str, request: Request,
        session: SessionDep) -> Response:
    """The VOD playlist: byte ranges of the recorded fMP4 files, each URL signed for nginx or the app."""
    settings = _settings(request)
    begin, finish = _check_signed(settings, camera_id, start, end, exp, u, n, sig)
    segs = service.segments_between(session, camera_id, begin, finish)
    secret = media_secret(settings)
    root = rec_dir(settings, camera_id)

    def url_of(seg: object) -> str:
        rel = Path(seg.path).relative_to(root).as_posix()  # type: ignore[attr-defined]
        return media_url(secret, f"rec/cam{camera_id}", rel, max(60, exp - int(time.time())))[0]

    segs = [s for s in segs if inside(root, Path(s.path))]
    return PlainTextResponse(vod_playlist(segs, url_of), media_type=PLAYLIST,
                             headers={"Cache-Control": "private, max-age=10"})


@router.get("/cameras/{camera_id:int}/download.mp4", include_in_schema=False)
def download(camera_id: int, start: str, end: str, exp: int, u: int, n: str, sig: str, request: Request,
             session: SessionDep) -> Response:
    """A recorded range as one MP4 (stream copy); the download is audited under the signing user."""
    settings = _settings(request)
    begin, finish = _check_signed(settings, camera_id, start, end, exp, u, n, sig)
    cam = session.get(Camera, camera_id)
    if cam is None:
        raise NotFound(f"camera {camera_id} not found")
    segs = service.segments_between(session, camera_id, begin, finish)
    infos = [SegmentInfo(Path(s.path), s.start, s.end, s.bytes) for s in segs if Path(s.path).exists()]
    tmpdir = Path(tempfile.mkdtemp(prefix="cg-dl-", dir=video_root(settings)))
    out = tmpdir / f"cam{camera_id}-{start}.mp4"
    try:
        asyncio.run(cut(infos, begin, finish, out))
    except ClipError as exc:
        out.unlink(missing_ok=True)
        tmpdir.rmdir()
        raise ProblemError(str(exc), status=404, code="no_recording") from exc
    audit.record(session, principal=None, action="video.download", target_type="camera", target_id=camera_id,
                 school_id=cam.school_id, detail={"user_id": u, "user": n, "from": begin, "to": finish})

    def _cleanup() -> None:
        out.unlink(missing_ok=True)
        tmpdir.rmdir()

    return FileResponse(out, media_type="video/mp4", filename=out.name, background=BackgroundTask(_cleanup))


# --- media files (the app's own path; nginx serves the same URLs in production) -------------------------

@router.get("/video/media/{sig}/{expires}/{kind}/{key}/{rest:path}", include_in_schema=False)
async def media(sig: str, expires: str, kind: str, key: str, rest: str, request: Request) -> Response:
    settings = _settings(request)
    scope = f"{kind}/{key}"
    problem = check_media(media_secret(settings), sig, expires, scope)
    if problem == "expired":
        raise ProblemError("link expired; ask for a new one", status=410, code="expired")
    if problem is not None:
        raise Forbidden("bad or missing signature", code="bad_signature")
    base = live_root(settings) / key if kind == "live" else rec_dir(settings, int(key[3:]))
    path = base / rest
    if not inside(base, path) or not path.is_file():
        if kind == "live" and rest == "index.m3u8":
            node = getattr(request.app.state, "video_node", None)
            stream = node.live.streams.get(key) if node is not None else None
            if stream is not None:
                stream.touch()
                if await stream.wait_ready(8.0):
                    path = stream.playlist
        if not path.is_file():
            raise NotFound("no such media file")
    if kind == "live" and path.suffix == ".m3u8":
        node = getattr(request.app.state, "video_node", None)
        stream = node.live.streams.get(key) if node is not None else None
        if stream is not None:
            stream.touch()
        return Response(path.read_bytes(), media_type=PLAYLIST, headers={"Cache-Control": "no-cache"})
    return FileResponse(path, media_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
                        headers={"Cache-Control": "private, max-age=3600"})


# --- clips ---------------------------------------------------------------------------------------------

def _clip_out(clip: Clip) -> ClipOut:
    out = ClipOut.model_validate(clip)
    if clip.status == "ready":
        out.download_url = f"/api/v1/video/clips/{clip.id}/file"
    return out


@router.post("/cameras/{camera_id:int}/clips", response_model=ClipOut, status_code=201)
def create_clip(camera_id: int, data: ClipIn, request: Request, session: SessionDep,
                principal: Clipper) -> ClipOut:
    cam = service.get_camera(session, principal, camera_id)
    check_school(session, principal, cam.school_id, write=True)
    if data.start < utcnow() - timedelta(days=3650) or data.start > utcnow() + timedelta(hours=1):
        raise BadRequest("clip range is not plausible", code="bad_range")
    clip = clips.create_clip(session, principal, cam, start=data.start, end=data.end, reason=data.reason,
                             incident_id=data.incident_id, settings=_settings(request))
    return _clip_out(clip)


@router.get("/cameras/{camera_id:int}/clips", response_model=Page[ClipOut])
def list_clips(camera_id: int, session: SessionDep, principal: Clipper, limit: Limit = 50,
               offset: Offset = 0, incident_id: int | None = None) -> Page[ClipOut]:
    """A camera's evidence clips, newest first; `incident_id` keeps those cut for one incident."""
    service.get_camera(session, principal, camera_id)
    where = [Clip.camera_id == camera_id]
    if incident_id is not None:
        where.append(Clip.incident_id == incident_id)
    rows = session.scalars(select(Clip).where(*where).order_by(Clip.id.desc()).limit(limit).offset(offset)).all()
    total = session.scalar(select(func.count()).select_from(Clip).where(*where)) or 0
    return Page(items=[_clip_out(c) for c in rows], total=total)


def _get_clip(session: SessionDep, principal: Principal, clip_id: int) -> Clip:
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise NotFound(f"clip {clip_id} not found")
    check_school(session, principal, clip.school_id, write=False)
    return clip


@router.get("/video/clips/{clip_id:int}", response_model=ClipOut)
def get_clip(clip_id: int, session: SessionDep, principal: Clipper) -> ClipOut:
    return _clip_out(_get_clip(session, principal, clip_id))


@router.get("/video/clips/{clip_id:int}/file", include_in_schema=False)
def clip_file(clip_id: int, session: SessionDep, principal: Clipper) -> Response:
    """The sealed clip; each hand-over is a custody record in the audit log."""
    clip = _get_clip(session, principal, clip_id)
    if clip.status != "ready" or clip.path is None or not Path(clip.path).is_file():
        raise ProblemError("the clip is not ready", status=409, code="not_ready")
    audit.record(session, principal=principal, action="video.clip.download", target_type="clip",
                 target_id=clip.id, school_id=clip.school_id, detail={"sha256": clip.sha256})
    return FileResponse(clip.path, media_type="video/mp4", filename=Path(clip.path).name,
                        headers={"X-Content-SHA256": clip.sha256 or ""})


# --- viewers, issues, retention --------------------------------------------------------------------------

@router.get("/cameras/{camera_id:int}/viewers", response_model=Page[ViewerOut])
def viewers(camera_id: int, session: SessionDep, principal: Viewers, limit: Limit = 50,
            offset: Offset = 0) -> Page[ViewerOut]:
    rows, total = service.list_viewers(session, principal, camera_id, limit=limit, offset=offset)
    return Page(items=[ViewerOut.model_validate(r) for r in rows], total=total)


@router.get("/video/issues", response_model=Page[IssueOut])
def issues(session: SessionDep, principal: Anyone, limit: Limit = 50, offset: Offset = 0,
           school_code: str | None = None, open: bool = True, kind: str | None = None) -> Page[IssueOut]:  # noqa: A002
    if not (principal.can("device.read") or principal.can("video.admin")):
        raise Forbidden(f"role {principal.role.value} cannot read device issues", code="forbidden")
    rows, total = service.list_issues(session, principal, school_code=school_code, open_only=open, kind=kind,
                                      limit=limit, offset=offset)
    return Page(items=[IssueOut.model_validate(r) for r in rows], total=total)


@router.get("/video/issues/summary")
def issues_summary(session: SessionDep, principal: Anyone) -> dict[str, object]:
    if not (principal.can("device.read") or principal.can("video.admin")):
        raise Forbidden(f"role {principal.role.value} cannot read device issues", code="forbidden")
    schools = service.issue_summary(session, principal)
    districts: dict[str, dict[str, int]] = {}
    for row in schools:
        d = districts.setdefault(row["district_code"], {"critical": 0, "major": 0, "minor": 0, "schools": 0})
        d["schools"] += 1
        for sev in ("critical", "major", "minor"):
            d[sev] += int(row.get(sev, 0))
    return {"schools": schools, "districts": districts}


@router.put("/video/retention", status_code=200)
def set_retention(data: RetentionIn, session: SessionDep, principal: Admin) -> dict[str, object]:
    school = org.get_school_by_code(session, principal, data.school_code)
    check_school(session, principal, school.id, write=True)
    if data.area_id is not None:
        org.get_area(session, principal, data.area_id)
    row = session.scalars(select(RetentionPolicy).where(RetentionPolicy.school_id == school.id,
                                                        RetentionPolicy.area_id.is_(data.area_id)
                                                        if data.area_id is None else
                                                        RetentionPolicy.area_id == data.area_id)).first()
    if row is None:
        row = RetentionPolicy(school_id=school.id, area_id=data.area_id)
        session.add(row)
    row.days, row.quota_gb = data.days, data.quota_gb
    session.flush()
    audit.record(session, principal=principal, action="video.retention.set", target_type="school",
                 target_id=school.id, school_id=school.id, detail=data.model_dump())
    return {"school_code": school.code, "area_id": row.area_id, "days": row.days, "quota_gb": row.quota_gb}


@router.get("/video/retention/report", response_model=list[RetentionRow])
def retention_report(session: SessionDep, principal: Anyone, school_code: str | None = None
                     ) -> list[RetentionRow]:
    if not (principal.can("device.read") or principal.can("video.admin")):
        raise Forbidden(f"role {principal.role.value} cannot read retention", code="forbidden")
    stmt = scoped(select(Camera, Device.name).join(Device, Device.id == Camera.device_id), Camera.school_id,
                  session, principal)
    if school_code:
        stmt = stmt.join(School, School.id == Camera.school_id).where(School.code == school_code)
    rows = [(c, n) for c, n in session.execute(stmt.order_by(Camera.id)).tuples()]
    return retention.report(session, rows)
