"""Events of the incident life: what the console, the police hand-off and statistics listen to."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from campusguard.bus.events import Event


class AlarmEvent(Event):
    """Base of incident events: seen by anyone holding alarm.read in the incident's scope."""

    audience: ClassVar[str] = "alarm.read"

    incident_id: int
    status: str = "raised"
    is_drill: bool = False


class AlarmRaised(AlarmEvent):
    """A new incident: everything the console needs to pop it up without another request."""

    type: Literal["alarm.raised"] = "alarm.raised"
    alarm_type: str
    priority: str
    title: str
    school_name: str
    school_code: str
    area_id: int | None = None
    area_name: str | None = None
    device_id: int | None = None
    device_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    cameras: list[dict[str, Any]] = []
    plan_id: int | None = None
    source: str = "device"
    outcome: str | None = None
    raised_at: datetime
    device_occurred_at: datetime


class _Transition(AlarmEvent):
    type: str = ""  # fixed by each subclass
    actor: str
    at: datetime
    outcome: str | None = None
    note: str | None = None


class AlarmAcknowledged(_Transition):
    type: Literal["alarm.acknowledged"] = "alarm.acknowledged"


class AlarmDispatched(_Transition):
    type: Literal["alarm.dispatched"] = "alarm.dispatched"


class AlarmOnScene(_Transition):
    type: Literal["alarm.on_scene"] = "alarm.on_scene"


class AlarmResolved(_Transition):
    type: Literal["alarm.resolved"] = "alarm.resolved"
    alarm_type: str = ""


class AlarmUpdated(AlarmEvent):
    """A note, photo or checklist tick: the console refreshes the incident."""

    type: Literal["alarm.updated"] = "alarm.updated"
    what: str
    actor: str


class AlarmEscalated(AlarmEvent):
    """Nobody acknowledged in time: the chain reached another audience (console pops up for them)."""

    type: Literal["alarm.escalated"] = "alarm.escalated"
    priority: str = "high"  # the incident's: a low-priority one (device offline) pops up without sticking
    level: int
    target: str
    user_ids: list[int] = []
    channels: list[str] = []


class HandoffDead(AlarmEvent):
    """A police hand-off exhausted its retries and sits on the dead-letter list."""

    type: Literal["alarm.handoff_dead"] = "alarm.handoff_dead"
    delivery_id: int
    endpoint: str


class DrillWindowChanged(Event):
    """A school started or stopped a drill window."""

    audience: ClassVar[str] = "alarm.read"
    type: Literal["alarm.drill_window"] = "alarm.drill_window"
    window_id: int
    active: bool
    actor: str


TRANSITION_EVENTS: dict[str, type[_Transition]] = {
    "acknowledged": AlarmAcknowledged,
    "dispatched": AlarmDispatched,
    "on_scene": AlarmOnScene,
    "resolved": AlarmResolved,
}
