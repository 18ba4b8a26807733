"""PIPL housekeeping: purge unknown faces and old pass records after their retention, and expired key persons."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import SYSTEM
from campusguard.core.db import utcnow
from campusguard.face import runtime
from campusguard.face.models import Alert, Capture, FacePerson, Watchlist
from campusguard.face.service import remove_person

log = structlog.get_logger(__name__)


def _delete_captures(session: Session, status: str, cutoff: datetime) -> int:
    """Delete one status's captures older than the cutoff, keeping any tied to an incident."""
    incident_alerts = select(Alert.capture_id).where(Alert.capture_id.is_not(None), Alert.incident_id.is_not(None))
    result = session.execute(
        delete(Capture).where(
            Capture.status == status,
            Capture.retain.is_(False),
            Capture.incident_id.is_(None),
            Capture.captured_at < cutoff,
            Capture.id.not_in(incident_alerts),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge(
    session: Session,
    *,
    now: datetime | None = None,
    retention_days: int | None = None,
    matched_retention_days: int | None = None,
) -> dict[str, int]:
    """Delete captures past their retention (unknown: days, matched: months) unless tied to an incident."""
    now = now or utcnow()
    s = runtime.face_settings()
    days = s.unknown_retention_days if retention_days is None else retention_days
    matched_days = s.matched_retention_days if matched_retention_days is None else matched_retention_days
    cutoff = now - timedelta(days=days)
    matched_cutoff = now - timedelta(days=matched_days)
    captures = _delete_captures(session, "unknown", cutoff)
    matched = _delete_captures(session, "matched", matched_cutoff)
    expired = list(
        session.scalars(
            select(FacePerson)
            .join(Watchlist, Watchlist.id == FacePerson.watchlist_id)
            .where(FacePerson.expires_at.is_not(None), FacePerson.expires_at < now)
        )
    )
    for person in expired:
        remove_person(session, person)
    counts = {"captures": captures, "matched_captures": matched, "expired_persons": len(expired)}
    if captures or matched or expired:
        audit.record(
            session,
            principal=SYSTEM,
            action="face.purge",
            target_type="face_capture",
            detail={
                **counts,
                "cutoff": cutoff.isoformat(),
                "retention_days": days,
                "matched_cutoff": matched_cutoff.isoformat(),
                "matched_retention_days": matched_days,
            },
        )
        log.info("face.purge", **counts, retention_days=days, matched_retention_days=matched_days)
    return counts
