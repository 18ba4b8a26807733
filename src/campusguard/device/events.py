"""Events of the device registry."""

from __future__ import annotations

from typing import Literal

from campusguard.bus.events import Event


class DeviceOnline(Event):
    type: Literal["device.online"] = "device.online"
    device_id: int
    device_code: str
    device_type: str


class DeviceOffline(Event):
    type: Literal["device.offline"] = "device.offline"
    device_id: int
    device_code: str
    device_type: str
    reason: str | None = None
    last_seen: str | None = None


class DeviceRegistered(Event):
    type: Literal["device.registered"] = "device.registered"
    device_id: int
    device_code: str
    device_type: str
