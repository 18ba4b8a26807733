"""Events of publicity: new bulletins, anonymous reports to handle, broadcast outcomes."""

from __future__ import annotations

from typing import ClassVar, Literal

from campusguard.bus.events import Event


class BulletinPublished(Event):
    """A bulletin went out; readers' apps refresh their list."""

    audience: ClassVar[str] = "bulletin.read"
    type: Literal["bulletin.published"] = "bulletin.published"
    bulletin_id: int
    title: str
    category: str
    recipients_by_school: dict[int, int] = {}
    """School-bound readers it is addressed to, per school id (the denominator of the read rate)."""


class BulletinReadEvent(Event):
    """A reader opened a bulletin for the first time (the numerator of the read rate, per school)."""

    audience: ClassVar[str] = "bulletin.publish"
    type: Literal["bulletin.read"] = "bulletin.read"
    bulletin_id: int
    user_id: int
    role: str
    school_ids: list[int] = []


class ReportReceived(Event):
    """An anonymous report arrived for a school (no reporter data, ever)."""

    audience: ClassVar[str] = "report.handle"
    type: Literal["report.received"] = "report.received"
    report_id: int
    case_number: str
    category: str


class BroadcastFinished(Event):
    """A broadcast was delivered (or not) to a school's speakers."""

    audience: ClassVar[str] = "broadcast.send"
    type: Literal["broadcast.finished"] = "broadcast.finished"
    broadcast_id: int
    status: str
    delivered: int
    failed: int
