"""Web Push of overdue hazards and liaison tasks to the people responsible, each delivery recorded.

The subscriptions and the VAPID key are the alarm module's (one subscription per phone serves every kind of
notification); this module only adds its own messages, jobs and delivery log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campusguard.accounts.models import User
from campusguard.alarm.models import PushSubscription
from campusguard.alarm.notify import VAPID_SUBJECT, vapid_key
from campusguard.core import jobs
from campusguard.core.auth import Principal
from campusguard.core.db import Database, utcnow
from campusguard.core.scope import scoped
from campusguard.hazard.models import OverduePush
from campusguard.org.models import School

log = structlog.get_logger(__name__)

JOB_KIND = "hazard.overdue_push"
MAX_ATTEMPTS = 3
TTL_S = 3600  # an overdue reminder is still worth showing an hour later


def users_for_level(session: Session, school: School, level: str) -> list[int]:
    """Active users who answer for a school at an escalation level (school, grid, district, city)."""
    stmt = select(User).where(User.active.is_(True)).order_by(User.id)
    if level == "school":
        rows = session.scalars(stmt.where(User.role == "school_admin")).all()
        return [u.id for u in rows if school.code in (u.school_codes or [])]
    if level == "district":
        rows = session.scalars(stmt.where(User.role == "district_police",
                                          User.region_code == school.district_code)).all()
        return [u.id for u in rows]
    if level == "city":
        return [u.id for u in session.scalars(stmt.where(User.role == "city_admin")).all()]
    return []


def queue(session: Session, *, subject: str, subject_id: int, school_id: int | None, user_ids: Iterable[int],
          title: str, body: str, url: str) -> list[OverduePush]:
    """One pending delivery per subscription of each user, sent by retried jobs after commit."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    subs = session.scalars(select(PushSubscription).where(PushSubscription.user_id.in_(wanted))
                           .order_by(PushSubscription.id)).all()
    rows = [OverduePush(subject=subject, subject_id=subject_id, school_id=school_id, user_id=s.user_id,
                        endpoint=s.endpoint, title=title[:200], body=body[:500], url=url[:200], status="pending",
                        attempts=0) for s in subs]
    session.add_all(rows)
    session.flush()
    for row in rows:
        jobs.schedule(session, kind=JOB_KIND, key=f"{JOB_KIND}:{row.id}:1", payload={"push_id": row.id})
    log.info("overdue.push_queued", subject=subject, subject_id=subject_id, users=len(wanted),
             deliveries=len(rows))
    return rows


def delivery_query(session: Session, principal: Principal, *, subject: str | None = None,
                   subject_id: int | None = None, status: str | None = None) -> Select[Any]:
    """Deliveries of the caller's schools, newest first."""
    stmt = scoped(select(OverduePush).order_by(OverduePush.id.desc()), OverduePush.school_id, session, principal)
    if subject:
        stmt = stmt.where(OverduePush.subject == subject)
    if subject_id is not None:
        stmt = stmt.where(OverduePush.subject_id == subject_id)
    if status:
        stmt = stmt.where(OverduePush.status == status)
    return stmt


@dataclass(frozen=True)
class _Send:
    endpoint: str
    keys: dict[str, str]
    vapid_pem: str
    data: str


def _load(db: Database, push_id: int) -> _Send | None:
    """Everything the send needs, read in a short transaction (no lock held over the network call)."""
    with db.session() as s:
        row = s.get(OverduePush, push_id)
        if row is None or row.status != "pending":
            return None
        sub = s.scalars(select(PushSubscription).where(PushSubscription.endpoint == row.endpoint)).first()
        if sub is None:
            return _Send(row.endpoint, {}, "", "")
        data = json.dumps({"title": row.title, "body": row.body, "url": row.url,
                           "tag": f"{row.subject}-{row.subject_id}-overdue", "kind": f"{row.subject}.overdue",
                           f"{row.subject}_id": row.subject_id}, ensure_ascii=False)
        return _Send(row.endpoint, {"p256dh": sub.p256dh, "auth": sub.auth}, vapid_key(s).private_pem, data)


def _send(job: _Send) -> tuple[bool, int | None, str | None]:
    """Encrypt (aes128gcm) and post to the push service; returns (ok, HTTP status, error)."""
    if not job.keys:
        return False, None, "subscription removed"
    try:
        resp = webpush({"endpoint": job.endpoint, "keys": job.keys}, data=job.data,
                       vapid_private_key=Vapid02.from_pem(job.vapid_pem.encode()),
                       vapid_claims={"sub": VAPID_SUBJECT}, ttl=TTL_S, timeout=5)
    except WebPushException as exc:
        code = exc.response.status_code if exc.response is not None else None
        return False, code, str(exc)[:500]
    except Exception as exc:  # network errors surface from requests
        return False, None, f"{type(exc).__name__}: {exc}"[:500]
    code = int(getattr(resp, "status_code", 0) or 0)
    return 200 <= code < 300, code, None if 200 <= code < 300 else f"push service answered {code}"


@jobs.job(JOB_KIND)
def deliver(session: Session, payload: dict[str, Any]) -> None:
    """Send one delivery; a temporary failure is retried with backoff, a gone subscription is final."""
    db: Database = session.info["db"]
    push_id = int(payload["push_id"])
    job = _load(db, push_id)
    if job is None:
        return
    started = time.monotonic()
    ok, code, error = _send(job)
    row = session.get(OverduePush, push_id)
    if row is None:
        return
    row.attempts += 1
    row.response_code, row.error = code, error
    if ok:
        row.status, row.sent_at = "sent", utcnow()
    elif code in (404, 410) or error == "subscription removed" or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
    else:
        jobs.schedule(session, kind=JOB_KIND, key=f"{JOB_KIND}:{row.id}:{row.attempts + 1}",
                      run_at=utcnow() + timedelta(seconds=2 ** row.attempts), payload={"push_id": row.id})
    log.info("overdue.push", id=row.id, subject=row.subject, status=row.status, code=code,
             ms=round((time.monotonic() - started) * 1000, 1))
