"""Checklist templates per school type and inspection runs whose failed items open hazards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, NotFound
from campusguard.core.scope import check_school, scoped
from campusguard.hazard import service
from campusguard.hazard.checklists import DEFAULT_TEMPLATES, ChecklistItem, failed_items, validate_items
from campusguard.hazard.models import ChecklistTemplate, Inspection
from campusguard.hazard.schemas import ChecklistIn, HazardIn, InspectionIn
from campusguard.org.models import School

BUILTIN_NAME = "标准安全检查 Standard safety inspection"


def ensure_builtin(session: Session) -> None:
    """Seed the built-in template of each school type once (idempotent, race-safe)."""
    have = set(session.scalars(select(ChecklistTemplate.school_type).where(
        ChecklistTemplate.builtin.is_(True))).all())
    for school_type, items in DEFAULT_TEMPLATES.items():
        if school_type in have:
            continue
        try:
            with session.begin_nested():
                session.add(ChecklistTemplate(school_type=school_type, name=BUILTIN_NAME, builtin=True,
                                              items=[i.as_dict() for i in items]))
                session.flush()
        except IntegrityError:
            pass


def list_checklists(session: Session, school_type: str | None = None) -> list[ChecklistTemplate]:
    ensure_builtin(session)
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.active.is_(True)).order_by(
        ChecklistTemplate.school_type, ChecklistTemplate.builtin.desc(), ChecklistTemplate.id)
    if school_type:
        stmt = stmt.where(ChecklistTemplate.school_type == school_type)
    return list(session.scalars(stmt).all())


def create_checklist(session: Session, principal: Principal, data: ChecklistIn) -> ChecklistTemplate:
    """A custom template (hazard.admin: the city or district defines standards)."""
    items = [i.model_dump() for i in data.items]
    try:
        validate_items(items)
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_checklist") from exc
    if session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.school_type == data.school_type,
                                                         ChecklistTemplate.name == data.name)):
        raise Conflict(f"checklist {data.name} exists for {data.school_type}", code="duplicate")
    row = ChecklistTemplate(school_type=data.school_type, name=data.name, items=items, builtin=False)
    session.add(row)
    session.flush()
    audit.record(session, principal=principal, action="hazard.checklist_create",
                 target_type="hazard_checklist", target_id=row.id,
                 detail={"school_type": data.school_type, "items": len(items)})
    return row


def _template_for(session: Session, school: School, template_id: int | None) -> ChecklistTemplate:
    ensure_builtin(session)
    if template_id is not None:
        tpl = session.get(ChecklistTemplate, template_id)
        if tpl is None or not tpl.active:
            raise NotFound(f"checklist {template_id} not found")
        if tpl.school_type != school.type:
            raise BadRequest(f"checklist {tpl.id} is for {tpl.school_type}, the school is {school.type}",
                             code="wrong_school_type")
        return tpl
    tpl = session.scalars(select(ChecklistTemplate).where(ChecklistTemplate.school_type == school.type,
                                                         ChecklistTemplate.builtin.is_(True))).first()
    if tpl is None:
        raise NotFound(f"no checklist for school type {school.type}")
    return tpl


def run_inspection(session: Session, principal: Principal, data: InspectionIn) -> Inspection:
    """Record the answers; every failed item opens a hazard (source "inspection")."""
    school = session.scalars(select(School).where(School.code == data.school_code)).first()
    if school is None:
        raise NotFound(f"school {data.school_code} not found", code="unknown_school")
    check_school(session, principal, school.id, write=True)
    tpl = _template_for(session, school, data.template_id)
    items = [ChecklistItem(**i) for i in tpl.items]
    try:
        drafts = failed_items(items, data.answers, data.notes)
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_answers") from exc
    run = Inspection(school_id=school.id, template_id=tpl.id, template_name=tpl.name, items=list(tpl.items),
                     answers=dict(data.answers), notes={k: v[:500] for k, v in data.notes.items()},
                     inspector=principal.name,
                     inspector_id=principal.id if principal.kind == "user" else None,
                     conducted_at=utcnow(), passed=len(items) - len(drafts), failed=len(drafts))
    session.add(run)
    session.flush()
    ids: list[int] = []
    for d in drafts:
        hazard, _ = service.report(session, principal, HazardIn(
            school_code=school.code, category=d.category, severity=d.severity,  # type: ignore[arg-type]
            description=d.description[:4000]), source="inspection", inspection_id=run.id)
        ids.append(hazard.id)
    run.hazard_ids = ids
    session.flush()
    audit.record(session, principal=principal, action="hazard.inspection", target_type="hazard_inspection",
                 target_id=run.id, school_id=school.id, district_code=school.district_code,
                 detail={"template_id": tpl.id, "passed": run.passed, "failed": run.failed, "hazards": ids})
    return run


def inspection_query(session: Session, principal: Principal, school_id: int | None = None) -> Any:
    stmt = scoped(select(Inspection).order_by(Inspection.conducted_at.desc()), Inspection.school_id, session,
                  principal)
    if school_id is not None:
        stmt = stmt.where(Inspection.school_id == school_id)
    return stmt
