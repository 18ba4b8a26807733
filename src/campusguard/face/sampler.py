"""Entrance cameras: sample keyframes from a stream (PyAV) and run them through the gate pipeline.

The video module exposes no frame API, so this opens the camera URL itself (RTSP/HLS/file),
decodes keyframes only (cheap) and posts one frame every `every_s` seconds as a capture of that
camera; the tracker merges frames of the same passer-by into one passage.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import av
import structlog
from PIL import Image

from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database
from campusguard.face.recognition import process_capture
from campusguard.face.schemas import CaptureResult

log = structlog.get_logger(__name__)


def sample_jpegs(url: str, *, every_s: float = 1.0, max_frames: int = 0, max_side: int = 1280,
                 timeout_s: float = 10.0) -> Iterator[bytes]:
    """JPEG keyframes at most one per `every_s` seconds of stream time (max_frames 0 = until the end)."""
    options = {"rtsp_transport": "tcp"} if url.startswith("rtsp") else {}
    with av.open(url, options=options, timeout=timeout_s) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        last: float | None = None
        sent = 0
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            if last is not None and t - last < every_s:
                continue
            last = t
            img: Any = frame.to_image()
            img.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
            buf = io.BytesIO()
            img.convert("RGB").save(buf, format="JPEG", quality=85)
            yield buf.getvalue()
            sent += 1
            if max_frames and sent >= max_frames:
                return


def run_camera(db: Database, device_code: str, url: str, *, every_s: float = 1.0,
               max_frames: int = 0) -> list[CaptureResult]:
    """Sample a camera and record each frame as a capture of that device (one transaction per frame)."""
    results = []
    for jpeg in sample_jpegs(url, every_s=every_s, max_frames=max_frames):
        with db.session() as session:
            results.append(process_capture(session, SYSTEM, device_code, jpeg, direction="in"))
    log.info("face.camera.sampled", device=device_code, frames=len(results),
             faces=sum(len(r.faces) for r in results))
    return results
