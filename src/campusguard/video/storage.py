"""Where video lives on disk: recordings, live HLS, clips (under the platform's data directory)."""

from __future__ import annotations

from pathlib import Path

from campusguard.config import Settings


def video_root(settings: Settings) -> Path:
    """settings.video_dir (CG_VIDEO_DIR), else <data_dir>/video; nginx aliases the same folders."""
    return Path(settings.video_dir).resolve() if settings.video_dir else settings.data_dir / "video"


def camera_key(camera_id: int) -> str:
    return f"cam{camera_id}"


def rec_dir(settings: Settings, camera_id: int) -> Path:
    return video_root(settings) / "rec" / camera_key(camera_id)


def live_root(settings: Settings) -> Path:
    return video_root(settings) / "live"


def live_dir(settings: Settings, camera_id: int) -> Path:
    return live_root(settings) / camera_key(camera_id)


def clips_dir(settings: Settings) -> Path:
    return video_root(settings) / "clips"


def inside(base: Path, candidate: Path) -> bool:
    """True if candidate resolves under base (no ../ escape)."""
    try:
        candidate.resolve().relative_to(base.resolve())
    except ValueError:
        return False
    return True
