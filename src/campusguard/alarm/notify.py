"""Notifications of an escalation step: console pop-up, Web Push and SMS/voice gateways, each recorded."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import structlog
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid01, Vapid02
from pywebpush import WebPushException, webpush
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.accounts.models import User
from campusguard.alarm.events import AlarmEscalated
from campusguard.alarm.models import Gateway, Incident, Notification, PushSubscription, VapidKey
from campusguard.alarm.signing import signature_headers
from campusguard.bus.outbox import publish
from campusguard.core import jobs
from campusguard.core.db import Database, utcnow
from campusguard.org.models import School

log = structlog.get_logger(__name__)

JOB_KIND = "alarm.notify"
MAX_ATTEMPTS = 3
VAPID_SUBJECT = "mailto:ops@campusguard.invalid"
TARGET_ROLES = {
    "school_operators": ("operator", "school_admin"),
    "district_police": ("district_police",),
    "liaison_officers": ("liaison_officer",),
    "city_command": ("city_admin",),
}
PRIORITY_ZH = {"critical": "紧急", "high": "重要", "medium": "一般", "low": "提示"}


def recipients(session: Session, incident: Incident, target: str) -> list[User]:
    """Active users of the audience who are responsible for the incident's school."""
    roles = TARGET_ROLES.get(target, ())
    school = session.get(School, incident.school_id)
    users = session.scalars(
        select(User).where(User.role.in_(roles), User.active.is_(True)).order_by(User.id)
    ).all()
    out = []
    for user in users:
        if target in ("school_operators", "liaison_officers"):
            if school is not None and school.code in (user.school_codes or []):
                out.append(user)
            elif user.role == "operator" and user.region_code == incident.district_code:
                out.append(user)  # district monitoring-room operators
        elif target == "district_police":
            if user.region_code == incident.district_code:
                out.append(user)
        else:
            out.append(user)
    return out


def message(incident: Incident) -> str:
    prefix = "【演练】" if incident.is_drill and not incident.title.startswith("【演练】") else ""
    return f"{prefix}【{PRIORITY_ZH.get(incident.priority, '')}警情】{incident.title}，请立即确认处置。"


def notify_audience(
    session: Session, incident: Incident, *, target: str, channels: list[str], level: int
) -> list[Notification]:
    """Record one notification per person and channel; sending happens in retried jobs."""
    users = recipients(session, incident, target)
    rows: list[Notification] = []
    for user in users:
        for channel in channels:
            if channel == "websocket":
                rows.append(
                    Notification(
                        incident_id=incident.id,
                        channel="websocket",
                        target=target,
                        user_id=user.id,
                        status="sent",
                        attempts=1,
                        sent_at=utcnow(),
                    )
                )
            elif channel == "webpush":
                subs = session.scalars(
                    select(PushSubscription).where(PushSubscription.user_id == user.id)
                ).all()
                rows.extend(
                    Notification(
                        incident_id=incident.id,
                        channel="webpush",
                        target=target,
                        user_id=user.id,
                        address=s.endpoint,
                    )
                    for s in subs
                )
            elif user.phone:
                rows.append(
                    Notification(
                        incident_id=incident.id,
                        channel=channel,
                        target=target,
                        user_id=user.id,
                        address=user.phone,
                    )
                )
            else:
                rows.append(
                    Notification(
                        incident_id=incident.id,
                        channel=channel,
                        target=target,
                        user_id=user.id,
                        status="skipped",
                        error="user has no phone",
                    )
                )
    session.add_all(rows)
    session.flush()
    for row in rows:
        if row.status == "pending":
            jobs.schedule(
                session, kind=JOB_KIND, key=f"{JOB_KIND}:{row.id}:1", payload={"notification_id": row.id}
            )
    publish(
        session,
        AlarmEscalated(
            incident_id=incident.id,
            school_id=incident.school_id,
            district_code=incident.district_code,
            status=incident.status,
            is_drill=incident.is_drill,
            priority=incident.priority,
            level=level,
            target=target,
            user_ids=[u.id for u in users],
            channels=channels,
        ),
    )
    log.info("alarm.escalated", incident_id=incident.id, level=level, target=target, users=len(users))
    return rows


# ---------------------------------------------------------------- VAPID


def vapid_key(session: Session) -> VapidKey:
    """The platform's VAPID pair, generated on first use and stored (private key encrypted)."""
    row = session.scalars(select(VapidKey).order_by(VapidKey.id)).first()
    if row is not None:
        return row
    vapid = Vapid01()
    vapid.generate_keys()
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    row = VapidKey(
        private_pem=vapid.private_pem().decode(),
        public_key=base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
    )
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------- delivery


@dataclass
class _Job:
    channel: str
    address: str
    text: str
    incident_id: int
    notification_id: int
    attempts: int
    push_keys: dict[str, str] | None
    vapid_pem: str | None
    gateway: tuple[str, str | None] | None


def _load(db: Database, notification_id: int) -> _Job | None:
    """Read everything the send needs in a short transaction (no lock held during the network call)."""
    with db.session() as s:
        row = s.get(Notification, notification_id)
        if row is None or row.status != "pending" or not row.address:
            return None
        incident = s.get(Incident, row.incident_id)
        if incident is None:
            return None
        push_keys = vapid_pem = gateway = None
        if row.channel == "webpush":
            sub = s.scalars(select(PushSubscription).where(PushSubscription.endpoint == row.address)).first()
            if sub is None:
                return None
            push_keys = {"p256dh": sub.p256dh, "auth": sub.auth}
            vapid_pem = vapid_key(s).private_pem
        else:
            gw = s.scalars(
                select(Gateway)
                .where(Gateway.channel == row.channel, Gateway.enabled.is_(True))
                .order_by(Gateway.id)
            ).first()
            gateway = (gw.url, gw.secret) if gw else None
        return _Job(
            row.channel,
            row.address,
            message(incident),
            incident.id,
            row.id,
            row.attempts,
            push_keys,
            vapid_pem,
            gateway,
        )


def _send(job: _Job) -> tuple[bool, int | None, str | None]:
    """Deliver one notification; returns (ok, HTTP status, error)."""
    if job.channel == "webpush":
        assert job.push_keys is not None and job.vapid_pem is not None
        data = json.dumps(
            {
                "title": "CampusGuard 警情",
                "body": job.text,
                "incident_id": job.incident_id,
                "url": f"/m/alarm/{job.incident_id}",
            },
            ensure_ascii=False,
        )
        try:
            resp = webpush(
                {"endpoint": job.address, "keys": job.push_keys},
                data=data,
                vapid_private_key=Vapid02.from_pem(job.vapid_pem.encode()),
                vapid_claims={"sub": VAPID_SUBJECT},
                ttl=300,
                timeout=5,
            )
        except WebPushException as exc:
            code = exc.response.status_code if exc.response is not None else None
            return False, code, str(exc)[:500]
        except Exception as exc:  # network errors from requests
            return False, None, f"{type(exc).__name__}: {exc}"[:500]
        code = int(getattr(resp, "status_code", 0) or 0)
        return 200 <= code < 300, code, None if code < 300 else f"push service answered {code}"
    if job.gateway is None:
        return False, None, f"no enabled {job.channel} gateway"
    url, secret = job.gateway
    body = json.dumps(
        {
            "channel": job.channel,
            "to": job.address,
            "text": job.text,
            "incident_id": job.incident_id,
            "notification_id": job.notification_id,
        },
        ensure_ascii=False,
    ).encode()
    headers = {"content-type": "application/json"}
    if secret:
        headers.update(signature_headers(secret, body))
    try:
        resp = httpx.post(url, content=body, headers=headers, timeout=5.0)
    except httpx.HTTPError as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:500]
    ok = 200 <= resp.status_code < 300
    return ok, resp.status_code, None if ok else f"gateway answered {resp.status_code}"


@jobs.job(JOB_KIND)
def deliver(session: Session, payload: dict[str, Any]) -> None:
    """Send one notification; failures are retried with backoff, then recorded as failed."""
    db: Database = session.info["db"]
    job = _load(db, int(payload["notification_id"]))
    if job is None:
        return
    started = time.monotonic()
    ok, code, error = _send(job)
    row = session.get(Notification, job.notification_id)
    if row is None:
        return
    row.attempts += 1
    row.response_code, row.error = code, error
    if ok:
        row.status, row.sent_at = "sent", utcnow()
    elif job.channel == "webpush" and code in (404, 410):
        row.status = "failed"  # subscription gone: forget it
        sub = session.scalars(
            select(PushSubscription).where(PushSubscription.endpoint == job.address)
        ).first()
        if sub is not None:
            session.delete(sub)
    elif row.attempts >= MAX_ATTEMPTS or error and error.startswith("no enabled"):
        row.status = "failed"
    else:
        jobs.schedule(
            session,
            kind=JOB_KIND,
            key=f"{JOB_KIND}:{row.id}:{row.attempts + 1}",
            run_at=utcnow() + timedelta(seconds=2**row.attempts),
            payload={"notification_id": row.id},
        )
    log.info(
        "alarm.notification",
        id=row.id,
        channel=row.channel,
        status=row.status,
        code=code,
        ms=round((time.monotonic() - started) * 1000, 1),
    )


def subscribe(
    session: Session, *, user_id: int, endpoint: str, p256dh: str, auth: str, user_agent: str | None
) -> PushSubscription:
    """Register (or move to this user) a push subscription."""
    row = session.scalars(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
    if row is None:
        row = PushSubscription(endpoint=endpoint, user_id=user_id, p256dh=p256dh, auth=auth)
        session.add(row)
    row.user_id, row.p256dh, row.auth, row.user_agent, row.failures = user_id, p256dh, auth, user_agent, 0
    session.flush()
    return row
