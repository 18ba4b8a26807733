"""Periodic tasks of the assessment domain: score each week, month and quarter once it is over."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy.orm import Session

from campusguard.assessment import (
    push,  # noqa: F401  (registers the push job handler)
    service,
)
from campusguard.core.auth import SYSTEM
from campusguard.core.db import utcnow
from campusguard.core.jobs import JobRunner
from campusguard.stats.periods import PeriodKind, last_closed

log = structlog.get_logger(__name__)

GRACE = timedelta(hours=2)
"""Wait after a period ends so late events (acknowledgements, night patrols) are in the rollups."""


def period_end_runs(session: Session, now: datetime | None = None) -> list[str]:
    """Run the scheduled assessment of every just-closed week/month/quarter that has none yet."""
    when = now or utcnow()
    done = []
    for kind in (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER):
        period = last_closed(kind, when - GRACE)
        if service.scheduled_exists(session, period):
            continue
        service.run_assessment(session, SYSTEM, period_label=period.label, trigger="scheduled", now=when)
        done.append(period.label)
    if done:
        log.info("assessment.scheduled_runs", periods=done)
    return done


def _tick(session: Session) -> None:
    period_end_runs(session)


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks."""
    runner.every("assessment.period_end", 900, _tick)
