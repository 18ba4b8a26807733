"""Parent rules: own child's class only, allowed windows only, viewer cap, never a private area."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campusguard.accounts.models import User
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import Database, utcnow
from campusguard.core.errors import Conflict, Forbidden, NotFound
from campusguard.core.permissions import Role, permissions_for
from campusguard.org.models import Area, GuardianLink, Person, School
from campusguard.video import parents, service
from campusguard.video.models import ClassCamera, ViewSession
from campusguard.video.schemas import CameraIn

# 10:00 and 20:00 in Shanghai (UTC+8): inside and outside the seeded windows 08:30-11:30, 14:30-17:00
INSIDE = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
OUTSIDE = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _parent(session) -> tuple[Principal, Person, School]:  # type: ignore[no-untyped-def]
    user = session.scalars(select(User).where(User.username == "parent")).one()
    guardian = session.get(Person, user.person_id)
    school = session.get(School, guardian.school_id)
    principal = Principal(kind="user", id=user.id, name="parent", role=Role.parent,
                          school_codes=tuple(user.school_codes), person_id=user.person_id,
                          permissions=permissions_for(Role.parent))
    return principal, guardian, school


def _camera(session, school: School, area_kind: str, name: str) -> int:  # type: ignore[no-untyped-def]
    area = session.scalars(select(Area).where(Area.school_id == school.id, Area.kind == area_kind)
                           .order_by(Area.id)).first()
    cam = service.create_camera(session, SYSTEM, CameraIn(school_code=school.code, name=name,
                                                          rtsp_url="rtsp://127.0.0.1:1/x", area_id=area.id))
    return cam.id


def test_parent_rules(seeded, db: Database) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        principal, guardian, school = _parent(s)
        child = s.scalars(select(Person).join(GuardianLink, GuardianLink.student_id == Person.id)
                          .where(GuardianLink.guardian_id == guardian.id)).one()
        own = _camera(s, school, "classroom", "own class")
        other = _camera(s, school, "classroom", "other class")
        toilet = _camera(s, school, "toilet", "toilet")
        dorm = _camera(s, school, "dormitory", "nap room")
        service.set_classes(s, SYSTEM, own, [child.class_name])
        service.set_classes(s, SYSTEM, other, ["not-" + child.class_name])
        for private in (toilet, dorm):
            with pytest.raises(Conflict):
                service.set_classes(s, SYSTEM, private, [child.class_name])
        # even a mapping written behind the service's back never opens a private camera
        s.add(ClassCamera(camera_id=toilet, school_id=school.id, class_name=child.class_name))
        s.flush()

        visible = [c.id for c, *_ in parents.parent_cameras(s, principal)]
        assert visible == [own]
        assert parents.check_parent_view(s, principal, own, window_s=300, now=INSIDE).id == own
        with pytest.raises(Forbidden) as outside:
            parents.check_parent_view(s, principal, own, window_s=300, now=OUTSIDE)
        assert outside.value.code == "outside_window"
        for refused in (other, toilet, dorm):
            with pytest.raises(NotFound):
                parents.check_parent_view(s, principal, refused, window_s=300, now=INSIDE)

        # the cap counts other parents watching now; a renewal by the same parent never counts itself
        cam = service.get_camera(s, SYSTEM, own)
        cam.parent_viewer_cap = 2
        now = utcnow()
        for uid in (90001, 90002):
            s.add(ViewSession(camera_id=own, user_id=uid, user_name=f"p{uid}", role="parent", kind="live",
                              started_at=now, last_seen=now))
        s.add(ViewSession(camera_id=own, user_id=principal.id, user_name="parent", role="parent", kind="live",
                          started_at=now, last_seen=now))
        s.add(ViewSession(camera_id=own, user_id=90003, user_name="old", role="parent", kind="live",
                          started_at=now - timedelta(hours=1), last_seen=now - timedelta(hours=1)))
        s.flush()
        with pytest.raises(parents.ViewerCapReached) as capped:
            parents.check_parent_view(s, principal, own, window_s=300, now=INSIDE)
        assert capped.value.status == 429
        cam.parent_viewer_cap = 3
        assert parents.check_parent_view(s, principal, own, window_s=300, now=INSIDE).id == own


def test_windows_and_days() -> None:
    school = School(code="k", name="k", type="kindergarten", district_code="x",
                    settings={"live_view_windows": [["08:30", "11:30"]], "live_view_days": [1, 2, 3, 4, 5]})
    monday_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert parents.in_window(school, monday_10)
    assert not parents.in_window(school, monday_10 + timedelta(days=5))  # Saturday
    assert not parents.in_window(school, datetime(2026, 11, 23, 0, 29, tzinfo=UTC))  # 08:29 local
    assert not parents.in_window(School(code="n", name="n", type="primary", district_code="x", settings={}),
                                 monday_10)
