"""Keeps one external process running: restart with exponential backoff, remember why it stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

log = structlog.get_logger(__name__)

ExitHook = Callable[[int | None, str], Awaitable[None]]
StartHook = Callable[[], Awaitable[None]]


@dataclass
class Backoff:
    """Exponential delays between restarts; reset once a run stayed up long enough."""

    minimum: float = 1.0
    maximum: float = 30.0
    stable_after: float = 30.0
    current: float = field(default=0.0)

    def next_delay(self, ran_for: float) -> float:
        if ran_for >= self.stable_after:
            self.current = 0.0
        self.current = self.minimum if self.current == 0 else min(self.current * 2, self.maximum)
        return self.current


class Supervised:
    """One supervised command; `args()` is called before every start so it can change between runs."""

    def __init__(self, name: str, args: Callable[[], list[str]], *, backoff: Backoff | None = None,
                 on_start: StartHook | None = None, on_exit: ExitHook | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.args = args
        self.backoff = backoff or Backoff()
        self.on_start = on_start
        self.on_exit = on_exit
        self.env = {**os.environ, "TZ": "UTC", **(env or {})}
        self.proc: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self.last_reason = ""
        self._stderr: deque[str] = deque(maxlen=20)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name=f"supervised:{self.name}")

    def restart_now(self) -> None:
        """Skip the current backoff wait (e.g. the camera is known to be back)."""
        self._wake.set()

    async def stop(self, grace_s: float = 5.0) -> None:
        """Ask ffmpeg to finish (SIGINT closes the open segment cleanly), then kill if it hangs."""
        self._stopping = True
        self._wake.set()
        proc = self.proc
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), grace_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, grace_s + 5)

    async def _read_stderr(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            text = line.decode(errors="replace").rstrip()
            if text:
                self._stderr.append(text)

    def reason(self) -> str:
        """The most telling stderr line of the last run (connection refused, 404, timeout ...)."""
        for line in reversed(self._stderr):
            low = line.lower()
            if "non-monotonous" in low or "timestamps are unset" in low:
                continue
            if any(w in low for w in ("error", "refused", "timed out", "not found", "unauthorized", "denied",
                                      "invalid", "failed")):
                return line[-300:]
        return ""

    async def _loop(self) -> None:
        while not self._stopping:
            self._stderr.clear()
            started = time.monotonic()
            try:
                self.proc = await asyncio.create_subprocess_exec(
                    *self.args(), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE, env=self.env, start_new_session=True,
                )
            except OSError as exc:
                self.proc = None
                code: int | None = None
                self.last_reason = f"cannot start: {exc}"
            else:
                log.info("process started", name=self.name, pid=self.proc.pid)
                if self.on_start is not None:
                    await self.on_start()
                assert self.proc.stderr is not None
                await self._read_stderr(self.proc.stderr)
                code = await self.proc.wait()
                self.last_reason = self.reason() or (
                    "stream ended by the source" if code == 0 else f"exit code {code}")
            ran_for = time.monotonic() - started
            if self.on_exit is not None:
                await self.on_exit(code, self.last_reason)
            if self._stopping:
                break
            delay = self.backoff.next_delay(ran_for)
            self.restarts += 1
            log.warning("process exited", name=self.name, code=code, reason=self.last_reason,
                        ran_s=round(ran_for, 1), restart_in_s=delay)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
        self.proc = None
