"""HTTP routes of the assessment domain: schemes, runs, explanations, exports, bureau endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import select

from campusguard.assessment import push, service
from campusguard.assessment.models import Delivery, Endpoint, Result, Run, Scheme
from campusguard.assessment.report import run_report
from campusguard.assessment.scheme import SchemeDefinition
from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep
from campusguard.stats.reports import render_pdf, render_xlsx

router = APIRouter(tags=["assessment"])
Reader = Annotated[Principal, Depends(require("assessment.read"))]
Admin = Annotated[Principal, Depends(require("assessment.admin"))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RunIn(BaseModel):
    period: str = Field(min_length=4, max_length=16, examples=["2026-Q4", "2026-11", "2026-W47"])
    recompute: bool = Field(default=False, description="re-read inputs of a closed period (new freeze)")


class SchemeIn(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9-]{2,48}$")
    name: str = Field(min_length=1, max_length=128)
    definition: SchemeDefinition


class EndpointIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    url: HttpUrl
    secret: str = Field(min_length=16, max_length=256)


def _scheme_out(s: Scheme) -> dict[str, Any]:
    return {
        "id": s.id,
        "code": s.code,
        "version": s.version,
        "name": s.name,
        "active": s.active,
        "definition": s.definition,
        "created_at": s.created_at.isoformat(),
        "created_by": s.created_by,
    }


def _result_out(r: Result) -> dict[str, Any]:
    return {
        "school_id": r.school_id,
        "school_code": r.school_code,
        "school_name": r.school_name,
        "district_code": r.district_code,
        "district_name": r.district_name,
        "school_type": r.school_type,
        "score": r.score,
        "rank": r.rank,
        "rank_district": r.rank_district,
        "rank_type": r.rank_type,
        "subtotals": r.groups.get("subtotals", {}),
    }


def _run_out(run: Run, results: list[Result] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": run.id,
        "period": run.period,
        "period_kind": run.period_kind,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "closed": run.closed,
        "trigger": run.trigger,
        "scheme_id": run.scheme_id,
        "school_count": run.school_count,
        "result_digest": run.result_digest,
        "summary": run.summary,
        "created_at": run.created_at.isoformat(),
        "created_by": run.created_by,
    }
    if results is not None:
        out["results"] = [_result_out(r) for r in results]
    return out


@router.get("/assessment/schemes")
def list_schemes(session: SessionDep, principal: Reader) -> dict[str, Any]:
    rows = service.list_schemes(session)
    return {"items": [_scheme_out(s) for s in rows], "total": len(rows)}


@router.post("/assessment/schemes", status_code=201)
def create_scheme(data: SchemeIn, session: SessionDep, principal: Admin) -> dict[str, Any]:
    """Add a new version of a scheme (the previous version of the same code is retired)."""
    return _scheme_out(
        service.create_scheme(session, principal, code=data.code, name=data.name, definition=data.definition)
    )


@router.post("/assessment/runs", status_code=201)
def create_run(data: RunIn, session: SessionDep, principal: Admin) -> dict[str, Any]:
    """Score every school for the period; returns the run with per-school score and rank."""
    run = service.run_assessment(session, principal, period_label=data.period, recompute=data.recompute)
    return _run_out(run, service.results(session, principal, run))


@router.get("/assessment/runs")
def list_runs(
    session: SessionDep,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    rows, total = service.list_runs(session, limit, offset)
    return {"items": [_run_out(r) for r in rows], "total": total}


@router.get("/assessment/runs/{run_id}")
def get_run(run_id: int, session: SessionDep, principal: Reader) -> dict[str, Any]:
    run = service.get_run(session, run_id)
    return _run_out(run, service.results(session, principal, run))


@router.get("/assessment/runs/{run_id}/schools/{school_id}")
def explain(run_id: int, school_id: int, session: SessionDep, principal: Reader) -> dict[str, Any]:
    """A school's score line by line: value, rule, points, the inputs used and evidence links."""
    return service.explain(session, principal, service.get_run(session, run_id), school_id)


@router.get("/assessment/runs/{run_id}/export")
def export_run(
    run_id: int,
    session: SessionDep,
    principal: Reader,
    format: Annotated[Literal["xlsx", "pdf"], Query()] = "xlsx",
) -> Response:
    """Chinese Excel (native chart) or PDF of the run, limited to the caller's schools."""
    run = service.get_run(session, run_id)
    report = run_report(run, service.results(session, principal, run))
    body = render_xlsx(report) if format == "xlsx" else render_pdf(report)
    name = quote(f"考核评价-{run.period}-{run.id}.{format}")
    return Response(
        body,
        media_type=XLSX if format == "xlsx" else "application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="assessment-{run.id}.{format}"; '
            f"filename*=UTF-8''{name}"
        },
    )


@router.get("/assessment/runs/{run_id}/deliveries")
def deliveries(run_id: int, session: SessionDep, principal: Admin) -> dict[str, Any]:
    service.get_run(session, run_id)
    rows = session.scalars(select(Delivery).where(Delivery.run_id == run_id).order_by(Delivery.id)).all()
    items = [
        {
            "id": d.id,
            "endpoint_id": d.endpoint_id,
            "status": d.status,
            "attempts": d.attempts,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
        }
        for d in rows
    ]
    return {"items": items, "total": len(items)}


@router.post("/assessment/runs/{run_id}/push", status_code=202)
def repush(run_id: int, session: SessionDep, principal: Admin) -> dict[str, Any]:
    """Push the run again to every active endpoint."""
    made = push.enqueue(session, service.get_run(session, run_id))
    return {"deliveries": [d.id for d in made]}


@router.get("/assessment/endpoints")
def list_endpoints(session: SessionDep, principal: Admin) -> dict[str, Any]:
    rows = session.scalars(select(Endpoint).order_by(Endpoint.id)).all()
    items = [{"id": e.id, "name": e.name, "url": e.url, "active": e.active} for e in rows]
    return {"items": items, "total": len(items)}


@router.post("/assessment/endpoints", status_code=201)
def create_endpoint(data: EndpointIn, session: SessionDep, principal: Admin) -> dict[str, Any]:
    """Register the education bureau's receiver; the secret signs every push (never shown again)."""
    row = service.create_endpoint(session, principal, name=data.name, url=str(data.url), secret=data.secret)
    return {"id": row.id, "name": row.name, "url": row.url, "active": row.active}
