"""Visitors: registration with ID number and photo, screened against watchlists before entry, badge, log."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, Forbidden, NotFound
from campusguard.core.pagination import PageParams, paginate
from campusguard.core.scope import check_school, scoped
from campusguard.face import recognition
from campusguard.face.models import Capture, FacePerson, Visitor, Watchlist
from campusguard.face.schemas import VisitorOut
from campusguard.face.service import KEY, add_templates, embedding_bytes, enrolment_face
from campusguard.org.models import School

log = structlog.get_logger(__name__)
PRC_ID = re.compile(r"^\d{17}[\dX]$")
OTHER_ID = re.compile(r"^[A-Z0-9]{5,20}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@dataclass
class VisitorData:
    school_id: int
    name: str
    id_number: str
    host: str
    purpose: str
    valid_from: datetime
    valid_until: datetime
    phone: str | None = None


def normalise_id(value: str) -> str:
    """Upper-case, no spaces; an 18-digit resident ID must carry a valid GB 11643 check digit."""
    v = re.sub(r"\s+", "", value).upper()
    if PRC_ID.match(v):
        total = sum(int(c) * w for c, w in zip(v[:17], ID_WEIGHTS, strict=True))
        if ID_CHECK[total % 11] != v[17]:
            raise BadRequest("resident ID number has a wrong check digit", code="bad_id_number")
        return v
    if OTHER_ID.match(v):
        return v
    raise BadRequest(
        "ID number must be an 18-character resident ID or a 5-20 character document number",
        code="bad_id_number",
    )


def id_hash(secret: str, id_number: str) -> str:
    """Keyed hash for lookups (a plain hash of an ID number is trivially brute-forced)."""
    return hmac.new(
        hashlib.sha256(("visitor-id:" + secret).encode()).digest(), id_number.encode(), hashlib.sha256
    ).hexdigest()


def mask(id_number: str) -> str:
    return id_number[:3] + "*" * max(0, len(id_number) - 7) + id_number[-4:]


def _visitor_list(session: Session, principal: Principal, school: School) -> Watchlist:
    wl = session.scalars(
        select(Watchlist)
        .where(Watchlist.kind == "visitor", Watchlist.school_id == school.id, Watchlist.active.is_(True))
        .order_by(Watchlist.id)
    ).first()
    if wl is None:
        wl = Watchlist(
            name=f"{school.name} 访客", kind="visitor", school_id=school.id, created_by=principal.label
        )
        session.add(wl)
        session.flush()
    return wl


def register(
    session: Session, principal: Principal, data: VisitorData, photo: bytes, *, secret: str
) -> Visitor:
    """Screen the visitor's face against the key-person lists; approve with a badge or deny with an alert."""
    if not principal.can("face.visitor"):
        raise Forbidden("visitor registration needs face.visitor", code="forbidden")
    school = session.get(School, data.school_id)
    if school is None:
        raise NotFound(f"unknown school {data.school_id}", code="unknown_school")
    check_school(session, principal, school.id)
    if data.valid_from.tzinfo is None or data.valid_until.tzinfo is None:
        raise BadRequest("visit window needs time zones", code="naive_datetime")
    if data.valid_until <= data.valid_from:
        raise BadRequest("visit must end after it starts", code="bad_window")
    if (data.valid_until - data.valid_from).days > 31:
        raise BadRequest("a visit window is at most 31 days", code="bad_window")
    id_number = normalise_id(data.id_number)
    face = enrolment_face(photo, field="photo")
    now = utcnow()
    lists = {k: w for k, w in recognition.gate_watchlists(session, school).items() if w.kind == KEY}
    cand = recognition.best_candidate(session, lists, face.embedding, now)
    visitor = Visitor(
        school_id=school.id,
        name=data.name,
        id_number=id_number,
        id_number_hash=id_hash(secret, id_number),
        phone=data.phone,
        host=data.host,
        purpose=data.purpose,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        badge_code=secrets.token_hex(4).upper(),
        created_by=principal.label,
    )
    earlier_denials = session.scalars(
        select(Visitor.id).where(Visitor.id_number_hash == visitor.id_number_hash, Visitor.status == "denied")
    ).all()
    screening: dict[str, Any] = {
        "checked_at": now.isoformat(),
        "watchlists": len(lists),
        "earlier_denials": len(earlier_denials),
    }
    if cand is not None:
        cap = Capture(
            school_id=school.id,
            device_id=None,
            device_code="visitor-desk",
            direction="in",
            captured_at=now,
            last_seen_at=now,
            status="matched",
            person_id=cand.person.id,
            watchlist_id=cand.watchlist.id,
            watchlist_kind=KEY,
            distance=round(cand.distance, 4),
            box=list(face.detection.box),
            embedding=embedding_bytes(face.embedding),
            face_image=face.crop_jpeg,
            retain=True,
        )
        session.add(cap)
        session.flush()
        alert = recognition.raise_hit(session, None, school, cap, cand)
        visitor.status = "denied"
        screening.update(result="watchlist_hit", alert_id=alert.id, incident_id=alert.incident_id)
    else:
        visitor.status = "approved"
        screening["result"] = "clear"
        wl = _visitor_list(session, principal, school)
        person = FacePerson(
            watchlist_id=wl.id,
            name=data.name,
            category="visitor",
            expires_at=data.valid_until,
            created_by=principal.label,
        )
        session.add(person)
        session.flush()
        add_templates(session, person, [face])
        visitor.person_id = person.id
    visitor.screening = screening
    session.add(visitor)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="face.visitor.register",
        target_type="face_visitor",
        target_id=visitor.id,
        school_id=school.id,
        district_code=school.district_code,
        detail={"status": visitor.status, "host": visitor.host, "purpose": visitor.purpose},
    )
    log.info("face.visitor", school=school.code, status=visitor.status)
    return visitor


def out(v: Visitor) -> VisitorOut:
    item = VisitorOut.model_validate(v)
    item.id_number_masked = mask(v.id_number)
    if v.status == "denied":  # the school sees "denied", not which watchlist or person
        item.screening = {"result": "denied", "checked_at": v.screening.get("checked_at")}
    return item


def list_visitors(
    session: Session,
    principal: Principal,
    *,
    school_id: int | None,
    status: str | None,
    since: datetime | None,
    params: PageParams,
) -> tuple[list[VisitorOut], int]:
    if not principal.can("face.visitor") and not principal.can("face.pass.read"):
        raise Forbidden("the visitor log needs face.visitor", code="forbidden")
    stmt: Select[Any] = scoped(select(Visitor), Visitor.school_id, session, principal)
    if school_id is not None:
        stmt = stmt.where(Visitor.school_id == school_id)
    if status:
        stmt = stmt.where(Visitor.status == status)
    if since:
        stmt = stmt.where(Visitor.valid_until >= since)
    rows, total = paginate(session, stmt.order_by(Visitor.valid_from.desc(), Visitor.id.desc()), params)
    return [out(v) for v in rows], total


def move(session: Session, principal: Principal, visitor_id: int, action: str) -> Visitor:
    """Check a visitor in (inside the window, approved) or out."""
    if not principal.can("face.visitor"):
        raise Forbidden("visitor check-in needs face.visitor", code="forbidden")
    v = session.get(Visitor, visitor_id)
    if v is None:
        raise NotFound("no such visitor")
    check_school(session, principal, v.school_id)
    now = utcnow()
    if action == "checkin":
        if v.status != "approved":
            raise Conflict(f"visitor is {v.status}", code="not_approved")
        if not v.valid_from <= now <= v.valid_until:
            raise Conflict("outside the visit window", code="outside_window")
        v.status, v.checked_in_at = "in", now
    elif action == "checkout":
        if v.status != "in":
            raise Conflict(f"visitor is {v.status}", code="not_inside")
        v.status, v.checked_out_at = "out", now
        if v.person_id is not None:
            person = session.get(FacePerson, v.person_id)
            if person is not None:
                person.expires_at = now  # the purge removes the template
    else:
        raise BadRequest("action is checkin or checkout", code="bad_action")
    session.flush()
    audit.record(
        session,
        principal=principal,
        action=f"face.visitor.{action}",
        target_type="face_visitor",
        target_id=v.id,
        school_id=v.school_id,
    )
    return v
