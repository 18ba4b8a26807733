"""Patrol fixtures: the demo kindergarten with three checkpoints, a route and the guard's current shift."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from tests.seeded_world import app, duty_and_publicity_tables, login  # noqa: F401

from campusguard.accounts.models import User
from campusguard.core.db import Database, utcnow
from campusguard.org.models import Area, School

KG = "440303001"


@pytest.fixture
def seed_world() -> tuple[type, ...]:
    """This suite runs on the seeded demo city with its duty/publicity tables emptied."""
    return duty_and_publicity_tables()


def jpeg(color: tuple[int, int, int] = (40, 120, 200), size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="JPEG")
    return buf.getvalue()


@dataclass
class Campus:
    school_id: int
    lat: float
    lon: float
    guard_id: int
    checkpoints: list[dict[str, Any]]
    tokens: list[str]
    route_id: int
    shift_id: int
    shift_start: datetime
    principal: dict[str, str]
    guard: dict[str, str]


@pytest.fixture
def campus(seeded: dict[str, str], db: Database, client: TestClient,  # noqa: F811
           login: Callable[..., dict[str, str]]) -> Campus:  # noqa: F811
    with db.session() as s:
        school = s.scalars(select(School).where(School.code == KG)).one()
        key_area = s.scalars(select(Area).where(Area.school_id == school.id, Area.key_area.is_(True))
                             .order_by(Area.id)).first()
        guard = s.scalars(select(User).where(User.username == "guard")).one()
        school_id, guard_id = school.id, guard.id
        lat, lon = float(school.lat or 22.5), float(school.lon or 114.1)
        area_id = key_area.id if key_area else None
    principal, guard_h = login("principal"), login("guard")
    cps, tokens = [], []
    for i, name in enumerate(["正门", "操场", "厨房"]):
        r = client.post("/api/v1/patrol/checkpoints", headers=principal, json={
            "school_id": school_id, "area_id": area_id if i == 0 else None, "name": name,
            "lat": lat + i * 0.0003, "lon": lon, "radius_m": 40})
        assert r.status_code == 201, r.text
        cps.append(r.json())
        t = client.get(f"/api/v1/patrol/checkpoints/{r.json()['id']}/token", headers=principal)
        assert t.status_code == 200, t.text
        tokens.append(t.json()["token"])
    r = client.post("/api/v1/patrol/routes", headers=principal, json={
        "school_id": school_id, "name": "白班巡逻",
        "stops": [{"checkpoint_id": cps[0]["id"], "offset_min": 0, "tolerance_min": 10},
                  {"checkpoint_id": cps[1]["id"], "offset_min": 30, "tolerance_min": 10},
                  {"checkpoint_id": cps[2]["id"], "offset_min": 60, "tolerance_min": 10}]})
    assert r.status_code == 201, r.text
    route_id = r.json()["id"]
    start = utcnow() - timedelta(minutes=5)
    r = client.post("/api/v1/patrol/shifts", headers=principal, json={
        "school_id": school_id, "guard_user_id": guard_id, "route_id": route_id, "post": "patrol",
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=8)).isoformat()})
    assert r.status_code == 201, r.text
    return Campus(school_id, lat, lon, guard_id, cps, tokens, route_id, r.json()["id"], start, principal,
                  guard_h)
