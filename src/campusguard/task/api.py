"""HTTP routes of the liaison-task domain (日常管控)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import PayloadTooLarge, problem
from campusguard.core.pagination import Page, PageParams, page_params, paginate
from campusguard.core.scope import scoped
from campusguard.org.models import School
from campusguard.task import service
from campusguard.task.models import Task, TaskRule
from campusguard.task.schemas import (
    CheckinIn,
    CheckinOut,
    CompleteIn,
    RuleIn,
    RuleOut,
    RulePatch,
    TaskDetail,
    TaskIn,
    TaskOut,
    TaskStats,
)

router = APIRouter(tags=["liaison tasks"])
Reader = Annotated[Principal, Depends(require("task.read"))]
Manager = Annotated[Principal, Depends(require("task.manage"))]
Doer = Annotated[Principal, Depends(require("task.do"))]
Params = Annotated[PageParams, Depends(page_params)]


def read_upload(file: UploadFile, limit: int) -> bytes:
    """Read a spooled upload without taking more than the limit."""
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"the photo exceeds {limit} bytes", code="photo_too_large")
    return data


def _outs(session: Session, rows: list[Task]) -> list[TaskOut]:
    ids = {t.school_id for t in rows}
    schools = {s.id: s for s in session.scalars(select(School).where(School.id.in_(ids)))} if ids else {}
    counts = service.photo_counts(session, [t.id for t in rows])
    out = []
    for t in rows:
        o = TaskOut.model_validate(t)
        s = schools.get(t.school_id)
        if s is not None:
            o.school_code, o.school_name = s.code, s.name
        o.photo_count = counts.get(t.id, 0)
        out.append(o)
    return out


def _detail(session: Session, task: Task) -> TaskDetail:
    base = _outs(session, [task])[0]
    return TaskDetail(**base.model_dump(),
                      checkins=[CheckinOut.model_validate(c) for c in service.checkins_of(session, task.id)],
                      photo_ids=service.photo_ids(session, task.id))


@router.get("/tasks", response_model=Page[TaskOut])
def list_tasks(session: SessionDep, principal: Reader, params: Params, status: str | None = None,
               kind: str | None = None, school_id: int | None = None, officer_user_id: int | None = None,
               overdue: bool | None = None, mine: bool = False, open_only: bool = False) -> Page[TaskOut]:
    stmt = service.query(session, principal, status=status, kind=kind, school_id=school_id,
                         officer_user_id=principal.id if mine else officer_user_id, overdue=overdue,
                         open_only=open_only)
    rows, total = paginate(session, stmt, params)
    return Page(items=_outs(session, rows), total=total)


@router.post("/tasks", response_model=TaskDetail, status_code=201)
def create_task(data: TaskIn, session: SessionDep, principal: Manager) -> TaskDetail:
    return _detail(session, service.create(session, principal, data))


def _rule_outs(session: Session, rows: list[TaskRule]) -> list[RuleOut]:
    ids = {r.school_id for r in rows}
    schools = {s.id: s for s in session.scalars(select(School).where(School.id.in_(ids)))} if ids else {}
    out = []
    for r in rows:
        o = RuleOut.model_validate(r)
        s = schools.get(r.school_id)
        if s is not None:
            o.school_code, o.school_name = s.code, s.name
        out.append(o)
    return out


@router.get("/tasks/rules", response_model=Page[RuleOut])
def list_rules(session: SessionDep, principal: Reader, params: Params, active: bool | None = None,
               school_id: int | None = None, officer_user_id: int | None = None,
               kind: str | None = None) -> Page[RuleOut]:
    stmt = service.rule_query(session, principal, active=active, school_id=school_id,
                              officer_user_id=officer_user_id, kind=kind)
    rows, total = paginate(session, stmt, params)
    return Page(items=_rule_outs(session, rows), total=total)


@router.post("/tasks/rules", response_model=RuleOut, status_code=201)
def create_rule(data: RuleIn, session: SessionDep, principal: Manager) -> RuleOut:
    return _rule_outs(session, [service.create_rule(session, principal, data)])[0]


@router.get("/tasks/rules/{rule_id}", response_model=RuleOut)
def get_rule(rule_id: int, session: SessionDep, principal: Reader) -> RuleOut:
    return _rule_outs(session, [service.get_rule(session, principal, rule_id)])[0]


@router.patch("/tasks/rules/{rule_id}", response_model=RuleOut)
def update_rule(rule_id: int, data: RulePatch, session: SessionDep, principal: Manager) -> RuleOut:
    return _rule_outs(session, [service.update_rule(session, principal, rule_id, data)])[0]


@router.delete("/tasks/rules/{rule_id}", response_model=RuleOut)
def stop_rule(rule_id: int, session: SessionDep, principal: Manager) -> RuleOut:
    return _rule_outs(session, [service.deactivate_rule(session, principal, rule_id)])[0]


@router.get("/tasks/stats", response_model=TaskStats)
def stats(session: SessionDep, principal: Reader) -> TaskStats:
    """Per school: tasks, done, open, overdue (for dashboards and the assessment)."""
    stmt = (select(Task.school_id, func.count(),
                   func.sum(case((Task.status == "done", 1), else_=0)),
                   func.sum(case((Task.status.in_(["open", "checked_in"]), 1), else_=0)),
                   func.sum(case((Task.overdue.is_(True), 1), else_=0)))
            .group_by(Task.school_id))
    stmt = scoped(stmt, Task.school_id, session, principal)
    rows = session.execute(stmt).tuples().all()
    ids = [int(r[0]) for r in rows]
    names = dict(session.execute(select(School.id, School.code).where(School.id.in_(ids))).tuples().all())
    items: list[dict[str, int | str | None]] = [
        {"school_id": int(sid), "school_code": names.get(sid), "total": int(n), "done": int(d or 0),
         "open": int(o or 0), "overdue": int(late or 0)} for sid, n, d, o, late in rows]
    return TaskStats(by="school", items=items)


@router.get("/tasks/{task_id}", response_model=TaskDetail)
def get_task(task_id: int, session: SessionDep, principal: Reader) -> TaskDetail:
    return _detail(session, service.get(session, principal, task_id))


@router.post("/tasks/{task_id}/checkin", response_model=TaskDetail,
             responses={422: {"description": "too far from the school, or GPS too vague (attempt recorded)"}})
def checkin(task_id: int, data: CheckinIn, request: Request, session: SessionDep,
            principal: Doer) -> TaskDetail | JSONResponse:
    task, site = service.checkin(session, principal, task_id, data)
    if not site.within:
        # Returned, not raised: the refused attempt is committed as evidence.
        radius = service.policy().checkin_radius_m
        detail = (f"you are {site.distance_m or 0:.0f} m from the school (limit {radius:.0f} m)"
                  if site.reason == "too_far" else "the GPS fix is too vague; wait for a better signal")
        return problem(422, "Check-in refused", detail, site.reason, request, distance_m=site.distance_m,
                       radius_m=radius)
    return _detail(session, task)


@router.post("/tasks/{task_id}/complete", response_model=TaskDetail)
def complete(task_id: int, data: CompleteIn, session: SessionDep, principal: Doer) -> TaskDetail:
    return _detail(session, service.complete(session, principal, task_id, data))


@router.post("/tasks/{task_id}/cancel", response_model=TaskDetail)
def cancel(task_id: int, session: SessionDep, principal: Manager) -> TaskDetail:
    return _detail(session, service.cancel(session, principal, task_id))


@router.post("/tasks/{task_id}/photos", status_code=201)
def upload_photo(task_id: int, session: SessionDep, principal: Doer,
                 file: Annotated[UploadFile, File()]) -> JSONResponse:
    raw = read_upload(file, service.hazards.policy().photo_max_bytes)
    photo, created = service.add_photo(session, principal, task_id, raw)
    body = {"id": photo.id, "sha256": photo.sha256, "width": photo.width, "height": photo.height,
            "url": f"/api/v1/tasks/{task_id}/photos/{photo.id}"}
    return JSONResponse(body, status_code=201 if created else 200)


@router.get("/tasks/{task_id}/photos/{photo_id}", response_class=Response)
def get_photo(task_id: int, photo_id: int, session: SessionDep, principal: Reader) -> Response:
    photo = service.get_photo(session, principal, task_id, photo_id)
    return Response(photo.data, media_type=photo.content_type,
                    headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"})
