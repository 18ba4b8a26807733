"""PIPL housekeeping: purge unknown faces after the retention period, expired key persons and visitors."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import SYSTEM
from campusguard.core.db import utcnow
from campusguard.face import runtime
from campusguard.face.models import Capture, FacePerson, Watchlist
from campusguard.face.service import remove_person

log = structlog.get_logger(__name__)


def purge(
    session: Session, *, now: datetime | None = None, retention_days: int | None = None
) -> dict[str, int]:
    """Delete captures of non-enrolled people older than the retention period unless tied to an incident."""
    now = now or utcnow()
    days = runtime.face_settings().unknown_retention_days if retention_days is None else retention_days
    cutoff = now - timedelta(days=days)
    result = session.execute(
        delete(Capture).where(
            Capture.status == "unknown",
            Capture.retain.is_(False),
            Capture.incident_id.is_(None),
            Capture.captured_at < cutoff,
        )
    )
    captures = int(getattr(result, "rowcount", 0) or 0)
    expired = list(
        session.scalars(
            select(FacePerson)
            .join(Watchlist, Watchlist.id == FacePerson.watchlist_id)
            .where(FacePerson.expires_at.is_not(None), FacePerson.expires_at < now)
        )
    )
    for person in expired:
        remove_person(session, person)
    counts = {"captures": captures, "expired_persons": len(expired)}
    if captures or expired:
        audit.record(
            session,
            principal=SYSTEM,
            action="face.purge",
            target_type="face_capture",
            detail={**counts, "cutoff": cutoff.isoformat(), "retention_days": days},
        )
        log.info("face.purge", **counts, retention_days=days)
    return counts
