"""Pure liaison-task rules: kinds, the small state machine, on-site GPS checks and recurrence."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

KINDS: Final = ("inspection", "follow_up_visit", "instability_screening", "patrol_supervision")
STATUSES: Final = ("open", "checked_in", "done", "cancelled")
OPEN_STATUSES: Final = frozenset({"open", "checked_in"})
FREQUENCIES: Final = ("daily", "weekly", "monthly")

Kind = Literal["inspection", "follow_up_visit", "instability_screening", "patrol_supervision"]
Frequency = Literal["daily", "weekly", "monthly"]

TRANSITIONS: Final[dict[str, tuple[frozenset[str], str]]] = {
    # A second check-in (e.g. the officer came back) is allowed and simply recorded again.
    "checkin": (frozenset({"open", "checked_in"}), "checked_in"),
    "complete": (frozenset({"checked_in"}), "done"),
    "cancel": (frozenset({"open", "checked_in"}), "cancelled"),
}

EARTH_RADIUS_M = 6_371_008.8


class TaskTransitionRefused(Exception):
    """An action the task's state does not allow (HTTP 409)."""

    def __init__(self, action: str, status: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[action][0]))
        super().__init__(f"cannot {action} a task that is {status} (allowed from: {allowed})")
        self.action, self.status = action, status


def next_status(status: str, action: str) -> str:
    """The state an action leads to; TaskTransitionRefused when out of order."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise TaskTransitionRefused(action, status)
    return target


class TaskPolicy(BaseSettings):
    """Tunables for on-site checks and schedules (CG_TASK_* environment variables)."""

    model_config = SettingsConfigDict(env_prefix="CG_TASK_", extra="ignore")

    checkin_radius_m: float = 500.0
    max_gps_accuracy_m: float = 200.0
    default_due_hours: float = 72.0
    horizon_days: int = 7
    interval_s: float = 300.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class SiteCheck:
    """Outcome of comparing a reported position with the school's location."""

    distance_m: float | None
    within: bool
    reason: str  # ok | too_far | inaccurate | school_unlocated


def check_site(*, lat: float, lon: float, accuracy_m: float | None, school_lat: float | None,
               school_lon: float | None, radius_m: float, max_accuracy_m: float) -> SiteCheck:
    """Is the officer at the school? A school without coordinates cannot be checked (accepted, flagged)."""
    if school_lat is None or school_lon is None:
        return SiteCheck(None, True, "school_unlocated")
    dist = round(distance_m(lat, lon, school_lat, school_lon), 1)
    if accuracy_m is not None and accuracy_m > max_accuracy_m:
        return SiteCheck(dist, False, "inaccurate")
    if dist > radius_m:
        return SiteCheck(dist, False, "too_far")
    return SiteCheck(dist, True, "ok")


def advance(when: datetime, frequency: str, interval: int) -> datetime:
    """The next occurrence after `when` (monthly keeps the day, clamped to the month's length)."""
    if interval < 1:
        raise ValueError("interval must be at least 1")
    if frequency == "daily":
        return when + timedelta(days=interval)
    if frequency == "weekly":
        return when + timedelta(weeks=interval)
    if frequency == "monthly":
        month0 = when.month - 1 + interval
        year, month = when.year + month0 // 12, month0 % 12 + 1
        day = when.day
        while True:
            try:
                return when.replace(year=year, month=month, day=day)
            except ValueError:
                day -= 1
    raise ValueError(f"unknown frequency {frequency!r}")


def occurrences(start: datetime, frequency: str, interval: int, until: datetime,
                limit: int = 100) -> list[datetime]:
    """Occurrences from `start` (inclusive) up to `until` (inclusive), at most `limit`."""
    out: list[datetime] = []
    when = start
    while when <= until and len(out) < limit:
        out.append(when)
        when = advance(when, frequency, interval)
    return out
