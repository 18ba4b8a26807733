"""Continuous recording of one camera: supervised ffmpeg, segment indexing and gap tracking."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import structlog

from campusguard.adapters.ffmpeg.commands import RecordSpec, record_args
from campusguard.adapters.ffmpeg.probe import ProbeError, probe
from campusguard.adapters.ffmpeg.segments import (
    ListReader,
    SegmentInfo,
    day_dirs,
    path_for,
    stamp_of,
)
from campusguard.adapters.ffmpeg.supervisor import Backoff, Supervised
from campusguard.core.db import utcnow

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class GapInfo:
    """A stretch without recording (camera offline, process crash, network outage)."""

    start: datetime
    end: datetime
    reason: str

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


SegmentHook = Callable[[SegmentInfo], Awaitable[None]]
GapHook = Callable[[GapInfo], Awaitable[None]]
StatusHook = Callable[[str, str], Awaitable[None]]


async def _noop_status(_status: str, _reason: str) -> None:
    return None


class Recorder:
    """Records `url` into `root/<day>/<stamp>.mp4`; reports each finished segment and each gap."""

    def __init__(self, key: str, url: str, root: Path, *, on_segment: SegmentHook, on_gap: GapHook,
                 on_status: StatusHook = _noop_status, segment_s: int = 10,
                 last_end: datetime | None = None, gap_tolerance_s: float = 1.5, poll_s: float = 1.0,
                 backoff: Backoff | None = None, rw_timeout_s: float = 5.0) -> None:
        self.key = key
        self.url = url
        self.root = root
        self.segment_s = segment_s
        self.on_segment = on_segment
        self.on_gap = on_gap
        self.on_status = on_status
        self.last_end = last_end
        self.gap_tolerance_s = gap_tolerance_s
        self.poll_s = poll_s
        self.rw_timeout_s = rw_timeout_s
        self.status = "stopped"
        self.down_reason = ""
        self.segments = 0
        self.gaps: list[GapInfo] = []
        self._run = 0
        self._reader: ListReader | None = None
        self._anchor: datetime | None = None
        self._indexed: set[str] = set()
        self._run_started = utcnow()
        self._lock = asyncio.Lock()
        self._poll_task: asyncio.Task[None] | None = None
        self.process = Supervised(f"rec:{key}", self._args, backoff=backoff or Backoff(),
                                  on_start=self._started, on_exit=self._exited)

    def _list_path(self) -> Path:
        return self.root / f".segments-{self._run}.csv"

    def _args(self) -> list[str]:
        self._run += 1
        self._run_started = utcnow()
        self._anchor = None
        for d in day_dirs(self.root, utcnow()):
            d.mkdir(parents=True, exist_ok=True)
        self._list_path().unlink(missing_ok=True)
        self._reader = ListReader(self._list_path())
        spec = RecordSpec(url=self.url, out_dir=self.root, segment_list=self._list_path(),
                          segment_s=self.segment_s, rw_timeout_s=self.rw_timeout_s)
        return record_args(spec)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.process.start()
        if self._poll_task is None or self._poll_task.done():
            self._poll_task = asyncio.create_task(self._poll(), name=f"rec-poll:{self.key}")

    async def stop(self) -> None:
        await self.process.stop()
        if self._poll_task is not None:
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll_task
        await self._drain(final=True)
        self.status = "stopped"

    async def _started(self) -> None:
        self.status = "connecting"

    async def _exited(self, code: int | None, reason: str) -> None:
        await self._drain(final=True)
        if not self.process._stopping:
            self.status = "offline"
            self.down_reason = reason or f"exit code {code}"
            await self.on_status("offline", self.down_reason)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                for d in day_dirs(self.root, utcnow()):
                    if not d.exists():
                        d.mkdir(parents=True, exist_ok=True)
                await self._drain(final=False)
            except Exception:  # keep polling; one bad row must not stop the recording index
                log.exception("segment poll failed", camera=self.key)

    async def _drain(self, *, final: bool) -> None:
        """Index finished segments of the current run; after an exit also the crash leftovers."""
        async with self._lock:
            reader = self._reader
            if reader is not None:
                for entry in reader.read_new():
                    stamp = stamp_of(entry.name)
                    if stamp is None:
                        continue
                    if self._anchor is None:
                        self._anchor = stamp - timedelta(seconds=entry.start_s)
                    start = self._anchor + timedelta(seconds=entry.start_s)
                    end = self._anchor + timedelta(seconds=entry.end_s)
                    await self._emit(path_for(self.root, entry.name), start, end)
            if final:
                await self._recover_leftovers()
                if reader is not None:
                    reader.path.unlink(missing_ok=True)
                    self._reader = None

    async def _recover_leftovers(self) -> None:
        """Index segments ffmpeg never listed (killed mid-segment): fragments make them playable."""
        since = self._run_started - timedelta(seconds=2)
        for day in sorted({since.strftime("%Y%m%d"), utcnow().strftime("%Y%m%d")}):
            folder = self.root / day
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.mp4")):
                stamp = stamp_of(path.name)
                if path.name in self._indexed or stamp is None or stamp < since:
                    continue
                if self.last_end is not None and stamp + timedelta(seconds=1) < self.last_end:
                    continue
                try:
                    info = await probe(str(path), timeout_s=5)
                except ProbeError:
                    info = None
                if info is None or not info.duration_s:
                    log.info("dropping empty leftover segment", camera=self.key, path=str(path))
                    path.unlink(missing_ok=True)
                    continue
                start = max(stamp, self.last_end) if self.last_end and stamp < self.last_end else stamp
                await self._emit(path, start, start + timedelta(seconds=info.duration_s))

    async def _emit(self, path: Path, start: datetime, end: datetime) -> None:
        if path.name in self._indexed:
            return
        self._indexed.add(path.name)
        if len(self._indexed) > 10_000:
            self._indexed = set(sorted(self._indexed)[-1000:])
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            log.warning("listed segment missing", camera=self.key, path=str(path))
            return
        if self.last_end is not None:
            if end <= self.last_end:
                pass  # a late report of older video (crash leftover): index it, the timeline is unchanged
            elif start < self.last_end:
                start = self.last_end
            elif (start - self.last_end).total_seconds() > self.gap_tolerance_s:
                gap = GapInfo(self.last_end, start, self.down_reason or "recording interrupted")
                self.gaps.append(gap)
                await self.on_gap(gap)
        if self.status != "recording":
            self.status = "recording"
            self.down_reason = ""
            await self.on_status("recording", "")
        self.last_end = end if self.last_end is None else max(self.last_end, end)
        self.segments += 1
        await self.on_segment(SegmentInfo(path=path, start=start, end=end, bytes=size))


async def wait_for(predicate: Callable[[], bool], timeout_s: float, step_s: float = 0.2) -> bool:
    """Poll until predicate() is true or the timeout passes (tests, benches, readiness)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step_s)
    return predicate()
