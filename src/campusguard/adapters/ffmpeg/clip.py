"""Cuts a time range out of recorded segments into one MP4 and hashes it."""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from datetime import datetime
from pathlib import Path

from campusguard.adapters.ffmpeg.commands import concat_args
from campusguard.adapters.ffmpeg.segments import SegmentInfo


class ClipError(Exception):
    """ffmpeg could not produce the clip."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(path: Path) -> str:
    return "file '" + str(path).replace("'", "'\\''") + "'\n"


async def cut(segments: list[SegmentInfo], start: datetime, end: datetime, out: Path,
              timeout_s: float = 120) -> Path:
    """Concatenate the segments covering [start, end) with stream copy and trim to the range."""
    ordered = sorted((s for s in segments if s.end > start and s.start < end), key=lambda s: s.start)
    if not ordered:
        raise ClipError("no recording in the requested range")
    out.parent.mkdir(parents=True, exist_ok=True)
    offset = (start - ordered[0].start).total_seconds()
    duration = (end - max(start, ordered[0].start)).total_seconds()
    with tempfile.NamedTemporaryFile("w", suffix=".ffconcat", delete=False, dir=out.parent) as fh:
        fh.write("ffconcat version 1.0\n")
        for seg in ordered:
            fh.write(_quote(seg.path))
        list_file = Path(fh.name)
    tmp = out.with_name(out.name + ".part.mp4")
    try:
        proc = await asyncio.create_subprocess_exec(
            *concat_args(list_file, tmp, offset, duration),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await asyncio.wait_for(proc.communicate(), timeout_s)
        except TimeoutError as exc:
            proc.kill()
            await proc.wait()
            raise ClipError("ffmpeg timed out cutting the clip") from exc
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise ClipError(err.decode(errors="replace").strip()[-300:] or "ffmpeg failed")
        tmp.replace(out)
    finally:
        list_file.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    return out
