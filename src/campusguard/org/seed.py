"""A realistic demo city: Shenzhen districts, mixed schools, areas, rosters, devices, users of every role."""

from __future__ import annotations

import importlib
import random
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campusguard.accounts.models import User
from campusguard.core.auth import hash_password
from campusguard.device.models import Device
from campusguard.org.models import PRIVATE_AREA_KINDS, Area, Grid, GuardianLink, Person, Region, School

log = structlog.get_logger(__name__)

CITY = ("440300", "深圳市")
DISTRICTS = [("440303", "罗湖区", 22.548, 114.131), ("440304", "福田区", 22.541, 114.055),
             ("440305", "南山区", 22.533, 113.930), ("440306", "宝安区", 22.555, 113.883),
             ("440307", "龙岗区", 22.721, 114.247), ("440308", "盐田区", 22.557, 114.236),
             ("440309", "龙华区", 22.696, 114.045), ("440310", "坪山区", 22.708, 114.346),
             ("440311", "光明区", 22.749, 113.936)]
TYPES = [("kindergarten", "幼儿园", (150, 400)), ("primary", "小学", (900, 2600)),
         ("middle", "中学", (800, 2200)), ("boarding_high", "高级中学", (1500, 3200))]
NAMES = ["实验", "向阳", "育才", "翠园", "华侨城", "红岭", "桂园", "荔园", "东湖", "海滨", "明德", "外国语",
         "南湾", "新安", "星河", "梧桐", "凤凰", "景秀", "博雅", "滨河"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "子涵梓萱浩然一诺欣怡宇轩思远若曦俊杰雨桐嘉怡博文诗涵梓轩语嫣晨阳明轩佳琪文博雅静天佑"
DEMO_PASSWORD = "Demo-2026-cg"  # noqa: S105 (printed demo login, demo mode only)

AREAS_BY_TYPE: dict[str, list[tuple[str, str, bool]]] = {
    "kindergarten": [("正门", "main_gate", True), ("后门", "back_gate", True), ("周界", "perimeter", True),
                     ("小一班教室", "classroom", False), ("小二班教室", "classroom", False),
                     ("中一班教室", "classroom", False), ("大一班教室", "classroom", False),
                     ("午睡室", "dormitory", False), ("厨房", "kitchen", True), ("户外活动场", "playground", True),
                     ("卫生间", "toilet", False), ("监控室", "monitoring_room", True)],
    "default": [("正门", "main_gate", True), ("后门", "back_gate", True), ("周界围墙", "perimeter", True),
                ("教学楼走廊", "corridor", True), ("一年级教室", "classroom", False), ("操场", "playground", True),
                ("食堂", "canteen", True), ("厨房", "kitchen", True), ("学生宿舍", "dormitory", False),
                ("游泳池", "pool", True), ("门卫室", "gatehouse", True), ("监控室", "monitoring_room", True)],
}
CLASSES = {"kindergarten": ["小一班", "小二班", "中一班", "大一班"], "primary": ["一年级1班", "三年级2班", "六年级1班"],
           "middle": ["初一1班", "初二3班", "初三2班"], "boarding_high": ["高一1班", "高二2班", "高三1班"]}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def _domain_seeds(session: Session) -> None:
    """Let each domain add its own demo data (plans, checkpoints, bulletins …)."""
    from campusguard.models import DOMAINS

    for domain in DOMAINS:
        try:
            mod = importlib.import_module(f"campusguard.{domain}.seed")
        except ModuleNotFoundError as exc:
            if exc.name == f"campusguard.{domain}.seed":
                continue
            raise
        if domain != "org" and hasattr(mod, "seed_demo"):
            try:
                with session.begin_nested():
                    mod.seed_demo(session)
            except Exception:
                log.exception("seed.domain_failed", domain=domain)


def seed_city(session: Session, *, districts: int = 3, schools_per_district: int = 8,
              seed: int = 2026) -> list[dict[str, str]] | None:
    """Seed once; returns the demo logins, or None when the city already exists."""
    if session.scalar(select(func.count()).select_from(School)):
        return None
    rng = random.Random(seed)
    if session.get(Region, CITY[0]) is None:
        session.add(Region(code=CITY[0], name=CITY[1], level="city", parent_code=None))
    session.flush()
    chosen = DISTRICTS[:districts]
    schools: list[School] = []
    for d_code, d_name, lat, lon in chosen:
        if session.get(Region, d_code) is None:
            session.add(Region(code=d_code, name=d_name, level="district", parent_code=CITY[0]))
        session.flush()
        grids = []
        for g in range(2):
            grid = Grid(code=f"{d_code}-G{g + 1:02d}", name=f"{d_name}第{g + 1}网格", district_code=d_code,
                        owner_name=_name(rng), owner_phone=f"1380000{rng.randint(1000, 9999)}")
            session.add(grid)
            grids.append(grid)
        session.flush()
        for i in range(schools_per_district):
            type_, suffix, (lo, hi) = TYPES[i % len(TYPES)] if i > 0 else TYPES[0]
            students = rng.randint(lo, hi)
            school = School(
                code=f"{d_code}{i + 1:03d}", name=f"{d_name}{NAMES[(i + len(schools)) % len(NAMES)]}{suffix}",
                type=type_, ownership="private" if rng.random() < 0.25 else "public", district_code=d_code,
                address=f"{d_name}{NAMES[i % len(NAMES)]}路{rng.randint(1, 300)}号",
                lat=round(lat + rng.uniform(-0.03, 0.03), 6), lon=round(lon + rng.uniform(-0.04, 0.04), 6),
                students=students, staff=max(15, students // 12),
                guards=max(1, students // 500 + rng.choice([0, 0, 1, -1])),
                grid_id=grids[i % 2].id, principal_name=_name(rng), phone=f"0755-8{rng.randint(1000000, 9999999)}",
                settings={"live_view_windows": [["08:30", "11:30"], ["14:30", "17:00"]]}
                if type_ == "kindergarten" else {})
            session.add(school)
            schools.append(school)
        session.flush()
    for school in schools:
        _seed_school(session, rng, school)
    logins = _seed_users(session, chosen, schools)
    session.flush()
    _domain_seeds(session)
    log.info("seed.city", districts=len(chosen), schools=len(schools))
    return logins


def _seed_school(session: Session, rng: random.Random, school: School) -> None:
    spec = AREAS_BY_TYPE["kindergarten" if school.type == "kindergarten" else "default"]
    areas: list[Area] = []
    for name, kind, key in spec:
        area = Area(school_id=school.id, name=name, kind=kind, key_area=key, private=kind in PRIVATE_AREA_KINDS)
        session.add(area)
        areas.append(area)
    session.flush()
    for a, b in zip(areas, areas[1:], strict=False):
        a.adjacent = [*a.adjacent, b.id]
        b.adjacent = [*b.adjacent, a.id]
    by_kind: dict[str, Area] = {}
    for area in areas:
        by_kind.setdefault(area.kind, area)
    for c in CLASSES[school.type]:
        for n in range(4):
            student = Person(school_id=school.id, kind="student", name=_name(rng), class_name=c, minor=True,
                             external_id=f"S{school.code}{c}{n}")
            guardian = Person(school_id=school.id, kind="guardian", name=_name(rng),
                              external_id=f"G{school.code}{c}{n}", phone=f"139{rng.randint(10000000, 99999999)}")
            session.add_all([student, guardian])
            session.flush()
            session.add(GuardianLink(guardian_id=guardian.id, student_id=student.id))
    for n in range(6):
        session.add(Person(school_id=school.id, kind="staff", name=_name(rng), external_id=f"T{school.code}{n}"))
    for n in range(max(1, school.guards)):
        session.add(Person(school_id=school.id, kind="guard", name=_name(rng), external_id=f"B{school.code}{n}"))
    code = school.code
    devices: list[tuple[str, str, str, Area | None, str, dict[str, Any]]] = [
        (f"{code}-AB01", "正门一键报警", "alarm_button", by_kind.get("main_gate"), "mqtt", {}),
        (f"{code}-AB02", "监控室一键报警", "alarm_button", by_kind.get("monitoring_room"), "dc09",
         {"dc09_account": f"{code[-4:]}A2"}),
        (f"{code}-GT01", "正门道闸", "gate", by_kind.get("main_gate"), "http", {}),
        (f"{code}-FT01", "正门人脸识别终端", "face_terminal", by_kind.get("main_gate"), "http", {}),
        (f"{code}-SP01", "校园广播", "speaker", by_kind.get("playground"), "http", {}),
        (f"{code}-PS01", "周界入侵探测", "sensor", by_kind.get("perimeter"), "mqtt", {}),
    ]
    for i, cam_area in enumerate(a for a in areas if not a.private or a.kind == "dormitory"):
        if cam_area.kind in ("toilet", "changing_room"):
            continue
        devices.append((f"{code}-CAM{i + 1:02d}", f"{cam_area.name}摄像机", "camera", cam_area, "rtsp",
                        {"stream": f"cam{i + 1}"}))
    for dcode, name, type_, dev_area, proto, settings in devices:
        online = rng.random() < 0.9
        session.add(Device(code=dcode, name=name, type=type_, school_id=school.id,
                           area_id=dev_area.id if dev_area else None,
                           vendor=rng.choice(["海康威视", "大华", "宇视", "华为"]),
                           model="DS-" + str(rng.randint(1000, 9999)), protocol=proto, settings=settings,
                           heartbeat_s=30 if type_ in ("alarm_button", "sensor") else 60, online=online))


def _seed_users(session: Session, districts: list[tuple[str, str, float, float]],
                schools: list[School]) -> list[dict[str, str]]:
    pw = hash_password(DEMO_PASSWORD)
    first = districts[0][0]
    first_schools = [s for s in schools if s.district_code == first]
    kg = next((s for s in first_schools if s.type == "kindergarten"), first_schools[0])
    other = next((s for s in first_schools if s.id != kg.id), kg)
    parent_person = session.scalars(select(Person).where(Person.school_id == kg.id, Person.kind == "guardian")
                                    .order_by(Person.id)).first()
    guard_person = session.scalars(select(Person).where(Person.school_id == kg.id, Person.kind == "guard")
                                   .order_by(Person.id)).first()
    rows: list[tuple[str, str, str, str | None, list[str], int | None]] = [
        ("admin", "市局管理员", "city_admin", CITY[0], [], None),
        ("police", f"{districts[0][1]}分局值班民警", "district_police", first, [], None),
        ("edu", "市教育局", "edu_bureau", CITY[0], [], None),
        ("liaison", "法制副校长", "liaison_officer", None, [kg.code, other.code], None),
        ("principal", f"{kg.name}安全主任", "school_admin", None, [kg.code], None),
        ("operator", f"{kg.name}监控值班员", "operator", None, [kg.code], None),
        ("guard", f"{kg.name}保安员", "guard", None, [kg.code], guard_person.id if guard_person else None),
        ("parent", "家长", "parent", None, [kg.code], parent_person.id if parent_person else None),
        ("integrator", "市局指挥中心对接", "integrator", CITY[0], [], None),
    ]
    for d_code, d_name, _, _ in districts[1:]:
        rows.append((f"police{d_code[-2:]}", f"{d_name}分局值班民警", "district_police", d_code, [], None))
    logins = []
    for username, display, role, region, codes, person in rows:
        session.add(User(username=username, display_name=display, password_hash=pw, role=role,
                         region_code=region, school_codes=codes, person_id=person))
        logins.append({"role": role, "username": username, "password": DEMO_PASSWORD,
                       "scope": region or ",".join(codes)})
    session.flush()
    return logins
