"""Demo hook: a key-person list with one public-figure photo and a gate simulator at a kindergarten."""

from __future__ import annotations

import sys
from pathlib import Path

import structlog
from sqlalchemy import select

from campusguard.config import Settings
from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database
from campusguard.device import service as device_service
from campusguard.device.models import Device
from campusguard.face import service
from campusguard.face.models import Watchlist
from campusguard.face.schemas import WatchlistIn
from campusguard.org.models import School

log = structlog.get_logger(__name__)
ROOT = Path(__file__).resolve().parents[3]
PHOTOS = ROOT / "tests" / "data" / "faces"
DEMO_LIST = "演示：协查重点人员"


def prepare(db: Database) -> tuple[str, str] | None:
    """Enrol the demo key person once and issue the kindergarten face terminal a token: (code, token)."""
    if not (PHOTOS / "obama" / "1.jpg").exists():
        return None
    with db.session() as s:
        school = s.scalars(select(School).where(School.type == "kindergarten").order_by(School.id)).first()
        terminal = (
            school
            and s.scalars(select(Device).where(Device.school_id == school.id, Device.type == "face_terminal")).first()
        )
        if terminal is None:
            return None
        if s.scalars(select(Watchlist).where(Watchlist.name == DEMO_LIST)).first() is None:
            wl = service.create_watchlist(s, SYSTEM, WatchlistIn(name=DEMO_LIST, kind="key_person", source="demo"))
            data = service.PersonData(
                name="演示人员（公开照片）",
                category="wanted",
                risk_level="high",
                legal_basis="演示数据，非真实协查",
                source="demo",
            )
            service.enrol_person(s, SYSTEM, wl.id, data, [(PHOTOS / "obama" / "1.jpg").read_bytes()])
        token = device_service.issue_token(s, SYSTEM, terminal.code)
        return terminal.code, token


def simulators(settings: Settings, base_url: str) -> list[list[str]]:
    """The gate simulator posting a passer-by every 15 s (some are the enrolled person: a hit)."""
    db = Database(settings.db_url)
    try:
        gate = prepare(db)
    finally:
        db.dispose()
    if gate is None:
        return []
    code, token = gate
    log.info("face.demo.gate", device=code)
    return [
        [
            sys.executable,
            "-m",
            "sim.gates",
            "--url",
            base_url,
            "--device",
            code,
            "--token",
            token,
            "--photos",
            str(PHOTOS),
            "--count",
            "100000",
            "--frames",
            "2",
            "--interval-s",
            "15",
        ]
    ]
