"""The event bus: outbox relay, idempotent handlers on durable consumers, broadcast to listeners."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.bus.backends.base import Backend
from campusguard.bus.events import Event, parse_event
from campusguard.core.db import Database, utcnow
from campusguard.core.models import OutboxEvent, ProcessedEvent

log = structlog.get_logger(__name__)

Handler = Callable[[Session, Event], None]
Listener = Callable[[Event], Awaitable[None]]


def make_backend(url: str, stream: str = "CAMPUSGUARD", prefix: str = "cg") -> Backend:
    """Pick the backend from CG_BUS_URL (memory:// or nats://host:port)."""
    if url.startswith("nats://"):
        from campusguard.bus.backends.nats import NatsBackend

        return NatsBackend(url, stream=stream, prefix=prefix)
    from campusguard.bus.backends.memory import MemoryBackend

    return MemoryBackend()


@dataclass
class Subscription:
    name: str
    patterns: tuple[str, ...]
    fn: Handler

    def matches(self, type_: str) -> bool:
        return any(p == type_ or (p.endswith("*") and type_.startswith(p[:-1])) for p in self.patterns)


class EventBus:
    """Handlers are sync functions run in a worker thread inside their own transaction."""

    def __init__(self, db: Database, backend: Backend) -> None:
        self.db = db
        self.backend = backend
        self.subscriptions: dict[str, Subscription] = {}
        self.listeners: list[Listener] = []
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._relay_task: asyncio.Task[None] | None = None
        self._stopping = False
        self.published = 0

    def subscribe(self, *patterns: str, name: str) -> Callable[[Handler], Handler]:
        """Register a handler for event types (exact, or a prefix ending in `*`) under a durable name."""

        def deco(fn: Handler) -> Handler:
            self.subscriptions[name] = Subscription(name, patterns, fn)
            return fn

        return deco

    def listen(self, listener: Listener) -> None:
        """Every event on every node, best effort (WebSocket fan-out, caches)."""
        self.listeners.append(listener)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.backend.start()
        for sub in self.subscriptions.values():
            await self.backend.subscribe_durable(sub.name, self._make_dispatch(sub))
        await self.backend.subscribe_broadcast(self._broadcast)
        self.db.after_commit_hooks.append(self._after_commit)
        self._relay_task = asyncio.create_task(self._relay_loop())

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._relay_task is not None:
            self._relay_task.cancel()
            await asyncio.gather(self._relay_task, return_exceptions=True)
        if self._after_commit in self.db.after_commit_hooks:
            self.db.after_commit_hooks.remove(self._after_commit)
        await self.backend.stop()

    def _after_commit(self, flags: dict[str, Any]) -> None:
        if "wake_outbox" in flags and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _relay_loop(self) -> None:
        while not self._stopping:
            try:
                sent = await self.relay_once()
            except Exception:
                log.exception("bus.relay_failed")
                sent = 0
                await asyncio.sleep(1)
            if sent:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            except TimeoutError:
                pass

    def _fetch(self, limit: int) -> list[dict[str, Any]]:
        with self.db.sessions() as s:
            rows = s.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))
                             .order_by(OutboxEvent.id).limit(limit)).all()
            return [{"id": r.id, "payload": r.payload} for r in rows]

    def _mark(self, ids: list[int]) -> None:
        with self.db.session() as s:
            s.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(published_at=utcnow()))

    async def relay_once(self, limit: int = 200) -> int:
        """Publish what committed transactions left in the outbox; at-least-once."""
        rows = await anyio.to_thread.run_sync(self._fetch, limit)
        if not rows:
            return 0
        for row in rows:
            await self.backend.publish(row["payload"])
        await anyio.to_thread.run_sync(self._mark, [r["id"] for r in rows])
        self.published += len(rows)
        return len(rows)

    def _make_dispatch(self, sub: Subscription) -> Callable[[dict[str, Any]], Awaitable[None]]:
        async def dispatch(data: dict[str, Any]) -> None:
            type_ = str(data.get("type", ""))
            if not sub.matches(type_):
                return
            event = parse_event(data)
            await anyio.to_thread.run_sync(self.run_handler, sub, event)

        return dispatch

    def run_handler(self, sub: Subscription, event: Event) -> None:
        """Run a handler once per event id, in the same transaction as its idempotency record."""
        try:
            with self.db.session() as s:
                done = s.scalar(select(ProcessedEvent.id).where(
                    ProcessedEvent.handler == sub.name, ProcessedEvent.event_id == event.id))
                if done is not None:
                    return
                s.add(ProcessedEvent(handler=sub.name, event_id=event.id))
                sub.fn(s, event)
        except IntegrityError:
            log.info("bus.handler_duplicate", handler=sub.name, event_id=event.id)

    async def _broadcast(self, data: dict[str, Any]) -> None:
        try:
            event = parse_event(data)
        except Exception:
            log.warning("bus.bad_event", data=str(data)[:200])
            return
        for listener in list(self.listeners):
            try:
                await listener(event)
            except Exception:
                log.exception("bus.listener_failed")
