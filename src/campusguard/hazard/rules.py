"""Pure hazard rules: the state machine, deadlines by severity and the escalation ladder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CATEGORIES: Final = ("fire", "building", "electrical", "food", "traffic", "perimeter", "equipment", "other")
SEVERITIES: Final = ("low", "medium", "high", "critical")
STATUSES: Final = ("reported", "assigned", "rectified", "verified", "rejected")
OPEN_STATUSES: Final = frozenset({"reported", "assigned", "rejected"})
"""States in which somebody still has to act on the hazard itself (not awaiting verification)."""

Category = Literal["fire", "building", "electrical", "food", "traffic", "perimeter", "equipment", "other"]
Severity = Literal["low", "medium", "high", "critical"]
Status = Literal["reported", "assigned", "rectified", "verified", "rejected"]
Action = Literal["assign", "rectify", "verify", "reject"]

# action -> (states it may leave from, state it leads to)
TRANSITIONS: Final[dict[str, tuple[frozenset[str], str]]] = {
    # A re-assignment (new assignee or deadline) is allowed until the work is handed in.
    "assign": (frozenset({"reported", "assigned", "rejected"}), "assigned"),
    "rectify": (frozenset({"assigned", "rejected"}), "rectified"),
    "verify": (frozenset({"rectified"}), "verified"),
    "reject": (frozenset({"rectified"}), "rejected"),
}

# Escalation ladder: who is told when an item stays overdue (level 0 = not escalated).
ESCALATION_LEVELS: Final = ("none", "grid", "district", "city")


class TransitionRefused(Exception):
    """An action that the hazard's current state does not allow (maps to HTTP 409)."""

    def __init__(self, action: str, status: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[action][0])) if action in TRANSITIONS else "-"
        super().__init__(f"cannot {action} a hazard that is {status} (allowed from: {allowed})")
        self.action = action
        self.status = status


def next_status(status: str, action: str) -> str:
    """The state an action leads to, or TransitionRefused when it is out of order."""
    if action not in TRANSITIONS:
        raise ValueError(f"unknown action {action!r}")
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise TransitionRefused(action, status)
    return target


def allowed_actions(status: str) -> list[str]:
    """Actions the UI may offer for a state (before permissions)."""
    return [a for a, (sources, _) in TRANSITIONS.items() if status in sources]


class HazardPolicy(BaseSettings):
    """Rectification windows per severity, configurable with CG_HAZARD_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="CG_HAZARD_", extra="ignore")

    deadline_hours: dict[str, float] = Field(default_factory=lambda: {
        "critical": 24.0, "high": 72.0, "medium": 168.0, "low": 360.0})
    # After the deadline, each further multiple of the window climbs one rung of the ladder.
    escalation_step_factor: float = 1.0
    overdue_interval_s: float = 60.0
    photo_max_bytes: int = 8 * 1024 * 1024
    photo_max_pixels: int = 40_000_000
    photos_per_hazard: int = 20
    require_rectify_photo: bool = True

    def window(self, severity: str) -> timedelta:
        """How long the assignee has to rectify a hazard of this severity."""
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        hours = self.deadline_hours.get(severity)
        if hours is None or hours <= 0:
            raise ValueError(f"no positive deadline configured for {severity!r}")
        return timedelta(hours=hours)

    def deadline(self, severity: str, start: datetime) -> datetime:
        """The due time of a hazard assigned at `start`."""
        return start + self.window(severity)

    def escalation_level(self, severity: str, due_at: datetime, now: datetime) -> int:
        """0 before the deadline; 1 (grid) once overdue, then one rung per further step, max 3 (city)."""
        if now <= due_at:
            return 0
        step = self.window(severity) * self.escalation_step_factor
        late = now - due_at
        rung = 1 + int(late / step) if step.total_seconds() > 0 else len(ESCALATION_LEVELS) - 1
        return min(rung, len(ESCALATION_LEVELS) - 1)


@dataclass
class Tally:
    """Found/rectified/overdue counts of one group (school, grid or district)."""

    key: str
    found: int = 0
    open: int = 0
    rectified: int = 0
    verified: int = 0
    overdue: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def rectification_rate(self) -> float:
        return round(self.rectified / self.found, 4) if self.found else 0.0

    def add(self, status: str, severity: str, overdue: bool, n: int = 1) -> None:
        """Count n hazards; rectified means handed in or verified (the seeds' 整改 figure)."""
        self.found += n
        self.by_severity[severity] = self.by_severity.get(severity, 0) + n
        if status in ("rectified", "verified"):
            self.rectified += n
        if status == "verified":
            self.verified += n
        if status in OPEN_STATUSES:
            self.open += n
        if overdue and status in OPEN_STATUSES:
            self.overdue += n
