"""Request and response shapes of the device registry API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DeviceType = Literal["camera", "alarm_button", "gate", "face_terminal", "speaker", "sensor", "alarm_panel", "nvr"]
Protocol = Literal["mqtt", "dc09", "http", "rtsp", "onvif", "gb28181", "sip"]


class DeviceIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=128)
    type: DeviceType
    school_code: str
    area_id: int | None = None
    vendor: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=64)
    protocol: Protocol = "mqtt"
    settings: dict[str, Any] = Field(default_factory=dict)
    secret: str | None = Field(default=None, max_length=512, description="credentials, encrypted at rest")
    heartbeat_s: int = Field(default=60, ge=5, le=86400)


class DevicePatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    area_id: int | None = None
    vendor: str | None = None
    model: str | None = None
    protocol: Protocol | None = None
    settings: dict[str, Any] | None = None
    secret: str | None = Field(default=None, max_length=512)
    heartbeat_s: int | None = Field(default=None, ge=5, le=86400)
    installed: bool | None = None


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    type: str
    school_id: int
    school_code: str = ""
    area_id: int | None
    vendor: str | None
    model: str | None
    protocol: str
    settings: dict[str, Any]
    heartbeat_s: int
    online: bool
    last_seen: datetime | None
    status_reason: str | None
    has_secret: bool = False


class TokenOut(BaseModel):
    token: str
    device_code: str
    note: str = "shown once; store it on the device"
