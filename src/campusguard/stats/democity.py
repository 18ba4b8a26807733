"""A synthetic city of N schools created through the org service (benchmarks and fast tests)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campusguard.core.auth import SYSTEM
from campusguard.org import service as org
from campusguard.org.schemas import RegionIn, SchoolIn

CITY = ("440300", "深圳市")
DISTRICTS = [("440303", "罗湖区", 22.548, 114.131), ("440304", "福田区", 22.541, 114.055),
             ("440305", "南山区", 22.533, 113.930), ("440306", "宝安区", 22.555, 113.883),
             ("440307", "龙岗区", 22.721, 114.247), ("440308", "盐田区", 22.557, 114.236),
             ("440309", "龙华区", 22.696, 114.045), ("440310", "坪山区", 22.708, 114.346),
             ("440311", "光明区", 22.749, 113.936)]
TYPES = ("kindergarten", "primary", "middle", "boarding_high")


def make_city(session: Session, *, schools: int, districts: int = 3, prefix: str = "B") -> list[int]:
    """Create the city, `districts` districts and `schools` schools spread over them; returns school ids."""
    existing = {r.code for r in org.list_regions(session, SYSTEM)}
    if CITY[0] not in existing:
        org.create_region(session, SYSTEM, RegionIn(code=CITY[0], name=CITY[1], level="city"))
    chosen = DISTRICTS[:districts]
    for code, name, _, _ in chosen:
        if code not in existing:
            org.create_region(session, SYSTEM, RegionIn(code=code, name=name, level="district",
                                                        parent_code=CITY[0]))
    ids = []
    for i in range(schools):
        code, name, lat, lon = chosen[i % len(chosen)]
        school = org.create_school(session, SYSTEM, SchoolIn(
            code=f"{prefix}{code}{i:04d}", name=f"{name}第{i + 1}学校", type=TYPES[i % len(TYPES)],  # type: ignore[arg-type]
            district_code=code, lat=round(lat + ((i * 37) % 60 - 30) / 1000, 6),
            lon=round(lon + ((i * 53) % 80 - 40) / 1000, 6), students=500 + i % 1500))
        ids.append(school.id)
    session.flush()
    return ids


DEMO_USERS = (("admin", "city_admin", CITY[0]), ("edu", "edu_bureau", CITY[0]),
              ("police", "district_police", "440303"), ("police04", "district_police", "440304"))


def make_users(session: Session, password: str) -> None:
    """City admin, education bureau and two district police logins for the synthetic city (tests)."""
    from campusguard.accounts import service as accounts
    from campusguard.accounts.schemas import UserIn

    for username, role, region in DEMO_USERS:
        accounts.create_user(session, SYSTEM, UserIn(username=username, display_name=username, password=password,
                                                     role=role, region_code=region))  # type: ignore[arg-type]
