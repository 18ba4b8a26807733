"""Request and response shapes of the publicity API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Category = Literal[
    "anti_fraud", "anti_bullying", "traffic", "fire", "drowning", "food", "law", "health", "weather", "other"
]
SchoolType = Literal["kindergarten", "primary", "middle", "boarding_high"]
ReportCategory = Literal["bullying", "violence", "harassment", "safety_hazard", "self_harm", "fraud", "other"]
ReaderRole = Literal[
    "city_admin",
    "district_police",
    "liaison_officer",
    "edu_bureau",
    "school_admin",
    "operator",
    "guard",
    "parent",
]


class BulletinIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    category: Category
    body_html: str = Field(min_length=1, max_length=200_000)
    target_districts: list[str] = Field(default_factory=list, max_length=50)
    target_school_types: list[SchoolType] = Field(default_factory=list)
    target_roles: list[ReaderRole] = Field(default_factory=list)


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    filename: str
    content_type: str
    size: int


class BulletinOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    category: str
    body_html: str
    region_code: str | None
    target_districts: list[str]
    target_school_types: list[str]
    target_roles: list[str]
    status: str
    published_at: datetime | None
    author_name: str
    read: bool = False
    attachments: list[AttachmentOut] = []


class LessonIn(BaseModel):
    school_id: int
    topic: Category
    title: str = Field(min_length=1, max_length=200)
    given_at: datetime
    teacher: str = Field(min_length=1, max_length=64)
    classes: str = Field(default="", max_length=200)
    attendees: int = Field(ge=1, le=100_000)
    notes: str = Field(default="", max_length=5000)


class LessonOut(LessonIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class ReportIn(BaseModel):
    school_code: str = Field(min_length=1, max_length=32)
    category: ReportCategory
    description: str = Field(min_length=10, max_length=5000)


class ReportCreated(BaseModel):
    case_number: str
    follow_up_code: str
    status: str


class FollowUpIn(BaseModel):
    case_number: str = Field(min_length=1, max_length=20)
    code: str = Field(min_length=1, max_length=64)


class FollowUpMessageIn(FollowUpIn):
    body: str = Field(min_length=1, max_length=5000)


class ReplyIn(BaseModel):
    body: str = Field(min_length=1, max_length=5000)
    status: Literal["received", "handling", "closed"] | None = None


class BroadcastIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=2000)
    voice: Literal["cmn", "zh", "en"] = "cmn"
    school_codes: list[str] = Field(min_length=1, max_length=500)
    device_ids: list[int] = Field(default_factory=list, max_length=1000)
    scheduled_at: datetime | None = None
