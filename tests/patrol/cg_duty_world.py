"""Fast seeded databases for the duty-registration and publicity suites (patrol, bulletin).

Same approach as tests/hazard/cg_daily_world.py, with this suite's tables emptied after seeding.

Seeding the demo city and logging in with argon2 takes seconds per test on a loaded machine, so the
seeded city is built once per session: a file copy per test on SQLite, `CREATE DATABASE … TEMPLATE`
on PostgreSQL. Tokens are real JWTs issued by the accounts service for the seeded users.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from campusguard.core.db import Database, make_engine
from campusguard.core.migrate import upgrade

PG_ADMIN_URL = os.environ.get("CG_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _need_postgres() -> None:
    """Skip outside CI when PostgreSQL is down; in CI that is a failure."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return
    except OSError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("PostgreSQL is required in CI but is not reachable")
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")


def _seed(url: str) -> None:
    from campusguard.bulletin import models as b
    from campusguard.core.models import Job
    from campusguard.org.seed import seed_city
    from campusguard.patrol import models as p

    db = Database(url)
    try:
        with db.session() as s:
            seed_city(s, districts=2, schools_per_district=4)
        with db.session() as s:  # the suites count from an empty duty/publicity state
            for model in (p.RollCallTarget, p.RollCall, p.Anomaly, p.Checkin, p.Photo, p.Shift, p.RouteStop,
                          p.Route, p.Checkpoint, b.BulletinRead, b.BulletinAttachment, b.Bulletin,
                          b.SafetyLesson, b.ReportMessage, b.AnonymousReport, b.BroadcastDelivery,
                          b.Broadcast, Job):
                s.execute(delete(model))
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def seeded_sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("duty-seeded") / "seeded.db"
    shutil.copy(sqlite_template, path)
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def seeded_pg_template() -> Iterator[str]:
    _need_postgres()
    name = f"cg_duty_tpl_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    _seed(url)
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database holding the seeded demo city, fresh for each test, on each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("seeded_sqlite_template")
        target = tmp_path / "campusguard.db"
        shutil.copy(template, target)
        yield f"sqlite:///{target}"
        return
    tpl: str = request.getfixturevalue("seeded_pg_template")
    name = f"cg_duty_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def seeded(db: Database) -> dict[str, str]:
    """The seeded users (already in the database); username → password."""
    from campusguard.accounts.models import User
    from campusguard.org.seed import DEMO_PASSWORD

    with db.session() as s:
        names = list(s.scalars(select(User.username)).all())
    assert names
    return {n: DEMO_PASSWORD for n in names}


@pytest.fixture
def login(db: Database, settings) -> Callable[..., dict[str, str]]:  # type: ignore[no-untyped-def]
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
def app(settings):  # type: ignore[no-untyped-def]
    """The app without its background job loop: tests run jobs explicitly (deterministic, no lock races)."""
    from campusguard.app import create_app

    return create_app(settings, run_jobs=False)
