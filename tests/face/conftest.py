"""Face fixtures: the real dlib engine, loaded once, and each photo analysed once per session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from campusguard.face.analysis import Analysis
from campusguard.face.pool import FacePool

FACES = Path(__file__).resolve().parents[1] / "data" / "faces"


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    return FACES


@pytest.fixture(scope="session")
def photo() -> Callable[[str], bytes]:
    """photo("obama/1.jpg") → bytes of a test photo."""

    def _read(rel: str) -> bytes:
        return (FACES / rel).read_bytes()

    return _read


@pytest.fixture(scope="session")
def face_pool() -> Iterator[FacePool]:
    """In-process engine (models load once per session; no worker start-up cost in tests)."""
    pool = FacePool(workers=0).start()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def analysed(face_pool: FacePool, photo: Callable[[str], bytes]) -> Callable[[str], Analysis]:
    """analysed("obama/2.jpg") → cached Analysis, so each photo is embedded once per session."""
    cache: dict[str, Analysis] = {}

    def _get(rel: str) -> Analysis:
        if rel not in cache:
            cache[rel] = face_pool.analyse(photo(rel))
        return cache[rel]

    return _get
