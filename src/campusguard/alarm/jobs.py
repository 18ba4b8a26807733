"""Jobs and periodic tasks of the alarm domain (importing the modules registers their job kinds)."""

from __future__ import annotations

from campusguard.alarm import escalation, handoff, notify
from campusguard.core.jobs import JobRunner

JOB_KINDS = (escalation.JOB_KIND, handoff.JOB_KIND, handoff.RAISED_JOB_KIND, notify.JOB_KIND)


def register(runner: JobRunner) -> None:
    """Job kinds register at import; the alarm domain has no periodic task of its own."""
