"""Police hand-off against a real local HTTP server: CAP 1.2, signed JSON, retries, dead letters, receipts."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from sqlalchemy import select

from campusguard.alarm import handoff, service, signing
from campusguard.alarm.cap import CapIncident, build_cap
from campusguard.alarm.cap_schema import CAP_NS, validate_cap
from campusguard.alarm.models import HandoffDelivery, HandoffEndpoint, HandoffReceipt
from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database
from campusguard.core.jobs import JobRunner
from campusguard.core.models import Job, OutboxEvent

from .conftest import Receiver

SECRET = "s3cret-handoff-key-0123456789"


def _endpoint(db: Database, **kw: Any) -> int:
    with db.session() as s:
        ep = HandoffEndpoint(
            **{
                "name": "cc",
                "format": "json",
                "secret": SECRET,
                "max_attempts": 4,
                "backoff_s": 0.05,
                "timeout_s": 2.0,
                **kw,
            }
        )
        s.add(ep)
        s.flush()
        return ep.id


def _press(db: Database, device_id: int, seq: int) -> int:
    with db.session() as s:
        res = service.ingest_device_event(
            s,
            device_id=device_id,
            event_type="panic",
            seq=seq,
            occurred_at=datetime.now(UTC),
            source="mqtt",
            detail={},
        )
    assert res.incident_id is not None
    return res.incident_id


def _settle(db: Database, incident_id: int, timeout_s: float = 20.0) -> list[HandoffDelivery]:
    """Run due jobs (retries included) until no delivery of the incident is pending."""
    runner = JobRunner(db, "handoff-test", poll_s=0.05)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runner.run_due_once()
        with db.session() as s:
            rows = list(
                s.scalars(
                    select(HandoffDelivery)
                    .where(HandoffDelivery.incident_id == incident_id)
                    .order_by(HandoffDelivery.id)
                ).all()
            )
        if rows and all(r.status != "pending" for r in rows):
            return rows
        time.sleep(0.05)
    raise AssertionError("hand-off did not settle")


def _receipts(db: Database, delivery_id: int) -> list[HandoffReceipt]:
    with db.session() as s:
        return list(
            s.scalars(
                select(HandoffReceipt)
                .where(HandoffReceipt.delivery_id == delivery_id)
                .order_by(HandoffReceipt.attempt)
            ).all()
        )


def test_signed_json_webhook_retries_with_backoff_then_delivers(
    db: Database, city: dict[str, Any], receiver: Receiver
) -> None:
    _endpoint(db, url=receiver.url + "/hook", backoff_s=0.5)
    receiver.script = [500, 503]
    incident_id = _press(db, city["button"], 1)
    [delivery] = _settle(db, incident_id)
    assert delivery.status == "delivered" and delivery.attempts == 3
    receipts = _receipts(db, delivery.id)
    assert [r.status_code for r in receipts] == [500, 503, 200] and [r.ok for r in receipts] == [
        False,
        False,
        True,
    ]
    assert receipts[-1].response == '{"ok": true}'
    assert len(receiver.requests) == 3
    for req in receiver.requests:
        assert req.headers["content-type"] == "application/json"
        assert req.headers[signing.EVENT_HEADER.lower()] == "alarm.raised"
        assert signing.verify(SECRET, req.body, req.headers[signing.SIGNATURE_HEADER.lower()])
        assert not signing.verify(
            "wrong-secret-0123456789", req.body, req.headers[signing.SIGNATURE_HEADER.lower()]
        )
        assert not signing.verify(SECRET, req.body + b" ", req.headers[signing.SIGNATURE_HEADER.lower()])
    doc = json.loads(receiver.requests[0].body)
    assert doc["incident"]["id"] == incident_id and doc["msg_type"] == "Alert"
    assert doc["incident"]["school"]["district_code"] == city["district"] and doc["incident"]["cameras"]
    with db.session() as s:  # each retry was scheduled backoff_s * 2^(n-1) after the failed hop
        delays = []
        for attempt, receipt in ((2, receipts[0]), (3, receipts[1])):
            job = s.scalars(select(Job).where(Job.key == f"{handoff.JOB_KIND}:{delivery.id}:{attempt}")).one()
            delays.append((job.run_at - receipt.at).total_seconds())
    assert 0.4 <= delays[0] < 0.9 and 0.9 <= delays[1] < 1.4, delays


def test_signature_rejects_stale_and_malformed_headers() -> None:
    body = b'{"a": 1}'
    headers = signing.signature_headers(SECRET, body, now=1_000_000)
    header = headers[signing.SIGNATURE_HEADER]
    assert signing.verify(SECRET, body, header, now=1_000_100)
    assert not signing.verify(SECRET, body, header, now=1_000_000 + 3600)  # replayed an hour later
    assert not signing.verify(SECRET, body, "garbage", now=1_000_000)
    assert not signing.verify(SECRET, body, "t=1000000,v1=", now=1_000_000)


def test_exhausted_retries_go_to_the_dead_letter_list_and_can_be_retried(
    db: Database, city: dict[str, Any], receiver: Receiver
) -> None:
    _endpoint(db, url=receiver.url + "/hook", max_attempts=2)
    receiver.default_status = 500
    incident_id = _press(db, city["button"], 2)
    [delivery] = _settle(db, incident_id)
    assert delivery.status == "dead" and delivery.attempts == 2
    assert "500" in (delivery.last_error or "")
    with db.session() as s:
        dead = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "alarm.handoff_dead")).all()
        assert len(dead) == 1 and dead[0].payload["delivery_id"] == delivery.id
    receiver.default_status = 200
    with db.session() as s:
        handoff.retry(s, delivery.id)
    [again] = _settle(db, incident_id)
    assert again.status == "delivered" and [r.ok for r in _receipts(db, delivery.id)] == [False, False, True]


def test_unreachable_endpoint_records_the_network_error(db: Database, city: dict[str, Any]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    _endpoint(db, url=f"http://127.0.0.1:{port}/hook", max_attempts=1)
    [delivery] = _settle(db, _press(db, city["button"], 3))
    [receipt] = _receipts(db, delivery.id)
    assert delivery.status == "dead" and receipt.status_code is None and "Connect" in (receipt.error or "")


def test_cap_messages_validate_and_drills_are_exercises(
    db: Database, city: dict[str, Any], receiver: Receiver
) -> None:
    _endpoint(db, name="cap-cc", format="cap", secret=None, url=receiver.url + "/cap")
    with db.session() as s:
        service.start_drill_window(s, SYSTEM, city["kg"], minutes=5)
    incident_id = _press(db, city["button"], 4)
    _settle(db, incident_id)
    with db.session() as s:
        service.transition(s, SYSTEM, incident_id, "ack")
    deliveries = _settle(db, incident_id)
    assert [d.msg_type for d in deliveries] == ["Alert", "Update"]
    assert len(receiver.requests) == 2
    ns = {"cap": CAP_NS}
    first, second = (etree.fromstring(r.body) for r in receiver.requests)
    for req in receiver.requests:
        assert req.headers["content-type"].startswith("application/cap+xml")
        assert validate_cap(req.body) == []
    assert first.findtext("cap:status", namespaces=ns) == "Exercise"
    assert first.findtext("cap:msgType", namespaces=ns) == "Alert"
    assert first.findtext("cap:info/cap:category", namespaces=ns) == "Security"
    assert first.find("cap:info/cap:area/cap:circle", namespaces=ns) is not None
    ident = first.findtext("cap:identifier", namespaces=ns)
    assert ident and ident in (second.findtext("cap:references", namespaces=ns) or "")
    assert second.findtext("cap:msgType", namespaces=ns) == "Update"


def test_cap_builder_refuses_nonconforming_documents() -> None:
    inc = CapIncident(
        incident_id=1,
        alarm_type="fire",
        priority="critical",
        is_drill=False,
        is_test=False,
        raised_at=datetime.now(UTC),
        school_name="学校",
        school_code="S1",
        district_code=None,
        area_name=None,
        lat=None,
        lon=None,
    )
    xml = build_cap(inc, sender="cn.campusguard", sent=datetime.now(UTC))
    assert validate_cap(xml) == []
    assert b"<status>Actual</status>" in xml and b"<category>Fire</category>" in xml
    broken = xml.replace(b"<status>Actual</status>", b"<status>Drill</status>")
    assert validate_cap(broken) and "status" in validate_cap(broken)[0]
    assert validate_cap(xml.replace(b"<scope>Restricted</scope>", b"")) != []
    assert validate_cap(b"<alert") != []
    try:
        build_cap(inc, sender="has space", sent=datetime.now(UTC))
    except ValueError as exc:
        assert "sender" in str(exc) or "identifier" in str(exc)
    else:
        raise AssertionError("a sender with a space must be refused")


def test_endpoint_filters_district_and_tests(db: Database, city: dict[str, Any], receiver: Receiver) -> None:
    _endpoint(db, name="other-district", url=receiver.url, district_code=city["other_district"])
    incident_id = _press(db, city["button"], 5)
    with db.session() as s:
        assert (
            s.scalars(select(HandoffDelivery).where(HandoffDelivery.incident_id == incident_id)).all() == []
        )
