"""The bulk camera simulator behind the 100-camera bench is a real RTSP server ffmpeg records from."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campusguard.adapters.ffmpeg.recorder import GapInfo
from campusguard.adapters.ffmpeg.segments import SegmentInfo
from campusguard.video.bench import RecRun, missing_coverage
from campusguard.video.simcam import SimCameras

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCameras]:
    stats = tmp_path_factory.mktemp("bulk") / "stats.json"
    sim = SimCameras(3, size="640x360", bitrate=500, bulk=True, stats_file=stats).start()
    try:
        yield sim
    finally:
        sim.stop()


def _copy(url: str, out: Path, *extra: str, seconds: int = 3) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp",
                           *extra, "-i", url, "-t", str(seconds), "-c", "copy", "-y", str(out)],
                          capture_output=True, text=True, timeout=60)


def test_two_recorders_of_one_camera_get_a_decodable_h264_stream(bulk: SimCameras, tmp_path: Path) -> None:
    procs = [subprocess.Popen(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp",
                               "-i", bulk.url(2), "-t", "3", "-c", "copy", "-y", str(tmp_path / f"r{k}.mp4")],
                              stderr=subprocess.PIPE, text=True) for k in (1, 2)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    for k in (1, 2):
        probe = json.loads(subprocess.run(
            ["ffprobe", "-v", "error", "-count_frames", "-show_entries",
             "stream=codec_name,width,height,nb_read_frames", "-of", "json", str(tmp_path / f"r{k}.mp4")],
            capture_output=True, text=True, check=True).stdout)["streams"][0]
        assert (probe["codec_name"], probe["width"], probe["height"]) == ("h264", 640, 360)
        assert 45 <= int(probe["nb_read_frames"]) <= 80  # 3 s at 25 fps; decoding starts at the first IDR (<= 1 s)
        decode = subprocess.run(["ffmpeg", "-v", "error", "-i", str(tmp_path / f"r{k}.mp4"), "-f", "null", "-"],
                                capture_output=True, text=True)
        assert decode.returncode == 0 and decode.stderr == "", decode.stderr


def test_unknown_mount_and_udp_are_refused(bulk: SimCameras, tmp_path: Path) -> None:
    missing = _copy(bulk.url(9), tmp_path / "x.mp4")
    assert missing.returncode != 0 and "404" in missing.stderr
    udp = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-rtsp_transport", "udp",
                          "-i", bulk.url(1), "-t", "1", "-c", "copy", "-y", str(tmp_path / "u.mp4")],
                         capture_output=True, text=True, timeout=60)
    assert udp.returncode != 0 and "461" in udp.stderr


def _seg(start: datetime, seconds: float) -> SegmentInfo:
    return SegmentInfo(path=Path("x.mp4"), start=start, end=start + timedelta(seconds=seconds), bytes=1)


def test_missing_counts_holes_and_silent_cameras() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    full = [_seg(t0 + timedelta(seconds=4 * k), 4) for k in range(-1, 9)]
    holed = [s for k, s in enumerate(full) if k not in (3, 4)]  # 8 s missing in the middle
    run = RecRun(0, 0, 0, t0, t0 + timedelta(seconds=30), {1: full, 2: holed, 3: []},
                  [GapInfo(t0, t0, "x")], 0)
    dropped, missing_s, silent = missing_coverage(run, segment_s=4)
    # checked window: 30 s minus the last segment + 1 s = 25 s; camera 2 misses 8 s, camera 3 everything
    assert silent == 1
    assert missing_s == pytest.approx(8 + 25)
    assert dropped == 2 + round(25 / 4)
