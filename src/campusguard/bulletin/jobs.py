"""Jobs of publicity: sending a broadcast at its time (and retrying speakers that failed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from campusguard.bulletin import broadcast
from campusguard.core.db import Database
from campusguard.core.jobs import JobRunner, job


@job(broadcast.SEND_JOB)
def send_broadcast(session: Session, payload: dict[str, Any]) -> None:
    """Play a due broadcast on its speakers (network calls happen outside the job's transaction)."""
    db: Database = session.info["db"]
    broadcast.deliver(db, int(payload["broadcast_id"]), int(payload.get("attempt", 1)))


def register(runner: JobRunner) -> None:
    """No periodic task: broadcasts are durable jobs scheduled at their time."""
