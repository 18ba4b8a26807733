"""Process-wide face runtime: settings, the engine worker pool, and one vector index per database."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import numpy as np
import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.core.db import Database
from campusguard.face.engine import DEFAULT_ENGINE, EMBEDDING_DIM
from campusguard.face.index import DEFAULT_THRESHOLD, IndexRegistry
from campusguard.face.models import FacePerson, FaceTemplate
from campusguard.face.pool import FacePool

log = structlog.get_logger(__name__)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """App hook: optionally pre-start the engine workers, and stop the ones this app started."""
    if face_settings().preload:
        await asyncio.to_thread(get_pool)
    try:
        yield
    finally:
        with _pool_lock:
            owned = [p for p in _pool if p in _owned]
        if owned:  # a pool installed with set_pool (tests, embedders) belongs to its installer
            await asyncio.to_thread(set_pool, None)


class FaceSettings(BaseSettings):
    """Face settings (env CG_FACE_*), separate from the core tree so this domain stays self-contained."""

    model_config = SettingsConfigDict(env_prefix="CG_FACE_", extra="ignore")

    engine: str = DEFAULT_ENGINE
    workers: int | None = None
    threshold: float = DEFAULT_THRESHOLD
    track_window_s: float = 10.0
    track_distance: float = 0.45
    suppress_distance: float = 0.35
    unknown_retention_days: int = 7
    matched_retention_days: int = Field(default=180, ge=1)
    """Pass records of enrolled people are kept this long, unless tied to an incident (PIPL art. 19)."""
    max_upload_bytes: int = 8 * 1024 * 1024
    capture_upsample: int = 0
    store_scene: bool = True
    face_count_warning: int = 100_000
    timezone: str = "Asia/Shanghai"
    preload: bool = False
    """Start the engine workers with the app instead of at the first capture (production: set true)."""


@lru_cache
def face_settings() -> FaceSettings:
    return FaceSettings()


_pool_lock = threading.Lock()
_pool: list[FacePool] = []
_owned: list[FacePool] = []


def get_pool() -> FacePool:
    """The engine pool, started on first use (spawn costs about a second per worker)."""
    with _pool_lock:
        if not _pool:
            s = face_settings()
            _pool.append(FacePool(workers=s.workers, engine=s.engine))
            _owned[:] = [_pool[0]]
        pool = _pool[0]
    return pool.start()


def set_pool(pool: FacePool | None) -> None:
    """Install a pool (tests use an in-process one; `None` closes and forgets the current one)."""
    with _pool_lock:
        old = list(_pool)
        _pool[:] = [pool] if pool is not None else []
        _owned[:] = []
    for p in old:
        if p is not pool:
            p.close()


_registries: weakref.WeakKeyDictionary[Database, IndexRegistry] = weakref.WeakKeyDictionary()
_reg_lock = threading.Lock()


def registry(session: Session) -> IndexRegistry:
    """The index of enrolled templates for the session's database, loaded from the table on first use."""
    db = session.info.get("db")
    if not isinstance(db, Database):
        raise RuntimeError("face index needs a session from Database.session()")
    with _reg_lock:
        reg = _registries.get(db)
        if reg is None:
            reg = _registries[db] = IndexRegistry()
        if not reg.loaded:
            _load(session, reg)
    return reg


def _load(session: Session, reg: IndexRegistry) -> None:
    rows = session.execute(
        select(FaceTemplate.id, FaceTemplate.watchlist_id, FaceTemplate.embedding)
        .join(FacePerson, FacePerson.id == FaceTemplate.person_id)
        # templates of another engine (before a switch of CG_FACE_ENGINE) cannot be compared: re-enrol them
        .where(FacePerson.active.is_(True), FaceTemplate.engine == face_settings().engine.rsplit(":")[-1])
    ).all()
    by_list: dict[int, tuple[list[int], list[np.ndarray]]] = {}
    for tid, wid, blob in rows:
        ids, vecs = by_list.setdefault(wid, ([], []))
        ids.append(tid)
        vecs.append(np.frombuffer(blob, dtype=np.float32))
    for wid, (ids, vecs) in by_list.items():
        reg.get(wid).add(ids, np.stack(vecs) if vecs else np.zeros((0, EMBEDDING_DIM), np.float32))
    reg.loaded = True
    log.info("face.index.loaded", templates=len(rows), watchlists=len(by_list))


def loaded_registry(db: Database) -> IndexRegistry | None:
    """This node's index for a database if it has been loaded (else None: it will load in full)."""
    with _reg_lock:
        reg = _registries.get(db)
    return reg if reg is not None and reg.loaded else None


def forget(db: Database) -> None:
    """Drop a database's index (it reloads on next use)."""
    with _reg_lock:
        _registries.pop(db, None)
