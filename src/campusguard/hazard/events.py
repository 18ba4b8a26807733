"""Events of a hazard's life: the console, the phone, statistics and assessment listen to them."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from campusguard.bus.events import Event


class HazardEvent(Event):
    """Base of hazard events: seen by anyone holding hazard.read in the hazard's scope."""

    audience: ClassVar[str] = "hazard.read"

    hazard_id: int
    status: str
    category: str
    severity: str
    school_code: str = ""
    school_name: str = ""
    actor: str = ""


class HazardReported(HazardEvent):
    type: Literal["hazard.reported"] = "hazard.reported"
    description: str = ""
    source: str = "console"


class HazardAssigned(HazardEvent):
    type: Literal["hazard.assigned"] = "hazard.assigned"
    assignee_user_id: int | None = None
    assignee_name: str | None = None
    due_at: datetime | None = None


class HazardRectified(HazardEvent):
    type: Literal["hazard.rectified"] = "hazard.rectified"


class HazardVerified(HazardEvent):
    type: Literal["hazard.verified"] = "hazard.verified"


class HazardRejected(HazardEvent):
    type: Literal["hazard.rejected"] = "hazard.rejected"
    reason: str = ""


class HazardOverdue(HazardEvent):
    """A hazard passed its deadline or climbed a rung of the escalation ladder."""

    type: Literal["hazard.overdue"] = "hazard.overdue"
    due_at: datetime | None = None
    escalation_level: int = 1
    escalated_to: str = "grid"  # grid | district | city
    grid_id: int | None = None
    grid_owner_user_id: int | None = None
    assignee_user_id: int | None = None
