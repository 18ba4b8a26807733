"""Periodic tasks of the liaison-task domain: materialise recurring rules, flag overdue tasks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.core.jobs import JobRunner
from campusguard.task import service


def materialise_rules(session: Session) -> None:
    """Periodic: create the upcoming occurrences of every recurring rule."""
    service.materialise(session)


def flag_overdue(session: Session) -> None:
    """Periodic: flag open tasks past their due time."""
    service.sweep_overdue(session)


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks."""
    interval = service.policy().interval_s
    runner.every("task.materialise", interval, materialise_rules)
    runner.every("task.overdue", min(interval, 120.0), flag_overdue)
