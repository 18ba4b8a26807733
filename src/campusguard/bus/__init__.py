"""Typed events, the transactional outbox and the bus backends."""

from campusguard.bus.events import Event, parse_event
from campusguard.bus.outbox import publish

__all__ = ["Event", "parse_event", "publish"]
