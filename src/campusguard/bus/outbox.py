"""Transactional outbox: an event is stored with the change and published only after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, inspect
from sqlalchemy.orm import Session

from campusguard.bus.events import Event
from campusguard.core import bulk
from campusguard.core.db import utcnow
from campusguard.core.models import OutboxEvent


def publish(session: Session, event: Event) -> Event:
    """Queue an event in the caller's transaction; the relay sends it once the commit succeeds."""
    row = OutboxEvent(event_id=event.id, type=event.type, payload=event.model_dump(mode="json"))
    session.add(row)
    pending = session.info.get("wake_outbox")
    if isinstance(pending, list):
        pending.append(row)
    else:
        session.info["wake_outbox"] = [row]
    return event


def publish_many(session: Session, events: Sequence[Event]) -> list[tuple[int, dict[str, object]]]:
    """Queue many events with one executemany (a burst of alarms); returns the (id, payload) registered.

    The rows are plain inserts, not ORM objects, so the caller must call `forget` with the returned
    list if the enclosing savepoint rolls back.
    """
    if not events:
        return []
    payloads = [event.model_dump(mode="json") for event in events]
    table = cast(Table, OutboxEvent.__table__)
    ids = bulk.allocate_ids(session, table, len(events))
    now = utcnow()
    bulk.insert_rows(session, table, [
        {"id": i, "event_id": e.id, "type": e.type, "payload": p, "created_at": now, "published_at": None,
         "attempts": 0} for i, e, p in zip(ids, events, payloads, strict=True)
    ])
    rows = [(int(i), p) for i, p in zip(ids, payloads, strict=True)]
    pending = session.info.get("wake_outbox")
    if isinstance(pending, list):
        pending.extend(rows)
    else:
        session.info["wake_outbox"] = list(rows)
    return rows


def forget(session: Session, rows: Sequence[tuple[int, dict[str, object]]]) -> None:
    """Unregister rows of `publish_many` whose savepoint rolled back (they were never written)."""
    pending = session.info.get("wake_outbox")
    if isinstance(pending, list) and rows:
        drop = {id(row) for row in rows}
        pending[:] = [row for row in pending if id(row) not in drop]


def committed_rows(flag: object) -> list[tuple[int, dict[str, object]]]:
    """The (id, payload) of outbox rows a commit made durable, so the relay can send them without a query.

    Rows rolled back with a savepoint are no longer persistent and are left out.
    """
    if not isinstance(flag, list):
        return []
    out: list[tuple[int, dict[str, object]]] = []
    for row in flag:
        if isinstance(row, tuple):  # written by publish_many: durable once the commit ran
            out.append(row)
            continue
        state = inspect(row)
        if isinstance(row, OutboxEvent) and state.persistent and row.id is not None:
            out.append((row.id, row.payload))
    return out
