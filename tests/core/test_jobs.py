"""Durable jobs run once, retry on failure, and survive a restart of the runner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from campusguard.core import jobs
from campusguard.core.db import Database, utcnow
from campusguard.core.models import Job, PeriodicLease

RAN: list[str] = []


@jobs.job("test.record")
def _record(session, payload) -> None:  # type: ignore[no-untyped-def]
    RAN.append(payload["name"])


@jobs.job("test.flaky")
def _flaky(session, payload) -> None:  # type: ignore[no-untyped-def]
    RAN.append("flaky")
    if RAN.count("flaky") < 2:
        raise RuntimeError("first attempt fails")


def test_job_survives_runner_restart_and_runs_once(db: Database) -> None:
    RAN.clear()
    with db.session() as s:
        jobs.schedule(s, kind="test.record", payload={"name": "a"}, key="k1")
        jobs.schedule(s, kind="test.record", payload={"name": "dup"}, key="k1")  # same key: reused
        jobs.schedule(s, kind="test.record", payload={"name": "later"}, run_at=utcnow() + timedelta(hours=1))
    first = jobs.JobRunner(db, "node-a")
    assert first.run_due_once() == 1
    second = jobs.JobRunner(db, "node-b")  # a restarted process
    assert second.run_due_once() == 0
    assert RAN == ["a"]
    with db.session() as s:
        statuses = sorted(j.status for j in s.scalars(select(Job)).all())
    assert statuses == ["done", "pending"]


def test_failed_job_is_retried_with_backoff(db: Database) -> None:
    RAN.clear()
    with db.session() as s:
        jobs.schedule(s, kind="test.flaky", payload={})
    runner = jobs.JobRunner(db, "node-a")
    runner.run_due_once()
    with db.session() as s:
        job = s.scalars(select(Job)).one()
        assert job.status == "pending" and job.attempts == 1 and "first attempt" in (job.last_error or "")
        job.run_at = utcnow()
    runner.run_due_once()
    with db.session() as s:
        assert s.scalars(select(Job)).one().status == "done"


def test_cancel_by_prefix(db: Database) -> None:
    RAN.clear()
    with db.session() as s:
        jobs.schedule(s, kind="test.record", payload={"name": "x"}, key="esc:1:step1")
        jobs.schedule(s, kind="test.record", payload={"name": "y"}, key="esc:1:step2")
        assert jobs.cancel(s, key_prefix="esc:1:") == 2
    assert jobs.JobRunner(db, "n").run_due_once() == 0


def test_periodic_task_runs_once_per_interval_across_nodes(db: Database) -> None:
    calls: list[str] = []
    a, b = jobs.JobRunner(db, "a"), jobs.JobRunner(db, "b")
    a.every("tick", 3600, lambda s: calls.append("a"))
    b.every("tick", 3600, lambda s: calls.append("b"))
    a.run_periodic_once()
    assert calls == []  # the first run comes one interval after start
    with db.session() as s:
        s.execute(update(PeriodicLease).values(last_run_at=utcnow() - timedelta(hours=2)))
    a.run_periodic_once()
    b.run_periodic_once()
    assert calls == ["a"]
