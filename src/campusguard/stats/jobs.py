"""Periodic tasks of the stats domain: device snapshots and the weekly district briefing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.core.jobs import JobRunner
from campusguard.stats import briefing, snapshot


def device_snapshot(session: Session) -> None:
    """Hourly: today's device counts per school (networking/online history)."""
    snapshot.refresh_devices(session)


def staffing_snapshot(session: Session) -> None:
    """Every 10 minutes: guard staffing compliance per school, so dashboards read a rollup row per school."""
    snapshot.refresh_staffing(session)


def weekly_briefings(session: Session) -> None:
    """Hourly check; queues last week's briefing for each district once (idempotent per district/week)."""
    briefing.schedule_weekly(session)


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks."""
    runner.every("stats.device_snapshot", 3600, device_snapshot)
    runner.every("stats.staffing_snapshot", 600, staffing_snapshot)
    runner.every("stats.weekly_briefings", 3600, weekly_briefings)
