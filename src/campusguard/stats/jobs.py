"""Jobs and periodic tasks of the stats domain."""

from campusguard.core.jobs import JobRunner


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks."""
