"""Fixtures for the suites that always run on the seeded demo city (hazard, task, drill, patrol, bulletin).

The database itself comes from the root `db_url` with `seed_world` overridden (a template per backend);
this module adds what those suites share: real access tokens issued without an argon2 login per test, the
app without its background job loop (the tests run jobs explicitly), and the table sets they empty.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from campusguard.config import Settings
from campusguard.core.db import Database


def daily_operations_tables() -> tuple[type, ...]:
    """Hazard, task and drill suites count from an empty daily-operations state."""
    from campusguard.drill.models import Drill
    from campusguard.hazard.models import Hazard, HazardLog
    from campusguard.task.models import Task, TaskRule

    return (HazardLog, Hazard, Task, TaskRule, Drill)


def duty_and_publicity_tables() -> tuple[type, ...]:
    """Patrol and bulletin suites count from an empty duty/publicity state (and no queued jobs)."""
    from campusguard.bulletin import models as b
    from campusguard.core.models import Job
    from campusguard.patrol import models as p

    return (p.RollCallTarget, p.RollCall, p.Anomaly, p.Checkin, p.Photo, p.Shift, p.RouteStop, p.Route,
            p.Checkpoint, b.BulletinRead, b.BulletinAttachment, b.Bulletin, b.SafetyLesson, b.ReportMessage,
            b.AnonymousReport, b.BroadcastDelivery, b.Broadcast, Job)


@pytest.fixture
def login(db: Database, settings: Settings) -> Callable[..., dict[str, str]]:
    """login("guard") → Authorization headers with a real access token for that seeded user."""
    from campusguard.accounts.models import User
    from campusguard.core.auth import issue_tokens

    def _login(username: str, password: str | None = None) -> dict[str, str]:
        with db.session() as s:
            user = s.scalars(select(User).where(User.username == username)).one()
            tokens = issue_tokens(settings, user_id=user.id, username=user.username, role=user.role,
                                  region_code=user.region_code, school_codes=list(user.school_codes or []),
                                  person_id=user.person_id, token_version=user.token_version)
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    return _login


def user_id(db: Database, username: str) -> int:
    from campusguard.accounts.models import User

    with db.session() as s:
        return int(s.scalars(select(User.id).where(User.username == username)).one())


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    """The app without its background job loop: tests run jobs explicitly (deterministic, no lock races)."""
    from campusguard.app import create_app

    return create_app(settings, run_jobs=False)
