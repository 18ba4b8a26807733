"""Face fixtures: the real dlib engine, loaded once, and each photo analysed once per session."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from campusguard.face import runtime
from campusguard.face.analysis import Analysis
from campusguard.face.pool import FacePool

FACES = Path(__file__).resolve().parents[1] / "data" / "faces"
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # sim/ lives at the repo root (pytest has no pythonpath setting yet)
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    return FACES


@pytest.fixture(scope="session")
def photo() -> Callable[[str], bytes]:
    """photo("obama/1.jpg") → bytes of a test photo."""

    def _read(rel: str) -> bytes:
        return (FACES / rel).read_bytes()

    return _read


class CachingPool(FacePool):
    """The real in-process engine, remembering results by image digest so each photo is embedded once."""

    def __init__(self) -> None:
        super().__init__(workers=0)
        self._cache: dict[tuple[str, int, bool], Analysis] = {}

    def analyse(self, data: bytes, *, upsample: int = 0, crops: bool = True) -> Analysis:
        key = (hashlib.sha256(data).hexdigest(), upsample, crops)
        if key not in self._cache:
            self._cache[key] = super().analyse(data, upsample=upsample, crops=crops)
        return self._cache[key]


@pytest.fixture(scope="session")
def face_pool() -> Iterator[FacePool]:
    """In-process engine installed as the app's pool (models load once per session)."""
    pool = CachingPool().start()
    runtime.set_pool(pool)
    yield pool
    runtime.set_pool(None)


@pytest.fixture(scope="session")
def analysed(face_pool: FacePool, photo: Callable[[str], bytes]) -> Callable[[str], Analysis]:
    """analysed("obama/2.jpg") → cached Analysis, so each photo is embedded once per session."""
    cache: dict[str, Analysis] = {}

    def _get(rel: str) -> Analysis:
        if rel not in cache:
            cache[rel] = face_pool.analyse(photo(rel))
        return cache[rel]

    return _get


@pytest.fixture
def kg(db, seeded) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The demo kindergarten (in the principal's scope) with its face terminal and a device token."""
    from sqlalchemy import select

    from campusguard.core.auth import SYSTEM
    from campusguard.device import service as device_service
    from campusguard.device.models import Device
    from campusguard.org.models import School

    with db.session() as s:
        school = s.scalars(select(School).where(School.type == "kindergarten").order_by(School.id)).first()
        terminal = s.scalars(
            select(Device).where(Device.school_id == school.id, Device.type == "face_terminal")
        ).one()
        token = device_service.issue_token(s, SYSTEM, terminal.code)
        return {"school_id": school.id, "district": school.district_code, "device": terminal.code,
                "device_auth": {"Authorization": f"Bearer {token}"}}
