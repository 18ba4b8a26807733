"""Helpers for stats tests: real typed events from the other domains, fed through the real feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.alarm.events import AlarmAcknowledged, AlarmOnScene, AlarmRaised, AlarmResolved
from campusguard.bus.events import Event, GenericEvent
from campusguard.core.db import Database
from campusguard.org.models import School
from campusguard.stats.democity import DEMO_USERS, make_city, make_users

PASSWORD = "Demo-2026-cg"

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai, inside 2026-W46 / 2026-11


def schools(session: Session) -> list[School]:
    return list(session.scalars(select(School).order_by(School.id)).all())


def alarm_events(
    school: School,
    incident: int,
    *,
    at: datetime = T0,
    ack_s: float = 45,
    arrive_s: float = 300,
    outcome: str = "real",
    alarm_type: str = "intrusion",
) -> list[Event]:
    """The life of one incident as the alarm domain publishes it."""
    common = {"school_id": school.id, "district_code": school.district_code, "incident_id": incident}
    return [
        AlarmRaised(
            **common,
            alarm_type=alarm_type,
            priority="high",
            title=f"{alarm_type} #{incident}",
            school_name=school.name,
            school_code=school.code,
            raised_at=at,
            device_occurred_at=at,
            occurred_at=at,
        ),
        AlarmAcknowledged(**common, actor="op", at=at + timedelta(seconds=ack_s), occurred_at=at),
        AlarmOnScene(**common, actor="guard", at=at + timedelta(seconds=arrive_s), occurred_at=at),
        AlarmResolved(**common, actor="op", at=at + timedelta(seconds=900), outcome=outcome, occurred_at=at),
    ]


def hazard_reported(school: School, hazard: int, at: datetime = T0) -> Event:
    return GenericEvent(
        type="hazard.reported",
        school_id=school.id,
        hazard_id=hazard,
        status="reported",
        category="fire",
        severity="high",
        occurred_at=at,
    )


@pytest.fixture
def city(db: Database) -> list[int]:
    """2 districts x 3 schools made through the org service (much faster than the full demo seed)."""
    with db.session() as s:
        return make_city(s, schools=6, districts=2)


@pytest.fixture
def small_city(db: Database) -> dict[str, str]:
    """Like the demo seed's layout (2 districts x 4 schools) with its main logins, but seconds faster."""
    with db.session() as s:
        make_city(s, schools=8, districts=2)
        make_users(s, PASSWORD)
    return {u: PASSWORD for u, _, _ in DEMO_USERS}
