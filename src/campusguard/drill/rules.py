"""Pure drill rules: kinds, the plan → conduct → evaluate state machine, timing checks."""

from __future__ import annotations

from typing import Final, Literal

KINDS: Final = ("fire", "earthquake", "intruder", "evacuation")
STATUSES: Final = ("planned", "in_progress", "completed", "evaluated", "cancelled")
Kind = Literal["fire", "earthquake", "intruder", "evacuation"]

TRANSITIONS: Final[dict[str, tuple[frozenset[str], str]]] = {
    "start": (frozenset({"planned"}), "in_progress"),
    "stop": (frozenset({"in_progress"}), "completed"),
    # An evaluation may be corrected until someone else relies on it; re-evaluating is allowed.
    "evaluate": (frozenset({"completed", "evaluated"}), "evaluated"),
    "cancel": (frozenset({"planned"}), "cancelled"),
}

# Named timings a drill record may carry, in seconds (unknown names are refused).
TIMING_KEYS: Final = frozenset({"alarm_to_response_s", "evacuation_s", "headcount_s", "lockdown_s",
                                "police_arrival_s", "total_s"})
MAX_TIMING_S: Final = 6 * 3600


class DrillTransitionRefused(Exception):
    """An action the drill's state does not allow (HTTP 409)."""

    def __init__(self, action: str, status: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[action][0]))
        super().__init__(f"cannot {action} a drill that is {status} (allowed from: {allowed})")
        self.action, self.status = action, status


def next_status(status: str, action: str) -> str:
    """The state an action leads to; DrillTransitionRefused when out of order."""
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise DrillTransitionRefused(action, status)
    return target


def check_timings(timings: dict[str, float]) -> dict[str, float]:
    """Keep known, non-negative, plausible timings; ValueError names the first bad one."""
    out: dict[str, float] = {}
    for key, value in timings.items():
        if key not in TIMING_KEYS:
            raise ValueError(f"unknown timing {key!r}; one of {', '.join(sorted(TIMING_KEYS))}")
        if not isinstance(value, int | float) or value < 0 or value > MAX_TIMING_S:
            raise ValueError(f"timing {key} must be between 0 and {MAX_TIMING_S} seconds")
        out[key] = float(value)
    return out
