"""Events of the video domain: worker announcements, camera assignment, camera status, sealed clips."""

from __future__ import annotations

from typing import ClassVar, Literal

from campusguard.bus.events import Event


class WorkerAnnounced(Event):
    """A recording worker came up and can take `capacity` cameras."""

    audience: ClassVar[str] = "video.admin"
    type: Literal["video.worker.announced"] = "video.worker.announced"
    worker: str
    capacity: int


class CamerasAssigned(Event):
    """The manager's decision: these cameras are recorded by this worker from now on."""

    audience: ClassVar[str] = "video.admin"
    type: Literal["video.cameras.assigned"] = "video.cameras.assigned"
    worker: str
    camera_ids: list[int]


class CameraStatusChanged(Event):
    """Recording started or stopped on a camera (with the reason: 404, timeout, refused ...)."""

    audience: ClassVar[str] = "video.live"
    type: Literal["video.camera.status"] = "video.camera.status"
    camera_id: int
    device_id: int
    status: str
    reason: str | None = None


class ClipSealed(Event):
    """An evidence clip is cut, hashed and signed."""

    audience: ClassVar[str] = "video.clip"
    type: Literal["video.clip.sealed"] = "video.clip.sealed"
    clip_id: int
    camera_id: int
    incident_id: int | None = None
    sha256: str
