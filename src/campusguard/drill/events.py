"""Events of drills: dashboards and the assessment listen to them."""

from __future__ import annotations

from typing import ClassVar, Literal

from campusguard.bus.events import Event


class DrillEvent(Event):
    """Base of drill events: seen by anyone holding drill.read in the drill's scope."""

    audience: ClassVar[str] = "drill.read"

    drill_id: int
    kind: str
    status: str
    title: str
    school_code: str = ""
    actor: str = ""


class DrillStarted(DrillEvent):
    type: Literal["drill.started"] = "drill.started"
    alarm_window_id: int | None = None


class DrillCompleted(DrillEvent):
    type: Literal["drill.completed"] = "drill.completed"
    participants: int = 0
    timings: dict[str, float] = {}


class DrillEvaluated(DrillEvent):
    type: Literal["drill.evaluated"] = "drill.evaluated"
    score: float = 0.0
