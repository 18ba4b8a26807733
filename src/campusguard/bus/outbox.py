"""Transactional outbox: an event is stored with the change and published only after commit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.bus.events import Event
from campusguard.core.models import OutboxEvent


def publish(session: Session, event: Event) -> Event:
    """Queue an event in the caller's transaction; the relay sends it once the commit succeeds."""
    session.add(OutboxEvent(event_id=event.id, type=event.type, payload=event.model_dump(mode="json")))
    session.info["wake_outbox"] = True
    return event
