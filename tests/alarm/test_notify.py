"""Notifications through real channels: Web Push (VAPID, aes128gcm) and an SMS webhook gateway, recorded."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import UTC, datetime
from typing import Any

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from campusguard.accounts.models import User
from campusguard.alarm import escalation, notify, service, signing
from campusguard.alarm.models import Gateway, Notification, PushSubscription
from campusguard.core.db import Database
from campusguard.core.jobs import JobRunner

from .conftest import Receiver

GW_SECRET = "gateway-secret-0123456789"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _settle(db: Database, incident_id: int, timeout_s: float = 20.0) -> list[Notification]:
    runner = JobRunner(db, "notify-test", poll_s=0.05)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runner.run_due_once()
        with db.session() as s:
            rows = list(
                s.scalars(
                    select(Notification)
                    .where(Notification.incident_id == incident_id)
                    .order_by(Notification.id)
                ).all()
            )
        if rows and all(r.status != "pending" for r in rows):
            return rows
        time.sleep(0.05)
    raise AssertionError("notifications did not settle")


def test_push_and_sms_reach_real_receivers(
    db: Database, city: dict[str, Any], receiver: Receiver, client: TestClient, login: Any
) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    p256dh = _b64(private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
    auth = os.urandom(16)
    op = login("operator")
    key = client.get("/api/v1/push/vapid-public-key", headers=op)
    assert key.status_code == 200 and len(key.json()["public_key"]) > 80
    sub = client.post(
        "/api/v1/push/subscriptions",
        headers=op,
        json={"endpoint": receiver.url + "/push/op1", "keys": {"p256dh": p256dh, "auth": _b64(auth)}},
    )
    assert sub.status_code == 201, sub.text
    bad = client.post("/api/v1/push/subscriptions", headers=op, json={"endpoint": "not a url", "keys": {}})
    assert bad.status_code == 422
    client.close()  # stop the app's own job runner: this test drives jobs itself

    with db.session() as s:
        s.execute(update(User).where(User.username == "operator").values(phone="13800000001"))
        s.add(Gateway(name="sms", channel="sms", url=receiver.url + "/sms", secret=GW_SECRET))
        escalation.upsert_chain(
            s,
            district_code=None,
            name="t",
            steps=[
                {"kind": "notify", "target": "school_operators", "channels": ["websocket", "webpush", "sms"]}
            ],
        )
        res = service.ingest_device_event(
            s,
            device_id=city["button"],
            event_type="fire",
            seq=1,
            occurred_at=datetime.now(UTC),
            source="mqtt",
            detail={},
        )
    assert res.incident_id is not None
    rows = _settle(db, res.incident_id)
    by_channel = {(r.channel, r.status) for r in rows}
    assert (
        ("webpush", "sent") in by_channel
        and ("sms", "sent") in by_channel
        and ("websocket", "sent") in by_channel
    )
    assert ("sms", "skipped") in by_channel  # the school admin has no phone: recorded, not silently dropped

    push = next(r for r in receiver.requests if r.path == "/push/op1")
    assert push.headers["content-encoding"] == "aes128gcm"
    assert push.headers["authorization"].startswith("vapid t=")
    clear = http_ece.decrypt(push.body, private_key=private, auth_secret=auth, version="aes128gcm")
    payload = json.loads(clear)
    assert payload["incident_id"] == res.incident_id and "火警" in payload["body"]

    sms = next(r for r in receiver.requests if r.path == "/sms")
    assert signing.verify(GW_SECRET, sms.body, sms.headers[signing.SIGNATURE_HEADER.lower()])
    doc = json.loads(sms.body)
    assert doc["to"] == "13800000001" and doc["incident_id"] == res.incident_id


def test_gone_push_subscription_is_dropped(db: Database, city: dict[str, Any], receiver: Receiver) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == "operator")).one()
        notify.subscribe(
            s,
            user_id=user.id,
            endpoint=receiver.url + "/push/gone",
            p256dh=_b64(private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)),
            auth=_b64(os.urandom(16)),
            user_agent="test",
        )
        escalation.upsert_chain(
            s,
            district_code=None,
            name="t",
            steps=[{"kind": "notify", "target": "school_operators", "channels": ["webpush"]}],
        )
    receiver.default_status = 410
    with db.session() as s:
        res = service.ingest_device_event(
            s,
            device_id=city["button"],
            event_type="panic",
            seq=2,
            occurred_at=datetime.now(UTC),
            source="mqtt",
            detail={},
        )
    assert res.incident_id is not None
    [row] = _settle(db, res.incident_id)
    assert row.status == "failed" and row.response_code == 410
    with db.session() as s:
        assert s.scalars(select(PushSubscription)).all() == []
