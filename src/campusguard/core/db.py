"""Database engine, declarative base and session boundaries shared by every domain."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from sqlalchemy import JSON, DateTime, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now in UTC: the only clock the platform stores."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use core.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base with stable constraint names so Alembic diffs stay clean."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType}


class TimestampMixin:
    """Creation and update times on every mutable row."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def _json_dumps(value: Any) -> str:
    """JSON columns through orjson: several times faster than json.dumps on every alarm, step and event."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL and immediate transactions so writers never deadlock."""
    kwargs.setdefault("json_serializer", _json_dumps)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, **kwargs)


class WritePriority:
    """Alarm commits go first: background writers (handlers, jobs, bookkeeping) hold back while any are queued.

    SQLite has one writer and Python one GIL, so a burst of alarms committed between hundreds of
    follow-up transactions waits for all of them. Background work calls `wait_turn` before it writes;
    it waits while urgent commits are pending (and `linger_s` after the last, as a burst comes in
    several batches), but never longer than `max_wait_s`, so nothing starves.
    """

    def __init__(self, linger_s: float = 0.1, max_wait_s: float = 1.0) -> None:
        self.linger_s = linger_s
        self.max_wait_s = max_wait_s
        self._cond = threading.Condition()
        self._urgent = 0
        self._last_end = 0.0
        self.waited_s = 0.0  # total time background writers held back (metrics, tests)

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """Mark an alarm commit as pending for the duration of the block (thread- and task-safe)."""
        with self._cond:
            self._urgent += 1
        try:
            yield
        finally:
            with self._cond:
                self._urgent -= 1
                self._last_end = time.monotonic()
                self._cond.notify_all()

    def busy(self) -> bool:
        with self._cond:
            return self._urgent > 0 or time.monotonic() - self._last_end < self.linger_s

    def wait_turn(self) -> None:
        """Block (in a worker thread) until no alarm commit is pending, at most max_wait_s."""
        started = time.monotonic()
        deadline = started + self.max_wait_s
        with self._cond:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    break
                if self._urgent > 0:
                    self._cond.wait(deadline - now)
                    continue
                quiet_at = self._last_end + self.linger_s
                if now >= quiet_at:
                    break
                self._cond.wait(min(deadline, quiet_at) - now)
        waited = time.monotonic() - started
        if waited > 0.001:
            self.waited_s += waited


class Database:
    """Engine plus session factory; one per app, shared by requests, handlers and jobs."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        self.after_commit_hooks: list[Callable[[dict[str, Any]], None]] = []
        self.priority = WritePriority()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Unit of work: commit on success, roll back on error (the job/handler boundary)."""
        session = self.sessions()
        session.info["db"] = self
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    db = session.info.get("db")
    if db is None:
        return
    flags = {k: session.info.pop(k) for k in ("wake_outbox", "wake_jobs") if k in session.info}
    if flags:
        for hook in db.after_commit_hooks:
            hook(flags)


def get_db(request: Request) -> Database:
    """The app's database (FastAPI dependency)."""
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    """Request-scoped session: the request boundary commits (FastAPI dependency)."""
    with get_db(request).session() as session:
        request.state.session = session
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""A request session that commits before the response leaves (durable acknowledgements)."""
