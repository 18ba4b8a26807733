"""Request and response shapes of the organisation API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

SchoolType = Literal["kindergarten", "primary", "middle", "boarding_high"]
Ownership = Literal["public", "private"]
PersonKind = Literal["student", "staff", "guardian", "guard"]
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


def _ordered_window(window: tuple[str, str]) -> tuple[str, str]:
    """A parent live-view window must open before it closes (same day, local time)."""
    if window[0] >= window[1]:
        raise ValueError(f"window {window[0]}-{window[1]} must start before it ends")
    return window


LiveWindow = Annotated[tuple[HHMM, HHMM], AfterValidator(_ordered_window)]
Weekday = Annotated[int, Field(ge=1, le=7)]
LiveWindows = Annotated[list[LiveWindow], Field(max_length=8)]
LiveDays = Annotated[list[Weekday], Field(max_length=7), AfterValidator(lambda days: sorted(set(days)))]
# School settings the console edits as fields (video/parents.py reads them from School.settings).
LIVE_VIEW_KEYS = ("live_view_windows", "live_view_days")


class RegionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    level: Literal["city", "district"]
    parent_code: str | None


class RegionIn(BaseModel):
    code: str = Field(pattern=r"^\d{6}$")
    name: str = Field(min_length=1, max_length=64)
    level: Literal["city", "district"]
    parent_code: str | None = None


class GridIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=128)
    district_code: str
    owner_name: str = Field(min_length=1, max_length=64)
    owner_phone: str | None = None
    owner_user_id: int | None = None


class GridOut(GridIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class SchoolIn(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=128)
    type: SchoolType
    ownership: Ownership = "public"
    district_code: str = Field(pattern=r"^\d{6}$")
    address: str = Field(default="", max_length=256)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    students: int = Field(default=0, ge=0)
    staff: int = Field(default=0, ge=0)
    guards: int = Field(default=0, ge=0)
    grid_id: int | None = None
    principal_name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    live_view_windows: LiveWindows = Field(default_factory=list)
    live_view_days: LiveDays = Field(default_factory=list)


class SchoolPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    type: SchoolType | None = None
    ownership: Ownership | None = None
    district_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    address: str | None = Field(default=None, max_length=256)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    students: int | None = Field(default=None, ge=0)
    staff: int | None = Field(default=None, ge=0)
    guards: int | None = Field(default=None, ge=0)
    grid_id: int | None = None
    principal_name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    live_view_windows: LiveWindows | None = None
    live_view_days: LiveDays | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_null_for_required(cls, data: Any) -> Any:
        """`null` may clear an optional field (coordinates, grid, contact) but not a required one."""
        if isinstance(data, dict):
            for key in ("name", "type", "ownership", "district_code", "address", "students", "staff", "guards",
                        *LIVE_VIEW_KEYS):
                if key in data and data[key] is None:
                    raise ValueError(f"{key} cannot be null")
        return data


class SchoolOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    type: str
    ownership: str
    district_code: str
    address: str
    lat: float | None
    lon: float | None
    students: int
    staff: int
    guards: int
    grid_id: int | None
    grid_name: str | None = None
    grid_owner: str | None = None
    principal_name: str | None = None
    phone: str | None = None
    live_view_windows: list[tuple[str, str]] = Field(default_factory=list)
    live_view_days: list[int] = Field(default_factory=list)


class SchoolCounts(BaseModel):
    areas: int
    students: int
    staff: int
    guardians: int
    guards: int
    devices: int
    devices_online: int


class SchoolDetail(SchoolOut):
    counts: SchoolCounts


class AreaIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    kind: str = Field(min_length=1, max_length=32)
    private: bool | None = None
    key_area: bool = False
    adjacent: list[int] = Field(default_factory=list)
    lat: float | None = None
    lon: float | None = None


class AreaOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    school_id: int
    name: str
    kind: str
    private: bool
    key_area: bool
    adjacent: list[int]


class PersonIn(BaseModel):
    school_id: int
    kind: PersonKind
    name: str = Field(min_length=1, max_length=64)
    external_id: str | None = Field(default=None, max_length=64)
    class_name: str | None = Field(default=None, max_length=64)
    minor: bool | None = None
    phone: str | None = Field(default=None, max_length=32)
    id_number: str | None = Field(default=None, max_length=32)


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    school_id: int
    kind: str
    name: str
    external_id: str | None
    class_name: str | None
    minor: bool
    active: bool


class GuardianLinkIn(BaseModel):
    student_id: int
    relation: str = "parent"
    can_pick_up: bool = True


class ImportRowError(BaseModel):
    row: int
    errors: list[str]


class ImportResult(BaseModel):
    kind: str
    rows: int
    created: int
    updated: int
    errors: list[ImportRowError]
    committed: bool
