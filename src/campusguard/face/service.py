"""Watchlists, enrolment with the quality gate, and audited face search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import structlog
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, Forbidden, NotFound, ProblemError
from campusguard.core.scope import allowed_school_ids, check_school
from campusguard.face import imaging, quality, runtime
from campusguard.face.analysis import Analysis, FaceResult
from campusguard.face.events import FaceTemplatesChanged
from campusguard.face.models import WATCHLIST_KINDS, Capture, FacePerson, FaceTemplate, Watchlist
from campusguard.face.schemas import SearchCandidate, WatchlistIn
from campusguard.org.models import Person, School

log = structlog.get_logger(__name__)

KEY = "key_person"
KEY_ADMIN = "face.watchlist.admin"
ROSTER_ADMIN = "face.roster.admin"
CATEGORIES = {
    KEY: ("wanted", "violent_record", "mental_health_risk", "sex_offender", "custody_dispute", "other"),
    "roster": ("student", "staff", "pickup", "other"),
    "visitor": ("visitor",),
}


class ImageProblem(ProblemError):
    """Upload refused before recognition (not an image, corrupt, too large)."""

    status, title, code = 415, "Unsupported image", "not_an_image"


class QualityProblem(ProblemError):
    """Photo unusable for enrolment; the code names the failing check."""

    status, title, code = 422, "Photo rejected by the quality gate", "quality"


def image_problem(exc: imaging.ImageRejected, field: str = "image") -> ImageProblem:
    status = 413 if exc.code == "image_too_large" else (422 if exc.code == "empty_image" else 415)
    log.info("face.image.rejected", code=exc.code, field=field)
    return ImageProblem(exc.detail, code=exc.code, status=status, extra={"field": field})


def analyse_upload(data: bytes, *, field: str = "image", upsample: int | None = None) -> Analysis:
    """Validate untrusted bytes, then detect+embed in the worker pool."""
    s = runtime.face_settings()
    try:
        imaging.validate(data, max_bytes=s.max_upload_bytes)
        return runtime.get_pool().analyse(data, upsample=s.capture_upsample if upsample is None else upsample)
    except imaging.ImageRejected as exc:
        raise image_problem(exc, field) from exc


def enrolment_face(data: bytes, *, field: str = "photo") -> FaceResult:
    """The single good face of an enrolment photo, or a 422 naming the reason."""
    analysis = analyse_upload(data, field=field, upsample=0)
    if not analysis.faces:
        analysis = analyse_upload(data, field=field, upsample=1)
    try:
        quality.check([f.quality for f in analysis.faces])
    except quality.QualityRejected as exc:
        log.info("face.enrol.rejected", code=exc.code, field=field)
        raise QualityProblem(exc.detail, code=exc.code, extra={"field": field}) from exc
    return analysis.faces[0]


def embedding_bytes(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype=np.float32).tobytes()


def embedding_of(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


# ------------------------------------------------------------------ watchlists


def _district_of(session: Session, school_id: int | None) -> str | None:
    if school_id is None:
        return None
    school = session.get(School, school_id)
    return school.district_code if school else None


def can_admin(principal: Principal, kind: str) -> bool:
    if kind == KEY:
        return principal.can(KEY_ADMIN)
    return principal.can(ROSTER_ADMIN) or principal.can(KEY_ADMIN)


def _check_key_region(principal: Principal, wl: Watchlist, *, write: bool) -> None:
    """District police manage their district's lists; city-wide lists are read-only for them."""
    if principal.kind == "system" or principal.role.value == "city_admin":
        return
    if wl.region_code in (None, principal.region_code) and not write:
        return
    if wl.region_code is not None and wl.region_code == principal.region_code:
        return
    raise (
        Forbidden("this watchlist belongs to another region", code="out_of_scope")
        if write
        else NotFound("no such watchlist in your scope")
    )


def check_watchlist(session: Session, principal: Principal, wl: Watchlist, *, write: bool) -> None:
    """Key-person lists only for police roles; roster/visitor lists by school scope."""
    if not can_admin(principal, wl.kind):
        if wl.kind == KEY:
            raise NotFound("no such watchlist in your scope")
        raise Forbidden(f"role {principal.role.value} cannot manage face libraries", code="forbidden")
    if wl.kind == KEY:
        _check_key_region(principal, wl, write=write)
    else:
        check_school(session, principal, wl.school_id, write=write)


def get_watchlist(
    session: Session, principal: Principal, watchlist_id: int, *, write: bool = False
) -> Watchlist:
    wl = session.get(Watchlist, watchlist_id)
    if wl is None:
        raise NotFound("no such watchlist", code="not_found")
    check_watchlist(session, principal, wl, write=write)
    return wl


def create_watchlist(session: Session, principal: Principal, data: WatchlistIn) -> Watchlist:
    if not can_admin(principal, data.kind):
        raise Forbidden(f"role {principal.role.value} cannot create {data.kind} watchlists", code="forbidden")
    region = data.region_code
    if data.kind == KEY:
        if data.school_id is not None:
            raise BadRequest(
                "key-person watchlists are region-wide, not per school", code="school_not_allowed"
            )
        if principal.role.value != "city_admin" and principal.kind != "system":
            region = principal.region_code
    else:
        if data.school_id is None:
            raise BadRequest(
                f"{data.kind} watchlists belong to a school: school_id is required", code="school_required"
            )
        if session.get(School, data.school_id) is None:
            raise NotFound(f"unknown school {data.school_id}", code="unknown_school")
        check_school(session, principal, data.school_id)
        region = None
    wl = Watchlist(
        name=data.name,
        kind=data.kind,
        school_id=data.school_id,
        region_code=region,
        threshold=data.threshold,
        description=data.description,
        source=data.source,
        created_by=principal.label,
    )
    session.add(wl)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="face.watchlist.create",
        target_type="face_watchlist",
        target_id=wl.id,
        school_id=wl.school_id,
        district_code=_district_of(session, wl.school_id),
        detail={"kind": wl.kind, "name": wl.name, "region": region},
    )
    return wl


def visible_watchlists(session: Session, principal: Principal, kind: str | None = None) -> Select[Any]:
    stmt = select(Watchlist).order_by(Watchlist.id)
    kinds = [k for k in WATCHLIST_KINDS if can_admin(principal, k) and (kind is None or k == kind)]
    if not kinds:
        raise Forbidden(f"role {principal.role.value} cannot see face libraries", code="forbidden")
    ids = allowed_school_ids(session, principal)
    conds: list[ColumnElement[bool]] = []
    if KEY in kinds:
        key_cond: ColumnElement[bool] = Watchlist.kind == KEY
        if principal.role.value != "city_admin" and principal.kind != "system":
            key_cond = key_cond & or_(
                Watchlist.region_code.is_(None), Watchlist.region_code == principal.region_code
            )
        conds.append(key_cond)
    local = [k for k in kinds if k != KEY]
    if local:
        cond: ColumnElement[bool] = Watchlist.kind.in_(local)
        if ids is not None:
            cond = cond & Watchlist.school_id.in_(sorted(ids))
        conds.append(cond)
    return stmt.where(or_(*conds))


def person_counts(session: Session, watchlist_ids: Sequence[int]) -> dict[int, int]:
    if not watchlist_ids:
        return {}
    rows = session.execute(
        select(FacePerson.watchlist_id, func.count())
        .where(FacePerson.watchlist_id.in_(list(watchlist_ids)), FacePerson.active.is_(True))
        .group_by(FacePerson.watchlist_id)
    ).all()
    return {int(w): int(n) for w, n in rows}


def delete_watchlist(session: Session, principal: Principal, watchlist_id: int) -> None:
    wl = get_watchlist(session, principal, watchlist_id, write=True)
    audit.record(
        session,
        principal=principal,
        action="face.watchlist.delete",
        target_type="face_watchlist",
        target_id=wl.id,
        school_id=wl.school_id,
        district_code=_district_of(session, wl.school_id),
        detail={"kind": wl.kind, "name": wl.name},
    )
    runtime.registry(session).drop(wl.id)
    publish(session, FaceTemplatesChanged(watchlist_id=wl.id, dropped=True))
    session.delete(wl)
    session.flush()


# ------------------------------------------------------------------ persons


@dataclass
class PersonData:
    name: str
    category: str = "other"
    risk_level: str | None = None
    source: str | None = None
    legal_basis: str | None = None
    expires_at: datetime | None = None
    org_person_id: int | None = None
    external_id: str | None = None
    id_number: str | None = None
    minor: bool = False
    guardian_consent: bool = False


def _validate_person(session: Session, wl: Watchlist, data: PersonData) -> None:
    if not data.name.strip():
        raise BadRequest("name is required", code="name_required")
    allowed = CATEGORIES.get(wl.kind, ())
    if data.category not in allowed:
        raise BadRequest(
            f"category must be one of {', '.join(allowed)} for {wl.kind} lists", code="bad_category"
        )
    if wl.kind == KEY:
        if not data.legal_basis:
            raise BadRequest("key persons need a legal basis (PIPL art. 13/34)", code="legal_basis_required")
        if data.expires_at is not None and data.expires_at <= utcnow():
            raise BadRequest("expiry date is in the past", code="expired")
    if data.org_person_id is not None:
        org_person = session.get(Person, data.org_person_id)
        if org_person is None or org_person.school_id != wl.school_id:
            raise BadRequest("org person not found in this watchlist's school", code="unknown_person")
        data.minor = data.minor or org_person.minor
    if data.minor and not data.guardian_consent:
        raise ProblemError(
            "a minor's face may only be enrolled with the guardian's consent",
            code="guardian_consent_required",
            status=422,
        )


def enrol_person(
    session: Session, principal: Principal, watchlist_id: int, data: PersonData, photos: Sequence[bytes]
) -> tuple[FacePerson, list[FaceTemplate], str | None]:
    """Create a person with one template per photo; every photo must pass the quality gate."""
    wl = get_watchlist(session, principal, watchlist_id, write=True)
    if not photos:
        raise BadRequest("at least one photo is required", code="photo_required")
    _validate_person(session, wl, data)
    faces = [enrolment_face(p, field=f"photo[{i}]") for i, p in enumerate(photos)]
    person = FacePerson(watchlist_id=wl.id, created_by=principal.label, **data.__dict__)
    session.add(person)
    session.flush()
    templates = add_templates(session, person, faces)
    audit.record(
        session,
        principal=principal,
        action="face.person.enrol",
        target_type="face_person",
        target_id=person.id,
        school_id=wl.school_id,
        district_code=_district_of(session, wl.school_id),
        detail={
            "watchlist_id": wl.id,
            "kind": wl.kind,
            "category": person.category,
            "photos": len(templates),
            "minor": person.minor,
            "guardian_consent": person.guardian_consent,
        },
    )
    return person, templates, capacity_warning(session)


def add_templates(session: Session, person: FacePerson, faces: Sequence[FaceResult]) -> list[FaceTemplate]:
    s = runtime.face_settings()
    rows = []
    for face in faces:
        q = face.quality
        row = FaceTemplate(
            person_id=person.id,
            watchlist_id=person.watchlist_id,
            engine=s.engine.rsplit(":")[-1],
            embedding=embedding_bytes(face.embedding),
            thumbnail=face.crop_jpeg,
            quality={
                "size_px": q.size_px,
                "blur": round(q.blur, 1),
                "yaw": round(q.yaw, 3),
                "roll_deg": round(q.roll_deg, 1),
                "pitch": round(q.pitch, 3),
            },
        )
        session.add(row)
        rows.append(row)
    session.flush()
    if person.active:  # an inactive person stays out of the index until re-activated
        runtime.registry(session).get(person.watchlist_id).add(
            [r.id for r in rows], np.stack([f.embedding for f in faces])
        )
        publish(session, FaceTemplatesChanged(watchlist_id=person.watchlist_id, added=[r.id for r in rows]))
    return rows


def capacity_warning(session: Session) -> str | None:
    """PIPL proportionality: warn when a deployment stores more faces than the review threshold."""
    limit = runtime.face_settings().face_count_warning
    count = session.scalar(select(func.count()).select_from(FaceTemplate)) or 0
    if count >= limit:
        log.warning("face.capacity.warning", templates=count, threshold=limit)
        return f"{count} faces stored: at or above the {limit} review threshold"
    return None


def get_person(session: Session, principal: Principal, person_id: int, *, write: bool = False) -> FacePerson:
    person = session.get(FacePerson, person_id)
    if person is None:
        raise NotFound("no such person", code="not_found")
    get_watchlist(session, principal, person.watchlist_id, write=write)
    return person


def delete_person(session: Session, principal: Principal, person_id: int) -> None:
    person = get_person(session, principal, person_id, write=True)
    wl = session.get(Watchlist, person.watchlist_id)
    school_id = wl.school_id if wl else None
    remove_person(session, person)
    audit.record(
        session,
        principal=principal,
        action="face.person.delete",
        target_type="face_person",
        target_id=person_id,
        school_id=school_id,
        district_code=_district_of(session, school_id),
        detail={"watchlist_id": person.watchlist_id},
    )


EDITABLE = (
    "name",
    "category",
    "risk_level",
    "source",
    "legal_basis",
    "expires_at",
    "org_person_id",
    "external_id",
    "id_number",
    "minor",
    "guardian_consent",
    "active",
)


def _index_person(session: Session, person: FacePerson, *, on: bool) -> list[int]:
    """Put a person's templates into the live index or take them out (every node follows the event)."""
    rows = session.execute(
        select(FaceTemplate.id, FaceTemplate.embedding).where(FaceTemplate.person_id == person.id)
    ).all()
    tids = [int(r[0]) for r in rows]
    index = runtime.registry(session).get(person.watchlist_id)
    if on and rows:
        index.add(tids, np.stack([embedding_of(r[1]) for r in rows]))
        publish(session, FaceTemplatesChanged(watchlist_id=person.watchlist_id, added=tids))
    elif not on:
        index.remove(tids)
        publish(session, FaceTemplatesChanged(watchlist_id=person.watchlist_id, removed=tids))
    return tids


def update_person(session: Session, principal: Principal, person_id: int, changes: dict[str, Any]) -> FacePerson:
    """Change a person's fields under the same rules as enrolment; (de)activation updates the index at once."""
    person = get_person(session, principal, person_id, write=True)
    wl = session.get(Watchlist, person.watchlist_id)
    assert wl is not None
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise BadRequest(f"fields not editable: {', '.join(unknown)}", code="not_editable")
    for key in ("name", "category", "minor", "guardian_consent", "active"):
        if key in changes and changes[key] is None:
            raise BadRequest(f"{key} cannot be null", code="null_field")
    current = {f: getattr(person, f) for f in PersonData.__dataclass_fields__}
    data = PersonData(**{**current, **{k: v for k, v in changes.items() if k != "active"}})
    if "expires_at" in changes and data.expires_at is not None and data.expires_at.tzinfo is None:
        raise BadRequest("expires_at needs a time zone", code="naive_datetime")
    _validate_person(session, wl, data)
    changed = sorted(k for k, v in {**data.__dict__, "active": changes.get("active", person.active)}.items()
                     if getattr(person, k) != v)
    was_active = person.active
    for key in changed:
        setattr(person, key, data.__dict__[key] if key != "active" else changes["active"])
    session.flush()
    if person.active != was_active:
        _index_person(session, person, on=person.active)
    audit.record(
        session,
        principal=principal,
        action="face.person.update",
        target_type="face_person",
        target_id=person.id,
        school_id=wl.school_id,
        district_code=_district_of(session, wl.school_id),
        detail={"watchlist_id": wl.id, "fields": changed},  # names only: values may be an ID number
    )
    return person


def add_photos(
    session: Session, principal: Principal, person_id: int, photos: Sequence[bytes], *, replace: bool = False
) -> tuple[FacePerson, list[FaceTemplate], str | None]:
    """Add templates (or re-enrol: replace them all); every photo passes the quality gate before anything changes."""
    person = get_person(session, principal, person_id, write=True)
    if not photos:
        raise BadRequest("at least one photo is required", code="photo_required")
    wl = session.get(Watchlist, person.watchlist_id)
    assert wl is not None
    faces = [enrolment_face(p, field=f"photo[{i}]") for i, p in enumerate(photos)]
    removed: list[int] = []
    if replace:
        removed = _index_person(session, person, on=False) if person.active else list(
            session.scalars(select(FaceTemplate.id).where(FaceTemplate.person_id == person.id))
        )
        for tpl in session.scalars(select(FaceTemplate).where(FaceTemplate.person_id == person.id)):
            session.delete(tpl)
        session.flush()
    templates = add_templates(session, person, faces)
    audit.record(
        session,
        principal=principal,
        action="face.person.reenrol" if replace else "face.person.photos_add",
        target_type="face_person",
        target_id=person.id,
        school_id=wl.school_id,
        district_code=_district_of(session, wl.school_id),
        detail={"watchlist_id": wl.id, "added": [t.id for t in templates], "removed": removed},
    )
    return person, templates, capacity_warning(session)


def remove_photo(session: Session, principal: Principal, person_id: int, template_id: int) -> None:
    """Delete one template; the last one cannot go (delete the person instead)."""
    person = get_person(session, principal, person_id, write=True)
    tpl = session.get(FaceTemplate, template_id)
    if tpl is None or tpl.person_id != person.id:
        raise NotFound("no such photo of this person", code="not_found")
    count = session.scalar(select(func.count()).select_from(FaceTemplate).where(FaceTemplate.person_id == person.id))
    if (count or 0) <= 1:
        raise Conflict("the last photo cannot be removed: delete the person instead", code="last_photo")
    runtime.registry(session).get(person.watchlist_id).remove([template_id])
    publish(session, FaceTemplatesChanged(watchlist_id=person.watchlist_id, removed=[template_id]))
    session.delete(tpl)
    session.flush()
    wl = session.get(Watchlist, person.watchlist_id)
    school_id = wl.school_id if wl else None
    audit.record(
        session,
        principal=principal,
        action="face.person.photo_remove",
        target_type="face_person",
        target_id=person.id,
        school_id=school_id,
        district_code=_district_of(session, school_id),
        detail={"watchlist_id": person.watchlist_id, "template_id": template_id},
    )


def remove_person(session: Session, person: FacePerson) -> None:
    """Delete a person and their templates (and take them out of the live index)."""
    tids = list(session.scalars(select(FaceTemplate.id).where(FaceTemplate.person_id == person.id)))
    runtime.registry(session).get(person.watchlist_id).remove(tids)
    publish(session, FaceTemplatesChanged(watchlist_id=person.watchlist_id, removed=tids))
    session.delete(person)
    session.flush()


def template_ids(session: Session, person_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {pid: [] for pid in person_ids}
    if person_ids:
        for tid, pid in session.execute(
            select(FaceTemplate.id, FaceTemplate.person_id).where(
                FaceTemplate.person_id.in_(list(person_ids))
            )
        ):
            out[pid].append(tid)
    return out


# ------------------------------------------------------------------ search


def search_photo(
    session: Session, principal: Principal, data: bytes, *, watchlist_id: int | None = None, k: int = 10
) -> tuple[int, list[SearchCandidate]]:
    """Police search of a photo against the libraries they may see; always audited."""
    if not principal.can("face.search"):
        raise Forbidden("face search is restricted to police roles", code="forbidden")
    analysis = analyse_upload(data, field="photo", upsample=1)
    lists = list(session.scalars(visible_watchlists(session, principal)))
    if watchlist_id is not None:
        lists = [w for w in lists if w.id == watchlist_id]
        if not lists:
            raise NotFound("no such watchlist in your scope")
    by_id = {w.id: w for w in lists}
    threshold = runtime.face_settings().threshold
    candidates: list[SearchCandidate] = []
    if analysis.faces:
        found = runtime.registry(session).search(list(by_id), analysis.faces[0].embedding, k=k)
        for wid, match in found:
            tpl = session.get(FaceTemplate, match.face_id)
            if tpl is None:
                continue
            person = session.get(FacePerson, tpl.person_id)
            if person is None:
                continue
            wl = by_id[wid]
            limit = wl.threshold or threshold
            candidates.append(
                SearchCandidate(
                    person_id=person.id,
                    person_name=person.name,
                    category=person.category,
                    watchlist_id=wid,
                    watchlist_kind=wl.kind,
                    template_id=tpl.id,
                    distance=round(match.distance, 4),
                    similarity=round(match.similarity, 4),
                    match=match.distance <= limit,
                )
            )
    audit.record(
        session,
        principal=principal,
        action="face.search",
        target_type="face_search",
        detail={
            "faces": len(analysis.faces),
            "watchlists": sorted(by_id),
            "candidates": [c.person_id for c in candidates],
            "matches": sum(c.match for c in candidates),
        },
    )
    return len(analysis.faces), candidates


def stats(session: Session) -> dict[str, Any]:
    s = runtime.face_settings()
    templates = session.scalar(select(func.count()).select_from(FaceTemplate)) or 0
    return {
        "templates": templates,
        "persons": session.scalar(select(func.count()).select_from(FacePerson)) or 0,
        "watchlists": session.scalar(select(func.count()).select_from(Watchlist)) or 0,
        "captures": session.scalar(select(func.count()).select_from(Capture)) or 0,
        "unknown_captures": session.scalar(
            select(func.count()).select_from(Capture).where(Capture.status == "unknown")
        )
        or 0,
        "warning_threshold": s.face_count_warning,
        "warning": capacity_warning(session),
    }
