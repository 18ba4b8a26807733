"""Events of the face domain (published through the outbox after commit)."""

from __future__ import annotations

from typing import ClassVar, Literal

from campusguard.bus.events import Event


class FaceCaptured(Event):
    """A new passage at a gate (pass record); not sent for merged frames of the same passage."""

    audience: ClassVar[str] = "face.pass.read"
    type: Literal["face.captured"] = "face.captured"
    capture_id: int
    device_code: str
    direction: str
    status: str
    person_name: str | None = None
    watchlist_kind: str | None = None


class FaceAlertRaised(Event):
    """A watchlist hit (police only) or a gate rule firing."""

    audience: ClassVar[str] = "face.pass.read"
    type: Literal["face.alert"] = "face.alert"
    alert_id: int
    kind: str
    capture_id: int | None = None
    incident_id: int | None = None
    distance: float | None = None


class FaceHit(Event):
    """A key-person hit; only holders of face.hits receive it."""

    audience: ClassVar[str] = "face.hits"
    type: Literal["face.hit"] = "face.hit"
    alert_id: int
    capture_id: int
    person_id: int
    category: str
    distance: float
    incident_id: int | None = None


class FaceTemplatesChanged(Event):
    """Enrolled templates added or removed: every node updates its in-memory index (bus listener)."""

    audience: ClassVar[str] = "face.watchlist.admin"
    type: Literal["face.templates.changed"] = "face.templates.changed"
    watchlist_id: int
    added: list[int] = []
    removed: list[int] = []
    dropped: bool = False
