"""Alarm test helpers: a seeded city, a job runner driven by hand, and a real local HTTP receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from campusguard.core.db import Database
from campusguard.core.jobs import JobRunner
from campusguard.device.models import Device
from campusguard.org.models import School


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers with scripted status codes."""

    url: str
    requests: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    default_status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.script.pop(0) if self.script else self.default_status


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            rec = holder["r"]
            status = rec.next_status()
            with rec.lock:
                rec.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
            payload = b'{"ok": true}' if status < 300 else b'{"error": "scripted"}'
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["r"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def city(db: Database, seeded: dict[str, str]) -> dict[str, Any]:
    """Ids of the demo city the alarm tests act on: a kindergarten of district 1, a school of district 2."""
    with db.session() as s:
        schools = s.scalars(select(School).order_by(School.id)).all()
        d1 = schools[0].district_code
        kg = next(x for x in schools if x.district_code == d1 and x.type == "kindergarten")
        other = next(x for x in schools if x.district_code != d1)
        button = s.scalars(
            select(Device).where(Device.school_id == kg.id, Device.type == "alarm_button").order_by(Device.id)
        ).first()
        other_button = s.scalars(
            select(Device)
            .where(Device.school_id == other.id, Device.type == "alarm_button")
            .order_by(Device.id)
        ).first()
        assert button is not None and other_button is not None
        return {
            "kg": kg.id,
            "kg_code": kg.code,
            "district": d1,
            "other": other.id,
            "other_district": other.district_code,
            "button": button.id,
            "button_area": button.area_id,
            "other_button": other_button.id,
        }


def run_jobs(db: Database, rounds: int = 10) -> int:
    """Run due jobs until none are left (a fresh runner each call: like a restarted node)."""
    runner = JobRunner(db, "test-node", poll_s=0.1)
    total = 0
    for _ in range(rounds):
        ran = runner.run_due_once()
        total += ran
        if not ran:
            break
    return total
