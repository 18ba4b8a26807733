"""Request and response shapes of the duty-registration API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Post = Literal["patrol", "gatehouse", "monitoring_room", "other"]


class CheckpointIn(BaseModel):
    school_id: int
    area_id: int | None = None
    name: str = Field(min_length=1, max_length=128)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(default=50, ge=5, le=1000)
    valid_days: int = Field(default=365, ge=1, le=3 * 365)


class CheckpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    school_id: int
    area_id: int | None
    name: str
    lat: float
    lon: float
    radius_m: float
    qr_version: int
    qr_expires_at: datetime
    active: bool


class TokenOut(BaseModel):
    checkpoint_id: int
    version: int
    expires_at: datetime
    token: str
    short_code: str = ""


class RotateIn(BaseModel):
    valid_days: int = Field(default=365, ge=1, le=3 * 365)


class StopIn(BaseModel):
    checkpoint_id: int
    offset_min: int = Field(ge=0, le=24 * 60)
    tolerance_min: int = Field(default=15, ge=1, le=240)


class RouteIn(BaseModel):
    school_id: int
    name: str = Field(min_length=1, max_length=128)
    stops: list[StopIn] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _ordered(self) -> RouteIn:
        offsets = [s.offset_min for s in self.stops]
        if offsets != sorted(offsets):
            raise ValueError("stops must be in the order of their planned times")
        return self


class StopOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    seq: int
    checkpoint_id: int
    offset_min: int
    tolerance_min: int


class RouteOut(BaseModel):
    id: int
    school_id: int
    name: str
    active: bool
    stops: list[StopOut]


class ShiftIn(BaseModel):
    school_id: int
    guard_user_id: int
    route_id: int | None = None
    post: Post = "patrol"
    starts_at: datetime
    ends_at: datetime

    @model_validator(mode="after")
    def _window(self) -> ShiftIn:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("times need a timezone (ISO 8601 with offset)")
        if not self.starts_at < self.ends_at:
            raise ValueError("a shift must end after it starts")
        if (self.ends_at - self.starts_at).total_seconds() > 24 * 3600:
            raise ValueError("a shift lasts at most 24 h")
        return self


class ShiftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    school_id: int
    guard_user_id: int
    route_id: int | None
    post: str
    starts_at: datetime
    ends_at: datetime
    last_seen_at: datetime | None


class CheckinIn(BaseModel):
    token: str = Field(min_length=1, max_length=256)
    lat: float
    lon: float
    accuracy_m: float | None = Field(default=None, ge=0, le=10_000)
    photo_id: int | None = None
    client_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    scanned_at: datetime | None = None


class CheckinOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    school_id: int
    checkpoint_id: int
    guard_user_id: int
    shift_id: int | None
    route_stop_id: int | None
    client_id: str
    scanned_at: datetime
    received_at: datetime
    lat: float
    lon: float
    distance_m: float
    photo_id: int | None
    on_time: bool
    duplicate: bool = False


class LocationIn(BaseModel):
    lat: float
    lon: float
    accuracy_m: float | None = Field(default=None, ge=0, le=10_000)


class AnomalyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    school_id: int | None
    kind: str
    guard_user_id: int | None
    checkpoint_id: int | None
    shift_id: int | None
    detail: dict[str, Any]
    occurred_at: datetime
    acknowledged_at: datetime | None


class PhotoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    content_type: str
    size: int
    width: int
    height: int
    sha256: str


class StopProgress(BaseModel):
    stop_id: int
    seq: int
    checkpoint_id: int
    checkpoint_name: str
    planned_at: datetime
    due_by: datetime
    status: Literal["done", "late", "pending", "missed"]
    checked_at: datetime | None


class DutyOut(BaseModel):
    """The guard's duty screen: the current shift and how far along the route they are."""

    shift: ShiftOut | None
    route_name: str | None
    stops: list[StopProgress]
    pending_rollcalls: list[dict[str, Any]]


class RollCallIn(BaseModel):
    school_codes: list[str] | None = Field(default=None, max_length=5000)
    district_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    all: bool = False
    answer_within_s: int = Field(default=300, ge=30, le=3600)

    @model_validator(mode="after")
    def _one_scope(self) -> RollCallIn:
        given = sum([bool(self.school_codes), self.district_code is not None, self.all])
        if given != 1:
            raise ValueError("give exactly one of school_codes, district_code or all=true")
        return self
