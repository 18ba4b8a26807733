"""Overdue hazards and liaison tasks reach the responsible phones by Web Push through a real local push service."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select, update
from tests.seeded_world import user_id

from campusguard.alarm import notify
from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database, utcnow
from campusguard.core.jobs import JobRunner
from campusguard.hazard import jobs as hazard_jobs
from campusguard.hazard import service
from campusguard.hazard.models import Hazard, OverduePush
from campusguard.hazard.schemas import AssignIn, HazardIn
from campusguard.task import jobs as task_jobs
from campusguard.task import service as tasks
from campusguard.task.models import Task
from campusguard.task.schemas import TaskIn

KG = "440303001"


@dataclass
class PushService:
    """A real HTTP server on 127.0.0.1 standing in for a browser's push service (FCM, Mozilla, …)."""

    url: str
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    script: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status_for(self, path: str) -> int:
        with self.lock:
            queue = self.script.get(path)
            return queue.pop(0) if queue else 201


@pytest.fixture
def push_service() -> Iterator[PushService]:
    holder: dict[str, PushService] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            svc = holder["s"]
            status = 410 if self.path.endswith("/gone") else svc.status_for(self.path)
            with svc.lock:
                svc.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["s"] = PushService(url=f"http://127.0.0.1:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield holder["s"]
    server.shutdown()
    server.server_close()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Phone:
    private: ec.EllipticCurvePrivateKey
    auth: bytes
    endpoint: str

    def read(self, body: bytes) -> dict[str, Any]:
        clear = http_ece.decrypt(body, private_key=self.private, auth_secret=self.auth, version="aes128gcm")
        doc: dict[str, Any] = json.loads(clear)
        return doc


def _phone(db: Database, svc: PushService, username: str, path: str) -> Phone:
    """Subscribe a phone of the user through the alarm module's subscription service."""
    private = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    endpoint = svc.url + path
    with db.session() as s:
        notify.subscribe(s, user_id=user_id(db, username), endpoint=endpoint,
                         p256dh=_b64(private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)),
                         auth=_b64(auth), user_agent="test phone")
    return Phone(private, auth, endpoint)


def _settle(db: Database, runner: JobRunner, subject: str, timeout_s: float = 20.0) -> list[OverduePush]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runner.run_due_once()
        with db.session() as s:
            rows = list(s.scalars(select(OverduePush).where(OverduePush.subject == subject)
                                  .order_by(OverduePush.id)).all())
        if rows and all(r.status != "pending" for r in rows):
            return rows
        time.sleep(0.05)
    raise AssertionError(f"{subject} pushes did not settle")


def test_overdue_hazard_pushes_to_assignee_and_school_admins(db: Database, seeded: Any,
                                                             push_service: PushService) -> None:
    guard = _phone(db, push_service, "guard", "/push/guard")
    principal = _phone(db, push_service, "principal", "/push/principal")
    _phone(db, push_service, "principal", "/push/gone")  # an uninstalled phone: the push service says 410
    _phone(db, push_service, "parent", "/push/parent")  # not responsible: gets nothing
    push_service.script["/push/principal"] = [503]  # one temporary failure, then accepted
    guard_id = user_id(db, "guard")
    with db.session() as s:
        h, _ = service.report(s, SYSTEM, HazardIn(school_code=KG, category="fire", severity="critical",
                                                  description="二楼疏散通道堆放杂物"))
        service.assign(s, SYSTEM, h.id, AssignIn(assignee_user_id=guard_id))
        hid = h.id
    with db.session() as s:
        s.execute(update(Hazard).where(Hazard.id == hid).values(due_at=utcnow() - timedelta(hours=2)))

    runner = JobRunner(db, "push-test", poll_s=0.05)
    hazard_jobs.register(runner)
    runner.run_periodic_once(force=True)
    rows = _settle(db, runner, "hazard")

    by_endpoint = {r.endpoint: r for r in rows}
    assert set(by_endpoint) == {guard.endpoint, principal.endpoint, push_service.url + "/push/gone"}
    assert by_endpoint[guard.endpoint].status == "sent" and by_endpoint[guard.endpoint].attempts == 1
    retried = by_endpoint[principal.endpoint]
    assert (retried.status, retried.attempts, retried.response_code) == ("sent", 2, 201)
    gone = by_endpoint[push_service.url + "/push/gone"]
    assert (gone.status, gone.response_code) == ("failed", 410)

    path, headers, body = next(r for r in push_service.received if r[0] == "/push/guard")
    assert headers["content-encoding"] == "aes128gcm" and headers["authorization"].startswith("vapid t=")
    doc = guard.read(body)
    assert doc["url"] == f"/m/hazards/{hid}" and doc["hazard_id"] == hid and "隐患逾期" in doc["title"]
    assert "疏散通道" in doc["body"]
    assert not [r for r in push_service.received if r[0] == "/push/parent"]

    # the next sweep does not repeat the same level
    runner.run_periodic_once(force=True)
    assert len(_settle(db, runner, "hazard")) == len(rows)

    # weeks late: straight to the city — the district's police and the city hear of it, the school not again
    police = _phone(db, push_service, "police", "/push/police")
    admin = _phone(db, push_service, "admin", "/push/admin")
    _phone(db, push_service, "police04", "/push/police04")  # another district
    with db.session() as s:
        s.execute(update(Hazard).where(Hazard.id == hid).values(due_at=utcnow() - timedelta(days=60)))
    runner.run_periodic_once(force=True)
    later = [r for r in _settle(db, runner, "hazard") if r.id not in {x.id for x in rows}]
    assert sorted(r.endpoint for r in later) == sorted([police.endpoint, admin.endpoint])
    assert all(r.status == "sent" for r in later)
    doc = admin.read(next(b for p, _, b in push_service.received if p == "/push/admin"))
    assert "市局" in doc["body"] and doc["hazard_id"] == hid


def test_overdue_task_pushes_to_its_officer(db: Database, seeded: Any, push_service: PushService, client: Any,
                                            login: Any) -> None:
    liaison = _phone(db, push_service, "liaison", "/push/liaison")
    _phone(db, push_service, "police04", "/push/police04")  # another district: nothing
    officer_id = user_id(db, "liaison")
    with db.session() as s:
        task = tasks.create(s, SYSTEM, TaskIn(school_code=KG, kind="follow_up_visit", title="家访回访",
                                              officer_user_id=officer_id))
        tid = task.id
    with db.session() as s:
        s.execute(update(Task).where(Task.id == tid).values(due_at=utcnow() - timedelta(minutes=5)))
    runner = JobRunner(db, "push-test", poll_s=0.05)
    task_jobs.register(runner)
    hazard_jobs.register(runner)
    runner.run_periodic_once(force=True)
    rows = _settle(db, runner, "task")
    assert [(r.endpoint, r.status, r.subject_id) for r in rows] == [(liaison.endpoint, "sent", tid)]
    doc = liaison.read(next(b for p, _, b in push_service.received if p == "/push/liaison"))
    assert doc["url"] == f"/m/tasks/{tid}" and doc["task_id"] == tid and "家访回访" in doc["body"]
    assert "逾期" in doc["title"]
    assert {p for p, _, _ in push_service.received} == {"/push/liaison"}

    # the delivery log is readable in scope (problem+json 422 on a bad filter)
    r = client.get("/api/v1/hazards/overdue-pushes", params={"subject": "task", "subject_id": tid},
                   headers=login("police"))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["total"] == 1 and got["items"][0]["status"] == "sent" and got["items"][0]["response_code"] == 201
    assert client.get("/api/v1/hazards/overdue-pushes", headers=login("police04")).json()["total"] == 0
    assert client.get("/api/v1/hazards/overdue-pushes", params={"status": "lost"},
                      headers=login("police")).status_code == 422
