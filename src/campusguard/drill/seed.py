"""Demo drills: an evaluated drill last term and a planned one next week per school."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.drill.models import Drill
from campusguard.org.models import School

TITLES = {"fire": "消防疏散演练", "earthquake": "防震应急演练", "intruder": "防暴反恐演练",
          "evacuation": "紧急疏散演练"}


def seed_demo(session: Session) -> None:
    """Insert demo drills once (skipped when any drill exists)."""
    if session.scalar(select(func.count()).select_from(Drill)):
        return
    rng = random.Random(9)
    now = utcnow()
    for school in session.scalars(select(School).order_by(School.id)).all():
        people = max(50, school.students + school.staff)
        kind = rng.choice(list(TITLES))
        start = now - timedelta(days=rng.randint(10, 80), hours=rng.randint(0, 5))
        evac = float(rng.randint(90, 300))
        session.add(Drill(school_id=school.id, kind=kind, title=TITLES[kind], status="evaluated",
                          scheduled_at=start, planned_participants=people, created_by="demo", started_at=start,
                          ended_at=start + timedelta(seconds=evac + 600), started_by="demo",
                          participants=int(people * rng.uniform(0.9, 1.0)),
                          timings={"evacuation_s": evac, "headcount_s": float(rng.randint(60, 240))},
                          score=round(rng.uniform(72, 98), 1), notes="疏散有序，个别班级集合偏慢",
                          evaluated_by="demo", evaluated_at=start + timedelta(days=1)))
        nxt = rng.choice(list(TITLES))
        session.add(Drill(school_id=school.id, kind=nxt, title=TITLES[nxt], status="planned",
                          scheduled_at=now + timedelta(days=rng.randint(2, 14)), planned_participants=people,
                          created_by="demo"))
    session.flush()
