"""Bulk inserts of the alarm hot path: ids taken up front match what the database stores, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, select

from campusguard.core import bulk
from campusguard.core.db import Database, utcnow
from campusguard.core.models import Job, OutboxEvent

JOBS = cast(Table, Job.__table__)
OUTBOX = cast(Table, OutboxEvent.__table__)


def _job(i: int, now: datetime, payload: dict[str, object]) -> dict[str, object]:
    return {"kind": "test.bulk", "key": f"bulk:{i}", "payload": payload, "run_at": now, "status": "pending",
            "attempts": 0, "max_attempts": 3, "locked_by": None, "locked_until": None, "last_error": None,
            "created_at": now, "finished_at": None}


def test_allocated_ids_are_the_rows_ids_and_values_round_trip(db: Database) -> None:
    now = utcnow()
    shared = {"incident_id": 7, "steps": ["notify", {"wait_s": 30}], "名称": "学校"}
    with db.session() as s:
        s.add(Job(kind="test.before", payload={}, run_at=now))  # the table is not empty: ids continue after it
        s.flush()
        ids = bulk.allocate_ids(s, JOBS, 3)
        rows = [{"id": i, **_job(i, now + timedelta(seconds=n), shared if n else {"n": n})}
                for n, i in enumerate(ids)]
        bulk.insert_rows(s, JOBS, rows)
    assert ids == sorted(ids) and len(set(ids)) == 3
    with db.session() as s:
        stored = {j.id: j for j in s.scalars(select(Job).where(Job.kind == "test.bulk")).all()}
        assert sorted(stored) == ids
        first, second = stored[ids[0]], stored[ids[1]]
        assert first.payload == {"n": 0} and second.payload == shared
        assert second.run_at == (now + timedelta(seconds=1)).astimezone(UTC)
        assert second.run_at.tzinfo is not None
        # the database's own id assignment carries on after the bulk rows
        after = Job(kind="test.after", payload={}, run_at=now)
        s.add(after)
        s.flush()
        assert after.id > max(ids)


def test_outbox_rows_of_a_rolled_back_savepoint_are_never_sent(db: Database) -> None:
    from campusguard.bus.events import Event
    from campusguard.bus.outbox import committed_rows, forget, publish_many

    class Bulked(Event):
        type: str = "test.bulked"

    with db.session() as s:
        kept = publish_many(s, [Bulked(), Bulked()])
        nested = s.begin_nested()
        dropped = publish_many(s, [Bulked()])
        nested.rollback()
        forget(s, dropped)
        pending = list(s.info["wake_outbox"])
    assert [row_id for row_id, _ in committed_rows(pending)] == [row_id for row_id, _ in kept]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "test.bulked")) == 2
