"""Evidence clips: cut a range with stream copy, hash it, sign a manifest, hold the source recording."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.orm import Session

from campusguard.adapters.ffmpeg.clip import ClipError, cut, sha256_file
from campusguard.adapters.ffmpeg.segments import SegmentInfo
from campusguard.config import Settings
from campusguard.core import audit, jobs
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.crypto import derive_key, sign
from campusguard.core.db import utcnow
from campusguard.video import state
from campusguard.video.models import Camera, Clip, Hold
from campusguard.video.service import camera_device, segments_between
from campusguard.video.storage import clips_dir

log = structlog.get_logger(__name__)
SETTLE_S = 15  # wait for the segment holding the clip's end to close before cutting


def manifest_signature(settings: Settings, manifest: dict[str, Any]) -> str:
    """HMAC-SHA256 over the canonical manifest: proves who the platform says made the clip, and of what."""
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return sign(derive_key(settings.secret(), "video-clip-manifest"), body.encode())


def create_clip(session: Session, principal: Principal, cam: Camera, *, start: datetime, end: datetime,
                reason: str, incident_id: int | None = None, settings: Settings | None = None) -> Clip:
    """Store the request and the hold; cut now if the range is recorded, else in a job once it is."""
    settings = settings or state.settings()
    now = utcnow()
    clip = Clip(camera_id=cam.id, school_id=cam.school_id, start=start, end=end, reason=reason,
                incident_id=incident_id, status="pending", manifest={}, created_by=principal.name,
                created_by_id=principal.id if principal.kind == "user" else None, created_at=now)
    session.add(clip)
    session.flush()
    clip.path = str(clips_dir(settings) / f"clip-{clip.id}-cam{cam.id}-{start:%Y%m%dT%H%M%SZ}.mp4")
    session.add(Hold(camera_id=cam.id, start=start, end=end,
                     reason=f"evidence clip {clip.id}: {reason}"[:300], incident_id=incident_id,
                     clip_id=clip.id, created_by=principal.name, created_at=now))
    audit.record(session, principal=principal, action="video.clip.create", target_type="clip",
                 target_id=clip.id,
                 school_id=cam.school_id, detail={"camera_id": cam.id, "start": start, "end": end,
                                                  "reason": reason, "incident_id": incident_id})
    session.flush()
    if cam.last_segment_end is not None and cam.last_segment_end >= end:
        finish_clip(session, clip, settings)
    else:
        jobs.schedule(session, kind="video.clip", payload={"clip_id": clip.id}, key=f"video.clip:{clip.id}",
                      run_at=max(now, end) + timedelta(seconds=SETTLE_S), max_attempts=4)
    return clip


def finish_clip(session: Session, clip: Clip, settings: Settings | None = None) -> Clip:
    """Cut, hash, sign; failures are stored on the clip (and retried by the job)."""
    settings = settings or state.settings()
    cam = session.get(Camera, clip.camera_id)
    if cam is None or clip.path is None:
        clip.status, clip.error = "failed", "camera removed"
        return clip
    segs = segments_between(session, cam.id, clip.start, clip.end)
    infos = [SegmentInfo(Path(s.path), s.start, s.end, s.bytes) for s in segs if Path(s.path).exists()]
    try:
        out = asyncio.run(cut(infos, clip.start, clip.end, Path(clip.path)))
    except ClipError as exc:
        clip.status, clip.error = "failed", str(exc)[:500]
        log.warning("clip failed", clip_id=clip.id, error=clip.error)
        session.flush()
        return clip
    digest = sha256_file(out)
    device = camera_device(session, cam)
    covered = sum((min(s.end, clip.end) - max(s.start, clip.start)).total_seconds() for s in infos)
    manifest = {
        "clip_id": clip.id, "camera_id": cam.id, "device_code": device.code, "camera_name": device.name,
        "school_id": cam.school_id, "start": clip.start.isoformat(), "end": clip.end.isoformat(),
        "recorded_s": round(covered, 3), "segments": [Path(s.path).name for s in segs],
        "created_by": clip.created_by, "reason": clip.reason, "incident_id": clip.incident_id,
        "sha256": digest, "bytes": out.stat().st_size, "created_at": clip.created_at.isoformat(),
        "sealed_at": utcnow().isoformat(),
    }
    clip.manifest, clip.sha256, clip.bytes = manifest, digest, out.stat().st_size
    clip.signature = manifest_signature(settings, manifest)
    clip.status, clip.error = "ready", None
    out.with_suffix(".manifest.json").write_text(json.dumps(
        {"manifest": manifest, "signature": clip.signature, "algorithm": "HMAC-SHA256"}, indent=1))
    audit.record(session, principal=SYSTEM, action="video.clip.sealed", target_type="clip", target_id=clip.id,
                 school_id=cam.school_id, detail={"sha256": digest, "bytes": clip.bytes})
    session.flush()
    return clip


@jobs.job("video.clip")
def _clip_job(session: Session, payload: dict[str, Any]) -> None:
    clip = session.get(Clip, int(payload["clip_id"]))
    if clip is None or clip.status == "ready":
        return
    cam = session.get(Camera, clip.camera_id)
    if cam is not None and cam.recording and (cam.last_segment_end is None or cam.last_segment_end < clip.end):
        if utcnow() - clip.end < timedelta(minutes=10):
            raise RuntimeError(f"clip {clip.id}: recording of the range not indexed yet; retrying")
    finish_clip(session, clip)  # ready, or failed with the reason stored (no recording of the range)
