"""Committed events go out straight from the commit hook, once, marked published; rolled-back ones never."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from campusguard.bus.bus import EventBus, make_backend
from campusguard.bus.events import Event
from campusguard.bus.outbox import publish
from campusguard.core.db import Database
from campusguard.core.models import OutboxEvent

from .test_bus import Pinged, _wait_for


async def test_commit_hands_events_to_the_relay_once(db: Database) -> None:
    bus = EventBus(db, make_backend("memory://"))
    heard: list[int] = []

    async def listener(event: Event) -> None:
        if isinstance(event, Pinged):
            heard.append(event.n)

    bus.listen(listener)
    await bus.start()
    polled = 0  # events the fallback poll sent
    real_poll = bus.relay_once

    async def counting_poll(limit: int = 200) -> int:
        nonlocal polled
        sent = await real_poll(limit)
        polled += sent
        return sent

    bus.relay_once = counting_poll  # type: ignore[method-assign]
    try:
        ids = []
        with db.session() as s:
            ids.append(publish(s, Pinged(n=1)).id)
            with pytest.raises(RuntimeError), s.begin_nested():
                ids.append(publish(s, Pinged(n=2)).id)
                s.flush()
                raise RuntimeError("savepoint rolled back: its event must never be seen")
            ids.append(publish(s, Pinged(n=3)).id)
        await _wait_for(lambda: sorted(heard) == [1, 3])
        await _wait_for(lambda: not bus._unmarked)  # noqa: SLF001 - the bookkeeping write finished
        with db.session() as s:
            rows = s.scalars(select(OutboxEvent).where(OutboxEvent.event_id.in_(ids))).all()
            assert sorted(r.payload["n"] for r in rows) == [1, 3]
            assert all(r.published_at is not None for r in rows)
        assert polled == 0, "the commit hook, not the poll, sent them"
        assert await real_poll() == 0  # a poll after the hand-over finds nothing left to send
        await asyncio.sleep(0.1)
        assert sorted(heard) == [1, 3]
    finally:
        await bus.stop()
