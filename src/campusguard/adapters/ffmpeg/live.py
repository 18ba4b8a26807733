"""On-demand live HLS: started by the first viewer, stopped after nobody asked for a while."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from pathlib import Path

import structlog

from campusguard.adapters.ffmpeg.commands import hls_args
from campusguard.adapters.ffmpeg.supervisor import Backoff, Supervised

log = structlog.get_logger(__name__)


class LiveStream:
    """One camera's HLS packager; `touch()` on every playlist request keeps it alive."""

    def __init__(self, key: str, url: str, hls_dir: Path, *, idle_s: float = 30.0,
                 hls_time_s: float = 1.0, list_size: int = 6) -> None:
        self.key = key
        self.url = url
        self.hls_dir = hls_dir
        self.idle_s = idle_s
        self.last_touch = 0.0
        self.process = Supervised(
            f"hls:{key}", lambda: self._args(hls_time_s, list_size),
            backoff=Backoff(minimum=0.5, maximum=10, stable_after=20),
        )

    def _args(self, hls_time_s: float, list_size: int) -> list[str]:
        self.hls_dir.mkdir(parents=True, exist_ok=True)
        return hls_args(self.url, self.hls_dir, hls_time_s, list_size)

    @property
    def playlist(self) -> Path:
        return self.hls_dir / "index.m3u8"

    @property
    def active(self) -> bool:
        return self.process._task is not None and not self.process._task.done()

    def touch(self) -> None:
        """Record interest; starts the packager if it is not running."""
        self.last_touch = time.monotonic()
        if not self.active:
            shutil.rmtree(self.hls_dir, ignore_errors=True)
            log.info("live stream start", camera=self.key)
            self.process.start()

    def idle(self, now: float | None = None) -> bool:
        return ((now or time.monotonic()) - self.last_touch) > self.idle_s

    async def wait_ready(self, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.playlist.exists():
                return True
            self.last_touch = time.monotonic()  # a viewer waiting for the first playlist is interest
            await asyncio.sleep(0.2)
        return self.playlist.exists()

    async def stop(self) -> None:
        if self.active:
            log.info("live stream stop", camera=self.key)
        await self.process.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.hls_dir, ignore_errors=True)


class LiveRegistry:
    """All live streams of this node and the reaper stopping idle ones."""

    def __init__(self, root: Path, idle_s: float = 30.0) -> None:
        self.root = root
        self.idle_s = idle_s
        self.streams: dict[str, LiveStream] = {}
        self._reaper: asyncio.Task[None] | None = None

    def get(self, key: str, url: str) -> LiveStream:
        stream = self.streams.get(key)
        if stream is None or stream.url != url:
            stream = LiveStream(key, url, self.root / key, idle_s=self.idle_s)
            self.streams[key] = stream
        return stream

    def start(self) -> None:
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.create_task(self._reap(), name="live-reaper")

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(min(5.0, self.idle_s / 2))
            for stream in list(self.streams.values()):
                if stream.active and stream.idle():
                    await stream.stop()

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        for stream in self.streams.values():
            await stream.stop()
