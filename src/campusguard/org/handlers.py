"""Event handlers of the org domain."""

from campusguard.bus.bus import EventBus


def register(bus: EventBus) -> None:
    """Subscribe this domain's handlers to the bus."""
