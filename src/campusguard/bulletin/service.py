"""Bulletins targeted by region, school type and role; read receipts and read rates; safety lessons."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campusguard.accounts import service as accounts
from campusguard.bulletin.events import BulletinPublished, BulletinReadEvent
from campusguard.bulletin.models import Bulletin, BulletinAttachment, BulletinRead, SafetyLesson
from campusguard.bulletin.sanitize import clean_html
from campusguard.bulletin.schemas import BulletinIn, LessonIn
from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, NotFound, PayloadTooLarge, ProblemError
from campusguard.core.permissions import REGION_ROLES, Role
from campusguard.core.scope import allowed_school_ids, check_school, scoped
from campusguard.org import service as org
from campusguard.org.models import Region, School

log = structlog.get_logger(__name__)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class UnsupportedMedia(ProblemError):
    status, title, code = 415, "Unsupported media type", "unsupported_media"


@dataclass(frozen=True)
class Reader:
    """What targeting needs to know about a reader: role, districts (None = city) and school types."""

    role: str
    districts: frozenset[str] | None
    school_types: frozenset[str] | None  # None: region-level reader, not bound to a school type


def matches(b: Bulletin, reader: Reader) -> bool:
    """Whether a published bulletin is addressed to this reader."""
    if b.status != "published":
        return False
    if b.target_roles and reader.role not in b.target_roles:
        return False
    if reader.districts is None:
        return True
    if b.region_code is not None and b.region_code not in reader.districts:
        return False
    if b.target_districts and not reader.districts & set(b.target_districts):
        return False
    return not (
        b.target_school_types
        and reader.school_types is not None
        and not reader.school_types & set(b.target_school_types)
    )


def _city_codes(session: Session) -> set[str]:
    return set(session.scalars(select(Region.code).where(Region.level == "city")).all())


def make_reader(
    role: str,
    region_code: str | None,
    school_codes: list[str] | tuple[str, ...],
    city_codes: set[str],
    schools: dict[str, tuple[str, str]],
) -> Reader:
    """Targeting facts of a user from their role and scope (`schools`: code -> (district, type))."""
    if Role(role) in REGION_ROLES:
        if region_code is None or region_code in city_codes:
            return Reader(role, None, None)
        return Reader(role, frozenset({region_code}), None)
    facts = [schools[c] for c in school_codes if c in schools]
    return Reader(role, frozenset(d for d, _ in facts), frozenset(t for _, t in facts))


def _school_facts(session: Session, codes: list[str] | None = None) -> dict[str, tuple[str, str]]:
    stmt = select(School.code, School.district_code, School.type)
    if codes is not None:
        stmt = stmt.where(School.code.in_(codes))
    return {c: (d, t) for c, d, t in session.execute(stmt).tuples()}


def reader_for(session: Session, principal: Principal) -> Reader:
    return make_reader(
        principal.role.value,
        principal.region_code,
        principal.school_codes,
        _city_codes(session),
        _school_facts(session, list(principal.school_codes)),
    )


def _publisher_reach(session: Session, principal: Principal) -> str | None:
    """The region a publisher speaks for: None for the city, else their district."""
    if principal.region_code is None or principal.region_code in _city_codes(session):
        return None
    return principal.region_code


# ---- bulletins ---------------------------------------------------------------------------------


def create(session: Session, principal: Principal, data: BulletinIn) -> Bulletin:
    reach = _publisher_reach(session, principal)
    try:
        body = clean_html(data.body_html)
    except ValueError as exc:
        raise BadRequest(str(exc), code="body_too_long") from exc
    if not body.strip():
        raise BadRequest("the body is empty once unsafe markup is removed", code="empty_body")
    districts = sorted(set(data.target_districts))
    if districts:
        known = set(
            session.scalars(
                select(Region.code).where(Region.code.in_(districts), Region.level == "district")
            ).all()
        )
        if known != set(districts):
            raise BadRequest(f"unknown districts {sorted(set(districts) - known)}", code="unknown_district")
        if reach is not None and set(districts) != {reach}:
            raise BadRequest("a district can only target itself", code="out_of_scope")
    b = Bulletin(
        title=data.title,
        category=data.category,
        body_html=body,
        region_code=reach,
        target_districts=districts,
        target_school_types=sorted(set(data.target_school_types)),
        target_roles=sorted(set(data.target_roles)),
        status="published",
        published_at=utcnow(),
        author_id=principal.id,
        author_name=principal.name,
    )
    session.add(b)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="bulletin.publish",
        target_type="bulletin",
        target_id=b.id,
        district_code=reach,
        detail={
            "title": b.title,
            "category": b.category,
            "districts": districts,
            "types": b.target_school_types,
            "roles": b.target_roles,
            "sanitized": body != data.body_html,
        },
    )
    publish(
        session,
        BulletinPublished(
            district_code=reach,
            bulletin_id=b.id,
            title=b.title,
            category=b.category,
            recipients_by_school=audience_by_school(session, b),
        ),
    )
    return b


def _countable(role: str, active: bool) -> bool:
    return active and role not in (Role.integrator.value, Role.device.value)


def _school_ids(session: Session, codes: list[str] | tuple[str, ...]) -> dict[str, int]:
    if not codes:
        return {}
    return {c: i for c, i in session.execute(select(School.code, School.id).where(School.code.in_(codes))).tuples()}


def audience_by_school(session: Session, b: Bulletin) -> dict[int, int]:
    """School-bound users a bulletin is addressed to, per school, so stats can compute read rates."""
    city, facts = _city_codes(session), _school_facts(session)
    ids = _school_ids(session, sorted(facts))
    out: Counter[int] = Counter()
    for u in session.scalars(accounts.user_query(session, SYSTEM)).all():
        if not _countable(u.role, u.active):
            continue
        for code in u.school_codes or []:
            if code in ids and matches(b, make_reader(u.role, u.region_code, [code], city, facts)):
                out[ids[code]] += 1
    return dict(out)


def _can_manage(session: Session, principal: Principal, b: Bulletin) -> bool:
    if not principal.can("bulletin.publish"):
        return False
    reach = _publisher_reach(session, principal)
    return reach is None or b.region_code == reach


def get(session: Session, principal: Principal, bulletin_id: int) -> Bulletin:
    b = session.get(Bulletin, bulletin_id)
    if b is None or not (_can_manage(session, principal, b) or matches(b, reader_for(session, principal))):
        raise NotFound(f"bulletin {bulletin_id} not found")
    return b


def list_for(
    session: Session, principal: Principal, *, category: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[tuple[Bulletin, bool]], int]:
    """Bulletins addressed to the caller (or published by their office), newest first, with read flags."""
    stmt: Select[Any] = select(Bulletin).order_by(Bulletin.published_at.desc(), Bulletin.id.desc())
    if category:
        stmt = stmt.where(Bulletin.category == category)
    reader = reader_for(session, principal)
    rows = [
        b
        for b in session.scalars(stmt.limit(5000)).all()
        if matches(b, reader) or _can_manage(session, principal, b)
    ]
    page = rows[offset : offset + limit]
    read = set(
        session.scalars(
            select(BulletinRead.bulletin_id).where(
                BulletinRead.user_id == principal.id, BulletinRead.bulletin_id.in_([b.id for b in page])
            )
        ).all()
    )
    return [(b, b.id in read) for b in page], len(rows)


def has_read(session: Session, principal: Principal, bulletin_id: int) -> bool:
    return (
        session.scalar(
            select(BulletinRead.id).where(
                BulletinRead.bulletin_id == bulletin_id, BulletinRead.user_id == principal.id
            )
        )
        is not None
    )


def mark_read(session: Session, principal: Principal, bulletin_id: int) -> BulletinRead:
    """Idempotent read receipt (only for a reader the bulletin is addressed to)."""
    b = session.get(Bulletin, bulletin_id)
    if b is None or not matches(b, reader_for(session, principal)):
        raise NotFound(f"bulletin {bulletin_id} not found")
    row = session.scalars(
        select(BulletinRead).where(BulletinRead.bulletin_id == b.id, BulletinRead.user_id == principal.id)
    ).first()
    if row is None:
        row = BulletinRead(bulletin_id=b.id, user_id=principal.id, role=principal.role.value)
        session.add(row)
        session.flush()
        audit.record(
            session, principal=principal, action="bulletin.read", target_type="bulletin", target_id=b.id
        )
        _publish_read(session, principal, b)
    return row


def _publish_read(session: Session, principal: Principal, b: Bulletin) -> None:
    """Tell stats which schools this first read counts for (those of the reader the bulletin targets)."""
    city = _city_codes(session)
    facts = _school_facts(session, list(principal.school_codes))
    ids = _school_ids(session, principal.school_codes)
    schools = sorted(
        ids[c]
        for c in principal.school_codes
        if c in ids and matches(b, make_reader(principal.role.value, principal.region_code, [c], city, facts))
    )
    publish(
        session,
        BulletinReadEvent(
            school_id=schools[0] if schools else None,
            district_code=b.region_code,
            bulletin_id=b.id,
            user_id=principal.id,
            role=principal.role.value,
            school_ids=schools,
        ),
    )


def stats(session: Session, principal: Principal, bulletin_id: int) -> dict[str, Any]:
    """Audience, reads and read rate, per role, counted among the users the caller may see."""
    b = get(session, principal, bulletin_id)
    users = session.scalars(accounts.user_query(session, SYSTEM)).all()
    ids = allowed_school_ids(session, principal)
    visible_codes: set[str] | None = None
    if ids is not None:
        visible_codes = set(session.scalars(select(School.code).where(School.id.in_(ids))).all())
    city, facts = _city_codes(session), _school_facts(session)
    read_by = set(session.scalars(select(BulletinRead.user_id).where(BulletinRead.bulletin_id == b.id)).all())
    audience: Counter[str] = Counter()
    reads: Counter[str] = Counter()
    for u in users:
        if not u.active or u.role in (Role.integrator.value, Role.device.value):
            continue
        if visible_codes is not None and not (u.school_codes and set(u.school_codes) <= visible_codes):
            continue
        if not matches(b, make_reader(u.role, u.region_code, u.school_codes or [], city, facts)):
            continue
        audience[u.role] += 1
        if u.id in read_by:
            reads[u.role] += 1
    total, read = sum(audience.values()), sum(reads.values())
    return {
        "bulletin_id": b.id,
        "audience": total,
        "read": read,
        "read_rate": round(read / total, 4) if total else 0.0,
        "by_role": {
            role: {"audience": n, "read": reads[role], "read_rate": round(reads[role] / n, 4)}
            for role, n in sorted(audience.items())
        },
    }


# ---- attachments -------------------------------------------------------------------------------


def sniff(data: bytes, filename: str) -> str:
    """Content type from the bytes themselves (the client's claim is ignored)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data.startswith(b"PK\x03\x04") and filename.lower().endswith((".docx", ".pptx", ".xlsx")):
        return {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[filename.lower().rsplit(".", 1)[1]]
    raise UnsupportedMedia(
        "attachments must be PDF, PNG, JPEG, WebP, MP4 or an Office document", code="unsupported_attachment"
    )


def add_attachment(
    session: Session, principal: Principal, bulletin_id: int, *, filename: str, data: bytes
) -> BulletinAttachment:
    b = get(session, principal, bulletin_id)
    if not _can_manage(session, principal, b):
        raise NotFound(f"bulletin {bulletin_id} not found")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise PayloadTooLarge(
            f"attachments are limited to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB",
            code="attachment_too_large",
        )
    if not data:
        raise BadRequest("empty file", code="empty_file")
    content_type = sniff(data, filename)
    safe_name = "".join(c for c in filename if c not in '\\/:*?"<>|\r\n')[:200] or "attachment"
    row = BulletinAttachment(
        bulletin_id=b.id,
        filename=safe_name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="bulletin.attach",
        target_type="bulletin",
        target_id=b.id,
        detail={"filename": safe_name, "type": content_type, "bytes": len(data)},
    )
    return row


def attachments(session: Session, bulletin_ids: list[int]) -> dict[int, list[BulletinAttachment]]:
    out: dict[int, list[BulletinAttachment]] = {}
    for a in session.scalars(
        select(BulletinAttachment)
        .where(BulletinAttachment.bulletin_id.in_(bulletin_ids))
        .order_by(BulletinAttachment.id)
    ):
        out.setdefault(a.bulletin_id, []).append(a)
    return out


def get_attachment(
    session: Session, principal: Principal, bulletin_id: int, attachment_id: int
) -> BulletinAttachment:
    get(session, principal, bulletin_id)
    row = session.get(BulletinAttachment, attachment_id)
    if row is None or row.bulletin_id != bulletin_id:
        raise NotFound("attachment not found")
    return row


# ---- safety lessons ----------------------------------------------------------------------------


def log_lesson(session: Session, principal: Principal, data: LessonIn) -> SafetyLesson:
    school = org.get_school(session, principal, data.school_id)
    check_school(session, principal, school.id)
    if data.given_at.tzinfo is None:
        raise BadRequest("given_at needs a timezone", code="naive_time")
    row = SafetyLesson(**data.model_dump(), created_by=principal.id)
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="bulletin.lesson",
        target_type="safety_lesson",
        target_id=row.id,
        school_id=school.id,
        detail=data.model_dump(mode="json"),
    )
    return row


def lesson_query(session: Session, principal: Principal, school_id: int | None = None) -> Select[Any]:
    stmt = scoped(select(SafetyLesson), SafetyLesson.school_id, session, principal)
    if school_id:
        stmt = stmt.where(SafetyLesson.school_id == school_id)
    return stmt.order_by(SafetyLesson.given_at.desc())
