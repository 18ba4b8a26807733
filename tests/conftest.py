"""Shared fixtures: every database test runs on SQLite and PostgreSQL; services skip only outside CI."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from campusguard.app import create_app
from campusguard.config import Settings
from campusguard.core import crypto
from campusguard.core.db import Database, make_engine
from campusguard.core.migrate import upgrade

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("CG_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-key-for-campusguard-suite-0123456789"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    """Skip with a reason outside CI; in CI a missing service is a failure, never a skip."""
    if _reachable(host, port):
        return
    if IN_CI:
        pytest.fail(f"{name} at {host}:{port} is required in CI but is not reachable")
    pytest.skip(f"{name} not reachable at {host}:{port} (start it to run this test)")


@pytest.fixture(scope="session")
def mqtt_url() -> str:
    need_service("Mosquitto", "127.0.0.1", 1883)
    return "mqtt://127.0.0.1:1883"


@pytest.fixture(scope="session")
def nats_url() -> str:
    need_service("NATS", "127.0.0.1", 4222)
    return "nats://127.0.0.1:4222"


@pytest.fixture(scope="session", autouse=True)
def _keys() -> None:
    crypto.configure(TEST_SECRET)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy of the file (fast and isolated)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated once."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"cg_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
    engine.dispose()


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


class SeededTemplates:
    """The demo city seeded once per backend and per emptied-table set, then copied for each test.

    Seeding (argon2 hashes, rollups) takes seconds; a file copy (SQLite) or `CREATE DATABASE … TEMPLATE`
    (PostgreSQL) takes tens of milliseconds. Suites that count from an empty state of their own tables
    name those tables; they are emptied in the template after seeding.
    """

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self._factory = factory
        self._sqlite: dict[tuple[str, ...], Path] = {}
        self._postgres: dict[tuple[str, ...], str] = {}
        self.logins: list[str] = []

    def _seed(self, url: str, empty: tuple[type, ...]) -> None:
        from sqlalchemy import delete

        from campusguard.org.seed import seed_city

        database = Database(url)
        try:
            with database.session() as s:
                rows = seed_city(s, districts=2, schools_per_district=4)
            with database.session() as s:
                for model in empty:
                    s.execute(delete(model))
        finally:
            database.dispose()
        names = [row["username"] for row in rows]
        assert names and (not self.logins or self.logins == names)
        self.logins = names

    def sqlite(self, empty: tuple[type, ...], migrated: Path) -> Path:
        key = tuple(m.__tablename__ for m in empty)  # type: ignore[attr-defined]
        if key not in self._sqlite:
            path = self._factory.mktemp("seeded") / "seeded.db"
            shutil.copy(migrated, path)
            self._seed(f"sqlite:///{path}", empty)
            self._sqlite[key] = path
        return self._sqlite[key]

    def postgres(self, empty: tuple[type, ...]) -> str:
        key = tuple(m.__tablename__ for m in empty)  # type: ignore[attr-defined]
        if key not in self._postgres:
            name = f"cg_seeded_tpl_{uuid.uuid4().hex[:8]}"
            _admin_execute(f'CREATE DATABASE "{name}"')
            upgrade(_pg_url(name))
            self._seed(_pg_url(name), empty)
            self._postgres[key] = name
        return self._postgres[key]

    def drop_all(self) -> None:
        for name in self._postgres.values():
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_execute(sql: str) -> None:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededTemplates]:
    templates = SeededTemplates(tmp_path_factory)
    yield templates
    templates.drop_all()


@pytest.fixture
def seed_world(request: pytest.FixtureRequest) -> tuple[type, ...] | None:
    """Which seeded city the test database holds: None for an empty one (unless the test asks for `seeded`).

    A suite that always wants the demo city overrides this fixture and returns the models it wants emptied.
    """
    return () if "seeded" in request.fixturenames else None


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, seed_world: tuple[type, ...] | None) -> Iterator[str]:
    """A migrated database of each backend: empty, or holding the seeded demo city when the test needs it."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        if seed_world is not None:
            templates: SeededTemplates = request.getfixturevalue("seeded_templates")
            template = templates.sqlite(seed_world, template)
        target = tmp_path / "campusguard.db"
        shutil.copy(template, target)
        yield f"sqlite:///{target}"
        return
    if seed_world is None:
        url: str = request.getfixturevalue("pg_database")
        _reset_postgres(url)
        yield url
        return
    need_service("PostgreSQL", "127.0.0.1", 5432)
    templates = request.getfixturevalue("seeded_templates")
    source = templates.postgres(seed_world)
    name = f"cg_seeded_{uuid.uuid4().hex[:10]}"
    _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" STRATEGY WAL_LOG')
    yield _pg_url(name)
    _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session whose work is committed at the end of the test (like a request)."""
    with db.session() as s:
        yield s


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(demo_mode=True, data_dir=tmp_path / "data", database_url=db_url, secret_key=TEST_SECRET,
                    bus_url="memory://", mfa_required_roles=[], jobs_poll_s=0.2)


@pytest.fixture
def seeded(db: Database, seeded_templates: SeededTemplates) -> dict[str, str]:
    """The demo city (2 districts x 4 schools), already in the test database; returns username → password."""
    from campusguard.org.seed import DEMO_PASSWORD

    assert seeded_templates.logins
    return {name: DEMO_PASSWORD for name in seeded_templates.logins}


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def login(client: TestClient) -> Callable[..., dict[str, str]]:
    """login("police") → Authorization headers for that demo user."""

    def _login(username: str, password: str = "Demo-2026-cg", otp: str | None = None) -> dict[str, str]:
        form = {"username": username, "password": password}
        if otp:
            form["otp"] = otp
        r = client.post("/api/v1/auth/token", data=form)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return _login
