"""Event handlers of the stats domain: the metrics feed and live device snapshots."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.bus.bus import EventBus
from campusguard.bus.events import Event
from campusguard.stats import feed, snapshot


def on_event(session: Session, event: Event) -> None:
    """Fold a domain event into the rollups (the bus runs this once per event id)."""
    feed.ingest(session, event)


def on_device(session: Session, event: Event) -> None:
    """A device came or went: refresh that school's snapshot for today so dashboards are live."""
    if event.school_id is not None:
        snapshot.refresh_devices(session, school_ids={event.school_id})


def register(bus: EventBus) -> None:
    """Subscribe this domain's handlers to the bus."""
    bus.subscribe(*feed.FEED_PATTERNS, name="stats.feed")(on_event)
    bus.subscribe("device.online", "device.offline", "device.registered", name="stats.devices")(on_device)
