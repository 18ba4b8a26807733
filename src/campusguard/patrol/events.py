"""Events of duty registration: anomalies, check-ins and roll calls, pushed to the school and its officers."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from campusguard.bus.events import Event


class PatrolAnomaly(Event):
    """A refused scan, a missed or late checkpoint, a post left, a roll-call fault."""

    audience: ClassVar[str] = "patrol.read"
    type: Literal["patrol.anomaly"] = "patrol.anomaly"
    anomaly_id: int
    kind: str
    guard_user_id: int | None = None
    checkpoint_id: int | None = None
    shift_id: int | None = None
    detail: dict[str, Any] = {}


class PatrolCheckin(Event):
    """A guard checked in at a checkpoint (live route progress on the console)."""

    audience: ClassVar[str] = "patrol.read"
    type: Literal["patrol.checkin"] = "patrol.checkin"
    checkin_id: int
    checkpoint_id: int
    guard_user_id: int
    on_time: bool


class RollCallCalled(Event):
    """A roll call reached a school: its guards on duty must answer before `deadline_at`."""

    audience: ClassVar[str] = "patrol.read"
    type: Literal["rollcall.called"] = "rollcall.called"
    rollcall_id: int
    deadline_at: str
    guard_user_ids: list[int] = []
    started_by_name: str = ""


class RollCallAnswered(Event):
    """A guard answered (or answered too late): the officer's live result table updates."""

    audience: ClassVar[str] = "patrol.read"
    type: Literal["rollcall.answered"] = "rollcall.answered"
    rollcall_id: int
    guard_user_id: int
    status: str


class RollCallClosed(Event):
    """The deadline passed: unanswered guards are now missing."""

    audience: ClassVar[str] = "patrol.read"
    type: Literal["rollcall.closed"] = "rollcall.closed"
    rollcall_id: int
    missing: int
