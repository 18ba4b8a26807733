"""HTTP routes of the rollout domain: per-district progress, school checklists, police sign-off, phases."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, field_validator

from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import Forbidden
from campusguard.core.scope import allowed_school_ids
from campusguard.rollout import service
from campusguard.rollout.models import ITEMS
from campusguard.stats.scope import schools_in_scope

router = APIRouter(tags=["rollout"])
Reader = Annotated[Principal, Depends(require("rollout.read"))]
Signer = Annotated[Principal, Depends(require("rollout.signoff"))]
Region = Annotated[str | None, Query(max_length=12, pattern=r"^[0-9A-Za-z]+$")]


class SignoffIn(BaseModel):
    note: str | None = Field(default=None, max_length=500)


class PhaseIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    deadline: date
    target: float = Field(gt=0, le=1)
    items: list[str] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(ITEMS))
        if unknown:
            raise ValueError(f"unknown checklist items {unknown}; known: {list(ITEMS)}")
        return value


@router.get("/rollout")
def progress(session: SessionDep, principal: Reader, region: Region = None) -> dict[str, Any]:
    """Per-district completion against each phase deadline (90 % then 100 % by default)."""
    return service.progress(session, principal, region)


@router.get("/rollout/schools")
def list_schools(
    session: SessionDep,
    principal: Reader,
    region: Region = None,
    incomplete: Annotated[bool, Query()] = False,
) -> dict[str, Any]:
    items = service.schools(session, principal, region)
    if incomplete:
        items = [i for i in items if not i["complete"]]
    return {"items": items, "total": len(items)}


@router.get("/rollout/schools/{school_id}")
def get_school(school_id: int, session: SessionDep, principal: Reader) -> dict[str, Any]:
    infos, _ = schools_in_scope(session, principal, school=school_id)
    return service.checklist_out(infos[0], session.get(service.Checklist, school_id))


@router.post("/rollout/schools/{school_id}/signoff")
def signoff(school_id: int, data: SignoffIn, session: SessionDep, principal: Signer) -> dict[str, Any]:
    """Acceptance signed by the district police (all automatic items must be met)."""
    row = service.signoff(session, principal, school_id, data.note)
    infos, _ = schools_in_scope(session, principal, school=school_id)
    return service.checklist_out(infos[0], row)


@router.post("/rollout/refresh")
def refresh(session: SessionDep, principal: Signer, region: Region = None) -> dict[str, Any]:
    """Re-check the automatic items of the caller's schools now (normally hourly)."""
    infos, _ = schools_in_scope(session, principal, region=region)
    return {"items_met": service.refresh(session, {i.id for i in infos}), "schools": len(infos)}


@router.put("/rollout/phases")
def set_phases(phases: list[PhaseIn], session: SessionDep, principal: Signer) -> dict[str, Any]:
    """Replace the city's phases and deadlines (city scope only)."""
    if allowed_school_ids(session, principal) is not None:
        raise Forbidden("only the city may set rollout deadlines", code="city_only")
    rows = service.replace_phases(session, principal, [p.model_dump() for p in phases])
    return {
        "items": [
            {
                "id": p.id,
                "name": p.name,
                "deadline": p.deadline.isoformat(),
                "target": p.target,
                "items": p.items,
            }
            for p in rows
        ],
        "total": len(rows),
    }
