"""Pass records (通行记录) and alerts: scoped reads, images, and the human confirm/reject decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import Conflict, Forbidden, NotFound
from campusguard.core.pagination import PageParams, paginate
from campusguard.core.scope import check_school, scoped
from campusguard.face.models import Alert, Capture, FacePerson, FaceTemplate, Rejection
from campusguard.face.schemas import AlertOut, CaptureOut
from campusguard.face.service import KEY, get_watchlist

log = structlog.get_logger(__name__)
HITS = "face.hits"


@dataclass
class CaptureFilter:
    school_id: int | None = None
    device_code: str | None = None
    status: str | None = None
    direction: str | None = None
    person_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_captures(
    session: Session, principal: Principal, flt: CaptureFilter, params: PageParams
) -> tuple[list[CaptureOut], int]:
    """Pass records in the caller's scope; key-person identities only for police roles."""
    stmt: Select[Any] = scoped(select(Capture), Capture.school_id, session, principal)
    if not principal.can(HITS):
        stmt = stmt.where((Capture.watchlist_kind.is_(None)) | (Capture.watchlist_kind != KEY))
    for col, value in (
        (Capture.school_id, flt.school_id),
        (Capture.device_code, flt.device_code),
        (Capture.status, flt.status),
        (Capture.direction, flt.direction),
        (Capture.person_id, flt.person_id),
    ):
        if value is not None:
            stmt = stmt.where(col == value)
    if flt.since:
        stmt = stmt.where(Capture.captured_at >= flt.since)
    if flt.until:
        stmt = stmt.where(Capture.captured_at < flt.until)
    rows, total = paginate(session, stmt.order_by(Capture.captured_at.desc(), Capture.id.desc()), params)
    wanted = {r.person_id for r in rows if r.person_id}
    names: dict[int, str] = {
        int(pid): str(name)
        for pid, name in session.execute(
            select(FacePerson.id, FacePerson.name).where(FacePerson.id.in_(wanted))
        )
    }
    out = []
    for r in rows:
        item = CaptureOut.model_validate(r)
        item.person_name = names.get(r.person_id) if r.person_id else None
        out.append(item)
    return out, total


def get_capture(session: Session, principal: Principal, capture_id: int) -> Capture:
    cap = session.get(Capture, capture_id)
    if cap is None:
        raise NotFound("no such capture")
    check_school(session, principal, cap.school_id, write=False)
    if cap.watchlist_kind == KEY and not principal.can(HITS):
        raise NotFound("no such capture")
    return cap


def capture_image(session: Session, principal: Principal, capture_id: int, which: str) -> bytes:
    cap = get_capture(session, principal, capture_id)
    data = cap.face_image if which == "face" else cap.scene_image
    if not data:
        raise NotFound("no image stored for this capture")
    audit.record(
        session,
        principal=principal,
        action="face.capture.view",
        target_type="face_capture",
        target_id=cap.id,
        school_id=cap.school_id,
        detail={"image": which},
    )
    return data


def template_thumbnail(session: Session, principal: Principal, template_id: int) -> bytes:
    tpl = session.get(FaceTemplate, template_id)
    if tpl is None:
        raise NotFound("no such template")
    wl = get_watchlist(session, principal, tpl.watchlist_id)
    if wl.kind == KEY:
        audit.record(
            session,
            principal=principal,
            action="face.template.view",
            target_type="face_template",
            target_id=tpl.id,
            detail={"person_id": tpl.person_id},
        )
    return tpl.thumbnail


def _alert_stmt(session: Session, principal: Principal) -> Select[Any]:
    stmt: Select[Any] = scoped(select(Alert), Alert.school_id, session, principal)
    if not principal.can(HITS):
        stmt = stmt.where(Alert.kind != "watchlist_hit")
    return stmt


def list_alerts(
    session: Session,
    principal: Principal,
    *,
    kind: str | None,
    status: str | None,
    school_id: int | None,
    params: PageParams,
) -> tuple[list[AlertOut], int]:
    stmt = _alert_stmt(session, principal)
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    if status:
        stmt = stmt.where(Alert.status == status)
    if school_id is not None:
        stmt = stmt.where(Alert.school_id == school_id)
    rows, total = paginate(session, stmt.order_by(Alert.id.desc()), params)
    return [AlertOut.model_validate(r) for r in rows], total


def decide(session: Session, principal: Principal, alert_id: int, *, confirm: bool, note: str) -> Alert:
    """Confirm or reject; a rejected hit becomes "not this person" feedback and closes the incident."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound("no such alert")
    check_school(session, principal, alert.school_id, write=False)
    if alert.kind == "watchlist_hit" and not principal.can(HITS):
        raise NotFound("no such alert")
    if alert.status != "pending":
        raise Conflict(f"alert already {alert.status}", code="already_decided")
    alert.status = "confirmed" if confirm else "rejected"
    alert.decided_by, alert.decided_at, alert.note = principal.label, utcnow(), note
    if not confirm and alert.kind == "watchlist_hit" and alert.person_id and alert.capture_id:
        cap = session.get(Capture, alert.capture_id)
        if cap is not None:
            session.add(
                Rejection(
                    person_id=alert.person_id,
                    embedding=cap.embedding,
                    alert_id=alert.id,
                    created_by=principal.label,
                )
            )
        _close_incident(session, alert, note)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action=f"face.alert.{alert.status}",
        target_type="face_alert",
        target_id=alert.id,
        school_id=alert.school_id,
        detail={"kind": alert.kind, "person_id": alert.person_id, "note": note},
    )
    return alert


def _close_incident(session: Session, alert: Alert, note: str) -> None:
    if alert.incident_id is None:
        return
    from campusguard.alarm import service as alarm_service
    from campusguard.alarm.models import Incident

    incident = session.get(Incident, alert.incident_id)
    if incident is not None and incident.status != "resolved":
        alarm_service.system_resolve(
            session, incident, outcome="false_alarm", note=f"人像比对人工否定（非本人）: {note}".strip()
        )


def require_pass_read(principal: Principal) -> None:
    if not principal.can("face.pass.read"):
        raise Forbidden(f"role {principal.role.value} cannot read pass records", code="forbidden")


def check_school_visible(session: Session, principal: Principal, school_id: int) -> bool:
    from campusguard.core.scope import can_see_school

    return can_see_school(session, principal, school_id)
