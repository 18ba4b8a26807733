"""Jobs and periodic tasks of the drill domain."""

from campusguard.core.jobs import JobRunner


def register(runner: JobRunner) -> None:
    """Register this domain's periodic tasks."""
