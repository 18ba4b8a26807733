"""Tamper-evident audit log: each row carries the SHA-256 of its content and of the row before."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.models import AuditHead, AuditLog

GENESIS = "0" * 64


def _digest(row: AuditLog) -> str:
    body = {
        "seq": row.seq, "at": row.at.isoformat(timespec="microseconds"), "actor": row.actor,
        "actor_id": row.actor_id, "role": row.role, "action": row.action,
        "target_type": row.target_type, "target_id": row.target_id, "school_id": row.school_id,
        "district_code": row.district_code, "request_id": row.request_id, "ip": row.ip,
        "detail": row.detail, "prev_hash": row.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(session: Session, *, principal: Principal | None, action: str, target_type: str | None = None,
           target_id: Any = None, school_id: int | None = None, district_code: str | None = None,
           detail: dict[str, Any] | None = None) -> AuditLog:
    """Append one audit row in the caller's transaction (it commits or vanishes with the change)."""
    head = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    ).one()
    seq, prev = int(head[0]), str(head[1])
    row = AuditLog(
        seq=seq, at=utcnow(),
        actor=principal.name if principal else "anonymous",
        actor_id=principal.id if principal else None,
        role=principal.role.value if principal else "anonymous",
        action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        school_id=school_id, district_code=district_code,
        request_id=principal.request_id if principal else None,
        ip=principal.ip if principal else None,
        detail=json.loads(json.dumps(detail or {}, default=str)), prev_hash=prev,
    )
    row.hash = _digest(row)
    session.add(row)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=row.hash))
    return row


@dataclass
class VerifyResult:
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first row whose content or link does not match."""
    prev = GENESIS
    count = 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.seq > last_seq).order_by(AuditLog.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != last_seq + 1:
                return VerifyResult(False, count, last_seq + 1, "row missing from the chain")
            if row.prev_hash != prev:
                return VerifyResult(False, count, row.seq, "link to previous row broken")
            if _digest(row) != row.hash:
                return VerifyResult(False, count, row.seq, "row content changed")
            prev, last_seq = row.hash, row.seq
            count += 1
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last_seq or head.last_hash != prev):
        return VerifyResult(False, count, last_seq + 1, "chain tip does not match (rows removed at the end)")
    return VerifyResult(True, count)
