"""Checklist templates per school type and inspection runs whose failed items open hazards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, Forbidden, NotFound
from campusguard.core.permissions import REGION_ROLES
from campusguard.core.scope import allowed_school_ids, can_see_school, check_school, scoped
from campusguard.hazard import service
from campusguard.hazard.checklists import DEFAULT_TEMPLATES, ChecklistItem, failed_items, validate_items
from campusguard.hazard.models import ChecklistTemplate, Inspection
from campusguard.hazard.schemas import ChecklistIn, ChecklistPatch, HazardIn, InspectionIn
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


def may_edit_checklists(principal: Principal) -> bool:
    """District/city standards need hazard.admin; a school admin (hazard.assign) keeps its own school's."""
    return principal.can("hazard.admin") or principal.can("hazard.assign")


def _caller_districts(session: Session, principal: Principal) -> set[str] | None:
    """Districts whose templates the caller sees; None = the whole city."""
    ids = allowed_school_ids(session, principal)
    if ids is None:
        return None
    districts = set(session.scalars(select(School.district_code).where(School.id.in_(sorted(ids)))).all())
    if principal.role in REGION_ROLES and principal.region_code:
        districts.add(principal.region_code)
    return districts


def _visible(stmt: Any, session: Session, principal: Principal) -> Any:
    """City templates, those of the caller's districts and those of the caller's schools."""
    districts = _caller_districts(session, principal)
    if districts is None:
        return stmt
    ids = allowed_school_ids(session, principal) or set()
    return stmt.where(or_(ChecklistTemplate.scope_key == "city",
                          ChecklistTemplate.district_code.in_(sorted(districts)),
                          ChecklistTemplate.school_id.in_(sorted(ids))))


def can_edit(session: Session, principal: Principal, tpl: ChecklistTemplate) -> bool:
    """Built-ins are read-only; a template is edited at the level that owns it."""
    if tpl.builtin or not may_edit_checklists(principal):
        return False
    if tpl.school_id is not None:
        return can_see_school(session, principal, tpl.school_id)
    if not principal.can("hazard.admin"):
        return False
    if allowed_school_ids(session, principal) is None:
        return True
    return (tpl.district_code is not None and principal.role in REGION_ROLES
            and principal.region_code == tpl.district_code)


def list_checklists(session: Session, principal: Principal, school_type: str | None = None, *,
                    school: School | None = None, include_inactive: bool = False) -> list[ChecklistTemplate]:
    """Templates the caller may use; with a school, only those that apply to it (city, its district, its own)."""
    ensure_builtin(session)
    stmt = _visible(select(ChecklistTemplate), session, principal).order_by(
        ChecklistTemplate.school_type, ChecklistTemplate.builtin.desc(), ChecklistTemplate.scope_key,
        ChecklistTemplate.id)
    if not include_inactive:
        stmt = stmt.where(ChecklistTemplate.active.is_(True))
    if school_type:
        stmt = stmt.where(ChecklistTemplate.school_type == school_type)
    if school is not None:
        stmt = stmt.where(ChecklistTemplate.school_type == school.type, or_(
            ChecklistTemplate.scope_key == "city", ChecklistTemplate.district_code == school.district_code,
            ChecklistTemplate.school_id == school.id))
    return list(session.scalars(stmt).all())


def get_checklist(session: Session, principal: Principal, template_id: int) -> ChecklistTemplate:
    ensure_builtin(session)
    tpl = session.scalars(_visible(select(ChecklistTemplate).where(ChecklistTemplate.id == template_id),
                                   session, principal)).first()
    if tpl is None:
        raise NotFound(f"checklist {template_id} not found")
    return tpl


def _checked_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        return [i.as_dict() for i in validate_items(items)]
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_checklist") from exc


def _owner(session: Session, principal: Principal, data: ChecklistIn) -> tuple[str, str | None, int | None]:
    """Who owns a new template: the named school, the named district, or the city (each level checked)."""
    if data.school_code:
        school = session.scalars(select(School).where(School.code == data.school_code)).first()
        if school is None:
            raise NotFound(f"school {data.school_code} not found", code="unknown_school")
        check_school(session, principal, school.id, write=True)
        if school.type != data.school_type:
            raise BadRequest(f"school {school.code} is a {school.type}, not a {data.school_type}",
                             code="wrong_school_type")
        return f"school:{school.id}", school.district_code, school.id
    if not principal.can("hazard.admin"):
        raise Forbidden("a school administrator keeps checklists of a school: give school_code",
                        code="school_only")
    city = allowed_school_ids(session, principal) is None
    if data.district_code:
        if not city and not (principal.role in REGION_ROLES and principal.region_code == data.district_code):
            raise Forbidden(f"district {data.district_code} is outside your scope", code="out_of_scope")
        if session.scalar(select(School.id).where(School.district_code == data.district_code).limit(1)) is None:
            raise NotFound(f"no schools in district {data.district_code}", code="unknown_district")
        return f"district:{data.district_code}", data.district_code, None
    if not city:
        raise Forbidden("only the city sets city-wide checklists: give district_code or school_code",
                        code="out_of_scope")
    return "city", None, None


def _duplicate(session: Session, school_type: str, scope_key: str, name: str, not_id: int | None = None) -> None:
    stmt = select(ChecklistTemplate.id).where(ChecklistTemplate.school_type == school_type,
                                              ChecklistTemplate.scope_key == scope_key,
                                              ChecklistTemplate.name == name)
    if not_id is not None:
        stmt = stmt.where(ChecklistTemplate.id != not_id)
    if session.scalar(stmt):
        raise Conflict(f"checklist {name} exists for {school_type} at this level", code="duplicate")


def create_checklist(session: Session, principal: Principal, data: ChecklistIn) -> ChecklistTemplate:
    """A custom template owned by the city, a district or a school (audited)."""
    items = _checked_items([i.model_dump() for i in data.items])
    scope_key, district_code, school_id = _owner(session, principal, data)
    _duplicate(session, data.school_type, scope_key, data.name)
    row = ChecklistTemplate(school_type=data.school_type, name=data.name, items=items, builtin=False,
                            active=True, scope_key=scope_key, district_code=district_code, school_id=school_id,
                            version=1, updated_by=principal.name)
    session.add(row)
    session.flush()
    audit.record(session, principal=principal, action="hazard.checklist_create",
                 target_type="hazard_checklist", target_id=row.id, school_id=school_id,
                 district_code=district_code,
                 detail={"school_type": data.school_type, "scope": scope_key, "items": len(items)})
    return row


def update_checklist(session: Session, principal: Principal, template_id: int,
                     data: ChecklistPatch) -> ChecklistTemplate:
    """Rename, re-order/edit items (a new version) or switch on/off; a stale version is refused (409)."""
    tpl = get_checklist(session, principal, template_id)
    if tpl.builtin:
        raise Conflict("the built-in checklist is read-only: copy it to change it", code="builtin_readonly")
    if not can_edit(session, principal, tpl):
        raise Forbidden("this checklist belongs to another level", code="out_of_scope")
    if data.version is not None and data.version != tpl.version:
        raise Conflict(f"the checklist changed meanwhile (now version {tpl.version})", code="stale_version")
    before = {"name": tpl.name, "active": tpl.active, "version": tpl.version, "items": len(tpl.items)}
    changed: list[str] = []
    if data.name is not None and data.name != tpl.name:
        _duplicate(session, tpl.school_type, tpl.scope_key, data.name, not_id=tpl.id)
        tpl.name = data.name
        changed.append("name")
    if data.items is not None:
        items = _checked_items([i.model_dump() for i in data.items])
        if items != tpl.items:
            tpl.items = items
            tpl.version += 1
            changed.append("items")
    if data.active is not None and data.active != tpl.active:
        tpl.active = data.active
        changed.append("active")
    if not changed:
        return tpl
    tpl.updated_by = principal.name
    session.flush()
    after = {"name": tpl.name, "active": tpl.active, "version": tpl.version, "items": len(tpl.items)}
    audit.record(session, principal=principal, action="hazard.checklist_update",
                 target_type="hazard_checklist", target_id=tpl.id, school_id=tpl.school_id,
                 district_code=tpl.district_code, detail={"changed": changed, "before": before, "after": after})
    return tpl


def _template_for(session: Session, principal: Principal, school: School,
                  template_id: int | None) -> ChecklistTemplate:
    ensure_builtin(session)
    if template_id is not None:
        tpl = session.get(ChecklistTemplate, template_id)
        if tpl is None or not tpl.active:
            raise NotFound(f"checklist {template_id} not found")
        if tpl.school_type != school.type:
            raise BadRequest(f"checklist {tpl.id} is for {tpl.school_type}, the school is {school.type}",
                             code="wrong_school_type")
        if tpl not in list_checklists(session, principal, school=school):
            raise BadRequest(f"checklist {tpl.id} does not apply to school {school.code}", code="wrong_scope")
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
    tpl = _template_for(session, principal, school, data.template_id)
    items = [ChecklistItem(**i) for i in tpl.items]
    try:
        drafts = failed_items(items, data.answers, data.notes)
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_answers") from exc
    run = Inspection(school_id=school.id, template_id=tpl.id, template_name=tpl.name,
                     template_version=tpl.version, items=list(tpl.items),
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
                 detail={"template_id": tpl.id, "version": tpl.version, "passed": run.passed, "failed": run.failed,
                         "hazards": ids})
    return run


def inspection_query(session: Session, principal: Principal, school_id: int | None = None) -> Any:
    stmt = scoped(select(Inspection).order_by(Inspection.conducted_at.desc()), Inspection.school_id, session,
                  principal)
    if school_id is not None:
        stmt = stmt.where(Inspection.school_id == school_id)
    return stmt
