"""Demo hazards: a few months of reports per school in every state, some overdue, for the walkthrough."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.core.db import utcnow
from campusguard.hazard.models import Hazard, HazardLog
from campusguard.hazard.rules import HazardPolicy
from campusguard.org.models import School

SAMPLES = [
    ("fire", "二楼疏散通道堆放桌椅"), ("fire", "灭火器压力不足"), ("electrical", "教室插座松动，有烧焦痕迹"),
    ("building", "操场围栏立柱锈蚀"), ("food", "食堂留样记录不全"), ("traffic", "校门口减速带损坏"),
    ("perimeter", "后门围墙有缺口"), ("equipment", "一键报警按钮测试无响应"), ("equipment", "周界摄像机画面模糊"),
    ("other", "楼顶天台门未上锁"),
]


def seed_demo(session: Session) -> None:
    """Insert demo hazards once (skipped when any hazard exists)."""
    if session.scalar(select(func.count()).select_from(Hazard)):
        return
    rng = random.Random(6)
    policy = HazardPolicy()
    now = utcnow()
    for school in session.scalars(select(School).order_by(School.id)).all():
        for _ in range(rng.randint(4, 8)):
            category, text = rng.choice(SAMPLES)
            severity = rng.choices(["low", "medium", "high", "critical"], [4, 4, 2, 1])[0]
            reported = now - timedelta(days=rng.uniform(1, 90))
            roll = rng.random()
            status = "verified" if roll < 0.6 else "rectified" if roll < 0.7 else "assigned" if roll < 0.88 \
                else "reported"
            h = Hazard(school_id=school.id, category=category, severity=severity, status=status,
                       description=text, source=rng.choice(["app", "console", "inspection"]),
                       reported_by="demo", reported_at=reported)
            steps: list[tuple[str, str | None, str, datetime]] = [("report", None, "reported", reported)]
            if status != "reported":
                h.assigned_at = reported + timedelta(hours=rng.uniform(1, 24))
                h.due_at = policy.deadline(severity, h.assigned_at)
                h.assignee_name = "后勤主任"
                steps.append(("assign", "reported", "assigned", h.assigned_at))
            if status in ("rectified", "verified") and h.assigned_at is not None:
                h.rectified_at = h.assigned_at + timedelta(hours=rng.uniform(2, 60))
                h.rectification_note = "已整改"
                steps.append(("rectify", "assigned", "rectified", h.rectified_at))
            if status == "verified" and h.rectified_at is not None:
                h.verified_at = h.rectified_at + timedelta(hours=rng.uniform(1, 48))
                h.verified_by = "法制副校长"
                steps.append(("verify", "rectified", "verified", h.verified_at))
            if status == "assigned" and h.due_at is not None and h.due_at < now:
                h.overdue, h.overdue_at = True, h.due_at
                h.escalation_level = policy.escalation_level(severity, h.due_at, now)
            session.add(h)
            session.flush()
            for action, before, after, at in steps:
                session.add(HazardLog(hazard_id=h.id, at=at, action=action, from_status=before, to_status=after,
                                      actor="demo", detail={}))
    session.flush()
