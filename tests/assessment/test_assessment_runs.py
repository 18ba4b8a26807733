"""Runs score and rank every school, explain each score, reproduce closed periods and push signed results."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from campusguard.assessment import service
from campusguard.assessment.models import Delivery, Result
from campusguard.bus.events import GenericEvent
from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database
from campusguard.core.jobs import JobRunner
from campusguard.core.models import Job
from campusguard.stats import feed

from .conftest import T0, Receiver

CLOSED = datetime(2026, 12, 3, tzinfo=UTC)


def test_run_scores_ranks_explains_and_reproduces(db: Database, fed_city: list[int]) -> None:
    with db.session() as s:
        run = service.run_assessment(s, SYSTEM, period_label="2026-11", now=CLOSED)
        first_id, first_digest = run.id, run.result_digest
        assert run.closed and run.school_count == 6
        rows = service.results(s, SYSTEM, run)
        by_school = {r.school_id: r for r in rows}
        scores = {r.school_id: r.score for r in rows}
        a, b, c = fed_city[0], fed_city[1], fed_city[4]
        assert scores[a] == scores[b] and by_school[a].rank == by_school[b].rank  # a tie shares the rank
        assert scores[c] < scores[a]  # slow acknowledgement and overdue hazards cost points
        for r in rows:  # competition ranking: 1 + number of strictly better schools
            assert r.rank == 1 + sum(1 for other in rows if other.score > r.score)
            peers = [o for o in rows if o.district_code == r.district_code]
            assert r.rank_district == 1 + sum(1 for o in peers if o.score > r.score)
        for sid in fed_city:
            ex = service.explain(s, SYSTEM, run, sid)
            assert ex["lines_sum"] == ex["score"] == scores[sid]
            assert all("evidence" in line and line["note"] for line in ex["lines"])
        assert any(line["value"] is None and "无数据" in line["note"] for line in ex["lines"])
    with db.session() as s:
        # a late event for the closed month does not change a re-run: inputs were frozen
        feed.ingest(s, GenericEvent(type="hazard.overdue", school_id=a, hazard_id=999_999, occurred_at=T0))
    with db.session() as s:
        again = service.run_assessment(s, SYSTEM, period_label="2026-11", now=CLOSED + timedelta(days=5))
        assert again.id != first_id and again.result_digest == first_digest
        fresh = service.run_assessment(s, SYSTEM, period_label="2026-11", now=CLOSED, recompute=True)
        assert fresh.result_digest != first_digest
        penalised = s.scalars(select(Result).where(Result.run_id == fresh.id, Result.school_id == a)).one()
        assert penalised.score < scores[a]


def test_results_are_pushed_signed_with_retries(
    db: Database, fed_city: list[int], receiver: Receiver
) -> None:
    secret = "bureau-shared-secret-0123456789"
    with db.session() as s:
        service.create_endpoint(s, SYSTEM, name="市教育局考核平台", url=receiver.url, secret=secret)
        run = service.run_assessment(s, SYSTEM, period_label="2026-W46", now=CLOSED)
        run_id = run.id
    runner = JobRunner(db, "test-node")
    assert runner.run_due_once() >= 1  # first attempt: the receiver answers 503
    with db.session() as s:
        d = s.scalars(select(Delivery).where(Delivery.run_id == run_id)).one()
        assert (d.status, d.attempts, d.last_status) == ("pending", 1, 503)
        s.execute(update(Job).where(Job.status == "pending").values(run_at=datetime.now(UTC)))
    assert runner.run_due_once() >= 1
    with db.session() as s:
        d = s.scalars(select(Delivery).where(Delivery.run_id == run_id)).one()
        assert (d.status, d.attempts) == ("delivered", 2)
    assert len(receiver.requests) == 2
    req = receiver.requests[-1]
    ts, sig = req["headers"]["X-CampusGuard-Timestamp"], req["headers"]["X-CampusGuard-Signature"]
    expected = hmac.new(secret.encode(), ts.encode() + b"." + req["body"], hashlib.sha256).hexdigest()
    assert sig == f"sha256={expected}"
    assert sig != "sha256=" + hmac.new(b"wrong", ts.encode() + b"." + req["body"], hashlib.sha256).hexdigest()
    body = json.loads(req["body"])
    assert body["run_id"] == run_id and body["period"] == "2026-W46" and len(body["results"]) == 6


def test_period_end_schedules_one_run_per_closed_period(db: Database, fed_city: list[int]) -> None:
    from campusguard.assessment import jobs

    with db.session() as s:
        queued = jobs.period_end_runs(s, now=CLOSED)
        assert queued == ["2026-W48", "2026-11", "2026-Q3"]
        s.execute(update(Job).where(Job.status == "pending").values(run_at=datetime.now(UTC)))
    JobRunner(db, "test-node").run_due_once()
    with db.session() as s:
        runs, _ = service.list_runs(s, 10, 0)
        assert sorted(r.period for r in runs if r.trigger == "scheduled") == [
            "2026-11",
            "2026-Q3",
            "2026-W48",
        ]
        assert jobs.period_end_runs(s, now=CLOSED) == []  # done periods are not queued again
