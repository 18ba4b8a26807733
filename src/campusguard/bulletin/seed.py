"""Demo data for publicity: bulletins for parents and staff, a safety lesson, speakers wired to the simulator."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.bulletin import service
from campusguard.bulletin.schemas import BulletinIn, LessonIn
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import utcnow
from campusguard.core.permissions import Role, permissions_for
from campusguard.device import service as devices
from campusguard.device.models import Device
from campusguard.device.schemas import DevicePatch
from campusguard.org.models import School

log = structlog.get_logger(__name__)
SPEAKER_SIM_URL = "http://127.0.0.1:9301"
SPEAKER_SIM_TOKEN = "demo-speaker"  # noqa: S105 - the demo simulator's well-known token


def seed_demo(session: Session) -> None:
    """Two bulletins (city-wide and one district's kindergartens), a lesson, speakers on the simulator."""
    city = Principal(kind="user", id=0, name="市教育局", role=Role.edu_bureau, region_code="440300",
                     permissions=permissions_for(Role.edu_bureau))
    service.create(session, city, BulletinIn(
        title="警惕电信网络诈骗", category="anti_fraud",
        body_html="<h3>三不一多</h3><p>未知链接<strong>不点击</strong>，陌生来电<strong>不轻信</strong>，"
                  "个人信息<strong>不透露</strong>，转账汇款<strong>多核实</strong>。</p>"))
    first = session.scalars(select(School).order_by(School.id)).first()
    if first is None:
        return
    district = Principal(kind="user", id=0, name="分局治安大队", role=Role.district_police,
                         region_code=first.district_code, permissions=permissions_for(Role.district_police))
    service.create(session, district, BulletinIn(
        title="暑期防溺水安全提醒", category="drowning", target_school_types=["kindergarten", "primary"],
        target_roles=["parent", "school_admin", "guard"],
        body_html="<p>不私自下水游泳，不在无家长带领的情况下游泳，不到无安全设施的水域游泳。</p>"))
    service.log_lesson(session, SYSTEM, LessonIn(
        school_id=first.id, topic="anti_bullying", title="拒绝校园欺凌，从我做起", teacher="法制副校长",
        given_at=utcnow() - timedelta(days=2), classes="全校", attendees=max(1, min(first.students, 600))))
    for speaker in session.scalars(select(Device).where(Device.type == "speaker")).all():
        devices.update_device(session, SYSTEM, speaker.id, DevicePatch(
            protocol="http", settings={"base_url": SPEAKER_SIM_URL}, secret=SPEAKER_SIM_TOKEN))
    log.info("bulletin.seeded")
