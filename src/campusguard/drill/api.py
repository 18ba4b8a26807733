"""HTTP routes of the drill domain (应急演练)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import BadRequest
from campusguard.core.pagination import Page, PageParams, page_params, paginate
from campusguard.drill import service
from campusguard.drill.models import Drill
from campusguard.drill.schemas import DrillIn, DrillOut, DrillStats, EvaluateIn, StartIn, StopIn
from campusguard.org.models import School

router = APIRouter(tags=["drills"])
Reader = Annotated[Principal, Depends(require("drill.read"))]
Manager = Annotated[Principal, Depends(require("drill.manage"))]
Params = Annotated[PageParams, Depends(page_params)]


def _outs(session: Session, rows: list[Drill]) -> list[DrillOut]:
    ids = {d.school_id for d in rows}
    schools = {s.id: s for s in session.scalars(select(School).where(School.id.in_(ids)))} if ids else {}
    out = []
    for d in rows:
        o = DrillOut.model_validate(d)
        s = schools.get(d.school_id)
        if s is not None:
            o.school_code, o.school_name = s.code, s.name
        if d.started_at and d.ended_at:
            o.duration_s = round((d.ended_at - d.started_at).total_seconds(), 1)
        out.append(o)
    return out


def _one(session: Session, drill: Drill) -> DrillOut:
    return _outs(session, [drill])[0]


@router.get("/drills", response_model=Page[DrillOut])
def list_drills(session: SessionDep, principal: Reader, params: Params, school_id: int | None = None,
                status: str | None = None, kind: str | None = None) -> Page[DrillOut]:
    rows, total = paginate(session, service.query(session, principal, school_id=school_id, status=status,
                                                  kind=kind), params)
    return Page(items=_outs(session, rows), total=total)


@router.post("/drills", response_model=DrillOut, status_code=201)
def plan(data: DrillIn, session: SessionDep, principal: Manager) -> DrillOut:
    return _one(session, service.plan(session, principal, data))


@router.get("/drills/stats", response_model=DrillStats)
def stats(session: SessionDep, principal: Reader, by: Literal["school", "district"] = "school",
          since: datetime | None = None, until: datetime | None = None) -> DrillStats:
    for t in (since, until):
        if t is not None and t.tzinfo is None:
            raise BadRequest("since/until need a time zone", code="naive_datetime")
    return service.stats(session, principal, by=by, since=since, until=until)


@router.get("/drills/{drill_id}", response_model=DrillOut)
def get_drill(drill_id: int, session: SessionDep, principal: Reader) -> DrillOut:
    return _one(session, service.get(session, principal, drill_id))


@router.post("/drills/{drill_id}/start", response_model=DrillOut)
def start(drill_id: int, session: SessionDep, principal: Manager, data: StartIn | None = None) -> DrillOut:
    minutes = data.window_minutes if data else 60
    return _one(session, service.start(session, principal, drill_id, minutes))


@router.post("/drills/{drill_id}/stop", response_model=DrillOut)
def stop(drill_id: int, data: StopIn, session: SessionDep, principal: Manager) -> DrillOut:
    return _one(session, service.stop(session, principal, drill_id, data))


@router.post("/drills/{drill_id}/evaluate", response_model=DrillOut)
def evaluate(drill_id: int, data: EvaluateIn, session: SessionDep, principal: Manager) -> DrillOut:
    return _one(session, service.evaluate(session, principal, drill_id, data))


@router.post("/drills/{drill_id}/cancel", response_model=DrillOut)
def cancel(drill_id: int, session: SessionDep, principal: Manager) -> DrillOut:
    return _one(session, service.cancel(session, principal, drill_id))
