"""Metric providers the stats domain wires itself to other domains' services (until they register their own)."""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy.orm import Session

from campusguard.core.auth import SYSTEM

log = structlog.get_logger(__name__)


def guard_staffing(session: Session, school_ids: set[int] | None, start: datetime, end: datetime
                   ) -> dict[int, float | None]:
    """1.0 when a school meets the guard staffing rules over the 24 h before the period end (or now)."""
    from campusguard.core.db import utcnow
    from campusguard.patrol import staffing

    at = min(end, utcnow())
    out: dict[int, float | None] = {}
    for row in staffing.compliance(session, SYSTEM, now=at):
        sid = int(row["school_id"])
        if school_ids is None or sid in school_ids:
            out[sid] = 1.0 if row.get("ok") else 0.0
    return out


def install() -> None:
    """Register the providers whose source domains are present in this build."""
    from campusguard.stats.service import register_metric

    # guard_staffing_compliant is not a live provider: computing it for the whole city costs more than the
    # rest of a dashboard, so stats.jobs snapshots it every 10 minutes (snapshot.refresh_staffing).
    try:
        from campusguard.video.metrics import retention_compliance
    except ImportError:
        log.info("stats.provider_skipped", metric="video_retention_compliant")
    else:
        register_metric("video_retention_compliant", retention_compliance)
