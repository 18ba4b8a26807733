"""Event handlers of the face domain: keep every node's in-memory face index in step."""

from __future__ import annotations

import anyio
import numpy as np
import structlog
from sqlalchemy import select

from campusguard.bus.bus import EventBus
from campusguard.bus.events import Event
from campusguard.core.db import Database
from campusguard.face import runtime
from campusguard.face.models import FacePerson, FaceTemplate, Watchlist

log = structlog.get_logger(__name__)
CHANGED = "face.templates.changed"


def apply_change(db: Database, event: Event) -> None:
    """Apply a templates-changed event to this node's index (idempotent; skipped if not loaded yet)."""
    reg = runtime.loaded_registry(db)
    if reg is None:
        return  # the index loads everything from the table on first use
    data = event.model_dump()
    wid = int(data["watchlist_id"])
    if data.get("dropped"):
        with db.session() as s:
            recreated = s.get(Watchlist, wid) is not None  # SQLite may reuse the id of a deleted list
        if not recreated:
            reg.drop(wid)
        return
    removed = [int(i) for i in data.get("removed") or []]
    if removed:
        # an event arrives after its commit, maybe after a later change: a row that is live again now
        # (re-activated person, or an id SQLite reused for a new template) must stay in the index
        with db.session() as s:
            live = set(
                s.scalars(
                    select(FaceTemplate.id)
                    .join(FacePerson, FacePerson.id == FaceTemplate.person_id)
                    .where(
                        FaceTemplate.id.in_(removed),
                        FaceTemplate.watchlist_id == wid,
                        FacePerson.active.is_(True),
                    )
                )
            )
        reg.get(wid).remove(i for i in removed if i not in live)
    added = [int(i) for i in data.get("added") or []]
    if added:
        with db.session() as s:
            rows = s.execute(
                select(FaceTemplate.id, FaceTemplate.embedding)
                .join(FacePerson, FacePerson.id == FaceTemplate.person_id)
                .where(FaceTemplate.id.in_(added), FaceTemplate.watchlist_id == wid, FacePerson.active.is_(True))
            ).all()
        if rows:
            reg.get(wid).add([r[0] for r in rows], np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows]))
    log.debug("face.index.synced", watchlist=wid, added=len(added), removed=len(removed))


def register(bus: EventBus) -> None:
    """Listen (on every node, not as a once-per-cluster handler) for template changes."""

    async def on_event(event: Event) -> None:
        if event.type == CHANGED:
            await anyio.to_thread.run_sync(apply_change, bus.db, event)

    bus.listen(on_event)
