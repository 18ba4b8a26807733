"""VOD playlists over the recorded fragmented MP4 files (each file is its own init + fragments)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from campusguard.adapters.ffmpeg.fmp4 import read_init
from campusguard.video.models import Segment


def init_size(path: Path) -> int | None:
    """Bytes of the leading ftyp+moov boxes (the init section hls.js needs), None if not fragmented."""
    try:
        with path.open("rb") as fh:
            init = read_init(fh, os.fstat(fh.fileno()).st_size)
    except OSError:
        return None
    return init.length if init is not None else None


def vod_playlist(segments: list[Segment], url_of: Callable[[Segment], str]) -> str:
    """HLS v7 VOD playlist: one EXT-X-MAP + byte range per file, discontinuity between files."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-INDEPENDENT-SEGMENTS"]
    entries = []
    for seg in segments:
        path = Path(seg.path)
        init = init_size(path)
        if init is None:
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        entries.append((seg, init, size))
    target = max([int((s.end - s.start).total_seconds() + 0.999) for s, _, _ in entries] or [10])
    lines.append(f"#EXT-X-TARGETDURATION:{target}")
    lines.append("#EXT-X-MEDIA-SEQUENCE:0")
    for i, (seg, init, size) in enumerate(entries):
        url = url_of(seg)
        if i:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{seg.start.isoformat(timespec='milliseconds')}")
        lines.append(f'#EXT-X-MAP:URI="{url}",BYTERANGE="{init}@0"')
        lines.append(f"#EXTINF:{(seg.end - seg.start).total_seconds():.3f},")
        lines.append(f"#EXT-X-BYTERANGE:{size - init}@{init}")
        lines.append(url)
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"
