"""Bulletin read rate and video retention compliance on the dashboard: fed by real reads and segment rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from campusguard.accounts import service as accounts
from campusguard.accounts.schemas import UserIn
from campusguard.bulletin import service as bulletins
from campusguard.bulletin.schemas import BulletinIn
from campusguard.bus.events import parse_event
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import utcnow
from campusguard.core.models import OutboxEvent
from campusguard.core.permissions import Role, permissions_for
from campusguard.device import service as devices
from campusguard.device.schemas import DeviceIn
from campusguard.org.models import School
from campusguard.stats import handlers, service
from campusguard.stats.overview import period_of
from campusguard.video.models import Camera, RetentionPolicy, Segment

from .conftest import PASSWORD, schools


def _principal(session: Session, username: str, role: Role, region: str | None, codes: list[str]) -> Principal:
    user = accounts.create_user(session, SYSTEM, UserIn(username=username, display_name=username, password=PASSWORD,
                                                        role=role, region_code=region, school_codes=codes))
    return Principal(kind="user", id=user.id, name=username, role=role, region_code=region,
                     school_codes=tuple(codes), permissions=permissions_for(role))


def _feed_outbox(session: Session) -> int:
    """Hand every event the services published to the stats feed handler, as the bus relay would."""
    session.flush()
    rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    for row in rows:
        handlers.on_event(session, parse_event(dict(row.payload)))
    return len(rows)


def _read_rate(session: Session, ids: set[int] | None) -> dict[int, service.MetricValue]:
    period = period_of(None)
    per = service.compute_per_school(session, period=period, school_ids=ids, names=["bulletin_read_rate"])
    return {sid: v["bulletin_read_rate"] for sid, v in per.items()}


def test_bulletin_read_rate_follows_real_reads(session: Session, city: list[int]) -> None:
    all_schools = schools(session)
    a = all_schools[0]
    a2 = next(s for s in all_schools[1:] if s.district_code == a.district_code)
    far = next(s for s in all_schools if s.district_code != a.district_code)
    edu = _principal(session, "edu1", Role.edu_bureau, "440300", [])
    readers = [_principal(session, f"reader{i}", Role.school_admin, None, [a.code]) for i in range(3)]
    a2_reader = _principal(session, "reader_a2", Role.school_admin, None, [a2.code])
    _principal(session, "reader_far", Role.school_admin, None, [far.code])  # other district: not targeted
    _principal(session, "guard_a", Role.guard, None, [a.code])  # role not targeted
    session.execute(delete(OutboxEvent))
    assert _read_rate(session, {a.id})[a.id].status == "no_data"  # nothing delivered yet

    bulletin = bulletins.create(session, edu, BulletinIn(
        title="防溺水安全提示", category="drowning", body_html="<p>暑期防溺水</p>",
        target_districts=[a.district_code], target_roles=["school_admin"]))
    assert _feed_outbox(session) == 1
    rates = _read_rate(session, None)
    assert (rates[a.id].value, rates[a.id].denominator) == (0.0, 3.0)
    assert (rates[a2.id].value, rates[a2.id].denominator) == (0.0, 1.0)
    assert far.id not in rates or rates[far.id].status == "no_data"

    session.execute(delete(OutboxEvent))
    bulletins.mark_read(session, readers[0], bulletin.id)
    bulletins.mark_read(session, readers[0], bulletin.id)  # a second open is not a second read
    assert _feed_outbox(session) == 1
    assert _read_rate(session, {a.id})[a.id].value == 1 / 3
    bulletins.mark_read(session, readers[1], bulletin.id)
    bulletins.mark_read(session, a2_reader, bulletin.id)
    assert _feed_outbox(session) == 3  # replays the first read event too: idempotent
    rates = _read_rate(session, {a.id, a2.id})
    assert (rates[a.id].value, rates[a2.id].value) == (2 / 3, 1.0)

    v = service.compute(session, period=period_of(None), school_ids=None,
                        names=["bulletin_read_rate"])["bulletin_read_rate"]
    assert (v.status, v.numerator, v.denominator, v.value) == ("ok", 3.0, 4.0, 0.75)


def _camera(session: Session, school: School, code: str) -> Camera:
    device = devices.create_device(session, SYSTEM, DeviceIn(code=code, name=code, type="camera",
                                                              school_code=school.code, protocol="rtsp"))
    cam = Camera(device_id=device.id, school_id=school.id, rtsp_url=f"rtsp://127.0.0.1/{code}")
    session.add(cam)
    session.flush()
    return cam


def _segment(session: Session, cam: Camera, days_ago: float) -> None:
    start = utcnow() - timedelta(days=days_ago)
    session.add(Segment(camera_id=cam.id, start=start, end=start + timedelta(minutes=1),
                        path=f"/rec/{cam.id}/{start.timestamp():.0f}.mp4", bytes=1000))
    session.flush()


def _retention(session: Session, ids: set[int] | None) -> dict[int, service.MetricValue]:
    per = service.compute_per_school(session, period=period_of("30d"), school_ids=ids,
                                     names=["video_retention_compliant"])
    return {sid: v["video_retention_compliant"] for sid, v in per.items()}


def test_video_retention_compliance_from_segments(session: Session, city: list[int]) -> None:
    a, b, c, *_ = schools(session)
    assert _retention(session, {a.id})[a.id].status == "no_data"
    cam1, cam2 = _camera(session, a, "cam-a1"), _camera(session, a, "cam-a2")
    _segment(session, cam1, 40)
    _segment(session, cam1, 1)
    _segment(session, cam2, 10)
    assert _retention(session, {a.id})[a.id].value == 0.5
    _segment(session, cam2, 31)  # older recording of cam2 found: it now keeps more than 30 days
    assert _retention(session, {a.id})[a.id].value == 1.0

    cam3 = _camera(session, b, "cam-b1")
    _segment(session, cam3, 40)
    session.add(RetentionPolicy(school_id=b.id, area_id=None, days=45))  # b must keep 45 days
    session.flush()
    values = _retention(session, None)
    assert (values[a.id].value, values[b.id].value) == (1.0, 0.0)
    assert c.id not in values
    assert _retention(session, {c.id})[c.id].status == "no_data"  # no cameras: no figure, not a zero

    total = service.compute(session, period=period_of("30d"), school_ids={a.id, b.id, c.id},
                            names=["video_retention_compliant"])["video_retention_compliant"]
    assert total.status == "ok" and total.value == 0.5  # mean of a (1.0) and b (0.0)


def test_staffing_snapshot_feeds_the_dashboard_metric(session: Session, city: list[int]) -> None:
    from campusguard.patrol import staffing
    from campusguard.stats import snapshot

    period = period_of(None)
    before = service.compute(session, period=period, school_ids=None, names=["guard_staffing_compliant"])
    assert before["guard_staffing_compliant"].status == "no_data"
    live = {int(r["school_id"]): bool(r["ok"]) for r in staffing.compliance(session, SYSTEM)}
    assert snapshot.refresh_staffing(session) == len(city) == len(live)
    per = service.compute_per_school(session, period=period, school_ids=None, names=["guard_staffing_compliant"])
    assert {sid: v["guard_staffing_compliant"].value for sid, v in per.items()} == {
        sid: (1.0 if ok else 0.0) for sid, ok in live.items()}
    total = service.compute(session, period=period, school_ids=None, names=["guard_staffing_compliant"])
    assert total["guard_staffing_compliant"].denominator == len(city)
