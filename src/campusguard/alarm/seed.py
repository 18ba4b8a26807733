"""Demo data of the alarm domain: default emergency plans and the default escalation chain."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.alarm import escalation, plans


def seed_demo(session: Session) -> None:
    """Called by the demo seed (org.seed._domain_seeds); idempotent."""
    plans.seed_default_plans(session)
    escalation.seed_default_chain(session)
