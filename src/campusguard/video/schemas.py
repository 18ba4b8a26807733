"""Request and response bodies of the video API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from campusguard.video.models import MIN_RETENTION_DAYS


def _check_rtsp(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("rtsp", "rtsps") or not parts.hostname:
        raise ValueError("must be an rtsp:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("put credentials in username/password, not in the URL (they are stored encrypted)")
    return value


class CameraIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    school_code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=128)
    rtsp_url: str = Field(max_length=500)
    sub_url: str | None = Field(default=None, max_length=500)
    area_id: int | None = None
    username: str | None = Field(default=None, max_length=128)
    password: str | None = Field(default=None, max_length=128)
    code: str | None = Field(default=None, max_length=64)
    vendor: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=64)
    recording: bool = True
    parent_viewer_cap: int = Field(default=200, ge=1, le=100_000)

    _rtsp = field_validator("rtsp_url", "sub_url")(_check_rtsp)


class CameraPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=128)
    rtsp_url: str | None = Field(default=None, max_length=500)
    sub_url: str | None = Field(default=None, max_length=500)
    username: str | None = Field(default=None, max_length=128)
    password: str | None = Field(default=None, max_length=128)
    recording: bool | None = None
    parent_viewer_cap: int | None = Field(default=None, ge=1, le=100_000)

    _rtsp = field_validator("rtsp_url", "sub_url")(_check_rtsp)


class CameraOut(BaseModel):
    id: int
    device_id: int
    device_code: str
    name: str
    school_id: int
    school_code: str
    area_id: int | None
    area_private: bool = False
    rtsp_url: str
    sub_url: str | None
    has_credentials: bool
    codec: str | None
    width: int | None
    height: int | None
    fps: float | None
    bitrate_kbps: int | None
    status: str
    status_reason: str | None
    online: bool
    recording: bool
    worker: str | None
    parent_viewer_cap: int
    last_segment_end: datetime | None
    classes: list[str] = []


class SegmentOut(BaseModel):
    id: int
    start: datetime
    end: datetime
    bytes: int


class GapOut(BaseModel):
    start: datetime
    end: datetime
    reason: str = ""


class RecordingsOut(BaseModel):
    camera_id: int
    start: datetime
    end: datetime
    segments: list[SegmentOut]
    gaps: list[GapOut]
    recorded_s: float
    playlist_url: str | None
    download_url: str | None


class LiveOut(BaseModel):
    hls_url: str
    expires_at: datetime
    watermark: str
    session_id: int


class ClipIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    start: datetime
    end: datetime
    reason: str = Field(min_length=3, max_length=500)
    incident_id: int | None = None

    @model_validator(mode="after")
    def _range(self) -> ClipIn:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start and end need a timezone (ISO 8601 with Z or an offset)")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if (self.end - self.start).total_seconds() > 3600:
            raise ValueError("a clip is at most one hour")
        return self


class ClipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    camera_id: int
    start: datetime
    end: datetime
    reason: str
    incident_id: int | None
    status: str
    sha256: str | None
    bytes: int | None
    manifest: dict[str, Any]
    signature: str | None
    error: str | None
    created_by: str
    created_at: datetime
    download_url: str | None = None


class IssueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    camera_id: int | None
    area_id: int | None = None
    school_id: int
    kind: str
    severity: str
    detail: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None


class ViewerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    user_name: str
    role: str
    kind: str
    range_start: datetime | None
    range_end: datetime | None
    started_at: datetime
    last_seen: datetime
    ip: str | None


class ClassCamerasIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    classes: list[str] = Field(max_length=50)


class RetentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_code: str
    area_id: int | None = None
    days: int = Field(default=MIN_RETENTION_DAYS, ge=MIN_RETENTION_DAYS, le=3650)
    quota_gb: float | None = Field(default=None, gt=0)


class RetentionRow(BaseModel):
    camera_id: int
    name: str
    school_id: int
    policy_days: int
    kept_days: float
    oldest: datetime | None
    bytes: int
    below_minimum: bool
