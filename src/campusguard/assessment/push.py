"""Signed pushes of assessment results to the education bureau, retried by durable jobs.

Body: JSON of the run and every school's score/ranks. Headers: X-CampusGuard-Timestamp (unix s),
X-CampusGuard-Signature: sha256=HMAC-SHA256(secret, f"{timestamp}.{body}"), X-CampusGuard-Delivery.
A receiver recomputes the HMAC and refuses stale timestamps; redelivery keeps the same delivery id.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.assessment.models import Delivery, Endpoint, Result, Run
from campusguard.core.crypto import sign
from campusguard.core.db import utcnow
from campusguard.core.jobs import job, schedule

log = structlog.get_logger(__name__)

JOB_KIND = "assessment.push"
MAX_ATTEMPTS = 8
TIMEOUT_S = 10.0


def enqueue(session: Session, run: Run) -> list[Delivery]:
    """One delivery per active endpoint, each pushed by its own job (after this transaction commits)."""
    made = []
    for endpoint in session.scalars(select(Endpoint).where(Endpoint.active.is_(True))).all():
        existing = session.scalars(
            select(Delivery).where(Delivery.run_id == run.id, Delivery.endpoint_id == endpoint.id)
        ).first()
        delivery = existing or Delivery(run_id=run.id, endpoint_id=endpoint.id)
        delivery.status = "pending"
        session.add(delivery)
        session.flush()
        schedule(
            session,
            kind=JOB_KIND,
            payload={"delivery_id": delivery.id},
            key=f"{JOB_KIND}:{delivery.id}",
            max_attempts=1,
        )
        made.append(delivery)
    return made


def payload(session: Session, run: Run) -> dict[str, Any]:
    """What the bureau receives: the run and all its results (city-wide)."""
    rows = session.scalars(
        select(Result).where(Result.run_id == run.id).order_by(Result.rank, Result.school_id)
    ).all()
    return {
        "type": "assessment.run",
        "run_id": run.id,
        "period": run.period,
        "period_kind": run.period_kind,
        "closed": run.closed,
        "digest": run.result_digest,
        "created_at": run.created_at.isoformat(),
        "results": [
            {
                "school_code": r.school_code,
                "school_name": r.school_name,
                "district_code": r.district_code,
                "school_type": r.school_type,
                "score": r.score,
                "rank": r.rank,
                "rank_district": r.rank_district,
                "rank_type": r.rank_type,
                "subtotals": r.groups.get("subtotals", {}),
            }
            for r in rows
        ],
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """sha256=<hex> over "<timestamp>.<body>"."""
    return "sha256=" + sign(secret, timestamp.encode() + b"." + body)


def backoff_s(attempt: int) -> int:
    return int(min(3600, 5 * 2 ** (attempt - 1)))


@job(JOB_KIND)
def push_delivery(session: Session, data: dict[str, Any]) -> None:
    """POST one delivery; on failure record why and schedule the next attempt with backoff."""
    delivery = session.get(Delivery, int(data["delivery_id"]))
    if delivery is None or delivery.status == "delivered":
        return
    endpoint = session.get(Endpoint, delivery.endpoint_id)
    run = session.get(Run, delivery.run_id)
    if endpoint is None or run is None:
        delivery.status = "failed"
        delivery.last_error = "endpoint or run deleted"
        return
    body = json.dumps(payload(session, run), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-CampusGuard-Timestamp": timestamp,
        "X-CampusGuard-Signature": signature(endpoint.secret, timestamp, body),
        "X-CampusGuard-Delivery": str(delivery.id),
        "X-CampusGuard-Event": "assessment.run",
    }
    delivery.attempts += 1
    try:
        response = httpx.post(endpoint.url, content=body, headers=headers, timeout=TIMEOUT_S)
        delivery.last_status = response.status_code
        ok = 200 <= response.status_code < 300
        error = None if ok else f"HTTP {response.status_code}: {response.text[:200]}"
    except httpx.HTTPError as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"[:500]
    if ok:
        delivery.status, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), None
        log.info("assessment.pushed", delivery_id=delivery.id, run_id=run.id, url=endpoint.url)
        return
    delivery.last_error = error
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
        log.warning(
            "assessment.push_failed", delivery_id=delivery.id, attempts=delivery.attempts, error=error
        )
        return
    delay = backoff_s(delivery.attempts)
    schedule(
        session,
        kind=JOB_KIND,
        payload={"delivery_id": delivery.id},
        max_attempts=1,
        run_at=utcnow() + timedelta(seconds=delay),
        key=f"{JOB_KIND}:{delivery.id}:{delivery.attempts}",
    )
    log.info(
        "assessment.push_retry", delivery_id=delivery.id, attempt=delivery.attempts, in_s=delay, error=error
    )
