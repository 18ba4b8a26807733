"""Anonymous bullying and safety reports: no account, a case number and a secret code, no reporter trace."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from typing import Any

import structlog
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campusguard.bulletin.events import ReportReceived
from campusguard.bulletin.models import AnonymousReport, ReportMessage
from campusguard.bulletin.schemas import ReplyIn, ReportIn
from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.crypto import hash_token
from campusguard.core.errors import NotFound, TooManyRequests, Unprocessable
from campusguard.core.scope import check_school, scoped
from campusguard.org import service as org

log = structlog.get_logger(__name__)
CASE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read over the phone


class AnonymousLimiter:
    """Sliding-window limit keyed by a salted hash of the client address, kept only in this process's memory.

    The salt is random per process and never stored, so the keys cannot be turned back into addresses,
    not even by whoever reads the memory after a restart; nothing of it reaches the database or the logs.
    """

    def __init__(self, max_events: int, window_s: float) -> None:
        self.max_events = max_events
        self.window_s = window_s
        self._salt = secrets.token_bytes(32)
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _key(self, client: str) -> str:
        return hmac.new(self._salt, client.encode(), hashlib.sha256).hexdigest()[:32]

    def hit(self, client: str) -> None:
        """Count one event; refuse with 429 once the window is full."""
        now = time.monotonic()
        key = self._key(client)
        with self._lock:
            if len(self._hits) > 10_000:
                self._hits = {k: q for k, q in self._hits.items() if q and now - q[-1] < self.window_s}
            q = self._hits.setdefault(key, deque())
            while q and now - q[0] > self.window_s:
                q.popleft()
            if len(q) >= self.max_events:
                raise TooManyRequests(
                    "too many reports from this connection; please try again later",
                    code="rate_limited",
                    headers={"Retry-After": str(int(self.window_s))},
                )
            q.append(now)


SUBMIT_LIMIT = (5, 600.0)  # reports per connection per 10 minutes
FOLLOW_LIMIT = (30, 600.0)  # follow-up look-ups per connection per 10 minutes


def _case_number(session: Session) -> str:
    for _ in range(10):
        number = "AR" + "".join(secrets.choice(CASE_ALPHABET) for _ in range(8))
        if session.scalar(select(AnonymousReport.id).where(AnonymousReport.case_number == number)) is None:
            return number
    raise RuntimeError("could not draw a unique case number")


def submit(session: Session, data: ReportIn) -> tuple[AnonymousReport, str]:
    """File a report; returns it and the follow-up code (shown once, stored only as a hash)."""
    school = org.school_by_code(session, data.school_code.strip())
    if school is None:
        raise Unprocessable(f"unknown school code {data.school_code}", code="unknown_school")
    code = secrets.token_urlsafe(9)
    report = AnonymousReport(
        case_number=_case_number(session),
        code_hash=hash_token(code),
        school_id=school.id,
        category=data.category,
        description=data.description.strip(),
    )
    session.add(report)
    session.flush()
    session.add(ReportMessage(report_id=report.id, author="reporter", body=report.description))
    audit.record(
        session,
        principal=None,
        action="report.submit",
        target_type="anonymous_report",
        target_id=report.case_number,
        school_id=school.id,
        district_code=school.district_code,
        detail={"category": data.category},
    )
    publish(
        session,
        ReportReceived(
            school_id=school.id,
            district_code=school.district_code,
            report_id=report.id,
            case_number=report.case_number,
            category=report.category,
        ),
    )
    log.info("report.received", case=report.case_number, school_id=school.id, category=data.category)
    return report, code


def by_code(session: Session, case_number: str, code: str) -> AnonymousReport:
    """The reporter's view: case number plus secret code; any mismatch is the same 404."""
    report = session.scalars(
        select(AnonymousReport).where(AnonymousReport.case_number == case_number.strip().upper())
    ).first()
    if report is None or not hmac.compare_digest(report.code_hash, hash_token(code.strip())):
        raise NotFound("no report with this case number and code", code="unknown_case")
    return report


def messages(session: Session, report_id: int) -> list[ReportMessage]:
    return list(
        session.scalars(
            select(ReportMessage).where(ReportMessage.report_id == report_id).order_by(ReportMessage.id)
        ).all()
    )


def reporter_view(session: Session, report: AnonymousReport) -> dict[str, Any]:
    """What the reporter sees: status and the thread, handlers by role only."""
    return {
        "case_number": report.case_number,
        "status": report.status,
        "category": report.category,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "messages": [
            {"author": m.author, "role": m.handler_role, "body": m.body, "at": m.at}
            for m in messages(session, report.id)
        ],
    }


def add_reporter_message(session: Session, report: AnonymousReport, body: str) -> ReportMessage:
    msg = ReportMessage(report_id=report.id, author="reporter", body=body.strip())
    session.add(msg)
    session.flush()
    audit.record(
        session,
        principal=None,
        action="report.reporter_message",
        target_type="anonymous_report",
        target_id=report.case_number,
        school_id=report.school_id,
    )
    return msg


def handler_query(session: Session, principal: Principal, status: str | None = None) -> Select[Any]:
    stmt = scoped(select(AnonymousReport), AnonymousReport.school_id, session, principal)
    if status:
        stmt = stmt.where(AnonymousReport.status == status)
    return stmt.order_by(AnonymousReport.id.desc())


def get_for_handler(session: Session, principal: Principal, report_id: int) -> AnonymousReport:
    report = session.get(AnonymousReport, report_id)
    if report is None:
        raise NotFound(f"report {report_id} not found")
    check_school(session, principal, report.school_id, write=False)
    return report


def reply(session: Session, principal: Principal, report_id: int, data: ReplyIn) -> AnonymousReport:
    report = get_for_handler(session, principal, report_id)
    check_school(session, principal, report.school_id)
    session.add(
        ReportMessage(
            report_id=report.id,
            author="handler",
            handler_user_id=principal.id,
            handler_role=principal.role.value,
            body=data.body.strip(),
        )
    )
    if data.status is not None:
        report.status = data.status
    elif report.status == "received":
        report.status = "handling"
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="report.reply",
        target_type="anonymous_report",
        target_id=report.case_number,
        school_id=report.school_id,
        detail={"status": report.status},
    )
    return report
