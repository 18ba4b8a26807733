"""The recorder against a real simulated camera: segments indexed, gap recorded across a drop-out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from campusguard.adapters.ffmpeg.clip import cut, sha256_file
from campusguard.adapters.ffmpeg.probe import probe
from campusguard.adapters.ffmpeg.recorder import GapInfo, Recorder, wait_for
from campusguard.adapters.ffmpeg.segments import SegmentInfo
from campusguard.adapters.ffmpeg.supervisor import Backoff

pytestmark = pytest.mark.ffmpeg


async def test_record_gap_and_clip(sim, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    segments: list[SegmentInfo] = []
    gaps: list[GapInfo] = []
    statuses: list[tuple[str, str]] = []

    async def on_segment(seg: SegmentInfo) -> None:
        segments.append(seg)

    async def on_gap(gap: GapInfo) -> None:
        gaps.append(gap)

    async def on_status(status: str, reason: str) -> None:
        statuses.append((status, reason))

    rec = Recorder("t1", sim.url(7), tmp_path / "rec", on_segment=on_segment, on_gap=on_gap,
                   on_status=on_status, segment_s=2,
                   backoff=Backoff(minimum=0.3, maximum=1.0, stable_after=5))
    rec.start()
    try:
        assert await wait_for(lambda: len(segments) >= 2, 15), statuses
        await asyncio.to_thread(sim.drop, 7)
        assert await wait_for(lambda: ("offline" in [s for s, _ in statuses]), 10)
        await asyncio.sleep(1.5)
        await asyncio.to_thread(sim.restore, 7)
        before = len(segments)
        assert await wait_for(lambda: len(gaps) >= 1 and len(segments) > before, 15), (statuses, gaps)
    finally:
        await rec.stop()
        await asyncio.to_thread(sim.restore, 7)
    assert sum(g.seconds for g in gaps) >= 1.0
    assert any("404" in g.reason or "ended" in g.reason or "timed out" in g.reason.lower() for g in gaps), gaps
    # segments are contiguous except at the gap, and every one is a playable fragmented MP4
    ordered = sorted(segments, key=lambda s: s.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert b.start >= a.end
    info = await probe(str(ordered[0].path))
    assert (info.codec, info.width, info.height) == ("h264", 640, 360)
    assert info.duration_s and info.duration_s > 1.0
    # a clip across segments: stream copy, hashed
    first, second = ordered[0], ordered[1]
    out = await cut(ordered, first.start, second.end, tmp_path / "clip.mp4")
    clip_info = await probe(str(out))
    assert clip_info.duration_s and clip_info.duration_s > 2.5
    assert len(sha256_file(out)) == 64


async def test_unreachable_camera_reports_reason(tmp_path: Path) -> None:
    statuses: list[tuple[str, str]] = []

    async def on_status(status: str, reason: str) -> None:
        statuses.append((status, reason))

    async def nothing(_x: object) -> None:
        return None

    rec = Recorder("t2", "rtsp://127.0.0.1:9/nothing", tmp_path, on_segment=nothing, on_gap=nothing,
                   on_status=on_status, backoff=Backoff(minimum=0.2, maximum=0.5), rw_timeout_s=2)
    rec.start()
    try:
        assert await wait_for(lambda: len(statuses) >= 2, 10)
    finally:
        await rec.stop()
    assert all(s == "offline" for s, _ in statuses)
    assert "refused" in statuses[0][1].lower()
    assert rec.process.restarts >= 1


async def test_live_hls_on_demand_and_idle_stop(sim, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from campusguard.adapters.ffmpeg.live import LiveRegistry

    registry = LiveRegistry(tmp_path / "live", idle_s=1.5)
    registry.start()
    try:
        stream = registry.get("cam4", sim.url(4))
        assert not stream.active
        stream.touch()
        assert await stream.wait_ready(10)
        assert "#EXTM3U" in stream.playlist.read_text()
        assert await wait_for(lambda: not stream.active, 10)  # nobody touched it: stopped, files removed
        assert not stream.hls_dir.exists()
    finally:
        await registry.stop()
