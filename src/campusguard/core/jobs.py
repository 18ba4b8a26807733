"""Durable jobs and periodic tasks: stored in the database so they survive restarts and run once."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import anyio
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.core.db import Database, utcnow
from campusguard.core.models import Job, PeriodicLease

log = structlog.get_logger(__name__)

JobFn = Callable[[Session, dict[str, Any]], None]
PeriodicFn = Callable[[Session], None]
_registry: dict[str, JobFn] = {}


def job(kind: str) -> Callable[[JobFn], JobFn]:
    """Register the function that runs jobs of a kind (module import time)."""

    def deco(fn: JobFn) -> JobFn:
        _registry[kind] = fn
        return fn

    return deco


def schedule(session: Session, *, kind: str, run_at: datetime | None = None,
             payload: dict[str, Any] | None = None, key: str | None = None, max_attempts: int = 5) -> Job:
    """Add a job in the caller's transaction; a pending job with the same key is reused."""
    if key is not None:
        existing = session.scalars(select(Job).where(Job.key == key)).first()
        if existing is not None:
            if existing.status in ("pending", "running"):
                return existing
            existing.key = f"{key}#done-{existing.id}"
            session.flush()
    row = Job(kind=kind, key=key, payload=payload or {}, run_at=run_at or utcnow(),
              max_attempts=max_attempts)
    session.add(row)
    session.flush()
    session.info["wake_jobs"] = True
    return row


def cancel(session: Session, *, key: str | None = None, key_prefix: str | None = None) -> int:
    """Cancel pending jobs by key or key prefix (e.g. every escalation step of an incident)."""
    stmt = update(Job).where(Job.status == "pending")
    if key is not None:
        stmt = stmt.where(Job.key == key)
    elif key_prefix is not None:
        stmt = stmt.where(Job.key.startswith(key_prefix))
    else:
        raise ValueError("cancel needs key or key_prefix")
    result = session.execute(stmt.values(status="cancelled", finished_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class Periodic:
    name: str
    interval_s: float
    fn: PeriodicFn


class JobRunner:
    """Claims due jobs (SKIP LOCKED on PostgreSQL) and runs periodic tasks under a cluster lease."""

    def __init__(self, db: Database, node: str, poll_s: float = 1.0, lease_s: int = 120) -> None:
        self.db = db
        self.node = node
        self.poll_s = poll_s
        self.lease_s = lease_s
        self.periodic: dict[str, Periodic] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def every(self, name: str, interval_s: float, fn: PeriodicFn) -> None:
        """Run fn(session) about every interval_s seconds somewhere in the cluster."""
        self.periodic[name] = Periodic(name, interval_s, fn)

    def wake(self) -> None:
        """Called after a commit that scheduled a job due now."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while not self._stopping:
            try:
                ran = await anyio.to_thread.run_sync(self.run_due_once)
                await anyio.to_thread.run_sync(self.run_periodic_once)
            except Exception:
                log.exception("jobs.loop_failed")
                ran = 0
            if ran:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping = True
        self.wake()

    def _claim(self, limit: int) -> list[int]:
        now = utcnow()
        with self.db.session() as s:
            stmt = (select(Job).where(or_(Job.status == "pending",
                                          (Job.status == "running") & (Job.locked_until < now)))
                    .where(Job.run_at <= now).order_by(Job.run_at).limit(limit))
            if self.db.dialect == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            jobs = list(s.scalars(stmt).all())
            for j in jobs:
                j.status, j.locked_by = "running", self.node
                j.locked_until = now + timedelta(seconds=self.lease_s)
                j.attempts += 1
            return [j.id for j in jobs]

    def run_due_once(self, limit: int = 20) -> int:
        """Run every job that is due now; returns how many ran."""
        self.db.priority.wait_turn()
        ids = self._claim(limit)
        for job_id in ids:
            self.db.priority.wait_turn()  # an alarm burst commits first; the steps follow right after
            self._run_one(job_id)
        return len(ids)

    def _run_one(self, job_id: int) -> None:
        with self.db.sessions() as probe:
            row = probe.get(Job, job_id)
            if row is None:
                return
            kind, payload, attempts, max_attempts = row.kind, dict(row.payload), row.attempts, row.max_attempts
        fn = _registry.get(kind)
        try:
            if fn is None:
                raise LookupError(f"no job handler for kind {kind!r}")
            with self.db.session() as s:
                s.info["db"] = self.db
                fn(s, payload)
                s.execute(update(Job).where(Job.id == job_id, Job.locked_by == self.node)
                          .values(status="done", finished_at=utcnow(), locked_until=None))
        except Exception as exc:
            final = attempts >= max_attempts
            delay = min(300, 2 ** attempts)
            log.warning("jobs.failed", job_id=job_id, kind=kind, attempt=attempts, final=final, error=str(exc))
            with self.db.session() as s:
                s.execute(update(Job).where(Job.id == job_id).values(
                    status="failed" if final else "pending", last_error=traceback.format_exc()[-4000:],
                    run_at=utcnow() + timedelta(seconds=delay), locked_until=None,
                    finished_at=utcnow() if final else None))

    def _take_lease(self, p: Periodic) -> bool:
        now = utcnow()
        with self.db.session() as s:
            if s.get(PeriodicLease, p.name) is None:
                try:
                    with s.begin_nested():  # first run one interval after start, not in a start-up storm
                        s.add(PeriodicLease(name=p.name, last_run_at=now))
                except IntegrityError:
                    pass
            result = s.execute(
                update(PeriodicLease).where(PeriodicLease.name == p.name).where(
                    or_(PeriodicLease.last_run_at.is_(None),
                        PeriodicLease.last_run_at <= now - timedelta(seconds=p.interval_s))
                ).values(owner=self.node, last_run_at=now, locked_until=now + timedelta(seconds=self.lease_s)))
            return bool(getattr(result, "rowcount", 0))

    def run_periodic_once(self, force: bool = False) -> None:
        for p in list(self.periodic.values()):
            self.db.priority.wait_turn()
            if not force and not self._take_lease(p):
                continue
            try:
                with self.db.session() as s:
                    p.fn(s)
            except Exception:
                log.exception("jobs.periodic_failed", name=p.name)
