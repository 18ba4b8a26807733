"""Jobs and periodic tasks of the face domain."""

from sqlalchemy.orm import Session

from campusguard.core.jobs import JobRunner
from campusguard.face import privacy

PURGE_INTERVAL_S = 3600.0


def _purge(session: Session) -> None:
    privacy.purge(session)


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks: the hourly privacy purge."""
    runner.every("face.privacy_purge", PURGE_INTERVAL_S, _purge)
