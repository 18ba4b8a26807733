"""Demo data of the stats domain: eight weeks of rollup history for the demo schools, today's device
snapshot, rollout checklists and the default assessment scheme (called by org.seed.seed_city)."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.stats import snapshot
from campusguard.stats.bench import seed_year
from campusguard.stats.periods import local_day

log = structlog.get_logger(__name__)

HISTORY_DAYS = 56


def seed_demo(session: Session) -> None:
    """Fill the dashboards of a fresh demo city with plausible history (rollups only; no fake records)."""
    from campusguard.assessment.service import ensure_default_scheme
    from campusguard.rollout import service as rollout

    schools = sorted(snapshot.all_school_ids(session))
    if not schools:
        return
    today = local_day(utcnow())
    days = [today - timedelta(days=HISTORY_DAYS - i) for i in range(HISTORY_DAYS)]
    volume = seed_year(session, schools, days, seed=2026)
    snapshot.refresh_devices(session)
    ensure_default_scheme(session)
    rollout.ensure_phases(session)
    rollout.refresh(session)
    log.info("stats.seed_demo", schools=len(schools), **volume)
