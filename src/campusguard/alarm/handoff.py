"""Police hand-off: incidents sent to command centres as CAP 1.2 or signed JSON, retried, receipted."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.alarm.cap import CapIncident, build_cap, cap_time
from campusguard.alarm.events import HandoffDead
from campusguard.alarm.models import HandoffDelivery, HandoffEndpoint, HandoffReceipt, Incident
from campusguard.alarm.signing import DELIVERY_HEADER, EVENT_HEADER, signature_headers
from campusguard.bus.outbox import publish
from campusguard.core import jobs
from campusguard.core.db import Database, utcnow
from campusguard.org.models import Area, School

log = structlog.get_logger(__name__)

JOB_KIND = "alarm.handoff"
RAISED_JOB_KIND = "alarm.handoff_raised"
SENDER = "cn.campusguard"
MAX_BACKOFF_S = 600.0
CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"


def _msg_type(incident: Incident, event: str) -> str:
    if event == "raised":
        return "Alert"
    if event == "resolved" and incident.outcome == "false_alarm":
        return "Cancel"
    return "Update"


def incident_document(session: Session, incident: Incident) -> dict[str, Any]:
    """The JSON view of an incident sent to integrators."""
    school = session.get(School, incident.school_id)
    area = session.get(Area, incident.area_id) if incident.area_id else None
    return {
        "id": incident.id,
        "type": incident.type,
        "priority": incident.priority,
        "status": incident.status,
        "outcome": incident.outcome,
        "is_drill": incident.is_drill,
        "title": incident.title,
        "school": {
            "id": incident.school_id,
            "code": school.code if school else None,
            "name": school.name if school else None,
            "district_code": incident.district_code,
        },
        "area": {"id": area.id, "name": area.name} if area else None,
        "lat": incident.lat,
        "lon": incident.lon,
        "cameras": incident.cameras,
        "occurred_at": incident.occurred_at.isoformat(),
        "raised_at": incident.raised_at.isoformat(),
        "acknowledged_at": incident.acknowledged_at.isoformat() if incident.acknowledged_at else None,
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
    }


def _cap_body(
    session: Session, incident: Incident, *, msg_type: str, seq: int, first: HandoffDelivery | None
) -> str:
    school = session.get(School, incident.school_id)
    area = session.get(Area, incident.area_id) if incident.area_id else None
    cap = CapIncident(
        incident_id=incident.id,
        alarm_type=incident.type,
        priority=incident.priority,
        is_drill=incident.is_drill,
        is_test=incident.type == "test",
        raised_at=incident.raised_at,
        school_name=school.name if school else "",
        school_code=school.code if school else "",
        district_code=incident.district_code,
        area_name=area.name if area else None,
        lat=incident.lat,
        lon=incident.lon,
        status=incident.status,
        outcome=incident.outcome,
        headline=incident.title,
        description=f"学校地址：{school.address}" if school and school.address else "",
        cameras=[str(c.get("code")) for c in incident.cameras],
    )
    refs = [(f"{SENDER}.incident.{incident.id}.1", first.created_at)] if first and seq > 1 else None
    return build_cap(cap, sender=SENDER, sent=utcnow(), msg_type=msg_type, seq=seq, references=refs).decode()


def schedule_raised(session: Session, incident: Incident) -> None:
    """Hand-off of a new incident, as one durable job row in its transaction (the messages are built after)."""
    if incident.type != "device_offline":
        jobs.schedule(session, kind=RAISED_JOB_KIND, payload={"incident_id": incident.id}, max_attempts=10)


def ensure_raised(session: Session, incident: Incident) -> list[HandoffDelivery]:
    """Queue the `raised` messages unless they are queued already (idempotent; keeps Alert before Update)."""
    done = session.scalar(
        select(HandoffDelivery.id).where(HandoffDelivery.incident_id == incident.id, HandoffDelivery.event == "raised")
    )
    if done is not None:
        return []
    return enqueue(session, incident, event="raised")


@jobs.job(RAISED_JOB_KIND)
def run_raised(session: Session, payload: dict[str, Any]) -> None:
    """The deferred part of raising: build and queue the hand-off messages of the new incident."""
    incident = session.get(Incident, int(payload["incident_id"]))
    if incident is not None:
        ensure_raised(session, incident)


def enqueue(session: Session, incident: Incident, *, event: str) -> list[HandoffDelivery]:
    """Queue the incident's message for every matching endpoint (in the incident's transaction)."""
    if incident.type == "device_offline":
        return []
    if event != "raised":
        ensure_raised(session, incident)  # the raise's own job may not have run yet
    endpoints = session.scalars(
        select(HandoffEndpoint).where(HandoffEndpoint.enabled.is_(True)).order_by(HandoffEndpoint.id)
    ).all()
    out: list[HandoffDelivery] = []
    msg_type = _msg_type(incident, event)
    for ep in endpoints:
        if ep.district_code and ep.district_code != incident.district_code:
            continue
        if incident.is_drill and not ep.include_drills:
            continue
        if incident.type == "test" and not ep.include_tests:
            continue
        prior = (
            session.scalar(
                select(func.count())
                .select_from(HandoffDelivery)
                .where(HandoffDelivery.endpoint_id == ep.id, HandoffDelivery.incident_id == incident.id)
            )
            or 0
        )
        seq = int(prior) + 1
        first = session.scalars(
            select(HandoffDelivery).where(
                HandoffDelivery.endpoint_id == ep.id,
                HandoffDelivery.incident_id == incident.id,
                HandoffDelivery.msg_seq == 1,
            )
        ).first()
        if ep.format == "cap":
            body, ctype = (
                _cap_body(session, incident, msg_type=msg_type, seq=seq, first=first),
                CAP_CONTENT_TYPE,
            )
        else:
            body = json.dumps(
                {
                    "event": f"alarm.{event}",
                    "msg_type": msg_type,
                    "msg_seq": seq,
                    "sender": SENDER,
                    "sent": cap_time(utcnow()),
                    "incident": incident_document(session, incident),
                },
                ensure_ascii=False,
            )
            ctype = JSON_CONTENT_TYPE
        row = HandoffDelivery(
            endpoint_id=ep.id,
            incident_id=incident.id,
            msg_seq=seq,
            msg_type=msg_type,
            event=event,
            body=body,
            content_type=ctype,
            status="pending",
            next_attempt_at=utcnow(),
        )
        session.add(row)
        session.flush()
        jobs.schedule(session, kind=JOB_KIND, key=f"{JOB_KIND}:{row.id}:1", payload={"delivery_id": row.id})
        out.append(row)
    return out


@dataclass
class _Attempt:
    delivery_id: int
    url: str
    secret: str | None
    body: bytes
    content_type: str
    event: str
    timeout_s: float


def _load(db: Database, delivery_id: int) -> _Attempt | None:
    with db.session() as s:
        row = s.get(HandoffDelivery, delivery_id)
        if row is None or row.status != "pending":
            return None
        ep = s.get(HandoffEndpoint, row.endpoint_id)
        if ep is None:
            return None
        return _Attempt(
            row.id, ep.url, ep.secret, row.body.encode(), row.content_type, f"alarm.{row.event}", ep.timeout_s
        )


def _post(att: _Attempt) -> tuple[int | None, str | None, str | None, float]:
    headers = {
        "content-type": att.content_type,
        EVENT_HEADER: att.event,
        DELIVERY_HEADER: str(att.delivery_id),
        "user-agent": "CampusGuard-Handoff/1",
    }
    if att.secret:
        headers.update(signature_headers(att.secret, att.body))
    started = time.monotonic()
    try:
        resp = httpx.post(att.url, content=att.body, headers=headers, timeout=att.timeout_s)
    except httpx.HTTPError as exc:
        return None, None, f"{type(exc).__name__}: {exc}"[:500], (time.monotonic() - started) * 1000
    ms = (time.monotonic() - started) * 1000
    error = None if 200 <= resp.status_code < 300 else f"endpoint answered {resp.status_code}"
    return resp.status_code, resp.text[:1000], error, ms


@jobs.job(JOB_KIND)
def deliver(session: Session, payload: dict[str, Any]) -> None:
    """One hop: POST, store the receipt, then done, retry with exponential backoff, or dead-letter."""
    db: Database = session.info["db"]
    att = _load(db, int(payload["delivery_id"]))
    if att is None:
        return
    code, answer, error, ms = _post(att)
    row = session.get(HandoffDelivery, att.delivery_id)
    ep = session.get(HandoffEndpoint, row.endpoint_id) if row else None
    if row is None or ep is None or row.status != "pending":
        return
    row.attempts += 1
    ok = error is None
    session.add(
        HandoffReceipt(
            delivery_id=row.id,
            attempt=row.attempts,
            status_code=code,
            ok=ok,
            duration_ms=round(ms, 2),
            response=answer,
            error=error,
        )
    )
    row.last_error = error
    if ok:
        row.status, row.delivered_at, row.next_attempt_at = "delivered", utcnow(), None
    elif row.attempts >= ep.max_attempts:
        row.status, row.next_attempt_at = "dead", None
        incident = session.get(Incident, row.incident_id)
        if incident is not None:
            publish(
                session,
                HandoffDead(
                    incident_id=incident.id,
                    school_id=incident.school_id,
                    district_code=incident.district_code,
                    status=incident.status,
                    is_drill=incident.is_drill,
                    delivery_id=row.id,
                    endpoint=ep.name,
                ),
            )
    else:
        delay = min(MAX_BACKOFF_S, ep.backoff_s * 2 ** (row.attempts - 1))
        row.next_attempt_at = utcnow() + timedelta(seconds=delay)
        jobs.schedule(
            session,
            kind=JOB_KIND,
            key=f"{JOB_KIND}:{row.id}:{row.attempts + 1}",
            run_at=row.next_attempt_at,
            payload={"delivery_id": row.id},
        )
    log.info(
        "alarm.handoff",
        delivery_id=row.id,
        endpoint=ep.name,
        attempt=row.attempts,
        status=row.status,
        code=code,
        ms=round(ms, 1),
        error=error,
    )


def retry(session: Session, delivery_id: int) -> HandoffDelivery | None:
    """Put a dead letter back in the queue (an operator fixed the endpoint)."""
    row = session.get(HandoffDelivery, delivery_id)
    if row is None:
        return None
    if row.status == "dead":
        row.status, row.next_attempt_at = "pending", utcnow()
        jobs.schedule(
            session,
            kind=JOB_KIND,
            key=f"{JOB_KIND}:{row.id}:retry{row.attempts}",
            payload={"delivery_id": row.id},
        )
    return row


def body_digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()
