"""Long-running part of the video domain inside the app: this node's recording worker and live streams."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import structlog
from fastapi import FastAPI

from campusguard.video.state import state
from campusguard.video.workers import VideoNode, release_worker

log = structlog.get_logger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """settings.video_record=False keeps this node out of recording (API/live only); video_capacity sizes it."""
    settings = app.state.settings
    state.settings = settings
    node = VideoNode(app.state.db, settings, name=settings.node_name, capacity=settings.video_capacity,
                     segment_s=settings.video_segment_s, record=settings.video_record)
    state.node = node
    app.state.video_node = node
    await node.start(app.state.bus)
    try:
        yield
    finally:
        await node.stop()

        def _release() -> None:
            with app.state.db.session() as s:
                release_worker(s, node.name)

        try:
            await anyio.to_thread.run_sync(_release)
        except Exception:
            log.exception("video worker release failed")
        state.node = None
