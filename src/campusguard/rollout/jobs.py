"""Periodic tasks of the rollout domain: re-check every school's automatic checklist items."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.core.jobs import JobRunner
from campusguard.rollout import service


def _refresh(session: Session) -> None:
    service.ensure_phases(session)
    service.refresh(session)


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks."""
    runner.every("rollout.refresh", 3600, _refresh)
