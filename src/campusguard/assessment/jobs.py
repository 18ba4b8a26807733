"""Periodic tasks of the assessment domain: score each week, month and quarter once it is over."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.orm import Session

from campusguard.assessment import (
    push,  # noqa: F401  (registers the push job handler)
    service,
)
from campusguard.core.auth import SYSTEM
from campusguard.core.db import utcnow
from campusguard.core.jobs import JobRunner, job, schedule
from campusguard.stats.periods import PeriodKind, last_closed

log = structlog.get_logger(__name__)

GRACE = timedelta(hours=2)
"""Wait after a period ends so late events (acknowledgements, night patrols) are in the rollups."""


RUN_JOB = "assessment.scheduled_run"
SETTLE = timedelta(minutes=5)


def period_end_runs(session: Session, now: datetime | None = None) -> list[str]:
    """Queue the scheduled run of every just-closed week/month/quarter that has none yet."""
    when = now or utcnow()
    queued = []
    for kind in (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER):
        period = last_closed(kind, when - GRACE)
        if service.scheduled_exists(session, period):
            continue
        schedule(session, kind=RUN_JOB, payload={"period": period.label}, key=f"{RUN_JOB}:{period.label}",
                 run_at=when + SETTLE, max_attempts=3)
        queued.append(period.label)
    return queued


@job(RUN_JOB)
def scheduled_run(session: Session, payload: dict[str, Any]) -> None:
    """Score a closed period once (idempotent: a scheduled run for the period ends the matter)."""
    period = service.parse_run_period(str(payload["period"]))
    if service.scheduled_exists(session, period):
        return
    service.run_assessment(session, SYSTEM, period_label=period.label, trigger="scheduled")
    log.info("assessment.scheduled_run", period=period.label)


def _tick(session: Session) -> None:
    period_end_runs(session)


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks."""
    runner.every("assessment.period_end", 900, _tick)
