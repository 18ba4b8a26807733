"""Event handlers of the alarm domain: device supervision turns presence changes into incidents."""

from __future__ import annotations

import structlog
from sqlalchemy.orm import Session

from campusguard.alarm import service
from campusguard.bus.bus import EventBus
from campusguard.bus.events import Event

log = structlog.get_logger(__name__)

# Alarm points are supervised here; cameras and terminals belong to video/face diagnostics.
SUPERVISED_TYPES = frozenset({"alarm_button", "alarm_panel", "sensor"})


def _device_id(event: Event) -> int | None:
    value = event.model_dump().get("device_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def on_device_offline(session: Session, event: Event) -> None:
    """An alarm point went silent past its heartbeat window: low-priority device_offline incident."""
    device_id = _device_id(event)
    if device_id is None:
        log.warning("alarm.offline_event_without_device", event_id=event.id)
        return
    data = event.model_dump()
    if data.get("device_type") not in SUPERVISED_TYPES:
        return
    reason = str(data.get("reason") or "heartbeat missed")[:200]
    service.device_offline(session, device_id=device_id, reason=reason)


def on_device_online(session: Session, event: Event) -> None:
    """The device is back: its open offline incident is resolved by the platform."""
    device_id = _device_id(event)
    if device_id is not None:
        service.device_online(session, device_id=device_id)


def register(bus: EventBus) -> None:
    """Subscribe this domain's handlers to the bus."""
    bus.subscribe("device.offline", name="alarm.device_offline")(on_device_offline)
    bus.subscribe("device.online", name="alarm.device_online")(on_device_online)
