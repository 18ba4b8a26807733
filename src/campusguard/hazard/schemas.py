"""Request and response shapes of the hazard API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from campusguard.hazard.rules import Category, Severity

Stage = Literal["report", "rectification", "verification"]


class HazardIn(BaseModel):
    """A new hazard; `client_id` makes a report sent twice (offline queue) count once."""

    model_config = ConfigDict(extra="forbid")

    school_code: str = Field(min_length=1, max_length=32)
    category: Category
    severity: Severity
    description: str = Field(min_length=2, max_length=4000)
    area_id: int | None = None
    location: str = Field(default="", max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    client_id: str | None = Field(default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    source: Literal["app", "console"] = "console"


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee_user_id: int | None = None
    assignee_name: str | None = Field(default=None, max_length=64)
    due_at: datetime | None = None
    note: str | None = Field(default=None, max_length=2000)


class RectifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=2, max_length=4000)


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=2000)


class PhotoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    stage: str
    content_type: str
    size: int
    width: int
    height: int
    sha256: str
    uploaded_by: str
    created_at: datetime
    url: str = ""


class LogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    from_status: str | None
    to_status: str | None
    actor: str
    note: str | None


class HazardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    school_code: str = ""
    school_name: str = ""
    district_code: str = ""
    grid_id: int | None = None
    area_id: int | None
    area_name: str | None = None
    category: str
    severity: str
    status: str
    description: str
    location: str
    lat: float | None
    lon: float | None
    source: str
    client_id: str | None
    reported_by: str
    reported_at: datetime
    assignee_user_id: int | None
    assignee_name: str | None
    assigned_at: datetime | None
    due_at: datetime | None
    rectified_at: datetime | None
    rectification_note: str | None
    verified_at: datetime | None
    verified_by: str | None
    reject_count: int
    overdue: bool
    escalation_level: int
    inspection_id: int | None
    task_id: int | None
    photo_count: int = 0
    actions: list[str] = []


class HazardDetail(HazardOut):
    photos: list[PhotoOut] = []
    history: list[LogOut] = []


class StatsRow(BaseModel):
    key: str
    name: str
    found: int
    open: int
    rectified: int
    verified: int
    overdue: int
    rectification_rate: float
    by_severity: dict[str, int]


class StatsOut(BaseModel):
    by: str
    since: datetime | None
    until: datetime | None
    items: list[StatsRow]
    total: StatsRow


class ChecklistItemIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=300)
    category: Category
    severity: Severity


class ChecklistIn(BaseModel):
    """A new template; owner = school_code, else district_code, else the city."""

    model_config = ConfigDict(extra="forbid")

    school_type: Literal["kindergarten", "primary", "middle", "boarding_high"]
    name: str = Field(min_length=1, max_length=128)
    items: list[ChecklistItemIn] = Field(min_length=1, max_length=200)
    school_code: str | None = Field(default=None, min_length=1, max_length=32)
    district_code: str | None = Field(default=None, min_length=1, max_length=12)


class ChecklistPatch(BaseModel):
    """Fields to change; `version` (optional) refuses the save when someone else saved first."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=128)
    items: list[ChecklistItemIn] | None = Field(default=None, min_length=1, max_length=200)
    active: bool | None = None
    version: int | None = Field(default=None, ge=1)


class ChecklistOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_type: str
    name: str
    items: list[dict[str, str]]
    active: bool
    builtin: bool
    scope_key: str = "city"
    district_code: str | None = None
    school_id: int | None = None
    school_code: str | None = None
    school_name: str | None = None
    version: int = 1
    updated_by: str | None = None
    updated_at: datetime | None = None
    editable: bool = False


class InspectionIn(BaseModel):
    """Answers keyed by item code: true = passed, false = failed (a hazard is opened)."""

    model_config = ConfigDict(extra="forbid")

    school_code: str = Field(min_length=1, max_length=32)
    template_id: int | None = None
    answers: dict[str, bool]
    notes: dict[str, str] = {}


class InspectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    template_id: int | None
    template_name: str
    template_version: int | None = None
    inspector: str
    conducted_at: datetime
    passed: int
    failed: int
    hazard_ids: list[int]
    answers: dict[str, bool]
    notes: dict[str, str]


class OverduePushOut(BaseModel):
    """One Web Push delivery of an overdue reminder and how it went."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    subject: str
    subject_id: int
    school_id: int | None
    user_id: int
    title: str
    body: str
    url: str
    status: str
    attempts: int
    response_code: int | None
    error: str | None
    created_at: datetime
    sent_at: datetime | None
