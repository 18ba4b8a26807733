"""Liaison-task services: create, recurring rules, GPS check-in, completion with findings, overdue."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campusguard.accounts import service as accounts
from campusguard.accounts.models import User
from campusguard.bus.outbox import publish
from campusguard.config import get_settings
from campusguard.core import audit
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, Forbidden, NotFound
from campusguard.core.scope import check_school, scoped
from campusguard.hazard import service as hazards
from campusguard.hazard.schemas import HazardIn
from campusguard.org.models import School
from campusguard.task import events as ev
from campusguard.task.models import Task, TaskCheckin, TaskPhoto, TaskRule
from campusguard.task.rules import (
    OPEN_STATUSES,
    SiteCheck,
    TaskPolicy,
    TaskTransitionRefused,
    advance,
    check_site,
    next_status,
)
from campusguard.task.schemas import CheckinIn, CompleteIn, RuleIn, RulePatch, TaskIn

log = structlog.get_logger(__name__)


@lru_cache
def policy() -> TaskPolicy:
    """Process-wide task policy (CG_TASK_* environment)."""
    return TaskPolicy()


def _school_by_code(session: Session, principal: Principal, code: str) -> School:
    school = session.scalars(select(School).where(School.code == code)).first()
    if school is None:
        raise NotFound(f"school {code} not found", code="unknown_school")
    check_school(session, principal, school.id, write=True)
    return school


def _officer(session: Session, school: School, user_id: int | None) -> User | None:
    """The assigned officer must be a liaison officer (or district police) reaching that school."""
    if user_id is None:
        return None
    try:
        user = accounts.get_user(session, user_id)
    except NotFound as exc:
        raise BadRequest(f"unknown user {user_id}", code="unknown_officer") from exc
    if not user.active:
        raise BadRequest(f"user {user.username} is deactivated", code="unknown_officer")
    if user.role not in ("liaison_officer", "district_police"):
        raise BadRequest(f"user {user.username} is a {user.role}, not an officer", code="not_an_officer")
    reaches = school.code in (user.school_codes or []) if user.role == "liaison_officer" \
        else user.region_code == school.district_code
    if not reaches:
        raise BadRequest(f"user {user.username} does not cover school {school.code}",
                         code="officer_out_of_scope")
    return user


def _audit(session: Session, principal: Principal, action: str, task: Task, **detail: Any) -> None:
    school = session.get(School, task.school_id)
    audit.record(session, principal=principal, action=f"task.{action}", target_type="task",
                 target_id=task.id, school_id=task.school_id,
                 district_code=school.district_code if school else None, detail=detail)


def _event(task: Task, school: School, actor: str) -> dict[str, Any]:
    return {"task_id": task.id, "kind": task.kind, "status": task.status, "title": task.title,
            "officer_user_id": task.officer_user_id, "school_id": task.school_id,
            "district_code": school.district_code, "school_code": school.code, "actor": actor}


# ---- reads --------------------------------------------------------------------------------------

def get(session: Session, principal: Principal, task_id: int, *, lock: bool = False) -> Task:
    task = session.get(Task, task_id, with_for_update=lock or None)
    if task is None:
        raise NotFound(f"task {task_id} not found")
    check_school(session, principal, task.school_id, write=False)
    return task


def query(session: Session, principal: Principal, *, status: str | None = None, kind: str | None = None,
          school_id: int | None = None, officer_user_id: int | None = None, overdue: bool | None = None,
          open_only: bool = False) -> Select[Any]:
    stmt = scoped(select(Task).order_by(Task.due_at, Task.id), Task.school_id, session, principal)
    if status:
        stmt = stmt.where(Task.status.in_(status.split(",")))
    if open_only:
        stmt = stmt.where(Task.status.in_(sorted(OPEN_STATUSES)))
    if kind:
        stmt = stmt.where(Task.kind == kind)
    if school_id is not None:
        stmt = stmt.where(Task.school_id == school_id)
    if officer_user_id is not None:
        stmt = stmt.where(Task.officer_user_id == officer_user_id)
    if overdue is not None:
        stmt = stmt.where(Task.overdue.is_(overdue))
    return stmt


def checkins_of(session: Session, task_id: int) -> list[TaskCheckin]:
    return list(session.scalars(select(TaskCheckin).where(TaskCheckin.task_id == task_id)
                                .order_by(TaskCheckin.id)).all())


def photo_ids(session: Session, task_id: int) -> list[int]:
    return list(session.scalars(select(TaskPhoto.id).where(TaskPhoto.task_id == task_id)
                                .order_by(TaskPhoto.id)).all())


def photo_counts(session: Session, task_ids: list[int]) -> dict[int, int]:
    if not task_ids:
        return {}
    rows = session.execute(select(TaskPhoto.task_id, func.count()).where(TaskPhoto.task_id.in_(task_ids))
                           .group_by(TaskPhoto.task_id)).tuples().all()
    return {int(k): int(v) for k, v in rows}


# ---- writes -------------------------------------------------------------------------------------

def create(session: Session, principal: Principal, data: TaskIn) -> Task:
    """District police (task.manage) give an officer a task at a school."""
    school = _school_by_code(session, principal, data.school_code)
    officer = _officer(session, school, data.officer_user_id)
    now = utcnow()
    due = data.due_at or now + timedelta(hours=policy().default_due_hours)
    if due.tzinfo is None:
        raise BadRequest("due_at needs a time zone", code="naive_datetime")
    if due <= now:
        raise BadRequest("due_at must be in the future", code="due_in_past")
    task = Task(school_id=school.id, kind=data.kind, title=data.title.strip(), description=data.description,
                status="open", officer_user_id=officer.id if officer else None,
                officer_name=officer.display_name if officer else None, due_at=due, created_by=principal.name)
    session.add(task)
    session.flush()
    _audit(session, principal, "create", task, kind=task.kind, officer_user_id=task.officer_user_id,
           due_at=due.isoformat())
    publish(session, ev.TaskAssigned(**_event(task, school, principal.name), due_at=due))
    return task


def _may_do(principal: Principal, task: Task) -> None:
    if task.officer_user_id is not None and task.officer_user_id != principal.id \
            and not principal.can("task.manage"):
        raise Forbidden("this task is assigned to another officer", code="not_your_task")


def _step(task: Task, action: str) -> str:
    before = task.status
    try:
        task.status = next_status(before, action)
    except TaskTransitionRefused as exc:
        raise Conflict(str(exc), code="invalid_transition", extra={"current_status": before}) from exc
    return before


def checkin(session: Session, principal: Principal, task_id: int, data: CheckinIn) -> tuple[Task, SiteCheck]:
    """Record the officer's position; away from the school the attempt is kept but refused (caller → 422)."""
    task = get(session, principal, task_id, lock=True)
    check_school(session, principal, task.school_id, write=True)
    _may_do(principal, task)
    school = session.get(School, task.school_id)
    assert school is not None
    p = policy()
    site = check_site(lat=data.lat, lon=data.lon, accuracy_m=data.accuracy_m, school_lat=school.lat,
                      school_lon=school.lon, radius_m=p.checkin_radius_m, max_accuracy_m=p.max_gps_accuracy_m)
    if site.within:
        _step(task, "checkin")
    now = utcnow()
    session.add(TaskCheckin(task_id=task.id, at=now, lat=data.lat, lon=data.lon, accuracy_m=data.accuracy_m,
                            distance_m=site.distance_m, accepted=site.within, reason=site.reason,
                            actor=principal.name,
                            actor_id=principal.id if principal.kind == "user" else None))
    if site.within:
        task.checked_in_at = now
        task.checkin_lat, task.checkin_lon = data.lat, data.lon
        task.checkin_distance_m, task.checkin_reason = site.distance_m, site.reason
    session.flush()
    _audit(session, principal, "checkin" if site.within else "checkin_refused", task,
           distance_m=site.distance_m, reason=site.reason)
    log.info("task.checkin", task_id=task.id, accepted=site.within, distance_m=site.distance_m,
             reason=site.reason)
    return task, site


def complete(session: Session, principal: Principal, task_id: int, data: CompleteIn) -> Task:
    """Close the visit with findings; each listed hazard is opened through the hazard service."""
    task = get(session, principal, task_id, lock=True)
    check_school(session, principal, task.school_id, write=True)
    _may_do(principal, task)
    before = _step(task, "complete")
    school = session.get(School, task.school_id)
    assert school is not None
    if data.hazards and not principal.can("hazard.report"):
        raise Forbidden("your role may not report hazards", code="forbidden")
    ids = list(task.hazard_ids or [])
    for i, finding in enumerate(data.hazards):
        hazard, _ = hazards.report(session, principal, HazardIn(
            school_code=school.code, category=finding.category, severity=finding.severity,
            description=finding.description, area_id=finding.area_id,
            client_id=f"task-{task.id}-finding-{i}"), source="task", task_id=task.id)
        ids.append(hazard.id)
    now = utcnow()
    task.findings = data.findings.strip()
    task.hazard_ids = ids
    task.completed_at = now
    task.completed_by = principal.name
    session.flush()
    _audit(session, principal, "complete", task, from_status=before, hazards=ids, late=now > task.due_at)
    publish(session, ev.TaskCompleted(**_event(task, school, principal.name), hazard_ids=ids))
    return task


def cancel(session: Session, principal: Principal, task_id: int) -> Task:
    task = get(session, principal, task_id, lock=True)
    check_school(session, principal, task.school_id, write=True)
    before = _step(task, "cancel")
    session.flush()
    _audit(session, principal, "cancel", task, from_status=before)
    return task


def add_photo(session: Session, principal: Principal, task_id: int, raw: bytes) -> tuple[TaskPhoto, bool]:
    task = get(session, principal, task_id)
    check_school(session, principal, task.school_id, write=True)
    _may_do(principal, task)
    if task.status not in OPEN_STATUSES:
        raise Conflict(f"a {task.status} task takes no more photos", code="task_closed")
    photo = hazards.normalise_photo(raw)
    same = session.scalars(select(TaskPhoto).where(TaskPhoto.task_id == task.id,
                                                   TaskPhoto.sha256 == photo.sha256)).first()
    if same is not None:
        return same, False
    row = TaskPhoto(task_id=task.id, content_type=photo.content_type, data=photo.data, size=len(photo.data),
                    width=photo.width, height=photo.height, sha256=photo.sha256, uploaded_by=principal.name,
                    created_at=utcnow())
    session.add(row)
    session.flush()
    _audit(session, principal, "photo", task, photo_id=row.id, sha256=photo.sha256)
    return row, True


def get_photo(session: Session, principal: Principal, task_id: int, photo_id: int) -> TaskPhoto:
    get(session, principal, task_id)
    row = session.get(TaskPhoto, photo_id)
    if row is None or row.task_id != task_id:
        raise NotFound(f"photo {photo_id} not found")
    return row


# ---- recurring rules ----------------------------------------------------------------------------

def create_rule(session: Session, principal: Principal, data: RuleIn) -> TaskRule:
    school = _school_by_code(session, principal, data.school_code)
    officer = _officer(session, school, data.officer_user_id)
    if data.start_at.tzinfo is None:
        raise BadRequest("start_at needs a time zone", code="naive_datetime")
    rule = TaskRule(school_id=school.id, kind=data.kind, title=data.title, description=data.description,
                    officer_user_id=officer.id if officer else None,
                    officer_name=officer.display_name if officer else None, frequency=data.frequency,
                    interval=data.interval, next_at=data.start_at, due_hours=data.due_hours, active=True,
                    created_by=principal.name)
    session.add(rule)
    session.flush()
    audit.record(session, principal=principal, action="task.rule_create", target_type="task_rule",
                 target_id=rule.id, school_id=school.id, district_code=school.district_code,
                 detail=data.model_dump(mode="json"))
    return rule


def rule_query(session: Session, principal: Principal, *, active: bool | None = None,
               school_id: int | None = None, officer_user_id: int | None = None,
               kind: str | None = None) -> Select[Any]:
    stmt = scoped(select(TaskRule).order_by(TaskRule.active.desc(), TaskRule.next_at, TaskRule.id),
                  TaskRule.school_id, session, principal)
    if active is not None:
        stmt = stmt.where(TaskRule.active.is_(active))
    if school_id is not None:
        stmt = stmt.where(TaskRule.school_id == school_id)
    if officer_user_id is not None:
        stmt = stmt.where(TaskRule.officer_user_id == officer_user_id)
    if kind:
        stmt = stmt.where(TaskRule.kind == kind)
    return stmt


def get_rule(session: Session, principal: Principal, rule_id: int) -> TaskRule:
    rule = session.get(TaskRule, rule_id)
    if rule is None:
        raise NotFound(f"rule {rule_id} not found")
    check_school(session, principal, rule.school_id, write=False)
    return rule


def update_rule(session: Session, principal: Principal, rule_id: int, data: RulePatch) -> TaskRule:
    """Change who, what, how often, when next, or switch the rule on/off (audited with before/after)."""
    rule = get_rule(session, principal, rule_id)
    check_school(session, principal, rule.school_id, write=True)
    fields = data.model_dump(exclude_unset=True)
    for name in ("kind", "title", "frequency", "interval", "due_hours", "active", "next_at"):
        if name in fields and fields[name] is None:
            raise BadRequest(f"{name} cannot be empty", code="null_field")
    if data.next_at is not None and data.next_at.tzinfo is None:
        raise BadRequest("next_at needs a time zone", code="naive_datetime")
    before = {k: _plain(getattr(rule, k)) for k in fields if k != "officer_user_id"}
    if "officer_user_id" in fields:
        before["officer_user_id"] = rule.officer_user_id
        school = session.get(School, rule.school_id)
        assert school is not None
        officer = _officer(session, school, data.officer_user_id)
        rule.officer_user_id = officer.id if officer else None
        rule.officer_name = officer.display_name if officer else None
    for name, value in fields.items():
        if name != "officer_user_id":
            setattr(rule, name, value)
    if data.active and rule.next_at < utcnow() - timedelta(days=1) and "next_at" not in fields:
        # Switched back on after a pause: start from now instead of back-filling every missed occurrence.
        while rule.next_at < utcnow():
            rule.next_at = advance(rule.next_at, rule.frequency, rule.interval)
    session.flush()
    after = {k: _plain(getattr(rule, k)) for k in before}
    if before != after:
        audit.record(session, principal=principal, action="task.rule_update", target_type="task_rule",
                     target_id=rule.id, school_id=rule.school_id, detail={"before": before, "after": after})
    return rule


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def deactivate_rule(session: Session, principal: Principal, rule_id: int) -> TaskRule:
    rule = session.get(TaskRule, rule_id)
    if rule is None:
        raise NotFound(f"rule {rule_id} not found")
    check_school(session, principal, rule.school_id, write=True)
    rule.active = False
    session.flush()
    audit.record(session, principal=principal, action="task.rule_stop", target_type="task_rule",
                 target_id=rule.id, school_id=rule.school_id)
    return rule


def materialise(session: Session, now: datetime | None = None) -> int:
    """Create the tasks of every active rule due within the horizon; once per occurrence (unique key)."""
    now = now or utcnow()
    horizon = now + timedelta(days=policy().horizon_days)
    created = 0
    rules = session.scalars(select(TaskRule).where(TaskRule.active.is_(True), TaskRule.next_at <= horizon)
                            .order_by(TaskRule.next_at).limit(500)).all()
    for rule in rules:
        school = session.get(School, rule.school_id)
        guard = 0
        while rule.next_at <= horizon and guard < 60:
            guard += 1
            start = rule.next_at
            key = f"rule-{rule.id}-{start.strftime('%Y%m%dT%H%M')}"
            task = Task(school_id=rule.school_id, kind=rule.kind, title=rule.title,
                        description=rule.description, status="open", officer_user_id=rule.officer_user_id,
                        officer_name=rule.officer_name,
                        due_at=start + timedelta(hours=rule.due_hours), rule_id=rule.id, occurrence_key=key,
                        created_by=f"rule:{rule.id}")
            try:
                with session.begin_nested():
                    session.add(task)
                    session.flush()
            except IntegrityError:
                task = None  # type: ignore[assignment]  # another node made this occurrence
            if task is not None and school is not None:
                created += 1
                _audit(session, SYSTEM, "create", task, rule_id=rule.id, occurrence=key)
                publish(session, ev.TaskAssigned(**_event(task, school, SYSTEM.name), due_at=task.due_at))
            rule.next_at = advance(start, rule.frequency, rule.interval)
    session.flush()
    return created


def sweep_overdue(session: Session, now: datetime | None = None) -> int:
    """Flag open tasks past their due time (once) and tell the officer and the district."""
    now = now or utcnow()
    rows = session.scalars(select(Task).where(Task.status.in_(sorted(OPEN_STATUSES)), Task.due_at < now,
                                              Task.overdue.is_(False)).limit(500)).all()
    for task in rows:
        task.overdue = True
        task.overdue_at = now
        school = session.get(School, task.school_id)
        _audit(session, SYSTEM, "overdue", task, due_at=task.due_at.isoformat())
        if school is not None:
            publish(session, ev.TaskOverdue(**_event(task, school, SYSTEM.name), due_at=task.due_at))
            _push_overdue(session, task, school)
    session.flush()
    return len(rows)


KIND_ZH = {"inspection": "安全检查", "follow_up_visit": "回访", "instability_screening": "矛盾纠纷排查",
           "patrol_supervision": "护学岗督导"}


def _push_overdue(session: Session, task: Task, school: School) -> None:
    """Web Push to the officer (or, with nobody assigned, the district's police) that a task is late."""
    from campusguard.hazard import overdue_push

    users = [task.officer_user_id] if task.officer_user_id else \
        overdue_push.users_for_level(session, school, "district")
    due = task.due_at.astimezone(ZoneInfo(get_settings().timezone))
    overdue_push.queue(session, subject="task", subject_id=task.id, school_id=school.id, user_ids=users,
                       title=f"联络任务逾期：{KIND_ZH.get(task.kind, task.kind)}",
                       body=f"{school.name}：{task.title}（截止 {due:%m-%d %H:%M}）",
                       url=f"/m/tasks/{task.id}")
