"""Request and response shapes of the face API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

WatchlistKind = Literal["key_person", "roster", "visitor"]


class WatchlistIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    kind: WatchlistKind
    school_id: int | None = None
    region_code: str | None = Field(default=None, max_length=12)
    threshold: float | None = Field(default=None, gt=0.0, lt=1.0)
    description: str = Field(default="", max_length=2000)
    source: str | None = Field(default=None, max_length=128)


class WatchlistOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    school_id: int | None
    region_code: str | None
    purpose: str
    threshold: float | None
    description: str
    source: str | None
    active: bool
    created_at: datetime
    persons: int = 0


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    watchlist_id: int
    name: str
    category: str
    risk_level: str | None
    source: str | None
    legal_basis: str | None
    expires_at: datetime | None
    org_person_id: int | None
    external_id: str | None
    minor: bool
    guardian_consent: bool
    active: bool
    created_at: datetime
    templates: list[int] = []


class PersonPatch(BaseModel):
    """Fields of a watchlist person that may change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=128)
    category: str | None = None
    risk_level: str | None = Field(default=None, max_length=32)
    source: str | None = Field(default=None, max_length=128)
    legal_basis: str | None = Field(default=None, max_length=256)
    expires_at: datetime | None = None
    org_person_id: int | None = None
    external_id: str | None = Field(default=None, max_length=64)
    id_number: str | None = Field(default=None, max_length=32)
    minor: bool | None = None
    guardian_consent: bool | None = None
    active: bool | None = None


class EnrolResult(PersonOut):
    faces_stored: int = 0
    warning: str | None = None


class FaceOut(BaseModel):
    """One face found in an uploaded capture, and what it matched."""

    box: list[int]
    capture_id: int
    event: Literal["new", "merged"]
    status: Literal["matched", "unknown"]
    person_id: int | None = None
    person_name: str | None = None
    watchlist_id: int | None = None
    watchlist_kind: str | None = None
    distance: float | None = None
    alert_ids: list[int] = []
    incident_id: int | None = None
    suppressed: bool = False


class CaptureResult(BaseModel):
    device_code: str
    direction: str
    width: int
    height: int
    faces: list[FaceOut]


class CaptureOut(BaseModel):
    """A pass record (通行记录)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    device_code: str
    direction: str
    captured_at: datetime
    last_seen_at: datetime
    frames: int
    status: str
    person_id: int | None
    person_name: str | None = None
    watchlist_kind: str | None
    distance: float | None
    incident_id: int | None
    retain: bool


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    school_id: int
    capture_id: int | None
    person_id: int | None
    template_id: int | None
    watchlist_id: int | None
    distance: float | None
    status: str
    incident_id: int | None
    decided_by: str | None
    decided_at: datetime | None
    note: str
    detail: dict[str, Any]
    created_at: datetime


class DecisionIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class SearchCandidate(BaseModel):
    person_id: int
    person_name: str
    category: str
    watchlist_id: int
    watchlist_kind: str
    template_id: int
    distance: float
    similarity: float
    match: bool


class SearchResult(BaseModel):
    faces: int
    threshold: float
    candidates: list[SearchCandidate]


class RuleIn(BaseModel):
    kind: Literal["stranger_after_hours", "unknown_adult_pickup", "student_leaving_class_hours"]
    school_id: int | None = None
    school_type: str | None = None
    enabled: bool = True
    params: dict[str, Any] = {}


class RuleOut(RuleIn):
    model_config = ConfigDict(from_attributes=True)

    id: int


class VisitorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    name: str
    id_number_masked: str = ""
    host: str
    purpose: str
    valid_from: datetime
    valid_until: datetime
    badge_code: str
    status: str
    screening: dict[str, Any]
    person_id: int | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    created_at: datetime


class FaceStats(BaseModel):
    templates: int
    persons: int
    watchlists: int
    captures: int
    unknown_captures: int
    warning_threshold: int
    warning: str | None
