"""Reads codec, resolution, frame rate and bitrate from a stream or file with ffprobe."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class ProbeError(Exception):
    """The source could not be opened or has no video stream."""


@dataclass(frozen=True)
class StreamInfo:
    codec: str
    width: int
    height: int
    fps: float
    bitrate_kbps: int | None
    duration_s: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fps(rate: str | None) -> float:
    try:
        value = float(Fraction(rate or "0"))
    except (ValueError, ZeroDivisionError):
        return 0.0
    return round(value, 2)


def parse_ffprobe(data: dict[str, Any]) -> StreamInfo:
    """Pick the first video stream out of ffprobe's JSON."""
    video = next((s for s in data.get("streams", []) if s.get("codec_type") == "video"), None)
    if video is None:
        raise ProbeError("no video stream")
    fmt = data.get("format", {})
    bitrate = video.get("bit_rate") or fmt.get("bit_rate")
    duration = fmt.get("duration") or video.get("duration")
    return StreamInfo(
        codec=str(video.get("codec_name", "unknown")),
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        fps=_fps(video.get("avg_frame_rate")) or _fps(video.get("r_frame_rate")),
        bitrate_kbps=int(int(bitrate) / 1000) if bitrate and str(bitrate).isdigit() else None,
        duration_s=float(duration) if duration not in (None, "N/A") else None,
    )


def probe_args(source: str, timeout_s: float) -> list[str]:
    args = ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format"]
    if source.startswith("rtsp://"):
        args += ["-rtsp_transport", "tcp", "-timeout", str(int(timeout_s * 1_000_000))]
    return [*args, source]


async def probe(source: str, timeout_s: float = 8.0) -> StreamInfo:
    """Probe a URL or file; raises ProbeError with ffprobe's reason on failure or timeout."""
    proc = await asyncio.create_subprocess_exec(
        *probe_args(source, timeout_s), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout_s + 2)
    except TimeoutError as exc:
        proc.kill()
        await proc.wait()
        raise ProbeError("timeout") from exc
    if proc.returncode != 0:
        reason = err.decode(errors="replace").strip().splitlines()
        raise ProbeError(reason[-1] if reason else f"ffprobe exit {proc.returncode}")
    return parse_ffprobe(json.loads(out or b"{}"))
