"""Finished recording segments: names, the ffmpeg segment list (CSV) and crash leftovers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class SegmentInfo:
    """One finished segment: the indexer's report to the database."""

    path: Path
    start: datetime
    end: datetime
    bytes: int

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class ListEntry:
    name: str
    start_s: float
    end_s: float


def stamp_of(name: str) -> datetime | None:
    """Wall-clock start encoded in a segment file name (UTC, second precision)."""
    try:
        return datetime.strptime(Path(name).stem, STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def path_for(root: Path, name: str) -> Path:
    """Segments live in one folder per UTC day; the list only carries base names."""
    return root / name[:8] / name


def day_dirs(root: Path, now: datetime) -> list[Path]:
    """The folders ffmpeg may open a segment in during the next minutes (it cannot create them)."""
    return [root / (now + timedelta(seconds=s)).strftime("%Y%m%d") for s in (0, 120)]


class ListReader:
    """Incrementally reads ffmpeg's CSV segment list; only complete lines are returned."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def read_new(self) -> list[ListEntry]:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        entries = []
        for row in csv.reader(io.StringIO(data[: end + 1].decode(errors="replace"))):
            if len(row) >= 3:
                try:
                    entries.append(ListEntry(row[0], float(row[1]), float(row[2])))
                except ValueError:
                    continue
        return entries
