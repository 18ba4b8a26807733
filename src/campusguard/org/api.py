"""HTTP routes of the organisation domain: regions, grids, schools, areas, people, imports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep
from campusguard.core.pagination import Page, PageParams, page_params, paginate
from campusguard.org import importer, service
from campusguard.org.models import School
from campusguard.org.schemas import (
    AreaIn,
    AreaOut,
    GridIn,
    GridOut,
    GuardianLinkIn,
    ImportResult,
    PersonIn,
    PersonOut,
    RegionIn,
    RegionOut,
    SchoolCounts,
    SchoolDetail,
    SchoolIn,
    SchoolOut,
    SchoolPatch,
)

router = APIRouter(tags=["organisation"])
Reader = Annotated[Principal, Depends(require("org.read"))]
Writer = Annotated[Principal, Depends(require("org.write"))]
Params = Annotated[PageParams, Depends(page_params)]


def _school_out(school: School, grids: dict[int, object]) -> SchoolOut:
    out = SchoolOut.model_validate(school)
    settings = school.settings or {}
    out.live_view_windows = [(str(w[0]), str(w[1])) for w in settings.get("live_view_windows") or [] if len(w) == 2]
    out.live_view_days = [int(d) for d in settings.get("live_view_days") or []]
    grid = grids.get(school.grid_id) if school.grid_id else None
    if grid is not None:
        out.grid_name = getattr(grid, "name", None)
        out.grid_owner = getattr(grid, "owner_name", None)
    return out


@router.get("/regions", response_model=Page[RegionOut])
def list_regions(session: SessionDep, principal: Reader) -> Page[RegionOut]:
    rows = service.list_regions(session, principal)
    return Page(items=[RegionOut.model_validate(r) for r in rows], total=len(rows))


@router.post("/regions", response_model=RegionOut, status_code=201)
def create_region(data: RegionIn, session: SessionDep,
                  principal: Annotated[Principal, Depends(require("integrator.admin"))]) -> RegionOut:
    return RegionOut.model_validate(service.create_region(session, principal, data))


@router.get("/grids", response_model=Page[GridOut])
def list_grids(session: SessionDep, principal: Reader, district_code: str | None = None) -> Page[GridOut]:
    rows = service.list_grids(session, principal, district_code)
    return Page(items=[GridOut.model_validate(g) for g in rows], total=len(rows))


@router.post("/grids", response_model=GridOut, status_code=201)
def create_grid(data: GridIn, session: SessionDep, principal: Writer) -> GridOut:
    return GridOut.model_validate(service.create_grid(session, principal, data))


@router.get("/schools", response_model=Page[SchoolOut])
def list_schools(session: SessionDep, principal: Reader, params: Params,
                 district_code: str | None = None, type: str | None = None,  # noqa: A002
                 q: str | None = None, grid_id: int | None = None) -> Page[SchoolOut]:
    rows, total = service.list_schools(session, principal, params, district_code=district_code, type_=type,
                                       q=q, grid_id=grid_id)
    grids = service.grids_by_id(session, {s.grid_id for s in rows if s.grid_id})
    return Page(items=[_school_out(s, grids) for s in rows], total=total)  # type: ignore[arg-type]


@router.post("/schools", response_model=SchoolOut, status_code=201)
def create_school(data: SchoolIn, session: SessionDep, principal: Writer) -> SchoolOut:
    return _school_out(service.create_school(session, principal, data), {})


@router.get("/schools/{school_id}", response_model=SchoolDetail)
def get_school(school_id: int, session: SessionDep, principal: Reader) -> SchoolDetail:
    school = service.get_school(session, principal, school_id)
    grids = service.grids_by_id(session, {school.grid_id} if school.grid_id else set())
    out = _school_out(school, grids)  # type: ignore[arg-type]
    counts = SchoolCounts(**service.school_counts(session, school.id))
    return SchoolDetail(**out.model_dump(), counts=counts)


@router.patch("/schools/{school_id}", response_model=SchoolOut)
def update_school(school_id: int, data: SchoolPatch, session: SessionDep, principal: Writer) -> SchoolOut:
    return _school_out(service.update_school(session, principal, school_id, data), {})


@router.delete("/schools/{school_id}", status_code=204)
def delete_school(school_id: int, session: SessionDep, principal: Writer) -> Response:
    service.delete_school(session, principal, school_id)
    return Response(status_code=204)


@router.get("/schools/{school_id}/areas", response_model=Page[AreaOut])
def list_areas(school_id: int, session: SessionDep, principal: Reader) -> Page[AreaOut]:
    rows = service.list_areas(session, principal, school_id)
    return Page(items=[AreaOut.model_validate(a) for a in rows], total=len(rows))


@router.post("/schools/{school_id}/areas", response_model=AreaOut, status_code=201)
def create_area(school_id: int, data: AreaIn, session: SessionDep, principal: Writer) -> AreaOut:
    return AreaOut.model_validate(service.create_area(session, principal, school_id, data))


@router.delete("/areas/{area_id}", status_code=204)
def delete_area(area_id: int, session: SessionDep, principal: Writer) -> Response:
    service.delete_area(session, principal, area_id)
    return Response(status_code=204)


@router.get("/people", response_model=Page[PersonOut])
def list_people(session: SessionDep, principal: Reader, params: Params, school_id: int | None = None,
                kind: str | None = None, class_name: str | None = None, q: str | None = None
                ) -> Page[PersonOut]:
    stmt = service.people_query(session, principal, school_id=school_id, kind=kind, class_name=class_name, q=q)
    rows, total = paginate(session, stmt, params)
    return Page(items=[PersonOut.model_validate(p) for p in rows], total=total)


@router.post("/people", response_model=PersonOut, status_code=201)
def create_person(data: PersonIn, session: SessionDep, principal: Writer) -> PersonOut:
    return PersonOut.model_validate(service.create_person(session, principal, data))


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: int, session: SessionDep, principal: Reader) -> PersonOut:
    return PersonOut.model_validate(service.get_person(session, principal, person_id))


@router.delete("/people/{person_id}", response_model=PersonOut)
def deactivate_person(person_id: int, session: SessionDep, principal: Writer) -> PersonOut:
    return PersonOut.model_validate(service.deactivate_person(session, principal, person_id))


@router.post("/people/{person_id}/children", status_code=201)
def link_child(person_id: int, data: GuardianLinkIn, session: SessionDep, principal: Writer) -> dict[str, int]:
    link = service.link_guardian(session, principal, person_id, data.student_id, data.relation,
                                 data.can_pick_up)
    return {"id": link.id}


@router.post("/import/{kind}", response_model=ImportResult)
def import_rows(kind: Literal["schools", "people", "devices"], session: SessionDep,
                principal: Annotated[Principal, Depends(require("org.import"))],
                file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX roster")],
                dry_run: Annotated[bool, Query()] = False) -> ImportResult:
    """All rows or none: any row error rolls the whole file back and lists every error."""
    content = importer.read_upload(file)
    return importer.run_import(session, principal, kind, file.filename or "", content, dry_run=dry_run)
