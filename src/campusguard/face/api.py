"""HTTP routes of the face domain: watchlists, enrolment, gate captures, pass records, alerts, search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status

from campusguard.core.auth import Principal, current_principal, device_principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import BadRequest, Forbidden
from campusguard.core.pagination import Page, PageParams, page_params
from campusguard.face import gat1400, privacy, recognition, records, rules, service, visitors
from campusguard.face.models import FacePerson, Rule
from campusguard.face.schemas import (
    AlertOut,
    CaptureOut,
    CaptureResult,
    DecisionIn,
    EnrolResult,
    FaceStats,
    PersonOut,
    PersonPatch,
    RuleIn,
    RuleOut,
    SearchResult,
    VisitorOut,
    WatchlistIn,
    WatchlistOut,
)

router = APIRouter(tags=["face"])
Caller = Annotated[Principal, Depends(current_principal)]
Device = Annotated[Principal, Depends(device_principal)]
Pages = Annotated[PageParams, Depends(page_params)]
CHUNK = 1024 * 1024


def aware(value: datetime | None, name: str) -> datetime | None:
    """Query times must carry a zone (the platform stores UTC; a naive time is ambiguous)."""
    if value is not None and value.tzinfo is None:
        raise BadRequest(f"{name} needs a time zone, e.g. 2026-11-23T08:00:00+08:00", code="naive_datetime")
    return value


def read_upload(file: UploadFile, field: str) -> bytes:
    """Read an upload with a hard cap (the app middleware only sees Content-Length)."""
    limit = service.runtime.face_settings().max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise service.ImageProblem(f"{field} exceeds {limit} bytes", code="image_too_large", status=413)
    return data


def _watchlist_out(session: SessionDep, rows: list[Any]) -> list[WatchlistOut]:
    counts = service.person_counts(session, [w.id for w in rows])
    return [WatchlistOut.model_validate(w).model_copy(update={"persons": counts.get(w.id, 0)}) for w in rows]


@router.post("/watchlists", status_code=status.HTTP_201_CREATED, response_model=WatchlistOut)
def create_watchlist(body: WatchlistIn, session: SessionDep, principal: Caller) -> WatchlistOut:
    wl = service.create_watchlist(session, principal, body)
    return _watchlist_out(session, [wl])[0]


@router.get("/watchlists", response_model=Page[WatchlistOut])
def list_watchlists(session: SessionDep, principal: Caller, kind: str | None = None) -> dict[str, Any]:
    rows = list(session.scalars(service.visible_watchlists(session, principal, kind)))
    return {"items": _watchlist_out(session, rows), "total": len(rows)}


@router.get("/watchlists/{watchlist_id}", response_model=WatchlistOut)
def get_watchlist(watchlist_id: int, session: SessionDep, principal: Caller) -> WatchlistOut:
    return _watchlist_out(session, [service.get_watchlist(session, principal, watchlist_id)])[0]


@router.delete("/watchlists/{watchlist_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_watchlist(watchlist_id: int, session: SessionDep, principal: Caller) -> Response:
    service.delete_watchlist(session, principal, watchlist_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/watchlists/{watchlist_id}/persons", status_code=status.HTTP_201_CREATED, response_model=EnrolResult)
def enrol_person(
    watchlist_id: int,
    session: SessionDep,
    principal: Caller,
    name: Annotated[str, Form(min_length=1, max_length=128)],
    photo: Annotated[list[UploadFile], File(description="one or more photos, one face each")],
    category: Annotated[str, Form()] = "other",
    risk_level: Annotated[str | None, Form()] = None,
    source: Annotated[str | None, Form()] = None,
    legal_basis: Annotated[str | None, Form()] = None,
    expires_at: Annotated[datetime | None, Form()] = None,
    org_person_id: Annotated[int | None, Form()] = None,
    external_id: Annotated[str | None, Form()] = None,
    id_number: Annotated[str | None, Form()] = None,
    minor: Annotated[bool, Form()] = False,
    guardian_consent: Annotated[bool, Form()] = False,
) -> EnrolResult:
    if expires_at is not None and expires_at.tzinfo is None:
        raise BadRequest("expires_at needs a time zone", code="naive_datetime")
    photos = [read_upload(p, f"photo[{i}]") for i, p in enumerate(photo)]
    data = service.PersonData(
        name=name,
        category=category,
        risk_level=risk_level,
        source=source,
        legal_basis=legal_basis,
        expires_at=expires_at,
        org_person_id=org_person_id,
        external_id=external_id,
        id_number=id_number,
        minor=minor,
        guardian_consent=guardian_consent,
    )
    person, templates, warning = service.enrol_person(session, principal, watchlist_id, data, photos)
    return EnrolResult.model_validate(person).model_copy(
        update={"templates": [t.id for t in templates], "faces_stored": len(templates), "warning": warning}
    )


@router.get("/watchlists/{watchlist_id}/persons", response_model=Page[PersonOut])
def list_persons(watchlist_id: int, session: SessionDep, principal: Caller, params: Pages) -> dict[str, Any]:
    from sqlalchemy import select

    from campusguard.core.pagination import paginate

    service.get_watchlist(session, principal, watchlist_id)
    rows, total = paginate(
        session,
        select(FacePerson).where(FacePerson.watchlist_id == watchlist_id).order_by(FacePerson.id),
        params,
    )
    tids = service.template_ids(session, [p.id for p in rows])
    return {
        "items": [PersonOut.model_validate(p).model_copy(update={"templates": tids[p.id]}) for p in rows],
        "total": total,
    }


@router.delete("/face/persons/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_person(person_id: int, session: SessionDep, principal: Caller) -> Response:
    service.delete_person(session, principal, person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _person_out(session: SessionDep, person: FacePerson) -> PersonOut:
    return PersonOut.model_validate(person).model_copy(
        update={"templates": service.template_ids(session, [person.id])[person.id]}
    )


@router.get("/face/persons/{person_id}", response_model=PersonOut)
def get_person(person_id: int, session: SessionDep, principal: Caller) -> PersonOut:
    return _person_out(session, service.get_person(session, principal, person_id))


@router.patch("/face/persons/{person_id}", response_model=PersonOut)
def update_person(person_id: int, body: PersonPatch, session: SessionDep, principal: Caller) -> PersonOut:
    changes = body.model_dump(exclude_unset=True)
    return _person_out(session, service.update_person(session, principal, person_id, changes))


@router.post("/face/persons/{person_id}/photos", status_code=status.HTTP_201_CREATED, response_model=EnrolResult)
def add_photos(
    person_id: int,
    session: SessionDep,
    principal: Caller,
    photo: Annotated[list[UploadFile], File(description="one or more photos, one face each")],
    replace: Annotated[bool, Form(description="re-enrol: these photos replace all earlier ones")] = False,
) -> EnrolResult:
    photos = [read_upload(p, f"photo[{i}]") for i, p in enumerate(photo)]
    person, templates, warning = service.add_photos(session, principal, person_id, photos, replace=replace)
    return EnrolResult.model_validate(person).model_copy(
        update={
            "templates": service.template_ids(session, [person.id])[person.id],
            "faces_stored": len(templates),
            "warning": warning,
        }
    )


@router.delete("/face/persons/{person_id}/photos/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_photo(person_id: int, template_id: int, session: SessionDep, principal: Caller) -> Response:
    service.remove_photo(session, principal, person_id, template_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/gates/{device_code}/captures", response_model=CaptureResult)
def post_capture(
    device_code: str,
    session: SessionDep,
    principal: Device,
    image: Annotated[UploadFile, File(description="JPEG/PNG frame from the gate terminal")],
    direction: Annotated[str | None, Form()] = None,
    captured_at: Annotated[datetime | None, Form()] = None,
) -> CaptureResult:
    if not principal.can("face.capture"):
        raise Forbidden("this token may not post captures", code="forbidden")
    data = read_upload(image, "image")
    return recognition.process_capture(
        session, principal, device_code, data, direction=direction, captured_at=captured_at
    )


@router.get("/face/captures", response_model=Page[CaptureOut])
def list_captures(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.pass.read"))],
    params: Pages,
    school_id: int | None = None,
    device_code: str | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    direction: str | None = None,
    person_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    since, until = aware(since, "since"), aware(until, "until")
    flt = records.CaptureFilter(
        school_id=school_id,
        device_code=device_code,
        status=status_,
        direction=direction,
        person_id=person_id,
        since=since,
        until=until,
    )
    items, total = records.list_captures(session, principal, flt, params)
    return {"items": items, "total": total}


@router.get("/face/captures/{capture_id}/{which}.jpg")
def capture_image(
    capture_id: int,
    which: str,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.pass.read"))],
) -> Response:
    if which not in ("face", "scene"):
        raise BadRequest("image is face.jpg or scene.jpg", code="bad_image")
    data = records.capture_image(session, principal, capture_id, which)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.get("/face/templates/{template_id}/thumbnail.jpg")
def template_thumbnail(template_id: int, session: SessionDep, principal: Caller) -> Response:
    data = records.template_thumbnail(session, principal, template_id)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.get("/face/alerts", response_model=Page[AlertOut])
def list_alerts(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.pass.read"))],
    params: Pages,
    kind: str | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    school_id: int | None = None,
) -> dict[str, Any]:
    items, total = records.list_alerts(
        session, principal, kind=kind, status=status_, school_id=school_id, params=params
    )
    return {"items": items, "total": total}


@router.post("/face/alerts/{alert_id}/{decision}", response_model=AlertOut)
def decide_alert(
    alert_id: int,
    decision: str,
    body: DecisionIn,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.pass.read"))],
) -> AlertOut:
    if decision not in ("confirm", "reject"):
        raise BadRequest("decision is confirm or reject", code="bad_decision")
    alert = records.decide(session, principal, alert_id, confirm=decision == "confirm", note=body.note)
    return AlertOut.model_validate(alert)


@router.post("/face/search", response_model=SearchResult)
def search(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.search"))],
    photo: Annotated[UploadFile, File()],
    watchlist_id: Annotated[int | None, Form()] = None,
    k: Annotated[int, Form(ge=1, le=50)] = 10,
) -> SearchResult:
    data = read_upload(photo, "photo")
    faces, candidates = service.search_photo(session, principal, data, watchlist_id=watchlist_id, k=k)
    return SearchResult(faces=faces, threshold=service.runtime.face_settings().threshold, candidates=candidates)


@router.get("/face/stats", response_model=FaceStats)
def face_stats(
    session: SessionDep, principal: Annotated[Principal, Depends(require("face.watchlist.admin"))]
) -> dict[str, Any]:
    return service.stats(session)


@router.get("/face/rules", response_model=list[RuleOut])
def list_rules(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.pass.read"))],
    school_id: int | None = None,
) -> list[Rule]:
    from sqlalchemy import select

    stmt = select(Rule).order_by(Rule.id)
    if school_id is not None:
        stmt = stmt.where(Rule.school_id == school_id)
    return [
        r
        for r in session.scalars(stmt)
        if r.school_id is None or records.check_school_visible(session, principal, r.school_id)
    ]


@router.put("/face/rules", response_model=RuleOut)
def put_rule(body: RuleIn, session: SessionDep, principal: Caller) -> Rule:
    return rules.upsert(session, principal, body)


@router.post("/face/purge")
def run_purge(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.watchlist.admin"))],
    retention_days: Annotated[int | None, Query(ge=0, le=365)] = None,
    matched_retention_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
) -> dict[str, int]:
    if principal.role.value != "city_admin":
        raise Forbidden("only the city administrator runs a manual purge", code="forbidden")
    return privacy.purge(session, retention_days=retention_days, matched_retention_days=matched_retention_days)


@router.post("/visitors", status_code=status.HTTP_201_CREATED, response_model=VisitorOut)
def register_visitor(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.visitor"))],
    school_id: Annotated[int, Form()],
    name: Annotated[str, Form(min_length=1, max_length=128)],
    id_number: Annotated[str, Form(min_length=5, max_length=32)],
    host: Annotated[str, Form(min_length=1, max_length=128)],
    purpose: Annotated[str, Form(min_length=1, max_length=256)],
    valid_from: Annotated[datetime, Form()],
    valid_until: Annotated[datetime, Form()],
    photo: Annotated[UploadFile, File()],
    phone: Annotated[str | None, Form(max_length=32)] = None,
) -> VisitorOut:
    data = visitors.VisitorData(
        school_id=school_id,
        name=name,
        id_number=id_number,
        host=host,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        phone=phone,
    )
    v = visitors.register(
        session, principal, data, read_upload(photo, "photo"), secret=request.app.state.settings.secret()
    )
    return visitors.out(v)


@router.get("/visitors", response_model=Page[VisitorOut])
def list_visitors(
    session: SessionDep,
    principal: Caller,
    params: Pages,
    school_id: int | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    since = aware(since, "since")
    items, total = visitors.list_visitors(
        session, principal, school_id=school_id, status=status_, since=since, params=params
    )
    return {"items": items, "total": total}


@router.post("/visitors/{visitor_id}/{action}", response_model=VisitorOut)
def move_visitor(visitor_id: int, action: str, session: SessionDep, principal: Caller) -> VisitorOut:
    return visitors.out(visitors.move(session, principal, visitor_id, action))


@router.get("/face/gat1400/Faces")
def gat1400_export(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("face.hits"))],
    since: datetime | None = None,
    until: datetime | None = None,
    school_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    images: bool = False,
) -> dict[str, Any]:
    since, until = aware(since, "since"), aware(until, "until")
    return gat1400.export_captures(
        session,
        principal,
        since=since,
        until=until,
        school_id=school_id,
        limit=limit,
        with_images=images,
        city=request.app.state.settings.city_code,
    )


@router.post("/face/gat1400/watchlists/{watchlist_id}/Faces")
def gat1400_import(watchlist_id: int, body: dict[str, Any], session: SessionDep, principal: Caller) -> dict[str, Any]:
    return gat1400.import_watchlist(session, principal, watchlist_id, body)
