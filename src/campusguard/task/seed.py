"""Demo liaison tasks: a weekly inspection rule per school of each liaison officer, open and done tasks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.accounts.models import User
from campusguard.core.db import utcnow
from campusguard.org.models import School
from campusguard.task.models import Task, TaskRule


def seed_demo(session: Session) -> None:
    """Insert demo tasks once (skipped when any task exists)."""
    if session.scalar(select(func.count()).select_from(Task)):
        return
    now = utcnow()
    officers = session.scalars(select(User).where(User.role == "liaison_officer")).all()
    for officer in officers:
        schools = session.scalars(select(School).where(School.code.in_(officer.school_codes or []))).all()
        for school in schools:
            session.add(TaskRule(school_id=school.id, kind="inspection", title="每周校园安全检查",
                                 officer_user_id=officer.id, officer_name=officer.display_name,
                                 frequency="weekly", interval=1, next_at=now + timedelta(days=7), due_hours=72,
                                 created_by="demo"))
            session.add(Task(school_id=school.id, kind="inspection", title="每周校园安全检查", status="open",
                             officer_user_id=officer.id, officer_name=officer.display_name,
                             due_at=now + timedelta(days=2), created_by="demo"))
            session.add(Task(school_id=school.id, kind="patrol_supervision", title="上下学护学岗督导",
                             status="open", officer_user_id=officer.id, officer_name=officer.display_name,
                             due_at=now - timedelta(hours=6), overdue=True, overdue_at=now, created_by="demo"))
            session.add(Task(school_id=school.id, kind="follow_up_visit", title="校园纠纷回访", status="done",
                             officer_user_id=officer.id, officer_name=officer.display_name,
                             due_at=now - timedelta(days=3), checked_in_at=now - timedelta(days=4),
                             checkin_distance_m=35.0, checkin_reason="ok", findings="双方已和解，无后续风险",
                             completed_at=now - timedelta(days=4), completed_by=officer.display_name,
                             created_by="demo"))
    session.flush()
