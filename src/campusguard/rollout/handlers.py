"""Event handlers of the rollout domain: test presses and device presence fill the checklist."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.bus.bus import EventBus
from campusguard.bus.events import Event
from campusguard.rollout import service
from campusguard.stats.feed import get


def on_alarm(session: Session, event: Event) -> None:
    """A test press (alarm type or outcome "test") proves the button is installed and works."""
    if event.school_id is None:
        return
    if get(event, "alarm_type") == "test" or get(event, "outcome") == "test":
        service.record_test_press(
            session,
            school_id=event.school_id,
            at=get(event, "raised_at") or event.occurred_at,
            incident_id=get(event, "incident_id"),
            device_id=get(event, "device_id"),
        )


def on_device(session: Session, event: Event) -> None:
    """A device came online or was registered: re-check that school's automatic items."""
    if event.school_id is not None:
        service.refresh(session, {event.school_id})


def register(bus: EventBus) -> None:
    """Subscribe this domain's handlers to the bus."""
    bus.subscribe("alarm.raised", name="rollout.test_press")(on_alarm)
    bus.subscribe("device.online", "device.registered", name="rollout.devices")(on_device)
