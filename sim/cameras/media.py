"""Pre-encodes the simulated cameras' scenes once with ffmpeg so serving costs no encoding."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("simcam.media")

FPS = 25
GOP = 25  # one IDR per second: scenes switch and recorders start within a second

# scene name -> (lavfi source graph, seconds). Every scene is encoded with identical parameters so
# access units of different scenes can be spliced at an IDR without renegotiating the stream.
SCENES: dict[str, tuple[str, int]] = {
    "normal": ("testsrc2=s={w}x{h}:r={fps}", 10),
    "frozen": ("testsrc2=s={w}x{h}:r={fps},trim=end_frame=1,tpad=stop=-1:stop_mode=clone", 2),
    "black": ("color=c=black:s={w}x{h}:r={fps}", 2),
    "blur": ("testsrc2=s={w}x{h}:r={fps},gblur=sigma=40", 2),
}


@dataclass
class Clip:
    """One scene as a list of H.264 access units (Annex B, each starting with an AUD)."""

    name: str
    units: list[bytes]
    keyframes: set[int]


def _encode(scene: str, width: int, height: int, bitrate_kbps: int, out: Path) -> None:
    graph, seconds = SCENES[scene]
    src = graph.format(w=width, h=height, fps=FPS)
    tmp = out.with_suffix(".part")
    cmd = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", src,
        "-t", str(seconds), "-an", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
        "-profile:v", "main", "-pix_fmt", "yuv420p", "-g", str(GOP), "-keyint_min", str(GOP),
        "-sc_threshold", "0", "-bf", "0", "-b:v", f"{bitrate_kbps}k", "-maxrate", f"{bitrate_kbps}k",
        "-bufsize", f"{bitrate_kbps * 2}k", "-x264-params", "aud=1:repeat-headers=1",
        "-f", "h264", str(tmp),
    ]
    subprocess.run(cmd, check=True)
    os.replace(tmp, out)


def _split_access_units(data: bytes) -> list[bytes]:
    """Split an Annex B stream at access unit delimiters (NAL type 9)."""
    starts: list[int] = []
    i = 0
    while True:
        i = data.find(b"\x00\x00\x01", i)
        if i < 0:
            break
        nal_type = data[i + 3] & 0x1F if i + 3 < len(data) else 0
        if nal_type == 9:
            begin = i - 1 if i > 0 and data[i - 1] == 0 else i
            starts.append(begin)
        i += 3
    starts.append(len(data))
    return [_strip_aud(data[a:b]) for a, b in zip(starts, starts[1:], strict=False) if b > a]


def _strip_aud(unit: bytes) -> bytes:
    """Drop the leading delimiter once units are split: depayloaders would emit it as its own packet."""
    nxt = unit.find(b"\x00\x00\x01", 4)
    if nxt < 0:
        return unit
    return unit[nxt - 1:] if unit[nxt - 1] == 0 else unit[nxt:]


def _is_idr(unit: bytes) -> bool:
    i = 0
    while True:
        i = unit.find(b"\x00\x00\x01", i)
        if i < 0 or i + 3 >= len(unit):
            return False
        if unit[i + 3] & 0x1F == 5:
            return True
        i += 3


def load_clips(cache_dir: Path, width: int, height: int, bitrate_kbps: int) -> dict[str, Clip]:
    """Encode (once, cached by parameters) and load every scene."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    clips: dict[str, Clip] = {}
    for scene in SCENES:
        params = f"{scene}|{SCENES[scene]}|{width}|{height}|{bitrate_kbps}|v1"
        key = hashlib.sha256(params.encode()).hexdigest()
        path = cache_dir / f"{scene}-{width}x{height}-{bitrate_kbps}k-{key[:10]}.h264"
        if not path.exists():
            log.info("encoding scene %s %dx%d", scene, width, height)
            _encode(scene, width, height, bitrate_kbps, path)
        units = _split_access_units(path.read_bytes())
        if not units or not _is_idr(units[0]):
            raise RuntimeError(f"scene {scene}: stream does not start with an IDR access unit")
        clips[scene] = Clip(scene, units, {i for i, u in enumerate(units) if _is_idr(u)})
    return clips
