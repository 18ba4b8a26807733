"""Outbox publishes only committed events; handlers run once per event on both backends."""

from __future__ import annotations

import asyncio
import uuid
from typing import Literal

import pytest

from campusguard.bus.bus import EventBus, make_backend
from campusguard.bus.events import Event
from campusguard.bus.outbox import publish
from campusguard.core.db import Database


class Pinged(Event):
    type: Literal["test.pinged"] = "test.pinged"
    n: int


def _bus(db: Database, backend_url: str) -> EventBus:
    tag = uuid.uuid4().hex[:8]
    return EventBus(db, make_backend(backend_url, stream=f"CGTEST_{tag}", prefix=f"cgt{tag}"))


async def _stop(bus: EventBus, backend_url: str) -> None:
    """Stop the bus; on NATS also delete the test's private stream."""
    await bus.stop()
    if backend_url.startswith("nats"):
        import nats

        nc = await nats.connect(backend_url)
        await nc.jetstream().delete_stream(bus.backend.stream)  # type: ignore[attr-defined]
        await nc.close()


async def _wait_for(predicate, limit_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + limit_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def _exercise(db: Database, backend_url: str) -> None:
    bus = _bus(db, backend_url)
    handled: list[int] = []
    heard: list[int] = []

    @bus.subscribe("test.*", name=f"test_handler_{uuid.uuid4().hex[:6]}")
    def handler(session, event) -> None:  # type: ignore[no-untyped-def]
        handled.append(event.n)

    async def listener(event: Event) -> None:
        if isinstance(event, Pinged):
            heard.append(event.n)

    bus.listen(listener)
    await bus.start()
    try:
        with db.session() as s:
            publish(s, Pinged(n=1))
        with pytest.raises(RuntimeError), db.session() as s:
            publish(s, Pinged(n=2))
            raise RuntimeError("rolled back: the event must never be seen")
        with db.session() as s:
            publish(s, Pinged(n=3))
        await _wait_for(lambda: sorted(handled) == [1, 3] and sorted(heard) == [1, 3])
        # Redelivery of the same event id (at-least-once) does not run the handler twice.
        sub = next(iter(bus.subscriptions.values()))
        dup = Pinged(n=1)
        bus.run_handler(sub, dup)
        bus.run_handler(sub, dup)
        assert handled.count(1) == 2  # original + one run for the new id, not three
        await asyncio.sleep(0.2)
        assert 2 not in handled and 2 not in heard
    finally:
        await _stop(bus, backend_url)


async def test_memory_backend(db: Database) -> None:
    await _exercise(db, "memory://")


async def test_nats_backend(db: Database, nats_url: str) -> None:
    await _exercise(db, nats_url)


async def test_nats_durable_consumer_receives_events_published_while_down(db: Database, nats_url: str) -> None:
    """A handler group that was offline catches up from JetStream when it comes back."""
    tag = uuid.uuid4().hex[:8]
    stream, prefix, group = f"CGTEST_{tag}", f"cgt{tag}", f"catchup_{tag}"
    handled: list[int] = []

    def make() -> EventBus:
        bus = EventBus(db, make_backend(nats_url, stream=stream, prefix=prefix))
        bus.subscribe("test.pinged", name=group)(lambda s, e: handled.append(e.n))
        return bus

    first = make()
    await first.start()
    await first.stop()
    publisher = EventBus(db, make_backend(nats_url, stream=stream, prefix=prefix))
    await publisher.start()
    with db.session() as s:
        publish(s, Pinged(n=7))
    await _wait_for(lambda: publisher.published >= 1)
    await publisher.stop()
    second = make()
    await second.start()
    try:
        await _wait_for(lambda: handled == [7])
    finally:
        await second.stop()
        import nats

        nc = await nats.connect(nats_url)
        await nc.jetstream().delete_stream(stream)
        await nc.close()


async def _burst_with_one_failure(db: Database, backend_url: str) -> None:
    """A burst reaches a handler in batches; one failing event is rolled back alone and redelivered."""
    from sqlalchemy import func, select

    from campusguard.core.models import ProcessedEvent

    bus = _bus(db, backend_url)
    name = f"burst_{uuid.uuid4().hex[:6]}"
    effects: list[int] = []
    attempts: dict[int, int] = {}

    @bus.subscribe("test.pinged", name=name)
    def handler(session, event) -> None:  # type: ignore[no-untyped-def]
        attempts[event.n] = attempts.get(event.n, 0) + 1
        session.add(ProcessedEvent(handler=f"{name}-effect", event_id=f"{event.n}-{attempts[event.n]}"))
        session.flush()
        if event.n == 13 and attempts[event.n] == 1:
            raise RuntimeError("first delivery of 13 fails after writing")
        effects.append(event.n)

    await bus.start()
    try:
        with db.session() as s:
            for n in range(40):
                publish(s, Pinged(n=n))
        await _wait_for(lambda: sorted(effects) == list(range(40)), limit_s=20)
        assert attempts[13] == 2 and all(count == 1 for n, count in attempts.items() if n != 13)
        with db.session() as s:
            kept = set(s.scalars(select(ProcessedEvent.event_id).where(ProcessedEvent.handler == f"{name}-effect")))
            records = s.scalar(select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.handler == name))
        assert "13-1" not in kept and "13-2" in kept  # the failed attempt's writes were rolled back alone
        assert len(kept) == 40 and records == 40
    finally:
        await _stop(bus, backend_url)


async def test_memory_backend_batches_and_isolates_failures(db: Database) -> None:
    await _burst_with_one_failure(db, "memory://")


async def test_nats_backend_batches_and_isolates_failures(db: Database, nats_url: str) -> None:
    await _burst_with_one_failure(db, nats_url)
