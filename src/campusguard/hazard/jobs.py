"""Jobs and periodic tasks of the hazard domain: the overdue sweep that flags and escalates."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.core.jobs import JobRunner
from campusguard.hazard import (
    overdue_push,  # noqa: F401  (imports register the Web Push job handler)
    service,
)


def overdue_sweep(session: Session) -> None:
    """Periodic: flag hazards past their deadline and escalate them up the chain."""
    service.sweep_overdue(session)


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks (the overdue Web Push job is registered on import)."""
    runner.every("hazard.overdue", service.policy().overdue_interval_s, overdue_sweep)
