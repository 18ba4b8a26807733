"""The event bus: outbox relay, idempotent handlers on durable consumers, broadcast to listeners."""

from __future__ import annotations

import asyncio
import collections
import time
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
from campusguard.bus.outbox import committed_rows
from campusguard.core.db import Database, utcnow
from campusguard.core.models import OutboxEvent, ProcessedEvent

log = structlog.get_logger(__name__)

Handler = Callable[[Session, Event], None]
BATCH_BUDGET_S = 0.05  # longest a handler batch holds its transaction open (SQLite: the write lock)
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
        self._direct_task: asyncio.Task[None] | None = None
        self._direct_ready = asyncio.Event()
        self._marking: asyncio.Task[None] | None = None
        self._stopping = False
        self.published = 0
        # rows this process committed, handed over by the commit hook: sent without a query
        self._direct: collections.deque[tuple[int, dict[str, Any]]] = collections.deque()
        self._unmarked: set[int] = set()  # handed over, not yet marked published: the poll skips them
        self._recent: collections.OrderedDict[int, None] = collections.OrderedDict()  # ids sent lately

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
        self._direct_task = asyncio.create_task(self._direct_loop())

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        tasks = [t for t in (self._relay_task, self._direct_task) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._marking is not None:  # finish the bookkeeping of what was sent
            await asyncio.gather(self._marking, return_exceptions=True)
        if self._after_commit in self.db.after_commit_hooks:
            self.db.after_commit_hooks.remove(self._after_commit)
        await self.backend.stop()

    def _after_commit(self, flags: dict[str, Any]) -> None:
        if "wake_outbox" in flags and self._loop is not None and not self._loop.is_closed():
            rows = committed_rows(flags["wake_outbox"])
            self._loop.call_soon_threadsafe(self._hand_over, rows)

    def _hand_over(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self._direct.extend(rows)
        self._unmarked.update(row_id for row_id, _ in rows)
        self._direct_ready.set()

    def _sent(self, row_id: int) -> bool:
        """Remember an id as sent; False when it already was (the poll and the hand-over raced)."""
        if row_id in self._recent:
            return False
        self._recent[row_id] = None
        if len(self._recent) > 10_000:
            self._recent.popitem(last=False)
        return True

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

    async def _direct_loop(self) -> None:
        """Send hand-overs as they come; the bookkeeping write runs beside it, never in front of it."""
        to_mark: list[int] = []
        while not self._stopping:
            await self._direct_ready.wait()
            self._direct_ready.clear()
            to_mark.extend(await self.relay_direct())
            marking = self._marking
            if to_mark and (marking is None or marking.done()):
                self._marking = asyncio.create_task(self._mark_sent(to_mark))
                to_mark = []
            elif to_mark and marking is not None:
                marking.add_done_callback(lambda _t: self._direct_ready.set())

    async def _mark_sent(self, ids: list[int]) -> None:
        try:
            await anyio.to_thread.run_sync(self._mark, ids)
        except Exception:
            log.exception("bus.mark_failed", events=len(ids))
            for row_id in ids:
                self._recent.pop(row_id, None)  # not marked: the poll sends them again (at-least-once)
        finally:
            self._unmarked.difference_update(ids)

    def _fetch(self, limit: int, skip: set[int]) -> list[dict[str, Any]]:
        with self.db.sessions() as s:
            rows = s.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))
                             .order_by(OutboxEvent.id).limit(limit + len(skip))).all()
            return [{"id": r.id, "payload": r.payload} for r in rows if r.id not in skip][:limit]

    def _mark(self, ids: list[int]) -> None:
        self.db.priority.wait_turn()
        with self.db.session() as s:
            s.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(published_at=utcnow()))

    async def relay_direct(self) -> list[int]:
        """Publish what this process just committed straight from memory; returns the ids to mark.

        The commit already made the rows durable, so the event goes out without a query; marking
        them published is bookkeeping done afterwards, and a crash before it only re-sends from the poll.
        """
        ids: list[int] = []
        while self._direct:
            row_id, payload = self._direct.popleft()
            try:
                if self._sent(row_id):
                    await self.backend.publish(payload)
                    self.published += 1
            except Exception:
                log.exception("bus.direct_relay_failed", outbox_id=row_id)
                rest = [row_id, *(i for i, _ in self._direct)]
                self._direct.clear()
                for left in rest:  # left for the poll, which retries with its own pace
                    self._recent.pop(left, None)
                    self._unmarked.discard(left)
                break
            ids.append(row_id)
        return ids

    async def relay_once(self, limit: int = 200) -> int:
        """Publish what committed transactions left in the outbox; at-least-once."""
        rows = await anyio.to_thread.run_sync(self._fetch, limit, set(self._unmarked))
        rows = [r for r in rows if r["id"] not in self._unmarked]  # handed over while we were reading
        if not rows:
            return 0
        sent = 0
        for row in rows:
            if self._sent(row["id"]):  # else the hand-over sent it and its mark raced this read
                await self.backend.publish(row["payload"])
                sent += 1
        await anyio.to_thread.run_sync(self._mark, [r["id"] for r in rows])
        self.published += sent
        return sent

    def _make_dispatch(self, sub: Subscription) -> Callable[[list[dict[str, Any]]], Awaitable[list[int]]]:
        async def dispatch(batch: list[dict[str, Any]]) -> list[int]:
            positions = [i for i, data in enumerate(batch) if sub.matches(str(data.get("type", "")))]
            if not positions:
                return []
            # parsed in the worker, after its turn: an alarm burst's loop does not pay for every handler
            failed = await anyio.to_thread.run_sync(self._run_raw, sub, [batch[i] for i in positions])
            return [positions[i] for i in failed]

        return dispatch

    def _run_raw(self, sub: Subscription, batch: list[dict[str, Any]]) -> list[int]:
        self.db.priority.wait_turn()
        events: list[Event] = []
        index_of: list[int] = []
        for index, data in enumerate(batch):
            try:
                events.append(parse_event(data))
                index_of.append(index)
            except Exception:  # never parseable: redelivery cannot help, so it is logged and dropped
                log.warning("bus.bad_event", handler=sub.name, data=str(data)[:200])
        return [index_of[i] for i in self.run_handler_batch(sub, events)] if events else []

    def run_handler(self, sub: Subscription, event: Event) -> None:
        """Run a handler once per event id, in the same transaction as its idempotency record."""
        self.db.priority.wait_turn()
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

    def run_handler_batch(self, sub: Subscription, events: list[Event]) -> list[int]:
        """Run a handler over a batch, each event in its own savepoint; returns the positions that failed.

        A burst of 200 alarms is then a few transactions per handler instead of 200, each event still
        handled once (its idempotency record commits with its effects). A transaction is cut short when an
        alarm commit is waiting (`priority.busy`) or after BATCH_BUDGET_S, so it never holds the write lock
        in front of an alarm or long in front of an operator's request.
        Events that fail are rolled back alone and reported for redelivery; if a transaction itself
        fails, every event of it is reported.
        """
        if len(events) == 1:
            try:
                self.run_handler(sub, events[0])
            except Exception:
                log.exception("bus.handler_failed", handler=sub.name, event_id=events[0].id)
                return [0]
            return []
        failed: list[int] = []
        start = 0
        while start < len(events):
            self.db.priority.wait_turn()
            position = start
            try:
                with self.db.session() as s:
                    done = set(s.scalars(select(ProcessedEvent.event_id).where(
                        ProcessedEvent.handler == sub.name,
                        ProcessedEvent.event_id.in_([e.id for e in events[start:]]))))
                    began = time.monotonic()
                    while position < len(events):
                        if position > start and (self.db.priority.busy()
                                                 or time.monotonic() - began > BATCH_BUDGET_S):
                            break  # commit what is done: alarms first, and no request waits long for the lock
                        event = events[position]
                        position += 1
                        if event.id in done:
                            continue
                        done.add(event.id)
                        try:
                            with s.begin_nested():
                                s.add(ProcessedEvent(handler=sub.name, event_id=event.id))
                                sub.fn(s, event)
                        except Exception:
                            log.exception("bus.handler_failed", handler=sub.name, event_id=event.id)
                            failed.append(position - 1)
            except Exception:  # the transaction itself failed (database gone…): the rest is redelivered
                log.exception("bus.handler_batch_failed", handler=sub.name, events=len(events) - start)
                failed.extend(i for i in range(start, len(events)) if i not in failed)
                break
            start = position
        return failed

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
