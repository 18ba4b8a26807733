"""Transactional outbox: an event is stored with the change and published only after commit."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from campusguard.bus.events import Event
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


def committed_rows(flag: object) -> list[tuple[int, dict[str, object]]]:
    """The (id, payload) of outbox rows a commit made durable, so the relay can send them without a query.

    Rows rolled back with a savepoint are no longer persistent and are left out.
    """
    if not isinstance(flag, list):
        return []
    out = []
    for row in flag:
        state = inspect(row)
        if isinstance(row, OutboxEvent) and state.persistent and row.id is not None:
            out.append((row.id, row.payload))
    return out
