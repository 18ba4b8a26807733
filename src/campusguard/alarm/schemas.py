"""Request and response shapes of the rapid-response API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from campusguard.alarm.models import INCIDENT_TYPES


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    district_code: str | None
    area_id: int | None
    device_id: int | None
    type: str
    priority: str
    status: str
    outcome: str | None
    is_drill: bool
    source: str
    title: str
    lat: float | None
    lon: float | None
    cameras: list[dict[str, Any]]
    plan_id: int | None
    occurred_at: datetime
    raised_at: datetime
    acknowledged_at: datetime | None
    dispatched_at: datetime | None
    on_scene_at: datetime | None
    resolved_at: datetime | None
    acknowledged_by: str | None
    resolved_by: str | None
    escalation_level: int
    detail: dict[str, Any]


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action: str
    from_status: str | None
    to_status: str | None
    at: datetime
    actor: str
    actor_role: str | None
    detail: dict[str, Any]


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    author: str
    text: str
    photo_mime: str | None
    photo_size: int | None
    photo_sha256: str | None
    created_at: datetime
    photo_url: str | None = None


class ChecklistItem(BaseModel):
    step: int
    title: str
    detail: str
    done: bool
    at: datetime | None
    actor: str | None
    note: str | None


class IncidentDetail(IncidentOut):
    school_name: str | None = None
    school_code: str | None = None
    area_name: str | None = None
    device_code: str | None = None
    timeline: list[StepOut] = []
    notes: list[NoteOut] = []
    checklist: list[ChecklistItem] = []
    plan_title: str | None = None
    plan_version: int | None = None
    escalation: dict[str, Any] | None = None


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    total: int


class TransitionIn(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class ResolveIn(TransitionIn):
    outcome: Literal["real", "false_alarm", "drill", "test"] | None = None


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class TickIn(BaseModel):
    done: bool = True
    note: str | None = Field(default=None, max_length=500)


class PlanStepIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    detail: str = Field(default="", max_length=2000)


class PlanIn(BaseModel):
    alarm_type: str
    school_type: Literal["kindergarten", "primary", "middle", "boarding_high"] | None = None
    title: str = Field(min_length=1, max_length=128)
    steps: list[PlanStepIn] = Field(min_length=1, max_length=50)

    @field_validator("alarm_type")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in INCIDENT_TYPES:
            raise ValueError(f"alarm_type must be one of {', '.join(INCIDENT_TYPES)}")
        return v


class PlanEdit(BaseModel):
    title: str = Field(min_length=1, max_length=128)
    steps: list[PlanStepIn] = Field(min_length=1, max_length=50)


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    version: int
    alarm_type: str
    school_type: str | None
    title: str
    steps: list[dict[str, Any]]
    current: bool
    created_at: datetime
    created_by: str | None


class ChainIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    district_code: str | None = Field(default=None, max_length=12)
    steps: list[dict[str, Any]] = Field(min_length=1, max_length=30)
    enabled: bool = True


class ChainOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    district_code: str | None
    steps: list[dict[str, Any]]
    enabled: bool


class EndpointIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    format: Literal["cap", "json"]
    url: HttpUrl
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    district_code: str | None = Field(default=None, max_length=12)
    enabled: bool = True
    include_drills: bool = True
    include_tests: bool = False
    max_attempts: int = Field(default=6, ge=1, le=20)
    backoff_s: float = Field(default=2.0, gt=0, le=600)
    timeout_s: float = Field(default=5.0, gt=0, le=60)


class EndpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    format: str
    url: str
    district_code: str | None
    enabled: bool
    include_drills: bool
    include_tests: bool
    max_attempts: int
    backoff_s: float
    timeout_s: float
    has_secret: bool = False


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    endpoint_id: int
    incident_id: int
    msg_seq: int
    msg_type: str
    event: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


class ReceiptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    delivery_id: int
    attempt: int
    at: datetime
    status_code: int | None
    ok: bool
    duration_ms: float
    response: str | None
    error: str | None


class GatewayIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    channel: Literal["sms", "voice"]
    url: HttpUrl
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    enabled: bool = True


class GatewayOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    channel: str
    driver: str
    url: str
    enabled: bool


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    target: str
    user_id: int | None
    status: str
    attempts: int
    error: str | None
    response_code: int | None
    created_at: datetime
    sent_at: datetime | None


class PushKeys(BaseModel):
    p256dh: str = Field(min_length=20, max_length=200)
    auth: str = Field(min_length=8, max_length=100)


class PushSubscriptionIn(BaseModel):
    endpoint: HttpUrl
    keys: PushKeys


class DrillWindowIn(BaseModel):
    action: Literal["start", "stop"]
    minutes: int | None = Field(default=60, ge=1, le=24 * 60)
    title: str = Field(default="", max_length=200)


class DrillWindowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    school_id: int
    started_at: datetime
    ends_at: datetime | None
    stopped_at: datetime | None
    started_by: str
    title: str


class ManualAlarmIn(BaseModel):
    """An operator raising an incident by hand (phone call, walk-in)."""

    school_id: int
    type: Literal["panic", "duress", "intrusion", "fire", "medical", "tamper"]
    area_id: int | None = None
    note: str | None = Field(default=None, max_length=2000)


class IncidentCamera(BaseModel):
    """A camera the incident names, with the video module's camera id when it streams there."""

    device_id: int
    code: str | None = None
    name: str | None = None
    same_area: bool = False
    online: bool | None = None
    camera_id: int | None = None  # for GET /cameras/{id}/live and /cameras/{id}/clips
    status: str | None = None


class IncidentVideo(BaseModel):
    """What the incident page needs to show live video and the pre/post-alarm clips."""

    can_watch: bool
    can_clip: bool
    cameras: list[IncidentCamera]
