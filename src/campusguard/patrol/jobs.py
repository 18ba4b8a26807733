"""Jobs and periodic tasks of duty registration: the anomaly scan and roll-call deadlines."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from campusguard.core.jobs import JobRunner, job
from campusguard.patrol import monitor, rollcall

SCAN_INTERVAL_S = 60.0


@job(rollcall.CLOSE_JOB)
def close_rollcall(session: Session, payload: dict[str, Any]) -> None:
    """Deadline reached: unanswered guards become missing."""
    rollcall.close(session, int(payload["rollcall_id"]))


def scan(session: Session) -> None:
    monitor.scan(session)


def register(runner: JobRunner) -> None:
    """Missed checkpoints and posts left are looked for every minute, once per cluster."""
    runner.every("patrol.anomaly_scan", SCAN_INTERVAL_S, scan)
