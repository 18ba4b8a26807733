"""HTTP routes of the stats domain: overview, drill-down, metric catalogue, map layer, exports, briefings."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import func, select

from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import NotFound
from campusguard.stats import briefing, geo, overview
from campusguard.stats.metrics import CATALOGUE, GROUP_LABELS
from campusguard.stats.models import Briefing
from campusguard.stats.scope import region_names, schools_in_scope, whole_districts

router = APIRouter(tags=["stats"])
Reader = Annotated[Principal, Depends(require("stats.read"))]
Region = Annotated[str | None, Query(max_length=12, pattern=r"^[0-9A-Za-z]+$",
                                     description="region code (district or city)")]
School = Annotated[int | None, Query(ge=1, description="school id")]
PeriodQ = Annotated[str | None, Query(max_length=32, description="2026-W47, 2026-11, 2026-Q4, 2026, 30d …")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/stats/metrics")
def metric_catalogue(principal: Reader) -> dict[str, Any]:
    """The named metrics with units and the event types that feed them."""
    items = [{"name": m.name, "label": m.label_zh, "label_en": m.label_en, "unit": m.unit.value,
              "kind": m.kind.value, "group": m.group, "source": m.source.value, "events": list(m.events),
              "higher_is_better": m.higher_is_better} for m in CATALOGUE]
    groups = [{"key": k, "label": zh, "label_en": en} for k, (zh, en) in GROUP_LABELS.items()]
    return {"items": items, "total": len(items), "groups": groups}


@router.get("/stats/overview")
def get_overview(session: SessionDep, principal: Reader, region: Region = None, school: School = None,
                 period: PeriodQ = None,
                 schools: Annotated[bool, Query(description="include the per-school map list")] = True
                 ) -> dict[str, Any]:
    """City/district/school dashboard in the caller's scope."""
    return overview.build_overview(session, principal, region=region, school=school,
                                   period=overview.period_of(period), with_schools=schools)


@router.get("/stats/drilldown")
def get_drilldown(session: SessionDep, principal: Reader,
                  metric: Annotated[str, Query(min_length=1, max_length=64)],
                  region: Region = None, school: School = None, period: PeriodQ = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50,
                  offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """The list of records behind a dashboard number."""
    return overview.drilldown(session, principal, metric=metric, region=region, school=school,
                              period=overview.period_of(period), limit=limit, offset=offset)


@router.get("/stats/geo/districts")
def district_layer(session: SessionDep, principal: Reader) -> dict[str, Any]:
    """District polygons (GeoJSON) generated from the schools' coordinates, for the offline map."""
    schools, names = schools_in_scope(session, principal)
    groups: dict[str, tuple[str, list[tuple[float, float]]]] = {}
    for s in schools:
        if s.lat is None or s.lon is None:
            continue
        groups.setdefault(s.district_code, (s.district_name, []))[1].append((s.lon, s.lat))
    return geo.districts_geojson(groups)


@router.get("/stats/export")
def export_overview(session: SessionDep, principal: Reader, region: Region = None, school: School = None,
                    period: PeriodQ = None,
                    format: Annotated[Literal["xlsx", "pdf"], Query()] = "xlsx") -> Response:
    """The dashboard as a Chinese Excel workbook (native charts) or PDF."""
    p = overview.period_of(period)
    data = overview.build_overview(session, principal, region=region, school=school, period=p)
    title = briefing.scope_title(data, region_names(session, principal), region, school)
    report = briefing.overview_report(data, title)
    from campusguard.stats.reports import render_pdf, render_xlsx

    body = render_xlsx(report) if format == "xlsx" else render_pdf(report)
    return _download(body, format, f"{title}-{p.label}")


def _download(body: bytes, fmt: str, stem: str) -> Response:
    media = XLSX if fmt == "xlsx" else "application/pdf"
    name = quote(f"{stem}.{fmt}")
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f"attachment; filename=\"report.{fmt}\"; "
                                                    f"filename*=UTF-8''{name}"})


@router.get("/stats/briefings")
def list_briefings(session: SessionDep, principal: Reader,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50,
                   offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Weekly district briefings the caller may read (newest first)."""
    visible = whole_districts(session, principal)
    stmt = select(Briefing).where(Briefing.district_code.in_(sorted(visible)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Briefing.created_at.desc(), Briefing.id.desc())
                           .limit(limit).offset(offset)).all()
    items = [{"id": b.id, "district_code": b.district_code, "district_name": b.district_name,
              "period": b.period, "created_at": b.created_at.isoformat(), "summary": b.summary,
              "pdf_url": f"/api/v1/stats/briefings/{b.id}/pdf",
              "xlsx_url": f"/api/v1/stats/briefings/{b.id}/xlsx"} for b in rows]
    return {"items": items, "total": int(total)}


@router.get("/stats/briefings/{briefing_id}/{fmt}")
def download_briefing(briefing_id: int, fmt: Literal["pdf", "xlsx"], session: SessionDep,
                      principal: Reader) -> Response:
    row = session.get(Briefing, briefing_id)
    if row is None or row.district_code not in whole_districts(session, principal):
        raise NotFound(f"briefing {briefing_id} not found")
    return _download(row.pdf if fmt == "pdf" else row.xlsx, fmt, f"{row.district_name}安保周报-{row.period}")
