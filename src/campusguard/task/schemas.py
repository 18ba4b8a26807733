"""Request and response shapes of the liaison-task API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from campusguard.hazard.rules import Category, Severity
from campusguard.task.rules import Frequency, Kind


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_code: str = Field(min_length=1, max_length=32)
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    officer_user_id: int | None = None
    due_at: datetime | None = None


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


class FindingHazard(BaseModel):
    """A finding that opens a hazard through the hazard service."""

    model_config = ConfigDict(extra="forbid")

    category: Category
    severity: Severity
    description: str = Field(min_length=2, max_length=4000)
    area_id: int | None = None


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: str = Field(min_length=2, max_length=8000)
    hazards: list[FindingHazard] = Field(default=[], max_length=20)


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_code: str = Field(min_length=1, max_length=32)
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    officer_user_id: int | None = None
    frequency: Frequency
    interval: int = Field(default=1, ge=1, le=52)
    start_at: datetime
    due_hours: float = Field(default=72.0, gt=0, le=24 * 90)


class RulePatch(BaseModel):
    """Fields to change on a recurring rule; officer_user_id null unassigns."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    officer_user_id: int | None = None
    frequency: Frequency | None = None
    interval: int | None = Field(default=None, ge=1, le=52)
    next_at: datetime | None = None
    due_hours: float | None = Field(default=None, gt=0, le=24 * 90)
    active: bool | None = None


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    school_code: str = ""
    school_name: str = ""
    kind: str
    title: str
    description: str = ""
    created_by: str = ""
    officer_user_id: int | None
    officer_name: str | None
    frequency: str
    interval: int
    next_at: datetime
    due_hours: float
    active: bool


class CheckinOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    lat: float
    lon: float
    accuracy_m: float | None
    distance_m: float | None
    accepted: bool
    reason: str
    actor: str


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    school_code: str = ""
    school_name: str = ""
    kind: str
    title: str
    description: str
    status: str
    officer_user_id: int | None
    officer_name: str | None
    due_at: datetime
    rule_id: int | None
    created_by: str
    checked_in_at: datetime | None
    checkin_distance_m: float | None
    checkin_reason: str | None
    findings: str | None
    completed_at: datetime | None
    completed_by: str | None
    overdue: bool
    hazard_ids: list[int]
    photo_count: int = 0


class TaskDetail(TaskOut):
    checkins: list[CheckinOut] = []
    photo_ids: list[int] = []


class TaskStats(BaseModel):
    by: Literal["school", "officer", "kind"]
    items: list[dict[str, int | str | None]]
