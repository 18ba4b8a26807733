"""HTTP routes of the hazard domain (隐患排查)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal, current_principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge
from campusguard.core.pagination import Page, PageParams, page_params, paginate
from campusguard.core.scope import can_see_school
from campusguard.hazard import inspections, overdue_push, service
from campusguard.hazard.models import ChecklistTemplate, Hazard, HazardPhoto
from campusguard.hazard.schemas import (
    AssignIn,
    ChecklistIn,
    ChecklistOut,
    ChecklistPatch,
    HazardDetail,
    HazardIn,
    HazardOut,
    InspectionIn,
    InspectionOut,
    LogOut,
    OverduePushOut,
    PhotoOut,
    RectifyIn,
    RejectIn,
    StatsOut,
    VerifyIn,
)
from campusguard.hazard.stats import hazard_stats
from campusguard.org.models import Area, School

router = APIRouter(tags=["hazards"])
Reader = Annotated[Principal, Depends(require("hazard.read"))]
Reporter = Annotated[Principal, Depends(require("hazard.report"))]
Anyone = Annotated[Principal, Depends(current_principal)]
Params = Annotated[PageParams, Depends(page_params)]


def _photo_out(hazard_id: int, p: HazardPhoto) -> PhotoOut:
    out = PhotoOut.model_validate(p)
    out.url = f"/api/v1/hazards/{hazard_id}/photos/{p.id}"
    return out


def _outs(session: Session, principal: Principal, rows: list[Hazard]) -> list[HazardOut]:
    school_ids = {h.school_id for h in rows}
    schools = {s.id: s for s in session.scalars(select(School).where(School.id.in_(school_ids)))}
    area_ids = {h.area_id for h in rows if h.area_id}
    areas = dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(area_ids))).tuples().all()) \
        if area_ids else {}
    counts = service.photo_counts(session, [h.id for h in rows])
    out = []
    for h in rows:
        o = HazardOut.model_validate(h)
        s = schools.get(h.school_id)
        if s is not None:
            o.school_code, o.school_name = s.code, s.name
            o.district_code, o.grid_id = s.district_code, s.grid_id
        o.area_name = areas.get(h.area_id) if h.area_id else None
        o.photo_count = counts.get(h.id, 0)
        o.actions = service.actions_for(session, principal, h)
        out.append(o)
    return out


def _detail(session: Session, principal: Principal, hazard: Hazard) -> HazardDetail:
    base = _outs(session, principal, [hazard])[0]
    return HazardDetail(**base.model_dump(),
                        photos=[_photo_out(hazard.id, p) for p in service.photos_of(session, hazard.id)],
                        history=[LogOut.model_validate(r) for r in service.history_of(session, hazard.id)])


@router.get("/hazards", response_model=Page[HazardOut])
def list_hazards(session: SessionDep, principal: Reader, params: Params,
                 school_id: int | None = None, status: str | None = None,
                 severity: Literal["low", "medium", "high", "critical"] | None = None,
                 category: str | None = None, overdue: bool | None = None, grid_id: int | None = None,
                 district_code: str | None = None, mine: bool = False, open_only: bool = False,
                 q: Annotated[str | None, Query(max_length=100)] = None) -> Page[HazardOut]:
    stmt = service.query(session, principal, school_id=school_id, status=status, severity=severity,
                         category=category, overdue=overdue, grid_id=grid_id, district_code=district_code,
                         assignee_user_id=principal.id if mine else None, open_only=open_only, q=q)
    rows, total = paginate(session, stmt, params)
    return Page(items=_outs(session, principal, rows), total=total)


@router.post("/hazards", response_model=HazardOut, status_code=201,
             responses={200: {"description": "the same client_id was seen before: the existing hazard"}})
def report_hazard(data: HazardIn, session: SessionDep, principal: Reporter) -> HazardOut | JSONResponse:
    hazard, created = service.report(session, principal, data)
    out = _outs(session, principal, [hazard])[0]
    if created:
        return out
    return JSONResponse(out.model_dump(mode="json"), status_code=200)


@router.get("/hazards/stats", response_model=StatsOut)
def stats(session: SessionDep, principal: Reader, by: Literal["school", "grid", "district"] = "school",
          since: datetime | None = None, until: datetime | None = None,
          school_id: int | None = None) -> StatsOut:
    for t in (since, until):
        if t is not None and t.tzinfo is None:
            raise BadRequest("since/until need a time zone (e.g. 2026-01-01T00:00:00Z)",
                             code="naive_datetime")
    return hazard_stats(session, principal, by=by, since=since, until=until, school_id=school_id)


def _checklist_editor(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """School admins (hazard.assign) edit their school's checklists; hazard.admin the district's or city's."""
    if not inspections.may_edit_checklists(principal):
        raise Forbidden(f"role {principal.role.value} lacks hazard.admin", code="forbidden")
    return principal


Editor = Annotated[Principal, Depends(_checklist_editor)]


def _checklist_outs(session: Session, principal: Principal, rows: list[ChecklistTemplate]) -> list[ChecklistOut]:
    ids = {r.school_id for r in rows if r.school_id is not None}
    schools = {s.id: s for s in session.scalars(select(School).where(School.id.in_(ids)))} if ids else {}
    out = []
    for r in rows:
        o = ChecklistOut.model_validate(r)
        if r.school_id is not None and r.school_id in schools:
            o.school_code, o.school_name = schools[r.school_id].code, schools[r.school_id].name
        o.editable = inspections.can_edit(session, principal, r)
        out.append(o)
    return out


@router.get("/hazards/checklists", response_model=Page[ChecklistOut])
def list_checklists(session: SessionDep, principal: Reader, school_type: str | None = None,
                    school_code: Annotated[str | None, Query(max_length=32)] = None,
                    include_inactive: bool = False) -> Page[ChecklistOut]:
    """Templates in the caller's reach; with school_code, those an inspection there may use."""
    school = None
    if school_code:
        school = session.scalars(select(School).where(School.code == school_code)).first()
        if school is None or not can_see_school(session, principal, school.id):
            raise NotFound(f"school {school_code} not found", code="unknown_school")
    rows = inspections.list_checklists(session, principal, school_type, school=school,
                                       include_inactive=include_inactive)
    return Page(items=_checklist_outs(session, principal, rows), total=len(rows))


@router.post("/hazards/checklists", response_model=ChecklistOut, status_code=201)
def create_checklist(data: ChecklistIn, session: SessionDep, principal: Editor) -> ChecklistOut:
    return _checklist_outs(session, principal, [inspections.create_checklist(session, principal, data)])[0]


@router.get("/hazards/checklists/{template_id}", response_model=ChecklistOut)
def get_checklist(template_id: int, session: SessionDep, principal: Reader) -> ChecklistOut:
    return _checklist_outs(session, principal, [inspections.get_checklist(session, principal, template_id)])[0]


@router.patch("/hazards/checklists/{template_id}", response_model=ChecklistOut)
def update_checklist(template_id: int, data: ChecklistPatch, session: SessionDep, principal: Editor
                     ) -> ChecklistOut:
    row = inspections.update_checklist(session, principal, template_id, data)
    return _checklist_outs(session, principal, [row])[0]


@router.get("/hazards/overdue-pushes", response_model=Page[OverduePushOut])
def list_overdue_pushes(session: SessionDep, principal: Reader, params: Params,
                        subject: Literal["hazard", "task"] | None = None, subject_id: int | None = None,
                        status: Literal["pending", "sent", "failed"] | None = None) -> Page[OverduePushOut]:
    """Web Push deliveries of overdue reminders with their outcome (sent, failed with the push service's code)."""
    stmt = overdue_push.delivery_query(session, principal, subject=subject, subject_id=subject_id, status=status)
    rows, total = paginate(session, stmt, params)
    return Page(items=[OverduePushOut.model_validate(r) for r in rows], total=total)


@router.get("/hazards/inspections", response_model=Page[InspectionOut])
def list_inspections(session: SessionDep, principal: Reader, params: Params,
                     school_id: int | None = None) -> Page[InspectionOut]:
    rows, total = paginate(session, inspections.inspection_query(session, principal, school_id), params)
    return Page(items=[InspectionOut.model_validate(r) for r in rows], total=total)


@router.post("/hazards/inspections", response_model=InspectionOut, status_code=201)
def run_inspection(data: InspectionIn, session: SessionDep, principal: Reporter) -> InspectionOut:
    return InspectionOut.model_validate(inspections.run_inspection(session, principal, data))


@router.get("/hazards/{hazard_id}", response_model=HazardDetail)
def get_hazard(hazard_id: int, session: SessionDep, principal: Reader) -> HazardDetail:
    return _detail(session, principal, service.get(session, principal, hazard_id))


@router.post("/hazards/{hazard_id}/assign", response_model=HazardDetail)
def assign(hazard_id: int, data: AssignIn, session: SessionDep, principal: Anyone) -> HazardDetail:
    return _detail(session, principal, service.assign(session, principal, hazard_id, data))


@router.post("/hazards/{hazard_id}/rectify", response_model=HazardDetail)
def rectify(hazard_id: int, data: RectifyIn, session: SessionDep, principal: Anyone) -> HazardDetail:
    return _detail(session, principal, service.rectify(session, principal, hazard_id, data.note))


@router.post("/hazards/{hazard_id}/verify", response_model=HazardDetail)
def verify(hazard_id: int, session: SessionDep, principal: Anyone,
           data: VerifyIn | None = None) -> HazardDetail:
    note = data.note if data else None
    return _detail(session, principal, service.verify(session, principal, hazard_id, note))


@router.post("/hazards/{hazard_id}/reject", response_model=HazardDetail)
def reject(hazard_id: int, data: RejectIn, session: SessionDep, principal: Anyone) -> HazardDetail:
    return _detail(session, principal, service.reject(session, principal, hazard_id, data.reason))


def read_upload(file: UploadFile, limit: int) -> bytes:
    """Read an upload (already spooled by Starlette) without taking more than the limit."""
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the photo exceeds {limit} bytes", code="photo_too_large")
    return data


@router.post("/hazards/{hazard_id}/photos", response_model=PhotoOut, status_code=201,
             responses={200: {"description": "the same image was already attached"}})
def upload_photo(hazard_id: int, principal: Anyone, file: Annotated[UploadFile, File()],
                 session: SessionDep) -> PhotoOut | JSONResponse:
    raw = read_upload(file, service.policy().photo_max_bytes)
    photo, created = service.add_photo(session, principal, hazard_id, raw)
    out = _photo_out(hazard_id, photo)
    return out if created else JSONResponse(out.model_dump(mode="json"), status_code=200)


@router.get("/hazards/{hazard_id}/photos/{photo_id}", response_class=Response)
def get_photo(hazard_id: int, photo_id: int, session: SessionDep, principal: Reader) -> Response:
    photo = service.get_photo(session, principal, hazard_id, photo_id)
    return Response(photo.data, media_type=photo.content_type,
                    headers={"Cache-Control": "private, max-age=86400", "ETag": f'"{photo.sha256}"',
                             "X-Content-Type-Options": "nosniff"})


@router.get("/hazards/{hazard_id}/history", response_model=list[LogOut])
def history(hazard_id: int, session: SessionDep, principal: Reader) -> list[LogOut]:
    service.get(session, principal, hazard_id)
    return [LogOut.model_validate(r) for r in service.history_of(session, hazard_id)]
