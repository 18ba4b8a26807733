"""Emergency plans (应急预案): versioned checklists per alarm type and school type, ticked per incident."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.alarm.models import ChecklistTick, Incident, Plan
from campusguard.alarm.plan_defaults import DEFAULT_PLANS
from campusguard.core.auth import Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, NotFound


def plan_for(session: Session, *, alarm_type: str, school_type: str | None) -> Plan | None:
    """Current plan for the type: the school-type variant first, then the generic one."""
    rows = session.scalars(select(Plan).where(Plan.alarm_type == alarm_type, Plan.current.is_(True))).all()
    exact = [p for p in rows if p.school_type == school_type and school_type is not None]
    generic = [p for p in rows if p.school_type is None]
    chosen = exact or generic
    return min(chosen, key=lambda p: p.id) if chosen else None


def seed_default_plans(session: Session, *, actor: str = "system") -> int:
    """Create the built-in plans that are missing (idempotent); the demo seed calls this."""
    created = 0
    for spec in DEFAULT_PLANS:
        key = f"default:{spec['alarm_type']}:{spec['school_type'] or 'any'}"
        if session.scalars(select(Plan.id).where(Plan.key == key)).first() is not None:
            continue
        session.add(
            Plan(
                key=key,
                version=1,
                alarm_type=spec["alarm_type"],
                school_type=spec["school_type"],
                title=spec["title"],
                steps=[dict(s) for s in spec["steps"]],
                current=True,
                created_by=actor,
            )
        )
        created += 1
    session.flush()
    return created


def list_plans(session: Session, *, alarm_type: str | None = None, history: bool = False) -> list[Plan]:
    stmt = select(Plan)
    if not history:
        stmt = stmt.where(Plan.current.is_(True))
    if alarm_type:
        stmt = stmt.where(Plan.alarm_type == alarm_type)
    return list(session.scalars(stmt.order_by(Plan.alarm_type, Plan.school_type, Plan.version)).all())


def versions(session: Session, key: str) -> list[Plan]:
    return list(session.scalars(select(Plan).where(Plan.key == key).order_by(Plan.version)).all())


def create_plan(
    session: Session,
    principal: Principal,
    *,
    alarm_type: str,
    school_type: str | None,
    title: str,
    steps: list[dict[str, Any]],
) -> Plan:
    """A new plan; if one already covers the same type pair it must be edited instead."""
    clash = session.scalars(
        select(Plan).where(
            Plan.alarm_type == alarm_type,
            Plan.current.is_(True),
            Plan.school_type.is_(None) if school_type is None else Plan.school_type == school_type,
        )
    ).first()
    if clash is not None:
        raise Conflict(
            f"plan {clash.id} already covers {alarm_type}/{school_type or 'any'}; edit it", code="plan_exists"
        )
    plan = Plan(
        key=f"plan:{uuid.uuid4().hex[:12]}",
        version=1,
        alarm_type=alarm_type,
        school_type=school_type,
        title=title,
        steps=steps,
        current=True,
        created_by=principal.label,
        created_at=utcnow(),
    )
    session.add(plan)
    session.flush()
    return plan


def edit_plan(
    session: Session, principal: Principal, plan_id: int, *, title: str, steps: list[dict[str, Any]]
) -> Plan:
    """Editing makes a new version; incidents that started with the old one keep it."""
    old = session.get(Plan, plan_id)
    if old is None:
        raise NotFound(f"no plan {plan_id}")
    if not old.current:
        raise Conflict("only the current version of a plan can be edited", code="plan_not_current")
    old.current = False
    new = Plan(
        key=old.key,
        version=old.version + 1,
        alarm_type=old.alarm_type,
        school_type=old.school_type,
        title=title,
        steps=steps,
        current=True,
        created_by=principal.label,
        created_at=utcnow(),
    )
    session.add(new)
    session.flush()
    return new


def checklist(session: Session, incident: Incident) -> list[dict[str, Any]]:
    """The incident's plan steps with who ticked them and when."""
    plan = session.get(Plan, incident.plan_id) if incident.plan_id else None
    if plan is None:
        return []
    ticks = {
        t.step: t
        for t in session.scalars(select(ChecklistTick).where(ChecklistTick.incident_id == incident.id)).all()
    }
    out = []
    for i, step in enumerate(plan.steps):
        tick = ticks.get(i)
        out.append(
            {
                "step": i,
                "title": step.get("title", ""),
                "detail": step.get("detail", ""),
                "done": bool(tick and tick.done),
                "at": tick.at if tick else None,
                "actor": tick.actor if tick else None,
                "note": tick.note if tick else None,
            }
        )
    return out


def tick(
    session: Session, principal: Principal, incident: Incident, step: int, *, done: bool, note: str | None
) -> ChecklistTick:
    """Tick (or untick) one step of the incident's plan."""
    plan = session.get(Plan, incident.plan_id) if incident.plan_id else None
    if plan is None:
        raise Conflict("this incident has no emergency plan", code="no_plan")
    if step < 0 or step >= len(plan.steps):
        raise BadRequest(f"step must be between 0 and {len(plan.steps) - 1}", code="bad_step")
    if incident.status == "resolved":
        raise Conflict("the incident is resolved; its checklist is closed", code="incident_closed")
    row = session.scalars(
        select(ChecklistTick).where(ChecklistTick.incident_id == incident.id, ChecklistTick.step == step)
    ).first()
    if row is None:
        row = ChecklistTick(incident_id=incident.id, step=step, actor=principal.label)
        session.add(row)
    row.done, row.note, row.at, row.actor = done, note, utcnow(), principal.label
    session.flush()
    return row
