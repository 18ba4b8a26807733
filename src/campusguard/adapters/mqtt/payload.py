"""The device event contract on MQTT: topic `campusguard/{school_code}/{device_code}/event`, JSON body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

EVENT_TYPES = ("panic", "duress", "intrusion", "fire", "medical", "tamper", "heartbeat", "test")
EventType = Literal["panic", "duress", "intrusion", "fire", "medical", "tamper", "heartbeat", "test"]
TOPIC_FILTER = "campusguard/+/+/event"
MAX_PAYLOAD = 4096
_CODE_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")


class DeviceEventPayload(BaseModel):
    """What a device sends; unknown fields are ignored so firmware can add telemetry."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: EventType
    ts: datetime
    seq: int = Field(ge=0, le=2**63 - 1)
    battery: int | None = Field(default=None, ge=0, le=100)
    rssi: int | None = Field(default=None, ge=-200, le=0)

    @field_validator("ts")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        """Devices without a zone speak UTC; store everything aware."""
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """A validated device event with where it came from."""

    school_code: str
    device_code: str
    payload: DeviceEventPayload
    received_at: datetime
    source: str = "mqtt"


class PayloadError(ValueError):
    """A message that can never become an event; `reason` labels the counter."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def parse_topic(topic: str) -> tuple[str, str]:
    """Return (school_code, device_code) or raise PayloadError."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != "campusguard" or parts[3] != "event":
        raise PayloadError("topic", topic[:200])
    school_code, device_code = parts[1], parts[2]
    if not _CODE_RE.match(school_code) or not _CODE_RE.match(device_code):
        raise PayloadError("topic", topic[:200])
    return school_code, device_code


def parse_payload(raw: bytes) -> DeviceEventPayload:
    """Validate the JSON body; raise PayloadError with a short reason."""
    if len(raw) > MAX_PAYLOAD:
        raise PayloadError("too_large", f"{len(raw)} bytes")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise PayloadError("json", str(exc)[:200]) from exc
    if not isinstance(data, dict):
        raise PayloadError("schema", "body is not a JSON object")
    try:
        return DeviceEventPayload.model_validate(data)
    except ValidationError as exc:
        raise PayloadError("schema", "; ".join(e["msg"] for e in exc.errors())[:300]) from exc


_INT_MAX = 2**63 - 1


def fast_heartbeat(topic: str, raw: bytes) -> tuple[str, str, datetime] | None:
    """(school, device, ts) of a well-formed heartbeat, without pydantic; None = take the full path.

    The hot path of 1,000 heartbeats/s: one orjson parse and a few type checks. It only accepts what
    `parse_payload` accepts too (plain ISO timestamps, int seq/battery/rssi in range); anything else,
    including every malformed message, falls through to the full validation and its refusals.
    """
    if len(raw) > MAX_PAYLOAD:
        return None
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != "campusguard" or parts[3] != "event":
        return None
    school_code, device_code = parts[1], parts[2]
    if not _CODE_RE.match(school_code) or not _CODE_RE.match(device_code):
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict or data.get("type") != "heartbeat":
        return None
    seq = data.get("seq")
    if type(seq) is not int or not 0 <= seq <= _INT_MAX:
        return None
    battery = data.get("battery")
    if battery is not None and (type(battery) is not int or not 0 <= battery <= 100):
        return None
    rssi = data.get("rssi")
    if rssi is not None and (type(rssi) is not int or not -200 <= rssi <= 0):
        return None
    ts = data.get("ts")
    if type(ts) is not str or len(ts) < 19 or ts[4] != "-" or ts[7] != "-" or ts[10] not in "T ":
        return None
    try:
        at = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return school_code, device_code, at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def parse_message(topic: str, raw: bytes, received_at: datetime) -> DeviceEvent:
    """Topic + body -> DeviceEvent, or PayloadError."""
    school_code, device_code = parse_topic(topic)
    return DeviceEvent(school_code, device_code, parse_payload(raw), received_at)
