"""Fixtures for assessment tests: a small city fed with real events, and a local HTTPS-less receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from campusguard.alarm.events import AlarmAcknowledged, AlarmRaised, AlarmResolved
from campusguard.bus.events import GenericEvent
from campusguard.core.db import Database
from campusguard.org.models import School
from campusguard.stats import feed
from campusguard.stats.democity import make_city

T0 = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def feed_school(session: Any, school: School, *, ack_s: float, overdue: int, drills: int, base: int) -> None:
    """Alarms with a given ack time, overdue hazards and drills for one school in November 2026."""
    common = {"school_id": school.id, "district_code": school.district_code}
    for i in range(3):
        inc = base + i
        at = T0 + timedelta(days=i)
        feed.ingest(
            session,
            AlarmRaised(
                **common,
                incident_id=inc,
                alarm_type="intrusion",
                priority="high",
                title="t",
                school_name=school.name,
                school_code=school.code,
                raised_at=at,
                device_occurred_at=at,
            ),
        )
        feed.ingest(
            session,
            AlarmAcknowledged(**common, incident_id=inc, actor="op", at=at + timedelta(seconds=ack_s)),
        )
        feed.ingest(session, AlarmResolved(**common, incident_id=inc, actor="op", at=at, outcome="real"))
    for h in range(overdue):
        feed.ingest(
            session,
            GenericEvent(type="hazard.overdue", school_id=school.id, hazard_id=base + h, occurred_at=T0),
        )
    for d in range(drills):
        feed.ingest(
            session,
            GenericEvent(type="drill.completed", school_id=school.id, drill_id=base + d, occurred_at=T0),
        )


@pytest.fixture
def fed_city(db: Database) -> list[int]:
    """6 schools in 2 districts; schools 0 and 1 get identical inputs (a tie)."""
    with db.session() as s:
        ids = make_city(s, schools=6, districts=2)
        schools = list(s.scalars(select(School).where(School.id.in_(ids)).order_by(School.id)).all())
        plans = [(30, 0, 1), (30, 0, 1), (400, 2, 0), (90, 1, 1), (700, 6, 0), (60, 0, 2)]
        for n, (school, (ack, overdue, drills)) in enumerate(zip(schools, plans, strict=True)):
            feed_school(s, school, ack_s=ack, overdue=overdue, drills=drills, base=1000 * (n + 1))
    return ids


class Receiver:
    """A real HTTP server recording requests; answers the scripted status codes in order."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(json.dumps({"ok": status == 200}).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/edu/assessment"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver([503]) as r:
        yield r
