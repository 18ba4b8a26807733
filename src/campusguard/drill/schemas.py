"""Request and response shapes of the drill API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from campusguard.drill.rules import Kind


class DrillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_code: str = Field(min_length=1, max_length=32)
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    scenario: str = Field(default="", max_length=8000)
    scheduled_at: datetime
    planned_participants: int = Field(default=0, ge=0, le=100_000)


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_minutes: int = Field(default=60, ge=5, le=24 * 60)


class StopIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participants: int = Field(ge=0, le=100_000)
    participant_groups: list[str] = Field(default=[], max_length=200)
    timings: dict[str, float] = {}


class EvaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: float = Field(ge=0, le=100)
    notes: str = Field(default="", max_length=8000)


class DrillOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    school_code: str = ""
    school_name: str = ""
    kind: str
    title: str
    scenario: str
    status: str
    scheduled_at: datetime
    planned_participants: int
    created_by: str
    started_at: datetime | None
    ended_at: datetime | None
    started_by: str | None
    participants: int | None
    participant_groups: list[str]
    timings: dict[str, float]
    duration_s: float | None = None
    alarm_window_id: int | None
    alarm_presses: int
    score: float | None
    notes: str | None
    evaluated_by: str | None
    evaluated_at: datetime | None


class DrillStatsRow(BaseModel):
    key: str
    name: str
    planned: int
    conducted: int
    evaluated: int
    cancelled: int
    avg_score: float | None
    avg_evacuation_s: float | None
    by_kind: dict[str, int]


class DrillStats(BaseModel):
    by: str
    since: datetime | None
    until: datetime | None
    items: list[DrillStatsRow]
    total: DrillStatsRow
