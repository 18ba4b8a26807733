"""Video settings come from the one settings tree (CG_VIDEO_*), not from ad-hoc environment reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from campusguard.config import Settings
from campusguard.video.signing import media_secret
from campusguard.video.storage import live_dir, rec_dir, video_root


def test_video_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CG_VIDEO_DIR", str(tmp_path / "nas"))
    monkeypatch.setenv("CG_VIDEO_MEDIA_SECRET", "shared-with-nginx")
    monkeypatch.setenv("CG_VIDEO_RECORD", "0")
    monkeypatch.setenv("CG_VIDEO_CAPACITY", "40")
    monkeypatch.setenv("CG_VIDEO_SEGMENT_S", "6")
    s = Settings(data_dir=tmp_path / "data", secret_key="k" * 40)
    assert (s.video_record, s.video_capacity, s.video_segment_s) == (False, 40, 6)
    assert video_root(s) == (tmp_path / "nas").resolve()
    assert rec_dir(s, 7) == (tmp_path / "nas").resolve() / "rec" / "cam7"
    assert media_secret(s) == "shared-with-nginx"


def test_video_defaults_derive_from_platform(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data", secret_key="k" * 40)
    assert live_dir(s, 3) == s.data_dir / "video" / "live" / "cam3"
    other = Settings(data_dir=tmp_path / "data", secret_key="j" * 40)
    assert media_secret(s) != media_secret(other) and len(media_secret(s)) >= 32
    assert s.video_record and s.video_segment_s == 10


def test_video_settings_validated() -> None:
    with pytest.raises(ValidationError):
        Settings(video_segment_s=0)
