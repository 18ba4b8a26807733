"""Reads the box structure of the recorder's fragmented MP4 files without decoding anything.

Live HLS is derived from the recording itself: the init section (ftyp+moov) and every complete
fragment (moof+mdat) become byte ranges of a playlist. Only box headers and the small moof boxes are
read; the media data is skipped by seeking.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

_CONTAINERS = {b"moov", b"trak", b"mdia", b"mvex", b"moof", b"traf"}


@dataclass(frozen=True)
class Init:
    """The init section: its length and what the fragments need to be timed (video track)."""

    length: int
    track_id: int
    timescale: int
    default_duration: int


@dataclass(frozen=True)
class Fragment:
    """One complete moof+mdat pair (plus any box before it since the previous fragment)."""

    offset: int
    length: int
    duration_s: float


class _Reader:
    """pread with a small read-ahead: a moof and the following mdat header usually cost one call."""

    def __init__(self, fh: BinaryIO, size: int, ahead: int = 8192) -> None:
        self.fd, self.size, self.ahead = fh.fileno(), size, ahead
        self.at, self.buf = 0, b""

    def read(self, pos: int, n: int) -> bytes:
        if not (self.at <= pos and pos + n <= self.at + len(self.buf)):
            self.at, self.buf = pos, os.pread(self.fd, max(n, min(self.ahead, self.size - pos)), pos)
        return self.buf[pos - self.at:pos - self.at + n]

    def header(self, pos: int) -> tuple[int, bytes, int] | None:
        """(size, type, header length) of the box at pos, None if its header is not fully written yet."""
        if self.size - pos < 8:
            return None
        raw = self.read(pos, 16 if self.size - pos >= 16 else 8)
        size, kind = struct.unpack(">I4s", raw[:8])
        if size == 1:
            if len(raw) < 16:
                return None
            return struct.unpack(">Q", raw[8:16])[0], kind, 16
        if size == 0:  # "to the end of the file": only a finished file can have it
            return self.size - pos, kind, 8
        return size, kind, 8


def _children(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box inside data[start:end]."""
    out = []
    pos, end = start, len(data) if end is None else end
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        if size < head or pos + size > end:
            break
        out.append((kind, pos + head, pos + size))
        pos += size
    return out


def _find(data: bytes, path: list[bytes], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Payload spans of every box along path (e.g. trak/mdia/mdhd)."""
    spans = [(start, len(data) if end is None else end)]
    for kind in path:
        spans = [(a, b) for s, e in spans for k, a, b in _children(data, s, e) if k == kind]
    return spans


def parse_init(moov: bytes, length: int) -> Init | None:
    """Video track id, timescale and trex default sample duration from the moov payload."""
    for t_start, t_end in _find(moov, [b"trak"]):
        hdlr = _find(moov, [b"mdia", b"hdlr"], t_start, t_end)
        if not hdlr or moov[hdlr[0][0] + 8:hdlr[0][0] + 12] != b"vide":
            continue
        tkhd = _find(moov, [b"tkhd"], t_start, t_end)
        mdhd = _find(moov, [b"mdia", b"mdhd"], t_start, t_end)
        if not tkhd or not mdhd:
            return None
        a = tkhd[0][0]
        track_id = struct.unpack(">I", moov[a + (20 if moov[a] == 1 else 12):][:4])[0]
        m = mdhd[0][0]
        timescale = struct.unpack(">I", moov[m + (20 if moov[m] == 1 else 12):][:4])[0]
        default = 0
        for x_start, _ in _find(moov, [b"mvex", b"trex"]):
            tid, _desc, duration = struct.unpack(">III", moov[x_start + 4:x_start + 16])
            if tid == track_id:
                default = duration
        return Init(length=length, track_id=track_id, timescale=timescale or 1, default_duration=default)
    return None


def read_init(fh: BinaryIO, size: int) -> Init | None:
    """The init section of a file of `size` bytes written so far, None until its moov is complete."""
    pos = 0
    reader = _Reader(fh, size)
    while True:
        head = reader.header(pos)
        if head is None:
            return None
        box, kind, hlen = head
        if box < hlen or pos + box > size:
            return None
        if kind == b"moov":
            return parse_init(reader.read(pos + hlen, box - hlen), pos + box)
        if kind in (b"moof", b"mdat"):
            return None
        pos += box


def _traf_duration(moof: bytes, init: Init) -> int:
    """Sum of the video track's sample durations in one moof (tfhd/trun defaults as the spec says)."""
    total = 0
    for t_start, t_end in _find(moof, [b"traf"]):
        default = init.default_duration
        tfhd = _find(moof, [b"tfhd"], t_start, t_end)
        if not tfhd:
            continue
        a = tfhd[0][0]
        flags = int.from_bytes(moof[a + 1:a + 4], "big")
        if struct.unpack(">I", moof[a + 4:a + 8])[0] != init.track_id:
            continue
        p = a + 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
        if flags & 0x08:
            default = struct.unpack(">I", moof[p:p + 4])[0]
        for r_start, _ in _find(moof, [b"trun"], t_start, t_end):
            rflags = int.from_bytes(moof[r_start + 1:r_start + 4], "big")
            count = struct.unpack(">I", moof[r_start + 4:r_start + 8])[0]
            p = r_start + 8 + (4 if rflags & 0x001 else 0) + (4 if rflags & 0x004 else 0)
            if not rflags & 0x100:
                total += count * default
                continue
            stride = 4 * sum(1 for bit in (0x100, 0x200, 0x400, 0x800) if rflags & bit)
            total += sum(struct.unpack(">I", moof[p + i * stride:p + i * stride + 4])[0] for i in range(count))
    return total


def read_fragments(fh: BinaryIO, pos: int, size: int, init: Init) -> tuple[list[Fragment], int]:
    """Complete fragments from pos in a file of `size` bytes so far, and where the next read starts.

    A fragment counts only once its mdat is fully written; the growing tail is left for the next call.
    """
    out: list[Fragment] = []
    start = pos
    moof: bytes | None = None
    reader = _Reader(fh, size)
    while True:
        head = reader.header(pos)
        if head is None:
            break
        box, kind, hlen = head
        if box < hlen or pos + box > size:
            break
        if kind == b"moof":
            moof = reader.read(pos + hlen, box - hlen)
        elif kind == b"mdat" and moof is not None:
            ticks = _traf_duration(moof, init)
            out.append(Fragment(start, pos + box - start, ticks / init.timescale))
            moof = None
            start = pos + box
        elif kind in (b"mdat", b"mfra", b"free", b"skip"):
            start = pos + box  # nothing a player needs (the trailer's index, padding)
        pos += box
    return out, start
