"""Periodic tasks of the video domain: camera assignment, retention, diagnostics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.core.jobs import JobRunner
from campusguard.device.models import Device
from campusguard.org.models import School
from campusguard.video import blindspots, retention, service, state
from campusguard.video.diagnostics import Finding, diagnose
from campusguard.video.models import MIN_RETENTION_DAYS, Camera, Gap, Segment
from campusguard.video.storage import video_root
from campusguard.video.workers import assign

log = structlog.get_logger(__name__)
DIAG_BATCH = 20
DIAG_INTERVAL = timedelta(minutes=15)
GAP_WINDOW = timedelta(hours=1)
DEFAULT_MAX_AGE_YEARS = 6
IMAGE_KINDS = {"no_signal", "frozen", "black", "uniform", "blur", "low_resolution"}
Found = dict[str, tuple[str, dict[str, Any]]]


def min_height(school: School | None) -> int:
    """The school's resolution standard (settings.video_min_height), 720p by default."""
    value = (school.settings or {}).get("video_min_height") if school else None
    return int(value) if isinstance(value, int) and value > 0 else 720


def max_age_years(school: School | None) -> int:
    """The school's service-life standard for cameras (settings.video_max_age_years), 6 years by default."""
    value = (school.settings or {}).get("video_max_age_years") if school else None
    return int(value) if isinstance(value, int) and value > 0 else DEFAULT_MAX_AGE_YEARS


def in_service_since(cam: Camera, device: Device | None) -> datetime:
    """The device's `installed_on` (ISO date, from the asset register or ONVIF import), else when it was added."""
    raw = (device.settings or {}).get("installed_on") if device is not None else None
    if isinstance(raw, str):
        try:
            day = datetime.fromisoformat(raw)
        except ValueError:
            day = None
        if day is not None:
            return day if day.tzinfo else day.replace(tzinfo=UTC)
    return cam.created_at


def aging(session: Session, cam: Camera, now: datetime) -> tuple[str, dict[str, Any]] | None:
    """An issue when the camera has been in service longer than the school's standard allows."""
    since = in_service_since(cam, session.get(Device, cam.device_id))
    limit = max_age_years(session.get(School, cam.school_id))
    years = (now - since).total_seconds() / (365.25 * 86400)
    if years <= limit:
        return None
    return ("minor", {"in_service_since": since.date().isoformat(), "years": round(years, 1), "max_years": limit})


def record_findings(session: Session, cam: Camera, findings: list[Finding],
                    now: datetime | None = None) -> Found:
    """Image findings, recording gaps in the last hour, retention below the minimum and aging → issues."""
    now = now or utcnow()
    found: Found = {f.kind: (f.severity, f.detail) for f in findings}
    checked = set(IMAGE_KINDS) | {"aging"}
    old = aging(session, cam, now)
    if old is not None:
        found["aging"] = old
    if cam.recording:
        checked.add("recording_gap")
        gaps = session.scalars(select(Gap).where(Gap.camera_id == cam.id, Gap.end > now - GAP_WINDOW)).all()
        gap_s = sum((min(g.end, now) - max(g.start, now - GAP_WINDOW)).total_seconds() for g in gaps)
        if gap_s > 0:
            severity = "major" if gap_s > 300 else "minor"
            found["recording_gap"] = (severity, {"gap_s_last_hour": round(gap_s, 1), "gaps": len(gaps)})
        if cam.created_at < now - timedelta(days=MIN_RETENTION_DAYS):
            checked.add("retention_short")
            oldest = session.scalar(select(func.min(Segment.start)).where(Segment.camera_id == cam.id))
            kept = (now - oldest).total_seconds() / 86400 if oldest else 0.0
            if kept < MIN_RETENTION_DAYS:
                found["retention_short"] = ("major", {"kept_days": round(kept, 2),
                                                      "min_days": MIN_RETENTION_DAYS})
    service.sync_issues(session, cam, found, checked, now)
    cam.onvif = {**(cam.onvif or {}), "diagnosed_at": now.isoformat()}
    session.flush()
    return found


def diagnose_camera(session: Session, camera_id: int) -> Found:
    """Decode outside any transaction (seconds of network I/O), then store the issues."""
    cam = session.get(Camera, camera_id)
    if cam is None:
        return {}
    url, height = service.stream_url(cam), min_height(session.get(School, cam.school_id))
    session.commit()
    _sample, findings = diagnose(url, min_height=height)
    cam = session.get(Camera, camera_id)
    if cam is None:
        return {}
    found = record_findings(session, cam, findings)
    session.commit()
    return found


def run_diagnostics(session: Session) -> None:
    """A batch of the cameras checked longest ago (the job lease keeps one runner in the cluster)."""
    horizon = (utcnow() - DIAG_INTERVAL).isoformat()
    cams = list(session.scalars(select(Camera).order_by(Camera.id)).all())
    due = [c.id for c in sorted(cams, key=lambda c: str((c.onvif or {}).get("diagnosed_at", "")))
           if str((c.onvif or {}).get("diagnosed_at", "")) < horizon][:DIAG_BATCH]
    session.commit()
    for camera_id in due:
        try:
            diagnose_camera(session, camera_id)
        except Exception:
            session.rollback()
            log.exception("diagnostics failed", camera_id=camera_id)


def run_retention(session: Session) -> None:
    freed = retention.sweep(session, video_root(state.settings()))
    if any(freed.values()):
        log.info("retention sweep", **freed)


def run_assign(session: Session) -> None:
    assign(session)


def run_blind_spots(session: Session) -> None:
    found = blindspots.check(session)
    if found["opened"] or found["resolved"]:
        log.info("blind spots", **found)


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks."""
    runner.every("video.assign", 10, run_assign)
    runner.every("video.retention", 600, run_retention)
    runner.every("video.diagnostics", 60, run_diagnostics)
    runner.every("video.blind_spots", 120, run_blind_spots)
