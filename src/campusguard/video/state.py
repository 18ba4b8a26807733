"""Process-wide handles of the video domain (set by the runtime lifespan, read by jobs and handlers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campusguard.config import Settings, get_settings

if TYPE_CHECKING:
    from campusguard.video.workers import VideoNode


class _State:
    settings: Settings | None = None
    node: VideoNode | None = None


state = _State()


def settings() -> Settings:
    """The running app's settings (tests build their own), else the environment's."""
    return state.settings or get_settings()
