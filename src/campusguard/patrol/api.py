"""HTTP routes of duty registration: checkpoints, shifts, check-ins, anomalies, roll calls, compliance."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy import select

from campusguard.core import audit
from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep, utcnow
from campusguard.core.errors import Forbidden, NotFound, ProblemError, problem
from campusguard.core.pagination import Page, PageParams, page_params, paginate
from campusguard.core.scope import check_school, scoped
from campusguard.org import service as org
from campusguard.patrol import photos, qrsheet, rollcall, service, staffing
from campusguard.patrol.models import Checkin, Photo, Route
from campusguard.patrol.schemas import (
    AnomalyOut,
    CheckinIn,
    CheckinOut,
    CheckpointIn,
    CheckpointOut,
    LocationIn,
    PhotoOut,
    RollCallIn,
    RotateIn,
    RouteIn,
    RouteOut,
    ShiftIn,
    ShiftOut,
    StopOut,
    TokenOut,
)

log = structlog.get_logger(__name__)
router = APIRouter(tags=["patrol"])

Reader = Annotated[Principal, Depends(require("patrol.read"))]
Manager = Annotated[Principal, Depends(require("patrol.manage"))]
Guard = Annotated[Principal, Depends(require("patrol.checkin"))]
Params = Annotated[PageParams, Depends(page_params)]


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret())


def _recorded(request: Request, exc: ProblemError) -> JSONResponse:
    """Return (not raise) a refusal so the request commits the anomaly recorded with it."""
    log.info("request.refused", path=request.url.path, status=exc.status, code=exc.code, detail=exc.detail)
    return problem(exc.status, exc.title, exc.detail, exc.code, request, **exc.extra)


async def _read_photo(request: Request, session: SessionDep, principal: Principal, file: UploadFile) -> bytes:
    data = await file.read(photos.MAX_PHOTO_BYTES + 1)
    try:
        photos.inspect(data)
    except ProblemError as exc:
        audit.record(
            session,
            principal=principal,
            action="patrol.photo.refused",
            target_type="patrol_photo",
            detail={"code": exc.code, "bytes": len(data), "claimed_type": file.content_type},
        )
        raise service.RecordedRefusal(exc.detail, code=exc.code, status=exc.status) from exc
    return data


# ---- checkpoints -----------------------------------------------------------------------------


@router.post("/patrol/checkpoints", response_model=CheckpointOut, status_code=201)
def create_checkpoint(data: CheckpointIn, session: SessionDep, principal: Manager) -> Any:
    return service.create_checkpoint(session, principal, data)


@router.get("/patrol/checkpoints", response_model=Page[CheckpointOut])
def list_checkpoints(
    session: SessionDep, principal: Reader, params: Params, school_id: int | None = None
) -> dict[str, Any]:
    items, total = paginate(session, service.checkpoint_query(session, principal, school_id), params)
    return {"items": items, "total": total}


@router.get("/patrol/checkpoints/{checkpoint_id}/token", response_model=TokenOut)
def checkpoint_token(
    checkpoint_id: int, request: Request, session: SessionDep, principal: Manager
) -> TokenOut:
    cp = service.get_checkpoint(session, principal, checkpoint_id)
    check_school(session, principal, cp.school_id)
    audit.record(
        session,
        principal=principal,
        action="patrol.checkpoint.token",
        target_type="patrol_checkpoint",
        target_id=cp.id,
        school_id=cp.school_id,
    )
    return TokenOut(
        checkpoint_id=cp.id,
        version=cp.qr_version,
        expires_at=cp.qr_expires_at,
        token=service.token_for(_secret(request), cp),
        short_code=service.short_code_for(_secret(request), cp),
    )


@router.post("/patrol/checkpoints/{checkpoint_id}/rotate", response_model=CheckpointOut)
def rotate_checkpoint(checkpoint_id: int, data: RotateIn, session: SessionDep, principal: Manager) -> Any:
    return service.rotate(session, principal, checkpoint_id, data.valid_days)


@router.get("/patrol/schools/{school_id}/qr-sheet.pdf")
def qr_sheet(school_id: int, request: Request, session: SessionDep, principal: Manager) -> Response:
    school = org.get_school(session, principal, school_id)
    check_school(session, principal, school.id)
    secret = _secret(request)
    cps = session.scalars(service.checkpoint_query(session, principal, school.id)).all()
    areas = {a.id: a.name for a in org.list_areas(session, principal, school.id)}
    items = [
        qrsheet.SheetItem(
            cp.name, areas.get(cp.area_id or 0, "-"), service.token_for(secret, cp), cp.qr_expires_at,
            service.short_code_for(secret, cp),
        )
        for cp in cps
        if cp.active
    ]
    pdf = qrsheet.render(school.name, items, utcnow())
    audit.record(
        session,
        principal=principal,
        action="patrol.qr_sheet",
        target_type="school",
        target_id=school.id,
        school_id=school.id,
        detail={"codes": len(items)},
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="qr-{school.code}.pdf"'},
    )


# ---- routes and shifts -----------------------------------------------------------------------


def _route_out(route: Any, stops: list[Any]) -> RouteOut:
    return RouteOut(
        id=route.id,
        school_id=route.school_id,
        name=route.name,
        active=route.active,
        stops=[StopOut.model_validate(s) for s in stops],
    )


@router.post("/patrol/routes", response_model=RouteOut, status_code=201)
def create_route(data: RouteIn, session: SessionDep, principal: Manager) -> RouteOut:
    route, stops = service.create_route(session, principal, data)
    return _route_out(route, stops)


@router.get("/patrol/routes", response_model=Page[RouteOut])
def list_routes(session: SessionDep, principal: Reader, school_id: int) -> dict[str, Any]:
    org.get_school(session, principal, school_id)
    routes = session.scalars(select(Route).where(Route.school_id == school_id).order_by(Route.id)).all()
    items = [_route_out(r, service.route_stops(session, r.id)) for r in routes]
    return {"items": items, "total": len(items)}


@router.post("/patrol/shifts", response_model=ShiftOut, status_code=201)
def create_shift(data: ShiftIn, session: SessionDep, principal: Manager) -> Any:
    return service.create_shift(session, principal, data)


@router.get("/patrol/shifts", response_model=Page[ShiftOut])
def list_shifts(
    session: SessionDep, principal: Reader, params: Params, school_id: int | None = None, active: bool = False
) -> dict[str, Any]:
    stmt = service.shift_query(
        session, principal, school_id=school_id, active_at=utcnow() if active else None
    )
    items, total = paginate(session, stmt, params)
    return {"items": items, "total": total}


@router.get("/patrol/duty")
def my_duty(session: SessionDep, principal: Guard) -> dict[str, Any]:
    out = service.duty(session, principal)
    out["shift"] = ShiftOut.model_validate(out["shift"]).model_dump() if out["shift"] else None
    out["pending_rollcalls"] = rollcall.pending_for(session, principal)
    return out


# ---- photos, check-ins, locations ------------------------------------------------------------


@router.post("/patrol/photos", response_model=PhotoOut, status_code=201)
async def upload_photo(
    request: Request,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
    principal: Annotated[Principal, Depends(require("patrol.read"))],
) -> Any:
    if not (principal.can("patrol.checkin") or principal.can("rollcall.answer")):
        raise Forbidden("only guards upload duty photos", code="forbidden")
    try:
        data = await _read_photo(request, session, principal, file)
    except service.RecordedRefusal as exc:
        return _recorded(request, exc)
    school = service._guard_school(session, principal)
    photo = photos.store(session, data=data, user_id=principal.id, school_id=school)
    audit.record(session, principal=principal, action="patrol.photo.upload", target_type="patrol_photo",
                 target_id=photo.id, school_id=school, detail={"bytes": photo.size, "sha256": photo.sha256})
    return photo


@router.get("/patrol/photos/{photo_id}")
def get_photo(photo_id: int, session: SessionDep, principal: Reader) -> Response:
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise NotFound(f"photo {photo_id} not found")
    if photo.user_id != principal.id:
        check_school(session, principal, photo.school_id, write=False)
    return Response(
        photo.data, media_type=photo.content_type, headers={"Cache-Control": "private, max-age=3600"}
    )


@router.post("/patrol/checkins", response_model=CheckinOut, status_code=201)
def create_checkin(
    data: CheckinIn, request: Request, response: Response, session: SessionDep, principal: Guard
) -> Any:
    service.guard_only(principal)
    try:
        result = service.checkin(session, principal, _secret(request), data)
    except service.RecordedRefusal as exc:
        return _recorded(request, exc)
    if result.duplicate:
        response.status_code = 200
    out = CheckinOut.model_validate(result.checkin)
    out.duplicate = result.duplicate
    return out


@router.get("/patrol/checkins", response_model=Page[CheckinOut])
def list_checkins(
    session: SessionDep,
    principal: Reader,
    params: Params,
    school_id: int | None = None,
    shift_id: int | None = None,
) -> dict[str, Any]:
    stmt = scoped(select(Checkin), Checkin.school_id, session, principal).order_by(Checkin.id.desc())
    if principal.role.value == "guard":
        stmt = stmt.where(Checkin.guard_user_id == principal.id)
    if school_id:
        stmt = stmt.where(Checkin.school_id == school_id)
    if shift_id:
        stmt = stmt.where(Checkin.shift_id == shift_id)
    items, total = paginate(session, stmt, params)
    return {"items": items, "total": total}


@router.post("/patrol/locations", response_model=ShiftOut)
def report_location(data: LocationIn, session: SessionDep, principal: Guard) -> Any:
    return service.report_location(session, principal, data.lat, data.lon)


# ---- anomalies and compliance ----------------------------------------------------------------


@router.get("/patrol/anomalies", response_model=Page[AnomalyOut])
def list_anomalies(
    session: SessionDep,
    principal: Reader,
    params: Params,
    school_id: int | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    items, total = paginate(
        session, service.list_anomalies(session, principal, school_id=school_id, kind=kind), params
    )
    return {"items": items, "total": total}


@router.post("/patrol/anomalies/{anomaly_id}/ack", response_model=AnomalyOut)
def ack_anomaly(anomaly_id: int, session: SessionDep, principal: Reader) -> Any:
    if not (principal.can("patrol.manage") or principal.can("rollcall.start")):
        raise Forbidden("only school managers and officers acknowledge anomalies", code="forbidden")
    return service.acknowledge(session, principal, anomaly_id)


@router.get("/patrol/compliance")
def compliance(
    session: SessionDep,
    principal: Reader,
    district_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> dict[str, Any]:
    items = staffing.compliance(session, principal, district_code=district_code)
    return {"items": items, "total": len(items), "compliant": sum(1 for i in items if i["ok"])}


# ---- roll calls ------------------------------------------------------------------------------


@router.post("/rollcalls", status_code=201)
def start_rollcall(
    data: RollCallIn, session: SessionDep, principal: Annotated[Principal, Depends(require("rollcall.start"))]
) -> dict[str, Any]:
    rc = rollcall.start(session, principal, data)
    return rollcall.result(session, principal, rc)


@router.get("/rollcalls")
def list_rollcalls(session: SessionDep, principal: Reader, params: Params) -> dict[str, Any]:
    items, total = rollcall.list_page(session, principal, params)
    return {
        "items": [
            {
                "id": r.id,
                "scope": r.scope,
                "started_by_name": r.started_by_name,
                "started_at": r.started_at,
                "deadline_at": r.deadline_at,
                "closed": r.closed_at is not None or utcnow() > r.deadline_at,
            }
            for r in items
        ],
        "total": total,
    }


@router.get("/rollcalls/pending")
def pending_rollcalls(
    session: SessionDep, principal: Annotated[Principal, Depends(require("rollcall.answer"))]
) -> dict[str, Any]:
    items = rollcall.pending_for(session, principal)
    return {"items": items, "total": len(items)}


@router.get("/rollcalls/{rollcall_id}")
def get_rollcall(rollcall_id: int, session: SessionDep, principal: Reader) -> dict[str, Any]:
    return rollcall.result(session, principal, rollcall.get(session, principal, rollcall_id))


@router.post("/rollcalls/{rollcall_id}/answer")
async def answer_rollcall(
    rollcall_id: int,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("rollcall.answer"))],
    photo: Annotated[UploadFile, File()],
    lat: Annotated[float, Form(ge=-90, le=90)],
    lon: Annotated[float, Form(ge=-180, le=180)],
) -> Any:
    try:
        data = await _read_photo(request, session, principal, photo)
        target = rollcall.answer(session, principal, rollcall_id, photo=data, lat=lat, lon=lon)
    except service.RecordedRefusal as exc:
        return _recorded(request, exc)
    return {
        "rollcall_id": rollcall_id,
        "status": target.status,
        "answered_at": target.answered_at,
        "distance_m": target.distance_m,
        "photo_id": target.photo_id,
    }
