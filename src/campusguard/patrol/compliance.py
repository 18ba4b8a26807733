"""Guard staffing rules per school (GB/T 29315-2022 as issue 6 states them), as pure functions.

Rules as stated: at least 1 guard under 100 students, at least 3 at 1,000 students, one more per
further 500 students; the gatehouse staffed 24 h a day; every key area patrolled at least 5 times a day.

Interpolation between 100 and 1,000 (not stated by the issue, decided here): a school with 100..999
students needs 2 guards, i.e. the step between the two anchors, so that both stated anchors hold
exactly (99 -> 1, 100 -> 2, 999 -> 2, 1000 -> 3). Above 1,000, "one more per further 500" counts
every started block of 500 (1001 -> 4, 1500 -> 4, 1501 -> 5): staffing rules are minima, so a
partial block is rounded up rather than down.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

MIN_KEY_AREA_PATROLS_PER_DAY = 5
GATEHOUSE_HOURS = 24.0


def required_guards(students: int) -> int:
    """Minimum number of guards for a school of `students` (see module docstring)."""
    if students < 0:
        raise ValueError("students cannot be negative")
    if students < 100:
        return 1
    if students < 1000:
        return 2
    return 3 + math.ceil((students - 1000) / 500)


@dataclass
class Check:
    """One line of the compliance check shown on the console."""

    code: str
    ok: bool
    required: float
    actual: float
    detail: str = ""


@dataclass
class SchoolCompliance:
    """All checks of one school; `ok` only when every check passes."""

    school_id: int
    school_code: str
    school_name: str
    students: int
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def evaluate(
    *,
    school_id: int,
    school_code: str,
    school_name: str,
    students: int,
    guards: int,
    gatehouse_hours: float,
    key_area_patrols: dict[str, int],
) -> SchoolCompliance:
    """Build the checks from measured facts (guards on roster, staffed hours, patrol counts per area)."""
    result = SchoolCompliance(school_id, school_code, school_name, students)
    need = required_guards(students)
    result.checks.append(
        Check(
            "guard_headcount",
            guards >= need,
            need,
            guards,
            f"{students} students need at least {need} guards",
        )
    )
    hours = round(min(gatehouse_hours, GATEHOUSE_HOURS), 2)
    result.checks.append(
        Check(
            "gatehouse_24h",
            hours >= GATEHOUSE_HOURS,
            GATEHOUSE_HOURS,
            hours,
            "hours of the last day covered by a gatehouse shift",
        )
    )
    if not key_area_patrols:
        result.checks.append(
            Check("key_area_patrols", False, MIN_KEY_AREA_PATROLS_PER_DAY, 0, "no checkpoint in a key area")
        )
    for area, count in sorted(key_area_patrols.items()):
        result.checks.append(
            Check(
                "key_area_patrols",
                count >= MIN_KEY_AREA_PATROLS_PER_DAY,
                MIN_KEY_AREA_PATROLS_PER_DAY,
                count,
                f"check-ins in key area {area} during the last day",
            )
        )
    return result
